"""Shared test set-up: a non-interactive matplotlib and no network or real data folder."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> None:
    """Keep every test away from the reader's data folder and from the network."""
    monkeypatch.setenv("TORCHBOOK_DATA", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("TORCHBOOK_OFFLINE", "1")
    monkeypatch.setenv("TQDM_DISABLE", "1")
    monkeypatch.delenv("TORCHBOOK_DEVICE", raising=False)
