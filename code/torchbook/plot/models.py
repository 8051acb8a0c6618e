"""Pictures of what models do: activation functions, decision boundaries, optimizer paths."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from torchbook.plot.functions import function_and_derivative
from torchbook.plot.style import COLORS, _axes, figure


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


def decision_boundary(
    model: Callable[[torch.Tensor], torch.Tensor],
    points: torch.Tensor,
    labels: torch.Tensor,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    resolution: int = 200,
) -> Axes:
    """Shade the plane by the class ``model`` predicts and scatter the labelled points.

    ``model`` maps an (N, 2) tensor to logits: one column (positive means class 1) or one
    column per class. It is evaluated on the CPU or wherever its parameters live.
    """
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"expected points of shape (N, 2), got {tuple(points.shape)}")
    if labels.shape != (points.shape[0],):
        raise ValueError(f"expected one label per point, got {tuple(labels.shape)}")
    xy = points.detach().cpu()
    low, high = xy.min(0).values - 0.5, xy.max(0).values + 0.5
    gx, gy = torch.meshgrid(
        torch.linspace(low[0], high[0], resolution),
        torch.linspace(low[1], high[1], resolution),
        indexing="xy",
    )
    grid = torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)
    parameter = next(iter(getattr(model, "parameters", lambda: iter(()))()), None)
    if parameter is not None:
        grid = grid.to(device=parameter.device, dtype=parameter.dtype)
    with torch.no_grad():
        logits = model(grid).cpu()
    predicted = (
        logits.argmax(1) if logits.ndim == 2 and logits.shape[1] > 1 else logits.reshape(-1) > 0
    )
    ax = _axes(ax, size=(4.0, 4.0))
    classes = ListedColormap(["#cfe3f3", "#fde3c0"])
    ax.contourf(
        gx.numpy(),
        gy.numpy(),
        predicted.reshape(gx.shape).float().numpy(),
        levels=[-0.5, 0.5, 1.5],
        cmap=classes,
    )
    for value, colour in ((0, COLORS[0]), (1, COLORS[1])):
        chosen = labels.cpu() == value
        ax.scatter(
            xy[chosen, 0],
            xy[chosen, 1],
            s=9,
            color=colour,
            edgecolor="white",
            linewidth=0.3,
            label=f"class {value}",
        )
    ax.set_aspect("equal")
    ax.grid(False)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
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
    ax = _axes(ax, size=(6.0, 5.0))
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
