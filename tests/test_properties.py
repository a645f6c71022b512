"""Properties of the engine over random graphs (autograd.testing.expressions) and random
MLPs (nn.testing.mlps).

Finite differences (eps = 1e-6) err in two ways, and the tolerances follow:

- rounding: f is known to a few ulps of the values it adds up, so the quotient
  is off by about 1e-16 * F / eps, where F = max(1, max |node value|).
  ``ROUNDOFF * F`` covers that for every op.
- truncation: eps**2 / 6 * |f'''|, zero for (piecewise) linear ops. ``FD_RTOL``
  gives it per op, relative to max(|numeric|, gradient_scale) (gradient_scale:
  the sum over paths of |product of local derivatives|, so a gradient that
  cancels to almost 0 is judged on the size of the terms that cancelled).
  A graph is held to the loosest tolerance among its ops.

Measured on 600 graphs per op (ops=[op]): beyond 2e-10 * F, the worst relative
error was 5e-11 (pow_const), so each tolerance has a margin of 100x or more.
"""

import math

import pytest
from conftest import examples
from hypothesis import given
from hypothesis import strategies as st

from autograd import OPS, Value, grad, gradcheck, gradgradcheck, topological_order
from autograd.check import UNDEFINED
from autograd.testing import expressions, gradient_scale, recipe
from nn.testing import mlps

ROUNDOFF = 1e-9
TINY = 1e-300  # below this float64 is subnormal and loses relative precision
EXACT = 1e-9  # (piecewise) linear: central differences are exact but for rounding
SMOOTH = 1e-7  # truncation eps**2 |f'''| / 6 with |f'''| up to ~1e4 on the generated ranges
FD_RTOL = {
    "add": EXACT, "sub": EXACT, "neg": EXACT, "sum": EXACT, "dot": EXACT,
    "relu": EXACT, "leaky_relu": EXACT, "abs": EXACT, "max": EXACT, "min": EXACT,
    "mul": 1e-8,  # degree-2 pieces; products of products have small f'''
    "pow_const": SMOOTH, "div": SMOOTH, "pow": SMOOTH, "exp": SMOOTH, "log": SMOOTH,
    "sqrt": SMOOTH, "tanh": SMOOTH, "sigmoid": SMOOTH, "softplus": SMOOTH,
    "sin": SMOOTH, "cos": SMOOTH,
}


def test_every_op_has_a_documented_tolerance():
    assert set(FD_RTOL) == set(OPS)
    assert all(recipe(op) is not None for op in OPS)


def tolerances(out, leaves, ops):
    scale = max(gradient_scale(out, leaves), default=0.0)
    magnitude = max([1.0] + [abs(n.data) for n in topological_order(out)])
    rtol = max(FD_RTOL[op] for op in ops)
    return rtol, ROUNDOFF * magnitude + rtol * scale


@examples(300)
@given(expressions(max_nodes=10))
def test_gradient_matches_finite_differences(case):
    out, leaves = case.graph()
    rtol, atol = tolerances(out, leaves, case.ops)
    report = gradcheck(case, case.point, eps=1e-6, atol=atol, rtol=rtol)
    assert report, f"{case}\n{report}"
    assert not [r for r in report.rows if r.status == UNDEFINED]  # the guards hold at x ± eps
    if report.unchecked:  # reported at a kink: the kink must be real and near
        assert case.kink_distance() < 1e-2, f"{case}\n{report}"


@examples(100)
@given(expressions(max_nodes=8, max_inputs=2))
def test_second_derivatives_match_finite_differences_of_the_gradient(case):
    out, leaves = case.graph()
    firsts = grad(out, leaves, create_graph=True)
    rtol = max(FD_RTOL[op] for op in case.ops)
    scale = max(s for g in firsts for s in gradient_scale(g, leaves) or [0.0])
    magnitude = max([1.0] + [abs(n.data) for g in firsts for n in topological_order(g)])
    report = gradgradcheck(case, case.point, eps=1e-6, rtol=10 * rtol,
                           atol=10 * (ROUNDOFF * magnitude + rtol * scale))
    assert report, f"{case}\n{report}"


@examples(200)
@given(expressions(max_nodes=10))
def test_grad_and_backward_agree_and_backward_twice_is_twice(case):
    out, leaves = case.graph()
    g = grad(out, leaves)
    assert all(x.grad == 0.0 for x in leaves)  # grad leaves .grad alone
    out.backward()
    assert [x.grad for x in leaves] == g
    out.backward()
    assert [x.grad for x in leaves] == [2 * v for v in g]


@examples(200)
@given(expressions(max_nodes=10))
def test_create_graph_gives_the_same_first_derivatives(case):
    out, leaves = case.graph()
    plain = grad(out, leaves)
    symbolic = grad(out, leaves, create_graph=True)
    for p, s, scale in zip(plain, symbolic, gradient_scale(out, leaves)):
        assert isinstance(s, Value)
        assert abs(s.data - p) <= 1e-12 * max(abs(p), scale) + TINY, (str(case), p, s.data)


def build(case, k=None):
    """The case's graph, every node of it in case.nodes order, and with node k
    (an operation) replaced by its detached copy when k is given."""
    leaves = [Value(p, n) for p, n in zip(case.point, case.names)]
    vals = list(leaves)
    for i, node in enumerate(case.nodes):
        v = node.build([vals[a] if isinstance(a, int) else a for a in node.args])
        vals.append(v.detach() if i == k else v)
    return leaves, vals


@examples(200)
@given(expressions(max_nodes=10), st.data())
def test_detaching_a_node_removes_exactly_the_paths_through_it(case, data):
    """d out/dx = (d out/dx with t detached) + d out/dt * dt/dx."""
    k = data.draw(st.integers(0, case.size - 1), label="detached node")
    n = len(case.names)
    leaves, vals = build(case)
    out, t = vals[-1], vals[n + k]
    through_t = grad(out, [t])[0]
    dt = grad(t, leaves)
    cut_leaves, cut_vals = build(case, k)
    cut = cut_vals[-1]
    assert cut.data == out.data and cut_vals[n + k].is_leaf
    assert cut_vals[n + k].data == t.data
    full = grad(out, leaves)
    rest = grad(cut, cut_leaves)
    for f, r, d, scale in zip(full, rest, dt, gradient_scale(out, leaves)):
        assert abs(f - (r + through_t * d)) <= 1e-12 * max(abs(f), scale) + TINY, str(case)


@examples(200)
@given(expressions(max_nodes=6), expressions(max_nodes=6),
       st.floats(-3, 3, allow_subnormal=False), st.floats(-3, 3, allow_subnormal=False))
def test_gradient_is_linear(f, g, a, b):
    """∇(a·f + b·g) = a∇f + b∇g, with f and g built on the same input leaves."""
    n = max(len(f.names), len(g.names))
    point = [*f.point, *g.point[len(f.names):]]  # g's extra inputs keep g's values
    leaves = [Value(p) for p in point]
    fv, gv = f(*leaves[: len(f.names)]), g(*leaves[: len(g.names)])
    h = a * fv + b * gv
    lhs = grad(h, leaves)
    df, dg = grad(fv, leaves), grad(gv, leaves)
    sf, sg = gradient_scale(fv, leaves), gradient_scale(gv, leaves)
    for i in range(n):
        rhs = a * df[i] + b * dg[i]
        scale = abs(a) * sf[i] + abs(b) * sg[i]
        assert abs(lhs[i] - rhs) <= 1e-12 * max(abs(rhs), scale) + TINY, (str(f), str(g), a, b)


def with_parameters(case, params):
    """The case's network with its weights and biases replaced by ``params``, in order."""
    model = case.model()
    it = iter(params)
    for layer in model.layers:
        for neuron in layer.neurons:
            neuron.w = [next(it) for _ in neuron.w]
            neuron.b = next(it)
    return model


@examples(60)
@given(mlps(max_inputs=3, max_hidden_layers=2, max_width=4))
def test_mlp_gradients_match_finite_differences(case):
    # with respect to the inputs
    report = gradcheck(case, case.inputs, atol=1e-8, rtol=1e-6)
    assert report, f"{case!r}\n{report}"
    # with respect to every weight and bias, as backward() fills .grad
    model = case.model()
    out = model(list(case.inputs))
    out.backward()
    params = model.parameters()
    report = gradcheck(lambda *ps: with_parameters(case, ps)(list(case.inputs)),
                       [p.data for p in params], atol=1e-8, rtol=1e-6)
    assert report, f"{case!r}\n{report}"
    assert [p.grad for p in params] == pytest.approx([r.analytic for r in report.rows],
                                                     rel=1e-12, abs=1e-15)
    assert len(params) == case.size and math.isfinite(out.data)
