"""torchbook.data: MNIST through torchvision's reader, and an honest offline fallback."""

from __future__ import annotations

import gzip
import hashlib
import socket
import struct
import sys
from pathlib import Path
from typing import ClassVar

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


def _resize_matrix(n_in: int, n_out: int) -> np.ndarray:
    """Bilinear resizing with pixel centres aligned (torch's ``align_corners=False``), as a
    matrix: row ``o`` weighs the two input pixels around ``(o + 0.5) * n_in / n_out - 0.5``."""
    matrix = np.zeros((n_out, n_in))
    for o in range(n_out):
        src = max((o + 0.5) * n_in / n_out - 0.5, 0.0)
        i0 = int(src)
        i1, w = min(i0 + 1, n_in - 1), src - i0
        matrix[o, i0] += 1 - w
        matrix[o, i1] += w
    return matrix


def _digits_laid_out_like_mnist() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 digits as ``data.py`` promises to lay them out, computed here
    with NumPy alone: each 8x8 scan (ink 0..16) resized to 20x20, centred in a black 28x28
    frame, 16 -> 255. Returns (images as float64, (1797, 784); scikit-learn's labels)."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    r = _resize_matrix(8, 20)
    frames = np.zeros((len(bunch.images), 28, 28))
    frames[:, 4:24, 4:24] = np.einsum("oi,nij,pj->nop", r, bunch.images, r)
    frames = np.round(np.clip(frames, 0, 16) * (255 / 16))
    return frames.reshape(len(frames), -1), bunch.target


def _source_of_each(images: torch.Tensor, reference: np.ndarray) -> np.ndarray:
    """For each image, the index of the nearest reference image (squared distance)."""
    x = images.reshape(len(images), -1).double().numpy()
    distances = (x * x).sum(1)[:, None] + (reference**2).sum(1)[None, :] - 2 * x @ reference.T
    return distances.argmin(1)


# The offline split as taken on 2026-12-01 (scikit-learn 1.9.1, torch 2.14.1's randperm with
# a generator seeded 0): sha256 of the int64 label sequences, and of the test split's source
# indices into load_digits(). A change here changes every number on the fallback pages.
FALLBACK_TRAIN_LABELS_SHA256 = "a46b30a35793a1e2"
FALLBACK_TEST_LABELS_SHA256 = "c8eb975c3c91cd1f"
FALLBACK_TEST_SOURCES_SHA256 = "29362365bc3e70df"


def _sha(values: np.ndarray) -> str:
    return hashlib.sha256(np.asarray(values, dtype=np.int64).tobytes()).hexdigest()[:16]


def test_offline_fallback_is_every_scikit_learn_digit_laid_out_like_mnist(tmp_path: Path) -> None:
    """Each fallback image is one of scikit-learn's scans, ink where the scan has ink (not
    inverted, not shifted, not flipped: within 1 of an independent NumPy resizing, the
    difference being float32 rounding), each scan used once, with the scan's own label."""
    train = tb.data.mnist(train=True, root=tmp_path)
    test = tb.data.mnist(train=False, root=tmp_path)
    assert (train.source, test.source) == ("sklearn-digits", "sklearn-digits")
    assert train.is_fallback and test.is_fallback
    assert (len(train), len(test)) == (1437, 360)  # 80/20, every digit once
    assert train.images.dtype == torch.uint8 and train.images.shape[1:] == (28, 28)
    reference, labels = _digits_laid_out_like_mnist()
    sources = {}
    for name, split in (("train", train), ("test", test)):
        sources[name] = _source_of_each(split.images, reference)
        pixels = split.images.reshape(len(split), -1).double().numpy()
        assert np.abs(pixels - reference[sources[name]]).max() <= 1
        assert (pixels == reference[sources[name]]).mean() > 0.99
        np.testing.assert_array_equal(split.targets.numpy(), labels[sources[name]])
    assert sorted([*sources["train"], *sources["test"]]) == list(range(1797))
    assert _sha(train.targets) == FALLBACK_TRAIN_LABELS_SHA256
    assert _sha(test.targets) == FALLBACK_TEST_LABELS_SHA256
    assert _sha(sources["test"]) == FALLBACK_TEST_SOURCES_SHA256
    image, label = train[0]
    assert image.shape == (1, 28, 28) and image.dtype == torch.float32
    assert label == labels[sources["train"][0]] and isinstance(label, int)
    torch.testing.assert_close(image[0], train.images[0].float() / 255)


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
    full = tb.data.mnist(root=tmp_path)
    keep = (full.targets == 3) | (full.targets == 7)
    assert torch.equal(sample.targets, full.targets[keep]) and len(sample) == int(keep.sum())
    assert sample.is_fallback and sample.fallback_reason == full.fallback_reason
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


# --- a download that works (faked), and the error paths ----------------------------------------
class _FakeMNIST:
    """Stands in for torchvision's MNIST: "downloads" a tiny MNIST into ``root``, chatting
    on stdout and stderr as torchvision does, and records how it was called."""

    calls: ClassVar[list[tuple[Path, bool, bool, float | None]]] = []
    files: ClassVar[dict[str, int]] = {}

    def __init__(self, root: str, train: bool, download: bool) -> None:
        _FakeMNIST.calls.append((Path(root), train, download, socket.getdefaulttimeout()))
        sys.stdout.write("Downloading https://example.org/train-images-idx3-ubyte.gz\n")
        sys.stderr.write("100%|██████████| 9.91M/9.91M\n")  # as tqdm writes its bar
        raw = _write_mnist(Path(root), **_FakeMNIST.files)
        (raw / "train-images-idx3-ubyte.gz").write_bytes(b"the archive, left beside")


@pytest.fixture
def fake_download(monkeypatch: pytest.MonkeyPatch) -> type[_FakeMNIST]:
    monkeypatch.delenv("TORCHBOOK_OFFLINE")
    monkeypatch.setattr("torchvision.datasets.MNIST", _FakeMNIST)
    _FakeMNIST.calls, _FakeMNIST.files = [], {"n_test": 2, "n_train": 3}
    return _FakeMNIST


def test_a_successful_download_is_read_quietly_and_leaves_only_the_four_files(
    tmp_path: Path, fake_download, capsys
) -> None:
    """torchvision fetches all four files whatever its ``train`` says; they are moved from a
    scratch folder beside ``raw``, which is then removed."""
    socket.setdefaulttimeout(None)
    train = tb.data.mnist(root=tmp_path, transform=lambda image: image * 2)  # train by default
    ((scratch, _, download, timeout),) = fake_download.calls
    assert download and timeout == 30.0
    assert scratch.parent == tmp_path / "MNIST" and scratch.name.startswith(".download-")
    assert socket.getdefaulttimeout() is None  # put back as it was
    assert capsys.readouterr() == ("", "")  # torchvision's chatter is not shown
    assert (train.source, len(train), train.fallback_reason) == ("mnist", 3, None)
    torch.testing.assert_close(train[1][0], train.images[1:2].float() / 255 * 2)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "MNIST",
        "MNIST/raw",
        *(f"MNIST/raw/{split}-{kind}" for split in ("t10k", "train")
          for kind in ("images-idx3-ubyte", "labels-idx1-ubyte")),
    ]  # fmt: skip
    test = tb.data.mnist(train=False, root=tmp_path)  # no second download
    assert (test.source, len(test), len(fake_download.calls)) == ("mnist", 2, 1)


def test_a_download_fills_an_empty_raw_folder(tmp_path: Path, fake_download) -> None:
    """An empty ``MNIST/raw`` (left by an earlier attempt) is not an error: it is filled."""
    (tmp_path / "MNIST" / "raw").mkdir(parents=True)
    assert tb.data.mnist(train=False, root=tmp_path).source == "mnist"


def test_a_download_into_a_new_data_folder_creates_it(tmp_path: Path, fake_download) -> None:
    root = tmp_path / "not" / "yet"
    assert tb.data.mnist(train=True, root=root).source == "mnist"
    assert tb.data.data_source(root).startswith("mnist sha256:")


def test_prepare_downloads_for_real(tmp_path: Path, fake_download) -> None:
    source, failure = tb.data.prepare_mnist(tmp_path)
    assert failure is None and source == tb.data.data_source(tmp_path) != "sklearn-digits"
    assert len(fake_download.calls) == 1


def test_a_download_that_fails_halfway_leaves_nothing_and_restores_the_timeout(
    tmp_path: Path, fake_download, monkeypatch
) -> None:
    def half_then_fail(self, root: str, train: bool, download: bool) -> None:
        _FakeMNIST.calls.append((Path(root), train, download, socket.getdefaulttimeout()))
        raw = Path(root) / "MNIST" / "raw"
        _write_idx(raw, "train", np.zeros((1, 28, 28)), np.ones(1), gz=False)
        raise RuntimeError("Error downloading t10k-images-idx3-ubyte.gz")

    monkeypatch.setattr(_FakeMNIST, "__init__", half_then_fail)
    socket.setdefaulttimeout(7.0)
    try:
        with pytest.warns(DataFallbackWarning, match="Error downloading t10k-images"):
            ds = tb.data.mnist(train=True, root=tmp_path)
        assert socket.getdefaulttimeout() == 7.0
    finally:
        socket.setdefaulttimeout(None)
    assert ds.is_fallback and [call[3] for call in fake_download.calls] == [30.0]
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")] == ["MNIST"]


def test_a_download_that_breaks_the_folder_is_not_a_fallback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TORCHBOOK_OFFLINE")

    def half_written(raw: Path) -> None:
        raise DataFolderError("MNIST folder x is incomplete")

    monkeypatch.setattr("torchbook.data._download", half_written)
    for call in (lambda: tb.data.mnist(root=tmp_path), lambda: tb.data.prepare_mnist(tmp_path)):
        with pytest.raises(DataFolderError, match=r"^MNIST folder x is incomplete$"):
            call()


@pytest.mark.parametrize("error", [OSError("disk full"), RuntimeError("bad checksum")])
def test_a_failed_download_warns_with_the_error(tmp_path: Path, monkeypatch, error) -> None:
    monkeypatch.delenv("TORCHBOOK_OFFLINE")

    def failing(raw: Path) -> None:
        raise error

    monkeypatch.setattr("torchbook.data._download", failing)
    name = type(error).__name__
    with pytest.warns(DataFallbackWarning) as caught:
        ds = tb.data.mnist(train=False, root=tmp_path)
    assert str(caught[0].message) == (
        f"MNIST is not available (the download failed: {name}: {error}); "
        "using scikit-learn's digits instead"
    )
    assert ds.fallback_reason == f"the download failed: {name}: {error}"
    assert caught[0].filename != tb.data.__file__  # it points at a caller, not at data.py
    with pytest.raises(DataFolderError) as refused:
        tb.data.mnist(train=False, root=tmp_path, allow_fallback=False)
    assert str(refused.value) == (
        f"no MNIST files in {tmp_path / 'MNIST' / 'raw'}: the download failed: {name}: {error}"
    )
    assert refused.value.__cause__ is error


def test_describe_follows_causes_and_contexts_once() -> None:
    from torchbook.data import _describe

    try:
        try:
            raise KeyError("inner")
        except KeyError:
            raise ValueError("outer")  # noqa: B904 - a context, not a cause
    except ValueError as error:
        outer = error
    assert _describe(outer) == "ValueError: outer <- caused by KeyError: 'inner'"
    loop = RuntimeError("")
    loop.__cause__ = loop
    assert _describe(loop) == "RuntimeError"  # an empty message adds no colon; no endless loop


def test_the_default_data_folder_is_in_the_home_cache(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TORCHBOOK_DATA")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert tb.data.data_root() == tmp_path / ".cache" / "torchbook"
    monkeypatch.setenv("TORCHBOOK_DATA", "")
    assert tb.data.data_root() == tmp_path / ".cache" / "torchbook"
    monkeypatch.setenv("TORCHBOOK_DATA", str(tmp_path / "d"))
    assert tb.data.data_root() == tmp_path / "d"
    assert tb.data.data_root(tmp_path / "given") == tmp_path / "given"


@pytest.mark.parametrize(
    ("value", "required"), [("", False), ("0", False), ("1", True), (" 1 ", True)]
)
def test_require_switch_values(monkeypatch, value: str, required: bool) -> None:
    monkeypatch.setenv("TORCHBOOK_REQUIRE_MNIST", value)
    assert tb.data.mnist_required() is required


def test_require_switch_error_names_the_value(monkeypatch) -> None:
    monkeypatch.setenv("TORCHBOOK_REQUIRE_MNIST", "yes")
    with pytest.raises(ValueError) as error:
        tb.data.mnist_required()
    assert str(error.value) == "TORCHBOOK_REQUIRE_MNIST='yes': expected 1 (required) or 0 (allowed)"


@pytest.mark.parametrize(
    ("images", "targets", "message"),
    [(torch.zeros(3, 28, 28), torch.zeros(3), "expected uint8 images of shape (N, H, W), got "
      "torch.float32 (3, 28, 28)"),
     (torch.zeros(3, 1, 28, 28, dtype=torch.uint8), torch.zeros(3), "expected uint8 images of "
      "shape (N, H, W), got torch.uint8 (3, 1, 28, 28)"),
     (torch.zeros(3, 28, 28, dtype=torch.uint8), torch.zeros(3, 1), "expected one label per "
      "image: 3 images, labels of shape (3, 1)")],
)  # fmt: skip
def test_dataset_names_what_it_expected(images, targets, message: str) -> None:
    with pytest.raises(ValueError) as error:
        tb.data.DigitsDataset(images, targets, "x")
    assert str(error.value) == message


def test_dataset_holds_int64_labels_and_says_what_it_is() -> None:
    images = torch.arange(2 * 4 * 5, dtype=torch.uint8).reshape(2, 4, 5)
    ds = tb.data.DigitsDataset(images, torch.tensor([3, 1], dtype=torch.uint8), "mnist")
    assert ds.targets.dtype == torch.int64 and not ds.is_fallback and len(ds) == 2
    assert repr(ds) == "DigitsDataset(source='mnist', n=2, image_shape=(4, 5))"
    image, label = ds[1]
    assert label == 1 and image.shape == (1, 4, 5)
    torch.testing.assert_close(image, images[1:2].float() / 255.0)
    other = tb.data.DigitsDataset(images, torch.tensor([3, 1]), "sklearn-digits", lambda t: -t)
    assert other.is_fallback and other.fallback_reason is None
    torch.testing.assert_close(other[0][0], -images[0:1].float() / 255.0)


def test_a_partial_folder_names_each_missing_file(tmp_path: Path) -> None:
    raw = _write_mnist(tmp_path)
    (raw / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DataFolderError) as error:
        tb.data.mnist(train=True, root=tmp_path)
    assert str(error.value) == (
        f"MNIST folder {raw} is incomplete: t10k-labels-idx1-ubyte is missing (plain or .gz). "
        "Both splits must come from the same source, so neither is read from it and there is "
        "no fallback. Delete the folder to download again, or complete it."
    )


@pytest.mark.parametrize(
    ("edit", "message"),
    [(lambda b: b[:3], "t10k-images-idx3-ubyte is not an IDX file of unsigned bytes"),
     (lambda b: b"\x00\x00\x09" + b[3:], "t10k-images-idx3-ubyte is not an IDX file"),
     (lambda b: b[:3] + b"\x02" + b[4:], "t10k-images-idx3-ubyte has 2 dimensions, expected 3"),
     (lambda b: b + b"\x00", "t10k-images-idx3-ubyte is truncated or padded: header says "
      "(2, 28, 28), 1569 bytes of data follow"),
     (lambda b: b[:-1], "header says (2, 28, 28), 1567 bytes of data follow")],
    ids=["short", "magic", "ndim", "padded", "truncated"],
)  # fmt: skip
def test_an_unreadable_file_is_named_with_what_is_wrong(tmp_path: Path, edit, message) -> None:
    raw = _write_mnist(tmp_path)
    path = raw / "t10k-images-idx3-ubyte"
    path.write_bytes(edit(path.read_bytes()))
    with pytest.raises(DataFolderError) as error:
        tb.data.mnist(train=False, root=tmp_path)
    text = str(error.value)
    assert text.startswith(
        f"MNIST folder {raw} holds unreadable files (t10k-images-idx3-ubyte, "
        "t10k-labels-idx1-ubyte): "
    )
    assert message in text and text.endswith(". Delete the folder to download again.")
    assert isinstance(error.value.__cause__, ValueError)


def test_images_that_are_not_28_by_28_are_refused(tmp_path: Path) -> None:
    raw = _write_mnist(tmp_path)
    _write_idx(raw, "t10k", np.zeros((2, 28, 27)), np.array([1, 2]), gz=False)
    with pytest.raises(DataFolderError) as error:
        tb.data.mnist(train=False, root=tmp_path)
    assert str(error.value) == (
        f"MNIST folder {raw}: expected images of shape (N, 28, 28) in t10k-images-idx3-ubyte, "
        "got (2, 28, 27)"
    )


def test_labels_outside_0_to_9_are_refused(tmp_path: Path) -> None:
    raw = _write_mnist(tmp_path)
    _write_idx(raw, "t10k", np.zeros((2, 28, 28)), np.array([9, 10]), gz=False)
    with pytest.raises(DataFolderError) as error:
        tb.data.mnist(train=False, root=tmp_path)
    assert str(error.value) == f"MNIST folder {raw}: labels outside 0..9 in t10k-labels-idx1-ubyte"
    _write_idx(raw, "t10k", np.zeros((0, 28, 28)), np.array([]), gz=False)  # none is fine
    assert len(tb.data.mnist(train=False, root=tmp_path)) == 0


def test_data_source_hashes_names_and_contents(tmp_path: Path) -> None:
    raw = _write_mnist(tmp_path)
    digest = hashlib.sha256()
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                 "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):  # fmt: skip
        digest.update(f"{name}\0".encode() + (raw / name).read_bytes())
    assert tb.data.data_source(tmp_path) == f"mnist sha256:{digest.hexdigest()[:16]}"


def test_idx_dataset_reads_other_prefixes_and_names_what_is_missing(tmp_path: Path) -> None:
    images = np.full((1, 28, 28), 7)
    _write_idx(tmp_path, "train", images, np.array([5]), gz=False)
    ds = tb.data.idx_dataset(tmp_path, prefix="train")
    assert (ds.source, ds.targets.tolist(), int(ds.images[0, 0, 0])) == ("mnist", [5], 7)
    (tmp_path / "train-labels-idx1-ubyte").unlink()
    with pytest.raises(DataFolderError) as error:
        tb.data.idx_dataset(tmp_path, prefix="train")
    assert str(error.value) == (
        f"MNIST folder {tmp_path} lacks train-labels-idx1-ubyte (plain or .gz)"
    )
    with pytest.raises(DataFolderError) as error:
        tb.data.idx_dataset(tmp_path / "nowhere")
    assert str(error.value) == f"no such MNIST folder: {tmp_path / 'nowhere'}"


def test_sample_of_other_digits_keeps_their_labels(tmp_path: Path) -> None:
    full = tb.data.mnist(train=False, root=tmp_path)
    sample = tb.data.mnist_sample(False, digits=(0, 9), root=tmp_path)
    expected = full.targets[(full.targets == 0) | (full.targets == 9)]
    assert torch.equal(sample.targets, expected) and set(expected.tolist()) == {0, 9}
    assert torch.equal(sample.images, full.images[(full.targets == 0) | (full.targets == 9)])
    assert sample.fallback_reason == full.fallback_reason and sample.source == full.source


@pytest.mark.parametrize("digits", [(), (-1,), (10,), (3, 12)])
def test_sample_names_bad_digits(tmp_path: Path, digits) -> None:
    with pytest.raises(ValueError) as error:
        tb.data.mnist_sample(root=tmp_path, digits=digits)
    assert str(error.value) == (f"digits must be a non-empty selection of 0..9, got {list(digits)}")


def test_the_fallback_note_is_shown_as_a_warning(monkeypatch, tmp_path: Path, tiny_mnist) -> None:
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    tb.data.show_source_note(tb.data.mnist(train=False, root=tiny_mnist[0]))
    assert shown == []  # MNIST itself: nothing to say
    fallback = tb.data.mnist(train=False, root=tmp_path / "empty")
    tb.data.show_source_note(fallback)
    (html,) = shown
    assert html.data == (
        '<div class="admonition warning"><p class="admonition-title">Offline data</p>'
        f"<p>{tb.data.source_note(fallback)}</p></div>"
    )
    assert tb.data.source_note(fallback).startswith(
        "This page was built without access to MNIST, so the digits below are scikit-learn's "
        "bundled handwritten digits (1,797 real scans at 8×8 pixels, resized to MNIST's 28×28 "
        "layout)."
    )


def test_the_training_split_is_the_default_everywhere(tmp_path: Path) -> None:
    assert len(tb.data.mnist(root=tmp_path)) == 1437  # the fallback's training split
    full = tb.data.mnist(True, root=tmp_path)
    sample = tb.data.mnist_sample(root=tmp_path)
    assert torch.equal(sample.images, full.images[(full.targets == 3) | (full.targets == 7)])


def test_transforms_reach_the_fallback_and_the_sample(tmp_path: Path) -> None:
    def double(image: torch.Tensor) -> torch.Tensor:
        return image * 2

    fallback = tb.data.mnist(False, root=tmp_path, transform=double)
    sample = tb.data.mnist_sample(False, root=tmp_path, transform=double)
    assert fallback.transform is double and sample.transform is double
    torch.testing.assert_close(sample[0][0], sample.images[0:1].float() / 255 * 2)


def test_a_partial_folder_is_named_by_data_source_and_prepare_too(tmp_path: Path) -> None:
    raw = _write_mnist(tmp_path)
    (raw / "train-images-idx3-ubyte").unlink()
    expected = (
        f"MNIST folder {raw} is incomplete: train-images-idx3-ubyte is missing (plain or .gz)."
    )
    for call in (tb.data.data_source, tb.data.prepare_mnist):
        with pytest.raises(DataFolderError) as error:
            call(tmp_path)
        assert str(error.value).startswith(expected)
    (raw / "t10k-images-idx3-ubyte").unlink()
    with pytest.raises(DataFolderError, match="train-images-idx3-ubyte, t10k-images-idx3-ubyte"):
        tb.data.data_source(tmp_path)


def test_prepare_reports_the_given_folder_not_the_environments(tmp_path: Path) -> None:
    _write_mnist(tmp_path / "given")
    source = tb.data.data_source(tmp_path / "given")
    assert source.startswith("mnist sha256:")
    assert tb.data.prepare_mnist(tmp_path / "given") == (source, None)
    assert tb.data.prepare_mnist() == ("sklearn-digits", None)  # $TORCHBOOK_DATA: empty


def test_a_required_mnist_offline_names_the_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TORCHBOOK_REQUIRE_MNIST", "1")
    raw = tmp_path / "MNIST" / "raw"
    with pytest.raises(DataFolderError) as error:
        tb.data.prepare_mnist(tmp_path)
    assert str(error.value) == (
        f"no MNIST files in {raw}: downloads are switched off (TORCHBOOK_OFFLINE is set) and "
        "TORCHBOOK_REQUIRE_MNIST=1 forbids the fallback"
    )
    with pytest.raises(DataFolderError) as error:
        tb.data.mnist(root=tmp_path, download=False)
    assert str(error.value) == (
        f"no MNIST files in {raw}: download=False and TORCHBOOK_REQUIRE_MNIST=1 forbids the "
        "fallback"
    )
    assert error.value.__cause__ is None


def test_read_idx_without_a_file_says_so() -> None:
    from torchbook.data import _read_idx

    with pytest.raises(FileNotFoundError, match=r"^file missing$"):
        _read_idx(None, expected_ndim=1)


def test_an_idx_header_of_four_bytes_is_read_as_such(tmp_path: Path) -> None:
    from torchbook.data import _read_idx

    path = tmp_path / "x"
    path.write_bytes(b"\x00\x00\x08\x00")  # a 0-d file: magic, no sizes, one byte missing
    with pytest.raises(ValueError, match=r"^x has 0 dimensions, expected 1$"):
        _read_idx(path, expected_ndim=1)
    path.write_bytes(b"\x00\x00\x08\x00\x07")
    assert _read_idx(path, expected_ndim=0).tolist() == 7


def test_idx_sizes_are_read_as_four_byte_big_endian_numbers(tmp_path: Path) -> None:
    """Sizes above 2**24 need all four bytes: the header is believed, and the data is short."""
    from torchbook.data import _read_idx

    path = tmp_path / "huge"
    sizes = (2**24 + 1, 2**24 + 2, 2**24 + 3)
    path.write_bytes(b"\x00\x00\x08\x03" + b"".join(n.to_bytes(4, "big") for n in sizes))
    with pytest.raises(ValueError) as error:
        _read_idx(path, expected_ndim=3)
    assert str(error.value) == (
        "huge is truncated or padded: header says (16777217, 16777218, 16777219), "
        "0 bytes of data follow"
    )


def test_idx_dataset_names_every_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataFolderError) as error:
        tb.data.idx_dataset(tmp_path)
    assert str(error.value) == (
        f"MNIST folder {tmp_path} lacks t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte "
        "(plain or .gz)"
    )


@pytest.mark.parametrize(("bad", "shown"), [(1, "1 (int)"), (None, "None (NoneType)")])
def test_train_of_another_type_is_named_with_its_type(tmp_path: Path, bad, shown: str) -> None:
    with pytest.raises(TypeError) as error:
        tb.data.mnist(train=bad, root=tmp_path)
    assert str(error.value) == f"train must be True or False, got {shown}"


def test_the_fallback_note_in_full(tmp_path: Path) -> None:
    assert tb.data.source_note(tb.data.mnist(root=tmp_path)) == (
        "This page was built without access to MNIST, so the digits below are scikit-learn's "
        "bundled handwritten digits (1,797 real scans at 8×8 pixels, resized to MNIST's 28×28 "
        "layout). Numbers on this page describe that dataset; run the chapter with a network "
        "connection to see MNIST itself."
    )


def test_describe_keeps_a_message_whole() -> None:
    from torchbook.data import _describe

    assert _describe(RuntimeError("proxy said: 407 NO AUTH X")) == (
        "RuntimeError: proxy said: 407 NO AUTH X"
    )


def test_prepare_without_mnist_reports_the_folder_it_was_given(tmp_path, monkeypatch) -> None:
    """Not the one ``$TORCHBOOK_DATA`` names, even when that one holds MNIST."""
    _write_mnist(tmp_path / "elsewhere")
    monkeypatch.setenv("TORCHBOOK_DATA", str(tmp_path / "elsewhere"))
    assert tb.data.prepare_mnist(tmp_path / "given") == ("sklearn-digits", None)
    assert tb.data.prepare_mnist().__getitem__(0).startswith("mnist sha256:")
