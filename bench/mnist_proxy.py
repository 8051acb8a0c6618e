"""Train the book's MLP and CNN recipes on real handwriting, offline, and report accuracy.

The proxy split: the first 8,000 images of MNIST's official test set for training, the
last 2,000 for testing (those come from NIST's harder test writers). Run as

    python bench/mnist_proxy.py --mnist ../shared/data/mnist-t10k

or through ``make bench``. Targets: MLP >= 96.5 %, CNN >= 98.0 %.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import torch
from torch.utils.data import TensorDataset

import torchbook as tb
from torchbook.models import CNN_RECIPE, MLP_RECIPE, cnn, mlp, train_recipe

TARGETS = {"MLP": 0.965, "CNN": 0.980}
TRAIN, TEST = 8000, 2000


def proxy_split(folder: str) -> tuple[TensorDataset, TensorDataset]:
    """Normalised (N, 1, 28, 28) tensors; mean and std from the training part only."""
    digits = tb.data.idx_dataset(folder)
    if len(digits) < TRAIN + TEST:
        raise SystemExit(
            f"{folder} holds {len(digits)} images; the proxy split needs {TRAIN + TEST}"
        )
    images = digits.images.float().div(255).unsqueeze(1)
    mean, std = images[:TRAIN].mean(), images[:TRAIN].std()
    images = (images - mean) / std
    train = TensorDataset(images[:TRAIN], digits.targets[:TRAIN])
    test = TensorDataset(images[-TEST:], digits.targets[-TEST:])
    return train, test


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mnist", default=os.environ.get("MNIST_T10K", "../shared/data/mnist-t10k")
    )
    parser.add_argument("--only", choices=sorted(TARGETS), help="run one model only")
    args = parser.parse_args()
    train, test = proxy_split(args.mnist)
    device = tb.device()
    threads = torch.get_num_threads()
    print(f"device: {tb.device_summary(device)}; torch {torch.__version__}; threads {threads}")
    builders = {"MLP": (mlp, MLP_RECIPE), "CNN": (cnn, CNN_RECIPE)}
    rows, failed = [], False
    for name, (build, recipe) in builders.items():
        if args.only and name != args.only:
            continue
        tb.seed(0)
        start = time.perf_counter()
        history = train_recipe(
            build(), recipe, train, test, device=device, log_every=0, progress=False
        )
        seconds = time.perf_counter() - start
        acc = history.metric("valid_accuracy")[-1]
        ok = acc >= TARGETS[name]
        failed |= not ok
        rows.append(
            (name, recipe.epochs, acc, TARGETS[name], seconds, "ok" if ok else "BELOW TARGET")
        )
    print("\n| model | epochs | test accuracy | target | train time | |")
    print("|---|---|---|---|---|---|")
    for name, epochs, acc, target, seconds, verdict in rows:
        print(f"| {name} | {epochs} | {acc:.2%} | {target:.1%} | {seconds:.0f} s | {verdict} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
