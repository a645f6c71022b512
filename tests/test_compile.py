"""autograd.compile (autograd.compiled): the recorded graph replayed batched must equal the
scalar engine."""

import importlib.util
import math
import operator
import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd as ag
from autograd import Constant, Value, ops
from autograd.compiled import NUMPY, Program, TracingError

try:
    from autograd.testing import expressions
except ImportError:  # pragma: no cover - autograd.testing arrives in its own commit
    expressions = None

REL = 1e-12


def scalar_run(fn, params, batch):
    """Per-sample outputs and the parameters' gradients summed over the batch, on the
    scalar engine, plus each gradient's scale (the sum of the per-sample |gradients|)."""
    outs, total, scale = [], np.zeros(len(params)), np.zeros(len(params))
    for sample in batch:
        for p in params:
            p.grad = 0.0
        y = fn(*[Value(float(x)) for x in sample])
        y.backward()
        outs.append(y.data)
        g = np.array([p.grad for p in params])
        total += g
        scale += np.abs(g)
    for p in params:
        p.grad = 0.0
    return np.array(outs), total, scale


def assert_matches(fn, params, batch, example=None):
    """Compiled outputs and summed gradients equal the scalar engine's to REL, relative
    to each quantity's size (a sum of gradients is compared to the sum of their sizes)."""
    batch = np.asarray(batch, dtype=float)
    prog = ag.compile(fn, list(batch[0] if example is None else example))
    out, grads = prog.gradients(*batch.T)
    want_out, want_grad, scale = scalar_run(fn, prog.parameters, batch)
    assert out.shape == (len(batch),)
    np.testing.assert_allclose(out, want_out, rtol=REL, atol=0)
    assert np.all(np.abs(grads - want_grad) <= REL * np.maximum(scale, 1e-300)), (
        grads, want_grad)
    return prog


# -- the op table ---------------------------------------------------------------
def test_an_op_added_to_the_table_replays_with_its_own_rules(monkeypatch):
    cube = ops.Op("cube", "cube", 1, lambda m, xs, c: xs[0] ** 3,
                  lambda m, xs, z, c: (3.0 * xs[0] * xs[0],))
    monkeypatch.setitem(ops.TABLE, "cube", cube)
    w = Value(0.7, "w")

    def fn(x, y):
        v = w * x + y
        return ag.value.apply(cube, (v,)) * w + ag.value.apply(cube, (x,))

    prog = assert_matches(fn, [w], [[-2.0, 0.5], [-0.3, 1.0], [0.0, 0.0], [1.5, -4.0]])
    assert ("cube", 1) in [(name, len(nodes)) for name, nodes in prog.kernels]


def test_the_numpy_namespace_matches_the_float_one():
    xs = np.array([-800.0, -3.0, -0.0, 0.0, 0.5, 2.0, 800.0])
    for name in ("sigmoid", "softplus", "heaviside", "sign", "tanh", "abs"):
        got = getattr(NUMPY, name)(xs)
        want = [getattr(ops.FLOAT, name)(float(x)) for x in xs]
        np.testing.assert_allclose(got, want, rtol=1e-15, atol=0, err_msg=name)
    assert NUMPY.heaviside(xs).dtype == float
    with np.errstate(all="raise"):  # no warning for 0 to a negative power
        got = NUMPY.power(np.array([0.0, -0.0, 2.0, 0.0]), np.array([-1.0, -0.5, -1.0, 2.0]))
    assert got.tolist() == [math.inf, math.inf, 0.5, 0.0]
    assert NUMPY.where(xs > 0, 1.0, 2.0).tolist() == [2.0] * 4 + [1.0] * 3


UNARY_POINTS = [-2.5, -1.0, -0.3, 0.0, 0.4, 1.0, 3.0]
POSITIVE_POINTS = [0.1, 0.5, 1.0, 2.0, 7.5]


@pytest.mark.parametrize("name", sorted(name for name, op in ops.TABLE.items() if op.arity
                                         and name not in {"pow", "pow_const", "log", "sqrt",
                                                          "div"}))
@pytest.mark.parametrize("batch_size", [1, 7])
def test_each_op_equals_the_scalar_engine_including_kinks(name, batch_size):
    w = Value(0.7, "w")
    op = ops.TABLE[name]

    def fn(x, y):
        a = w * x  # the op sees w * x, so w gets a gradient through it
        if op.arity == 1:
            z = a.leaky_relu(0.2) if name == "leaky_relu" else ag.value.apply(op, (a,))
        else:
            z = ag.value.apply(op, (a, y))
        return z * 1.5

    pts = (UNARY_POINTS * 2)[:batch_size] if batch_size > 1 else [0.0]
    batch = [[x / 0.7, 0.25 + i] for i, x in enumerate(pts)]
    assert_matches(fn, [w], batch)


@pytest.mark.parametrize("batch_size", [1, 5])
def test_ops_with_a_domain_equal_the_scalar_engine(batch_size):
    w = Value(1.3, "w")
    cases = {
        "log": lambda x, y: (w * x).log(),
        "sqrt": lambda x, y: (w * x).sqrt(),
        "div": lambda x, y: (w * y) / (w * x),
        "pow": lambda x, y: (w * x) ** (w * y),
        "pow_const": lambda x, y: (w * x) ** 2.5 + (w * y) ** -1.0 + (w * y) ** 0.0 + x ** 3,
        "pow_const at 0": lambda x, y: (w * (x - x)) ** 2.0 + (w * (x - x)) ** 1.0,
    }
    batch = [[p, -p - 1.0] for p in POSITIVE_POINTS][:batch_size]
    for name, fn in cases.items():
        assert_matches(fn, [w], batch), name


def test_op_constants_that_differ_node_by_node_are_a_column():
    w = Value(0.9, "w")

    def fn(x):
        a = w * x
        squared = a * a
        # one level: two slopes and two exponents, each kernel's ctx a column
        return ag.sum([a.leaky_relu(0.1), a.leaky_relu(0.3), squared ** 1.5, squared ** 0.5,
                       a.leaky_relu(0.1)])

    prog = assert_matches(fn, [w], [[-2.0], [0.5], [3.0], [-0.25]])
    shape = [(name, len(nodes)) for name, nodes in prog.kernels]
    assert ("leaky_relu", 3) in shape and ("pow_const", 2) in shape


def test_overflow_and_math_domain_errors_as_the_scalar_engine_raises_them():
    w = Value(10.0, "w")
    big = ag.compile(lambda x: w * x, [1.0])
    with pytest.raises(OverflowError, match=r"mul: result too large in sample 1 at node 'w' "
                                            r"\(data=10.0\), node 'input0' \(data=1e\+308\)"):
        big(np.array([1.0, 1e308]))
    with pytest.raises(OverflowError, match="mul: result too large"):
        w * Value(1e308)
    assert big(np.array([math.inf])).tolist() == [math.inf] == [(w * Value(math.inf)).data]
    sin = ag.compile(lambda x: (x * 1.0).sin(), [0.0])
    with pytest.raises(ag.DomainError, match=r"sin: domain error in sample 1 .*outside the "
                                             "domain of the function"):
        sin(np.array([0.0, math.inf]))
    with pytest.raises(ag.DomainError, match="outside the domain of the function"):
        (Value(math.inf) * 1.0).sin()
    sub = ag.compile(lambda x, y: x - y, [0.0, 0.0])  # inf - inf is nan in both engines
    assert math.isnan(sub(math.inf, math.inf))
    assert math.isnan((Value(math.inf) - Value(math.inf)).data)


def test_an_n_ary_op_without_a_kernel_is_refused(monkeypatch):  # max and min have theirs
    prod = ops.Op("prod", "Π", 0, lambda m, xs, c: xs[0] * xs[1],
                  lambda m, xs, z, c: (xs[1], xs[0]))
    monkeypatch.setitem(ops.TABLE, "prod", prod)
    with pytest.raises(TypeError, match="n-ary op 'prod'"):
        ag.compile(lambda x, y: ag.value.apply(prod, (x, y)), [1.0, 2.0])


def test_max_and_min_replay_with_ties_numbers_and_repeats():
    """The adjoint goes to the first operand holding the extreme, sample by sample, as in
    the scalar engine; the batch has ties (a = b, a = 0.25, a = w) in some samples."""
    w, v = Value(0.5, "w"), Value(-1.0, "v")

    def fn(x, y):
        a, b = w * x, v * y
        top = ag.max([a, b, 0.25, a * b, a])  # a twice, and a number
        low = ag.min([a, y, w])  # a parameter among the operands
        return top * 2.0 + low * top + ag.max([x]) + ag.min([b, a]).tanh()

    batch = [[1.0, -0.5], [0.5, 0.0], [1.0, 3.0], [-2.0, 0.25], [0.5, -0.25], [3.0, -1.5],
             [0.0, 0.0], [-1.0, -1.0]]
    prog = assert_matches(fn, [w, v], batch)
    names = [name for name, _ in prog.kernels]
    assert {"max", "min"} <= set(names)


def test_max_and_min_replay_nan_as_the_scalar_engine():
    """inf - inf is NaN in both engines; max and min pass it on and send their adjoint
    to the first NaN, so the other operands' gradients stay 0, not NaN."""
    w = Value(2.0, "w")

    def fn(x, y):
        return ag.max([w * y, x - x, 1.0]) + ag.min([x - x, w * y, x - x]) + w * y

    batch = [[math.inf, 1.0], [1.0, 1.0], [-math.inf, -2.0]]
    prog = assert_matches(fn, [w], batch, example=[0.0, 0.0])
    out, grads = prog.gradients(*np.asarray(batch).T)
    assert np.isnan(out[[0, 2]]).all() and out[1] == 2.0 + 0.0 + 2.0
    assert grads.tolist() == [1.0 + 1.0 + 1.0 - 2.0]  # w*y picked by max in sample 1 only


def test_the_max_and_min_rules_run_on_numpy_blocks():
    """The table's own rules for max and min run on NumPy blocks as on floats."""
    rng = np.random.default_rng(5)
    xs = tuple(rng.integers(-2, 3, (4, 6)).astype(float))  # small integers: many ties
    xs = (xs[0], xs[1], np.where(xs[2] > 1, math.nan, xs[2]), 1.0)
    for name in ("max", "min"):
        op = ops.TABLE[name]
        z = op.forward(NUMPY, xs, ())
        local = op.local(NUMPY, xs, z, ())
        for b in range(6):
            column = tuple(float(np.broadcast_to(x, (6,))[b]) for x in xs)
            want = op.forward(ops.FLOAT, column, ())
            assert z[b] == want or (math.isnan(z[b]) and math.isnan(want))
            assert tuple(float(d[b]) for d in np.broadcast_arrays(*local)) == op.local(
                ops.FLOAT, column, want, ())


def test_sqrt_at_zero_has_the_scalar_engines_infinite_slope():
    w = Value(2.0)
    prog = ag.compile(lambda x: (w + x).sqrt(), [0.0])
    out, grads = prog.gradients(np.array([-2.0, 2.0]))
    assert out.tolist() == [0.0, 2.0]
    y = (w + Value(-2.0)).sqrt()
    y.backward()
    assert grads[0] == w.grad == math.inf  # the local derivative 0.5 / sqrt(0)


def test_sum_and_dot_with_constants_numbers_and_repeats():
    a, b = Value(0.5, "a"), Value(-1.5, "b")

    def fn(x, y):
        s = ag.sum([x, a, 2.0, x * y, a])  # a repeated, a number folded into the constant
        d = ag.dot([a, x, 3.0, b, a], [x, y, y, 2.0, a])  # Value·Value, number·Value, a·a
        e = ag.dot([a, b], [x, x])  # a dense row read against parameters
        f = ag.dot([b, a, a], [x, y, 1.0])  # another row reading other inputs, plus a·1
        return s * d + e * f + ag.sum([s, d, 1.5])

    batch = [[0.3, -0.7], [1.1, 2.0], [-2.0, 0.5], [0.0, 0.0]]
    assert_matches(fn, [a, b], batch)


def test_a_weight_shared_inside_one_matrix_product():
    w = Value(0.8, "w")
    v = Value(-0.4, "v")

    def fn(x, y):
        r1 = ag.dot([w, v], [x, y])
        r2 = ag.dot([v, w], [x, y])  # same inputs, so the two rows form one product
        r3 = ag.dot([w, w], [x, y])  # w twice in one row
        return r1 * r2 + r3.tanh()

    prog = assert_matches(fn, [w, v], [[1.0, 2.0], [-0.5, 0.25], [3.0, -1.0]])
    assert ("dot", 3) in [(name, len(nodes)) for name, nodes in prog.kernels]


# -- random graphs ----------------------------------------------------------------
@pytest.mark.skipif(expressions is None, reason="needs autograd.testing")
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=expressions(max_nodes=16, max_inputs=4) if expressions else st.nothing(),
       data=st.data())
def test_random_graphs_equal_the_scalar_engine(case, data):
    """Some of the expression's leaves are traced inputs (batched), the others
    parameters; every input point of the box keeps every op inside its domain."""
    n = len(case.names)
    n_in = data.draw(st.integers(0, n), label="inputs")
    params = [Value(p, name) for p, name in zip(case.point[n_in:], case.names[n_in:])]
    batch_size = data.draw(st.sampled_from([1, 2, 9]), label="batch")
    xs = st.floats(-2.0, 2.0, allow_nan=False, allow_subnormal=False)
    batch = data.draw(st.lists(st.lists(xs, min_size=n_in, max_size=n_in),
                               min_size=batch_size, max_size=batch_size), label="batch")

    def fn(*inputs):
        return case(*inputs, *params)

    if n_in == 0:  # nothing to batch: the program still runs on no inputs
        prog = ag.compile(fn, [])
        out, grads = prog.gradients()
        want, want_grad, scale = scalar_run(fn, prog.parameters, [[]])
        assert out == pytest.approx(want[0], rel=REL, abs=0)
        assert np.all(np.abs(grads - want_grad) <= REL * np.maximum(scale, 1e-300))
        return
    assert_matches(fn, params, batch)


def test_a_deep_chain_compiles_without_recursion():
    w = Value(0.999, "w")

    def fn(x):
        for _ in range(3000):
            x = (x * w).tanh() + 0.001
        return x

    assert_matches(fn, [w], [[0.5], [-0.2]])


# -- nn models: every activation and loss ----------------------------------------------
nn_layers = pytest.importorskip("nn.layers")
nn_losses = pytest.importorskip("nn.losses")

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "hard_sigmoid", "linear"]


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("batch_size", [1, 16])
def test_mlp_with_each_activation(activation, batch_size):
    model = nn_layers.MLP(3, [5, 4, 1], activation=activation, seed=1)
    rng = np.random.default_rng(0)
    batch = rng.uniform(-2, 2, (batch_size, 4))  # 3 inputs, then the target

    def fn(a, b, c, t):
        return nn_losses.mse(model([a, b, c]), t)

    assert_matches(fn, model.parameters(), batch)


LOSSES = {
    "mse": (lambda out, t: nn_losses.mse(out, t), "linear", 1),
    "binary_cross_entropy": (lambda out, t: nn_losses.binary_cross_entropy(out, t),
                             "linear", 1),
    "hinge": (lambda out, t: nn_losses.hinge(out, t), "linear", 1),
    "cross_entropy": (None, "linear", 3),
    "l2_penalty": (None, "linear", 1),
}


@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("batch_size", [1, 12])
def test_mlp_with_each_loss(loss, batch_size):
    fn_loss, out_act, n_out = LOSSES[loss]
    model = nn_layers.MLP(2, [6, n_out], activation="tanh", output_activation=out_act, seed=3)
    rng = np.random.default_rng(1)
    xs = rng.uniform(-2, 2, (batch_size, 2))
    if loss == "cross_entropy":
        targets = np.eye(3)[rng.integers(0, 3, batch_size)]

        def fn(a, b, *t):
            return nn_losses.cross_entropy(model([a, b]), list(t))
    elif loss == "l2_penalty":
        targets = rng.uniform(-1, 1, (batch_size, 1))

        def fn(a, b, t):
            return nn_losses.mse(model([a, b]), t) + nn_losses.l2_penalty(model, 0.01)
    else:
        labels = rng.integers(0, 2, batch_size).astype(float)
        targets = (2 * labels - 1 if loss == "hinge" else labels)[:, None]

        def fn(a, b, t):
            return fn_loss(model([a, b]), t)

    assert_matches(fn, model.parameters(), np.hstack([xs, targets]))


def test_the_digits_network_is_one_matrix_product_per_layer():
    model = nn_layers.MLP(64, [32, 10], activation="tanh", seed=0)

    def fn(*v):
        return nn_losses.cross_entropy(model(list(v[:64])), list(v[64:]))

    rng = np.random.default_rng(2)
    batch = np.hstack([rng.uniform(0, 1, (5, 64)), np.eye(10)[[3, 1, 4, 1, 5]]])
    prog = assert_matches(fn, model.parameters(), batch)
    assert prog.parameters == model.parameters()  # the order the dot rows read them
    shape = [(name, len(nodes)) for name, nodes in prog.kernels]
    assert shape[:3] == [("dot", 32), ("tanh", 32), ("dot", 10)]
    # NumPy kernels grow with depth, not with 2,410 weights: 10, or 11 with the loss's
    # shift a max node
    assert len(prog.kernels) == 10 + ("max" in [name for name, _ in prog.kernels])


# -- the program's interface ----------------------------------------------------------
def test_parameters_are_the_non_input_non_constant_leaves_in_a_stable_order():
    w1, w2, b = Value(1.0, "w1"), Value(2.0, "w2"), Value(0.5, "b")

    def fn(x):
        return 2.0 * (w2 * x + w1 * x) + b + 3.0

    prog = ag.compile(fn, [1.0])
    again = ag.compile(fn, [1.0])
    assert set(prog.parameters) == {w1, w2, b}
    assert prog.parameters == again.parameters
    assert not any(isinstance(p, Constant) for p in prog.parameters)
    assert prog.inputs[0] not in prog.parameters


def test_each_call_reads_the_parameters_current_data():
    w = Value(2.0)
    prog = ag.compile(lambda x: w * x + 1.0, [1.0])
    assert prog(3.0) == 7.0
    w.data = -1.0
    assert prog(3.0) == -2.0
    assert prog(np.array([1.0, 2.0])).tolist() == [0.0, -1.0]


def test_backward_adds_the_reduced_gradient_into_grad():
    w = Value(3.0)
    prog = ag.compile(lambda x, y: (w * x - y) ** 2, [0.0, 0.0])
    xs, ys = np.array([1.0, 2.0, -1.0]), np.array([0.0, 1.0, 1.0])
    out = prog.backward(xs, ys)
    assert out.tolist() == [9.0, 25.0, 16.0]
    by_hand = sum(2 * (3.0 * x - y) * x for x, y in zip(xs, ys))  # 6 + 20 + 8
    assert w.grad == by_hand == 34.0
    prog.backward(xs, ys)
    assert w.grad == 68.0  # adds, as loss.backward() does
    w.grad = 0.0
    prog.backward(xs, ys, reduction="mean")
    assert w.grad == pytest.approx(34.0 / 3, rel=1e-15)
    with pytest.raises(ValueError, match="reduction"):
        prog.backward(xs, ys, reduction="max")


def test_parameters_given_as_a_vector_make_a_pure_function():
    w, b = Value(3.0), Value(0.5)
    prog = ag.compile(lambda x, y: (w * x + b - y) ** 2, [0.0, 0.0])
    xs, ys = np.array([1.0, 2.0, -1.0]), np.array([0.0, 1.0, 1.0])
    theta = prog.parameter_vector()
    assert prog.parameters == [w, b] and theta.tolist() == [3.0, 0.5]
    out, g = prog.gradients(xs, ys, params=theta)
    out_data, g_data = prog.gradients(xs, ys)
    assert out.tolist() == out_data.tolist() and g.tolist() == g_data.tolist()
    theta2 = np.array([1.0, -1.0])  # another point, .data untouched
    out2, g2 = prog.gradients(xs, ys, params=theta2)
    by_hand = [(1.0 * x - 1.0 - y) for x, y in zip(xs, ys)]  # residuals -1, 0, -3
    assert out2.tolist() == [r * r for r in by_hand]
    assert g2.tolist() == [sum(2 * r * x for r, x in zip(by_hand, xs)), sum(2 * r for r in by_hand)]
    assert prog(2.0, 0.0, params=theta2) == 1.0
    assert (w.data, b.data, w.grad, b.grad) == (3.0, 0.5, 0.0, 0.0)
    prog.load_parameters(theta2)
    assert (w.data, b.data) == (1.0, -1.0)
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        prog.gradients(xs, ys, params=np.zeros(3))
    with pytest.raises(ValueError, match="params"):
        prog.load_parameters([1.0])


def test_numbers_and_arrays_mix_and_a_lone_sample_gives_a_float():
    w = Value(2.0)
    prog = ag.compile(lambda x, y: w * x + y, [1.0, 1.0])
    assert prog(1.5, 1) == 4.0 and isinstance(prog(1.5, 1), float)
    assert prog(np.array([1.0, 2.0]), 10.0).tolist() == [12.0, 14.0]
    assert prog(np.array([1, 2]), np.float64(0.5)).tolist() == [2.5, 4.5]


def test_the_output_may_be_an_input_or_a_parameter():
    w = Value(4.0)
    ident = ag.compile(lambda x: x, [0.0])
    assert ident(np.array([1.0, 2.0])).tolist() == [1.0, 2.0]
    const = ag.compile(lambda x: w, [0.0])
    out = const.backward(np.array([1.0, 2.0, 3.0]))
    assert out.tolist() == [4.0, 4.0, 4.0] and w.grad == 3.0


def test_bad_inputs_are_reported():
    prog = ag.compile(lambda x, y: x * y, [1.0, 2.0])
    with pytest.raises(TypeError, match="takes 2 inputs, got 1"):
        prog(1.0)
    with pytest.raises(ValueError, match="batch size 3"):
        prog(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match=r"shape \(batch,\)"):
        prog(np.ones((2, 2)), 1.0)
    with pytest.raises(TypeError, match="input 1 must be a number"):
        prog(1.0, "2")
    with pytest.raises(TypeError, match="must return a Value"):
        ag.compile(lambda x: 3.0, [1.0])
    with pytest.raises(TypeError, match="example input 0"):
        ag.compile(lambda x: x, ["a"])


@pytest.mark.parametrize("bad", [
    np.array([1.0 + 2.0j, 2.0]), np.array(["1", "2"]), np.array([1.0, Value(2.0)], dtype=object),
    np.array(3.0 + 0.0j), np.array("2"), np.array([np.datetime64("2026-01-01")] * 2)])
@pytest.mark.parametrize("position", [0, 1])
def test_complex_string_and_object_arrays_are_refused(bad, position):
    prog = ag.compile(lambda x, y: x * y, [1.0, 2.0])
    inputs = [np.ones(2), np.ones(2)]
    inputs[position] = bad
    with pytest.raises(TypeError, match=rf"input {position} must hold real numbers, got an "
                                        rf"array of dtype {re.escape(str(bad.dtype))}"):
        prog(*inputs)
    with pytest.raises(TypeError, match=f"input {position} must"):
        prog.gradients(*inputs)
    for plain in (1 + 2j, "2", None):
        inputs[position] = plain
        with pytest.raises(TypeError, match=f"input {position} must be a number"):
            prog(*inputs)
    assert prog(np.array([True, False]), np.array([2, 3])).tolist() == [2.0, 0.0]


def test_a_nan_input_names_the_input_and_the_sample():
    """Refused: one NaN sample would make the batch's summed gradients NaN, silently.
    The scalar engine propagates NaN instead (it has no batch to spoil)."""
    w = Value(2.0)
    prog = ag.compile(lambda x, y: w * x + y, [1.0, 1.0])
    message = r"input 1 \(node 'input1'\) is NaN in sample 2; .*refuses NaN inputs"
    with pytest.raises(ValueError, match=message):
        prog(np.ones(4), np.array([0.0, 1.0, math.nan, math.nan]))
    with pytest.raises(ValueError, match=message):
        prog.backward(np.ones(4), np.array([0.0, 1.0, math.nan, 2.0]))
    assert w.grad == 0.0  # nothing was added
    with pytest.raises(ValueError, match=r"input 0 \(node 'input0'\) is NaN in sample 0"):
        prog(math.nan, 1.0)
    with pytest.raises(ValueError, match=r"input 0 .* sample 1"):
        prog(np.array([1.0, math.nan], dtype=np.float32), 0.0)
    assert math.isnan((w * Value(math.nan)).data)  # the scalar engine propagates it
    out, grads = prog.gradients(np.ones(3), np.array([0.0, math.nan, 1.0]), nan="propagate")
    assert out[0] == 2.0 and math.isnan(out[1]) and grads.tolist() == [3.0]  # dw = x: no NaN
    out = prog.backward(np.array([math.nan, 1.0]), np.zeros(2), nan="propagate")
    assert math.isnan(out[0]) and math.isnan(w.grad)  # d(w*x)/dw = x = NaN in sample 0
    assert math.isnan(prog(math.nan, 1.0, nan="propagate"))
    with pytest.raises(ValueError, match="nan must be 'raise' or 'propagate', got 'ignore'"):
        prog(1.0, 1.0, nan="ignore")
    assert prog(np.array([math.inf]), np.array([1.0])).tolist() == [math.inf]  # inf is no NaN


def test_domain_errors_name_the_op_the_node_and_the_sample():
    w = Value(1.0)

    def fn(x):
        y = w * x
        y.label = "y"
        return y.log()

    prog = ag.compile(fn, [1.0])
    message = r"log: domain error in sample 2 at node 'y' \(data=-1.0\): needs a value > 0"
    with pytest.raises(ag.DomainError, match=message):
        prog(np.array([1.0, 2.0, -1.0]))
    div = ag.compile(lambda x: 1.0 / (w * x), [1.0])
    with pytest.raises(ZeroDivisionError, match=r"div: domain error.*division by zero"):
        div(np.array([1.0, 0.0]))
    big = ag.compile(lambda x: (w * x).exp(), [1.0])
    with pytest.raises(OverflowError, match="exp: result too large in sample 1"):
        big(np.array([1.0, 1000.0]))


def test_values_reads_recorded_nodes_from_the_last_call():
    w, b = Value(2.0, "w"), Value(-1.0, "b")
    seen = {}

    def fn(x):
        seen["z"] = ag.dot([w], [x])  # read against a parameter: a matrix product
        seen["a"] = (seen["z"] + b).relu()
        return seen["a"] * 3.0

    prog = ag.compile(fn, [1.0])
    with pytest.raises(RuntimeError, match="call the program first"):
        prog.values([seen["a"]])
    prog(np.array([0.0, 1.0, 2.0]))
    got = prog.values([seen["z"], seen["a"], b, w, prog.inputs[0]])
    assert got.tolist() == [[0.0, 2.0, 4.0], [0.0, 1.0, 3.0], [-1.0] * 3, [2.0] * 3,
                            [0.0, 1.0, 2.0]]
    with pytest.raises(ValueError, match="not in the recorded graph"):
        prog.values([Value(1.0)])


# -- data-dependent control flow ----------------------------------------------------
def test_branching_on_a_traced_value_raises_a_clear_error():
    def branchy(x):
        return x if x > 0 else -x

    with pytest.raises(TracingError, match="scalar engine"):
        ag.compile(branchy, [1.0])
    with pytest.raises(TracingError, match="depends on the data"):
        ag.compile(lambda x, y: max(x * 2, y), [1.0, 2.0])
    with pytest.raises(TracingError):
        ag.compile(lambda x: x * 2 if x else x, [1.0])
    assert ag.value.tracer.get() is None  # restored after the error
    assert branchy(Value(-3.0)).data == 3.0  # the scalar engine still branches


USES = {  # a way to use a Value's number: (the use, what the error calls it)
    ".data": (lambda v: v.data, "reading .data"),
    "item()": (lambda v: v.item(), "item()"),
    "float()": (lambda v: float(v), "float()"),
    "int()": (lambda v: int(v), "int()"),
    "bool()": (lambda v: bool(v), "a truth test"),
    "math.exp": (lambda v: math.exp(v), "float() (or a math function"),
    "math.isfinite": (lambda v: math.isfinite(v), "float() (or a math function"),
    "round via float": (lambda v: round(float(v), 3), "float()"),
    "x > 0": (lambda v: v > 0, "a comparison"),
    "0 < x": (lambda v: operator.lt(0, v), "a comparison"),  # reflected: v.__gt__(0)
    "a Constant < x": (lambda v: Constant(0.0) < v, "float()"),
    "a Value <= x": (lambda v: Value(0.0) <= v, "a comparison"),
    "builtin max": (lambda v: max(v, Value(0.0)), "a comparison"),
    "detach()": (lambda v: v.detach(), "detach()"),
}


@pytest.mark.parametrize("use", sorted(USES))
@pytest.mark.parametrize("on_the_input", [False, True])
def test_using_the_number_of_a_traced_value_raises(use, on_the_input):
    """Each would bake the example's number (or branch) into the replay of every sample."""
    w = Value(2.0, "w")
    read, what = USES[use]

    def fn(x):
        y = w * x
        y.label = "y"
        read(x if on_the_input else y)
        return y.tanh()

    node = "node 'input0'" if on_the_input else "node 'y'"
    with pytest.raises(TracingError, match=re.escape(what) + f".*{node}.*depends on the data"
                       r".*scalar engine.*compiled=False"):
        ag.compile(fn, [1.0])
    assert ag.value.tracer.get() is None  # restored after the error
    read(w * Value(1.0))  # the scalar engine allows them all


def test_the_engine_reads_traced_values_and_anyone_may_after_tracing():
    w = Value(2.0, "w")
    seen = {}

    def fn(x):
        y = w * x
        seen["repr"] = repr(y)  # the engine's own reads: repr, dot's partners, errors
        seen["y"] = y
        c = w * 3.0  # computed from parameters only: the same for every sample
        assert c.data == 6.0 and float(c) == 6.0 and c > 0
        return ag.dot([y, c], [x, 1.0]) + ag.max([y, c])

    prog = ag.compile(fn, [1.0])
    assert seen["repr"].startswith("Value(data=2,")
    y = seen["y"]
    assert type(y).__name__ == "TracedValue" and isinstance(y, Value)
    assert (y.data, float(y), int(y), bool(y), y > 1.0, y.item()) == (2.0, 2.0, 2, True, True, 2.0)
    y.data = 5.0  # the setter writes the slot
    assert y.data == 5.0 and y.detach().data == 5.0
    assert prog.output.data == 2.0 * 1.0 + 6.0 + 6.0
    assert prog(np.array([1.0, 4.0])).tolist() == [14.0, 8.0 * 4.0 + 6.0 + 8.0]


def test_a_node_under_no_grad_computed_from_the_inputs_is_refused():
    def fn(x):
        with ag.no_grad():
            shift = x * 2.0  # a leaf holding the example's number
        return x - shift

    with pytest.raises(TracingError, match=r"no_grad\(\).*node 'input0'"):
        ag.compile(fn, [1.0])

    def params_only(x):
        w = Value(3.0)
        with ag.no_grad():
            scale = w * 2.0  # no input involved: fine
        return x * scale

    assert ag.compile(params_only, [1.0])(2.0) == 12.0


def test_branching_on_parameters_or_constants_is_not_data_dependent():
    w = Value(-2.0)
    c = w * 3  # a node made from parameters only

    def fn(x):
        scale = w if w < 0 else -w  # parameters are not data
        return (scale * x if c <= 0 else x).relu() + abs(x)  # relu and abs are ops

    prog = ag.compile(fn, [1.0])
    assert prog(np.array([-1.0, 0.5, 2.0])).tolist() == [3.0, 0.5, 2.0]


# -- the graph is the scalar graph ----------------------------------------------------
def test_the_program_exposes_the_recorded_graph():
    w = Value(0.5, "w")
    prog = ag.compile(lambda x: (w * x).tanh(), [2.0])
    assert prog.output.op == "tanh" and prog.output.data == math.tanh(1.0)
    assert prog.graph[-1] is prog.output
    assert set(prog.graph) == set(ag.topological_order(prog.output))
    steps = list(ag.steps(prog.output))  # it can be stepped and drawn like any other
    assert {st.node for st in steps} == set(prog.graph)
    assert "tanh" in ag.draw(prog.output).source
    w.grad = 0.0
    prog.output.backward()  # and backpropagated on the scalar engine
    assert w.grad == pytest.approx(2.0 * (1 - math.tanh(1.0) ** 2), rel=1e-15)
    assert isinstance(prog, Program) and "1 parameters" in repr(prog)


# -- importing -----------------------------------------------------------------------
def test_import_autograd_does_not_import_numpy():
    code = ("import sys, autograd; assert 'numpy' not in sys.modules; "
            "autograd.compile; assert 'numpy' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_star_import_works_without_numpy_and_keeps_builtin_compile():
    code = ("import sys; sys.modules['numpy'] = None; import builtins; "
            "from autograd import *; assert compile is builtins.compile; "
            "assert (Value(2.0) * 3).data == 6.0; "
            "assert 'numpy' not in sys.modules or sys.modules['numpy'] is None")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_autograd_compile_is_the_function_of_autograd_compiled():
    code = ("import autograd.compiled, autograd; from autograd.compiled import Program; "
            "p = autograd.compile(lambda x: x * 2, [1.0]); assert p(3.0) == 6.0; "
            "assert isinstance(p, Program); "
            "assert autograd.compile is autograd.compiled.compile")
    subprocess.run([sys.executable, "-c", code], check=True)
    # no submodule shares the function's name
    assert importlib.util.find_spec("autograd.compile") is None


# -- nn.fit(..., compiled=True) ------------------------------------------------------
FIT_CASES = {  # data, hidden activation, layer sizes, loss, optimizer, fit options
    "spiral, relu, cross_entropy on class indices, SGD": (
        "spiral", "relu", [12, 12, 3], "cross_entropy", ("SGD", {"lr": 0.2}),
        {"batch_size": 16}),
    "moons, tanh, hinge with -1/+1 labels, momentum, l2 and clipping": (
        "moons", "tanh", [8, 1], "hinge", ("SGD", {"lr": 0.05, "momentum": 0.9}),
        {"batch_size": 10, "l2": 1e-3, "clip_norm": 1.0}),
    "xor, sigmoid, binary_cross_entropy, Adam, one big batch": (
        "xor", "sigmoid", [6, 1], "binary_cross_entropy", ("Adam", {"lr": 0.01}),
        {"batch_size": None}),
}


def _train(case, compiled):
    import nn

    data_name, activation, nouts, loss, (opt, opt_args), options = FIT_CASES[case]
    extra = {"labels": (-1, 1)} if loss == "hinge" else {}
    data = getattr(nn.datasets, data_name)(60, seed=3, **extra)
    model = nn.MLP(2, nouts, activation=activation, seed=7)
    before = [p.data for p in model.parameters()]
    optimizer = getattr(nn.optim, opt)(model.parameters(), **opt_args)
    history = nn.fit(model, getattr(nn, loss), optimizer, data, epochs=3, seed=11,
                     progress=False, compiled=compiled, **options)
    return before, [p.data for p in model.parameters()], history


@pytest.mark.parametrize("case", sorted(FIT_CASES))
def test_three_epochs_compiled_end_with_the_scalar_engines_weights(case):
    before, weights, history = _train(case, compiled=False)
    _, weights_c, history_c = _train(case, compiled=True)
    assert np.max(np.abs(np.subtract(weights, before))) > 1e-3  # training moved them
    np.testing.assert_allclose(weights_c, weights, rtol=0, atol=1e-9)
    np.testing.assert_allclose(history_c.train_loss, history.train_loss, rtol=1e-9)
    assert history_c.train_accuracy == history.train_accuracy


def test_fit_compiled_refuses_a_model_that_branches_on_its_data():
    import nn

    class Branchy(nn.Module):
        def __init__(self):
            self.w = Value(0.5)

        def forward(self, x):
            return self.w * x[0] if x[0] > 0 else -self.w * x[0]

    model = Branchy()
    data = ([[1.0], [-2.0]], [1.0, 2.0])
    with pytest.raises(TracingError, match="scalar engine"):
        nn.fit(model, nn.mse, nn.optim.SGD(model.parameters(), lr=0.1), data, epochs=1,
               progress=False, compiled=True)
    with pytest.warns(UserWarning, match="scalar engine"):  # the default falls back to it
        nn.fit(model, nn.mse, nn.optim.SGD(model.parameters(), lr=0.1), data, epochs=1,
               progress=False)  # the scalar engine trains it


def test_fit_compiled_refuses_a_loss_that_reads_data():
    import nn

    def shifted_mse(out, t):
        o = out[0] if isinstance(out, list) else out
        return nn.mse(o - o.data + 1.0, t)  # .data: the traced sample's number

    model = nn.MLP(1, [1], activation="linear", seed=0)
    data = ([[1.0], [-2.0], [0.5]], [1.0, 2.0, 0.0])
    with pytest.raises(TracingError, match=r"reading \.data.*compiled=False"):
        nn.fit(model, shifted_mse, nn.optim.SGD(model.parameters(), lr=0.1), data, epochs=1,
               progress=False, compiled=True)
    with pytest.warns(UserWarning, match="scalar engine"):  # the default falls back to it
        history = nn.fit(model, shifted_mse, nn.optim.SGD(model.parameters(), lr=0.1), data,
                         epochs=1, progress=False)
    assert len(history.train_loss) == 1


@pytest.mark.parametrize("far", [700.0, 1000.0, -1000.0])
def test_softmax_and_cross_entropy_replay_far_from_the_traced_sample(far):
    """The shift is a max node, so each sample is shifted by its own largest logit;
    it used to be the traced sample's number, and exp overflowed past ~700."""
    import nn

    w = Value(1.0, "w")

    def ce(x, t0, t1, t2):
        logits = [w * x, 0.5 * w * x, w * x - 3.0]
        return nn.cross_entropy(logits, [t0, t1, t2])

    def soft(x):
        return nn.functional.softmax([w * x, 0.5 * w * x, w * x - 3.0])[1]

    batch = [[far, 1.0, 0.0, 0.0], [far + 5.0, 0.0, 1.0, 0.0], [0.3, 0.0, 0.0, 1.0]]
    assert_matches(ce, [w], batch, example=[0.0, 1.0, 0.0, 0.0])
    assert_matches(soft, [w], [[far], [-far], [0.25]], example=[0.0])


def test_compiled_batch_step_checks_its_batches():
    import nn

    model = nn.MLP(2, [3], activation="linear", seed=0)
    step = nn.compiled_batch_step(model, nn.cross_entropy)
    result = step([[0.5, -1.0], [1.0, 2.0]], [2, 0])
    outputs = [model([0.5, -1.0]), model([1.0, 2.0])]
    assert result.outputs == [[v.data for v in out] for out in outputs]
    want = (nn.cross_entropy(outputs[0], 2).data + nn.cross_entropy(outputs[1], 0).data) / 2
    assert result.loss == pytest.approx(want, rel=1e-12)
    with pytest.raises(ValueError, match="class indices"):
        step([[0.5, -1.0]], [3])
    with pytest.raises(ValueError, match="same number of inputs"):
        step([[0.5, -1.0], [1.0]], [0, 1])
    with pytest.raises(ValueError, match="2 inputs"):
        step([[0.5, -1.0, 2.0]], [0])
