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
    return nn.mse(out, t) if out.data > 0 else 2.0 * nn.mse(out, t)  # reads the number


@pytest.mark.parametrize("loss_fn, why", [
    (_branches_with_a_comparison, "TracingError: compile: a comparison"),
    # the tracer refuses .data on a traced value (TracingError); where it lets it pass,
    # fit's replay check sees the replayed losses differ ("reads .data")
    (_branches_on_data, r"TracingError: compile: reading \.data|reads \.data"),
])
def test_fit_falls_back_to_the_scalar_engine_when_the_loss_branches_on_data(loss_fn, why):
    from autograd.compiled import TracingError

    scalar = _linear_run(loss_fn, compiled=False)
    with pytest.warns(UserWarning, match="fit: training on the scalar engine") as caught:
        default = _linear_run(loss_fn)
    assert len(caught) == 1  # once per fit call, not once per batch
    assert re.search(why, str(caught[0].message))
    assert caught[0].filename == __file__  # stacklevel=2: the line that called fit
    assert default == scalar  # the same engine: the same numbers, bit for bit
    if "TracingError" in str(caught[0].message):
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


# -- nothing silent: divergence, Ctrl-C, a wrong optimizer ----------------------------------------
class SteeredLoader(nn.DataLoader):
    """A DataLoader that can spoil one batch: just before yielding batch ``batch`` of
    epoch ``epoch`` it copies the weights and the optimizer's state (what the batch
    must leave as it found them) and calls ``spoil(inputs, targets)``."""

    def __init__(self, dataset, batch_size, epoch, batch, spoil, model, optimizer):
        super().__init__(dataset, batch_size)
        self.at, self.spoil = (epoch, batch), spoil
        self.model, self.optimizer = model, optimizer
        self.epoch, self.before = 0, None

    def __iter__(self):
        self.epoch += 1
        for b, (inputs, targets) in enumerate(super().__iter__(), 1):
            if (self.epoch, b) == self.at:
                self.before = (self.model.state_dict(), self.optimizer.snapshot())
                inputs, targets = self.spoil([list(x) for x in inputs], list(targets))
            yield inputs, targets


def _regression():
    """A small regression: 12 samples of 2 inputs, an MLP, Adam (which has state)."""
    xs = [[math.sin(i), math.cos(3 * i)] for i in range(12)]
    ys = [x[0] - 0.5 * x[1] for x in xs]
    model = MLP(2, [4, 1], activation="tanh", seed=1)
    return nn.ListDataset(xs, ys), model, optim.Adam(model.parameters(), lr=0.05)


def _assert_as_before(loader, model, optimizer):
    weights, state = loader.before
    assert model.state_dict() == weights  # exactly: the update was never applied
    now = optimizer.snapshot()
    assert now == state  # the step count and Adam's running averages too


def _nan_input(inputs, targets):
    inputs[2][1] = math.nan
    return inputs, targets


@pytest.mark.parametrize("compiled", [False, True])
def test_a_nan_input_stops_fit_naming_epoch_batch_and_sample_before_the_update(compiled):
    data, model, opt = _regression()
    loader = SteeredLoader(data, 4, epoch=2, batch=3, spoil=_nan_input, model=model,
                           optimizer=opt)
    with pytest.raises(nn.TrainingDiverged) as caught:
        fit(model, nn.mse, opt, loader, epochs=3, progress=False, compiled=compiled)
    error = caught.value
    assert isinstance(error, ArithmeticError)
    message = str(error)
    assert message.startswith("fit: epoch 2, batch 3: the loss is nan: sample 2 of this batch "
                              "has the input "), message
    assert "nan" in message.split("the input ", 1)[1]
    assert "the weights are as they were before this batch" in message
    assert (error.epoch, error.batch, error.sample) == (2, 3, 2)
    assert error.history.epochs == 1 and len(error.history.lr) == 1  # epoch 1, whole
    _assert_as_before(loader, model, opt)


@pytest.mark.parametrize("compiled", [False, True])
def test_a_nan_target_is_named_too(compiled):
    data, model, opt = _regression()

    def nan_target(inputs, targets):
        targets[3] = math.nan
        return inputs, targets

    loader = SteeredLoader(data, 4, epoch=1, batch=2, spoil=nan_target, model=model,
                           optimizer=opt)
    with pytest.raises(nn.TrainingDiverged, match=r"^fit: epoch 1, batch 2: the loss is nan: "
                                                  r"sample 3 of this batch has the target nan"):
        fit(model, nn.mse, opt, loader, epochs=2, progress=False, compiled=compiled)
    _assert_as_before(loader, model, opt)


@pytest.mark.parametrize("compiled", [False, True])
def test_an_update_that_would_make_a_weight_infinite_is_undone(compiled):
    data, model, opt = _regression()

    def huge_lr(inputs, targets):
        opt.lr = 1e308  # lr · g overflows to infinity
        return inputs, targets

    loader = SteeredLoader(data, 4, epoch=2, batch=2, spoil=huge_lr, model=model,
                           optimizer=opt)
    with pytest.raises(nn.TrainingDiverged, match=r"^fit: epoch 2, batch 2: the update would "
                                                  r"make layers\.\S+ (-?inf|nan) \(is the "
                                                  r"learning rate, 1e\+308, too large\?\)\. "
                                                  r"The update was not applied") as caught:
        fit(model, nn.mse, opt, loader, epochs=3, progress=False, compiled=compiled)
    assert caught.value.sample is None  # the data are fine
    weights, state = loader.before
    assert model.state_dict() == weights
    state["attributes"]["lr"] = 1e308  # set by the loader after the copy was taken
    assert opt.snapshot() == state


@pytest.mark.parametrize("compiled", [False, True])
def test_a_non_finite_gradient_with_a_finite_loss_stops_fit(compiled):
    """z = w x with w = 1e-50, x = 1e200: the loss z² = 1e300 is finite, its gradient
    for w, 2 z x = 2e350, is not."""
    model = Neuron(1, activation="linear", seed=0)
    model.w[0].data, model.b.data = 1e-50, 0.0
    opt = optim.SGD(model.parameters(), lr=0.1)
    before = model.state_dict()
    with pytest.raises(nn.TrainingDiverged) as caught:
        fit(model, nn.mse, opt, ([[1.0], [1e200]], [0.0, 0.0]), epochs=1, batch_size=None,
            shuffle=False, progress=False, compiled=compiled)
    assert str(caught.value) == ("fit: epoch 1, batch 1: the gradient of w.0 is inf. The update "
                                 "was not applied: the weights are as they were before this "
                                 "batch")
    assert caught.value.sample is None  # every input is a finite number
    assert model.state_dict() == before


@pytest.mark.parametrize("compiled", [False, True])
def test_an_overflow_in_the_engine_keeps_its_type_and_gets_a_note_naming_the_batch(compiled):
    model = Neuron(1, activation="linear", seed=0)
    model.w[0].data = 1e200
    opt = optim.SGD(model.parameters(), lr=0.1)
    before = model.state_dict()
    data = ([[1.0], [2.0], [1e200]], [0.0, 1.0, 2.0])
    with pytest.raises(OverflowError) as caught:  # lesson 6 catches OverflowError
        fit(model, nn.mse, opt, data, epochs=1, batch_size=None, shuffle=False,
            progress=False, compiled=compiled)
    assert "result too large" in str(caught.value)
    assert caught.value.__notes__ == [
        "(in fit: epoch 1, batch 1; the weights are as they were before this batch)"]
    assert model.state_dict() == before


def test_fit_refuses_an_optimizer_made_for_another_model():
    model, other = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=0)
    data = ([[1.0, 2.0]], [1.0])
    with pytest.raises(ValueError, match=r"fit: 13 of the optimizer's 13 parameters are not in "
                                         r"model\.parameters\(\), and 13 of the model's 13 "
                                         r"parameters are not in the optimizer"):
        fit(model, nn.mse, optim.SGD(other.parameters(), lr=0.1), data, progress=False)
    mixed = model.parameters()[:5] + other.parameters()[:2]
    with pytest.raises(ValueError, match=r"fit: 2 of the optimizer's 7 parameters .* and 8 of "
                                         r"the model's 13"):
        fit(model, nn.mse, optim.SGD(mixed, lr=0.1), data, progress=False)
    # some of the model's own parameters only: the others stay fixed, as with torch
    before = model.state_dict()
    last = model.layers[1].parameters()
    fit(model, nn.mse, optim.SGD(last, lr=0.1), data, epochs=2, progress=False)
    after = model.state_dict()
    changed = {name for name in before if after[name] != before[name]}
    assert changed and all(name.startswith("layers.1.") for name in changed)


# -- Ctrl-C -------------------------------------------------------------------------------------
class RecordingSGD(optim.SGD):
    """SGD with momentum that keeps a copy of the weights and of the momentum buffers
    after every whole update."""

    def __init__(self, params):
        super().__init__(params, lr=0.1, momentum=0.9)
        self.after, self.buffers_after = [], []

    def step(self):
        super().step()
        self.after.append([p.data for p in self.params])
        self.buffers_after.append(list(self.buffers))


def _moons_run():
    """24 moons with -1/+1 labels (3 batches of 8), a tanh MLP, RecordingSGD."""
    data = datasets.moons(24, seed=3, labels=(-1, 1))
    model = MLP(2, [5, 1], activation="tanh", seed=5)
    return model, RecordingSGD(model.parameters()), data


def _assert_after_last_whole_update(model, opt, updates):
    assert len(opt.after) == updates
    assert [p.data for p in model.parameters()] == opt.after[-1]
    assert opt.buffers == opt.buffers_after[-1] and opt.steps == updates


def test_ctrl_c_in_the_loss_keeps_finished_epochs_and_the_last_whole_update():
    model, opt, data = _moons_run()
    calls = []

    def loss(out, y):
        calls.append(1)
        # an epoch calls the loss 24 times to train and 24 to validate: this is the
        # 3rd sample of the 3rd epoch's 2nd batch
        if len(calls) == 2 * (24 + 24) + 8 + 3:
            raise KeyboardInterrupt
        return nn.hinge(out, y)

    with pytest.raises(nn.TrainingInterrupted) as caught:
        fit(model, loss, opt, data, data, epochs=5, batch_size=8, progress=False,
            compiled=False, accuracy=True)
    stop = caught.value
    assert isinstance(stop, KeyboardInterrupt)  # a script still stops as on Ctrl-C
    assert isinstance(stop.__cause__, KeyboardInterrupt)
    assert stop.epoch == 3 and stop.history.epochs == 2
    assert "interrupted in epoch 3" in str(stop) and ".history" in str(stop)
    reference_model, reference_opt, _ = _moons_run()
    uninterrupted = fit(reference_model, nn.hinge, reference_opt, data, data, epochs=2,
                        batch_size=8, progress=False, compiled=False)
    assert stop.history == uninterrupted  # every list (lr, validation too), two epochs
    _assert_after_last_whole_update(model, opt, 3 + 3 + 1)  # two epochs, then one batch


class InterruptingLoader(nn.DataLoader):
    """Ctrl-C, simulated: the loader raises KeyboardInterrupt at batch ``batch`` of
    epoch ``epoch``."""

    def __init__(self, dataset, batch_size, epoch, batch):
        super().__init__(dataset, batch_size)
        self.at, self.epoch = (epoch, batch), 0

    def __iter__(self):
        self.epoch += 1
        for b, item in enumerate(super().__iter__(), 1):
            if (self.epoch, b) == self.at:
                raise KeyboardInterrupt
            yield item


@pytest.mark.parametrize("compiled", [False, True])
def test_ctrl_c_in_the_data_loader_on_either_engine(compiled):
    model, opt, data = _moons_run()
    loader = InterruptingLoader(data, 8, epoch=2, batch=3)
    with pytest.raises(nn.TrainingInterrupted) as caught:
        fit(model, nn.hinge, opt, loader, epochs=4, progress=False, compiled=compiled)
    stop = caught.value
    assert stop.epoch == 2 and stop.history.epochs == 1
    assert len(stop.history.lr) == len(stop.history.train_accuracy) == 1
    _assert_after_last_whole_update(model, opt, 3 + 2)


def test_ctrl_c_in_the_middle_of_an_update_undoes_it():
    class HalfThenInterrupted(RecordingSGD):
        """Updates half the parameters in its 4th step, then Ctrl-C arrives."""

        def _update(self, t):
            if t < 4:
                return super()._update(t)
            for p in self.params[: len(self.params) // 2]:
                p.data -= self.lr * p.grad
            raise KeyboardInterrupt

    model, _, data = _moons_run()
    opt = HalfThenInterrupted(model.parameters())
    with pytest.raises(nn.TrainingInterrupted) as caught:
        fit(model, nn.hinge, opt, data, epochs=3, batch_size=8, progress=False)
    assert caught.value.epoch == 2 and caught.value.history.epochs == 1
    # the 4th step never finished, and what it did was undone: weights, buffers, count
    _assert_after_last_whole_update(model, opt, 3)


# -- any Module, any loss callable ----------------------------------------------------------------
class OneInAList(nn.Module):
    """A module of one's own whose output is a list of one Value, as nn.Linear(n, 1)'s."""

    def __init__(self):
        self.body = MLP(2, [4, 1], activation="tanh", seed=7)

    def forward(self, x):
        return [self.body(x)]


def test_fit_and_evaluate_take_a_module_of_ones_own_and_loss_modules():
    data = datasets.moons(32, seed=0)  # 0/1 labels
    runs = {}
    for name, loss in [("function", nn.binary_cross_entropy),
                       ("module", nn.BCEWithLogitsLoss()),
                       ("lambda", lambda out, y: nn.binary_cross_entropy(out, y))]:
        model = OneInAList()
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # every one traces: no fallback warning
            h = fit(model, loss, optim.AdamW(model.parameters(), lr=0.05), data, epochs=3,
                    batch_size=8, progress=False, accuracy=True)
        runs[name] = h, model.state_dict(), evaluate(model, data, loss, accuracy=True)
    assert runs["function"] == runs["module"] == runs["lambda"]  # bit for bit
    h, _, ev = runs["module"]
    assert len(h.train_accuracy) == 3 and ev.accuracy is not None  # a classification loss
    assert 0.5 < ev.accuracy <= 1.0  # the one-element list is one output, not one class


def test_is_correct_reads_a_one_element_list_as_one_output():
    assert is_correct([0.3], 1) and is_correct([-0.3], 0) and not is_correct([0.3], 0)
    assert is_correct([0.7], [1.0], threshold=0.5)


def test_loss_modules_measure_accuracy_as_their_functions_do():
    data = datasets.xor(10, seed=0)
    assert evaluate(MLP(2, [3, 2], seed=0), data, nn.CrossEntropyLoss()).accuracy is not None
    assert evaluate(MLP(2, [3, 1], seed=0), data, nn.BCEWithLogitsLoss()).accuracy is not None
    assert evaluate(MLP(2, [3, 1], seed=0), data, nn.MSELoss()).accuracy is None


def test_a_loss_that_is_not_one_value_per_sample_is_a_clear_type_error():
    model = OneInAList()
    opt = optim.SGD(model.parameters(), lr=0.1)
    data = ([[1.0, 2.0]], [1.0])
    for compiled in (False, True):
        with pytest.raises(TypeError, match="the loss must be a Value for each sample, but "
                                            "MSELoss gave list"):
            fit(model, nn.MSELoss(reduction="none"), opt, data, progress=False,
                compiled=compiled)
    with pytest.raises(TypeError, match="the loss must be a Value"):
        evaluate(model, data, lambda out, y: 0.5)


@pytest.mark.parametrize("compiled", [False, True])
def test_cross_entropy_loss_module_trains_as_the_function_does(compiled):
    """A class index picks a node; the replay turns it into a one-hot list for
    nn.CrossEntropyLoss() as for nn.cross_entropy, so both trace and agree."""
    data = datasets.spiral(30, classes=3, seed=0)
    runs = []
    for loss in (nn.cross_entropy, nn.CrossEntropyLoss()):
        model = MLP(2, [8, 3], activation="tanh", seed=1)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            h = fit(model, loss, optim.AdamW(model.parameters(), lr=0.05), data, epochs=2,
                    batch_size=10, progress=False, compiled=compiled)
        runs.append((h, model.state_dict()))
    assert runs[0] == runs[1]
    assert len(runs[0][0].train_accuracy) == 2


def test_the_replay_takes_a_class_index_only_loss_by_falling_back():
    """A loss of one's own that indexes the outputs with the label cannot be recorded
    for every label: the default falls back to the scalar engine and says so."""
    data = datasets.spiral(12, classes=3, seed=0)

    def picked(out, y):
        return -nn.log_softmax(out)[y]

    model = MLP(2, [4, 3], seed=1)
    with pytest.warns(UserWarning, match="training on the scalar engine"):
        h = fit(model, picked, optim.SGD(model.parameters(), lr=0.1), data, epochs=1,
                progress=False)
    assert h.epochs == 1


def test_fit_trains_torch_named_modules_with_loss_modules_on_either_engine():
    xs = [[math.sin(i), math.cos(2 * i)] for i in range(40)]
    ys = [x[0] * x[1] for x in xs]
    runs = {}
    for compiled in (False, None):
        nn.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
        opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the default traces it: no fallback warning
            h = fit(model, nn.MSELoss(), opt, (xs, ys), (xs, ys), epochs=4, batch_size=8,
                    progress=False, compiled=compiled)
        runs[compiled] = h, [p.data for p in model.parameters()]
        assert h.train_accuracy == [] and h.train_loss[-1] < h.train_loss[0]
        assert evaluate(model, (xs, ys), nn.MSELoss()).loss == h.val_loss[-1]
    (scalar, scalar_weights), (replayed, replayed_weights) = runs[False], runs[None]
    assert replayed.train_loss == pytest.approx(scalar.train_loss, rel=1e-9)
    assert replayed_weights == pytest.approx(scalar_weights, rel=1e-9, abs=1e-12)


def test_fit_trains_in_train_mode_validates_in_eval_mode_and_puts_modes_back():
    class Moody(nn.Module):
        """Records the mode each call ran in (as dropout would read it)."""

        def __init__(self):
            self.body = MLP(2, [3, 1], seed=0)
            self.seen = []

        def forward(self, x):
            self.seen.append(self.training)
            return self.body(x)

    model = Moody()
    data = datasets.moons(8, seed=0)
    model.eval()
    fit(model, nn.binary_cross_entropy, optim.SGD(model.parameters(), lr=0.1), data, data,
        epochs=1, batch_size=4, progress=False, compiled=False)
    assert model.seen == [True] * 8 + [False] * 8  # 8 to train, then 8 to validate
    assert not model.training and not model.body.training  # as before fit
    model.train()
    model.seen.clear()
    evaluate(model, data)
    assert model.seen == [False] * 8 and model.training and model.body.training
