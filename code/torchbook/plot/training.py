"""Pictures of training: loss curves, and a model's predictions next to the data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from torchbook.plot.style import COLORS, axes_or_new, figure

ArrayLike = torch.Tensor | np.ndarray | Sequence[float]


def _numpy(values: ArrayLike) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().numpy()
    return np.asarray(values, dtype=float)


def loss_curves(
    curves: Mapping[str, ArrayLike],
    *,
    xlabel: str = "epoch",
    ylabel: str = "loss",
    log: bool = False,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """One line per named curve (``{"train": [...], "valid": [...]}``) on shared axes."""
    if not curves:
        raise ValueError("loss_curves needs at least one named curve")
    ax = axes_or_new(ax)
    for name, values in curves.items():
        ys = _numpy(values)
        if ys.ndim != 1 or ys.size == 0:
            raise ValueError(f"curve {name!r} must be non-empty and 1-D, got shape {ys.shape}")
        ax.plot(np.arange(1, ys.size + 1), ys, label=name)
    if log:
        ax.set_yscale("log")
    # Points are counted (epoch 1, 2, ...): an axis tick at 2.5 would name no point.
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if len(curves) > 1:
        ax.legend()
    return ax


def prediction_panels(
    x: ArrayLike,
    y: ArrayLike,
    predictions: Sequence[tuple[str, ArrayLike]],
    *,
    ncols: int = 4,
    xlabel: str = "$x$",
    ylabel: str = "$y$",
) -> Figure:
    """Small multiples: the data in every panel, each panel with one set of predictions.

    Shows how a fit improves over training steps: ``predictions`` is a list of
    (panel title, predicted y at ``x``).
    """
    xs, ys = _numpy(x), _numpy(y)
    if xs.shape != ys.shape or xs.ndim != 1:
        raise ValueError(f"x and y must be 1-D of one length, got {xs.shape} and {ys.shape}")
    if not predictions:
        raise ValueError("prediction_panels needs at least one set of predictions")
    ncols = max(1, min(ncols, len(predictions)))
    nrows = -(-len(predictions) // ncols)
    fig, axes = figure(nrows, ncols, size=(2.4 * ncols, 2.2 * nrows), sharey=True, squeeze=False)
    order = np.argsort(xs)
    for ax, (name, predicted) in zip(axes.flat, predictions):  # noqa: B905
        pred = _numpy(predicted)
        if pred.shape != xs.shape:
            raise ValueError(f"predictions {name!r} have shape {pred.shape}, x has {xs.shape}")
        ax.scatter(xs, ys, s=10, color=COLORS[0], label="data")
        ax.plot(xs[order], pred[order], color=COLORS[3], label="model")
        ax.set_title(name)
        ax.set_xlabel(xlabel)
    for ax in axes.flat[len(predictions) :]:
        ax.axis("off")
    axes[0, 0].set_ylabel(ylabel)
    axes[0, 0].legend(loc="best", fontsize=8)
    return fig
