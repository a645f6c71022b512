"""Hypothesis strategies for property tests of derivatives.

- ``values(min_value, max_value)``: ``Value`` leaves;
- ``expressions(max_nodes=8, ops=None)``: random computation graphs
  (``Expression``) that reuse sub-expressions and stay inside every op's domain;
- ``mlps(...)``: small ``nn.MLP`` networks with an input (``MLPCase``).

A property test of your own, for example::

    from hypothesis import given
    from autograd import gradcheck
    from autograd.testing import expressions

    @given(expressions(max_nodes=6))
    def test_engine_matches_finite_differences(case):
        assert gradcheck(case, case.point)

This is the only engine module that imports hypothesis (the ``test`` extra);
``import autograd`` never does.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # nn sits on top of the engine; the engine imports it only when asked
    from nn import MLP

try:
    from hypothesis import strategies as st
except ImportError as e:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(
        "autograd.testing needs hypothesis, which comes with memograd's test extra: "
        "pip install 'memograd[test]' (or pip install hypothesis)") from e

from . import value as _v
from .autodiff import grad, topological_order
from .ops import TABLE
from .value import Value

__all__ = [
    "RECIPES", "Expression", "MLPCase", "Node", "expressions", "gradient_scale", "mlps",
    "rounding_scale", "values",
]

LEAF_RANGE = (-2.0, 2.0)
"""Every input of a generated expression lies in this range."""
BOUND = 100.0
"""Every node (but a final sum) stays within [-BOUND, BOUND] for *all* inputs in LEAF_RANGE."""
GUARD = 0.1
"""log, sqrt, division and pow see operands >= GUARD: log(x*x + 0.1), a / (softplus(b) + 0.1)."""
SATURATION = 4.0
"""tanh and sigmoid see operands in [-4, 4]: further out, their derivatives, computed as
1 - z*z and z*(1 - z), lose digits to cancellation (at 12, tanh's keeps 9 of 16)."""
CONSTANTS = (2.0, 0.5, 3.0, 1.5)
EXPONENTS = (2.0, 3.0, -1.0, 0.5, -2.0, 1.5, -0.5)
SLOPES = (0.1, 0.01, 0.2)
SUM_CONSTANTS = (0.0, 1.0, 0.5)


@dataclass(frozen=True)
class Node:
    """One operation of a generated graph.

    ``args`` holds operands: an ``int`` refers to an earlier node (the inputs
    come first: 0 is the first input), a ``float`` is a constant. ``dot``'s
    args are its pairs flattened: ``(w0, x0, w1, x1, ...)``. ``ctx`` holds the
    op's constants (pow_const's exponent, leaky_relu's slope, sum's constant).
    """

    op: str
    args: tuple
    ctx: tuple = ()


# -- interval arithmetic: bounds over the whole input box --------------------------
Interval = tuple[float, float]


def _mul_iv(a: Interval, b: Interval) -> Interval:
    ps = (a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1])
    return min(ps), max(ps)


def _square_iv(a: Interval) -> Interval:
    lo, hi = a
    top = max(lo * lo, hi * hi)
    return (0.0, top) if lo <= 0 <= hi else (min(lo * lo, hi * hi), top)


def _increasing(f: Callable[[float], float]) -> Callable:
    return lambda ivs, ctx: (f(ivs[0][0]), f(ivs[0][1]))


def _pow_iv(base: Interval, k: Interval) -> Interval:
    """x**y for x > 0 is monotone in x and in y, so the corners bound it."""
    ps = [b ** e for b in base for e in k]
    return min(ps), max(ps)


def _pow_const_iv(ivs, ctx) -> Interval:
    (lo, hi), k = ivs[0], ctx[0]
    ps = [lo ** k, hi ** k]
    if lo < 0 < hi and k > 0:  # x**k on each side of 0 is monotone
        ps.append(0.0)
    return min(ps), max(ps)


def _abs_iv(ivs, ctx) -> Interval:
    lo, hi = ivs[0]
    if lo >= 0:
        return lo, hi
    if hi <= 0:
        return -hi, -lo
    return 0.0, max(-lo, hi)


def _dot_iv(ivs, ctx) -> Interval:
    products = [_mul_iv(w, x) for w, x in zip(ivs[0::2], ivs[1::2])]
    return sum(p[0] for p in products), sum(p[1] for p in products)


def _softplus(x: float) -> float:
    return math.log1p(math.exp(-abs(x))) + max(x, 0.0)


INTERVALS: dict[str, Callable[[list[Interval], tuple], Interval]] = {
    "add": lambda v, c: (v[0][0] + v[1][0], v[0][1] + v[1][1]),
    "sub": lambda v, c: (v[0][0] - v[1][1], v[0][1] - v[1][0]),
    "mul": lambda v, c: _mul_iv(v[0], v[1]),
    # only ever used with a divisor >= GUARD, where 1/x is decreasing
    "div": lambda v, c: _mul_iv(v[0], (1.0 / v[1][1], 1.0 / v[1][0])),
    "pow": lambda v, c: _pow_iv(v[0], v[1]),
    "pow_const": _pow_const_iv,
    "neg": lambda v, c: (-v[0][1], -v[0][0]),
    "exp": _increasing(math.exp),
    "log": _increasing(math.log),
    "sqrt": _increasing(math.sqrt),
    "tanh": _increasing(math.tanh),
    "sigmoid": _increasing(lambda x: 1.0 / (1.0 + math.exp(-x))),
    "relu": _increasing(lambda x: max(x, 0.0)),
    "leaky_relu": lambda v, c: (min(v[0][0], c[0] * v[0][0]), max(v[0][1], c[0] * v[0][1])),
    "softplus": _increasing(_softplus),
    "abs": _abs_iv,
    "sin": lambda v, c: (-1.0, 1.0),
    "cos": lambda v, c: (-1.0, 1.0),
    "sum": lambda v, c: (sum(i[0] for i in v) + c[0], sum(i[1] for i in v) + c[0]),
    "dot": _dot_iv,
}


def _within(iv: Interval, bound: float = BOUND) -> bool:
    return -bound <= iv[0] and iv[1] <= bound


class _Builder:
    """The graph being drawn: nodes, and each node's interval over the input box."""

    def __init__(self, draw: Callable, n_inputs: int, budget: int) -> None:
        self.draw = draw
        self.n_inputs = n_inputs
        self.ivs: list[Interval] = [LEAF_RANGE] * n_inputs
        self.nodes: list[Node] = []
        self.users: list[int] = [0] * n_inputs
        self.budget = budget

    def interval(self, ref: int | float) -> Interval:
        return self.ivs[ref] if isinstance(ref, int) else (ref, ref)

    def result(self, op: str, args: Sequence, ctx: tuple = ()) -> Interval:
        if op == "mul" and all(isinstance(a, int) for a in args) and args[0] == args[1]:
            return _square_iv(self.ivs[args[0]])  # x*x >= 0, which x*y is not
        try:
            return INTERVALS[op]([self.interval(a) for a in args], ctx)
        except (OverflowError, ZeroDivisionError):
            return -math.inf, math.inf

    def add(self, op: str, args: Sequence, ctx: tuple = ()) -> int:
        self.ivs.append(self.result(op, args, ctx))
        self.nodes.append(Node(op, tuple(args), ctx))
        for a in args:
            if isinstance(a, int):
                self.users[a] += 1
        self.users.append(0)
        return len(self.ivs) - 1

    def join(self) -> None:
        """If several nodes are unused, their sum is the output: every drawn node counts.

        Only this last node may exceed BOUND (by at most a factor of its operand count).
        """
        ends = [i for i in range(self.n_inputs, len(self.users)) if self.users[i] == 0]
        if len(ends) > 1:
            self.add("sum", tuple(ends), (0.0,))

    def pick(self, ok: Callable[[Interval], bool] = lambda iv: True) -> int:
        """A node (or input) whose interval satisfies ``ok``.

        Candidates are listed newest first, then the nodes something already
        uses (picking one of those makes a node feed several others: the reuse
        memoized backprop is for), then the rest. Shrinking drives the drawn
        index to 0, the newest node, which makes small cases plain chains.
        Inputs always qualify (the recipes are written so): never empty.
        """
        fits = [i for i in reversed(range(len(self.ivs))) if ok(self.ivs[i])]
        if not fits:  # pragma: no cover - a recipe broke its promise
            raise AssertionError("no operand fits; the recipe's bounds are wrong")
        unused = [i for i in fits[1:] if not self.users[i] and i >= self.n_inputs]
        used = [i for i in fits[1:] if self.users[i]]
        inputs = [i for i in fits[1:] if not self.users[i] and i < self.n_inputs]
        candidates = [fits[0], *unused, *used, *inputs]
        # half the draws land on the newest node, so graphs grow deep, not only wide
        k = self.draw(st.integers(0, 2 * len(candidates) - 2))
        return candidates[max(0, k - len(candidates) + 1)]

    def constant(self, choices: Sequence[float] = CONSTANTS) -> float | None:
        """None (use a node) or one of ``choices``; shrinks towards None."""
        return self.draw(st.sampled_from((None, *choices)))

    def positive(self, hi_max: float = BOUND) -> int:
        """A node >= GUARD and <= hi_max over the whole box: a guard such as
        ``x*x + 0.1`` or ``softplus(x) + 0.1``, or an existing node already
        bounded away from 0 (``exp(x)``, say). Costs at most 2 nodes."""
        hi_max = min(hi_max, BOUND)  # the guard's own nodes stay within BOUND too
        forms = ["square", "softplus"]
        if any(iv[0] >= GUARD and iv[1] <= hi_max for iv in self.ivs):
            forms.append("direct")
        form = self.draw(st.sampled_from(forms))
        if form == "direct":
            return self.pick(lambda iv: iv[0] >= GUARD and iv[1] <= hi_max)
        if form == "square":
            d = self.pick(lambda iv: _square_iv(iv)[1] + GUARD <= hi_max)
            return self.add("add", (self.add("mul", (d, d)), GUARD))
        d = self.pick(lambda iv: _softplus(iv[1]) + GUARD <= hi_max)
        return self.add("add", (self.add("softplus", (d,)), GUARD))


# -- recipes: how each op is drawn so that it stays inside its domain -------------
@dataclass(frozen=True)
class Recipe:
    """How ``expressions`` draws one op: ``draw(builder)`` appends at most ``cost`` nodes."""

    cost: int
    draw: Callable[[_Builder], None]


def _binary(op: str) -> Recipe:
    def draw(b: _Builder) -> None:
        c = b.constant()
        if c is None:
            x = b.pick(lambda iv: _within(iv, BOUND / 2))
            xiv = b.ivs[x]
            y = b.pick(lambda iv: _within(INTERVALS[op]([xiv, iv], ())))
            b.add(op, (x, y))
            return
        first = b.draw(st.booleans())  # 2 - x rather than x - 2

        def fits(iv: Interval) -> bool:
            return _within(INTERVALS[op]([(c, c), iv] if first else [iv, (c, c)], ()))

        x = b.pick(fits)
        b.add(op, (c, x) if first else (x, c))

    return Recipe(1, draw)


def _div(b: _Builder) -> None:
    d = b.positive()
    low = b.ivs[d][0]
    c = b.constant()
    if c is None:
        x = b.pick(lambda iv: _within(iv, BOUND * low))
        b.add("div", (x, d))
    else:
        b.add("div", (c, d))


def _pow(b: _Builder) -> None:
    c = b.constant((2.0, 0.5, 3.0))
    if c is not None:  # 2**x: a constant base
        k = b.pick(lambda iv: _within(_pow_iv((c, c), iv)))
        b.add("pow", (c, k))
        return
    base = b.positive(math.sqrt(BOUND))
    biv = b.ivs[base]
    k = b.pick(lambda iv: _within(_pow_iv(biv, iv)))
    b.add("pow", (base, k))


def _pow_const(b: _Builder) -> None:
    exponents = EXPONENTS if b.budget >= 3 else (2.0, 3.0)
    k = b.draw(st.sampled_from(exponents))
    if k >= 0 and k == int(k):
        x = b.pick(lambda iv: _within(_pow_const_iv([iv], (k,))))
    else:
        x = b.positive(BOUND ** (1 / k) if k > 0 else BOUND)
    b.add("pow_const", (x,), (k,))


def _unary(op: str, ctx_choices: Sequence[float] | None = None,
           operand_bound: float = BOUND) -> Recipe:
    def draw(b: _Builder) -> None:
        ctx = (b.draw(st.sampled_from(ctx_choices)),) if ctx_choices else ()
        x = b.pick(lambda iv: _within(iv, operand_bound)
                   and _within(INTERVALS[op]([iv], ctx)))
        b.add(op, (x,), ctx)

    return Recipe(1, draw)


def _guarded(op: str) -> Recipe:
    def draw(b: _Builder) -> None:
        b.add(op, (b.positive(),))

    return Recipe(3, draw)


def _sum(b: _Builder) -> None:
    c = b.draw(st.sampled_from(SUM_CONSTANTS))
    n = b.draw(st.integers(1, 4))
    share = (BOUND - abs(c)) / n
    b.add("sum", tuple(b.pick(lambda iv: _within(iv, share)) for _ in range(n)), (c,))


def _dot(b: _Builder) -> None:
    n = b.draw(st.integers(1, 3))
    share = BOUND / n
    args: list = []
    for _ in range(n):
        w = b.pick(lambda iv: _within(iv, math.sqrt(share)))
        c = b.constant()
        wiv = b.ivs[w]
        x = c if c is not None else b.pick(lambda iv, wiv=wiv: _within(_mul_iv(wiv, iv), share))
        args += [w, x]
    b.add("dot", tuple(args))


RECIPES: dict[str, Recipe] = {
    "add": _binary("add"),
    "sub": _binary("sub"),
    "mul": _binary("mul"),
    "div": Recipe(3, _div),
    "pow": Recipe(3, _pow),
    "pow_const": Recipe(1, _pow_const),
    "neg": _unary("neg"),
    "exp": _unary("exp"),
    "log": _guarded("log"),
    "sqrt": _guarded("sqrt"),
    "tanh": _unary("tanh", operand_bound=SATURATION),
    "sigmoid": _unary("sigmoid", operand_bound=SATURATION),
    "relu": _unary("relu"),
    "leaky_relu": _unary("leaky_relu", SLOPES),
    "softplus": _unary("softplus"),
    "abs": _unary("abs"),
    "sin": _unary("sin"),
    "cos": _unary("cos"),
    "sum": Recipe(1, _sum),
    "dot": Recipe(1, _dot),
}
"""One recipe per op of ``autograd.OPS``; a new op needs one here (a test checks)."""


# -- the generated case ---------------------------------------------------------
def _fmt(c: float) -> str:
    return str(int(c)) if c == int(c) and abs(c) < 1e15 else repr(c)


_PREC = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "pow": 4, "pow_const": 4}
_INFIX = {"add": " + ", "sub": " - ", "mul": "*", "div": "/"}
_ATOM = 5


def _render(node: Node, operand: Callable[[int | float], tuple[str, int]]) -> tuple[str, int]:
    """Source text of ``node`` in the syntax of ``autograd.expr``, and its precedence.

    Parentheses follow the graph exactly (``x + (y + z)`` stays two nodes in
    that order), so parsing the text rebuilds the same graph.
    """
    op, args = node.op, node.args
    if op in _INFIX:
        (lt, lp), (rt, rp), p = operand(args[0]), operand(args[1]), _PREC[op]
        return f"{lt if lp >= p else f'({lt})'}{_INFIX[op]}{rt if rp > p else f'({rt})'}", p
    if op in ("pow", "pow_const"):
        bt, bp = operand(args[0])
        if op == "pow":
            et, ep = operand(args[1])
        else:
            k = node.ctx[0]
            et, ep = _fmt(k), _ATOM if k >= 0 else _PREC["neg"]
        return f"{bt if bp > 4 else f'({bt})'}**{et if ep >= 3 else f'({et})'}", 4
    if op == "neg":
        t, p = operand(args[0])
        return "-" + (t if p >= 4 else f"({t})"), 3
    texts = [operand(a)[0] for a in args]
    if op == "sum":
        const = [_fmt(node.ctx[0])] if node.ctx[0] else []
        return f"sum([{', '.join(texts + const)}])", _ATOM
    if op == "dot":
        return f"dot([{', '.join(texts[0::2])}], [{', '.join(texts[1::2])}])", _ATOM
    if op == "leaky_relu":
        return f"leaky_relu({texts[0]}, {_fmt(node.ctx[0])})", _ATOM
    return f"{op}({texts[0]})", _ATOM


_VALUE_OPS: dict[str, Callable[[list, tuple], Value]] = {
    "add": lambda a, c: a[0] + a[1],
    "sub": lambda a, c: a[0] - a[1],
    "mul": lambda a, c: a[0] * a[1],
    "div": lambda a, c: a[0] / a[1],
    "pow": lambda a, c: a[0] ** a[1],
    "pow_const": lambda a, c: a[0] ** c[0],
    "neg": lambda a, c: -a[0],
    "exp": lambda a, c: a[0].exp(),
    "log": lambda a, c: a[0].log(),
    "sqrt": lambda a, c: a[0].sqrt(),
    "tanh": lambda a, c: a[0].tanh(),
    "sigmoid": lambda a, c: a[0].sigmoid(),
    "relu": lambda a, c: a[0].relu(),
    "leaky_relu": lambda a, c: a[0].leaky_relu(c[0]),
    "softplus": lambda a, c: a[0].softplus(),
    "abs": lambda a, c: abs(a[0]),
    "sin": lambda a, c: a[0].sin(),
    "cos": lambda a, c: a[0].cos(),
    "sum": lambda a, c: _v.sum([*a, c[0]]),
    "dot": lambda a, c: _v.dot(a[0::2], a[1::2]),
}


def _sympy_ops() -> dict[str, Callable[[list, tuple], object]]:
    import sympy as sp

    r = sp.Rational  # exact: Rational(0.1) is the binary fraction the engine uses
    return {
        "add": lambda a, c: a[0] + a[1],
        "sub": lambda a, c: a[0] - a[1],
        "mul": lambda a, c: a[0] * a[1],
        "div": lambda a, c: a[0] / a[1],
        "pow": lambda a, c: a[0] ** a[1],
        "pow_const": lambda a, c: a[0] ** r(c[0]),
        "neg": lambda a, c: -a[0],
        "exp": lambda a, c: sp.exp(a[0]),
        "log": lambda a, c: sp.log(a[0]),
        "sqrt": lambda a, c: sp.sqrt(a[0]),
        "tanh": lambda a, c: sp.tanh(a[0]),
        "sigmoid": lambda a, c: 1 / (1 + sp.exp(-a[0])),
        "relu": lambda a, c: sp.Max(0, a[0]),
        "leaky_relu": lambda a, c: sp.Piecewise((a[0], a[0] > 0), (r(c[0]) * a[0], True)),
        "softplus": lambda a, c: sp.log(1 + sp.exp(a[0])),
        "abs": lambda a, c: sp.Abs(a[0]),
        "sin": lambda a, c: sp.sin(a[0]),
        "cos": lambda a, c: sp.cos(a[0]),
        "sum": lambda a, c: sp.Add(*a, r(c[0])),
        "dot": lambda a, c: sp.Add(*(w * x for w, x in zip(a[0::2], a[1::2]))),
    }


def _names(n: int) -> tuple[str, ...]:
    return ("x", "y", "z", "u", "v", "w")[:n] if n <= 6 else tuple(f"x{i}" for i in range(n))


class Expression:
    """A random computation graph drawn by ``expressions()``, and the point to evaluate it at.

    Call it with one Value (or number) per input to build the graph:
    ``case(*leaves)``; so ``gradcheck(case, case.point)`` checks it.
    ``str(case)`` prints it with a name for every shared node::

        t1 = x*y
        sin(t1)*t1 + t1
    """

    def __init__(self, names: Sequence[str], point: Sequence[float], nodes: Iterable[Node]):
        self.names = tuple(names)
        self.point = tuple(float(p) for p in point)
        self.nodes = tuple(nodes)
        if len(self.names) != len(self.point):
            raise ValueError(f"Expression: {len(self.names)} names for {len(self.point)} values")

    @property
    def size(self) -> int:
        """The number of operations (graph nodes that are not inputs or constants)."""
        return len(self.nodes)

    @property
    def ops(self) -> set[str]:
        return {n.op for n in self.nodes}

    def uses(self) -> list[int]:
        """For each input and node, how many operand slots refer to it (``x*x`` counts 2)."""
        counts = [0] * (len(self.names) + len(self.nodes))
        for node in self.nodes:
            for a in node.args:
                if isinstance(a, int):
                    counts[a] += 1
        return counts

    @property
    def shared(self) -> int:
        """How many operation nodes feed more than one operand slot: the reuse the memo is for."""
        return sum(1 for u in self.uses()[len(self.names):] if u > 1)

    def _build(self, leaves: Sequence, table: dict) -> list:
        vals = list(leaves)
        for node in self.nodes:  # nodes come in topological order: no recursion needed
            vals.append(table[node.op]([vals[a] if isinstance(a, int) else a
                                        for a in node.args], node.ctx))
        return vals

    def __call__(self, *leaves: Value | float) -> Value:
        if len(leaves) != len(self.names):
            raise TypeError(f"Expression takes {len(self.names)} inputs "
                            f"({', '.join(self.names)}), got {len(leaves)}")
        values = [x if isinstance(x, Value) else Value(float(x), n)
                  for x, n in zip(leaves, self.names)]
        return self._build(values, _VALUE_OPS)[-1]

    def graph(self) -> tuple[Value, list[Value]]:
        """The output Value at ``point`` and the input leaves (labelled with ``names``)."""
        leaves = [Value(p, n) for p, n in zip(self.point, self.names)]
        return self(*leaves), leaves

    def sympy(self) -> tuple[Any, list]:
        """``(expr, symbols)``: the same graph as a SymPy expression of real symbols.

        Constants become exact rationals of the floats the engine uses, so the
        SymPy expression is the engine's function, exactly.
        """
        import sympy as sp

        symbols = [sp.Symbol(n, real=True) for n in self.names]
        table = _sympy_ops()
        vals = list(symbols)
        for node in self.nodes:
            vals.append(table[node.op]([vals[a] if isinstance(a, int) else sp.Rational(a)
                                        for a in node.args], node.ctx))
        return vals[-1], symbols

    def kink_distance(self) -> float:
        """How close, at ``point``, the operand of a relu/leaky_relu/abs comes to its kink."""
        out, _ = self.graph()
        return min((abs(n.parents[0].data - kink) for n in topological_order(out)
                    if n.op for kink in TABLE[n.op].kinks), default=math.inf)

    def _texts(self, bound: dict[int, str]) -> list[tuple[str, int]]:
        texts: list[tuple[str, int]] = [(n, _ATOM) for n in self.names]

        def operand(a: int | float) -> tuple[str, int]:
            if not isinstance(a, int):
                return _fmt(a), _ATOM
            return (bound[a], _ATOM) if a in bound else texts[a]

        for node in self.nodes:
            texts.append(_render(node, operand))
        return texts

    def lines(self) -> list[str]:
        """``t1 = ...`` for every shared node, then the output expression."""
        n = len(self.names)
        uses = self.uses()
        shared = [i for i in range(n, n + self.size - 1) if uses[i] > 1]
        bound = {i: f"t{k + 1}" for k, i in enumerate(shared)}
        texts = self._texts(bound)
        return [f"{bound[i]} = {texts[i][0]}" for i in shared] + [texts[-1][0]]

    def inline(self) -> str:
        """One expression, shared nodes written out each time: ``memograd check`` accepts it."""
        return self._texts({})[-1][0]

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def __repr__(self) -> str:
        at = ", ".join(f"{n}={p!r}" for n, p in zip(self.names, self.point))
        return f"Expression({'; '.join(self.lines())!r}, {at})"


def _finish(point: Sequence[float], nodes: list[Node]) -> Expression:
    """Drop the inputs no node uses, renumber, and name the rest x, y, z, ..."""
    n = len(point)
    used = sorted({a for node in nodes for a in node.args if isinstance(a, int) and a < n})
    new_index = {old: new for new, old in enumerate(used)}
    new_index.update({n + i: len(used) + i for i in range(len(nodes))})
    renumbered = [Node(node.op, tuple(new_index[a] if isinstance(a, int) else a
                                      for a in node.args), node.ctx) for node in nodes]
    return Expression(_names(len(used)), [point[i] for i in used], renumbered)


def gradient_scale(output: Value, inputs: Sequence[Value]) -> list[float]:
    """For each input, the sum over all paths to ``output`` of |product of local derivatives|.

    The engine's gradient adds up one product per path, each rounded to a few
    ulps, so its rounding error is a few ulps of *this* number, not of the
    gradient itself (which may be tiny after cancellation, as in ``tanh(x) - x``
    near 0). Compare gradients within ``rel * max(|exact|, scale)``.

    >>> x = Value(0.5); gradient_scale(x * 3.0 - x, [x])
    [4.0]
    """
    memo = _abs_memo(output)
    return [memo.get(x, 0.0) for x in inputs]


def _abs_memo(output: Value) -> dict[Value, float]:
    memo: dict[Value, float] = {output: 1.0}
    for node in reversed(topological_order(output)):
        g = memo.get(node, 0.0)
        for parent, local in zip(node.parents, node.local_grads):
            memo[parent] = memo.get(parent, 0.0) + g * abs(local)
    return memo


def rounding_scale(output: Value, inputs: Sequence[Value]) -> list[float]:
    """For each input, a size that the float64 rounding of d(output)/d(input) stays far below.

    Two terms. The backward pass's: ``gradient_scale``. The forward pass's:
    every node's value is rounded (relative error ~1e-16), and the gradient
    computed from the rounded values moves by (d gradient / d node) times that.
    So add, over every node of the derivative's graph (``grad(...,
    create_graph=True)``, which holds the forward nodes and the local
    derivatives' nodes), |d gradient / d node| * |node|, with every path taken
    in absolute value. This matters where the exact function is ill
    conditioned: ``log(a)`` with ``a = x**y`` rounded to 1.0 for a tiny y.
    The engine's rounding error is about 1e-16 times this number.
    """
    scales = gradient_scale(output, inputs)
    for i, first in enumerate(grad(output, list(inputs), create_graph=True)):
        memo = _abs_memo(first)
        scales[i] += sum(memo[n] * abs(n.data) for n in memo if not n.is_leaf)
    return scales


# -- the strategies -------------------------------------------------------------
def values(min_value: float = -2.0, max_value: float = 2.0, label: str = "") -> st.SearchStrategy:
    """Value leaves with finite data in [min_value, max_value]."""
    return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False,
                     allow_subnormal=False).map(lambda x: Value(x, label))


def _check_ops(ops: Iterable[str] | None) -> list[str]:
    chosen = list(TABLE) if ops is None else list(ops)
    if not chosen:
        raise ValueError("expressions: ops is empty; give at least one op name")
    for name in chosen:
        if name not in TABLE:
            raise ValueError(f"expressions: unknown op {name!r}; the ops are {', '.join(TABLE)}")
        if name not in RECIPES:
            raise ValueError(f"expressions: op {name!r} has no recipe; add one to "
                             "autograd.testing.RECIPES so random graphs cover it")
    return list(dict.fromkeys(chosen))


def expressions(
    max_nodes: int = 8,
    ops: Iterable[str] | None = None,
    max_inputs: int = 3,
    kink_margin: float | None = None,
) -> st.SearchStrategy[Expression]:
    """Random computation graphs (``Expression``) of at most ``max_nodes`` operations.

    - Every op of ``ops`` (default: all of ``autograd.OPS``) can appear; log,
      sqrt, division and pow get guarded operands (``log(x*x + 0.1)``,
      ``a / (softplus(b) + 0.1)``), so guards may add add/mul/softplus nodes.
    - Operands are drawn among all earlier nodes, so nodes are reused (``x*x``,
      a ``t1`` feeding three others) -- the case memoized backprop is for. When
      several nodes end up unused, the output is their ``sum``, so none is wasted.
    - Inputs lie in [-2, 2] and every node (but that final sum) in [-100, 100]
      over that whole box (interval arithmetic); tanh and sigmoid see operands
      in [-4, 4], where their derivatives do not saturate. So float64 and
      finite differences are well conditioned.
    - ``kink_margin``: reject cases where a relu/leaky_relu/abs operand is within
      this distance of its kink.

    Shrinking goes towards one input, few nodes and the first ops of ``ops``.
    """
    chosen = _check_ops(ops)
    least = min(RECIPES[o].cost for o in chosen)
    if not isinstance(max_nodes, int) or max_nodes < least:
        raise ValueError(f"expressions: max_nodes must be an int >= {least} for ops "
                         f"{', '.join(chosen)} (guards take nodes), got {max_nodes!r}")
    if not isinstance(max_inputs, int) or max_inputs < 1:
        raise ValueError(f"expressions: max_inputs must be an int >= 1, got {max_inputs!r}")
    leaf = st.floats(*LEAF_RANGE, allow_nan=False, allow_infinity=False, allow_subnormal=False)

    @st.composite
    def draw_expression(draw: Callable) -> Expression:
        n = draw(st.integers(1, max_inputs))
        point = [draw(leaf) for _ in range(n)]
        # the larger of two draws: fewer trivial one-node graphs, and still
        # shrinking to the smallest size when both shrink to 0
        spare = st.integers(0, max_nodes - least)
        target = least + max(draw(spare), draw(spare))
        b = _Builder(draw, n, target)
        while True:
            # once there is a node, keep one for the sum that joins unused ones (see join)
            b.budget = target - len(b.nodes) - (1 if b.nodes else 0)
            affordable = [o for o in chosen if RECIPES[o].cost <= b.budget]
            if not affordable:
                break
            RECIPES[draw(st.sampled_from(affordable))].draw(b)
        b.join()
        return _finish(point, b.nodes)

    strategy = draw_expression()
    if kink_margin is not None:
        strategy = strategy.filter(lambda case: case.kink_distance() > kink_margin)
    return strategy


class MLPCase:
    """A small ``nn.MLP`` drawn by ``mlps()``, with an input to run it on.

    ``case.model()`` builds the network (the same weights every time, from
    ``seed``); ``case(*xs)`` runs it on the Values (or numbers) ``xs`` and
    returns its one output, so ``gradcheck(case, case.inputs)`` checks dy/dx.
    """

    def __init__(self, sizes: Sequence[int], activation: str, seed: int,
                 inputs: Sequence[float]) -> None:
        self.sizes = tuple(sizes)
        self.activation = activation
        self.seed = seed
        self.inputs = tuple(float(x) for x in inputs)
        self._cached = None

    def model(self) -> MLP:
        """A fresh ``nn.MLP(nin, nouts, activation=..., seed=...)``."""
        from nn import MLP  # nn sits on top of the engine: imported only when asked for

        return MLP(self.sizes[0], list(self.sizes[1:]), activation=self.activation,
                   seed=self.seed)

    @property
    def size(self) -> int:
        """The number of parameters (weights and biases)."""
        return sum((a + 1) * b for a, b in zip(self.sizes, self.sizes[1:]))

    def __call__(self, *xs: Value | float) -> Value:
        if self._cached is None:
            self._cached = self.model()
        return self._cached(list(xs))

    def __repr__(self) -> str:
        return (f"MLPCase(MLP({self.sizes[0]}, {list(self.sizes[1:])}, "
                f"activation={self.activation!r}, seed={self.seed}), "
                f"inputs={list(self.inputs)})")


def mlps(
    max_inputs: int = 3,
    max_hidden_layers: int = 2,
    max_width: int = 4,
    activations: Iterable[str] | None = None,
) -> st.SearchStrategy[MLPCase]:
    """Small networks ``nn.MLP(nin, [h1, ..., 1], activation=...)`` and an input in [-2, 2].

    Shrinks towards one input, no hidden layer, width 1, the first activation
    and seed 0. ``activations`` defaults to every built-in of ``nn.activations``.
    """
    from nn.activations import ACTIVATIONS

    names = list(ACTIVATIONS) if activations is None else list(activations)
    unknown = [a for a in names if a not in ACTIVATIONS]
    if not names or unknown:
        raise ValueError(f"mlps: unknown activations {unknown}; choose from "
                         f"{', '.join(ACTIVATIONS)}")
    for what, n, least in (("max_inputs", max_inputs, 1), ("max_width", max_width, 1),
                           ("max_hidden_layers", max_hidden_layers, 0)):
        if not isinstance(n, int) or n < least:
            raise ValueError(f"mlps: {what} must be an int >= {least}, got {n!r}")
    leaf = st.floats(*LEAF_RANGE, allow_nan=False, allow_infinity=False, allow_subnormal=False)

    @st.composite
    def draw_mlp(draw: Callable) -> MLPCase:
        nin = draw(st.integers(1, max_inputs))
        hidden = draw(st.lists(st.integers(1, max_width), max_size=max_hidden_layers))
        activation = draw(st.sampled_from(names))
        seed = draw(st.integers(0, 2**16))
        inputs = [draw(leaf) for _ in range(nin)]
        return MLPCase([nin, *hidden, 1], activation, seed, inputs)

    return draw_mlp()
