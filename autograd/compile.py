"""Record a graph once, replay it batched with NumPy.

For a fixed network every sample builds the *same graph* with different
numbers. ``compile(fn, example_inputs)`` calls ``fn`` once on fresh input
leaves, keeps the graph it builds, and turns it into a short program that
replays forward and backward over a whole batch without creating a single
``Value``:

- every node gets a row of a (nodes x batch) array; inputs first, then the
  parameters (the graph's other leaves), then the constants, then the nodes
  made by operations;
- nodes of the same op on the same level of the backward sweep (longest path to the
  output) form one
  a NumPy vector operation over the whole block, so the number of NumPy calls
  grows with the depth of the graph, not with its size;
- the backward pass walks the steps in reverse, multiplying each step's
  adjoints by the local derivatives saved in the forward pass (the chain rule,
  exactly as ``backward.py`` does per node) and adding them into the operands'
  rows; a parameter's gradient is its row summed (or averaged) over the batch.

A group of ``dot`` nodes that all read the same varying operands against
parameters or numbers (a dense layer: every neuron reads the same inputs) is
one matrix product; other ``sum``/``dot`` groups are segment sums
(``np.add.reduceat``) over the flattened operand lists.

Control flow that depends on the inputs (``if x > 0``) would be recorded for
the example only, so tracing refuses it (``TracingError``). ``relu``, ``abs``
and friends are ops, not control flow, and replay correctly.

This is the only engine module that imports NumPy; ``import autograd`` does
not import it (``autograd.compile`` loads it on first use).

>>> import autograd as ag
>>> w = ag.Value(3.0, "w")
>>> prog = ag.compile(lambda x: (w * x).tanh(), [0.5])
>>> [round(float(y), 6) for y in prog(np.array([0.0, 0.5]))]
[0.0, 0.905148]
"""

from __future__ import annotations

import math
import numbers
import sys
import types
from collections.abc import Callable, Sequence

try:
    import numpy as np
except ImportError as e:  # pragma: no cover - exercised only without NumPy
    raise ImportError("autograd.compile replays graphs with NumPy, which is not installed: "
                      "pip install 'memograd[compile]' (or pip install numpy)") from e

from . import ops
from . import value as _value
from .autodiff import enable_grad, topological_order
from .ops import DomainError, ZeroDivisionDomainError
from .sweep import levels
from .value import Constant, Value

__all__ = ["RULES", "Program", "TracingError", "compile"]


class TracingError(ValueError):
    """``fn`` branched on a value computed from its inputs while being traced."""


# ---------------------------------------------------------------------------
# NumPy versions of the op table's rules, one entry per op name.
#
# The rules in ops.py branch with ``if`` on floats, which arrays cannot do, so
# each op has here: forward(xs, ctx) -> z; local(xs, z, ctx) -> one local
# derivative per operand (an array, or the number 1.0 / -1.0); bad(xs, ctx) ->
# a mask of the entries outside the op's domain, or None. ``xs`` are
# (nodes x batch) blocks; ``ctx`` is the op constant as a (nodes x 1) column
# (or one number when all the group's nodes share it). ``sum`` and ``dot`` take
# a variable number of operands and are the segment steps further down.
# ---------------------------------------------------------------------------
class _Rule:
    __slots__ = ("bad", "forward", "local", "overflows")

    def __init__(self, forward, local, bad=None, overflows=False):
        self.forward = forward
        self.local = local
        self.bad = bad  # mask of operands outside the domain
        self.overflows = overflows  # the scalar op raises OverflowError on inf


def _sigmoid(x):
    e = np.exp(-np.abs(x))  # as ops.sigmoid: neither branch can overflow
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _d_pow_const(xs, z, k):
    x = xs[0]
    d = np.where((x == 0) & (k < 1), math.inf, k * x ** (k - 1.0))
    return (np.where(k == 0, 0.0, d),)


def _d_pow(xs, z, ctx):
    x, y = xs
    dx = np.where((x == 0) & (y < 1), math.inf, y * x ** (y - 1.0))
    dy = np.where(x > 0, z * np.log(np.where(x > 0, x, 1.0)), 0.0)
    return dx, dy


def _d_sqrt(xs, z, ctx):
    return (np.where(z != 0, 0.5 / z, math.inf),)


def _bad_power(xs, k):
    x = xs[0]
    return ((x == 0) & (k < 0)) | ((x < 0) & (k != np.floor(k)))


RULES: dict[str, _Rule] = {
    "add": _Rule(lambda xs, c: xs[0] + xs[1], lambda xs, z, c: (1.0, 1.0)),
    "sub": _Rule(lambda xs, c: xs[0] - xs[1], lambda xs, z, c: (1.0, -1.0)),
    "mul": _Rule(lambda xs, c: xs[0] * xs[1], lambda xs, z, c: (xs[1], xs[0])),
    "div": _Rule(lambda xs, c: xs[0] / xs[1], lambda xs, z, c: (1.0 / xs[1], -z / xs[1]),
                 lambda xs, c: xs[1] == 0),
    "pow": _Rule(lambda xs, c: xs[0] ** xs[1], _d_pow,
                 lambda xs, c: (xs[0] < 0) | ((xs[0] == 0) & (xs[1] <= 0)), overflows=True),
    "pow_const": _Rule(lambda xs, k: xs[0] ** k, _d_pow_const, _bad_power, overflows=True),
    "neg": _Rule(lambda xs, c: -xs[0], lambda xs, z, c: (-1.0,)),
    "exp": _Rule(lambda xs, c: np.exp(xs[0]), lambda xs, z, c: (z,), overflows=True),
    "log": _Rule(lambda xs, c: np.log(xs[0]), lambda xs, z, c: (1.0 / xs[0],),
                 lambda xs, c: ~(xs[0] > 0)),
    "sqrt": _Rule(lambda xs, c: np.sqrt(xs[0]), _d_sqrt, lambda xs, c: ~(xs[0] >= 0)),
    "tanh": _Rule(lambda xs, c: np.tanh(xs[0]), lambda xs, z, c: (1.0 - z * z,)),
    "sigmoid": _Rule(lambda xs, c: _sigmoid(xs[0]), lambda xs, z, c: (z * (1.0 - z),)),
    "relu": _Rule(lambda xs, c: np.where(xs[0] > 0, xs[0], 0.0),
                  lambda xs, z, c: (xs[0] > 0,)),
    "leaky_relu": _Rule(lambda xs, s: np.where(xs[0] > 0, xs[0], s * xs[0]),
                        lambda xs, z, s: (np.where(xs[0] > 0, 1.0, s),)),
    "softplus": _Rule(lambda xs, c: np.log1p(np.exp(-np.abs(xs[0]))) + np.maximum(xs[0], 0.0),
                      lambda xs, z, c: (_sigmoid(xs[0]),)),
    "abs": _Rule(lambda xs, c: np.abs(xs[0]), lambda xs, z, c: (np.sign(xs[0]),)),
    "sin": _Rule(lambda xs, c: np.sin(xs[0]), lambda xs, z, c: (np.cos(xs[0]),)),
    "cos": _Rule(lambda xs, c: np.cos(xs[0]), lambda xs, z, c: (-np.sin(xs[0]),)),
}
"""NumPy forward/local/domain rules for every fixed-arity op of ``ops.TABLE``."""

SEGMENT_OPS = ("sum", "dot")
"""The n-ary ops, replayed as segment sums (or a matrix product) instead of a rule."""

_CTX_OPS = {"pow_const", "leaky_relu"}  # ops whose ctx[0] is a per-node number


# ---------------------------------------------------------------------------
# Index helpers
# ---------------------------------------------------------------------------
def _index(rows: Sequence[int], broadcast: bool = True):
    """The cheapest NumPy index for ``rows``: a slice (a view, no copy) when they are
    consecutive or, if ``broadcast``, all one row (a (1 x batch) view that broadcasts),
    else an int array."""
    first = rows[0]
    if broadcast and all(r == first for r in rows):
        return slice(first, first + 1)
    if all(r == first + i for i, r in enumerate(rows)):
        return slice(first, first + len(rows))
    return np.asarray(rows, dtype=np.intp)


class _Scatter:
    """Adds the rows of a contribution block into ``G[targets]``; rows aimed at the
    same target add up (the chain rule's "paths add up")."""

    __slots__ = ("index", "kind", "perm", "starts")

    def __init__(self, targets: Sequence[int]) -> None:
        t = np.asarray(targets, dtype=np.intp)
        self.perm = self.starts = None
        if (t == t[0]).all():
            self.kind, self.index = "one", int(t[0])
        elif len(np.unique(t)) == len(t):
            self.kind, self.index = "unique", _index(list(t))
        else:
            perm = np.argsort(t, kind="stable")
            ts = t[perm]
            self.starts = np.flatnonzero(np.r_[True, ts[1:] != ts[:-1]])
            self.kind, self.index = "reduce", ts[self.starts]
            self.perm = perm

    def add(self, G: np.ndarray, block: np.ndarray) -> None:
        if self.kind == "one":
            G[self.index] += block.sum(axis=0) if block.shape[0] > 1 else block[0]
        elif self.kind == "unique":
            G[self.index] += block
        else:
            G[self.index] += np.add.reduceat(block[self.perm], self.starts, axis=0)


def _apply(local, g):
    """``g * local``, skipping the multiply for the constant locals 1 and -1."""
    if isinstance(local, float):
        return g if local == 1.0 else -g if local == -1.0 else g * local
    return g * local


def _describe(v: Value) -> str:
    return f"node {v.label!r}" if v.label else "an unlabelled node"


# ---------------------------------------------------------------------------
# Steps: one NumPy kernel each, over the rows lo:hi of the value array V
# ---------------------------------------------------------------------------
class _Step:
    lo: int
    hi: int
    name: str
    nodes: list[Value]

    def forward(self, V, S, keep):  # returns what backward needs, if keep
        raise NotImplementedError

    def backward(self, G, Gs, saved):
        raise NotImplementedError


class _Elementwise(_Step):
    """A group of fixed-arity nodes of one op: one vector op over their block."""

    def __init__(self, name, lo, nodes, args, scatters):
        self.name, self.lo, self.hi, self.nodes = name, lo, lo + len(nodes), nodes
        self.rule = RULES[name]
        self.args = args  # one row index per operand position
        self.scatters = scatters  # one _Scatter per operand position, None if no grad needed
        ctx = None
        if name in _CTX_OPS:
            ks = [n.ctx[0] for n in nodes]
            ctx = ks[0] if all(k == ks[0] for k in ks) else np.asarray(ks)[:, None]
        self.ctx = ctx

    def forward(self, V, S, keep):
        xs = [V[a] for a in self.args]
        rule = self.rule
        if rule.bad is not None:
            bad = rule.bad(xs, self.ctx)
            if bad.any():
                self._domain_error(xs, bad)
        z = rule.forward(xs, self.ctx)
        if rule.overflows and np.isinf(z).any():
            self._overflow(xs, z)
        V[self.lo:self.hi] = z
        return rule.local(xs, V[self.lo:self.hi], self.ctx) if keep else None

    def backward(self, G, Gs, locals_):
        g = G[self.lo:self.hi]
        for scatter, local in zip(self.scatters, locals_):
            if scatter is not None:
                scatter.add(G, _apply(local, g))

    def _where(self, xs, mask):
        shape = np.broadcast_shapes(*(x.shape for x in xs), (self.hi - self.lo, 1))
        i, b = np.unravel_index(int(np.flatnonzero(np.broadcast_to(mask, shape))[0]), shape)
        node = self.nodes[i]
        operands = tuple(float(np.broadcast_to(x, shape)[i, b]) for x in xs)
        return node, int(b), operands

    def _domain_error(self, xs, bad):
        node, b, operands = self._where(xs, bad)
        why = ops.TABLE[self.name].outside_domain(ops.FLOAT, operands, node.ctx)
        why = why or "outside the domain"
        cls = ZeroDivisionDomainError if "zero" in why else DomainError
        raise cls(f"{self.name}: domain error in sample {b} at "
                  f"{_operands(node, operands)}: {why}")

    def _overflow(self, xs, z):
        mask = np.isinf(z) & np.logical_and.reduce([np.isfinite(x) for x in xs])
        if mask.any():
            node, b, operands = self._where(xs, mask)
            raise OverflowError(f"{self.name}: result too large in sample {b} at "
                                f"{_operands(node, operands)}")


def _operands(node: Value, data: Sequence[float]) -> str:
    """The operand nodes of ``node`` with one sample's numbers, as the scalar engine
    names them in its errors."""
    return ", ".join(f"{_describe(p)} (data={x!r})" for p, x in zip(node.parents, data))


class _SegmentSum(_Step):
    """A group of ``sum`` nodes: each node adds a run of the flattened operand rows."""

    def __init__(self, lo, nodes, flat, counts, needs):
        self.name, self.lo, self.hi, self.nodes = "sum", lo, lo + len(nodes), nodes
        self.flat = np.asarray(flat, dtype=np.intp)
        self.starts = np.r_[0, np.cumsum(counts)[:-1]].astype(np.intp)
        seg = np.repeat(np.arange(len(nodes)), counts)
        sel = [i for i, r in enumerate(flat) if needs(r)]
        self.seg = seg[sel]
        self.scatter = _Scatter([flat[i] for i in sel]) if sel else None

    def forward(self, V, S, keep):
        np.add.reduceat(V[self.flat], self.starts, axis=0, out=V[self.lo:self.hi])

    def backward(self, G, Gs, saved):
        if self.scatter is not None:
            self.scatter.add(G, G[self.lo:self.hi][self.seg])


class _SegmentDot(_Step):
    """A group of ``dot`` nodes as segment sums of pairwise products."""

    def __init__(self, lo, nodes, pairs, counts, needs):
        self.name, self.lo, self.hi, self.nodes = "dot", lo, lo + len(nodes), nodes
        a = [p[0] for p in pairs]
        b = [p[1] for p in pairs]
        self.a, self.b = _index(a, broadcast=False), _index(b, broadcast=False)
        self.starts = np.r_[0, np.cumsum(counts)[:-1]].astype(np.intp)
        seg = np.repeat(np.arange(len(nodes)), counts)
        self.sides = []
        for targets in (a, b):  # dz/da_i = b_i and dz/db_i = a_i
            sel = np.asarray([i for i, r in enumerate(targets) if needs(r)], dtype=np.intp)
            if len(sel):
                self.sides.append((seg[sel], sel, _Scatter([targets[i] for i in sel])))
            else:
                self.sides.append(None)

    def forward(self, V, S, keep):
        A, B = V[self.a], V[self.b]
        np.add.reduceat(A * B, self.starts, axis=0, out=V[self.lo:self.hi])
        return (B, A) if keep else None  # each side's local derivative is its partner

    def backward(self, G, Gs, partners):
        g = G[self.lo:self.hi]
        for side, partner in zip(self.sides, partners):
            if side is not None:
                seg, sel, scatter = side
                scatter.add(G, g[seg] * partner[sel])


class _StaticAdd:
    """Adds values into ``Gs[index]`` (the batch-summed gradients of the static leaves),
    duplicates summed; skipped when no index is a parameter."""

    __slots__ = ("index", "unique", "wanted")

    def __init__(self, index, n_par: int) -> None:
        self.index = np.asarray(index, dtype=np.intp)
        flat = self.index.ravel()
        self.unique = len(np.unique(flat)) == len(flat)
        self.wanted = bool((flat < n_par).any())

    def add(self, Gs: np.ndarray, values: np.ndarray) -> None:
        if self.unique:
            Gs[self.index] += values
        else:
            np.add.at(Gs, self.index, values)


class _MatmulDot(_Step):
    """``dot`` nodes that all read the same varying rows ``X`` against parameters or
    numbers ``W`` (a dense layer: every neuron reads the same inputs): one matrix
    product ``W @ X``. Pairs with no varying side (a bias times the number 1) add a
    per-node term computed once per call, not once per sample.

    When ``W`` and the biases lie in S as one row-major block (as ``nn.MLP`` lists its
    parameters, which ``_parameter_order`` keeps), they are read and their gradients
    added through views of that block instead of gathers and scatters."""

    def __init__(self, lo, nodes, w, x, needs_x, pairs, n_par, const_values):
        self.name, self.lo, self.hi, self.nodes = "dot", lo, lo + len(nodes), nodes
        n, k = len(nodes), len(x)
        self.k = k
        self.w = np.asarray(w, dtype=np.intp).reshape(n, k)  # indices into S
        self.x = _index(x, broadcast=False) if x else np.zeros(0, dtype=np.intp)
        self.x_scatter = _Scatter(x) if needs_x and x else None
        self.dw = _StaticAdd(self.w, n_par)
        self.pairs = self.bias = self.block = None
        if pairs:  # (node, a, b): S[a] * S[b] added to the node
            seg, a, b = (np.asarray(c, dtype=np.intp) for c in zip(*pairs))
            if len(seg) == n and (seg == np.arange(n)).all() and (
                    ((a < n_par) & (b >= n_par)).all() or ((b < n_par) & (a >= n_par)).all()):
                p, c = (a, b) if a[0] < n_par else (b, a)  # one parameter times a number each
                scale = np.asarray([const_values[i - n_par] for i in c])
                self.bias = (p, _StaticAdd(p, n_par), None if (scale == 1).all() else scale)
            else:
                self.pairs = (seg, a, b, _StaticAdd(a, n_par), _StaticAdd(b, n_par))
        full = self.w if self.bias is None else np.hstack([self.w, self.bias[0][:, None]])
        if full.size and (full.ravel() == full.flat[0] + np.arange(full.size)).all():
            start = int(full.flat[0])
            self.block = (start, start + full.size, full.shape)

    def _static(self, S):
        """W, and the bias column (or None), from S."""
        if self.block is not None:
            lo, hi, shape = self.block
            B = S[lo:hi].reshape(shape)
            return B[:, :self.k], (B[:, self.k] if self.bias is not None else None)
        return S[self.w], (S[self.bias[0]] if self.bias is not None else None)

    def forward(self, V, S, keep):
        W, bias = self._static(S)
        X = V[self.x]
        out = V[self.lo:self.hi]
        np.matmul(W, X, out=out)
        if bias is not None:
            scale = self.bias[2]
            out += (bias if scale is None else bias * scale)[:, None]
        if self.pairs is not None:
            seg, a, b = self.pairs[:3]
            out += np.bincount(seg, S[a] * S[b], minlength=len(out))[:, None]
        return (W, X, S) if keep else None

    def backward(self, G, Gs, saved):
        W, X, S = saved
        g = G[self.lo:self.hi]
        if self.x_scatter is not None:
            self.x_scatter.add(G, W.T @ g)
        gs = g.sum(axis=1) if self.bias is not None or self.pairs is not None else None
        if self.bias is not None and self.bias[2] is not None:
            gs = gs * self.bias[2]  # only a bias (no other pairs) can have a scale
        if self.block is not None:
            lo, hi, shape = self.block
            B = Gs[lo:hi].reshape(shape)  # a view: adding into it adds into Gs
            if self.dw.wanted:
                B[:, :self.k] += g @ X.T  # dW, already summed over the batch
            if self.bias is not None and self.bias[1].wanted:
                B[:, self.k] += gs
        else:
            if self.dw.wanted:
                self.dw.add(Gs, g @ X.T)
            if self.bias is not None and self.bias[1].wanted:
                self.bias[1].add(Gs, gs)
        if self.pairs is not None:
            seg, a, b, da, db = self.pairs
            if da.wanted:
                da.add(Gs, gs[seg] * S[b])
            if db.wanted:
                db.add(Gs, gs[seg] * S[a])


# ---------------------------------------------------------------------------
# Tracing
# ---------------------------------------------------------------------------
class _Tracer:
    """Installed as ``autograd.value._tracer`` while ``fn`` runs: a comparison or a
    truth test on a Value computed from the inputs is data-dependent control flow."""

    def __init__(self, inputs: Sequence[Value]) -> None:
        self.inputs = set(inputs)
        self.free: set[Value] = set()  # nodes known not to depend on the inputs

    def depends_on_inputs(self, v: Value) -> bool:
        seen = {v}
        stack = [v]
        while stack:
            node = stack.pop()
            if node in self.inputs:
                return True
            for p in node.parents:
                if p not in seen and p not in self.free:
                    seen.add(p)
                    stack.append(p)
        self.free |= seen
        return False

    def comparison(self, v: Value) -> None:
        if self.depends_on_inputs(v):
            raise TracingError(
                f"compile: a comparison or truth test on a Value computed from the inputs "
                f"({_describe(v)}, data={v.data!r}) is control flow that depends on the data; "
                "a compiled program would replay the branch taken for the example on every "
                "sample. Use the scalar engine (call the function on Values) for this function, "
                "or write the branch as an op (relu, abs, ...)")


def _number(x: object, where: str) -> float:
    if isinstance(x, Value):
        return x.data
    if isinstance(x, numbers.Real):
        return float(x)
    raise TypeError(f"compile: {where} must be a number, got {type(x).__name__} {repr(x)[:40]}")


def _is_constant(v: Value) -> bool:
    """A Constant leaf, or a leaf an op made from numbers alone (``sum([1.0, 2.0])``)."""
    return isinstance(v, Constant) or bool(v.op)


# ---------------------------------------------------------------------------
# The program
# ---------------------------------------------------------------------------
class Program:
    """A traced graph replayed batched: ``prog(*inputs)``, ``prog.backward(*inputs)``.

    Attributes: ``inputs`` (the traced input leaves), ``parameters`` (the other
    non-constant leaves: first as ``dot`` rows read them, which for an ``nn.MLP`` is
    ``model.parameters()``'s order, then the rest), ``output`` (the traced output: the
    recorded graph, to draw or step), ``graph`` (its nodes, parents first),
    ``steps`` (one ``(op, nodes)`` pair per NumPy kernel, in execution order).
    """

    def __init__(self, fn: Callable[..., Value], inputs: list[Value], output: Value) -> None:
        self.fn = fn
        self.inputs = tuple(inputs)
        self.output = output
        self.graph = topological_order(output)
        in_row = {v: i for i, v in enumerate(self.inputs)}
        params = [v for v in self.graph if not v.parents and v not in in_row
                  and not _is_constant(v)]
        consts = [v for v in self.graph if not v.parents and v not in in_row and _is_constant(v)]
        self.parameters = params
        self._build(in_row, params, consts)

    # -- compiling ----------------------------------------------------------
    def _build(self, in_row: dict, params: list[Value], consts: list[Value]) -> None:
        # The nodes whose adjoint can reach a parameter (only those need a backward
        # pass), and the kernels: the nodes of one op on one level of the backward
        # sweep (the longest path to the output). A node's parents lie on deeper
        # levels, so running the levels deepest first computes parents first.
        needs: set[Value] = set(params)
        for v in self.graph:
            if any(p in needs for p in v.parents):
                needs.add(v)
        level = levels(self.output)
        depth = {v: -level[v] for v in level}
        groups: dict[tuple[int, str], list[Value]] = {}
        for v in self.graph:  # a level's nodes in the sweep's order: a layer's neurons in order
            if v.parents:
                groups.setdefault((depth[v], v.op), []).append(v)
        params = _parameter_order(params, [nodes for (_, name), nodes in sorted(groups.items())
                                           if name == "dot"])
        self.parameters = params

        n_in, n_par = len(self.inputs), len(params)
        # S, the static vector of a call, is [parameters, constants]; constants are the
        # graph's Constant leaves, then the numbers met inside sum/dot contexts.
        static = {p: i for i, p in enumerate(params)}
        for j, c in enumerate(consts):
            static[c] = n_par + j
        const_values = [c.data for c in consts]
        number_index: dict[float, int] = {}

        def number(x: object) -> int:
            """The S index of a number, given a constant slot on first sight."""
            x = float(x)
            if x not in number_index:
                number_index[x] = n_par + len(const_values)
                const_values.append(x)
            return number_index[x]

        plans: list[tuple[str, list[Value], object]] = []
        for (_, name), nodes in sorted(groups.items()):
            if name == "dot":
                plans.extend(_plan_dots(nodes, static, number))
            else:
                if name == "sum":
                    for v in nodes:
                        if v.ctx[0] != 0:
                            number(v.ctx[0])
                plans.append((name, nodes, None))

        # Rows of V: inputs, the parameters some non-matmul step reads, constants, nodes.
        v_params = sorted({static[p] for kind, nodes, _ in plans if kind != "matmul"
                           for v in nodes for p in v.parents
                           if p in static and static[p] < n_par}
                          | ({static[self.output]} if self.output in params else set()))
        c_lo = n_in + len(v_params)
        row: dict[Value, int] = dict(in_row)
        for k, i in enumerate(v_params):
            row[params[i]] = n_in + k
        for c in consts:
            row[c] = c_lo + static[c] - n_par
        lo = c_lo + len(const_values)
        starts = []
        for _, nodes, _ in plans:
            starts.append(lo)
            for v in nodes:
                row[v] = lo
                lo += 1
        need_rows = {row[v] for v in needs if v in row}

        def ref(x: object) -> int:
            """The V row of an operand: a node, or a number's constant row."""
            return row[x] if isinstance(x, Value) else c_lo + number(x) - n_par

        n_consts = len(const_values)
        self._steps = [_make_step(kind, nodes, extra, lo_, row, ref, need_rows.__contains__,
                                  needs, n_par, const_values)
                       for (kind, nodes, extra), lo_ in zip(plans, starts)]
        assert len(const_values) == n_consts, "a number met after the rows were laid out"
        self._n_rows = lo
        self._row = row
        self._static = static
        self._last: tuple | None = None
        self._n_in, self._n_par, self._c_lo = n_in, n_par, c_lo
        self._out_row = row[self.output]
        self._const_values = np.asarray(const_values, dtype=float)
        self._v_params = _index(v_params) if v_params else None
        self._n_v_params = len(v_params)
        self._buffers: dict[int, np.ndarray] = {}
        self.steps = [(s.name, s.nodes) for s in self._steps]

    # -- running ------------------------------------------------------------
    def __repr__(self) -> str:
        return (f"Program({len(self.inputs)} inputs, {len(self.parameters)} parameters, "
                f"{len(self.graph)} nodes, {len(self._steps)} steps)")

    def _batch_size(self, inputs: tuple) -> tuple[int, bool]:
        """The batch size and whether any input is an array; a clear error for a bad
        input."""
        size, batched = 1, False
        for i, x in enumerate(inputs):
            if isinstance(x, np.ndarray) and x.ndim == 1:
                if batched and len(x) != size:
                    raise ValueError(f"compile: input {i} has batch size {len(x)}, "
                                     f"the inputs before it {size}")
                if not len(x):
                    raise ValueError("compile: the batch is empty")
                size, batched = len(x), True
            elif isinstance(x, np.ndarray) and x.ndim > 1:
                raise ValueError(f"compile: input {i} must be a number or an array of shape "
                                 f"(batch,), got shape {x.shape}")
            elif not isinstance(x, np.ndarray) or x.dtype.kind not in "biuf":
                _number(x if not isinstance(x, np.ndarray) else x.item(), f"input {i}")
        return size, batched

    def _buffer(self, size: int) -> np.ndarray:
        """The (rows x size) value array, reused from call to call; constants set once."""
        V = self._buffers.get(size)
        if V is None:
            V = np.empty((self._n_rows, size))
            V[self._c_lo:self._c_lo + len(self._const_values)] = self._const_values[:, None]
            self._buffers[size] = V
        return V

    def parameter_vector(self) -> np.ndarray:
        """The parameters' current ``.data`` as one array, in the order of ``parameters``."""
        return np.fromiter([p.data for p in self.parameters], float, self._n_par)

    def load_parameters(self, vector: np.ndarray) -> None:
        """Write ``vector`` (ordered as ``parameters``) into the parameters' ``.data``."""
        values = self._check_params(vector).tolist()
        for p, x in zip(self.parameters, values):
            p.data = x

    def _check_params(self, vector: object) -> np.ndarray:
        vector = np.asarray(vector, dtype=float)
        if vector.shape != (self._n_par,):
            raise ValueError(f"compile: params must have shape ({self._n_par},), one value per "
                             f"parameter, got shape {vector.shape}")
        return vector

    def _run(self, inputs: tuple, keep: bool, params: np.ndarray | None = None):
        """Forward pass over a batch: the value array, the static vector and, if
        ``keep``, each step's saved local derivatives. The parameters' values come
        from ``params`` when given, else from their ``.data``."""
        if len(inputs) != len(self.inputs):
            raise TypeError(f"compile: the program takes {len(self.inputs)} inputs, "
                            f"got {len(inputs)}")
        first = inputs[0] if inputs else None
        filled = False
        if (type(first) is np.ndarray and first.ndim == 1 and len(first)
                and first.dtype.kind in "biuf"):
            size, batched = len(first), True  # the usual case: one array per input
            V = self._buffer(size)
            try:
                V[:self._n_in] = inputs
                filled = True
            except (TypeError, ValueError):  # mixed sizes or types: check them one by one
                pass
        if not filled:
            size, batched = self._batch_size(inputs)
            V = self._buffer(size)
            for i, x in enumerate(inputs):
                V[i] = x.data if isinstance(x, Value) else x
        S = np.empty(self._n_par + len(self._const_values))
        S[:self._n_par] = (self.parameter_vector() if params is None
                           else self._check_params(params))
        S[self._n_par:] = self._const_values
        if self._v_params is not None:
            V[self._n_in:self._n_in + self._n_v_params] = S[self._v_params, None]
        with np.errstate(all="ignore"):  # each step checks its op's domain itself
            saved = [step.forward(V, S, keep) for step in self._steps]
        self._last = (V, S, batched)
        return V, S, saved, size, batched

    def values(self, nodes: Sequence[Value]) -> np.ndarray:
        """The values the recorded ``nodes`` took in the most recent call (a model's
        outputs, say), shape ``(len(nodes), batch)``."""
        if self._last is None:
            raise RuntimeError("compile: values() reads the most recent call; call the "
                               "program first")
        V, S, _ = self._last
        rows = []
        for v in nodes:
            if v in self._row:
                rows.append(V[self._row[v]])
            elif v in self._static:  # a parameter only a matrix product reads
                rows.append(np.full(V.shape[1], S[self._static[v]]))
            else:
                raise ValueError(f"compile: {_describe(v)} is not in the recorded graph")
        return np.array(rows).reshape(len(rows), V.shape[1])

    def __call__(self, *inputs: float | np.ndarray, params: np.ndarray | None = None
                 ) -> float | np.ndarray:
        """The output for each sample: an array of shape (batch,), or a float when
        every input is a number. ``params``: parameter values to use instead of
        the parameters' ``.data`` (ordered as ``parameters``)."""
        V, _, _, _, batched = self._run(inputs, keep=False, params=params)
        out = V[self._out_row]
        return out.copy() if batched else float(out[0])

    def gradients(self, *inputs: float | np.ndarray, reduction: str = "sum",
                  params: np.ndarray | None = None) -> tuple[float | np.ndarray, np.ndarray]:
        """The outputs and d(output)/d(parameter) reduced over the batch (an array in
        the order of ``parameters``), leaving every ``.grad`` untouched.

        With ``params`` (a vector ordered as ``parameters``) the program is a pure
        function of its inputs and that vector, so a training loop can keep the
        parameters in one array, as NumPy code would, and skip the per-Value work::

            theta = prog.parameter_vector()
            for batch in batches:
                _, g = prog.gradients(*batch, reduction="mean", params=theta)
                theta -= lr * g
            prog.load_parameters(theta)
        """
        if reduction not in ("sum", "mean"):
            raise ValueError(f"compile: reduction must be 'sum' or 'mean', got {reduction!r}")
        V, S, saved, size, batched = self._run(inputs, keep=True, params=params)
        G = np.zeros_like(V)
        Gs = np.zeros_like(S)
        G[self._out_row] = 1.0
        with np.errstate(all="ignore"):  # inf * 0 at a kink is the scalar engine's nan too
            for step, s in zip(reversed(self._steps), reversed(saved)):
                step.backward(G, Gs, s)
        grads = Gs[:self._n_par]
        if self._v_params is not None:
            grads[self._v_params] += G[self._n_in:self._n_in + self._n_v_params].sum(axis=1)
        if reduction == "mean":
            grads /= size
        out = V[self._out_row]
        return (out.copy() if batched else float(out[0])), grads

    def backward(self, *inputs: float | np.ndarray, reduction: str = "sum"
                 ) -> float | np.ndarray:
        """Evaluate, then *add* the batch's summed (or averaged) gradients into each
        parameter's ``.grad``, as ``loss.backward()`` does; returns the outputs."""
        out, grads = self.gradients(*inputs, reduction=reduction)
        for p, g in zip(self.parameters, grads.tolist()):
            p.grad += g
        return out


def _parameter_order(params: list[Value], dot_groups: list[list[Value]]) -> list[Value]:
    """The parameters in the order the dot nodes read them, node by node and pair by
    pair (so a dense layer's weights and biases lie in one block of S, in the order
    ``nn.MLP.parameters()`` lists them), then the others in topological order."""
    wanted = set(params)
    order: dict[Value, None] = {}
    for nodes in dot_groups:
        for v in nodes:
            for w, x in zip(*v.ctx):
                for side in (w, x):
                    if isinstance(side, Value) and side in wanted:
                        order[side] = None
    for p in params:
        order[p] = None
    return list(order)


def _plan_dots(nodes: list[Value], static: dict, number: Callable[[object], int]) -> list:
    """Split one depth's dot nodes into matrix products (nodes that read the same
    varying operands against parameters or numbers) and one segment-sum step for the
    rest. Pairs with no varying side (a bias times 1) ride along with the product."""

    def s_index(x: object) -> int:
        return static[x] if isinstance(x, Value) else number(x)

    def is_static(x: object) -> bool:
        return not isinstance(x, Value) or x in static

    by_x: dict[tuple, list] = {}
    rest = []
    for v in nodes:
        w_row, x_row, pairs = [], [], []
        for w, x in zip(*v.ctx):
            w_static, x_static = is_static(w), is_static(x)
            if w_static and x_static:
                pairs.append((s_index(w), s_index(x)))
            elif w_static or x_static:
                s, var = (w, x) if w_static else (x, w)
                w_row.append(s_index(s))
                x_row.append(var)
            else:
                rest.append(v)
                break
        else:
            by_x.setdefault(tuple(x_row), []).append((v, w_row, pairs))
    plans = [("matmul", [v for v, _, _ in group],
              (list(key), [w for _, w, _ in group],
               [(i, a, b) for i, (_, _, ps) in enumerate(group) for a, b in ps]))
             for key, group in by_x.items()]
    if rest:
        for v in rest:  # the numbers among the operands get constant slots now
            for side in (*v.ctx[0], *v.ctx[1]):
                if not isinstance(side, Value):
                    number(side)
        plans.append(("dot", rest, None))
    return plans


def _make_step(kind, nodes, extra, lo, row, ref, need_row, needs, n_par,
               const_values) -> _Step:
    if kind == "matmul":
        x_nodes, w, pairs = extra
        return _MatmulDot(lo, nodes, w, [row[v] for v in x_nodes],
                          any(v in needs for v in x_nodes), pairs, n_par, const_values)
    if kind == "sum":
        flat, counts = [], []
        for v in nodes:
            c = v.ctx[0]
            seg = ([ref(c)] if c != 0 else []) + [row[p] for p in v.parents]
            flat.extend(seg)
            counts.append(len(seg))
        return _SegmentSum(lo, nodes, flat, counts, need_row)
    if kind == "dot":
        pairs, counts = [], []
        for v in nodes:
            ws, xs = v.ctx
            pairs.extend((ref(w), ref(x)) for w, x in zip(ws, xs))
            counts.append(len(ws))
        return _SegmentDot(lo, nodes, pairs, counts, need_row)
    args, scatters = [], []
    for k in range(len(nodes[0].parents)):
        rows = [row[v.parents[k]] for v in nodes]
        args.append(_index(rows))
        scatters.append(_Scatter(rows) if any(need_row(r) for r in rows) else None)
    return _Elementwise(kind, lo, nodes, args, scatters)


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------
def compile(fn: Callable[..., Value], example_inputs: Sequence[float | Value]) -> Program:
    """Trace ``fn`` once on one leaf per example input and compile its graph.

    ``fn`` takes the inputs as separate Values and returns one Value (a sample's
    loss, say). Every other non-constant leaf it reaches is a parameter, read from
    its ``.data`` at each call. Raises TracingError if ``fn`` branches on a value
    computed from its inputs.

    >>> w = Value(2.0, "w")
    >>> prog = compile(lambda x, y: (w * x - y) ** 2, [1.0, 0.0])
    >>> prog.backward(np.array([1.0, 2.0]), np.array([0.0, 1.0])).tolist(), w.grad
    ([4.0, 9.0], 16.0)
    """
    inputs = []
    for i, x in enumerate(example_inputs):
        label = x.label if isinstance(x, Value) and x.label else f"input{i}"
        inputs.append(Value(_number(x, f"example input {i}"), label))
    token = _value.tracer.set(_Tracer(inputs))
    try:
        with enable_grad():
            output = fn(*inputs)
    finally:
        _value.tracer.reset(token)
    if not isinstance(output, Value):
        raise TypeError(f"compile: fn must return a Value, got {type(output).__name__}")
    return Program(fn, inputs, output)


class _CallableModule(types.ModuleType):
    """Makes ``autograd.compile(fn, xs)`` work although ``autograd.compile`` is this
    module (importing a submodule rebinds the package attribute of that name)."""

    def __call__(self, fn: Callable[..., Value], example_inputs: Sequence[float]) -> Program:
        return compile(fn, example_inputs)


sys.modules[__name__].__class__ = _CallableModule
