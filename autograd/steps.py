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

import builtins
import random
import sys
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import TextIO

from .autodiff import _checked_gradient, topological_order
from .sweep import order as sweep_order
from .sweep import sweep
from .value import Constant, Value, dot


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

    The nodes are known up front (``order``, output first). Each share that
    arrives at a node is logged with the step that sent it and the running
    total, in flat arrays laid out node by node, so a ``MemoView`` of any step
    is answered by a binary search instead of a copy of the table per step:
    memory is 16 bytes per edge plus a dict entry per node.
    """

    def __init__(self, order: list[Value], seed: float) -> None:
        self.order: tuple[Value, ...] = tuple(order)
        self.seed = seed
        position = self.position = {n: i for i, n in enumerate(order)}
        expected = [0] * len(order)
        for node in order:
            for parent in node.parents:
                expected[position[parent]] += 1
        self.expected = array("q", expected)
        self.start = array("q", accumulate(expected, initial=0))
        edges = self.start[-1]
        self.arrived = array("q", bytes(8 * len(order)))
        self.when = array("q", bytes(8 * edges))
        self.totals = array("d", bytes(8 * edges))

    def arrive(self, pos: int, step: int, share: float) -> None:
        """Log a share for the node at ``pos``, sent at ``step``."""
        k = self.arrived[pos]
        j = self.start[pos] + k
        self.when[j] = step
        self.totals[j] = (self.totals[j - 1] if k else 0.0) + share
        self.arrived[pos] = k + 1

    def entry(self, pos: int, step: int) -> tuple[float, int]:
        """(running total, shares arrived) of the node at ``pos`` after ``step``."""
        if pos == 0:
            return self.seed, 0
        lo = self.start[pos]
        j = bisect_right(self.when, step, lo, lo + self.arrived[pos])
        return (self.totals[j - 1] if j > lo else 0.0), j - lo


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

    __slots__ = ("_table", "step")

    def __init__(self, table: MemoTable, step: int) -> None:
        self._table = table
        self.step = step

    # -- Mapping -------------------------------------------------------------
    def __getitem__(self, node: Value) -> float:
        return self._table.entry(self._table.position[node], self.step)[0]

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
        pos = self._table.position[node]
        return self._table.entry(pos, self.step)[1], self._table.expected[pos]

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
    seed = _checked_gradient(seed)
    return _walk(loss, seed)


def _walk(loss: Value, seed: float) -> Iterator[Step]:
    table = MemoTable(sweep_order(loss), seed)
    position = table.position
    incoming: dict[Value, list[Contribution]] = {}
    for i, (node, g) in enumerate(sweep(loss, seed)):
        contributions = tuple(incoming.pop(node, ()))
        for parent, local in zip(node.parents, node.local_grads):
            share = g * local
            incoming.setdefault(parent, []).append(Contribution(node, g, local, share))
            table.arrive(position[parent], i, share)
        node.grad += g
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


def chain_rule_symbols(step: Step, ascii: bool = False) -> str:
    """The chain-rule line in symbols: ``dC/d(a) = d(z')/d(a) × dC/d(z') + …``;
    for the output, the seed."""
    head = f"dC/d({step.name()}) = "
    if not step.contributions:
        if step.grad == 1.0:
            return head + "1 (the seed: C is the output)"
        return head + _num(step.grad, "-" if ascii else "−") + " (the seed)"
    me, times = step.name(), " * " if ascii else " × "
    return head + " + ".join(f"d({step.name(c.child)})/d({me}){times}dC/d({step.name(c.child)})"
                             for c in step.contributions)


def memo_line(memo: MemoView, ascii: bool = False, limit: int = 6) -> str:
    """How full the memo is after a step, and the pending entries so far:
    ``memo: 2 of 4 filled; pending: y = 2 (1 of 1 shares in), x waiting (0 of 2 shares in)``."""
    minus = "-" if ascii else "−"
    filled = len(memo.filled)
    text = f"memo: {filled} of {len(memo)} filled"
    pending = memo.pending
    if not pending:
        return text + "; every entry is final"
    shown = []
    for node in pending[:limit]:
        arrived, expected = memo.shares(node)
        value = f"= {_num(memo[node], minus)}" if arrived else "waiting"
        shown.append(f"{memo.name(node)} {value} ({arrived} of {expected} shares in)")
    more = f", and {len(pending) - limit} more" if len(pending) > limit else ""
    return text + "; pending: " + ", ".join(shown) + more


def print_steps(root: Value, write=print, pause=None, ascii: bool = False) -> int:
    """Step through ``root``'s backward pass, writing a few lines per step.

    ``pause()`` is called between steps (not after the last); when it
    returns False the walk stops. Returns the number of steps shown. The
    ``.grad`` of each node shown is updated, as by ``steps()``.
    """
    total = None
    shown = 0
    for step in steps(root):
        if total is None:
            total = len(step.memo)
        elif pause is not None and not pause():
            break
        node = step.node
        write(f"step {step.index + 1} of {total}: {step.name()}  ({node.op or 'leaf'}, value "
              f"{_num(node.data, '-' if ascii else '−')})")
        write("  " + chain_rule_symbols(step, ascii))
        if step.contributions:
            write("  " + chain_rule_line(step, ascii))
        write("  " + memo_line(step.memo, ascii))
        shown += 1
    return shown


def _writer(stream: TextIO, ascii: bool):
    """print() to ``stream``, escaping what its encoding cannot show (a
    non-UTF-8 terminal gets ``\\u03b1`` for an α in a label, not a crash)."""
    encoding = getattr(stream, "encoding", None) or "utf-8"

    def write(line: str = "") -> None:
        if ascii:
            line = line.encode(encoding, "backslashreplace").decode(encoding)
        print(line, file=stream)

    return write


def can_print(stream: TextIO, text: str = "×−") -> bool:
    """True if ``stream``'s encoding can show ``text``."""
    try:
        text.encode(getattr(stream, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def step_through(root: Value, header: Sequence[str] = (), pause: bool = True,
                 stdin: TextIO | None = None, stdout: TextIO | None = None,
                 stderr: TextIO | None = None) -> int:
    """``memograd trace --step``: write ``header``, then every step of
    ``root``'s backward pass; between steps wait for Enter (``q`` quits) when
    ``pause`` is set and ``stdin`` is a terminal. Returns the steps shown.
    """
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    stderr = sys.stderr if stderr is None else stderr
    ascii = not can_print(stdout)
    write = _writer(stdout, ascii)
    for line in header:
        write(line)
    interactive = pause and stdin.isatty()

    def wait() -> bool:
        stdout.flush()
        print("[Enter: next step, q: quit] ", end="", file=stderr, flush=True)
        try:
            answer = stdin.readline()
        except KeyboardInterrupt:  # Ctrl-C at the prompt: stop, like q
            print(file=stderr)
            return False
        if not answer:  # end of input: show the rest without waiting
            nonlocal interactive
            interactive = False
            print(file=stderr)
            return True
        return answer.strip().lower() not in ("q", "quit")

    total = len(topological_order(root))
    shown = print_steps(root, write, lambda: wait() if interactive else True, ascii)
    if shown < total:
        write(f"stopped after {shown} of {total} steps")
    else:
        edges = builtins.sum(len(n.parents) for n in topological_order(root))
        entries = "1 entry" if total == 1 else f"{total} entries"
        write(f"done: {entries}, each computed once; {edges} multiplications "
              f"and {edges} additions, one of each per edge")
    return shown


# -- what the memo saves ------------------------------------------------------------


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
    if not isinstance(loss, Value) or not isinstance(wrt, Value):
        bad = loss if not isinstance(loss, Value) else wrt
        raise TypeError(f"naive_grad: loss and wrt must be Values, got {type(bad).__name__}")
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
    if not isinstance(loss, Value) or not isinstance(wrt, Value):
        bad = loss if not isinstance(loss, Value) else wrt
        raise TypeError(f"memoized_grad: loss and wrt must be Values, got {type(bad).__name__}")
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


MAX_COMPARE_EDGES = 2_000_000


@dataclass(frozen=True, slots=True)
class WorkRow:
    """Work to get dloss/dp for every parameter p of one fully connected net.

    ``paths`` sums the paths from each parameter to the loss. ``enumerated``
    says whether the naive counts come from running ``naive_grad`` once per
    parameter (True) or from the path-counting dynamic program (False: too
    many paths to walk); tests check that both agree.
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
    enumerated; for bigger ones the naive counts are computed without walking.
    """
    for n in (*depths, *widths):
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"compare_work: depths and widths must be integers, got {n!r}")
    if not depths or not widths:
        raise ValueError("compare_work: give at least one depth and one width")
    for depth in depths:
        for width in widths:
            if depth < 0 or width < 1:
                raise ValueError(f"compare_work: need depth >= 0 and width >= 1, "
                                 f"got depth {depth}, width {width}")
            edges = (depth * width + 1) * (2 * width + 3)
            if edges > MAX_COMPARE_EDGES:
                raise ValueError(f"compare_work: depth {depth}, width {width} makes about "
                                 f"{edges:,} edges; keep it under {MAX_COMPARE_EDGES:,}")
    rows = []
    for width in widths:
        for depth in depths:
            loss, params = fully_connected(depth, width)
            order = topological_order(loss)
            paths, multiplications = _naive_counts(order, set(params))
            memo = memoized_grad(loss, params[0])
            enumerated = paths <= run_limit
            additions = paths
            if enumerated:
                users = _users(order)
                runs = [_naive_walk(loss, p, users) for p in params]
                paths = builtins.sum(r.paths for r in runs)
                multiplications = builtins.sum(r.multiplications for r in runs)
                additions = builtins.sum(r.additions for r in runs)
            rows.append(WorkRow(depth, width, len(params), len(order), memo.multiplications,
                                paths, multiplications, additions, memo.multiplications,
                                memo.additions, enumerated))
    return rows


def format_work(rows: Sequence[WorkRow]) -> str:
    """``compare_work`` rows as a Markdown table (a row marked * was counted, not walked)."""
    header = ("depth", "width", "params", "edges", "paths", "naive mult", "naive add",
              "memo mult", "memo add", "naive/memo")
    lines = ["| " + " | ".join(header) + " |", "|" + "---:|" * len(header)]
    for r in rows:
        star = "" if r.enumerated else "*"
        ratio = r.naive_multiplications / r.memoized_multiplications
        cells = (r.depth, r.width, r.parameters, f"{r.edges:,}", f"{r.paths:,}{star}",
                 f"{r.naive_multiplications:,}{star}", f"{r.naive_additions:,}{star}",
                 f"{r.memoized_multiplications:,}", f"{r.memoized_additions:,}", f"{ratio:,.1f}")
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    if any(not r.enumerated for r in rows):
        lines.append("\n\\* counted by dynamic programming over the graph, too many paths to walk")
    return "\n".join(lines) + "\n"


def comparison_report(depths: Sequence[int], widths: Sequence[int],
                      run_limit: int = 100_000) -> str:
    """``memograd compare``: a sentence saying what is compared, then the table."""
    rows = compare_work(depths, widths, run_limit)
    return (
        "Gradient of the loss (output - 1)**2 with respect to every weight and bias of a\n"
        "fully connected tanh net: `width` inputs, `depth` hidden layers of `width` neurons,\n"
        "one output. naive = for each parameter, walk every path to the loss with a stack\n"
        "of (node, product so far), remembering nothing (one multiplication per edge\n"
        "walked, one addition per path); memo = one backward pass (one multiplication\n"
        "and one addition per edge, every gradient at once).\n\n"
        + format_work(rows))
