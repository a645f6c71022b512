"""Every op: value and derivative against hand-computed numbers and central differences."""

import math

import pytest
from conftest import central_difference

import autograd as ag
from autograd import Value

# name -> (function of Values, inputs, expected value, expected gradient by hand)
CASES = {
    "add": (lambda x, y: x + y, (2.0, -3.0), -1.0, (1.0, 1.0)),
    "sub": (lambda x, y: x - y, (2.0, -3.0), 5.0, (1.0, -1.0)),
    "mul": (lambda x, y: x * y, (2.0, -3.0), -6.0, (-3.0, 2.0)),
    "div": (lambda x, y: x / y, (3.0, 2.0), 1.5, (0.5, -0.75)),
    "pow": (lambda x, y: x ** y, (2.0, 3.0), 8.0, (12.0, 8.0 * math.log(2.0))),
    "pow_const": (lambda x: x ** 3, (2.0,), 8.0, (12.0,)),
    "neg": (lambda x: -x, (2.0,), -2.0, (-1.0,)),
    "exp": (lambda x: x.exp(), (1.0,), math.e, (math.e,)),
    "log": (lambda x: x.log(), (2.0,), math.log(2.0), (0.5,)),
    "sqrt": (lambda x: x.sqrt(), (4.0,), 2.0, (0.25,)),
    "tanh": (lambda x: x.tanh(), (0.5,), math.tanh(0.5), (1 - math.tanh(0.5) ** 2,)),
    "sigmoid": (lambda x: x.sigmoid(), (0.0,), 0.5, (0.25,)),
    "relu": (lambda x: x.relu(), (1.5,), 1.5, (1.0,)),
    "leaky_relu": (lambda x: x.leaky_relu(0.1), (-2.0,), -0.2, (0.1,)),
    "softplus": (lambda x: x.softplus(), (0.0,), math.log(2.0), (0.5,)),
    "abs": (lambda x: abs(x), (-2.5,), 2.5, (-1.0,)),
    "sin": (lambda x: x.sin(), (1.0,), math.sin(1.0), (math.cos(1.0),)),
    "cos": (lambda x: x.cos(), (1.0,), math.cos(1.0), (-math.sin(1.0),)),
    "sum": (lambda x, y, z: ag.sum([x, y, z, 4.0]), (1.0, 2.0, 3.0), 10.0, (1.0, 1.0, 1.0)),
    "dot": (lambda a, b, c, d: ag.dot([a, b], [c, d]), (1.0, 2.0, 3.0, 4.0), 11.0,
            (3.0, 4.0, 1.0, 2.0)),
    "max": (lambda x, y, z: ag.max([x, y, z, -4.0]), (1.0, 2.5, -3.0), 2.5, (0.0, 1.0, 0.0)),
    "min": (lambda x, y, z: ag.min([x, y, z, 4.0]), (1.0, 2.5, -3.0), -3.0, (0.0, 0.0, 1.0)),
}


def test_every_op_in_the_table_has_a_case():
    assert set(CASES) == set(ag.OPS)


@pytest.mark.parametrize("name", sorted(CASES))
def test_value_and_gradient_by_hand(name):
    f, xs, value, grads = CASES[name]
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    assert out.op == name
    assert out.data == pytest.approx(value, rel=1e-12)
    out.backward()
    assert [v.grad for v in leaves] == pytest.approx(grads, rel=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_matches_central_differences(name):
    f, xs, _, _ = CASES[name]
    leaves = [Value(x) for x in xs]
    f(*leaves).backward()

    def numeric(*args):
        return f(*[Value(a) for a in args]).data

    for i, leaf in enumerate(leaves):
        assert leaf.grad == pytest.approx(central_difference(numeric, xs, i), rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow"])
def test_numbers_on_either_side(name):
    f, xs, value, _ = CASES[name]
    assert f(Value(xs[0]), xs[1]).data == pytest.approx(value)
    assert f(xs[0], Value(xs[1])).data == pytest.approx(value)


def test_free_functions_accept_numbers():
    assert ag.exp(0.0).data == 1.0
    assert ag.tanh(Value(0.0)).data == 0.0
    assert ag.leaky_relu(-1.0, 0.2).data == pytest.approx(-0.2)


def test_sigmoid_and_softplus_do_not_overflow():
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(1000.0).softplus().data == 1000.0
    assert Value(-1000.0).softplus().data == pytest.approx(0.0)


def test_kinks_have_pytorch_subgradients():
    for f in (lambda v: v.relu(), lambda v: abs(v)):
        x = Value(0.0)
        f(x).backward()
        assert x.grad == 0.0


def test_dot_is_one_node_whose_local_derivatives_are_the_inputs():
    ws = [Value(1.0, "w1"), Value(-2.0, "w2")]
    z = ag.dot(ws, [1.0, -1.0])
    assert z.parents == tuple(ws)
    assert z.local_grads == (1.0, -1.0)  # dz/dw equals the input w multiplies


def test_dot_of_a_value_with_itself_counts_both_roles():
    w = Value(3.0)
    ag.dot([w], [w]).backward()
    assert w.grad == 6.0


def test_dot_length_mismatch():
    with pytest.raises(ValueError, match="dot"):
        ag.dot([Value(1.0)], [1.0, 2.0])


def test_pow_with_value_exponent_at_zero_base():
    y = Value(2.0)
    x = Value(0.0)
    out = x ** y
    out.backward()
    assert (out.data, x.grad, y.grad) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize("name", list(CASES))
def test_every_operator_applies_its_table_row_once(name, monkeypatch):
    """Each operator and function is one call of value.apply with its op's entry,
    and the node holds what the entry's rules say on floats."""
    calls = []
    real_apply = ag.value.apply

    def spy(op, operands, ctx=()):
        calls.append(op)
        return real_apply(op, operands, ctx)

    monkeypatch.setattr(ag.value, "apply", spy)
    f, xs = CASES[name][0], CASES[name][1]
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    assert calls == [ag.OPS[name]]
    op = ag.OPS[name]
    operands = tuple(p.data for p in out.parents)  # max's numbers are Constant operands
    z = op.forward(ag.ops.FLOAT, operands, out.ctx)
    assert (out.op, out.data) == (name, z)
    assert out.local_grads == op.local(ag.ops.FLOAT, operands, z, out.ctx)
    assert set(out.parents) - set(leaves) == {
        p for p in out.parents if isinstance(p, ag.Constant)}
    assert set(leaves) <= set(out.parents)
    with ag.no_grad():
        assert f(*leaves).is_leaf


@pytest.mark.parametrize("name", ["add", "mul"])
def test_add_and_mul_reject_non_numbers(name):
    f, symbol = CASES[name][0], ag.OPS[name].symbol
    for bad in ("2", None, [1.0]):
        with pytest.raises(TypeError, match=rf"^\{symbol}: expected a Value or a real number"):
            f(Value(1.0), bad)


# -- max and min: n-ary, as torch.max/min with an index -------------------------------------
@pytest.mark.parametrize("fn", [ag.max, ag.min])
def test_max_and_min_send_the_gradient_to_the_first_operand_that_ties(fn):
    x, y, z = Value(2.0, "x"), Value(2.0, "y"), Value(2.0, "z")
    out = fn([x, y, 1.0 if fn is ag.max else 3.0, z])
    out.backward()
    assert out.data == 2.0 and out.op == fn.__name__
    assert out.local_grads == (1.0, 0.0, 0.0, 0.0)
    assert (x.grad, y.grad, z.grad) == (1.0, 0.0, 0.0)


@pytest.mark.parametrize("fn", [ag.max, ag.min])
def test_max_and_min_propagate_nan_and_pick_the_first_nan(fn):
    x, y, z = Value(1.0), Value(math.nan), Value(math.nan)
    out = fn([x, 5.0, y, z])
    out.backward()
    assert math.isnan(out.data)
    assert out.local_grads == (0.0, 0.0, 1.0, 0.0)
    assert (x.grad, y.grad, z.grad) == (0.0, 1.0, 0.0)


def test_max_and_min_mix_numbers_in_as_constants():
    x = Value(-1.0, "x")
    top = ag.max([x, 2, 0.5])  # an int too
    assert top.data == 2.0 and isinstance(top.parents[1], ag.Constant)
    top.backward()
    assert x.grad == 0.0
    assert ag.min([3.0, 4.0]).data == 3.0  # numbers alone make a node of constants
    assert ag.max([x]).data == -1.0  # one operand: itself
    assert ag.max(v for v in [x, Value(0.5)]).data == 0.5  # any iterable


def test_max_and_min_refuse_bad_input_by_name():
    with pytest.raises(ValueError, match="max: expected at least one value"):
        ag.max([])
    with pytest.raises(TypeError, match=r"^min: expected a list of Values or numbers"):
        ag.min(Value(1.0))
    with pytest.raises(TypeError, match=r"^max: expected a Value or a real number, got str"):
        ag.max([Value(1.0), "2"])
    assert "max" not in ag.__all__ and "min" not in ag.__all__  # they would shadow builtins


def test_a_second_derivative_through_max():
    """d/dx of max(x*x, y) is 2x where x*x wins; differentiating that again gives 2."""
    x, y = Value(3.0, "x"), Value(1.0, "y")
    out = ag.max([x * x, y]) * x  # x**3 here
    (dx, dy) = ag.grad(out, [x, y], create_graph=True)
    assert isinstance(dx, Value) and dx.data == 27.0 and dy.data == 0.0
    assert ag.grad(dx, [x, y]) == [18.0, 0.0]  # d2/dx2 of x**3 is 6x
    low = ag.min([x * x, y]) * x  # y * x here
    dx, dy = ag.grad(low, [x, y], create_graph=True)
    assert (dx.data, dy.data) == (1.0, 3.0)
    assert ag.grad(dx, [x, y]) == [0.0, 1.0]
