"""Hypothesis strategies: random computation graphs and Value leaves.

- ``values(min_value, max_value)``: ``Value`` leaves;
- ``expressions(max_nodes=8, ops=None)``: random computation graphs
  (``Expression``) that reuse sub-expressions and stay inside every op's domain.

The ops come from the op table. An op with no domain, no constants and one or
two operands is drawn by a generic recipe (pick operands whose output stays
bounded, apply the op); only the others have a recipe in ``RECIPES``, which
guards their operands (``log(x*x + 0.1)``) or draws their constants. Every
node's bound over the whole input box comes from running the op's own forward
rule on intervals (``bounds.py``). So a new op without a domain needs nothing
here. Public as ``autograd.testing``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

try:
    from hypothesis import strategies as st
except ImportError as e:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(
        "autograd.testing needs hypothesis, which comes with memograd's test extra: "
        "pip install 'memograd[test]' (or pip install hypothesis)") from e

from ..autodiff import topological_order
from ..ops import TABLE
from ..value import Value, apply, as_value
from ..value import dot as value_dot
from ..value import sum as value_sum
from .bounds import INTERVAL, UNBOUNDED, Interval
from .finite_differences import kink_distance

LEAF_RANGE = (-2.0, 2.0)
"""Every input of a generated expression lies in this range."""
BOUND = 100.0
"""Every node (but a final sum) stays within [-BOUND, BOUND] for *all* inputs in LEAF_RANGE."""
GUARD = 0.1
"""log, sqrt, division and pow see operands >= GUARD: log(x*x + 0.1), a / (softplus(b) + 0.1)."""
SATURATION = 4.0
"""tanh and sigmoid see operands in [-4, 4]: further out, their derivatives, computed as
1 - z*z and z*(1 - z), lose digits to cancellation (at 12, tanh's keeps 9 of 16)."""
OPERAND_BOUNDS = {"tanh": SATURATION, "sigmoid": SATURATION}
"""Ops whose operands the generic recipe keeps smaller than BOUND. Not a domain (tanh is
defined everywhere) but the conditioning of the local derivative; other ops get BOUND."""
CONSTANTS = (2.0, 0.5, 3.0, 1.5)
EXPONENTS = (2.0, 3.0, -1.0, 0.5, -2.0, 1.5, -0.5)
SLOPES = (0.1, 0.01, 0.2)
SUM_CONSTANTS = (0.0, 1.0, 0.5)


def forward(m: Any, op: str, operands: Sequence, ctx: tuple = ()) -> Any:
    """Op ``op``'s forward rule on the math namespace ``m`` (intervals, SymPy, ...).

    A generated ``dot`` lists its pairs flattened as operands, ``(w0, x0, w1, x1,
    ...)``, while the op reads its pairs from its ctx ``(ws, xs)``: they are paired here.
    """
    if op == "dot":
        ctx = (tuple(operands[0::2]), tuple(operands[1::2]))
    return TABLE[op].forward(m, tuple(operands), ctx)


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

    def build(self, operands: Sequence[Value | float]) -> Value:
        """The engine's node for this operation on ``operands`` (its args, resolved:
        Values, and numbers for the constants), built as the engine's own calls build it."""
        if self.op == "sum":
            return value_sum([*operands, *self.ctx])  # the constant term, as value.sum adds it
        if self.op == "dot":
            return value_dot(operands[0::2], operands[1::2])  # numbers stay partners only
        op = TABLE[self.op]
        return apply(op, tuple(as_value(x, op.name) for x in operands), self.ctx)

    def forward(self, m: Any, operands: Sequence, ctx: tuple | None = None) -> Any:
        """This operation's forward rule on the math namespace ``m``; ``ctx`` replaces
        the node's own (the SymPy oracle passes it as exact rationals)."""
        return forward(m, self.op, operands, self.ctx if ctx is None else ctx)


# -- the graph being drawn ------------------------------------------------------
class _Builder:
    """The graph being drawn: nodes, and each node's interval over the input box."""

    def __init__(self, draw: Callable, n_inputs: int, budget: int) -> None:
        self.draw = draw
        self.n_inputs = n_inputs
        self.ivs: list[Interval] = [Interval(*LEAF_RANGE) for _ in range(n_inputs)]
        self.nodes: list[Node] = []
        self.users: list[int] = [0] * n_inputs
        self.budget = budget

    def interval(self, ref: int | float) -> Interval:
        # a node's own Interval object: the same node twice (x*x) is a square
        return self.ivs[ref] if isinstance(ref, int) else Interval(ref)

    def add(self, op: str, args: Sequence, ctx: tuple = ()) -> int:
        self.ivs.append(bound(op, [self.interval(a) for a in args], ctx))
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

        def direct(iv: Interval) -> bool:
            return iv.lo >= GUARD and iv.hi <= hi_max

        forms = ["square", "softplus"]
        if any(direct(iv) for iv in self.ivs):
            forms.append("direct")
        form = self.draw(st.sampled_from(forms))
        if form == "direct":
            return self.pick(direct)
        if form == "square":
            d = self.pick(lambda iv: (iv * iv).hi + GUARD <= hi_max)
            return self.add("add", (self.add("mul", (d, d)), GUARD))
        d = self.pick(lambda iv: INTERVAL.softplus(iv).hi + GUARD <= hi_max)
        return self.add("add", (self.add("softplus", (d,)), GUARD))


def bound(op: str, operands: Sequence[Interval], ctx: tuple = ()) -> Interval:
    """An interval holding every value of op ``op`` over its operands' intervals:
    the op's own forward rule run on intervals (``bounds.INTERVAL``).

    >>> bound("relu", [Interval(0.5, 2.0)]), bound("sin", [Interval(0.0, 1.0)])
    (Interval(0.5, 2.0), Interval(0.0, 0.8414709848078965))
    """
    try:
        return Interval.of(forward(INTERVAL, op, operands, ctx))
    except ArithmeticError:  # a corner overflowed: no finite bound, so no recipe uses it
        return UNBOUNDED


# -- recipes: how each op is drawn so that it stays inside its domain -------------
@dataclass(frozen=True)
class Recipe:
    """How ``expressions`` draws one op: ``draw(builder)`` appends at most ``cost`` nodes."""

    cost: int
    draw: Callable[[_Builder], None]


def _binary(op: str) -> Recipe:
    """Two operands, nodes or a constant, whose result stays within BOUND."""

    def draw(b: _Builder) -> None:
        c = b.constant()
        if c is None:
            x = b.pick(lambda iv: iv.within(BOUND / 2))
            xiv = b.ivs[x]
            y = b.pick(lambda iv: bound(op, [xiv, iv]).within(BOUND))
            b.add(op, (x, y))
            return
        first = b.draw(st.booleans())  # 2 - x rather than x - 2
        civ = Interval(c)

        def fits(iv: Interval) -> bool:
            return bound(op, [civ, iv] if first else [iv, civ]).within(BOUND)

        x = b.pick(fits)
        b.add(op, (c, x) if first else (x, c))

    return Recipe(1, draw)


def _unary(op: str, ctx_choices: Sequence[float] | None = None,
           operand_bound: float = BOUND) -> Recipe:
    """One operand within ``operand_bound`` whose result stays within BOUND, and one
    constant of ``ctx_choices`` as the op's ctx when given."""

    def draw(b: _Builder) -> None:
        ctx = (b.draw(st.sampled_from(ctx_choices)),) if ctx_choices else ()
        x = b.pick(lambda iv: iv.within(operand_bound) and bound(op, [iv], ctx).within(BOUND))
        b.add(op, (x,), ctx)

    return Recipe(1, draw)


def _div(b: _Builder) -> None:
    d = b.positive()
    low = b.ivs[d].lo
    c = b.constant()
    if c is None:
        x = b.pick(lambda iv: iv.within(BOUND * low))
        b.add("div", (x, d))
    else:
        b.add("div", (c, d))


def _pow(b: _Builder) -> None:
    c = b.constant((2.0, 0.5, 3.0))
    if c is not None:  # 2**x: a constant base
        k = b.pick(lambda iv: bound("pow", [Interval(c), iv]).within(BOUND))
        b.add("pow", (c, k))
        return
    base = b.positive(math.sqrt(BOUND))
    biv = b.ivs[base]
    k = b.pick(lambda iv: bound("pow", [biv, iv]).within(BOUND))
    b.add("pow", (base, k))


def _pow_const(b: _Builder) -> None:
    exponents = EXPONENTS if b.budget >= 3 else (2.0, 3.0)
    k = b.draw(st.sampled_from(exponents))
    if k >= 0 and k == int(k):
        x = b.pick(lambda iv: bound("pow_const", [iv], (k,)).within(BOUND))
    else:
        x = b.positive(BOUND ** (1 / k) if k > 0 else BOUND)
    b.add("pow_const", (x,), (k,))


def _guarded(op: str) -> Recipe:
    def draw(b: _Builder) -> None:
        b.add(op, (b.positive(),))

    return Recipe(3, draw)


def _sum(b: _Builder) -> None:
    c = b.draw(st.sampled_from(SUM_CONSTANTS))
    n = b.draw(st.integers(1, 4))
    share = (BOUND - abs(c)) / n
    b.add("sum", tuple(b.pick(lambda iv: iv.within(share)) for _ in range(n)), (c,))


def _times_within(factor: Interval, limit: float) -> Callable[[Interval], bool]:
    return lambda iv: (factor * iv).within(limit)


def _dot(b: _Builder) -> None:
    n = b.draw(st.integers(1, 3))
    share = BOUND / n
    args: list = []
    for _ in range(n):
        w = b.pick(lambda iv: iv.within(math.sqrt(share)))
        c = b.constant()
        x = c if c is not None else b.pick(_times_within(b.ivs[w], share))
        args += [w, x]
    b.add("dot", tuple(args))


def _select(op: str) -> Recipe:
    """max or min of two to four operands: distinct nodes (a node twice ties with itself,
    which only hides the op), and perhaps a constant (``max([x, t1, 0.5])``)."""

    def draw(b: _Builder) -> None:
        n = b.draw(st.integers(2, 4))
        args: list = list(dict.fromkeys(b.pick(lambda iv: iv.within(BOUND)) for _ in range(n)))
        c = b.constant()
        if c is not None:
            args.append(c)
        b.add(op, tuple(args))

    return Recipe(1, draw)


RECIPES: dict[str, Recipe] = {
    "div": Recipe(3, _div),  # domain: a divisor >= GUARD
    "pow": Recipe(3, _pow),  # domain: a base >= GUARD, or a constant base
    "pow_const": Recipe(1, _pow_const),  # ctx: the exponent; domain: guarded base when needed
    "log": _guarded("log"),  # domain: x > 0
    "sqrt": _guarded("sqrt"),  # domain: x >= 0
    "leaky_relu": _unary("leaky_relu", SLOPES),  # ctx: the slope
    "sum": Recipe(1, _sum),  # any number of operands, and a constant
    "dot": Recipe(1, _dot),  # pairs of operands
    "max": _select("max"),  # any number of operands
    "min": _select("min"),
}
"""The ops that need their own recipe: a domain, a ctx or any number of operands.
Every other op of the table is drawn by the generic recipe for its arity (``recipe``)."""


def recipe(name: str) -> Recipe | None:
    """How ``expressions()`` draws op ``name``: its entry in ``RECIPES``, else the
    generic recipe for one or two operands when the op has no domain and no
    constants; None when it needs a recipe and has none.

    An op whose forward rule reads a ctx it has no ``defaults`` for needs a recipe too.
    """
    if name in RECIPES:
        return RECIPES[name]
    op = TABLE[name]
    if op.domain or op.defaults or op.arity not in (1, 2):
        return None
    if op.arity == 1:
        return _unary(name, operand_bound=OPERAND_BOUNDS.get(name, BOUND))
    return _binary(name)


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
    # any other op is a call of its function name: operands, then its constants; an
    # n-ary op takes its operands as one list (max([x, y, 0.5]))
    name = TABLE[op].function or op
    inside = ", ".join(texts + [_fmt(c) for c in node.ctx])
    return (f"{name}([{inside}])" if TABLE[op].arity == 0 else f"{name}({inside})"), _ATOM


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

    def __call__(self, *leaves: Value | float) -> Value:
        if len(leaves) != len(self.names):
            raise TypeError(f"Expression takes {len(self.names)} inputs "
                            f"({', '.join(self.names)}), got {len(leaves)}")
        vals: list = [x if isinstance(x, Value) else Value(float(x), n)
                      for x, n in zip(leaves, self.names)]
        for node in self.nodes:  # nodes come in topological order: no recursion needed
            vals.append(node.build([vals[a] if isinstance(a, int) else a for a in node.args]))
        return vals[-1]

    def graph(self) -> tuple[Value, list[Value]]:
        """The output Value at ``point`` and the input leaves (labelled with ``names``)."""
        leaves = [Value(p, n) for p, n in zip(self.point, self.names)]
        return self(*leaves), leaves

    def sympy(self) -> tuple[Any, list]:
        """``(expr, symbols)``: the same graph as a SymPy expression of real symbols.

        Constants become exact rationals of the floats the engine uses, so the
        SymPy expression is the engine's function, exactly (``oracles.sympy_form``).
        """
        from .oracles import sympy_form

        return sympy_form(self)

    def kink_distance(self) -> float:
        """How close, at ``point``, a node comes to where its op has no derivative: the
        operand of a relu/leaky_relu/abs to its kink, the operands of a max/min to a tie."""
        out, _ = self.graph()
        return min((kink_distance(TABLE[n.op], [p.data for p in n.parents])
                    for n in topological_order(out) if n.parents), default=math.inf)

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


# -- the strategies -------------------------------------------------------------
def values(min_value: float = -2.0, max_value: float = 2.0, label: str = "") -> st.SearchStrategy:
    """Value leaves with finite data in [min_value, max_value]."""
    return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False,
                     allow_subnormal=False).map(lambda x: Value(x, label))


def _recipes(ops: Iterable[str] | None) -> dict[str, Recipe]:
    """The chosen ops (default: the whole table, in its order) with their recipes."""
    chosen = list(TABLE) if ops is None else list(ops)
    if not chosen:
        raise ValueError("expressions: ops is empty; give at least one op name")
    recipes = {}
    for name in chosen:
        if name not in TABLE:
            raise ValueError(f"expressions: unknown op {name!r}; the ops are {', '.join(TABLE)}")
        found = recipe(name)
        if found is None:
            raise ValueError(f"expressions: op {name!r} has no recipe: it has a domain, "
                             "constants or any number of operands, so add one to "
                             "autograd.check.strategies.RECIPES")
        recipes[name] = found
    return recipes


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
      this distance of its kink, or two operands of a max/min within it of a tie for
      the one it picks.

    Shrinking goes towards one input, few nodes and the first ops of ``ops``.
    """
    recipes = _recipes(ops)
    chosen = list(recipes)
    least = min(r.cost for r in recipes.values())
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
            affordable = [o for o in chosen if recipes[o].cost <= b.budget]
            if not affordable:
                break
            # an index into all the ops, so that a smaller budget (while shrinking) does not
            # change which op the same draw names; one too costly now names a cheap one
            i = draw(st.integers(0, len(chosen) - 1))
            name = chosen[i] if chosen[i] in affordable else affordable[i % len(affordable)]
            recipes[name].draw(b)
        b.join()
        return _finish(point, b.nodes)

    strategy = draw_expression()
    if kink_margin is not None:
        strategy = strategy.filter(lambda case: case.kink_distance() > kink_margin)
    return strategy
