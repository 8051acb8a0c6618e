"""Re-execute the chapters when anything that decides their outputs changes.

jupyter-cache keys a notebook on its own cells only, so after an edit under
``code/torchbook/`` it would happily serve outputs (and figures) drawn by the old code.
This extension names the execution cache after a hash of everything else that decides
what the chapters print:

- the package's sources, the requirements and their lock, these extensions (they set the
  kernels' environment);
- the versions of every installed distribution (what the lock installed, or whatever
  else is there);
- the device the chapters will run on, with its CPU thread count;
- the data the chapters read: MNIST (a digest of its four files) or the offline stand-in.
  MNIST is downloaded here, once, before any chapter runs (:func:`prepare_data`).

A change selects another cache (empty the first time), and Sphinx, seeing a changed config
value, re-reads and re-executes every page; reverting the change finds the old cache
again. Only the newest few caches are kept. ``tools/execute.py`` (``make book``) fills the
same cache in parallel before the build, through :func:`select_cache`.

A page served from the cache shows the cached outputs, but myst-nb writes the notebook it
read, without them, to ``_build/jupyter_execute``, from where the page's download button
offers it; :func:`keep_outputs_in_the_download` puts the outputs back.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)
KEEP_CACHES = 3
SOURCES = ["code/torchbook", "code/pyproject.toml", "requirements.txt", "_ext"]
# Hashed when present (a copy of the book made for a test may lack them).
OPTIONAL_SOURCES = ["requirements-lock.txt"]
# Tools that install packages; their versions do not reach a page.
_UNKEYED_DISTRIBUTIONS = {"pip", "setuptools", "wheel", "uv"}
_SKIPPED_PARTS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
KEY_FILE = "torchbook-key.txt"


def sources_digest(
    root: Path, sources: list[str], extra: str = "", optional: tuple[str, ...] = ()
) -> str:
    """A short hash of the names and bytes of all files under ``sources`` (relative to root),
    of those ``optional`` ones that exist, and of ``extra`` (what else decides the outputs,
    such as the device)."""
    digest = hashlib.sha256(extra.encode())
    for source in [*sources, *optional]:
        base = root / source
        if not base.exists():
            if source in optional:
                digest.update(f"absent {source}\0".encode())
                continue
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


def installed_versions() -> str:
    """``name==version`` of every installed distribution but the installers, sorted."""
    found = set()
    for distribution in importlib.metadata.distributions():
        name = (distribution.metadata["Name"] or "").lower().replace("_", "-")
        if name and name not in _UNKEYED_DISTRIBUTIONS:
            found.add(f"{name}=={distribution.version}")
    return "\n".join(sorted(found))


def prepare_data() -> str:
    """Download MNIST if it is missing and may be downloaded; return the data source.

    A failed download is logged as a warning with its whole error, and the chapters' kernels
    are told not to try again (``TORCHBOOK_OFFLINE=1``): they use the fallback, which the
    cache key then names. A partial folder, or no MNIST under ``TORCHBOOK_REQUIRE_MNIST=1``,
    stops the build here with ``DataFolderError``.
    """
    from torchbook.data import OFFLINE_ENV_VAR, prepare_mnist

    source, failure = prepare_mnist()
    if failure is not None:
        LOGGER.warning(
            f"MNIST could not be downloaded, so the chapters use scikit-learn's digits: {failure}"
        )
        os.environ[OFFLINE_ENV_VAR] = "1"  # inherited by the kernels: no chapter retries
    return source


def cache_key(root: Path, sources: list[str] | None = None) -> tuple[str, str, str]:
    """The cache's digest, a one-line summary and a full account of what it digests."""
    import torch  # its build (+cu130, +cpu) is in its version string, not in its metadata

    import torchbook  # the device the chapters will pick: GPU and CPU outputs differ

    device = f"{torchbook.device_summary()}, torch {torch.__version__}"
    data = prepare_data()
    versions = installed_versions()
    extra = f"device: {device}\ndata: {data}\n{versions}"
    digest = sources_digest(
        root, list(sources or SOURCES), extra=extra, optional=tuple(OPTIONAL_SOURCES)
    )
    files = ", ".join([*(sources or SOURCES), *OPTIONAL_SOURCES])
    count = len(versions.splitlines())
    summary = f"execution cache pkg-{digest} (device {device}; data {data}; {count} packages)"
    account = (
        f"{summary}\nkeyed on the files {files}, and on\n"
        f"device: {device}\ndata: {data}\ndistributions:\n{versions}\n"
    )
    return digest, summary, account


def select_cache(root: Path, build_dir: Path, sources: list[str] | None = None) -> tuple[Path, str]:
    """The cache folder for the current key under ``build_dir/.jupyter_cache`` (created,
    marked most recently used, older ones pruned), and a one-line summary of the key."""
    digest, summary, account = cache_key(root, sources)
    parent = build_dir / ".jupyter_cache"
    cache = parent / f"pkg-{digest}"
    cache.mkdir(parents=True, exist_ok=True)
    (cache / KEY_FILE).write_text(account)
    os.utime(cache)  # mark as most recently used
    _prune(parent, cache)
    return cache, summary


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
    """Point myst-nb's execution cache at the folder for the current key."""
    root = Path(app.confdir)
    cache, summary = select_cache(
        root, Path(app.outdir).parent, list(config.torchbook_cache_sources)
    )
    config.nb_execution_cache_path = str(cache)
    LOGGER.info(f"{summary}; {KEY_FILE} there lists the rest")


def keep_outputs_in_the_download(app: Sphinx, doctree: nodes.document) -> None:
    """Merge the cached outputs into ``jupyter_execute/<page>.ipynb`` when the page was
    served from the cache (myst-nb writes it without them)."""
    import nbformat
    from jupyter_cache import get_cache
    from myst_nb.ext.glue import extract_glue_data_cell

    path = Path(app.outdir).parent / "jupyter_execute" / f"{app.env.docname}.ipynb"
    cache_path = getattr(app.config, "nb_execution_cache_path", "")
    if not path.is_file() or not cache_path:
        return
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    if not code or any(cell.get("outputs") for cell in code):
        return  # nothing to run, or executed by this build: complete already
    try:
        _, merged = get_cache(cache_path).merge_match_into_notebook(notebook)
    except KeyError:
        return
    for cell in merged.cells:
        if cell.cell_type == "code":
            extract_glue_data_cell(cell)  # as myst-nb does: glued values leave the outputs
    nbformat.write(merged, path)


def setup(app: Sphinx) -> dict[str, object]:
    app.add_config_value("torchbook_cache_sources", list(SOURCES), "env")
    # after myst-nb's own config handling, before any page is read
    app.connect("config-inited", choose_cache, priority=900)
    app.connect("doctree-read", keep_outputs_in_the_download)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
