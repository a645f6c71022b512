"""The backprop stepper: steps(), the memo view, the chain-rule line, `memograd trace --step`."""

import dataclasses
import io
import math
import random
import subprocess
import sys

import pytest

import autograd
from autograd import Constant, Contribution, Step, Value, backward, steps, zero_grad
from autograd.cli import main
from autograd.explain import (
    chain_rule_line,
    chain_rule_symbols,
    memo_line,
    memo_nodes,
    op_text,
    row_names,
    step_through,
    trace_table,
)


def sig(x):
    return 1 / (1 + math.exp(-x))


def course_net():
    """The course's figure (x = [1, -1], w = [1, -2], b = 1, so z = 4) and the
    backward-pass picture: a = σ(z) feeds z' = w3·a and z'' = w4·a."""
    x1, x2 = Value(1.0, "x1"), Value(-1.0, "x2")
    w1, w2, b = Value(1.0, "w1"), Value(-2.0, "w2"), Value(1.0, "b")
    z = w1 * x1 + w2 * x2 + b
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    w3, w4 = Value(0.6, "w3"), Value(-0.3, "w4")
    z1 = w3 * a
    z1.label = "z'"
    z2 = w4 * a
    z2.label = "z''"
    loss = 1.2 * z1 + 0.5 * z2  # so dC/dz' = 1.2 and dC/dz'' = 0.5
    return loss, dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, z=z, a=a, w3=w3, w4=w4, z1=z1, z2=z2)


def test_course_backward_rule():
    loss, n = course_net()
    by_node = {s.node: s for s in steps(loss)}
    assert n["z"].data == 4.0
    assert by_node[n["z1"]].grad == pytest.approx(1.2)
    assert by_node[n["z2"]].grad == pytest.approx(0.5)

    step_a = by_node[n["a"]]
    assert len(step_a.contributions) == 2
    parts = {c.child: c for c in step_a.contributions}
    assert set(parts) == {n["z1"], n["z2"]}
    assert parts[n["z1"]].local == 0.6 and parts[n["z1"]].child_grad == pytest.approx(1.2)
    assert parts[n["z2"]].local == -0.3 and parts[n["z2"]].child_grad == pytest.approx(0.5)
    for c in step_a.contributions:
        assert c.product == c.local * c.child_grad
    assert step_a.grad == pytest.approx(0.6 * 1.2 - 0.3 * 0.5) == pytest.approx(0.57)

    # dC/dz = σ'(z) · (w3·dC/dz' + w4·dC/dz'')
    step_z = by_node[n["z"]]
    (only,) = step_z.contributions
    assert only.child is n["a"]
    assert only.local == pytest.approx(sig(4) * (1 - sig(4)))
    assert step_z.grad == pytest.approx(sig(4) * (1 - sig(4)) * 0.57)

    # dz/dw = the input w multiplies (the forward pass); dC/dw1 = x1 · dC/dz
    assert by_node[n["w1"]].contributions[0].local == 1.0
    assert by_node[n["w2"]].contributions[0].local == -1.0
    assert by_node[n["w2"]].grad == pytest.approx(-1.0 * step_z.grad)


def test_chain_rule_line_with_numbers():
    loss, n = course_net()
    step_a = next(s for s in steps(loss) if s.node is n["a"])
    term = {n["z1"]: "0.6 × 1.2", n["z2"]: "(−0.3) × 0.5"}
    expected = "∂C/∂a = " + " + ".join(term[c.child] for c in step_a.contributions) + " = 0.57"
    assert str(step_a) == expected
    ascii_term = {n["z1"]: "0.6 * 1.2", n["z2"]: "(-0.3) * 0.5"}
    assert chain_rule_line(step_a, ascii=True) == (
        "dC/da = " + " + ".join(ascii_term[c.child] for c in step_a.contributions) + " = 0.57")
    symbols = {n["z1"]: "∂(z')/∂a × ∂C/∂(z')", n["z2"]: "∂(z'')/∂a × ∂C/∂(z'')"}
    assert chain_rule_symbols(step_a) == (
        "∂C/∂a = " + " + ".join(symbols[c.child] for c in step_a.contributions))


def test_doc_example_and_unlabelled_names():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    lines = [str(s) for s in steps(x * y + x)]
    assert lines == [
        "∂C/∂C = 1",  # the output has no label: it is C
        "∂C/∂(mul#2) = 1 × 1 = 1",  # an unlabelled node: its op and the step that fills it
        "∂C/∂x = 1 × 1 + 3 × 1 = 4",
        "∂C/∂y = 2 × 1 = 2",
    ]
    assert [chain_rule_symbols(s) for s in steps(x * y + x)] == [
        "∂C/∂C = 1: C is the output",
        # C's local derivative is written with C's formula: ∂C/∂(mul#2) would be the entry
        "∂C/∂(mul#2) = ∂(mul#2 + x)/∂(mul#2) × ∂C/∂C",
        "∂C/∂x = ∂(mul#2 + x)/∂x × ∂C/∂C + ∂(mul#2)/∂x × ∂C/∂(mul#2)",
        "∂C/∂y = ∂(mul#2)/∂y × ∂C/∂(mul#2)",
    ]
    # a number used in an operation has no entry and no step
    assert [str(s) for s in steps(x * -2.5)] == ["∂C/∂C = 1", "∂C/∂x = (−2.5) × 1 = −2.5"]
    loss = x * y
    loss.label = "loss"
    assert chain_rule_symbols(next(steps(loss))) == "∂C/∂(loss) = 1: loss is the output, C"
    assert chain_rule_symbols(next(steps(x * y, 2.5))) == "∂C/∂(output) = 2.5: C = 2.5 × output"
    assert "seed" not in chain_rule_symbols(next(steps(loss)))


def test_a_node_used_twice_by_one_child_gets_two_contributions():
    x = Value(3.0, "x")
    y = x * x
    last = list(steps(y))[-1]
    assert last.node is x
    assert [(c.child, c.local, c.product) for c in last.contributions] == [(y, 3.0, 3.0)] * 2
    assert last.grad == 6.0 and x.grad == 6.0
    assert last.memo.shares(x) == (2, 2)


def test_steps_are_frozen_dataclasses_with_the_agreed_fields():
    x = Value(1.0, "x")
    s = list(steps(x * 2.0))[-1]
    assert [f.name for f in dataclasses.fields(Step)][:3] == ["node", "grad", "contributions"]
    assert [f.name for f in dataclasses.fields(Contribution)] == [
        "child", "child_grad", "local", "product"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.grad = 0.0
    assert isinstance(s.contributions, tuple) and isinstance(s.contributions[0], Contribution)
    assert autograd.steps is steps and "steps" in autograd.__all__ and "Step" in autograd.__all__


def random_graph(seed: int, n_leaves: int = 4, n_ops: int = 25) -> tuple[Value, list[Value]]:
    """A random expression DAG whose nodes are reused (shared sub-expressions)."""
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(-1.5, 1.5), f"v{i}") for i in range(n_leaves)]
    nodes = list(leaves)
    for _ in range(n_ops):
        a = rng.choice(nodes[-6:] if rng.random() < 0.6 else nodes)
        b = rng.choice(nodes)
        kind = rng.randrange(8)
        if kind == 0:
            out = a + b
        elif kind == 1:
            out = a * b
        elif kind == 2:
            out = a - b
        elif kind == 3:
            out = a.tanh()
        elif kind == 4:
            out = a.sigmoid()
        elif kind == 5:
            out = a * a
        elif kind == 6:
            out = autograd.sum([a, b, a])
        else:
            out = autograd.dot([a, b], [b, 0.5])
        nodes.append(out)
    return autograd.sum(nodes[n_leaves:]), leaves


def graphs():
    x = Value(0.7, "x")
    h = (x * 2.0).tanh()
    diamond = h * h + h.sigmoid() * h  # h shared by three uses
    yield diamond
    yield x * x * x
    yield x  # a single leaf: one step, the seed
    for seed in range(12):
        yield random_graph(seed)[0]


@pytest.mark.parametrize("seed_value", [1.0, -2.5])
def test_consuming_steps_leaves_exactly_the_grads_of_backward(seed_value):
    for root in graphs():
        order = autograd.topological_order(root)
        zero_grad(root)
        backward(root, seed_value)
        expected = [n.grad for n in order]
        zero_grad(root)
        stepped = list(steps(root, seed_value))
        # exact: same shares in the same order; a Constant's .grad too, though it has no step
        assert [n.grad for n in order] == expected
        entries = memo_nodes(root)
        assert {s.node: s.grad for s in stepped} == {
            n: g for n, g in zip(order, expected) if n in entries}
        assert [s.node for s in stepped] == entries == [
            n for n in autograd.sweep.order(root) if n is root or not isinstance(n, Constant)]
        assert [s.index for s in stepped] == list(range(len(entries)))
        # accumulating, like backward: a second run doubles every grad
        for _ in steps(root, seed_value):
            pass
        assert [n.grad for n in order] == [2 * g for g in expected]


def test_each_grad_is_the_sum_of_its_contributions_and_children_come_first():
    root, _ = random_graph(99, n_ops=40)
    seen = {}
    edges = 0
    for s in steps(root):
        total = 0.0
        for c in s.contributions:
            assert c.child in seen and c.child_grad == seen[c.child]
            assert c.product == c.local * c.child_grad
            total += c.product
        assert s.grad == (total if s.contributions else 1.0)
        seen[s.node] = s.grad
        edges += len(s.contributions)
    # every edge of the graph is exactly one contribution (edges into a Constant: none)
    assert edges == sum(not isinstance(p, Constant)
                        for n in autograd.topological_order(root) for p in n.parents)


@pytest.mark.parametrize("seed", [7, 8])
def test_memo_view_at_every_step_filled_ready_and_pending(seed):
    root, _ = random_graph(seed, n_ops=30)
    root = (root * 0.5 - 1.0) ** 2  # and some Constants, which have no entry
    stepped = list(steps(root))
    final = {s.node: s.grad for s in stepped}
    index = {s.node: s.index for s in stepped}
    incoming = {s.node: s.contributions for s in stepped}
    for s in stepped:  # every view still answers for its own step after the run
        memo = s.memo
        assert len(memo) == len(stepped) and list(memo) == [t.node for t in stepped]
        assert memo.filled == tuple(t.node for t in stepped[: s.index + 1])
        assert memo.filled + memo.ready + memo.pending == tuple(memo)
        for node in memo:
            arrived = [c for c in incoming[node] if index[c.child] <= s.index]
            partial = 0.0
            for c in arrived:
                partial += c.product
            state = memo.state(node)
            assert state == ("filled" if node in memo.filled else
                             "ready" if node in memo.ready else "pending")
            if memo.is_filled(node):
                assert state == "filled" and memo[node] == final[node]
            else:
                assert memo[node] == partial
                assert memo.shares(node) == (len(arrived), len(incoming[node]))
                # pending only while shares are missing; with all in, ready
                assert (state == "ready") == (len(arrived) == len(incoming[node]))
    assert not any(isinstance(n, Constant) for n in stepped[0].memo)
    with pytest.raises(KeyError):
        stepped[0].memo[Value(1.0)]
    assert dict(stepped[-1].memo) == final


def test_memo_view_of_the_readme_example():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    first = next(iter(steps(x * y + x))).memo
    assert [first.name(n) for n in first.ready] == ["mul#2"]  # its one share is in
    assert [first.name(n) for n in first.pending] == ["x", "y"]
    assert (first[x], first.shares(x)) == (1.0, (1, 2))
    assert (first[y], first.shares(y)) == (0.0, (0, 1))
    assert memo_line(first) == ("memo: 1 of 4 filled; ready: mul#2 = 1 (1 of 1 shares in); "
                                "pending: x = 1 so far (1 of 2 shares in), y (0 of 1 shares in)")


def test_stopping_early_updates_only_the_nodes_stepped_through():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    it = steps(x * y)
    next(it)
    next(it)
    assert (x.grad, y.grad) in {(0.0, 2.0), (3.0, 0.0)}


def test_a_long_chain_needs_no_recursion():
    x = Value(0.5, "x")
    y = x
    for _ in range(30_000):
        y = y * 1.0001 + 0.0
    n = sum(1 for _ in steps(y))
    assert n == 2 * 30_000 + 1  # mul and add per link (their constants have no step), and x
    assert x.grad == pytest.approx(1.0001 ** 30_000)


def test_bad_arguments():
    with pytest.raises(TypeError, match="steps: loss must be a Value"):
        steps(3.0)
    with pytest.raises(ValueError, match="finite"):
        steps(Value(1.0), float("nan"))


# -- the command line ----------------------------------------------------------------

GOLDEN = """\
x*y + x  at  x=2, y=3
output = 8; C = output, so ∂C/∂C = 1

step 1 of 4: x*y + x  (+, value 8)
  ∂C/∂(x*y + x) = 1: x*y + x is the output, C
  memo: 1 of 4 filled; ready: x*y = 1 (1 of 1 shares in); \
pending: x = 1 so far (1 of 2 shares in), y (0 of 1 shares in)
step 2 of 4: x*y  (*, value 6)
  ∂C/∂(x*y) = ∂(x*y + x)/∂(x*y) × ∂C/∂(x*y + x)
  ∂C/∂(x*y) = 1 × 1 = 1
  memo: 2 of 4 filled; ready: x = 4 (2 of 2 shares in), y = 2 (1 of 1 shares in)
step 3 of 4: x  (leaf, value 2)
  ∂C/∂x = ∂(x*y + x)/∂x × ∂C/∂(x*y + x) + ∂(x*y)/∂x × ∂C/∂(x*y)
  ∂C/∂x = 1 × 1 + 3 × 1 = 4
  memo: 3 of 4 filled; ready: y = 2 (1 of 1 shares in)
step 4 of 4: y  (leaf, value 3)
  ∂C/∂y = ∂(x*y)/∂y × ∂C/∂(x*y)
  ∂C/∂y = 2 × 1 = 2
  memo: 4 of 4 filled; every entry is final
done: 4 entries, each computed once; 4 multiplications and 4 additions, one of each per edge
"""


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_trace_step_golden(capsys):
    code, out, err = run(capsys, "trace", "x*y + x", "--at", "x=2", "y=3", "--step", "--no-pause")
    assert (code, err) == (0, "")
    assert out == GOLDEN


def test_trace_step_without_a_terminal_prints_everything(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, out, err = run(capsys, "trace", "x*y + x", "--at", "x=2", "y=3", "--step")
    assert (code, out, err) == (0, GOLDEN, "")


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_step_through_waits_for_enter_and_q_quits():
    root = (Value(2.0, "x") * Value(3.0, "y")) + 1.0
    stdin, stdout, stderr = FakeTerminal("\nq\n"), io.StringIO(), io.StringIO()
    shown = step_through(root, ["head"], stdin=stdin, stdout=stdout, stderr=stderr)
    assert shown == 2
    assert stderr.getvalue().count("[Enter: next step, q: quit]") == 2
    text = stdout.getvalue()
    # four steps: the number 1.0 has no memo entry
    assert text.startswith("head\nstep 1 of 4:") and "step 2 of 4" in text
    assert "step 3" not in text and text.endswith("stopped after 2 of 4 steps\n")


def test_step_through_end_of_input_shows_the_rest():
    root = Value(2.0, "x") * Value(3.0, "y")
    stdout, stderr = io.StringIO(), io.StringIO()
    assert step_through(root, stdin=FakeTerminal(""), stdout=stdout, stderr=stderr) == 3
    assert stderr.getvalue().count("[Enter") == 1
    assert "done: 3 entries" in stdout.getvalue()
    quiet = io.StringIO()
    step_through(root, stdin=FakeTerminal(""), stdout=io.StringIO(), stderr=quiet, pause=False)
    assert quiet.getvalue() == ""


def test_step_exit_codes(capsys):
    assert run(capsys, "trace", "x", "--at", "x=1", "--no-pause")[0] == 2
    code, out, err = run(capsys, "trace", "log(x)", "--at", "x=0", "--step", "--no-pause")
    assert code == 2 and out == "" and "log: domain error" in err and err.count("\n") == 1
    code, out, _ = run(capsys, "trace", "--step", "--no-pause")  # the default neuron
    assert code == 0 and "step 10 of 10" in out and "done: 10 entries" in out


def test_step_output_survives_an_ascii_terminal():
    env = {"PYTHONIOENCODING": "ascii", "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-m", "autograd.cli", "trace", "x*-2 + \u03b1", "--at", "x=3",
         "\u03b1=1", "--step"],
        capture_output=True, text=True, encoding="utf-8", timeout=60, env=env,
        stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert "dC/dx = (-2) * 1 = -2" in done.stdout
    assert "\\u03b1" in done.stdout and "\u00d7" not in done.stdout
    assert "\u2202" not in done.stdout and "\u2212" not in done.stdout  # no ∂, no −


# -- Constants, names and one way of saying things --------------------------------------

def test_constants_get_no_entry_no_step_and_are_not_counted():
    y = Value(0.8, "y")
    loss = (y - 1.0) ** 2  # the course's C = (y - 1)²: the 1 is a number, not a node to ask about
    stepped = list(steps(loss))
    assert [s.name() for s in stepped] == ["C", "sub#2", "y"]
    assert not any(isinstance(s.node, Constant) for s in stepped)
    assert [len(s.memo) for s in stepped] == [3, 3, 3]
    assert sum(len(s.contributions) for s in stepped) == 2  # the edge into the 1 is not one
    assert memo_line(stepped[0].memo) == ("memo: 1 of 3 filled; ready: sub#2 = −0.4 "
                                          "(1 of 1 shares in); pending: y (0 of 1 shares in)")
    one = loss.parents[0].parents[1]
    assert isinstance(one, Constant) and one.grad == pytest.approx(0.4)  # .grad as backward's
    out = io.StringIO()
    assert step_through(loss, stdout=out, pause=False) == 3
    text = out.getvalue()
    assert "step 3 of 3" in text and "done: 3 entries" in text and "2 multiplications" in text
    assert "**2" in text and "pow_const" not in text


def test_a_constant_output_still_has_its_step():
    assert [str(s) for s in steps(Constant(2.0))] == ["∂C/∂C = 1"]


def test_op_text_shows_symbols_and_constants_never_internal_names():
    x = Value(2.0, "x")
    assert [op_text(v) for v in (x ** 3, x * x, x.sigmoid(), x.leaky_relu(0.2),
                                 autograd.sum([x, 1.5]), x)] == [
        "**3", "*", "σ", "leaky_relu(0.2)", "Σ+1.5", "leaf"]
    assert op_text(x.sigmoid(), ascii=True) == "sigmoid"
    assert op_text(autograd.sum([x, 1.5]), ascii=True) == "sum+1.5"
    drawing = autograd.draw(x ** 3).source  # the drawing shares the helper
    assert "**3" in drawing and "pow_const" not in drawing


def test_unlabelled_nodes_are_named_by_op_and_step_number():
    x = Value(2.0, "x")
    names = [s.name() for s in steps(x ** 3 * 2.0 + x)]
    assert names == ["C", "mul#2", "pow#3", "x"]  # pow, not pow_const


def test_row_names_are_unique_and_short():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    long_a = Value(1.0, "a" * 20 + "tail one")
    long_b = Value(1.0, "a" * 20 + "tail two")
    twin1, twin2 = x * y, x * y
    twin1.label = twin2.label = "x*y"
    nodes = [long_a, long_b, twin1, twin2, x]
    names = {n: n.label for n in nodes}
    shown = row_names(nodes, names, width=24)
    assert len(set(shown.values())) == 5 and all(len(v) <= 24 for v in shown.values())
    assert shown[long_a].endswith("…#1") and shown[long_b].endswith("…#2")
    assert (shown[twin1], shown[twin2], shown[x]) == ("x*y#3", "x*y#4", "x")
    assert row_names(nodes, names, width=24, ascii=True)[long_a].endswith("...#1")


def test_trace_rows_of_a_long_expression_differ(capsys):
    expr = "w5*sigmoid(w1*x1 + w2*x2 + b1) + w6*sigmoid(w3*x1 + w4*x2 + b2)"
    at = ["w1=1", "w2=-2", "b1=1", "w3=-1", "w4=1", "b2=0", "x1=1", "x2=-1", "w5=0.5", "w6=-0.5"]
    code, out, _ = run(capsys, "trace", expr, "--at", *at)
    assert code == 0
    rows = [line.split("  ")[0] for line in out.splitlines()[4:]]
    assert len(rows) == len(set(rows)) == 23
    assert rows[:3] == ["w5*sigmoid(w1*x1 + w2*x2…#1", "w5*sigmoid(w1*x1 + w2*x2…#2",
                        "w6*sigmoid(w3*x1 + w4*x2…#3"]


def test_one_minus_sign_in_trace_and_step(capsys):
    for extra in ([], ["--step", "--no-pause"]):
        code, out, _ = run(capsys, "trace", "(x - 1)**3 * 1e-7", "--at", "x=-2", *extra)
        numbers = out.split("\n", 1)[1]  # below the echoed command line
        assert code == 0 and "−2.7e−06" in numbers and "−27" in numbers
        assert not any(ch == "-" and (i + 1 < len(numbers) and numbers[i + 1].isdigit())
                       for i, ch in enumerate(numbers.replace("x - 1", ""))), numbers
        assert "pow_const" not in out and "seed" not in out and "dC/d" not in out


def test_trace_table_in_python_and_in_ascii():
    x = Value(-2.0, "x")
    table = trace_table((x - 1.0) ** 2)
    assert table.splitlines()[0].split() == [
        "node", "op", "value", "∂C/∂(node)", "local", "derivatives", "∂(node)/∂(parent)"]
    assert table.splitlines()[1].split() == ["C", "**2", "9", "1", "sub#2:", "−6"]
    assert len(table.splitlines()) == 4  # C, x - 1 and x: the 1 has no row
    assert trace_table((x - 1.0) ** 2, ascii=True).isascii()


# -- nudge: what an entry means -----------------------------------------------------------

def smooth_graphs():
    loss, _ = course_net()
    yield loss
    x, w = Value(0.5, "x"), Value(-1.3, "w")
    h = (w * x).tanh()
    yield (h * h + h.sigmoid() * w - 1.0) ** 2
    yield autograd.dot([w, x, h], [x, 2.0, w]).exp() / (1.0 + x * x)
    yield autograd.sum([h, w * 3.0, x.sin()]).softplus()
    for seed in range(4):
        yield random_graph(seed, n_ops=15)[0]


@pytest.mark.parametrize("gradient", [1.0, -2.5])
def test_nudges_agree_with_the_memo_on_smooth_graphs(gradient):
    for loss in smooth_graphs():
        before = {n: (n.data, n.grad) for n in autograd.topological_order(loss)}
        for s in steps(loss, gradient):
            scale = max(abs(c.product) for c in s.contributions) if s.contributions else 1.0
            assert s.nudge() == pytest.approx(s.grad, rel=1e-5, abs=1e-7 * scale), s.name()
        # the graph is not changed by nudging (steps() itself added into .grad)
        assert {n: n.data for n in before} == {n: d for n, (d, _) in before.items()}


def test_nudge_through_a_node_used_twice():
    x = Value(3.0, "x")
    y = x * x + x  # dC/dx = 2x + 1 = 7
    last = list(steps(y))[-1]
    assert last.node is x and last.nudge() == pytest.approx(7.0, rel=1e-9)
    assert last.nudge(h=1e-3) == pytest.approx(7.0, rel=1e-9)  # a quadratic: exact for any h


def test_nudge_refuses_bad_h_and_leaving_the_domain():
    x = Value(1e-9, "x")
    step = list(steps(x.log()))[-1]
    with pytest.raises(ValueError, match=r"nudge: log.*smaller h"):
        step.nudge(h=1e-6)
    assert step.nudge(h=1e-12) == pytest.approx(1e9, rel=1e-3)
    for bad in (0.0, -1.0, float("nan"), float("inf"), True):
        with pytest.raises(ValueError, match="h must be a positive number"):
            step.nudge(h=bad)
    with pytest.raises(ValueError, match="no memo"):
        Step(x, 1.0, ()).nudge()


def test_a_step_of_a_graph_with_constants_can_be_drawn():
    y = Value(0.8, "y")
    loss = (y - 1.0) ** 2
    for step in steps(loss):
        source = autograd.draw(loss, highlight=step).source  # the 1 has no memo entry to show
        assert "pow_const" not in source
    memo = next(steps(loss)).memo
    one = loss.parents[0].parents[1]
    assert isinstance(one, Constant) and one not in memo and len(memo) == 3
