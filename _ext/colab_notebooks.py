"""Point each chapter's launch buttons (Colab, Binder) at the chapter's published notebook.

sphinx-book-theme links Colab to ``<repository>/blob/<branch>/<page>.md`` (``.ipynb`` only
when a notebook sits next to the source) and Binder to the same source, and Colab opens
``.ipynb`` only. The chapters are MyST markdown, so after the build the publish workflow
turns them into notebooks that read like the pages (``tools/notebooks.py``) and pushes
them to the branch ``torchbook_notebooks_branch`` (``notebooks``) at the pages' paths,
with ``binder/`` and what it installs. This extension runs after the theme has made its
buttons and rewrites them, so that both open that one notebook:

- Colab: ``<colab_url>/github/<org>/<repo>/blob/<notebooks branch>/<page>.ipynb``;
- Binder (when ``binderhub_url`` is set): ``<binderhub_url>/v2/gh/<org>/<repo>/<notebooks
  branch>?labpath=<page>.ipynb``, built from that branch's ``binder/``.

On a page that has no published notebook (no code cells, or listed in
``notebook_pages.py``, as the build-status page is) both buttons are removed, and so is
the download menu's ``.ipynb`` entry; on the others that entry stays, and the workflow
puts the published notebook where it points (``_sources/<page>.ipynb``). The organisation
and repository are read from the theme's ``repository_url`` option (what
``repository.url`` in ``_config.yml`` becomes) by :func:`github_repository`, not by the
theme's own internal helper.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from docutils import nodes
from notebook_pages import publishes_notebook
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


def _notebook_path(app: Sphinx, pagename: str) -> str:
    folder = app.config.html_theme_options.get("path_to_docs", "").strip("/")
    return f"{folder}/{pagename}.ipynb" if folder else f"{pagename}.ipynb"


def colab_notebook_url(app: Sphinx, pagename: str) -> str | None:
    """The Colab address of the page's published notebook, or None without a GitHub repo."""
    options = app.config.html_theme_options
    found = github_repository(options.get("repository_url") or "")
    if found is None:
        return None
    org, repo = found
    colab = (options.get("launch_buttons") or {}).get("colab_url", "").strip("/")
    branch = app.config.torchbook_notebooks_branch
    return f"{colab}/github/{org}/{repo}/blob/{branch}/{_notebook_path(app, pagename)}"


def binder_notebook_url(app: Sphinx, pagename: str) -> str | None:
    """The Binder address that builds the notebooks branch and opens the page's notebook
    in JupyterLab, or None without a GitHub repository."""
    options = app.config.html_theme_options
    found = github_repository(options.get("repository_url") or "")
    if found is None:
        return None
    org, repo = found
    binder = (options.get("launch_buttons") or {}).get("binderhub_url", "").strip("/")
    branch = app.config.torchbook_notebooks_branch
    return f"{binder}/v2/gh/{org}/{repo}/{branch}?labpath={_notebook_path(app, pagename)}"


def _launch_buttons(app: Sphinx, pagename: str, buttons: list[dict], published: bool) -> list:
    """The launch buttons, rewritten to the published notebook or removed without one. A
    Binder button is left alone when no ``binderhub_url`` says where to point it."""
    urls = {"Colab": colab_notebook_url(app, pagename) if published else None}
    launch = app.config.html_theme_options.get("launch_buttons") or {}
    if launch.get("binderhub_url"):
        urls["Binder"] = binder_notebook_url(app, pagename) if published else None
    kept = []
    for button in buttons:
        text = button.get("text")
        if text in urls:
            if urls[text] is None:
                continue
            button = {**button, "url": urls[text]}
        kept.append(button)
    return kept


def point_colab_at_notebooks(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """Rewrite the page's launch buttons and its notebook download (see the module)."""
    published = publishes_notebook(pagename, has_code_cells(doctree))
    groups = []
    for group in context.get("header_buttons") or []:
        if group.get("label") == "launch-buttons":
            group["buttons"] = _launch_buttons(app, pagename, group["buttons"], published)
            if not group["buttons"]:
                continue
        elif group.get("label") == "download-buttons" and not published:
            group["buttons"] = [
                b for b in group["buttons"] if b.get("label") != "download-notebook-button"
            ]
        groups.append(group)
    if "header_buttons" in context:
        context["header_buttons"] = groups


def setup(app: Sphinx) -> dict[str, object]:
    app.add_config_value("torchbook_notebooks_branch", "notebooks", "html")
    # sphinx-book-theme adds the launch buttons at priority 501; rewrite them after that
    app.connect("html-page-context", point_colab_at_notebooks, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
