"""Execute the book's chapters in parallel, into the execution cache the build then reads.

``jupyter-book build`` executes notebooks one after another. ``make book`` runs this first:
it selects the execution cache exactly as the build will (``_ext/package_cache.py``: the
same key, so MNIST is downloaded here, once, before any chapter runs), reads each chapter
of ``_toc.yml`` as myst-nb reads it, and executes those the cache lacks, several at a time,
the way myst-nb would (the chapter's folder as working directory, the configured timeout,
the environment ``_ext/build_environment.py`` sets). The results go into the cache under
the same notebook hash, so the build that follows finds every chapter there and executes
nothing; ``jupyter-book build .`` alone still works and executes whatever is missing.

Each chapter keeps the CPU thread count a serial build gives it (``TORCHBOOK_THREADS``, or
every core), so both ways of building print the same numbers. Running two chapters on two
cores with two torch threads each oversubscribes the cores; the chapters' timings, labelled
as measured on the building machine, are the only outputs that feel it.

Kernels talk over Unix sockets in folders of their own (no TCP ports for kernels started
together to collide on). A chapter that fails here, or shows no sign of life for too long
(its kernel not ready after 3 minutes, or one cell past the configured timeout), is not
cached: the build runs it again and reports what happens the usual way. Exit status: 0
unless the cache could not be chosen (bad data folder, required MNIST missing).

    python tools/execute.py [--jobs N] [ROOT]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
JOBS_ENV = "TORCHBOOK_JOBS"


@dataclass
class Chapter:
    """A chapter that needs executing: where it is and what myst-nb read from it."""

    path: Path
    notebook: str  # nbformat JSON (what crosses to a worker process)
    timeout: int | None
    allow_errors: bool
    estimate: float  # seconds it took last time (0: unknown), for scheduling


def default_jobs() -> int:
    """``TORCHBOOK_JOBS`` when set, else every core this process may use."""
    requested = os.environ.get(JOBS_ENV, "").strip()
    if requested:
        if not requested.isascii() or not requested.isdigit() or int(requested) < 1:
            raise ValueError(f"{JOBS_ENV}={requested!r}: expected a positive whole number")
        return int(requested)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def toc_entries(root: Path) -> list[str]:
    """Every file ``_toc.yml`` lists, in order, as written there (``book/tensors``); the
    tests' list of pages (``tests/_book.py``) reads the table of contents through it."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))

    def walk(entries: list[dict[str, object]]) -> list[str]:
        names = []
        for entry in entries:
            if "file" in entry:
                names.append(str(entry["file"]))
            for key in ("chapters", "sections", "parts"):
                names += walk(entry.get(key) or [])  # type: ignore[arg-type]
        return names

    return [str(toc["root"]), *walk([toc])]


def toc_sources(root: Path) -> list[Path]:
    """Every file ``_toc.yml`` lists, in order, as a path with its suffix."""
    paths = []
    for name in toc_entries(root):
        for candidate in (root / name, root / f"{name}.md", root / f"{name}.ipynb"):
            if candidate.is_file():
                paths.append(candidate)
                break
    return paths


def read_chapters(root: Path, cache_path: Path, config: dict) -> tuple[list[Chapter], int]:
    """The notebooks of the book that the cache lacks, and how many it already has."""
    import nbformat
    from jupyter_cache import get_cache
    from myst_nb.core.read import is_myst_markdown_notebook, read_myst_markdown_notebook
    from myst_parser.config.main import MdParserConfig

    execute = config.get("execute") or {}
    extensions = set((config.get("parse") or {}).get("myst_enable_extensions") or [])
    md_config = MdParserConfig(enable_extensions=extensions)
    cache = get_cache(str(cache_path))
    estimates = previous_runtimes(cache_path.parent)
    missing, cached = [], 0
    for path in toc_sources(root):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".ipynb":
            notebook = nbformat.reads(text, as_version=4)
        elif is_myst_markdown_notebook(text):
            notebook = read_myst_markdown_notebook(
                text, config=md_config, add_source_map=True, path=str(path)
            )
        else:
            continue  # plain markdown: nothing to execute
        try:
            cache.match_cache_notebook(notebook)
            cached += 1
            continue
        except KeyError:
            pass
        overrides = notebook.metadata.get("mystnb", {}) or {}
        missing.append(
            Chapter(
                path=path,
                notebook=nbformat.writes(notebook),
                timeout=overrides.get("execution_timeout", execute.get("timeout", 30)),
                allow_errors=bool(
                    overrides.get("execution_allow_errors", execute.get("allow_errors", False))
                ),
                estimate=estimates.get(str(path.resolve()), 0.0),
            )
        )
        if overrides.get("execution_in_temp", execute.get("run_in_temp", False)):
            raise SystemExit(f"{path}: run_in_temp is not supported by tools/execute.py")
    return missing, cached


def previous_runtimes(caches: Path) -> dict[str, float]:
    """Seconds each chapter (by path) took in the caches kept beside this one."""
    from jupyter_cache import get_cache

    times: dict[str, float] = {}
    for folder in sorted(caches.glob("pkg-*"), key=lambda p: p.stat().st_mtime):
        if not (folder / "global.db").is_file():
            continue
        try:
            for record in get_cache(str(folder)).list_cache_records():
                seconds = (record.data or {}).get("execution_seconds")
                if seconds:
                    times[record.uri] = float(seconds)
        except Exception:  # an old or damaged cache only loses us an estimate
            continue
    return times


def execute_one(
    path: str,
    notebook: str,
    timeout: int | None,
    allow_errors: bool,
    progress: Any = None,
) -> tuple[str, float, str | None]:
    """Run one notebook as myst-nb's cache mode does; (notebook JSON, seconds, error).

    The kernel talks over Unix sockets in a folder of its own where there are such (no TCP
    ports for kernels started at the same moment to collide on). ``progress`` (a queue)
    hears when the chapter starts, when its kernel is ready and after every cell, for the
    watchdog in :func:`run`.
    """
    import tempfile

    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution
    from traitlets.config import Config

    def tell(event: str, **_: object) -> None:
        if progress is not None:
            progress.put((path, event))

    tell("begin")
    nb = nbformat.reads(notebook, as_version=4)
    with tempfile.TemporaryDirectory(prefix="torchbook-kernel-") as sockets:
        config = Config()
        if os.name == "posix":  # nbclient still starts, watches and shuts down the kernel
            config.KernelManager.transport = "ipc"
            config.KernelManager.ip = f"{sockets}/kernel"
        result = single_nb_execution(
            nb,
            cwd=str(Path(path).parent),
            timeout=timeout,
            allow_errors=allow_errors,
            meta_override=True,
            config=config,
            on_notebook_start=lambda **kw: tell("ready"),
            on_cell_executed=lambda **kw: tell("cell"),
        )
    error = result.exc_string if result.err is not None else None
    return nbformat.writes(result.nb), result.time, error


# A chapter whose kernel is not ready this long after it began is stuck (nbclient's own
# startup timeout is 60 s); after that, a cell may take the configured timeout.
STARTUP_LIMIT_S = 180.0
SLACK_S = 120.0


def run(root: Path, jobs: int) -> int:
    """Fill the build's execution cache; return the number of chapters not cached (failed
    or stuck), which the build then executes itself."""
    sys.path.insert(0, str(root / "_ext"))
    import build_environment
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    import package_cache

    build_environment.apply()
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    mode = (config.get("execute") or {}).get("execute_notebooks", "auto")
    if mode != "cache":
        print(f"execute_notebooks is {mode!r}, not 'cache': nothing to pre-execute")
        return 0
    cache_path, summary = package_cache.select_cache(root, root / "_build")
    print(summary, flush=True)
    missing, cached = read_chapters(root, cache_path, config)
    if not missing:
        print(f"all {cached} notebooks are in the cache: nothing to execute", flush=True)
        return 0
    missing.sort(key=lambda chapter: -chapter.estimate)  # longest first: shortest wall time
    workers = max(1, min(jobs, len(missing)))
    print(
        f"executing {len(missing)} notebooks ({cached} cached) with {workers} at a time",
        flush=True,
    )
    cache = get_cache(str(cache_path))
    not_cached = 0
    total = 0.0
    start = time.perf_counter()
    # spawn, not fork: this process has imported torch (and on a GPU machine touched CUDA)
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        progress = manager.Queue()
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        futures = {
            pool.submit(
                execute_one, str(c.path), c.notebook, c.timeout, c.allow_errors, progress
            ): c
            for c in missing
        }
        # path -> (time of the last sign of life, kernel ready?)
        alive: dict[str, tuple[float, bool]] = {}
        pending = set(futures)
        abandoned = False
        while pending:
            done, pending = wait(pending, timeout=5, return_when=FIRST_COMPLETED)
            while not progress.empty():
                path, event = progress.get()
                ready = event != "begin" and (event == "ready" or alive.get(path, (0, 0))[1])
                alive[path] = (time.monotonic(), bool(ready))
            for future in done:
                chapter = futures[future]
                name = chapter.path.relative_to(root).as_posix()
                try:
                    notebook, seconds, error = future.result()
                except Exception as exc:  # the kernel died, the worker crashed...
                    notebook, seconds, error = "", 0.0, f"{type(exc).__name__}: {exc}"
                total += seconds
                if error is not None:
                    not_cached += 1
                    print(
                        f"{name}: failed after {seconds:.1f} s (not cached; the build will "
                        f"run it again and report it):\n{error}",
                        flush=True,
                    )
                    continue
                cache.cache_notebook_bundle(
                    CacheBundleIn(
                        nbformat.reads(notebook, as_version=4),
                        str(chapter.path.resolve()),
                        data={"execution_seconds": seconds},
                    ),
                    check_validity=False,
                    overwrite=True,
                )
                print(f"{name}: executed in parallel in {seconds:.2f} s", flush=True)
            now = time.monotonic()
            for future in list(pending):
                chapter = futures[future]
                seen, ready = alive.get(str(chapter.path), (None, False))
                limit = (chapter.timeout or 600) + SLACK_S if ready else STARTUP_LIMIT_S
                if seen is not None and now - seen > limit:
                    pending.discard(future)
                    not_cached += 1
                    abandoned = True
                    name = chapter.path.relative_to(root).as_posix()
                    print(
                        f"{name}: no sign of life for {now - seen:.0f} s "
                        f"({'a cell' if ready else 'its kernel never became ready'}); "
                        "abandoned, not cached: the build will run it",
                        flush=True,
                    )
        if abandoned:  # a stuck worker would keep the pool from closing
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
        pool.shutdown(wait=not abandoned, cancel_futures=True)
    wall = time.perf_counter() - start
    print(
        f"executed {len(missing) - not_cached} of {len(missing)} notebooks in {wall:.1f} s "
        f"({total:.1f} s of execution, {workers} at a time)",
        flush=True,
    )
    return not_cached


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default=str(REPO), help="the book (default: here)")
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=None,
        help=f"chapters at a time (default: ${JOBS_ENV}, else every core)",
    )
    args = parser.parse_args(argv)
    jobs = args.jobs if args.jobs is not None else default_jobs()
    if jobs < 1:
        parser.error(f"--jobs must be at least 1, got {jobs}")
    run(Path(args.root).resolve(), jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
