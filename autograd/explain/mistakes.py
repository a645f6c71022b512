"""Mistakes, shown: ``mistake(loss, kind)`` runs a wrong version of backprop and
puts its memo beside the right one.

>>> from autograd import Value
>>> x = Value(3.0, "x")
>>> wrong = mistake(x * x, "overwrite")
>>> wrong.memo[x], wrong.correct[x], [wrong.names[n] for n in wrong.differs]
(3.0, 6.0, ['x'])

The kinds (``KINDS``), each a bug learners and libraries have written:

- ``"order"``: each node is visited once, depth-first from the output, and hands
  its entry on as soon as it is visited, before all its users have reported;
- ``"overwrite"``: ``memo[parent] = share`` instead of ``+=``, so a node used several
  times keeps only the last share;
- ``"set"``: a node's operands kept in a set, so ``x * x`` counts x once;
- ``"zero-grad"``: two backward passes without zeroing ``.grad`` in between.

Each is written as a loop with an explicit stack or queue, like the real sweep
(``autograd.sweep``): no recursion. As in ``steps()``, numbers used in an
operation (Constants) have no entry. Nothing in the graph is changed.

``KINDS`` holds the explanations in English (code may compare them); the table
(``Mistake.table(lang=...)``, ``str()``) shows them in the learner's language.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ..autodiff import memo_table
from ..i18n import N_, _, use_language
from ..sweep import sweep
from ..value import Value
from .numbers import format_number
from .stepper import memo_nodes, node_names
from .text import _signs, columns, row_names

KINDS: dict[str, str] = {
    "order": N_("Each node handed its entry on as soon as the depth-first walk reached it, "
                "before every node that uses it had reported; shares that arrived later "
                "never reached the nodes below it."),
    "overwrite": N_("Each share was stored with = instead of added with +=, so a node used "
                    "several times keeps only the last share it received."),
    "set": N_("The operands of each node were kept in a set, so a node used twice by one "
              "operation (x * x) was counted once and got one share instead of two."),
    "zero-grad": N_("backward ran twice without zeroing .grad in between, so every .grad "
                    "holds the sum of both passes: twice the gradient."),
}
"""Each kind of mistake and what goes wrong in it."""


@dataclass(frozen=True, eq=False)
class Mistake:
    """A mistaken backward pass beside the right one.

    ``memo``: node -> the gradient the mistaken procedure gives; ``correct``: node ->
    the right one (both in the sweep's order, one entry per memo entry);
    ``differs``: the nodes whose entries differ (beyond rounding), in the sweep's
    order; ``names``: each node's name, as ``steps()`` names it. ``str()`` is a
    table with the differing rows marked, in the language in force (``table(lang=...)``).
    """

    kind: str
    memo: dict[Value, float]
    correct: dict[Value, float]
    differs: tuple[Value, ...]
    explanation: str
    names: dict[Value, str]

    def table(self, ascii: bool = False, lang: str | None = None) -> str:
        """The table ``str()`` gives; ``ascii=True`` writes ``!=`` and ``-`` for ≠ and −;
        ``lang``: its language (default: the one in force). Columns line up by display
        width."""
        with use_language(lang):
            return self._table(ascii)

    def _table(self, ascii: bool) -> str:
        minus = _signs(ascii)[1]
        mark = "!=" if ascii else "≠"
        nodes = list(self.correct)
        shown = row_names(nodes, self.names, ascii=ascii)
        rows = [("", _("node"), _("mistaken"), _("correct"))]
        wrong = set(self.differs)
        for node in nodes:
            rows.append((mark if node in wrong else "", shown[node],
                         format_number(self.memo[node], minus),
                         format_number(self.correct[node], minus)))
        lines = [_('mistake "{kind}": {explanation}').format(kind=self.kind,
                                                             explanation=_(self.explanation))]
        lines += columns(rows)
        lines.append(summary(self, mark))
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.table()


def summary(wrong: Mistake, mark: str = "≠") -> str:
    """The line under a mistake's table: how many entries differ, or that none does."""
    if wrong.differs:
        return _("{count} of {total} entries differ ({mark})").format(
            count=len(wrong.differs), total=len(wrong.correct), mark=mark)
    return _("on this graph the mistake does no harm: every entry agrees")


def _count_users(root: Value, distinct: bool) -> dict[Value, int]:
    """For every node, the edges into it from its users (``distinct``: at most one per
    user, as when each user keeps its operands in a set)."""
    users = {root: 0}
    stack = [root]
    while stack:
        node = stack.pop()
        parents = dict.fromkeys(node.parents) if distinct else node.parents
        for parent in parents:
            if parent not in users:
                users[parent] = 0
                stack.append(parent)
            users[parent] += 1
    return users


def _queue_sweep(root: Value, distinct: bool, overwrite: bool) -> dict[Value, float]:
    """The sweep of ``autograd.sweep`` (a node's turn comes when every user has passed
    its share), with one of two mistakes: ``overwrite``, ``=`` instead of ``+=``;
    ``distinct``, each user passes one share per distinct operand."""
    waiting = _count_users(root, distinct)
    memo = {root: 1.0}
    queue = [root]
    for node in queue:  # the queue grows while we walk it
        entry = memo[node]
        seen: set[Value] = set()
        for parent, local in zip(node.parents, node.local_grads):
            if distinct and parent in seen:
                continue  # the mistake: the operands as a set, x * x has x once
            seen.add(parent)
            share = entry * local
            if overwrite:  # the mistake: = instead of +=
                memo[parent] = share
            else:
                memo[parent] = memo.get(parent, 0.0) + share
            waiting[parent] -= 1
            if waiting[parent] == 0:
                queue.append(parent)
    return memo


def _overwrite(root: Value) -> dict[Value, float]:
    return _queue_sweep(root, distinct=False, overwrite=True)


def _set(root: Value) -> dict[Value, float]:
    return _queue_sweep(root, distinct=True, overwrite=False)


def _order(root: Value) -> dict[Value, float]:
    """Depth-first from the output, each node visited once: the recursive

        def visit(node):
            for parent, local in zip(node.parents, node.local_grads):
                memo[parent] += memo[node] * local
                if parent not in visited: visited.add(parent); visit(parent)

    written with a stack of (node, the operand to hand on next). A node visited
    through its first user hands on what it has so far; later shares stay with it.
    """
    memo = {root: 1.0}
    visited = {root}
    stack = [(root, 0)]
    while stack:
        node, k = stack.pop()
        if k == len(node.parents):
            continue
        stack.append((node, k + 1))  # come back for the next operand
        parent = node.parents[k]
        memo[parent] = memo.get(parent, 0.0) + memo[node] * node.local_grads[k]
        if parent not in visited:
            visited.add(parent)
            stack.append((parent, 0))  # go deep first, before the other operands
    return memo


def _zero_grad(root: Value) -> dict[Value, float]:
    """Two backward passes into the same accumulators, never reset in between."""
    grad: dict[Value, float] = {}
    for _pass in range(2):
        for node, entry in sweep(root):
            grad[node] = grad.get(node, 0.0) + entry
    return grad


PROCEDURES: dict[str, Callable[[Value], dict[Value, float]]] = {
    "order": _order, "overwrite": _overwrite, "set": _set, "zero-grad": _zero_grad}


def mistake(loss: Value, kind: str) -> Mistake:
    """Run the mistaken backward pass ``kind`` (one of ``KINDS``) on ``loss`` (C = loss)
    and compare it with the right memo. ``.grad`` is not touched.

    ValueError for an unknown kind, listing the kinds.
    """
    if not isinstance(loss, Value):
        raise TypeError(f"mistake: loss must be a Value, got {type(loss).__name__}")
    if not isinstance(kind, str) or kind not in PROCEDURES:
        raise ValueError(f"mistake: unknown kind {kind!r}; the kinds are "
                         + ", ".join(repr(k) for k in KINDS))
    nodes = memo_nodes(loss)
    right = memo_table(loss)
    mistaken = PROCEDURES[kind](loss)
    correct = {n: right[n] for n in nodes}
    memo = {n: mistaken.get(n, 0.0) for n in nodes}
    differs = tuple(n for n in nodes
                    if not math.isclose(memo[n], correct[n], rel_tol=1e-9, abs_tol=1e-12))
    return Mistake(kind, memo, correct, differs, KINDS[kind], node_names(nodes))
