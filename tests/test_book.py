"""The whole book, built from scratch the way CI and a reader build it, then inspected.

One strict build (warnings are errors) into a temporary copy of the sources, as ``make
book`` builds: the chapters executed in parallel (``tools/execute.py``), then read from the
cache by ``jupyter-book build``. The HTML is then checked as a reader would meet it, and the
execution cache is exercised: a rebuild with no change executes nothing, an edited chapter
re-executes alone (in a plain ``jupyter-book build``, which shares the cache), and a change
to the package re-executes every chapter that runs code.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from _book import REPO
from _book import build as _build
from _book import executed as _executed
from _book import executed_by_build as _executed_by_build
from _book import executed_in_parallel as _executed_in_parallel
from _book import executes as _executes
from _book import toc_files as _toc_files

# The budget is 10 s (bench/results.md); this is its guard against a regression, with room
# for a machine that other work slows down.
NO_CHANGE_BUDGET_S = 20.0

pytestmark = pytest.mark.build


# The `book` fixture (one strict build shared by the whole session) is in conftest.py.


def _page(book: dict[str, object], name: str) -> str:
    return (book["html"] / f"{name}.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", _toc_files())
def test_every_chapter_has_a_page(book, name: str) -> None:
    assert (book["html"] / f"{name}.html").is_file(), f"no HTML page for {name}"


def test_every_executable_chapter_was_executed(book) -> None:
    expected = {name for name in _toc_files() if _executes(name)}
    assert expected and _executed(book["log"]) == expected


def test_the_build_reads_every_chapter_from_the_parallel_execution(book) -> None:
    """tools/execute.py fills the very cache myst-nb reads, under the same notebook hashes."""
    expected = {name for name in _toc_files() if _executes(name)}
    assert _executed_in_parallel(book["log"]) == expected
    assert _executed_by_build(book["log"]) == set(), "the build executed chapters again"


@pytest.mark.parametrize("name", _toc_files())
def test_no_page_shows_an_error(book, name: str) -> None:
    page = _page(book, name)
    for marker in ("Traceback (most recent call last)", "output traceback", "output stderr"):
        assert marker not in page, f"{name}.html contains {marker!r}"


@pytest.mark.parametrize("name", [n for n in _toc_files() if _executes(n)])
def test_chapters_say_which_device_they_use(book, name: str) -> None:
    assert "computing on" in _page(book, name), f"{name} does not print its device"


@pytest.mark.parametrize("name", [n for n in _toc_files() if _executes(n)])
def test_downloadable_notebooks_have_their_outputs(book, name: str) -> None:
    """The page's download button offers _sources/<page>.ipynb; served from the cache, it
    must still hold what the page shows (_ext/package_cache.py merges the outputs in)."""
    import nbformat

    notebook = nbformat.read(book["site"] / "_sources" / f"{name}.ipynb", as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert any(cell.get("outputs") for cell in code), f"{name}.ipynb has no outputs"
    outputs = str([cell.get("outputs") for cell in code])
    assert "computing on" in outputs, f"{name}.ipynb lacks the device line its page shows"
    glued = [
        output
        for cell in code
        for output in cell.get("outputs", [])
        if "scrapbook" in output.get("metadata", {})
        and output["metadata"]["scrapbook"].get("mime_prefix")
    ]
    assert not glued, f"{name}.ipynb keeps glue's hidden records, which myst-nb removes"


class _OutputImages(HTMLParser):
    """Collects the ``src`` of every <img> nested inside a cell's output container."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []  # for each open <div>: is it a cell output?
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "div":
            self.stack.append("cell_output" in (attributes.get("class") or "").split())
        elif tag == "img" and any(self.stack):
            self.sources.append(attributes.get("src") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self.stack:
            self.stack.pop()


def _draws(name: str) -> bool:
    return "tb.plot." in (REPO / f"{name}.md").read_text()


@pytest.mark.parametrize("name", [n for n in _toc_files() if _draws(n)])
def test_figures_come_from_executed_cells(book, name: str) -> None:
    parser = _OutputImages()
    parser.feed(_page(book, name))
    assert parser.sources, f"{name} draws with tb.plot but shows no figure from a cell output"
    for src in parser.sources:
        path = (book["html"] / name).parent / src
        assert path.is_file() and path.stat().st_size > 1000, f"{name}: missing image {src}"


def test_execution_cache(book) -> None:
    root, data = book["root"], book["data"]
    chapters = {name for name in _toc_files() if _executes(name)}

    log, elapsed = _build(root, data)
    assert _executed(log) == set(), "a rebuild with no change executed chapters"
    assert elapsed < NO_CHANGE_BUDGET_S, f"no-change rebuild took {elapsed:.1f} s"

    edited = "book/setup"
    source = root / f"{edited}.md"
    source.write_text(source.read_text().replace("import torch\n", "import torch  # edited\n", 1))
    log, _ = _build(root, data, parallel=False)  # `jupyter-book build .` alone
    assert _executed(log) == {edited}, "editing one chapter must re-execute only that one"

    style = root / "code" / "torchbook" / "plot" / "style.py"
    style.write_text(style.read_text() + "\n# a change to the package\n")
    log, _ = _build(root, data)
    assert _executed(log) == chapters, "a package change must re-execute every chapter"
    assert _executed_by_build(log) == set(), "the parallel step executed them all"


@pytest.mark.parametrize("name", [n for n in _toc_files() if _executes(n)])
def test_chapters_show_their_provenance(book, name: str) -> None:
    import torch

    match = re.search(r'<p class="torchbook-provenance">([^<]*)</p>', _page(book, name))
    assert match, f"{name} has no provenance line"
    assert f"torch {torch.__version__.split('+')[0]}" in match.group(1)
    assert re.search(r"in \d+\.\d s on \d{4}-\d{2}-\d{2}", match.group(1))


def test_bibliography_lists_the_references(book) -> None:
    page = _page(book, "book/references")
    for author in ("LeCun", "Rumelhart", "Kingma", "Nesterov", "Duchi", "Tieleman", "Ioffe"):
        assert author in page, f"{author} missing from the references page"
