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
from torchbook.data import DataFallbackWarning, DataFolderError


@pytest.fixture(autouse=True)
def _fallback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whoever runs the tests may have TORCHBOOK_REQUIRE_MNIST=1 set (the GPU workflow)."""
    monkeypatch.delenv("TORCHBOOK_REQUIRE_MNIST", raising=False)


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


def _write_mnist(root: Path, n_test: int = 2, n_train: int = 3) -> Path:
    """A complete, tiny MNIST folder (both splits) under ``root``; returns its raw folder."""
    raw = root / "MNIST" / "raw"
    rng = np.random.default_rng(1)
    for prefix, n in (("t10k", n_test), ("train", n_train)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        _write_idx(raw, prefix, images, np.arange(n) % 10, gz=False)
    return raw


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


WHOLE_ERROR = "Error downloading train-images-idx3-ubyte.gz:\nTried mirror 1: timed out\nTried 2"


def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Downloads allowed, and every one fails with a multi-line error caused by another."""
    monkeypatch.delenv("TORCHBOOK_OFFLINE")

    def no_network(*args, **kwargs):
        try:
            raise ConnectionResetError("connection reset by peer")
        except ConnectionResetError as reset:
            raise RuntimeError(WHOLE_ERROR) from reset

    monkeypatch.setattr("torchvision.datasets.MNIST.download", no_network)


def test_failed_download_falls_back_loudly_and_leaves_no_debris(
    tmp_path: Path, monkeypatch
) -> None:
    _no_network(monkeypatch)
    with pytest.warns(DataFallbackWarning, match="the download failed") as caught:
        ds = tb.data.mnist(root=tmp_path)
    assert ds.is_fallback
    # the whole error, every line and its cause, not only the first line
    for text in (WHOLE_ERROR, "ConnectionResetError: connection reset by peer"):
        assert text in ds.fallback_reason and text in str(caught[0].message)
    leftovers = [p for p in (tmp_path / "MNIST").rglob("*") if p.is_file()]
    assert leftovers == []


def test_offline_fallback_says_why(tmp_path: Path) -> None:
    ds = tb.data.mnist(root=tmp_path)
    assert "TORCHBOOK_OFFLINE" in ds.fallback_reason
    assert tb.data.mnist(root=tmp_path, download=False).fallback_reason == "download=False"


def test_only_the_test_files_is_an_error_for_both_splits(tmp_path: Path) -> None:
    """The issue's new user: a data folder holding only MNIST's two test files."""
    raw = tmp_path / "MNIST" / "raw"
    _write_idx(raw, "t10k", np.zeros((4, 28, 28)), np.arange(4), gz=True)
    for train in (True, False):  # never the stand-in for one split and MNIST for the other
        with pytest.raises(DataFolderError) as error:
            tb.data.mnist(train=train, root=tmp_path)
        message = str(error.value)
        assert str(raw) in message
        assert "train-images-idx3-ubyte, train-labels-idx1-ubyte are missing" in message
        assert "t10k" not in message.split("missing")[0]  # only what is missing is named


@pytest.mark.parametrize("bad", [1, 0, "train", None, np.bool_(True)])
def test_train_must_be_a_bool(tmp_path: Path, bad: object) -> None:
    with pytest.raises(TypeError, match="train must be True or False"):
        tb.data.mnist(train=bad, root=tmp_path)  # type: ignore[arg-type]


def test_required_mnist_missing_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TORCHBOOK_REQUIRE_MNIST", "1")
    with pytest.raises(DataFolderError) as error:
        tb.data.mnist(root=tmp_path)
    message = str(error.value)
    assert "TORCHBOOK_REQUIRE_MNIST=1 forbids the fallback" in message
    assert str(tmp_path / "MNIST" / "raw") in message and "TORCHBOOK_OFFLINE" in message


def test_required_mnist_present_is_read(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TORCHBOOK_REQUIRE_MNIST", "1")
    _write_mnist(tmp_path, n_test=2, n_train=3)
    train, test = tb.data.mnist(True, root=tmp_path), tb.data.mnist(False, root=tmp_path)
    assert (train.source, len(train), test.source, len(test)) == ("mnist", 3, "mnist", 2)


def test_required_mnist_failed_download_keeps_the_whole_cause(tmp_path: Path, monkeypatch) -> None:
    _no_network(monkeypatch)
    monkeypatch.setenv("TORCHBOOK_REQUIRE_MNIST", "1")
    with pytest.raises(DataFolderError) as error:
        tb.data.mnist(root=tmp_path)
    assert WHOLE_ERROR in str(error.value) and "connection reset by peer" in str(error.value)
    assert isinstance(error.value.__cause__, RuntimeError)


@pytest.mark.parametrize("bad", ["yes", "true", "2", "١"])
def test_require_switch_takes_only_0_or_1(monkeypatch, bad: str) -> None:
    monkeypatch.setenv("TORCHBOOK_REQUIRE_MNIST", bad)
    with pytest.raises(ValueError, match="TORCHBOOK_REQUIRE_MNIST"):
        tb.data.mnist_required()


def test_data_source_names_what_the_chapters_read(tmp_path: Path) -> None:
    assert tb.data.data_source(tmp_path) == "sklearn-digits"
    raw = _write_mnist(tmp_path)
    source = tb.data.data_source(tmp_path)
    assert source.startswith("mnist sha256:")
    for path in raw.iterdir():  # the same bytes gzipped: the same data
        path.with_name(path.name + ".gz").write_bytes(gzip.compress(path.read_bytes()))
        path.unlink()
    assert tb.data.data_source(tmp_path) == source
    _write_mnist(tmp_path, n_test=3)  # other images: another source
    assert tb.data.data_source(tmp_path) not in (source, "sklearn-digits")
    (raw / "train-labels-idx1-ubyte").unlink()
    (raw / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataFolderError, match="train-labels-idx1-ubyte is missing"):
        tb.data.data_source(tmp_path)


def test_prepare_downloads_once_and_reports_the_source(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("TORCHBOOK_OFFLINE")
    calls = []

    def fake_download(raw: Path) -> None:
        calls.append(raw)
        _write_mnist(raw.parents[1])

    monkeypatch.setattr("torchbook.data._download", fake_download)
    source, failure = tb.data.prepare_mnist(tmp_path)
    assert source.startswith("mnist sha256:") and failure is None and len(calls) == 1
    assert tb.data.prepare_mnist(tmp_path) == (source, None) and len(calls) == 1


def test_prepare_offline_and_failed(tmp_path: Path, monkeypatch) -> None:
    assert tb.data.prepare_mnist(tmp_path) == ("sklearn-digits", None)  # offline: no failure
    _no_network(monkeypatch)
    source, failure = tb.data.prepare_mnist(tmp_path)
    assert source == "sklearn-digits" and WHOLE_ERROR in failure
    monkeypatch.setenv("TORCHBOOK_REQUIRE_MNIST", "1")
    with pytest.raises(DataFolderError, match="TORCHBOOK_REQUIRE_MNIST=1") as error:
        tb.data.prepare_mnist(tmp_path)
    assert WHOLE_ERROR in str(error.value)


def test_partial_folder_is_a_clear_error(tmp_path: Path) -> None:
    raw = tmp_path / "MNIST" / "raw"
    _write_idx(raw, "t10k", np.zeros((2, 28, 28)), np.array([1, 2]), gz=False)
    (raw / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DataFolderError, match=r"MNIST folder .*raw is incomplete.*labels"):
        tb.data.mnist(train=False, root=tmp_path)


def test_corrupt_file_is_a_clear_error(tmp_path: Path) -> None:
    raw = _write_mnist(tmp_path)
    path = raw / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:100])  # truncated
    with pytest.raises(DataFolderError, match=r"MNIST folder .*raw"):
        tb.data.mnist(train=False, root=tmp_path)


def test_mismatched_counts_are_a_clear_error(tmp_path: Path) -> None:
    raw = _write_mnist(tmp_path)
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
    assert "TORCHBOOK_OFFLINE" in sample.fallback_reason


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
