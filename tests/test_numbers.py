"""One rule for numbers in the engine: overflow is an error naming the op and the node,
NaN propagates (as in PyTorch), and a bad operand's error names the op."""

import math

import pytest

import autograd as ag
from autograd import DomainError, Value

BIG = 1e200


@pytest.mark.parametrize("name, build", [
    ("add", lambda x: x + 1.7e308),
    ("sub", lambda x: x - (-1.7e308)),
    ("mul", lambda x: x * BIG),
    ("div", lambda x: x / 1e-200),
    ("pow_const", lambda x: x ** 2),
    ("pow", lambda x: x ** Value(2.0)),
    ("exp", lambda x: Value(1000.0, "x").exp()),
    ("sum", lambda x: ag.sum([x, 1.7e308])),
    ("dot", lambda x: ag.dot([x], [BIG])),
])
def test_an_overflowing_result_raises_naming_the_op_and_node(name, build):
    x = Value(BIG if name not in ("add", "sub", "sum") else 1.7e308, "x")
    with pytest.raises(OverflowError, match=rf"^{name}: result too large at node 'x'"):
        build(x)


def test_infinity_in_infinity_out_is_not_an_overflow():
    inf = Value(math.inf, "inf")
    assert (inf * 2).data == math.inf and (inf + 1).data == math.inf
    assert (-inf).exp().data == 0.0


@pytest.mark.parametrize("build", [
    lambda x: x.relu(), lambda x: x.leaky_relu(0.1), lambda x: abs(x), lambda x: x.exp(),
    lambda x: x.log(), lambda x: x.sqrt(), lambda x: x.tanh(), lambda x: x.sigmoid(),
    lambda x: x.softplus(), lambda x: x.sin(), lambda x: x.cos(), lambda x: x * 2,
    lambda x: x ** 2, lambda x: 1 / x, lambda x: ag.dot([x], [2.0]),
])
def test_nan_propagates_as_in_torch(build):
    out = build(Value(math.nan))
    assert math.isnan(out.data)
    out.backward()  # no error: NaN flows through the gradients too


@pytest.mark.parametrize("op, build", [("sin", lambda x: x.sin()), ("cos", lambda x: x.cos())])
@pytest.mark.parametrize("infinity", [math.inf, -math.inf])
def test_an_infinite_input_to_sin_and_cos_is_a_domain_error(op, build, infinity):
    with pytest.raises(DomainError,
                       match=rf"^{op}: domain error at node .x. \(data=-?inf\): outside"):
        build(Value(infinity, "x"))


@pytest.mark.parametrize("build, message", [
    (lambda: Value(1.0) + "a", r"^\+: expected a Value or a real number, got str 'a'"),
    (lambda: Value(1.0) * [1.0], r"^\*: expected a Value or a real number, got list"),
    (lambda: Value(1.0) ** None, r"^\*\*: expected a Value or a real number, got NoneType"),
    (lambda: ag.dot([Value(1.0)], ["x"]), r"^dot: expected a Value or a real number"),
    (lambda: ag.sum([Value(1.0), "x"]), r"^sum: expected a Value or a real number"),
    (lambda: Value("1"), r"^Value: expected a Value or a real number, got str"),
    (lambda: Value(1.0).leaky_relu("0.1"), r"^leaky_relu: expected a Value or a real number"),
])
def test_a_non_number_operand_is_a_type_error_naming_the_op(build, message):
    with pytest.raises(TypeError, match=message):
        build()


@pytest.mark.parametrize("build, message", [
    (lambda: Value(10 ** 400), r"^Value: 1000+\d* is too large for a float"),
    (lambda: Value(1.0) * 10 ** 400, r"^\*: 1000+\d* is too large for a float"),
    (lambda: 10 ** 400 + Value(1.0), r"^\+: 1000+\d* is too large for a float"),
    (lambda: ag.dot([Value(1.0)], [10 ** 400]), r"^dot: 1000+\d* is too large for a float"),
])
def test_an_int_too_large_for_a_float_names_the_op(build, message):
    with pytest.raises(OverflowError, match=message):
        build()


@pytest.mark.parametrize("gradient", [[1.0], "1", None, Value(1.0)])
def test_backward_with_a_non_number_names_backward(gradient):
    with pytest.raises(TypeError, match=r"^backward: gradient must be a real number"):
        (Value(2.0) * 3).backward(gradient)


@pytest.mark.parametrize("gradient", [math.nan, math.inf])
def test_backward_with_a_non_finite_gradient_is_refused(gradient):
    with pytest.raises(ValueError, match=r"^backward: gradient must be finite"):
        (Value(2.0) * 3).backward(gradient)


def test_a_local_derivative_past_floats_range_is_infinite_not_an_error():
    x = Value(5e-324, "x")
    y = x ** -0.5  # 4.5e161 is a float; its derivative -0.5 * x ** -1.5 is not
    assert y.data == pytest.approx(4.49891e161, rel=1e-5)
    assert y.local_grads == (-math.inf,)  # as sqrt's derivative at 0 is infinite


def test_numbers_of_any_real_type_become_floats():
    """NumPy's float64 is a float subclass with a .data of its own: the engine must
    store plain floats, in a Value and in a dot's numbers alike."""
    np = pytest.importorskip("numpy")
    w = Value(np.float64(2.0))
    assert type(w.data) is float
    z = ag.dot([w, np.float64(3.0)], [np.float64(0.5), Value(np.int64(4))])
    assert z.data == 13.0 and all(type(c) is float or isinstance(c, Value) for c in z.ctx[0])
    z.backward()
    assert w.grad == 0.5
