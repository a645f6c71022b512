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


def test_gradient_scales_the_gradient():
    x = Value(2.0)
    (x * x).backward(3.0)
    assert x.grad == 12.0


@pytest.mark.parametrize("gradient", ["1", None, [1.0], Value(1.0)])
def test_gradient_must_be_a_number(gradient):
    with pytest.raises(TypeError, match="backward: gradient must be a real number"):
        Value(1.0).backward(gradient)


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


def test_a_pass_keeps_its_memo_to_itself():
    """The memo and the user counts belong to the pass, not to the nodes: a node
    holds only what it is (data, grad, parents, local derivatives, op, label, ctx)."""
    assert set(Value.__slots__) == {"__weakref__", "data", "grad", "parents", "local_grads",
                                    "op", "label", "ctx"}
    x, w = Value(2.0), Value(-1.0)
    y = (x * w).tanh()
    ag.memo_table(y)
    ag.grad(y, [x])
    assert x.grad == 0.0 and w.grad == 0.0


@pytest.mark.parametrize("stop_after", [0, 1, 2])
def test_an_abandoned_pass_leaves_the_graph_usable(stop_after):
    from autograd.sweep import sweep

    x, t = Value(2.0), Value(3.0)
    u = x * 2
    y = u * t + u
    passes = sweep(y)
    for _ in range(stop_after + 1):
        next(passes)
    passes.close()  # as a Ctrl-C part-way through would
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


def test_threads_sweeping_a_shared_graph_get_exact_gradients():
    """Each pass owns its memo, so passes in two threads over one graph, switching
    mid-pass, give exactly the single-threaded numbers without any lock."""
    import sys
    import threading

    x = Value(0.5)
    h = x
    for i in range(300):  # a chain both losses share
        h = (h * 1.001 + 0.01 * (i % 3)).tanh()
    losses = [h * 2.0, h * h]
    expected = [grad(loss, [x])[0] for loss in losses]
    results: list[list[float]] = [[], []]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, mid-pass
    try:
        def run(k):
            for _ in range(40):
                results[k].append(grad(losses[k], [x])[0])

        threads = [threading.Thread(target=run, args=(k,)) for k in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(switch)
    assert results == [[expected[0]] * 40, [expected[1]] * 40]


def test_no_grad_in_one_thread_leaves_other_threads_recording():
    import threading

    inside, done = threading.Event(), threading.Event()
    recorded = []

    def quiet():
        with no_grad():
            inside.set()
            done.wait(5)
            recorded.append(("quiet", (Value(2.0) * 3).is_leaf))

    def busy():
        inside.wait(5)  # the other thread is inside no_grad now
        recorded.append(("busy", (Value(2.0) * 3).is_leaf))
        done.set()

    threads = [threading.Thread(target=quiet), threading.Thread(target=busy)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(recorded) == [("busy", False), ("quiet", True)]
    assert ag.is_grad_enabled() and not (Value(1.0) * 2).is_leaf


def test_overlapping_no_grad_blocks_in_two_threads_restore_each_own_mode():
    """A enters, B enters, A leaves, B leaves: with one process-wide flag B would
    restore 'off' after A restored 'on', leaving recording off for good."""
    import threading

    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    after = {}

    def a():
        with no_grad():
            a_in.set()
            b_in.wait(5)
        after["a"] = ag.is_grad_enabled()
        a_out.set()

    def b():
        a_in.wait(5)
        with no_grad():
            b_in.set()
            a_out.wait(5)
            after["b inside"] = ag.is_grad_enabled()
        after["b"] = ag.is_grad_enabled()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert after == {"a": True, "b inside": False, "b": True}
    assert ag.is_grad_enabled()


def test_no_grad_in_one_asyncio_task_leaves_the_others_recording():
    import asyncio

    async def quiet(gate):
        with no_grad():
            await gate.wait()
            return (Value(2.0) * 3).is_leaf

    async def busy(gate):
        await asyncio.sleep(0)  # quiet is suspended inside no_grad here
        leaf = (Value(2.0) * 3).is_leaf
        gate.set()
        return leaf

    async def main():
        gate = asyncio.Event()
        return await asyncio.gather(quiet(gate), busy(gate))

    assert asyncio.run(main()) == [True, False]
