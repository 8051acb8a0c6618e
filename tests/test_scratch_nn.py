"""torchbook.scratch.nn: every layer and loss agrees with torch.nn (float64), gradients included.

Each test builds the torch layer, copies its weights into ours, and compares the output,
the input's gradient and every parameter's gradient for a random upstream gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from _compare import compare, random_array

from torchbook import interop
from torchbook.scratch import functional as F
from torchbook.scratch import nn as snn
from torchbook.scratch import optim
from torchbook.scratch.tensor import Tensor, record


# --- Linear ------------------------------------------------------------------------------------
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,)], ids=str)
def test_linear(shape: tuple, bias: bool) -> None:
    compare(snn.Linear(4, 3, bias=bias), torch.nn.Linear(4, 3, bias=bias), random_array(shape))


def test_linear_initialisation_follows_torch() -> None:
    """Weight (out, in), float32, uniform in +-1/sqrt(in) for weight and bias alike."""
    layer = snn.Linear(400, 300)
    bound = 1 / np.sqrt(400)
    assert layer.weight.shape == (300, 400) and layer.bias.shape == (300,)
    assert layer.weight.dtype == np.float32 and layer.weight.requires_grad
    for p in (layer.weight, layer.bias):
        assert np.abs(p.data).max() <= bound and np.abs(p.data).max() > 0.95 * bound
    assert abs(layer.weight.data.std() - bound / np.sqrt(3)) < 0.01 * bound


def test_linear_shape_error_names_the_shapes() -> None:
    with pytest.raises(ValueError, match=r"\(2, 5\).*\(3, 4\)"):
        snn.Linear(4, 3)(Tensor(np.ones((2, 5))))


# --- Conv2d ------------------------------------------------------------------------------------
CONV = [
    # (in, out, kernel, stride, padding, input H, W)
    (1, 2, 3, 1, 0, 6, 6),
    (3, 4, 3, 1, 1, 7, 5),
    (2, 3, 3, 2, 0, 9, 8),
    (2, 3, 3, 2, 1, 8, 9),
    (2, 2, 5, 1, 2, 6, 7),
    (3, 2, 5, 2, 2, 11, 10),
    (2, 4, 1, 1, 0, 4, 5),
    (2, 3, 1, 2, 1, 5, 4),
    (1, 1, (2, 3), (1, 2), (0, 1), 5, 7),
]


@pytest.mark.parametrize(("c_in", "c_out", "k", "stride", "pad", "h", "w"), CONV, ids=str)
def test_conv2d(c_in: int, c_out: int, k, stride, pad, h: int, w: int) -> None:
    ours = snn.Conv2d(c_in, c_out, k, stride=stride, padding=pad)
    theirs = torch.nn.Conv2d(c_in, c_out, k, stride=stride, padding=pad)
    compare(ours, theirs, random_array((2, c_in, h, w)))


def test_conv2d_without_bias() -> None:
    compare(
        snn.Conv2d(2, 3, 3, bias=False),
        torch.nn.Conv2d(2, 3, 3, bias=False),
        random_array((2, 2, 5, 5)),
    )


def test_conv2d_initialisation_follows_torch() -> None:
    """U(+-1/sqrt(in * kh * kw)) for weight and bias, as torch: the bound reached, not only
    respected, and the spread of a uniform (std = bound / sqrt(3)), so a too-small bound or
    a constant would fail."""
    conv = snn.Conv2d(30, 64, (3, 5), rng=np.random.default_rng(0))
    bound = 1 / np.sqrt(30 * 3 * 5)
    assert conv.weight.shape == (64, 30, 3, 5) and conv.bias.shape == (64,)
    assert conv.weight.dtype == np.float32 and conv.bias.dtype == np.float32
    for p in (conv.weight, conv.bias):
        assert np.abs(p.data).max() <= bound and np.abs(p.data).max() > 0.95 * bound
        assert p.requires_grad
    assert abs(conv.weight.data.std() - bound / np.sqrt(3)) < 0.01 * bound
    assert abs(conv.weight.data.mean()) < 0.01 * bound


def test_initialisation_repeats_with_its_generator_or_the_global_seed() -> None:
    def weights(**kwargs) -> list[np.ndarray]:
        return [p.data for p in (snn.Linear(4, 3, **kwargs), snn.Conv2d(2, 3, 3, **kwargs))
                for p in p.parameters()]  # fmt: skip

    def same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
        return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))

    first = weights(rng=np.random.default_rng(5))
    assert same(first, weights(rng=np.random.default_rng(5)))
    assert not same(first, weights(rng=np.random.default_rng(6)))
    np.random.seed(1)
    seeded = weights()
    np.random.seed(1)
    assert same(seeded, weights()) and not same(seeded, first)


def test_layers_without_bias_and_in_float64() -> None:
    linear = snn.Linear(3, 2, bias=False, dtype=np.float64)
    conv = snn.Conv2d(1, 2, 3, bias=False, dtype=np.float64)
    for layer in (linear, conv):
        assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
        assert layer.weight.dtype == np.float64
    assert repr(linear) == "Linear(in_features=3, out_features=2, bias=False)"
    assert repr(conv) == "Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1), padding=(0, 0))"


def test_conv2d_channel_mismatch_names_the_shapes() -> None:
    with pytest.raises(ValueError, match=r"\(1, 2, 5, 5\).*2 channels.*\(4, 3, 3, 3\)"):
        snn.Conv2d(3, 4, 3)(Tensor(np.ones((1, 2, 5, 5))))


def test_conv2d_input_smaller_than_kernel_raises() -> None:
    with pytest.raises(ValueError, match="smaller than the kernel"):
        snn.Conv2d(1, 1, 5)(Tensor(np.ones((1, 1, 3, 3))))


def test_conv2d_needs_four_dimensions() -> None:
    with pytest.raises(ValueError, match=r"\(N, C, H, W\).*\(1, 5, 5\)"):
        snn.Conv2d(1, 1, 3)(Tensor(np.ones((1, 5, 5))))


def test_conv2d_reads_a_non_contiguous_input_correctly() -> None:
    x = random_array((2, 3, 7, 6)).transpose(0, 1, 3, 2)  # a view with swapped strides
    assert not x.copy(order="K").flags.c_contiguous
    compare(snn.Conv2d(3, 2, 3), torch.nn.Conv2d(3, 2, 3), x)


def test_conv2d_float32_stays_float32() -> None:
    out = snn.Conv2d(1, 2, 3, padding=1)(Tensor(np.ones((2, 1, 4, 4), dtype=np.float32)))
    assert out.dtype == np.float32 and out.data.flags.c_contiguous


# --- pooling -----------------------------------------------------------------------------------
POOL = [(2, None, 8, 8), (2, None, 7, 9), (3, None, 9, 9), (3, None, 10, 8), (2, 1, 5, 6),
        (3, 1, 6, 5), (3, 2, 7, 7), (1, 2, 5, 6), ((2, 3), None, 7, 8),
        ((3, 2), (1, 2), 6, 7)]  # fmt: skip


@pytest.mark.parametrize(("k", "stride", "h", "w"), POOL, ids=str)
def test_max_pool2d(k: int, stride, h: int, w: int) -> None:
    compare(snn.MaxPool2d(k, stride), torch.nn.MaxPool2d(k, stride), random_array((2, 3, h, w)))


@pytest.mark.parametrize(("k", "stride", "h", "w"), POOL, ids=str)
def test_min_pool2d_is_minus_max_pool_of_minus_x(k: int, stride, h: int, w: int) -> None:
    class MinPool(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return -TF.max_pool2d(-x, k, stride)

    compare(snn.MinPool2d(k, stride), MinPool(), random_array((2, 3, h, w)))


@pytest.mark.parametrize(("k", "stride"), [(2, None), (3, 1)])
def test_max_pool2d_gives_a_tied_window_gradient_to_one_element_like_torch(k: int, stride) -> None:
    """Windows of equal values (zeros after a ReLU): only the first receives the gradient."""
    x = np.zeros((1, 2, 6, 6))
    x[0, 1, ::2, ::2] = 1.0
    compare(snn.MaxPool2d(k, stride), torch.nn.MaxPool2d(k, stride), x)


def test_max_pool2d_passes_gradient_only_to_the_maximum() -> None:
    x = Tensor(np.array([[[[1.0, 2.0], [3.0, 0.5]]]]), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [[[[0.0, 0.0], [1.0, 0.0]]]])


def test_pool_input_smaller_than_kernel_raises() -> None:
    with pytest.raises(ValueError, match="smaller than the kernel"):
        snn.MaxPool2d(3)(Tensor(np.ones((1, 1, 2, 2))))


# --- batch norm --------------------------------------------------------------------------------
BN = [(snn.BatchNorm1d, torch.nn.BatchNorm1d, (8, 3)),
      (snn.BatchNorm1d, torch.nn.BatchNorm1d, (4, 3, 5)),
      (snn.BatchNorm2d, torch.nn.BatchNorm2d, (4, 3, 5, 6))]  # fmt: skip
BN_IDS = ["1d-NC", "1d-NCL", "2d"]


@pytest.mark.parametrize(("ours", "theirs", "shape"), BN, ids=BN_IDS)
def test_batch_norm_train_mode(ours, theirs, shape: tuple) -> None:
    t = theirs(3, momentum=0.2)
    with torch.no_grad():  # a non-trivial affine part
        t.weight.uniform_(0.5, 1.5)
        t.bias.uniform_(-0.5, 0.5)
    compare(ours(3, momentum=0.2, dtype=np.float64), t, random_array(shape) * 3 + 1)


@pytest.mark.parametrize(("ours", "theirs", "shape"), BN, ids=BN_IDS)
def test_batch_norm_running_statistics(ours, theirs, shape: tuple) -> None:
    """Unbiased variance in the running estimate, biased in the normalisation: as torch."""
    mine, ref = ours(3, momentum=0.3, dtype=np.float64), theirs(3, momentum=0.3).double()
    for step in range(4):
        x = random_array(shape, step) * (step + 1) + step
        mine(Tensor(x))
        ref(torch.tensor(x))
    np.testing.assert_allclose(mine.running_mean, ref.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(mine.running_var, ref.running_var.numpy(), rtol=1e-12)


@pytest.mark.parametrize(("ours", "theirs", "shape"), BN, ids=BN_IDS)
def test_batch_norm_eval_mode_uses_running_statistics(ours, theirs, shape: tuple) -> None:
    mine, ref = ours(3, dtype=np.float64), theirs(3).double()
    for step in range(3):  # fill the running statistics
        x = random_array(shape, 10 + step) * 2 + 1
        mine(Tensor(x))
        ref(torch.tensor(x))
    mine.eval()
    ref.eval()
    compare(mine, ref, random_array(shape, 20))
    np.testing.assert_allclose(mine.running_mean, ref.running_mean.numpy(), rtol=1e-12)


def test_batch_norm_checks_the_number_of_channels() -> None:
    with pytest.raises(ValueError, match=r"\(2, 4\) has 4 channels, expected 3"):
        snn.BatchNorm1d(3)(Tensor(np.ones((2, 4))))


def test_batch_norm_needs_more_than_one_value_per_channel_in_training() -> None:
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        snn.BatchNorm1d(3)(Tensor(np.ones((1, 3))))


# --- activations and flatten -------------------------------------------------------------------
ACTIVATIONS = {
    "ReLU": (snn.ReLU(), torch.nn.ReLU()),
    "Sigmoid": (snn.Sigmoid(), torch.nn.Sigmoid()),
    "Tanh": (snn.Tanh(), torch.nn.Tanh()),
    "LeakyReLU": (snn.LeakyReLU(), torch.nn.LeakyReLU()),
    "LeakyReLU-0.2": (snn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
    "ELU": (snn.ELU(), torch.nn.ELU()),
    "ELU-0.5": (snn.ELU(0.5), torch.nn.ELU(0.5)),
    "Flatten": (snn.Flatten(), torch.nn.Flatten()),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_and_flatten(name: str) -> None:
    ours, theirs = ACTIVATIONS[name]
    compare(ours, theirs, random_array((4, 2, 3)) * 3)


def test_elu_has_no_overflow_for_large_inputs() -> None:
    compare(snn.ELU(), torch.nn.ELU(), np.array([[-1000.0, -1.0, 0.0, 1.0, 1000.0]]))


# --- losses ------------------------------------------------------------------------------------
@pytest.mark.parametrize("scale", [1.0, 1000.0, 1e5], ids=["normal", "large-1000", "large-1e5"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy(scale: float, reduction: str) -> None:
    """Large logits would overflow a naive softmax; the shifted log-sum-exp does not."""
    logits = random_array((6, 5)) * scale
    target = np.array([0, 4, 2, 2, 1, 3])
    loss = snn.CrossEntropyLoss(reduction=reduction)
    compare(
        lambda z: loss(z, target),
        lambda z: TF.cross_entropy(z, torch.tensor(target), reduction=reduction),
        logits,
    )


def test_cross_entropy_accepts_a_tensor_target() -> None:
    z = Tensor(np.zeros((2, 4)))
    assert F.cross_entropy(z, Tensor(np.array([1, 3]))).item() == pytest.approx(np.log(4))


@pytest.mark.parametrize(
    ("logits", "target", "error", "match"),
    [((4, 3), (3,), ValueError, r"\(4, 3\).*\(4,\).*\(3,\)"),
     ((4,), (4,), ValueError, r"\(N, C\)"),
     ((2, 3), (2,), IndexError, "out of range")],
    ids=["batch-mismatch", "1-d-logits", "class-out-of-range"],
)  # fmt: skip
def test_cross_entropy_bad_shapes(logits: tuple, target: tuple, error, match: str) -> None:
    labels = np.full(target, 3 if error is IndexError else 0)
    with pytest.raises(error, match=match):
        snn.CrossEntropyLoss()(Tensor(np.zeros(logits)), labels)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_mse_loss(reduction: str) -> None:
    target = random_array((4, 3), 5)
    loss = snn.MSELoss(reduction=reduction)
    compare(
        lambda z: loss(z, target),
        lambda z: TF.mse_loss(z, torch.tensor(target), reduction=reduction),
        random_array((4, 3)),
    )


def test_mse_loss_shape_mismatch() -> None:
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(4,\)"):
        snn.MSELoss()(Tensor(np.ones((4, 3))), np.ones(4))


@pytest.mark.parametrize("name", ["l1", "l2"])
def test_penalties_match_torch(name: str) -> None:
    arrays = [random_array((3, 2), 1), random_array((2,), 2)]
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    if name == "l1":
        out, ref = snn.l1_penalty(ours), sum(t.abs().sum() for t in theirs)
    else:
        out, ref = snn.l2_penalty(ours), sum((t**2).sum() for t in theirs)
    (0.1 * out).backward()
    (0.1 * ref).backward()
    assert isinstance(out, Tensor)
    assert out.item() == pytest.approx(ref.item(), rel=1e-12)
    for t, r in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(t.grad, r.grad.numpy(), rtol=1e-12)


# --- modules -----------------------------------------------------------------------------------
def _cnn(layers, dtype) -> Any:
    """One small CNN of every kind of layer, in the framework whose ``nn`` is ``layers``
    (``snn`` or ``torch.nn``: the same names and arguments)."""
    return layers.Sequential(
        layers.Conv2d(1, 4, 3, padding=1), layers.BatchNorm2d(4, dtype=dtype), layers.ReLU(),
        layers.MaxPool2d(2), layers.Conv2d(4, 6, 3), layers.Tanh(), layers.MaxPool2d(2),
        layers.Flatten(), layers.Linear(6, 5), layers.ELU(), layers.Linear(5, 3),
    )  # fmt: skip


def test_a_whole_cnn_matches_torch() -> None:
    compare(_cnn(snn, np.float64), _cnn(torch.nn, torch.float64), random_array((3, 1, 8, 8)))


def test_parameter_names_and_order_match_torch() -> None:
    ours = [(n, p.shape) for n, p in _cnn(snn, np.float64).named_parameters()]
    theirs = [(n, tuple(p.shape)) for n, p in _cnn(torch.nn, torch.float64).named_parameters()]
    assert ours == theirs


class _Custom(snn.Module):
    """Parameters found in attributes, nested modules and lists of modules."""

    def __init__(self) -> None:
        self.scale = snn.Parameter(np.ones(1))
        self.blocks = [snn.Linear(2, 2), snn.Sequential(snn.Linear(2, 2), snn.BatchNorm1d(2))]
        self.head = snn.Linear(2, 1, bias=False)
        self.shared = self.head  # the same module twice: its parameters count once

    def forward(self, x: Tensor) -> Tensor:
        for block in self.blocks:
            x = block(x)
        return self.head(x) * self.scale


def test_parameters_recurse_into_attributes_and_lists() -> None:
    names = [name for name, _ in _Custom().named_parameters()]
    blocks = ["0.weight", "0.bias", "1.0.weight", "1.0.bias", "1.1.weight", "1.1.bias"]
    expected = ["scale", *(f"blocks.{name}" for name in blocks), "head.weight"]
    assert names == expected
    assert len(list(_Custom().parameters())) == 8


def test_train_and_eval_switch_every_submodule() -> None:
    model = _Custom()
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_zero_grad_sets_gradients_to_none() -> None:
    model = _Custom()
    model(Tensor(np.ones((3, 2)))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_repr_of_a_model() -> None:
    model = snn.Sequential(snn.Linear(3, 2), snn.ReLU())
    assert repr(model) == (
        "Sequential(\n  (0): Linear(in_features=3, out_features=2, bias=True)\n  (1): ReLU()\n)"
    )


# --- optimizers on our parameters --------------------------------------------------------------
OPTIMIZERS = [("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
              ("SGD", {"lr": 0.1, "weight_decay": 0.01}), ("Adagrad", {"lr": 0.1}),
              ("RMSprop", {"lr": 0.01}), ("Adam", {"lr": 0.05})]  # fmt: skip


@pytest.mark.parametrize(("name", "kwargs"), OPTIMIZERS, ids=[n for n, _ in OPTIMIZERS])
def test_training_a_linear_model_follows_torch_optim(name: str, kwargs: dict) -> None:
    x, w_true = random_array((16, 3), 1), np.array([[1.0, -2.0, 0.5]])
    y = x @ w_true.T + 0.3
    ours, theirs = snn.Linear(3, 1, dtype=np.float64), torch.nn.Linear(3, 1).double()
    interop.load_from_torch(ours, theirs)
    opt_ours = getattr(optim, name)(ours.parameters(), **kwargs)
    opt_theirs = getattr(torch.optim, name)(theirs.parameters(), **kwargs)
    for _ in range(10):
        for opt, model, inputs, targets, loss_fn in (
            (opt_ours, ours, Tensor(x), y, snn.MSELoss()),
            (opt_theirs, theirs, torch.tensor(x), torch.tensor(y), torch.nn.MSELoss()),
        ):
            opt.zero_grad()
            loss_fn(model(inputs), targets).backward()
            opt.step()
    for (name_o, p), (name_t, q) in zip(
        ours.named_parameters(), theirs.named_parameters(), strict=True
    ):
        assert name_o == name_t
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-9)


# --- max-pool ties, where the first maximum of each window takes the gradient --------------------
@pytest.mark.parametrize(("k", "stride"), [(2, None), (3, 1), (3, 2), ((2, 3), 1)], ids=str)
def test_max_pool2d_ties_between_positive_values_follow_torch(k, stride) -> None:
    """Plateaus of equal positive values (pooling before the activation, or saturated
    inputs): each window's first maximum in row-major order, shared pixels adding up."""
    x = np.round(np.random.default_rng(2).uniform(0, 2, (2, 2, 7, 8)))  # values 0, 1, 2
    compare(snn.MaxPool2d(k, stride), torch.nn.MaxPool2d(k, stride), x)


# --- layer sizes are checked when the layer is built ---------------------------------------------
@pytest.mark.parametrize(
    ("make", "message"),
    [(lambda: snn.Linear(-1, 2), "Linear: in_features must be an int >= 1, got -1"),
     (lambda: snn.Linear(0, 2), "in_features must be an int >= 1, got 0"),
     (lambda: snn.Linear(2, 2.5), "out_features must be an int >= 1, got 2.5"),
     (lambda: snn.Linear(True, 2), "in_features must be an int >= 1, got True"),
     (lambda: snn.Conv2d(0, 2, 3), "Conv2d: in_channels must be an int >= 1, got 0"),
     (lambda: snn.Conv2d(1, -2, 3), "out_channels must be an int >= 1, got -2"),
     (lambda: snn.Conv2d(1, 2, 0), "kernel_size must be an int >= 1 or a pair of them, got 0"),
     (lambda: snn.Conv2d(1, 2, (3, 0)), r"kernel_size must be .*, got \(3, 0\)"),
     (lambda: snn.Conv2d(1, 2, 3, stride=0), "stride must be an int >= 1"),
     (lambda: snn.Conv2d(1, 2, 3, padding=-1), "padding must be an int >= 0"),
     (lambda: snn.BatchNorm2d(0), "BatchNorm2d: num_features must be an int >= 1, got 0"),
     (lambda: snn.BatchNorm1d(3.0), "BatchNorm1d: num_features must be an int >= 1, got 3.0")],
)  # fmt: skip
def test_a_layer_with_an_impossible_size_says_what_is_wrong(make, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("kernel_size", [(3,), (1, 2, 3), "3", (3, 2.0)], ids=repr)
def test_a_kernel_size_is_an_int_or_a_pair_of_ints(kernel_size) -> None:
    with pytest.raises(ValueError, match="kernel_size must be an int >= 1 or a pair of them"):
        snn.Conv2d(1, 1, kernel_size)


@pytest.mark.parametrize(
    ("value", "least", "expected"),
    [(3, 1, (3, 3)), ((2, 5), 1, (2, 5)), ([1, 4], 1, (1, 4)), (np.int64(2), 1, (2, 2)),
     (0, 0, (0, 0))],
    ids=repr,
)  # fmt: skip
def test_as_pair_gives_height_and_width_as_ints(value, least: int, expected: tuple) -> None:
    pair = F.as_pair(value, "padding", least)
    assert pair == expected and all(type(n) is int for n in pair)


@pytest.mark.parametrize("bad", [0, (2, 0), (1, 2, 3), True, (2, 1.5), "2"], ids=repr)
def test_as_pair_refuses_with_the_arguments_name(bad) -> None:
    with pytest.raises(ValueError, match=r"^stride must be an int >= 1 or a pair of them, got"):
        F.as_pair(bad, "stride", 1)


def test_conv2d_keeps_its_sizes_as_pairs_as_torch_does() -> None:
    ours = snn.Conv2d(1, 2, 3, stride=2, padding=(1, 0))
    theirs = torch.nn.Conv2d(1, 2, 3, stride=2, padding=(1, 0))
    for name in ("kernel_size", "stride", "padding"):
        assert getattr(ours, name) == getattr(theirs, name), name


# --- every message in full, and every default by behaviour ----------------------------------------
_ONES_3X3 = Tensor(np.ones((1, 1, 3, 3)))


@pytest.mark.parametrize(
    ("make", "message"),
    [(lambda: snn.Linear(2, 2.5), "Linear: out_features must be an int >= 1, got 2.5"),
     (lambda: snn.Conv2d(1, -2, 3), "Conv2d: out_channels must be an int >= 1, got -2"),
     (lambda: snn.Conv2d(1, 2, (3, 0)),
      "Conv2d: kernel_size must be an int >= 1 or a pair of them, got (3, 0)"),
     (lambda: snn.Conv2d(1, 2, 3, stride=0),
      "Conv2d: stride must be an int >= 1 or a pair of them, got 0"),
     (lambda: snn.Conv2d(1, 2, 3, padding=-1),
      "Conv2d: padding must be an int >= 0 or a pair of them, got -1"),
     (lambda: snn.Sequential(snn.ReLU(), torch.nn.ReLU()),
      "Sequential takes Modules, got ReLU"),
     (lambda: snn.Module()(1), "Module does not define forward"),
     (lambda: snn.BatchNorm2d(3)(Tensor(np.ones((2, 3, 4)))),
      "BatchNorm2d: expected a (N, C, H, W) input, got shape (2, 3, 4)"),
     (lambda: snn.BatchNorm1d(3)(Tensor(np.ones((2, 4)))),
      "BatchNorm1d: input of shape (2, 4) has 4 channels, expected 3"),
     (lambda: F.batch_norm(Tensor(np.ones(3)), None, None),
      "batch_norm: expected an (N, C, ...) input, got shape (3,)"),
     (lambda: F.conv2d(Tensor(np.ones((1, 5, 5))), Tensor(np.ones((1, 1, 3, 3)))),
      "conv2d: expected a (N, C, H, W) input, got shape (1, 5, 5)"),
     (lambda: F.conv2d(Tensor(np.ones((1, 1, 2, 5))), _ONES_3X3, padding=(0, 1)),
      "conv2d: padded input (2, 7) is smaller than the kernel (3, 3) (input shape (1, 1, 2, 5), "
      "weight shape (1, 1, 3, 3))"),
     (lambda: F.conv2d(Tensor(np.ones((1, 1, 5, 1))), _ONES_3X3, padding=(1, 0)),
      "conv2d: padded input (7, 1) is smaller than the kernel (3, 3) (input shape (1, 1, 5, 1), "
      "weight shape (1, 1, 3, 3))"),
     (lambda: F.conv2d(Tensor(np.ones((1, 1, 5, 5))), Tensor(np.ones((1, 1, 3, 3))), stride=0),
      "stride must be an int >= 1 or a pair of them, got 0"),
     (lambda: F.conv2d(Tensor(np.ones((1, 1, 5, 5))), Tensor(np.ones((1, 1, 3, 3))), padding=-1),
      "padding must be an int >= 0 or a pair of them, got -1"),
     (lambda: F.max_pool2d(Tensor(np.ones((5, 5))), 2),
      "max_pool2d: expected a (N, C, H, W) input, got shape (5, 5)"),
     (lambda: F.max_pool2d(Tensor(np.ones((1, 1, 5, 5))), 0),
      "kernel_size must be an int >= 1 or a pair of them, got 0"),
     (lambda: F.max_pool2d(Tensor(np.ones((1, 1, 5, 5))), 2, stride=(1, 0)),
      "stride must be an int >= 1 or a pair of them, got (1, 0)"),
     (lambda: F.max_pool2d(Tensor(np.ones((1, 1, 5, 1))), 2),
      "max_pool2d: input of shape (1, 1, 5, 1) is smaller than the kernel (2, 2)"),
     (lambda: F.cross_entropy(Tensor(np.ones((2, 3))), np.array([0.0, 1.0])),
      "cross_entropy: targets must be class indices, got dtype float64"),
     (lambda: F.cross_entropy(Tensor(np.ones((2, 3))), np.array([0, 1]), "average"),
      "cross_entropy: unknown reduction 'average'"),
     (lambda: F.mse_loss(Tensor(np.ones(2)), np.ones(2), "average"),
      "mse_loss: unknown reduction 'average'"),
     (lambda: F.mse_loss(Tensor(np.ones(2)), np.ones(3)),
      "mse_loss: input of shape (2,) and target of shape (3,) differ")],
)  # fmt: skip
def test_errors_are_named_in_full(make, message: str) -> None:
    with pytest.raises((ValueError, TypeError, NotImplementedError)) as error:
        make()
    assert str(error.value) == message


def test_a_convolution_as_large_as_its_padded_input_has_one_output() -> None:
    w = Tensor(np.ones((1, 1, 3, 3)))
    assert F.conv2d(Tensor(np.ones((1, 1, 3, 3))), w).shape == (1, 1, 1, 1)
    assert F.conv2d(Tensor(np.ones((1, 1, 1, 2))), w, padding=1).shape == (1, 1, 1, 2)
    assert F.max_pool2d(Tensor(np.ones((1, 1, 2, 3))), (2, 3)).shape == (1, 1, 1, 1)


def test_functional_defaults_are_torchs() -> None:
    x = random_array((2, 3, 5, 4), 50)
    compare(lambda t: F.leaky_relu(t), lambda t: TF.leaky_relu(t), x)
    compare(lambda t: F.elu(t), lambda t: TF.elu(t), x)
    compare(lambda t: F.flatten(t), lambda t: torch.flatten(t, 1), x)
    w = random_array((2, 3, 3, 3), 51)
    compare(lambda t: F.conv2d(t, Tensor(w)), lambda t: TF.conv2d(t, torch.from_numpy(w)), x)
    half = x * 0.5
    compare(lambda t: F.mse_loss(t, half), lambda t: TF.mse_loss(t, torch.from_numpy(half)), x)
    assert snn.LeakyReLU().negative_slope == 0.01 and snn.ELU().alpha == 1.0
    assert snn.CrossEntropyLoss().reduction == "mean" == snn.MSELoss().reduction


def test_batch_norm_defaults_to_evaluation_with_torchs_momentum_and_eps() -> None:
    x = random_array((4, 3), 52) * 2 + 1
    mean, var = np.array([0.5, -0.5, 1.0]), np.array([2.0, 0.5, 1.0])
    compare(
        lambda t: F.batch_norm(t, mean, var),
        lambda t: TF.batch_norm(t, torch.from_numpy(mean), torch.from_numpy(var)),
        x,
    )  # no weight, no bias, evaluation: (x - mean) / sqrt(var + 1e-5)
    rm, rv = np.zeros(3), np.ones(3)
    F.batch_norm(Tensor(x), rm, rv, training=True)
    trm, trv = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    TF.batch_norm(torch.from_numpy(x), trm, trv, training=True)
    np.testing.assert_allclose(rm, trm.numpy(), rtol=1e-12)
    np.testing.assert_allclose(rv, trv.numpy(), rtol=1e-12)


@pytest.mark.parametrize(("weight", "bias"), [(True, False), (False, True)])
def test_batch_norm_with_only_a_weight_or_only_a_bias(weight: bool, bias: bool) -> None:
    x = random_array((5, 3), 53) * 2 + 1
    w = Tensor(np.array([0.5, 2.0, -1.0]), requires_grad=True) if weight else None
    b = Tensor(np.array([0.1, 0.0, -0.3]), requires_grad=True) if bias else None
    tw = torch.tensor([0.5, 2.0, -1.0], dtype=torch.float64, requires_grad=True) if weight else None
    tb_ = torch.tensor([0.1, 0.0, -0.3], dtype=torch.float64, requires_grad=True) if bias else None
    compare(
        lambda t: F.batch_norm(t, None, None, w, b, training=True),
        lambda t: TF.batch_norm(t, None, None, tw, tb_, training=True),
        x,
    )
    for ours, theirs in ((w, tw), (b, tb_)):
        if ours is not None:
            np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-10)


def test_batch_norm_trains_on_two_values_per_channel() -> None:
    compare(snn.BatchNorm1d(2, dtype=np.float64), torch.nn.BatchNorm1d(2), random_array((2, 2)))


def test_batch_norm_layers_hold_their_dtype_and_pass_their_eps() -> None:
    layer = snn.BatchNorm2d(3, eps=0.5, momentum=0.3, dtype=np.float64)
    for array in (layer.weight.data, layer.bias.data, layer.running_mean, layer.running_var):
        assert array.dtype == np.float64
    compare(layer, torch.nn.BatchNorm2d(3, eps=0.5, momentum=0.3), random_array((2, 3, 2, 2), 54))
    assert repr(layer) == "BatchNorm2d(3, eps=0.5, momentum=0.3)"


@pytest.mark.parametrize(
    ("layer", "x_shape", "w_shape"),
    [(lambda x, w, b: F.linear(x, w, b), (3, 2), (2, 2)),
     (lambda x, w, b: F.conv2d(x, w, b), (3, 2, 1, 1), (2, 2, 1, 1)),
     (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), (3, 2), (2,))],
    ids=["linear", "conv2d", "batch_norm"],
)  # fmt: skip
def test_a_layer_is_differentiated_for_each_parameter_alone(layer, x_shape, w_shape) -> None:
    """The weight's gradient when only the weight needs one, and the bias's likewise."""
    x = random_array(x_shape, 55)
    for trained in ("weight", "bias"):
        w = Tensor(random_array(w_shape, 56), requires_grad=trained == "weight")
        b = Tensor(np.array([0.1, -0.2]), requires_grad=trained == "bias")
        layer(Tensor(x), w, b).sum().backward()
        assert (w.grad is not None, b.grad is not None) == (trained == "weight", trained == "bias")


def test_parameter_repr_and_module_calls_with_keywords() -> None:
    p = snn.Parameter(np.array([1.0], dtype=np.float32))
    assert repr(p) == "Parameter containing:\nTensor([1.], requires_grad=True)"
    loss = snn.CrossEntropyLoss()(logits=Tensor(np.zeros((1, 2))), target=np.array([1]))
    assert loss.item() == pytest.approx(np.log(2))


def test_eval_switches_training_off_exactly() -> None:
    model = snn.Sequential(snn.Linear(2, 2), snn.BatchNorm1d(2))
    assert model.eval() is model
    assert [m.training for m in model.modules()] == [False, False, False]
    assert list(model) == list(model.layers) and len(model) == 2 and model[1] is model.layers[1]


def test_repr_of_nested_models_indents_each_level() -> None:
    inner = snn.Sequential(snn.Linear(1, 1), snn.Sequential(snn.Tanh()))
    assert repr(snn.Sequential(inner, snn.MaxPool2d(2))) == (
        "Sequential(\n"
        "  (0): Sequential(\n"
        "    (0): Linear(in_features=1, out_features=1, bias=True)\n"
        "    (1): Sequential(\n"
        "      (0): Tanh()\n"
        "    )\n"
        "  )\n"
        "  (1): MaxPool2d(kernel_size=2, stride=2)\n"
        ")"
    )
    assert repr(snn.MaxPool2d(3, 1)) == "MaxPool2d(kernel_size=3, stride=1)"
    assert repr(snn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(snn.ELU(0.5)) == "ELU(alpha=0.5)"


def test_flatten_layer_passes_both_ends() -> None:
    compare(snn.Flatten(0, 1), torch.nn.Flatten(0, 1), random_array((2, 3, 4), 56))


@pytest.mark.parametrize("penalty", [snn.l1_penalty, snn.l2_penalty])
def test_a_penalty_of_no_parameters_is_zero(penalty) -> None:
    zero = penalty([])
    assert isinstance(zero, Tensor) and zero.item() == 0.0 and zero.shape == ()


def test_layers_in_float64_hold_float64_biases() -> None:
    for layer in (snn.Linear(2, 3, dtype=np.float64), snn.Conv2d(1, 2, 3, dtype=np.float64)):
        assert layer.bias.dtype == np.float64


@pytest.mark.parametrize(("x", "slope"), [(0.0, 0.1), (0.0, 2.0)])
def test_leaky_relu_and_elu_at_zero_as_torch(x: float, slope: float) -> None:
    """At 0 both take their negative side's slope, as torch does."""
    a = np.array([x, -1.0, 1.0])
    compare(lambda t: F.leaky_relu(t, slope), lambda t: TF.leaky_relu(t, slope), a)
    compare(lambda t: F.elu(t, slope), lambda t: TF.elu(t, slope), a)


def test_activations_keep_float32() -> None:
    x = Tensor(np.array([-1.0, 0.5], dtype=np.float32), requires_grad=True)
    for f in (F.leaky_relu, F.elu):
        out = f(x)
        out.sum().backward()
        assert out.dtype == np.float32 and x.grad.dtype == np.float32


@pytest.mark.parametrize(
    "layer",
    [lambda t: F.conv2d(t, Tensor(np.ones((2, 1, 3, 3), np.float32)), padding=1),
     lambda t: F.max_pool2d(t, 2)],
    ids=["conv2d", "max_pool2d"],
)  # fmt: skip
def test_image_layers_hand_back_float32_gradients(layer) -> None:
    seen: list[np.dtype] = []
    x = Tensor(np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4), requires_grad=True)
    watched = record(x.data, (x,), lambda g: (seen.append(g.dtype), x.accumulate_grad(g)))
    out = layer(watched)
    out.backward(np.ones(out.shape))
    assert seen == [np.float32]


def test_mse_loss_of_a_tensor_target_differentiates_both_and_takes_lists() -> None:
    a, b = random_array((2, 3), 57), random_array((2, 3), 58)
    compare(lambda x, y: F.mse_loss(x, y), lambda x, y: TF.mse_loss(x, y), a, b)
    compare(
        lambda x: F.mse_loss(x, b.tolist(), "none"),
        lambda x: TF.mse_loss(x, torch.from_numpy(b), reduction="none"),
        a,
    )


def test_a_convolution_with_no_output_column_is_refused() -> None:
    with pytest.raises(ValueError, match=r"padded input \(3, 2\) is smaller than the kernel"):
        F.conv2d(Tensor(np.ones((1, 1, 3, 2))), Tensor(np.ones((1, 1, 3, 3))))
    with pytest.raises(ValueError, match=r"padded input \(2, 3\) is smaller than the kernel"):
        F.conv2d(Tensor(np.ones((1, 1, 2, 3))), Tensor(np.ones((1, 1, 3, 3))))


def test_batch_norm_without_weight_keeps_float32() -> None:
    x = Tensor(np.arange(6, dtype=np.float32).reshape(3, 2), requires_grad=True)
    out = F.batch_norm(x, None, None, training=True)
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32


def test_layers_are_float32_by_default() -> None:
    bn = snn.BatchNorm1d(3)
    arrays = [bn.weight.data, bn.bias.data, bn.running_mean, bn.running_var]
    arrays += [p.data for p in snn.Linear(2, 3).parameters()]
    arrays += [p.data for p in snn.Conv2d(1, 2, 3).parameters()]
    assert [a.dtype for a in arrays] == [np.float32] * len(arrays)
