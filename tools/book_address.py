"""Where the book lives: its repository, the branch of its notebooks, its published site.

Why this exists: every launch link (Colab, Binder, the setup cell's ``pip install``) and
every link from a notebook back to the book is built from one address, ``repository.url``
in ``_config.yml``, written nowhere else. A copy of the repository that publishes itself
(a fork, a renamed repository) would still send its readers to that address, so the
publish workflow calls :func:`check_repository` with the repository it runs in and stops
before anything is built or deployed when they differ.

Only PyYAML is needed, so that the workflow can run the check before installing the book:

    python tools/book_address.py --check "$GITHUB_REPOSITORY"
"""

from __future__ import annotations

import argparse
from pathlib import Path
from urllib.parse import urlsplit

import yaml

REPO = Path(__file__).resolve().parents[1]


def _config(root: Path) -> dict:
    return yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))


def repository_url(root: Path = REPO) -> str:
    """The book's repository address, from ``_config.yml``'s ``repository.url``."""
    url = (_config(root).get("repository") or {}).get("url")
    if not url:
        raise ValueError(f"{root / '_config.yml'} has no repository.url")
    return str(url).rstrip("/").removesuffix(".git")


def github_repository(url: str) -> str:
    """``owner/name`` of a GitHub address; a clear error for any other address, since the
    launch buttons (Colab, Binder) work with GitHub repositories only."""
    parts = urlsplit(url)
    names = parts.path.strip("/").removesuffix(".git").split("/")
    if parts.hostname not in {"github.com", "www.github.com"} or len(names) != 2:
        raise ValueError(f"repository.url must be https://github.com/OWNER/NAME, not {url}")
    return "/".join(names)


def notebooks_branch(root: Path = REPO) -> str:
    """The branch the notebooks are published to (``torchbook_notebooks_branch``), where
    the Colab and Binder buttons point (``_ext/colab_notebooks.py``)."""
    return str(_config(root)["sphinx"]["config"]["torchbook_notebooks_branch"])


def site_url(root: Path = REPO) -> str:
    """The published book's address, ending in ``/``: ``html.baseurl`` when set, else the
    GitHub Pages address of the repository (``https://OWNER.github.io/NAME/``)."""
    base = (_config(root).get("html") or {}).get("baseurl")
    if base:
        return str(base).rstrip("/") + "/"
    owner, name = github_repository(repository_url(root)).split("/")
    return f"https://{owner.lower()}.github.io/{name}/"


def check_repository(actual: str, root: Path = REPO) -> None:
    """Fail when ``actual`` (``owner/name``, as GitHub Actions' ``GITHUB_REPOSITORY``) is
    not the repository ``_config.yml`` names: its launch links would point elsewhere."""
    written = github_repository(repository_url(root))
    if written.lower() != actual.strip().lower():
        raise SystemExit(
            f"_config.yml's repository.url names {written}, but this is {actual}: every "
            "launch link and notebook would point there. Set repository.url to "
            f"https://github.com/{actual} (it is written nowhere else)."
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", metavar="OWNER/NAME", help="fail unless this is the repo")
    args = parser.parse_args(argv)
    if args.check is not None:
        check_repository(args.check)
        print(f"repository.url matches {args.check}")
    else:
        print(repository_url())


if __name__ == "__main__":
    main()
