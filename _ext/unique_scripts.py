"""Works around Sphinx #13402 (an inline script written twice per page); fixed in Sphinx 8.2.2.

sphinx-thebe (which Jupyter Book always loads) adds an inline script declaring
``const THEBE_JS_URL`` when the sources are read. Sphinx 7.4 records it once with the
file name ``None`` and once with ``''``, which it does not see as the same script, so
every page declared the constant twice and the browser reported a SyntaxError on every
page (``tests/test_browser.py`` found it). Sphinx PR #13402 (released in 8.2.2) fixed it,
but Jupyter Book 1.0.4.post1 requires ``sphinx~=7.0``, so the book stays on 7.4.7. This
extension drops the repeats from each page's script list before the page is written.

``tests/test_site_extensions.py`` fails once the pinned Sphinx writes such a script once:
then delete this file and its entry in ``_config.yml``.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx


def _key(script: Any) -> tuple[object, ...]:
    filename = getattr(script, "filename", script) or ""
    attributes = getattr(script, "attributes", {}) or {}
    return (filename, getattr(script, "priority", None), *sorted(attributes.items()))


def drop_repeated_scripts(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[object, ...]] = set()
    unique = []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("html-page-context", drop_repeated_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
