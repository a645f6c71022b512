"""The reverse sweep: backpropagation as dynamic programming over the graph.

The memo is a table node -> dC/dnode. The output's entry is known (dC/dC = 1,
or the ``gradient`` given). A node's entry is *final* once every node that
uses it has passed its share back; each share is the user's entry times the
local derivative recorded in the forward pass (the chain rule), and shares
arriving over different paths add up. Each entry is computed once and reused
by all of the node's parents: that reuse is why backprop is cheap.

The sweep finalizes nodes **level by level from the output**: a node's level
is the longest path from it to the output, so in a fully connected net the
output layer's entries are filled first, then each hidden layer back to the
inputs, as the course teaches. It is Kahn's algorithm run from the output with
a first-in-first-out queue: a node joins the queue when its last user has
passed its share, which puts it one level below that user, so the queue holds
the levels in order. Inside a level, nodes come in the order their last users
were finalized, and a user's operands left to right. No recursion: a chain of
a million nodes is fine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from .value import Value


def count_users(root: Value) -> dict[Value, int]:
    """For every node ``root`` depends on, the number of edges into it from nodes
    that use it (a node used twice by one user counts twice); 0 for ``root``."""
    users = {root: 0}
    stack = [root]
    while stack:
        node = stack.pop()
        for parent in node.parents:
            if parent in users:
                users[parent] += 1
            else:  # reached for the first time
                users[parent] = 1
                stack.append(parent)
    return users


def recorded_local_grads(node: Value) -> tuple[Any, ...]:
    """The local derivatives the forward pass stored in ``node``."""
    return node.local_grads


def sweep(root: Value, gradient: Any = 1.0,
          local_grads: Callable[[Value], tuple[Any, ...]] = recorded_local_grads,
          ) -> Iterator[tuple[Value, Any]]:
    """Yield ``(node, dC/dnode)`` for every node ``root`` depends on, each as soon as
    its entry is final, output first and then level by level (C = gradient * root).

    ``local_grads(node)`` gives the local derivatives to multiply by: by default the
    numbers stored in the forward pass; ``grad(create_graph=True)`` passes them as
    Values, so the entries are Values too.

    >>> x = Value(2.0, "x"); y = Value(3.0, "y")
    >>> [(n.label or n.op, g) for n, g in sweep(x * y + x)]
    [('add', 1.0), ('mul', 1.0), ('x', 4.0), ('y', 2.0)]
    """
    waiting = count_users(root)  # shares each node still waits for
    memo = {root: gradient}  # the dynamic program's table, for entries not yet final
    queue = [root]
    for node in queue:  # the queue grows while we walk it
        entry = memo.pop(node)  # final: every user has passed its share back
        yield node, entry
        for parent, local in zip(node.parents, local_grads(node)):
            share = entry * local  # the chain rule
            memo[parent] = memo[parent] + share if parent in memo else share
            left = waiting[parent] - 1
            waiting[parent] = left
            if left == 0:  # every user has passed its share: the entry is final
                queue.append(parent)


def order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, in the order the sweep finalizes them: the
    output first, then level by level (each node after all the nodes that use it)."""
    return [node for node, _ in sweep(root)]


def levels(root: Value) -> dict[Value, int]:
    """Each node's level, the length of the longest path from it to ``root`` (0),
    listed in the sweep's order."""
    nodes = order(root)
    level = dict.fromkeys(nodes, 0)  # in the sweep's order
    for node in nodes:  # each after all its users, so its own level is final here
        for parent in node.parents:
            level[parent] = max(level[parent], level[node] + 1)
    return level
