"""The ``memograd`` command.

    memograd trace "tanh(w1*x1 + w2*x2 + b)" --at x1=2 x2=0 w1=-3 w2=1 b=6.88
    memograd trace "x*x" --at x=3 --mistake set
    memograd quiz "x*y + x" --at x=2 y=3
    memograd --lang zh-CN trace "权重*输入 + 偏置" --at 权重=2 输入=3 偏置=1

Every error a user can cause (a malformed expression, a missing value, a
domain error, a number or a result too large for a float, a usage error) ends
with one line on stderr and exit code 2, never a traceback.

What it prints is in the language of ``--lang`` (before or after the command), else
of ``MEMOGRAD_LANG``, else of the locale, else English (``autograd.i18n`` decides):
the CLI's own words go through ``_()``; the messages of exceptions raised by the
library stay English, after a translated ``error:`` prefix. ``--help`` is English.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import sys
import unicodedata
import warnings
from collections.abc import Sequence
from typing import NoReturn, Protocol, TextIO

from .autodiff import memo_table
from .explain import (
    KINDS,
    Quiz,
    can_print,
    chain_rule_line,
    comparison_report,
    format_number,
    mistake,
    output_summary,
    step_through,
    trace_table,
)
from .explain.quiz import DEEPEST_HINT, quiz
from .explain.work import MAX_COMPARE_EDGES, MAX_COMPARE_WALK
from .expr import ExpressionError, evaluate, variables
from .files import check_writable
from .i18n import LANGUAGES, N_, _, get_language, ngettext, normalize_language, use_language
from .value import Value
from .viz import MAX_NODES, RendererNotFound, save, walkthrough
from .viz.render import PngTextWarning

EXAMPLE = "tanh(w1*x1 + w2*x2 + b)"
EXAMPLE_AT = ["x1=2", "x2=0", "w1=-3", "w2=1", "b=6.8813735870195432"]
"""micrograd's neuron: the output is 0.7071 and dC/d(sum) is 0.5."""


class UsageError(Exception):
    """Bad input on the command line: reported in one line, exit code 2."""


def parse_assignments(pairs: Sequence[str]) -> dict[str, float]:
    """``["x=2", "y=-1.5"]`` -> ``{"x": 2.0, "y": -1.5}``.

    UsageError when a pair is not ``name=number``, a number is not finite
    (``nan``, ``inf``, ``1e400``) or a name is given twice.
    """
    values: dict[str, float] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        # Python reads the expression's names in NFKC form ("ﬁ" is "fi"): so do we
        name = unicodedata.normalize("NFKC", name.strip())
        if not sep or not name.isidentifier():
            raise UsageError(_("--at expects name=number, got {pair}").format(pair=repr(pair)))
        if name in values:
            raise UsageError(_("--at gives {name} twice").format(name=name))
        try:
            number = float(text)
        except ValueError:
            raise UsageError(_("--at {name}: {text} is not a number").format(
                name=name, text=repr(text))) from None
        if not math.isfinite(number):
            raise UsageError(_("--at {name}: {text} is not a finite number (floats end at "
                               "about 1.8e308)").format(name=name, text=repr(text)))
        values[name] = number
    return values


def build(expression: str, at: Sequence[str]) -> Value:
    """Parse ``expression``, check the ``--at`` values against its variables, build the graph."""
    values = parse_assignments(at)
    names = variables(expression)
    missing = [n for n in names if n not in values]
    if missing:
        to_add = " ".join(f"{n}=..." for n in missing[:SHOWN])
        if len(missing) > SHOWN:
            to_add = _("{assignments} and the others").format(assignments=to_add)
        raise UsageError(_("no value given for {names} (add {assignments} to --at)").format(
            names=listed(missing), assignments=to_add))
    used = set(names)
    unused = [n for n in values if n not in used]
    if unused:
        raise UsageError(_("--at gives {names}, which the expression does not use").format(
            names=listed(unused)))
    return evaluate(expression, {n: values[n] for n in names})


SHOWN = 8
"""The names an error message lists before "and N more": it stays one readable line."""


def listed(names: Sequence[str]) -> str:
    """``a, b, c``, or the first SHOWN names and how many more."""
    comma = _(", ")
    if len(names) <= SHOWN:
        return comma.join(names)
    return _("{names} and {count} more").format(names=comma.join(names[:SHOWN]),
                                                count=f"{len(names) - SHOWN:,}")


def heading(expression: str, at: Sequence[str]) -> str:
    """The line naming what is computed: ``x*y + x  at  x=2, y=3``."""
    if not at:
        return _("{expression}  at  (no variables)").format(expression=expression)
    # Translators: the values given with --at, as typed, separated as in a list
    return _("{expression}  at  {values}").format(expression=expression,
                                                  values=_(", ").join(at))


def write_pictures(root: Value, pictures: Sequence[tuple[str, str]], title: str,
                   max_nodes: int | None, mistaken: str | None = None) -> None:
    """Write each (path, "svg" | "png" | "html") of ``root`` and say so; the drawings
    show the memo (dC/dnode) and the local derivatives on the edges, the page also
    the ``mistaken`` pass (a kind of ``autograd.mistake``) beside the memo.

    Every path is checked first, so a bad later path leaves the earlier files alone.
    A PNG that had to replace characters (graphviz-pure draws ASCII only) says so in
    one line on stderr, not as Python's two-line warning.
    """
    limit = MAX_NODES if max_nodes is None else max_nodes
    for path, _kind in pictures:
        check_writable(path)
    for path, kind in pictures:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", PngTextWarning)
            if kind == "html":
                walkthrough(root, path, title=title, max_nodes=limit, mistake=mistaken)
            else:
                save(root, path, kind, grads=memo_table(root), show_local=True,
                     max_nodes=limit)
        print(_("wrote {path}").format(path=path))
        for w in caught:
            if issubclass(w.category, PngTextWarning):  # its text is the library's: English
                print(_("{command}: note: {message}").format(
                    command="memograd trace", message=printable(str(w.message))),
                      file=sys.stderr)
            else:  # any other warning as Python would have shown it
                warnings.showwarning(w.message, w.category, w.filename, w.lineno)


def cmd_trace(args: argparse.Namespace) -> int:
    expression = args.expression if args.expression is not None else EXAMPLE
    at = args.at if args.at is not None else (EXAMPLE_AT if args.expression is None else [])
    root = build(expression, at)
    title = heading(expression.strip(), at)  # main() put a space before "-x"
    pictures = [(path, kind) for path, kind in
                ((args.svg, "svg"), (args.png, "png"), (args.html, "html"))
                if path is not None]  # --svg "" is an error, not "no picture"
    if args.mistake is not None and args.step:
        raise UsageError(_("--mistake prints a table: it does not go with --step"))
    if pictures:  # before the (possibly interactive) output, so a bad path fails fast
        write_pictures(root, pictures, title=title, max_nodes=args.max_nodes,
                       mistaken=args.mistake)
    ascii = not can_print(sys.stdout)  # ∂, × and − where the terminal shows them
    if args.step:
        step_through(root, [title, output_summary(root, ascii), ""], pause=not args.no_pause)
        return 0
    if args.no_pause:
        raise UsageError(_("--no-pause goes with --step"))
    write = terminal_writer(sys.stdout)
    write(title)
    write(output_summary(root, ascii) + "\n")
    if args.mistake is not None:  # the mistaken memo beside the right one, instead of the table
        wrong = mistake(root, args.mistake)
        write(wrong.table(ascii), end="")
        if args.mistake == "order" and not wrong.differs:
            write(_(ORDER_IN_EXPRESSIONS))
    else:
        write(trace_table(root, ascii), end="")
    return 0


ORDER_IN_EXPRESSIONS = N_(
    "In an expression only the variables are shared: each subexpression written is a node "
    "of its own with one user, so \"order\" cannot go wrong here. It does when a computed "
    "node feeds several others, as a hidden neuron feeds the next layer: see "
    "autograd.mistake(loss, \"order\") and the lesson \"Your turn\".")
"""Why ``trace --mistake order`` agrees on every expression: the parser builds a tree
whose only shared nodes are the variables, and a variable has nothing to hand on."""


def cmd_quiz(args: argparse.Namespace) -> int:
    tolerance = args.tolerance
    if not (math.isfinite(tolerance) and tolerance >= 0):
        raise UsageError(_("--tolerance must be a number >= 0, got {tolerance}").format(
            tolerance=repr(tolerance)))
    at = args.at or []
    root = build(args.expression, at)
    ascii = not can_print(sys.stdout)
    questions = quiz(root, tolerance=tolerance, ascii=ascii)
    write = terminal_writer(sys.stdout)
    minus = "-" if ascii else "−"
    write(heading(args.expression.strip(), at))  # main() put a space before "-x"
    write(ngettext("output = {value}, called C. Fill in the memo: {count} entry, in the "
                   "order backprop fills them.",
                   "output = {value}, called C. Fill in the memo: {count} entries, in the "
                   "order backprop fills them.", len(questions)).format(
        value=format_number(root.data, minus), count=len(questions)))
    write(_("Answer each with a number or arithmetic such as 0.5*2; after {count} wrong tries "
            "the answer is shown.").format(count=DEEPEST_HINT) + "\n")
    stdin = sys.stdin if sys.stdin is not None else io.StringIO()  # closed: no answers
    return 0 if ask_all(questions, stdin, write) else 1


class Writer(Protocol):
    """``write(text, end="\\n")``, as ``terminal_writer`` makes it."""

    def __call__(self, text: str, end: str = "\n") -> None: ...


def terminal_writer(stream: TextIO) -> Writer:
    """``write(text, end)``: print ``text`` to ``stream`` at once (a prompt must show
    before the answer is read); a character the stream's encoding cannot show is
    escaped (``\\u03be`` for ξ, ``\\u8282`` for 节 in an ASCII terminal), not a crash."""
    encoding = getattr(stream, "encoding", None) or "utf-8"

    def write(text: str, end: str = "\n") -> None:
        text = text.encode(encoding, "backslashreplace").decode(encoding)
        print(text, end=end, file=stream, flush=True)

    return write


def ask_all(questions: Quiz, stdin: TextIO, write: Writer) -> bool:
    """``memograd quiz``: ask each question in turn, reading one answer a line from
    ``stdin``. A wrong answer gets the hint ``Question.check`` gives (deeper each try);
    after DEEPEST_HINT wrong tries the answer is shown and the quiz moves on. An
    answer that is not a number is explained and not counted. Ends with the score,
    or at the end of input (or Ctrl-C) with the score so far.

    When stdin is not a terminal, each answer read is written after its prompt, so
    the output reads as the session would on screen (a terminal echoes what is typed).

    True when every entry was answered right.
    """
    echo = not stdin.isatty()
    total = len(questions)
    for question in questions:
        where = _("[{number} of {count}]").format(number=question.index + 1, count=total)
        while True:
            write(f"{where} {question.prompt} ", end="")
            try:
                line = stdin.readline()
            except KeyboardInterrupt:
                line = ""
            if not line:  # end of input: stop here, with the score so far
                write("\n" + _("stopped at question {number} of {count} (end of input): "
                               "{score} of {count} right.").format(
                    number=question.index + 1, count=total, score=questions.score))
                return False
            if echo:
                write(printable(line.strip()))
            feedback = question.check(line)
            if feedback.correct:
                write("  " + _("right: {line}").format(
                    line=chain_rule_line(question.step, question.ascii)))
                break
            if feedback.level == 0:  # not a number: explained, not counted as a try
                write(f"  {feedback.hint}")
                continue
            write("  " + _("not yet (hint {level} of {deepest}): {hint}").format(
                level=feedback.level, deepest=DEEPEST_HINT, hint=feedback.hint))
            if question.wrong >= DEEPEST_HINT:
                write("  " + _("the answer: {line}").format(
                    line=chain_rule_line(question.step, question.ascii)))
                break
    write(_("Done: {score} of {count} right.").format(score=questions.score, count=total))
    return questions.done


def cmd_compare(args: argparse.Namespace) -> int:
    terminal_writer(sys.stdout)(comparison_report(args.depth, args.width, args.run_limit),
                                end="")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """``memograd demo``: ``nn.demo.run``, then what it did, in the CLI's language."""
    from nn.demo import run  # imported here: the engine never imports nn at import time

    if args.epochs < 1:
        raise UsageError(_("--epochs must be at least 1, got {epochs}").format(
            epochs=args.epochs))
    try:
        result = run(args.out, args.epochs, args.seed, progress=not args.no_progress)
    except (ImportError, OSError) as e:
        raise UsageError(str(e)) from None
    print(_("trained MLP(2, [16, 16, 1]) ({parameters} parameters) on 100 two-moons points "
            "for {epochs} epochs").format(parameters=result.model.num_parameters(),
                                          epochs=result.history.epochs))
    print(_("final training loss {loss}, training accuracy {accuracy}").format(
        loss=f"{result.history.train_loss[-1]:.6f}", accuracy=f"{result.evaluation.accuracy:.0%}"))
    print(_("wrote {path} (reload with nn.load)").format(path=result.model_path))
    print(_("wrote {path}").format(path=result.plot_path))
    return 0


MAX_SECOND_VARIABLES = 100
"""``check --second`` compares each pair of variables and each comparison reads the whole
graph: the work grows as the cube of the variables (100 take seconds, 200 a minute)."""


def cmd_check(args: argparse.Namespace) -> int:
    from .check import check_expression  # the logic lives in autograd.check

    at = args.at or []
    build(args.expression, at)  # as for trace: names, numbers, the domain at the point
    if args.second and len(at) > MAX_SECOND_VARIABLES:
        raise UsageError(_("--second checks every pair of variables: at most {limit}, and the "
                           "expression has {count}").format(limit=MAX_SECOND_VARIABLES,
                                                            count=f"{len(at):,}"))
    reports = check_expression(args.expression, parse_assignments(at), eps=args.eps,
                               atol=args.atol, rtol=args.rtol, second=args.second)
    write = terminal_writer(sys.stdout)
    write(heading(args.expression.strip(), at) + "\n")
    write("\n\n".join(r.text() for r in reports))  # in the language in force
    return 0 if all(reports) else 1


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit 2) like every other refusal,
    pointing to ``--help`` instead of printing the usage."""

    def error(self, message: str) -> NoReturn:
        # argparse's own message stays English, like a library's exception
        self.exit(2, _("{command}: error: {message} (see {command} --help)").format(
            command=self.prog, message=printable(message)) + "\n")


def language(text: str) -> str:
    """``--lang``'s value as one of LANGUAGES (``zh_cn`` is ``zh-CN``); an unknown one
    is a usage error naming the languages."""
    try:
        return normalize_language(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def add_at(parser: argparse.ArgumentParser) -> None:
    """``--at NAME=NUMBER ...``: the variables' values, for the commands that read EXPR."""
    parser.add_argument("--at", nargs="*", metavar="NAME=NUMBER",
                        help="the value of each variable, a finite number, each name once, "
                             "e.g. --at x=2 y=-1")


def add_lang(parser: argparse.ArgumentParser, top: bool) -> None:
    """``--lang`` on ``parser``: on the top-level parser it defaults to None; on a
    command's parser it sets ``lang`` only when given (SUPPRESS), so that
    ``memograd --lang zh-CN trace ...`` is not undone by the command's default."""
    parser.add_argument(
        "--lang", type=language, metavar="{" + ",".join(LANGUAGES) + "}",
        default=None if top else argparse.SUPPRESS,
        help="the language of the output (default: MEMOGRAD_LANG, else the locale, "
             "else en); --help stays English")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="memograd",
        description="See backpropagation: build a graph, run backward, show the memo.")
    add_lang(parser, top=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    trace = commands.add_parser(
        "trace", help="print the backward pass of an expression, node by node",
        description="Parse EXPR safely, build its graph, run backward, print the memo table.")
    trace.add_argument("expression", nargs="?", metavar="EXPR",
                       help=f"an arithmetic expression (default: the neuron {EXAMPLE!r})")
    add_at(trace)
    trace.add_argument("--step", action="store_true",
                       help="show the backward pass one node at a time (Enter for the next)")
    trace.add_argument("--no-pause", action="store_true",
                       help="with --step: print every step without waiting")
    trace.add_argument("--svg", metavar="FILE", help="also draw the graph with its numbers as SVG")
    trace.add_argument("--png", metavar="FILE", help="also draw the graph as PNG")
    trace.add_argument("--html", metavar="FILE",
                       help="also write a page stepping through the backward pass")
    trace.add_argument("--max-nodes", type=int, default=None, metavar="N",
                       help="with --svg/--png/--html: draw graphs of up to N values (default 200)")
    trace.add_argument("--mistake", choices=list(KINDS), metavar="KIND",
                       help="print a mistaken backward pass beside the right one, the rows that "
                            "differ marked (with --html, on the page too); KIND is one of "
                            + ", ".join(KINDS))
    add_lang(trace, top=False)
    trace.set_defaults(run=cmd_trace)
    ask = commands.add_parser(
        "quiz", help="compute every memo entry yourself, checked as you go",
        description="Parse EXPR safely, build its graph and ask for each memo entry "
                    "dC/dnode in the order backprop fills them, one answer a line on "
                    "stdin: a number or arithmetic such as 0.5*2. A wrong answer gets a "
                    f"hint, deeper each try; after {DEEPEST_HINT} wrong tries the answer "
                    "is shown. When stdin is not a terminal, each answer is written after "
                    "its prompt. Exit code 0 when every entry was answered right, 1 "
                    "otherwise (also at the end of input), 2 on bad input.")
    ask.add_argument("expression", metavar="EXPR", help="an arithmetic expression, e.g. 'x*y + x'")
    add_at(ask)
    ask.add_argument("--tolerance", type=float, default=1e-3, metavar="REL",
                     help="an answer is right within this relative tolerance (default: "
                          "0.001, so 4 significant digits pass) or 1e-06 absolutely")
    add_lang(ask, top=False)
    ask.set_defaults(run=cmd_quiz)
    compare = commands.add_parser(
        "compare", help="count the work of naive path enumeration vs memoized backprop",
        description="For fully connected nets of each depth and width, count the "
                    "multiplications and additions of summing over every path vs one "
                    "memoized backward pass. Limits, checked before anything is built: "
                    f"{MAX_COMPARE_EDGES:,} edges for all the nets together, 10**100 paths "
                    "for one net (width**depth grows fast).")
    compare.add_argument("--depth", nargs="+", type=int, default=[1, 2, 3, 4, 5, 6],
                         metavar="N", help="numbers of hidden layers (default: 1 2 3 4 5 6)")
    compare.add_argument("--width", nargs="+", type=int, default=[4], metavar="N",
                         help="neurons per hidden layer, also the number of inputs (default: 4)")
    compare.add_argument("--run-limit", type=int, default=100_000, metavar="PATHS",
                         help="really walk the paths when there are at most this many "
                              "(default: 100000) and the walks stay under "
                              f"{MAX_COMPARE_WALK:,} multiplications in all; beyond, "
                              "count them")
    add_lang(compare, top=False)
    compare.set_defaults(run=cmd_compare)
    demo = commands.add_parser(
        "demo", help="train micrograd's demo net with nn, save it and plot its decision boundary",
        description="Train an MLP 2-16-16-1 on 100 two-moons points (max-margin loss, SGD, "
                    "100 epochs) with a progress bar; write model.json and "
                    "decision_boundary.png to the output folder.")
    demo.add_argument("--out", default="memograd-demo", metavar="DIR",
                      help="output folder (default: memograd-demo)")
    demo.add_argument("--epochs", type=int, default=100, metavar="N",
                      help="epochs of full-batch training (default: 100)")
    demo.add_argument("--seed", type=int, default=1, metavar="N",
                      help="seed of the initial weights (default: 1)")
    demo.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_lang(demo, top=False)
    demo.set_defaults(run=cmd_demo)
    check = commands.add_parser(
        "check", help="compare an expression's gradient with finite differences (gradcheck)",
        description="Parse EXPR safely and compare, for each variable, the engine's derivative "
                    "with the central difference (f(x+eps) - f(x-eps)) / 2eps. Exit code 1 "
                    "when a check fails, 2 on bad input.")
    check.add_argument("expression", metavar="EXPR", help="an arithmetic expression, e.g. 'x*y'")
    add_at(check)
    check.add_argument("--eps", type=float, default=1e-6, help="the step (default: 1e-06)")
    check.add_argument("--atol", type=float, default=1e-5,
                       help="absolute tolerance (default: 1e-05)")
    check.add_argument("--rtol", type=float, default=1e-3,
                       help="relative tolerance (default: 0.001)")
    check.add_argument("--second", action="store_true",
                       help="also check every second derivative (gradgradcheck; "
                            f"at most {MAX_SECOND_VARIABLES} variables)")
    add_lang(check, top=False)
    check.set_defaults(run=cmd_check)
    return parser


COMMANDS_WITH_EXPR = {"trace", "check", "quiz"}
"""Subcommands whose first argument is an expression, which may start with '-'."""


def _is_option(parser: argparse.ArgumentParser, command: str, token: str) -> bool:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return token.split("=")[0] in sub.choices[command]._option_string_actions


def _command_at(argv: Sequence[str]) -> int:
    """Where the command is in ``argv``: after the top-level options (``--lang X``)."""
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        i += 2 if argv[i] == "--lang" else 1
    return i


def _usage_language(argv: Sequence[str]) -> str:
    """The language to report a usage error in, before argparse has read ``--lang``:
    the last ``--lang`` that names a language, else the environment's, else English
    (an unknown MEMOGRAD_LANG is reported once the options are read)."""
    asked = None
    for i, token in enumerate(argv):
        value = (argv[i + 1] if token == "--lang" and i + 1 < len(argv)
                 else token.partition("=")[2] if token.startswith("--lang=") else None)
        if value is not None:
            with contextlib.suppress(ValueError):  # argparse refuses it, naming the languages
                asked = normalize_language(value)
    try:
        return get_language(asked)
    except ValueError:
        return "en"


USER_ERRORS = (UsageError, ExpressionError, ValueError, TypeError, ArithmeticError,
               RecursionError, MemoryError, RendererNotFound, OSError)


def printable(text: str) -> str:
    """``text`` on one line: characters that are not printable (newlines, NUL, lone
    surrogates) are written as escapes, as ``repr`` writes them."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command and return its exit code: 0 ok, 1 a check failed, 2 bad input
    (one line on stderr). Never raises: ``--help`` returns 0."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    k = _command_at(argv)
    if len(argv) > k + 1 and argv[k] in COMMANDS_WITH_EXPR and argv[k + 1][:1] == "-" \
            and not _is_option(parser, argv[k], argv[k + 1]):
        argv[k + 1] = " " + argv[k + 1]  # an expression like "-x*2", not an option
    try:
        with use_language(_usage_language(argv)):
            args = parser.parse_args(argv)
    except SystemExit as e:  # --help, or a usage error Parser.error has already reported
        return e.code if isinstance(e.code, int) else 2
    command = f"memograd {args.command}"
    try:
        lang = get_language(args.lang)  # --lang, else MEMOGRAD_LANG, else the locale
    except ValueError as e:  # an unknown MEMOGRAD_LANG: which language to speak is unknown
        print(f"{command}: error: {printable(str(e))} (or give --lang)", file=sys.stderr)
        return 2
    with use_language(lang):
        try:
            return args.run(args)
        except USER_ERRORS as e:
            # a library's exception says it in English; the prefix is ours, translated
            message = printable(str(e).strip()) or type(e).__name__
            print(_("{command}: error: {message}").format(command=command, message=message),
                  file=sys.stderr)
            return 2


if __name__ == "__main__":
    sys.exit(main())
