"""Re-execute the chapters when the code they import changes.

jupyter-cache keys a notebook on its own cells only, so after an edit under
``code/torchbook/`` it would happily serve outputs (and figures) drawn by the old code.
This extension names the execution cache after a hash of the package's sources, the
pinned requirements, these extensions (they set the kernels' environment) and the device
the chapters will run on: a change selects an empty cache, and Sphinx, seeing a changed
config value, re-reads and re-executes every page; reverting the change finds the old
cache again. Only the newest few caches are kept.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)
KEEP_CACHES = 3
_SKIPPED_PARTS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}


def sources_digest(root: Path, sources: list[str], extra: str = "") -> str:
    """A short hash of the names and bytes of all files under ``sources`` (relative to root),
    and of ``extra`` (what else decides the outputs, such as the device)."""
    digest = hashlib.sha256(extra.encode())
    for source in sources:
        base = root / source
        if not base.exists():
            raise FileNotFoundError(
                f"torchbook_cache_sources names {source!r}, not found in {root}"
            )
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in files:
            relative = path.relative_to(root)
            if _SKIPPED_PARTS.intersection(relative.parts) or path.suffix in {".pyc", ".pyo"}:
                continue
            if any(part.endswith(".egg-info") for part in relative.parts):
                continue
            digest.update(relative.as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _prune(parent: Path, keep: Path) -> None:
    """Delete all but the ``KEEP_CACHES`` most recently used caches."""
    caches = sorted(
        (p for p in parent.glob("pkg-*") if p.is_dir()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in [p for p in caches if p != keep][KEEP_CACHES - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def choose_cache(app: Sphinx, config: Config) -> None:
    """Point myst-nb's execution cache at the folder for the current package sources."""
    root = Path(app.confdir)
    import torchbook  # the device the chapters will pick: GPU and CPU outputs differ

    device = torchbook.device_summary()
    digest = sources_digest(root, list(config.torchbook_cache_sources), extra=device)
    parent = Path(app.outdir).parent / ".jupyter_cache"
    cache = parent / f"pkg-{digest}"
    cache.mkdir(parents=True, exist_ok=True)
    os.utime(cache)  # mark as most recently used
    _prune(parent, cache)
    config.nb_execution_cache_path = str(cache)
    LOGGER.info(f"package sources digest {digest}: execution cache {cache}")


def setup(app: Sphinx) -> dict[str, object]:
    app.add_config_value(
        "torchbook_cache_sources",
        ["code/torchbook", "code/pyproject.toml", "requirements.txt", "_ext"],
        "env",
    )
    # after myst-nb's own config handling, before any page is read
    app.connect("config-inited", choose_cache, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
