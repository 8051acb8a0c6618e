"""Helpers for the tests that build the whole book (``tests/conftest.py``'s ``book``
fixture, ``test_book.py``, ``test_launch.py``, ``test_browser.py``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
SOURCES = ("_config.yml", "_toc.yml", "_ext", "_static", "book", "code", "requirements.txt")


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


def build(root: Path, data: Path) -> tuple[str, float]:
    """Build the book in ``root`` strictly, offline; return the log and the time taken."""
    env = dict(os.environ, TORCHBOOK_DATA=str(data), TORCHBOOK_OFFLINE="1", TQDM_DISABLE="1")
    env.pop("TORCHBOOK_DEVICE", None)
    start = time.perf_counter()
    result = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(root), "-n", "-W", "--keep-going"],
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
