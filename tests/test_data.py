"""torchbook.data: MNIST through torchvision's reader, and an honest offline fallback."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
import torch
from torchvision.transforms import Normalize

import torchbook as tb
from torchbook.data import DataFolderError


def _write_idx(raw: Path, prefix: str, images: np.ndarray, labels: np.ndarray, gz: bool) -> None:
    """Write a pair of IDX files in MNIST's format (big-endian header, then uint8 data)."""
    raw.mkdir(parents=True, exist_ok=True)
    n, rows, cols = images.shape
    image_bytes = struct.pack(">IIII", 2051, n, rows, cols) + images.astype(np.uint8).tobytes()
    label_bytes = struct.pack(">II", 2049, n) + labels.astype(np.uint8).tobytes()
    for name, payload in (
        (f"{prefix}-images-idx3-ubyte", image_bytes),
        (f"{prefix}-labels-idx1-ubyte", label_bytes),
    ):
        if gz:
            with gzip.open(raw / f"{name}.gz", "wb") as handle:
                handle.write(payload)
        else:
            (raw / name).write_bytes(payload)


@pytest.fixture
def tiny_mnist(tmp_path: Path) -> tuple[Path, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    labels = np.array([3, 7, 0, 9, 3], dtype=np.uint8)
    raw = tmp_path / "MNIST" / "raw"
    _write_idx(raw, "t10k", images, labels, gz=False)
    _write_idx(raw, "train", images[:3], labels[:3], gz=True)
    return tmp_path, images, labels


def test_reads_mnist_files_through_torchvision(tiny_mnist) -> None:
    root, images, _ = tiny_mnist
    ds = tb.data.mnist(train=False, root=root)
    assert ds.source == "mnist" and not ds.is_fallback
    assert len(ds) == 5
    image, label = ds[1]
    assert image.shape == (1, 28, 28) and image.dtype == torch.float32
    assert label == 7 and isinstance(label, int)
    torch.testing.assert_close(image[0], torch.from_numpy(images[1]).float() / 255)


def test_reads_gzipped_files_too(tiny_mnist) -> None:
    root, _, labels = tiny_mnist
    ds = tb.data.mnist(train=True, root=root)
    assert ds.targets.tolist() == labels[:3].tolist()


def test_data_folder_comes_from_environment(tiny_mnist, monkeypatch) -> None:
    root, _, _ = tiny_mnist
    monkeypatch.setenv("TORCHBOOK_DATA", str(root))
    assert tb.data.mnist(train=False).source == "mnist"


def test_transform_is_applied(tiny_mnist) -> None:
    root, _, _ = tiny_mnist
    ds = tb.data.mnist(train=False, root=root, transform=Normalize((0.5,), (0.5,)))
    image, _ = ds[0]
    assert image.min() >= -1.0 and image.max() <= 1.0 and image.min() < 0


def test_offline_with_no_files_falls_back_to_real_digits(tmp_path: Path) -> None:
    train = tb.data.mnist(train=True, root=tmp_path)
    test = tb.data.mnist(train=False, root=tmp_path)
    assert train.source == "sklearn-digits" and train.is_fallback
    assert len(train) + len(test) == 1797  # every scikit-learn digit, split once
    image, label = train[0]
    assert image.shape == (1, 28, 28) and 0 <= label <= 9
    assert image.max() > 0.5  # ink, not an empty frame
    assert set(train.targets.tolist()) == set(range(10))


def test_fallback_split_is_the_same_every_time(tmp_path: Path) -> None:
    first = tb.data.mnist(train=False, root=tmp_path)
    torch.manual_seed(123)  # the global seed must not change the split
    second = tb.data.mnist(train=False, root=tmp_path)
    assert torch.equal(first.images, second.images)


def test_fallback_can_be_refused(tmp_path: Path) -> None:
    with pytest.raises(DataFolderError, match="no MNIST files in"):
        tb.data.mnist(root=tmp_path, allow_fallback=False)


def test_failed_download_falls_back_and_leaves_no_debris(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("TORCHBOOK_OFFLINE")

    def no_network(*args, **kwargs):
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz")

    monkeypatch.setattr("torchvision.datasets.MNIST.download", no_network)
    ds = tb.data.mnist(root=tmp_path)
    assert ds.is_fallback
    leftovers = [p for p in (tmp_path / "MNIST").rglob("*") if p.is_file()]
    assert leftovers == []


def test_partial_folder_is_a_clear_error(tmp_path: Path) -> None:
    raw = tmp_path / "MNIST" / "raw"
    _write_idx(raw, "t10k", np.zeros((2, 28, 28)), np.array([1, 2]), gz=False)
    (raw / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DataFolderError, match=r"MNIST folder .*raw is incomplete.*labels"):
        tb.data.mnist(train=False, root=tmp_path)


def test_corrupt_file_is_a_clear_error(tmp_path: Path) -> None:
    raw = tmp_path / "MNIST" / "raw"
    _write_idx(raw, "t10k", np.zeros((2, 28, 28)), np.array([1, 2]), gz=False)
    path = raw / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:100])  # truncated
    with pytest.raises(DataFolderError, match=r"MNIST folder .*raw"):
        tb.data.mnist(train=False, root=tmp_path)


def test_mismatched_counts_are_a_clear_error(tmp_path: Path) -> None:
    raw = tmp_path / "MNIST" / "raw"
    _write_idx(raw, "t10k", np.zeros((3, 28, 28)), np.array([1, 2, 3]), gz=False)
    _write_idx(raw / "other", "t10k", np.zeros((2, 28, 28)), np.array([1, 2]), gz=False)
    (raw / "other" / "t10k-labels-idx1-ubyte").replace(raw / "t10k-labels-idx1-ubyte")
    with pytest.raises(DataFolderError, match="3 images but 2 labels"):
        tb.data.mnist(train=False, root=tmp_path)


def test_sample_keeps_only_the_chosen_digits(tiny_mnist) -> None:
    root, _, _ = tiny_mnist
    sample = tb.data.mnist_sample(train=False, root=root)
    assert sorted(sample.targets.tolist()) == [3, 3, 7]
    assert sample.source == "mnist"


def test_sample_of_fallback_says_so(tmp_path: Path) -> None:
    sample = tb.data.mnist_sample(root=tmp_path)
    assert sample.is_fallback and set(sample.targets.tolist()) == {3, 7}


def test_sample_rejects_bad_digits(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="digits must be"):
        tb.data.mnist_sample(root=tmp_path, digits=(3, 12))


def test_note_only_for_the_fallback(tiny_mnist, tmp_path: Path) -> None:
    root, _, _ = tiny_mnist
    assert tb.data.source_note(tb.data.mnist(train=False, root=root)) is None
    fallback = tb.data.mnist(train=False, root=tmp_path / "empty")
    assert "scikit-learn" in tb.data.source_note(fallback)


def test_dataset_rejects_mismatched_tensors() -> None:
    with pytest.raises(ValueError, match="one label per image"):
        tb.data.DigitsDataset(torch.zeros(3, 28, 28, dtype=torch.uint8), torch.zeros(2), "x")


def test_idx_dataset_reads_a_flat_folder(tmp_path: Path) -> None:
    images = np.arange(2 * 28 * 28).reshape(2, 28, 28) % 256
    _write_idx(tmp_path, "t10k", images, np.array([4, 2]), gz=True)
    ds = tb.data.idx_dataset(tmp_path)
    assert ds.targets.tolist() == [4, 2] and ds.images.dtype == torch.uint8
    assert torch.equal(ds.images, torch.from_numpy(images.astype(np.uint8)))
    assert not list(tmp_path.glob("*-ubyte"))  # read in memory: nothing written beside


def test_idx_dataset_names_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(DataFolderError, match="no such MNIST folder"):
        tb.data.idx_dataset(tmp_path / "nowhere")


def test_idx_dataset_names_missing_files(tmp_path: Path) -> None:
    with pytest.raises(DataFolderError, match="lacks t10k-images-idx3-ubyte"):
        tb.data.idx_dataset(tmp_path)


def test_file_that_is_not_idx_is_a_clear_error(tmp_path: Path) -> None:
    _write_idx(tmp_path, "t10k", np.zeros((2, 28, 28)), np.array([1, 2]), gz=False)
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(b"<html>not found</html>")
    with pytest.raises(DataFolderError, match="not an IDX file"):
        tb.data.idx_dataset(tmp_path)
