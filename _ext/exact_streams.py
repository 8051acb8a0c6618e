"""Join a cell's printed output exactly as it was printed.

The kernel sends stdout in chunks whose boundaries depend on timing. myst-nb's
``coalesce_streams`` strips every chunk before joining them, so a ``print`` that happened
to be split between its text and its newline gains a blank line, on one build and not the
next (``tests/test_build_robustness.py`` caught it). This extension joins the chunks of
each stream unchanged first, then lets myst-nb do the rest of its clean-up (carriage
returns, backspaces, stdout before stderr) on the whole text.
"""

from __future__ import annotations

import copy

from myst_nb.core import render, utils
from sphinx.application import Sphinx

_myst_nb_coalesce = utils.coalesce_streams


def coalesce_streams_exactly(outputs: list) -> list:
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
    render.coalesce_streams = coalesce_streams_exactly
    return {"parallel_read_safe": True, "parallel_write_safe": True}
