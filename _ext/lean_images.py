"""Recompress the published figures losslessly.

The figures are matplotlib's retina PNGs (``torchbook.plot``): RGBA with an alpha channel
that is opaque everywhere, compressed with matplotlib's quick zlib settings. oxipng
rewrites each one pixel for pixel the same, smaller: it drops the unused alpha channel,
chooses better row filters and strips the metadata chunks. The page weight budget of
``tests/test_browser.py`` (1,500,000 bytes of HTML and figures a page) needs it: measured
on the whole book (offline build, 2026-11-30), Optimizers weighs 1,361,665 bytes with it
and 1,832,559 without; the pages' own weight totals 8,998,935 bytes instead of 11,026,932.

Sphinx copies the figures into ``_images/`` whenever it writes their page, so the results
are cached under ``_build/.image_cache`` by the hash of what was copied (and an empty
``<hash>.done`` marks a file that is already recompressed): a rebuild recompresses only new
figures. The output is deterministic (the reproducibility test compares the figures of
two builds byte for byte). Without pyoxipng installed the figures are left as they are.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)
LEVEL = 1  # oxipng's effort: 1 is quick and gets nearly all of the gain on these plots


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def recompress(data: bytes) -> bytes:
    """The PNG ``data``, losslessly smaller (or unchanged when that is not smaller)."""
    import oxipng

    smaller = oxipng.optimize_from_memory(data, level=LEVEL, strip=oxipng.StripChunks.safe())
    return smaller if len(smaller) < len(data) else data


def recompress_images(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    try:
        import oxipng  # noqa: F401
    except ImportError:
        LOGGER.info("pyoxipng is not installed: figures are published as matplotlib wrote them")
        return
    images = sorted((Path(app.outdir) / "_images").glob("*.png"))
    cache = Path(app.outdir).parent / ".image_cache"
    cache.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    for path in images:
        data = path.read_bytes()
        key = _digest(data)
        used.add(key)
        if (cache / f"{key}.done").is_file():  # recompressed already
            continue
        cached = cache / f"{key}.png"
        if cached.is_file():
            smaller = cached.read_bytes()
        else:
            smaller = recompress(data)
            cached.write_bytes(smaller)
        done = _digest(smaller)
        (cache / f"{done}.done").touch()
        used.add(done)
        path.write_bytes(smaller)
    for old in cache.iterdir():  # keep the cache the size of the current figures
        if old.stem not in used:
            old.unlink()


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("build-finished", recompress_images)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
