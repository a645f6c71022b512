"""The memograd command: output and exit codes."""

import subprocess
import sys

import pytest

from autograd.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


TRACE_GOLDEN = (
    "x*y + x  at  x=2, y=3\n"
    "output = 8; C = output, so ∂C/∂C = 1\n"
    "\n"
    "node     op    value  ∂C/∂(node)  local derivatives ∂(node)/∂(parent)\n"
    "x*y + x  +     8      1           x*y: 1, x: 1\n"
    "x*y      *     6      1           x: 3, y: 2\n"
    "x        leaf  2      4\n"
    "y        leaf  3      2\n"
)
"""``memograd trace 'x*y + x' --at x=2 y=3`` in English (test_cli_i18n checks it too)."""


def test_trace_golden(capsys):
    code, out, err = run(capsys, "trace", "x*y + x", "--at", "x=2", "y=3")
    assert code == 0 and err == ""
    assert out == TRACE_GOLDEN


def test_trace_default_is_the_neuron(capsys):
    code, out, _ = run(capsys, "trace")
    assert code == 0
    assert "tanh(w1*x1 + w2*x2 + b)" in out
    assert "output = 0.707107" in out
    rows = {line.split()[0]: line.split() for line in out.splitlines()[4:]}
    assert rows["x1"][3] == "−1.5" and rows["w1"][3] == "1" and rows["b"][3] == "0.5"


@pytest.mark.parametrize(
    "expr, at, message",
    [
        ("x +* y", ["x=1", "y=2"], "malformed"),
        ("x + z", ["x=1"], "no value given for z"),
        ("x + 1", [], "no value given for x"),
        ("x + 1", ["x=1", "q=2"], "does not use"),
        ("x + 1", ["x=abc"], "not a number"),
        ("x + 1", ["x"], "name=number"),
        ("x.real", ["x=1"], "attribute"),
        ("open('f')", [], "unknown function"),
        ("__import__('os').system('true')", [], "plain function names"),
        ("(lambda: 1)()", [], "plain function names"),
        ("lambda: 1", [], "not allowed"),
        ("x if x else x", ["x=1"], "not allowed"),
        ("'a' * 3", [], "numbers"),
        ("9**9**9", [], "too large"),
        ("log(x)", ["x=0"], "log: domain error"),
        ("x / 0", ["x=1"], "div"),
        ("-" * 5000 + "x", ["x=1"], "nested too deeply"),
        ("(" * 300 + "x" + ")" * 300, ["x=1"], "nest"),
        ("+".join(["x"] * 4000), ["x=1"], "nested too deeply"),
        ("sum([" + ",".join(["1"] * 3000) + "])", [], "too large"),
        ("x" * 20000, [], "too long"),
        ("", [], "empty"),
        ("exp(x, x)", ["x=1"], "exp()"),
        # issue 13: the values
        ("x + 1", ["x=nan"], "--at x: 'nan' is not a finite number"),
        ("x + 1", ["x=-inf"], "--at x: '-inf' is not a finite number"),
        ("x + 1", ["x=1e400"], "--at x: '1e400' is not a finite number"),
        ("x + y", ["x=1", "y=2", "x=1"], "--at gives x twice"),
        ("ﬁ + 1", ["fi=1", "ﬁ=2"], "--at gives fi twice"),  # one name to Python (NFKC)
        ("x*x", ["x=1e200"], "mul: result too large"),
        ("exp(x)", ["x=1000"], "exp: result too large"),
        ("x + 1e400", ["x=1"], "the number 1e400 is too large for a float"),
        ("x * " + "9" * 400, ["x=1"], "the number 9999999999...9999999999 is too large"),
        ("x * " + "9" * 5000, ["x=1"], "has too many digits"),
        ("x**1e999", ["x=1"], "the number 1e999 is too large"),
        ("x + \ud800", ["x=1"], "U+D800 at column 5, which is not a character"),
        ("x\x00", ["x=1"], "null bytes"),
        ("x\n+ 1", ["x=1"], "malformed"),
        ("x + 1 # \u2028", ["x=1", "y\x1b=1"], "got 'y\\x1b=1'"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, expr, at, message):
    code, out, err = run(capsys, "trace", expr, "--at", *at)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and message in err, err


def test_expression_may_start_with_a_minus(capsys):
    code, out, _ = run(capsys, "trace", "-x * 2", "--at", "x=3")
    assert code == 0 and "output = −6" in out


def test_console_script_exit_code():
    done = subprocess.run([sys.executable, "-m", "autograd.cli", "trace", "log(x)", "--at", "x=-1"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    ok = subprocess.run([sys.executable, "-m", "autograd.cli", "trace"],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "0.707107" in ok.stdout


# -- bad input whatever the options and characters (issue 13) -----------------------------

@pytest.mark.parametrize("options", [[], ["--step", "--no-pause"], ["--svg", "{tmp}/g.svg"],
                                     ["--html", "{tmp}/p.html", "--png", "{tmp}/g.png"],
                                     ["--max-nodes", "3", "--svg", "{tmp}/g.svg"]])
@pytest.mark.parametrize("expr, at", [("x*x", ["x=1e200"]), ("log(x)", ["x=0"]),
                                      ("x +", ["x=1"]), ("x", ["x=inf"]),
                                      ("x", ["x=1", "x=2"]), ("\x00\ud800", [])])
def test_a_refusal_is_one_line_whatever_the_options(capsys, tmp_path, options, expr, at):
    options = [o.format(tmp=tmp_path) for o in options]
    code, out, err = run(capsys, "trace", expr, "--at", *at, *options)
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("memograd trace:")
    assert list(tmp_path.iterdir()) == []  # nothing written for a refused expression


def test_messages_escape_what_a_terminal_would_act_on(capsys):
    code, _, err = run(capsys, "trace", "x", "--at", "x=1\n2\x1b[31m")
    assert code == 2 and err == "memograd trace: error: --at x: '1\\n2\\x1b[31m' is not a number\n"
    from autograd.cli import printable
    assert printable("a\nb\x00\ud800\u2028é") == "a\\nb\\x00\\ud800\\u2028é"


@pytest.mark.parametrize("argv, message", [
    (["trace", "x", "--at", "x=1", "--bogus"], "unrecognized arguments: --bogus"),
    (["trace", "x", "--max-nodes", "many"], "argument --max-nodes: invalid int value: 'many'"),
    (["check", "x", "--eps", "\x00"], "invalid float value: '\\x00'"),
    (["nosuch"], "invalid choice: 'nosuch'"),
    ([], "the following arguments are required: COMMAND"),
])
def test_usage_errors_are_one_line_and_main_does_not_raise(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err, err
    assert err.rstrip().endswith("--help)")


def test_help_returns_0(capsys):
    code, out, err = run(capsys, "check", "--help")
    assert code == 0 and err == "" and "a finite number, each name once" in " ".join(out.split())


def test_a_huge_input_is_refused_fast(capsys):
    import time

    start = time.perf_counter()
    for expr in ["(" * 100_000, "-" * 100_000 + "x", "x" * 10**6, "9" * 10**6]:
        code, _, err = run(capsys, "trace", expr, "--at", "x=1")
        assert code == 2 and err.count("\n") == 1
    code, _, err = run(capsys, "trace", "x", "--at", "x=1", *[f"x{i}=1" for i in range(10**5)])
    assert code == 2 and err == ("memograd trace: error: --at gives x0, x1, x2, x3, x4, x5, x6, "
                                 "x7 and 99,992 more, which the expression does not use\n")
    code, _, err = run(capsys, "trace", "sum([" + ",".join(f"x{i}" for i in range(1000)) + "])")
    assert code == 2 and err.startswith("memograd trace: error: no value given for x0, x1, ")
    assert "x7 and 992 more (add x0=... x1=... x2=... x3=... x4=... x5=... x6=... x7=... " \
           "and the others to --at)\n" in err
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("at, why", [
    ("x=0", "the finite difference overflowed: it is inf"),  # 1e308 - (-1e308)
    ("x=1", "the finite difference overflowed: mul: result too large"),  # f(x + 1) = 2e308
])
def test_check_tells_an_overflowed_finite_difference_from_a_failure(capsys, at, why):
    code, out, err = run(capsys, "check", "x*1e308", "--at", at, "--eps", "1")
    assert (code, err) == (0, "")  # the estimate failed, not the gradient
    row = out.splitlines()[4]
    assert row.startswith("x      1e+308") and f"undefined near here ({why}" in row
    assert out.splitlines()[-1] == "0 of 1 pass; not checked: x"


def test_check_second_refuses_too_many_variables(capsys):
    names = [f"v{i}" for i in range(101)]
    expr = "sum([" + ", ".join(names) + "])"
    code, out, err = run(capsys, "check", expr, "--at", *[f"{n}=1" for n in names], "--second")
    assert code == 2 and out == "" and err == (
        "memograd check: error: --second checks every pair of variables: at most 100, "
        "and the expression has 101\n")


def test_labels_of_a_long_expression_are_its_text_and_fast():
    import ast
    import time

    from autograd import topological_order
    from autograd.expr import evaluate

    names = [f"v{i}" for i in range(500)]
    text = "sum([" + ", ".join(f"({n}\r\n * é{n})" for n in names) + "]) # ∂"
    values = {n: 1.0 for n in names} | {f"é{n}": 2.0 for n in names}
    start = time.perf_counter()
    for _ in range(20):  # gradcheck evaluates an expression twice per variable
        out = evaluate(text, values)
    assert time.perf_counter() - start < 3
    tree = ast.parse(text, mode="eval")
    expected = {ast.get_source_segment(text, n) for n in ast.walk(tree)
                if isinstance(n, (ast.BinOp, ast.Call))}
    assert {n.label for n in topological_order(out) if n.op} == expected


# -- output files (--svg, --png, --html) ------------------------------------------------------

@pytest.mark.parametrize("option", ["--svg", "--png", "--html"])
@pytest.mark.parametrize("bad", ["", "{tmp}", "{tmp}/missing/out"])
def test_a_bad_output_path_exits_2_naming_it(capsys, tmp_path, option, bad):
    bad = bad.format(tmp=tmp_path)
    code, out, err = run(capsys, "trace", "x*y", "--at", "x=2", "y=3", option, bad)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and f"cannot write {bad!r}: " in err, err
    assert ".tmp" not in err and list(tmp_path.iterdir()) == []


def test_a_failing_later_output_leaves_the_earlier_ones_untouched(capsys, tmp_path):
    old = tmp_path / "old.svg"
    old.write_text("old picture")
    new = tmp_path / "new.html"
    code, out, err = run(capsys, "trace", "x*y", "--at", "x=2", "y=3", "--svg", str(old),
                         "--html", str(new), "--png", str(tmp_path / "missing" / "g.png"))
    assert code == 2 and out == "" and err.count("\n") == 1 and "missing" in err
    assert old.read_text() == "old picture" and not new.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.svg"]


def test_a_bad_output_path_is_one_line_without_a_traceback(tmp_path):
    done = subprocess.run([sys.executable, "-m", "autograd.cli", "trace", "x", "--at", "x=1",
                           "--svg", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (f"memograd trace: error: cannot write {str(tmp_path)!r}: "
                           "it is a folder\n")


def test_outputs_follow_symlinks_keep_permissions_and_write_devices(capsys, tmp_path):
    import os
    import stat

    from autograd.viz import find_dot

    if find_dot() is None:
        pytest.skip("no graphviz-pure or dot found")
    picture = tmp_path / "pictures" / "graph.svg"
    picture.parent.mkdir()
    picture.write_text("old")
    picture.chmod(0o640)
    link = tmp_path / "graph.svg"
    link.symlink_to(picture)
    code, out, err = run(capsys, "trace", "x*y", "--at", "x=2", "y=3", "--svg", str(link),
                         "--html", "/dev/null")
    assert code == 0 and err == "" and f"wrote {link}\nwrote /dev/null\n" in out
    assert link.is_symlink() and "<svg" in picture.read_text()
    assert stat.S_IMODE(os.stat(picture).st_mode) == 0o640
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


# -- memograd quiz (issue 15) ------------------------------------------------------------------

QUIZ = ["quiz", "x*y + x", "--at", "x=2", "y=3"]
"""Four questions: ∂C/∂(x*y + x) = 1, ∂C/∂(x*y) = 1, ∂C/∂x = 4, ∂C/∂y = 2."""

QUIZ_HEADER = (
    "x*y + x  at  x=2, y=3\n"
    "output = 8, called C. Fill in the memo: 4 entries, in the order backprop fills them.\n"
    "Answer each with a number or arithmetic such as 0.5*2; after 3 wrong tries the answer "
    "is shown.\n"
    "\n"
)


def quiz_run(capsys, monkeypatch, answers, *argv):
    """``memograd quiz`` with ``answers`` on stdin (not a terminal: each answer is echoed)."""
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(answers))
    return run(capsys, *(argv or QUIZ))


def test_quiz_all_right_exits_0_with_the_score(capsys, monkeypatch):
    code, out, err = quiz_run(capsys, monkeypatch, "1\n1\n4\n2\n")
    assert code == 0 and err == ""
    assert out == QUIZ_HEADER + (
        "[1 of 4] ∂C/∂(x*y + x) = ? 1\n"
        "  right: ∂C/∂(x*y + x) = 1\n"
        "[2 of 4] ∂C/∂(x*y) = ? 1\n"
        "  right: ∂C/∂(x*y) = 1 × 1 = 1\n"
        "[3 of 4] ∂C/∂x = ? 4\n"
        "  right: ∂C/∂x = 1 × 1 + 3 × 1 = 4\n"
        "[4 of 4] ∂C/∂y = ? 2\n"
        "  right: ∂C/∂y = 2 × 1 = 2\n"
        "Done: 4 of 4 right.\n"
    )


def test_quiz_asks_what_autograd_quiz_asks_in_its_order(capsys, monkeypatch):
    import autograd
    from autograd.expr import evaluate

    expr = "tanh(w1*x1 + w2*x2 + b) * x1"
    at = ["x1=2", "x2=0", "w1=-3", "w2=1", "b=6.8813735870195432"]
    questions = autograd.quiz(evaluate(expr, {a.split("=")[0]: float(a.split("=")[1])
                                              for a in at}))
    answers = "".join(f"{q.answer!r}\n" for q in questions)
    code, out, _ = quiz_run(capsys, monkeypatch, answers, "quiz", expr, "--at", *at)
    prompts = [line.split("] ", 1)[1].rsplit(" ", 1)[0] for line in out.splitlines()
               if line.startswith("[")]
    assert prompts == [q.prompt for q in questions]
    assert code == 0 and out.endswith(f"Done: {len(questions)} of {len(questions)} right.\n")


def test_quiz_wrong_answers_get_each_hint_then_the_answer_and_exit_1(capsys, monkeypatch):
    import autograd
    from autograd.expr import evaluate

    code, out, err = quiz_run(capsys, monkeypatch, "1\n5\n6\n7\n3\n4\n2\n")
    assert code == 1 and err == ""
    second = autograd.quiz(evaluate("x*y + x", {"x": 2.0, "y": 3.0}))[1]
    third = autograd.quiz(evaluate("x*y + x", {"x": 2.0, "y": 3.0}))[2]
    assert out == QUIZ_HEADER + (
        "[1 of 4] ∂C/∂(x*y + x) = ? 1\n"
        "  right: ∂C/∂(x*y + x) = 1\n"
        "[2 of 4] ∂C/∂(x*y) = ? 5\n"
        f"  not yet (hint 1 of 3): {second.hint(1)}\n"
        "[2 of 4] ∂C/∂(x*y) = ? 6\n"
        f"  not yet (hint 2 of 3): {second.hint(2)}\n"
        "[2 of 4] ∂C/∂(x*y) = ? 7\n"
        f"  not yet (hint 3 of 3): {second.hint(3)}\n"
        "  the answer: ∂C/∂(x*y) = 1 × 1 = 1\n"
        "[3 of 4] ∂C/∂x = ? 3\n"
        f"  not yet (hint 1 of 3): {third.hint(1)}\n"
        "[3 of 4] ∂C/∂x = ? 4\n"
        "  right: ∂C/∂x = 1 × 1 + 3 × 1 = 4\n"
        "[4 of 4] ∂C/∂y = ? 2\n"
        "  right: ∂C/∂y = 2 × 1 = 2\n"
        "Done: 3 of 4 right.\n"
    )
    assert second.hint(1).startswith("∂C/∂(x*y) = ∂(x*y + x)/∂(x*y) × ∂C/∂(x*y + x). ")
    assert second.hint(2).startswith("From the memo: ∂C/∂(x*y + x) = 1.")
    assert second.hint(3) == "∂C/∂(x*y) = 1 × 1 = 1."


@pytest.mark.parametrize("answers, stopped, score", [
    ("", 1, 0), ("1\n", 2, 1), ("1\n1\n3\n9", 3, 2), ("1\nabc\n", 2, 1)])
def test_quiz_stops_cleanly_at_the_end_of_input(capsys, monkeypatch, answers, stopped, score):
    code, out, err = quiz_run(capsys, monkeypatch, answers)
    assert code == 1 and err == "" and "Traceback" not in out
    assert out.endswith(f" = ? \nstopped at question {stopped} of 4 (end of input): "
                        f"{score} of 4 right.\n")


def test_quiz_reads_arithmetic_answers(capsys, monkeypatch):
    code, out, _ = quiz_run(capsys, monkeypatch, "2/2\n0.5*2\n1*1 + 3*1\n−1 × (−2)\n")
    assert code == 0 and out.endswith("Done: 4 of 4 right.\n")
    assert "[4 of 4] ∂C/∂y = ? −1 × (−2)\n  right: " in out


def test_quiz_explains_an_answer_that_is_not_a_number_and_does_not_count_it(capsys,
                                                                             monkeypatch):
    code, out, _ = quiz_run(capsys, monkeypatch, "one\n\nx + 1\n1/0\n2\n1\n1\n4\n2\n")
    assert code == 0 and out.endswith("Done: 4 of 4 right.\n")  # right within the tries
    lines = out.splitlines()[4:]
    assert lines[:8] == [
        "[1 of 4] ∂C/∂(x*y + x) = ? one",
        "  'one' names one; an answer may use numbers only. Type a number such as 0.25, "
        "or arithmetic such as 0.5*2.",
        "[1 of 4] ∂C/∂(x*y + x) = ? ",
        "  the answer is empty. Type a number such as 0.25, or arithmetic such as 0.5*2.",
        "[1 of 4] ∂C/∂(x*y + x) = ? x + 1",
        "  'x + 1' names x; an answer may use numbers only. Type a number such as 0.25, "
        "or arithmetic such as 0.5*2.",
        "[1 of 4] ∂C/∂(x*y + x) = ? 1/0",
        "  '1/0' is not a number (division by zero). Type a number such as 0.25, or "
        "arithmetic such as 0.5*2.",
    ]
    assert lines[8:10] == ["[1 of 4] ∂C/∂(x*y + x) = ? 2",  # the first try that counts
                           "  not yet (hint 1 of 3): x*y + x is the output: how much does C "
                           "change when x*y + x changes?"]


def test_quiz_tolerance(capsys, monkeypatch):
    code, out, _ = quiz_run(capsys, monkeypatch, "1\n1\n4.003\n2\n")
    assert code == 0  # 4 significant digits pass by default
    code, out, _ = quiz_run(capsys, monkeypatch, "1\n1\n4.3\n2\n")
    assert code == 1 and "[3 of 4] ∂C/∂x = ? 4.3\n  not yet (hint 1 of 3)" in out
    code, out, _ = quiz_run(capsys, monkeypatch, "1\n1\n4.3\n2\n", *QUIZ, "--tolerance", "0.1")
    assert code == 0 and out.endswith("Done: 4 of 4 right.\n")


def test_quiz_stops_at_ctrl_c_with_the_score(capsys, monkeypatch):
    import io

    class Interrupted(io.StringIO):
        def readline(self, size=-1):
            raise KeyboardInterrupt

    monkeypatch.setattr(sys, "stdin", Interrupted())
    code, out, err = run(capsys, *QUIZ)
    assert code == 1 and err == "" and out.endswith(
        "stopped at question 1 of 4 (end of input): 0 of 4 right.\n")


@pytest.mark.parametrize("argv, message", [
    (["quiz", "x +* y", "--at", "x=1", "y=2"], "memograd quiz: error: malformed expression"),
    (["quiz", "x + z", "--at", "x=1"], "memograd quiz: error: no value given for z"),
    (["quiz", "log(x)", "--at", "x=0"], "memograd quiz: error: log: domain error"),
    (["quiz", "x", "--at", "x=nan"], "memograd quiz: error: --at x: 'nan' is not a finite"),
    (["quiz", "x", "--at", "x=1", "--tolerance", "-1"],
     "memograd quiz: error: --tolerance must be a number >= 0, got -1.0"),
    (["quiz", "x", "--at", "x=1", "--tolerance", "nan"], "--tolerance must be a number >= 0"),
    (["quiz", "x", "--at", "x=1", "--tolerance", "some"], "invalid float value: 'some'"),
    (["quiz"], "the following arguments are required: EXPR"),
])
def test_quiz_bad_input_exits_2_with_one_line_before_asking(capsys, monkeypatch, argv, message):
    code, out, err = quiz_run(capsys, monkeypatch, "1\n", *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err, err
    assert sys.stdin.read() == "1\n"  # nothing read


def test_quiz_expression_may_start_with_a_minus(capsys, monkeypatch):
    code, out, _ = quiz_run(capsys, monkeypatch, "1\n2\n-2\n", "quiz", "-x*2", "--at", "x=3")
    assert code == 0 and out.startswith("-x*2  at  x=3\noutput = −6, called C.")


def test_quiz_in_a_terminal_without_unicode_and_through_a_pipe():
    import os

    env = dict(os.environ, PYTHONIOENCODING="ascii")
    done = subprocess.run([sys.executable, "-m", "autograd.cli", *QUIZ], input="1\n1\n3\n4\n2\n",
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0 and done.stderr == ""
    assert "[3 of 4] dC/dx = ? 3\n  not yet (hint 1 of 3): dC/dx = d(x*y + x)/dx * " in done.stdout
    assert "  right: dC/dx = 1 * 1 + 3 * 1 = 4\n" in done.stdout
    assert done.stdout.isascii() and done.stdout.endswith("Done: 4 of 4 right.\n")
    empty = subprocess.run([sys.executable, "-m", "autograd.cli", *QUIZ], stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=60)
    assert empty.returncode == 1 and empty.stderr == ""
    assert empty.stdout.endswith("(end of input): 0 of 4 right.\n")


def test_readme_shows_the_real_quiz_transcript(capsys, monkeypatch):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    code, out, _ = quiz_run(capsys, monkeypatch, "1\n1\n3\n1*1 + 3*1\n2\n")
    assert code == 0
    command = "$ printf '1\\n1\\n3\\n1*1 + 3*1\\n2\\n' | memograd quiz \"x*y + x\" --at x=2 y=3\n"
    assert f"```\n{command}{out}```" in readme
    code, out, _ = run(capsys, "trace", "x*x", "--at", "x=3", "--mistake", "set")
    assert f"```\n$ memograd trace \"x*x\" --at x=3 --mistake set\n{out}```" in readme


# -- memograd trace --mistake (issue 15) --------------------------------------------------------

def test_trace_mistake_golden(capsys):
    code, out, err = run(capsys, "trace", "x*x", "--at", "x=3", "--mistake", "set")
    assert code == 0 and err == ""
    assert out == (
        "x*x  at  x=3\n"
        "output = 9; C = output, so ∂C/∂C = 1\n"
        "\n"
        'mistake "set": The operands of each node were kept in a set, so a node used twice by '
        "one operation (x * x) was counted once and got one share instead of two.\n"
        "   node  mistaken  correct\n"
        "   x*x   1         1\n"
        "≠  x     3         6\n"
        "1 of 2 entries differ (≠)\n"
    )


@pytest.mark.parametrize("kind, expr, at, wrong", [
    ("overwrite", "x*y + x", ["x=2", "y=3"], {"x": ("3", "4")}),
    ("set", "tanh(x*x) + y", ["x=0.5", "y=1"], {"x": ("0.470007", "0.940015")}),
    ("zero-grad", "x*y + x", ["x=2", "y=3"],
     {"x*y + x": ("2", "1"), "x*y": ("2", "1"), "x": ("8", "4"), "y": ("4", "2")}),
])
def test_trace_mistake_marks_the_rows_that_differ(capsys, kind, expr, at, wrong):
    import autograd
    from autograd.expr import evaluate

    code, out, err = run(capsys, "trace", expr, "--at", *at, "--mistake", kind)
    assert code == 0 and err == ""
    root = evaluate(expr, {a.split("=")[0]: float(a.split("=")[1]) for a in at})
    assert out.endswith("\n\n" + autograd.mistake(root, kind).table())
    rows = [line[3:].rsplit(None, 2) for line in out.splitlines() if line.startswith("≠ ")]
    marked = {name.strip(): (mistaken, correct) for name, mistaken, correct in rows}
    assert marked == wrong
    assert f"{len(wrong)} of " in out and " entries differ (≠)\n" in out


def test_trace_mistake_order_says_why_it_agrees_on_an_expression(capsys):
    code, out, _ = run(capsys, "trace", "x*y + x", "--at", "x=2", "y=3", "--mistake", "order")
    assert code == 0 and "≠" not in out
    assert "on this graph the mistake does no harm: every entry agrees\n" \
           "In an expression only the variables are shared" in out
    assert out.endswith('see autograd.mistake(loss, "order") and the lesson "Your turn".\n')


@pytest.mark.parametrize("argv, message", [
    (["--mistake", "sets"], "argument --mistake: invalid choice: 'sets' (choose from 'order', "
                            "'overwrite', 'set', 'zero-grad')"),
    (["--mistake"], "argument --mistake: expected one argument"),
    (["--mistake", "set", "--step"], "--mistake prints a table: it does not go with --step"),
])
def test_trace_mistake_refusals_are_one_line(capsys, argv, message):
    code, out, err = run(capsys, "trace", "x*x", "--at", "x=3", *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err, err


def test_trace_mistake_in_ascii_and_on_the_page(tmp_path):
    import os

    from autograd.viz import find_dot

    env = dict(os.environ, PYTHONIOENCODING="ascii")
    done = subprocess.run([sys.executable, "-m", "autograd.cli", "trace", "x*x", "--at", "x=-3",
                           "--mistake", "set"], capture_output=True, text=True, timeout=60,
                          env=env)
    assert done.returncode == 0 and done.stdout.isascii()
    assert "!=  x     -3        -6\n1 of 2 entries differ (!=)\n" in done.stdout
    if find_dot() is None:
        pytest.skip("no graphviz-pure or dot found")
    page = tmp_path / "p.html"
    done = subprocess.run([sys.executable, "-m", "autograd.cli", "trace", "x*x", "--at", "x=3",
                           "--mistake", "set", "--html", str(page)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == ""
    assert "counted once and got one share instead of two" in page.read_text()
