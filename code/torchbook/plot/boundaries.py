"""What a classifier decides across the plane: its decision regions, with the data on top."""

from __future__ import annotations

from collections.abc import Callable

import torch
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap

from torchbook.plot.style import COLORS, axes_or_new


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
    ax = axes_or_new(ax, size=(4.0, 4.0))
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
