"""Set the environment the chapters' kernels inherit, whoever starts the build.

``make book`` sets these too, but a reader may run ``jupyter-book build .`` directly. A
progress bar in a static page is noise (and, written to stderr, a build failure), so bars
are switched off; hash seeds are fixed so that set and dict orders repeat between builds.
"""

from __future__ import annotations

import os

from sphinx.application import Sphinx

SETTINGS = {"TQDM_DISABLE": "1", "PYTHONHASHSEED": "0"}


def setup(app: Sphinx) -> dict[str, object]:
    for name, value in SETTINGS.items():
        os.environ.setdefault(name, value)  # kernels are started with this environment
    return {"parallel_read_safe": True, "parallel_write_safe": True}
