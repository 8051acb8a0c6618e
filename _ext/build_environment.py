"""Set the environment the chapters' kernels inherit, whoever starts the build.

``make book`` sets these too, but a reader may run ``jupyter-book build .`` directly. A
progress bar in a static page is noise (and, written to stderr, a build failure), so bars
are switched off; hash seeds are fixed so that set and dict orders repeat between builds.

torch's CPU threads are OpenMP threads, which by default spin while they wait for work.
On a machine whose cores are shared (two chapters executed at once, or anyone else's
processes) the spinning threads take the cores from the threads with work to do: one
chapter (mnist-mlp) took 190 s instead of 14 s on a loaded 2-core machine. Passive waiting
changes when a thread sleeps, never how work is split, so the numbers are the same.
"""

from __future__ import annotations

import os

from sphinx.application import Sphinx

SETTINGS = {"TQDM_DISABLE": "1", "PYTHONHASHSEED": "0", "OMP_WAIT_POLICY": "PASSIVE"}


def apply() -> None:
    """Set what is not set already; kernels are started with this environment.

    ``tools/execute.py`` calls it too, so chapters executed in parallel before the build
    see what chapters executed by the build see.
    """
    for name, value in SETTINGS.items():
        os.environ.setdefault(name, value)


def setup(app: Sphinx) -> dict[str, object]:
    apply()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
