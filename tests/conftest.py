"""Shared test set-up: a non-interactive matplotlib whose figures are closed after each test,
no network or real data folder, and one strict build of the whole book that every test
looking at the site shares."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import shutil

import matplotlib.pyplot as plt
import pytest


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> None:
    """Keep every test away from the reader's data folder and from the network."""
    monkeypatch.setenv("TORCHBOOK_DATA", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("TORCHBOOK_OFFLINE", "1")
    monkeypatch.setenv("TQDM_DISABLE", "1")
    monkeypatch.delenv("TORCHBOOK_DEVICE", raising=False)


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test drew, so that none piles up across the session."""
    yield
    plt.close("all")


@pytest.fixture(scope="session")
def book(tmp_path_factory) -> dict[str, object]:
    """The book built once, strictly, from a temporary copy of the sources.

    ``html`` is the build's own output, which ``test_book.py`` rebuilds after editing a
    chapter and the package; ``site`` is a copy taken right after the first build, for the
    tests that read the published pages (``test_launch.py``, ``test_browser.py``), so that
    they see the same site whatever order the tests run in.
    """
    from _book import build, copy_sources  # here, not above: the unit tests run without tools/

    root = tmp_path_factory.mktemp("book")
    copy_sources(root)
    data = tmp_path_factory.mktemp("data")
    log, _ = build(root, data)
    html = root / "_build" / "html"
    site = tmp_path_factory.mktemp("site") / "html"
    shutil.copytree(html, site)
    return {"root": root, "data": data, "log": log, "html": html, "site": site}
