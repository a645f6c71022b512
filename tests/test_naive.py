"""naive_grad (every path, no memo) against backward, and the work counts in closed form."""

import math
import re
import time
from pathlib import Path

import pytest
from test_steps import GOLDEN, random_graph

import autograd
from autograd import Value, dot, grad, naive_grad
from autograd.cli import main
from autograd.explain import (
    GradWork,
    compare_work,
    comparison_report,
    count_paths,
    format_work,
    fully_connected,
    memoized_grad,
)
from autograd.explain.work import MAX_COMPARE_EDGES, MAX_COMPARE_WALK, predicted_work


@pytest.mark.parametrize("seed", range(15))
def test_naive_equals_backward_on_random_graphs(seed):
    root, leaves = random_graph(seed, n_ops=18)
    order = autograd.topological_order(root)
    edges = sum(len(n.parents) for n in order)
    expected = grad(root, leaves)
    for leaf, g in zip(leaves, expected):
        naive = naive_grad(root, leaf)
        memo = memoized_grad(root, leaf)
        assert naive.value == pytest.approx(g, rel=1e-9, abs=1e-12)
        assert memo.value == g  # the same loop as backward, so the same float
        assert naive.paths == memo.paths == count_paths(root, leaf)
        assert naive.additions == naive.paths
        assert (memo.multiplications, memo.additions) == (edges, edges)
    # interior nodes too: the paths from a node to the loss
    for node in order[len(order) // 2: len(order) // 2 + 3]:
        assert naive_grad(root, node).value == pytest.approx(
            memoized_grad(root, node).value, rel=1e-9, abs=1e-12)


def test_the_docstring_counts_by_hand():
    x = Value(3.0, "x")
    y = x * x + x  # edges: add->mul, add->x, mul->x twice; paths from x: 3
    assert naive_grad(y, x) == GradWork("naive", 7.0, 3, 5, 3)
    assert memoized_grad(y, x) == GradWork("memoized", 7.0, 3, 4, 4)


@pytest.mark.parametrize("n", [1, 2, 7, 40])
def test_chain_closed_form(n):
    """A chain of n unary ops: one path of n edges."""
    x = Value(0.3, "x")
    y = x
    for i in range(n):
        y = y.sin() if i % 2 else y.tanh()
    work = naive_grad(y, x)
    assert (work.paths, work.multiplications, work.additions) == (1, n, 1)
    assert memoized_grad(y, x).multiplications == n
    assert work.value == pytest.approx(grad(y, [x])[0], rel=1e-12)


@pytest.mark.parametrize("n", [1, 3, 10])
def test_doubling_chain_closed_form(n):
    """y_{k+1} = y_k * 0.5 + y_k: 2^n paths, 3(2^n - 1) multiplications, value 1.5^n;
    the memoized pass walks 4n edges (3 on the paths, one to each constant 0.5)."""
    y, x = doubling(n)
    work = naive_grad(y, x)
    assert work.paths == count_paths(y, x) == 2**n
    assert work.multiplications == 3 * (2**n - 1)
    assert work.additions == 2**n
    assert work.value == pytest.approx(1.5**n, rel=1e-12)
    memo = memoized_grad(y, x)
    assert (memo.multiplications, memo.additions, memo.value) == (4 * n, 4 * n, 1.5**n)


def doubling(n):
    x = Value(1.0, "x")
    y = x
    for _ in range(n):
        y = y * 0.5 + y
    return y, x


def test_refuses_too_many_paths_with_the_count():
    y, x = doubling(25)
    with pytest.raises(ValueError, match=r"33554432 paths lead from x .*max_paths=1000000"):
        naive_grad(y, x)
    y, x = doubling(10)
    with pytest.raises(ValueError, match=r"1024 paths .* max_paths=1000;"):
        naive_grad(y, x, max_paths=1000)
    assert naive_grad(y, x, max_paths=1024).paths == 1024


def layered(widths, n_inputs=2):
    """tanh(dot(w, previous layer)) neurons, layer widths n1..nL; loss = sum of the last layer."""
    xs = [Value(0.1 * (i + 1), f"x{i}") for i in range(n_inputs)]
    layer = xs
    k = 0
    for n in widths:
        out = []
        for _ in range(n):
            ws = [0.3 * math.sin(k + j) + 0.1 for j in range(len(layer))]
            k += 1
            out.append(dot(ws, layer).tanh())
        layer = out
    return autograd.sum(layer), xs


@pytest.mark.parametrize("widths", [[3], [3, 4], [2, 3, 4], [4, 1, 3, 2]])
def test_fully_connected_closed_form(widths):
    """From an input, prod(n_i) paths; one multiplication per path prefix:
    2 per layer (dot, tanh) times the prefixes so far, plus the final sum edge."""
    loss, xs = layered(widths)
    prefix = [math.prod(widths[: i + 1]) for i in range(len(widths))]
    work = naive_grad(loss, xs[0])
    assert work.paths == math.prod(widths)
    assert work.additions == math.prod(widths)
    assert work.multiplications == 2 * sum(prefix) + math.prod(widths)
    assert work.value == pytest.approx(grad(loss, xs)[0], rel=1e-9)


def test_fully_connected_net_of_compare_closed_forms():
    for depth, width in [(0, 3), (1, 2), (2, 3), (3, 2)]:
        loss, params = fully_connected(depth, width)
        assert len(params) == (depth * width + 1) * (width + 1)
        order = autograd.topological_order(loss)
        assert sum(len(n.parents) for n in order) == (depth * width + 1) * (2 * width + 3) + 3
        # each parameter of hidden layer k has width**(depth - k) paths to the loss
        total = sum(count_paths(loss, p) for p in params)
        assert total == (width + 1) * sum(width**j for j in range(depth + 1))


def test_compare_enumerated_and_counted_agree():
    walked = compare_work([0, 1, 2, 3], [1, 2, 3], run_limit=10**9)
    counted = compare_work([0, 1, 2, 3], [1, 2, 3], run_limit=0)
    assert all(r.enumerated for r in walked) and not any(r.enumerated for r in counted)
    fields = ("paths", "naive_multiplications", "naive_additions", "memoized_multiplications")
    for a, b in zip(walked, counted):
        assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]
        assert a.memoized_multiplications == a.edges == a.memoized_additions
    # naive grows geometrically with depth at fixed width, memoized linearly
    w3 = [r for r in walked if r.width == 3]
    assert [r.paths for r in w3] == [4 * sum(3**j for j in range(d + 1)) for d in range(4)]
    assert [r.edges for r in w3] == [(3 * d + 1) * 9 + 3 for d in range(4)]


def test_format_work_marks_counted_rows():
    text = format_work(compare_work([1, 9], [4], run_limit=1000))
    lines = text.splitlines()
    assert lines[0].startswith("| depth | width | params | edges | paths |")
    assert lines[2] == "| 1 | 4 | 25 | 58 | 25 | 180 | 25 | 58 | 58 | 3.1 |"
    assert lines[3].startswith("| 9 | 4 | 185 | 410 | 1,747,625* |")
    assert "counted by dynamic programming" in lines[-1]


def test_corner_cases_and_errors():
    x, other = Value(2.0, "x"), Value(5.0, "other")
    y = x * 3.0
    assert naive_grad(y, other) == GradWork("naive", 0.0, 0, 0, 0)
    assert naive_grad(y, y) == GradWork("naive", 1.0, 1, 0, 1)
    assert memoized_grad(y, other).value == 0.0
    with pytest.raises(TypeError, match="naive_grad"):
        naive_grad(y, 2.0)
    with pytest.raises(TypeError, match="memoized_grad"):
        memoized_grad(3.0, x)
    with pytest.raises(ValueError, match="depth >= 0"):
        compare_work([-1], [2])
    with pytest.raises(ValueError, match="the limit is 500,000 in all"):
        compare_work([100], [400])
    with pytest.raises(TypeError, match="integers"):
        compare_work([1.5], [2])


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_compare_command(capsys):
    code, out, err = run(capsys, "compare", "--depth", "1", "2", "--width", "2")
    assert (code, err) == (0, "")
    assert out.endswith(
        "| depth | width | params | edges | paths | naive mult | naive add | memo mult"
        " | memo add | naive/memo |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        "| 1 | 2 | 9 | 24 | 9 | 60 | 9 | 24 | 24 | 2.5 |\n"
        "| 2 | 2 | 15 | 38 | 21 | 172 | 21 | 38 | 38 | 4.5 |\n")
    assert out.startswith("Gradient of the loss")


def test_compare_exit_codes(capsys):
    code, out, err = run(capsys, "compare", "--width", "0")
    assert code == 2 and out == "" and "width >= 1" in err and err.count("\n") == 1
    code, out, err = run(capsys, "compare", "--depth", "two")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("memograd compare: error: argument --depth: invalid int value: 'two'")


def test_predicted_work_is_the_graph_s():
    """The closed form compare_work checks sizes with, against the built graph."""
    for depth in range(6):
        for width in range(1, 6):
            loss, params = fully_connected(depth, width)
            order = autograd.topological_order(loss)
            paths, multiplications = autograd.explain.work._naive_counts(order, set(params))
            edges = sum(len(n.parents) for n in order)
            assert predicted_work(depth, width) == (edges, paths, multiplications)


@pytest.mark.parametrize("depths, widths, message", [
    ([99_999], [1], "500,003 edges or more"),                # one net too large
    ([3] * 30_000, [1, 2], "the limit is 500,000 in all"),   # many small ones: the sum counts
    ([10**30], [10**30], "edges or more"),                   # no net is built to find out
    ([340], [2], "more than 10**100 paths"),                 # few edges, too many paths
    ([150], [40], "more than 10**100 paths"),
])
def test_compare_refuses_at_once(depths, widths, message):
    start = time.perf_counter()
    with pytest.raises(ValueError, match=re.escape(message)):
        compare_work(depths, widths)
    assert time.perf_counter() - start < 1.0


def test_compare_walks_within_its_budget():
    """Few paths but long ones: depth 20,000, width 1 has 40,002 paths but 1.2e9
    multiplications to walk, so it is counted even under the default run_limit."""
    (row,) = compare_work([20_000], [1])
    assert not row.enumerated
    assert row.naive_multiplications == predicted_work(20_000, 1)[2] > MAX_COMPARE_WALK
    # the budget is for all the nets: a repeated size is walked until it is spent
    walk = predicted_work(8, 4)[2]
    rows = compare_work([8] * 5, [4], run_limit=10**9)
    assert [r.enumerated for r in rows] == [i * walk + walk <= MAX_COMPARE_WALK
                                            for i in range(5)]
    assert len({(r.paths, r.naive_multiplications) for r in rows}) == 1


def test_compare_help_states_the_limits(capsys):
    assert main(["compare", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert f"{MAX_COMPARE_EDGES:,} edges for all the nets together" in text
    assert "10**100 paths for one net" in text
    assert f"{MAX_COMPARE_WALK:,} multiplications in all" in text


def test_compare_command_refuses_big_sizes_in_one_line(capsys):
    code, out, err = run(capsys, "compare", "--depth", "1000", "--width", "2")
    assert code == 2 and out == "" and err.count("\n") == 1 and "10**100" in err


def abs_shares(out, leaf):
    """The sum over paths of |product of locals|: bounds the rounding of any summation order."""
    memo = {out: 1.0}
    for node in reversed(autograd.topological_order(out)):
        g = memo.get(node, 0.0)
        for parent, local in zip(node.parents, node.local_grads):
            memo[parent] = memo.get(parent, 0.0) + g * abs(local)
    return memo.get(leaf, 0.0)


def test_naive_and_steps_agree_with_backward_on_generated_expressions():
    """With the gradient-checking issue's strategies: random graphs with shared nodes."""
    testing = pytest.importorskip("autograd.testing")
    from hypothesis import given, settings

    @settings(max_examples=60, deadline=None)
    @given(testing.expressions(max_nodes=8))
    def check(case):
        out, leaves = case.graph()
        expected = grad(out, leaves)
        for leaf, g in zip(leaves, expected):
            # the shares' absolute values bound the rounding of a sum in another order
            scale = abs_shares(out, leaf)
            assert naive_grad(out, leaf).value == pytest.approx(g, rel=1e-9, abs=1e-12 * scale)
        order = autograd.topological_order(out)
        autograd.backward(out)
        by_backward = [n.grad for n in order]
        autograd.zero_grad(out)
        for _ in autograd.steps(out):
            pass
        assert [n.grad for n in order] == by_backward

    check()


def test_readme_shows_the_real_command_output():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    intro, table = comparison_report([1, 2, 4, 6, 8], [2, 4, 8]).split("\n\n", 1)
    assert "$ memograd compare --depth 1 2 4 6 8 --width 2 4 8" in readme
    assert intro in readme and table in readme
    assert GOLDEN in readme
