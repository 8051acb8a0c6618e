"""Make every run of a chapter draw the same random numbers.

A published figure must not change from one build to the next, so every chapter calls
:func:`seed` once at the top, and anything random afterwards is a function of that seed.
"""

from __future__ import annotations

import random

import numpy as np
import torch


def seed(value: int = 0) -> None:
    """Seed Python's ``random``, NumPy's global generator and torch (CPU and every GPU).

    cuDNN is also told to pick deterministic kernels, so that GPU convolutions repeat too.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"seed must be an int, got {type(value).__name__}")
    if not 0 <= value < 2**32:
        raise ValueError(f"seed must lie in [0, 2**32), got {value}")
    random.seed(value)
    np.random.seed(value)
    torch.manual_seed(value)  # also seeds every CUDA device
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
