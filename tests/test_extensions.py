"""The local Sphinx extensions under _ext/, tested as functions."""

from __future__ import annotations

import sys
from pathlib import Path

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
