"""Two-dimensional toy datasets: small enough to draw, shaped to need more and more layers.

``linear`` is separable by one straight line (a single neuron suffices), ``triangle``
needs the intersection of three half-planes (one hidden layer), and ``rings`` needs a
closed curved boundary. Each takes a seed so that a figure drawn from it never changes.
"""

from __future__ import annotations

import math

import torch

KINDS = ("linear", "triangle", "rings")


def toy_2d(
    kind: str, n: int = 400, *, noise: float = 0.1, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` points in the plane, float32 of shape (n, 2), with int64 labels 0/1 of shape (n,)."""
    if kind not in KINDS:
        raise ValueError(f"unknown toy dataset {kind!r}; choose one of {KINDS}")
    if n < 2:
        raise ValueError(f"need at least 2 points, got n={n}")
    if noise < 0:
        raise ValueError(f"noise must be non-negative, got {noise}")
    g = torch.Generator().manual_seed(seed)
    if kind == "linear":
        labels = torch.arange(n) % 2
        centres = torch.tensor([[-1.0, -0.6], [1.0, 0.6]])[labels]
        points = centres + (0.45 + noise) * torch.randn(n, 2, generator=g)
    elif kind == "triangle":
        points = torch.rand(n, 2, generator=g) * 4 - 2
        corners = torch.tensor([[0.0, 1.6], [-1.5, -1.1], [1.5, -1.1]])
        labels = _inside_triangle(points, corners).long()
        points = points + noise * torch.randn(n, 2, generator=g)
    else:
        labels = torch.arange(n) % 2
        angle = torch.rand(n, generator=g) * 2 * math.pi
        radius = torch.where(labels == 1, 0.8, 1.8) + noise * torch.randn(n, generator=g)
        points = torch.stack([radius * angle.cos(), radius * angle.sin()], dim=1)
    order = torch.randperm(n, generator=g)
    return points[order].float(), labels[order].long()


def _inside_triangle(points: torch.Tensor, corners: torch.Tensor) -> torch.Tensor:
    """True where a point lies on the inner side of all three edges."""
    inside = torch.ones(len(points), dtype=torch.bool)
    for i in range(3):
        a, b, c = corners[i], corners[(i + 1) % 3], corners[(i + 2) % 3]
        edge = b - a

        def side(p: torch.Tensor, a=a, edge=edge) -> torch.Tensor:
            return edge[0] * (p[..., 1] - a[1]) - edge[1] * (p[..., 0] - a[0])

        inside &= torch.sign(side(points)) == torch.sign(side(c))
    return inside
