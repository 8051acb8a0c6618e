"""Publish only the part of the offline MathJax that the pages can load: 4.8 MB, not 24.1 MB.

The book must render its mathematics when built and read without a network (the tests
look at pages in a browser that has none). ``sphinx-mathjax-offline``, loaded here, does
that: it points ``mathjax_path`` at ``_static/mathjax/tex-chtml.js`` and copies all of
MathJax 3.2.2 into the site: 24,124,455 bytes in 106 files, most of them other bundles
(SVG output, MathML input) and speech rules for a dozen languages. What this adds is only the
clean-up after that copy: it deletes all but :data:`KEEP`, what ``tex-chtml.js``, its menu
(the accessibility explorer included) and its fonts can load, leaving 4,804,271 bytes in 80
files. Measured on the whole book (2026-11-30): the published site is 32.3 MB instead of
51.7 MB. A page loads the same files either way (the Tensors page: ``tex-chtml.js`` and
five fonts, 1,227,133 bytes, shared by every page), so page weights do not change.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx

KEEP = (
    "tex-chtml.js",
    "input",
    "output/chtml",
    "output/chtml.js",
    "ui",
    "a11y",
    "adaptors",
    # the menu's accessibility explorer (speech) reads these; English only, as the book
    "sre/mathmaps/base.json",
    "sre/mathmaps/en.json",
)


def unused(folder: Path, root: Path | None = None) -> list[Path]:
    """The files and folders under ``folder`` (MathJax's) that :data:`KEEP` leaves out."""
    root = folder if root is None else root
    found = []
    for path in sorted(folder.iterdir()):
        name = path.relative_to(root).as_posix()
        if name in KEEP:
            continue
        if path.is_dir() and any(keep.startswith(f"{name}/") for keep in KEEP):
            found += unused(path, root)
        else:
            found.append(path)
    return found


def drop_unused_mathjax(app: Sphinx, exception: Exception | None) -> None:
    folder = Path(app.outdir) / "_static" / "mathjax"
    if exception is not None or app.builder.format != "html" or not folder.is_dir():
        return
    for path in unused(folder):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def setup(app: Sphinx) -> dict[str, object]:
    app.setup_extension("sphinx-mathjax-offline")  # its copy runs at priority 500, then ours
    app.connect("build-finished", drop_unused_mathjax, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
