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


def _no_accelerator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(devices, "_mps_available", lambda: False)


@pytest.mark.parametrize("name", ["cpu", " cpu ", "cpu:0"])
def test_a_requested_cpu_is_the_cpu(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setenv("TORCHBOOK_DEVICE", name)
    assert tb.device() == torch.device(name.strip())


def test_an_empty_request_chooses_as_if_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_accelerator(monkeypatch)
    monkeypatch.setenv("TORCHBOOK_DEVICE", "  ")
    assert tb.device() == torch.device("cpu")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("gpu", "TORCHBOOK_DEVICE='gpu' is not a device name; expected one of ('cpu', 'cuda', "
         "'mps'), optionally with an index such as 'cuda:1'"),
        ("cuda:x", "TORCHBOOK_DEVICE='cuda:x' is not a device name"),
        ("meta", "TORCHBOOK_DEVICE='meta': expected one of ('cpu', 'cuda', 'mps')"),
        ("xpu:0", "TORCHBOOK_DEVICE='xpu:0': expected one of ('cpu', 'cuda', 'mps')"),
    ],
)  # fmt: skip
def test_a_name_that_is_no_device_here_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, name: str, message: str
) -> None:
    monkeypatch.setenv("TORCHBOOK_DEVICE", name)
    with pytest.raises(ValueError) as error:
        tb.device()
    assert str(error.value).startswith(message)


def test_a_cuda_index_beyond_the_devices_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setenv("TORCHBOOK_DEVICE", "cuda:1")
    assert tb.device() == torch.device("cuda:1")
    monkeypatch.setenv("TORCHBOOK_DEVICE", "cuda:2")
    with pytest.raises(RuntimeError) as error:
        tb.device()
    assert str(error.value) == "TORCHBOOK_DEVICE='cuda:2' but only 2 CUDA device(s) exist"
    monkeypatch.setenv("TORCHBOOK_DEVICE", "cuda")
    assert tb.device() == torch.device("cuda")


def test_requesting_missing_cuda_names_the_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv("TORCHBOOK_DEVICE", "cuda:0")
    with pytest.raises(RuntimeError) as error:
        tb.device()
    assert str(error.value) == "TORCHBOOK_DEVICE='cuda:0' but CUDA is not available on this machine"


def test_requesting_mps_needs_the_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCHBOOK_DEVICE", "mps")
    monkeypatch.setattr(devices, "_mps_available", lambda: False)
    with pytest.raises(RuntimeError) as error:
        tb.device()
    assert str(error.value) == "TORCHBOOK_DEVICE='mps' but Apple's MPS backend is not available"
    monkeypatch.setattr(devices, "_mps_available", lambda: True)
    assert tb.device() == torch.device("mps")


@pytest.mark.parametrize("available", [True, False])
def test_mps_is_available_when_torch_says_so(monkeypatch: pytest.MonkeyPatch, available) -> None:
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: available)
    assert devices._mps_available() is available


def test_a_torch_without_an_mps_backend_has_no_mps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(torch.backends, "mps")
    assert devices._mps_available() is False


def test_summary_of_a_cuda_device_names_the_card(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 1)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda index: f"Card {index}")
    monkeypatch.setattr(torch.version, "cuda", "12.8")
    assert tb.device_summary("cuda") == "cuda:1 (Card 1, CUDA 12.8)"
    assert tb.device_summary(torch.device("cuda:0")) == "cuda:0 (Card 0, CUDA 12.8)"


def test_summary_of_mps() -> None:
    assert tb.device_summary("mps") == "mps (Apple GPU)"


@pytest.mark.parametrize(("threads", "words"), [("1", "1 thread"), ("3", "3 threads")])
def test_summary_of_the_cpu_names_its_architecture_and_threads(
    monkeypatch: pytest.MonkeyPatch, threads: str, words: str
) -> None:
    monkeypatch.setenv("TORCHBOOK_THREADS", threads)
    monkeypatch.setattr(devices.platform, "machine", lambda: "riscv64")
    assert tb.device_summary("cpu") == f"cpu (riscv64, {words})"
    monkeypatch.setattr(devices.platform, "machine", lambda: "")
    assert tb.device_summary(torch.device("cpu")) == f"cpu (unknown architecture, {words})"


def test_summary_without_a_device_describes_the_chosen_one(monkeypatch) -> None:
    _no_accelerator(monkeypatch)
    monkeypatch.setenv("TORCHBOOK_THREADS", "2")
    monkeypatch.setattr(devices.platform, "machine", lambda: "x86_64")
    assert tb.device_summary() == "cpu (x86_64, 2 threads)"
