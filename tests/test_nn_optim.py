"""nn.optim: update formulas by hand and against PyTorch itself, schedules, clipping."""

import math

import pytest

import nn
from autograd import Value
from nn import optim

TORCH_MISSING = "PyTorch is not installed (CI installs torch==2.13.0)"


def params(*xs):
    return [Value(x, f"p{i}") for i, x in enumerate(xs)]


def run(opt, ps, grads):
    """Apply one step per gradient vector in ``grads``; returns the trajectory of p.data."""
    seen = []
    for g in grads:
        opt.zero_grad()
        for p, gi in zip(ps, g):
            p.grad = gi
        opt.step()
        seen.append([p.data for p in ps])
    return seen


# -- hand-computed steps ----------------------------------------------------------------
def test_sgd_plain_and_weight_decay_by_hand():
    (p,) = ps = params(1.0)
    assert run(optim.SGD(ps, lr=0.1), ps, [[0.5]]) == [[0.95]]
    (p,) = ps = params(1.0)
    run(optim.SGD(ps, lr=1.0, weight_decay=0.1), ps, [[0.0]])
    assert p.data == pytest.approx(0.9, rel=1e-15)  # g = 0 + 0.1 * 1


def test_sgd_momentum_and_nesterov_by_hand():
    ps = params(1.0)
    traj = run(optim.SGD(ps, lr=0.1, momentum=0.9), ps, [[1.0], [1.0]])
    # b1 = 1 -> p = 0.9; b2 = 0.9*1 + 1 = 1.9 -> p = 0.9 - 0.19
    assert traj == [[pytest.approx(0.9)], [pytest.approx(0.71)]]
    ps = params(1.0)
    traj = run(optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True), ps, [[1.0], [1.0]])
    # step uses g + 0.9 b: 1.9 then 1 + 0.9 * 1.9 = 2.71
    assert traj == [[pytest.approx(0.81)], [pytest.approx(0.539)]]
    ps = params(1.0)
    traj = run(optim.SGD(ps, lr=0.1, momentum=0.5, dampening=0.5), ps, [[1.0], [1.0]])
    # b1 = g = 1 (no dampening on the first step), b2 = 0.5 + 0.5 * 1 = 1
    assert traj == [[pytest.approx(0.9)], [pytest.approx(0.8)]]


def test_adam_first_steps_by_hand():
    ps = params(1.0)
    traj = run(optim.Adam(ps, lr=0.1), ps, [[0.5], [-0.5]])
    # step 1: m^ = g, v^ = g^2, so the step is lr * g / (|g| + eps)
    p1 = 1 - 0.1 * 0.5 / (0.5 + 1e-8)
    assert traj[0][0] == pytest.approx(p1, rel=1e-12)
    # step 2: m = 0.9*0.05 + 0.1*(-0.5) = -0.005, v = 0.999*0.00025 + 0.001*0.25 = 0.0004997...
    m = 0.9 * 0.05 + 0.1 * -0.5
    v = 0.999 * (0.001 * 0.25) + 0.001 * 0.25
    step = 0.1 / (1 - 0.9 ** 2) * m / (math.sqrt(v) / math.sqrt(1 - 0.999 ** 2) + 1e-8)
    assert traj[1][0] == pytest.approx(p1 - step, rel=1e-12)


def test_rmsprop_and_adagrad_first_steps_by_hand():
    ps = params(1.0)
    run(optim.RMSprop(ps, lr=0.01), ps, [[0.5]])
    # s = 0.01 * 0.25; step = 0.01 * 0.5 / (0.05 + 1e-8)
    assert ps[0].data == pytest.approx(1 - 0.005 / (0.05 + 1e-8), rel=1e-12)
    ps = params(1.0)
    traj = run(optim.Adagrad(ps, lr=0.1, lr_decay=0.5), ps, [[0.5], [0.5]])
    p1 = 1 - 0.1 * 0.5 / (0.5 + 1e-10)
    # step 2: lr / (1 + 1 * 0.5), sum of squares 0.5
    p2 = p1 - 0.1 / 1.5 * 0.5 / (math.sqrt(0.5) + 1e-10)
    assert traj == [[pytest.approx(p1, rel=1e-12)], [pytest.approx(p2, rel=1e-12)]]


def test_zero_grad_and_a_model_as_params():
    m = nn.MLP(2, [2, 1], seed=0)
    opt = optim.SGD(m, lr=0.1)
    assert opt.params == m.parameters()
    m([1.0, 1.0]).backward()
    opt.zero_grad()
    assert all(p.grad == 0.0 for p in m.parameters())


# -- against PyTorch ------------------------------------------------------------------------
CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.5, "dampening": 0.3}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1,
               "amsgrad": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "weight_decay": 0.05}),
    ("RMSprop", {"lr": 0.005, "centered": True, "momentum": 0.3}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.02,
                 "initial_accumulator_value": 0.1, "eps": 1e-6}),
]


def gradient(ps_data, t):
    """A gradient that depends on the point, so trajectories must agree step by step."""
    return [3 * math.sin(x) + 0.1 * i - 0.05 * t for i, x in enumerate(ps_data)]


def steps_beside_torch(torch, name, kwargs, start, steps, gradient):
    """Step ``optim.<name>`` and ``torch.optim.<name>``, built with ``kwargs``, from the
    point ``start``, each with ``gradient(its point, t)``; after every step assert the
    points agree to 1e-12, then yield (ours, torch's optimizer, torch's parameters)."""
    ps = params(*start)
    ours = getattr(optim, name)(ps, **kwargs)
    tp = [torch.nn.Parameter(torch.tensor(x, dtype=torch.float64)) for x in start]
    theirs = getattr(torch.optim, name)(tp, **kwargs)
    for t in range(steps):
        for p, gi in zip(ps, gradient([p.data for p in ps], t)):
            p.grad = gi
        ours.step()
        for p, gi in zip(tp, gradient([p.item() for p in tp], t)):
            p.grad = torch.tensor(gi, dtype=torch.float64)
        theirs.step()
        assert [p.data for p in ps] == pytest.approx([p.item() for p in tp], rel=1e-12,
                                                     abs=1e-14), t
        yield ours, theirs, tp


@pytest.mark.parametrize(("name", "kwargs"), CASES)
def test_optimizers_match_torch_over_twenty_steps(name, kwargs):
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)
    for _ in steps_beside_torch(torch, name, kwargs, [1.0, -0.5, 2.0, 0.0], 20, gradient):
        pass  # each step is compared inside


OPTIMIZERS = [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad]
WITH_EPS = [optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad]


def bad_hyperparameters():
    """(optimizer class, keyword arguments, the argument's name, the bad value)."""
    for cls in OPTIMIZERS:
        for lr in [0, 0.0, -0.1, math.nan, math.inf, -math.inf, True, "0.1", None]:
            yield cls, {"lr": lr}, "lr", lr
        yield cls, {"weight_decay": -1}, "weight_decay", -1
        yield cls, {"weight_decay": math.nan}, "weight_decay", math.nan
    for cls in WITH_EPS:
        for eps in [0, 0.0, -1e-8, math.inf, math.nan]:
            yield cls, {"eps": eps}, "eps", eps
    for cls in [optim.SGD, optim.RMSprop]:
        for momentum in [-0.5, -1e-300, 1.0, 1.5, math.inf]:
            yield cls, {"momentum": momentum}, "momentum", momentum
    for cls in [optim.Adam, optim.AdamW]:
        for b1, b2, which in [(1.0, 0.999, "beta1"), (-0.1, 0.999, "beta1"),
                              (0.9, 1.0, "beta2"), (0.9, -0.1, "beta2"),
                              (math.nan, 0.999, "beta1"), (0.9, math.inf, "beta2")]:
            yield cls, {"betas": (b1, b2)}, which, b1 if which == "beta1" else b2
    yield optim.RMSprop, {"alpha": 1.0}, "alpha", 1.0
    yield optim.SGD, {"dampening": -0.1}, "dampening", -0.1
    yield optim.Adagrad, {"lr_decay": -0.1}, "lr_decay", -0.1
    yield optim.Adagrad, {"initial_accumulator_value": -1}, "initial_accumulator_value", -1


@pytest.mark.parametrize(("cls", "kwargs", "name", "value"), list(bad_hyperparameters()))
def test_optimizers_refuse_bad_hyperparameters_naming_class_argument_and_value(
        cls, kwargs, name, value):
    ps = params(1.0)
    kwargs = {"lr": 0.1, **kwargs}
    with pytest.raises(ValueError) as caught:
        cls(ps, **kwargs)
    message = str(caught.value)
    assert message.startswith(f"{cls.__name__}: {name} must be"), message
    assert message.endswith(f"got {value!r}"), message
    assert ps[0].data == 1.0  # nothing happened to the parameter


def test_optimizers_refuse_other_bad_arguments():
    ps = params(1.0)
    for cls, kwargs, word in [
        (optim.SGD, {"lr": 0.1, "nesterov": True}, "nesterov"),
        (optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "dampening": 0.1},
         "nesterov"),
        (optim.Adam, {"betas": (0.9,)}, "Adam: betas must be a pair"),
        (optim.AdamW, {"betas": 0.9}, "AdamW: betas must be a pair"),
    ]:
        with pytest.raises(ValueError, match=word):
            cls(ps, **kwargs)
    for cls in OPTIMIZERS:
        with pytest.raises(ValueError, match=f"{cls.__name__}: got an empty parameter list"):
            cls([], lr=0.1)
        with pytest.raises(ValueError, match="empty parameter list"):
            cls(iter([]), lr=0.1)
    with pytest.raises(ValueError, match="appears twice"):
        optim.SGD([ps[0], ps[0]], lr=0.1)
    with pytest.raises(TypeError, match="params must be Values"):
        optim.SGD([1.0], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Values"):
        optim.Adam(ps[0])
    # the edges that are allowed
    optim.SGD(ps, lr=1e-300, momentum=0.0, weight_decay=0.0)
    optim.AdamW(ps, betas=(0.0, 0.0), eps=5e-324, weight_decay=0.0)


# -- AdamW -------------------------------------------------------------------------------------
def test_adamw_first_step_by_hand():
    ps = params(2.0)
    run(optim.AdamW(ps, lr=0.1, weight_decay=0.5), ps, [[0.5]])
    # decay first: p = 2 (1 - 0.1 * 0.5) = 1.9; then Adam's first step lr * g / (|g| + eps)
    assert ps[0].data == pytest.approx(1.9 - 0.1 * 0.5 / (0.5 + 1e-8), rel=1e-15)
    ps = params(2.0)
    run(optim.AdamW(ps, lr=0.1, weight_decay=0.5), ps, [[0.0], [0.0]])
    assert ps[0].data == pytest.approx(2.0 * 0.95 ** 2, rel=1e-15)  # no gradient: decay alone
    ps = params(2.0)
    run(optim.Adam(ps, lr=0.1, weight_decay=0.5), ps, [[0.0]])
    # Adam's decay goes into the gradient, g = 0.5 * 2 = 1, and is normalized by Adam
    assert ps[0].data == pytest.approx(2.0 - 0.1 * 1.0 / (1.0 + 1e-8), rel=1e-15)


def test_adamw_defaults_are_torchs():
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)
    theirs = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))]).defaults
    ours = optim.AdamW(params(0.0))
    assert (ours.lr, ours.betas, ours.eps, ours.weight_decay, ours.amsgrad) == (
        theirs["lr"], theirs["betas"], theirs["eps"], theirs["weight_decay"],
        theirs["amsgrad"])


def shrinking_gradient(ps_data, t):
    """Large gradients first, then small ones: the second moment falls, so ``amsgrad``'s
    running maximum differs from v."""
    scale = 10.0 if t < 5 else 0.1
    return [scale * math.sin(x + i) + 0.01 * t for i, x in enumerate(ps_data)]


@pytest.mark.parametrize("kwargs", [
    {},
    {"lr": 0.05, "weight_decay": 0.3},
    {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1, "amsgrad": True},
    {"lr": 0.1, "betas": (0.3, 0.5), "weight_decay": 2.0},
    {"lr": 0.05, "weight_decay": 0.0, "amsgrad": True},
])
@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_adam_and_adamw_match_torch_step_by_step(name, kwargs):
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)
    start = [1.0, -0.5, 2.0, 0.0, -3.0]
    for ours, theirs, tp in steps_beside_torch(torch, name, kwargs, start, 30,
                                               shrinking_gradient):
        if kwargs.get("amsgrad"):
            v_max = [theirs.state[p]["max_exp_avg_sq"].item() for p in tp]
            assert ours.v_max == pytest.approx(v_max, rel=1e-12)
    if kwargs.get("amsgrad"):
        assert ours.v_max != pytest.approx(ours.v)  # the maximum mattered


def test_amsgrad_changes_the_trajectory():
    plain, ams = params(1.0, -2.0), params(1.0, -2.0)
    grads = [[10.0, -10.0]] * 3 + [[0.1, 0.1]] * 5
    a = run(optim.AdamW(plain, lr=0.1), plain, grads)
    b = run(optim.AdamW(ams, lr=0.1, amsgrad=True), ams, grads)
    assert a[:3] == b[:3] and a[-1] != b[-1]


# -- snapshot and restore (how nn.fit undoes an update) -----------------------------------------
@pytest.mark.parametrize("cls", OPTIMIZERS)
def test_restore_undoes_steps_exactly(cls):
    ps = params(1.0, -0.5)
    opt = cls(ps, lr=0.1, **({"momentum": 0.9} if cls in (optim.SGD, optim.RMSprop) else {}))
    run(opt, ps, [[0.3, -0.2], [0.1, 0.4]])
    saved = opt.snapshot()
    later = run(opt, ps, [[0.5, 0.5], [-1.0, 2.0]])
    opt.restore(saved)
    assert opt.steps == 2 and [p.data for p in ps] == saved["values"]
    again = run(opt, ps, [[0.5, 0.5], [-1.0, 2.0]])
    assert again == later  # the same state: the same steps, bit for bit
    opt.restore(saved)  # a snapshot can be restored more than once
    assert run(opt, ps, [[0.5, 0.5], [-1.0, 2.0]]) == later


# -- schedules ---------------------------------------------------------------------------------
def lrs(scheduler, epochs):
    seen = [scheduler.get_last_lr()]
    for _ in range(epochs):
        scheduler.step()
        seen.append(scheduler.get_last_lr())
    return seen


def test_schedules_by_hand():
    opt = optim.SGD(params(0.0), lr=1.0)
    assert lrs(optim.StepLR(opt, step_size=2, gamma=0.5), 5) == [1, 1, 0.5, 0.5, 0.25, 0.25]
    opt = optim.SGD(params(0.0), lr=2.0)
    assert lrs(optim.ExponentialLR(opt, gamma=0.5), 3) == [2.0, 1.0, 0.5, 0.25]
    opt = optim.SGD(params(0.0), lr=1.0)
    got = lrs(optim.CosineAnnealingLR(opt, T_max=4, eta_min=0.2), 4)
    assert got == pytest.approx([1.0, 0.2 + 0.8 * (1 + math.cos(math.pi / 4)) / 2, 0.6,
                                 0.2 + 0.8 * (1 + math.cos(3 * math.pi / 4)) / 2, 0.2])
    opt = optim.SGD(params(0.0), lr=1.0)
    # micrograd's demo schedule: lr = 1 - 0.9 k / 100
    got = lrs(optim.LinearLR(opt, start_factor=1.0, end_factor=0.1, total_iters=100), 101)
    assert got == pytest.approx([1.0 - 0.9 * min(k, 100) / 100 for k in range(102)], rel=1e-14)


def test_linear_warmup_then_another_schedule():
    opt = optim.SGD(params(0.0), lr=0.1)
    assert lrs(optim.LinearWarmup(opt, 4, start_factor=0.1), 5) == pytest.approx(
        [0.01, 0.0325, 0.055, 0.0775, 0.1, 0.1])
    opt = optim.SGD(params(0.0), lr=0.1)
    cosine = optim.CosineAnnealingLR(opt, T_max=10)
    got = lrs(optim.LinearWarmup(opt, 4, start_factor=0.1, then=cosine), 14)
    assert got[0] == pytest.approx(0.01)
    assert got[4] == pytest.approx(0.1) and got[9] == pytest.approx(0.05)
    assert got[14] == pytest.approx(0.0, abs=1e-17)
    other = optim.SGD(params(0.0), lr=0.1)
    with pytest.raises(ValueError, match="same optimizer"):
        optim.LinearWarmup(other, 4, then=cosine)


@pytest.mark.parametrize(("name", "kwargs"), [
    ("StepLR", {"step_size": 3, "gamma": 0.7}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 10, "eta_min": 0.01}),
    ("LinearLR", {"start_factor": 0.25, "end_factor": 1.0, "total_iters": 8}),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 20}),
])
def test_schedules_match_torch(name, kwargs):
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)
    opt = optim.SGD(params(0.0), lr=0.5)
    ours = lrs(getattr(optim, name)(opt, **kwargs), 30)
    t_opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.5)
    sched = getattr(torch.optim.lr_scheduler, name)(t_opt, **kwargs)
    theirs = [sched.get_last_lr()[0]]
    for _ in range(30):
        t_opt.step()
        sched.step()
        theirs.append(sched.get_last_lr()[0])
    assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-15)


def test_schedules_reject_bad_arguments():
    opt = optim.SGD(params(0.0), lr=0.1)
    for make, word in [
        (lambda: optim.StepLR(opt, step_size=0), "step_size"),
        (lambda: optim.StepLR(opt, step_size=2, gamma=-0.1), "gamma"),
        (lambda: optim.CosineAnnealingLR(opt, T_max=0), "T_max"),
        (lambda: optim.LinearLR(opt, start_factor=0.0), "start_factor"),
        (lambda: optim.LinearLR(opt, end_factor=1.5), "end_factor"),
        (lambda: optim.LinearWarmup(opt, 0), "warmup_steps"),
    ]:
        with pytest.raises(ValueError, match=word):
            make()
    with pytest.raises(TypeError, match="optimizer"):
        optim.StepLR("sgd", step_size=1)


# -- clipping ---------------------------------------------------------------------------------
def test_clip_grad_norm_by_hand():
    ps = params(0.0, 0.0)
    ps[0].grad, ps[1].grad = 3.0, 4.0
    total = optim.clip_grad_norm_(ps, 1.0)
    assert total == 5.0
    coef = 1.0 / (5.0 + 1e-6)
    assert [p.grad for p in ps] == [3.0 * coef, 4.0 * coef]
    ps[0].grad, ps[1].grad = 0.3, 0.4
    assert optim.clip_grad_norm_(ps, 1.0) == pytest.approx(0.5)
    assert [p.grad for p in ps] == [0.3, 0.4]  # below the limit: untouched
    ps[0].grad, ps[1].grad = -3.0, 2.0
    assert optim.clip_grad_norm_(ps, 1.5, norm_type=math.inf) == 3.0
    assert ps[0].grad == pytest.approx(-1.5, rel=1e-6)


def test_clip_grad_value_by_hand():
    ps = params(0.0, 0.0, 0.0)
    for p, g in zip(ps, [-3.0, 0.2, 7.0]):
        p.grad = g
    optim.clip_grad_value_(ps, 0.5)
    assert [p.grad for p in ps] == [-0.5, 0.2, 0.5]
    with pytest.raises(ValueError, match="clip_value"):
        optim.clip_grad_value_(ps, -1)
    with pytest.raises(ValueError, match="max_norm"):
        optim.clip_grad_norm_(ps, -1)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
def test_clip_grad_norm_matches_torch(norm_type):
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)
    grads = [0.3, -1.7, 2.2, 0.05, -0.9]
    ps = params(*([0.0] * len(grads)))
    for p, g in zip(ps, grads):
        p.grad = g
    tp = [torch.nn.Parameter(torch.zeros((), dtype=torch.float64)) for _ in grads]
    for p, g in zip(tp, grads):
        p.grad = torch.tensor(g, dtype=torch.float64)
    ours = optim.clip_grad_norm_(ps, 1.0, norm_type=norm_type)
    theirs = torch.nn.utils.clip_grad_norm_(tp, 1.0, norm_type=norm_type).item()
    assert ours == pytest.approx(theirs, rel=1e-12)
    assert [p.grad for p in ps] == pytest.approx([p.grad.item() for p in tp], rel=1e-12)
