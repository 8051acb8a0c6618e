"""A scalar reverse-mode autograd engine, in the spirit of Karpathy's micrograd.

Each operation returns a new :class:`Value` that remembers its inputs and a small
function that pushes the output's gradient back to them (the local chain rule).
:meth:`Value.backward` orders the graph topologically and calls those functions from the
output back to the leaves: that is all backpropagation is.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from numbers import Real
from typing import TypeAlias

Number: TypeAlias = int | float


def _is_number(x: object) -> bool:
    return isinstance(x, Real) and not isinstance(x, bool)


class Value:
    """One scalar in a computation graph: its value ``data`` and, after backward, ``grad``.

    ``grad`` is d(output)/d(self) for the output ``backward`` was called on. Gradients add
    up when a value is used more than once, exactly as the multivariate chain rule says.
    """

    __slots__ = ("_backward", "_parents", "data", "grad", "label", "op")

    def __init__(
        self,
        data: Number,
        _parents: Iterable[Value] = (),
        op: str = "",
        label: str = "",
    ) -> None:
        if not _is_number(data):
            raise TypeError(f"Value holds a real number, got {type(data).__name__}: {data!r}")
        self.data = float(data)
        self.grad = 0.0
        self._parents: tuple[Value, ...] = tuple(_parents)
        self._backward: Callable[[], None] = lambda: None
        self.op = op
        self.label = label

    @property
    def parents(self) -> tuple[Value, ...]:
        """The values this one was computed from (empty for a leaf)."""
        return self._parents

    def __repr__(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.4g}, grad={self.grad:.4g})"

    @staticmethod
    def _wrap(other: Value | Number) -> Value:
        if isinstance(other, Value):
            return other
        if _is_number(other):
            return Value(other)
        raise TypeError(f"cannot combine a Value with {type(other).__name__}: {other!r}")

    # --- binary operations -------------------------------------------------------------
    def __add__(self, other: Value | Number) -> Value:
        other = self._wrap(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward() -> None:
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Value | Number) -> Value:
        other = self._wrap(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, exponent: Number) -> Value:
        if isinstance(exponent, Value) or not _is_number(exponent):
            raise TypeError(
                f"Value ** exponent needs a plain number exponent, got {type(exponent).__name__}"
            )
        exponent = float(exponent)
        out = Value(self.data**exponent, (self,), f"**{exponent:g}")

        def _backward() -> None:
            self.grad += exponent * self.data ** (exponent - 1) * out.grad

        out._backward = _backward
        return out

    def __neg__(self) -> Value:
        return self * -1

    def __sub__(self, other: Value | Number) -> Value:
        return self + (-self._wrap(other))

    def __truediv__(self, other: Value | Number) -> Value:
        return self * self._wrap(other) ** -1

    def __radd__(self, other: Number) -> Value:
        return self + other

    def __rmul__(self, other: Number) -> Value:
        return self * other

    def __rsub__(self, other: Number) -> Value:
        return self._wrap(other) - self

    def __rtruediv__(self, other: Number) -> Value:
        return self._wrap(other) / self

    # --- functions of one value ----------------------------------------------------------
    def _unary(self, value: float, local_slope: float, op: str) -> Value:
        """A one-input node whose derivative at this point is ``local_slope``."""
        out = Value(value, (self,), op)

        def _backward() -> None:
            self.grad += local_slope * out.grad

        out._backward = _backward
        return out

    def relu(self) -> Value:
        return self._unary(max(self.data, 0.0), 1.0 if self.data > 0 else 0.0, "relu")

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        return self._unary(t, 1.0 - t * t, "tanh")  # d tanh = 1 - tanh², not 1 - tanh

    def sigmoid(self) -> Value:
        s = 0.5 * (1.0 + math.tanh(0.5 * self.data))  # stable for large |x|
        return self._unary(s, s * (1.0 - s), "sigmoid")

    def exp(self) -> Value:
        e = math.exp(self.data)
        return self._unary(e, e, "exp")

    def log(self) -> Value:
        if self.data <= 0:
            raise ValueError(f"log is defined for positive numbers, got {self.data}")
        return self._unary(math.log(self.data), 1.0 / self.data, "log")

    # --- backpropagation ------------------------------------------------------------------
    def topological_order(self) -> list[Value]:
        """Every value this one depends on, each listed after all of its inputs."""
        order: list[Value] = []
        seen: set[int] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:  # iterative depth-first search: deep graphs do not hit recursion limits
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((parent, False) for parent in node._parents if id(parent) not in seen)
        return order

    def backward(self) -> None:
        """Fill ``grad`` of every value in the graph with d(self)/d(value).

        Like torch, leaves (values not computed from others) accumulate gradients across
        calls: call :meth:`zero_grad` between two backward passes. Intermediate values are
        reset first, so a second pass does not push the first pass's gradients again.
        """
        order = self.topological_order()
        for node in order:
            if node._parents:
                node.grad = 0.0
        self.grad += 1.0
        for node in reversed(order):
            node._backward()

    def local_derivatives(self) -> dict[Value, float]:
        """d(self)/d(input) for each input of the operation that made this value, at its data.

        The numbers come from the engine itself, for the drawings of derivative graphs in
        ``torchbook.graph``: this node's ``_backward`` runs once with an arriving gradient of
        1, and what reaches each input is its local derivative. An input used twice by the
        operation (``x * x``) appears once, with the sum of both uses (``2 * x``). Every
        ``grad`` is restored afterwards; a leaf gives ``{}``.
        """
        inputs = list(dict.fromkeys(self._parents))
        saved = [(v, v.grad) for v in (self, *inputs)]
        try:
            for v in inputs:
                v.grad = 0.0
            self.grad = 1.0
            self._backward()
            return {v: v.grad for v in inputs}
        finally:
            for v, grad in saved:
                v.grad = grad

    def zero_grad(self) -> None:
        """Reset ``grad`` to zero on this value and everything it depends on."""
        for node in self.topological_order():
            node.grad = 0.0
