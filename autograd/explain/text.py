"""The backward pass in words: the lines ``memograd trace --step`` prints, and the
memo table ``memograd trace`` prints.

For each step, the chain rule in symbols, the same line with numbers, and how
full the memo is::

    step 3 of 4: x  (leaf, value 2)
      ∂C/∂x = ∂(mul#2 + x)/∂x × ∂C/∂C + ∂(mul#2)/∂x × ∂C/∂(mul#2)
      ∂C/∂x = 1 × 1 + 3 × 1 = 4
      memo: 3 of 4 filled; ready: y = 2 (1 of 1 shares in)

for ``x * y + x`` at x = 2, y = 3: the output has no label, so it is C, and C's
own local derivative is written with its formula, ``∂(mul#2 + x)/∂x``.

One way of saying things, everywhere: an entry is written ∂C/∂x (``dC/dx``
when the terminal cannot show ∂), a name longer than one letter in brackets
(∂C/∂(w1)); numbers have one minus sign, − (``-`` in ASCII); an op is shown by
its symbol (``**3``, not the internal ``pow_const``).

Every line is in the language chosen (``autograd.i18n``: ``lang=``, ``set_language``,
``MEMOGRAD_LANG`` or the locale); the math (∂C/∂x, numbers) reads the same in all of
them. Tables line up by display width, so Chinese names (two columns a character)
keep their columns straight.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import TextIO, cast

from ..autodiff import memo_table
from ..i18n import _, cut, display_width, ngettext, pad, use_language
from ..ops import TABLE
from ..value import Value
from .numbers import format_number, plain_number
from .stepper import MemoView, Step, memo_nodes, node_names, steps


def _bracketed(name: str) -> str:
    """A name as it goes after ∂: one letter or digit alone, anything longer in brackets."""
    return name if len(name) == 1 and name.isalnum() else f"({name})"


def entry_symbol(name: str, ascii: bool = False) -> str:
    """The memo entry of the node called ``name``, as the course writes it.

    >>> entry_symbol("x"), entry_symbol("w1"), entry_symbol("x*y", ascii=True)
    ('∂C/∂x', '∂C/∂(w1)', 'dC/d(x*y)')
    """
    d = "d" if ascii else "∂"
    return f"{d}C/{d}{_bracketed(name)}"


def local_symbol(user: str, node: str, ascii: bool = False) -> str:
    """The local derivative of ``user`` with respect to ``node``: ``∂(x*y)/∂x``."""
    d = "d" if ascii else "∂"
    return f"{d}{_bracketed(user)}/{d}{_bracketed(node)}"


def _signs(ascii: bool) -> tuple[str, str]:
    """(times, minus) as the terminal can show them."""
    return (" * ", "-") if ascii else (" × ", "−")


def chain_rule_line(step: Step, ascii: bool = False) -> str:
    """The chain-rule line a learner would write, with numbers.

    ``∂C/∂a = 0.6 × 1.2 + (−0.3) × 0.5 = 0.57``: one ``local × ∂C/∂child`` term
    per contribution. With ``ascii=True``, ``d``, ``*`` and ``-`` replace ∂, × and −.
    """
    minus = _signs(ascii)[1]
    head = entry_symbol(step.name(), ascii) + " = "
    if not step.contributions:
        return head + format_number(step.grad, minus)
    return head + _products(step, ascii) + " = " + format_number(step.grad, minus)


def _factor(x: float, minus: str) -> str:
    """A number as a factor: negative ones in brackets."""
    text = format_number(x, minus)
    return f"({text})" if text.startswith(minus) else text


def _products(step: Step, ascii: bool) -> str:
    """``0.6 × 1.2 + (−0.3) × 0.5``: the terms of a step's chain-rule line."""
    times, minus = _signs(ascii)
    return " + ".join(_factor(c.local, minus) + times + _factor(c.child_grad, minus)
                      for c in step.contributions)


def output_line(step: Step, ascii: bool = False) -> str:
    """Why the output's entry is what it is: ``∂C/∂C = 1: C is the output``."""
    name = step.name()
    entry, value = entry_symbol(name, ascii), format_number(step.grad, _signs(ascii)[1])
    if step.grad != 1.0:
        times = _signs(ascii)[0]
        return f"{entry} = {value}: C = {value}{times}{name}"
    if name == "C":
        return _("{entry} = {value}: C is the output").format(entry=entry, value=value)
    return _("{entry} = {value}: {name} is the output, C").format(entry=entry, value=value,
                                                                  name=name)


def output_summary(root: Value, ascii: bool = False, lang: str | None = None) -> str:
    """The line ``memograd trace`` prints under the expression:
    ``output = 8; C = output, so ∂C/∂C = 1``."""
    with use_language(lang):
        return _("output = {value}; C = output, so {entry} = 1").format(
            value=format_number(root.data, _signs(ascii)[1]), entry=entry_symbol("C", ascii))


def chain_rule_symbols(step: Step, ascii: bool = False) -> str:
    """The chain-rule line in symbols: ``∂C/∂a = ∂(z')/∂a × ∂C/∂(z') + …``;
    for the output, why its entry is 1 (``output_line``).

    When the user is the unlabelled output C, its local derivative is written with
    C's formula (``∂(mul#2 + x)/∂x × ∂C/∂C``): ``∂C/∂x`` would read as x's entry.
    """
    if not step.contributions:
        return output_line(step, ascii)
    times = _signs(ascii)[0]
    return entry_symbol(step.name(), ascii) + " = " + " + ".join(
        local + times + entry for local, entry in chain_rule_terms(step, ascii))


def chain_rule_terms(step: Step, ascii: bool = False) -> list[tuple[str, str]]:
    """(local derivative, user's entry) in symbols, one pair per contribution:
    ``("∂(z')/∂a", "∂C/∂(z')")``."""
    me = step.name()
    terms = []
    for c in step.contributions:
        user = step.name(c.child)
        top = formula(c.child, step.name, ascii) if user == "C" else user
        terms.append((local_symbol(top, me, ascii), entry_symbol(user, ascii)))
    return terms


_SIMPLE_NAME = re.compile(r"[\w#.']+")


def _operand(x: Value | str, name: Callable[[Value], str]) -> str:
    """An operand in a formula: its name (or the number written), bracketed unless plain."""
    text = name(x) if isinstance(x, Value) else x
    return text if _SIMPLE_NAME.fullmatch(text) else f"({text})"


def formula(node: Value, name: Callable[[Value], str], ascii: bool = False) -> str:
    """``node``'s op applied to its operands' names: ``mul#2 + x``, ``(y - 1)**2``,
    ``σ(z)`` (``sigmoid(z)`` in ASCII), ``a + b + 1`` for a sum, ``w1*x1 + w2*x2`` for
    a dot; operands other than a plain name in brackets.

    >>> from autograd import Value
    >>> x = Value(2.0, "x"); y = Value(1.0, "y")
    >>> names = {x: "x", y: "y"}.get
    >>> formula(x * y, names), formula(x.tanh(), names)
    ('x * y', 'tanh(x)')
    """
    op = TABLE.get(node.op)
    args = [_operand(p, name) for p in node.parents]
    if op is None or not args:
        return name(node)
    if op.arity == 2 and op.function is None:  # + - * / **
        return f"{args[0]} {op.symbol} {args[1]}"
    if node.op == "pow_const":
        return f"{args[0]}{op_text(node)}"
    if node.op == "neg":
        return f"-{args[0]}"
    if node.op == "sum":  # its ctx holds the numbers added in
        constant = [plain_number(node.ctx[0])] if node.ctx and node.ctx[0] else []
        return " + ".join(args + constant)
    if node.op == "dot":  # its ctx holds both lists, numbers included
        ws, xs = ([_operand(x if isinstance(x, Value) else plain_number(x), name) for x in c]
                  for c in node.ctx)
        return " + ".join(f"{w}*{x}" for w, x in zip(ws, xs))
    if node.op == "leaky_relu":
        args.append(plain_number(node.ctx[0]))  # the slope
    symbol = op.symbol if op.arity == 1 and (op.symbol.isascii() or not ascii) else op.function
    return f"{symbol}({', '.join(args)})"


def memo_line(memo: MemoView, ascii: bool = False, limit: int = 6,
              lang: str | None = None) -> str:
    """How full the memo is after a step, then the entries not yet filled: first
    the ready ones (every share in), then the pending ones (shares missing):
    ``memo: 1 of 4 filled; ready: y = 2 (1 of 1 shares in); pending: x = 1 so far
    (1 of 2 shares in), z (0 of 1 shares in)``. At most ``limit`` entries are listed."""
    with use_language(lang):
        return _memo_line(memo, ascii, limit)


def _memo_line(memo: MemoView, ascii: bool, limit: int) -> str:
    minus = _signs(ascii)[1]
    filled, total = len(memo.filled), len(memo)
    ready, pending = memo.ready, memo.pending
    if not ready and not pending:
        return _("memo: {filled} of {total} filled; every entry is final").format(
            filled=filled, total=total)
    # Translators: separates the parts of a memo line (memo: ...; ready: ...; pending: ...)
    semicolon = _("; ")
    # Translators: separates the entries listed after "ready:" or "pending:"
    comma = _(", ")
    parts = [_("memo: {filled} of {total} filled").format(filled=filled, total=total)]
    if ready:
        shown = [_("{name} = {value} ({arrived} of {expected} shares in)").format(
            name=memo.name(n), value=format_number(memo[n], minus),
            arrived=memo.shares(n)[0], expected=memo.shares(n)[1]) for n in ready[:limit]]
        parts.append(_("ready: {entries}").format(entries=comma.join(shown)))
    room = max(limit - len(ready), 0)
    if pending and room:
        shown = []
        for node in pending[:room]:
            arrived, expected = memo.shares(node)
            if arrived:
                text = _("{name} = {value} so far ({arrived} of {expected} shares in)")
            else:
                text = _("{name} ({arrived} of {expected} shares in)")
            shown.append(text.format(name=memo.name(node), arrived=arrived, expected=expected,
                                     value=format_number(memo[node], minus)))
        parts.append(_("pending: {entries}").format(entries=comma.join(shown)))
    hidden = len(ready) + len(pending) - limit
    more = _(", and {count} more").format(count=hidden) if hidden > 0 else ""
    return semicolon.join(parts) + more


def op_text(node: Value, number: Callable[[float], str] = plain_number,
            ascii: bool = False) -> str:
    """How a node's op is shown: its symbol with the op's constants (``**3``,
    ``Σ+1``, ``leaky_relu(0.2)``), ``leaf`` for a leaf; never an internal name
    such as ``pow_const``. ``number`` writes the constants; with ``ascii=True``
    a symbol outside ASCII (σ, Σ) is spelled as the function (``sigmoid``).

    >>> from autograd import Value
    >>> x = Value(2.0, "x"); op_text(x ** 3), op_text(x.sigmoid()), op_text(x)
    ('**3', 'σ', 'leaf')
    """
    if not node.op:
        return _("leaf")
    op = TABLE.get(node.op)
    if op is None:
        return node.op
    symbol = op.symbol if op.symbol.isascii() or not ascii else (op.function or op.name)
    if node.op == "pow_const":
        return f"{symbol}{number(node.ctx[0])}"
    if node.op == "sum" and node.ctx and node.ctx[0]:
        return f"{symbol}+{number(node.ctx[0])}"
    if node.op == "leaky_relu":
        return f"{symbol}({number(node.ctx[0])})"
    return symbol


def row_names(nodes: Sequence[Value], names: Mapping[Value, str], width: int = 28,
              ascii: bool = False) -> dict[Value, str]:
    """Names for the rows of a table, one row per node of ``nodes`` in order, each
    at most ``width`` columns wide (a Chinese character takes two) and all different.

    A name that fits and no other row shares is kept. Any other gets the number
    of its row (the step that fills its entry): ``x*y#3`` for a name two rows
    share, and a long one is cut with … before it (``w5*sigmoid(w1*x1 + w…#2``).
    """
    ellipsis = "..." if ascii else "…"
    count = Counter(names[n] for n in nodes)
    shown = {}
    for row, node in enumerate(nodes, start=1):
        name = names[node]
        if display_width(name) <= width and count[name] == 1:
            shown[node] = name
            continue
        tag = f"#{row}"
        if display_width(name + tag) <= width:
            shown[node] = name + tag
        else:
            room = max(width - len(tag) - len(ellipsis), 1)
            shown[node] = (cut(name, room) or name[0]).rstrip() + ellipsis + tag
    return shown


def columns(rows: Sequence[Sequence[str]], last_free: bool = False) -> list[str]:
    """``rows`` of cells as lines of aligned columns two spaces apart, each column as
    wide as its widest cell on screen (``display_width``: Chinese characters take
    two columns); ``last_free``: the last cell is not padded, so a long one does not
    widen the table. Trailing spaces are dropped.

    >>> columns([("权重", "2"), ("w", "10")])
    ['权重  2', 'w     10']
    """
    count = max((len(r) for r in rows), default=0)
    padded = count - 1 if last_free else count
    widths = [max((display_width(r[i]) for r in rows if i < len(r)), default=0)
              for i in range(padded)]
    lines = []
    for r in rows:
        cells = [pad(cell, widths[i]) if i < padded else cell for i, cell in enumerate(r)]
        lines.append("  ".join(cells).rstrip())
    return lines


def trace_table(root: Value, ascii: bool = False, lang: str | None = None) -> str:
    """The memo table of ``root``'s backward pass as text, in the order it is filled
    (the output first, then level by level): ``memograd trace``.

    One row per memo entry (numbers used in an operation have none): its name,
    op, value, ∂C/∂node, and for each parent with an entry the local derivative
    ∂node/∂parent recorded in the forward pass. Columns line up by display width.
    """
    with use_language(lang):
        memo = memo_table(root)
        nodes = memo_nodes(root)
        names = row_names(nodes, node_names(nodes), ascii=ascii)
        minus = _signs(ascii)[1]
        node, parent = _("node"), _("parent")
        rows = [(node, _("op"), _("value"), entry_symbol(node, ascii),
                 _("local derivatives") + " " + local_symbol(node, parent, ascii))]
        for n in nodes:
            locals_ = ", ".join(f"{names[p]}: {format_number(d, minus)}"
                                for p, d in zip(n.parents, n.local_grads) if p in names)
            rows.append((names[n], op_text(n, ascii=ascii), format_number(n.data, minus),
                         format_number(memo[n], minus), locals_))
        return "\n".join(columns(rows, last_free=True)) + "\n"


def step_lines(step: Step, ascii: bool = False, lang: str | None = None) -> list[str]:
    """What ``memograd trace --step`` prints for one step (made by ``steps()``): which
    node, the chain rule in symbols and in numbers, and the memo's state.

    >>> from autograd import Value
    >>> x = Value(3.0, "x"); last = list(steps(x * x))[-1]
    >>> for line in step_lines(last): print(line)
    step 2 of 2: x  (leaf, value 3)
      ∂C/∂x = ∂(x * x)/∂x × ∂C/∂C + ∂(x * x)/∂x × ∂C/∂C
      ∂C/∂x = 3 × 1 + 3 × 1 = 6
      memo: 2 of 2 filled; every entry is final
    """
    with use_language(lang):
        memo = cast(MemoView, step.memo)  # steps() gives every Step its memo
        node = step.node
        lines = [_("step {number} of {count}: {name}  ({op}, value {value})").format(
            number=step.index + 1, count=len(memo), name=step.name(),
            op=op_text(node, ascii=ascii), value=format_number(node.data, _signs(ascii)[1]))]
        lines.append("  " + chain_rule_symbols(step, ascii))
        if step.contributions:
            lines.append("  " + chain_rule_line(step, ascii))
        lines.append("  " + memo_line(memo, ascii))
        return lines


def print_steps(root: Value, write: Callable[[str], object] = print,
                proceed: Callable[[], bool] | None = None, ascii: bool = False,
                lang: str | None = None) -> int:
    """Go through ``root``'s backward pass, writing a few lines per step (``step_lines``).

    ``proceed()`` is called between steps (not after the last); when it
    returns False the printing stops. Returns the number of steps shown. The
    ``.grad`` of each node reached is updated, as by ``steps()``.
    """
    shown = 0
    with use_language(lang):
        for step in steps(root):
            if shown and proceed is not None and not proceed():
                break
            for line in step_lines(step, ascii):
                write(line)
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


def can_print(stream: TextIO, text: str = "×−∂…") -> bool:
    """True if ``stream``'s encoding can show ``text`` (by default the symbols the
    explanations use; when it cannot they fall back to ASCII)."""
    try:
        text.encode(getattr(stream, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def step_through(root: Value, header: Sequence[str] = (), pause: bool = True,
                 stdin: TextIO | None = None, stdout: TextIO | None = None,
                 stderr: TextIO | None = None, lang: str | None = None) -> int:
    """``memograd trace --step``: write ``header``, then every step of
    ``root``'s backward pass; between steps wait for Enter (``q`` quits) when
    ``pause`` is set and ``stdin`` is a terminal. Returns the steps shown.
    """
    with use_language(lang):
        return _step_through(root, header, pause, stdin, stdout, stderr)


def _step_through(root: Value, header: Sequence[str], pause: bool, stdin: TextIO | None,
                  stdout: TextIO | None, stderr: TextIO | None) -> int:
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
        print(_("[Enter: next step, q: quit] "), end="", file=stderr, flush=True)
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

    nodes = memo_nodes(root)
    shown = print_steps(root, write, lambda: wait_for_enter() if interactive else True, ascii)
    if shown < len(nodes):
        write(_("stopped after {shown} of {count} steps").format(shown=shown, count=len(nodes)))
    else:
        has_entry = set(nodes)
        edges = sum(p in has_entry for n in nodes for p in n.parents)
        entries = ngettext("{count} entry", "{count} entries", len(nodes)).format(
            count=len(nodes))
        write(_("done: {entries}, each computed once; {edges} multiplications and {edges} "
                "additions, one of each per edge").format(entries=entries, edges=edges))
    return shown
