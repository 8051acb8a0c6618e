"""Launching a chapter: the notebooks readers open in Colab, in Binder or by downloading.

``tools/notebooks.py`` makes them from the build the test session shares (conftest.py's
``book``), as the publish workflow does after ``make book``. They are checked for what a
reader meets: no raw MyST in the text, every glued value and every number of the page in
it, the chapter's code with the build's outputs, folded solutions, a setup cell that pins
the package to a commit and keeps the runtime's torch; two of them are rendered by
nbconvert and looked at in headless Chromium (numbers, folded solutions, typeset math, no
console errors; screenshots in ``_build/screenshots/``), and three are run standalone with
nbclient, offline, outside the repository, where ``import myst_nb`` fails. The Binder
configuration, the launch and download links on the pages, the repository check and the
publish workflow's order are checked too.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

import nbformat
import pytest
import yaml
from _book import REPO, executes, toc_files
from local_browser import HOST, chromium, serve

# One chapter from Part II, one from Part IV, one from Part V: run in full, standalone.
STANDALONE = ("book/computation-graphs", "book/mnist-mlp", "book/scratch-tensor")
# Rendered by nbconvert and opened in Chromium: exercises, admonitions, math, glue:md.
RENDERED = ("book/optimizers", "book/mnist-mlp")
NOT_PUBLISHED = ("book/status",)
COMMIT = "0123456789abcdef0123456789abcdef01234567"  # what the setup cell must pin
CONFIG = yaml.safe_load((REPO / "_config.yml").read_text())
REPOSITORY = CONFIG["repository"]["url"].rstrip("/")
ORG, NAME = REPOSITORY.removeprefix("https://github.com/").split("/")[:2]
NOTEBOOKS_BRANCH = CONFIG["sphinx"]["config"]["torchbook_notebooks_branch"]
INSTALL = f"torchbook @ git+{REPOSITORY}@{COMMIT}#subdirectory=code"
SCREENSHOTS = REPO / "_build" / "screenshots"
# MyST that plain Markdown does not have: roles, directives, targets.
RAW_MYST = re.compile(
    r"\{glue|```\{|:::\{|\{(?:term|eq|ref|numref|doc|math)\}`|\{cite(?::\w+)?\}`"
    r"|^\([\w:.-]+\)=\s*$",
    re.MULTILINE,
)


def _module(name: str) -> ModuleType:
    """A module of ``tools/`` (they import each other, and ``_ext/notebook_pages.py``)."""
    for folder in (REPO / "_ext", REPO / "tools"):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    return importlib.import_module(name)


def _tool() -> ModuleType:
    return _module("notebooks")


def _published() -> list[str]:
    return [name for name in toc_files() if executes(name) and name not in NOT_PUBLISHED]


@pytest.fixture(scope="module")
def launch(book, tmp_path_factory) -> dict[str, object]:
    """The notebooks, made from a copy of the shared build (the tool writes the download
    copies into the site it is given) and the sources that build read."""
    work = tmp_path_factory.mktemp("launch")
    root = work / "sources"
    root.mkdir()
    for entry in book["root"].iterdir():
        if entry.name != "_build":
            (root / entry.name).symlink_to(entry)
    if not (root / "binder").exists():  # the build does not read binder/; the branch needs it
        (root / "binder").symlink_to(REPO / "binder")
    build = work / "_build"
    for part in ("html", "jupyter_execute"):
        shutil.copytree(book["root"] / "_build" / part, build / part)
    out = work / "notebooks"
    written = _tool().write_notebooks(out, build, commit=COMMIT, root=root)
    notebooks = {
        path.relative_to(out).with_suffix("").as_posix(): nbformat.read(path, as_version=4)
        for path in written
    }
    return {"out": out, "build": build, "root": root, "notebooks": notebooks}


def _markdown(notebook: nbformat.NotebookNode) -> str:
    return "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")


def _flat(text: str) -> str:
    return " ".join(text.split())


def _article(launch: dict[str, object], name: str):
    from bs4 import BeautifulSoup

    html = (launch["build"] / "html" / f"{name}.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser").find("article", class_="bd-article")


# ---- the notebooks ---------------------------------------------------------------------


@pytest.mark.build
def test_every_chapter_with_code_but_the_status_page_has_a_notebook(launch) -> None:
    assert sorted(launch["notebooks"]) == sorted(_published())
    assert not (launch["out"] / "book" / "status.ipynb").exists()


@pytest.mark.build
@pytest.mark.parametrize("name", _published())
def test_no_raw_myst_in_the_text(launch, name: str) -> None:
    notebook = launch["notebooks"][name]
    nbformat.validate(notebook)
    raw = [
        (match.group(0), index)
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "markdown"
        for match in RAW_MYST.finditer(cell.source)
    ]
    assert not raw, f"{name}: raw MyST (markup, cell) in the text: {raw[:5]}"
    display_math = re.findall(r"^\$\$.*$", _markdown(notebook), re.MULTILINE)
    assert not [line for line in display_math if re.search(r"\$\$\s*\(", line)], (
        f"{name}: display math still carries a MyST label"
    )


@pytest.mark.build
@pytest.mark.parametrize("name", _published())
def test_the_text_has_every_number_the_page_shows(launch, name: str) -> None:
    """Glued values, equation and exercise numbers, glossary terms, chapter titles: each
    as the page prints it."""
    article = _article(launch, name)
    glued = [span.get_text() for span in article.select("span.pasted-text")]
    refs = [span.get_text() for span in article.select("span.std-numref, span.std-term")]
    refs += [span.get_text() for span in article.select("span.doc, span.caption-number")]
    refs += [a.get_text() for a in article.select("a.reference.internal[href*='#equation-']")]
    text = _flat(_markdown(launch["notebooks"][name]))
    missing_glued = [value for value in glued if _flat(value) not in text]
    assert not missing_glued, f"{name}: glued values of the page not in the notebook"
    missing = [ref for ref in refs if _flat(ref) not in text]
    assert not missing, f"{name}: the page shows {missing[:5]}, the notebook does not"
    numbers = [_flat(h.get_text()) for h in article.select("span.section-number")]
    assert all(number in text for number in numbers), f"{name}: section numbers missing"


def _only_glues(source: str) -> bool:
    """Every statement a glue(...) call, or a loop around such calls."""
    import ast

    def glues(node: ast.stmt) -> bool:
        if isinstance(node, ast.For):
            return all(glues(s) or isinstance(s, ast.Assign) for s in node.body)
        call = getattr(node, "value", None)
        return isinstance(call, ast.Call) and getattr(call.func, "id", "") == "glue"

    return all(glues(node) for node in ast.parse(source).body)


@pytest.mark.build
@pytest.mark.parametrize("name", _published())
def test_the_code_is_the_chapters_with_the_builds_outputs(launch, name: str) -> None:
    """Every cell of the chapter, in order and unchanged (the folded ones start with a
    ``#@title`` line for Colab), but the hidden cells that only glue."""
    import jupytext

    notebook = launch["notebooks"][name]
    kept = [c.source for c in notebook.cells[1:] if c.cell_type == "code"]
    kept = [re.sub(r"^#@title .*\n", "", code, count=1) for code in kept]
    source = jupytext.read(launch["root"] / f"{name}.md", fmt="md:myst")
    for cell in [c for c in source.cells if c.cell_type == "code"]:
        code = cell.source.replace("from myst_nb import glue\n", "")
        if kept and kept[0] == code:
            kept.pop(0)
            continue
        assert "remove-cell" in cell.metadata.get("tags", []), f"{name}: dropped {code!r}"
        assert _only_glues(cell.source), f"{name}: dropped a cell that does more: {code!r}"
    assert not kept, f"{name}: cells not in the chapter, or out of order: {kept[:1]}"
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert "myst_nb import" not in code, f"{name}: still imports myst_nb"
    outputs = json.dumps([c.get("outputs") for c in notebook.cells if c.cell_type == "code"])
    assert "computing on" in outputs, f"{name}: the build's outputs are missing"
    assert "scrapbook" not in outputs, f"{name}: glue's hidden records are in the outputs"


@pytest.mark.build
def test_solutions_and_hidden_cells_are_folded(launch) -> None:
    notebook = launch["notebooks"]["book/optimizers"]
    text = _markdown(notebook)
    source = (launch["root"] / "book" / "optimizers.md").read_text()
    exercises = len(re.findall(r"^[`:]{3,}\{exercise\}", source, re.MULTILINE))
    assert exercises and len(re.findall(r"\*\*Exercise 7\.\d+\*\*", text)) == exercises
    summaries = re.findall(r"<summary>Solution to Exercise 7\.(\d+)", text)
    assert sorted(set(summaries), key=int) == [str(i) for i in range(1, exercises + 1)]
    assert "<details open" not in text
    solution_code = [c for c in notebook.cells if c.source.startswith("#@title Solution to")]
    assert solution_code, "no solution code found"
    for cell in solution_code:
        assert cell.metadata["cellView"] == "form" and cell.metadata["jupyter"]["source_hidden"]
        assert cell.outputs == [], "a solution's outputs show before the reader runs it"
    hidden = [c for c in notebook.cells if "remove-cell" in c.metadata.get("tags", [])]
    assert all(c.metadata.get("jupyter", {}).get("source_hidden") for c in hidden)


# ---- the conversion, on markup the chapters may not use yet ---------------------------


class _FakeBook:
    """What ``MarkdownConverter`` asks a built book, for a page ``book/demo``."""

    site = "https://example.org/book-site/"

    def __init__(self) -> None:
        site = self.site
        self.glossary = {"learning rate": site + "book/glossary.html#term-learning-rate"}
        self.references = {"sec-demo": (site + "book/demo.html#sec-demo", "A section")}
        self.titles = {"book/losses": "Losses"}
        target = _module("built_book").Target
        self.targets = {
            "demo-eq": target("book/demo", "equation-demo-eq", "(2.1)", "2.1"),
            "ex-demo": target("book/demo", "ex-demo", "Exercise 2.1", "2.1"),
            "fig-demo": target("book/demo", "fig-demo", "Fig. 2.1", "2.1"),
        }

    def url(self, page: str, anchor: str = "") -> str:
        return f"{self.site}{page}.html" + (f"#{anchor}" if anchor else "")

    def glue(self, page: str) -> dict:
        return {"ratio": {"text/plain": "1.8966"}, "verdict": {"text/markdown": "`relu` won"}}

    def citations(self, page: str) -> list[str]:
        return [f"[[Kingma and Ba, 2014]({self.site}book/references.html#id4)]"]

    def section_numbers(self, page: str) -> list[tuple[int, str]]:
        return [(1, "2."), (2, "2.1.")]


DEMO = """\
(sec-demo)=
# Demo
% a comment, not on the page

## Words
A ratio of {glue:text}`ratio:.2f`; {glue:md}`verdict`. The {term}`rates <learning rate>`,
{eq}`demo-eq`, {numref}`exercise %s <ex-demo>`, {ref}`sec-demo`, {doc}`losses`,
{cite:p}`kingma2014adam`, {math}`x^2` and ![a plot](images/plot.png).

$$
a = b
$$ (demo-eq)

\\begin{align}
a &= b
\\end{align}

```{admonition} The sources get this wrong
:class: warning
It is $a +
b$, not $c$.

$$
x = 1
$$
```

```{note}
Noted.
```

```{admonition} More
:class: dropdown
Folded.
```

:::{exercise} `tanh` twice
:label: ex-demo

Do it.
:::

```{figure} images/plot.png
:name: fig-demo
:alt: A plot

The caption.
```

```{solution-start} ex-demo
:class: dropdown
```
"""


def test_myst_becomes_the_markdown_the_page_shows() -> None:
    converter = _module("myst_markdown").MarkdownConverter(
        _FakeBook(), "book/demo", image_url="https://raw.example/c0ffee/"
    )
    text = converter.cell(DEMO)
    site = _FakeBook.site
    for expected in [
        "# 2. Demo",
        "## 2.1. Words",
        "A ratio of 1.90; `relu` won.",
        f"[rates]({site}book/glossary.html#term-learning-rate)",
        f"[(2.1)]({site}book/demo.html#equation-demo-eq)",
        f"[exercise 2.1]({site}book/demo.html#ex-demo)",
        f"[A section]({site}book/demo.html#sec-demo)",
        f"[Losses]({site}book/losses.html)",
        f"[[Kingma and Ba, 2014]({site}book/references.html#id4)]",
        "$x^2$",
        "![a plot](https://raw.example/c0ffee/book/images/plot.png)",
        "$$\na = b\n\\tag{2.1}\n$$",
        "$$\n\\begin{aligned}\na &= b\n\\end{aligned}\n$$",
        "> **The sources get this wrong**\n>\n> It is $a + b$, not $c$.\n>\n> $$ x = 1 $$",
        "> **Note**\n>\n> Noted.",
        "<details>\n<summary>More</summary>\n\nFolded.\n\n</details>",
        "> **Exercise 2.1** (`tanh` twice)\n>\n> Do it.",
        "![A plot](https://raw.example/c0ffee/book/images/plot.png)\n\n**Fig. 2.1** The caption.",
    ]:
        assert expected in text, f"missing {expected!r} in:\n{text}"
    assert not RAW_MYST.search(text) and "% a comment" not in text
    assert converter.solution == "Solution to Exercise 2.1 (<code>tanh</code> twice)"
    folded = converter.cell("The answer.\n\n```{solution-end}\n```\n\nAfter it.")
    assert folded.startswith("<details>\n<summary>Solution to Exercise 2.1 (<code>tanh")
    assert folded.endswith("</details>\n\nAfter it.") and converter.solution is None


@pytest.mark.parametrize(
    "markup", ["```{tableofcontents}\n```", "{abbr}`MSE (mean squared error)`", "{glue:text}`gone`"]
)
def test_markup_without_a_markdown_form_stops_the_tool(markup: str) -> None:
    module = _module("myst_markdown")
    converter = module.MarkdownConverter(_FakeBook(), "book/demo", image_url="")
    with pytest.raises(module.ConversionError, match="book/demo"):
        converter.cell(markup)


# ---- the setup cell ---------------------------------------------------------------------


def _setup_cell(launch: dict[str, object], name: str) -> str:
    cell = launch["notebooks"][name].cells[0]
    assert cell.cell_type == "code" and "torchbook-setup" in cell.metadata.get("tags", [])
    return cell.source


def _book_torch() -> str:
    lock = (REPO / "requirements-lock.txt").read_text()
    return re.search(r"^torch==(\S+)", lock, re.MULTILINE).group(1)


@pytest.mark.build
@pytest.mark.parametrize("name", _published())
def test_setup_cell_pins_the_package_and_needs_no_myst_nb(launch, name: str) -> None:
    setup = _setup_cell(launch, name)
    assert f'"{INSTALL}"' in setup, f"{name}: the package is not pinned to the commit"
    assert "myst" not in setup.replace("myst_nb.glue", ""), f"{name}: installs myst-nb"
    assert f'"{_book_torch()}"' in setup
    code = "\n".join(c.source for c in launch["notebooks"][name].cells[1:])
    assert ("def glue(" in setup) == bool(re.search(r"\bglue\(", code)), (
        f"{name}: the stand-in for glue must be there exactly when a cell still calls glue"
    )


# Run in a fresh interpreter, where nothing is imported yet: every process started from
# then on is recorded (and still run: importing torch may start some of its own).
_RECORD_PROCESSES = """\
import json, subprocess, sys
_started = []
class _Recorded(subprocess.Popen):
    def __init__(self, args, *rest, **options):
        _started.append(args if isinstance(args, str) else [str(a) for a in args])
        super().__init__(args, *rest, **options)
subprocess.Popen = _Recorded
"""
_REPORT = """
with open(sys.argv[1], "w") as report:
    json.dump(_started, report)
"""


@pytest.mark.build
def test_setup_cell_does_nothing_where_torchbook_is_installed(launch, tmp_path: Path) -> None:
    report = tmp_path / "processes.json"
    script = _RECORD_PROCESSES + _setup_cell(launch, "book/tensors") + _REPORT
    result = subprocess.run(
        [sys.executable, "-c", script, str(report)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "", "the setup cell printed something"
    started = json.loads(report.read_text())
    assert not [command for command in started if "pip" in str(command)], started


@pytest.mark.build
def test_setup_cell_installs_the_commit_keeping_torch(
    launch, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    calls: list[list[str]] = []
    monkeypatch.setitem(sys.modules, "torchbook", None)  # `import torchbook` now fails
    monkeypatch.setattr(subprocess, "run", lambda command, **kwargs: calls.append(command))
    exec(compile(_setup_cell(launch, "book/tensors"), "setup", "exec"), {})
    keep = [f"{n}=={importlib.metadata.version(n)}" for n in ("torch", "torchvision")]
    assert calls == [[sys.executable, "-m", "pip", "install", "--quiet", INSTALL, *keep]]
    assert "installing" in capsys.readouterr().out


@pytest.mark.build
@pytest.mark.parametrize(("runtime", "lines"), [("2.99.0+cu130", 1), (None, 0)])
def test_setup_cell_says_when_torch_differs_from_the_books(
    launch, monkeypatch: pytest.MonkeyPatch, capsys, runtime: str | None, lines: int
) -> None:
    import torch

    same = _book_torch() + "+cu130"  # a build of the book's version: the same torch
    monkeypatch.setattr(torch, "__version__", runtime or same)
    exec(compile(_setup_cell(launch, "book/tensors"), "setup", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == lines, printed
    if lines:
        assert runtime in printed[0] and _book_torch() in printed[0]


# ---- standalone runs --------------------------------------------------------------------


@pytest.fixture(scope="module")
def no_myst_nb(tmp_path_factory) -> Path:
    """A folder that, first on PYTHONPATH, makes ``import myst_nb`` fail, as in Colab."""
    folder = tmp_path_factory.mktemp("no-myst-nb")
    (folder / "myst_nb").mkdir()
    (folder / "myst_nb" / "__init__.py").write_text(
        'raise ImportError("myst_nb is not installed here, as in Colab")\n'
    )
    return folder


@pytest.mark.build
@pytest.mark.parametrize("name", STANDALONE)
def test_chapter_notebook_runs_standalone_without_myst_nb(
    launch, name: str, no_myst_nb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nbclient import NotebookClient

    # The kernel inherits this environment: offline and with a temporary data folder
    # (conftest.py), no myst_nb, and a working directory outside the repository.
    paths = [str(no_myst_nb), *filter(None, [os.environ.get("PYTHONPATH")])]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))
    # As in the build (_ext/build_environment.py): idle OpenMP threads sleep instead of
    # spinning, which on a shared machine makes a chapter several times faster; same numbers.
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")
    assert REPO not in tmp_path.parents
    notebook = launch["notebooks"][name]
    probe = "try:\n    import myst_nb\nexcept ImportError:\n    print('no myst_nb')\n"
    notebook.cells.insert(1, nbformat.v4.new_code_cell(probe))
    where = {"metadata": {"path": str(tmp_path)}}
    # a failing cell raises CellExecutionError here
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources=where).execute()
    assert notebook.cells[0].outputs == [], "the setup cell did something here"
    assert notebook.cells[1].outputs[0]["text"] == "no myst_nb\n"
    printed = "".join(
        output.get("text", "")
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output["output_type"] == "stream"
    )
    assert "computing on" in printed


# ---- rendered in a browser --------------------------------------------------------------

# nbconvert's template configures MathJax 2; the site ships MathJax 3, set up here like
# Jupyter's: $...$ and $$...$$.
MATHJAX_CONFIG = (
    "<script>window.MathJax = {tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], "
    "displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']], processEscapes: true}};</script>\n"
)
PAGE_JS = """async () => {
  await MathJax.startup.promise;
  const hiddenText = Array.from(document.querySelectorAll("details > :not(summary)"))
      .filter(el => el.checkVisibility()).length;
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const skip = "pre, code, script, style, mjx-container, .jp-OutputArea";
    if (node.parentElement.closest(skip)) continue;
    if (/\\$/.test(node.textContent)) raw.push(node.textContent.trim().slice(0, 80));
  }
  return {
    text: document.body.textContent,
    details: document.querySelectorAll("details").length,
    open: document.querySelectorAll("details[open]").length,
    visibleInsideDetails: hiddenText,
    math: document.querySelectorAll("mjx-container").length,
    // a TeX error, or a macro MathJax does not know (shown in red; Colab would fail)
    mathErrors: document.querySelectorAll("mjx-merror, mtext[mathcolor=red]").length,
    raw: raw,
  };
}"""


def _render(notebook: nbformat.NotebookNode, target: Path) -> None:
    """The notebook as HTML, shown as JupyterLab shows it: folded code is not shown."""
    from nbconvert import HTMLExporter

    notebook = nbformat.from_dict(json.loads(json.dumps(notebook)))
    for cell in notebook.cells:
        if cell.metadata.get("jupyter", {}).get("source_hidden"):
            cell.metadata["transient"] = {"remove_source": True}
    exporter = HTMLExporter(template_name="lab")
    exporter.mathjax_url = "_static/mathjax/tex-chtml.js"
    body, _ = exporter.from_notebook_node(notebook)
    script = f'<script src="{exporter.mathjax_url}"'
    target.write_text(body.replace(script, MATHJAX_CONFIG + script), encoding="utf-8")


@pytest.fixture(scope="module")
def rendered(launch, tmp_path_factory) -> Iterator[str]:
    """The :data:`RENDERED` notebooks as HTML, served with the site's MathJax."""
    folder = tmp_path_factory.mktemp("rendered")
    (folder / "_static").symlink_to(launch["build"] / "html" / "_static")
    for name in RENDERED:
        _render(launch["notebooks"][name], folder / f"{name.replace('/', '-')}.html")
    with serve(folder) as url:
        yield url


def _local(url: str) -> bool:
    return urlsplit(url).hostname == HOST


@pytest.mark.build
@pytest.mark.parametrize("name", RENDERED)
def test_rendered_notebook_reads_like_the_page(launch, rendered: str, name: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = chromium()
    if executable is None:
        pytest.skip("NOTEBOOK BROWSER TEST SKIPPED: no Chromium (apt-get install chromium)")
    errors: list[str] = []

    def on_console(message) -> None:
        # nbconvert's page asks a CDN for require.js; requests off this machine are aborted
        if message.type == "error" and _local((message.location or {}).get("url", "")):
            errors.append(message.text)

    stem = f"notebook-{name.replace('/', '-')}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.route(lambda url: not _local(url), lambda route: route.abort())
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", on_console)
        page.goto(f"{rendered}{name.replace('/', '-')}.html", wait_until="load")
        seen = page.evaluate(PAGE_JS)
        page.screenshot(path=str(SCREENSHOTS / f"{stem}.png"))
        for what, found in [
            ("exercise", page.locator("blockquote strong", has_text=re.compile("^Exercise"))),
            ("admonition", page.locator("blockquote strong", has_text=re.compile("sources"))),
            ("solution", page.locator("details summary")),
        ]:
            if found.count():
                found.first.scroll_into_view_if_needed()
                page.screenshot(path=str(SCREENSHOTS / f"{stem}-{what}.png"))
        browser.close()
    assert not errors, f"{name}: console or page errors: {errors}"
    glued = [span.get_text() for span in _article(launch, name).select("span.pasted-text")]
    assert glued and all(_flat(v) in _flat(seen["text"]) for v in glued), "numbers missing"
    assert seen["details"] and not seen["open"], f"{name}: solutions are not folded"
    assert not seen["visibleInsideDetails"], f"{name}: a folded solution shows its text"
    counts = {key: value for key, value in seen.items() if key not in ("text", "raw")}
    assert seen["math"] > 20 and not seen["mathErrors"], f"{name}: math not typeset: {counts}"
    assert not seen["raw"], f"{name}: raw TeX left in the text: {seen['raw'][:5]}"


# ---- downloads and launch links on the pages --------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _hrefs(site: Path, name: str) -> list[str]:
    parser = _Links()
    parser.feed((site / f"{name}.html").read_text(encoding="utf-8"))
    return parser.hrefs


@pytest.mark.build
@pytest.mark.parametrize("name", toc_files())
def test_pages_launch_and_download_the_published_notebook(launch, name: str) -> None:
    site = launch["build"] / "html"
    hrefs = _hrefs(site, name)
    colab = [h for h in hrefs if h.startswith(CONFIG["launch_buttons"]["colab_url"])]
    binder = [h for h in hrefs if h.startswith(CONFIG["launch_buttons"]["binderhub_url"])]
    downloads = [h for h in hrefs if h.endswith(".ipynb") and "_sources/" in h]
    if name not in launch["notebooks"]:
        assert not colab and not binder, f"{name} has no notebook to launch"
        assert not downloads, f"{name} offers a notebook that is not published"
        return
    notebook = f"{name}.ipynb"
    assert colab == [
        f"https://colab.research.google.com/github/{ORG}/{NAME}/blob/{NOTEBOOKS_BRANCH}/{notebook}"
    ]
    assert binder == [
        f"https://mybinder.org/v2/gh/{ORG}/{NAME}/{NOTEBOOKS_BRANCH}?labpath={notebook}"
    ]
    assert (launch["out"] / notebook).is_file(), "the links name a notebook not published"
    assert len(downloads) == 1, downloads
    offered = (site / name).parent / downloads[0]
    assert offered.resolve().read_bytes() == (launch["out"] / notebook).read_bytes(), (
        f"{name}: the download button offers another notebook than Colab's"
    )


def _buttons(pagename: str, with_code: bool) -> list[dict]:
    """The header buttons ``_ext/colab_notebooks.py`` leaves on a page (theme's first)."""
    from types import SimpleNamespace

    from docutils import nodes

    module = _module("colab_notebooks")
    doctree = nodes.document(None, None)
    doctree += nodes.container(nb_element="cell_code" if with_code else "cell_markdown")
    launch = {"colab_url": "https://colab.example", "binderhub_url": "https://binder.example"}
    options = {"repository_url": "https://github.com/org/repo", "launch_buttons": launch}
    app = SimpleNamespace(
        config=SimpleNamespace(html_theme_options=options, torchbook_notebooks_branch="nb")
    )
    context = {
        "header_buttons": [
            {
                "label": "download-buttons",
                "buttons": [{"label": "download-notebook-button"}, {"label": "download-pdf"}],
            },
            {
                "label": "launch-buttons",
                "buttons": [{"text": "Binder", "url": "old"}, {"text": "Colab", "url": "old"}],
            },
        ]
    }
    module.point_colab_at_notebooks(app, pagename, "page.html", context, doctree)
    return context["header_buttons"]


def test_launch_buttons_open_the_notebooks_branch() -> None:
    download, launch = _buttons("book/tensors", with_code=True)
    assert [b["url"] for b in launch["buttons"]] == [
        "https://binder.example/v2/gh/org/repo/nb?labpath=book/tensors.ipynb",
        "https://colab.example/github/org/repo/blob/nb/book/tensors.ipynb",
    ]
    assert download["buttons"][0]["label"] == "download-notebook-button"


@pytest.mark.parametrize(("name", "with_code"), [("book/status", True), ("book/glossary", False)])
def test_a_page_without_a_published_notebook_offers_none(name: str, with_code: bool) -> None:
    groups = _buttons(name, with_code)
    assert [g["label"] for g in groups] == ["download-buttons"], "launch buttons left"
    assert [b["label"] for b in groups[0]["buttons"]] == ["download-pdf"]


# ---- Binder -----------------------------------------------------------------------------


def _ci_pythons() -> set[str]:
    versions = set()
    for workflow in (REPO / ".github" / "workflows").glob("*.yml"):
        for job in yaml.safe_load(workflow.read_text())["jobs"].values():
            for step in job.get("steps") or []:
                if str(step.get("uses", "")).startswith("actions/setup-python@"):
                    versions.add(str(step["with"]["python-version"]))
    return versions


def test_binder_runs_the_python_ci_uses() -> None:
    runtime = (REPO / "binder" / "runtime.txt").read_text().strip()
    assert _ci_pythons() == {runtime.removeprefix("python-")}, (
        f"binder/runtime.txt says {runtime}, the workflows set up Python {_ci_pythons()}"
    )


def _binder_requirements() -> list[str]:
    text = (REPO / "binder" / "requirements.txt").read_text()
    lines = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    return [line for line in lines if line]


def test_binder_installs_the_package_with_the_locks_versions_and_cpu_torch() -> None:
    lines = _binder_requirements()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in lines
    assert "-c ../requirements-lock.txt" in lines and "./code" in lines
    assert not [line for line in lines if re.match(r"(jupytext|myst|jupyter-book)\b", line)], (
        "Binder opens the notebooks; it needs nothing to read MyST"
    )
    # A binder/ folder makes repo2docker ignore configuration at the root: keep none there.
    for name in ("runtime.txt", "postBuild", "environment.yml", "apt.txt", "Dockerfile"):
        assert not (REPO / name).exists(), f"{name} at the root would be ignored by Binder"


@pytest.mark.build
def test_the_notebooks_branch_has_what_binder_installs(launch) -> None:
    out = launch["out"]
    for line in _binder_requirements():
        path = re.sub(r"^-[rc]\s+", "", line)
        if path.startswith("../"):
            assert (out / "binder" / path).resolve().is_file(), f"{line}: missing on the branch"
        elif path.startswith("./"):
            assert (out / path / "pyproject.toml").is_file(), f"{line}: missing on the branch"
    assert (out / "binder" / "runtime.txt").is_file()
    assert COMMIT in (out / "README.md").read_text()


def test_pinned_torch_is_the_one_the_book_is_built_with() -> None:
    import torch

    assert torch.__version__.split("+")[0] == _book_torch()


def test_chapters_import_only_what_installing_torchbook_brings() -> None:
    """Colab and Binder install torchbook (and have Jupyter's IPython): a chapter that
    imports anything else would fail there."""
    import ast

    import jupytext

    provided = _requirements_of("torchbook") | {"ipython"}
    distributions = importlib.metadata.packages_distributions()
    for name in _published():
        notebook = jupytext.read(REPO / f"{name}.md", fmt="md:myst")
        imported = set()
        written = set()  # modules the chapter writes itself (%%writefile .../draws.py)
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            if cell.source.startswith("%%writefile"):
                written |= set(re.findall(r"^%%writefile \S*?(\w+)\.py", cell.source))
                continue
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.Import):
                    imported |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    imported.add(node.module.split(".")[0])
        foreign = {
            module
            for module in imported
            - written
            - set(sys.stdlib_module_names)
            - {"myst_nb", "torchbook"}
            if not {_normal(d) for d in distributions.get(module, [])} & provided
        }
        assert not foreign, f"{name} imports {foreign}, which Colab and Binder may lack"


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements_of(distribution: str) -> set[str]:
    """The distribution and everything it requires, recursively (extras left out)."""
    seen: set[str] = set()
    todo = [distribution]
    while todo:
        name = _normal(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        todo += [re.match(r"[\w.-]+", r).group(0) for r in requires if "extra ==" not in r]
    return seen


# ---- the repository's address and the publish workflow ---------------------------------


def test_the_repository_check_fails_for_another_repository(tmp_path: Path) -> None:
    address = _module("book_address")
    address.check_repository(f"{ORG}/{NAME}")
    with pytest.raises(SystemExit, match=r"repository\.url"):
        address.check_repository("someone/a-fork")
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "book_address.py"), "--check", "someone/a-fork"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "someone/a-fork" in result.stderr


def test_the_repository_address_is_written_once() -> None:
    skip = {".git", ".venv", "_build", "data", "__pycache__", ".pytest_cache", ".ruff_cache"}
    found = []
    for folder, folders, files in os.walk(REPO):
        folders[:] = [f for f in folders if f not in skip and not f.endswith(".egg-info")]
        for file in files:
            path = Path(folder) / file
            text = path.suffix in {".md", ".py", ".yml", ".yaml", ".txt", ".toml", ".cfg", ""}
            if text and f"{ORG}/{NAME}" in path.read_text(encoding="utf-8", errors="replace"):
                found.append(path.relative_to(REPO).as_posix())
    assert found == ["_config.yml"], f"the repository's address is written in {found}"


def _steps(job: dict) -> list[str]:
    return [str(step.get("run", "")) + str(step.get("uses", "")) for step in job["steps"]]


def _index(steps: list[str], words: str) -> int:
    found = [i for i, step in enumerate(steps) if words in step]
    assert found, f"no step runs {words!r}"
    return found[0]


def test_publish_checks_the_repository_then_publishes_the_notebooks() -> None:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "publish.yml").read_text())
    build = _steps(workflow["jobs"]["build"])
    check = _index(build, 'tools/book_address.py --check "${GITHUB_REPOSITORY}"')
    make = _index(build, "make book")
    notebooks = _index(build, "tools/notebooks.py _notebooks --build _build")
    pages = _index(build, "actions/upload-pages-artifact@")
    assert check < make < notebooks < pages, "check, build, notebooks, then the Pages upload"
    assert '--commit "${GITHUB_SHA}"' in build[notebooks]
    assert "tools/notebooks.py --branch > _notebooks_branch" in build[notebooks]
    # the site goes live only after its launch buttons' notebooks are pushed
    assert workflow["jobs"]["deploy"]["needs"] == ["build", "notebooks"]
    job = workflow["jobs"]["notebooks"]
    assert job["needs"] == "build" and job["permissions"] == {"contents": "write"}
    push = "\n".join(_steps(job))
    assert "actions/download-artifact@" in push and '"HEAD:${branch}"' in push
    assert 'branch="$(cat _notebooks_branch)"' in push and "cd _notebooks" in push
    assert _tool().notebooks_branch() == NOTEBOOKS_BRANCH
