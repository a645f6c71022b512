"""autograd.testing and nn.testing: the strategies themselves (coverage, reuse, domains,
printing, shrinking), their interval bounds and the SymPy oracle's forms."""

import math
import subprocess
import sys
from random import Random

import pytest
from conftest import examples
from hypothesis import find, given, settings
from hypothesis import strategies as st

import autograd.ops
from autograd import OPS, Value, grad, gradcheck, ops, topological_order
from autograd.check.bounds import INTERVAL, UNBOUNDED, UNDECIDED, Interval
from autograd.check.strategies import bound
from autograd.expr import evaluate
from autograd.testing import (
    BOUND,
    GUARD,
    SATURATION,
    Expression,
    Node,
    expressions,
    gradient_scale,
    recipe,
    rounding_scale,
    values,
)
from nn.testing import mlps

QUICK = settings(database=None, derandomize=True, max_examples=2000)  # for find()
SEEDED = settings(database=None, max_examples=2000)  # for find(..., random=Random(i))


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter (imports as a new user's process sees them),
    assert it succeeded, and return what it printed."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return done


def test_import_autograd_needs_no_hypothesis_nor_sympy():
    code = (
        "import sys\n"
        "sys.modules['hypothesis'] = None  # as if they were not installed\n"
        "sys.modules['sympy'] = None\n"
        "import autograd, autograd.check, nn\n"
        "assert autograd.gradcheck(lambda x: x * x, [1.0])\n"
        "assert autograd.check.check_expression('x * y', {'x': 1.0, 'y': 2.0})[0]\n"
        "for name in ('autograd.testing', 'nn.testing'):\n"
        "    try:\n"
        "        __import__(name)\n"
        "    except ImportError as e:\n"
        "        print(e)\n"
    )
    done = run_python(code)
    lines = done.stdout.splitlines()
    assert len(lines) == 2 and all("memograd[test]" in e and "hypothesis" in e for e in lines)


def test_the_strategies_import_sympy_only_for_a_sympy_form():
    code = (
        "import sys\n"
        "from autograd.testing import expressions, rounding_scale\n"
        "import nn.testing\n"
        "assert 'sympy' not in sys.modules\n"
        "from autograd.testing import Expression, Node\n"
        "Expression(['x'], [1.0], [Node('exp', (0,))]).sympy()\n"
        "assert 'sympy' in sys.modules\n"
    )
    run_python(code)


def test_every_op_has_a_recipe():
    missing = [op for op in OPS if recipe(op) is None]
    assert not missing, "add a recipe to autograd.check.strategies.RECIPES for each new op"


CUBE = ops.Op("cube", "cube", 1, lambda m, xs, c: xs[0] ** 3,
              lambda m, xs, z, c: (3.0 * xs[0] * xs[0],), function="cube")


def test_a_new_op_in_the_table_needs_nothing_else(monkeypatch):
    """An op with no domain and no constants: drawn, bounded, in SymPy and parsed."""
    import sympy as sp

    monkeypatch.setitem(autograd.ops.TABLE, "cube", CUBE)
    case = find(expressions(), lambda c: "cube" in c.ops, settings=QUICK)
    assert str(case) == "cube(x)" and gradcheck(case, case.point)
    out, _ = case.graph()
    assert out.op == "cube" and out.data == case.point[0] ** 3
    # its bound is its own forward rule on intervals: x**3 is monotone
    assert (bound("cube", [Interval(-2.0, 1.0)]).lo, bound("cube", [Interval(-2.0, 1.0)]).hi) \
        == (-8.0, 1.0)
    expr, (x,) = case.sympy()
    assert expr == x**3 and sp.diff(expr, x) == 3 * x**2
    assert evaluate("cube(x)", {"x": 2.0}).data == 8.0
    case = find(expressions(ops=["cube"]), lambda c: c.size >= 3, settings=QUICK)
    assert case.ops == {"cube", "sum"}  # cube(cube(x)) could reach 512: two joined by a sum


def test_a_new_op_with_a_domain_needs_a_recipe(monkeypatch):
    root = ops.Op("root", "root", 1, lambda m, xs, c: m.sqrt(xs[0]),
                  lambda m, xs, z, c: (0.5 / z,), domain=ops.SQRT.domain, function="root")
    monkeypatch.setitem(autograd.ops.TABLE, "root", root)
    with pytest.raises(ValueError, match="'root' has no recipe: it has a domain"):
        expressions()
    expressions(ops=["exp", "sqrt"])  # the others are still drawn: no error


@pytest.mark.parametrize("kwargs, message", [
    ({"ops": ["nope"]}, "unknown op 'nope'"),
    ({"ops": []}, "ops is empty"),
    ({"ops": ["log"], "max_nodes": 2}, "max_nodes must be an int >= 3"),
    ({"max_nodes": 0}, "max_nodes"),
    ({"max_inputs": 0}, "max_inputs"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        expressions(**kwargs)


@pytest.mark.parametrize("op", list(OPS))
def test_each_op_is_generated_and_builds_that_engine_op(op):
    @examples(10)
    @given(expressions(ops=[op], max_nodes=4))
    def check(case):
        out, _ = case.graph()
        assert op in case.ops and op in {n.op for n in topological_order(out)}

    check()


def test_a_default_run_covers_every_op():
    seen: set[str] = set()

    @examples(300)
    @given(expressions())
    def collect(case):
        seen.update(case.ops)

    collect()
    assert seen == set(OPS)


def test_graphs_reuse_nodes():
    stats = {"big": 0, "shared": 0}

    @examples(200)
    @given(expressions(max_nodes=10))
    def collect(case):
        if case.size >= 5:
            stats["big"] += 1
            stats["shared"] += case.shared > 0

    collect()
    assert stats["big"] >= 50 and stats["shared"] >= 0.25 * stats["big"], stats
    case = find(expressions(), lambda c: c.shared >= 2, settings=QUICK)
    assert str(case).startswith("t1 = ") and "t2 = " in str(case)


@examples(200)
@given(expressions(max_nodes=12), st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_every_node_stays_bounded_and_inside_its_domain_over_the_whole_box(case, other):
    """Interval arithmetic bounds every input in [-2, 2], not only the drawn one."""
    for point in (case.point, other[: len(case.names)]):
        out = case(*point)
        nodes = topological_order(out)
        assert case.size == sum(1 for n in nodes if not n.is_leaf)
        for n in nodes:
            # only a final sum joining unused nodes may exceed BOUND
            bound = BOUND * len(n.parents) if n is out and n.op == "sum" else BOUND
            assert abs(n.data) <= bound and math.isfinite(n.data)
            if n.op in ("log", "sqrt") or (n.op == "div"):
                assert n.parents[-1].data >= GUARD
            if n.op == "pow" and not n.parents[0].is_leaf:
                assert n.parents[0].data >= GUARD
            if n.op in ("tanh", "sigmoid"):
                assert abs(n.parents[0].data) <= SATURATION


@examples(200)
@given(expressions(max_nodes=10))
def test_printed_expression_parses_back_to_the_same_graph(case):
    out, leaves = case.graph()
    # the let form: evaluate each "t1 = ..." line, then the last: the very same graph
    env = {n: Value(p, n) for n, p in zip(case.names, case.point)}
    *bindings, last = case.lines()
    for line in bindings:
        name, text = line.split(" = ", 1)
        env[name] = evaluate(text, env)
    again = evaluate(last, env)
    assert again.data == out.data
    assert [n.op for n in topological_order(again)] == [n.op for n in topological_order(out)]
    assert grad(again, [env[n] for n in case.names]) == grad(out, leaves)
    # inline, shared nodes are written out each time: the same function
    inline = evaluate(case.inline(), dict(zip(case.names, case.point)))
    assert inline.data == out.data
    assert "\n" not in repr(case) and all(f"{n}={p!r}" in repr(case)
                                          for n, p in zip(case.names, case.point))


@examples(100)
@given(expressions(max_nodes=8))
def test_sympy_form_is_the_same_function(case):
    import sympy as sp

    expr, symbols = case.sympy()
    exact = float(expr.xreplace({s: sp.Float(p, 40) for s, p in zip(symbols, case.point)}))
    assert exact == pytest.approx(case(*case.point).data, rel=1e-12, abs=1e-12)


def test_shrinking_gives_small_readable_counterexamples():
    # Hypothesis's shrinker is a heuristic whose path depends on the run (the seed, and
    # caches that earlier searches in the process leave), and it can stop one or two
    # nodes short; so take the smallest of a few searches: one reaches the minimal case
    cases = [find(expressions(), lambda c: "log" in c.ops, settings=SEEDED, random=Random(i))
             for i in range(5)]
    case = min(cases, key=lambda c: (c.size, str(c)))
    assert str(case) == "log(x*x + 0.1)" and case.size == 3, [str(c) for c in cases]
    assert repr(case) == "Expression('log(x*x + 0.1)', x=0.0)"
    assert all(c.size <= 8 for c in cases)
    case = find(expressions(), lambda c: c.shared >= 1, settings=QUICK)
    assert case.size <= 4 and str(case).startswith("t1 = "), str(case)


def test_shrinking_finds_the_broken_op(monkeypatch):
    """With sin's rule broken, hypothesis boils a failing random graph down to sin alone."""
    wrong = ops.Op("sin", "sin", 1, ops.SIN.forward, lambda m, xs, z, c: (m.sin(xs[0]),))
    monkeypatch.setitem(ops.TABLE, "sin", wrong)  # generated graphs build from the table
    case = find(expressions(), lambda c: not gradcheck(c, c.point), settings=QUICK)
    assert str(case) == "sin(x)", str(case)


def test_kink_margin_keeps_kinks_away():
    @examples(100)
    @given(expressions(ops=["relu", "abs", "leaky_relu", "sub"], kink_margin=1e-3))
    def check(case):
        assert case.kink_distance() > 1e-3

    check()
    assert Expression(["x"], [0.0], [Node("abs", (0,))]).kink_distance() == 0.0
    assert Expression(["x"], [0.5], [Node("exp", (0,))]).kink_distance() == math.inf


def test_expression_by_hand():
    # t1 = x*y used twice, plus a constant and a sum
    case = Expression(["x", "y"], [2.0, 3.0], [
        Node("mul", (0, 1)), Node("sin", (2,)), Node("sum", (2, 3, 2), (0.5,))])
    assert str(case) == "t1 = x*y\nsum([t1, sin(t1), t1, 0.5])"
    assert case.inline() == "sum([x*y, sin(x*y), x*y, 0.5])"
    assert case.size == 3 and case.shared == 1 and case.uses() == [1, 1, 3, 1, 0]
    out, (x, _) = case.graph()
    out.backward()
    assert out.data == 12.5 + math.sin(6.0)
    assert x.grad == pytest.approx(3 * (2 + math.cos(6.0)), rel=1e-15)
    with pytest.raises(TypeError, match="takes 2 inputs"):
        case(1.0)


def test_max_and_min_by_hand():
    """Written with a list, as the parser reads them; bounded by the operands' bounds; in
    SymPy as Max/Min; a tie is a kink at distance 0."""
    import sympy as sp

    case = Expression(["x", "y"], [2.0, -1.0], [
        Node("mul", (0, 1)), Node("max", (0, 2, 0.5)), Node("min", (3, 1))])
    assert str(case) == "min([max([x, x*y, 0.5]), y])"
    out, (x, y) = case.graph()
    assert out.op == "min" and out.data == -1.0
    assert evaluate(case.inline(), {"x": 2.0, "y": -1.0}).data == -1.0
    assert grad(out, [x, y]) == [0.0, 1.0]
    assert case.kink_distance() == 1.5  # max picks x = 2, 0.5 the nearest rival; min: 3
    expr, (sx, sy) = case.sympy()
    assert expr == sp.Min(sp.Max(sx, sx * sy, sp.Rational(1, 2)), sy)
    assert repr(bound("max", [Interval(-2.0, 1.0), Interval(0.0, 0.5), 0.25])) \
        == "Interval(0.25, 1.0)"
    assert repr(bound("min", [Interval(-2.0, 1.0), Interval(0.0, 0.5)])) == "Interval(-2.0, 0.5)"
    tie = Expression(["x", "y"], [1.0, 1.0], [Node("max", (0, 1))])
    assert tie.kink_distance() == 0.0 and not list(expressions_with_margin(tie))


def expressions_with_margin(case):
    """``case`` unless kink_margin=1e-9 would reject it (as expressions(kink_margin=) does)."""
    return [case] if case.kink_distance() > 1e-9 else []


@examples(100)
@given(expressions(ops=["max", "min", "mul", "sub"], kink_margin=1e-3))
def test_max_and_min_are_drawn_n_ary_with_nodes_reused_and_ties_kept_away(case):
    out, _ = case.graph()
    for n in topological_order(out):
        if n.op in ("max", "min"):
            assert len(set(n.parents)) == len(n.parents)  # no node twice: no built-in tie
    assert case.kink_distance() > 1e-3


def test_max_and_min_get_several_operands():
    case = find(expressions(ops=["max"]), lambda c: any(
        len(n.args) >= 3 and all(isinstance(a, int) for a in n.args) for n in c.nodes),
        settings=QUICK)
    assert str(case).startswith("max([") and case.size <= 2, str(case)


@examples(50)
@given(values(-1.0, 1.0, label="w"))
def test_values_strategy(v):
    assert isinstance(v, Value) and -1.0 <= v.data <= 1.0 and v.label == "w" and v.is_leaf


def test_gradient_scale_counts_every_path_without_cancelling():
    x = Value(1e-6)
    out = x.tanh() - x  # d/dx = -tanh(x)**2, tiny; the two paths are about 1 each
    assert gradient_scale(out, [x])[0] == pytest.approx(2.0, rel=1e-11)


def test_rounding_scale_sees_values_rounded_away():
    x, y = Value(1.0), Value(1e-200)
    a = x.exp() ** y  # e**y rounds to exactly 1.0
    out = a ** y      # e**(y*y): d/dy = 2y, but the path through the exponent is y * log(a) = 0
    assert a.data == 1.0 and grad(out, [y]) == [1e-200]  # half of the exact 2e-200
    assert gradient_scale(out, [y]) == [1e-200]
    assert rounding_scale(out, [y])[0] >= 1.0  # d(gradient)/da * |a|: the lost digits show


@examples(100)
@given(expressions(max_nodes=8))
def test_rounding_scale_includes_the_backward_scale(case):
    out, leaves = case.graph()
    for r, g in zip(rounding_scale(out, leaves), gradient_scale(out, leaves)):
        assert r >= g


@examples(30)
@given(mlps(max_inputs=2, max_hidden_layers=2, max_width=3))
def test_mlps_are_nn_mlps_with_inputs(case):
    model = case.model()
    assert model.num_parameters() == case.size
    assert model.sizes == list(case.sizes) and case.sizes[-1] == 1
    assert case(*case.inputs).data == model(list(case.inputs)).data
    assert repr(case).startswith(f"MLPCase(MLP({case.sizes[0]}, ")


def test_mlps_shrink_to_the_smallest_network():
    case = find(mlps(), lambda c: True, settings=QUICK)
    assert repr(case) == "MLPCase(MLP(1, [1], activation='sigmoid', seed=0), inputs=[0.0])"
    with pytest.raises(ValueError, match="unknown activations"):
        mlps(activations=["swish"])


# -- the interval bounds --------------------------------------------------------
ELEMENTWISE = [name for name, op in OPS.items() if op.arity in (1, 2)]
CTX = {"pow_const": st.sampled_from([2.0, 3.0, -1.0, 0.5, -2.0, 1.5, -0.5, 0.0]).map(
    lambda k: (k,)), "leaky_relu": st.sampled_from([0.1, 0.01, 0.2]).map(lambda s: (s,))}


@st.composite
def interval_and_point(draw):
    lo, hi = sorted(draw(st.floats(-10, 10, allow_subnormal=False)) for _ in range(2))
    at = draw(st.sampled_from([lo, hi]) | st.floats(lo, hi, allow_subnormal=False))
    return Interval(lo, hi), at


@examples(2000)
@given(st.sampled_from(ELEMENTWISE), st.data())
def test_an_ops_bound_holds_every_value_it_takes(name, data):
    """The op's forward rule on intervals bounds its float forward at any point inside."""
    op = OPS[name]
    ctx = data.draw(CTX.get(name, st.just(op.defaults)), label="ctx")
    drawn = [data.draw(interval_and_point(), label="operand") for _ in range(op.arity)]
    if op.arity == 2 and data.draw(st.booleans(), label="same node twice"):
        drawn[1] = drawn[0]  # x*x, x - x: one Interval object, one point
    ivs, xs = [iv for iv, _ in drawn], tuple(x for _, x in drawn)
    if op.outside_domain(ops.FLOAT, xs, ctx):
        return
    try:
        z = op.forward(ops.FLOAT, xs, ctx)
    except (ArithmeticError, ValueError):
        return
    b = bound(name, ivs, ctx)
    assert isinstance(z, float) and b.lo <= z <= b.hi, (name, ivs, xs, ctx, z, b)


def test_bounds_by_hand():
    x = Interval(-2.0, 2.0)

    def ends(iv):
        return iv.lo, iv.hi

    assert ends(x * x) == (0.0, 4.0) and ends(x * Interval(-2.0, 2.0)) == (-4.0, 4.0)
    assert ends(bound("relu", [x])) == (-2.0, 2.0)  # x < 0 is undecided: the hull of 0 and x
    assert ends(bound("relu", [Interval(0.5, 2.0)])) == (0.5, 2.0)
    assert ends(bound("relu", [Interval(-2.0, -1.0)])) == (0.0, 0.0)
    assert ends(bound("abs", [Interval(-3.0, 2.0)])) == (0.0, 3.0)
    assert ends(bound("cos", [Interval(-0.5, 0.5)])) == (math.cos(0.5), 1.0)
    assert ends(bound("sin", [Interval(-10.0, 10.0)])) == (-1.0, 1.0)
    assert ends(bound("exp", [Interval(0.0, 1.0)])) == (1.0, math.e)
    assert ends(bound("pow_const", [x], (3.0,))) == (-8.0, 8.0)
    assert ends(bound("pow_const", [x], (2.0,))) == (0.0, 4.0)
    assert ends(bound("dot", [x, 3.0, x, x])) == (-6.0, 10.0)  # 3x + x*x
    assert ends(bound("sum", [x, Interval(1.0, 2.0)], (0.5,))) == (-0.5, 4.5)
    for unbounded in (bound("div", [1.0, x]), bound("log", [x]), bound("sqrt", [x]),
                      bound("pow_const", [x], (-1.0,)), bound("pow_const", [x], (0.5,)),
                      bound("pow", [x, Interval(1.0, 2.0)]), bound("exp", [Interval(0, 1e4)])):
        assert ends(unbounded) in ((-math.inf, math.inf), (1.0, math.inf)), unbounded
    assert ends(bound("div", [1.0, Interval(0.5, 2.0)])) == (0.5, 2.0)
    assert UNBOUNDED.within(1e300) is False and Interval(-1.0, 1.0).within(1.0)
    assert (x < 3.0) is True and (x < -2.0) is False and (x < 0.0) is UNDECIDED
    assert (x >= -2.0) is True and (0.0 > x) is UNDECIDED  # noqa: SIM300 - the reflected one
    with pytest.raises(TypeError, match="undecided"):
        bool(x < 0.0)
    assert ends(INTERVAL.where(x < 0.0, 5.0, x)) == (-2.0, 5.0)
    with pytest.raises(ValueError, match="lo"):
        Interval(1.0, 0.0)
