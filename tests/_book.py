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

import yaml

REPO = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
SOURCES = ("_config.yml", "_toc.yml", "_ext", "_static", "book", "code", "requirements.txt")


def copy_sources(target: Path) -> None:
    """Copy what a build reads (not ``_build``, caches or notebooks) into ``target``.

    Also used by ``bench/build_times.py``, so that the tests and the benchmark build the
    same book.
    """
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "_build", "*.ipynb")
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            shutil.copy2(source, target / name)


def _entries(entries: list[dict[str, object]]) -> list[str]:
    files = []
    for entry in entries:
        if "file" in entry:
            files.append(str(entry["file"]).removesuffix(".md"))
        for key in ("chapters", "sections", "parts"):
            files += _entries(entry.get(key) or [])
    return files


def toc_files() -> list[str]:
    """Every page ``_toc.yml`` lists, as ``book/name``, in order."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    return [toc["root"], *_entries([toc])]


def executes(name: str) -> bool:
    """True for chapters with code cells, i.e. notebooks the build executes."""
    return "```{code-cell}" in (REPO / f"{name}.md").read_text()


def build(
    root: Path, data: Path, *, strict: bool = True, keep_device: bool = False
) -> tuple[str, float]:
    """Build the book in ``root`` offline; return the log and the time taken.

    ``strict`` makes warnings errors (the tests); without it the build is ``make book``'s
    (the benchmark). The tests let the book pick its device; ``keep_device`` honours a
    ``TORCHBOOK_DEVICE`` set by whoever runs the benchmark.
    """
    env = dict(os.environ, TORCHBOOK_DATA=str(data), TORCHBOOK_OFFLINE="1", TQDM_DISABLE="1")
    if not keep_device:
        env.pop("TORCHBOOK_DEVICE", None)
    flags = ["-n", "-W", "--keep-going"] if strict else ["-n", "--keep-going"]
    start = time.perf_counter()
    result = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(root), *flags],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    elapsed = time.perf_counter() - start
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"book build failed:\n{log[-6000:]}"
    return log, elapsed


def executed(log: str) -> set[str]:
    """Chapters (as 'book/name') that a build log says were executed, not served from cache."""
    found = re.findall(r"(\S+)\.(?:md|ipynb): Executing notebook", log)
    return {Path(path).relative_to(Path(path).parents[1]).as_posix() for path in found}
