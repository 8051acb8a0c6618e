"""torchbook.scratch.Value: every operation's value and gradient agree with torch (float64)."""

from __future__ import annotations

import math

import pytest
import torch
from _compare import compare

from torchbook.scratch import Value

POINTS = [-2.5, -0.3, 0.7, 3.0]


# compare()'s arguments for Value: a leaf per input, equal to torch up to float64 rounding
AS_VALUES = {"leaf": Value, "rtol": 1e-12, "atol": 1e-12}


BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
}


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("a, b", [(1.5, -2.0), (-0.5, 4.0), (3.0, 0.25)])
def test_binary_operations_match_torch(name: str, a: float, b: float) -> None:
    compare(BINARY[name], BINARY[name], a, b, **AS_VALUES)


@pytest.mark.parametrize("name", BINARY)
def test_numbers_mix_on_either_side(name: str) -> None:
    op = BINARY[name]
    compare(lambda a: op(2.0, a), lambda a: op(2.0, a), 1.5, **AS_VALUES)
    compare(lambda a: op(a, 2.0), lambda a: op(a, 2.0), 1.5, **AS_VALUES)


@pytest.mark.parametrize("exponent", [2, 3, -1, 0.5, -1.5])
def test_power_with_number_exponent(exponent: float) -> None:
    compare(lambda a: a**exponent, lambda a: a**exponent, 1.7, **AS_VALUES)


def test_negation() -> None:
    compare(lambda a: -a, lambda a: -a, 1.7, **AS_VALUES)


UNARY = {
    "relu": (lambda v: v.relu(), torch.relu),
    "tanh": (lambda v: v.tanh(), torch.tanh),
    "sigmoid": (lambda v: v.sigmoid(), torch.sigmoid),
    "exp": (lambda v: v.exp(), torch.exp),
}


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("x", POINTS)
def test_unary_functions_match_torch(name: str, x: float) -> None:
    compare(*UNARY[name], x, **AS_VALUES)


@pytest.mark.parametrize("x", [0.1, 1.0, 7.5])
def test_log_matches_torch(x: float) -> None:
    compare(lambda v: v.log(), torch.log, x, **AS_VALUES)


def test_log_of_non_positive_is_an_error() -> None:
    with pytest.raises(ValueError, match="positive"):
        Value(0.0).log()


def test_sigmoid_is_stable_for_large_inputs() -> None:
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0


def _tanh(x):
    return x.tanh() if isinstance(x, Value) else torch.tanh(x)


def _sigmoid(x):
    return x.sigmoid() if isinstance(x, Value) else torch.sigmoid(x)


def test_composite_expression_matches_torch() -> None:
    def f(a, b, c):
        e = (a * b + c) ** 2 / (1 + b * b)
        return _tanh(e) * a - c / 3 + _sigmoid(a * c) * (2 - a)

    compare(f, f, 0.8, -1.3, 0.4, **AS_VALUES)


def test_reused_node_accumulates_gradient() -> None:
    x = Value(3.0)
    y = x * x + x  # x used three times: dy/dx = 2x + 1
    y.backward()
    assert x.grad == 7.0


def test_backward_twice_accumulates_on_leaves_only() -> None:
    x = Value(1.0)
    u = x * 3
    y = u * 2
    y.backward()
    y.backward()
    assert x.grad == 12.0  # torch gives 6 + 6; intermediate u must not double-count


def test_zero_grad_resets_the_graph() -> None:
    x = Value(2.0)
    y = x * x
    y.backward()
    y.zero_grad()
    assert x.grad == 0.0 and y.grad == 0.0


def test_deep_graph_does_not_hit_recursion_limit() -> None:
    x = Value(1.0)
    y = x
    for _ in range(5000):
        y = y + 0.0
    y.backward()
    assert x.grad == 1.0


def test_topological_order_puts_inputs_first() -> None:
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    order = d.topological_order()
    assert order.index(a) < order.index(c) < order.index(d)
    assert len(order) == 4


def test_value_exponent_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="plain number exponent"):
        Value(2.0) ** Value(3.0)


def test_non_number_exponent_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="plain number exponent"):
        Value(2.0) ** "3"


@pytest.mark.parametrize("bad", ["1.0", None, [1.0], True])
def test_value_holds_only_real_numbers(bad: object) -> None:
    with pytest.raises(TypeError, match="real number"):
        Value(bad)  # type: ignore[arg-type]


def test_combining_with_non_number_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="cannot combine"):
        Value(1.0) + "x"  # type: ignore[operator]


def test_repr_shows_label_data_and_grad() -> None:
    v = Value(math.pi, label="p")
    assert repr(v) == "Value(p: data=3.142, grad=0)"


def test_local_derivatives_come_from_the_nodes_own_backward_step() -> None:
    x, y = Value(3.0), Value(-2.0)
    assert (x * y).local_derivatives() == {x: -2.0, y: 3.0}
    assert (x * x).local_derivatives() == {x: 6.0}  # one entry holding both uses
    assert x.tanh().local_derivatives() == {x: pytest.approx(1 - math.tanh(3.0) ** 2)}
    assert x.local_derivatives() == {}  # a leaf has no inputs


def test_local_derivatives_leave_every_grad_as_it_was() -> None:
    x, y = Value(3.0), Value(-2.0)
    out = x * y + x
    out.backward()
    before = [v.grad for v in out.topological_order()]
    for v in out.topological_order():
        v.local_derivatives()
    assert [v.grad for v in out.topological_order()] == before


def test_each_operation_names_itself_for_the_graph_drawings() -> None:
    """``op`` is what ``torchbook.graph`` writes in a node's box."""
    x, y = Value(2.0), Value(0.5)
    ops = {
        "+": x + y, "*": x * y, "**3": x**3, "**-1": x**-1, "**0.5": x**0.5,
        "relu": x.relu(), "tanh": x.tanh(), "sigmoid": x.sigmoid(), "exp": x.exp(),
        "log": x.log(),
    }  # fmt: skip
    assert {name: v.op for name, v in ops.items()} == {name: name for name in ops}
    assert (x.op, x.label, x.parents) == ("", "", ())
    assert (x - y).op == "+" and (x / y).op == "*"  # built from + and neg, * and **-1


@pytest.mark.parametrize(
    "f",
    [lambda x: x + x, lambda x: x * x, lambda x: x**2 + x, lambda x: x.tanh() + x,
     lambda x: x + x.tanh(), lambda x: x.exp() * x.relu(), lambda x: x.sigmoid() - x],
    ids=["x+x", "x*x", "x**2+x", "tanh(x)+x", "x+tanh(x)", "exp(x)relu(x)", "sigmoid(x)-x"],
)  # fmt: skip
def test_an_input_used_twice_gets_both_gradients(f) -> None:
    """Every backward step adds to an input's gradient, whichever runs first."""
    compare(f, f, 0.8, **AS_VALUES)


def test_backward_from_a_leaf_accumulates_too() -> None:
    x = Value(2.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0  # as torch: a leaf's own gradient adds up


def test_relu_at_zero_passes_no_gradient() -> None:
    x = Value(0.0)
    x.relu().backward()
    assert x.grad == 0.0


def test_a_leafs_backward_step_does_nothing() -> None:
    x = Value(1.5)
    assert x._backward() is None and x.grad == 0.0


def test_negation_is_times_minus_one() -> None:
    x = Value(1.5, label="x")
    minus = -x
    assert minus.op == "*"
    assert [(p.data, p.op) for p in minus.parents] == [(1.5, ""), (-1.0, "")]  # two leaves


def test_topological_order_lists_a_shared_node_once() -> None:
    x = Value(1.0)
    y = x
    for _ in range(12):  # every level uses the one below twice: 2**12 paths
        y = y + y
    order = y.topological_order()
    assert len(order) == 13 and len({id(v) for v in order}) == 13
    y.backward()
    assert x.grad == 2.0**12


@pytest.mark.parametrize(
    ("make", "message"),
    [(lambda: Value("1.0"), "Value holds a real number, got str: '1.0'"),
     (lambda: Value(1.0) + "x", "cannot combine a Value with str: 'x'"),
     (lambda: Value(2.0) ** Value(3.0),
      "Value ** exponent needs a plain number exponent, got Value"),
     (lambda: Value(-1.0).log(), "log is defined for positive numbers, got -1.0")],
)  # fmt: skip
def test_errors_name_what_came(make, message: str) -> None:
    with pytest.raises((TypeError, ValueError)) as error:
        make()
    assert str(error.value) == message


def test_repr_without_a_label() -> None:
    assert repr(Value(0.5)) == "Value(data=0.5, grad=0)"
