"""torchbook.scratch.tensor: every operation's value and gradients agree with torch (float64)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _compare import compare, random_array

from torchbook.scratch import functional as F
from torchbook.scratch.tensor import Tensor, no_grad, record


def _away_from_zero(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Values with |x| in [0.5, 2]: safe denominators and logs."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


# --- binary operators with broadcasting ------------------------------------------------------
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
}
SHAPES = [((4,), (4,)), ((3, 1), (4,)), ((2, 3), (3,)), ((2, 3), ()), ((), (2, 3)),
          ((2, 1, 3), (4, 1)), ((1, 3), (2, 1)), ((3, 1), (1, 3, 4))]  # fmt: skip


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize(("shape_a", "shape_b"), SHAPES, ids=str)
def test_binary_operator_with_broadcasting(name: str, shape_a: tuple, shape_b: tuple) -> None:
    f = BINARY[name]
    compare(f, f, random_array(shape_a, 1), _away_from_zero(shape_b, 2))


SCALAR_SIDES = {
    "t+2.5": lambda t: t + 2.5,
    "2.5+t": lambda t: 2.5 + t,
    "t-1.5": lambda t: t - 1.5,
    "3-t": lambda t: 3 - t,
    "t*2": lambda t: t * 2,
    "2*t": lambda t: 2 * t,
    "t/4": lambda t: t / 4,
    "4/t": lambda t: 4 / t,
    "-t": lambda t: -t,
    "t**2": lambda t: t**2,
    "t**3": lambda t: t**3,
    "t**-1.5 (|t|)": lambda t: (t * t) ** -1.5,
    "t**0.5 (|t|)": lambda t: (t * t) ** 0.5,
}


@pytest.mark.parametrize("name", SCALAR_SIDES)
def test_operator_with_a_python_number(name: str) -> None:
    f = SCALAR_SIDES[name]
    compare(f, f, _away_from_zero((2, 3), 3))


def test_a_tensor_used_twice_accumulates_both_paths() -> None:
    f = lambda t: t * t + t  # noqa: E731
    compare(f, f, random_array((3,), 4))


def test_ndarray_on_the_left_gives_a_tensor() -> None:
    t = Tensor(np.ones(3), requires_grad=True)
    out = np.arange(3.0) * t
    assert isinstance(out, Tensor)
    out.sum().backward()
    np.testing.assert_array_equal(t.grad, [0.0, 1.0, 2.0])


# --- matmul ------------------------------------------------------------------------------------
MATMUL = [((2, 3), (3, 4)), ((3,), (3, 4)), ((2, 3), (3,)), ((3,), (3,)), ((5, 2, 3), (3, 4)),
          ((5, 2, 3), (5, 3, 4)), ((2, 3), (5, 3, 4)), ((4, 1, 2, 3), (5, 3, 2))]  # fmt: skip


@pytest.mark.parametrize(("shape_a", "shape_b"), MATMUL, ids=str)
def test_matmul(shape_a: tuple, shape_b: tuple) -> None:
    f = lambda a, b: a @ b  # noqa: E731
    compare(f, f, random_array(shape_a, 5), random_array(shape_b, 6))


def test_matmul_with_a_constant_array() -> None:
    w = random_array((3, 2), 7)
    compare(lambda a: a @ w, lambda a: a @ torch.tensor(w), random_array((4, 3), 8))


# --- reductions --------------------------------------------------------------------------------
REDUCE_ARGS = [(None, False), (0, False), (1, True), ((0, 2), False), (-1, False), ((0, 2), True)]


@pytest.mark.parametrize(("axis", "keepdims"), REDUCE_ARGS, ids=str)
@pytest.mark.parametrize("name", ["sum", "mean", "max"])
def test_reduction(name: str, axis, keepdims: bool) -> None:
    """No ties in random data, so torch's amax (gradient to the arg-max) is the reference."""
    torch_name = "amax" if name == "max" else name
    dim = () if axis is None and name == "max" else axis

    def theirs(t: torch.Tensor) -> torch.Tensor:
        if axis is None and not keepdims:
            return getattr(t, torch_name)()
        return getattr(t, torch_name)(dim=dim, keepdim=keepdims)

    compare(
        lambda t: getattr(t, name)(axis=axis, keepdims=keepdims), theirs, random_array((2, 3, 4), 9)
    )


def test_max_without_ties_matches_torch_max_along_a_dim() -> None:
    compare(lambda t: t.max(axis=1), lambda t: t.max(dim=1).values, random_array((4, 5), 10))


def test_max_ties_share_the_gradient_as_torch_amax() -> None:
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    compare(lambda t: t.max(axis=1), lambda t: t.amax(dim=1), x)
    compare(lambda t: t.max(), lambda t: t.max(), x)


def test_min() -> None:
    compare(lambda t: t.min(axis=0), lambda t: t.amin(dim=0), random_array((4, 5), 11))


# --- shapes and indexing ----------------------------------------------------------------------
def test_reshape() -> None:
    compare(
        lambda t: t.reshape(3, -1) * 2, lambda t: t.reshape(3, -1) * 2, random_array((2, 3, 2), 12)
    )


def test_reshape_accepts_a_tuple() -> None:
    assert Tensor(np.zeros(6)).reshape((2, 3)).shape == (2, 3)


@pytest.mark.parametrize("axes", [(), (1, 0, 2), (2, 0, 1)], ids=str)
def test_transpose(axes: tuple) -> None:
    def theirs(t: torch.Tensor) -> torch.Tensor:
        return t.permute(*(axes or (2, 1, 0)))

    compare(lambda t: t.transpose(*axes), theirs, random_array((2, 3, 4), 13))


def test_T_property() -> None:
    compare(lambda t: t.T @ t, lambda t: t.T @ t, random_array((3, 2), 14))


INDICES = {
    "int": 1,
    "slice": (slice(1, None), slice(None, None, 2)),
    "negative": (-1, slice(None)),
    "ellipsis": (Ellipsis, 0),
    "int-array-repeats": [0, 2, 0, 0],
    "two-int-arrays": (np.array([0, 1, 1]), np.array([2, 2, 2])),
    "mixed": (slice(None), np.array([3, 3, 0])),
    "bool-mask": np.array([True, False, True]),
}


@pytest.mark.parametrize("name", INDICES)
def test_indexing(name: str) -> None:
    index = INDICES[name]
    torch_index = torch.tensor(index) if isinstance(index, list) else index
    if isinstance(index, tuple):
        torch_index = tuple(torch.from_numpy(i) if isinstance(i, np.ndarray) else i for i in index)
    elif isinstance(index, np.ndarray):
        torch_index = torch.from_numpy(index)
    compare(lambda t: t[index], lambda t: t[torch_index], random_array((3, 4), 15))


def test_indexing_with_a_tensor_of_indices() -> None:
    t = Tensor(np.arange(4.0), requires_grad=True)
    t[Tensor(np.array([1, 1, 3]))].sum().backward()
    np.testing.assert_array_equal(t.grad, [0.0, 2.0, 0.0, 1.0])


# --- elementwise functions --------------------------------------------------------------------
UNARY = {
    "exp": (lambda t: t.exp(), lambda t: t.exp()),
    "log": (lambda t: (t * t).log(), lambda t: (t * t).log()),
    "relu": (lambda t: t.relu(), lambda t: t.relu()),
    "sigmoid": (lambda t: t.sigmoid(), lambda t: t.sigmoid()),
    "tanh": (lambda t: t.tanh(), lambda t: t.tanh()),
    "abs": (lambda t: t.abs(), lambda t: t.abs()),
    "sqrt": (lambda t: (t * t).sqrt(), lambda t: (t * t).sqrt()),
}


@pytest.mark.parametrize("name", UNARY)
def test_unary_function(name: str) -> None:
    ours, theirs = UNARY[name]
    compare(ours, theirs, _away_from_zero((3, 4), 16))


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_saturating_functions_are_stable_for_huge_inputs(name: str) -> None:
    """No overflow warning (pytest turns warnings into errors) and torch's values."""
    ours, theirs = UNARY[name]
    compare(ours, theirs, np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0]))


def test_relu_gradient_at_zero_is_zero() -> None:
    compare(lambda t: t.relu(), lambda t: t.relu(), np.array([-1.0, 0.0, 1.0]))


def test_tanh_backward_uses_one_minus_tanh_squared() -> None:
    t = Tensor(np.array([0.5]), requires_grad=True)
    t.tanh().backward(np.array([1.0]))
    np.testing.assert_allclose(t.grad, 1 - np.tanh(0.5) ** 2, rtol=1e-12)


# --- dtypes ------------------------------------------------------------------------------------
def test_python_floats_become_float32() -> None:
    assert Tensor([1.0, 2.0]).dtype == np.float32
    assert Tensor(3.0).dtype == np.float32


def test_arrays_keep_their_dtype() -> None:
    assert Tensor(np.zeros(2)).dtype == np.float64
    assert Tensor(np.zeros(2, dtype=np.float16)).dtype == np.float16
    assert Tensor([1, 2]).dtype == np.int64


@pytest.mark.parametrize(
    "f",
    [lambda t: t * 0.5, lambda t: 1.5 - t, lambda t: t / np.float64(3.0), lambda t: t**2,
     lambda t: t.mean(), lambda t: t.sigmoid(), lambda t: t.max()],
    ids=["mul", "rsub", "numpy-scalar", "pow", "mean", "sigmoid", "max"],
)  # fmt: skip
def test_float32_stays_float32_values_and_gradients(f) -> None:
    t = Tensor(np.ones((2, 2), dtype=np.float32), requires_grad=True)
    out = f(t)
    assert out.dtype == np.float32
    out.sum().backward()
    assert t.grad.dtype == np.float32


def test_only_floating_tensors_can_require_grad() -> None:
    with pytest.raises(TypeError, match="floating point"):
        Tensor([1, 2], requires_grad=True)


# --- backward: graph semantics -----------------------------------------------------------------
def test_backward_on_a_non_scalar_needs_a_gradient() -> None:
    t = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
        (t * 2).backward()


def test_backward_gradient_must_have_the_output_shape() -> None:
    t = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        (t * 2).backward(np.ones(2))


def test_backward_on_a_tensor_without_grad_raises() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor(np.ones(1)).backward()


def test_leaf_gradients_accumulate_across_backward_calls() -> None:
    t = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (t * t).sum().backward()
    (t * 3).sum().backward()
    np.testing.assert_array_equal(t.grad, 2 * t.data + 3)


def test_second_backward_through_the_same_graph_does_not_double_count() -> None:
    """Intermediate gradients are not stored, so the second call adds exactly one more."""
    t = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    y = t * 2
    z = (y * y).sum()
    z.backward()
    once = t.grad.copy()
    z.backward()
    np.testing.assert_array_equal(t.grad, 2 * once)
    assert y.grad is None and not y.is_leaf


def test_leaf_gradients_are_separate_writable_arrays() -> None:
    a, b = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
    (a + b).sum().backward()
    assert a.grad is not b.grad
    a.grad *= 2  # in-place on one gradient must not change the other
    np.testing.assert_array_equal(b.grad, np.ones(3))


def test_inputs_that_do_not_require_grad_get_none() -> None:
    a, b = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(2))
    (a * b).sum().backward()
    assert b.grad is None and a.grad is not None


def test_deep_graph_has_no_recursion_limit() -> None:
    t = Tensor(np.array(1.0), requires_grad=True)
    out = t
    for _ in range(5000):
        out = out * 1.0 + 0.0
    out.backward()
    assert t.grad == 1.0


def test_no_grad_builds_no_graph_and_restores_the_mode() -> None:
    t = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(KeyError), no_grad():
        assert not (t * 2).requires_grad
        raise KeyError
    assert (t * 2).requires_grad


def test_no_grad_works_as_a_decorator() -> None:
    @no_grad()
    def double(x: Tensor) -> Tensor:
        return x * 2

    assert not double(Tensor(np.ones(2), requires_grad=True)).requires_grad


def _cube(x: Tensor) -> Tensor:
    """A new operation, written as ``functional``'s are: a forward line, then ``record``."""
    return record(x.data**3, (x,), lambda g: x.accumulate_grad(g * 3 * x.data**2))


def test_an_operation_made_with_record_is_differentiated_like_torch() -> None:
    compare(_cube, lambda t: t**3, random_array((2, 3), 40))


def test_record_joins_the_graph_only_when_an_input_needs_a_gradient() -> None:
    assert not _cube(Tensor(np.ones(2))).requires_grad
    needs = Tensor(np.ones(2), requires_grad=True)
    assert _cube(needs).requires_grad
    with no_grad():
        assert not _cube(needs).requires_grad


def test_detach_shares_data_but_not_the_graph() -> None:
    t = Tensor(np.ones(2), requires_grad=True)
    d = t.detach()
    assert not d.requires_grad and np.shares_memory(d.data, t.data)


# --- shape errors ------------------------------------------------------------------------------
def test_matmul_shape_error_names_both_shapes() -> None:
    with pytest.raises(ValueError) as error:
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))
    assert str(error.value) == "matmul: shapes (2, 3) and (4, 5) are not aligned"


@pytest.mark.parametrize("name", BINARY)
def test_elementwise_shape_error_names_both_shapes(name: str) -> None:
    with pytest.raises(
        ValueError, match=rf"{name}: shapes \(2, 3\) and \(4,\) cannot be broadcast"
    ):
        BINARY[name](Tensor(np.ones((2, 3))), Tensor(np.ones(4)))


def test_reshape_error_names_the_shapes() -> None:
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4,\)"):
        Tensor(np.ones((2, 3))).reshape(4)


def test_a_tensor_exponent_gets_its_gradient() -> None:
    f = lambda a, b: a**b  # noqa: E731
    compare(f, f, np.abs(_away_from_zero((2, 3), 20)), random_array((3,), 21))


# --- conversions -------------------------------------------------------------------------------
def test_item_numpy_and_repr() -> None:
    t = Tensor(np.array([[2.5]]), requires_grad=True)
    assert t.item() == 2.5
    assert t.numpy() is t.data
    assert repr(t) == "Tensor([[2.5]], dtype=float64, requires_grad=True)"
    assert repr(Tensor([1.0, 2.0])) == "Tensor([1., 2.])"


def test_item_of_many_elements_raises() -> None:
    with pytest.raises(ValueError, match="size 1"):
        Tensor(np.ones(2)).item()


# --- constants: NumPy arrays and lists on either side -------------------------------------------
OPERATORS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
}
CONSTANT_SHAPES = [((2, 3), (3,)), ((3, 1), (1, 4)), ((4,), (2, 1, 4)), ((2, 3), ()), ((), (2,))]


def _positive(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Values in [0.5, 2]: a base of ** keeps a real power, a divisor stays away from 0."""
    return np.asarray(np.abs(_away_from_zero(shape, seed)))


@pytest.mark.parametrize("kind", ["ndarray", "list"])
@pytest.mark.parametrize("tensor_on_the_left", [True, False], ids=["tensor-left", "tensor-right"])
@pytest.mark.parametrize(("shape_t", "shape_c"), CONSTANT_SHAPES, ids=str)
@pytest.mark.parametrize("op", OPERATORS)
def test_a_constant_meets_a_tensor(
    op: str, shape_t: tuple, shape_c: tuple, tensor_on_the_left: bool, kind: str
) -> None:
    """Value and gradient as torch's; the gradient is summed back to the tensor's shape."""
    f = OPERATORS[op]
    constant = _positive(shape_c, 31)
    if kind == "ndarray":
        ours_constant, theirs_constant = constant, torch.from_numpy(constant)
    else:  # floats in a list become float32, in both frameworks
        ours_constant = constant.tolist()
        theirs_constant = torch.tensor(ours_constant) if constant.ndim else ours_constant
    if tensor_on_the_left:
        ours, theirs = (lambda t: f(t, ours_constant)), (lambda t: f(t, theirs_constant))
    else:
        ours, theirs = (lambda t: f(ours_constant, t)), (lambda t: f(theirs_constant, t))
    x = _positive(shape_t, 30)
    result, expected = ours(Tensor(x)), theirs(torch.from_numpy(x))
    assert isinstance(result, Tensor) and result.dtype == _torch_dtype(expected)
    compare(ours, theirs, x)


MATMUL_CONSTANT = [((2, 3), (3, 4)), ((3,), (3, 2)), ((5, 2, 3), (3, 4)), ((2, 3), (4, 3, 2))]


@pytest.mark.parametrize("kind", ["ndarray", "list"])
@pytest.mark.parametrize("tensor_on_the_left", [True, False], ids=["tensor-left", "tensor-right"])
@pytest.mark.parametrize(("shape_left", "shape_right"), MATMUL_CONSTANT, ids=str)
def test_a_constant_in_a_matrix_product(
    shape_left: tuple, shape_right: tuple, tensor_on_the_left: bool, kind: str
) -> None:
    left, right = random_array(shape_left, 32), random_array(shape_right, 33)
    x, constant = (left, right) if tensor_on_the_left else (right, left)
    if kind == "ndarray":
        ours_constant, theirs_constant = constant, torch.from_numpy(constant)
    else:  # a list of floats is float32, promoted to float64 by the float64 tensor
        ours_constant = constant.tolist()
        theirs_constant = torch.tensor(ours_constant).double()
    if tensor_on_the_left:
        compare(lambda t: t @ ours_constant, lambda t: t @ theirs_constant, x)
    else:
        compare(lambda t: ours_constant @ t, lambda t: theirs_constant @ t, x)


def test_ndarray_on_the_left_gives_a_tensor_for_every_operator() -> None:
    t = Tensor(np.ones((2, 2)))
    for f in [*OPERATORS.values(), lambda a, b: a @ b]:
        assert isinstance(f(np.full((2, 2), 2.0), t), Tensor)


# --- dtypes: torch's promotion -------------------------------------------------------------------
DTYPES = [np.uint8, np.int32, np.int64, np.float16, np.float32, np.float64]


def _torch_dtype(a: torch.Tensor) -> np.dtype:
    return a.numpy().dtype


@pytest.mark.parametrize("op", ["+", "*", "/"])
@pytest.mark.parametrize(
    "zero_d", [(False, False), (True, False), (False, True), (True, True)], ids=str
)
@pytest.mark.parametrize("dtype_b", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("dtype_a", DTYPES, ids=lambda d: d.__name__)
def test_result_dtype_follows_torch(dtype_a, dtype_b, zero_d: tuple, op: str) -> None:
    """int64 + float32 is float32 (not NumPy's float64); a 0-d operand does not widen."""
    a = np.ones(() if zero_d[0] else (2,), dtype=dtype_a)
    b = np.full(() if zero_d[1] else (2,), 2, dtype=dtype_b)
    f = OPERATORS[op]
    expected = _torch_dtype(f(torch.from_numpy(a), torch.from_numpy(b)))
    assert f(Tensor(a), Tensor(b)).dtype == expected


@pytest.mark.parametrize("number", [2, 2.5, np.float64(2.5), True], ids=repr)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_a_python_number_keeps_the_tensor_dtype_as_in_torch(dtype, number) -> None:
    """A Python int leaves any dtype alone; a float turns an integer tensor into float32."""
    a = np.ones(3, dtype=dtype)
    for f in (OPERATORS["*"], lambda x, c: c + x):
        assert f(Tensor(a), number).dtype == _torch_dtype(f(torch.from_numpy(a), number))


# --- reductions refuse axes that do not exist ----------------------------------------------------
def _torch_message(f) -> str:
    with pytest.raises(IndexError) as error:
        f()
    return str(error.value)


@pytest.mark.parametrize("axis", [3, -4, (0, 3), 7])
@pytest.mark.parametrize("name", ["sum", "mean", "max", "min"])
def test_an_axis_out_of_range_raises_as_in_torch(name: str, axis) -> None:
    x = np.ones((2, 3, 4))
    torch_name = {"max": "amax", "min": "amin"}.get(name, name)
    message = _torch_message(lambda: getattr(torch.from_numpy(x), torch_name)(dim=axis))
    with pytest.raises(IndexError) as error:
        getattr(Tensor(x), name)(axis=axis)
    assert str(error.value) == message


@pytest.mark.parametrize(("start", "end"), [(3, -1), (0, 3), (-4, -1)])
def test_flatten_with_an_axis_out_of_range_raises_as_in_torch(start: int, end: int) -> None:
    x = np.ones((2, 3, 4))
    message = _torch_message(lambda: torch.from_numpy(x).flatten(start, end))
    with pytest.raises(IndexError) as error:
        F.flatten(Tensor(x), start, end)
    assert str(error.value) == message


@pytest.mark.parametrize(("start", "end"), [(-2, -1), (-3, 1), (0, -1), (1, 1)])
def test_flatten_with_negative_axes(start: int, end: int) -> None:
    compare(
        lambda t: F.flatten(t, start, end),
        lambda t: t.flatten(start, end),
        random_array((2, 3, 4), 35),
    )


def test_negative_axes_of_a_0d_tensor() -> None:
    compare(lambda t: t.sum(axis=-1), lambda t: t.sum(dim=-1), np.array(2.5))
    with pytest.raises(IndexError, match=r"\[-1, 0\], but got 1"):
        Tensor(2.5).sum(axis=1)


# --- what a tensor can hold ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "error"),
    [("abc", TypeError), (["a", "b"], TypeError), (object(), TypeError),
     ([[1, 2], [3]], ValueError), (None, TypeError), ([1.0, "x"], TypeError), (1 + 2j, TypeError)],
    ids=["string", "strings", "object", "ragged", "None", "mixed", "complex"],
)  # fmt: skip
def test_a_tensor_refuses_what_is_not_an_array_of_numbers(data, error) -> None:
    with pytest.raises(error, match="Tensor"):
        Tensor(data)


# --- construction, defaults and messages, value for value ----------------------------------------
def test_a_tensor_takes_the_dtype_it_is_given() -> None:
    assert Tensor([1, 2], dtype=np.float64).dtype == np.float64
    assert Tensor(np.ones(2, dtype=np.float32), dtype=np.float16).dtype == np.float16
    assert Tensor(2, dtype=np.int8).dtype == np.int8


def test_a_tensor_of_a_tensor_copies_nothing_but_the_data() -> None:
    a = Tensor(np.arange(3.0), requires_grad=True)
    b = Tensor(a)
    assert b.data is a.data and not b.requires_grad and b.is_leaf


def test_requires_grad_switches_on_by_default_and_off_when_asked() -> None:
    t = Tensor(np.ones(2))
    assert t.requires_grad_() is t and t.requires_grad is True
    assert t.requires_grad_(False).requires_grad is False
    assert t.grad is None and t.is_leaf and t._backward is None


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [(lambda: Tensor(np.ones(1)).backward(), RuntimeError,
      "element 0 of tensors does not require grad and has no grad_fn"),
     (lambda: (Tensor(np.ones(3), requires_grad=True) * 2).backward(), RuntimeError,
      "grad can be implicitly created only for scalar outputs"),
     (lambda: Tensor([1, 2], requires_grad=True), TypeError,
      "only tensors of floating point dtype can require gradients, got int64"),
     (lambda: Tensor("abc"), TypeError,
      "a Tensor holds numbers (bool, int or float), got str of NumPy dtype <U3"),
     (lambda: Tensor(np.ones(2)) ** Tensor(np.ones(3)), ValueError,
      "pow: shapes (2,) and (3,) cannot be broadcast"),
     (lambda: Tensor(np.ones((2, 3, 4))).flatten(2, 1), ValueError,
      "flatten: start_dim 2 comes after end_dim 1")],
)  # fmt: skip
def test_errors_are_named_in_full(make, error, message: str) -> None:
    with pytest.raises(error) as raised:
        make()
    assert str(raised.value) == message


def test_flatten_merges_every_axis_by_default() -> None:
    assert Tensor(np.ones((2, 3, 4))).flatten().shape == (24,)
    assert Tensor(np.ones((2, 3, 4))).flatten(1).shape == (2, 12)
    assert Tensor(2.0).flatten().shape == (1,)  # a 0-d tensor flattens to one element


@pytest.mark.parametrize(("start", "end"), [(0, 1), (-2, 0), (1, 1)])
def test_flatten_of_one_axis_refuses_a_second_axis_as_torch(start: int, end: int) -> None:
    x = np.ones(3)
    message = _torch_message(lambda: torch.from_numpy(x).flatten(start, end))
    with pytest.raises(IndexError) as error:
        Tensor(x).flatten(start, end)
    assert str(error.value) == message


@pytest.mark.parametrize(
    "axes", [((1, 0, 2),), ([2, 0, 1],), (0, -1, 1), (-1, -3, -2), ((0, 2, -2),)], ids=str
)
def test_transpose_takes_a_sequence_or_separate_axes_negative_too(axes) -> None:
    order = tuple(axes[0]) if len(axes) == 1 else axes
    compare(lambda t: t.transpose(*axes), lambda t: t.permute(*order), random_array((2, 3, 4), 41))


def test_max_keeps_the_axes_it_did_not_reduce_even_of_length_one() -> None:
    compare(lambda t: t.max(axis=1), lambda t: t.amax(dim=1), random_array((1, 3, 1), 42))
    compare(
        lambda t: t.min(axis=0, keepdims=True),
        lambda t: t.amin(dim=0, keepdim=True),
        random_array((3, 1), 43),
    )


def test_abs_at_zero_passes_no_gradient() -> None:
    compare(lambda t: t.abs(), lambda t: t.abs(), np.array([-1.5, 0.0, 2.0]))


def _identity_watching(x: Tensor, seen: list[np.dtype]) -> Tensor:
    """x unchanged, recording the dtype of the gradient that reaches it."""
    return record(x.data, (x,), lambda g: (seen.append(g.dtype), x.accumulate_grad(g)))


@pytest.mark.parametrize(
    "f",
    [lambda t: t.max(axis=0), lambda t: t.min(), lambda t: t[[0, 0, 1]], lambda t: t.sum(),
     lambda t: t.mean(axis=1), lambda t: t @ np.ones((3, 2), np.float32), lambda t: t.T,
     lambda t: t.reshape(-1), lambda t: t * 2.0, lambda t: t ** 2],
    ids=["max", "min", "index", "sum", "mean", "matmul", "T", "reshape", "mul", "pow"],
)  # fmt: skip
def test_gradients_flow_in_the_tensors_own_dtype(f) -> None:
    """A float32 graph hands float32 gradients along, not NumPy's float64 (torch does too)."""
    seen: list[np.dtype] = []
    x = Tensor(np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5, requires_grad=True)
    out = f(_identity_watching(x, seen))
    out.backward(np.ones(out.shape, dtype=np.float64))
    assert seen == [np.float32] and x.grad.dtype == np.float32


def test_backward_hands_the_upstream_gradient_in_the_outputs_dtype() -> None:
    seen: list[np.dtype] = []
    x = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    _identity_watching(x, seen).backward(np.ones(3, dtype=np.float64))
    assert seen == [np.float32]


def test_backward_lists_a_shared_node_once() -> None:
    t = Tensor(np.array(1.0), requires_grad=True)
    out = t
    for _ in range(12):  # 2**12 paths, 13 nodes: a walk that does not skip seen nodes is slow
        out = out + out
    order = out._topological_order()
    assert len(order) == 13 == len({id(n) for n in order})
    out.backward()
    assert t.grad == 2.0**12


def test_repr_indents_the_rows_under_the_first() -> None:
    t = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32))
    assert repr(t) == "Tensor([[1., 2.],\n        [3., 4.]])"


def test_a_python_int_meets_a_bool_tensor_as_an_int64() -> None:
    mask = Tensor(np.array([True, False]))
    assert (mask + 2).dtype == (torch.tensor([True, False]) + 2).numpy().dtype == np.int64
    assert (mask * 1.5).dtype == np.float32
