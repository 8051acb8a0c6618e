"""Launching a chapter elsewhere: Colab (generated notebooks) and Binder (the sources).

The notebooks ``tools/notebooks.py`` writes for Colab are checked for their setup cell
(it installs the book's package where it is missing and does nothing where it is
installed), and two cheap chapters are executed standalone with nbclient, offline. The
Binder configuration (``binder/``) is checked against CI's Python and the pinned torch, and
the built pages are checked for both launch links, the Colab one pointing at the published
notebook.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import nbformat
import pytest
import yaml
from _book import REPO, executes, toc_files

STANDALONE = ("book/tensors", "book/computation-graphs")  # cheap chapters, run in full
CONFIG = yaml.safe_load((REPO / "_config.yml").read_text())
REPOSITORY = CONFIG["repository"]["url"].rstrip("/")
ORG, NAME = REPOSITORY.removeprefix("https://github.com/").split("/")[:2]
NOTEBOOKS_BRANCH = CONFIG["sphinx"]["config"]["torchbook_notebooks_branch"]
INSTALL = f"git+{REPOSITORY}#subdirectory=code"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("notebooks", REPO / "tools" / "notebooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("notebooks")
    _tool().write_notebooks(out)
    return out


def _chapters() -> list[str]:
    return [name for name in toc_files() if executes(name)]


def _setup_cell(notebooks: Path, name: str) -> str:
    cell = nbformat.read(notebooks / f"{name}.ipynb", as_version=4).cells[0]
    assert cell.cell_type == "code", f"{name}: the first cell is not code"
    return cell.source


def test_every_chapter_with_code_has_a_notebook(notebooks: Path) -> None:
    written = {p.relative_to(notebooks).with_suffix("").as_posix() for p in notebooks.rglob("*")}
    written = {name for name in written if (notebooks / f"{name}.ipynb").is_file()}
    assert written == set(_chapters())


@pytest.mark.parametrize("name", _chapters())
def test_notebook_starts_with_the_setup_cell(notebooks: Path, name: str) -> None:
    notebook = nbformat.read(notebooks / f"{name}.ipynb", as_version=4)
    nbformat.validate(notebook)
    setup = notebook.cells[0]
    assert setup.cell_type == "code" and "torchbook-setup" in setup.metadata.get("tags", [])
    assert "import torchbook" in setup.source and INSTALL in setup.source
    source = (REPO / f"{name}.md").read_text()
    assert ("myst-nb" in setup.source) == ("from myst_nb import" in source), (
        f"{name}: the setup cell must install myst-nb exactly when the chapter imports it"
    )
    code = [cell.source for cell in notebook.cells[1:] if cell.cell_type == "code"]
    assert len(code) == source.count("```{code-cell}"), f"{name}: code cells lost"
    assert notebook.metadata["kernelspec"]["name"] == "python3"


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


@pytest.mark.parametrize("name", STANDALONE)
def test_setup_cell_does_nothing_where_torchbook_is_installed(
    notebooks: Path, name: str, tmp_path: Path
) -> None:
    report = tmp_path / "processes.json"
    script = _RECORD_PROCESSES + _setup_cell(notebooks, name) + _REPORT
    result = subprocess.run(
        [sys.executable, "-c", script, str(report)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "", "the setup cell printed something"
    started = json.loads(report.read_text())
    assert not [command for command in started if "pip" in str(command)], started


def test_setup_cell_installs_from_the_repository_where_torchbook_is_missing(
    notebooks: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    calls: list[list[str]] = []
    monkeypatch.setitem(sys.modules, "torchbook", None)  # `import torchbook` now fails
    monkeypatch.setattr(subprocess, "run", lambda command, **kwargs: calls.append(command))
    exec(compile(_setup_cell(notebooks, "book/tensors"), "setup", "exec"), {})
    assert calls == [[sys.executable, "-m", "pip", "install", "--quiet", INSTALL, "myst-nb"]]
    assert "installing" in capsys.readouterr().out


@pytest.mark.parametrize("name", STANDALONE)
def test_chapter_notebook_runs_standalone(notebooks: Path, name: str) -> None:
    from nbclient import NotebookClient

    path = notebooks / f"{name}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    # The kernel inherits the environment conftest.py sets: offline, a temporary data
    # folder, no progress bars. A failing cell raises CellExecutionError here.
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    assert notebook.cells[0].outputs == [], "the setup cell did something with torchbook there"
    errors = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output["output_type"] == "error"
    ]
    assert not errors
    printed = "".join(
        output.get("text", "")
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output["output_type"] == "stream"
    )
    assert "computing on" in printed


# ---- Binder ----------------------------------------------------------------------------


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


def test_binder_installs_the_book_requirements_and_jupytext() -> None:
    lines = [
        line.split("#", 1)[0].strip()
        for line in (REPO / "binder" / "requirements.txt").read_text().splitlines()
    ]
    assert "-r ../requirements.txt" in lines, "Binder must install the book's requirements"
    assert any(re.match(r"jupytext\b", line) for line in lines), (
        "without jupytext, Binder opens the .md chapters as text"
    )
    requirements = (REPO / "requirements.txt").read_text()
    assert re.search(r"^torch==2\.14\.1\b", requirements, re.MULTILINE)
    assert re.search(r"^-e \./code\b", requirements, re.MULTILINE)
    # A binder/ folder makes repo2docker ignore configuration at the root: keep none there.
    for name in ("runtime.txt", "postBuild", "environment.yml", "apt.txt", "Dockerfile"):
        assert not (REPO / name).exists(), f"{name} at the root would be ignored by Binder"


def test_pinned_torch_is_the_one_the_book_is_built_with() -> None:
    import torch

    pinned = re.search(r"^torch==(\S+)", (REPO / "requirements.txt").read_text(), re.MULTILINE)
    assert pinned and torch.__version__.split("+")[0] == pinned.group(1)


def test_binder_opens_markdown_chapters_as_notebooks() -> None:
    post_build = REPO / "binder" / "postBuild"
    assert post_build.stat().st_mode & 0o111, "binder/postBuild must be executable"
    assert re.search(
        r"^jupytext-config set-default-viewer .*\bmarkdown\b.*\bmyst\b",
        (post_build.read_text()),
        re.MULTILINE,
    )
    assert CONFIG["launch_buttons"]["notebook_interface"] == "jupyterlab"


# ---- The launch links on the built pages -------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _hrefs(book: dict[str, object], name: str) -> list[str]:
    parser = _Links()
    parser.feed((book["site"] / f"{name}.html").read_text(encoding="utf-8"))
    return parser.hrefs


@pytest.mark.build
@pytest.mark.parametrize("name", toc_files())
def test_pages_have_colab_and_binder_links(book, notebooks: Path, name: str) -> None:
    hrefs = _hrefs(book, name)
    colab = [h for h in hrefs if h.startswith(CONFIG["launch_buttons"]["colab_url"])]
    binder = [h for h in hrefs if h.startswith(CONFIG["launch_buttons"]["binderhub_url"])]
    if not executes(name):
        assert not colab, f"{name} has no code, so no notebook to open in Colab"
        return
    notebook = f"{name}.ipynb"
    assert colab == [
        f"https://colab.research.google.com/github/{ORG}/{NAME}/blob/{NOTEBOOKS_BRANCH}/{notebook}"
    ]
    assert (notebooks / notebook).is_file(), "the Colab link names a notebook not published"
    branch = CONFIG["repository"]["branch"]
    assert binder == [
        f"https://mybinder.org/v2/gh/{ORG}/{NAME}/{branch}?urlpath=lab/tree/{name}.md"
    ]


def test_publish_workflow_pushes_the_notebooks_where_the_buttons_point() -> None:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "publish.yml").read_text())
    steps = workflow["jobs"]["notebooks"]["steps"]
    script = "\n".join(str(step.get("run", "")) for step in steps)
    assert "python tools/notebooks.py _notebooks" in script
    assert "tools/notebooks.py --branch" in script and '"HEAD:${branch}"' in script
    assert _tool().notebooks_branch() == NOTEBOOKS_BRANCH
    assert workflow["jobs"]["notebooks"]["permissions"] == {"contents": "write"}
