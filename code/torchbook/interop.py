"""Move weights between a ``torchbook.scratch`` model and its PyTorch twin (kept outside
``scratch/``, which imports NumPy only).

The framework's layers name and shape their parameters as torch does, so the chapters and
tests can give two models the same starting point and compare them step by step.
"""

from __future__ import annotations

import numpy as np
import torch

from torchbook.scratch.nn import Module


def _pairs(ours: Module, theirs: torch.nn.Module) -> list[tuple[str, object, torch.Tensor]]:
    """(name, our parameter, torch parameter), after checking that names and shapes agree."""
    mine = dict(ours.named_parameters())
    other = dict(theirs.named_parameters())
    if set(mine) != set(other):
        only_ours, only_torch = sorted(set(mine) - set(other)), sorted(set(other) - set(mine))
        raise KeyError(
            "the models name their parameters differently: "
            f"only ours has {only_ours}, only torch's has {only_torch}"
        )
    for name, p in other.items():
        if tuple(mine[name].shape) != tuple(p.shape):
            raise ValueError(
                f"parameter {name!r}: ours has shape {tuple(mine[name].shape)}, "
                f"torch's has shape {tuple(p.shape)}"
            )
    return [(name, mine[name], other[name]) for name in other]


def load_from_torch(ours: Module, theirs: torch.nn.Module) -> None:
    """Give ``ours`` copies of the torch model's parameters, values and dtype both, so that
    a float64 torch model makes a float64 twin for comparisons to 1e-6."""
    for _, mine, p in _pairs(ours, theirs):
        mine.data = p.detach().cpu().numpy().copy()


def copy_to_torch(ours: Module, theirs: torch.nn.Module) -> None:
    """Give the torch model our parameter values (kept in torch's dtype and device)."""
    with torch.no_grad():
        for _, mine, p in _pairs(ours, theirs):
            p.copy_(torch.from_numpy(np.ascontiguousarray(mine.data)))
