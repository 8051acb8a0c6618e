"""Property-based checks of the scratch engines against torch, in float64.

The other ``test_scratch_*`` files try the cases a reader is likely to meet; here
`hypothesis` draws the cases nobody thought of: shapes (0-d included) and how they
broadcast, axes (negative, out of range), dtypes, a constant on either side, and chains of
operations. Each example is checked against torch for the forward value and for every
gradient (``_compare.compare``: a random upstream gradient, so every entry of the
vector-Jacobian product counts). The number of examples per test comes from the profile
in ``conftest.py``, small enough for ``make test``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from _compare import compare
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from torchbook.scratch import Tensor, Value

FINITE = st.floats(-2.0, 2.0, allow_nan=False, width=64)
AWAY_FROM_ZERO = st.floats(0.5, 2.0, width=64).flatmap(lambda x: st.sampled_from([x, -x]))
POSITIVE = st.floats(0.5, 2.0, width=64)
SHAPES = {"max_dims": 4, "max_side": 3}


def arrays(shape: tuple[int, ...], elements: st.SearchStrategy[float] = FINITE) -> Any:
    return hnp.arrays(np.float64, shape, elements=elements)


# --- binary operators: every shape pair that broadcasts ----------------------------------------
BINARY: dict[str, tuple[Callable[[Any, Any], Any], st.SearchStrategy, st.SearchStrategy]] = {
    # operator: (the function, its left operand's values, its right operand's values)
    "+": (lambda a, b: a + b, FINITE, FINITE),
    "-": (lambda a, b: a - b, FINITE, FINITE),
    "*": (lambda a, b: a * b, FINITE, FINITE),
    "/": (lambda a, b: a / b, FINITE, AWAY_FROM_ZERO),
    "**": (lambda a, b: a**b, POSITIVE, FINITE),
}


@pytest.mark.parametrize("op", sorted(BINARY))
@given(data=st.data())
def test_two_tensors_broadcast_as_in_torch(data: st.DataObject, op: str) -> None:
    f, left, right = BINARY[op]
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, **SHAPES))
    a = data.draw(arrays(shapes.input_shapes[0], left))
    b = data.draw(arrays(shapes.input_shapes[1], right))
    compare(f, f, a, b)


@pytest.mark.parametrize("tensor_on_the_left", [True, False], ids=["tensor-left", "tensor-right"])
@pytest.mark.parametrize("op", sorted(BINARY))
@given(data=st.data(), kind=st.sampled_from(["ndarray", "list", "number"]))
def test_a_constant_on_either_side_broadcasts_and_sums_the_gradient_back(
    data: st.DataObject, op: str, kind: str, tensor_on_the_left: bool
) -> None:
    """Tensor (+ - * / **) constant and constant (+ - * / **) tensor, the constant an
    ndarray, a nested list or a Python float: the value is torch's and the tensor's
    gradient comes back in the tensor's own shape, summed over the broadcast axes."""
    f, left, right = BINARY[op]
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, **SHAPES))
    shape_t, shape_c = shapes.input_shapes
    if kind == "number":
        shape_c = ()
    x = data.draw(arrays(shape_t, left if tensor_on_the_left else right))
    constant = data.draw(arrays(shape_c, right if tensor_on_the_left else left))
    if kind == "ndarray":
        ours_c, theirs_c = constant, torch.from_numpy(constant)
    elif kind == "list" and constant.ndim:  # floats in a list are float32, in both frameworks
        ours_c = constant.tolist()
        theirs_c = torch.tensor(ours_c)
    else:  # a Python float takes the tensor's dtype, in both
        ours_c = theirs_c = float(constant)
    if tensor_on_the_left:
        ours, theirs = (lambda t: f(t, ours_c)), (lambda t: f(t, theirs_c))
    else:
        ours, theirs = (lambda t: f(ours_c, t)), (lambda t: f(theirs_c, t))
    result, expected = ours(Tensor(x)), theirs(torch.from_numpy(x))
    assert isinstance(result, Tensor) and result.dtype == expected.numpy().dtype
    tolerance = 1e-6 if result.dtype == np.float64 else 1e-5  # a float32 list on a 0-d tensor
    compare(ours, theirs, x, rtol=tolerance, atol=tolerance)


@given(data=st.data())
def test_matrix_products_of_every_rank_as_in_torch(data: st.DataObject) -> None:
    """1-D operands (a row on the left, a column on the right) and batches that broadcast."""
    shapes = data.draw(hnp.mutually_broadcastable_shapes(signature=np.matmul.signature, **SHAPES))
    a, b = (data.draw(arrays(shape)) for shape in shapes.input_shapes)
    matmul = lambda x, y: x @ y  # noqa: E731
    compare(matmul, matmul, a, b)
    constant = b.copy()  # and a constant array on the right, then on the left
    compare(lambda t: t @ constant, lambda t: t @ torch.from_numpy(constant), a)
    compare(lambda t: a.copy() @ t, lambda t: torch.from_numpy(a.copy()) @ t, b)


# --- reductions over any axes -----------------------------------------------------------------
REDUCTIONS = {"sum": "sum", "mean": "mean", "max": "amax", "min": "amin"}


@st.composite
def shape_and_axes(draw: st.DrawFn) -> tuple[tuple[int, ...], Any]:
    """A shape (0-d included) and None, one axis or a tuple of distinct axes, each drawn
    as a non-negative or a negative index."""
    shape = draw(hnp.array_shapes(min_dims=0, **SHAPES))
    n = max(len(shape), 1)  # a 0-d tensor takes axis 0 and -1
    form = draw(st.sampled_from(["none", "int", "tuple"]))
    if form == "none":
        return shape, None
    chosen = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    signed = [a - n if draw(st.booleans()) else a for a in chosen]
    return shape, signed[0] if form == "int" else tuple(signed)


@given(data=st.data(), name=st.sampled_from(sorted(REDUCTIONS)), keepdims=st.booleans())
def test_reductions_over_any_axes_as_in_torch(data: st.DataObject, name: str, keepdims) -> None:
    """Values drawn from a few numbers, so that ties are common: max and min share a tied
    gradient equally, as torch's amax and amin do."""
    shape, axis = data.draw(shape_and_axes())
    x = data.draw(arrays(shape, st.sampled_from([-1.0, 0.0, 0.5, 2.0]) | FINITE))
    torch_name = REDUCTIONS[name]

    def theirs(t: torch.Tensor) -> torch.Tensor:
        if axis is None:
            dims = tuple(range(t.ndim))
            return getattr(t, torch_name)(dim=dims, keepdim=keepdims) if t.ndim else t * 1
        return getattr(t, torch_name)(dim=axis, keepdim=keepdims)

    compare(lambda t: getattr(t, name)(axis=axis, keepdims=keepdims), theirs, x)


@given(
    shape=hnp.array_shapes(min_dims=0, **SHAPES),
    name=st.sampled_from(sorted(REDUCTIONS)),
    offset=st.integers(0, 3),
    negative=st.booleans(),
    as_tuple=st.booleans(),
)
def test_an_axis_out_of_range_is_refused_with_torchs_message(
    shape: tuple[int, ...], name: str, offset: int, negative: bool, as_tuple: bool
) -> None:
    n = max(len(shape), 1)
    axis = -n - 1 - offset if negative else n + offset
    dims: Any = (axis,) if as_tuple else axis
    x = np.zeros(shape)
    with pytest.raises(IndexError) as theirs:
        getattr(torch.from_numpy(x), REDUCTIONS[name])(dim=dims)
    with pytest.raises(IndexError) as ours:
        getattr(Tensor(x), name)(axis=dims)
    assert str(ours.value) == str(theirs.value)


# --- shapes: reshape, transpose, flatten, slicing -----------------------------------------------
@given(data=st.data())
def test_shape_operations_as_in_torch(data: st.DataObject) -> None:
    shape = data.draw(hnp.array_shapes(min_dims=1, **SHAPES))
    x = data.draw(arrays(shape))
    n = len(shape)
    order = tuple(data.draw(st.permutations(range(n))))
    signed = tuple(a - n if data.draw(st.booleans()) else a for a in order)
    compare(lambda t: t.transpose(*signed) * 1.0, lambda t: t.permute(*signed) * 1.0, x)
    start, end = sorted(data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2)))
    start -= n * data.draw(st.booleans())
    compare(lambda t: t.flatten(start, end), lambda t: t.flatten(start, end), x)
    new_shape = data.draw(st.permutations(shape))
    wildcard = data.draw(st.integers(0, n - 1))
    new_shape = tuple(-1 if i == wildcard else s for i, s in enumerate(new_shape))
    compare(lambda t: t.reshape(*new_shape), lambda t: t.reshape(*new_shape), x)
    index = tuple(
        data.draw(
            st.one_of(st.integers(-side, side - 1), st.slices(side).filter(lambda s: s.step != 0))
        )
        for side in shape
    )
    torch_index = tuple(
        slice(*s.indices(side)) if isinstance(s, slice) else s
        for s, side in zip(index, shape, strict=True)
    )
    assume(all(not isinstance(s, slice) or s.step > 0 for s in torch_index))  # torch: no flips
    compare(lambda t: t[index] * 1.0, lambda t: t[torch_index] * 1.0, x)


# --- dtypes: torch's promotion, with broadcasting and Python numbers ------------------------------
DTYPES = [np.bool_, np.uint8, np.int32, np.int64, np.float16, np.float32, np.float64]


@given(
    data=st.data(),
    dtypes=st.tuples(st.sampled_from(DTYPES), st.sampled_from(DTYPES)),
    op=st.sampled_from(["+", "-", "*", "/"]),
)
def test_result_dtypes_and_values_follow_torch(data: st.DataObject, dtypes, op: str) -> None:
    """Two arrays of any dtypes and broadcastable shapes (0-d ones do not widen the other),
    or an array and a Python int, float or bool: torch's result dtype and values."""
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))

    def values(dtype: type) -> st.SearchStrategy:  # non-zero: each may be a divisor
        return st.just(True) if dtype is np.bool_ else st.integers(1, 4)

    a = data.draw(hnp.arrays(dtypes[0], shapes.input_shapes[0], elements=values(dtypes[0])))
    b = data.draw(hnp.arrays(dtypes[1], shapes.input_shapes[1], elements=values(dtypes[1])))
    if np.bool_ in dtypes and op == "-":  # torch refuses bool subtraction; so may we
        return
    f = BINARY[op][0]
    expected = f(torch.from_numpy(a), torch.from_numpy(b)).numpy()
    got = f(Tensor(a), Tensor(b))
    assert got.dtype == expected.dtype
    np.testing.assert_allclose(got.data, expected, rtol=1e-3)
    number = data.draw(st.sampled_from([3, 2.5, True]))
    if isinstance(number, bool) and (a.dtype == np.bool_ or op == "-"):
        return
    for swap in (False, True):
        g = (lambda x, c: f(c, x)) if swap else f
        expected = g(torch.from_numpy(a), number).numpy()
        got = g(Tensor(a), number)
        assert got.dtype == expected.dtype, (number, swap)
        np.testing.assert_allclose(got.data, expected, rtol=1e-3)


# --- chains of operations ----------------------------------------------------------------------
# Each step is (name, how many operands); every one is safe for any finite input, so a
# chain never overflows (exp only after tanh, log and sqrt only of 1 + x^2, division only
# by 1 + x^2), and the same lambda runs on our Tensor and on torch's.
UNARY_STEPS: dict[str, Callable[[Any], Any]] = {
    "neg": lambda t: -t,
    "tanh": lambda t: t.tanh(),
    "sigmoid": lambda t: t.sigmoid(),
    "relu": lambda t: t.relu(),
    "abs": lambda t: t.abs(),
    "exp(tanh)": lambda t: t.tanh().exp(),
    "log(1+x^2)": lambda t: (t * t + 1.0).log(),
    "sqrt(1+x^2)": lambda t: (1.0 + t * t).sqrt(),
    "square": lambda t: t**2,
    "2x-1": lambda t: 2.0 * t - 1.0,
    "1/(1+x^2)": lambda t: 1.0 / (t * t + 1.0),
}
BINARY_STEPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/(1+b^2)": lambda a, b: a / (b * b + 1.0),
}


@st.composite
def programs(draw: st.DrawFn, leaves: int) -> list[tuple[str, tuple[int, ...]]]:
    """Up to four steps, each applied to earlier values (leaves first, then step results)."""
    steps = []
    for k in range(draw(st.integers(1, 4))):
        available = leaves + k
        if draw(st.booleans()):
            name = draw(st.sampled_from(sorted(UNARY_STEPS)))
            steps.append((name, (draw(st.integers(0, available - 1)),)))
        else:
            name = draw(st.sampled_from(sorted(BINARY_STEPS)))
            operands = draw(st.tuples(*[st.integers(0, available - 1)] * 2))
            steps.append((name, operands))
    return steps


def _run(program: list[tuple[str, tuple[int, ...]]], values: list[Any]) -> Any:
    values = list(values)
    for name, operands in program:
        step = UNARY_STEPS.get(name) or BINARY_STEPS[name]
        values.append(step(*(values[i] for i in operands)))
    return values[-1]


@given(data=st.data(), leaves=st.integers(1, 3))
def test_chains_of_operations_as_in_torch(data: st.DataObject, leaves: int) -> None:
    """Tensors of shapes that broadcast together, combined by a drawn program, then
    reduced: each leaf's gradient sums every path through the chain, as torch's does."""
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=leaves, **SHAPES))
    inputs = [data.draw(arrays(shape)) for shape in shapes.input_shapes]
    program = data.draw(programs(leaves))
    reduce = data.draw(st.sampled_from(["none", "sum", "mean", "max"]))

    def ours(*ts: Any) -> Any:
        out = _run(program, ts)
        return out if reduce == "none" else getattr(out, reduce)()

    def theirs(*ts: torch.Tensor) -> torch.Tensor:
        out = _run(program, ts)
        if reduce == "max":  # our max shares a tie's gradient, as amax over every axis does
            return out.amax(dim=tuple(range(out.ndim))) if out.ndim else out * 1
        return out if reduce == "none" else getattr(out, reduce)()

    compare(ours, theirs, *inputs)


@given(data=st.data(), leaves=st.integers(1, 3))
def test_chains_of_scalar_values_as_in_torch(data: st.DataObject, leaves: int) -> None:
    """The scalar engine ``Value`` through the same programs (but ``abs`` and ``sqrt``:
    ``Value`` has neither) gives torch's value and gradients."""
    inputs = [data.draw(FINITE) for _ in range(leaves)]
    has_them = {"abs", "sqrt(1+x^2)"}
    program = data.draw(programs(leaves).filter(lambda p: not has_them & {n for n, _ in p}))

    def run(*values: Any) -> Any:
        return _run(program, values) * 1.0  # never the leaf itself, for backward

    compare(run, run, *inputs, leaf=Value)


@given(x=FINITE, exponent=st.sampled_from([-2.0, -1.0, 0.5, 2.0, 3.0]))
def test_a_scalar_value_to_a_power_as_in_torch(x: float, exponent: float) -> None:
    assume(abs(x) > 0.1 if exponent < 0 else True)
    assume(x > 0 if not float(exponent).is_integer() else True)
    compare(lambda v: v**exponent, lambda t: t**exponent, x, leaf=Value)
    assert math.isfinite((Value(x) ** exponent).data)
