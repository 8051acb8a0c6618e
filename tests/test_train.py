"""torchbook.train: the loop learns, records what it did, and evaluates without side effects."""

from __future__ import annotations

from typing import ClassVar

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


# --- values, not keys: averages over uneven batches, and fit against a hand-written loop ----
def _uneven(n: int = 10, batch_size: int = 4, seed: int = 5) -> tuple[TensorDataset, DataLoader]:
    """float64 data in batches of 4, 4 and 2: a mean of batch means is not the mean."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, generator=g, dtype=torch.float64)
    y = torch.randint(0, 3, (n,), generator=g)
    data = TensorDataset(x, y)
    return data, DataLoader(data, batch_size=batch_size)


def _linear(seed: int = 0) -> nn.Linear:
    torch.manual_seed(seed)
    return nn.Linear(3, 3).double()


def _first_score(output: torch.Tensor, target: torch.Tensor) -> float:
    """A metric whose value differs from batch to batch: the mean of the first logit."""
    return output[:, 0].mean().item()


def test_evaluate_averages_over_samples_as_the_whole_data_at_once() -> None:
    data, loader = _uneven()
    assert [len(y) for _, y in loader] == [4, 4, 2]
    model, loss_fn = _linear(), nn.CrossEntropyLoss()
    metrics = {"accuracy": accuracy, "first": _first_score}
    result = evaluate(model, loader, loss_fn, metrics)
    x, y = data.tensors
    with torch.no_grad():
        whole = model(x)
    assert result == pytest.approx(
        {
            "loss": loss_fn(whole, y).item(),
            "accuracy": (whole.argmax(1) == y).sum().item() / len(y),  # 4 of 10, exactly
            "first": _first_score(whole, y),
        },
        rel=1e-12,
    )
    batch_means = [loss_fn(model(xb), yb).item() for xb, yb in loader]
    assert result["loss"] != pytest.approx(sum(batch_means) / 3, rel=1e-6)  # the test can tell


def test_evaluate_uses_eval_mode_and_restores_eval_mode_too() -> None:
    _, loader = _uneven()
    model = nn.Sequential(nn.Dropout(0.5), _linear())
    model.eval()
    first = evaluate(model, loader, nn.CrossEntropyLoss())
    assert not model.training  # an eval model stays in eval mode
    model.train()
    assert evaluate(model, loader, nn.CrossEntropyLoss()) == first  # no dropout: same numbers
    assert model.training


def test_evaluate_of_no_batches_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"^evaluate got no batches$"):
        evaluate(_linear(), [], nn.CrossEntropyLoss())


def test_fits_training_averages_are_per_sample_over_the_epoch() -> None:
    """With a learning rate of 0 the weights never move, so the epoch's averages (kept as
    the batches were trained on) must be those of the whole data at once."""
    data, loader = _uneven()
    model, loss_fn = _linear(), nn.CrossEntropyLoss()
    metrics = {"accuracy": accuracy, "first": _first_score}
    opt = torch.optim.SGD(model.parameters(), lr=0.0)
    history = fit(model, (loader, loader), loss_fn, opt, 2, metrics=metrics, log_every=0)
    x, y = data.tensors
    with torch.no_grad():
        whole = model(x)
    expected = {
        "loss": loss_fn(whole, y).item(),
        "accuracy": (whole.argmax(1) == y).sum().item() / 10,
    }
    expected["first"] = _first_score(whole, y)
    for row in history.epochs:
        assert row == pytest.approx(
            {f"{split}_{k}": v for split in ("train", "valid") for k, v in expected.items()},
            rel=1e-12,
        )
    assert history.iteration_loss == pytest.approx(
        [loss_fn(model(xb), yb).item() for xb, yb in loader] * 2, rel=1e-12
    )


class _RecordingBar:
    """Stands in for tqdm: records what fit tells the progress bar."""

    made: ClassVar[list[_RecordingBar]] = []

    def __init__(self, total=None, **kwargs) -> None:
        self.total, self.kwargs, self.steps, self.postfix = total, kwargs, 0, []
        self.closed = False
        _RecordingBar.made.append(self)

    def update(self, n: int) -> None:
        self.steps += n

    def set_postfix(self, **kwargs) -> None:
        self.postfix.append(kwargs)

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize("progress", [False, True], ids=["no-bar", "bar"])
def test_fit_takes_the_steps_of_a_hand_written_loop(monkeypatch, capsys, progress: bool) -> None:
    """Same seed, SGD with momentum and weight decay, uneven shuffled batches, two epochs:
    the same losses, step by step, and bit-for-bit the same parameters."""
    monkeypatch.setattr("tqdm.auto.tqdm", _RecordingBar)
    _RecordingBar.made = []
    data = _blobs(50)

    def setup():
        tb.seed(11)
        model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
        opt = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9, weight_decay=1e-3)
        loader = DataLoader(
            data, batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(3)
        )
        return model, opt, loader

    model, opt, loader = setup()
    history = fit(model, loader, nn.CrossEntropyLoss(), opt, 2, progress=progress, log_every=0)
    assert capsys.readouterr().out == ""  # log_every=0: silent

    hand, hand_opt, hand_loader = setup()
    losses = []
    for _ in range(2):
        for x, y in hand_loader:
            loss = nn.functional.cross_entropy(hand(x), y)
            hand_opt.zero_grad()
            loss.backward()
            hand_opt.step()
            losses.append(loss.item())
    assert [len(y) for _, y in hand_loader] == [16, 16, 16, 2]
    assert history.iteration_loss == losses
    for (name, p), q in zip(model.named_parameters(), hand.parameters(), strict=True):
        assert torch.equal(p, q), name
    if progress:
        (bar,) = _RecordingBar.made
        assert bar.total == 2 * 4 and bar.steps == 8 and bar.closed
        assert bar.kwargs == {"desc": "training", "leave": False}
        assert bar.postfix == [{"loss": f"{value:.4f}"} for value in losses]
    else:
        assert _RecordingBar.made == []


def test_fit_logs_every_nth_epoch_and_the_last(capsys) -> None:
    _, loader = _uneven()
    model = _linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.0)
    metrics = {"accuracy": accuracy}
    history = fit(
        model, (loader, loader), nn.CrossEntropyLoss(), opt, 10, None, metrics, log_every=4
    )
    row = history.epochs[0]
    assert list(row) == ["train_loss", "train_accuracy", "valid_loss", "valid_accuracy"]
    columns = "  ".join(f"{k} {v:.4f}" for k, v in row.items())  # two spaces between columns
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"epoch {e:>2}/10  {columns}" for e in (4, 8, 10)]
    assert lines[0].startswith("epoch  4/10  train_loss 1.")
    assert history.seconds > 0


def test_fit_moves_the_model_to_the_device_it_is_given() -> None:
    _, loader = _uneven()
    model = _linear()
    moved = []
    model.to = lambda device: moved.append(device) or model  # type: ignore[method-assign]
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    fit(model, loader, nn.CrossEntropyLoss(), opt, 1, "cpu", log_every=0)
    assert moved == [torch.device("cpu")]


def test_fit_trains_in_train_mode_and_evaluates_in_eval_mode() -> None:
    _, loader = _uneven()
    model = _linear()
    modes = []
    model.register_forward_hook(lambda m, i, o: modes.append(m.training))
    model.eval()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    fit(model, (loader, loader), nn.CrossEntropyLoss(), opt, 2, log_every=0)
    assert modes == ([True] * 3 + [False] * 3) * 2


def test_an_empty_training_loader_is_an_error() -> None:
    model = _linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"^the training loader produced no batches$"):
        fit(model, [], nn.CrossEntropyLoss(), opt, 1, log_every=0)


def test_a_model_without_parameters_is_evaluated_on_the_cpu() -> None:
    data, loader = _uneven()
    result = evaluate(nn.Identity(), loader, nn.CrossEntropyLoss())
    x, y = data.tensors
    assert result["loss"] == pytest.approx(nn.functional.cross_entropy(x, y).item(), rel=1e-12)


def test_history_of_no_epoch_names_no_metric() -> None:
    with pytest.raises(KeyError, match=r"no metric 'train_loss'; this history has \[\]"):
        History().metric("train_loss")


def test_history_metric_lists_one_value_per_epoch() -> None:
    history = History(epochs=[{"train_loss": 2.0, "valid_loss": 3.0}, {"train_loss": 1.0}])
    assert history.metric("train_loss") == [2.0, 1.0]
    with pytest.raises(KeyError, match=r"no metric 'loss'; this history has \['train_loss', "):
        history.metric("loss")


@pytest.mark.parametrize(
    ("value", "wanted"),
    [("", True), ("0", True), ("false", True), ("False", True), ("1", False), ("yes", False)],
)
def test_the_progress_bar_follows_tqdm_disable(monkeypatch, value: str, wanted: bool) -> None:
    from torchbook.train import _progress_wanted

    monkeypatch.setenv("TQDM_DISABLE", value)
    assert _progress_wanted(None) is wanted
    assert _progress_wanted(True) is True and _progress_wanted(False) is False


def test_accuracy_of_one_logit_column_by_its_sign() -> None:
    logits = torch.tensor([[2.0], [-1.0], [0.0], [0.5]])
    assert accuracy(logits, torch.tensor([1, 0, 0, 0])) == 0.75  # 0 is not positive
    assert accuracy(logits.reshape(-1), torch.tensor([[1], [1], [1], [1]])) == 0.5
    scores = torch.tensor([[0.1, 0.9, 0.0], [0.8, 0.1, 0.1]])
    assert accuracy(scores, torch.tensor([1, 2])) == 0.5


# --- where batches go: the model's device, or the one fit and evaluate are given --------------
class _Moving:
    """Stands in for a batch tensor: records the device it is moved to, and stays put."""

    moves: ClassVar[list[object]] = []

    def __init__(self, tensor: torch.Tensor) -> None:
        self.tensor = tensor

    def to(self, device: object) -> torch.Tensor:
        _Moving.moves.append(device)
        return self.tensor


class _ParametersElsewhere(nn.Module):
    """A model whose first parameter lives on the "meta" device: where batches must go."""

    def __init__(self) -> None:
        super().__init__()
        self.elsewhere = nn.Parameter(torch.empty(0, device="meta"))
        self.linear = _linear()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x)

    def to(self, device):  # type: ignore[override]
        self.moved_to = device
        return self


def _moving_batches(loader) -> list[tuple[_Moving, _Moving]]:
    return [(_Moving(x), _Moving(y)) for x, y in loader]


@pytest.mark.parametrize("given", [None, "meta", torch.device("meta")], ids=str)
def test_batches_go_to_the_models_device_or_the_one_given(given) -> None:
    _, loader = _uneven()
    model = _ParametersElsewhere()
    meta = torch.device("meta")
    _Moving.moves = []
    evaluate(model, _moving_batches(loader), nn.CrossEntropyLoss(), device=given)
    assert _Moving.moves == [meta] * 6  # inputs and targets of three batches
    _Moving.moves = []
    opt = torch.optim.SGD(model.linear.parameters(), lr=0.1)
    batches = _moving_batches(loader)
    fit(model, (batches, batches), nn.CrossEntropyLoss(), opt, 1, given, log_every=0)
    assert model.moved_to == meta
    assert _Moving.moves == [meta] * 12  # training, then validation


def test_the_device_given_wins_over_the_models() -> None:
    _, loader = _uneven()
    model = _ParametersElsewhere()  # its parameters say "meta"
    cpu = torch.device("cpu")
    _Moving.moves = []
    evaluate(model, _moving_batches(loader), nn.CrossEntropyLoss(), device="cpu")
    assert _Moving.moves == [cpu] * 6
    _Moving.moves = []
    opt = torch.optim.SGD(model.linear.parameters(), lr=0.1)
    batches = _moving_batches(loader)
    fit(model, (batches, batches), nn.CrossEntropyLoss(), opt, 1, cpu, log_every=0)
    assert model.moved_to == cpu and _Moving.moves == [cpu] * 12


def test_evaluate_without_parameters_stays_on_the_cpu() -> None:
    _, loader = _uneven()
    _Moving.moves = []
    evaluate(nn.Identity(), _moving_batches(loader), nn.CrossEntropyLoss())
    assert _Moving.moves == [torch.device("cpu")] * 6


def test_fits_clock_measures_the_run() -> None:
    import time

    _, loader = _uneven()
    model = _linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    before = time.perf_counter()
    history = fit(model, loader, nn.CrossEntropyLoss(), opt, 2, log_every=0)
    assert 0 < history.seconds <= time.perf_counter() - before


@pytest.mark.parametrize(
    ("bad", "message"),
    [(1.0, "epochs must be a positive int, got 1.0 (float)"),
     (True, "epochs must be a positive int, got True (bool)")],
)  # fmt: skip
def test_epochs_of_another_type_are_named_with_their_type(bad, message: str) -> None:
    model = _linear()
    with pytest.raises(TypeError) as error:
        fit(model, [], nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1), bad)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("make", "interval", "message"),
    [(lambda opt: torch.optim.lr_scheduler.ReduceLROnPlateau(opt), "step",
      "ReduceLROnPlateau follows a metric once per epoch: pass scheduler_interval='epoch'"),
     (lambda opt: torch.optim.lr_scheduler.StepLR(
         torch.optim.SGD([torch.zeros(1, requires_grad=True)]), 1), "step",
      "the scheduler was built on another optimizer than the one fit steps"),
     (lambda opt: torch.optim.lr_scheduler.StepLR(opt, 1), "batch",
      "scheduler_interval must be one of ('step', 'epoch'), got 'batch'"),
     (lambda opt: [], "epoch", "scheduler must be a torch.optim.lr_scheduler object, got list")],
    ids=["plateau-per-step", "other-optimizer", "unknown-interval", "not-a-scheduler"],
)  # fmt: skip
def test_a_refused_scheduler_is_named_in_full(make, interval: str, message: str) -> None:
    model = _linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises((ValueError, TypeError)) as error:
        fit(model, [], nn.CrossEntropyLoss(), opt, 1,
            scheduler=make(opt), scheduler_interval=interval)  # fmt: skip
    assert str(error.value) == message


def test_the_non_finite_loss_message_says_what_to_look_at() -> None:
    _, loader = _uneven()
    model = _linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)

    def loss_fn(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return nn.functional.cross_entropy(output, target) + float("inf")

    with pytest.raises(FloatingPointError) as error:
        fit(model, loader, loss_fn, opt, 1, log_every=0)
    assert str(error.value) == (
        "the loss is inf at epoch 1, step 1 (counted within the epoch); training stopped before "
        "that step changed the weights. A learning rate too large, or a log or division of zero "
        "in the loss, are the usual causes"
    )
