"""Optimizers written as the formulas the optimizers chapter teaches, with torch.optim's names.

``Optimizer.step`` does what every optimizer shares: it adds the weight decay to each
gradient, asks the subclass for the step, and subtracts it from the parameter in place.
A subclass's ``update`` is its textbook formula (Adam's reads m_hat = m / (1 - beta1^t)
...), with running averages that start at zero; only the last line of Adam's is written in
place, for a measured reason given there.

Only arithmetic operators and ``.clip`` touch the arrays, which NumPy arrays and torch
tensors share, so the same class updates the framework's parameters (whose ``.data`` and
``.grad`` are NumPy arrays) and torch's: the tests and chapters compare the two
trajectories step for step with ``torch.optim``, whose defaults and rules these follow.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol


class Parameter(Protocol):
    """Anything an optimizer can update: a value and the gradient of the loss with respect to it."""

    data: Any
    grad: Any


def _check(name: str, value: float, low: float = 0.0) -> None:
    if not value >= low:
        raise ValueError(f"invalid {name}: {value} (must be >= {low})")


class Optimizer:
    """Holds the parameters and each one's state; subclasses define ``update``."""

    def __init__(self, params: Iterable[Parameter], lr: float, weight_decay: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        _check("learning rate", lr)
        _check("weight_decay", weight_decay)
        self.lr, self.weight_decay = lr, weight_decay
        self.state: list[dict[str, Any]] = [{} for _ in self.params]

    def zero_grad(self) -> None:
        """Forget the gradients, as torch does by default (``set_to_none=True``)."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Move every parameter that has a gradient by one step, in place."""
        for p, state in zip(self.params, self.state, strict=True):
            if p.grad is None:
                continue
            g = p.grad
            if self.weight_decay:  # the gradient of (weight_decay / 2) * |w|^2, as in torch
                g = g + self.weight_decay * p.data
            p.data -= self.update(g, state)

    def update(self, g: Any, state: dict[str, Any]) -> Any:
        """The step to subtract, from the gradient ``g`` and this parameter's ``state``."""
        raise NotImplementedError


class SGD(Optimizer):
    """Gradient descent, optionally with momentum (heavy ball or Nesterov's).

    As in torch, the velocity starts as the first gradient itself, not as (1 - dampening)
    times it.
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
        super().__init__(params, lr, weight_decay)
        _check("momentum", momentum)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        self.momentum, self.dampening, self.nesterov = momentum, dampening, nesterov

    def update(self, g: Any, state: dict[str, Any]) -> Any:
        if self.momentum:
            if "velocity" not in state:
                velocity = g * 1  # a copy of the gradient, not the gradient array itself
            else:
                velocity = self.momentum * state["velocity"] + (1 - self.dampening) * g
            state["velocity"] = velocity
            g = g + self.momentum * velocity if self.nesterov else velocity
        return self.lr * g


class Adagrad(Optimizer):
    """Per-coordinate steps that shrink with the sum of all squared gradients so far."""

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        super().__init__(params, lr, weight_decay)
        _check("lr_decay", lr_decay)
        _check("initial_accumulator_value", initial_accumulator_value)
        self.lr_decay, self.initial, self.eps = lr_decay, initial_accumulator_value, eps

    def update(self, g: Any, state: dict[str, Any]) -> Any:
        t = state["t"] = state.get("t", 0) + 1
        s = state["sum"] = state.get("sum", self.initial) + g * g
        lr = self.lr / (1 + (t - 1) * self.lr_decay)
        return lr * g / (s**0.5 + self.eps)


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
        super().__init__(params, lr, weight_decay)
        _check("alpha", alpha)
        _check("momentum", momentum)
        self.alpha, self.eps, self.momentum, self.centered = alpha, eps, momentum, centered

    def update(self, g: Any, state: dict[str, Any]) -> Any:
        a = self.alpha
        mean_square = state["square_avg"] = a * state.get("square_avg", 0) + (1 - a) * g * g
        if self.centered:  # minus the squared mean gradient: a running variance
            mean = state["grad_avg"] = a * state.get("grad_avg", 0) + (1 - a) * g
            mean_square = mean_square - mean * mean
        step = g / (mean_square**0.5 + self.eps)
        if self.momentum:
            step = state["buffer"] = self.momentum * state.get("buffer", 0) + step
        return self.lr * step


class Adam(Optimizer):
    """Adam (Kingma & Ba): momentum on the gradient and on its square, both bias-corrected.

    Both averages start at zero, so for small t they are too small by a factor of
    1 - beta^t; dividing by it is the bias correction. Without it the first step would be
    too *large*: m shrinks by 1 - beta1 but sqrt(v) by sqrt(1 - beta2), so at the default
    betas the step is 0.1 / sqrt(0.001), about 3.16 times the learning rate.
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
        super().__init__(params, lr, weight_decay)
        for index, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"invalid beta at index {index}: {beta} (must be in [0, 1))")
        self.beta1, self.beta2 = betas
        self.eps, self.amsgrad = eps, amsgrad

    def update(self, g: Any, state: dict[str, Any]) -> Any:
        b1, b2 = self.beta1, self.beta2
        t = state["t"] = state.get("t", 0) + 1
        m = state["m"] = b1 * state.get("m", 0) + (1 - b1) * g
        v = state["v"] = b2 * state.get("v", 0) + (1 - b2) * g * g
        if self.amsgrad:  # the largest v so far (elementwise), so steps never grow back
            v = state["v_max"] = v.clip(min=state.get("v_max", 0))
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        # The step, lr * m_hat / (sqrt(v_hat) + eps), computed in place in m_hat and v_hat:
        # measured, the three new arrays of the one-line version cost a large layer page
        # faults that made the MLP's training step 1.7x slower (bench/scratch_speed.py).
        v_hat **= 0.5
        v_hat += self.eps
        m_hat /= v_hat
        m_hat *= self.lr
        return m_hat
