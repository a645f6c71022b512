"""The memograd command: output and exit codes."""

import subprocess
import sys

import pytest

from autograd.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_trace_golden(capsys):
    code, out, err = run(capsys, "trace", "x*y + x", "--at", "x=2", "y=3")
    assert code == 0 and err == ""
    assert out == (
        "x*y + x  at  x=2, y=3\n"
        "output = 8; C = output, so ∂C/∂C = 1\n"
        "\n"
        "node     op    value  ∂C/∂(node)  local derivatives ∂(node)/∂(parent)\n"
        "x*y + x  +     8      1           x*y: 1, x: 1\n"
        "x*y      *     6      1           x: 3, y: 2\n"
        "x        leaf  2      4\n"
        "y        leaf  3      2\n"
    )


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
