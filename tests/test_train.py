"""torchbook.train: the loop learns, records what it did, and evaluates without side effects."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import torchbook as tb
from torchbook.train import History, accuracy, evaluate, fit


def _blobs(n: int = 200) -> TensorDataset:
    g = torch.Generator().manual_seed(0)
    y = torch.randint(0, 2, (n,), generator=g)
    x = torch.randn(n, 2, generator=g) + 3 * y[:, None].float() - 1.5
    return TensorDataset(x, y)


def _setup(seed: int = 0):
    tb.seed(seed)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
    data = _blobs()
    train = DataLoader(data, batch_size=32, shuffle=True)
    valid = DataLoader(data, batch_size=64)
    return model, train, valid


def test_fit_learns_and_records_history(capsys) -> None:
    model, train, valid = _setup()
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    history = fit(
        model, (train, valid), nn.CrossEntropyLoss(), opt, 5, "cpu", {"accuracy": accuracy}
    )
    assert len(history.iteration_loss) == 5 * len(train)
    assert len(history.epochs) == 5
    assert history.metric("valid_accuracy")[-1] > 0.95
    assert history.iteration_loss[-1] < history.iteration_loss[0]
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 5 and lines[-1].startswith("epoch 5/5")


def test_fit_is_reproducible_with_the_same_seed() -> None:
    runs = []
    for _ in range(2):
        model, train, _ = _setup(seed=3)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        runs.append(fit(model, train, nn.CrossEntropyLoss(), opt, 2, log_every=0).iteration_loss)
    assert runs[0] == runs[1]


def test_fit_without_validation_has_only_train_columns() -> None:
    model, train, _ = _setup()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, train, nn.CrossEntropyLoss(), opt, 1, log_every=0)
    assert set(history.epochs[0]) == {"train_loss"}


def test_unknown_metric_names_what_exists() -> None:
    with pytest.raises(KeyError, match="train_loss"):
        History(epochs=[{"train_loss": 1.0}]).metric("valid_accuracy")


def test_evaluate_restores_training_mode_and_builds_no_graph() -> None:
    model, _, valid = _setup()
    model.train()
    calls = []
    model.register_forward_hook(lambda m, i, o: calls.append(torch.is_grad_enabled()))
    result = evaluate(model, valid, nn.CrossEntropyLoss(), {"accuracy": accuracy})
    assert model.training and calls and not any(calls)
    assert set(result) == {"loss", "accuracy"}


def test_accuracy_on_scores_and_on_logits() -> None:
    scores = torch.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert accuracy(scores, torch.tensor([1, 0, 0])) == pytest.approx(2 / 3)
    logits = torch.tensor([[2.0], [-1.0]])
    assert accuracy(logits, torch.tensor([1.0, 1.0])) == 0.5


def test_accuracy_rejects_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match="do not match"):
        accuracy(torch.zeros(4, 3), torch.zeros(5, dtype=torch.long))


def test_zero_epochs_is_an_error() -> None:
    model, train, _ = _setup()
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        fit(model, train, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1), 0)


def test_progress_bar_only_when_not_building(monkeypatch) -> None:
    from torchbook.train import _progress_wanted

    monkeypatch.setenv("TQDM_DISABLE", "1")
    assert not _progress_wanted(None)
    monkeypatch.delenv("TQDM_DISABLE")
    assert _progress_wanted(None)
    assert not _progress_wanted(False)


@pytest.mark.parametrize("bad", [1.0, "3", True, None])
def test_epochs_must_be_an_int(bad: object) -> None:
    model, train, _ = _setup()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match="epochs must be a positive int"):
        fit(model, train, nn.CrossEntropyLoss(), opt, bad)  # type: ignore[arg-type]


def test_negative_epochs_is_an_error() -> None:
    model, train, _ = _setup()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="epochs must be at least 1, got -2"):
        fit(model, train, nn.CrossEntropyLoss(), opt, -2)


def test_numpy_integer_epochs_are_accepted() -> None:
    import numpy as np

    model, train, _ = _setup()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, train, nn.CrossEntropyLoss(), opt, np.int64(2), log_every=0)
    assert len(history.epochs) == 2


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_loss_stops_with_epoch_and_step(bad: float) -> None:
    model, train, _ = _setup()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    calls = []

    def loss_fn(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        calls.append(1)
        loss = nn.functional.cross_entropy(output, target)
        # the third step of the second epoch goes wrong
        return loss * bad if len(calls) == len(train) + 3 else loss

    before = None
    with pytest.raises(FloatingPointError, match=r"at epoch 2, step 3\b") as error:

        def snapshot(*args) -> None:
            nonlocal before
            before = [p.detach().clone() for p in model.parameters()]

        opt.register_step_post_hook(snapshot)
        fit(model, train, loss_fn, opt, 3, log_every=0)
    assert str(bad) in str(error.value)
    # the step with the bad loss did not touch the weights
    for kept, now in zip(before, model.parameters(), strict=True):
        assert torch.equal(kept, now)


def test_non_finite_loss_stops_with_the_progress_bar_on(monkeypatch) -> None:
    monkeypatch.delenv("TQDM_DISABLE", raising=False)  # a real bar, as a reader sees it
    model, train, _ = _setup()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)

    def loss_fn(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return nn.functional.cross_entropy(output, target) * float("nan")

    with pytest.raises(FloatingPointError, match="at epoch 1, step 1"):
        fit(model, train, loss_fn, opt, 1, progress=True, log_every=0)


class _NoLength:
    """A loader that can be iterated again and again but has no len()."""

    def __init__(self, loader: DataLoader) -> None:
        self.loader = loader

    def __iter__(self):
        yield from self.loader


def test_loader_without_len_works_with_and_without_a_bar(monkeypatch) -> None:
    bars = []

    class Bar:  # records what fit asks of tqdm (whose TQDM_DISABLE is read at import)
        def __init__(self, total=None, **kwargs) -> None:
            self.total, self.steps = total, 0
            bars.append(self)

        def update(self, n: int) -> None:
            self.steps += n

        def set_postfix(self, **kwargs) -> None:
            pass

        def close(self) -> None:
            pass

    monkeypatch.setattr("tqdm.auto.tqdm", Bar)
    model, train, valid = _setup()
    loader = _NoLength(train)
    with pytest.raises(TypeError):
        len(loader)  # type: ignore[arg-type]
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for progress in (True, False):
        history = fit(
            model, (loader, _NoLength(valid)), nn.CrossEntropyLoss(), opt, 2, progress=progress
        )
        assert len(history.iteration_loss) == 2 * len(train)
        assert "valid_loss" in history.epochs[-1]
    assert len(bars) == 1 and bars[0].total is None and bars[0].steps == 2 * len(train)
    fit(model, train, nn.CrossEntropyLoss(), opt, 2, progress=True, log_every=0)
    assert bars[1].total == 2 * len(train)  # with len(): the bar knows its end


def _lr_at_each_step(optimizer: torch.optim.Optimizer) -> list[float]:
    """The learning rate each of the optimizer's later steps uses, filled in as it steps."""
    seen: list[float] = []
    optimizer.register_step_pre_hook(lambda o, *_: seen.append(o.param_groups[0]["lr"]))
    return seen


def test_a_scheduler_is_stepped_after_every_optimizer_step() -> None:
    model, train, _ = _setup()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 1 / (1 + step))
    lrs = _lr_at_each_step(opt)
    fit(model, train, nn.CrossEntropyLoss(), opt, 2, scheduler=scheduler, log_every=0)
    steps = 2 * len(train)
    assert lrs == pytest.approx([0.1 / (1 + k) for k in range(steps)])
    assert scheduler.last_epoch == steps


def test_a_scheduler_by_epoch_is_stepped_after_each_epoch() -> None:
    model, train, _ = _setup()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    lrs = _lr_at_each_step(opt)
    loss = nn.CrossEntropyLoss()
    fit(model, train, loss, opt, 3, scheduler=scheduler, scheduler_interval="epoch", log_every=0)
    n = len(train)
    assert lrs == pytest.approx([0.1] * n + [0.05] * n + [0.025] * n)


@pytest.mark.parametrize("validate", [True, False], ids=["valid_loss", "train_loss"])
def test_reduce_on_plateau_is_given_the_epochs_loss(validate: bool) -> None:
    model, train, valid = _setup()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    given = []

    class Recording(torch.optim.lr_scheduler.ReduceLROnPlateau):
        def step(self, metrics, epoch=None) -> None:  # type: ignore[override]
            given.append(metrics)
            super().step(metrics)

    loaders = (train, valid) if validate else train
    history = fit(
        model, loaders, nn.CrossEntropyLoss(), opt, 3,
        scheduler=Recording(opt), scheduler_interval="epoch", log_every=0,
    )  # fmt: skip
    assert given == history.metric("valid_loss" if validate else "train_loss")


@pytest.mark.parametrize(
    ("make", "interval", "error", "message"),
    [(lambda opt: torch.optim.lr_scheduler.ReduceLROnPlateau(opt), "step", ValueError,
      "scheduler_interval='epoch'"),
     (lambda opt: torch.optim.lr_scheduler.StepLR(
         torch.optim.SGD([torch.zeros(1, requires_grad=True)]), 1), "step", ValueError,
      "another optimizer"),
     (lambda opt: torch.optim.lr_scheduler.StepLR(opt, 1), "batch", ValueError,
      "scheduler_interval must be one of"),
     (lambda opt: object(), "step", TypeError, "torch.optim.lr_scheduler")],
    ids=["plateau-per-step", "other-optimizer", "unknown-interval", "not-a-scheduler"],
)  # fmt: skip
def test_a_scheduler_fit_would_step_wrongly_is_refused_before_training(
    make, interval: str, error: type, message: str
) -> None:
    model, train, _ = _setup()
    before = [p.detach().clone() for p in model.parameters()]
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(error, match=message):
        fit(
            model, train, nn.CrossEntropyLoss(), opt, 1,
            scheduler=make(opt), scheduler_interval=interval, log_every=0,
        )  # fmt: skip
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
