"""Layers for the NumPy framework, with torch.nn's names, shapes, defaults and initialisation.

A :class:`Module` finds its parameters by looking through its own attributes, so a model
is plain Python: assign layers and parameters in ``__init__`` and write ``forward``.
Weight shapes and initial distributions are torch's, so that a torch model's weights can
be copied in and the two frameworks compared number for number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from torchbook.scratch import functional as F
from torchbook.scratch.tensor import Tensor

__all__ = [
    "ELU",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv2d",
    "CrossEntropyLoss",
    "Flatten",
    "LeakyReLU",
    "Linear",
    "MSELoss",
    "MaxPool2d",
    "MinPool2d",
    "Module",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "l1_penalty",
    "l2_penalty",
]


class Parameter(Tensor):
    """A tensor that is a model's learnable state: it always requires a gradient."""

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True) -> None:
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


def _uniform(
    bound: float, shape: tuple[int, ...], dtype: Any, rng: np.random.Generator | None
) -> np.ndarray:
    """U(-bound, bound) from ``rng``, or from NumPy's global generator (seeded by tb.seed)."""
    values = rng.uniform(-bound, bound, shape) if rng else np.random.uniform(-bound, bound, shape)
    return values.astype(dtype)


def _size(layer: str, name: str, value: Any) -> int:
    """``value`` if it is an int >= 1, else an error naming the layer and the argument."""
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{layer}: {name} must be an int >= 1, got {value!r}")
    return int(value)


class Module:
    """Base class of every layer and model: parameters, train/eval mode and ``__call__``."""

    training: bool = True

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define forward")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Sub-modules held directly in attributes (or in lists/tuples of them)."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value
            elif isinstance(value, list | tuple):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield f"{name}.{i}", item

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def modules(self) -> Iterator[Module]:
        """This module and every module inside it, depth first."""
        yield self
        for child in self.children():
            yield from child.modules()

    def _own_parameters(self) -> Iterator[tuple[str, Parameter]]:
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield name, value
            elif isinstance(value, list | tuple):
                for i, item in enumerate(value):
                    if isinstance(item, Parameter):
                        yield f"{name}.{i}", item

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs, as torch names them; a shared one appears once."""
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            path, module = stack.pop(0)
            for name, p in module._own_parameters():
                if id(p) not in seen:
                    seen.add(id(p))
                    yield f"{path}{name}", p
            stack[:0] = [(f"{path}{name}.", child) for name, child in module.named_children()]

    def parameters(self) -> Iterator[Parameter]:
        """Every learnable parameter, for an optimizer: ``optim.Adam(model.parameters())``."""
        for _, p in self.named_parameters():
            yield p

    def train(self, mode: bool = True) -> Module:
        """Switch this module and its sub-modules to training mode (or evaluation mode)."""
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Evaluation mode: batch norm uses its running statistics. Returns ``self``."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Forget the parameters' gradients (set them to None, as torch's default)."""
        for p in self.parameters():
            p.grad = None

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        children = list(self.named_children())
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"  ({name}): " + repr(m).replace("\n", "\n  ") for name, m in children]
        return f"{type(self).__name__}(\n" + "\n".join(lines) + "\n)"


class Sequential(Module):
    """Apply modules one after another; parameters are named ``0.weight``, ``1.bias``..."""

    def __init__(self, *modules: Module) -> None:
        for m in modules:
            if not isinstance(m, Module):
                raise TypeError(f"Sequential takes Modules, got {type(m).__name__}")
        self.layers = list(modules)

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for i, m in enumerate(self.layers):
            yield str(i), m

    def forward(self, x: Any) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def __getitem__(self, index: int) -> Module:
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self.layers)


class Linear(Module):
    """``y = x W^T + b`` with W of shape (out_features, in_features), as torch.

    Initialised as torch does: W and b uniform in +-1/sqrt(in_features), which keeps the
    output's scale roughly independent of the layer's width.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        dtype: Any = np.float32,
        rng: np.random.Generator | None = None,
    ) -> None:
        self.in_features = _size("Linear", "in_features", in_features)
        self.out_features = _size("Linear", "out_features", out_features)
        bound = 1 / math.sqrt(in_features)
        self.weight = Parameter(_uniform(bound, (out_features, in_features), dtype, rng))
        self.bias = Parameter(_uniform(bound, (out_features,), dtype, rng)) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Conv2d(Module):
    """2-D convolution with weight (out, in, k, k), torch's initialisation and arguments."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: F.Pair,
        stride: F.Pair = 1,
        padding: F.Pair = 0,
        bias: bool = True,
        dtype: Any = np.float32,
        rng: np.random.Generator | None = None,
    ) -> None:
        self.in_channels = _size("Conv2d", "in_channels", in_channels)
        self.out_channels = _size("Conv2d", "out_channels", out_channels)
        self.kernel_size = F.as_pair(kernel_size, "Conv2d: kernel_size", 1)
        self.stride = F.as_pair(stride, "Conv2d: stride", 1)
        self.padding = F.as_pair(padding, "Conv2d: padding", 0)
        kh, kw = self.kernel_size
        bound = 1 / math.sqrt(in_channels * kh * kw)
        self.weight = Parameter(_uniform(bound, (out_channels, in_channels, kh, kw), dtype, rng))
        self.bias = Parameter(_uniform(bound, (out_channels,), dtype, rng)) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}"
        )


class MaxPool2d(Module):
    """Largest value in each window; only that arg-max receives the window's gradient."""

    def __init__(self, kernel_size: F.Pair, stride: F.Pair | None = None) -> None:
        self.kernel_size, self.stride = kernel_size, stride

    def forward(self, x: Tensor) -> Tensor:
        return F.max_pool2d(x, self.kernel_size, self.stride)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride or self.kernel_size}"


class MinPool2d(MaxPool2d):
    """Smallest value in each window (not in torch, where it is ``-max_pool2d(-x)``)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.min_pool2d(x, self.kernel_size, self.stride)


class _BatchNorm(Module):
    _ndims: tuple[int, ...] = ()
    _layout = ""

    def __init__(
        self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, dtype: Any = np.float32
    ) -> None:
        self.num_features = _size(type(self).__name__, "num_features", num_features)
        self.eps, self.momentum = eps, momentum
        self.weight = Parameter(np.ones(num_features, dtype=dtype))
        self.bias = Parameter(np.zeros(num_features, dtype=dtype))
        self.running_mean = np.zeros(num_features, dtype=dtype)
        self.running_var = np.ones(num_features, dtype=dtype)

    def forward(self, x: Tensor) -> Tensor:
        name = type(self).__name__
        if x.ndim not in self._ndims:
            raise ValueError(f"{name}: expected a {self._layout} input, got shape {x.shape}")
        if x.shape[1] != self.num_features:
            raise ValueError(
                f"{name}: input of shape {x.shape} has {x.shape[1]} channels, "
                f"expected {self.num_features}"
            )
        return F.batch_norm(
            x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training,
            self.momentum,
            self.eps,
        )

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs, per feature C."""

    _ndims = (2, 3)
    _layout = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs, per channel C."""

    _ndims = (4,)
    _layout = "(N, C, H, W)"


class Flatten(Module):
    """Merge all axes from ``start_dim`` on (by default everything but the batch axis)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        return F.flatten(x, self.start_dim, self.end_dim)


class ReLU(Module):
    """max(x, 0): cheap, and its gradient does not vanish for positive inputs."""

    def forward(self, x: Tensor) -> Tensor:
        return x.relu()


class Sigmoid(Module):
    """1 / (1 + e^-x), squashing into (0, 1); computed without overflow for large |x|."""

    def forward(self, x: Tensor) -> Tensor:
        return x.sigmoid()


class Tanh(Module):
    """tanh(x), squashing into (-1, 1) around zero: a zero-centred sigmoid."""

    def forward(self, x: Tensor) -> Tensor:
        return x.tanh()


class LeakyReLU(Module):
    """ReLU with a small slope for negative inputs, so that no unit stops learning entirely."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """x for x > 0, alpha (e^x - 1) below: smooth at zero, with outputs averaging nearer 0."""

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def forward(self, x: Tensor) -> Tensor:
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class CrossEntropyLoss(Module):
    """Softmax cross-entropy of logits against class indices, averaged over the batch."""

    def __init__(self, reduction: str = "mean") -> None:
        self.reduction = reduction

    def forward(self, logits: Tensor, target: Any) -> Tensor:
        return F.cross_entropy(logits, target, self.reduction)


class MSELoss(Module):
    """Mean squared error between a prediction and a target of the same shape."""

    def __init__(self, reduction: str = "mean") -> None:
        self.reduction = reduction

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.mse_loss(input, target, self.reduction)


def l1_penalty(params: Iterable[Tensor]) -> Tensor:
    """sum |w| over every parameter: add ``lam * l1_penalty(...)`` to a loss for sparsity."""
    terms = [p.abs().sum() for p in params]
    return sum(terms[1:], terms[0]) if terms else Tensor(0.0)


def l2_penalty(params: Iterable[Tensor]) -> Tensor:
    """sum w^2 over every parameter: add ``lam * l2_penalty(...)`` to a loss for weight decay."""
    terms = [(p * p).sum() for p in params]
    return sum(terms[1:], terms[0]) if terms else Tensor(0.0)
