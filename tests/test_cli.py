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
        "output = 8; C = output, so dC/doutput = 1\n"
        "\n"
        "node     op    value  dC/dnode  local derivatives d(node)/d(parent)\n"
        "x*y + x  add   8      1         x*y: 1, x: 1\n"
        "x*y      mul   6      1         x: 3, y: 2\n"
        "x        leaf  2      4\n"
        "y        leaf  3      2\n"
    )


def test_trace_default_is_the_neuron(capsys):
    code, out, _ = run(capsys, "trace")
    assert code == 0
    assert "tanh(w1*x1 + w2*x2 + b)" in out
    assert "output = 0.707107" in out
    rows = {line.split()[0]: line.split() for line in out.splitlines()[4:]}
    assert rows["x1"][3] == "-1.5" and rows["w1"][3] == "1" and rows["b"][3] == "0.5"


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
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, expr, at, message):
    code, out, err = run(capsys, "trace", expr, "--at", *at)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and message in err, err


def test_expression_may_start_with_a_minus(capsys):
    code, out, _ = run(capsys, "trace", "-x * 2", "--at", "x=3")
    assert code == 0 and "output = -6" in out


def test_console_script_exit_code():
    done = subprocess.run([sys.executable, "-m", "autograd.cli", "trace", "log(x)", "--at", "x=-1"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    ok = subprocess.run([sys.executable, "-m", "autograd.cli", "trace"],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "0.707107" in ok.stdout


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
