"""Backpropagation one node at a time: ``steps(loss)``.

``steps(loss)`` runs the reverse sweep of ``backward()`` (``autograd.sweep``)
but stops at every node to say what it did: the node's finished ∂C/∂node and
the contributions that built it, one per edge from a child that uses the node::

    ∂C/∂a = 0.6 × 1.2 + (−0.3) × 0.5 = 0.57
            local × ∂C/∂child, for each child

A child that uses the same parent twice (``x * x``) has two edges to it, so it
makes two contributions: one per (child, position) pair, exactly the shares
``backward()`` adds. Every step also carries ``step.memo``, a read-only view of
the memo table as it stood right after that step: which entries are *filled*
(their step is done), *ready* (every share is in, their step comes next) and
*pending* (shares still missing).

Numbers used in an operation (``Constant``: the 1 of ``(y - 1)**2``) get no
memo entry and no step: nobody asks how C changes with the number 1. The
sweep still reaches them, so ``.grad`` ends up as ``backward()`` leaves it.
The output is called C when it has no label.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from .. import ops
from ..autodiff import _checked_gradient, topological_order
from ..i18n import _
from ..sweep import order as sweep_order
from ..sweep import sweep
from ..value import Constant, Value
from .numbers import plain_number

OP_WORDS = {"pow_const": "pow"}
"""How an unlabelled node's name says its op, where the op's internal name would not
read well (``pow#3``, not ``pow_const#3``); every other op by its own name."""


@dataclass(frozen=True, slots=True)
class Contribution:
    """One edge's share of ∂C/∂node: ``product = local * child_grad``.

    ``child`` uses the node; ``child_grad`` is ∂C/∂child (already final when
    the share is passed); ``local`` is ∂child/∂node from the forward pass.
    """

    child: Value
    child_grad: float
    local: float
    product: float


@dataclass(frozen=True, slots=True)
class Step:
    """One node of the backward pass, its entry now final.

    ``grad`` is ∂C/∂node: for the output, the ``gradient`` given to ``steps``
    (1 by default: C is the output); for any other node, the sum of the
    ``contributions`` (added in the order shown, as ``backward()`` adds them).
    ``index`` counts steps from 0 (the output); ``memo`` is the memo table as
    it stood right after this step.
    """

    node: Value
    grad: float
    contributions: tuple[Contribution, ...]
    index: int = 0
    memo: MemoView | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        from .text import chain_rule_line  # here, not at the top: text.py imports this module

        return chain_rule_line(self)

    def name(self, node: Value | None = None) -> str:
        """A short name for ``node`` (default: this step's node): see ``MemoView.name``."""
        target = self.node if node is None else node
        return self.memo.name(target) if self.memo is not None else _name_without_memo(target)

    def nudge(self, h: float = 1e-6) -> float:
        """∂C/∂node estimated by finite differences: what the entry *means*.

        Push this node's value up by ``h`` and down by ``h``, recompute every node
        between it and the output (on floats, with each op's own forward rule;
        the graph is not changed), and divide the change of C by 2h. On a smooth
        graph it agrees with ``self.grad`` to about h²; near a kink (``relu`` at 0)
        it need not. ValueError if a pushed value leaves an op's domain
        (``log`` of a negative number): try a smaller ``h``.

        >>> from autograd import Value
        >>> x = Value(3.0, "x"); last = list(steps(x * x))[-1]
        >>> last.grad, round(last.nudge(), 6)
        (6.0, 6.0)
        """
        if self.memo is None:
            raise ValueError("nudge: this Step has no memo (make Steps with steps())")
        if isinstance(h, bool) or not isinstance(h, (int, float)) or not 0 < h < math.inf:
            raise ValueError(f"nudge: h must be a positive number, got {h!r}")
        memo = self.memo
        up = recompute_output(memo.output, self.node, self.node.data + h)
        down = recompute_output(memo.output, self.node, self.node.data - h)
        return memo.gradient * (up - down) / (2 * h)


def recompute_output(output: Value, node: Value, value: float) -> float:
    """The output's value if ``node`` held ``value``: every node between them is
    recomputed in topological order with its op's forward rule on floats
    (``op.forward(ops.FLOAT, xs, ctx)``); the graph itself is left unchanged."""
    changed = {node: value}
    for v in topological_order(output):  # parents before the nodes that use them
        if v is node or not any(p in changed for p in v.parents):
            continue  # not downstream of node: its value stands
        op = ops.TABLE[v.op]
        xs = tuple(changed.get(p, p.data) for p in v.parents)
        ctx = _with_numbers(v.ctx, changed)
        why = op.domain and op.outside_domain(ops.FLOAT, xs, ctx)
        if why:
            raise ValueError(f"nudge: {v.op} at {xs}: {why}; try a smaller h")
        try:
            changed[v] = op.forward(ops.FLOAT, xs, ctx)
        except (ArithmeticError, ValueError) as e:  # math's own errors: exp overflow, sin(inf)
            raise ValueError(f"nudge: {v.op} at {xs}: {e}; try a smaller h") from None
    return changed.get(output, output.data)


def _with_numbers(ctx: tuple, changed: Mapping[Value, float]) -> tuple:
    """``ctx`` with every Value in it (a ``dot`` keeps its operands there, in
    sequences) replaced by the number it holds now, so the rule reads the pushed values."""

    def number(x: object) -> object:
        return changed.get(x, x.data) if isinstance(x, Value) else x

    return tuple(tuple(number(x) for x in c) if isinstance(c, (tuple, list)) else number(c)
                 for c in ctx)


def memo_nodes(loss: Value) -> list[Value]:
    """The nodes that get a memo entry, in the order the sweep fills them: every
    node of ``loss``'s graph but the numbers used in an operation (``Constant``)."""
    return [n for n in sweep_order(loss) if _has_entry(n, loss)]


def _has_entry(node: Value, loss: Value) -> bool:
    return node is loss or not isinstance(node, Constant)


def node_names(nodes: list[Value], gradient: float = 1.0) -> dict[Value, str]:
    """The name of each node of ``nodes`` (a memo's nodes, output first), as
    ``MemoView.name`` gives it."""
    output = nodes[0] if nodes else None
    return {n: _name(n, i + 1, n is output, gradient) for i, n in enumerate(nodes)}


def _name(node: Value, step_number: int, is_output: bool, gradient: float) -> str:
    if node.label:
        return node.label
    if is_output:  # C = gradient * output: the output is C itself only when gradient is 1
        return "C" if gradient == 1.0 else _("output")
    if isinstance(node, Constant):
        return plain_number(node.data)
    # an op's name is code (mul#3) in every language; the word leaf is translated
    word = OP_WORDS.get(node.op, node.op) if node.op else _("leaf")
    return f"{word}#{step_number}"


class MemoTable:
    """The memo of one stepping run, filled as the stepper goes.

    The nodes are known up front (``order``, output first, no Constants). Each
    share that arrives at a node is logged with the index of the step that sent
    it and the running total, in flat arrays laid out node by node, so a
    ``MemoView`` of any step is answered by a binary search instead of a copy
    of the table per step: memory is 16 bytes per edge plus a dict entry per node.
    """

    def __init__(self, order: list[Value], gradient: float) -> None:
        self.order: tuple[Value, ...] = tuple(order)
        self.gradient = gradient  # the output's entry, ∂C/∂output
        position = self.position = {n: i for i, n in enumerate(order)}
        expected = [0] * len(order)
        for node in order:
            for parent in node.parents:
                if parent in position:  # a Constant gets no share: it has no entry
                    expected[position[parent]] += 1
        self.expected = array("q", expected)
        self.start = array("q", [0] * (len(order) + 1))
        for i, n in enumerate(expected):
            self.start[i + 1] = self.start[i] + n
        edges = self.start[-1]
        self.arrived = array("q", bytes(8 * len(order)))
        self.sent_at = array("q", bytes(8 * edges))  # the step index of each share
        self.totals = array("d", bytes(8 * edges))
        # Entries with every share in (the output from the start), counted after each
        # step. The sweep takes nodes in the order their last share arrives, so
        # after step i the ready entries are order[i + 1 : ready_end[i]].
        self.complete = 1 if order else 0
        self.ready_end = array("q")

    def arrive(self, pos: int, index: int, share: float) -> None:
        """Log a share for the node at ``pos``, sent by step ``index``."""
        k = self.arrived[pos]
        j = self.start[pos] + k
        self.sent_at[j] = index
        self.totals[j] = (self.totals[j - 1] if k else 0.0) + share
        self.arrived[pos] = k + 1
        if k + 1 == self.expected[pos]:
            self.complete += 1

    def step_done(self) -> None:
        """Mark the end of a step: its shares have all arrived."""
        self.ready_end.append(self.complete)

    def entry(self, pos: int, index: int) -> tuple[float, int]:
        """(running total, shares arrived) of the node at ``pos`` after step ``index``."""
        if pos == 0:
            return self.gradient, 0
        lo = self.start[pos]
        j = bisect_right(self.sent_at, index, lo, lo + self.arrived[pos])
        return (self.totals[j - 1] if j > lo else 0.0), j - lo


class MemoView(Mapping):
    """The memo table right after step ``index``: a read-only mapping node -> entry.

    ``view[node]`` is ∂C/∂node if the node is filled, else the sum of the
    shares that have arrived so far (0.0 before the first). Each entry is in
    one of three states: *filled* (its step is done), *ready* (every share is
    in; its step comes later) or *pending* (shares still missing).

    >>> from autograd import Value
    >>> x = Value(2.0, "x"); y = Value(3.0, "y")
    >>> first = next(iter(steps(x * y + x))).memo
    >>> [first.name(n) for n in first.filled], [first.name(n) for n in first.ready]
    (['C'], ['mul#2'])
    >>> [first.name(n) for n in first.pending], first[x], first.shares(x)
    (['x', 'y'], 1.0, (1, 2))
    """

    __slots__ = ("_table", "index")

    def __init__(self, table: MemoTable, index: int) -> None:
        self._table = table
        self.index = index

    # -- Mapping -------------------------------------------------------------
    def __getitem__(self, node: Value) -> float:
        return self._table.entry(self._table.position[node], self.index)[0]

    def __iter__(self) -> Iterator[Value]:
        return iter(self._table.order)

    def __len__(self) -> int:
        return len(self._table.order)

    def __contains__(self, node: object) -> bool:
        return node in self._table.position

    # -- filled, ready, pending ----------------------------------------------------
    @property
    def output(self) -> Value:
        """The output, whose entry is filled first."""
        return self._table.order[0]

    @property
    def gradient(self) -> float:
        """The output's entry, ∂C/∂output (1: C is the output)."""
        return self._table.gradient

    def is_filled(self, node: Value) -> bool:
        """True if ``node``'s entry is final and its step done at this step."""
        return self._table.position[node] <= self.index

    def state(self, node: Value) -> str:
        """``"filled"``, ``"ready"`` (every share in, its step not yet done) or
        ``"pending"`` (shares still missing)."""
        pos = self._table.position[node]
        if pos <= self.index:
            return "filled"
        return "ready" if pos < self._table.ready_end[self.index] else "pending"

    @property
    def filled(self) -> tuple[Value, ...]:
        """Final entries whose step is done, in the order they were filled (output first)."""
        return self._table.order[: self.index + 1]

    @property
    def ready(self) -> tuple[Value, ...]:
        """Entries with every share in whose step has not come yet, in step order."""
        return self._table.order[self.index + 1: self._table.ready_end[self.index]]

    @property
    def pending(self) -> tuple[Value, ...]:
        """Entries still waiting for shares, in the order they will be filled."""
        return self._table.order[self._table.ready_end[self.index]:]

    def shares(self, node: Value) -> tuple[int, int]:
        """(shares arrived, shares expected) for ``node`` at this step."""
        pos = self._table.position[node]
        return self._table.entry(pos, self.index)[1], self._table.expected[pos]

    def name(self, node: Value) -> str:
        """The node's label; else C for the output, and the op and the number of the
        step that fills it for any other node (``mul#3``). A number used in an
        operation, which has no entry, is named by its value. The words ``output`` and
        ``leaf`` are in the language in force (``autograd.i18n``); op names are not."""
        table = self._table
        if isinstance(node, Constant) and node not in table.position:
            return plain_number(node.data)
        pos = table.position[node]
        return _name(node, pos + 1, pos == 0, table.gradient)


def _name_without_memo(node: Value) -> str:
    """``MemoView.name`` for a Step made by hand: no step number to add."""
    if node.label:
        return node.label
    return plain_number(node.data) if isinstance(node, Constant) else (node.op or _("leaf"))


def steps(loss: Value, gradient: float = 1.0) -> Iterator[Step]:
    """Yield one ``Step`` per memo entry of ``loss``'s graph, in the order ``backward``
    finalizes them (the output first, then level by level); the numbers used in
    an operation (Constants) get none.

    As each node is reached its ∂C/∂node is added into ``node.grad`` (a
    Constant's too), so running the iterator to the end leaves the same
    ``.grad`` as ``backward(loss, gradient)`` (accumulating, like it). Stopping
    early leaves only the nodes reached so far updated.

    >>> from autograd import Value
    >>> x = Value(2.0, "x"); y = Value(3.0, "y")
    >>> for s in steps(x * y + x - 1): print(s)
    ∂C/∂C = 1
    ∂C/∂(add#2) = 1 × 1 = 1
    ∂C/∂(mul#3) = 1 × 1 = 1
    ∂C/∂x = 1 × 1 + 3 × 1 = 4
    ∂C/∂y = 2 × 1 = 2
    """
    if not isinstance(loss, Value):
        raise TypeError(f"steps: loss must be a Value, got {type(loss).__name__}")
    gradient = _checked_gradient(gradient)
    return _generate_steps(loss, gradient)  # a separate generator: bad arguments fail here


def _generate_steps(loss: Value, gradient: float, add_to_grad: bool = True) -> Iterator[Step]:
    """``steps``; with ``add_to_grad=False`` no ``.grad`` is touched (quizzes, mistakes)."""
    filled = list(sweep(loss, gradient))  # one pass: the steps replay it, node by node
    table = MemoTable([n for n, _ in filled if _has_entry(n, loss)], gradient)
    position = table.position
    incoming: dict[Value, list[Contribution]] = {}
    index = 0
    for node, g in filled:
        if add_to_grad:
            node.grad += g
        if node not in position:
            continue  # a number used in an operation: no entry, no step
        contributions = tuple(incoming.pop(node, ()))
        for parent, local in zip(node.parents, node.local_grads):
            pos = position.get(parent)
            if pos is None:
                continue  # a Constant operand: its share has nowhere to go
            share = g * local
            incoming.setdefault(parent, []).append(Contribution(node, g, local, share))
            table.arrive(pos, index, share)
        table.step_done()
        yield Step(node, g, contributions, index, MemoView(table, index))
        index += 1
