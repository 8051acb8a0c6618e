"""torchbook.plot.alt_text: figures describe themselves for readers who cannot see them."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib.pyplot as plt
from IPython.core.formatters import DisplayFormatter

import torchbook as tb
from torchbook.plot.alt_text import MAX_CHARS, attach_to_png_output, describe


def test_a_figure_is_described_by_its_titles_labels_and_legend() -> None:
    fig, axes = plt.subplots(1, 2)
    axes[0].plot([0, 1], label=r"$\sigma(x)$")
    axes[0].plot([1, 0], label="derivative")
    axes[0].legend()
    axes[0].set(title="sigmoid", xlabel="$x$", ylabel="value")
    axes[1].set(title=r"$\mathrm{ReLU}$", xlabel="$x$")
    text = describe(fig)
    plt.close(fig)
    assert text == (
        "Figure with 2 panels. panels titled sigmoid; ReLU. horizontal axis x. "
        "vertical axis value. legend sigma(x); derivative."
    )


def test_a_long_description_is_cut_with_an_ellipsis() -> None:
    fig, axes = plt.subplots(10, 10)
    for i, ax in enumerate(axes.flat):
        ax.set_title(f"digit number {i}")
    text = describe(fig)
    plt.close(fig)
    assert len(text) == MAX_CHARS and text.endswith("…")


def test_the_png_formatter_sends_alt_with_unchanged_bytes() -> None:
    formatter = DisplayFormatter()
    formatter.formatters["image/png"].for_type(
        plt.Figure, lambda fig: (b"png-bytes", {"width": 10})
    )
    shell = SimpleNamespace(display_formatter=formatter)
    attach_to_png_output(shell)
    attach_to_png_output(shell)  # a second call does not wrap twice
    fig, ax = tb.plot.figure()
    ax.set_title("loss")
    data, metadata = formatter.format(fig, include={"image/png"})
    plt.close(fig)
    assert data["image/png"] == b"png-bytes"
    assert metadata["image/png"] == {"width": 10, "alt": "Figure with 1 panel. titled loss."}


def test_without_a_png_formatter_nothing_is_registered() -> None:
    formatter = DisplayFormatter()
    formatter.formatters["image/png"].type_printers.clear()
    attach_to_png_output(SimpleNamespace(display_formatter=formatter))
    assert not formatter.formatters["image/png"].type_printers


def test_the_renderer_gives_an_image_its_figures_alt_unless_it_has_one(monkeypatch) -> None:
    """myst-nb's renderer draws the image; ours adds the kernel's ``alt`` where none is set."""
    from docutils import nodes
    from myst_nb.core.render import NbElementRenderer

    from torchbook.plot.alt_renderer import AltTextRenderer

    def drawn(self, data) -> list:
        return [nodes.image(uri="a.png"), nodes.image(uri="b.png", alt="the cell's own"),
                nodes.paragraph(text="not an image")]  # fmt: skip

    monkeypatch.setattr(NbElementRenderer, "render_image", drawn)
    renderer = object.__new__(AltTextRenderer)
    png = {"image/png": {"alt": "Line plot: loss by epoch", "width": 300}}
    data = SimpleNamespace(mime_type="image/png", output_metadata=png)
    first, second, third = renderer.render_image(data)
    assert first["alt"] == "Line plot: loss by epoch"
    assert second["alt"] == "the cell's own" and "alt" not in third.attributes
    for metadata in ({}, {"image/png": None}, {"image/png": {"alt": ""}}):
        data = SimpleNamespace(mime_type="image/png", output_metadata=metadata)
        assert not renderer.render_image(data)[0].get("alt")
