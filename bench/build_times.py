"""Time the book's builds: clean, unchanged, one chapter edited, the package edited.

Works on a copy of the sources in a temporary folder, so the reader's own ``_build`` and
its cache are untouched. Prints a markdown report (also returned by :func:`measure` for
``bench/run.py``). Run as ``python bench/build_times.py``.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from _book import build, copy_sources  # noqa: E402  (the tests build the same copy of the sources)

# The budgets, in seconds (clean: on a 2-core CPU; on one H100 it is 180 s).
CLEAN_BUDGET_S = {"cpu": 600.0, "gpu": 180.0}
NO_CHANGE_BUDGET_S = 30.0


def _build(root: Path) -> tuple[float, str]:
    # As `make book` builds, offline: the budgets are for the fallback data, no download.
    log, seconds = build(root, root / "data", strict=False, keep_device=True)
    return seconds, log


def executed(log: str) -> dict[str, float]:
    """Chapter name -> execution seconds, for the chapters a build log says it executed."""
    times = re.findall(r"/book/([\w-]+)\.md: Executed notebook in ([\d.]+) seconds", log)
    return {name: float(seconds) for name, seconds in times}


Row = tuple[str, float, str, str]


def measure() -> tuple[list[Row], dict[str, float]]:
    """Rows (scenario, seconds, chapters executed, budget verdict) and per-chapter times of
    the clean build."""
    import torch

    kind = "gpu" if torch.cuda.is_available() else "cpu"
    with tempfile.TemporaryDirectory(prefix="torchbook-bench-") as folder:
        root = Path(folder)
        copy_sources(root)
        rows = []
        seconds, log = _build(root)
        per_chapter = executed(log)
        clean = CLEAN_BUDGET_S[kind]
        rows.append(
            (
                "clean build (empty cache)",
                seconds,
                f"{len(per_chapter)} chapters",
                _verdict(seconds <= clean, f"≤ {clean:.0f} s on {kind}"),
            )
        )
        seconds, log = _build(root)
        rows.append(
            (
                "no-change rebuild",
                seconds,
                ", ".join(executed(log)) or "none",
                _verdict(
                    seconds <= NO_CHANGE_BUDGET_S and not executed(log),
                    f"≤ {NO_CHANGE_BUDGET_S:.0f} s, nothing executed",
                ),
            )
        )
        chapter = root / "book" / "tensors.md"
        chapter.write_text(
            chapter.read_text().replace("import torch\n", "import torch  # edit\n", 1)
        )
        seconds, log = _build(root)
        rows.append(
            (
                "rebuild after editing tensors.md",
                seconds,
                ", ".join(executed(log)) or "none",
                _verdict(set(executed(log)) == {"tensors"}, "only tensors executed"),
            )
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
                _verdict(set(names) == set(per_chapter), "every chapter executed"),
            )
        )
    return rows, per_chapter


def _verdict(met: bool, budget: str) -> str:
    return f"{budget}: {'met' if met else '**NOT MET**'}"


def report(rows: list[Row], per_chapter: dict[str, float]) -> str:
    lines = ["| build | seconds | chapters executed | budget |", "|---|---:|---|---|"]
    lines += [
        f"| {name} | {seconds:.1f} | {what} | {budget} |" for name, seconds, what, budget in rows
    ]
    lines += ["", "| chapter | execution seconds (clean build) |", "|---|---:|"]
    lines += [
        f"| {name} | {seconds:.1f} |"
        for name, seconds in sorted(per_chapter.items(), key=lambda kv: -kv[1])
    ]
    lines.append(f"| **total** | **{sum(per_chapter.values()):.1f}** |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(*measure()))
