"""Gradient descent drawn: its steps on a curve of one variable, and optimizers' paths over a
loss surface of two."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import torch
from matplotlib.axes import Axes

from torchbook.plot.style import COLORS, axes_or_new


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
    ax = axes_or_new(ax)
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


def trajectories(
    f: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    paths: Mapping[str, Sequence[Sequence[float]] | torch.Tensor | np.ndarray],
    *,
    x_range: tuple[float, float] = (-2.0, 2.0),
    y_range: tuple[float, float] = (-2.0, 2.0),
    levels: int = 30,
    log_levels: bool = True,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Contours of a loss surface ``f(x, y)`` with one optimizer path per name drawn over it."""
    if not paths:
        raise ValueError("trajectories needs at least one named path")
    gx, gy = torch.meshgrid(
        torch.linspace(*x_range, 300, dtype=torch.float64),
        torch.linspace(*y_range, 300, dtype=torch.float64),
        indexing="xy",
    )
    z = f(gx, gy).detach().numpy()
    ax = axes_or_new(ax, size=(6.0, 5.0))
    if log_levels:
        shifted = z - z.min() + 1e-3
        ax.contour(
            gx.numpy(),
            gy.numpy(),
            shifted,
            levels=np.geomspace(shifted.min(), shifted.max(), levels),
            colors="#bbbbbb",
            linewidths=0.7,
        )
    else:
        ax.contour(gx.numpy(), gy.numpy(), z, levels=levels, colors="#bbbbbb", linewidths=0.7)
    for (name, path), colour in zip(paths.items(), COLORS * 2):  # noqa: B905
        xy = np.asarray(
            path.detach().cpu() if isinstance(path, torch.Tensor) else path, dtype=float
        )
        if xy.ndim != 2 or xy.shape[1] != 2:
            raise ValueError(f"path {name!r} must have shape (steps, 2), got {xy.shape}")
        ax.plot(xy[:, 0], xy[:, 1], "-", color=colour, linewidth=1.4, label=name)
        ax.plot(xy[-1, 0], xy[-1, 1], "o", color=colour, markersize=4)
    ax.plot(xy[0, 0], xy[0, 1], "k*", markersize=9, label="start")
    ax.set_xlim(*x_range)
    ax.set_ylim(*y_range)
    ax.grid(False)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.legend(fontsize=8, loc="upper right")
    if title:
        ax.set_title(title)
    return ax
