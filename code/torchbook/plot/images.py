"""Images as readers should see them: a grid of digits, or one tensor as numbers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from torchbook.plot.style import axes_or_new, figure


def _as_2d_image(image: torch.Tensor | np.ndarray, what: str = "image") -> np.ndarray:
    """A single-channel image as a 2-D array; accepts (H, W) or (1, H, W)."""
    array = image.detach().cpu().numpy() if isinstance(image, torch.Tensor) else np.asarray(image)
    if array.ndim == 3 and array.shape[0] == 1:
        array = array[0]
    if array.ndim != 2:
        raise ValueError(f"expected {what} of shape (H, W) or (1, H, W), got {array.shape}")
    return array


def heatmap(
    image: torch.Tensor | np.ndarray,
    *,
    annotate: bool = True,
    fmt: str = "{:.0f}",
    cmap: str = "Greys",
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Show a 2-D tensor as a grid of shaded cells, each printed with its value.

    This is how a network sees a picture: a table of numbers whose size is the brightness.
    """
    values = _as_2d_image(image)
    height, width = values.shape
    size = (min(9.0, 0.32 * width + 1.0), min(9.0, 0.32 * height + 0.6))
    ax = axes_or_new(ax, size=size)
    low, high = float(values.min()), float(values.max())
    ax.imshow(values, cmap=cmap, vmin=low, vmax=high if high > low else low + 1)
    ax.grid(False)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    if annotate:
        middle = (low + high) / 2
        fontsize = max(4.0, min(9.0, 180.0 / max(height, width)))
        for row in range(height):
            for col in range(width):
                value = values[row, col]
                dark_cell = (value > middle) == cmap.startswith("Greys")
                ax.text(
                    col,
                    row,
                    fmt.format(value),
                    ha="center",
                    va="center",
                    fontsize=fontsize,
                    color="white" if dark_cell else "black",
                )
    if title:
        ax.set_title(title)
    return ax


def image_grid(
    images: torch.Tensor | np.ndarray | Sequence[torch.Tensor],
    labels: Sequence[object] | None = None,
    *,
    ncols: int = 8,
    cmap: str = "Greys",
    title: str | None = None,
) -> Figure:
    """Show a batch of single-channel images in a grid, each titled with its label."""
    if isinstance(images, (torch.Tensor, np.ndarray)):
        if images.ndim not in (3, 4):
            raise ValueError(
                f"expected a batch of shape (N, H, W) or (N, 1, H, W), got {tuple(images.shape)}"
            )
        batch = [images[i] for i in range(images.shape[0])]
    else:
        batch = list(images)
    if not batch:
        raise ValueError("image_grid needs at least one image")
    if labels is not None and len(labels) != len(batch):
        raise ValueError(f"got {len(batch)} images but {len(labels)} labels")
    if ncols < 1:
        raise ValueError(f"ncols must be at least 1, got {ncols}")
    ncols = min(ncols, len(batch))
    nrows = -(-len(batch) // ncols)
    fig, axes = figure(nrows, ncols, size=(1.1 * ncols, 1.25 * nrows), squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index >= len(batch):
            continue
        ax.imshow(_as_2d_image(batch[index], "each image"), cmap=cmap)
        if labels is not None:
            ax.set_title(str(labels[index]), fontsize=9)
    if title:
        fig.suptitle(title)
    return fig
