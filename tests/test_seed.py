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


def test_thread_count_defaults_to_the_cores_this_process_may_use(monkeypatch) -> None:
    monkeypatch.delenv("TORCHBOOK_THREADS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 2, 5}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert tb.thread_count() == 3  # the affinity mask, not the machine's count
    monkeypatch.setenv("TORCHBOOK_THREADS", "  ")
    assert tb.thread_count() == 3  # blank is unset


@pytest.mark.parametrize(("cores", "expected"), [(6, 6), (None, 1)])
def test_thread_count_without_affinity_masks_is_the_cpu_count(monkeypatch, cores, expected) -> None:
    """macOS and Windows have no ``os.sched_getaffinity``; ``os.cpu_count()`` may be None."""
    monkeypatch.delenv("TORCHBOOK_THREADS", raising=False)
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert tb.thread_count() == expected


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


def test_seed_sets_torchs_thread_count(monkeypatch) -> None:
    before = torch.get_num_threads()
    monkeypatch.setattr(reproducibility, "thread_count", lambda: 1)
    try:
        torch.set_num_threads(2)
        tb.seed(0)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_the_default_seed_is_zero() -> None:
    tb.seed(0)
    expected = _draws()
    tb.seed()
    assert _draws() == expected


def test_seed_seeds_each_generator_with_the_value() -> None:
    """Not only repeatable: each generator gets ``value`` itself, as a reader's own
    ``torch.manual_seed(3)`` would."""
    tb.seed(3)
    mine = _draws()
    random.seed(3)
    np.random.seed(3)
    torch.manual_seed(3)
    assert mine == _draws()


@pytest.mark.parametrize("value", [0, 2**32 - 1])
def test_seed_accepts_both_ends_of_its_range(value: int) -> None:
    tb.seed(value)
    assert torch.initial_seed() == value


@pytest.mark.parametrize(("bad", "shown"), [(-1, "-1"), (2**32, "4294967296")])
def test_a_seed_out_of_range_is_named(bad: int, shown: str) -> None:
    with pytest.raises(ValueError) as error:
        tb.seed(bad)
    assert str(error.value) == f"seed must lie in [0, 2**32), got {shown}"


@pytest.mark.parametrize(("bad", "kind"), [(1.5, "float"), ("0", "str"), (np.bool_(True), "bool")])
def test_a_seed_of_another_type_names_the_type(bad, kind: str) -> None:
    with pytest.raises(TypeError) as error:
        tb.seed(bad)
    assert str(error.value) == f"seed must be an int, got {kind}"


def test_seed_keeps_a_cublas_workspace_already_chosen(monkeypatch) -> None:
    monkeypatch.setenv("CUBLAS_WORKSPACE_CONFIG", ":16:8")
    tb.seed(0)
    assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":16:8"


def test_seed_switches_off_cudnn_benchmarking(monkeypatch) -> None:
    monkeypatch.setattr(torch.backends.cudnn, "deterministic", False)
    monkeypatch.setattr(torch.backends.cudnn, "benchmark", True)
    tb.seed(0)
    assert torch.backends.cudnn.deterministic is True
    assert torch.backends.cudnn.benchmark is False


@pytest.mark.parametrize("bad", ["0", "-3", "1.5", "two"])
def test_a_bad_thread_count_is_named_in_full(monkeypatch, bad: str) -> None:
    monkeypatch.setenv("TORCHBOOK_THREADS", bad)
    with pytest.raises(ValueError) as error:
        tb.thread_count()
    assert str(error.value) == (
        f"TORCHBOOK_THREADS={bad!r}: expected a positive whole number in ASCII digits"
    )
