"""The house style: sizes, fonts, a colour-blind-safe palette, retina PNG output.

Figures have an opaque white background so that they stay readable when the reader
switches the site to its dark theme. PNG at twice the pixel density keeps pages light
(dense SVG plots grow to megabytes) and sharp on high-resolution screens.
"""

from __future__ import annotations

from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from torchbook.plot.alt_text import attach_to_png_output

#: Okabe & Ito's palette, distinguishable with every common colour-vision deficiency.
COLORS: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # green
    "#D55E00",  # vermilion
    "#CC79A7",  # purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)

STYLE: dict[str, Any] = {
    "figure.figsize": (6.0, 3.6),
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "figure.constrained_layout.use": True,
    "savefig.facecolor": "white",
    "savefig.bbox": "tight",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.facecolor": "white",
    "axes.edgecolor": "#333333",
    "axes.grid": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=list(COLORS)),
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "lines.linewidth": 2.0,
    "image.cmap": "viridis",
    "svg.hashsalt": "torchbook",  # stable ids, so SVG output is byte-identical across builds
}

_applied = False


def use_style() -> None:
    """Apply the house style to matplotlib and ask Jupyter for retina PNGs with alt text.

    Called by every helper before it draws, so chapters never need to call it; calling
    it again is harmless.
    """
    global _applied
    if _applied:
        return
    mpl.rcParams.update(STYLE)
    try:  # only inside an IPython kernel; a plain script keeps matplotlib's default output
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        shell = get_ipython()
        if shell is not None:
            set_matplotlib_formats("retina")
            attach_to_png_output(shell)  # after the line above, which replaces the formatter
    except ImportError:
        pass
    _applied = True


def figure(
    nrows: int = 1,
    ncols: int = 1,
    *,
    size: tuple[float, float] | None = None,
    **kwargs: Any,
) -> tuple[Figure, Any]:
    """A figure and its axes in the house style, like ``plt.subplots``.

    ``size`` is (width, height) in inches; by default each panel gets a sensible share of
    the page width.
    """
    if nrows < 1 or ncols < 1:
        raise ValueError(f"need at least one row and one column of panels, got {nrows}x{ncols}")
    use_style()
    if size is None:
        width = min(9.0, 3.2 * ncols) if ncols > 1 else 6.0
        size = (width, 3.0 * nrows if nrows > 1 else 3.6)
    fig, axes = plt.subplots(nrows, ncols, figsize=size, **kwargs)
    return fig, axes


def axes_or_new(ax: Axes | None, size: tuple[float, float] | None = None) -> Axes:
    """The axes a helper draws on: the caller's ``ax``, or a new single-panel figure.

    Every helper with an ``ax=None`` argument starts here, so that it can fill one panel
    of a caller's figure or make its own (``size`` in inches), in the house style either
    way: a chapter's own plotting function taking ``ax`` can do the same.
    """
    if ax is not None:
        use_style()
        return ax
    _, new_ax = figure(size=size)
    return new_ax
