"""torchbook.reproducibility: one call makes Python, NumPy and torch repeat themselves."""

from __future__ import annotations

import inspect
import os
import random

import numpy as np
import pytest
import torch

import torchbook as tb
from torchbook import reproducibility


def test_the_function_does_not_shadow_its_module() -> None:
    assert inspect.ismodule(reproducibility) and tb.seed is reproducibility.seed
    assert tb.thread_count is reproducibility.thread_count


def _draws() -> tuple[float, float, list[float]]:
    return random.random(), float(np.random.rand()), torch.rand(3).tolist()


def test_same_seed_same_numbers_everywhere() -> None:
    tb.seed(7)
    first = _draws()
    tb.seed(7)
    assert _draws() == first


def test_different_seeds_differ() -> None:
    tb.seed(1)
    first = _draws()
    tb.seed(2)
    second = _draws()
    assert all(a != b for a, b in zip(first, second, strict=True))


def test_seed_makes_cudnn_deterministic() -> None:
    tb.seed(0)
    assert torch.backends.cudnn.deterministic is True
    assert torch.backends.cudnn.benchmark is False


@pytest.mark.parametrize("bad", [1.5, "0", None, True])
def test_non_integer_seed_is_rejected(bad: object) -> None:
    with pytest.raises(TypeError, match="seed must be an int"):
        tb.seed(bad)  # type: ignore[arg-type]


def test_negative_seed_is_rejected() -> None:
    with pytest.raises(ValueError, match="seed must lie in"):
        tb.seed(-1)


def test_seed_fixes_the_thread_count_from_the_environment(monkeypatch) -> None:
    before = torch.get_num_threads()
    try:
        monkeypatch.setenv("TORCHBOOK_THREADS", "1")
        tb.seed(0)
        assert torch.get_num_threads() == 1
        assert "1 thread)" in tb.device_summary("cpu")
    finally:
        torch.set_num_threads(before)


def test_thread_count_defaults_to_the_usable_cores(monkeypatch) -> None:
    monkeypatch.delenv("TORCHBOOK_THREADS", raising=False)
    assert 1 <= tb.thread_count() <= (os.cpu_count() or 1)


@pytest.mark.parametrize("bad", ["0", "two", "-3", "1.5"])
def test_bad_thread_count_is_named(monkeypatch, bad: str) -> None:
    monkeypatch.setenv("TORCHBOOK_THREADS", bad)
    with pytest.raises(ValueError, match="TORCHBOOK_THREADS"):
        tb.thread_count()


def test_seed_asks_cublas_for_a_fixed_workspace(monkeypatch) -> None:
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    tb.seed(0)
    assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"


@pytest.mark.parametrize("value", [np.int64(7), np.uint32(7), np.int8(7)])
def test_numpy_integer_seeds_are_accepted(value) -> None:
    tb.seed(7)
    expected = _draws()
    tb.seed(value)
    assert _draws() == expected


@pytest.mark.parametrize("bad", [np.bool_(True), np.float64(1.0)])
def test_numpy_non_integers_are_rejected(bad) -> None:
    with pytest.raises(TypeError, match="seed must be an int"):
        tb.seed(bad)


def test_numpy_seed_out_of_range_is_rejected() -> None:
    with pytest.raises(ValueError, match="seed must lie in"):
        tb.seed(np.int64(2**32))


@pytest.mark.parametrize("bad", ["²", "٣", "３", "1_0", "+2", "0x2"])
def test_thread_count_takes_ascii_digits_only(monkeypatch, bad: str) -> None:
    monkeypatch.setenv("TORCHBOOK_THREADS", bad)
    with pytest.raises(ValueError, match="ASCII digits"):
        tb.thread_count()


def test_thread_count_from_ascii_digits(monkeypatch) -> None:
    monkeypatch.setenv("TORCHBOOK_THREADS", " 3 ")
    assert tb.thread_count() == 3
