"""The backprop stepper: steps(), the memo view, the chain-rule line, `memograd trace --step`."""

import dataclasses
import io
import math
import random
import subprocess
import sys

import pytest

import autograd
from autograd import Contribution, Step, Value, backward, steps, zero_grad
from autograd.cli import main
from autograd.explain import chain_rule_line, step_through


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
    expected = "dC/d(a) = " + " + ".join(term[c.child] for c in step_a.contributions) + " = 0.57"
    assert str(step_a) == expected
    ascii_term = {n["z1"]: "0.6 * 1.2", n["z2"]: "(-0.3) * 0.5"}
    assert chain_rule_line(step_a, ascii=True) == (
        "dC/d(a) = " + " + ".join(ascii_term[c.child] for c in step_a.contributions) + " = 0.57")


def test_doc_example_and_unlabelled_names():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    lines = [str(s) for s in steps(x * y + x)]
    assert lines == [
        "dC/d(add#0) = 1",
        "dC/d(mul#1) = 1 × 1 = 1",
        "dC/d(x) = 1 × 1 + 3 × 1 = 4",
        "dC/d(y) = 2 × 1 = 2",
    ]
    # a number lifted into the graph is named by its value
    assert [str(s) for s in steps(x * -2.5)][1:] == [
        "dC/d(x) = (−2.5) × 1 = −2.5", "dC/d(-2.5) = 2 × 1 = 2"]


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
        assert [n.grad for n in order] == expected  # exact: same shares in the same order
        assert {s.node: s.grad for s in stepped} == dict(zip(order, expected))
        assert [s.node for s in stepped] == autograd.sweep.order(root)
        assert [s.index for s in stepped] == list(range(len(order)))
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
    # every edge of the graph is exactly one contribution
    assert edges == sum(len(n.parents) for n in autograd.topological_order(root))


def test_memo_view_at_every_step_filled_and_pending():
    root, _ = random_graph(7, n_ops=30)
    stepped = list(steps(root))
    final = {s.node: s.grad for s in stepped}
    index = {s.node: s.index for s in stepped}
    incoming = {s.node: s.contributions for s in stepped}
    for s in stepped:  # every view still answers for its own step after the run
        memo = s.memo
        assert len(memo) == len(stepped) and list(memo) == [t.node for t in stepped]
        assert memo.filled == tuple(t.node for t in stepped[: s.index + 1])
        assert memo.pending == tuple(t.node for t in stepped[s.index + 1:])
        for node in memo:
            arrived = [c for c in incoming[node] if index[c.child] <= s.index]
            partial = 0.0
            for c in arrived:
                partial += c.product
            if memo.is_filled(node):
                assert memo[node] == final[node]
            else:
                assert memo[node] == partial
                assert memo.shares(node) == (len(arrived), len(incoming[node]))
    with pytest.raises(KeyError):
        stepped[0].memo[Value(1.0)]
    assert dict(stepped[-1].memo) == final


def test_memo_view_of_the_readme_example():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    first = next(iter(steps(x * y + x))).memo
    assert [first.name(n) for n in first.pending] == ["mul#1", "x", "y"]
    assert (first[x], first.shares(x)) == (1.0, (1, 2))
    assert (first[y], first.shares(y)) == (0.0, (0, 1))


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
    assert n == 4 * 30_000 + 1  # mul, add and their two constants per link, and x
    assert x.grad == pytest.approx(1.0001 ** 30_000)


def test_bad_arguments():
    with pytest.raises(TypeError, match="steps: loss must be a Value"):
        steps(3.0)
    with pytest.raises(ValueError, match="finite"):
        steps(Value(1.0), float("nan"))


# -- the command line ----------------------------------------------------------------

GOLDEN = """\
x*y + x  at  x=2, y=3
output = 8; C = output, so dC/doutput = 1

step 1 of 4: x*y + x  (add, value 8)
  dC/d(x*y + x) = 1 (the seed: C is the output)
  memo: 1 of 4 filled; pending: x*y = 1 (1 of 1 shares in), x = 1 (1 of 2 shares in), \
y waiting (0 of 1 shares in)
step 2 of 4: x*y  (mul, value 6)
  dC/d(x*y) = d(x*y + x)/d(x*y) × dC/d(x*y + x)
  dC/d(x*y) = 1 × 1 = 1
  memo: 2 of 4 filled; pending: x = 4 (2 of 2 shares in), y = 2 (1 of 1 shares in)
step 3 of 4: x  (leaf, value 2)
  dC/d(x) = d(x*y + x)/d(x) × dC/d(x*y + x) + d(x*y)/d(x) × dC/d(x*y)
  dC/d(x) = 1 × 1 + 3 × 1 = 4
  memo: 3 of 4 filled; pending: y = 2 (1 of 1 shares in)
step 4 of 4: y  (leaf, value 3)
  dC/d(y) = d(x*y)/d(y) × dC/d(x*y)
  dC/d(y) = 2 × 1 = 2
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
    assert text.startswith("head\nstep 1 of 5:") and "step 2 of 5" in text
    assert "step 3" not in text and text.endswith("stopped after 2 of 5 steps\n")


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
    assert "dC/d(x) = (-2) * 1 = -2" in done.stdout
    assert "\\u03b1" in done.stdout and "\u00d7" not in done.stdout
