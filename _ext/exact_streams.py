"""Works around MyST-NB #664 (a split print gains a blank line); not fixed as of myst-nb 1.4.0.

The kernel sends stdout in chunks whose boundaries depend on timing. myst-nb's
``coalesce_streams`` (``nb_merge_streams``) strips the end of every chunk before joining
them (since MyST-NB #604, released in 1.1.2; #637 in 1.2.0 made it ``rstrip``), so a
``print`` that happened to be split between its text and its newline gains a blank line,
on one build and not the next (``tests/test_build_robustness.py`` caught it). MyST-NB #664
reported it; it was closed by a documentation change (#665), and myst-nb 1.4.0, the newest
release, still strips each chunk. This extension joins the chunks of each stream unchanged
first, then lets myst-nb do the rest of its clean-up (carriage returns, backspaces, stdout
before stderr) on the whole text.

``tests/test_extensions.py`` fails once the pinned myst-nb joins a split print correctly:
then delete this file and its entry in ``_config.yml``.
"""

from __future__ import annotations

import copy

from myst_nb.core import render, utils
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

_myst_nb_coalesce = utils.coalesce_streams


def coalesce_streams_exactly(outputs: list) -> list:
    """myst-nb's ``coalesce_streams`` applied after each stream's chunks are joined as sent."""
    merged: list = []
    streams: dict[str, object] = {}
    for output in outputs:
        if output["output_type"] == "stream" and output["name"] in streams:
            streams[output["name"]]["text"] += output["text"]
            continue
        if output["output_type"] == "stream":  # a copy: the notebook itself stays as run
            output = copy.deepcopy(output)
            streams[output["name"]] = output
        merged.append(output)
    return _myst_nb_coalesce(merged)


def setup(app: Sphinx) -> dict[str, object]:
    # myst-nb's renderer calls the name it imported into myst_nb.core.render; fail loudly,
    # not silently, if an upgrade moves it
    if not callable(getattr(render, "coalesce_streams", None)):
        raise ExtensionError("myst_nb.core.render.coalesce_streams is gone: see exact_streams")
    render.coalesce_streams = coalesce_streams_exactly
    return {"parallel_read_safe": True, "parallel_write_safe": True}
