"""Mini-batches for the NumPy framework, with torch.utils.data.DataLoader's arguments.

Batches are NumPy arrays, not tensors: inputs never need a gradient, and class labels
go to the loss as an integer array anyway, so wrapping is left to the training loop
(``Tensor(x)``), where it is visible.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from torchbook.scratch.tensor import Tensor


def _arrays(dataset: Any) -> tuple[np.ndarray, ...] | None:
    """The dataset's arrays if it is a tuple of equally long arrays, else None."""
    if not isinstance(dataset, tuple) or not dataset:
        return None
    if not all(isinstance(a, np.ndarray | Tensor) for a in dataset):
        return None
    arrays = tuple(a.data if isinstance(a, Tensor) else a for a in dataset)
    lengths = {len(a) for a in arrays}
    if len(lengths) != 1:
        raise ValueError(f"DataLoader: arrays of different lengths {[len(a) for a in arrays]}")
    return arrays


class DataLoader:
    """Iterate over a dataset in (optionally shuffled) mini-batches of stacked NumPy arrays.

    ``dataset`` is a tuple of arrays ``(X, y)`` sharing their first axis (sliced with one
    fancy index per batch: fast), or any object with ``__len__`` and ``__getitem__``
    returning a tuple per sample (each field is stacked with ``np.stack``; a sample that is
    a single array gives batches that are a single array). With ``shuffle`` every epoch
    draws a fresh order from ``np.random.default_rng(seed)``, created once, so a run is
    reproducible from its seed while the epochs differ. Without ``seed`` a shuffling
    loader seeds its generator from NumPy's global one, so that ``tb.seed`` makes it
    repeatable, much as torch's loader follows ``torch.manual_seed``; a loader that keeps
    the order draws nothing.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
    ) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        self.dataset = dataset
        self.batch_size, self.shuffle, self.drop_last = batch_size, shuffle, drop_last
        self._arrays = _arrays(dataset)
        if shuffle and seed is None:  # follow the global seed that tb.seed sets
            seed = int(np.random.randint(2**32, dtype=np.uint64))
        self._rng = np.random.default_rng(seed)

    def _num_samples(self) -> int:
        return len(self._arrays[0]) if self._arrays is not None else len(self.dataset)

    def __len__(self) -> int:
        """Batches per epoch: ceil(N / batch_size), or floor with ``drop_last``."""
        n = self._num_samples()
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        n = self._num_samples()
        order = self._rng.permutation(n) if self.shuffle else np.arange(n)
        stop = n - n % self.batch_size if self.drop_last else n
        for start in range(0, stop, self.batch_size):
            index = order[start : start + self.batch_size]
            yield self._batch(index)

    def _batch(self, index: np.ndarray) -> Any:
        if self._arrays is not None:
            if not self.shuffle:  # a slice: views, no copy
                index = slice(int(index[0]), int(index[-1]) + 1)
            return tuple(a[index] for a in self._arrays)
        samples = [self.dataset[int(i)] for i in index]
        if isinstance(samples[0], tuple | list):
            return tuple(
                np.stack([np.asarray(s[k]) for s in samples]) for k in range(len(samples[0]))
            )
        return np.stack([np.asarray(s) for s in samples])
