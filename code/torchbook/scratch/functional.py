"""The layers' arithmetic as fused operations on :class:`Tensor` (torch.nn.functional's names).

Each function computes its forward pass in a few NumPy calls and records a single graph
node whose closure holds the hand-derived backward pass. Fusing (rather than composing
tensor operations) keeps the graph small and avoids intermediate arrays: it is what makes
the framework fast enough to train a CNN on MNIST in a couple of minutes on a laptop.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from torchbook.scratch.tensor import Tensor, _as_array, _result


def _pair(value: int | tuple[int, int], name: str) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, int | np.integer) else tuple(value)
    if len(pair) != 2 or min(pair) < 0:
        raise ValueError(f"{name} must be a non-negative int or a pair of them, got {value!r}")
    return int(pair[0]), int(pair[1])


def _check_ndim(x: Tensor, ndims: tuple[int, ...], name: str, layout: str) -> None:
    if x.ndim not in ndims:
        raise ValueError(f"{name}: expected a {layout} input, got shape {x.shape}")


# --- activations ---------------------------------------------------------------------------
def relu(x: Tensor) -> Tensor:
    """max(x, 0): the gradient passes where the input was positive (0 at x = 0, as torch)."""
    return x.relu()


def sigmoid(x: Tensor) -> Tensor:
    return x.sigmoid()


def tanh(x: Tensor) -> Tensor:
    return x.tanh()


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, ``negative_slope * x`` otherwise: negative inputs keep a small gradient."""
    data = x.data
    positive = data > 0
    slope = np.where(positive, data.dtype.type(1), data.dtype.type(negative_slope))
    return _result(data * slope, (x,), lambda g: (g * slope,))


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """x for x > 0, alpha (e^x - 1) otherwise: smooth, with negative outputs near zero mean."""
    data = x.data
    positive = data > 0
    negative_part = alpha * np.expm1(np.minimum(data, 0))
    out = np.where(positive, data, negative_part)
    # d/dx alpha (e^x - 1) = alpha e^x = out + alpha on the negative side
    return _result(out, (x,), lambda g: (g * np.where(positive, 1, negative_part + alpha),))


# --- linear and convolution ----------------------------------------------------------------
def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x @ weight.T + bias`` with torch's weight layout (out_features, in_features).

    One node instead of three: the backward needs ``g @ W`` (skipped when the input needs
    no gradient, as for the first layer), ``g^T @ x`` and the column sums of ``g``.
    """
    X, W = x.data, weight.data
    if X.ndim == 0 or X.shape[-1] != W.shape[1]:
        raise ValueError(
            f"linear: input of shape {X.shape} does not match weight of shape {W.shape}: "
            f"expected last dimension {W.shape[1]}"
        )
    out = X @ W.T
    if bias is not None:
        out += bias.data
    need_x = x.requires_grad

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        g2 = g.reshape(-1, g.shape[-1])
        gx = g @ W if need_x else None
        gw = g2.T @ X.reshape(-1, X.shape[-1])
        if bias is None:
            return gx, gw
        return gx, gw, g2.sum(axis=0)

    parents = (x, weight) if bias is None else (x, weight, bias)
    return _result(out, parents, backward)


def _im2col(
    xp: np.ndarray, kh: int, kw: int, sh: int, sw: int, oh: int, ow: int, ones: bool
) -> np.ndarray:
    """Every receptive field as a column: shape (N, C*kh*kw [+1], oh*ow), one contiguous copy.

    The strided view costs nothing; copying it out copies each window once, which turns
    the convolution of each image into a single matrix product. Keeping the batch axis
    first makes the product's output (N, O, oh*ow) already in NCHW order. With ``ones`` a
    last row of ones is appended, so that the bias rides along in the same product (and
    its gradient, the sum of the output gradient, falls out of the weight gradient's).
    """
    n, c = xp.shape[:2]
    s0, s1, s2, s3 = xp.strides
    windows = as_strided(
        xp, (n, c, kh, kw, oh, ow), (s0, s1, s2, s3, s2 * sh, s3 * sw), writeable=False
    )
    k = c * kh * kw
    if not ones:
        return windows.reshape(n, k, oh * ow)
    cols = np.empty((n, k + 1, oh * ow), dtype=xp.dtype)
    cols[:, k] = 1
    np.copyto(cols[:, :k].reshape(n, c, kh, kw, oh, ow), windows)
    return cols


def _col2im(
    g_cols: np.ndarray,
    shape: tuple[int, ...],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    out_size: tuple[int, int],
) -> np.ndarray:
    """The adjoint of im2col: add each column's gradient back onto the pixels it was cut from.

    One strided addition per kernel position (kh*kw of them), each over the whole batch.
    """
    n, c = shape[:2]
    (kh, kw), (sh, sw), (oh, ow) = kernel, stride, out_size
    g_cols = g_cols.reshape(n, c, kh, kw, oh, ow)
    gxp = np.zeros(shape, dtype=g_cols.dtype)
    for i in range(kh):
        for j in range(kw):
            gxp[:, :, i : i + sh * (oh - 1) + 1 : sh, j : j + sw * (ow - 1) + 1 : sw] += g_cols[
                :, :, i, j
            ]
    return gxp


def _conv_input_grad_stride1(
    g: np.ndarray, w_mat: np.ndarray, shape: tuple[int, ...], kernel: tuple[int, int]
) -> np.ndarray:
    """The input gradient of a stride-1 convolution, with long contiguous additions.

    Place g on the padded input's full grid (zeros beyond the valid outputs); then the
    column gradient of kernel position (i, j) lands on the input shifted by i*W + j in
    the flattened array, so col2im becomes kh*kw additions of whole flat ranges instead of
    short rows. The zeros make the wrap-around into the next row or image harmless.
    """
    n, c, hp, wp = shape
    kh, kw = kernel
    o, oh, ow = g.shape[1:]
    g_full = np.zeros((n, o, hp, wp), dtype=g.dtype)
    g_full[:, :, :oh, :ow] = g
    g_cols = np.matmul(w_mat.T, g_full.reshape(n, o, hp * wp)).reshape(n, c, kh, kw, hp * wp)
    size = n * c * hp * wp
    flat = np.zeros(size + (kh - 1) * wp + kw - 1, dtype=g_cols.dtype)
    for i in range(kh):
        for j in range(kw):
            offset = i * wp + j
            flat[offset : offset + size].reshape(n, c, hp * wp)[...] += g_cols[:, :, i, j]
    return flat[:size].reshape(shape)


def conv2d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> Tensor:
    """2-D cross-correlation of (N, C, H, W) with weights (O, C, kh, kw), as torch's conv2d.

    Forward: im2col + one (batched) matrix product. Backward: the weight gradient is
    another product with the same columns; the input gradient scatters the column
    gradients back with one addition per kernel position (never a loop over pixels).
    """
    _check_ndim(x, (4,), "conv2d", "(N, C, H, W)")
    X, W = x.data, weight.data
    n, c, h, w = X.shape
    o, wc, kh, kw = W.shape
    if c != wc:
        raise ValueError(
            f"conv2d: input of shape {X.shape} has {c} channels but weight of shape "
            f"{W.shape} expects {wc}"
        )
    sh, sw = _pair(stride, "stride")
    ph, pw = _pair(padding, "padding")
    if sh == 0 or sw == 0:
        raise ValueError("conv2d: stride must be positive")
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    if oh <= 0 or ow <= 0:
        raise ValueError(
            f"conv2d: padded input {(h + 2 * ph, w + 2 * pw)} is smaller than the kernel "
            f"{(kh, kw)} (input shape {X.shape}, weight shape {W.shape})"
        )
    xp = np.pad(X, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else X
    cols = _im2col(xp, kh, kw, sh, sw, oh, ow, bias is not None)  # (N, C*kh*kw [+1], oh*ow)
    k = c * kh * kw
    w_mat = W.reshape(o, k)
    if bias is not None:
        w_mat_bias = np.concatenate([w_mat, bias.data.reshape(o, 1).astype(w_mat.dtype)], axis=1)
    out = np.matmul(w_mat if bias is None else w_mat_bias, cols)  # (N, O, oh*ow): NCHW
    need_x = x.requires_grad

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        g3 = g.reshape(n, o, oh * ow)
        g_mat = np.matmul(g3, cols.transpose(0, 2, 1)).sum(axis=0)  # (O, C*kh*kw [+1])
        gw = g_mat[:, :k].reshape(W.shape)
        gx = None
        if need_x:
            if sh == sw == 1:
                gxp = _conv_input_grad_stride1(g, w_mat, xp.shape, (kh, kw))
            else:
                gxp = _col2im(np.matmul(w_mat.T, g3), xp.shape, (kh, kw), (sh, sw), (oh, ow))
            gx = gxp[:, :, ph : ph + h, pw : pw + w] if ph or pw else gxp
        if bias is None:
            return gx, gw
        return gx, gw, g_mat[:, k]

    parents = (x, weight) if bias is None else (x, weight, bias)
    return _result(out.reshape(n, o, oh, ow), parents, backward)


# --- pooling -------------------------------------------------------------------------------
def _strided(axis: int, size: int, stride: int) -> Any:
    """A function taking the ``size`` elements ``j, j + stride, ...`` along ``axis``."""

    def take(a: np.ndarray, j: int) -> np.ndarray:
        index = [slice(None)] * a.ndim
        index[axis] = slice(j, j + stride * (size - 1) + 1, stride)
        return a[tuple(index)]

    return take


def _scan(a: np.ndarray, k: int, take: Any, mode: str) -> tuple[np.ndarray, np.ndarray | None]:
    """The best of ``take(a, 0..k-1)`` and which one it was (the first, on ties).

    A later candidate replaces the best only if strictly better, so ties go to the first.
    For k = 2 the index is a bool array ("the second won"), else a uint8 array.
    """
    pick, better = (np.maximum, np.greater) if mode == "max" else (np.minimum, np.less)
    best = take(a, 0)
    arg = None
    for j in range(1, k):
        candidate = take(a, j)
        won = better(candidate, best)
        if j == 1:
            best = pick(best, candidate)
            arg = won if k == 2 else won.astype(np.uint8)
        else:
            pick(best, candidate, out=best)
            np.putmask(arg, won, j)
    return (best if k > 1 else best.copy()), arg


def _unscan(
    g: np.ndarray, arg: np.ndarray | None, k: int, take: Any, shape: tuple[int, ...], cover: bool
) -> np.ndarray:
    """Send each gradient back to the candidate that won the scan (the adjoint of _scan).

    ``cover`` says the windows tile the input exactly (no overlap, no leftover), so every
    element is written once and the array need not be zeroed first.
    """
    cover = cover and arg is not None
    full = np.empty(shape, dtype=g.dtype) if cover else np.zeros(shape, dtype=g.dtype)
    for j in range(k):
        if arg is None:
            mask = None
        elif arg.dtype == np.bool_:
            mask = arg if j == 1 else ~arg
        else:
            mask = arg == j
        target = take(full, j)
        if mask is None:  # k == 1: every element is its window's winner
            target += g
        elif cover:
            np.multiply(g, mask, out=target)
        else:
            target += g * mask
    return full


def _pool2d(x: Tensor, kernel_size: int | tuple[int, int], stride: Any, mode: str) -> Tensor:
    """Max (or min) over each window; the gradient goes to the window's first arg-max.

    A window's maximum is the maximum over its rows of the maximum within each row, so
    the work is done in two passes (along W, then along H) of k strided comparisons each,
    instead of k*k. Scanning within rows first keeps ties resolving to the first element
    in row-major order, which is what torch's kernel picks.
    """
    name = f"{mode}_pool2d"
    _check_ndim(x, (4,), name, "(N, C, H, W)")
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = (kh, kw) if stride is None else _pair(stride, "stride")
    if min(kh, kw, sh, sw) <= 0:
        raise ValueError(f"{name}: kernel_size and stride must be positive")
    X = x.data
    h, w = X.shape[2:]
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    if oh <= 0 or ow <= 0:
        raise ValueError(f"{name}: input of shape {X.shape} is smaller than the kernel {(kh, kw)}")
    along_w, along_h = _strided(3, ow, sw), _strided(2, oh, sh)
    rows, arg_w = _scan(X, kw, along_w, mode)  # (N, C, H, ow): best within each row
    out, arg_h = _scan(rows, kh, along_h, mode)  # (N, C, oh, ow)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        g_rows = _unscan(g, arg_h, kh, along_h, rows.shape, sh == kh and oh * sh == h)
        return (_unscan(g_rows, arg_w, kw, along_w, X.shape, sw == kw and ow * sw == w),)

    return _result(out, (x,), backward)


def max_pool2d(
    x: Tensor, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None
) -> Tensor:
    """Largest value of each window (stride defaults to the kernel size, as torch)."""
    return _pool2d(x, kernel_size, stride, "max")


def min_pool2d(
    x: Tensor, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None
) -> Tensor:
    """Smallest value of each window: ``-max_pool2d(-x)`` without the two negations."""
    return _pool2d(x, kernel_size, stride, "min")


# --- normalisation -------------------------------------------------------------------------
def batch_norm(
    x: Tensor,
    running_mean: np.ndarray | None,
    running_var: np.ndarray | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (axis 1) over the batch and spatial axes, then scale and shift.

    Training uses the batch's mean and biased variance and updates the running estimates
    in place (with the unbiased variance, as torch); evaluation uses the running estimates.
    """
    X = x.data
    if X.ndim < 2:
        raise ValueError(f"batch_norm: expected (N, C, ...) input, got shape {X.shape}")
    c = X.shape[1]
    axes = (0, *range(2, X.ndim))
    shape = (1, c) + (1,) * (X.ndim - 2)
    count = X.size // c
    if training:
        if count <= 1:
            raise ValueError(
                f"batch_norm: expected more than 1 value per channel when training, got input "
                f"of shape {X.shape}"
            )
        mean = X.mean(axis=axes)
        centered = X - mean.reshape(shape)
        var = (centered * centered).mean(axis=axes)
        if running_mean is not None:
            running_mean *= 1 - momentum
            running_mean += momentum * mean
        if running_var is not None:
            running_var *= 1 - momentum
            running_var += (momentum * count / (count - 1)) * var
    else:
        mean, var = running_mean, running_var
        centered = X - mean.reshape(shape)
    inv_std = 1 / np.sqrt(var + eps)
    x_hat = centered * inv_std.reshape(shape)
    gamma = weight.data.reshape(shape) if weight is not None else None
    out = x_hat * gamma if gamma is not None else x_hat.copy()
    if bias is not None:
        out += bias.data.reshape(shape)

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        g_hat = g * gamma if gamma is not None else g
        if training:  # the batch statistics depend on x too
            mean_g = g_hat.mean(axis=axes, keepdims=True)
            mean_gx = (g_hat * x_hat).mean(axis=axes, keepdims=True)
            gx = (g_hat - mean_g - x_hat * mean_gx) * inv_std.reshape(shape)
        else:
            gx = g_hat * inv_std.reshape(shape)
        grads: list[np.ndarray | None] = [gx]
        if weight is not None:
            grads.append((g * x_hat).sum(axis=axes))
        if bias is not None:
            grads.append(g.sum(axis=axes))
        return tuple(grads)

    parents = tuple(t for t in (x, weight, bias) if t is not None)
    return _result(out, parents, backward)


# --- losses --------------------------------------------------------------------------------
def _targets(target: Any) -> np.ndarray:
    return target.data if isinstance(target, Tensor) else np.asarray(target)


def cross_entropy(logits: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy of (N, C) logits against N class indices, as F.cross_entropy.

    log-softmax is computed as ``z - max(z) - log(sum(exp(z - max(z))))``: subtracting the
    maximum keeps exp from overflowing at large logits. The gradient is softmax - one-hot.
    """
    z = logits.data
    labels = _targets(target)
    if z.ndim != 2:
        raise ValueError(f"cross_entropy: expected (N, C) logits, got shape {z.shape}")
    if labels.shape != (z.shape[0],):
        raise ValueError(
            f"cross_entropy: logits of shape {z.shape} need targets of shape ({z.shape[0]},), "
            f"got {labels.shape}"
        )
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"cross_entropy: targets must be class indices, got dtype {labels.dtype}")
    n, k = z.shape
    if n and (labels.min() < 0 or labels.max() >= k):
        raise IndexError(f"cross_entropy: target out of range [0, {k}): {labels}")
    shifted = z - z.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    sum_exp = exp.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    losses = np.log(sum_exp[:, 0]) - shifted[rows, labels]
    if reduction == "mean":
        data, scale = losses.sum() / n, 1 / n
    elif reduction == "sum":
        data, scale = losses.sum(), 1
    elif reduction == "none":
        data, scale = losses, None
    else:
        raise ValueError(f"cross_entropy: unknown reduction {reduction!r}")

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        grad = exp / sum_exp  # softmax
        grad[rows, labels] -= 1
        grad *= (g * scale) if scale is not None else g[:, None]
        return (grad,)

    return _result(data, (logits,), backward)


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean (or sum) of squared differences; ``target`` may be a Tensor or an array."""
    target = target if isinstance(target, Tensor) else Tensor(_as_array(target))
    if input.shape != target.shape:
        raise ValueError(
            f"mse_loss: input of shape {input.shape} and target of shape {target.shape} differ"
        )
    squared = (input - target) ** 2
    if reduction == "mean":
        return squared.mean()
    if reduction == "sum":
        return squared.sum()
    if reduction == "none":
        return squared
    raise ValueError(f"mse_loss: unknown reduction {reduction!r}")


def flatten(x: Tensor, start_dim: int = 1, end_dim: int = -1) -> Tensor:
    """Merge the axes ``start_dim..end_dim`` into one (by default all but the batch axis)."""
    shape = x.shape
    start, end = start_dim % x.ndim, end_dim % x.ndim
    merged = int(np.prod(shape[start : end + 1]))
    return x.reshape(*shape[:start], merged, *shape[end + 1 :])
