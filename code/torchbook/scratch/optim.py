"""Optimizers written out by hand, with ``torch.optim``'s names, defaults and update rules.

Each works on any parameter that has ``.data`` and ``.grad`` (a torch tensor, or a
parameter of the book's NumPy framework, whose ``.data`` and ``.grad`` are NumPy arrays),
because the updates use only arithmetic both libraries share. Following torch's rules to
the letter (where weight decay enters, how the first momentum step is taken, Adam's bias
correction) is what lets the tests demand the very same trajectory as ``torch.optim``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

import numpy as np
import torch


class Parameter(Protocol):
    """Anything an optimizer can update: a value and the gradient of the loss with respect to it."""

    data: Any
    grad: Any


def _zeros_like(x: Any) -> Any:
    return torch.zeros_like(x) if isinstance(x, torch.Tensor) else np.zeros_like(x)


def _sqrt(x: Any) -> Any:
    return x.sqrt() if isinstance(x, torch.Tensor) else np.sqrt(x)


def _maximum(a: Any, b: Any) -> Any:
    return torch.maximum(a, b) if isinstance(a, torch.Tensor) else np.maximum(a, b)


def _data(p: Parameter) -> Any:
    """The raw values of ``p``, outside any autograd graph."""
    return p.data.detach() if isinstance(p.data, torch.Tensor) else p.data


def _grad(p: Parameter) -> Any:
    return p.grad.detach() if isinstance(p.grad, torch.Tensor) else p.grad


def _check(name: str, value: float, low: float = 0.0) -> None:
    if not value >= low:
        raise ValueError(f"invalid {name}: {value} (must be >= {low})")


class Optimizer:
    """Holds the parameters and their per-parameter state; subclasses define one update."""

    def __init__(self, params: Iterable[Parameter], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        _check("learning rate", lr)
        self.lr = lr
        self.state: list[dict[str, Any]] = [{} for _ in self.params]

    def zero_grad(self) -> None:
        """Forget the gradients, as torch does by default (``set_to_none=True``)."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Update every parameter that has a gradient, in place."""
        for p, state in zip(self.params, self.state, strict=True):
            if p.grad is None:
                continue
            update = self._update(_data(p), _grad(p), state)
            _data(p)[...] -= update

    def _update(self, data: Any, grad: Any, state: dict[str, Any]) -> Any:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum, Nesterov momentum and weight decay.

    With momentum the first step uses the gradient itself as the velocity, as torch does.
    """

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        _check("momentum", momentum)
        _check("weight_decay", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        self.momentum, self.dampening = momentum, dampening
        self.weight_decay, self.nesterov = weight_decay, nesterov

    def _update(self, data: Any, grad: Any, state: dict[str, Any]) -> Any:
        if self.weight_decay:
            grad = grad + self.weight_decay * data
        if self.momentum:
            if "velocity" not in state:
                state["velocity"] = grad * 1.0  # a copy: the first velocity is the gradient
            else:
                state["velocity"] = self.momentum * state["velocity"] + (1 - self.dampening) * grad
            velocity = state["velocity"]
            grad = grad + self.momentum * velocity if self.nesterov else velocity
        return self.lr * grad


class Adagrad(Optimizer):
    """Per-coordinate steps shrinking with the sum of all squared gradients so far."""

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        super().__init__(params, lr)
        _check("lr_decay", lr_decay)
        _check("weight_decay", weight_decay)
        _check("initial_accumulator_value", initial_accumulator_value)
        self.lr_decay, self.weight_decay = lr_decay, weight_decay
        self.initial, self.eps = initial_accumulator_value, eps

    def _update(self, data: Any, grad: Any, state: dict[str, Any]) -> Any:
        if "sum" not in state:
            state["step"], state["sum"] = 0, _zeros_like(data) + self.initial
        state["step"] += 1
        if self.weight_decay:
            grad = grad + self.weight_decay * data
        lr = self.lr / (1 + (state["step"] - 1) * self.lr_decay)
        state["sum"] = state["sum"] + grad * grad
        return lr * grad / (_sqrt(state["sum"]) + self.eps)


class RMSprop(Optimizer):
    """Steps divided by a running root-mean-square of recent gradients (Tieleman & Hinton)."""

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        super().__init__(params, lr)
        _check("alpha", alpha)
        _check("momentum", momentum)
        _check("weight_decay", weight_decay)
        self.alpha, self.eps, self.weight_decay = alpha, eps, weight_decay
        self.momentum, self.centered = momentum, centered

    def _update(self, data: Any, grad: Any, state: dict[str, Any]) -> Any:
        if "square_avg" not in state:
            state["square_avg"] = _zeros_like(data)
            if self.centered:
                state["grad_avg"] = _zeros_like(data)
            if self.momentum:
                state["buffer"] = _zeros_like(data)
        if self.weight_decay:
            grad = grad + self.weight_decay * data
        a = self.alpha
        state["square_avg"] = a * state["square_avg"] + (1 - a) * grad * grad
        mean_square = state["square_avg"]
        if self.centered:  # subtract the squared mean: a running variance
            state["grad_avg"] = a * state["grad_avg"] + (1 - a) * grad
            mean_square = mean_square - state["grad_avg"] * state["grad_avg"]
        step = grad / (_sqrt(mean_square) + self.eps)
        if self.momentum:
            state["buffer"] = self.momentum * state["buffer"] + step
            step = state["buffer"]
        return self.lr * step


class Adam(Optimizer):
    """Adam (Kingma & Ba): momentum on the gradient and on its square, both bias-corrected.

    The bias correction matters early on: both running averages start at zero, so without
    dividing by ``1 - beta**t`` the first steps would be far too small.
    """

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr)
        for index, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"invalid beta at index {index}: {beta} (must be in [0, 1))")
        _check("weight_decay", weight_decay)
        self.beta1, self.beta2 = betas
        self.eps, self.weight_decay, self.amsgrad = eps, weight_decay, amsgrad

    def _update(self, data: Any, grad: Any, state: dict[str, Any]) -> Any:
        if "m" not in state:
            state["step"], state["m"], state["v"] = 0, _zeros_like(data), _zeros_like(data)
            if self.amsgrad:
                state["v_max"] = _zeros_like(data)
        state["step"] += 1
        t = state["step"]
        if self.weight_decay:
            grad = grad + self.weight_decay * data
        m, v = state["m"], state["v"]  # updated in place: no new arrays in the hot path
        m *= self.beta1
        m += (1 - self.beta1) * grad
        v *= self.beta2
        v += (1 - self.beta2) * (grad * grad)
        if self.amsgrad:
            state["v_max"] = v = _maximum(state["v_max"], v)
        # lr * m_hat / (sqrt(v_hat) + eps), with m_hat = m / (1 - beta1**t), v_hat likewise
        denom = _sqrt(v)
        denom *= 1 / (1 - self.beta2**t) ** 0.5
        denom += self.eps
        update = m / denom
        update *= self.lr / (1 - self.beta1**t)
        return update
