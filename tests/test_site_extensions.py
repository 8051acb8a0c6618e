"""What shapes the published pages, tested as functions or on tiny builds: ``lean_images``
(lossless figure recompression), ``unique_scripts`` (each script once), ``local_mathjax``
(the part of MathJax the pages load), ``colab_notebooks`` (the Colab button's address) and
torchbook's myst-nb renderer (figure alt text)."""

from __future__ import annotations

import base64
import importlib.util
import io
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
import yaml
from docutils import nodes
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_ext"))

import colab_notebooks
import lean_images
import local_mathjax
import unique_scripts

REPO = Path(__file__).resolve().parents[1]


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


def _sphinx_build(root: Path, extensions: list[str], text: str) -> str:
    """Build a one-page Sphinx project in ``root`` (in a subprocess) with ``extensions``,
    ``_ext/`` and a script added the way sphinx-thebe adds its inline one; return the page."""
    source = root / "source"
    source.mkdir()
    (source / "inline_script.py").write_text(
        textwrap.dedent(
            """
            def add(app, env, docnames):
                app.add_js_file(None, body="const ONCE = 1")  # as sphinx-thebe does


            def setup(app):
                app.connect("env-before-read-docs", add)
                return {"parallel_read_safe": True}
            """
        )
    )
    (source / "conf.py").write_text(
        f"import sys\nsys.path[:0] = [{str(source)!r}, {str(REPO / '_ext')!r}]\n"
        f"extensions = {['inline_script', *extensions]!r}\n"
    )
    (source / "index.rst").write_text(f"Title\n=====\n\n{text}\n")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-W", "-b", "html", str(source), str(root / "html")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return (root / "html" / "index.html").read_text()


def test_sphinx_still_writes_an_inline_script_twice(tmp_path: Path) -> None:
    """The upstream bug ``unique_scripts`` works around (Sphinx #13402, fixed in 8.2.2)."""
    page = _sphinx_build(tmp_path, [], "text")
    assert page.count("const ONCE = 1") == 2, (
        "Sphinx now writes an inline script once (#13402 fixed): delete "
        "_ext/unique_scripts.py, its _config.yml entry and the tests of it"
    )


def test_unique_scripts_writes_each_script_once(tmp_path: Path) -> None:
    page = _sphinx_build(tmp_path, ["unique_scripts"], "text")
    assert page.count("const ONCE = 1") == 1


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


def _mathjax_package() -> Path:
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    assert spec is not None and spec.origin is not None, "sphinx-mathjax-offline is missing"
    return Path(spec.origin).parent / "static" / "mathjax"


def test_what_mathjax_keeps_is_in_the_package() -> None:
    package = _mathjax_package()
    missing = [name for name in local_mathjax.KEEP if not (package / name).exists()]
    assert not missing, f"sphinx-mathjax-offline no longer has {missing}: update KEEP"


def test_unused_lists_what_keep_leaves_out(tmp_path: Path) -> None:
    for name in ("tex-chtml.js", "tex-svg.js", "output/chtml/fonts/a.woff", "output/svg.js"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    (tmp_path / "sre" / "mathmaps").mkdir(parents=True)
    for name in ("base.json", "de.json", "en.json"):
        (tmp_path / "sre" / "mathmaps" / name).write_text("{}")
    unused = [path.relative_to(tmp_path).as_posix() for path in local_mathjax.unused(tmp_path)]
    assert unused == ["output/svg.js", "sre/mathmaps/de.json", "tex-svg.js"]


def test_the_site_gets_only_the_mathjax_it_loads(tmp_path: Path) -> None:
    page = _sphinx_build(tmp_path, ["local_mathjax"], ":math:`a^2`")
    assert 'src="_static/mathjax/tex-chtml.js"' in page
    published = tmp_path / "html" / "_static" / "mathjax"
    assert sorted(path.name for path in published.iterdir()) == sorted(
        {name.split("/")[0] for name in local_mathjax.KEEP}
    )
    size = sum(path.stat().st_size for path in published.rglob("*") if path.is_file())
    full = sum(path.stat().st_size for path in _mathjax_package().rglob("*") if path.is_file())
    assert size < full / 4, (size, full)  # the saving the extension's docstring states


def _notebook_with_figures() -> str:
    """Two figures' outputs as the kernel sends them (``alt`` in the output's metadata);
    the second cell sets its own alt text."""
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2)).save(buffer, "PNG")
    output = nbformat.v4.new_output(
        "display_data",
        data={"image/png": base64.b64encode(buffer.getvalue()).decode()},
        metadata={"image/png": {"alt": "Figure with 1 panel. titled loss."}},
    )
    notebook = nbformat.v4.new_notebook()
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3"}
    notebook.cells = [
        nbformat.v4.new_code_cell("plot()", outputs=[output]),
        nbformat.v4.new_code_cell(
            "plot()", outputs=[output], metadata={"mystnb": {"image": {"alt": "own words"}}}
        ),
    ]
    return nbformat.writes(notebook)


def _alt_texts(plugin: str, tmp_path: Path) -> list[str | None]:
    from docutils.core import publish_doctree
    from myst_nb.docutils_ import Parser

    settings = {
        "nb_render_plugin": plugin,
        "nb_execution_mode": "off",
        "nb_output_folder": str(tmp_path / plugin),
    }
    doctree = publish_doctree(
        _notebook_with_figures(),
        source_path="figures.ipynb",
        parser=Parser(),
        settings_overrides=settings,
    )
    return [image.get("alt") for image in doctree.findall(nodes.image)]


def test_the_book_renders_with_torchbook_s_renderer() -> None:
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    assert config["sphinx"]["config"]["nb_render_plugin"] == "torchbook"
    from myst_nb.core.render import load_renderer

    from torchbook.plot.alt_renderer import AltTextRenderer

    assert load_renderer("torchbook") is AltTextRenderer, "pip install -e code: entry point"


def test_a_figure_s_description_becomes_its_alt_text(tmp_path: Path) -> None:
    assert _alt_texts("default", tmp_path) == [None, "own words"]  # myst-nb alone
    assert _alt_texts("torchbook", tmp_path) == ["Figure with 1 panel. titled loss.", "own words"]


def test_importing_torchbook_does_not_import_myst_nb() -> None:
    code = "import sys, torchbook; print('myst_nb' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stdout + result.stderr


def _context(text: str = "Colab") -> dict[str, object]:
    return {
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


def _app(repository: str = "https://github.com/org/repo") -> SimpleNamespace:
    config = SimpleNamespace(
        html_theme_options={
            "repository_url": repository,
            "launch_buttons": {"colab_url": "https://colab.research.google.com"},
        },
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


@pytest.mark.parametrize(
    ("url", "parts"),
    [
        ("https://github.com/org/repo", ("org", "repo")),
        ("https://github.com/org/repo/", ("org", "repo")),
        ("https://github.com/org/repo.git", ("org", "repo")),
        ("https://gitlab.com/org/repo", None),
        ("https://github.com/org", None),
        ("", None),
    ],
)
def test_github_repository_reads_org_and_repo(url: str, parts: tuple[str, str] | None) -> None:
    assert colab_notebooks.github_repository(url) == parts


def test_a_repository_not_on_github_gets_no_colab_button() -> None:
    context = _context()
    colab_notebooks.point_colab_at_notebooks(
        _app("https://gitlab.com/org/repo"), "book/tensors", "page.html", context, _doctree(True)
    )
    assert [b["text"] for b in context["header_buttons"][0]["buttons"]] == ["Binder"]
