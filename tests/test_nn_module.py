"""nn's networks: Module, Neuron, Layer, MLP, activations, initialization, labels, state."""

import gc
import math
import random
import statistics

import pytest
from micrograd_demo import MICROGRAD_IMPORTS, PORTED_IMPORTS, demo_script

import autograd as ag
import nn
from autograd import Value
from nn import MLP, Layer, Module, Neuron
from nn.activations import ACTIVATIONS, get_activation


def set_weights(neuron, ws, b):
    for p, x in zip(neuron.w, ws):
        p.data = x
    neuron.b.data = b


def test_the_course_layer_figure_through_a_layer():
    layer = Layer(2, 2, activation="sigmoid", seed=0)
    set_weights(layer.neurons[0], [1.0, -2.0], 1.0)
    set_weights(layer.neurons[1], [-1.0, 1.0], 0.0)
    a = layer([1.0, -1.0])
    z = [ai.parents[0] for ai in a]
    assert [zi.data for zi in z] == [4.0, -2.0]
    assert [round(ai.data, 2) for ai in a] == [0.98, 0.12]


def test_a_neuron_is_one_dot_node_then_its_activation():
    n = Neuron(3, activation="tanh", seed=1)
    x = [0.5, -1.5, 2.0]
    a = n(x)
    z = a.parents[0]
    assert a.op == "tanh" and z.op == "dot"
    assert z.parents == (*n.w, n.b)  # weights and bias are the dot's only parents
    assert z.local_grads == (*x, 1.0)  # dz/dw_i = x_i, dz/db = 1: the forward pass
    expected = sum(w.data * xi for w, xi in zip(n.w, x)) + n.b.data
    assert z.data == pytest.approx(expected, rel=1e-15)
    a.backward()
    d = 1 - math.tanh(expected) ** 2
    assert [w.grad for w in n.w] == pytest.approx([d * xi for xi in x], rel=1e-12)
    assert n.b.grad == pytest.approx(d, rel=1e-12)


def test_neuron_accepts_values_and_a_lone_number():
    n = Neuron(1, activation="linear", seed=0)
    set_weights(n, [3.0], 0.5)
    x = Value(2.0, "x")
    out = n(x)
    assert out.data == 6.5 and n(2.0).data == 6.5 and n([2.0]).data == 6.5
    out.backward()
    assert x.grad == 3.0


def test_activations_compute_what_they_say():
    z = [-2.0, -0.5, 0.0, 0.3, 1.0, 2.5]
    expect = {
        "sigmoid": lambda v: 1 / (1 + math.exp(-v)),
        "tanh": math.tanh,
        "relu": lambda v: max(v, 0.0),
        "leaky_relu": lambda v: v if v > 0 else 0.01 * v,
        "hard_sigmoid": lambda v: min(max(v, 0.0), 1.0),
        "linear": lambda v: v,
    }
    assert set(expect) == set(ACTIVATIONS)
    for name, f in expect.items():
        n = Neuron(1, activation=name, seed=0)
        set_weights(n, [1.0], 0.0)
        assert [n(v).data for v in z] == pytest.approx([f(v) for v in z], rel=1e-15), name


def test_hard_sigmoid_is_two_relu_pieces_and_its_slopes():
    a = nn.hard_sigmoid(Value(0.4))
    assert a.op == "sub" and [p.op for p in a.parents] == ["relu", "relu"]
    for x, slope in [(-1.0, 0.0), (0.4, 1.0), (1.7, 0.0)]:
        v = Value(x)
        nn.hard_sigmoid(v).backward()
        assert v.grad == slope


def test_unknown_activation_and_bad_sizes():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        Neuron(2, activation="swish")
    with pytest.raises(ValueError, match="nin must be at least 1"):
        Neuron(0)
    with pytest.raises(TypeError, match="nin must be an int"):
        MLP(2.5, [3])
    with pytest.raises(ValueError, match="layer size must be at least 1"):
        MLP(2, [3, 0])
    with pytest.raises(TypeError, match="non-empty list"):
        MLP(2, [])
    with pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        MLP(2, [3], seed=0)([1.0, 2.0, 3.0])


def test_custom_activation_function_trains_but_has_no_builtin_name():
    act = get_activation(lambda z: z * z)
    assert act.name.startswith("custom:")
    n = Neuron(1, activation=lambda z: z * z, seed=0)
    set_weights(n, [2.0], 1.0)
    assert n(1.0).data == 9.0 and n.config() is None
    assert get_activation(nn.relu) is ACTIVATIONS["relu"]


def test_mlp_outputs_one_value_or_a_list():
    assert isinstance(MLP(2, [4, 1], seed=0)([1.0, 2.0]), Value)
    out = MLP(2, [4, 3], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 3


def test_mlp_activations_hidden_and_output():
    m = MLP(2, [3, 3, 2], activation="tanh", output_activation="sigmoid", seed=0)
    assert [n.activation.name for layer in m.layers for n in layer.neurons] == \
        ["tanh"] * 6 + ["sigmoid"] * 2
    default = MLP(2, [3, 1], seed=0)
    assert [layer.neurons[0].activation.name for layer in default.layers] == ["relu", "linear"]


# -- names and labels ---------------------------------------------------------
def test_named_parameters_order_and_labels():
    m = MLP(2, [3, 1], seed=0)
    names = [n for n, _ in m.named_parameters()]
    assert names[:4] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1",
                         "layers.0.neurons.0.b", "layers.0.neurons.1.w.0"]
    assert names[-1] == "layers.1.neurons.0.b"
    assert len(names) == m.num_parameters() == (2 + 1) * 3 + (3 + 1) * 1
    assert all(p.label == name for name, p in m.named_parameters())
    assert m.parameters() == [p for _, p in m.named_parameters()]


def test_forward_labels_z_and_a_with_the_neuron_path():
    m = MLP(2, [2, 1], seed=0)
    out = m([1.0, -1.0])
    assert out.label == "layers.1.neurons.0.z"  # linear output: a is z
    hidden = [p for p in out.parents if p.op == "relu"]
    assert [h.label for h in hidden] == ["layers.0.neurons.0.a", "layers.0.neurons.1.a"]
    assert hidden[0].parents[0].label == "layers.0.neurons.0.z"
    assert Neuron(2, seed=0)([1.0, 2.0]).label == "a"


def test_a_module_of_your_own_names_everything_by_attribute():
    class Net(Module):
        def __init__(self):
            self.body = MLP(2, [2], seed=0)
            self.head = Neuron(2, activation="linear", seed=1)
            self.scale = Value(2.0)

        def forward(self, x):
            return self.head(self.body(x)) * self.scale

    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names[0] == "body.layers.0.neurons.0.w.0"
    assert names[-4:] == ["head.w.0", "head.w.1", "head.b", "scale"]
    assert net.body.layers[0].neurons[1].b.label == "body.layers.0.neurons.1.b"
    out = net([0.5, 0.5])
    assert out.parents[0].label == "head.z"
    assert [n for n, _ in net.named_modules()][:3] == ["", "body", "body.layers.0"]


def test_a_shared_parameter_is_listed_once():
    class Tied(Module):
        def __init__(self):
            self.a = Neuron(1, seed=0)
            self.b = Neuron(1, seed=1)
            self.b.w[0] = self.a.w[0]  # parameter sharing

        def forward(self, x):
            return self.a(x) + self.b(x)

    t = Tied()
    assert t.num_parameters() == 3
    assert [n for n, _ in t.named_parameters()] == ["a.w.0", "a.b", "b.b"]


def test_constants_are_not_parameters():
    class WithConstant(Module):
        def __init__(self):
            self.w = Value(1.0)
            self.c = ag.Constant(3.0)

    assert [n for n, _ in WithConstant().named_parameters()] == ["w"]


def test_zero_grad():
    m = MLP(2, [3, 1], seed=0)
    m([1.0, 2.0]).backward()
    assert any(p.grad != 0 for p in m.parameters())
    m.zero_grad()
    assert all(p.grad == 0 for p in m.parameters())


# -- initialization -------------------------------------------------------------
def test_same_seed_same_weights_and_a_random_generator_works():
    a = MLP(3, [4, 2], seed=7).state_dict()
    assert a == MLP(3, [4, 2], seed=7).state_dict()
    assert a != MLP(3, [4, 2], seed=8).state_dict()
    assert MLP(3, [4, 2], seed=random.Random(7)).state_dict() == a


def test_biases_start_at_zero_and_uniform_weights_in_range():
    m = MLP(4, [50, 3], seed=0)
    for name, p in m.named_parameters():
        if name.endswith(".b"):
            assert p.data == 0.0
        else:
            assert -1.0 <= p.data <= 1.0


def test_xavier_and_he_scales():
    fan_in, fan_out = 40, 60
    xavier = [p.data for n, p in Layer(fan_in, fan_out, init="xavier", seed=0)
              .named_parameters() if not n.endswith("b")]
    bound = math.sqrt(6 / (fan_in + fan_out))
    assert max(abs(w) for w in xavier) <= bound
    assert statistics.pstdev(xavier) == pytest.approx(bound / math.sqrt(3), rel=0.05)
    he = [p.data for n, p in Layer(fan_in, fan_out, init="he", seed=0)
          .named_parameters() if not n.endswith("b")]
    assert statistics.pstdev(he) == pytest.approx(math.sqrt(2 / fan_in), rel=0.05)
    assert abs(statistics.fmean(he)) < 0.02
    with pytest.raises(ValueError, match="unknown init 'glorot'"):
        Neuron(2, init="glorot")
    with pytest.raises(TypeError, match="seed must be"):
        Neuron(2, seed="1")


# -- micrograd compatibility ------------------------------------------------------
def test_micrograd_signatures_reprs_and_global_random():
    micrograd_nn = pytest.importorskip("micrograd.nn", reason="micrograd 0.1.0 is not installed "
                                       "(bench extra)")
    random.seed(1337)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    random.seed(1337)
    ours = MLP(2, [16, 16, 1])
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    assert repr(ours) == repr(theirs)
    assert repr(Neuron(3, nonlin=False)) == repr(micrograd_nn.Neuron(3, nonlin=False))
    assert repr(Layer(3, 2, nonlin=False)) == repr(micrograd_nn.Layer(3, 2, nonlin=False))
    x = [0.3, -0.8]
    from micrograd.engine import Value as MValue
    assert ours(x).data == pytest.approx(theirs([MValue(v) for v in x]).data, rel=1e-12)


def _run_demo(imports, capsys, steps=None):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    code = demo_script(imports)
    if steps is not None:
        code = code.replace("for k in range(100):", f"for k in range({steps}):")
    namespace = {}
    gc.disable()  # micrograd's closures make cycles; collecting them would dominate the time
    try:
        exec(compile(code, "micrograd-demo", "exec"), namespace)
    finally:
        gc.enable()
        plt.close("all")
    out = capsys.readouterr().out
    steps_seen = [line.split() for line in out.splitlines() if line.startswith("step ")]
    losses = [float(words[3].rstrip(",")) for words in steps_seen]
    accs = [float(words[5].rstrip("%")) for words in steps_seen]
    return namespace, out, losses, accs


def test_micrograd_demo_runs_unchanged_but_for_its_imports(capsys):
    pytest.importorskip("sklearn", reason="scikit-learn is not installed (test extra)")
    pytest.importorskip("matplotlib", reason="matplotlib is not installed (test extra)")
    pytest.importorskip("micrograd", reason="micrograd 0.1.0 is not installed (bench extra)")
    ns, out, losses, accs = _run_demo(PORTED_IMPORTS, capsys)
    assert "number of parameters 337" in out
    assert len(losses) == 100 and accs[-1] == 100.0  # the notebook's result
    assert losses[-1] < 0.02 < losses[0]
    assert ns["Z"].shape == ns["xx"].shape and ns["Z"].any() and not ns["Z"].all()
    # micrograd itself, a few steps of the same code (it is ~30x slower): same losses
    _, their_out, their_losses, _ = _run_demo(MICROGRAD_IMPORTS, capsys, steps=2)
    assert their_out.splitlines()[0] == out.splitlines()[0]  # print(model) is the same
    assert len(their_losses) == 2
    assert losses[:2] == pytest.approx(their_losses, rel=1e-12, abs=1e-12)


# -- state ------------------------------------------------------------------------------
def test_state_dict_round_trip_in_place():
    a, b = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    b_params = b.parameters()
    b.load_state_dict(a.state_dict())
    assert b.state_dict() == a.state_dict()
    assert b.parameters() == b_params  # same Value objects: optimizers keep working


def test_mlp_state_dict_is_in_torchs_layout_and_old_per_number_keys_still_load():
    m = MLP(2, [3, 1], seed=0)
    state = m.state_dict()
    assert list(state) == ["layers.0.weight", "layers.0.bias", "layers.1.weight",
                           "layers.1.bias"]
    assert state["layers.0.weight"] == [[w.data for w in n.w] for n in m.layers[0].neurons]
    assert state["layers.1.bias"] == [m.layers[1].neurons[0].b.data]
    # memograd 0.1's keys, one per number, as its files hold them
    old = {name: p.data for name, p in MLP(2, [3, 1], seed=1).named_parameters()}
    assert "layers.0.neurons.2.w.1" in old
    assert repr(m.load_state_dict(old)) == "<All keys matched successfully>"
    assert m.state_dict() == MLP(2, [3, 1], seed=1).state_dict()


def test_load_state_dict_checks_everything_before_changing_anything():
    m = MLP(2, [2, 1], seed=0)
    before = m.state_dict()

    def changed(**entries):
        state = {**before, "layers.0.weight": [[5.0, 5.0], [5.0, 5.0]]}
        state.update(entries)
        return state

    state = changed()
    del state["layers.1.bias"]
    with pytest.raises(ValueError, match=r"missing keys: layers\.1\.bias"):
        m.load_state_dict(state)
    with pytest.raises(ValueError, match=r"unexpected keys: extra\.w"):
        m.load_state_dict(changed(**{"extra.w": 1.0}))
    with pytest.raises(ValueError, match="expected a number, got str"):
        m.load_state_dict(changed(**{"layers.1.bias": ["x"]}))
    with pytest.raises(ValueError, match="finite"):
        m.load_state_dict(changed(**{"layers.1.bias": [math.nan]}))
    with pytest.raises(ValueError, match="finite"):  # a per-number key is checked alike
        m.load_state_dict(changed(**{"layers.1.neurons.0.b": math.nan}))
    assert m.state_dict() == before  # untouched by every failed load
    with pytest.raises(TypeError):
        m.load_state_dict([1.0, 2.0])


def test_load_state_dict_not_strict_reports_what_it_skipped():
    m = MLP(2, [2, 1], seed=0)
    keys = m.load_state_dict({"layers.0.neurons.0.w.0": 0.25, "nope": 1.0}, strict=False)
    assert m.layers[0].neurons[0].w[0].data == 0.25
    # layers.0.weight is given only in part: still missing
    assert keys.unexpected == ["nope"] and keys.missing == [
        "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]
    assert keys.unexpected_keys == keys.unexpected  # torch's names for the same lists


def test_the_docstring_examples_run():
    import doctest

    import nn.containers
    import nn.data
    import nn.functional
    import nn.init
    import nn.layers
    import nn.linear_layer
    import nn.module

    for module in (nn, nn.layers, nn.functional, nn.data, nn.init, nn.module, nn.containers,
                   nn.linear_layer):
        failed, tried = doctest.testmod(module)
        assert failed == 0 and tried > 0, module.__name__
