"""Alt text for the book's figures, written from what the figure itself says.

A reader who cannot see a figure (a screen reader, a failed image load) gets its ``alt``
text, and myst-nb would give it the image's file name. The figures already carry their
own words (a title, axis labels, a legend), so :func:`describe` reads them off the figure,
and :func:`attach_to_png_output` makes the Jupyter kernel send that description with
every PNG it draws (:mod:`torchbook.plot.alt_renderer` puts it on the page).
"""

from __future__ import annotations

import re
from typing import Any

from matplotlib.figure import Figure

MAX_CHARS = 400


def _plain(text: str) -> str:
    """Label text without TeX markup: ``$\\sigma(x)$`` reads as ``sigma(x)``."""
    text = re.sub(r"\\(?:mathrm|mathbf|operatorname|text)\{([^}]*)\}", r"\1", text)
    text = text.replace("$", "").replace("\\", "").replace("{", "").replace("}", "")
    return " ".join(text.split())


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


def describe(fig: Figure) -> str:
    """One line naming a figure's title, panels, axes and legend entries."""
    suptitle = getattr(fig, "_suptitle", None)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    titles = _unique([_plain(ax.get_title()) for ax in axes])
    x_labels = _unique([_plain(ax.get_xlabel()) for ax in axes])
    y_labels = _unique([_plain(ax.get_ylabel()) for ax in axes])
    legend = _unique(
        [
            _plain(text.get_text())
            for ax in axes
            if ax.get_legend()
            for text in ax.get_legend().texts
        ]
    )
    panels = len(axes)
    parts = [f"Figure with {panels} panel{'s' if panels != 1 else ''}"]
    if suptitle is not None and suptitle.get_text():
        parts[0] += f": {_plain(suptitle.get_text())}"
    if titles:
        parts.append(("titled " if panels == 1 else "panels titled ") + "; ".join(titles))
    if x_labels:
        parts.append("horizontal axis " + "; ".join(x_labels))
    if y_labels:
        parts.append("vertical axis " + "; ".join(y_labels))
    if legend:
        parts.append("legend " + "; ".join(legend))
    text = ". ".join(parts) + "."
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1].rstrip() + "…"


def attach_to_png_output(shell: Any) -> None:
    """Wrap the kernel's PNG formatter for figures so that it also sends ``alt`` metadata.

    The PNG bytes are the formatter's own, unchanged; only the metadata gains a key.
    """
    formatter = shell.display_formatter.formatters["image/png"]
    try:
        render = formatter.lookup_by_type(Figure)
    except KeyError:  # no PNG output registered for figures: nothing to describe
        return
    if getattr(render, "_torchbook_alt", False):
        return

    def render_with_alt(fig: Figure) -> Any:
        result = render(fig)
        if result is None:
            return None
        data, metadata = result if isinstance(result, tuple) else (result, {})
        return data, {**(metadata or {}), "alt": describe(fig)}

    render_with_alt._torchbook_alt = True  # type: ignore[attr-defined]
    formatter.for_type(Figure, render_with_alt)
