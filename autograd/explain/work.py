"""What the memo saves: the chain rule summed over every path vs one backward pass.

``naive_grad(loss, wrt)`` walks every path from ``wrt`` to ``loss`` and adds
up the products of the local derivatives along them, remembering nothing;
``memoized_grad(loss, wrt)`` runs the reverse sweep of ``backward()``. Both
count their multiplications and additions the same way, and ``compare_work``
tabulates the two on fully connected nets of growing depth.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from ..autodiff import topological_order
from ..i18n import _, use_language
from ..sweep import sweep
from ..value import Value, dot


@dataclass(frozen=True, slots=True)
class GradWork:
    """dloss/dwrt and the work spent on it, counted the same way for both methods.

    ``naive``: one multiplication per edge taken while walking every path from
    ``wrt`` to ``loss`` (a path prefix shared by several paths is walked once
    per branch of the walk, never remembered) and one addition per path.
    ``memoized``: one multiplication and one addition per edge of the graph
    (``memo[parent] += memo[node] * local``), for all the gradients at once.
    ``paths`` is the number of paths from ``wrt`` to ``loss`` (enumerated by
    the naive method, counted by dynamic programming for the memoized one).
    """

    method: str
    value: float
    paths: int
    multiplications: int
    additions: int


DEFAULT_MAX_PATHS = 1_000_000


def _users(order: list[Value]) -> dict[Value, list[tuple[Value, float]]]:
    """For each node, the (child, local d(child)/d(node)) pairs of the edges into it."""
    users: dict[Value, list[tuple[Value, float]]] = {n: [] for n in order}
    for node in order:
        for parent, local in zip(node.parents, node.local_grads):
            users[parent].append((node, local))
    return users


def _naive_counts(order: list[Value], sources: set[Value]) -> tuple[int, int]:
    """(paths, multiplications) of naive enumeration from every node of
    ``sources`` to the output (``order[-1]``), summed, without enumerating.

    ``reach[v]`` = number of paths from any source to ``v``; each such path
    is one prefix the naive walk extends by one multiplication, and the ones
    ending at the output are the complete paths.
    """
    reach: dict[Value, int] = {}
    multiplications = 0
    for node in order:  # parents first
        total = 0
        for parent in node.parents:
            r = reach.get(parent, 0) + (parent in sources)
            total += r
        reach[node] = total
        multiplications += total
    root = order[-1]
    return reach[root] + (root in sources), multiplications


def count_paths(loss: Value, wrt: Value) -> int:
    """The number of paths from ``wrt`` to ``loss`` (dynamic programming, cheap).

    >>> from autograd import Value
    >>> x = Value(1.0); count_paths((x * x) * (x * x), x)
    4
    """
    return _naive_counts(topological_order(loss), {wrt})[0]


def _check_values(caller: str, loss: object, wrt: object) -> None:
    """Raise TypeError, naming ``caller``, unless ``loss`` and ``wrt`` are both Values."""
    if not isinstance(loss, Value) or not isinstance(wrt, Value):
        bad = loss if not isinstance(loss, Value) else wrt
        raise TypeError(f"{caller}: loss and wrt must be Values, got {type(bad).__name__}")


def naive_grad(loss: Value, wrt: Value, max_paths: int = DEFAULT_MAX_PATHS) -> GradWork:
    """dloss/dwrt as the sum, over every path from ``wrt`` to ``loss``, of the
    product of the local derivatives along it: the chain rule with no memo.

    The walk uses an explicit stack of (node, product so far); nothing is
    remembered between paths, so the work grows with the number of paths,
    which is exponential in depth for a layered net. Raises ``ValueError``
    (with the count) when there are more than ``max_paths`` paths.

    >>> from autograd import Value
    >>> x = Value(3.0, "x"); work = naive_grad(x * x + x, x)
    >>> work.value, work.paths, work.multiplications, work.additions
    (7.0, 3, 5, 3)
    """
    _check_values("naive_grad", loss, wrt)
    order = topological_order(loss)
    paths = _naive_counts(order, {wrt})[0]
    if paths > max_paths:
        raise ValueError(
            f"naive_grad: {paths} paths lead from {wrt.label or 'wrt'} to the loss, more than "
            f"max_paths={max_paths}; pass a larger max_paths to enumerate them anyway")
    if paths == 0:  # wrt is not in the graph
        return GradWork("naive", 0.0, 0, 0, 0)
    return _naive_walk(loss, wrt, _users(order))


def _naive_walk(loss: Value, wrt: Value, users: dict) -> GradWork:
    total = 0.0
    found = multiplications = additions = 0
    stack: list[tuple[Value, float]] = [(wrt, 1.0)]
    while stack:
        node, product = stack.pop()
        if node is loss:
            total += product
            found += 1
            additions += 1
            continue
        for child, local in users[node]:
            stack.append((child, product * local))
            multiplications += 1
    return GradWork("naive", total, found, multiplications, additions)


def memoized_grad(loss: Value, wrt: Value) -> GradWork:
    """dloss/dwrt by the memoized backward pass, counting its work.

    The same loop as ``backward()`` (``.grad`` untouched): one multiplication
    and one addition per edge, and every node's gradient comes out of it.

    >>> from autograd import Value
    >>> x = Value(3.0, "x"); work = memoized_grad(x * x + x, x)
    >>> work.value, work.paths, work.multiplications, work.additions
    (7.0, 3, 4, 4)
    """
    _check_values("memoized_grad", loss, wrt)
    value, edges = 0.0, 0
    for node, entry in sweep(loss):
        edges += len(node.parents)  # the sweep's share per edge: one product, one sum
        if node is wrt:
            value = entry
    paths = _naive_counts(topological_order(loss), {wrt})[0]
    return GradWork("memoized", value, paths, edges, edges)


# -- naive vs memoized on fully connected nets -----------------------------------------


def fully_connected(depth: int, width: int, seed: int = 0) -> tuple[Value, list[Value]]:
    """A net of ``width`` inputs, ``depth`` hidden layers of ``width`` tanh neurons
    (``tanh(w·x + b)``, one ``dot`` node each) and one tanh output; returns
    (loss, parameters) with loss = (output - 1)**2 and random weights.
    """
    if not (isinstance(depth, int) and isinstance(width, int)) or depth < 0 or width < 1:
        raise ValueError(f"fully_connected: need depth >= 0 and width >= 1, got {depth}, {width}")
    rng = random.Random(seed)
    layer: list[Value] = [Value(rng.uniform(-1, 1), f"x{i + 1}") for i in range(width)]
    params: list[Value] = []
    for k, n in enumerate([width] * depth + [1], start=1):
        out = []
        for j in range(n):
            ws = [Value(rng.uniform(-1, 1), f"w{k}_{j + 1}{i + 1}") for i in range(len(layer))]
            b = Value(rng.uniform(-1, 1), f"b{k}_{j + 1}")
            params += [*ws, b]
            out.append((dot(ws, layer) + b).tanh())
        layer = out
    return (layer[0] - 1.0) ** 2, params


MAX_COMPARE_EDGES = 500_000
"""The most edges the nets of one ``compare_work`` may have together: building and
sweeping 500,000 edges takes up to about 5 s and 200 MB."""

MAX_COMPARE_PATHS = 10**100
"""The most paths from the parameters to the loss one net may have. Counting them keeps a
number of that size for every node (width**depth grows fast: depth 400, width 2 has
about 10**120), so beyond this the memory and the table's numbers would explode."""

MAX_COMPARE_WALK = 10_000_000
"""The most naive multiplications ``compare_work`` walks, for all its nets together (about
2 s); a net that would go past it is counted instead of walked."""


def predicted_work(depth: int, width: int) -> tuple[int, int, int]:
    """(edges, paths, naive multiplications) of ``fully_connected(depth, width)`` for all
    its parameters, from its layers alone: ``compare_work`` checks the sizes with it
    before building anything.

    A hidden layer's tanh output is reached by ``a = width * a_before + width + 1`` paths
    from the parameters (``width`` weights, the bias, and ``width`` inputs reached by
    ``a_before`` each); a neuron's dot, add and tanh nodes each extend the paths into
    them by one multiplication. The loss adds two nodes (``- 1``, ``** 2``).

    >>> predicted_work(1, 2)
    (24, 9, 60)
    """
    edges = (depth * width + 1) * (2 * width + 3) + 3
    reach = multiplications = 0  # the inputs are no parameters: no path starts there
    for layer in range(depth + 1):
        neurons = width if layer < depth else 1
        dot_reach = width + width * reach
        multiplications += neurons * (3 * dot_reach + 2)  # dot, then add and tanh (+ bias)
        reach = dot_reach + 1
        if reach > MAX_COMPARE_PATHS:
            break  # the caller refuses this net; the numbers need not be exact
    return edges, reach, multiplications + 2 * reach


@dataclass(frozen=True, slots=True)
class WorkRow:
    """Work to get dloss/dp for every parameter p of one fully connected net.

    ``paths`` sums the paths from each parameter to the loss. ``enumerated``
    says whether the naive counts come from running ``naive_grad`` once per
    parameter (True) or from the path-counting dynamic program (False: more
    paths than ``run_limit``, or walking them would pass ``MAX_COMPARE_WALK``);
    tests check that both agree.
    """

    depth: int
    width: int
    parameters: int
    nodes: int
    edges: int
    paths: int
    naive_multiplications: int
    naive_additions: int
    memoized_multiplications: int
    memoized_additions: int
    enumerated: bool


def compare_work(depths: Sequence[int], widths: Sequence[int],
                 run_limit: int = 100_000) -> list[WorkRow]:
    """Naive path enumeration vs the memoized pass on ``fully_connected(depth, width)``
    for every depth and width: one row each (widths outer, depths inner).

    Nets whose parameters have at most ``run_limit`` paths in all are really
    enumerated, while the walks stay within ``MAX_COMPARE_WALK`` multiplications
    in all; for the others the naive counts are computed without walking.
    Raises ValueError, before building anything, when the nets have more than
    ``MAX_COMPARE_EDGES`` edges together or one has more than
    ``MAX_COMPARE_PATHS`` paths.
    """
    for n in (*depths, *widths):
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"compare_work: depths and widths must be integers, got {n!r}")
    if not depths or not widths:
        raise ValueError("compare_work: give at least one depth and one width")
    sizes = []
    total = 0
    for width in widths:
        for depth in depths:  # each net has 8 edges or more, so this stops early
            if depth < 0 or width < 1:
                raise ValueError(f"compare_work: need depth >= 0 and width >= 1, "
                                 f"got depth {depth}, width {width}")
            edges = (depth * width + 1) * (2 * width + 3) + 3
            total += edges
            if total > MAX_COMPARE_EDGES:
                raise ValueError(f"compare_work: the nets have {total:,} edges or more (depth "
                                 f"{depth}, width {width} makes {edges:,}); the limit is "
                                 f"{MAX_COMPARE_EDGES:,} in all")
            sizes.append((depth, width))
    predicted = [predicted_work(depth, width) for depth, width in sizes]
    for (depth, width), (_edges, paths, _walk) in zip(sizes, predicted):
        if paths > MAX_COMPARE_PATHS:
            raise ValueError(f"compare_work: depth {depth}, width {width} has more than "
                             "10**100 paths from its parameters to the loss (the limit)")
    rows = []
    walked = 0
    for (depth, width), (_edges, _paths, walk) in zip(sizes, predicted):
        loss, params = fully_connected(depth, width)
        order = topological_order(loss)
        paths, multiplications = _naive_counts(order, set(params))
        memo = memoized_grad(loss, params[0])
        additions = paths
        enumerated = paths <= run_limit and walked + walk <= MAX_COMPARE_WALK
        if enumerated:
            walked += walk
            users = _users(order)
            runs = [_naive_walk(loss, p, users) for p in params]
            paths = sum(r.paths for r in runs)
            multiplications = sum(r.multiplications for r in runs)
            additions = sum(r.additions for r in runs)
        rows.append(WorkRow(depth, width, len(params), len(order), memo.multiplications,
                            paths, multiplications, additions, memo.multiplications,
                            memo.additions, enumerated))
    return rows


def format_work(rows: Sequence[WorkRow], lang: str | None = None) -> str:
    """``compare_work`` rows as a Markdown table (a row marked * was counted, not walked),
    its headers in ``lang`` (default: the language in force)."""
    with use_language(lang):
        return _format_work(rows)


def _format_work(rows: Sequence[WorkRow]) -> str:
    header = (_("depth"), _("width"), _("params"), _("edges"), _("paths"), _("naive mult"),
              _("naive add"), _("memo mult"), _("memo add"), _("naive/memo"))
    lines = ["| " + " | ".join(header) + " |", "|" + "---:|" * len(header)]
    for r in rows:
        star = "" if r.enumerated else "*"
        ratio = r.naive_multiplications / r.memoized_multiplications
        cells = (r.depth, r.width, r.parameters, f"{r.edges:,}", f"{r.paths:,}{star}",
                 f"{r.naive_multiplications:,}{star}", f"{r.naive_additions:,}{star}",
                 f"{r.memoized_multiplications:,}", f"{r.memoized_additions:,}", f"{ratio:,.1f}")
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    if any(not r.enumerated for r in rows):
        lines.append("\n\\* " + _("counted by dynamic programming over the graph, too many "
                                    "paths to walk"))
    return "\n".join(lines) + "\n"


def comparison_report(depths: Sequence[int], widths: Sequence[int],
                      run_limit: int = 100_000, lang: str | None = None) -> str:
    """``memograd compare``: a sentence saying what is compared, then the table, in
    ``lang`` (default: the language in force)."""
    with use_language(lang):  # an unknown lang is refused before the work
        rows = compare_work(depths, widths, run_limit)
        return _(
            "Gradient of the loss (output - 1)**2 with respect to every weight and bias of a\n"
            "fully connected tanh net: `width` inputs, `depth` hidden layers of `width` "
            "neurons,\n"
            "one output. naive = for each parameter, walk every path to the loss with a stack\n"
            "of (node, product so far), remembering nothing (one multiplication per edge\n"
            "walked, one addition per path); memo = one backward pass (one multiplication\n"
            "and one addition per edge, every gradient at once).") + "\n\n" + _format_work(rows)
