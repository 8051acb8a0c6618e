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
from torchbook.scratch.tensor import Tensor


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
    conv = snn.Conv2d(3, 8, 5)
    bound = 1 / np.sqrt(3 * 5 * 5)
    assert conv.weight.shape == (8, 3, 5, 5) and conv.bias.shape == (8,)
    assert np.abs(conv.weight.data).max() <= bound and np.abs(conv.bias.data).max() <= bound


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
