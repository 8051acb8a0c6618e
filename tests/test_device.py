"""torchbook.devices: one place decides where chapters compute."""

from __future__ import annotations

import inspect

import pytest
import torch

import torchbook as tb
from torchbook import devices


def test_the_function_does_not_shadow_its_module() -> None:
    assert inspect.ismodule(devices) and tb.device is devices.device
    assert tb.device_summary is devices.device_summary


@pytest.mark.parametrize(
    ("cuda", "mps", "expected"),
    [(False, False, "cpu"), (True, True, "cuda"), (False, True, "mps")],
    ids=["cpu-only", "cuda-before-mps", "mps-before-cpu"],
)
def test_the_best_available_device_is_chosen(
    monkeypatch: pytest.MonkeyPatch, cuda: bool, mps: bool, expected: str
) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(devices, "_mps_available", lambda: mps)
    assert tb.device() == torch.device(expected)


def test_environment_variable_forces_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setenv("TORCHBOOK_DEVICE", "cpu")
    assert tb.device() == torch.device("cpu")


def test_unknown_device_name_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCHBOOK_DEVICE", "gpu")
    with pytest.raises(ValueError, match="TORCHBOOK_DEVICE='gpu'"):
        tb.device()


def test_requesting_missing_cuda_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv("TORCHBOOK_DEVICE", "cuda")
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        tb.device()


def test_summary_names_the_cpu() -> None:
    assert tb.device_summary("cpu").startswith("cpu (")
