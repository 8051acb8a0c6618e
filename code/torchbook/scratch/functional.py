"""The layers' arithmetic, with torch.nn.functional's names: one graph node per layer.

Each function is written like a ``Tensor`` operation: NumPy lines for the forward pass,
then a ``_backward(g)`` closure with the gradient derived by hand, joined by ``record``.
One node per layer, rather than a chain of small tensor operations, keeps the graph small
and the arrays few: that is what lets the framework train a CNN on MNIST on a laptop.

Convolution and pooling share one idea: the window at output position (r, s) covers
input pixel (r*sh + i, s*sw + j) with kernel position (i, j). So, for a fixed (i, j), the
pixels under it in every window form one strided slice of the input (:func:`_under`), and
a loop over the kh*kw kernel positions handles all windows of the batch at once.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from torchbook.scratch.tensor import ArrayLike, Tensor, record

Pair = int | tuple[int, int]  # an argument: one int for both axes, or (height, width)
Size = tuple[int, int]


# --- activations ---------------------------------------------------------------------------
def relu(x: Tensor) -> Tensor:
    return x.relu()


def sigmoid(x: Tensor) -> Tensor:
    return x.sigmoid()


def tanh(x: Tensor) -> Tensor:
    return x.tanh()


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, ``negative_slope * x`` otherwise: negative inputs keep a small gradient."""
    slope = np.where(x.data > 0, 1, negative_slope).astype(x.dtype)
    return record(x.data * slope, (x,), lambda g: x.accumulate_grad(g * slope))


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """x for x > 0, alpha (e^x - 1) otherwise: smooth, with outputs averaging nearer zero."""
    positive = x.data > 0
    negative_part = alpha * np.expm1(np.minimum(x.data, 0))  # min: no overflow for large x
    out = np.where(positive, x.data, negative_part)
    slope = np.where(positive, 1, negative_part + alpha)  # d/dx alpha (e^x - 1) = alpha e^x
    return record(out, (x,), lambda g: x.accumulate_grad(g * slope))


# --- linear layer and convolution ----------------------------------------------------------
def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x @ weight.T + bias``, with torch's weight layout (out_features, in_features)."""
    X, W = x.data, weight.data
    if X.ndim == 0 or X.shape[-1] != W.shape[1]:
        raise ValueError(
            f"linear: input of shape {X.shape} does not match weight of shape {W.shape}: "
            f"expected last dimension {W.shape[1]}"
        )
    out = X @ W.T if bias is None else X @ W.T + bias.data

    def _backward(g: np.ndarray) -> None:
        g2, X2 = g.reshape(-1, g.shape[-1]), X.reshape(-1, X.shape[-1])  # batch axes as one
        weight.accumulate_grad(g2.T @ X2)
        if bias is not None:
            bias.accumulate_grad(g2.sum(axis=0))
        if x.requires_grad:  # the network's input needs none: a whole product saved
            x.accumulate_grad(g @ W)

    return record(out, _parents(x, weight, bias), _backward)


def _under(i: int, j: int, stride: Size, out_size: Size) -> Any:
    """The input pixels under kernel position (i, j), one per window: an (N, C, oh, ow) slice."""
    (sh, sw), (oh, ow) = stride, out_size
    return (slice(None), slice(None), slice(i, i + sh * oh, sh), slice(j, j + sw * ow, sw))


def _im2col(xp: np.ndarray, kernel: Size, stride: Size, out_size: Size) -> np.ndarray:
    """Every window of ``xp`` as a column: (N, C*kh*kw, oh*ow), filled per kernel position."""
    (n, c), (kh, kw), (oh, ow) = xp.shape[:2], kernel, out_size
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=xp.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = xp[_under(i, j, stride, out_size)]
    return cols.reshape(n, c * kh * kw, oh * ow)


def _col2im(
    g_cols: np.ndarray, shape: tuple[int, ...], kernel: Size, stride: Size, out_size: Size
) -> np.ndarray:
    """The adjoint of :func:`_im2col`: add each column's gradient back onto its pixels.

    A pixel that lies in several windows receives the sum of their gradients.
    """
    (n, c), (kh, kw), (oh, ow) = shape[:2], kernel, out_size
    g_cols = g_cols.reshape(n, c, kh, kw, oh, ow)
    gx = np.zeros(shape, dtype=g_cols.dtype)
    for i in range(kh):
        for j in range(kw):
            gx[_under(i, j, stride, out_size)] += g_cols[:, :, i, j]
    return gx


def conv2d(
    x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Pair = 1, padding: Pair = 0
) -> Tensor:
    """2-D cross-correlation of (N, C, H, W) with weights (O, C, kh, kw), as torch's conv2d.

    im2col turns it into one matrix product per image: (O, C*kh*kw) @ (C*kh*kw, oh*ow).
    The backward pass is two more products: the weight gradient ``g @ cols^T`` (summed
    over the batch), and the columns' gradient ``W^T @ g``, which col2im adds back onto
    the pixels the columns were cut from.
    """
    _check_ndim(x, 4, "conv2d", "(N, C, H, W)")
    X, W = x.data, weight.data
    (n, c, h, w), (o, wc, kh, kw) = X.shape, W.shape
    if c != wc:
        raise ValueError(
            f"conv2d: input of shape {X.shape} has {c} channels but weight of shape "
            f"{W.shape} expects {wc}"
        )
    (sh, sw), (ph, pw) = as_pair(stride, "stride", 1), as_pair(padding, "padding", 0)
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    if oh <= 0 or ow <= 0:
        raise ValueError(
            f"conv2d: padded input {(h + 2 * ph, w + 2 * pw)} is smaller than the kernel "
            f"{(kh, kw)} (input shape {X.shape}, weight shape {W.shape})"
        )
    xp = np.pad(X, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else X
    cols = _im2col(xp, (kh, kw), (sh, sw), (oh, ow))  # (N, C*kh*kw, oh*ow)
    w_rows = W.reshape(o, c * kh * kw)  # one filter per row
    out = (w_rows @ cols).reshape(n, o, oh, ow)  # (N, O, oh*ow) is already NCHW
    if bias is not None:
        out += bias.data.reshape(1, o, 1, 1)

    def _backward(g: np.ndarray) -> None:
        g_rows = g.reshape(n, o, oh * ow)
        weight.accumulate_grad((g_rows @ cols.transpose(0, 2, 1)).sum(axis=0).reshape(W.shape))
        if bias is not None:
            bias.accumulate_grad(g.sum(axis=(0, 2, 3)))
        if x.requires_grad:  # the images need none: skip the work
            g_xp = _col2im(w_rows.T @ g_rows, xp.shape, (kh, kw), (sh, sw), (oh, ow))
            x.accumulate_grad(g_xp[:, :, ph : ph + h, pw : pw + w])  # the padding cut off

    return record(out, _parents(x, weight, bias), _backward)


# --- pooling -------------------------------------------------------------------------------
def max_pool2d(x: Tensor, kernel_size: Pair, stride: Pair | None = None) -> Tensor:
    """Largest value of each window; its gradient goes to the window's arg-max alone.

    On a tie the first maximum in row-major order takes the gradient, as in torch.
    Overlapping windows (stride < kernel) may pick the same pixel: its gradients add up.
    """
    _check_ndim(x, 4, "max_pool2d", "(N, C, H, W)")
    kernel = as_pair(kernel_size, "kernel_size", 1)
    stride = kernel if stride is None else as_pair(stride, "stride", 1)
    X = x.data
    (kh, kw), (sh, sw) = kernel, stride
    out_size = (X.shape[2] - kh) // sh + 1, (X.shape[3] - kw) // sw + 1
    if min(out_size) <= 0:
        raise ValueError(
            f"max_pool2d: input of shape {X.shape} is smaller than the kernel {kernel}"
        )
    positions = [(i, j) for i in range(kh) for j in range(kw)]  # row-major
    pixels = [X[_under(i, j, stride, out_size)] for i, j in positions]  # each (N, C, oh, ow)
    out = pixels[0].copy()
    for candidate in pixels[1:]:
        np.maximum(out, candidate, out=out)

    def _backward(g: np.ndarray) -> None:
        gx = np.zeros(X.shape, dtype=g.dtype)
        unclaimed = np.ones(out.shape, dtype=bool)  # windows whose arg-max is still unknown
        for (i, j), candidate in zip(positions, pixels, strict=True):
            arg_max = (candidate == out) & unclaimed  # the first maximum of its window
            unclaimed &= ~arg_max
            gx[_under(i, j, stride, out_size)] += g * arg_max
        x.accumulate_grad(gx)

    return record(out, (x,), _backward)


def min_pool2d(x: Tensor, kernel_size: Pair, stride: Pair | None = None) -> Tensor:
    """Smallest value of each window (torch has none): ``-max_pool2d(-x)``."""
    return -max_pool2d(-x, kernel_size, stride)


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

    Training normalises with the batch's mean and biased variance and updates the running
    estimates in place (with the unbiased variance, as torch); evaluation uses them.
    """
    X = x.data
    if X.ndim < 2:
        raise ValueError(f"batch_norm: expected an (N, C, ...) input, got shape {X.shape}")
    axes = (0, *range(2, X.ndim))  # every axis but the channels'
    shape = (1, X.shape[1]) + (1,) * (X.ndim - 2)  # one value per channel, broadcastable
    m = X.size // X.shape[1]  # values per channel
    if training:
        if m <= 1:
            raise ValueError(
                f"batch_norm: expected more than 1 value per channel when training, got input "
                f"of shape {X.shape}"
            )
        mean = X.mean(axis=axes)
        centered = X - mean.reshape(shape)
        var = (centered * centered).mean(axis=axes)  # biased: divided by m
        if running_mean is not None:
            running_mean[...] = (1 - momentum) * running_mean + momentum * mean
        if running_var is not None:  # unbiased: divided by m - 1
            running_var[...] = (1 - momentum) * running_var + momentum * var * m / (m - 1)
    else:
        mean, var = running_mean, running_var
        centered = X - mean.reshape(shape)
    inv_std = (1 / np.sqrt(var + eps)).reshape(shape)
    x_hat = centered * inv_std
    gamma = np.ones(shape, X.dtype) if weight is None else weight.data.reshape(shape)
    out = x_hat * gamma if bias is None else x_hat * gamma + bias.data.reshape(shape)

    def _backward(g: np.ndarray) -> None:
        sum_g, sum_g_xhat = g.sum(axis=axes), (g * x_hat).sum(axis=axes)
        if weight is not None:
            weight.accumulate_grad(sum_g_xhat)
        if bias is not None:
            bias.accumulate_grad(sum_g)
        if training:  # dx = gamma / sigma (g - mean(g) - x_hat mean(g x_hat)), derived by hand
            mean_g, mean_g_xhat = (sum_g / m).reshape(shape), (sum_g_xhat / m).reshape(shape)
            x.accumulate_grad(gamma * inv_std * (g - mean_g - x_hat * mean_g_xhat))
        else:  # the running statistics are constants: only x_hat's own scaling
            x.accumulate_grad(gamma * inv_std * g)

    return record(out, _parents(x, weight, bias), _backward)


# --- losses --------------------------------------------------------------------------------
def cross_entropy(logits: Tensor, target: ArrayLike, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy of (N, C) logits against N class indices, as F.cross_entropy.

    log-softmax is ``z - max(z) - log(sum(exp(z - max(z))))``: subtracting the maximum
    keeps exp from overflowing for large logits. The gradient is softmax - one-hot.
    """
    z = logits.data
    labels = target.data if isinstance(target, Tensor) else np.asarray(target)
    if z.ndim != 2:
        raise ValueError(f"cross_entropy: expected (N, C) logits, got shape {z.shape}")
    n, k = z.shape
    if labels.shape != (n,):
        raise ValueError(
            f"cross_entropy: logits of shape {z.shape} need targets of shape ({n},), "
            f"got {labels.shape}"
        )
    if labels.dtype.kind not in "iu":
        raise TypeError(f"cross_entropy: targets must be class indices, got dtype {labels.dtype}")
    if n and (labels.min() < 0 or labels.max() >= k):
        raise IndexError(f"cross_entropy: target out of range [0, {k}): {labels}")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"cross_entropy: unknown reduction {reduction!r}")
    shifted = z - z.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    sum_exp = exp.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    losses = np.log(sum_exp[:, 0]) - shifted[rows, labels]
    out = {"mean": losses.mean(), "sum": losses.sum(), "none": losses}[reduction]
    scale = 1 / n if reduction == "mean" else 1

    def _backward(g: np.ndarray) -> None:
        grad = exp / sum_exp  # softmax
        grad[rows, labels] -= 1
        upstream = g[:, None] if reduction == "none" else g
        logits.accumulate_grad(grad * (upstream * scale))

    return record(out, (logits,), _backward)


def mse_loss(input: Tensor, target: ArrayLike, reduction: str = "mean") -> Tensor:
    """Mean (or sum) of squared differences; ``target`` may be a Tensor or an array."""
    target = target if isinstance(target, Tensor) else Tensor(target)
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
    return x.flatten(start_dim, end_dim)


# --- argument checks -----------------------------------------------------------------------
def as_pair(value: Pair, name: str, least: int) -> tuple[int, int]:
    """``value`` as (height, width), each an int of at least ``least``, or a clear error.

    Shared by the functions here and the layers in ``nn`` (``Conv2d`` checks its sizes when
    it is built, not at its first call), so that both accept the same arguments and refuse
    the same ones with the same words: ``name`` is what the message calls the argument.
    """
    pair = (value, value) if isinstance(value, int | np.integer) else tuple(value)
    ints = all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in pair)
    if len(pair) != 2 or not ints or min(pair) < least:
        raise ValueError(f"{name} must be an int >= {least} or a pair of them, got {value!r}")
    return int(pair[0]), int(pair[1])


def _check_ndim(x: Tensor, ndim: int, name: str, layout: str) -> None:
    if x.ndim != ndim:
        raise ValueError(f"{name}: expected a {layout} input, got shape {x.shape}")


def _parents(x: Tensor, weight: Tensor | None, bias: Tensor | None) -> tuple[Tensor, ...]:
    return tuple(t for t in (x, weight, bias) if t is not None)
