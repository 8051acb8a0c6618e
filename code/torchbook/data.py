"""Datasets the chapters train on, with an offline fallback that says what it is.

MNIST comes through torchvision (downloaded once into a data folder). A machine with no
network and no files still builds the book: the loader falls back to scikit-learn's
bundled handwritten digits (real scans, 8x8, resized to MNIST's 28x28 layout), and every
dataset carries ``source`` so that a chapter can tell its reader which data it shows.

Both splits always come from the same source: a folder holding some of MNIST's four files
but not all of them is an error, never half MNIST and half stand-in. With
``TORCHBOOK_REQUIRE_MNIST=1`` (the publishing workflows set it) a missing or failed MNIST
is an error instead of a fallback. :func:`prepare_mnist` downloads once, before a build
executes its chapters, and :func:`data_source` names what the chapters will read, so that
the build's execution cache can be keyed on it.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import os
import shutil
import socket
import tempfile
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import Dataset

from torchbook.toy import toy_2d

__all__ = [
    "DataFallbackWarning",
    "DataFolderError",
    "DigitsDataset",
    "data_root",
    "data_source",
    "idx_dataset",
    "mnist",
    "mnist_required",
    "mnist_sample",
    "prepare_mnist",
    "show_source_note",
    "source_note",
    "toy_2d",
]

DATA_ENV_VAR = "TORCHBOOK_DATA"
OFFLINE_ENV_VAR = "TORCHBOOK_OFFLINE"
REQUIRE_ENV_VAR = "TORCHBOOK_REQUIRE_MNIST"
MNIST_SOURCE = "mnist"
FALLBACK_SOURCE = "sklearn-digits"
_DOWNLOAD_TIMEOUT_S = 30.0


def _file_names(prefix: str) -> tuple[str, str]:
    """The images file and the labels file of one MNIST split, as LeCun names them."""
    return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"


_FILES = {"train": _file_names("train"), "test": _file_names("t10k")}
"""Each split's (images, labels) file names; ``mnist(train=False)`` reads ``"test"``."""


class DataFolderError(RuntimeError):
    """MNIST cannot be used: files missing, truncated or not IDX, or required but absent."""


class DataFallbackWarning(UserWarning):
    """MNIST was wanted (a download was tried) but the offline stand-in is used instead."""


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
        self.fallback_reason: str | None = None  # why MNIST was not used, for the fallback

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


def mnist_required() -> bool:
    """True when ``TORCHBOOK_REQUIRE_MNIST=1``: no fallback, a missing MNIST is an error."""
    value = os.environ.get(REQUIRE_ENV_VAR, "").strip()
    if value not in ("", "0", "1"):
        raise ValueError(f"{REQUIRE_ENV_VAR}={value!r}: expected 1 (required) or 0 (allowed)")
    return value == "1"


def _raw_folder(root: str | os.PathLike[str] | None) -> Path:
    return data_root(root) / "MNIST" / "raw"


def _all_files(raw: Path) -> dict[str, Path | None]:
    """Each of MNIST's four file names -> its path in ``raw`` (plain or .gz), or None."""
    return {name: _find(raw, name) for names in _FILES.values() for name in names}


def _check_complete(raw: Path, files: dict[str, Path | None]) -> bool:
    """True when all four files are there, False when none is; a partial folder raises."""
    missing = [name for name, path in files.items() if path is None]
    if missing and len(missing) < len(files):
        raise DataFolderError(
            f"MNIST folder {raw} is incomplete: {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing (plain or .gz). Both splits must "
            "come from the same source, so neither is read from it and there is no fallback. "
            "Delete the folder to download again, or complete it."
        )
    return not missing


def mnist(
    train: bool = True,
    *,
    root: str | os.PathLike[str] | None = None,
    download: bool = True,
    allow_fallback: bool = True,
    transform: Callable[[torch.Tensor], Any] | None = None,
) -> DigitsDataset:
    """MNIST's training (60,000) or test (10,000) images, or the offline fallback.

    Looks for torchvision's four files under ``<root>/MNIST/raw`` (plain or ``.gz``);
    downloads them with torchvision when none is there and ``download`` is true (and
    ``$TORCHBOOK_OFFLINE`` is unset); falls back to scikit-learn's digits when neither
    works, ``allow_fallback`` is true and ``$TORCHBOOK_REQUIRE_MNIST`` is not 1. A folder
    that holds only some of the four files, or unreadable ones, raises
    :class:`DataFolderError` naming it and what is missing: both splits always come from
    the same source. A failed download that falls back warns with the whole error
    (:class:`DataFallbackWarning`); ``source`` and ``fallback_reason`` say what was used.
    """
    if not isinstance(train, bool):
        raise TypeError(f"train must be True or False, got {train!r} ({type(train).__name__})")
    raw = _raw_folder(root)
    if _check_complete(raw, _all_files(raw)):
        return DigitsDataset(*_read_split(raw, train), MNIST_SOURCE, transform)
    reason, cause = _no_download_reason(download), None
    if reason is None:
        try:
            _download(raw)
            return DigitsDataset(*_read_split(raw, train), MNIST_SOURCE, transform)
        except DataFolderError:
            raise
        except (OSError, RuntimeError) as error:
            reason, cause = f"the download failed: {_describe(error)}", error
    required = mnist_required()
    if required or not allow_fallback:
        why = f" and {REQUIRE_ENV_VAR}=1 forbids the fallback" if required else ""
        raise DataFolderError(f"no MNIST files in {raw}: {reason}{why}") from cause
    if cause is not None:
        warnings.warn(
            f"MNIST is not available ({reason}); using scikit-learn's digits instead",
            DataFallbackWarning,
            stacklevel=2,
        )
    dataset = DigitsDataset(*_fallback_digits(train), FALLBACK_SOURCE, transform)
    dataset.fallback_reason = reason
    return dataset


def _no_download_reason(download: bool) -> str | None:
    """Why no download will be tried, or None when one will."""
    if not download:
        return "download=False"
    if os.environ.get(OFFLINE_ENV_VAR):
        return f"downloads are switched off ({OFFLINE_ENV_VAR} is set)"
    return None


def _describe(error: BaseException) -> str:
    """An error and its chain of causes, every line of each."""
    parts = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts.append(f"{type(current).__name__}: {current}".rstrip(": "))
        current = current.__cause__ or current.__context__
    return " <- caused by ".join(parts)


def _read_split(raw: Path, train: bool) -> tuple[torch.Tensor, torch.Tensor]:
    return _read_idx_pair(raw, *_FILES["train" if train else "test"])


def data_source(root: str | os.PathLike[str] | None = None) -> str:
    """What :func:`mnist` reads from the data folder now, as a short stable text.

    ``"mnist sha256:<digest of the four files>"`` when MNIST is there, else
    ``"sklearn-digits"``. Nothing is downloaded; a partial folder raises. The build keys
    its execution cache on this, so a change of data source re-executes the chapters.
    """
    raw = _raw_folder(root)
    files = _all_files(raw)
    if not _check_complete(raw, files):
        return FALLBACK_SOURCE
    digest = hashlib.sha256()
    for name, path in files.items():
        digest.update(f"{name}\0".encode())
        digest.update(
            path.read_bytes() if path.suffix != ".gz" else gzip.decompress(path.read_bytes())
        )
    return f"{MNIST_SOURCE} sha256:{digest.hexdigest()[:16]}"


def prepare_mnist(root: str | os.PathLike[str] | None = None) -> tuple[str, str | None]:
    """Download MNIST once, before a build runs its chapters (in parallel, perhaps).

    Returns ``(data_source(), failure)``: ``failure`` is the whole error of a download that
    was tried and failed (the chapters then fall back), else None. A partial folder, or a
    missing MNIST under ``TORCHBOOK_REQUIRE_MNIST=1``, raises :class:`DataFolderError`.
    """
    raw = _raw_folder(root)
    if _check_complete(raw, _all_files(raw)):
        return data_source(root), None
    reason, failure, cause = _no_download_reason(True), None, None
    if reason is None:
        try:
            _download(raw)
            return data_source(root), None
        except DataFolderError:
            raise
        except (OSError, RuntimeError) as error:
            failure, cause = _describe(error), error
            reason = f"the download failed: {failure}"
    if mnist_required():
        raise DataFolderError(
            f"no MNIST files in {raw}: {reason} and {REQUIRE_ENV_VAR}=1 forbids the fallback"
        ) from cause
    return data_source(root), failure


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
    sample = DigitsDataset(full.images[keep], full.targets[keep], full.source, full.transform)
    sample.fallback_reason = full.fallback_reason
    return sample


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
    if count == 0:  # torch.frombuffer refuses an empty buffer
        return torch.empty(shape, dtype=torch.uint8)
    return torch.frombuffer(bytearray(raw[header:]), dtype=torch.uint8).reshape(shape)


def idx_dataset(folder: str | os.PathLike[str], prefix: str = "t10k") -> DigitsDataset:
    """The images and labels of ``<prefix>-images-idx3-ubyte[.gz]`` in a flat ``folder``.

    For measuring on a folder of MNIST files as LeCun distributes them (the benchmark's
    real-handwriting split); chapters use :func:`mnist`.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataFolderError(f"no such MNIST folder: {folder}")
    names = _file_names(prefix)
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
