"""Prose that depends on what a chapter's code found, written out for every outcome.

Sometimes a page must say one thing or another depending on a computed result: "the
accuracy is exactly the share of 3s: the model answers 3 for every image", or "the model
tells the images apart". Gluing the sentence itself (``{glue:md}``) would put the prose in
a code cell, out of reach of the translation catalogues, so every edition would show it
in English. Instead the code glues which case holds, as a short word, and the page writes
each case as ordinary prose:

    ```{glued-case} std1 = constant
    From the large start, that number is no achievement: ...
    ```

    ```{glued-case} std1 = varied
    From the large start, its model does give different images different answers ...
    ```

A block is kept where the value glued as ``std1`` on this page equals its value, and left
out elsewhere. The gettext builder keeps every block, so every case is a message in the
catalogues and a translated edition shows the same case, translated. Every key must end
up with exactly one block kept: a glued value that no block (or more than one) names is a
warning, which the book's strict builds turn into an error.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

LOGGER = logging.getLogger(__name__)
SEEN = "torchbook_glued_cases"  # on the document while it is read: key -> [glued, kept]


def parse_case(argument: str) -> tuple[str, str]:
    """``"std1 = constant"`` -> ``("std1", "constant")``; a ValueError names what is wrong."""
    key, equals, value = argument.partition("=")
    key, value = key.strip(), value.strip()
    if not equals or not key or not value or " " in key:
        raise ValueError(f"a glued-case is written `key = value`, not {argument!r}")
    return key, value


def glued_word(document: nodes.document, key: str) -> str:
    """The value glued as ``key`` in this page's notebook, as text (``'constant'``)."""
    from myst_nb.core.variables import format_plain_text
    from myst_nb.ext.glue.utils import retrieve_glue_data

    data = retrieve_glue_data(document, key).data  # RetrievalError names a missing key
    return format_plain_text(str(data.get("text/plain", "")), "")


class GluedCase(SphinxDirective):
    """One case of a computed outcome: its prose, kept only if the case holds."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = True

    def run(self) -> list[nodes.Node]:
        try:
            key, value = parse_case(self.arguments[0])
        except ValueError as error:
            raise self.error(str(error)) from None
        if self.env.app.builder.name == "gettext":
            return self.parse_content_to_nodes()  # every case is a message to translate
        from myst_nb.core.variables import RetrievalError

        try:
            glued = glued_word(self.state.document, key)
        except RetrievalError as error:
            raise self.error(f"glued-case {key!r}: {error}") from None
        seen = self.state.document.setdefault(SEEN, {}).setdefault(key, [glued, 0])
        if glued != value:
            return []
        seen[1] += 1
        return self.parse_content_to_nodes()


def check_every_key_has_one_case(app: Sphinx, doctree: nodes.document) -> None:
    """A glued value no case names leaves a hole in the page; two kept cases say it twice."""
    for key, (glued, kept) in doctree.attributes.pop(SEEN, {}).items():
        if kept != 1:
            LOGGER.warning(
                f"glued-case {key!r}: the page glued {glued!r}, which {kept} blocks name "
                "(exactly one must)",
                location=app.env.docname,
                type="torchbook",
                subtype="glued_case",
            )


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("glued-case", GluedCase)
    app.connect("doctree-read", check_every_key_has_one_case)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
