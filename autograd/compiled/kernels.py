"""The NumPy side of the replay: the ``NUMPY`` math namespace and the kernels.

The op table's rules (``autograd.ops``) are written over a math namespace, so
the same ``forward`` and ``local`` that run on floats in the scalar engine run
here on NumPy arrays: ``NUMPY`` supplies ``exp``, ``where`` and the rest. An op
is one entry of the table and nothing more; a new op replays without a line here.

A kernel fills the rows ``lo:hi`` of the value array ``V`` (nodes x batch) in
the forward pass, and in the backward pass multiplies their adjoints by the
local derivatives it saved (the chain rule, exactly as the scalar sweep does
per node), adding the products into the operands' rows of ``G`` (or, for a
matrix product's parameters, of ``Gs``, the batch-summed static gradients).

- ``ElementwiseKernel``: nodes of one fixed-arity op, the op's own rules over
  the block; it checks the op's domain and overflow as the scalar engine does;
- ``SegmentSumKernel`` and ``SegmentDotKernel``: ``sum`` and ``dot`` nodes as
  sums over runs of their flattened operands (``np.add.reduceat``);
- ``SegmentSelectKernel``: ``max`` and ``min`` nodes, likewise
  (``np.maximum.reduceat``), each adjoint going to the operand picked;
- ``MatmulKernel``: ``dot`` nodes that read the same varying rows: ``W @ X``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .. import ops
from ..ops import FLOAT, DomainError, Op, ZeroDivisionDomainError
from ..value import Value
from .plan import KernelPlan, MatmulPlan, Plan
from .trace import describe_node

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

SELECT_UFUNCS = {"max": np.maximum, "min": np.minimum}
"""The n-ary ops that pick one operand, with the NumPy function that picks it."""


class NUMPY:
    """The math namespace for NumPy arrays: the op table's rules run on it over a
    whole (nodes x batch) block at once."""

    inf = math.inf
    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    sqrt = staticmethod(np.sqrt)
    tanh = staticmethod(np.tanh)
    sin = staticmethod(np.sin)
    cos = staticmethod(np.cos)
    abs = staticmethod(np.abs)
    floor = staticmethod(np.floor)
    sign = staticmethod(np.sign)  # 0 at 0, as FLOAT.sign
    where = staticmethod(np.where)

    @staticmethod
    def sigmoid(x: Any) -> Any:
        e = np.exp(-np.abs(x))  # as FLOAT.sigmoid: neither branch can overflow
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    @staticmethod
    def softplus(x: Any) -> Any:
        """log(1 + e^x) without overflow for large |x|."""
        return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0.0)

    @staticmethod
    def heaviside(x: Any) -> Any:
        """1.0 where x > 0, else 0.0 (relu's derivative), as a float array."""
        return np.where(x > 0, 1.0, 0.0)

    @staticmethod
    def maximum(xs: Sequence[Any]) -> Any:
        """The largest of the blocks ``xs``, entry by entry; NaN where one is NaN."""
        return np.maximum.reduce(np.broadcast_arrays(*xs))

    @staticmethod
    def minimum(xs: Sequence[Any]) -> Any:
        return np.minimum.reduce(np.broadcast_arrays(*xs))

    @staticmethod
    def selected(xs: Sequence[Any], z: Any) -> Any:
        """Entry by entry, the position of the first block equal to ``z`` (or NaN): the
        operand a max or min picked, as ``FLOAT.selected``."""
        return np.argmax([(x == z) | np.isnan(x) for x in np.broadcast_arrays(*xs, z)[:-1]],
                         axis=0)

    @staticmethod
    def power(x: Any, p: Any) -> Any:
        """x ** p, +inf for 0 to a negative power (as FLOAT.power: even for -0.0),
        without NumPy's divide-by-zero warning."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where((x == 0) & (p < 0), math.inf, np.power(x, p))

    @staticmethod
    def data(x: Any) -> Any:
        return x  # blocks are numbers already (an array's own .data is its buffer)


def cheapest_index(rows: Sequence[int], broadcast: bool = True) -> slice | IntArray:
    """The cheapest NumPy index for ``rows``: a slice (a view, no copy) when they are
    consecutive or, if ``broadcast``, all one row (a (1 x batch) view that broadcasts),
    else an int array."""
    first = rows[0]
    if broadcast and all(r == first for r in rows):
        return slice(first, first + 1)
    if all(r == first + i for i, r in enumerate(rows)):
        return slice(first, first + len(rows))
    return np.asarray(rows, dtype=np.intp)


class Scatter:
    """Adds the rows of a contribution block into ``G[targets]``; rows aimed at the
    same target add up (the chain rule's "paths add up")."""

    __slots__ = ("index", "kind", "perm", "starts")

    def __init__(self, targets: Sequence[int]) -> None:
        t = np.asarray(targets, dtype=np.intp)
        self.index: int | slice | IntArray
        self.perm: IntArray | None = None  # "reduce" only: the targets' stable sort
        self.starts: IntArray | None = None  # and where each target's run starts in it
        if (t == t[0]).all():
            self.kind, self.index = "one", int(t[0])
        elif len(np.unique(t)) == len(t):
            self.kind, self.index = "unique", cheapest_index(list(t))
        else:
            perm = np.argsort(t, kind="stable")
            ts = t[perm]
            self.starts = np.flatnonzero(np.r_[True, ts[1:] != ts[:-1]])
            self.kind, self.index = "reduce", ts[self.starts]
            self.perm = perm

    def add(self, G: FloatArray, block: FloatArray) -> None:
        if self.kind == "one":
            G[self.index] += block.sum(axis=0) if block.shape[0] > 1 else block[0]
        elif self.kind == "unique":
            G[self.index] += block
        else:
            assert self.perm is not None and self.starts is not None  # set for "reduce"
            G[self.index] += np.add.reduceat(block[self.perm], self.starts, axis=0)


class StaticAdd:
    """Adds values into ``Gs[index]`` (the batch-summed gradients of the static
    vector), duplicates summed; ``wanted`` is False when no index is a parameter."""

    __slots__ = ("index", "unique", "wanted")

    def __init__(self, index: Any, n_par: int) -> None:
        self.index = np.asarray(index, dtype=np.intp)
        flat = self.index.ravel()
        self.unique = len(np.unique(flat)) == len(flat)
        self.wanted = bool((flat < n_par).any())

    def add(self, Gs: FloatArray, values: FloatArray) -> None:
        if self.unique:
            Gs[self.index] += values
        else:
            np.add.at(Gs, self.index, values)


def times_local(local: Any, g: FloatArray) -> FloatArray:
    """``g * local``, skipping the multiplication for the constant locals 1 and -1."""
    if isinstance(local, float):
        return g if local == 1.0 else -g if local == -1.0 else g * local
    return g * local


def batch_summed(g: FloatArray, scale: FloatArray | None = None) -> FloatArray:
    """Each row of ``g`` (one node's adjoints) summed over the batch, times the node's
    number in ``scale`` if given."""
    gs = g.sum(axis=1)
    return gs if scale is None else gs * scale


def operands_with_data(node: Value, data: Sequence[float]) -> str:
    """The operand nodes of ``node`` with one sample's numbers, as the scalar engine
    names them in its errors: ``node 'y' (data=-1.0), ...``."""
    return ", ".join(f"{describe_node(p)} (data={x!r})" for p, x in zip(node.parents, data))


def ctx_columns(op: Op, nodes: Sequence[Value]) -> tuple[float | FloatArray, ...]:
    """The nodes' ctx, position by position: one number when every node has the same
    (a leaky ReLU's slope), else a (nodes x 1) column (each ``x ** k``'s own ``k``)."""
    size = len(nodes[0].ctx)
    for v in nodes:
        if len(v.ctx) != size or not all(isinstance(x, numbers.Real) for x in v.ctx):
            raise TypeError(f"compile: cannot replay {op.name} nodes whose ctx is not "
                            f"{size} numbers, got {v.ctx!r}"[:200])
    columns: list[float | FloatArray] = []
    for j in range(size):
        values = [v.ctx[j] for v in nodes]
        first = values[0]
        if all(x == first for x in values):
            columns.append(float(first))
        else:
            columns.append(np.asarray(values, dtype=float)[:, None])
    return tuple(columns)


class Kernel:
    """One NumPy operation over the rows ``lo:hi`` of V, filled by ``nodes`` of ``name``."""

    lo: int
    hi: int
    name: str
    nodes: list[Value]

    def forward(self, V: FloatArray, S: FloatArray, keep: bool) -> Any:
        """Fill V[lo:hi]; return what ``backward`` needs if ``keep``."""
        raise NotImplementedError

    def backward(self, G: FloatArray, Gs: FloatArray, saved: Any) -> None:
        """Pass G[lo:hi] on to the operands' rows of G (or Gs)."""
        raise NotImplementedError


class ElementwiseKernel(Kernel):
    """A group of fixed-arity nodes of one op: the op's own ``forward`` and ``local``
    run once over their block, its ``domain`` checked as a mask over the block."""

    def __init__(self, op: Op, lo: int, nodes: list[Value], args: list[Any],
                 scatters: list[Scatter | None]) -> None:
        self.op, self.name, self.lo, self.hi, self.nodes = op, op.name, lo, lo + len(nodes), nodes
        self.args = args  # one V index per operand position
        self.scatters = scatters  # one per operand position, None if no gradient is needed
        self.ctx = ctx_columns(op, nodes)

    def forward(self, V: FloatArray, S: FloatArray, keep: bool) -> Any:
        xs = tuple(V[a] for a in self.args)
        for outside, reason in self.op.domain:
            mask = outside(NUMPY, xs, self.ctx)
            if np.any(mask):
                self._domain_error(xs, mask, reason)
        z = V[self.lo:self.hi]
        z[...] = self.op.forward(NUMPY, xs, self.ctx)
        if not np.isfinite(z).all():  # rare: see whether the scalar engine would raise
            self._check_non_finite(xs, z)
        return self.op.local(NUMPY, xs, z, self.ctx) if keep else None

    def backward(self, G: FloatArray, Gs: FloatArray, locals_: Any) -> None:
        g = G[self.lo:self.hi]
        for scatter, local in zip(self.scatters, locals_):
            if scatter is not None:
                scatter.add(G, times_local(local, g))

    def _entries(self, xs: tuple, mask: Any) -> Iterator[tuple[Value, int, tuple]]:
        """Each entry where ``mask`` holds, node by node: the node, the sample and the
        node's operands in that sample."""
        shape = np.broadcast_shapes(*(x.shape for x in xs), (self.hi - self.lo, 1))
        for flat in np.flatnonzero(np.broadcast_to(mask, shape)):
            i, b = np.unravel_index(int(flat), shape)
            operands = tuple(float(np.broadcast_to(x, shape)[i, b]) for x in xs)
            yield self.nodes[i], int(b), operands

    def _domain_error(self, xs: tuple, mask: Any, reason: str) -> None:
        node, b, operands = next(self._entries(xs, mask))
        cls = ZeroDivisionDomainError if "zero" in reason else DomainError
        raise cls(f"{self.name}: domain error in sample {b} at "
                  f"{operands_with_data(node, operands)}: {reason}")

    def _check_non_finite(self, xs: tuple, z: FloatArray) -> None:
        """Raise where the scalar engine would: an infinite result from finite operands
        (OverflowError), or a nan from numbers where Python's math raises (sin(inf))."""
        finite_operands, nan_operand = np.True_, np.False_  # operands may differ in shape
        for x in xs:
            finite_operands = finite_operands & np.isfinite(x)
            nan_operand = nan_operand | np.isnan(x)
        for node, b, operands in self._entries(xs, np.isinf(z) & finite_operands):
            raise OverflowError(f"{self.name}: result too large in sample {b} at "
                                f"{operands_with_data(node, operands)}")
        new_nan = np.isnan(z) & ~nan_operand
        for node, b, operands in self._entries(xs, new_nan):
            try:
                self.op.forward(FLOAT, operands, node.ctx)
            except ValueError:
                raise DomainError(f"{self.name}: domain error in sample {b} at "
                                  f"{operands_with_data(node, operands)}: outside the "
                                  "domain of the function") from None
            except ArithmeticError:
                pass  # no math domain error: NumPy's nan stands, as the scalar engine's


class SegmentSumKernel(Kernel):
    """A group of ``sum`` nodes: each node adds a run of the flattened operand rows."""

    def __init__(self, lo: int, nodes: list[Value], flat: list[int], counts: list[int],
                 need_rows: set[int]) -> None:
        self.name, self.lo, self.hi, self.nodes = "sum", lo, lo + len(nodes), nodes
        self.flat = np.asarray(flat, dtype=np.intp)
        self.starts = np.r_[0, np.cumsum(counts)[:-1]].astype(np.intp)
        seg = np.repeat(np.arange(len(nodes)), counts)
        sel = [i for i, r in enumerate(flat) if r in need_rows]
        self.seg = seg[sel]
        self.scatter = Scatter([flat[i] for i in sel]) if sel else None

    def forward(self, V: FloatArray, S: FloatArray, keep: bool) -> None:
        np.add.reduceat(V[self.flat], self.starts, axis=0, out=V[self.lo:self.hi])

    def backward(self, G: FloatArray, Gs: FloatArray, saved: Any) -> None:
        if self.scatter is not None:  # every local derivative of a sum is 1
            self.scatter.add(G, G[self.lo:self.hi][self.seg])


class SegmentSelectKernel(Kernel):
    """A group of ``max`` (or ``min``) nodes: each node picks from a run of the flattened
    operand rows, and its adjoint goes to the first operand holding the result in that
    sample (or the first NaN), as the op's local derivatives in the scalar engine."""

    def __init__(self, name: str, lo: int, nodes: list[Value], flat: list[int],
                 counts: list[int], need_rows: set[int]) -> None:
        self.name, self.lo, self.hi, self.nodes = name, lo, lo + len(nodes), nodes
        self.reduce = SELECT_UFUNCS[name].reduceat
        self.flat = cheapest_index(flat, broadcast=False)
        self.starts = np.r_[0, np.cumsum(counts)[:-1]].astype(np.intp)
        self.seg = np.repeat(np.arange(len(nodes)), counts)  # each operand's node
        self.position = np.arange(len(flat))[:, None]  # each operand's place in the runs
        self.sel = np.asarray([i for i, r in enumerate(flat) if r in need_rows],
                              dtype=np.intp)  # the operands whose rows want an adjoint
        self.scatter = Scatter([flat[i] for i in self.sel]) if len(self.sel) else None

    def forward(self, V: FloatArray, S: FloatArray, keep: bool) -> Any:
        xs = V[self.flat]
        z = V[self.lo:self.hi]
        self.reduce(xs, self.starts, axis=0, out=z)  # NaN propagates, as FLOAT.maximum
        if not keep or self.scatter is None:
            return None
        # each operand's place where it holds its node's result (or is NaN), else past
        # the end; the smallest per run is the first operand holding it: the one picked
        holds = (xs == z[self.seg]) | np.isnan(xs)
        place = np.where(holds, self.position, len(self.position))
        first = np.minimum.reduceat(place, self.starts, axis=0)
        return (place == first[self.seg])[self.sel]

    def backward(self, G: FloatArray, Gs: FloatArray, picked: Any) -> None:
        if self.scatter is not None:  # the local derivative is 1 if picked, else 0
            g = G[self.lo:self.hi][self.seg[self.sel]]
            self.scatter.add(G, np.where(picked, g, 0.0))


class SegmentDotKernel(Kernel):
    """A group of ``dot`` nodes as segment sums of pairwise products."""

    def __init__(self, lo: int, nodes: list[Value], pairs: list[tuple[int, int]],
                 counts: list[int], need_rows: set[int]) -> None:
        self.name, self.lo, self.hi, self.nodes = "dot", lo, lo + len(nodes), nodes
        a = [p[0] for p in pairs]
        b = [p[1] for p in pairs]
        self.a = cheapest_index(a, broadcast=False)
        self.b = cheapest_index(b, broadcast=False)
        self.starts = np.r_[0, np.cumsum(counts)[:-1]].astype(np.intp)
        seg = np.repeat(np.arange(len(nodes)), counts)
        self.sides: list[tuple[IntArray, IntArray, Scatter] | None] = []
        for targets in (a, b):  # dz/da_i = b_i and dz/db_i = a_i
            sel = np.asarray([i for i, r in enumerate(targets) if r in need_rows],
                             dtype=np.intp)
            if len(sel):
                self.sides.append((seg[sel], sel, Scatter([targets[i] for i in sel])))
            else:
                self.sides.append(None)

    def forward(self, V: FloatArray, S: FloatArray, keep: bool) -> Any:
        A, B = V[self.a], V[self.b]
        np.add.reduceat(A * B, self.starts, axis=0, out=V[self.lo:self.hi])
        return (B, A) if keep else None  # each side's local derivative is its partner

    def backward(self, G: FloatArray, Gs: FloatArray, partners: Any) -> None:
        g = G[self.lo:self.hi]
        for side, partner in zip(self.sides, partners):
            if side is not None:
                seg, sel, scatter = side
                scatter.add(G, g[seg] * partner[sel])


class MatmulKernel(Kernel):
    """``dot`` nodes that all read the same varying rows ``X`` against parameters or
    numbers ``W`` (a dense layer: every neuron reads the same inputs): one matrix
    product ``W @ X``. Pairs with no varying side (a bias times the number 1) add a
    per-node term computed once per call, not once per sample.

    When ``W`` and the biases lie in S as one row-major block (as ``nn.MLP`` lists its
    parameters, which ``plan.parameter_order`` keeps), they are read and their
    gradients added through views of that block instead of gathers and scatters."""

    def __init__(self, lo: int, nodes: list[Value], w: list[list[int]], x: list[int],
                 needs_x: bool, pairs: list[tuple[int, int, int]], n_par: int,
                 const_values: list[float]) -> None:
        self.name, self.lo, self.hi, self.nodes = "dot", lo, lo + len(nodes), nodes
        n, k = len(nodes), len(x)
        self.k = k
        self.w = np.asarray(w, dtype=np.intp).reshape(n, k)  # indices into S
        self.x = cheapest_index(x, broadcast=False) if x else np.zeros(0, dtype=np.intp)
        self.x_scatter = Scatter(x) if needs_x and x else None
        self.dw = StaticAdd(self.w, n_par)
        # (S index, StaticAdd, numbers or None if all 1): each node's parameter times a number
        self.bias: tuple[IntArray, StaticAdd, FloatArray | None] | None = None
        # (node, a, b, a's StaticAdd, b's StaticAdd): the other pairs
        self.pairs: tuple[IntArray, IntArray, IntArray, StaticAdd, StaticAdd] | None = None
        # (start, end, shape): W and the biases as one row-major block of S
        self.block: tuple[int, int, tuple[int, ...]] | None = None
        if pairs:  # (node, a, b): S[a] * S[b] added to the node
            seg, a, b = (np.asarray(c, dtype=np.intp) for c in zip(*pairs))
            if len(seg) == n and (seg == np.arange(n)).all() and (
                    ((a < n_par) & (b >= n_par)).all() or ((b < n_par) & (a >= n_par)).all()):
                p, c = (a, b) if a[0] < n_par else (b, a)  # one parameter times a number each
                scale = np.asarray([const_values[i - n_par] for i in c])
                self.bias = (p, StaticAdd(p, n_par), None if (scale == 1).all() else scale)
            else:
                self.pairs = (seg, a, b, StaticAdd(a, n_par), StaticAdd(b, n_par))
        full = self.w if self.bias is None else np.hstack([self.w, self.bias[0][:, None]])
        if full.size and (full.ravel() == full.flat[0] + np.arange(full.size)).all():
            start = int(full.flat[0])
            self.block = (start, start + full.size, full.shape)

    def _static(self, S: FloatArray) -> tuple[FloatArray, FloatArray | None]:
        """W, and each node's bias term (its bias times its number), or None without
        biases, from S."""
        B = None
        if self.block is not None:
            lo, hi, shape = self.block
            B = S[lo:hi].reshape(shape)  # a view: each row of W, then its bias
        W = S[self.w] if B is None else B[:, :self.k]
        if self.bias is None:
            return W, None
        index, _, scale = self.bias
        bias = S[index] if B is None else B[:, self.k]
        return W, (bias if scale is None else bias * scale)

    def forward(self, V: FloatArray, S: FloatArray, keep: bool) -> Any:
        W, bias = self._static(S)
        X = V[self.x]
        out = V[self.lo:self.hi]
        np.matmul(W, X, out=out)
        if bias is not None:
            out += bias[:, None]
        if self.pairs is not None:
            seg, a, b = self.pairs[:3]
            out += np.bincount(seg, S[a] * S[b], minlength=len(out))[:, None]
        return (W, X, S) if keep else None

    def backward(self, G: FloatArray, Gs: FloatArray, saved: Any) -> None:
        W, X, S = saved
        g = G[self.lo:self.hi]
        if self.x_scatter is not None:
            self.x_scatter.add(G, W.T @ g)
        if self.block is not None:
            lo, hi, shape = self.block
            B = Gs[lo:hi].reshape(shape)  # a view: adding into it adds into Gs
            if self.dw.wanted:
                B[:, :self.k] += g @ X.T  # dW, already summed over the batch
            if self.bias is not None and self.bias[1].wanted:
                B[:, self.k] += batch_summed(g, self.bias[2])
        else:
            if self.dw.wanted:
                self.dw.add(Gs, g @ X.T)
            if self.bias is not None and self.bias[1].wanted:
                self.bias[1].add(Gs, batch_summed(g, self.bias[2]))
        if self.pairs is not None:
            seg, a, b, da, db = self.pairs
            gs = batch_summed(g)
            if da.wanted:
                da.add(Gs, gs[seg] * S[b])
            if db.wanted:
                db.add(Gs, gs[seg] * S[a])


def _matmul_kernel(k: KernelPlan, m: MatmulPlan, plan: Plan) -> MatmulKernel:
    x_rows = [plan.row[v] for v in m.x_nodes]
    needs_x = any(r in plan.need_rows for r in x_rows)
    return MatmulKernel(k.lo, k.nodes, m.w, x_rows, needs_x, m.pairs, plan.n_params,
                        plan.const_values)


def _segment_sum_kernel(k: KernelPlan, plan: Plan) -> SegmentSumKernel:
    flat, counts = [], []
    for v in k.nodes:
        const = v.ctx[0]  # the numbers of the sum, folded into one constant
        rows = ([plan.operand_row(const)] if const != 0 else []) + [plan.row[p] for p in v.parents]
        flat.extend(rows)
        counts.append(len(rows))
    return SegmentSumKernel(k.lo, k.nodes, flat, counts, plan.need_rows)


def _segment_select_kernel(k: KernelPlan, plan: Plan) -> SegmentSelectKernel:
    flat = [plan.row[p] for v in k.nodes for p in v.parents]
    counts = [len(v.parents) for v in k.nodes]
    return SegmentSelectKernel(k.op, k.lo, k.nodes, flat, counts, plan.need_rows)


def _segment_dot_kernel(k: KernelPlan, plan: Plan) -> SegmentDotKernel:
    pairs: list[tuple[int, int]] = []
    counts: list[int] = []
    for v in k.nodes:
        ws, xs = v.ctx  # numbers included: they read their constant rows
        pairs.extend((plan.operand_row(w), plan.operand_row(x)) for w, x in zip(ws, xs))
        counts.append(len(ws))
    return SegmentDotKernel(k.lo, k.nodes, pairs, counts, plan.need_rows)


def make_kernel(k: KernelPlan, plan: Plan) -> Kernel:
    """The NumPy kernel for one planned group of nodes."""
    if k.matmul is not None:
        return _matmul_kernel(k, k.matmul, plan)
    if k.op == "sum":
        return _segment_sum_kernel(k, plan)
    if k.op == "dot":
        return _segment_dot_kernel(k, plan)
    if k.op in SELECT_UFUNCS:
        return _segment_select_kernel(k, plan)
    op = ops.TABLE[k.op]
    if op.arity == 0:
        raise TypeError(f"compile: cannot replay the n-ary op {op.name!r}: only sum, dot, "
                        "max and min have batched kernels")
    args, scatters = [], []
    for position in range(len(k.nodes[0].parents)):
        rows = [plan.row[v.parents[position]] for v in k.nodes]
        args.append(cheapest_index(rows))
        scatters.append(Scatter(rows) if any(r in plan.need_rows for r in rows) else None)
    return ElementwiseKernel(op, k.lo, k.nodes, args, scatters)
