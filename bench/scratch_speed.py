"""How fast is the book's NumPy framework next to PyTorch on the CPU? (run by hand)

Times one training step (forward, backward, Adam step; float32, batch 128) of the same
MLP, the same small CNN and the same CNN with batch norm in ``torchbook.scratch`` and in
PyTorch, and prints the median step times and their ratio. The two frameworks are
measured in alternating rounds, so that a burst of load from other processes hits both
alike.

With ``--mnist DIR`` (a folder holding ``t10k-images-idx3-ubyte.gz`` and
``t10k-labels-idx1-ubyte.gz``) it also trains the framework's CNN (with batch norm) on
the first 8,000 test images and reports the accuracy on the last 2,000, once, after
training. (Its recipe, Adam at 3e-3 decayed by 0.7 per epoch for 8 epochs, was set in an
earlier version that printed the test accuracy after every epoch; it has not been tuned
since, and this script tunes nothing.)

    python bench/scratch_speed.py [--mnist DIR] [--steps 30] [--blas-threads N]
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import torch
from threadpoolctl import threadpool_info, threadpool_limits

from torchbook.data import idx_dataset
from torchbook.scratch import nn, optim
from torchbook.scratch.data import DataLoader
from torchbook.scratch.tensor import Tensor, no_grad

BATCH = 128
TARGETS = {"MLP": 1.1, "CNN": 2.5, "CNN+BN": None}  # no target for batch norm: reported


# --- the models, in either framework: its nn module is `layers` (the two share the names) --
def mlp(layers: ModuleType) -> Any:
    """784-256-128-64-10 with ReLUs, in ``torchbook.scratch.nn`` or in ``torch.nn``."""
    return layers.Sequential(
        layers.Linear(784, 256),
        layers.ReLU(),
        layers.Linear(256, 128),
        layers.ReLU(),
        layers.Linear(128, 64),
        layers.ReLU(),
        layers.Linear(64, 10),
    )


def cnn(layers: ModuleType, batch_norm: bool = False) -> Any:
    """Two conv blocks (28 -> 26 -> 13, 13 -> 11 -> 5) and a linear layer, in either framework."""

    def block(c_in: int, c_out: int) -> list[Any]:
        norm = [layers.BatchNorm2d(c_out)] if batch_norm else []
        return [layers.Conv2d(c_in, c_out, 3), *norm, layers.ReLU(), layers.MaxPool2d(2)]

    return layers.Sequential(
        *block(1, 8), *block(8, 16), layers.Flatten(), layers.Linear(16 * 5 * 5, 10)
    )


# --- one training step ------------------------------------------------------------------------
def step_ours(model: nn.Module, x: np.ndarray, y: np.ndarray) -> Callable[[], None]:
    opt = optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def step() -> None:
        opt.zero_grad()
        loss = loss_fn(model(Tensor(x)), y)
        loss.backward()
        opt.step()

    return step


def step_torch(model: torch.nn.Module, x: np.ndarray, y: np.ndarray) -> Callable[[], None]:
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step() -> None:
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xt), yt)
        loss.backward()
        opt.step()

    return step


def time_pair(
    ours: Callable[[], None], theirs: Callable[[], None], steps: int, rounds: int = 5
) -> tuple[list[float], list[float]]:
    """Seconds per step of each, timed in ``rounds`` alternating blocks of steps."""
    for _ in range(10):  # warm-up: allocator pools, BLAS buffers, torch's first-call setup
        ours()
        theirs()
    times: tuple[list[float], list[float]] = ([], [])
    per_round = max(1, steps // rounds)
    for _ in range(rounds):
        for step, record in ((ours, times[0]), (theirs, times[1])):
            for _ in range(per_round):
                start = time.perf_counter()
                step()
                record.append(time.perf_counter() - start)
    return times


def speed(steps: int) -> None:
    rng = np.random.default_rng(0)
    np.random.seed(0)
    torch.manual_seed(0)
    x = rng.standard_normal((BATCH, 784)).astype(np.float32)
    y = rng.integers(0, 10, BATCH)
    blas = [(i["internal_api"], i["num_threads"]) for i in threadpool_info()]
    print(
        f"cpu cores: {os.cpu_count()}   torch threads: {torch.get_num_threads()} (intra-op), "
        f"{torch.get_num_interop_threads()} (inter-op)   numpy BLAS threads: {blas}"
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"one training step, float32, batch {BATCH}, median of {steps} steps after warm-up")
    print(f"load average before (1, 5, 15 min): {load}  (other processes distort the timings)\n")
    print(
        f"{'model':<6}{'ours (ms)':>11}{'torch (ms)':>12}{'ratio':>8}{'target':>9}"
        f"{'':>5}{'best: ours':>12}{'torch':>8}{'ratio':>7}"
    )
    images = x.reshape(BATCH, 1, 28, 28)
    cases = {
        "MLP": (mlp, x),
        "CNN": (cnn, images),
        "CNN+BN": (functools.partial(cnn, batch_norm=True), images),
    }
    for name, (make, inputs) in cases.items():
        ours, theirs = time_pair(
            step_ours(make(nn), inputs, y), step_torch(make(torch.nn), inputs, y), steps
        )
        median_ours, median_theirs = statistics.median(ours), statistics.median(theirs)
        ratio = median_ours / median_theirs
        target = TARGETS[name]
        verdict = "" if target is None else "ok" if ratio <= target else "SLOW"
        print(
            f"{name:<6}{median_ours * 1e3:>11.2f}{median_theirs * 1e3:>12.2f}{ratio:>8.2f}"
            f"{'<= ' + str(target) if target else '-':>9} {verdict:<4}"
            f"{min(ours) * 1e3:>12.2f}{min(theirs) * 1e3:>8.2f}{min(ours) / min(theirs):>7.2f}"
        )
    print(
        "(ratio: of the medians, the target; best: the fastest step of each, which noise from "
        "other processes can only slow down)"
    )


# --- MNIST ------------------------------------------------------------------------------------
def load_idx(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """MNIST's test set from its IDX files: images as float32 in [0, 1], labels as int64."""
    test = idx_dataset(folder, "t10k")
    images = test.images.numpy().reshape(-1, 1, 28, 28).astype(np.float32) / 255
    return images, test.targets.numpy()


def accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    model.eval()
    with no_grad():
        correct = sum(
            int((model(Tensor(xb)).data.argmax(axis=1) == yb).sum())
            for xb, yb in DataLoader((x, y), batch_size=500)
        )
    model.train()
    return correct / len(y)


def mnist(folder: Path, epochs: int) -> None:
    images, labels = load_idx(folder)
    mean, std = images[:8000].mean(), images[:8000].std()
    images = (images - mean) / std  # statistics of the training part only
    x_train, y_train = images[:8000], labels[:8000]
    x_test, y_test = images[-2000:], labels[-2000:]
    np.random.seed(0)
    model = cnn(nn, batch_norm=True)
    opt = optim.Adam(model.parameters(), lr=3e-3)
    decay = 0.7  # per epoch: large steps first, then settle into a minimum
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader((x_train, y_train), batch_size=64, shuffle=True, seed=0)
    print(f"\nMNIST: CNN with batch norm, {len(x_train)} training / {len(x_test)} test images")
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        total = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(Tensor(xb)), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
        # the test images are scored once, after training, never between epochs
        seconds = time.perf_counter() - start
        print(f"epoch {epoch}: train loss {total / len(x_train):.4f}  ({seconds:.0f} s)")
        opt.lr *= decay
    print(f"test accuracy (once, after training): {accuracy(model, x_test, y_test):.2%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", type=Path, help="folder with the MNIST t10k IDX .gz files")
    parser.add_argument("--steps", type=int, default=30, help="timed steps per model")
    parser.add_argument("--epochs", type=int, default=8, help="MNIST training epochs")
    parser.add_argument(
        "--blas-threads", type=int, default=None, help="NumPy BLAS threads (default: its own)"
    )
    args = parser.parse_args()
    print(f"numpy {np.__version__}, torch {torch.__version__}")
    with threadpool_limits(limits=args.blas_threads, user_api="blas"):
        speed(args.steps)
        if args.mnist:
            mnist(args.mnist, args.epochs)


if __name__ == "__main__":
    main()
