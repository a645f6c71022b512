"""gradcheck / gradgradcheck and `memograd check`: hand-computed numbers, kinks, failures."""

import doctest
import importlib
import math

import pytest

import autograd
import autograd.check
from autograd import Value, gradcheck, gradgradcheck, ops
from autograd.check import KINK, PASS, UNDEFINED
from autograd.cli import main


def test_rows_hold_the_engine_and_the_central_difference():
    report = gradcheck(lambda x, y: x * y.sin(), [1.5, 0.3])
    assert bool(report) and [r.name for r in report.rows] == ["x", "y"]
    x, y = report.rows
    assert x.analytic == math.sin(0.3) and y.analytic == 1.5 * math.cos(0.3)
    eps = 1e-6
    assert x.numeric == ((1.5 + eps) * math.sin(0.3) - (1.5 - eps) * math.sin(0.3)) / (2 * eps)
    assert y.numeric == pytest.approx(1.5 * math.cos(0.3), rel=1e-9)
    assert x.status == y.status == PASS
    assert x.abs_err == abs(x.analytic - x.numeric) and x.rel_err < 1e-9


def test_table_golden_and_failure():
    # eps = 0.5 keeps every number exact: ((1.5)**3 - (0.5)**3) / 1 = 3.25, not y's 3
    report = gradcheck(lambda x, y: x * x + y ** 3, [3.0, 1.0], eps=0.5)
    assert not report and [r.name for r in report.failures] == ["y"]
    assert str(report) == (
        "gradcheck of 2 inputs (eps=0.5, pass when |analytic - numeric| <= 1e-05 + "
        "0.001*|numeric|)\n"
        "input  analytic  numeric  abs err   rel err   status\n"
        "x      6         6        0.00e+00  0.00e+00  pass\n"
        "y      3         3.25     2.50e-01  7.69e-02  FAIL\n"
        "1 of 2 pass; FAILED: y"
    )
    with pytest.raises(AssertionError, match=r"failed for y: analytic 3.0, numeric 3.25"):
        gradcheck(lambda x, y: x * x + y ** 3, [3.0, 1.0], eps=0.5, raise_on_failure=True)
    assert gradcheck(lambda x: x * x, [3.0], eps=0.5, raise_on_failure=True)  # returns it


def test_a_wrong_derivative_rule_is_caught(monkeypatch):
    wrong = ops.Op("sin", "sin", 1, ops.SIN.forward, lambda m, xs, z, c: (m.sin(xs[0]),))
    monkeypatch.setattr(ops, "SIN", wrong)
    report = gradcheck(lambda x: x.sin() * 2.0, [0.5])
    assert not report
    assert report.rows[0].analytic == 2 * math.sin(0.5)
    assert report.rows[0].numeric == pytest.approx(2 * math.cos(0.5), rel=1e-8)


@pytest.mark.parametrize("f, point, status", [
    (lambda x: abs(x), 0.0, KINK),
    (lambda x: x.relu(), 0.0, KINK),
    (lambda x: x.leaky_relu(0.1), 0.0, KINK),
    (lambda x: abs(x), 1.5e-6, KINK),        # the stencil stays right of 0 but comes within eps
    (lambda x: abs(x), 1e-3, PASS),
    (lambda x: (x - 1.0).relu(), 1.0, KINK),  # the kink of relu(x - 1) sits at x = 1
    (lambda x: (x * x).relu(), 0.0, KINK),    # relu'(0) = 0 is used, so d2/dx2 is 0, not 2
    (lambda x: x.sqrt(), 0.0, UNDEFINED),     # sqrt(-eps) does not exist
    (lambda x: x if x > 0 else -x, 0.0, KINK),  # a Python branch: a kink of f itself
    (lambda x: x if x > 0 else -x, 1.0, PASS),
    (lambda x: x * x if x > 0 else x * x * 1.0, 0.0, PASS),  # another graph, same slopes
])
def test_kinks_are_reported_not_passed_or_failed(f, point, status):
    report = gradcheck(f, [point])
    assert report.rows[0].status == status, str(report)
    assert bool(report)  # only FAIL makes a report falsy
    if status != PASS:
        assert report.unchecked == report.rows and not report.passed


@pytest.mark.parametrize("f, point, status", [
    (lambda x, y: autograd.max([x, y]), (1.0, 1.0), (KINK, KINK)),  # a tie
    (lambda x, y: autograd.min([x, y, 3.0]), (1.0, 1.0 + 5e-7), (KINK, KINK)),  # within eps
    (lambda x, y: autograd.max([x, y]), (1.0, 1.001), (PASS, PASS)),
    (lambda x, y: autograd.max([1e4 * x, y]), (1.0, 1e4 + 1e-3), (KINK, PASS)),  # x crosses
    (lambda x, y: autograd.max([x, y, x * 0.0 + 5.0]), (1.0, 1.0), (PASS, PASS)),  # not the top
    (lambda x, y: autograd.max([x * y, y * x]), (1.5, 2.0), (KINK, KINK)),  # always tied
    (lambda x, y: autograd.max([x]) * y, (1.0, 1.0), (PASS, PASS)),  # one operand: smooth
])
def test_ties_of_max_and_min_are_kinks(f, point, status):
    report = gradcheck(f, list(point))
    assert tuple(r.status for r in report.rows) == status, str(report)
    assert bool(report)


def test_a_tie_is_named_with_the_two_operands():
    x, y = gradcheck(lambda x, y: autograd.max([x, y, 0.5]), [2.0, 2.0]).rows
    assert x.note == y.note == "max at a tie: x = 2, y = 2"
    row = gradcheck(lambda x: autograd.min([x * x, 1.0]), [1.0]).rows[0]
    assert row.status == KINK and row.note == "min at a tie: its operand (mul) = 1, a constant = 1"
    assert autograd.check.finite_differences.kink_distance(ops.TABLE["min"],
                                                          [3.0, -1.0, 0.5]) == 1.5


def test_a_kink_inside_the_graph_only_concerns_inputs_that_move_it():
    report = gradcheck(lambda x, y: (x * y).relu() + x.exp(), [0.0, 2.0])
    x, y = report.rows
    assert x.status == KINK and "relu at 0" in x.note
    assert y.status == PASS  # x*y stays 0 when only y moves
    assert "not checked: x" in str(report) and "1 of 2 pass" in str(report)


def test_names_come_from_names_labels_or_parameters():
    a, b = Value(1.0, "a"), Value(2.0)
    assert [r.name for r in gradcheck(lambda p, q: p * q, [a, b]).rows] == ["a", "q"]
    assert [r.name for r in gradcheck(lambda *v: v[0] * v[1], [1.0, 2.0]).rows] == ["x0", "x1"]
    assert [r.name for r in gradcheck(lambda p, q: p * q, [1, 2], names=["u", "v"]).rows] \
        == ["u", "v"]
    assert a.grad == 0.0 and b.grad == 0.0 and a.data == 1.0  # the user's Values untouched


def test_single_input_and_constant_function():
    report = gradcheck(lambda x: 3.0, 2.0)
    assert report and report.rows[0].analytic == 0.0 and report.rows[0].numeric == 0.0


@pytest.mark.parametrize("call, error, message", [
    (lambda: gradcheck(lambda x: x, ["1"]), TypeError, "input 0"),
    (lambda: gradcheck(lambda x: x, [True]), TypeError, "input 0"),
    (lambda: gradcheck(lambda x: x, [math.nan]), ValueError, "finite"),
    (lambda: gradcheck(lambda x: x, [1.0], eps=0), ValueError, "eps"),
    (lambda: gradcheck(lambda x: x, [1.0], eps=math.inf), ValueError, "eps"),
    (lambda: gradcheck(lambda x: x, [1.0], atol=-1), ValueError, "atol"),
    (lambda: gradcheck(lambda x: x, [1.0], rtol=math.nan), ValueError, "rtol"),
    (lambda: gradcheck(lambda x: [x], [1.0]), TypeError, "must return a Value"),
    (lambda: gradcheck(lambda x: x, [1.0], names=["a", "b"]), ValueError, "2 names"),
])
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_gradgradcheck_hessian_by_hand():
    # f = x sin y: f_xx = 0, f_xy = f_yx = cos y, f_yy = -x sin y
    report = gradgradcheck(lambda x, y: x * y.sin(), [1.5, 0.3])
    assert report and [r.name for r in report.rows] == ["x,x", "x,y", "y,x", "y,y"]
    expected = [0.0, math.cos(0.3), math.cos(0.3), -1.5 * math.sin(0.3)]
    for row, want in zip(report.rows, expected):
        assert row.analytic == pytest.approx(want, rel=1e-15, abs=1e-300)
        assert row.numeric == pytest.approx(want, rel=1e-8, abs=1e-9)


def test_gradgradcheck_failure_and_kink():
    # d/dx of f' = 4x**3 over [0.5, 1.5]: (13.5 - 0.5) / 1 = 13, not f''(1) = 12
    report = gradgradcheck(lambda x: x ** 4, [1.0], eps=0.5)
    assert not report and report.rows[0].analytic == 12.0 and report.rows[0].numeric == 13.0
    with pytest.raises(AssertionError, match="x,x"):
        gradgradcheck(lambda x: x ** 4, [1.0], eps=0.5, raise_on_failure=True)
    assert gradgradcheck(lambda x: x.relu() * x, [0.0]).rows[0].status == KINK
    # relu(x*x) is x*x, but the engine uses relu'(0) = 0 at x = 0: d2/dx2 comes out 0, not 2
    row = gradgradcheck(lambda x: (x * x).relu(), [0.0]).rows[0]
    assert (row.analytic, row.numeric, row.status) == (0.0, pytest.approx(2.0), KINK)


def test_docstring_examples():
    module = importlib.import_module("autograd.check.finite_differences")
    assert doctest.testmod(module).failed == 0
    assert autograd.check.gradcheck is gradcheck
    assert autograd.gradcheck is gradcheck and "gradcheck" in autograd.__all__


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_check_passes(capsys):
    code, out, err = run(capsys, "check", "x*y + sin(x)", "--at", "x=2", "y=3")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "x*y + sin(x)  at  x=2, y=3"
    assert lines[3].split() == ["input", "analytic", "numeric", "abs", "err", "rel", "err",
                                "status"]
    x, y = lines[4].split(), lines[5].split()
    assert x[0] == "x" and float(x[1]) == pytest.approx(3 + math.cos(2), rel=1e-9)
    assert y[0] == "y" and float(y[1]) == 2.0 and x[-1] == y[-1] == "pass"
    assert lines[-1] == "2 of 2 pass"


def test_cli_check_failure_exits_1(capsys):
    code, out, _ = run(capsys, "check", "x*x + y**3", "--at", "x=3", "y=1", "--eps", "0.5")
    assert code == 1
    assert "y      3         3.25     2.50e-01  7.69e-02  FAIL" in out
    assert out.rstrip().endswith("FAILED: y")


def test_cli_check_second_derivatives_and_kinks(capsys):
    code, out, _ = run(capsys, "check", "abs(x) + x*y", "--at", "x=0", "y=2", "--second")
    assert code == 0
    assert "gradgradcheck of 4 second derivatives" in out
    assert "non-differentiable here (abs at 0: x = 0)" in out
    code, out, _ = run(capsys, "check", "-x*x", "--at", "x=3", "--second")
    assert code == 0 and "x,x" in out and out.count("1 of 1 pass") == 2


@pytest.mark.parametrize("argv, message", [
    (["x +* y", "--at", "x=1", "y=2"], "malformed"),
    (["x + y", "--at", "x=1"], "no value given for y"),
    (["x + 1", "--at", "x=1", "q=2"], "does not use"),
    (["x + 1", "--at", "x=1", "--eps", "0"], "eps"),
    (["x + 1", "--at", "x=1", "--eps", "nan"], "eps"),
    (["x + 1", "--at", "x=1", "--rtol", "-1"], "rtol"),
    (["1 + 2"], "no variables"),
    (["log(x)", "--at", "x=0"], "log: domain error"),
    (["x"], "no value given for x"),
])
def test_cli_check_bad_input_exits_2(capsys, argv, message):
    code, out, err = run(capsys, "check", *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err, err


def readme_section() -> str:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    return text.split("## Checking gradients", 1)[1].split("\n## ", 1)[0]


def test_readme_examples_print_what_the_readme_shows(capsys):
    import re
    import shlex

    blocks = re.findall(r"```(\w*)\n(.*?)```", readme_section(), re.S)
    (_, first), (_, shown), (_, cli), (_, prop), (_, _env) = blocks
    exec(first, {})
    assert capsys.readouterr().out == shown
    command, *expected = cli.splitlines()
    dollar, program, *argv = shlex.split(command)
    assert (dollar, program, argv[0]) == ("$", "memograd", "check")
    assert main(argv) == 0
    assert capsys.readouterr().out.splitlines() == expected
    namespace: dict = {}
    exec(prop, namespace)  # the README's property tests, run here
    namespace["test_engine_matches_finite_differences"]()
    namespace["test_mlp_gradients"]()
