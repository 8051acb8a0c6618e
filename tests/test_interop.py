"""torchbook.interop: the same weights in both frameworks, or a clear refusal."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from torchbook import interop
from torchbook.scratch import Tensor
from torchbook.scratch import nn as snn


def _twins() -> tuple[snn.Module, torch.nn.Module]:
    ours = snn.Sequential(snn.Conv2d(1, 2, 3), snn.ReLU(), snn.Flatten(), snn.Linear(8, 3))
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(1, 2, 3), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(8, 3)
    ).double()
    return ours, theirs


def test_loaded_torch_weights_give_the_same_outputs() -> None:
    ours, theirs = _twins()
    interop.load_from_torch(ours, theirs)
    assert all(p.data.dtype == np.float64 for p in ours.parameters())
    x = np.random.default_rng(0).standard_normal((4, 1, 4, 4))
    expected = theirs(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(ours(Tensor(x)).data, expected, rtol=1e-12, atol=1e-12)


def test_copied_weights_reach_torch_in_its_dtype() -> None:
    ours, theirs = _twins()
    theirs = theirs.float()
    interop.copy_to_torch(ours, theirs)
    for (name, mine), (other_name, p) in zip(
        ours.named_parameters(), theirs.named_parameters(), strict=True
    ):
        assert name == other_name and p.dtype == torch.float32
        np.testing.assert_allclose(p.detach().numpy(), mine.data, rtol=1e-6)


def test_a_shape_mismatch_names_the_parameter_and_both_shapes() -> None:
    ours = snn.Sequential(snn.Linear(4, 3))
    theirs = torch.nn.Sequential(torch.nn.Linear(5, 3))
    with pytest.raises(ValueError, match=r"'0.weight'.*\(3, 4\).*\(3, 5\)"):
        interop.load_from_torch(ours, theirs)


def test_different_parameter_names_are_listed() -> None:
    ours = snn.Sequential(snn.Linear(4, 3, bias=False))
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 3))
    with pytest.raises(KeyError, match=r"0\.bias"):
        interop.copy_to_torch(ours, theirs)
