"""The course's worked figures (../shared/COURSE.md), computed with Values."""

import math

import pytest

import autograd as ag
from autograd import Value


def layer(W, b, x, act):
    return [act(ag.dot(row, x) + bi) for row, bi in zip(W, b)]


def test_the_course_layer_figure():
    x = [1.0, -1.0]
    W = [[Value(1.0), Value(-2.0)], [Value(-1.0), Value(1.0)]]
    b = [Value(1.0), Value(0.0)]
    z = [ag.dot(row, x) + bi for row, bi in zip(W, b)]
    assert [zi.data for zi in z] == [4.0, -2.0]  # exact
    a = [zi.sigmoid() for zi in z]
    assert [round(ai.data, 2) for ai in a] == [0.98, 0.12]


def test_forward_pass_dz_dw_equals_the_input():
    x1, x2 = 1.0, -1.0
    w1, w2, b = Value(1.0), Value(-2.0), Value(1.0)
    z = ag.dot([w1, w2], [x1, x2]) + b
    z.backward()
    assert (w1.grad, w2.grad, b.grad) == (x1, x2, 1.0)
    # a weight fed by an earlier activation 0.12 has dz/dw = 0.12
    a = Value(-2.0).sigmoid()
    w = Value(0.7)
    z2 = ag.dot([w], [a])
    (dw,) = ag.grad(z2, [w])
    assert dw == pytest.approx(a.data) and round(dw, 2) == 0.12


def test_backward_pass_rule_for_a_sigmoid_feeding_two_neurons():
    # a = σ(z) feeds z' = w3·a and z'' = w4·a; C = z'^2/2 + 3 z''
    z = Value(0.4)
    a = z.sigmoid()
    w3, w4 = Value(0.6), Value(-0.3)
    z1, z2 = w3 * a, w4 * a
    C = z1 * z1 * 0.5 + z2 * 3.0
    memo = ag.memo_table(C)
    s = 1 / (1 + math.exp(-0.4))
    expected = s * (1 - s) * (w3.data * memo[z1] + w4.data * memo[z2])
    assert memo[z] == pytest.approx(expected, rel=1e-12)


def test_hard_sigmoid_is_two_relus():
    for x in (-1.0, 0.0, 0.25, 0.5, 1.0, 2.0):
        v = Value(x)
        assert (v.relu() - (v - 1).relu()).data == min(max(x, 0.0), 1.0)
