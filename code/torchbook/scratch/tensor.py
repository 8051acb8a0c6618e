"""A NumPy array with reverse-mode autograd: the ``Value`` engine, one array at a time.

Every operation is written as in micrograd. A number, list or array meeting a tensor is
first wrapped in a tensor, so there is one code path. A NumPy line computes the result;
a closure ``_backward(g)`` receives the result's gradient and adds each input's share to
that input (the local chain rule, with broadcast axes summed back); :func:`record` ties
them together. :meth:`Tensor.backward` sorts the graph topologically and calls the
closures from the output back to the leaves: one loop.

Conventions, torch's unless said otherwise:

* dtypes: Python floats (and lists of them) become float32, arrays keep their dtype. Of
  two operands of different kinds (bool < int < float) the higher kind's dtype wins:
  int64 + float32 is float32, where NumPy says float64. Within a kind the wider wins,
  but a 0-d operand does not widen one with dimensions, and a Python number takes the
  tensor's dtype: ``0.5 * x`` keeps x float32 (a float meeting an int tensor: float32).
* Only leaves (tensors not made by an operation) keep ``.grad``, accumulating over
  ``backward`` calls until set to None. Unlike torch, the graph survives ``backward``.
* Inside ``with no_grad():`` nothing is recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeAlias

import numpy as np

ArrayLike: TypeAlias = Any  # a Tensor, an ndarray, a Python number or a nested list
Axis: TypeAlias = int | Sequence[int] | None


class Tensor:
    """An n-dimensional array that remembers how it was computed, so it can be differentiated.

    ``data`` is a NumPy array (optimizers update it in place); ``grad`` is None or, after
    ``backward``, an array of the same shape and dtype: d(output)/d(self).
    """

    __slots__ = ("_backward", "_parents", "data", "grad", "requires_grad")
    __array_ufunc__ = None  # ndarray + Tensor: NumPy steps aside, so Tensor.__radd__ runs

    def __init__(self, data: ArrayLike, requires_grad: bool = False, dtype: Any = None) -> None:
        self.data = _as_array(data, dtype)
        self.grad: np.ndarray | None = None
        self.requires_grad = False
        self._parents: tuple[Tensor, ...] = ()  # the inputs of the operation that made it
        self._backward: Callable[[np.ndarray], None] | None = None
        self.requires_grad_(requires_grad)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Turn gradient tracking of this leaf on (or off), in place; returns ``self``."""
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"only tensors of floating point dtype can require gradients, got {self.dtype}"
            )
        self.requires_grad = bool(requires_grad)
        return self

    # --- backpropagation ---------------------------------------------------------------
    def backward(self, grad: ArrayLike | None = None) -> None:
        """Add d(self)/d(leaf) to the ``.grad`` of every leaf that requires a gradient.

        ``grad`` is d(final scalar)/d(self); it may be left out only when ``self`` has one
        element (it is then 1), as in torch.
        """
        if not self.requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and has no grad_fn")
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            grad = np.ones_like(self.data)
        grad = _as_array(grad).astype(self.dtype)
        if grad.shape != self.shape:
            raise ValueError(
                f"backward: grad has shape {grad.shape} but the tensor has shape {self.shape}"
            )
        order = self._topological_order()
        self.accumulate_grad(grad)
        for node in reversed(order):  # each node after every node that used it
            if node._parents and node.grad is not None:
                node._backward(node.grad)
                node.grad = None  # as in torch, only leaves keep their gradient

    def accumulate_grad(self, g: np.ndarray) -> None:
        """Add ``g`` to ``self.grad``: a tensor used twice receives the sum of both gradients."""
        if not self.requires_grad:
            return
        if not self._parents:  # a leaf keeps its own copy, in its own dtype
            g = g.astype(self.dtype)
        self.grad = g if self.grad is None else self.grad + g

    def _topological_order(self) -> list[Tensor]:
        """The tensors that need a gradient, each listed after the inputs it was made from."""
        order: list[Tensor] = []
        seen: set[int] = set()
        stack = [(self, False)]
        while stack:  # depth first, with a stack rather than recursion: deep graphs are fine
            node, inputs_listed = stack.pop()
            if inputs_listed:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((parent, False) for parent in node._parents if parent.requires_grad)
        return order

    # --- arithmetic ---------------------------------------------------------------------
    def __add__(self, other: ArrayLike) -> Tensor:
        other, x, y = _operands(self, other, "add")

        def _backward(g: np.ndarray) -> None:
            self.accumulate_grad(_unbroadcast(g, x.shape))
            other.accumulate_grad(_unbroadcast(g, y.shape))

        return record(x + y, (self, other), _backward)

    __radd__ = __add__

    def __sub__(self, other: ArrayLike) -> Tensor:
        other, x, y = _operands(self, other, "sub")

        def _backward(g: np.ndarray) -> None:
            self.accumulate_grad(_unbroadcast(g, x.shape))
            other.accumulate_grad(_unbroadcast(-g, y.shape))

        return record(x - y, (self, other), _backward)

    def __mul__(self, other: ArrayLike) -> Tensor:
        other, x, y = _operands(self, other, "mul")

        def _backward(g: np.ndarray) -> None:
            self.accumulate_grad(_unbroadcast(g * y, x.shape))
            other.accumulate_grad(_unbroadcast(g * x, y.shape))

        return record(x * y, (self, other), _backward)

    __rmul__ = __mul__

    def __truediv__(self, other: ArrayLike) -> Tensor:
        other, x, y = _operands(self, other, "div")
        if x.dtype.kind != "f":  # int / int is a float32 tensor in torch
            x, y = x.astype(np.float32), y.astype(np.float32)

        def _backward(g: np.ndarray) -> None:
            self.accumulate_grad(_unbroadcast(g / y, x.shape))
            other.accumulate_grad(_unbroadcast(-g * x / (y * y), y.shape))

        return record(x / y, (self, other), _backward)

    def __neg__(self) -> Tensor:
        return record(-self.data, (self,), lambda g: self.accumulate_grad(-g))

    def __rsub__(self, other: ArrayLike) -> Tensor:
        return _as_tensor(other, self) - self

    def __rtruediv__(self, other: ArrayLike) -> Tensor:
        return _as_tensor(other, self) / self

    def __pow__(self, exponent: ArrayLike) -> Tensor:
        """``x ** y``; the gradients are y x^(y-1) and x^y log(x)."""
        other, x, y = _operands(self, exponent, "pow")
        out = x**y

        def _backward(g: np.ndarray) -> None:
            # each only when needed: the other could warn (0^-1, log of x < 0) for nothing
            if self.requires_grad:
                self.accumulate_grad(_unbroadcast(g * y * x ** (y - 1), x.shape))
            if other.requires_grad:
                other.accumulate_grad(_unbroadcast(g * out * np.log(x), y.shape))

        return record(out, (self, other), _backward)

    def __rpow__(self, base: ArrayLike) -> Tensor:
        return _as_tensor(base, self) ** self

    def __matmul__(self, other: ArrayLike) -> Tensor:
        """Matrix product with NumPy's rules (1-D operands, batches that broadcast).

        The gradients are ``g @ y^T`` and ``x^T @ g``, summed over broadcast batch axes.
        """
        other = _as_tensor(other, self)
        x, y = _promote(self.data, other.data)
        try:
            data = x @ y
        except ValueError:
            raise ValueError(f"matmul: shapes {x.shape} and {y.shape} are not aligned") from None

        def _backward(g: np.ndarray) -> None:
            # a 1-D operand is a row on the left, a column on the right: put those axes back
            x2 = x[None, :] if x.ndim == 1 else x
            y2 = y[:, None] if y.ndim == 1 else y
            g2 = g[..., None] if y.ndim == 1 else g
            g2 = g2[..., None, :] if x.ndim == 1 else g2
            if self.requires_grad:  # checked first: a constant input saves a whole product
                gx = _unbroadcast(g2 @ np.swapaxes(y2, -1, -2), x2.shape)
                self.accumulate_grad(gx.reshape(x.shape))
            if other.requires_grad:
                gy = _unbroadcast(np.swapaxes(x2, -1, -2) @ g2, y2.shape)
                other.accumulate_grad(gy.reshape(y.shape))

        return record(data, (self, other), _backward)

    def __rmatmul__(self, other: ArrayLike) -> Tensor:
        return _as_tensor(other, self) @ self

    # --- reductions ---------------------------------------------------------------------
    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Sum over ``axis`` (all axes when None); every summed element gets the gradient."""
        axes = _axes(axis, self.ndim)

        def _backward(g: np.ndarray) -> None:
            if not keepdims:
                g = np.expand_dims(g, axes)  # the summed axes back, with length 1
            self.accumulate_grad(np.broadcast_to(g, self.shape))

        return record(self.data.sum(axis=axes, keepdims=keepdims), (self,), _backward)

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """The sum divided by the number of elements summed."""
        count = int(np.prod([self.shape[a] for a in _axes(axis, self.ndim)]))
        return self.sum(axis, keepdims) / count

    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Largest element over ``axis``; its gradient goes to the arg-max.

        Ties share it equally, as in ``torch.amax`` (and ``torch.max()`` over all axes);
        ``torch.max(x, dim)`` would give it all to one of them.
        """
        axes = _axes(axis, self.ndim)
        x = self.data
        top = x.max(axis=axes, keepdims=True)

        def _backward(g: np.ndarray) -> None:
            winners = x == top
            if not keepdims:
                g = np.expand_dims(g, axes)
            count = winners.sum(axis=axes, keepdims=True, dtype=g.dtype)
            self.accumulate_grad(winners * g / count)

        return record(top if keepdims else top.squeeze(axes), (self,), _backward)

    def min(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Smallest element over ``axis``: ``-max(-x)``, so the gradient goes to the arg-min."""
        return -(-self).max(axis, keepdims)

    # --- shape --------------------------------------------------------------------------
    def reshape(self, *shape: int | Sequence[int]) -> Tensor:
        """The same elements in a new shape (one entry may be -1); the gradient is reshaped back."""
        new_shape = shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape
        try:
            data = self.data.reshape(new_shape)
        except ValueError:
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {self.shape} "
                f"({self.data.size} elements) into shape {tuple(new_shape)}"
            ) from None
        return record(data, (self,), lambda g: self.accumulate_grad(g.reshape(self.shape)))

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge the axes ``start_dim..end_dim`` into one (all of them by default)."""
        start, end = _axes((start_dim, end_dim), max(self.ndim, 1))  # 0-d: one element
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        merged = int(np.prod(self.shape[start : end + 1]))
        return self.reshape(*self.shape[:start], merged, *self.shape[end + 1 :])

    def transpose(self, *axes: int | Sequence[int]) -> Tensor:
        """Permute the axes (reverse them when none are given), as ``ndarray.transpose``."""
        order = tuple(axes[0]) if len(axes) == 1 and not isinstance(axes[0], int) else axes
        data = self.data.transpose(order or None)
        inverse = np.argsort([a % self.ndim for a in order]) if order else None

        def _backward(g: np.ndarray) -> None:
            self.accumulate_grad(g.transpose(inverse))

        return record(data, (self,), _backward)

    def __getitem__(self, index: Any) -> Tensor:
        """NumPy's basic and integer-array indexing; the gradient goes back to the picked places."""
        index = _plain_index(index)

        def _backward(g: np.ndarray) -> None:
            full = np.zeros(self.shape, dtype=g.dtype)
            np.add.at(full, index, g)  # x[[0, 0]] picks x[0] twice: add, do not overwrite
            self.accumulate_grad(full)

        return record(self.data[index], (self,), _backward)

    # --- elementwise functions -----------------------------------------------------------
    def exp(self) -> Tensor:
        out = np.exp(self.data)
        return record(out, (self,), lambda g: self.accumulate_grad(g * out))

    def log(self) -> Tensor:
        x = self.data
        return record(np.log(x), (self,), lambda g: self.accumulate_grad(g / x))

    def sqrt(self) -> Tensor:
        out = np.sqrt(self.data)
        return record(out, (self,), lambda g: self.accumulate_grad(g / (2 * out)))

    def abs(self) -> Tensor:
        """|x|; its gradient is sign(x), 0 at x = 0 as in torch."""
        x = self.data
        return record(np.abs(x), (self,), lambda g: self.accumulate_grad(g * np.sign(x)))

    def relu(self) -> Tensor:
        """max(x, 0); the gradient passes where x > 0 (not at 0, as in torch)."""
        x = self.data
        return record(np.maximum(x, 0), (self,), lambda g: self.accumulate_grad(g * (x > 0)))

    def sigmoid(self) -> Tensor:
        """1 / (1 + e^-x), computed as (1 + tanh(x/2)) / 2 so that no exp overflows."""
        out = (1 + np.tanh(self.data * 0.5)) * 0.5
        return record(out, (self,), lambda g: self.accumulate_grad(g * out * (1 - out)))

    def tanh(self) -> Tensor:
        """tanh(x); its derivative 1 - tanh(x)^2 reuses the output."""
        out = np.tanh(self.data)
        return record(out, (self,), lambda g: self.accumulate_grad(g * (1 - out * out)))

    # --- plain attributes -----------------------------------------------------------------
    shape = property(lambda self: self.data.shape)
    ndim = property(lambda self: self.data.ndim)
    dtype = property(lambda self: self.data.dtype)
    is_leaf = property(lambda self: not self._parents, doc="Not made by a recorded operation.")
    T = property(lambda self: self.transpose(), doc="The axes reversed.")

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        dtype = f", dtype={self.dtype}" if self.dtype != np.float32 else ""
        grad = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({body}{dtype}{grad})"

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied), as ``torch.Tensor.numpy``."""
        return self.data

    def item(self) -> float | int | bool:
        """The single value of a one-element tensor as a Python number."""
        return self.data.item()

    def detach(self) -> Tensor:
        """The same data, cut from the graph: no gradient flows through the result."""
        return Tensor(self.data)


# --- how an operation joins the graph --------------------------------------------------------
_grad_enabled = True  # False inside ``no_grad()``


@contextmanager
def no_grad() -> Iterator[None]:
    """Stop recording operations (evaluation needs no graph); a ``with`` block or a decorator."""
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = previous


def record(
    data: np.ndarray, parents: tuple[Tensor, ...], backward: Callable[[np.ndarray], None]
) -> Tensor:
    """The result of an operation, in the graph if an input needs a gradient (and not no_grad).

    ``backward(g)`` receives d(final)/d(result) and hands each parent its share with
    ``parent.accumulate_grad``. Every operation, here and in ``functional``, ends with it.
    """
    out = Tensor(data)
    if _grad_enabled and any(p.requires_grad for p in parents):
        out.requires_grad, out._parents, out._backward = True, parents, backward
    return out


# --- helpers ---------------------------------------------------------------------------------
def _as_array(data: ArrayLike, dtype: Any = None) -> np.ndarray:
    """``data`` as an array of numbers; arrays keep their dtype, Python floats become float32."""
    if isinstance(data, Tensor):
        data = data.data
    try:
        array = np.asarray(data, dtype=dtype)
    except ValueError as error:  # a ragged list, such as [[1, 2], [3]]
        raise ValueError(f"a Tensor needs a rectangular nested list: {error}") from None
    if array.dtype.kind not in "buif":
        raise TypeError(
            f"a Tensor holds numbers (bool, int or float), got {type(data).__name__} "
            f"of NumPy dtype {array.dtype}"
        )
    python_numbers = dtype is None and not isinstance(data, np.ndarray | np.generic)
    if python_numbers and array.dtype == np.float64:
        array = array.astype(np.float32)  # torch.tensor(0.5) is float32 too
    return array


def _as_tensor(value: ArrayLike, like: Tensor) -> Tensor:
    """A constant as a tensor, so that it can meet ``like`` in an operation.

    A Python (or NumPy) number adapts to ``like``, as in torch: it takes like's dtype,
    unless it is of a higher kind (2.5 meeting an int tensor), which gives float32.
    """
    if isinstance(value, Tensor):
        return value
    kind = _KIND.get(np.asarray(value).dtype.kind) if np.isscalar(value) else None
    if kind is None:  # an array, a list, or no number at all
        return Tensor(value)
    default = np.float32 if kind == _KIND["f"] else np.int64
    return Tensor(np.asarray(value, like.dtype if kind <= _KIND[like.dtype.kind] else default))


_KIND = {"b": 0, "u": 1, "i": 1, "f": 2}  # bool < int < float


def _promote(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both arrays in the dtype torch computes in (see the module's docstring)."""
    if _KIND[x.dtype.kind] != _KIND[y.dtype.kind]:
        dtype = x.dtype if _KIND[x.dtype.kind] > _KIND[y.dtype.kind] else y.dtype
    elif (x.ndim == 0) != (y.ndim == 0):  # a 0-d operand does not widen the other
        dtype = y.dtype if x.ndim == 0 else x.dtype
    else:
        dtype = np.result_type(x, y)
    return x.astype(dtype, copy=False), y.astype(dtype, copy=False)


def _operands(a: Tensor, b: ArrayLike, op: str) -> tuple[Tensor, np.ndarray, np.ndarray]:
    """``b`` as a tensor, and both arrays in one dtype, checked to broadcast together."""
    b = _as_tensor(b, a)
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast") from None
    return (b, *_promote(a.data, b.data))


def _unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``g`` over the axes broadcasting added (on the left) or stretched (from 1).

    An input used at many positions receives the sum of the gradients of all of them.
    """
    if g.shape == shape:
        return g
    added = g.ndim - len(shape)
    stretched = [added + i for i, n in enumerate(shape) if n == 1 and g.shape[added + i] != 1]
    return g.sum(axis=(*range(added), *stretched)).reshape(shape)


def _axes(axis: Axis, ndim: int) -> tuple[int, ...]:
    """``axis`` as a tuple of non-negative axes, refused (as torch does) when out of range."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int | np.integer) else tuple(axis)
    n = max(ndim, 1)  # a 0-d tensor accepts 0 and -1, as in torch
    for a in axes:
        if not -n <= a < n:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {a})"
            )
    return tuple(int(a) % n for a in axes) if ndim else ()


def _plain_index(index: Any) -> Any:
    """An index for NumPy: the tensors inside it replaced by their arrays."""
    if isinstance(index, tuple):
        return tuple(_plain_index(i) for i in index)
    return index.data if isinstance(index, Tensor) else index
