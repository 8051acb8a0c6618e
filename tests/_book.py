"""Helpers for the tests that build the whole book (``tests/conftest.py``'s ``book``
fixture, ``test_book.py``, ``test_launch.py``, ``test_browser.py``)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
EXECUTE = REPO / "tools" / "execute.py"
sys.path.insert(0, str(EXECUTE.parent))

import execute  # noqa: E402

SOURCES = (
    "_config.yml",
    "_toc.yml",
    "_ext",
    "_i18n",
    "_static",
    "_templates",
    "locales",
    "book",
    "code",
    "requirements.txt",
    "requirements-lock.txt",
)


def copy_sources(target: Path) -> None:
    """Copy what a build reads (not ``_build``, caches or notebooks) into ``target``.

    Also used by ``bench/build_times.py``, so that the tests and the benchmark build the
    same book.
    """
    # mutants: `make mutate`'s working copy in code/, no part of what a build reads
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "_build", "*.ipynb", "mutants")
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            shutil.copy2(source, target / name)


def toc_files() -> list[str]:
    """Every page ``_toc.yml`` lists, as ``book/name``, in order (read as ``make book``'s
    parallel execution reads it)."""
    return [name.removesuffix(".md") for name in execute.toc_entries(REPO)]


def executes(name: str) -> bool:
    """True for chapters with code cells, i.e. notebooks the build executes."""
    return "```{code-cell}" in (REPO / f"{name}.md").read_text()


# Between the parallel execution's log and the build's, in what build() returns.
BUILD_LOG_START = "\n=== jupyter-book build ===\n"


def build_env(data: Path, *, keep_device: bool = False) -> dict[str, str]:
    """The environment of an offline build reading ``data``: the fallback digits, never a
    download, whatever the caller's TORCHBOOK_REQUIRE_MNIST (the GPU workflow sets it)."""
    env = dict(os.environ, TORCHBOOK_DATA=str(data), TORCHBOOK_OFFLINE="1", TQDM_DISABLE="1")
    env.pop("TORCHBOOK_REQUIRE_MNIST", None)
    if not keep_device:
        env.pop("TORCHBOOK_DEVICE", None)
    return env


def build(
    root: Path,
    data: Path,
    *,
    strict: bool = True,
    keep_device: bool = False,
    parallel: bool = True,
    jobs: int | None = None,
) -> tuple[str, float]:
    """Build the book in ``root`` offline as ``make book`` does; return the log and the time.

    ``parallel`` first runs ``tools/execute.py`` (``jobs`` chapters at a time, default every
    core), which fills the execution cache, then ``jupyter-book build``; without it the build
    is a plain ``jupyter-book build``, which executes the chapters one by one. ``strict``
    makes warnings errors (the tests); without it the build is ``make book``'s (the
    benchmark). The tests let the book pick its device; ``keep_device`` honours a
    ``TORCHBOOK_DEVICE`` set by whoever runs the benchmark.
    """
    start = time.perf_counter()
    env = build_env(data, keep_device=keep_device)
    result = run_build(root, env, parallel=parallel, jobs=jobs, strict=strict)
    elapsed = time.perf_counter() - start
    stage = "book build" if BUILD_LOG_START in result.stdout else "parallel execution"
    assert result.returncode == 0, f"{stage} failed:\n{result.stdout[-6000:]}"
    return result.stdout, elapsed


def _chapter(path: str) -> str:
    return Path(path).relative_to(Path(path).parents[1]).as_posix()


def executed_by_build(log: str) -> set[str]:
    """Chapters (as 'book/name') that jupyter-book itself executed (myst-nb's log)."""
    found = re.findall(r"(\S+)\.(?:md|ipynb): Executing notebook", log)
    return {_chapter(path) for path in found}


def executed_in_parallel(log: str) -> set[str]:
    """Chapters (as 'book/name') that ``tools/execute.py`` executed before the build."""
    found = re.findall(r"^(\S+)\.(?:md|ipynb): executed in parallel in", log, re.MULTILINE)
    return {_chapter(f"/{path}") for path in found}


def executed(log: str) -> set[str]:
    """Chapters (as 'book/name') that a build log says were executed, not served from cache,
    whether before the build (in parallel) or by it."""
    return executed_by_build(log) | executed_in_parallel(log)


NOTEBOOK_HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def small_book(root: Path, chapters: dict[str, str]) -> Path:
    """A book in ``root`` with the repository's configuration, an index and ``chapters``
    (name -> MyST text), for tests that build quickly."""
    root.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in (
        "_config.yml",
        "_ext",
        "_i18n",
        "_static",
        "_templates",
        "code",
        "requirements.txt",
        "requirements-lock.txt",
    ):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=ignore)
        else:
            shutil.copy2(source, root / name)
    (root / "book").mkdir(exist_ok=True)
    shutil.copy2(REPO / "book" / "references.bib", root / "book")  # _config.yml names it
    (root / "book" / "index.md").write_text("# Test book\n\n```{tableofcontents}\n```\n")
    for name, text in chapters.items():
        (root / "book" / f"{name}.md").write_text(text)
    # The real chapters link the others ({doc}`losses`): a title-only stub for each of those
    # keeps those links resolvable, so the small book builds as strictly as the whole one.
    stubs = [
        page.removeprefix("book/")
        for page in toc_files()
        if page != "book/index" and page.removeprefix("book/") not in chapters
    ]
    for name in stubs:
        lines = (REPO / "book" / f"{name}.md").read_text(encoding="utf-8").splitlines()
        heading = next((line[2:] for line in lines if line.startswith("# ")), name)
        (root / "book" / f"{name}.md").write_text(f"# {heading}\n\nA stub of this chapter.\n")
    toc = "format: jb-book\nroot: book/index\nchapters:\n" + "".join(
        f"  - file: book/{name}\n" for name in [*chapters, *stubs]
    )
    (root / "_toc.yml").write_text(toc)
    return root


def execute_in_parallel(
    root: Path, env: dict[str, str], jobs: int | None = None
) -> subprocess.CompletedProcess[str]:
    """``tools/execute.py`` on the book in ``root``, as ``make book`` runs it before the
    build: ``jobs`` chapters at a time, or its own default (``TORCHBOOK_JOBS``, every core)."""
    jobs_flag = ["--jobs", str(jobs)] if jobs else []
    return subprocess.run(
        [sys.executable, str(EXECUTE), *jobs_flag, str(root)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def run_build(
    root: Path,
    env: dict[str, str],
    *,
    parallel: bool,
    jobs: int | None = 2,
    strict: bool = True,
) -> subprocess.CompletedProcess[str]:
    """A build of ``root`` that may fail: :func:`execute_in_parallel` first when
    ``parallel`` (stopping there if it fails), then ``jupyter-book build`` (warnings are
    errors when ``strict``). The result's stdout holds both logs, the build's after
    ``BUILD_LOG_START``."""
    logs = ""
    if parallel:
        first = execute_in_parallel(root, env, jobs)
        logs = first.stdout + first.stderr
        if first.returncode != 0:
            return subprocess.CompletedProcess(first.args, first.returncode, logs, "")
    flags = ["-n", "-W", "--keep-going"] if strict else ["-n", "--keep-going"]
    second = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(root), *flags],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    logs += BUILD_LOG_START + second.stdout + second.stderr
    return subprocess.CompletedProcess(second.args, second.returncode, logs, "")


def executed_outputs(root: Path, name: str) -> list[object]:
    """Every code cell's outputs in the executed notebook of ``book/<name>``, as the page
    shows them: stream chunks joined exactly (``_ext/exact_streams.py``), since where the
    kernel happened to split its stdout is not part of the result."""
    import nbformat

    sys.path.insert(0, str(REPO / "_ext"))
    from exact_streams import coalesce_streams_exactly

    path = root / "_build" / "jupyter_execute" / "book" / f"{name}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    return [
        coalesce_streams_exactly(cell.get("outputs", []))
        for cell in notebook.cells
        if cell.cell_type == "code"
    ]
