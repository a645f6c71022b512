"""Backpropagation one node at a time, and what the memo saves.

``steps(loss)`` runs the same dynamic program as ``backward()`` but stops at
every node to say what it did: the node's finished dC/dnode and the
contributions that built it, one per edge from a child that uses the node::

    dC/d(a) = 0.6 × 1.2 + (−0.3) × 0.5 = 0.57
              local × dC/dchild, for each child

A child that uses the same parent twice (``x * x``) has two edges to it, so it
makes two contributions: one per (child, position) pair, exactly the shares
``backward()`` adds. Every step also carries ``step.memo``, a read-only view of
the memo table as it stood right after that step: which entries are final and
which are still pending (with the shares that have arrived so far).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from .backward import topological_order
from .value import Constant, Value, _check_finite_seed


@dataclass(frozen=True)
class Contribution:
    """One edge's share of dC/dnode: ``product = local * child_grad``.

    ``child`` uses the node; ``child_grad`` is dC/dchild (already final when
    the share is passed); ``local`` is d(child)/d(node) from the forward pass.
    """

    child: Value
    child_grad: float
    local: float
    product: float


@dataclass(frozen=True)
class Step:
    """One node of the backward pass, its entry now final.

    ``grad`` is dC/dnode: the seed for the output, else the sum of the
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
        return chain_rule_line(self)

    def name(self, node: Value | None = None) -> str:
        """A short name for ``node`` (default: this step's node): see ``MemoView.name``."""
        target = self.node if node is None else node
        return self.memo.name(target) if self.memo is not None else _fallback_name(target)


class MemoTable:
    """The memo of one stepping run, filled as the stepper goes.

    The nodes are known up front (``order``, output first). For each node it
    records when each share arrived and the running total, so a ``MemoView``
    of any earlier step can be answered without copying the table per step:
    memory stays proportional to the number of edges.
    """

    def __init__(self, order: list[Value]) -> None:
        self.order: tuple[Value, ...] = tuple(order)
        self.position: dict[Value, int] = {n: i for i, n in enumerate(order)}
        self.shares_expected: dict[Value, int] = dict.fromkeys(order, 0)
        for node in order:
            for parent in node._parents:
                self.shares_expected[parent] += 1
        self._when: dict[Value, list[int]] = {n: [] for n in order}
        self._totals: dict[Value, list[float]] = {n: [] for n in order}
        self.steps_done = 0

    def _arrive(self, node: Value, step: int, total: float) -> None:
        self._when[node].append(step)
        self._totals[node].append(total)

    def view(self, step: int) -> MemoView:
        return MemoView(self, step)


class MemoView(Mapping):
    """The memo table right after step ``step``: a read-only mapping node -> entry.

    ``view[node]`` is dC/dnode if the node is filled, else the sum of the
    shares that have arrived so far (0.0 before the first).

    >>> from autograd import Value
    >>> x = Value(2.0, "x"); y = x * x
    >>> first = next(iter(steps(y))).memo
    >>> first.filled, first.pending, first[x]
    ((Value(data=4, grad=1, op='mul'),), (Value(data=2, grad=0, label='x'),), 4.0)
    """

    def __init__(self, table: MemoTable, step: int) -> None:
        self._table = table
        self.step = step

    # -- Mapping -------------------------------------------------------------
    def __getitem__(self, node: Value) -> float:
        if node not in self._table.position:
            raise KeyError(node)
        totals = self._table._totals[node]
        k = bisect_right(self._table._when[node], self.step)
        return totals[k - 1] if k else 0.0

    def __iter__(self) -> Iterator[Value]:
        return iter(self._table.order)

    def __len__(self) -> int:
        return len(self._table.order)

    # -- filled vs pending --------------------------------------------------------
    def is_filled(self, node: Value) -> bool:
        """True if ``node``'s entry is final at this step."""
        return self._table.position[node] <= self.step

    @property
    def filled(self) -> tuple[Value, ...]:
        """Final entries, in the order they were filled (output first)."""
        return self._table.order[: self.step + 1]

    @property
    def pending(self) -> tuple[Value, ...]:
        """Entries still waiting for shares, in the order they will be filled."""
        return self._table.order[self.step + 1:]

    def shares(self, node: Value) -> tuple[int, int]:
        """(shares arrived, shares expected) for ``node`` at this step."""
        arrived = bisect_right(self._table._when[node], self.step)
        return arrived, self._table.shares_expected[node]

    def name(self, node: Value) -> str:
        """The node's label; for an unlabelled constant its value; else op#step (``mul#3``)."""
        if node.label:
            return node.label
        if isinstance(node, Constant):
            return f"{node.data:.6g}"
        return f"{node.op or 'leaf'}#{self._table.position[node]}"


def _fallback_name(node: Value) -> str:
    if node.label:
        return node.label
    return f"{node.data:.6g}" if isinstance(node, Constant) else (node.op or "leaf")


def steps(loss: Value, seed: float = 1.0) -> Iterator[Step]:
    """Yield one ``Step`` per node of ``loss``'s graph in reverse topological order.

    As each step is yielded its dC/dnode is added into ``node.grad``, so
    running the iterator to the end leaves the same ``.grad`` as
    ``backward(loss, seed)`` (accumulating, like it). Stopping early leaves
    only the nodes stepped through updated.

    >>> from autograd import Value
    >>> x = Value(2.0, "x"); y = Value(3.0, "y")
    >>> for s in steps(x * y + x): print(s)
    dC/d(add#0) = 1
    dC/d(mul#1) = 1 × 1 = 1
    dC/d(y) = 2 × 1 = 2
    dC/d(x) = 1 × 1 + 3 × 1 = 4
    """
    if not isinstance(loss, Value):
        raise TypeError(f"steps: loss must be a Value, got {type(loss).__name__}")
    seed = _check_finite_seed(seed)
    return _walk(loss, seed)


def _walk(loss: Value, seed: float) -> Iterator[Step]:
    order = topological_order(loss)
    order.reverse()
    table = MemoTable(order)
    incoming: dict[Value, list[Contribution]] = {}
    table._arrive(loss, 0, seed)
    for i, node in enumerate(order):
        contributions = tuple(incoming.pop(node, ()))
        if i == 0:
            g = seed
        else:
            g = 0.0
            for c in contributions:
                g += c.product  # same order and start as backward(): identical floats
        for parent, local in zip(node._parents, node._locals):
            share = g * local
            incoming.setdefault(parent, []).append(Contribution(node, g, local, share))
            totals = table._totals[parent]
            table._arrive(parent, i, (totals[-1] if totals else 0.0) + share)
        node.grad += g
        table.steps_done = i + 1
        yield Step(node, g, contributions, i, MemoView(table, i))


# -- printing a step ------------------------------------------------------------

def _num(x: float, minus: str) -> str:
    text = f"{x:.6g}"
    return minus + text[1:] if text.startswith("-") else text


def chain_rule_line(step: Step, ascii: bool = False) -> str:
    """The chain-rule line a learner would write, with numbers.

    ``dC/d(a) = 0.6 × 1.2 + (−0.3) × 0.5 = 0.57``: one ``local × dC/dchild``
    term per contribution. With ``ascii=True``, ``*`` and ``-`` replace × and −.
    """
    times, minus = (" * ", "-") if ascii else (" × ", "−")

    def factor(x: float) -> str:
        text = _num(x, minus)
        return f"({text})" if x < 0 or text.startswith(minus) else text

    head = f"dC/d({step.name()}) = "
    if not step.contributions:
        return head + _num(step.grad, minus)
    terms = " + ".join(factor(c.local) + times + factor(c.child_grad)
                       for c in step.contributions)
    return head + terms + " = " + _num(step.grad, minus)
