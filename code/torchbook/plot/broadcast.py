"""A picture of broadcasting: which elements are real and which are virtual copies.

Broadcasting never copies memory, so printing the result of ``a + b`` hides what happened.
Drawing each operand at the result's shape, with its real elements solid and the
elements that broadcasting only *pretends* to have hatched, makes the three rules visible.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from torchbook.plot.style import COLORS, figure

#: Inches per drawn cell; grids of up to about 8 columns fit a page at this size.
_CELL = 0.42
#: Width of the narrow panels holding "+" and "=", in cells.
_OPERATOR_WIDTH = 0.9
#: Widest the drawn grids may get, in inches, before cells shrink.
_MAX_WIDTH = 8.6
#: Above this many cells a grid is drawn without index labels, which would not fit.
_MAX_LABELLED_CELLS = 64
_RESULT_COLOR = COLORS[2]
_OPERAND_COLORS = (COLORS[0], COLORS[1], COLORS[3], COLORS[4], COLORS[5])


def _checked_shapes(shapes: tuple[tuple[int, ...], ...]) -> tuple[int, ...]:
    """Validate the operands' shapes and return the shape they broadcast to."""
    if len(shapes) < 2:
        raise ValueError(f"broadcasting needs at least two shapes, got {len(shapes)}: {shapes}")
    for shape in shapes:
        if not isinstance(shape, tuple) or not all(
            isinstance(n, int) and not isinstance(n, bool) for n in shape
        ):
            raise ValueError(f"each shape must be a tuple of ints, got {shape!r}")
        if len(shape) > 2:
            raise ValueError(
                f"can only draw shapes of rank 0, 1 or 2, got {shape} (rank {len(shape)}) "
                f"among shapes {', '.join(map(str, shapes))}"
            )
        if any(n < 1 for n in shape):
            raise ValueError(f"every axis needs length at least 1 to be drawn, got {shape}")
    try:
        result = torch.broadcast_shapes(*shapes)
    except RuntimeError as error:
        raise ValueError(
            f"shapes {', '.join(map(str, shapes))} do not broadcast: read from the right, "
            f"each pair of axis lengths must be equal or contain a 1 ({error})"
        ) from error
    return tuple(result)


def _as_grid(shape: tuple[int, ...]) -> tuple[int, int]:
    """Rows and columns of ``shape`` once 1s are prepended to make it rank 2 (rule 1)."""
    padded = (1,) * (2 - len(shape)) + shape
    return padded[0], padded[1]


def _shape_text(shape: tuple[int, ...]) -> str:
    return "()" if not shape else str(shape)


def _draw_grid(
    ax: Axes,
    shape: tuple[int, ...],
    result_rows: int,
    result_cols: int,
    color: str,
    *,
    is_result: bool,
) -> None:
    """Draw one tensor at the result's size: real cells solid, stretched cells hatched.

    Each cell is labelled with the index of the element it holds in the *original* tensor,
    so a stretched cell shows which real element it repeats.
    """
    rows, cols = _as_grid(shape)
    labelled = result_rows * result_cols <= _MAX_LABELLED_CELLS
    fontsize = 9 if max(result_rows, result_cols) < 10 else 7
    for i in range(result_rows):
        for j in range(result_cols):
            source = (i if rows > 1 else 0, j if cols > 1 else 0)
            real = is_result or source == (i, j)
            ax.add_patch(
                Rectangle(
                    (j, i),
                    1,
                    1,
                    facecolor=color,
                    alpha=1.0 if real else 0.22,
                    edgecolor="white" if real else color,
                    hatch=None if real else "///",
                    linewidth=1.5 if real else 0.8,
                )
            )
            if not labelled or (not shape and not is_result):
                continue
            index = source[2 - len(shape) :] if not is_result else (i, j)[2 - len(shape) :]
            ax.text(
                j + 0.5,
                i + 0.5,
                ",".join(map(str, index)),
                ha="center",
                va="center",
                fontsize=fontsize,
                color="white" if real else "#222222",
            )
    ax.set_xlim(-0.05, result_cols + 0.05)
    ax.set_ylim(result_rows + 0.05, -0.05)  # row 0 at the top, as a tensor prints
    ax.set_aspect("equal")
    ax.axis("off")


def _title(name: str, shape: tuple[int, ...], result: tuple[int, ...]) -> str:
    """An operand's title: its shape, then what rules 1 and 3 make of it, if anything."""
    title = f"{name}: {_shape_text(shape)}"
    if len(shape) < len(result):  # rule 1: pad the shape with 1s on the left
        padded = (1,) * (len(result) - len(shape)) + shape
        title += f"\nread as {_shape_text(padded)}"
    if _as_grid(shape) != _as_grid(result):  # rule 3: stretch the axes of length 1
        title += f"\nstretched to {_shape_text(result)}"
    return title


def broadcast_diagram(
    *shapes: tuple[int, ...],
    names: Sequence[str] | None = None,
    op: str = "+",
) -> Figure:
    """Draw how tensors of ``shapes`` are stretched to one common shape before ``op``.

    Each operand appears at the result's size: its real elements solid, the elements that
    broadcasting repeats without copying hatched and faded, each cell labelled with the
    index of the element it reads. Shapes of rank 0, 1 or 2 are drawn; a shape of higher
    rank, or shapes that do not broadcast, raise ``ValueError`` naming the shapes.

    The figure has one panel per operand, one for the result, and one narrow panel for
    each operator sign between them: ``2 * len(shapes) + 1`` axes in all.
    """
    # torch.Size is a tuple too, but it would print as "torch.Size([2, 3])" in titles
    shapes = tuple(tuple(s) if isinstance(s, torch.Size) else s for s in shapes)
    result = _checked_shapes(shapes)
    if names is None:
        names = [chr(ord("a") + k) for k in range(len(shapes))]
    names = list(names)
    if len(names) != len(shapes):
        raise ValueError(f"got {len(shapes)} shapes but {len(names)} names: {names}")

    result_rows, result_cols = _as_grid(result)
    titles = [_title(name, shape, result) for shape, name in zip(shapes, names, strict=True)]
    title_lines = max(title.count("\n") + 1 for title in titles)
    panels = 2 * len(shapes) + 1
    ratios = [result_cols if k % 2 == 0 else _OPERATOR_WIDTH for k in range(panels)]
    units = (len(shapes) + 1) * result_cols + _OPERATOR_WIDTH * len(shapes)
    cell = min(_CELL, _MAX_WIDTH / units)  # big grids shrink to fit the page
    height = cell * result_rows + 0.19 * title_lines + 0.5  # titles above, legend below
    fig, axes = figure(
        1, panels, size=(cell * units + 0.4, height), width_ratios=ratios, squeeze=False
    )
    axes = list(axes[0])

    for k, (shape, title) in enumerate(zip(shapes, titles, strict=True)):
        color = _OPERAND_COLORS[k % len(_OPERAND_COLORS)]
        _draw_grid(axes[2 * k], shape, result_rows, result_cols, color, is_result=False)
        axes[2 * k].set_title(title, fontsize=10)
        sign = axes[2 * k + 1]
        sign.axis("off")
        sign.set_xlim(0, 1)
        sign.set_ylim(0, 1)
        symbol = op if k < len(shapes) - 1 else "="
        sign.text(0.5, 0.5, symbol, ha="center", va="center", fontsize=18)

    _draw_grid(axes[-1], result, result_rows, result_cols, _RESULT_COLOR, is_result=True)
    axes[-1].set_title(f"result: {_shape_text(result)}", fontsize=10)
    fig.legend(
        handles=[
            Patch(facecolor="#777777", edgecolor="white", label="real element"),
            Patch(
                facecolor="#777777",
                alpha=0.25,
                edgecolor="#555555",
                hatch="///",
                label="virtual copy (no memory)",
            ),
        ],
        loc="outside lower center",
        ncols=2,
        fontsize=9,
    )
    return fig
