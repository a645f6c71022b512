"""softmax/log_softmax and the losses: hand-computed values, stability, finite differences,
shapes, reductions and the loss modules (torch's own numbers: test_nn_losses_torch.py)."""

import math
import random
import re

import pytest
from conftest import central_difference

import autograd as ag
import nn
from autograd import Value


def values(xs):
    return [Value(x) for x in xs]


def fd_check(loss_of_floats, xs, rel=1e-6):
    """The engine's gradient of loss_of_floats(Values) vs central differences on floats."""
    vs = values(xs)
    out = loss_of_floats(*vs)
    grads = ag.grad(out, vs)
    for i in range(len(xs)):
        numeric = central_difference(lambda *f: loss_of_floats(*f).data, xs, i)
        assert grads[i] == pytest.approx(numeric, rel=rel, abs=1e-7), i


def test_the_course_softmax_figure():
    probs = nn.softmax([1, 2, 3, 4, 1, 2, 3])
    assert [round(p.data, 3) for p in probs] == [0.024, 0.064, 0.175, 0.475, 0.024, 0.064, 0.175]
    assert math.fsum(p.data for p in probs) == pytest.approx(1.0, abs=1e-15)


def test_softmax_is_stable_for_large_inputs():
    assert [p.data for p in nn.softmax([1000, 0])] == [1.0, 0.0]
    assert [p.data for p in nn.softmax([-1000, 0])] == [0.0, 1.0]
    assert [p.data for p in nn.softmax([1e6, 1e6])] == [0.5, 0.5]
    assert [p.data for p in nn.log_softmax([1000, 0])] == [0.0, -1000.0]
    assert nn.logsumexp([1000.0, 1000.0]).data == pytest.approx(1000 + math.log(2), rel=1e-15)


def test_softmax_jacobian():
    xs = [0.3, -1.2, 2.0]
    vs = values(xs)
    s = [p.data for p in nn.softmax(xs)]
    for i in range(3):
        row = ag.grad(nn.softmax(vs)[i], vs)
        expected = [s[i] * ((i == j) - s[j]) for j in range(3)]
        assert row == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_log_softmax_values_and_gradient():
    xs = [0.5, -2.0, 1.5, 0.0]
    total = math.log(sum(math.exp(x) for x in xs))
    assert [v.data for v in nn.log_softmax(xs)] == pytest.approx([x - total for x in xs],
                                                                  rel=1e-14)
    fd_check(lambda *v: nn.log_softmax(list(v))[2] * 1.0, xs)
    fd_check(lambda *v: nn.logsumexp(list(v)), xs)


def test_softmax_needs_input():
    with pytest.raises(ValueError, match="softmax: needs at least one value"):
        nn.softmax([])
    with pytest.raises(TypeError, match="softmax"):
        nn.softmax(["a"])


# -- cross entropy ------------------------------------------------------------------
def test_cross_entropy_with_a_class_index_by_hand():
    logits = values([1.0, 2.0, 3.0])
    loss = nn.cross_entropy(logits, 2)
    expected = math.log(math.e + math.e ** 2 + math.e ** 3) - 3
    assert loss.data == pytest.approx(expected, rel=1e-14)
    loss.backward()
    s = [p.data for p in nn.softmax([1.0, 2.0, 3.0])]
    assert [z.grad for z in logits] == pytest.approx([s[0], s[1], s[2] - 1], rel=1e-12)


def test_cross_entropy_is_stable():
    assert nn.cross_entropy([1000.0, 0.0], 1).data == 1000.0
    assert nn.cross_entropy([1000.0, 0.0], 0).data == 0.0


def test_cross_entropy_with_one_hot_and_probability_targets():
    xs = [0.2, -0.7, 1.1]
    by_index = nn.cross_entropy(xs, 1).data
    assert nn.cross_entropy(xs, [0, 1, 0]).data == pytest.approx(by_index, rel=1e-14)
    assert nn.cross_entropy(xs, [0.0, 1.0, 0.0]).data == pytest.approx(by_index, rel=1e-14)
    t = [0.2, 0.5, 0.3]
    logp = [v.data for v in nn.log_softmax(xs)]
    expected = -sum(ti * lp for ti, lp in zip(t, logp))
    assert nn.cross_entropy(xs, t).data == pytest.approx(expected, rel=1e-14)
    fd_check(lambda *v: nn.cross_entropy(list(v), t), xs)
    # a target of Values (a traced input): d loss / d t_i = -log p_i
    tv = values(t)
    grads = ag.grad(nn.cross_entropy(xs, tv), tv)
    assert grads == pytest.approx([-lp for lp in logp], rel=1e-12)


def test_cross_entropy_bad_targets():
    with pytest.raises(ValueError, match="class 3 out of range for 3 logits"):
        nn.cross_entropy([1.0, 2.0, 3.0], 3)
    with pytest.raises(ValueError, match="class -1 out of range"):
        nn.cross_entropy([1.0, 2.0, 3.0], -1)
    with pytest.raises(ValueError, match=re.escape(
            "input has shape (3,) but target has shape (2,); expected a class index or (3,) "
            "probabilities")):
        nn.cross_entropy([1.0, 2.0, 3.0], [0, 1])
    with pytest.raises(TypeError, match="class index"):
        nn.cross_entropy([1.0, 2.0], True)
    with pytest.raises(TypeError, match="class index"):
        nn.cross_entropy([1.0, 2.0], 0.5)
    with pytest.raises(ValueError, match="at least one logit"):
        nn.cross_entropy([], 0)


# -- binary cross entropy, hinge, mse -----------------------------------------------------
def test_binary_cross_entropy_by_hand_and_stable():
    assert nn.binary_cross_entropy(0.0, 1).data == pytest.approx(math.log(2), rel=1e-15)
    s = 1 / (1 + math.exp(-2.0))
    expected = -(0.25 * math.log(s) + 0.75 * math.log(1 - s))
    assert nn.binary_cross_entropy(2.0, 0.25).data == pytest.approx(expected, rel=1e-14)
    assert nn.binary_cross_entropy(1000.0, 1).data == 0.0
    assert nn.binary_cross_entropy(1000.0, 0).data == 1000.0
    assert nn.binary_cross_entropy(-1000.0, 0).data == 0.0
    z = Value(0.7)
    nn.binary_cross_entropy(z, 1.0).backward()
    assert z.grad == pytest.approx(1 / (1 + math.exp(-0.7)) - 1, rel=1e-12)  # σ(z) - t
    fd_check(lambda zv, tv: nn.binary_cross_entropy(zv, tv), [-0.4, 0.3])


def test_binary_cross_entropy_bad_targets():
    with pytest.raises(ValueError, match=r"target must be in \[0, 1\], got 2"):
        nn.binary_cross_entropy(0.0, 2)
    with pytest.raises(TypeError, match="binary_cross_entropy"):
        nn.binary_cross_entropy(0.0, "1")


def test_hinge_is_micrograds_max_margin():
    assert nn.hinge(0.3, 1).data == pytest.approx(0.7, rel=1e-15)
    assert nn.hinge(0.3, -1).data == pytest.approx(1.3, rel=1e-15)
    assert nn.hinge(2.0, 1).data == 0.0
    s = Value(0.3)
    nn.hinge(s, -1).backward()
    assert s.grad == 1.0  # d relu(1 + s)/ds
    s = Value(2.0)
    nn.hinge(s, 1).backward()
    assert s.grad == 0.0
    with pytest.raises(ValueError, match="-1 or \\+1, got 0"):
        nn.hinge(0.3, 0)
    # a one-output layer's [s] against a label; a list of scores: their mean
    assert nn.hinge([Value(0.3)], -1).data == pytest.approx(1.3, rel=1e-15)
    assert nn.hinge([0.3, 2.0], [1, 1]).data == pytest.approx(0.35, rel=1e-15)
    with pytest.raises(ValueError, match=re.escape(
            "hinge: input has shape (2,) but target has shape ()")):
        nn.hinge([0.3, 2.0], 1)


def test_mse_single_and_mean():
    assert nn.mse(Value(3.0), 1.0).data == 4.0
    preds = values([1.0, 2.0, 4.0])
    loss = nn.mse(preds, [1.5, 2.0, 1.0])
    assert loss.data == pytest.approx((0.25 + 0 + 9) / 3, rel=1e-15)
    loss.backward()
    assert [p.grad for p in preds] == pytest.approx([2 * -0.5 / 3, 0.0, 2 * 3 / 3], rel=1e-14)
    with pytest.raises(ValueError,
                       match=re.escape("input has shape (3,) but target has shape (2,)")):
        nn.mse(preds, [1.0, 2.0])


def test_losses_match_finite_differences_on_random_inputs():
    rng = random.Random(3)
    for _ in range(5):
        xs = [rng.uniform(-3, 3) for _ in range(4)]
        k = rng.randrange(4)
        fd_check(lambda *v, k=k: nn.cross_entropy(list(v), k), xs)
        fd_check(lambda *v: nn.mse(list(v), [0.5, -0.5, 1.0, 0.0]), xs)
        fd_check(lambda a, b, c, d: nn.binary_cross_entropy(a * b + c, 0.3) * d, xs)


# -- L2 penalty ---------------------------------------------------------------------------
def test_l2_penalty_over_weights_only_by_default():
    m = nn.MLP(2, [2, 1], seed=0)
    for p in m.parameters():
        p.data = 0.5
    weights = [p for n, p in m.named_parameters() if not n.endswith(".b")]
    assert len(weights) == 6
    pen = nn.l2_penalty(m, 0.1)
    assert pen.data == pytest.approx(0.1 * 6 * 0.25, rel=1e-15)
    pen.backward()
    for name, p in m.named_parameters():
        assert p.grad == (0.0 if name.endswith(".b") else pytest.approx(2 * 0.1 * 0.5))
    assert nn.l2_penalty(m, 0.1, include_bias=True).data == pytest.approx(0.1 * 9 * 0.25)
    vs = values([1.0, -2.0])
    assert nn.l2_penalty(vs, 0.5).data == 2.5
    with pytest.raises(ValueError, match="lam must be a number >= 0"):
        nn.l2_penalty(m, -1.0)


# -- torch's names: reductions, shapes, modules (torch's numbers: test_nn_losses_torch.py) ----
def test_reductions_by_hand():
    preds = [[Value(1.0), Value(2.0)], [Value(4.0), Value(0.0)]]
    targets = [[0.0, 0.0], [1.0, 1.0]]
    assert nn.functional.mse_loss(preds, targets).data == (1 + 4 + 9 + 1) / 4
    assert nn.functional.mse_loss(preds, targets, reduction="sum").data == 15.0
    none = nn.functional.l1_loss(preds, targets, reduction="none")
    assert [[v.data for v in row] for row in none] == [[1.0, 2.0], [3.0, 1.0]]
    assert nn.MSELoss(reduction="sum")(Value(3.0), 1.0).data == 4.0
    losses = nn.CrossEntropyLoss(reduction="none")([[0.0, 0.0], [0.0, math.log(3)]], [0, 1])
    assert [v.data for v in losses] == pytest.approx([math.log(2), math.log(4 / 3)], rel=1e-15)


def test_one_output_and_a_number_are_the_same_shape():
    # the course's one-output regression: no .squeeze(1) on the outputs
    out = [[Value(1.0)], [Value(3.0)]]
    assert nn.MSELoss()(out, [0.0, 1.0]).data == 2.5
    assert nn.mse([Value(3.0)], 1.0).data == 4.0
    assert nn.mse(Value(3.0), [1.0]).data == 4.0
    t = Value(1.0)  # a target that is a Value: a traced input in the compiled replay
    assert nn.binary_cross_entropy([Value(0.0)], t).data == pytest.approx(math.log(2))


def test_softmax_and_cross_entropy_shift_by_a_max_node():
    logits = values([0.5, 2.0, -1.0])
    for out in (nn.cross_entropy(logits, 1), nn.softmax(logits)[0], nn.log_softmax(logits)[0],
                nn.logsumexp(logits)):
        assert "max" in [v.op for v in ag.topological_order(out)]


def test_a_recorded_cross_entropy_shifts_each_sample_by_its_own_max():
    np = pytest.importorskip("numpy")
    w = Value(0.0, "w")
    # traced at logits (0, 0); a shift baked in from that sample would overflow at 1000
    prog = ag.compile(lambda a, b: nn.cross_entropy([a + w, b], 0), [0.0, 0.0])
    a, b = np.array([1000.0, 0.0, -1000.0]), np.array([0.0, 1000.0, 0.0])
    assert prog(a, b).tolist() == [0.0, 1000.0, 1000.0]
    _, grad = prog.gradients(a, b)
    assert grad.tolist() == [-2.0]  # d/dw = softmax_0 - 1: 0, -1 and -1


def test_loss_modules_and_reductions():
    assert repr(nn.CrossEntropyLoss(reduction="sum")) == "CrossEntropyLoss()"
    with pytest.raises(ValueError, match="MSELoss: reduction must be 'mean', 'sum' or 'none', "
                                         "got 'average'"):
        nn.MSELoss(reduction="average")
    with pytest.raises(TypeError):
        nn.MSELoss("sum")  # as in torch, whose first argument is not the reduction
