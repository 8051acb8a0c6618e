"""Time the book's builds: clean, unchanged, one chapter edited, the package edited.

Each is built as ``make book`` builds: ``tools/execute.py`` executes what the cache lacks,
several chapters at a time, then ``jupyter-book build`` reads them from the cache. Then the
parallel execution alone is timed from an empty cache with 1, 2, 4... workers. Works on
copies of the sources in temporary folders, so the reader's own ``_build`` and its cache
are untouched. Prints a markdown report (also returned by :func:`measure` for
``bench/run.py``), with the load average before and after each measurement: other
processes slow every build down. Run as ``python bench/build_times.py [--jobs 1 2 4]``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
# the tests build the same copy of the sources, the same way
from _book import build, build_env, copy_sources, execute_in_parallel  # noqa: E402

# The budgets, in seconds (clean: on a 2-core CPU, as on one GPU).
CLEAN_BUDGET_S = {"cpu": 180.0, "gpu": 180.0}
NO_CHANGE_BUDGET_S = 10.0


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def _build(root: Path) -> tuple[float, str, str]:
    # As `make book` builds, offline: the budgets are for the fallback data, no download.
    before = _load()
    log, seconds = build(root, root / "data", strict=False, keep_device=True)
    return seconds, log, f"{before} → {_load()}"


def executed(log: str) -> dict[str, float]:
    """Chapter name -> execution seconds, for the chapters a build log says it executed
    (in parallel before the build, or by the build itself)."""
    times = re.findall(r"/book/([\w-]+)\.md: Executed notebook in ([\d.]+) seconds", log)
    times += re.findall(
        r"^book/([\w-]+)\.md: executed in parallel in ([\d.]+) s", log, re.MULTILINE
    )
    return {name: float(seconds) for name, seconds in times}


Row = tuple[str, float, str, str, str]
JobsRow = tuple[int, float, float, str]


def measure_jobs(jobs: int) -> JobsRow:
    """(workers, wall seconds, summed chapter seconds, load) of ``tools/execute.py`` alone
    from an empty cache."""
    with tempfile.TemporaryDirectory(prefix="torchbook-bench-jobs-") as folder:
        root = Path(folder)
        copy_sources(root)
        before = _load()
        start = time.perf_counter()
        result = execute_in_parallel(root, build_env(root / "data", keep_device=True), jobs)
        wall = time.perf_counter() - start
        load = f"{before} → {_load()}"
        if result.returncode != 0 or "not cached" in result.stdout:
            load += " (**some chapters failed**)"
        print(f"  {jobs} workers: {wall:.1f} s", file=sys.stderr, flush=True)
        return jobs, wall, sum(executed(result.stdout).values()), load


def measure(
    jobs_list: tuple[int, ...] = (),
) -> tuple[list[Row], dict[str, float], list[JobsRow]]:
    """Rows (scenario, seconds, chapters executed, budget verdict, load) and per-chapter
    times of the clean build, and the parallel execution alone for each of ``jobs_list``."""
    import torch

    kind = "gpu" if torch.cuda.is_available() else "cpu"
    with tempfile.TemporaryDirectory(prefix="torchbook-bench-") as folder:
        root = Path(folder)
        copy_sources(root)
        rows = []
        seconds, log, load = _build(root)
        per_chapter = executed(log)
        clean = CLEAN_BUDGET_S[kind]
        rows.append(
            (
                "clean build (empty cache)",
                seconds,
                f"{len(per_chapter)} chapters",
                _verdict(seconds <= clean, f"≤ {clean:.0f} s on {kind}"),
                load,
            )
        )
        seconds, log, load = _build(root)
        rows.append(
            (
                "no-change rebuild",
                seconds,
                ", ".join(executed(log)) or "none",
                _verdict(
                    seconds <= NO_CHANGE_BUDGET_S and not executed(log),
                    f"≤ {NO_CHANGE_BUDGET_S:.0f} s, nothing executed",
                ),
                load,
            )
        )
        chapter = root / "book" / "tensors.md"
        chapter.write_text(
            chapter.read_text().replace("import torch\n", "import torch  # edit\n", 1)
        )
        seconds, log, load = _build(root)
        rows.append(
            (
                "rebuild after editing tensors.md",
                seconds,
                ", ".join(executed(log)) or "none",
                _verdict(set(executed(log)) == {"tensors"}, "only tensors executed"),
                load,
            )
        )
        module = root / "code" / "torchbook" / "reproducibility.py"
        module.write_text(module.read_text() + "\n# an edit to the package\n")
        seconds, log, load = _build(root)
        names = executed(log)
        rows.append(
            (
                "rebuild after editing code/torchbook/",
                seconds,
                f"{len(names)} chapters: all"
                if set(names) == set(per_chapter)
                else ", ".join(names),
                _verdict(set(names) == set(per_chapter), "every chapter executed"),
                load,
            )
        )
    return rows, per_chapter, [measure_jobs(jobs) for jobs in jobs_list]


def _verdict(met: bool, budget: str) -> str:
    return f"{budget}: {'met' if met else '**NOT MET**'}"


def report(rows: list[Row], per_chapter: dict[str, float], jobs_rows: list[JobsRow]) -> str:
    workers = os.environ.get("TORCHBOOK_JOBS") or f"{len(os.sched_getaffinity(0))} (every core)"
    lines = [
        f"Built as `make book` builds: chapters executed {workers} at a time, then the "
        "build. Load: the 1-minute load average before → after each.",
        "",
        "| build | seconds | chapters executed | budget | load |",
        "|---|---:|---|---|---|",
    ]
    lines += [
        f"| {name} | {seconds:.1f} | {what} | {budget} | {load} |"
        for name, seconds, what, budget, load in rows
    ]
    if jobs_rows:
        lines += [
            "",
            "Executing every chapter from an empty cache (`tools/execute.py --jobs N` alone, "
            "no Sphinx):",
            "",
            "| workers | wall seconds | chapter seconds (sum) | speed-up over 1 | load |",
            "|---:|---:|---:|---:|---|",
        ]
        base = next((wall for jobs, wall, _, _ in jobs_rows if jobs == 1), None)
        for jobs, wall, total, load in jobs_rows:
            speedup = f"{base / wall:.2f}" if base else "–"
            lines.append(f"| {jobs} | {wall:.1f} | {total:.1f} | {speedup} | {load} |")
    lines += ["", "| chapter | execution seconds (clean build) |", "|---|---:|"]
    lines += [
        f"| {name} | {seconds:.1f} |"
        for name, seconds in sorted(per_chapter.items(), key=lambda kv: -kv[1])
    ]
    lines.append(f"| **total** | **{sum(per_chapter.values()):.1f}** |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--jobs", type=int, nargs="*", default=[], help="also time execution alone with N workers"
    )
    args = parser.parse_args()
    print(report(*measure(tuple(args.jobs))))


if __name__ == "__main__":
    main()
