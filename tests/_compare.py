"""The one way the tests compare the book's engines with torch: values and gradients, float64,
on random inputs from :func:`random_array`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from torchbook import interop
from torchbook.scratch import Tensor
from torchbook.scratch import nn as snn


def random_array(
    shape: tuple[int, ...], seed: int = 0, low: float = -2.0, high: float = 2.0
) -> np.ndarray:
    """float64 values drawn uniformly from [low, high), the same for the same ``seed``."""
    return np.random.default_rng(seed).uniform(low, high, shape)


def _tensor_leaf(a: Any) -> Tensor:
    return Tensor(np.array(a, dtype=np.float64, order="K"), requires_grad=True)  # K: keep layout


def compare(
    ours: Callable[..., Any] | snn.Module,
    theirs: Callable[..., Any] | torch.nn.Module,
    *inputs: Any,
    leaf: Callable[[Any], Any] = _tensor_leaf,
    rtol: float = 1e-6,
    atol: float = 1e-6,
    seed: int = 99,
) -> None:
    """Check that ``ours`` gives torch's value and gradients for the same float64 inputs.

    ``ours`` and ``theirs`` are functions of one leaf per input (a ``Tensor``, or a
    ``Value`` with ``leaf=Value``), or twin modules: then torch's weights are loaded into
    ours first and every parameter's gradient is compared too. A non-scalar output is
    backpropagated with a random upstream gradient, so that every entry of the
    vector-Jacobian product is checked, not only column sums.
    """
    modules = isinstance(theirs, torch.nn.Module)
    if modules:
        theirs = theirs.double()
        interop.load_from_torch(ours, theirs)
    mine = [leaf(a) for a in inputs]
    refs = [torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in inputs]
    out, ref = ours(*mine), theirs(*refs)
    tol = {"rtol": rtol, "atol": atol}
    assert np.shape(out.data) == tuple(ref.shape), (np.shape(out.data), tuple(ref.shape))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **tol)
    if ref.ndim == 0:
        out.backward()
        ref.backward()
    else:
        upstream = np.random.default_rng(seed).uniform(-2, 2, ref.shape)
        out.backward(upstream)
        ref.backward(torch.from_numpy(upstream))
    for i, (m, r) in enumerate(zip(mine, refs, strict=True)):
        expected = np.zeros(r.shape) if r.grad is None else r.grad.numpy()
        got = np.zeros(r.shape) if m.grad is None else m.grad
        assert np.shape(got) == expected.shape, f"input {i}: gradient of shape {np.shape(got)}"
        np.testing.assert_allclose(got, expected, err_msg=f"input {i}", **tol)
    if modules:
        ours_params = dict(ours.named_parameters())
        assert sorted(ours_params) == sorted(name for name, _ in theirs.named_parameters())
        for name, p in theirs.named_parameters():
            np.testing.assert_allclose(ours_params[name].grad, p.grad.numpy(), err_msg=name, **tol)
