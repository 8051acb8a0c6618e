"""Gradient descent on a function of one variable, drawn step by step."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from matplotlib.axes import Axes

from torchbook.plot.style import COLORS, _axes


def _value_and_slope(f: Callable[[torch.Tensor], torch.Tensor], x: float) -> tuple[float, float]:
    point = torch.tensor(float(x), dtype=torch.float64, requires_grad=True)
    y = f(point)
    (slope,) = torch.autograd.grad(y, point)
    return float(y.detach()), float(slope)


def descent_steps(
    f: Callable[[torch.Tensor], torch.Tensor],
    steps: Sequence[float],
    *,
    x_range: tuple[float, float] | None = None,
    tangents: bool = True,
    tangent_halfwidth: float = 0.6,
    ax: Axes | None = None,
    title: str | None = None,
    legend: bool = True,
) -> Axes:
    """Draw ``f``, the points ``steps`` gradient descent visited, and the tangent at each.

    Slopes come from autograd, so the tangents show the very gradients descent used. Each
    tangent is a segment of the same length (``2 * tangent_halfwidth`` in x where the
    slope is zero, shorter in x where it is steep). The view widens to include every step,
    which makes a diverging run visible as such.
    """
    if len(steps) == 0:
        raise ValueError("descent_steps needs at least one visited point")
    xs = [float(s) for s in steps]
    if x_range is None:
        reach = max(abs(min(xs)), abs(max(xs)), 1.0) * 1.15
        x_range = (-reach, reach)
    low, high = min(x_range[0], *xs), max(x_range[1], *xs)
    grid = torch.linspace(low, high, 400, dtype=torch.float64)
    ax = _axes(ax)
    ax.plot(grid.numpy(), f(grid).detach().numpy(), color=COLORS[0], label="$f(x)$")
    values = [_value_and_slope(f, x) for x in xs]
    ax.plot(xs, [v for v, _ in values], "o", color=COLORS[3], markersize=5, label="steps", zorder=3)
    for (x0, (y0, _)), (x1, (y1, _)) in zip(zip(xs, values), zip(xs[1:], values[1:])):  # noqa: B905
        ax.annotate(
            "",
            xy=(x1, y1),
            xytext=(x0, y0),
            arrowprops={"arrowstyle": "->", "color": COLORS[3], "lw": 1.0},
        )
    if tangents:
        for index, (x, (y, slope)) in enumerate(zip(xs, values, strict=True)):
            half = tangent_halfwidth / (1.0 + slope * slope) ** 0.5  # same length for all
            dx = torch.tensor([-half, half], dtype=torch.float64).numpy()
            ax.plot(
                x + dx,
                y + slope * dx,
                color=COLORS[1],
                linewidth=1.2,
                label="tangent" if index == 0 else None,
            )
    ax.set_xlabel("$x$")
    ax.set_ylabel("$f(x)$")
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(loc="upper center")
    return ax
