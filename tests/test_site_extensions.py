"""The local extensions that shape the published pages, tested as functions:
``lean_images`` (lossless figure recompression), ``unique_scripts`` and
``colab_notebooks`` (the Colab button's address)."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest
from docutils import nodes
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_ext"))

import colab_notebooks
import lean_images
import unique_scripts


def _figure_png() -> bytes:
    """A figure as the chapters make them: opaque RGBA on white."""
    fig, ax = plt.subplots(figsize=(4, 3), dpi=100, facecolor="white")
    x = np.linspace(-3, 3, 200)
    ax.plot(x, np.tanh(x), label="tanh")
    ax.legend()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor="white")
    plt.close(fig)
    return buffer.getvalue()


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


def test_recompression_is_lossless_and_smaller() -> None:
    pytest.importorskip("oxipng")
    original = _figure_png()
    smaller = lean_images.recompress(original)
    assert len(smaller) < len(original)
    np.testing.assert_array_equal(_pixels(smaller), _pixels(original))


def test_images_are_recompressed_once_and_the_cache_pruned(tmp_path: Path) -> None:
    pytest.importorskip("oxipng")
    images = tmp_path / "html" / "_images"
    images.mkdir(parents=True)
    original = _figure_png()
    (images / "a.png").write_bytes(original)
    app = SimpleNamespace(outdir=str(tmp_path / "html"), builder=SimpleNamespace(format="html"))
    cache = tmp_path / ".image_cache"
    (cache / "stale.png").parent.mkdir()
    (cache / "stale.png").write_bytes(b"old")

    lean_images.recompress_images(app, None)
    first = (images / "a.png").read_bytes()
    assert len(first) < len(original) and not (cache / "stale.png").exists()

    lean_images.recompress_images(app, None)  # a no-change rebuild: nothing to do
    assert (images / "a.png").read_bytes() == first
    (images / "a.png").write_bytes(original)  # Sphinx copied the figure again
    lean_images.recompress_images(app, None)
    assert (images / "a.png").read_bytes() == first


class _Script(SimpleNamespace):
    pass


def test_repeated_scripts_are_dropped() -> None:
    body = {"body": "const THEBE_JS_URL = 1"}
    scripts = [
        _Script(filename=None, priority=500, attributes=body),
        _Script(filename="doctools.js", priority=200, attributes={}),
        _Script(filename="", priority=500, attributes=body),
    ]
    context = {"script_files": scripts}
    unique_scripts.drop_repeated_scripts(None, "page", "page.html", context, None)
    assert context["script_files"] == scripts[:2]


def _context(text: str = "Colab") -> dict[str, object]:
    return {
        "github_url": "https://github.com",
        "github_user": "org",
        "github_repo": "repo",
        "header_buttons": [
            {
                "label": "launch-buttons",
                "buttons": [
                    {"text": "Binder", "url": "https://mybinder.org/x"},
                    {"text": text, "url": "https://colab.research.google.com/old.md"},
                ],
            }
        ],
    }


def _app() -> SimpleNamespace:
    config = SimpleNamespace(
        html_theme_options={"launch_buttons": {"colab_url": "https://colab.research.google.com"}},
        torchbook_notebooks_branch="notebooks",
    )
    return SimpleNamespace(config=config)


def _doctree(with_code: bool) -> nodes.document:
    doctree = nodes.document(None, None)
    doctree += nodes.container(nb_element="cell_code" if with_code else "cell_markdown")
    return doctree


def test_colab_button_points_at_the_published_notebook() -> None:
    context = _context()
    colab_notebooks.point_colab_at_notebooks(
        _app(), "book/tensors", "page.html", context, _doctree(True)
    )
    binder, colab = context["header_buttons"][0]["buttons"]
    assert colab["url"] == (
        "https://colab.research.google.com/github/org/repo/blob/notebooks/book/tensors.ipynb"
    )
    assert binder["url"] == "https://mybinder.org/x"


def test_page_without_code_loses_its_colab_button() -> None:
    context = _context()
    colab_notebooks.point_colab_at_notebooks(
        _app(), "book/glossary", "page.html", context, _doctree(False)
    )
    assert [b["text"] for b in context["header_buttons"][0]["buttons"]] == ["Binder"]
