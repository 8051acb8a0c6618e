"""torchbook.models: the recipes build the promised shapes and train on small data."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.optim.lr_scheduler import OneCycleLR
from torch.utils.data import DataLoader, TensorDataset

import torchbook as tb
from torchbook.models import Recipe, cnn, mlp, train_recipe
from torchbook.train import accuracy, fit


def test_default_mlp_is_784_256_128_64_10() -> None:
    linears = [m for m in mlp() if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [
        (784, 256),
        (256, 128),
        (128, 64),
        (64, 10),
    ]


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "elu"])
def test_mlp_activation_is_used(activation: str) -> None:
    kinds = {type(m).__name__.lower() for m in mlp(activation=activation)}
    assert activation in kinds


def test_mlp_without_hidden_layers_is_linear() -> None:
    model = mlp(hidden=())
    assert [type(m) for m in model] == [nn.Flatten, nn.Linear]


def test_default_mlp_drops_out_once_before_the_output_layer() -> None:
    kinds = [type(m) for m in mlp()]
    assert kinds.count(nn.Dropout) == 1
    assert kinds[-2:] == [nn.Dropout, nn.Linear]
    assert kinds[-3] is nn.ReLU


@pytest.mark.parametrize(
    ("dropout_at", "counts"),
    [("last", [1, 1, 1, 1]), ("every", [2, 3, 4, 6]), ("all_but_last", [1, 2, 3, 5])],
)
def test_dropout_layers_per_depth(dropout_at: str, counts: list[int]) -> None:
    """Networks of 3, 4, 5 and 7 linear layers: only "last" keeps the dropout fixed."""
    found = []
    for hidden in [(256, 128), (256, 128, 64), (256, 128, 64, 64), (256, 128) + (64,) * 4]:
        model = mlp(hidden, dropout_at=dropout_at)
        assert sum(isinstance(m, nn.Linear) for m in model) == len(hidden) + 1
        found.append(sum(isinstance(m, nn.Dropout) for m in model))
    assert found == counts


def test_mlp_without_dropout_has_no_dropout_layer() -> None:
    assert not any(isinstance(m, nn.Dropout) for m in mlp(dropout=0.0, dropout_at="every"))


def test_mlp_rejects_unknown_dropout_place() -> None:
    with pytest.raises(ValueError, match="unknown dropout_at 'first'"):
        mlp(dropout_at="first")


def test_mlp_rejects_unknown_activation() -> None:
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        mlp(activation="swish")


def test_cnn_maps_images_to_ten_scores() -> None:
    assert cnn()(torch.zeros(3, 1, 28, 28)).shape == (3, 10)


def test_cnn_dropout_precedes_both_linear_layers() -> None:
    layers = list(cnn(dropout=0.25))
    for k, layer in enumerate(layers):
        if isinstance(layer, nn.Linear):
            assert isinstance(layers[k - 1], nn.Dropout) and layers[k - 1].p == 0.25


def test_recipe_training_learns_and_repeats() -> None:
    g = torch.Generator().manual_seed(0)
    y = torch.randint(0, 2, (256,), generator=g)
    x = torch.randn(256, 1, 28, 28, generator=g) * 0.5 + y.view(-1, 1, 1, 1).float()
    data = TensorDataset(x, y)
    accuracies = []
    for _ in range(2):
        tb.seed(0)
        history = train_recipe(mlp(hidden=(16,)), Recipe(epochs=8), data, data, log_every=0)
        accuracies.append(history.metric("valid_accuracy"))
    assert accuracies[0] == accuracies[1]
    assert accuracies[0][-1] > 0.95


class _OneCycleAdamBefore(torch.optim.Adam):
    """The recipes' optimizer before ``fit`` took a scheduler, kept as the reference they
    must still follow: Adam that advanced a OneCycleLR inside its own ``step``."""

    def __init__(self, params, recipe: Recipe, steps: int) -> None:
        super().__init__(params, lr=recipe.max_lr / 25, weight_decay=recipe.weight_decay)
        self.schedule = OneCycleLR(self, recipe.max_lr, total_steps=steps)

    def step(self, closure=None):  # type: ignore[override]
        loss = super().step(closure)
        if self.schedule.last_epoch + 1 < self.schedule.total_steps:
            self.schedule.step()
        return loss


def test_recipe_steps_take_the_learning_rates_and_betas_of_the_old_optimizer() -> None:
    recipe, steps = Recipe(epochs=1, max_lr=3e-3, weight_decay=1e-4), 40
    w_old, w_new = torch.ones(3, requires_grad=True), torch.ones(3, requires_grad=True)
    old = _OneCycleAdamBefore([w_old], recipe, steps)
    new, scheduler = recipe.optimizer_and_scheduler([w_new], steps)
    for step in range(steps):
        old_group, new_group = old.param_groups[0], new.param_groups[0]
        assert (new_group["lr"], new_group["betas"]) == (old_group["lr"], old_group["betas"]), step
        for w, optimizer in ((w_old, old), (w_new, new)):
            w.grad = torch.full((3,), 0.5 - step % 3)
            optimizer.step()
        scheduler.step()  # as fit does, after every optimizer step
    assert torch.equal(w_old, w_new)


def test_train_recipe_trains_exactly_as_with_the_old_optimizer() -> None:
    g = torch.Generator().manual_seed(1)
    y = torch.randint(0, 3, (200,), generator=g)
    data = TensorDataset(torch.randn(200, 1, 28, 28, generator=g) + y.view(-1, 1, 1, 1), y)
    recipe = Recipe(epochs=2, weight_decay=1e-4)
    tb.seed(0)
    new_model = mlp(hidden=(16,))
    new = train_recipe(new_model, recipe, data, log_every=0)
    tb.seed(0)
    old_model = mlp(hidden=(16,))
    shuffled = torch.Generator().manual_seed(0)  # train_recipe's default seed
    loader = DataLoader(data, batch_size=recipe.batch_size, shuffle=True, generator=shuffled)
    optimizer = _OneCycleAdamBefore(old_model.parameters(), recipe, recipe.epochs * len(loader))
    loss, metrics = nn.CrossEntropyLoss(), {"accuracy": accuracy}
    old = fit(old_model, loader, loss, optimizer, recipe.epochs, "cpu", metrics, log_every=0)
    assert new.iteration_loss == old.iteration_loss and new.epochs == old.epochs
    for p, q in zip(new_model.parameters(), old_model.parameters(), strict=True):
        assert torch.equal(p, q)
