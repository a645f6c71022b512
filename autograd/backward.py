"""The backward pass: dynamic programming over the graph.

Each node's memo entry (``node._memo``; ``memo_table`` returns them as a dict)
holds dC/dnode. An entry is final once every node that *uses* the node has
passed its share back, so we first count each node's users, then start at
the output and release a node as soon as its count drops to zero: that is a
reverse topological order, found without recursion. A released node hands
its entry to its parents, each share being ``entry * local derivative`` (the
chain rule); shares arriving over different paths add up. Each entry is
computed once and reused by all of the node's parents: that reuse is why
backprop is cheap.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from . import value as _value
from .value import _MANY, Value, _check_finite_seed

_one_pass_at_a_time = threading.RLock()
"""The counts and memo entries live in the nodes, so two threads' passes over a
shared graph would mix them up: passes take turns."""


def _count_users(root: Value) -> None:
    """Set ``node._users`` to the number of edges from ``root``'s graph into
    each node (its users; a node used twice by one node counts twice), and
    ``node._memo`` to 0.

    Every count is 0 outside a pass: a node starts at 0, and a pass counts
    each node it reaches back down to 0. So a count above 0 means "reached
    already", and no set of visited nodes is needed (building one for a big
    graph took a third of the backward pass).
    """
    root._memo = 0.0
    stack = [root]
    while stack:
        node = stack.pop()
        b = node._b  # the operands are in node._a and node._b (see value._link)
        if b is None:
            if node._a is None:
                continue  # a leaf
            parents = (node._a,)
        elif b is _MANY:
            parents = node._a
        else:  # two operands, the commonest node: the loop below written out
            a = node._a
            if a._users:
                a._users += 1
            else:
                a._users, a._memo = 1, 0.0
                stack.append(a)
            if b._users:
                b._users += 1
            else:
                b._users, b._memo = 1, 0.0
                stack.append(b)
            continue
        for parent in parents:
            if parent._users:
                parent._users += 1
            else:  # reached for the first time
                parent._users, parent._memo = 1, 0.0
                stack.append(parent)


def _uncount(root: Value) -> None:
    """Put every count in ``root``'s graph back to 0 after an interrupted pass."""
    seen = {root}
    stack = [root]
    while stack:
        node = stack.pop()
        node._users = 0
        for parent in node._parents:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)


@contextmanager
def _counted(root: Value) -> Iterator[None]:
    """Count the users in ``root``'s graph for the pass run inside the block;
    passes take turns, and an interrupted one leaves every count at 0."""
    with _one_pass_at_a_time:
        try:
            _count_users(root)
            yield
        except BaseException:  # a KeyboardInterrupt, say
            _uncount(root)
            raise


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, parents before children, ``root`` last.

    A node is placed once all its users are placed (Kahn's algorithm, run from
    the output), so a chain of a million nodes needs no recursion.
    """
    order = []
    with _counted(root):
        ready = [root]
        while ready:
            node = ready.pop()
            order.append(node)
            for parent in node._parents:
                parent._users -= 1
                if parent._users == 0:
                    ready.append(parent)
    order.reverse()
    return order


def _fill_memo(root: Value, seed: float, into_grad: bool = False) -> list[Value]:
    """The dynamic program: set ``node._memo = dC/dnode`` (C = seed * root) for
    every node of the graph; return the nodes in the order their entries
    became final (reverse topological order). Call it holding
    ``_one_pass_at_a_time`` to read the entries before another pass does.
    With ``into_grad``, add each final entry into ``node.grad`` instead of
    listing the nodes (the list stays empty)."""
    seed = _check_finite_seed(seed)
    done = []
    with _counted(root):
        root._memo = seed
        ready = [root]
        while ready:
            node = ready.pop()
            g = node._memo  # final: every user has passed its share back
            if into_grad:
                node.grad += g
            else:
                done.append(node)
            b = node._b
            if b is None:
                if node._a is None:
                    continue  # a leaf
                edges = ((node._a, node._da),)
            elif b is _MANY:
                edges = zip(node._a, node._da)
            else:  # two operands, the commonest node: the loop below written out
                a = node._a
                a._memo += g * node._da
                a._users -= 1
                if a._users == 0:
                    ready.append(a)
                b._memo += g * node._db
                b._users -= 1
                if b._users == 0:
                    ready.append(b)
                continue
            for parent, local in edges:
                parent._memo += g * local  # chain rule; shares over different paths add up
                parent._users -= 1
                if parent._users == 0:  # every user has reported: the entry is final
                    ready.append(parent)
    return done


def memo_table(root: Value, seed: float = 1.0) -> dict[Value, float]:
    """dC/dnode for every node ``root`` depends on, with C = seed * root."""
    with _one_pass_at_a_time:
        return {node: node._memo for node in _fill_memo(root, seed)}


def backward(root: Value, seed: float = 1.0) -> None:
    """Add dC/dnode into ``node.grad`` for every node of ``root``'s graph.

    The memo is kept apart from ``.grad``, so calling this twice adds exactly
    twice the gradient. Each node's entry is added as soon as it is final, so
    a call interrupted part-way (Ctrl-C) leaves some ``.grad`` updated.
    """
    _fill_memo(root, seed, into_grad=True)


def zero_grad(root: Value) -> None:
    """Set ``.grad`` to 0 on ``root`` and every node it depends on."""
    for node in topological_order(root):
        node.grad = 0.0


def _symbolic_memo(root: Value) -> dict[Value, Value]:
    """Like memo_table, but each entry is a Value built from the graph's own
    nodes, so it can be differentiated again."""
    memo: dict[Value, Value] = {root: Value(1.0)}
    for node in reversed(topological_order(root)):
        if not node._parents:
            continue
        g = memo[node]
        locals_ = node._op.local(node._parents, node, node.ctx)
        for parent, local in zip(node._parents, locals_):
            share = g * local
            memo[parent] = memo[parent] + share if parent in memo else share
    return memo


def grad(
    output: Value, inputs: Value | Sequence[Value], create_graph: bool = False
) -> list:
    """d(output)/d(input) for each input, leaving every ``.grad`` untouched.

    With ``create_graph=True`` the results are Values in a new graph, so they
    can be differentiated again: ``grad(grad(y, x, True)[0], x)`` is d2y/dx2.

    >>> x = Value(3.0); grad(x ** 3, [x])
    [27.0]
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad: output must be a Value, got {type(output).__name__}")
    xs = [inputs] if isinstance(inputs, Value) else list(inputs)
    for x in xs:
        if not isinstance(x, Value):
            raise TypeError(f"grad: inputs must be Values, got {type(x).__name__}")
    if create_graph:
        with enable_grad():
            memo = _symbolic_memo(output)
            return [memo[x] if x in memo else Value(0.0) for x in xs]
    with _one_pass_at_a_time:
        reached = set(_fill_memo(output, 1.0))
        return [x._memo if x in reached else 0.0 for x in xs]


@contextmanager
def _grad_mode(enabled: bool) -> Iterator[None]:
    previous = _value._grad_enabled
    _value._grad_enabled = enabled
    try:
        yield
    finally:
        _value._grad_enabled = previous


def no_grad():
    """Context manager: operations inside record no parents (their results are leaves).

    >>> with no_grad(): y = Value(2.0) * 3
    >>> y.is_leaf
    True
    """
    return _grad_mode(False)


def enable_grad():
    """Context manager: turn recording back on (inside a ``no_grad`` block)."""
    return _grad_mode(True)


def is_grad_enabled() -> bool:
    return _value._grad_enabled
