"""torchbook.device: one place decides where chapters compute."""

from __future__ import annotations

import importlib

import pytest
import torch

import torchbook as tb

# the module, not the function of the same name that torchbook re-exports
device_module = importlib.import_module("torchbook.device")


def test_cpu_machine_gets_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(device_module, "_mps_available", lambda: False)
    assert tb.device() == torch.device("cpu")


def test_cuda_is_preferred_over_mps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(device_module, "_mps_available", lambda: True)
    assert tb.device() == torch.device("cuda")


def test_mps_is_preferred_over_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(device_module, "_mps_available", lambda: True)
    assert tb.device() == torch.device("mps")


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
