"""Time the book's builds: clean, unchanged, one chapter edited, the package edited.

Works on a copy of the sources in a temporary folder, so the reader's own ``_build`` and
its cache are untouched. Prints a markdown report (also returned by :func:`measure` for
``bench/run.py``). Run as ``python bench/build_times.py``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("_config.yml", "_toc.yml", "_ext", "_static", "book", "code", "requirements.txt")
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"


def _copy(target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "_build", "*.ipynb")
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            shutil.copy2(source, target / name)


def _build(root: Path) -> tuple[float, str]:
    env = dict(os.environ, TQDM_DISABLE="1", PYTHONHASHSEED="0")
    start = time.perf_counter()
    result = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(root), "-n", "--keep-going"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    seconds = time.perf_counter() - start
    log = result.stdout + result.stderr
    if result.returncode != 0:
        raise SystemExit(f"build failed:\n{log[-4000:]}")
    return seconds, log


def executed(log: str) -> dict[str, float]:
    """Chapter name -> execution seconds, for the chapters a build log says it executed."""
    times = re.findall(r"/book/([\w-]+)\.md: Executed notebook in ([\d.]+) seconds", log)
    return {name: float(seconds) for name, seconds in times}


def measure() -> tuple[list[tuple[str, float, str]], dict[str, float]]:
    """Rows (scenario, seconds, chapters executed) and per-chapter times of the clean build."""
    with tempfile.TemporaryDirectory(prefix="torchbook-bench-") as folder:
        root = Path(folder)
        _copy(root)
        rows = []
        seconds, log = _build(root)
        per_chapter = executed(log)
        rows.append(("clean build (empty cache)", seconds, f"{len(per_chapter)} chapters"))
        seconds, log = _build(root)
        rows.append(("no-change rebuild", seconds, ", ".join(executed(log)) or "none"))
        chapter = root / "book" / "tensors.md"
        chapter.write_text(
            chapter.read_text().replace("import torch\n", "import torch  # edit\n", 1)
        )
        seconds, log = _build(root)
        rows.append(
            ("rebuild after editing tensors.md", seconds, ", ".join(executed(log)) or "none")
        )
        module = root / "code" / "torchbook" / "seed.py"
        module.write_text(module.read_text() + "\n# an edit to the package\n")
        seconds, log = _build(root)
        names = executed(log)
        rows.append(
            (
                "rebuild after editing code/torchbook/",
                seconds,
                f"{len(names)} chapters: all"
                if set(names) == set(per_chapter)
                else ", ".join(names),
            )
        )
    return rows, per_chapter


def report(rows: list[tuple[str, float, str]], per_chapter: dict[str, float]) -> str:
    lines = ["| build | seconds | chapters executed |", "|---|---:|---|"]
    lines += [f"| {name} | {seconds:.1f} | {what} |" for name, seconds, what in rows]
    lines += ["", "| chapter | execution seconds (clean build) |", "|---|---:|"]
    lines += [
        f"| {name} | {seconds:.1f} |"
        for name, seconds in sorted(per_chapter.items(), key=lambda kv: -kv[1])
    ]
    lines.append(f"| **total** | **{sum(per_chapter.values()):.1f}** |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(*measure()))
