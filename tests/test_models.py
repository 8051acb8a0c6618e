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


def test_cnn_layers_keep_28_then_halve_twice() -> None:
    model = cnn((4, 6), dropout=0.1, classes=3)
    kinds = [type(m) for m in model]
    assert kinds == [nn.Conv2d, nn.ReLU, nn.MaxPool2d, nn.Conv2d, nn.ReLU, nn.MaxPool2d,
                     nn.Flatten, nn.Dropout, nn.Linear, nn.ReLU, nn.Dropout, nn.Linear]  # fmt: skip
    x = torch.zeros(2, 1, 28, 28)
    assert model[:2](x).shape == (2, 4, 28, 28)  # padding 1 keeps 28x28
    assert model[:3](x).shape == (2, 4, 14, 14)
    assert model[:6](x).shape == (2, 6, 7, 7)
    assert model(x).shape == (2, 3)
    convs = [m for m in model if isinstance(m, nn.Conv2d)]
    assert [(c.in_channels, c.out_channels, c.kernel_size, c.padding) for c in convs] == [
        (1, 4, (3, 3), (1, 1)),
        (4, 6, (3, 3), (1, 1)),
    ]
    assert [(m.in_features, m.out_features) for m in model if isinstance(m, nn.Linear)] == [
        (6 * 7 * 7, 128),
        (128, 3),
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"dropout": 1.0}, "dropout must lie in [0, 1), got 1.0"),
     ({"dropout": -0.1}, "dropout must lie in [0, 1), got -0.1"),
     ({"activation": "swish"}, "unknown activation 'swish'; choose one of ['relu', 'sigmoid', "
      "'tanh', 'elu']"),
     ({"dropout_at": "first"}, "unknown dropout_at 'first'; choose one of ['last', 'every', "
      "'all_but_last']")],
)  # fmt: skip
def test_mlp_names_what_it_refuses(kwargs, message: str) -> None:
    with pytest.raises(ValueError) as error:
        mlp(**kwargs)
    assert str(error.value) == message


def test_mlp_accepts_dropout_just_below_one_and_sizes_its_layers() -> None:
    model = mlp((5, 4), "tanh", dropout=0.99, in_features=7, classes=3)
    kinds = [type(m) for m in model]
    assert kinds == [nn.Flatten, nn.Linear, nn.Tanh, nn.Linear, nn.Tanh, nn.Dropout, nn.Linear]
    sizes = [(m.in_features, m.out_features) for m in model if isinstance(m, nn.Linear)]
    assert sizes == [(7, 5), (5, 4), (4, 3)] and model[5].p == 0.99


def test_recipe_defaults() -> None:
    recipe = Recipe(epochs=3)
    assert (recipe.batch_size, recipe.max_lr, recipe.weight_decay) == (64, 3e-3, 0.0)
    optimizer, scheduler = recipe.optimizer_and_scheduler([torch.ones(1, requires_grad=True)], 7)
    assert isinstance(optimizer, torch.optim.Adam) and scheduler.total_steps == 7
    assert optimizer.param_groups[0]["lr"] == pytest.approx(3e-3 / 25)  # the warm-up's start


def test_train_recipe_hands_fit_the_recipes_loaders_and_settings(monkeypatch) -> None:
    """The wiring, without training: shuffled batches of the recipe's size from a generator
    seeded with ``seed``, validation in batches of 512, cross-entropy, accuracy, one
    scheduler step per optimizer step, and the caller's device, log and bar settings."""
    import torchbook.models as models

    calls = []
    monkeypatch.setattr(models, "fit", lambda *args, **kwargs: calls.append((args, kwargs)))
    data = TensorDataset(torch.zeros(130, 2), torch.zeros(130, dtype=torch.long))
    recipe = Recipe(epochs=4, batch_size=32, max_lr=0.01, weight_decay=0.5)
    model = torch.nn.Linear(2, 2)
    train_recipe(model, recipe, data, data, device="meta", seed=9, log_every=3, progress=True)
    ((args, kwargs),) = calls
    fitted, (train_loader, valid_loader), loss, optimizer, epochs, device, metrics = args
    assert fitted is model and epochs == 4 and device == "meta"
    assert train_loader.batch_size == 32 and len(train_loader) == 5
    assert isinstance(train_loader.sampler, torch.utils.data.RandomSampler)
    assert train_loader.generator.initial_seed() == 9
    assert valid_loader.batch_size == 512 and valid_loader.dataset is data
    assert isinstance(loss, nn.CrossEntropyLoss) and metrics == {"accuracy": accuracy}
    assert optimizer.param_groups[0]["weight_decay"] == 0.5
    assert kwargs["scheduler"].total_steps == 4 * 5 and kwargs["scheduler"].optimizer is optimizer
    assert kwargs == {"scheduler": kwargs["scheduler"], "log_every": 3, "progress": True}
    calls.clear()
    train_recipe(model, recipe, data)
    ((args, kwargs),) = calls
    assert args[1][1] is None and args[5] == "cpu"  # no validation; the CPU by default
    assert (kwargs["log_every"], kwargs["progress"]) == (1, None)
    assert args[1][0].generator.initial_seed() == 0
