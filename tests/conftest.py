"""Shared test set-up: a non-interactive matplotlib whose figures are closed after each test,
no network or real data folder, and one strict build of the whole book that every test
looking at the site shares."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import shutil

import matplotlib.pyplot as plt
import pytest
from hypothesis import Phase, settings

# The property-based tests (test_scratch_properties.py): few enough examples for `make test`,
# and no deadline (a busy machine is slow, not wrong). `make mutate` passes
# --hypothesis-profile=mutation: the same number of examples, drawn the same way for every
# mutant and without the example database, so that a mutant's verdict does not depend on luck,
# and no shrinking of a failure (a mutant is killed by the first one; nobody reads the example).
# --hypothesis-profile=thorough searches 1,000 examples per test, for a change to the engine.
settings.register_profile("torchbook", max_examples=30, deadline=None, print_blob=True)
settings.register_profile(
    "mutation",
    settings.get_profile("torchbook"),
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
)
settings.register_profile("thorough", settings.get_profile("torchbook"), max_examples=1000)
settings.load_profile("torchbook")


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


@pytest.fixture(scope="session")
def editions(book, tmp_path_factory) -> dict[str, object]:
    """The four editions (English, ru, zh_CN, et) and their PDFs, built from a copy of the
    session's book with a kernel that cannot start (``tests/_editions.py``)."""
    from _editions import build_editions

    return build_editions(book, tmp_path_factory.mktemp("editions"))
