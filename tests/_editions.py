"""The four editions built once for the test session (``conftest.py``'s ``editions``).

A copy of the book as the session's strict build left it (its sources and its execution
cache, ``book["root"]``) is built again in English and then in every translated edition with
its PDFs (``tools/editions.py --strict``), all with a Jupyter kernel that cannot start: a
chapter missing from the cache fails the build instead of being executed. Two catalogues of
the copy are made incomplete first, so that the banner and the status page have something
to show: one message of the Estonian setup chapter is emptied and one of the Russian one is
marked fuzzy.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _book import JUPYTER_BOOK, REPO, build_env

EDITIONS_TOOL = REPO / "tools" / "editions.py"
# (language, chapter): how the copy's catalogue is spoiled
UNTRANSLATED = ("et", "book/setup")
FUZZY = ("ru", "book/setup")
NO_KERNEL = {"argv": ["/bin/false"], "display_name": "no execution", "language": "python"}


def cache_files(cache: Path) -> dict[str, object]:
    """What the execution caches hold: every executed notebook's file with its size and
    time, and every record (notebook, hash, when it was cached). Not the database's own
    time: jupyter-cache notes when a record was last read."""
    from jupyter_cache import get_cache

    found: dict[str, object] = {
        path.relative_to(cache).as_posix(): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(cache.rglob("*"))
        if path.is_file() and path.parent.parent != cache  # not global.db or the key
    }
    for folder in sorted(cache.glob("pkg-*")):
        if (folder / "global.db").is_file():
            found[folder.name] = sorted(
                (r.uri, r.hashkey, str(r.created))
                for r in get_cache(str(folder)).list_cache_records()
            )
    return found


def spoil(root: Path) -> None:
    """Leave one message untranslated (et) and one fuzzy (ru) in the setup chapter."""
    from babel.messages.pofile import read_po, write_po

    for (language, docname), how in ((UNTRANSLATED, "empty"), (FUZZY, "fuzzy")):
        path = root / "locales" / language / "LC_MESSAGES" / f"{docname}.po"
        with path.open("rb") as handle:
            catalogue = read_po(handle)
        message = next(m for m in catalogue if m.id and m.string)
        if how == "empty":
            message.string = ""
        else:
            message.flags.add("fuzzy")
        with path.open("wb") as handle:
            write_po(handle, catalogue, width=76)


def build_editions(book: dict[str, object], workdir: Path) -> dict[str, object]:
    """Build the copy; return where it is, the two logs and what the cache looked like."""
    source = Path(book["root"])  # type: ignore[arg-type]
    root = workdir / "book"
    root.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.mo")
    for entry in source.iterdir():
        if entry.name == "_build":
            continue
        if entry.is_dir():
            shutil.copytree(entry, root / entry.name, ignore=ignore)
        else:
            shutil.copy2(entry, root / entry.name)
    for name in (".jupyter_cache", ".image_cache"):
        if (source / "_build" / name).is_dir():
            shutil.copytree(source / "_build" / name, root / "_build" / name)
    spoil(root)
    kernels = workdir / "no-kernel"
    (kernels / "kernels" / "python3").mkdir(parents=True)
    (kernels / "kernels" / "python3" / "kernel.json").write_text(json.dumps(NO_KERNEL))
    env = build_env(Path(book["data"]))  # type: ignore[arg-type]
    env["JUPYTER_PATH"] = str(kernels)
    before = cache_files(root / "_build" / ".jupyter_cache")
    start = time.perf_counter()
    english = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(root), "-n", "-W", "--keep-going"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert english.returncode == 0, f"English build failed:\n{english.stdout[-6000:]}"
    english_seconds = time.perf_counter() - start
    start = time.perf_counter()
    editions = subprocess.run(
        [sys.executable, str(EDITIONS_TOOL), "--strict", str(root)],  # default --jobs
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    log = editions.stdout + editions.stderr
    assert editions.returncode == 0, f"the editions' build failed:\n{log[-8000:]}"
    return {
        "root": root,
        "site": root / "_build" / "html",
        "english_log": english.stdout + english.stderr,
        "log": log,
        "seconds": (english_seconds, time.perf_counter() - start),
        "cache_before": before,
        "cache_after": cache_files(root / "_build" / ".jupyter_cache"),
    }
