"""The local Sphinx extensions under _ext/, tested as functions."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from nbformat.v4 import new_output

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_ext"))

import exact_streams

import package_cache


def test_a_print_split_across_chunks_gains_no_blank_line() -> None:
    chunks = [
        new_output("stream", name="stdout", text="tensor([1])"),
        new_output("stream", name="stdout", text="\ntensor([2])\n"),
    ]
    (merged,) = exact_streams.coalesce_streams_exactly(chunks)
    assert merged["text"] == "tensor([1])\ntensor([2])\n"


def test_streams_stay_separate_by_name_and_other_outputs_keep_their_place() -> None:
    outputs = [
        new_output("stream", name="stdout", text="a\n"),
        new_output("stream", name="stderr", text="warn\n"),
        new_output("stream", name="stdout", text="b\n"),
    ]
    merged = exact_streams.coalesce_streams_exactly(outputs)
    assert [(o["name"], o["text"]) for o in merged] == [("stdout", "a\nb\n"), ("stderr", "warn\n")]


def test_myst_nb_still_adds_a_blank_line_to_a_split_print() -> None:
    """The upstream bug ``exact_streams`` works around (MyST-NB #664, myst-nb 1.4.0)."""
    from myst_nb.core.utils import coalesce_streams

    chunks = [
        new_output("stream", name="stdout", text="tensor([1])"),
        new_output("stream", name="stdout", text="\ntensor([2])\n"),
    ]
    (merged,) = coalesce_streams(chunks)
    assert merged["text"] == "tensor([1])\n\ntensor([2])\n", (
        "myst-nb now joins a split print as printed (MyST-NB #664 fixed): "
        "delete _ext/exact_streams.py, its _config.yml entry and the tests of it"
    )


def test_myst_nb_merges_a_cell_s_streams_through_exact_streams(monkeypatch) -> None:
    """The name ``exact_streams`` replaces is the one myst-nb's renderer calls."""
    from myst_nb.core import render

    monkeypatch.setattr(render, "coalesce_streams", render.coalesce_streams)  # undone after
    exact_streams.setup(SimpleNamespace())
    chunks = [
        new_output("stream", name="stdout", text="tensor([1])"),
        new_output("stream", name="stdout", text="\ntensor([2])\n"),
    ]
    renderer = SimpleNamespace(
        nb_client=SimpleNamespace(code_cell_outputs=lambda index: (1, chunks)),
        get_cell_level_config=lambda name, metadata, line=None: name == "merge_streams",
    )
    token = SimpleNamespace(meta={"index": 0, "metadata": {}}, map=[0, 1])
    _, (merged,) = render.MditRenderMixin._get_nb_code_cell_outputs(renderer, token)
    assert merged["text"] == "tensor([1])\ntensor([2])\n"


def test_package_digest_changes_with_content_and_extra(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    module = tmp_path / "pkg" / "m.py"
    module.write_text("x = 1\n")
    first = package_cache.sources_digest(tmp_path, ["pkg"], extra="cpu")
    assert package_cache.sources_digest(tmp_path, ["pkg"], extra="cpu") == first
    assert package_cache.sources_digest(tmp_path, ["pkg"], extra="cuda") != first
    (tmp_path / "pkg" / "__pycache__").mkdir()
    (tmp_path / "pkg" / "__pycache__" / "m.cpython-311.pyc").write_bytes(b"\0")
    assert package_cache.sources_digest(tmp_path, ["pkg"], extra="cpu") == first  # ignored
    module.write_text("x = 2\n")
    assert package_cache.sources_digest(tmp_path, ["pkg"], extra="cpu") != first


def test_merging_leaves_the_notebook_outputs_untouched() -> None:
    chunks = [
        new_output("stream", name="stdout", text="a"),
        new_output("stream", name="stdout", text="b\n"),
    ]
    exact_streams.coalesce_streams_exactly(chunks)
    assert [c["text"] for c in chunks] == ["a", "b\n"]


def _sources(root: Path) -> Path:
    """The files the cache key hashes, minimal, in ``root``."""
    for source in package_cache.SOURCES:
        path = root / source
        if source.endswith((".txt", ".toml")):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{source}\n")
        else:
            path.mkdir(parents=True, exist_ok=True)
            (path / "m.py").write_text("x = 1\n")
    return root


def test_optional_sources_are_hashed_when_present(tmp_path: Path) -> None:
    _sources(tmp_path)
    optional = ("requirements-lock.txt",)
    absent = package_cache.sources_digest(tmp_path, package_cache.SOURCES, optional=optional)
    lock = tmp_path / "requirements-lock.txt"
    lock.write_text("numpy==2.4.6\n")
    present = package_cache.sources_digest(tmp_path, package_cache.SOURCES, optional=optional)
    lock.write_text("numpy==2.4.5\n")
    changed = package_cache.sources_digest(tmp_path, package_cache.SOURCES, optional=optional)
    assert len({absent, present, changed}) == 3
    with pytest.raises(FileNotFoundError, match=r"requirements-lock\.txt"):
        package_cache.sources_digest(tmp_path / "nowhere", ["requirements-lock.txt"])


def test_the_lock_is_part_of_the_key() -> None:
    assert "requirements-lock.txt" in package_cache.OPTIONAL_SOURCES


def test_installed_versions_name_the_book_s_packages_not_the_installers() -> None:
    from importlib.metadata import version

    versions = package_cache.installed_versions().splitlines()
    assert f"torch=={version('torch')}" in versions
    assert f"numpy=={version('numpy')}" in versions
    assert not [line for line in versions if line.startswith(("pip==", "setuptools=="))]
    assert versions == sorted(versions)


def test_cache_key_follows_the_data_source(tmp_path: Path, monkeypatch) -> None:
    from test_data import _write_mnist

    root = _sources(tmp_path / "book")
    data = tmp_path / "data"
    monkeypatch.setenv("TORCHBOOK_DATA", str(data))
    offline, summary, account = package_cache.cache_key(root)
    assert "data sklearn-digits" in summary and "torch==" in account
    assert package_cache.cache_key(root)[0] == offline  # stable
    _write_mnist(data)
    online, summary, _ = package_cache.cache_key(root)
    assert online != offline and "data mnist sha256:" in summary


def test_cache_key_follows_the_device_and_its_threads(tmp_path: Path, monkeypatch) -> None:
    root = _sources(tmp_path)
    monkeypatch.setenv("TORCHBOOK_THREADS", "1")
    one = package_cache.cache_key(root)[0]
    monkeypatch.setenv("TORCHBOOK_THREADS", "2")
    assert package_cache.cache_key(root)[0] != one


def test_select_cache_writes_its_key_and_keeps_three(tmp_path: Path, monkeypatch) -> None:
    root = _sources(tmp_path / "book")
    build = tmp_path / "_build"
    for threads in ("1", "2", "3", "4"):
        monkeypatch.setenv("TORCHBOOK_THREADS", threads)
        cache, summary = package_cache.select_cache(root, build)
        assert (cache / package_cache.KEY_FILE).read_text().startswith(summary)
        assert f"{threads} thread" in summary
    assert len(list((build / ".jupyter_cache").glob("pkg-*"))) == package_cache.KEEP_CACHES


def test_a_failed_download_is_logged_whole_and_not_retried(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("TORCHBOOK_OFFLINE")
    monkeypatch.delenv("TORCHBOOK_REQUIRE_MNIST", raising=False)

    def no_network(raw: Path) -> None:
        raise OSError("no route to host\nsecond line of the error")

    warnings = []
    monkeypatch.setattr("torchbook.data._download", no_network)
    monkeypatch.setattr(package_cache.LOGGER, "warning", warnings.append)
    assert package_cache.prepare_data() == "sklearn-digits"
    assert "no route to host\nsecond line of the error" in warnings[0]
    assert os.environ["TORCHBOOK_OFFLINE"] == "1"  # the chapters' kernels do not retry


def test_required_mnist_stops_the_build_before_any_chapter(monkeypatch) -> None:
    from torchbook.data import DataFolderError

    monkeypatch.setenv("TORCHBOOK_REQUIRE_MNIST", "1")
    with pytest.raises(DataFolderError, match="TORCHBOOK_REQUIRE_MNIST=1"):
        package_cache.prepare_data()
