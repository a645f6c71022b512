"""Backpropagation one node at a time: ``steps(loss)``.

``steps(loss)`` runs the reverse sweep of ``backward()`` (``autograd.sweep``)
but stops at every node to say what it did: the node's finished dC/dnode and
the contributions that built it, one per edge from a child that uses the node::

    dC/d(a) = 0.6 × 1.2 + (−0.3) × 0.5 = 0.57
              local × dC/dchild, for each child

A child that uses the same parent twice (``x * x``) has two edges to it, so it
makes two contributions: one per (child, position) pair, exactly the shares
``backward()`` adds. Every step also carries ``step.memo``, a read-only view of
the memo table as it stood right after that step: which entries are final and
which are still pending (with the shares that have arrived so far).
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import accumulate

from ..autodiff import _checked_gradient
from ..sweep import order as sweep_order
from ..sweep import sweep
from ..value import Constant, Value
from .numbers import plain_number


@dataclass(frozen=True, slots=True)
class Contribution:
    """One edge's share of dC/dnode: ``product = local * child_grad``.

    ``child`` uses the node; ``child_grad`` is dC/dchild (already final when
    the share is passed); ``local`` is d(child)/d(node) from the forward pass.
    """

    child: Value
    child_grad: float
    local: float
    product: float


@dataclass(frozen=True, slots=True)
class Step:
    """One node of the backward pass, its entry now final.

    ``grad`` is dC/dnode: for the output, the ``gradient`` given to ``steps``
    (the seed, 1 by default); for any other node, the sum of the ``contributions``
    (added in the order shown, as ``backward()`` adds them).
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


class MemoTable:
    """The memo of one stepping run, filled as the stepper goes.

    The nodes are known up front (``order``, output first). Each share that
    arrives at a node is logged with the index of the step that sent it and the
    running total, in flat arrays laid out node by node, so a ``MemoView`` of
    any step is answered by a binary search instead of a copy of the table per
    step: memory is 16 bytes per edge plus a dict entry per node.
    """

    def __init__(self, order: list[Value], gradient: float) -> None:
        self.order: tuple[Value, ...] = tuple(order)
        self.gradient = gradient  # the output's entry, dC/doutput
        position = self.position = {n: i for i, n in enumerate(order)}
        expected = [0] * len(order)
        for node in order:
            for parent in node.parents:
                expected[position[parent]] += 1
        self.expected = array("q", expected)
        self.start = array("q", accumulate(expected, initial=0))
        edges = self.start[-1]
        self.arrived = array("q", bytes(8 * len(order)))
        self.sent_at = array("q", bytes(8 * edges))  # the step index of each share
        self.totals = array("d", bytes(8 * edges))

    def arrive(self, pos: int, index: int, share: float) -> None:
        """Log a share for the node at ``pos``, sent by step ``index``."""
        k = self.arrived[pos]
        j = self.start[pos] + k
        self.sent_at[j] = index
        self.totals[j] = (self.totals[j - 1] if k else 0.0) + share
        self.arrived[pos] = k + 1

    def entry(self, pos: int, index: int) -> tuple[float, int]:
        """(running total, shares arrived) of the node at ``pos`` after step ``index``."""
        if pos == 0:
            return self.gradient, 0
        lo = self.start[pos]
        j = bisect_right(self.sent_at, index, lo, lo + self.arrived[pos])
        return (self.totals[j - 1] if j > lo else 0.0), j - lo


class MemoView(Mapping):
    """The memo table right after step ``index``: a read-only mapping node -> entry.

    ``view[node]`` is dC/dnode if the node is filled, else the sum of the
    shares that have arrived so far (0.0 before the first).

    >>> from autograd import Value
    >>> x = Value(2.0, "x"); y = x * x
    >>> first = next(iter(steps(y))).memo
    >>> first.filled, first.pending, first[x]
    ((Value(data=4, grad=1, op='mul'),), (Value(data=2, grad=0, label='x'),), 4.0)
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

    # -- filled vs pending --------------------------------------------------------
    def is_filled(self, node: Value) -> bool:
        """True if ``node``'s entry is final at this step."""
        return self._table.position[node] <= self.index

    @property
    def filled(self) -> tuple[Value, ...]:
        """Final entries, in the order they were filled (output first)."""
        return self._table.order[: self.index + 1]

    @property
    def pending(self) -> tuple[Value, ...]:
        """Entries still waiting for shares, in the order they will be filled."""
        return self._table.order[self.index + 1:]

    def shares(self, node: Value) -> tuple[int, int]:
        """(shares arrived, shares expected) for ``node`` at this step."""
        pos = self._table.position[node]
        return self._table.entry(pos, self.index)[1], self._table.expected[pos]

    def name(self, node: Value) -> str:
        """The node's label; for an unlabelled constant its value; else its op and the
        index of the step that fills it (``mul#3``)."""
        if node.label:
            return node.label
        if isinstance(node, Constant):
            return plain_number(node.data)
        return f"{node.op or 'leaf'}#{self._table.position[node]}"


def _name_without_memo(node: Value) -> str:
    """``MemoView.name`` for a Step made by hand: no step index to add."""
    if node.label:
        return node.label
    return plain_number(node.data) if isinstance(node, Constant) else (node.op or "leaf")


def steps(loss: Value, gradient: float = 1.0) -> Iterator[Step]:
    """Yield one ``Step`` per node of ``loss``'s graph, in the order ``backward``
    finalizes them (the output first, then level by level).

    As each step is yielded its dC/dnode is added into ``node.grad``, so
    running the iterator to the end leaves the same ``.grad`` as
    ``backward(loss, gradient)`` (accumulating, like it). Stopping early leaves
    only the nodes stepped through updated.

    >>> from autograd import Value
    >>> x = Value(2.0, "x"); y = Value(3.0, "y")
    >>> for s in steps(x * y + x): print(s)
    dC/d(add#0) = 1
    dC/d(mul#1) = 1 × 1 = 1
    dC/d(x) = 1 × 1 + 3 × 1 = 4
    dC/d(y) = 2 × 1 = 2
    """
    if not isinstance(loss, Value):
        raise TypeError(f"steps: loss must be a Value, got {type(loss).__name__}")
    gradient = _checked_gradient(gradient)
    return _generate_steps(loss, gradient)  # a separate generator: bad arguments fail here


def _generate_steps(loss: Value, gradient: float) -> Iterator[Step]:
    table = MemoTable(sweep_order(loss), gradient)
    position = table.position
    incoming: dict[Value, list[Contribution]] = {}
    for i, (node, g) in enumerate(sweep(loss, gradient)):
        contributions = tuple(incoming.pop(node, ()))
        for parent, local in zip(node.parents, node.local_grads):
            share = g * local
            incoming.setdefault(parent, []).append(Contribution(node, g, local, share))
            table.arrive(position[parent], i, share)
        node.grad += g
        yield Step(node, g, contributions, i, MemoView(table, i))
