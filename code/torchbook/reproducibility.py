"""Make every run of a chapter repeat itself: the same random numbers and the same sums.

A published figure must not change from one build to the next, so every chapter calls
:func:`seed` once at the top, and anything random afterwards is a function of that seed.

Random numbers are not the only source of variation. On the CPU, torch splits a reduction
(a sum, a matmul) among its threads, and the order of a floating-point sum changes its last
bits; so the thread count is part of what makes a build repeatable. :func:`thread_count`
is the one policy: ``TORCHBOOK_THREADS`` when set, else every core this process may use.
On the GPU, cuDNN and cuBLAS are asked for their deterministic algorithms. (torch's global
``use_deterministic_algorithms`` is not switched on: it makes some CUDA ops raise, and
the chapters are meant to run unchanged on any device.)
"""

from __future__ import annotations

import numbers
import os
import random
import re

import numpy as np
import torch

THREADS_ENV = "TORCHBOOK_THREADS"
# cuBLAS repeats its results only with a fixed workspace (see torch's "Reproducibility" notes).
_CUBLAS_WORKSPACE = ":4096:8"


def thread_count() -> int:
    """The number of CPU threads torch uses in the book: ``TORCHBOOK_THREADS`` or all cores."""
    requested = os.environ.get(THREADS_ENV, "").strip()
    if requested:
        # ASCII digits only: str.isdigit() and int() also take "²", "٣" or "３"
        if not re.fullmatch(r"[0-9]+", requested) or int(requested) < 1:
            raise ValueError(
                f"{THREADS_ENV}={requested!r}: expected a positive whole number in ASCII digits"
            )
        return int(requested)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity masks
        return os.cpu_count() or 1


def seed(value: int = 0) -> None:
    """Seed Python's ``random``, NumPy's global generator and torch (CPU and every GPU).

    ``value`` is an int or a NumPy integer (``np.int64(3)``), in [0, 2**32). It also fixes
    torch's CPU thread count (:func:`thread_count`) and asks cuDNN and cuBLAS for
    deterministic kernels, so that sums and GPU convolutions repeat too.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"seed must be an int, got {type(value).__name__}")
    value = int(value)
    if not 0 <= value < 2**32:
        raise ValueError(f"seed must lie in [0, 2**32), got {value}")
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", _CUBLAS_WORKSPACE)
    torch.set_num_threads(thread_count())
    random.seed(value)
    np.random.seed(value)
    torch.manual_seed(value)  # also seeds every CUDA device
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
