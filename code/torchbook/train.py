"""One small training loop that every chapter from Part III on uses.

It is the loop the chapters first write by hand (forward, loss, backward, step, zero the
gradients), plus what a real run needs: batches moved to the model's device, evaluation
under ``torch.no_grad`` in ``eval()`` mode, a learning-rate scheduler stepped after every
step or every epoch, per-iteration losses and per-epoch metrics kept in a
:class:`History`, a progress bar when someone is watching and one line per epoch when the
book is built. Training and evaluation run one loop over the batches
(``_mean_over_batches``); training adds its step to it.
"""

from __future__ import annotations

import math
import numbers
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau

Metric = Callable[[torch.Tensor, torch.Tensor], float]
LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]
SCHEDULER_INTERVALS = ("step", "epoch")
"""When :func:`fit` steps its ``scheduler``: after every optimizer step, or after each epoch."""


def accuracy(output: torch.Tensor, target: torch.Tensor) -> float:
    """Fraction of rows whose highest score is the target class (or, for one output
    column, whose logit has the target's sign)."""
    if output.ndim == 2 and output.shape[1] > 1:
        predicted = output.argmax(dim=1)
    else:
        predicted = (output.reshape(-1) > 0).to(target.dtype)
    if predicted.shape != target.reshape(-1).shape:
        raise ValueError(
            f"accuracy: {tuple(output.shape)} outputs do not match {tuple(target.shape)} targets"
        )
    return (predicted == target.reshape(-1)).float().mean().item()


@dataclass
class History:
    """What a run produced: the loss of every iteration and the metrics of every epoch."""

    iteration_loss: list[float] = field(default_factory=list)
    epochs: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0

    def metric(self, name: str) -> list[float]:
        """One metric per epoch, e.g. ``history.metric("valid_accuracy")``."""
        if not self.epochs or name not in self.epochs[0]:
            known = sorted(self.epochs[0]) if self.epochs else []
            raise KeyError(f"no metric {name!r}; this history has {known}")
        return [epoch[name] for epoch in self.epochs]


def _progress_wanted(progress: bool | None) -> bool:
    """A bar when someone is watching; none while the book builds (TQDM_DISABLE=1)."""
    if progress is not None:
        return progress
    return os.environ.get("TQDM_DISABLE", "") in ("", "0", "false", "False")


def evaluate(
    model: nn.Module,
    batches: Batches,
    loss_fn: LossFn,
    metrics: Mapping[str, Metric] | None = None,
    device: torch.device | str | None = None,
) -> dict[str, float]:
    """Mean loss and metrics over ``batches``, in eval mode and without building a graph."""
    device = torch.device(device) if device is not None else _model_device(model)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            means = _mean_over_batches(model, batches, loss_fn, metrics or {}, device)
    finally:
        model.train(was_training)
    if means is None:
        raise ValueError("evaluate got no batches")
    return means


def _mean_over_batches(
    model: nn.Module,
    batches: Batches,
    loss_fn: LossFn,
    metrics: Mapping[str, Metric],
    device: torch.device,
    train_step: Callable[[torch.Tensor, float, int], None] | None = None,
) -> dict[str, float] | None:
    """Loss and metrics over one pass of ``batches``, each batch weighted by its size.

    The loop :func:`evaluate` and each epoch of :func:`fit` share. ``fit`` passes
    ``train_step(loss, loss value, step within the pass)``, called on each batch's loss
    before the metrics read the batch's output. None when there was no batch.
    """
    totals = dict.fromkeys(["loss", *metrics], 0.0)
    count = 0
    for step, (inputs, targets) in enumerate(batches, start=1):
        inputs, targets = inputs.to(device), targets.to(device)
        output = model(inputs)
        loss = loss_fn(output, targets)
        value = loss.item()
        if train_step is not None:
            train_step(loss, value, step)
        n = len(targets)
        count += n
        totals["loss"] += value * n
        for name, metric in metrics.items():
            totals[name] += metric(output.detach(), targets) * n
    if count == 0:
        return None
    return {name: total / count for name, total in totals.items()}


def _model_device(model: nn.Module) -> torch.device:
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


def _total_steps(batches: Batches, epochs: int) -> int | None:
    """Steps in the whole run for the progress bar, or None when the loader has no length."""
    try:
        return epochs * len(batches)  # type: ignore[arg-type]
    except TypeError:
        return None


def _checked_scheduler(
    scheduler: LRScheduler | None, interval: str, optimizer: torch.optim.Optimizer
) -> None:
    """Refuse, before any training, a scheduler that ``fit`` would step wrongly."""
    if interval not in SCHEDULER_INTERVALS:
        raise ValueError(
            f"scheduler_interval must be one of {SCHEDULER_INTERVALS}, got {interval!r}"
        )
    if scheduler is None:
        return
    if not isinstance(scheduler, LRScheduler):
        raise TypeError(
            f"scheduler must be a torch.optim.lr_scheduler object, got {type(scheduler).__name__}"
        )
    if scheduler.optimizer is not optimizer:
        raise ValueError("the scheduler was built on another optimizer than the one fit steps")
    if isinstance(scheduler, ReduceLROnPlateau) and interval == "step":
        raise ValueError(
            "ReduceLROnPlateau follows a metric once per epoch: pass scheduler_interval='epoch'"
        )


def fit(
    model: nn.Module,
    loaders: Batches | tuple[Batches, Batches | None],
    loss_fn: LossFn,
    optimizer: torch.optim.Optimizer,
    epochs: int,
    device: torch.device | str | None = None,
    metrics: Mapping[str, Metric] | None = None,
    *,
    scheduler: LRScheduler | None = None,
    scheduler_interval: str = "step",
    progress: bool | None = None,
    log_every: int = 1,
) -> History:
    """Train ``model`` for ``epochs`` passes over the training batches.

    ``loaders`` is the training loader, or a pair (train, valid). Every batch goes to
    ``device`` (default: where the model's parameters are). ``History.epochs`` holds, for
    each epoch, ``train_loss`` and ``train_<metric>`` averaged over the epoch's batches as
    they were trained on (no second pass), and ``valid_loss``/``valid_<metric>`` from
    :func:`evaluate` after the epoch. Prints one line every ``log_every`` epochs (0: silent).

    ``scheduler``, a ``torch.optim.lr_scheduler`` object built on ``optimizer``, changes
    the learning rate as training goes. With ``scheduler_interval="step"`` (the default) it
    is stepped right after every ``optimizer.step()``, as ``OneCycleLR`` needs (its
    ``total_steps`` is ``epochs * len(train loader)``: every step of the run); with
    ``"epoch"`` once after each epoch, after validation, as ``StepLR`` counts epochs.
    ``ReduceLROnPlateau`` goes with ``"epoch"`` and is given the epoch's ``valid_loss`` (or
    ``train_loss`` when there is no validation). A scheduler built on another optimizer, an
    unknown interval, or ``ReduceLROnPlateau`` per step is refused before training starts.

    A loss that is not finite (nan or inf) stops training with a :class:`FloatingPointError`
    naming the epoch and the step, before that step changes the weights. A loader without
    ``len()`` (a generator, an iterable dataset) works; the bar then counts without a total.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral):
        raise TypeError(f"epochs must be a positive int, got {epochs!r} ({type(epochs).__name__})")
    epochs = int(epochs)
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    _checked_scheduler(scheduler, scheduler_interval, optimizer)
    if isinstance(loaders, tuple):
        train_batches, valid_batches = loaders
    else:
        train_batches, valid_batches = loaders, None
    device = torch.device(device) if device is not None else _model_device(model)
    model.to(device)
    history = History()
    bar = None
    if _progress_wanted(progress):
        from tqdm.auto import tqdm

        bar = tqdm(total=_total_steps(train_batches, epochs), desc="training", leave=False)
    start = time.perf_counter()
    epoch = 0

    def train_step(loss: torch.Tensor, value: float, step: int) -> None:
        if not math.isfinite(value):
            raise FloatingPointError(
                f"the loss is {value} at epoch {epoch}, step {step} (counted within the "
                "epoch); training stopped before that step changed the weights. A learning "
                "rate too large, or a log or division of zero in the loss, are the usual causes"
            )
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if scheduler is not None and scheduler_interval == "step":
            scheduler.step()
        history.iteration_loss.append(value)
        if bar is not None:
            bar.update(1)
            bar.set_postfix(loss=f"{value:.4f}")

    try:
        for epoch in range(1, epochs + 1):
            model.train()
            train = _mean_over_batches(
                model, train_batches, loss_fn, metrics or {}, device, train_step
            )
            if train is None:
                raise ValueError("the training loader produced no batches")
            row = {f"train_{k}": v for k, v in train.items()}
            if valid_batches is not None:
                valid = evaluate(model, valid_batches, loss_fn, metrics, device)
                row |= {f"valid_{k}": v for k, v in valid.items()}
            history.epochs.append(row)
            if scheduler is not None and scheduler_interval == "epoch":
                if isinstance(scheduler, ReduceLROnPlateau):
                    scheduler.step(row.get("valid_loss", row["train_loss"]))
                else:
                    scheduler.step()
            if log_every and (epoch % log_every == 0 or epoch == epochs):
                summary = "  ".join(f"{k} {v:.4f}" for k, v in row.items())
                print(f"epoch {epoch:>{len(str(epochs))}}/{epochs}  {summary}")
    finally:
        if bar is not None:
            bar.close()
    history.seconds = time.perf_counter() - start
    return history
