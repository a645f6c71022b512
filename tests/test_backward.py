"""The memoized backward pass, grad, no_grad, detach, higher order."""

import math

import pytest

import autograd as ag
from autograd import Value, grad, no_grad


def test_shared_subexpression_gets_the_summed_gradient():
    x = Value(3.0)
    y = x * x  # x used twice by one node
    z = y + y  # y used twice
    z.backward()
    assert y.grad == 2.0
    assert x.grad == 12.0


def test_backward_twice_is_exactly_twice():
    a, b = Value(0.3), Value(-1.7)
    out = ((a * b).tanh() + a.exp() * b) ** 2
    out.backward()
    once = (a.grad, b.grad, out.grad)
    out.backward()
    assert (a.grad, b.grad, out.grad) == tuple(2 * g for g in once)


def test_seed_scales_the_gradient():
    x = Value(2.0)
    (x * x).backward(3.0)
    assert x.grad == 12.0


@pytest.mark.parametrize("seed", ["1", None, [1.0], Value(1.0)])
def test_seed_must_be_a_number(seed):
    with pytest.raises(TypeError, match="seed"):
        Value(1.0).backward(seed)


def test_zero_grad_clears_the_graph():
    x = Value(2.0)
    y = x * x + x
    y.backward()
    y.zero_grad()
    assert x.grad == 0.0 and y.grad == 0.0


def test_memo_table_holds_dC_dz_for_every_node():
    x = Value(2.0, "x")
    h = x * 3.0
    out = h.tanh()
    memo = ag.memo_table(out)
    assert memo[out] == 1.0
    assert memo[h] == pytest.approx(1 - math.tanh(6.0) ** 2)
    assert memo[x] == pytest.approx(3 * memo[h])
    assert x.grad == 0.0  # the table does not touch .grad


def test_topological_order_puts_parents_first():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    order = ag.topological_order(d)
    assert order[-1] is d
    for node in order:
        for p in node.parents:
            assert order.index(p) < order.index(node)


def _counts(root):
    return [n._users for n in ag.topological_order(root)]


def test_user_counts_are_back_to_zero_after_every_pass():
    x, w = Value(2.0), Value(-1.0)
    shared = x * w
    y = ag.sum([shared, shared * x, ag.dot([w, x], [x, shared])]).tanh()
    other = shared + 1  # a user outside y's graph
    for run in (y.backward, lambda: ag.memo_table(y), lambda: ag.grad(y, [x]),
                lambda: other.backward(), lambda: ag.topological_order(y)):
        run()
        assert set(_counts(y)) == {0} and set(_counts(other)) == {0}


@pytest.mark.parametrize("trip_on", [1, 2])  # 1: while counting users, 2: while filling the memo
def test_an_interrupted_pass_leaves_the_graph_usable(trip_on):
    reads = []

    class Tripwire(Value):
        """A leaf whose operand slot raises the ``trip_on``-th time a pass reads it."""

        __slots__ = ()

        @property
        def _b(self):
            reads.append(1)
            if len(reads) == trip_on:
                raise KeyboardInterrupt
            return None

        @_b.setter
        def _b(self, value):
            pass

    x, t = Value(2.0), Tripwire(3.0)
    u = x * 2
    y = u * t + u  # when the fill reaches t, x still waits for u
    with pytest.raises(KeyboardInterrupt):
        y.backward()
    assert set(_counts(y)) == {0}
    x.grad = t.grad = 0.0
    y.backward()
    assert (x.grad, t.grad) == (2 * (3.0 + 1), 4.0)


def test_a_million_node_chain():
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y + 1.0
    y.backward()
    assert x.grad == 1.0
    assert y.data == 1_000_001.0


def test_grad_leaves_dot_grad_alone():
    x, y = Value(2.0), Value(5.0)
    gx, gy = grad(x * y, [x, y])
    assert (gx, gy) == (5.0, 2.0)
    assert x.grad == 0.0


def test_grad_of_unreached_input_is_zero():
    x, y = Value(2.0), Value(5.0)
    assert grad(x * 2, [y]) == [0.0]


def test_grad_type_errors():
    with pytest.raises(TypeError):
        grad(1.0, [Value(1.0)])
    with pytest.raises(TypeError):
        grad(Value(1.0), [1.0])


@pytest.mark.parametrize(
    "f, d2",
    [
        (lambda x: x ** 3, lambda x: 6 * x),
        (lambda x: x.tanh(), lambda x: -2 * math.tanh(x) * (1 - math.tanh(x) ** 2)),
        (lambda x: x.sigmoid(),
         lambda x: (s := 1 / (1 + math.exp(-x))) * (1 - s) * (1 - 2 * s)),
        (lambda x: x.sin().exp(),
         lambda x: math.exp(math.sin(x)) * (math.cos(x) ** 2 - math.sin(x))),
        (lambda x: x.log() / x, lambda x: (2 * math.log(x) - 3) / x ** 3),
        (lambda x: x.sqrt(), lambda x: -0.25 * x ** -1.5),
    ],
)
def test_second_derivatives(f, d2):
    for x0 in (0.3, 1.1, 2.0):
        x = Value(x0)
        (g,) = grad(f(x), [x], create_graph=True)
        (gg,) = grad(g, [x])
        assert gg == pytest.approx(d2(x0), rel=1e-10)


def test_third_derivative_of_cube():
    x = Value(1.5)
    (g1,) = grad(x ** 3, x, create_graph=True)
    (g2,) = grad(g1, x, create_graph=True)
    (g3,) = grad(g2, x)
    assert (g1.data, g2.data, g3) == pytest.approx((6.75, 9.0, 6.0))


def test_mixed_second_derivative_through_dot():
    w, x = Value(2.0), Value(3.0)
    (gw,) = grad(ag.dot([w], [x]) * w, [w], create_graph=True)  # d/dw (w^2 x) = 2wx
    assert gw.data == 12.0
    assert grad(gw, [x, w]) == [4.0, 6.0]


def test_no_grad_records_nothing():
    x = Value(2.0)
    with no_grad():
        y = x * 3 + 1
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()
    assert y.is_leaf and y.data == 7.0
    y.backward()
    assert x.grad == 0.0


def test_no_grad_restores_on_error():
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError
    assert ag.is_grad_enabled()


def test_detach_cuts_the_graph():
    x = Value(2.0, "x")
    y = (x * x).detach()
    z = y * x
    z.backward()
    assert x.grad == 4.0  # only the direct use counts
    assert y.is_leaf and y.data == 4.0


def test_threads_backpropagating_through_a_shared_graph_get_exact_gradients():
    import sys
    import threading

    x = Value(0.5)
    h = x
    for i in range(300):  # a chain both losses share
        h = (h * 1.001 + 0.01 * (i % 3)).tanh()
    losses = [h * 2.0, h * h]
    expected = []
    for loss in losses:
        x.grad = 0.0
        loss.backward()
        expected.append(x.grad)
    x.grad = 0.0
    rounds = 40
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, mid-pass
    try:
        def train(loss):
            for _ in range(rounds):
                loss.backward()

        threads = [threading.Thread(target=train, args=(loss,)) for loss in losses]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(switch)
    assert x.grad == pytest.approx(rounds * sum(expected), rel=1e-12)
    assert set(_counts(losses[0])) == {0}
