"""Choose the device every chapter computes on, in one place.

The book runs unchanged on a laptop, in Colab and on a GPU server, so no chapter names a
device: each asks :func:`device` once and moves its tensors there.
"""

from __future__ import annotations

import os
import platform

import torch

from torchbook.reproducibility import thread_count

ENV_VAR = "TORCHBOOK_DEVICE"
_KNOWN_TYPES = ("cpu", "cuda", "mps")


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def _checked(requested: str) -> torch.device:
    """Turn a user's device string into a device that really exists here, or fail loudly."""
    try:
        chosen = torch.device(requested)
    except RuntimeError as error:
        raise ValueError(
            f"{ENV_VAR}={requested!r} is not a device name; expected one of {_KNOWN_TYPES}, "
            "optionally with an index such as 'cuda:1'"
        ) from error
    if chosen.type not in _KNOWN_TYPES:
        raise ValueError(f"{ENV_VAR}={requested!r}: expected one of {_KNOWN_TYPES}")
    if chosen.type == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError(f"{ENV_VAR}={requested!r} but CUDA is not available on this machine")
        if chosen.index is not None and chosen.index >= torch.cuda.device_count():
            raise RuntimeError(
                f"{ENV_VAR}={requested!r} but only {torch.cuda.device_count()} CUDA device(s) exist"
            )
    if chosen.type == "mps" and not _mps_available():
        raise RuntimeError(f"{ENV_VAR}={requested!r} but Apple's MPS backend is not available")
    return chosen


def device() -> torch.device:
    """The device chapters compute on: CUDA, then Apple MPS, then the CPU.

    Setting the environment variable ``TORCHBOOK_DEVICE`` (``cpu``, ``cuda``, ``cuda:1``,
    ``mps``) overrides the choice, so a GPU machine can reproduce the CPU build.
    """
    requested = os.environ.get(ENV_VAR, "").strip()
    if requested:
        return _checked(requested)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if _mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def device_summary(dev: torch.device | str | None = None) -> str:
    """One line naming the hardware behind ``dev``, for chapters to print under their setup."""
    dev = torch.device(dev) if dev is not None else device()
    if dev.type == "cuda":
        index = dev.index if dev.index is not None else torch.cuda.current_device()
        return f"cuda:{index} ({torch.cuda.get_device_name(index)}, CUDA {torch.version.cuda})"
    if dev.type == "mps":
        return "mps (Apple GPU)"
    threads = thread_count()
    arch = platform.machine() or "unknown architecture"
    return f"cpu ({arch}, {threads} thread{'s' if threads != 1 else ''})"
