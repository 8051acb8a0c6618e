"""torchbook.scratch.optim: the same trajectory as torch.optim, step for step, in float64."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
import torch

from torchbook.scratch import optim

STEPS = 25
CASES = [
    ("SGD", {"lr": 0.05}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.02, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.05}),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.5}),
    ("RMSprop", {"lr": 0.005, "centered": True, "weight_decay": 0.1}),
    ("Adam", {}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.99), "weight_decay": 0.01}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
]


def _loss(w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """A non-quadratic loss, so that every optimizer's state matters."""
    x = torch.linspace(-1, 1, 7, dtype=torch.float64)
    return ((torch.tanh(x[:, None] * w).sum(1) + b - x**2) ** 2).mean() + 0.1 * (w**4).sum()


def _params() -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    w = torch.randn(3, generator=g, dtype=torch.float64).requires_grad_()
    b = torch.randn((), generator=g, dtype=torch.float64).requires_grad_()
    return [w, b]


def _run(make, params: list[torch.Tensor]) -> list[list[torch.Tensor]]:
    opt = make(params)
    trajectory = []
    for _ in range(STEPS):
        opt.zero_grad()
        _loss(*params).backward()
        opt.step()
        trajectory.append([p.detach().clone() for p in params])
    return trajectory


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_trajectory_equals_torch_optim(name: str, kwargs: dict) -> None:
    ours = _run(lambda ps: getattr(optim, name)(ps, **kwargs), _params())
    theirs = _run(lambda ps: getattr(torch.optim, name)(ps, **kwargs), _params())
    for step, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        for p, q in zip(a, b, strict=True):
            torch.testing.assert_close(p, q, rtol=1e-6, atol=1e-9, msg=f"{name} step {step}")
    assert not torch.equal(ours[-1][0], _params()[0])  # it really moved


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adam"])
def test_defaults_match_torch(name: str) -> None:
    import inspect

    ours = inspect.signature(getattr(optim, name)).parameters
    theirs = inspect.signature(getattr(torch.optim, name)).parameters
    for key, parameter in ours.items():
        if key == "params":
            continue
        expected = theirs[key].default
        assert parameter.default == expected, f"{name}({key}=...) default differs from torch"


@dataclass
class NumpyParameter:
    """What the NumPy framework's parameters look like to an optimizer."""

    data: np.ndarray
    grad: np.ndarray | None = None


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adam"])
def test_numpy_parameters_follow_the_same_trajectory(name: str) -> None:
    rng = np.random.default_rng(1)
    A, target = rng.normal(size=(5, 3)), rng.normal(size=5)
    start = rng.normal(size=3)
    kwargs = {"lr": 0.05, "momentum": 0.9} if name == "SGD" else {"lr": 0.05}
    p = NumpyParameter(start.copy())
    t = torch.tensor(start, requires_grad=True)
    ours, theirs = getattr(optim, name)([p], **kwargs), getattr(torch.optim, name)([t], **kwargs)
    for _ in range(STEPS):
        p.grad = A.T @ (A @ p.data - target)  # gradient of ½‖Ax − b‖²
        ours.step()
        theirs.zero_grad()
        (0.5 * ((torch.from_numpy(A) @ t - torch.from_numpy(target)) ** 2).sum()).backward()
        theirs.step()
    np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-6, atol=1e-9)


def test_parameters_without_gradient_are_left_alone() -> None:
    w, b = _params()
    before = b.detach().clone()
    opt = optim.Adam([w, b], lr=0.1)
    (w**2).sum().backward()
    opt.step()
    assert b.grad is None and torch.equal(b.detach(), before)


def test_zero_grad_sets_gradients_to_none() -> None:
    w, b = _params()
    opt = optim.SGD([w, b], lr=0.1)
    _loss(w, b).backward()
    opt.zero_grad()
    assert w.grad is None and b.grad is None


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda ps: optim.SGD(ps, lr=-1.0), "learning rate"),
        (lambda ps: optim.SGD(ps, lr=0.1, nesterov=True), "Nesterov"),
        (lambda ps: optim.Adam(ps, betas=(1.0, 0.999)), "beta at index 0"),
        (lambda ps: optim.RMSprop(ps, momentum=-0.5), "momentum"),
        (lambda ps: optim.SGD([], lr=0.1), "empty parameter list"),
    ],
)
def test_bad_hyper_parameters_are_named(make, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make(_params())


def test_the_engine_imports_no_torch() -> None:
    """scratch/ is PyTorch rebuilt in NumPy: torch belongs in the tests and chapters only."""
    import ast
    from pathlib import Path

    import torchbook.scratch

    for path in Path(torchbook.scratch.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] == "torch" for n in names), f"{path.name}: {names}"


@pytest.mark.parametrize(
    ("make", "message"),
    [(lambda ps: optim.SGD(ps, lr=-1.0), "invalid learning rate: -1.0 (must be >= 0.0)"),
     (lambda ps: optim.SGD(ps, weight_decay=-0.1), "invalid weight_decay: -0.1 (must be >= 0.0)"),
     (lambda ps: optim.SGD(ps, momentum=-0.5), "invalid momentum: -0.5 (must be >= 0.0)"),
     (lambda ps: optim.SGD(ps, nesterov=True),
      "Nesterov momentum requires a momentum and zero dampening"),
     (lambda ps: optim.SGD(ps, momentum=0.9, dampening=0.1, nesterov=True),
      "Nesterov momentum requires a momentum and zero dampening"),
     (lambda ps: optim.Adagrad(ps, lr_decay=-1.0), "invalid lr_decay: -1.0 (must be >= 0.0)"),
     (lambda ps: optim.Adagrad(ps, initial_accumulator_value=-1.0),
      "invalid initial_accumulator_value: -1.0 (must be >= 0.0)"),
     (lambda ps: optim.RMSprop(ps, alpha=-0.1), "invalid alpha: -0.1 (must be >= 0.0)"),
     (lambda ps: optim.RMSprop(ps, momentum=-0.5), "invalid momentum: -0.5 (must be >= 0.0)"),
     (lambda ps: optim.Adam(ps, betas=(0.9, 1.0)),
      "invalid beta at index 1: 1.0 (must be in [0, 1))"),
     (lambda ps: optim.Adam(ps, betas=(-0.1, 0.9)),
      "invalid beta at index 0: -0.1 (must be in [0, 1))"),
     (lambda ps: optim.Adam([]), "optimizer got an empty parameter list"),
     (lambda ps: optim.SGD(ps, lr=float("nan")), "invalid learning rate: nan (must be >= 0.0)")],
)  # fmt: skip
def test_bad_hyper_parameters_are_named_in_full(make, message: str) -> None:
    with pytest.raises(ValueError) as error:
        make(_params())
    assert str(error.value) == message


@pytest.mark.parametrize(
    "make",
    [lambda ps: optim.SGD(ps, lr=0.1, momentum=0.0), lambda ps: optim.Adam(ps, betas=(0.0, 0.0)),
     lambda ps: optim.RMSprop(ps, alpha=0.0), lambda ps: optim.Adagrad(ps, lr=0.0)],
    ids=["momentum-0", "betas-0", "alpha-0", "lr-0"],
)  # fmt: skip
def test_the_edges_of_each_range_are_accepted(make) -> None:
    opt = make(_params())
    assert opt.params


def test_sgds_default_learning_rate_is_torchs() -> None:
    assert optim.SGD(_params()).lr == torch.optim.SGD(_params()).defaults["lr"] == 1e-3


def test_a_parameter_without_gradient_does_not_stop_the_others() -> None:
    w, b = _params()
    w_before = w.detach().clone()
    opt = optim.SGD([w, b], lr=0.1)
    b.grad = torch.ones_like(b)  # w, listed first, has none
    opt.step()
    assert torch.equal(w.detach(), w_before)
    assert b.item() == pytest.approx(_params()[1].item() - 0.1)


def test_momentum_copies_the_first_gradient() -> None:
    """The velocity starts as a copy: changing the gradient array afterwards changes nothing."""
    p = NumpyParameter(np.zeros(2), np.ones(2))
    opt = optim.SGD([p], lr=1.0, momentum=0.5)
    opt.step()
    p.grad[:] = 0.0  # in place, as a careless caller might
    opt.step()
    np.testing.assert_array_equal(p.data, [-1.5, -1.5])  # -1, then -(0.5 * 1 + 0)


def test_adagrad_and_rmsprop_divide_by_the_root_plus_eps() -> None:
    """A zero gradient on the first step: the step is 0 / (0 + eps), not 0 / (0 - eps)."""
    for make in (lambda ps: optim.Adagrad(ps, eps=1.0), lambda ps: optim.RMSprop(ps, eps=1.0)):
        p = NumpyParameter(np.zeros(2), np.array([0.0, 3.0]))
        make([p]).step()
        assert p.data[0] == 0.0 and p.data[1] < 0


def test_adagrad_divides_by_the_root_plus_eps() -> None:
    """With eps larger than the root, a minus sign would flip the step's direction."""
    p = NumpyParameter(np.zeros(1), np.array([0.5]))
    optim.Adagrad([p], lr=1.0, eps=1.0).step()
    np.testing.assert_allclose(p.data, [-0.5 / (0.5 + 1.0)])
