"""A NumPy tensor with reverse-mode autograd: the scalar ``Value`` engine, one array at a time.

Each operation returns a new :class:`Tensor` holding its parents and one closure that maps
the output's gradient to the parents' gradients (the local chain rule for whole arrays).
:meth:`Tensor.backward` orders the graph topologically and runs those closures from the
output back to the leaves. Names and semantics follow PyTorch, so that what a reader
learns here carries over; the arithmetic is NumPy's, so it is fast enough to train on.

Conventions (the same as torch unless said otherwise):

* dtype: an ndarray keeps its dtype; Python floats and lists of floats become float32,
  Python ints stay int64. Python numbers combine with a tensor without changing its
  dtype (NumPy's rules), so a float32 model stays float32.
* Only leaves (tensors created with ``requires_grad=True``, not by an operation) store a
  gradient. Non-leaf gradients are passed along during ``backward`` and then dropped, so
  a second ``backward`` cannot double-count a stale intermediate gradient.
* Leaf gradients accumulate across ``backward`` calls until set to ``None`` (what
  ``optimizer.zero_grad()`` does). Unlike torch, the graph is kept after ``backward``:
  calling it twice is allowed and simply accumulates twice.
* Gradients of broadcast inputs are summed back to the input's shape.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from numbers import Number
from typing import Any, TypeAlias

import numpy as np

ArrayLike: TypeAlias = Any  # Tensor, ndarray, Python number or nested list
Backward: TypeAlias = Callable[[np.ndarray], Sequence[np.ndarray | None]]

_grad_enabled = True


def is_grad_enabled() -> bool:
    """Whether operations currently record a graph (False inside ``no_grad()``)."""
    return _grad_enabled


@contextmanager
def _grad_mode(enabled: bool) -> Iterator[None]:
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, enabled
    try:
        yield
    finally:
        _grad_enabled = previous


class no_grad:  # torch's name, lower case
    """Context manager (or decorator) that stops graph building: evaluation needs no graph.

    Inside it, every result has ``requires_grad=False`` and keeps no reference to its inputs,
    so nothing is remembered for a backward pass that will never come.
    """

    def __init__(self) -> None:
        self._previous: list[bool] = []  # a stack, so one instance may be entered twice

    def __enter__(self) -> None:
        global _grad_enabled
        self._previous.append(_grad_enabled)
        _grad_enabled = False

    def __exit__(self, *exc: object) -> None:
        global _grad_enabled
        _grad_enabled = self._previous.pop()

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _grad_mode(False):
                return function(*args, **kwargs)

        return wrapper


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameter numbers


def keep_freed_memory(trim_threshold: int = 1 << 30, mmap_threshold: int = 32 << 20) -> bool:
    """Let glibc's malloc keep freed memory for reuse instead of returning it to the OS.

    NumPy allocates a fresh array for every intermediate result. By default glibc serves
    large blocks with ``mmap`` and trims freed memory back to the OS, so the next array of
    the same size arrives as new pages, and the first touch of every 4 KiB page faults:
    thousands of page faults per CNN training step, a quarter of its time. Raising both
    thresholds keeps that memory in the process, as PyTorch's own allocator would. It
    changes the whole process (torch included) and costs only resident memory. Returns
    False, changing nothing, where the C library is not glibc (macOS, Windows, musl).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return bool(
        mallopt(_M_TRIM_THRESHOLD, trim_threshold) and mallopt(_M_MMAP_THRESHOLD, mmap_threshold)
    )


def _as_array(data: ArrayLike, dtype: Any = None) -> np.ndarray:
    """An ndarray for ``data``: arrays keep their dtype, Python floats become float32."""
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, np.ndarray):
        return data if dtype is None else data.astype(dtype, copy=False)
    if isinstance(data, np.generic):
        return np.asarray(data, dtype=dtype)
    array = np.asarray(data, dtype=dtype)
    if dtype is None and array.dtype == np.float64:
        array = array.astype(np.float32)
    return array


def _unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched, back to ``shape``.

    An input used at many positions receives the sum of the gradients from all of them.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1
    )
    return grad.sum(axis=axes).reshape(shape) if axes else grad.reshape(shape)


def _result(data: Any, parents: tuple[Tensor, ...], backward: Backward) -> Tensor:
    """Wrap an operation's output; record the graph only if some parent needs a gradient.

    ``backward`` receives the output's gradient and returns one gradient (or None) per
    parent. Building the node bypasses ``__init__``: this is the hot path of every op.
    """
    out = object.__new__(Tensor)
    out.data = data if type(data) is np.ndarray else np.asarray(data)
    out.grad = None
    if _grad_enabled and any(p.requires_grad for p in parents):
        out.requires_grad = True
        out._parents = parents
        out._backward = backward
    else:
        out.requires_grad = False
        out._parents = ()
        out._backward = None
    return out


def _constant(value: Any) -> Any:
    """A non-tensor operand as NumPy will use it: numbers stay 'weak' so dtypes are kept."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Number | np.ndarray):
        return value
    if isinstance(value, list | tuple):
        return _as_array(value)
    raise TypeError(f"unsupported operand type for a Tensor operation: {type(value).__name__}")


def _elementwise(name: str, f: Callable[[Any, Any], Any], a: Any, b: Any) -> Any:
    """Apply ``f`` with NumPy broadcasting, re-raising a shape mismatch with both shapes."""
    try:
        return f(a, b)
    except ValueError:
        raise ValueError(
            f"{name}: shapes {np.shape(a)} and {np.shape(b)} cannot be broadcast together"
        ) from None


def _normalize_axis(axis: int | Sequence[int] | None, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int | np.integer) else tuple(axis)
    return tuple(int(a) % ndim if ndim else 0 for a in axes)


class Tensor:
    """An n-dimensional array that remembers how it was computed, so it can be differentiated.

    ``data`` is a writable NumPy array (optimizers update it in place) and ``grad`` is
    ``None`` or an ndarray of the same shape: d(output)/d(self) after ``backward``.
    """

    __slots__ = ("_backward", "_parents", "data", "grad", "requires_grad")
    __array_ufunc__ = None  # ndarray (op) Tensor defers to Tensor's reflected operators

    def __init__(self, data: ArrayLike, requires_grad: bool = False, dtype: Any = None) -> None:
        self.data: np.ndarray = _as_array(data, dtype)
        if requires_grad and not np.issubdtype(self.data.dtype, np.floating):
            raise TypeError(
                f"only tensors of floating point dtype can require gradients, got {self.dtype}"
            )
        self.grad: np.ndarray | None = None
        self.requires_grad = bool(requires_grad)
        self._parents: tuple[Tensor, ...] = ()
        self._backward: Backward | None = None

    # --- basic attributes ---------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by an operation (they keep ``grad``)."""
        return self._backward is None

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        suffix = ", requires_grad=True" if self.requires_grad else ""
        if self.data.dtype != np.float32:
            suffix = f", dtype={self.data.dtype}" + suffix
        return f"Tensor({body}{suffix})"

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied), as ``torch.Tensor.numpy``."""
        return self.data

    def item(self) -> float | int | bool:
        """The single value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(
                f"only one element tensors can be converted to Python scalars, got shape "
                f"{self.shape}"
            )
        return self.data.item()

    def detach(self) -> Tensor:
        """The same data, cut from the graph: gradients will not flow through the result."""
        return Tensor(self.data)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Turn gradient tracking of this leaf on (or off), in place; returns ``self``."""
        if requires_grad and not np.issubdtype(self.data.dtype, np.floating):
            raise TypeError("only tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    # --- backpropagation ---------------------------------------------------------------
    def _topological_order(self) -> list[Tensor]:
        """Every tensor that needs a gradient, inputs before the results computed from them."""
        order: list[Tensor] = []
        visited: set[int] = set()
        stack: list[tuple[Tensor, bool]] = [(self, False)]
        while stack:  # iterative depth-first search: no recursion limit on deep graphs
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))
            for parent in node._parents:
                if parent.requires_grad and id(parent) not in visited:
                    stack.append((parent, False))
        return order

    def backward(self, grad: ArrayLike | None = None) -> None:
        """Add d(self)/d(leaf) (times ``grad``) to the ``.grad`` of every leaf that needs it.

        ``grad`` is the gradient of some final scalar with respect to ``self``; it may be
        left out only when ``self`` holds a single element (it is then 1), as in torch.
        """
        if not self.requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and has no grad_fn")
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            seed = np.ones_like(self.data)
        else:
            seed = np.array(_as_array(grad), dtype=self.dtype)  # a copy the caller cannot alias
            if seed.shape != self.shape:
                raise ValueError(
                    f"backward: grad has shape {seed.shape} but the tensor has shape {self.shape}"
                )
        grads: dict[int, np.ndarray] = {id(self): seed}
        given: set[int] = set()  # arrays already handed to a leaf: never share one between two
        for node in reversed(self._topological_order()):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if node._backward is None:
                node._accumulate(g, given)
                continue
            for parent, parent_grad in zip(node._parents, node._backward(g), strict=True):
                if parent_grad is None or not parent.requires_grad:
                    continue
                key = id(parent)
                previous = grads.get(key)
                grads[key] = parent_grad if previous is None else previous + parent_grad

    def _accumulate(self, g: np.ndarray, given: set[int]) -> None:
        """Store (or add) a leaf's gradient as a writable array of the leaf's own dtype."""
        g = np.asarray(g)
        if g.dtype != self.data.dtype:
            g = g.astype(self.data.dtype)
        elif not g.flags.writeable or id(g) in given:
            g = g.copy()
        given.add(id(g))
        self.grad = g if self.grad is None else self.grad + g

    # --- arithmetic ---------------------------------------------------------------------
    def __add__(self, other: ArrayLike) -> Tensor:
        if isinstance(other, Tensor):
            a_shape, b_shape = self.shape, other.shape
            data = _elementwise("add", np.add, self.data, other.data)

            def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
                return _unbroadcast(g, a_shape), _unbroadcast(g, b_shape)

            return _result(data, (self, other), backward)
        shape = self.shape
        data = _elementwise("add", np.add, self.data, _constant(other))
        return _result(data, (self,), lambda g: (_unbroadcast(g, shape),))

    __radd__ = __add__

    def __sub__(self, other: ArrayLike) -> Tensor:
        if isinstance(other, Tensor):
            a_shape, b_shape = self.shape, other.shape
            data = _elementwise("sub", np.subtract, self.data, other.data)

            def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
                return _unbroadcast(g, a_shape), _unbroadcast(-g, b_shape)

            return _result(data, (self, other), backward)
        shape = self.shape
        data = _elementwise("sub", np.subtract, self.data, _constant(other))
        return _result(data, (self,), lambda g: (_unbroadcast(g, shape),))

    def __rsub__(self, other: ArrayLike) -> Tensor:
        shape = self.shape
        data = _elementwise("sub", np.subtract, _constant(other), self.data)
        return _result(data, (self,), lambda g: (_unbroadcast(-g, shape),))

    def __neg__(self) -> Tensor:
        return _result(-self.data, (self,), lambda g: (-g,))

    def __mul__(self, other: ArrayLike) -> Tensor:
        a = self.data
        if isinstance(other, Tensor):
            b = other.data
            data = _elementwise("mul", np.multiply, a, b)
            need_a, need_b = self.requires_grad, other.requires_grad

            def backward(g: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
                return (
                    _unbroadcast(g * b, a.shape) if need_a else None,
                    _unbroadcast(g * a, b.shape) if need_b else None,
                )

            return _result(data, (self, other), backward)
        c = _constant(other)
        data = _elementwise("mul", np.multiply, a, c)
        return _result(data, (self,), lambda g: (_unbroadcast(g * c, a.shape),))

    __rmul__ = __mul__

    def __truediv__(self, other: ArrayLike) -> Tensor:
        a = self.data
        if isinstance(other, Tensor):
            b = other.data
            data = _elementwise("div", np.true_divide, a, b)
            need_a, need_b = self.requires_grad, other.requires_grad

            def backward(g: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
                g_over_b = g / b
                return (
                    _unbroadcast(g_over_b, a.shape) if need_a else None,
                    _unbroadcast(-g_over_b * data, b.shape) if need_b else None,
                )

            return _result(data, (self, other), backward)
        c = _constant(other)
        data = _elementwise("div", np.true_divide, a, c)
        return _result(data, (self,), lambda g: (_unbroadcast(g / c, a.shape),))

    def __rtruediv__(self, other: ArrayLike) -> Tensor:
        b = self.data
        data = _elementwise("div", np.true_divide, _constant(other), b)
        return _result(data, (self,), lambda g: (_unbroadcast(-g * data / b, b.shape),))

    def __pow__(self, exponent: float) -> Tensor:
        if isinstance(exponent, np.generic):
            exponent = exponent.item()
        if not isinstance(exponent, Number) or isinstance(exponent, bool):
            raise TypeError(f"Tensor ** supports a number exponent, got {type(exponent).__name__}")
        x = self.data
        if exponent == 2:
            return _result(x * x, (self,), lambda g: (g * (2 * x),))
        data = x**exponent
        return _result(data, (self,), lambda g: (g * (exponent * x ** (exponent - 1)),))

    def __matmul__(self, other: ArrayLike) -> Tensor:
        other = other if isinstance(other, Tensor) else Tensor(_constant(other))
        return matmul(self, other)

    def __rmatmul__(self, other: ArrayLike) -> Tensor:
        return matmul(Tensor(_constant(other)), self)

    # --- reductions ---------------------------------------------------------------------
    def sum(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        """Sum over ``axis`` (all axes when None); every summed element gets the gradient."""
        shape = self.shape
        axes = _normalize_axis(axis, self.ndim)
        data = self.data.sum(axis=axes, keepdims=keepdims)

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            if not keepdims:
                g = np.expand_dims(g, axes)
            return (np.broadcast_to(g, shape),)

        return _result(data, (self,), backward)

    def mean(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        """Average over ``axis``; each element's gradient is the output's divided by the count."""
        shape = self.shape
        axes = _normalize_axis(axis, self.ndim)
        count = int(np.prod([shape[a] for a in axes]))
        data = self.data.mean(axis=axes, keepdims=keepdims)

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            if not keepdims:
                g = np.expand_dims(g, axes)
            return (np.broadcast_to(g / count, shape),)

        return _result(data, (self,), backward)

    def max(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        """Largest element over ``axis``. The gradient goes to the arg-max.

        Ties share the gradient equally, as torch's ``amax`` (and its all-axes ``max()``)
        does; ``torch.max(x, dim)`` would instead give it all to one of them.
        """
        return self._extreme(axis, keepdims, np.max)

    def min(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        """Smallest element over ``axis``; the gradient goes to the arg-min (ties share it)."""
        return self._extreme(axis, keepdims, np.min)

    def _extreme(
        self, axis: int | Sequence[int] | None, keepdims: bool, reduce: Callable[..., Any]
    ) -> Tensor:
        x = self.data
        if x.size == 0:
            raise ValueError(f"{reduce.__name__}: cannot reduce a tensor with no elements")
        axes = _normalize_axis(axis, self.ndim)
        kept = reduce(x, axis=axes, keepdims=True)
        data = (
            kept if keepdims else kept.reshape([n for i, n in enumerate(x.shape) if i not in axes])
        )

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            mask = x == kept
            count = mask.sum(axis=axes, keepdims=True)
            g = g if keepdims else np.expand_dims(g, axes)
            return (mask * (g / count).astype(x.dtype, copy=False),)

        return _result(data, (self,), backward)

    # --- shape --------------------------------------------------------------------------
    def reshape(self, *shape: int | Sequence[int]) -> Tensor:
        """The same elements in a new shape (one entry may be -1); the gradient is reshaped back."""
        new_shape = tuple(shape[0]) if len(shape) == 1 and not isinstance(shape[0], int) else shape
        old_shape = self.shape
        try:
            data = self.data.reshape(new_shape)
        except ValueError:
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {old_shape} "
                f"({self.data.size} elements) into shape {tuple(new_shape)}"
            ) from None
        return _result(data, (self,), lambda g: (g.reshape(old_shape),))

    view = reshape

    def transpose(self, *axes: int | Sequence[int]) -> Tensor:
        """Permute the axes (reverse them when none are given), as ``ndarray.transpose``."""
        order = tuple(axes[0]) if len(axes) == 1 and not isinstance(axes[0], int) else axes
        order = tuple(range(self.ndim))[::-1] if not order else tuple(order)
        if sorted(a % max(self.ndim, 1) for a in order) != list(range(self.ndim)):
            raise ValueError(f"transpose: axes {order} are not a permutation of {self.ndim} axes")
        inverse = tuple(np.argsort([a % self.ndim for a in order]))
        return _result(self.data.transpose(order), (self,), lambda g: (g.transpose(inverse),))

    @property
    def T(self) -> Tensor:
        return self.transpose()

    def __getitem__(self, index: Any) -> Tensor:
        """Basic and integer-array indexing; repeated indices add up their gradients."""
        index = _plain_index(index)
        x = self.data
        data = x[index]
        advanced = _has_integer_array(index)

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            full = np.zeros_like(x)
            if advanced:
                np.add.at(full, index, g)  # an index may repeat: add, do not overwrite
            else:
                full[index] = g
            return (full,)

        return _result(data, (self,), backward)

    # --- elementwise functions -----------------------------------------------------------
    def exp(self) -> Tensor:
        data = np.exp(self.data)
        return _result(data, (self,), lambda g: (g * data,))

    def log(self) -> Tensor:
        x = self.data
        return _result(np.log(x), (self,), lambda g: (g / x,))

    def abs(self) -> Tensor:
        """|x|; the gradient at 0 is 0, as torch's ``sign``-based rule."""
        x = self.data
        return _result(np.abs(x), (self,), lambda g: (g * np.sign(x),))

    def sqrt(self) -> Tensor:
        data = np.sqrt(self.data)
        return _result(data, (self,), lambda g: (g / (2 * data),))

    def relu(self) -> Tensor:
        x = self.data
        data = np.maximum(x, 0)
        return _result(data, (self,), lambda g: (g * (x > 0),))

    def sigmoid(self) -> Tensor:
        """1 / (1 + e^-x), computed as (1 + tanh(x/2)) / 2 so large |x| never overflows."""
        data = np.tanh(self.data * 0.5)
        data += 1
        data *= 0.5
        return _result(data, (self,), lambda g: (g * data * (1 - data),))

    def tanh(self) -> Tensor:
        """tanh(x); its derivative is 1 - tanh(x)^2, reusing the output."""
        data = np.tanh(self.data)
        return _result(data, (self,), lambda g: (g * (1 - data * data),))


def _plain_index(index: Any) -> Any:
    """Replace tensors inside an index by their arrays (and lists by integer arrays)."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, list):
        return np.asarray(index)
    if isinstance(index, tuple):
        return tuple(_plain_index(i) for i in index)
    return index


def _has_integer_array(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, np.ndarray) and i.dtype != np.bool_ for i in parts)


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """Matrix product with NumPy's rules (1-D operands, stacked batches that broadcast).

    The gradients are ``g @ b^T`` and ``a^T @ g``, summed over broadcast batch axes.
    """
    x, y = a.data, b.data
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(
            f"matmul: both operands need at least 1 dimension, got {x.shape} and {y.shape}"
        )
    inner = y.shape[0] if y.ndim == 1 else y.shape[-2]
    if x.shape[-1] != inner:
        raise ValueError(
            f"matmul: shapes {x.shape} and {y.shape} are not aligned: {x.shape[-1]} != {inner}"
        )
    try:
        data = np.matmul(x, y)
    except ValueError:
        raise ValueError(
            f"matmul: batch dimensions of shapes {x.shape} and {y.shape} do not broadcast"
        ) from None
    need_a, need_b = a.requires_grad, b.requires_grad

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        x2 = x[None, :] if x.ndim == 1 else x  # promote 1-D operands as matmul does
        y2 = y[:, None] if y.ndim == 1 else y
        g2 = np.expand_dims(g, -1) if y.ndim == 1 else g  # restore the dropped axes
        if x.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        ga = gb = None
        if need_a:
            ga = _unbroadcast(g2 @ np.swapaxes(y2, -1, -2), x2.shape).reshape(x.shape)
        if need_b:
            if x2.ndim == 2 and g2.ndim == 2:
                gb = (x2.T @ g2).reshape(y.shape)
            else:
                gb = _unbroadcast(np.swapaxes(x2, -1, -2) @ g2, y2.shape).reshape(y.shape)
        return ga, gb

    return _result(data, (a, b), backward)


def tensor(data: ArrayLike, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """Build a tensor, as ``torch.tensor`` (floats become float32 unless ``dtype`` says)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)
