"""Serve MathJax from the book itself instead of a CDN.

The book must render its mathematics when built and read without a network (and the
tests look at pages in a browser that has none). The files come from the
``sphinx-mathjax-offline`` package; only what the TeX-to-HTML renderer loads is copied,
about 4 MB instead of the package's 24 MB.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util.fileutil import copy_asset

PACKAGE = "sphinx-mathjax-offline"
NEEDED = ("tex-chtml.js", "input", "output/chtml", "output/chtml.js", "ui", "a11y", "adaptors")


def _mathjax_folder() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"{PACKAGE} is not installed: pip install -r requirements.txt")
    return Path(spec.origin).parent / "static" / "mathjax"


def use_local_mathjax(app: Sphinx, config: Config) -> None:
    _mathjax_folder()  # fail at start-up, not after an hour of execution
    config.mathjax_path = "mathjax/tex-chtml.js"


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source = _mathjax_folder()
    target = Path(app.outdir) / "_static" / "mathjax"
    for name in NEEDED:
        path = source / name
        if path.is_dir():
            copy_asset(str(path), str(target / name))
        else:
            target.joinpath(name).parent.mkdir(parents=True, exist_ok=True)
            copy_asset(str(path), str(target / Path(name).parent))


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("config-inited", use_local_mathjax)
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
