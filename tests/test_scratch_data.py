"""torchbook.scratch.data.DataLoader: batches, order, shuffling and lengths as torch's."""

from __future__ import annotations

import numpy as np
import pytest

from torchbook.scratch.data import DataLoader
from torchbook.scratch.tensor import Tensor

X = np.arange(20.0).reshape(10, 2)
Y = np.arange(10)


@pytest.mark.parametrize(
    ("batch_size", "drop_last", "expected"),
    [(3, False, 4), (3, True, 3), (5, False, 2), (5, True, 2), (1, False, 10), (20, False, 1),
     (20, True, 0)],
)  # fmt: skip
def test_len_is_ceil_or_floor(batch_size: int, drop_last: bool, expected: int) -> None:
    loader = DataLoader((X, Y), batch_size=batch_size, drop_last=drop_last)
    assert len(loader) == expected
    assert len(list(loader)) == expected


def test_batches_in_order_without_shuffle() -> None:
    batches = list(DataLoader((X, Y), batch_size=4))
    assert [len(yb) for _, yb in batches] == [4, 4, 2]
    np.testing.assert_array_equal(np.concatenate([xb for xb, _ in batches]), X)
    np.testing.assert_array_equal(np.concatenate([yb for _, yb in batches]), Y)
    assert all(isinstance(xb, np.ndarray) for xb, _ in batches)


def test_drop_last_drops_the_short_batch() -> None:
    batches = list(DataLoader((X, Y), batch_size=4, drop_last=True))
    assert [len(yb) for _, yb in batches] == [4, 4]


def _epoch(loader: DataLoader) -> np.ndarray:
    return np.concatenate([yb for _, yb in loader])


def test_shuffle_is_a_permutation_that_keeps_pairs_together() -> None:
    loader = DataLoader((X, Y), batch_size=3, shuffle=True, seed=0)
    for xb, yb in loader:
        np.testing.assert_array_equal(xb, X[yb])
    order = _epoch(loader)
    assert sorted(order) == list(Y) and not np.array_equal(order, Y)


def test_shuffle_differs_between_epochs_and_repeats_with_the_seed() -> None:
    a, b = DataLoader((X, Y), 3, shuffle=True, seed=1), DataLoader((X, Y), 3, shuffle=True, seed=1)
    first, second = _epoch(a), _epoch(a)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, _epoch(b))
    np.testing.assert_array_equal(second, _epoch(b))


class _Squares:
    """A map-style dataset: any object with __len__ and __getitem__ returning a tuple."""

    def __len__(self) -> int:
        return 5

    def __getitem__(self, i: int) -> tuple[np.ndarray, int]:
        return np.array([i, i * i], dtype=np.float32), i


def test_a_dataset_object_is_stacked_field_by_field() -> None:
    (xb, yb), (_, yb2) = DataLoader(_Squares(), batch_size=3)
    np.testing.assert_array_equal(xb, [[0, 0], [1, 1], [2, 4]])
    assert xb.dtype == np.float32 and xb.shape == (3, 2)
    np.testing.assert_array_equal(yb, [0, 1, 2])
    np.testing.assert_array_equal(yb2, [3, 4])


def test_a_dataset_of_single_arrays_gives_single_arrays() -> None:
    batches = list(DataLoader([np.ones(2) * i for i in range(5)], batch_size=2))
    assert len(batches) == 3
    np.testing.assert_array_equal(batches[2], [[4.0, 4.0]])


def test_tensors_in_the_tuple_are_batched_as_arrays() -> None:
    (xb, _), *_ = DataLoader((Tensor(X), Y), batch_size=2)
    np.testing.assert_array_equal(xb, X[:2])


def test_arrays_of_different_lengths_are_rejected() -> None:
    with pytest.raises(ValueError, match="different lengths"):
        DataLoader((X, Y[:5]))


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True])
def test_batch_size_must_be_a_positive_int(batch_size) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader((X, Y), batch_size=batch_size)


def test_an_unseeded_loader_follows_tb_seed() -> None:
    import torchbook as tb

    X = np.arange(20).reshape(10, 2)
    orders = []
    for _ in range(2):
        tb.seed(3)
        loader = DataLoader((X,), batch_size=10, shuffle=True)
        orders.append(next(iter(loader))[0][:, 0].tolist())
    assert orders[0] == orders[1]
    tb.seed(4)
    assert next(iter(DataLoader((X,), batch_size=10, shuffle=True)))[0][:, 0].tolist() != orders[0]


def test_a_loader_in_order_leaves_the_global_generator_alone() -> None:
    np.random.seed(5)
    expected = np.random.rand()
    np.random.seed(5)
    DataLoader((np.zeros((4, 1)),), batch_size=2)
    assert np.random.rand() == expected


def test_the_default_batch_is_one_sample() -> None:
    X = np.arange(6).reshape(3, 2)
    loader = DataLoader((X,))
    assert len(loader) == 3 and [b[0].tolist() for b in loader] == [[[0, 1]], [[2, 3]], [[4, 5]]]


def test_an_unseeded_shuffle_draws_its_seed_from_the_global_generator() -> None:
    """The seed is one 32-bit draw from NumPy's global generator, as torch's loader takes
    one from torch's: the same order as a loader seeded with that draw."""
    X = np.arange(50)[:, None]
    np.random.seed(8)
    drawn = int(np.random.randint(2**32, dtype=np.uint64))
    expected = next(iter(DataLoader((X,), batch_size=50, shuffle=True, seed=drawn)))[0]
    np.random.seed(8)
    got = next(iter(DataLoader((X,), batch_size=50, shuffle=True)))[0]
    np.testing.assert_array_equal(got, expected)
