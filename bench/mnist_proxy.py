"""Tune the book's MLP and CNN recipes on real handwriting, offline, then test them once.

Only MNIST's official test set (10,000 images) is available offline, so it stands in for
all of MNIST, split three ways in file order:

- images 0-5,999: the training part, for tuning;
- images 6,000-7,999: the validation part, which scores every candidate recipe;
- images 8,000-9,999: the test part, used once, at the end, for the chosen recipes.

(MNIST's test set puts its 5,000 cleaner images first and its 5,000 harder ones last, so
the validation and the test part both come from the harder writers.)

Tuning: every candidate trains on the training part (pixels normalised with that part's
mean and standard deviation, seed 0, Adam with a one-cycle schedule, batches of 64) and
is scored by its validation accuracy after the last epoch. The candidates are few on
purpose (2 CPU cores): for the MLP, 784-256-128-64-10 with ReLU, no dropout or dropout 0.2
after the last hidden layer, after every hidden layer but the last, or after every
hidden layer, each for 10 and 15 epochs; for the CNN, dropout 0 or 0.25, 5 or 10 epochs.
Measured 2026-11-30 (2 CPU cores, torch 2.14.1):

| model | dropout | epochs | validation accuracy |
|---|---|---|---|
| MLP | none | 10 | 95.50 % |
| MLP | 0.2 after the last hidden layer | 10 | 95.55 % |
| MLP | 0.2 after every hidden layer but the last | 10 | 96.10 % |
| MLP | 0.2 after every hidden layer | 10 | 95.85 % |
| MLP | none | 15 | 95.95 % |
| MLP | 0.2 after the last hidden layer | 15 | **96.90 %** |
| MLP | 0.2 after every hidden layer but the last | 15 | 96.30 % |
| MLP | 0.2 after every hidden layer | 15 | 96.50 % |
| CNN | none | 5 | 98.80 % |
| CNN | 0.25 | 5 | 98.60 % |
| CNN | none | 10 | 98.80 % |
| CNN | 0.25 | 10 | **99.00 %** |

The winners are the recipes in ``torchbook.models`` (``mlp()`` with ``MLP_RECIPE``,
``cnn()`` with ``CNN_RECIPE``); the script checks that they still win and fails if not.
One validation image is 0.05 points, so the MLP's winner leads by 8 images and the CNN's
by 4: a different seed can reorder close candidates, and the choice is a single-seed one.

Test, once: the chosen recipes are retrained on all 8,000 tuning images (training and
validation parts, normalised with their statistics) and tested on the last 2,000.
Targets: MLP >= 96.5 %, CNN >= 98.0 %. Measured 2026-11-30, after the choice above:
MLP 96.95 %, CNN 99.05 %. The CNN's recipe did not change, so its number is the one the
earlier version reported. The MLP's earlier recipe had scored 97.15 % on these test
images; the new one is kept anyway, because test numbers do not choose.

History, disclosed: until 2026-11-30 this benchmark had no validation part. It trained on
the first 8,000 images and reported the last 2,000, and the earlier recipes (MLP dropout
after every hidden layer but the last; the epoch counts; the CNN's dropout) were settled
by looking at those test numbers. The comparison above replaced that choice; the test
numbers the earlier version reported (MLP 97.15 %, CNN 99.05 %) were measured after such
choices and are optimistic by an unknown amount.

Run as

    python bench/mnist_proxy.py --mnist ../shared/data/mnist-t10k [--skip-tuning]

or through ``make bench``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn
from torch.utils.data import TensorDataset

import torchbook as tb
from torchbook.models import CNN_RECIPE, MLP_RECIPE, Recipe, cnn, mlp, train_recipe

TARGETS = {"MLP": 0.965, "CNN": 0.980}
TRAIN, VALID, TEST = 6000, 2000, 2000


@dataclass(frozen=True)
class Candidate:
    """One recipe to score on validation: a model builder, its epochs, a description."""

    model: str
    dropout: str
    build: Callable[[], nn.Module]
    recipe: Recipe


def candidates() -> list[Candidate]:
    """The small grid this script tunes over; see the module docstring."""
    mlp_dropouts = {
        "none": lambda: mlp(dropout=0.0),
        "0.2 after the last hidden layer": lambda: mlp(dropout=0.2, dropout_at="last"),
        "0.2 after every hidden layer but the last": lambda: mlp(
            dropout=0.2, dropout_at="all_but_last"
        ),
        "0.2 after every hidden layer": lambda: mlp(dropout=0.2, dropout_at="every"),
    }
    cnn_dropouts = {"none": lambda: cnn(dropout=0.0), "0.25": lambda: cnn(dropout=0.25)}
    grid = [
        Candidate("MLP", name, build, Recipe(epochs=epochs))
        for epochs in (10, 15)
        for name, build in mlp_dropouts.items()
    ]
    grid += [
        Candidate("CNN", name, build, Recipe(epochs=epochs))
        for epochs in (5, 10)
        for name, build in cnn_dropouts.items()
    ]
    return grid


def normalised(images: torch.Tensor, reference: slice) -> torch.Tensor:
    """Images as (N, 1, 28, 28) floats, standardised with the mean and std of ``reference``."""
    x = images.float().div(255).unsqueeze(1)
    return (x - x[reference].mean()) / x[reference].std()


def load(folder: str) -> tb.data.DigitsDataset:
    """The 10,000 t10k images and labels, or exit saying what the folder lacks."""
    digits = tb.data.idx_dataset(folder)
    if len(digits) < TRAIN + VALID + TEST:
        raise SystemExit(
            f"{folder} holds {len(digits)} images; the split needs {TRAIN + VALID + TEST}"
        )
    return digits


def accuracy_after(
    build: Callable[[], nn.Module], recipe: Recipe, train, valid, device
) -> tuple[float, float]:
    """Seeded training run: (accuracy on ``valid`` after the last epoch, seconds)."""
    tb.seed(0)
    start = time.perf_counter()
    history = train_recipe(
        build(), recipe, train, valid, device=device, log_every=0, progress=False
    )
    return history.metric("valid_accuracy")[-1], time.perf_counter() - start


def tune(digits, device) -> bool:
    """Score every candidate on the validation part; True when the book's recipes win."""
    x = normalised(digits.images, slice(0, TRAIN))
    train = TensorDataset(x[:TRAIN], digits.targets[:TRAIN])
    end = TRAIN + VALID
    valid = TensorDataset(x[TRAIN:end], digits.targets[TRAIN:end])
    print(
        f"\nTuning: train on images 0-{TRAIN - 1:,}, score on validation images "
        f"{TRAIN:,}-{end - 1:,}\n"
    )
    print("| model | dropout | epochs | validation accuracy | train time |")
    print("|---|---|---|---|---|")
    scores: dict[str, list[tuple[float, Candidate]]] = {}
    for candidate in candidates():
        acc, seconds = accuracy_after(candidate.build, candidate.recipe, train, valid, device)
        scores.setdefault(candidate.model, []).append((acc, candidate))
        print(
            f"| {candidate.model} | {candidate.dropout} | {candidate.recipe.epochs} "
            f"| {acc:.2%} | {seconds:.0f} s |"
        )
    book = {"MLP": (str(mlp()), MLP_RECIPE), "CNN": (str(cnn()), CNN_RECIPE)}
    all_won = True
    print()
    for model, rows in scores.items():
        best = max(acc for acc, _ in rows)
        winners = [c for acc, c in rows if acc == best]
        won = any((str(c.build()), c.recipe) == book[model] for c in winners)
        all_won &= won
        names = "; ".join(f"dropout {c.dropout}, {c.recipe.epochs} epochs" for c in winners)
        verdict = "is" if won else "is NOT"
        print(
            f"{model}: best on validation {best:.2%} ({names}); "
            f"the recipe in torchbook.models {verdict} among the winners"
        )
    return all_won


def test_once(digits, device) -> bool:
    """Retrain the chosen recipes on all tuning images; report the test part, once."""
    tuning = TRAIN + VALID
    x = normalised(digits.images, slice(0, tuning))
    train = TensorDataset(x[:tuning], digits.targets[:tuning])
    test = TensorDataset(x[-TEST:], digits.targets[-TEST:])
    print(
        f"\nTest, once: chosen recipes trained on images 0-{tuning - 1:,}, "
        f"tested on {len(digits) - TEST:,}-{len(digits) - 1:,}\n"
    )
    print("| model | epochs | test accuracy | target | train time | |")
    print("|---|---|---|---|---|---|")
    failed = False
    for name, build, recipe in [("MLP", mlp, MLP_RECIPE), ("CNN", cnn, CNN_RECIPE)]:
        acc, seconds = accuracy_after(build, recipe, train, test, device)
        ok = acc >= TARGETS[name]
        failed |= not ok
        verdict = "ok" if ok else "BELOW TARGET"
        print(
            f"| {name} | {recipe.epochs} | {acc:.2%} | {TARGETS[name]:.1%} "
            f"| {seconds:.0f} s | {verdict} |"
        )
    return not failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mnist", default=os.environ.get("MNIST_T10K", "../shared/data/mnist-t10k")
    )
    parser.add_argument("--skip-tuning", action="store_true", help="only the final, once-only test")
    args = parser.parse_args()
    digits = load(args.mnist)
    device = tb.device()
    threads = torch.get_num_threads()
    print(f"device: {tb.device_summary(device)}; torch {torch.__version__}; threads {threads}")
    won = True if args.skip_tuning else tune(digits, device)
    passed = test_once(digits, device)
    return 0 if won and passed else 1


if __name__ == "__main__":
    sys.exit(main())
