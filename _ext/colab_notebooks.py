"""Point each chapter's "Colab" launch button at the chapter's published notebook.

sphinx-book-theme links Colab to ``<repository>/blob/<branch>/<page>.md`` (``.ipynb`` only
when a notebook sits next to the source), and Colab opens ``.ipynb`` only. The chapters are
MyST markdown, so the publish workflow converts them with ``tools/notebooks.py`` (a setup
cell first, which installs the book's package in Colab) and pushes the notebooks to the
branch ``torchbook_notebooks_branch`` (``notebooks``) at the same paths. This extension
runs after the theme has made its launch buttons and rewrites the Colab one to
``<colab_url>/github/<org>/<repo>/blob/<notebooks branch>/<page>.ipynb``; on a page
without code cells (no notebook is published for it) the button is removed. The
organisation and repository are read from the theme's ``repository_url`` option (what
``repository.url`` in ``_config.yml`` becomes) by :func:`github_repository`, not by the
theme's own internal helper; Binder keeps pointing at the sources, which open as notebooks
there (``binder/``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from docutils import nodes
from sphinx.application import Sphinx


def has_code_cells(doctree: nodes.document | None) -> bool:
    """True when the page has a code cell (myst-nb marks them ``nb_element="cell_code"``)."""
    if doctree is None:
        return False
    return any(node.get("nb_element") == "cell_code" for node in doctree.findall(nodes.Element))


def github_repository(url: str) -> tuple[str, str] | None:
    """The organisation and repository of a GitHub address, or None for any other address."""
    parts = urlsplit(url.strip())
    names = parts.path.strip("/").removesuffix(".git").split("/")
    if parts.hostname not in {"github.com", "www.github.com"} or len(names) < 2:
        return None
    org, repo = names[0], names[1]
    return (org, repo) if org and repo else None


def colab_notebook_url(app: Sphinx, pagename: str) -> str | None:
    """The Colab address of the page's published notebook, or None without a GitHub repo."""
    options = app.config.html_theme_options
    found = github_repository(options.get("repository_url") or "")
    if found is None:
        return None
    org, repo = found
    colab = (options.get("launch_buttons") or {}).get("colab_url", "").strip("/")
    folder = options.get("path_to_docs", "").strip("/")
    path = f"{folder}/{pagename}.ipynb" if folder else f"{pagename}.ipynb"
    branch = app.config.torchbook_notebooks_branch
    return f"{colab}/github/{org}/{repo}/blob/{branch}/{path}"


def point_colab_at_notebooks(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    for group in context.get("header_buttons") or []:
        if group.get("label") != "launch-buttons":
            continue
        url = colab_notebook_url(app, pagename) if has_code_cells(doctree) else None
        buttons = []
        for button in group["buttons"]:
            if button.get("text") == "Colab":
                if url is None:
                    continue
                button = {**button, "url": url}
            buttons.append(button)
        group["buttons"] = buttons


def setup(app: Sphinx) -> dict[str, object]:
    app.add_config_value("torchbook_notebooks_branch", "notebooks", "html")
    # sphinx-book-theme adds the launch buttons at priority 501; rewrite them after that
    app.connect("html-page-context", point_colab_at_notebooks, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
