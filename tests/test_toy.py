"""torchbook.data.toy_2d: seeded 2-D datasets whose classes have the promised shapes."""

from __future__ import annotations

import pytest
import torch

import torchbook as tb


@pytest.mark.parametrize("kind", ["linear", "triangle", "rings"])
def test_shapes_types_and_both_classes(kind: str) -> None:
    points, labels = tb.data.toy_2d(kind, 300)
    assert points.shape == (300, 2) and points.dtype == torch.float32
    assert labels.shape == (300,) and labels.dtype == torch.int64
    assert set(labels.tolist()) == {0, 1}


@pytest.mark.parametrize("kind", ["linear", "triangle", "rings"])
def test_same_seed_same_points(kind: str) -> None:
    a, b = tb.data.toy_2d(kind, seed=4), tb.data.toy_2d(kind, seed=4)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[0], tb.data.toy_2d(kind, seed=5)[0])


def test_rings_are_separated_by_radius() -> None:
    points, labels = tb.data.toy_2d("rings", 400, noise=0.05)
    radius = points.norm(dim=1)
    assert radius[labels == 1].max() < radius[labels == 0].min()


def test_triangle_class_is_the_inside() -> None:
    points, labels = tb.data.toy_2d("triangle", 400, noise=0.0)
    assert labels[points[:, 1] > 1.7].sum() == 0  # above the apex: outside
    centre = points.norm(dim=1) < 0.3
    assert centre.any() and labels[centre].all()


def test_unknown_kind_and_bad_sizes_are_named() -> None:
    with pytest.raises(ValueError, match="unknown toy dataset 'moons'"):
        tb.data.toy_2d("moons")
    with pytest.raises(ValueError, match="at least 2 points"):
        tb.data.toy_2d("rings", 1)
    with pytest.raises(ValueError, match="noise must be non-negative"):
        tb.data.toy_2d("rings", noise=-1)
