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
