"""The backward pass in words: the lines ``memograd trace --step`` prints.

For each step, the chain rule in symbols, the same line with numbers, and how
full the memo is::

    step 2 of 4: mul#1  (mul, value 6)
      dC/d(mul#1) = d(add#0)/d(mul#1) × dC/d(add#0)
      dC/d(mul#1) = 1 × 1 = 1
      memo: 2 of 4 filled; pending: x = 4 (2 of 2 shares in), y = 2 (1 of 1 shares in)

for ``x * y + x`` at x = 2, y = 3.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TextIO, cast

from ..autodiff import topological_order
from ..value import Value
from .numbers import format_number
from .stepper import MemoView, Step, steps


def chain_rule_line(step: Step, ascii: bool = False) -> str:
    """The chain-rule line a learner would write, with numbers.

    ``dC/d(a) = 0.6 × 1.2 + (−0.3) × 0.5 = 0.57``: one ``local × dC/dchild``
    term per contribution. With ``ascii=True``, ``*`` and ``-`` replace × and −.
    """
    times, minus = (" * ", "-") if ascii else (" × ", "−")

    def factor(x: float) -> str:
        text = format_number(x, minus)
        return f"({text})" if x < 0 or text.startswith(minus) else text

    head = f"dC/d({step.name()}) = "
    if not step.contributions:
        return head + format_number(step.grad, minus)
    terms = " + ".join(factor(c.local) + times + factor(c.child_grad)
                       for c in step.contributions)
    return head + terms + " = " + format_number(step.grad, minus)


def chain_rule_symbols(step: Step, ascii: bool = False) -> str:
    """The chain-rule line in symbols: ``dC/d(a) = d(z')/d(a) × dC/d(z') + …``;
    for the output, the seed."""
    head = f"dC/d({step.name()}) = "
    if not step.contributions:
        if step.grad == 1.0:
            return head + "1 (the seed: C is the output)"
        return head + format_number(step.grad, "-" if ascii else "−") + " (the seed)"
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
        value = f"= {format_number(memo[node], minus)}" if arrived else "waiting"
        shown.append(f"{memo.name(node)} {value} ({arrived} of {expected} shares in)")
    more = f", and {len(pending) - limit} more" if len(pending) > limit else ""
    return text + "; pending: " + ", ".join(shown) + more


def print_steps(root: Value, write: Callable[[str], object] = print,
                proceed: Callable[[], bool] | None = None, ascii: bool = False) -> int:
    """Go through ``root``'s backward pass, writing a few lines per step.

    ``proceed()`` is called between steps (not after the last); when it
    returns False the printing stops. Returns the number of steps shown. The
    ``.grad`` of each node shown is updated, as by ``steps()``.
    """
    total = None
    shown = 0
    for step in steps(root):
        memo = cast(MemoView, step.memo)  # steps() gives every Step its memo
        if total is None:
            total = len(memo)
        elif proceed is not None and not proceed():
            break
        node = step.node
        write(f"step {step.index + 1} of {total}: {step.name()}  ({node.op or 'leaf'}, value "
              f"{format_number(node.data, '-' if ascii else '−')})")
        write("  " + chain_rule_symbols(step, ascii))
        if step.contributions:
            write("  " + chain_rule_line(step, ascii))
        write("  " + memo_line(memo, ascii))
        shown += 1
    return shown


def _line_writer(stream: TextIO, ascii: bool) -> Callable[[str], None]:
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
    write = _line_writer(stdout, ascii)
    for line in header:
        write(line)
    interactive = pause and stdin.isatty()

    def wait_for_enter() -> bool:
        """Prompt and read a line: True to go on, False to quit."""
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

    nodes = topological_order(root)
    shown = print_steps(root, write, lambda: wait_for_enter() if interactive else True, ascii)
    if shown < len(nodes):
        write(f"stopped after {shown} of {len(nodes)} steps")
    else:
        edges = sum(len(n.parents) for n in nodes)
        entries = "1 entry" if len(nodes) == 1 else f"{len(nodes)} entries"
        write(f"done: {entries}, each computed once; {edges} multiplications "
              f"and {edges} additions, one of each per edge")
    return shown
