"""nn.fit, nn.evaluate, History: the training procedure end to end."""

import builtins
import importlib
import math
import re
import sys
import warnings
from pathlib import Path

import pytest

import nn
from autograd import no_grad
from nn import MLP, Neuron, datasets, evaluate, fit, optim
from nn.demo import train as demo_train
from nn.train import is_correct, scalar_batch_step

nn_train = importlib.import_module("nn.train")  # the modules, to patch their globals
nn_compiled = importlib.import_module("nn.compiled")


def readme_example() -> str:
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = text.split("## Neural networks: `nn`", 1)[1]
    return re.search(r"```python\n(.+?)\n```", section, re.S).group(1)


def test_micrograds_demo_through_fit_reaches_100_percent_and_repeats_bit_for_bit(
        tmp_path, monkeypatch):
    model, data, history = demo_train(progress=False)
    assert history.epochs == 100 and len(history.train_accuracy) == 100
    assert evaluate(model, data).accuracy == 1.0  # every training point right
    assert history.train_loss[-1] < 0.05 < history.train_loss[0]
    assert history.lr[0] == 1.0 and history.lr[-1] == pytest.approx(1.0 - 0.9 * 99 / 100)
    # the README's example is the same run, written out: the same numbers, bit for bit
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(readme_example(), namespace)
    assert namespace["history"].train_loss == history.train_loss  # every epoch, exactly
    assert namespace["model"].state_dict() == model.state_dict()
    assert nn.load(tmp_path / "moons.json").state_dict() == model.state_dict()


def test_batch_step_gradient_matches_finite_differences():
    model = MLP(2, [3, 1], activation="tanh", seed=4)
    xs = [[0.5, -1.0], [1.5, 0.25], [-0.3, 0.8]]
    ys = [1, 0, 1]
    step = scalar_batch_step(model, nn.binary_cross_entropy, l2=0.01)
    model.zero_grad()
    result = step(xs, ys)
    analytic = [p.grad for p in model.parameters()]

    def batch_loss():
        with no_grad():
            losses = [nn.binary_cross_entropy(model(x), y).data for x, y in zip(xs, ys)]
            weights = [p.data for n, p in model.named_parameters() if not n.endswith(".b")]
            return sum(losses) / len(losses) + 0.01 * sum(w * w for w in weights)

    assert result.loss == pytest.approx(batch_loss(), rel=1e-14)
    assert len(result.outputs) == 3 and all(isinstance(o, float) for o in result.outputs)
    eps = 1e-6
    for p, g in zip(model.parameters(), analytic):
        p.data += eps
        up = batch_loss()
        p.data -= 2 * eps
        down = batch_loss()
        p.data += eps
        assert g == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-8), p.label


def test_fit_with_batches_validation_and_a_schedule():
    data = datasets.xor(80, seed=0)
    train, val = nn.random_split(data, [60, 20], seed=0)
    model = MLP(2, [8, 2], activation="tanh", init="xavier", seed=0)
    opt = optim.Adam(model.parameters(), lr=0.05)
    sched = optim.StepLR(opt, step_size=5, gamma=0.5)
    h = fit(model, nn.cross_entropy, opt, train, val, epochs=15, batch_size=16,
            scheduler=sched, progress=False)
    assert [len(x) for x in h.as_dict().values()] == [15] * 5
    assert h.lr == [0.05] * 5 + [0.025] * 5 + [0.0125] * 5
    assert h.train_loss[-1] < h.train_loss[0] and h.val_accuracy[-1] >= 0.9
    ev = evaluate(model, val, nn.cross_entropy)
    assert ev.loss == pytest.approx(h.val_loss[-1]) and ev.accuracy == h.val_accuracy[-1]
    assert ev.n == 20
    # the same run from DataLoaders: the loaders' batches, the same numbers
    model2 = MLP(2, [8, 2], activation="tanh", init="xavier", seed=0)
    opt2 = optim.Adam(model2.parameters(), lr=0.05)
    h2 = fit(model2, nn.cross_entropy, opt2, nn.DataLoader(train, 16, shuffle=True, seed=0),
             nn.DataLoader(val, 7), epochs=15, scheduler=optim.StepLR(opt2, 5, 0.5),
             progress=False)
    assert h2 == h


def test_fit_regression_measures_no_accuracy():
    data = datasets.combat_power(n=10, seed=0, scale=0.01)
    model = Neuron(1, activation="linear", seed=0)
    opt = optim.SGD(model.parameters(), lr=0.02)
    h = fit(model, nn.mse, opt, data, epochs=30, batch_size=5, progress=False)
    assert h.train_accuracy == [] and h.val_loss == []
    assert h.train_loss[-1] < h.train_loss[0] / 10


def test_clip_norm_bounds_each_update():
    model = MLP(2, [4, 1], seed=0)
    before = [p.data for p in model.parameters()]
    opt = optim.SGD(model.parameters(), lr=1.0)
    fit(model, nn.mse, opt, ([[10.0, -10.0]], [100.0]), epochs=1, batch_size=1,
        clip_norm=1e-3, progress=False)
    moved = math.sqrt(sum((p.data - b) ** 2 for p, b in zip(model.parameters(), before)))
    assert moved == pytest.approx(1e-3, rel=1e-3)


def test_progress_bar_shows_loss_and_accuracy(capsys):
    pytest.importorskip("tqdm", reason="tqdm is not installed")
    model = MLP(2, [3, 1], seed=0)
    fit(model, nn.hinge, optim.SGD(model.parameters(), lr=0.1),
        datasets.moons(20, labels=(-1, 1)), epochs=2, batch_size=10)
    err = capsys.readouterr().err
    assert "2/2" in err and "loss=" in err and "acc=" in err


def test_fit_without_tqdm_says_so(monkeypatch):
    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name.startswith("tqdm"):
            raise ImportError("No module named 'tqdm'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    model = Neuron(1, seed=0)
    with pytest.raises(ImportError, match="progress=False"):
        fit(model, nn.mse, optim.SGD(model.parameters(), lr=0.1), ([[1.0]], [1.0]), epochs=1)
    fit(model, nn.mse, optim.SGD(model.parameters(), lr=0.1), ([[1.0]], [1.0]), epochs=1,
        progress=False)


def test_fit_rejects_bad_arguments():
    model = Neuron(1, seed=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    data = ([[1.0]], [1.0])
    for kwargs, word in [({"epochs": -1}, "epochs"), ({"batch_size": 0}, "batch_size"),
                         ({"l2": -0.1}, "l2"), ({"clip_norm": -1.0}, "clip_norm")]:
        with pytest.raises(ValueError, match=word):
            fit(model, nn.mse, opt, data, progress=False, **kwargs)
    with pytest.raises(TypeError, match="optimizer"):
        fit(model, nn.mse, "sgd", data)
    with pytest.raises(TypeError, match="model"):
        fit(lambda x: x, nn.mse, opt, data)
    with pytest.raises(ValueError, match="empty"):
        fit(model, nn.mse, opt, ([], []), progress=False)


# -- which engine fit trains on ----------------------------------------------------------------
def _hinge_run(**kwargs):
    """Three epochs of a small tanh net on -1/+1 moons: the History and the weights."""
    model = MLP(2, [6, 1], activation="tanh", seed=2)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    history = fit(model, nn.hinge, opt, datasets.moons(40, seed=1, labels=(-1, 1)), epochs=3,
                  batch_size=8, l2=1e-3, progress=False, **kwargs)
    return history, [p.data for p in model.parameters()]


def _linear_run(loss_fn, **kwargs):
    """A linear neuron whose output is its input (w = 1, b = 0), so the samples' outputs
    have both signs: a loss that branches on the output's sign branches both ways."""
    model = Neuron(1, activation="linear", seed=0)
    model.w[0].data, model.b.data = 1.0, 0.0
    data = ([[-1.0], [-0.5], [0.5], [1.0]], [0.5, 0.0, 1.0, -1.0])
    history = fit(model, loss_fn, optim.SGD(model.parameters(), lr=0.05), data, epochs=2,
                  batch_size=2, progress=False, **kwargs)
    return history, [p.data for p in model.parameters()]


def test_fit_trains_on_the_compiled_replay_by_default(monkeypatch):
    forced = _hinge_run(compiled=True)
    scalar = _hinge_run(compiled=False)
    traced = []
    trace = nn_compiled.CompiledBatchStep.trace

    def spy(self, x, t):
        traced.append(x)
        trace(self, x, t)

    def no_scalar_step(*args):
        raise AssertionError("the default took the scalar engine")

    monkeypatch.setattr(nn_compiled.CompiledBatchStep, "trace", spy)
    monkeypatch.setattr(nn_train, "scalar_batch_step", no_scalar_step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback warning
        default = _hinge_run()
    assert default == forced  # the same replay: the same numbers, bit for bit
    assert len(traced) == 1  # traced once, before the first batch
    assert default[0] != scalar[0]  # the engines agree to 1e-9, not bit for bit
    assert default[1] == pytest.approx(scalar[1], rel=0, abs=1e-9)


def test_fit_compiled_false_never_traces(monkeypatch):
    def no_tracing(*args, **kwargs):
        raise AssertionError("compiled=False traced")

    calls = []

    def counted_scalar_step(*args):
        calls.append(args)
        return scalar_batch_step(*args)

    monkeypatch.setattr(nn_compiled.CompiledBatchStep, "trace", no_tracing)
    monkeypatch.setattr(nn_compiled, "_Compiled", no_tracing)
    monkeypatch.setattr(nn_train, "scalar_batch_step", counted_scalar_step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history, _ = _hinge_run(compiled=False)
    assert len(calls) == 1 and len(history.train_loss) == 3


def _branches_with_a_comparison(out, t):
    return nn.mse(out, t) if out > 0 else 2.0 * nn.mse(out, t)  # out > 0 asks the tracer


def _branches_on_data(out, t):
    return nn.mse(out, t) if out.data > 0 else 2.0 * nn.mse(out, t)  # .data: it cannot see


@pytest.mark.parametrize("loss_fn, why", [
    (_branches_with_a_comparison, "TracingError: compile: a comparison"),
    (_branches_on_data, r"reads \.data"),
])
def test_fit_falls_back_to_the_scalar_engine_when_the_loss_branches_on_data(loss_fn, why):
    scalar = _linear_run(loss_fn, compiled=False)
    with pytest.warns(UserWarning, match="fit: training on the scalar engine") as caught:
        default = _linear_run(loss_fn)
    assert len(caught) == 1  # once per fit call, not once per batch
    assert re.search(why, str(caught[0].message))
    assert caught[0].filename == __file__  # stacklevel=2: the line that called fit
    assert default == scalar  # the same engine: the same numbers, bit for bit
    if loss_fn is _branches_with_a_comparison:
        from autograd.compiled import TracingError

        with pytest.raises(TracingError):  # compiled=True: an error, as before
            _linear_run(loss_fn, compiled=True)
    else:  # what the check saves the default from: the example's branch for every sample
        replayed = _linear_run(loss_fn, compiled=True)
        assert replayed[0].train_loss != pytest.approx(scalar[0].train_loss, rel=1e-6)


def test_fit_without_numpy_falls_back_to_the_scalar_engine(monkeypatch):
    scalar = _hinge_run(compiled=False)
    monkeypatch.setitem(sys.modules, "numpy", None)  # import numpy now fails
    for name in [m for m in sys.modules if m.split(".")[:2] == ["autograd", "compiled"]]:
        monkeypatch.delitem(sys.modules, name)  # so the replay is imported afresh
    with pytest.warns(UserWarning, match="ImportError: .*NumPy") as caught:
        default = _hinge_run()
    assert len(caught) == 1
    assert default == scalar


# -- evaluate and accuracy -------------------------------------------------------------------
def test_evaluate_by_hand():
    n = Neuron(1, activation="linear", seed=0)
    n.w[0].data, n.b.data = 1.0, -0.5  # score = x - 0.5
    data = ([[0.0], [1.0], [2.0], [0.2]], [-1, 1, -1, 1])  # right, right, wrong, wrong
    ev = evaluate(n, data, nn.hinge)
    assert ev.accuracy == 0.5 and ev.n == 4
    expected = [max(0.0, 1 - y * (x[0] - 0.5)) for x, y in zip(*data)]
    assert ev.loss == pytest.approx(sum(expected) / 4)
    assert evaluate(n, data, nn.mse).accuracy is None
    assert evaluate(n, data, nn.mse, accuracy=True).accuracy == 0.5


def test_is_correct():
    assert is_correct(0.3, 1) and is_correct(-0.3, 0) and is_correct(-0.3, -1)
    assert not is_correct(0.3, -1)
    assert is_correct(0.7, 1, threshold=0.5) and not is_correct(0.4, 1, threshold=0.5)
    assert is_correct([0.1, 2.0, -1.0], 1) and not is_correct([0.1, 2.0, -1.0], 0)
    assert is_correct([0.1, 2.0, -1.0], [0, 1, 0])


# -- History ----------------------------------------------------------------------------------
def test_history_plots_to_a_file(tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib is not installed (notebooks extra)")
    h = nn.History(train_loss=[1.0, 0.5], train_accuracy=[0.5, 0.75], val_loss=[1.1, 0.7],
                   val_accuracy=[0.4, 0.7], lr=[0.1, 0.1])
    fig = h.plot(tmp_path / "history.png")
    assert (tmp_path / "history.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(fig.axes) == 2
    line = fig.axes[0].get_lines()[0]
    assert list(line.get_ydata()) == [1.0, 0.5]
    assert [p.name for p in tmp_path.iterdir()] == ["history.png"]  # no temporary file left
    assert len(nn.History(train_loss=[1.0]).plot().axes) == 1


def test_fit_does_not_fall_back_on_numbers_that_overflow():
    """An overflow is the data's fault, not the replay's: the default raises it as the
    scalar engine would, with no 'falling back' warning first."""
    data = nn.data.ListDataset([[1e200], [2e200]], [0.0, 1.0])
    model = nn.MLP(1, [1], seed=0)
    model.load_state_dict({"layers.0.neurons.0.w.0": 1e200, "layers.0.neurons.0.b": 0.0})
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(OverflowError, match="dot: result too large"):
            nn.fit(model, nn.mse, optimizer, data, epochs=1, progress=False)
