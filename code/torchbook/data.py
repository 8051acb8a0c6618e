"""Datasets the chapters train on, with an offline fallback that says what it is.

MNIST comes through torchvision (downloaded once into a data folder). A machine with no
network and no files still builds the book: the loader falls back to scikit-learn's
bundled handwritten digits (real scans, 8x8, resized to MNIST's 28x28 layout), and every
dataset carries ``source`` so that a chapter can tell its reader which data it shows.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import Dataset

from torchbook.toy import toy_2d

__all__ = [
    "DataFolderError",
    "DigitsDataset",
    "data_root",
    "idx_dataset",
    "mnist",
    "mnist_sample",
    "show_source_note",
    "source_note",
    "toy_2d",
]

DATA_ENV_VAR = "TORCHBOOK_DATA"
OFFLINE_ENV_VAR = "TORCHBOOK_OFFLINE"
MNIST_SOURCE = "mnist"
FALLBACK_SOURCE = "sklearn-digits"
_DOWNLOAD_TIMEOUT_S = 30.0
_FILES = {
    True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


class DataFolderError(RuntimeError):
    """A data folder exists but cannot be read: files missing, truncated or not IDX."""


class DigitsDataset(Dataset):
    """Grey-scale digit images and their labels, held in memory as tensors.

    ``ds[i]`` is ``(image, label)``: a float image of shape (1, 28, 28) in [0, 1] (or
    whatever ``transform`` makes of it) and an int. ``source`` names where the images came
    from, so pages can say when they show the offline fallback instead of MNIST.
    """

    def __init__(
        self,
        images: torch.Tensor,
        targets: torch.Tensor,
        source: str,
        transform: Callable[[torch.Tensor], Any] | None = None,
    ) -> None:
        if images.ndim != 3 or images.dtype != torch.uint8:
            raise ValueError(
                "expected uint8 images of shape (N, H, W), "
                f"got {images.dtype} {tuple(images.shape)}"
            )
        if targets.shape != (images.shape[0],):
            raise ValueError(
                f"expected one label per image: {images.shape[0]} images, "
                f"labels of shape {tuple(targets.shape)}"
            )
        self.images = images
        self.targets = targets.to(torch.int64)
        self.source = source
        self.transform = transform

    @property
    def is_fallback(self) -> bool:
        """True when these are not MNIST's images but the offline stand-in."""
        return self.source != MNIST_SOURCE

    def __len__(self) -> int:
        return self.images.shape[0]

    def __getitem__(self, index: int) -> tuple[Any, int]:
        image = self.images[index].unsqueeze(0).to(torch.float32) / 255.0
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.targets[index])

    def __repr__(self) -> str:
        shape = tuple(self.images.shape[1:])
        return f"DigitsDataset(source={self.source!r}, n={len(self)}, image_shape={shape})"


def data_root(root: str | os.PathLike[str] | None = None) -> Path:
    """Where datasets live: ``root`` if given, else ``$TORCHBOOK_DATA``, else ~/.cache/torchbook."""
    if root is not None:
        return Path(root)
    if os.environ.get(DATA_ENV_VAR):
        return Path(os.environ[DATA_ENV_VAR])
    return Path.home() / ".cache" / "torchbook"


def mnist(
    train: bool = True,
    *,
    root: str | os.PathLike[str] | None = None,
    download: bool = True,
    allow_fallback: bool = True,
    transform: Callable[[torch.Tensor], Any] | None = None,
) -> DigitsDataset:
    """MNIST's training (60,000) or test (10,000) images, or the offline fallback.

    Looks for torchvision's files under ``<root>/MNIST/raw`` (plain or ``.gz``); downloads
    them with torchvision when they are absent and ``download`` is true (and
    ``$TORCHBOOK_OFFLINE`` is unset); falls back to scikit-learn's digits when neither
    works and ``allow_fallback`` is true. A folder that holds only part of the files, or
    unreadable ones, raises :class:`DataFolderError` naming it: that needs a person.
    """
    raw = data_root(root) / "MNIST" / "raw"
    images_name, labels_name = _FILES[bool(train)]
    found = [_find(raw, name) for name in (images_name, labels_name)]
    if all(found):
        images, targets = _read_idx_pair(raw, images_name, labels_name)
        return DigitsDataset(images, targets, MNIST_SOURCE, transform)
    if any(found):
        missing = [
            name
            for name, path in zip((images_name, labels_name), found, strict=True)
            if path is None
        ]
        raise DataFolderError(
            f"MNIST folder {raw} is incomplete: {', '.join(missing)} is missing "
            f"(plain or .gz). Delete the folder to download again, or complete it."
        )
    failure = "downloads are switched off"
    if download and not os.environ.get(OFFLINE_ENV_VAR):
        try:
            _download(raw)
            images, targets = _read_idx_pair(raw, images_name, labels_name)
            return DigitsDataset(images, targets, MNIST_SOURCE, transform)
        except (OSError, RuntimeError) as error:
            if isinstance(error, DataFolderError):
                raise
            first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
            failure = f"download failed: {first_line}"
    if not allow_fallback:
        raise DataFolderError(f"no MNIST files in {raw} and {failure}")
    images, targets = _fallback_digits(bool(train))
    return DigitsDataset(images, targets, FALLBACK_SOURCE, transform)


def mnist_sample(
    train: bool = True,
    digits: Sequence[int] = (3, 7),
    **kwargs: Any,
) -> DigitsDataset:
    """Only the images of ``digits`` (by default the 3s and the 7s), labels unchanged."""
    if not digits or any(not 0 <= int(d) <= 9 for d in digits):
        raise ValueError(f"digits must be a non-empty selection of 0..9, got {list(digits)}")
    full = mnist(train, **kwargs)
    keep = torch.isin(full.targets, torch.tensor([int(d) for d in digits]))
    return DigitsDataset(full.images[keep], full.targets[keep], full.source, full.transform)


def source_note(dataset: DigitsDataset) -> str | None:
    """The sentence a page shows when its digits are the fallback, else None."""
    if not dataset.is_fallback:
        return None
    return (
        "This page was built without access to MNIST, so the digits below are "
        "scikit-learn's bundled handwritten digits (1,797 real scans at 8×8 pixels, "
        "resized to MNIST's 28×28 layout). Numbers on this page describe that dataset; "
        "run the chapter with a network connection to see MNIST itself."
    )


def show_source_note(dataset: DigitsDataset) -> None:
    """Display a visible warning in the notebook when ``dataset`` is the fallback."""
    text = source_note(dataset)
    if text is None:
        return
    from IPython.display import HTML, display

    display(
        HTML(
            '<div class="admonition warning"><p class="admonition-title">'
            f"Offline data</p><p>{text}</p></div>"
        )
    )


def _find(folder: Path, name: str) -> Path | None:
    """The file ``name`` in ``folder``, plain or gzipped, if present."""
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _read_idx_pair(
    folder: Path, images_name: str, labels_name: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """Parse an images file and its labels file, checking that they belong together."""
    try:
        images = _read_idx(_find(folder, images_name), expected_ndim=3)
        labels = _read_idx(_find(folder, labels_name), expected_ndim=1)
    except (ValueError, OSError, EOFError, TypeError) as error:
        raise DataFolderError(
            f"MNIST folder {folder} holds unreadable files ({images_name}, {labels_name}): "
            f"{error}. Delete the folder to download again."
        ) from error
    if images.shape[1:] != (28, 28):
        raise DataFolderError(
            f"MNIST folder {folder}: expected images of shape (N, 28, 28) in {images_name}, "
            f"got {tuple(images.shape)}"
        )
    if labels.shape != (images.shape[0],):
        raise DataFolderError(
            f"MNIST folder {folder}: {images.shape[0]} images but {labels.shape[0]} labels"
        )
    if labels.numel() and labels.max() > 9:
        raise DataFolderError(f"MNIST folder {folder}: labels outside 0..9 in {labels_name}")
    return images, labels.to(torch.int64)


def _read_idx(path: Path | None, expected_ndim: int) -> torch.Tensor:
    """An IDX file of unsigned bytes (MNIST's format), plain or gzipped, as a uint8 tensor.

    The header is a magic number 0x00000800 + ndim, then ndim big-endian int32 sizes.
    Reading in memory means a read-only folder of ``.gz`` files works as it is.
    """
    if path is None:
        raise FileNotFoundError("file missing")
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[:3] != b"\x00\x00\x08":
        raise ValueError(f"{path.name} is not an IDX file of unsigned bytes")
    ndim = raw[3]
    if ndim != expected_ndim:
        raise ValueError(f"{path.name} has {ndim} dimensions, expected {expected_ndim}")
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    count = 1
    for size in shape:
        count *= size
    if len(raw) != header + count:
        raise ValueError(
            f"{path.name} is truncated or padded: header says {shape}, "
            f"{len(raw) - header} bytes of data follow"
        )
    return torch.frombuffer(bytearray(raw[header:]), dtype=torch.uint8).reshape(shape)


def idx_dataset(folder: str | os.PathLike[str], prefix: str = "t10k") -> DigitsDataset:
    """The images and labels of ``<prefix>-images-idx3-ubyte[.gz]`` in a flat ``folder``.

    For measuring on a folder of MNIST files as LeCun distributes them (the benchmark's
    real-handwriting split); chapters use :func:`mnist`.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataFolderError(f"no such MNIST folder: {folder}")
    names = (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte")
    missing = [name for name in names if _find(folder, name) is None]
    if missing:
        raise DataFolderError(f"MNIST folder {folder} lacks {', '.join(missing)} (plain or .gz)")
    images, targets = _read_idx_pair(folder, *names)
    return DigitsDataset(images, targets, MNIST_SOURCE)


def _download(raw: Path) -> None:
    """Fetch all four MNIST files with torchvision into ``raw``, atomically.

    Downloading into a scratch folder first means an interrupted or failed download never
    leaves a half-filled data folder behind.
    """
    from torchvision.datasets import MNIST

    raw.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".download-", dir=raw.parent))
    previous_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(_DOWNLOAD_TIMEOUT_S)
    chatter = io.StringIO()  # torchvision reports progress; a built page should not show it
    try:
        with contextlib.redirect_stdout(chatter), contextlib.redirect_stderr(chatter):
            MNIST(str(scratch), train=True, download=True)
        fetched = scratch / "MNIST" / "raw"
        raw.mkdir(parents=True, exist_ok=True)
        for names in _FILES.values():
            for name in names:
                os.replace(fetched / name, raw / name)
    finally:
        socket.setdefaulttimeout(previous_timeout)
        shutil.rmtree(scratch, ignore_errors=True)


def _fallback_digits(train: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """scikit-learn's 8x8 digits laid out like MNIST: a 20x20 digit centred in 28x28.

    A fixed permutation splits them 80/20 into train and test, the same on every machine.
    """
    import torch.nn.functional as F
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = torch.as_tensor(bunch.images, dtype=torch.float32).unsqueeze(1)  # values 0..16
    images = F.interpolate(images, size=(20, 20), mode="bilinear", align_corners=False)
    images = F.pad(images, (4, 4, 4, 4))
    images = (images.clamp(0, 16) * (255.0 / 16.0)).round().to(torch.uint8).squeeze(1)
    targets = torch.as_tensor(bunch.target, dtype=torch.int64)
    order = torch.randperm(len(targets), generator=torch.Generator().manual_seed(0))
    cut = int(0.8 * len(targets))
    chosen = order[:cut] if train else order[cut:]
    return images[chosen], targets[chosen]
