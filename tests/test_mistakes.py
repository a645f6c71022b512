"""autograd.mistake: wrong versions of backprop, each going wrong where it should."""

import sys

import pytest
from test_steps import course_net, random_graph

import autograd
from autograd import Constant, Mistake, Value, memo_table, mistake
from autograd.explain import KINDS, memo_nodes


def shared_twice():
    """h is used by C directly and by h + 1: C = h * (h + 1), h = 2x."""
    x = Value(3.0, "x")
    h = x * 2.0
    return x, h, h * (h + 1.0)


def chain():
    """Every node has one user: no mistake below can hurt it."""
    w, x = Value(0.7, "w"), Value(-1.2, "x")
    return (((w * x).tanh() * 3.0).sigmoid() - 0.5) ** 2


def test_the_kinds():
    assert list(KINDS) == ["order", "overwrite", "set", "zero-grad"]
    with pytest.raises(ValueError, match="'order', 'overwrite', 'set', 'zero-grad'"):
        mistake(chain(), "forgot")
    with pytest.raises(ValueError, match="unknown kind"):
        mistake(chain(), None)
    with pytest.raises(TypeError, match="mistake: loss must be a Value"):
        mistake(2.0, "order")


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_mistake_has_the_right_memo_beside_it(kind):
    loss, _ = course_net()
    m = mistake(loss, kind)
    assert isinstance(m, Mistake) and m.kind == kind and m.explanation == KINDS[kind]
    nodes = memo_nodes(loss)
    right = memo_table(loss)
    assert list(m.correct) == list(m.memo) == nodes  # the sweep's order, no Constants
    assert m.correct == {n: right[n] for n in nodes}
    assert list(m.differs) == [n for n in nodes if n in set(m.differs)]  # in sweep order
    assert all(n.grad == 0.0 for n in autograd.topological_order(loss))  # .grad untouched


def test_overwrite_keeps_only_the_last_share():
    x = Value(3.0, "x")
    m = mistake(x * x, "overwrite")
    assert (m.memo[x], m.correct[x], m.differs) == (3.0, 6.0, (x,))
    x, h, loss = shared_twice()
    m = mistake(loss, "overwrite")
    assert m.correct[h] == 13.0 and m.memo[h] == 6.0  # (h + 1)'s share came last: 1 * 6
    assert set(m.differs) == {h, x}


def test_set_counts_a_repeated_operand_once():
    x = Value(3.0, "x")
    m = mistake(x * x, "set")
    assert (m.memo[x], m.correct[x], m.differs) == (3.0, 6.0, (x,))
    s = autograd.sum([x, x, x])
    assert mistake(s, "set").memo[x] == 1.0
    # x used by two different nodes is no repeated operand: harmless
    y = Value(2.0, "y")
    assert mistake(x * y + x, "set").differs == ()


def test_order_hands_on_before_every_user_has_reported():
    x, _, loss = shared_twice()
    # depth-first: C visits h (its first operand) and h hands on 6, the share of C alone,
    # before h + 1 has passed its 6 back
    m = mistake(loss, "order")
    assert m.correct[x] == 26.0 and m.memo[x] == 14.0
    assert m.differs == (x,)  # h's own entry ends right; what it handed on did not
    # the other way round, h + 1 visits h first: again h hands on before C's share is in
    x2 = Value(3.0, "x")
    h2 = x2 * 2.0
    assert mistake((h2 + 1.0) * h2, "order").differs == (x2,)
    # a leaf hands nothing on, so a leaf used twice is safe: late shares still add up
    y = Value(2.0, "y")
    assert mistake(x2 * y + x2, "order").differs == ()


def test_zero_grad_doubles_every_gradient():
    loss, _ = course_net()
    m = mistake(loss, "zero-grad")
    assert m.memo == {n: 2 * g for n, g in m.correct.items()}
    assert m.differs == tuple(n for n, g in m.correct.items() if g != 0.0)


@pytest.mark.parametrize("kind", ["order", "overwrite", "set"])
def test_a_chain_is_safe_from_the_others(kind):
    loss = chain()
    m = mistake(loss, kind)
    assert m.differs == () and m.memo == pytest.approx(m.correct, rel=1e-15)
    assert "does no harm" in str(m)


def test_the_course_net_goes_wrong():
    loss, n = course_net()  # a = σ(z) feeds z' and z'': two users
    for kind in ("order", "overwrite"):
        assert n["z"] in mistake(loss, kind).differs, kind
    assert mistake(loss, "set").differs == ()


def recursive_order(root):
    """The mistaken procedure as a learner writes it: recursion (small graphs only)."""
    memo = {root: 1.0}
    visited = {root}

    def visit(node):
        for parent, local in zip(node.parents, node.local_grads):
            memo[parent] = memo.get(parent, 0.0) + memo[node] * local
            if parent not in visited:
                visited.add(parent)
                visit(parent)

    visit(root)
    return memo


@pytest.mark.parametrize("seed", range(8))
def test_order_is_the_recursive_procedure_written_with_a_stack(seed):
    loss, _ = random_graph(seed, n_ops=20)
    expected = recursive_order(loss)
    m = mistake(loss, "order")
    assert m.memo == {n: expected[n] for n in m.memo}


def test_the_table_marks_the_rows_that_differ():
    x = Value(3.0, "x")
    text = str(mistake(x * x, "set"))
    assert text == (
        'mistake "set": ' + KINDS["set"] + "\n"
        "   node  mistaken  correct\n"
        "   C     1         1\n"
        "≠  x     3         6\n"
        "1 of 2 entries differ (≠)\n")
    neg = Value(-3.0, "x")
    ascii_table = mistake(neg * neg, "overwrite").table(ascii=True)
    assert ascii_table.isascii() and "!=  x     -3        -6" in ascii_table


def test_long_names_stay_apart_in_the_table():
    a = Value(1.0, "a_rather_long_name_for_a_weight_" + "1")
    b = Value(2.0, "a_rather_long_name_for_a_weight_" + "2")
    rows = str(mistake(a * b + a, "overwrite")).splitlines()[2:-1]
    names = [row[3:].split("  ")[0] for row in rows]
    assert len(set(names)) == len(names) == 4


@pytest.mark.parametrize("kind", list(KINDS))
def test_no_recursion(kind):
    x = Value(0.5, "x")
    y = x
    for _ in range(20_000):
        y = y * 1.0001 + x  # x is shared by every link: shares from everywhere
    assert sys.getrecursionlimit() < 20_000
    m = mistake(y, kind)
    assert len(m.memo) == 2 * 20_000 + 1
    assert not any(isinstance(n, Constant) for n in m.memo)


def test_exported_from_autograd():
    for name in ("mistake", "Mistake"):
        assert name in autograd.__all__ and hasattr(autograd, name)
