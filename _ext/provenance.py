"""A small line under each chapter's title: on what, with which torch, in how long it ran.

It is rendered from the build's execution records (myst-nb's), not printed by a cell, so
the cells' outputs stay reproducible while the reader still learns what produced the
numbers on the page. The device and versions are those of the building environment, which
is also the kernel's; ``package_cache`` keys the execution cache on the device too, so a
page served from the cache was executed on the same kind of device.
"""

from __future__ import annotations

import datetime
import platform

from docutils import nodes
from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.application import Sphinx

_SUMMARY: dict[str, str] = {}


def environment_summary() -> str:
    """Device, torch and Python versions, computed once per build."""
    if not _SUMMARY:
        import torch

        import torchbook

        _SUMMARY["text"] = (
            f"{torchbook.device_summary()} · torch {torch.__version__.split('+')[0]}"
            f" · Python {platform.python_version()}"
        )
    return _SUMMARY["text"]


def add_provenance(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    data = NbMetadataCollector.get_exec_data(app.env, docname)
    if not data or not data.get("succeeded"):
        return
    runtime = data.get("runtime")
    when = datetime.datetime.fromtimestamp(data["mtime"], tz=datetime.timezone.utc)
    parts = [f"Executed on {environment_summary()}"]
    if runtime is not None:
        parts.append(f"in {runtime:.1f} s")
    parts.append(f"on {when:%Y-%m-%d}")
    line = nodes.paragraph(classes=["torchbook-provenance"])
    line += nodes.Text(" ".join(parts[:1]) + " " + " ".join(parts[1:]) + ".")
    for section in doctree.findall(nodes.section):  # right under the chapter title
        title = next(iter(section.findall(nodes.title)), None)
        section.insert(section.index(title) + 1 if title is not None else 0, line)
        return


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("doctree-resolved", add_provenance)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
