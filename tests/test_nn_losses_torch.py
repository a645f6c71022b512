"""nn.functional and the loss modules against torch in float64: the same outputs, in the
same shapes, and the same gradients (for the inputs and for differentiable targets) to 1e-12."""

import math
import random
import re

import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402 - only once torch is known to be installed

import autograd as ag  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402
from autograd import Value  # noqa: E402

CLOSE = {"rel": 1e-12, "abs": 1e-14}
REDUCTIONS = ["mean", "sum", "none"]


def as_values(x):
    return [as_values(item) for item in x] if isinstance(x, list) else Value(x)


def flatten(x):
    return [v for item in x for v in flatten(item)] if isinstance(x, list) else [x]


def as_tensor(x, requires_grad=False):
    return torch.tensor(x, dtype=torch.float64, requires_grad=requires_grad)


def check(ours, theirs, x, target=None, *, target_grad=False, seed=0):
    """``ours`` on Values and ``theirs`` on float64 tensors give the same numbers in the same
    shape, and the same gradient of a random weighting of the outputs for ``x`` (and the
    target, with ``target_grad``). A target of ints is passed to torch as class indices."""
    xv, xt = as_values(x), as_tensor(x, requires_grad=True)
    args_ours, args_theirs, leaves_ours, leaves_theirs = [xv], [xt], flatten(xv), [xt]
    if target is not None:
        if target_grad:
            tv, tt = as_values(target), as_tensor(target, requires_grad=True)
            leaves_ours, leaves_theirs = leaves_ours + flatten(tv), [xt, tt]
        elif all(isinstance(t, int) for t in flatten(target)):
            tv, tt = target, torch.tensor(target)
        else:
            tv, tt = target, as_tensor(target)
        args_ours.append(tv)
        args_theirs.append(tt)
    out, expected = ours(*args_ours), theirs(*args_theirs)

    assert F.shape(out) == tuple(expected.shape)
    got = [v.data for v in flatten(out)]
    assert got == pytest.approx(expected.flatten().tolist(), **CLOSE)

    rng = random.Random(seed)
    weights = [rng.uniform(-2, 2) for _ in got]
    grads = ag.grad(ag.dot(flatten(out), weights), leaves_ours)
    total = (expected * as_tensor(weights).reshape(expected.shape)).sum()
    expected_grads = torch.autograd.grad(total, leaves_theirs)
    assert grads == pytest.approx([g for t in expected_grads for g in t.flatten().tolist()],
                                  **CLOSE)
    return out


def uniform(rng, *shape, low=-3.0, high=3.0):
    if not shape:
        return rng.uniform(low, high)
    return [uniform(rng, *shape[1:], low=low, high=high) for _ in range(shape[0])]


def probabilities(rng, n, c):
    rows = [[rng.uniform(0.05, 1) for _ in range(c)] for _ in range(n)]
    return [[p / math.fsum(row) for p in row] for row in rows]


# -- elementwise --------------------------------------------------------------------------
@pytest.mark.parametrize("ours, theirs", [
    (F.relu, TF.relu),
    (F.sigmoid, torch.sigmoid),
    (F.tanh, torch.tanh),
    (F.leaky_relu, TF.leaky_relu),
    (lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2)),
    (lambda x: F.leaky_relu(x, negative_slope=0.2),
     lambda x: TF.leaky_relu(x, negative_slope=0.2)),
])
@pytest.mark.parametrize("shape", [(), (5,), (4, 3)])
def test_elementwise_functions_keep_the_shape_and_match_torch(ours, theirs, shape):
    check(ours, theirs, uniform(random.Random(1), *shape))


# -- softmax ------------------------------------------------------------------------------
@pytest.mark.parametrize("ours, theirs", [(F.softmax, TF.softmax),
                                          (F.log_softmax, TF.log_softmax)])
@pytest.mark.parametrize("shape, dim", [
    ((), -1), ((6,), -1), ((6,), 0), ((4, 5), -1), ((4, 5), 1), ((4, 5), 0), ((4, 5), -2),
    ((2, 3, 4), 0), ((2, 3, 4), 1), ((2, 3, 4), -1),
])
def test_softmax_and_log_softmax_along_any_dim_match_torch(ours, theirs, shape, dim):
    x = uniform(random.Random(sum(shape) + dim), *shape)
    check(lambda v: ours(v, dim=dim), lambda t: theirs(t, dim=dim), x)
    check(lambda v: ours(v, dim), lambda t: theirs(t, dim), x)


@pytest.mark.parametrize("x", [[1000.0, 0.0], [-1000.0, 0.0], [1e6, 1e6], [[1000.0, 0.0],
                                                                          [0.0, -800.0]]])
def test_softmax_of_large_inputs_matches_torch(x):
    out = check(F.softmax, lambda t: TF.softmax(t, dim=-1), x)
    check(F.log_softmax, lambda t: TF.log_softmax(t, dim=-1), x)
    if x == [1000.0, 0.0]:
        assert [p.data for p in out] == [1.0, 0.0]
        assert [v.data for v in F.log_softmax(x)] == [0.0, -1000.0]


def test_softmax_dim_out_of_range_is_an_index_error_as_in_torch():
    with pytest.raises(IndexError, match=re.escape(
            "softmax: dim 2 is out of range for an input of shape (2, 3) (expected -2 to 1)")):
        F.softmax([[1.0, 2.0, 3.0]] * 2, dim=2)
    with pytest.raises(IndexError):
        TF.softmax(torch.zeros(2, 3), dim=2)


def test_nn_softmax_and_log_softmax_are_the_functional_ones():
    assert nn.softmax is F.softmax and nn.log_softmax is F.log_softmax


# -- mse and l1 ---------------------------------------------------------------------------
@pytest.mark.parametrize("ours, theirs", [(F.mse_loss, TF.mse_loss), (F.l1_loss, TF.l1_loss)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(), (5,), (6, 3), (7, 1)])
def test_mse_and_l1_match_torch(ours, theirs, reduction, shape):
    rng = random.Random(len(shape) * 10 + sum(shape))
    x, t = uniform(rng, *shape), uniform(rng, *shape)
    check(lambda v, w: ours(v, w, reduction=reduction),
          lambda v, w: theirs(v, w, reduction=reduction), x, t, target_grad=True)


@pytest.mark.parametrize("module, theirs", [(nn.MSELoss, torch.nn.MSELoss),
                                            (nn.L1Loss, torch.nn.L1Loss)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_a_one_output_batch_takes_plain_number_targets_without_squeeze(module, theirs,
                                                                        reduction):
    rng = random.Random(4)
    x, t = uniform(rng, 6, 1), uniform(rng, 6)
    # torch needs the target as (6, 1) (a (6,) target would broadcast to (6, 6))
    out = check(lambda v, w: module(reduction=reduction)(v, w),
                lambda v, w: theirs(reduction=reduction)(v, w.unsqueeze(1)), x, t)
    if reduction == "none":
        assert F.shape(out) == (6, 1)  # the input's shape
    # one sample of one output against one number
    check(lambda v, w: module(reduction=reduction)(v, w),
          lambda v, w: theirs(reduction=reduction)(v, w.reshape(1)), [0.5], 2.0)


# -- cross-entropy ------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_class_indices_matches_torch(reduction):
    rng = random.Random(5)
    x = uniform(rng, 8, 4)
    target = [rng.randrange(4) for _ in range(8)]
    check(lambda v, t: F.cross_entropy(v, t, reduction=reduction),
          lambda v, t: TF.cross_entropy(v, t, reduction=reduction), x, target)
    check(lambda v, t: nn.CrossEntropyLoss(reduction=reduction)(v, t),
          torch.nn.CrossEntropyLoss(reduction=reduction), x, target)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_probabilities_matches_torch(reduction):
    rng = random.Random(6)
    x, target = uniform(rng, 7, 3), probabilities(rng, 7, 3)
    check(lambda v, t: F.cross_entropy(v, t, reduction=reduction),
          lambda v, t: TF.cross_entropy(v, t, reduction=reduction), x, target, target_grad=True)
    one_hot = [[1.0 if j == k else 0.0 for j in range(3)] for k in (0, 2, 1, 1, 0, 2, 2)]
    check(lambda v, t: nn.CrossEntropyLoss(reduction=reduction)(v, t),
          torch.nn.CrossEntropyLoss(reduction=reduction), x, one_hot)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_of_one_sample_matches_torch(reduction):
    rng = random.Random(7)
    x = uniform(rng, 5)
    out = check(lambda v, t: F.cross_entropy(v, t, reduction=reduction),
                lambda v, t: TF.cross_entropy(v, t, reduction=reduction), x, 3)
    assert isinstance(out, Value)  # one sample: one loss, whatever the reduction
    check(lambda v, t: F.cross_entropy(v, t, reduction=reduction),
          lambda v, t: TF.cross_entropy(v, t, reduction=reduction), x,
          probabilities(rng, 1, 5)[0], target_grad=True)


def test_cross_entropy_of_large_logits_matches_torch():
    x = [[1000.0, 0.0, -5.0], [0.0, 1000.0, 999.0], [-1000.0, -1000.0, 0.0]]
    out = check(lambda v, t: F.cross_entropy(v, t, reduction="none"),
                lambda v, t: TF.cross_entropy(v, t, reduction="none"), x, [1, 1, 2])
    assert out[0].data == 1000.0
    check(F.cross_entropy, TF.cross_entropy, x, [[0.5, 0.5, 0.0]] * 3)


def test_nn_cross_entropy_is_the_functional_one():
    assert nn.cross_entropy is F.cross_entropy


# -- binary cross-entropy with logits -----------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(), (6,), (5, 2)])
def test_binary_cross_entropy_with_logits_matches_torch(reduction, shape):
    rng = random.Random(8 + len(shape))
    x, t = uniform(rng, *shape, low=-4, high=4), uniform(rng, *shape, low=0, high=1)
    check(lambda v, w: F.binary_cross_entropy_with_logits(v, w, reduction=reduction),
          lambda v, w: TF.binary_cross_entropy_with_logits(v, w, reduction=reduction),
          x, t, target_grad=True)
    check(lambda v, w: nn.BCEWithLogitsLoss(reduction=reduction)(v, w),
          torch.nn.BCEWithLogitsLoss(reduction=reduction), x, t)


def test_binary_cross_entropy_with_logits_at_plus_and_minus_50_matches_torch():
    x = [50.0, 50.0, 50.0, -50.0, -50.0, -50.0]
    t = [1.0, 0.0, 0.3, 1.0, 0.0, 0.3]
    check(lambda v, w: F.binary_cross_entropy_with_logits(v, w, reduction="none"),
          lambda v, w: TF.binary_cross_entropy_with_logits(v, w, reduction="none"),
          x, t, target_grad=True)
    check(F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits, x, t)


def test_nn_binary_cross_entropy_is_the_functional_one_with_logits():
    assert nn.binary_cross_entropy is F.binary_cross_entropy_with_logits
    assert nn.mse is F.mse_loss


# -- modules ------------------------------------------------------------------------------
@pytest.mark.parametrize("ours, theirs", [
    (nn.MSELoss, torch.nn.MSELoss), (nn.L1Loss, torch.nn.L1Loss),
    (nn.CrossEntropyLoss, torch.nn.CrossEntropyLoss),
    (nn.BCEWithLogitsLoss, torch.nn.BCEWithLogitsLoss),
])
def test_loss_modules_are_modules_printed_as_torch_prints_them(ours, theirs):
    for reduction in REDUCTIONS:
        loss = ours(reduction=reduction)
        assert isinstance(loss, nn.Module)
        assert loss.reduction == reduction
        assert loss.parameters() == []
        assert repr(loss) == repr(theirs(reduction=reduction)) == f"{ours.__name__}()"


@pytest.mark.parametrize("module", [nn.MSELoss, nn.L1Loss, nn.CrossEntropyLoss,
                                    nn.BCEWithLogitsLoss])
def test_an_unknown_reduction_is_refused_when_the_loss_is_made(module):
    with pytest.raises(ValueError, match=re.escape(
            f"{module.__name__}: reduction must be 'mean', 'sum' or 'none', got 'avg'")):
        module(reduction="avg")
    with pytest.raises(ValueError):  # torch refuses it too, but only when called
        torch.nn.MSELoss(reduction="avg")(torch.zeros(1), torch.zeros(1))


@pytest.mark.parametrize("fn", [F.mse_loss, F.l1_loss, F.binary_cross_entropy_with_logits,
                                F.cross_entropy])
def test_an_unknown_reduction_is_refused_by_the_functions(fn):
    with pytest.raises(ValueError, match="reduction must be 'mean', 'sum' or 'none', got None"):
        fn([0.5, 0.5], [0, 1] if fn is not F.cross_entropy else 1, reduction=None)


# -- shapes -------------------------------------------------------------------------------
@pytest.mark.parametrize("fn, name", [
    (F.mse_loss, "mse_loss"), (F.l1_loss, "l1_loss"),
    (F.binary_cross_entropy_with_logits, "binary_cross_entropy_with_logits"),
    (nn.mse, "mse_loss"), (nn.MSELoss(), "mse_loss"), (nn.BCEWithLogitsLoss(reduction="none"),
                                                        "binary_cross_entropy_with_logits"),
])
def test_mismatched_shapes_name_both_shapes(fn, name):
    batch = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]
    cases = [
        (batch, [0.0, 1.0], "(2, 3)", "(2,)"),
        (batch, [[0.0, 1.0, 0.0]], "(2, 3)", "(1, 3)"),
        ([0.1, 0.2, 0.3], 1.0, "(3,)", "()"),  # the course's mse of 3 outputs against a number
        ([0.1], [0.0, 1.0], "(1,)", "(2,)"),
        ([[0.1], [0.2]], [[0.0, 1.0]], "(2, 1)", "(1, 2)"),
    ]
    for x, t, xs, ts in cases:
        with pytest.raises(ValueError, match=re.escape(
                f"{name}: input has shape {xs} but target has shape {ts}")):
            fn(x, t)


def test_cross_entropy_shape_errors_name_both_shapes():
    batch = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]
    with pytest.raises(ValueError, match=re.escape(
            "cross_entropy: input has shape (2, 3) but target has shape (3,); expected (2,) "
            "class indices or (2, 3) probabilities")):
        F.cross_entropy(batch, [0, 1, 2])
    with pytest.raises(ValueError, match=re.escape("input has shape (2, 3) but target has "
                                                   "shape (2, 2)")):
        nn.CrossEntropyLoss()(batch, [[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(ValueError, match=re.escape("input has shape (2, 3) but target has "
                                                   "shape ()")):
        F.cross_entropy(batch, 1)
    with pytest.raises(ValueError, match=re.escape("got shape (2, 1, 3)")):
        F.cross_entropy([[[0.1, 0.2, 0.3]], [[0.1, 0.2, 0.3]]], [0, 1])
    with pytest.raises(ValueError, match="class 3 out of range for 3 logits"):
        F.cross_entropy(batch, [0, 3])
    with pytest.raises(TypeError, match="class index"):
        F.cross_entropy(batch, [0, 1.0])


def test_ragged_input_is_refused():
    with pytest.raises(ValueError, match=re.escape(
            "mse_loss: input is ragged: it holds items of shapes (2,) and (1,)")):
        F.mse_loss([[0.1, 0.2], [0.3]], [[0.0, 0.0], [0.0]])
    with pytest.raises(TypeError, match="mse_loss: target must be a Value, a number or a list"):
        F.mse_loss([0.1], ["a"])
