"""Plots of functions of one variable, with derivatives computed by autograd: one function,
or a grid of them (the activation functions side by side)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from torchbook.plot.style import COLORS, axes_or_new, figure


def function_and_derivative(
    f: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor | None = None,
    *,
    name: str = "f",
    ax: Axes | None = None,
) -> Axes:
    """Draw ``f`` and its derivative on one axes; the derivative comes from autograd.

    Computing f' with ``torch.autograd`` rather than by hand means the picture shows what
    PyTorch itself believes the slope to be.
    """
    if x is None:
        x = torch.linspace(-4.0, 4.0, 401)
    if x.ndim != 1:
        raise ValueError(f"expected a 1-D tensor of x values, got shape {tuple(x.shape)}")
    x = x.detach().to(torch.float64).clone().requires_grad_(True)
    y = f(x)
    if y.shape != x.shape:
        raise ValueError(
            f"f must work element-wise: x has shape {tuple(x.shape)}, f(x) has {tuple(y.shape)}"
        )
    (slope,) = torch.autograd.grad(y.sum(), x)
    ax = axes_or_new(ax)
    xs = x.detach().numpy()
    ax.plot(xs, y.detach().numpy(), color=COLORS[0], label=f"${name}(x)$")
    ax.plot(xs, slope.numpy(), color=COLORS[1], linestyle="--", label=f"${name}'(x)$")
    ax.axhline(0.0, color="#888888", linewidth=0.8)
    ax.set_xlabel("$x$")
    ax.set_title(f"${name}$ and its derivative")
    ax.legend()
    return ax


def activation_grid(
    functions: Mapping[str, Callable[[torch.Tensor], torch.Tensor]],
    *,
    x: torch.Tensor | None = None,
    ncols: int = 3,
) -> Figure:
    """One panel per activation function: the curve and its autograd derivative."""
    if not functions:
        raise ValueError("activation_grid needs at least one function")
    ncols = min(ncols, len(functions))
    nrows = -(-len(functions) // ncols)
    fig, axes = figure(nrows, ncols, size=(3.0 * ncols, 2.5 * nrows), squeeze=False)
    for ax, (name, f) in zip(axes.flat, functions.items()):  # noqa: B905
        label = r"\mathrm{" + re.sub(r"(?<!\\) ", r"\\ ", name) + "}"  # spaces survive math
        function_and_derivative(f, x, name=label, ax=ax)
        ax.set_title(name)
        ax.legend(fontsize=8)
    for ax in axes.flat[len(functions) :]:
        ax.axis("off")
    return fig
