"""nn.to_torch / nn.from_torch: the same network in PyTorch, outputs and gradients to 1e-12.

Any module tree of Linear, Sequential and the activation modules converts both ways,
modules of your own included, with the same state dict keys; MLP/Layer/Neuron become a
torch Sequential and come back as an MLP with ``mlp=True``."""

import builtins
import random
from collections import OrderedDict

import pytest

import autograd as ag
import nn
from autograd import Value
from nn import (
    MLP,
    HardSigmoid,
    Identity,
    Layer,
    LeakyReLU,
    Linear,
    Module,
    Neuron,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from nn.activations import ACTIVATIONS


def random_inputs(nin, count=5, seed=0):
    rng = random.Random(seed)
    # stay away from the kinks of relu and hard_sigmoid by not using special values
    return [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(count)]


def torch_grads(seq):
    """Gradients of a torch Sequential, in memograd's parameter order."""
    grads = []
    linears = [m for m in seq if hasattr(m, "weight")]
    for lin in linears:
        for j in range(lin.out_features):
            grads.extend(lin.weight.grad[j].tolist())
            grads.append(lin.bias.grad[j].item())
    return grads


def compare(torch, model, seq, nin, nout):
    for x in random_inputs(nin):
        out = model(x)
        outs = [out] if nout == 1 else out
        t_out = seq(torch.tensor(x, dtype=torch.float64))
        assert [o.data for o in outs] == pytest.approx(t_out.tolist(), rel=1e-12, abs=1e-15)
        # gradients of a weighted sum of the outputs
        coef = [0.5 + k for k in range(nout)]
        model.zero_grad()
        seq.zero_grad()
        ag.sum([c * o for c, o in zip(coef, outs)]).backward()
        (t_out * torch.tensor(coef, dtype=torch.float64)).sum().backward()
        assert [p.grad for p in model.parameters()] == pytest.approx(
            torch_grads(seq), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_to_torch_matches_outputs_and_gradients(torch, activation):
    model = MLP(3, [5, 4, 2], activation=activation, output_activation="sigmoid", seed=1)
    seq = nn.to_torch(model)
    assert isinstance(seq, torch.nn.Sequential)
    assert all(p.dtype == torch.float64 for p in seq.parameters())
    compare(torch, model, seq, 3, 2)


def test_to_torch_structure_and_neuron_and_layer(torch):
    seq = nn.to_torch(MLP(2, [16, 16, 1], seed=0))
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    neuron = Neuron(4, activation="tanh", seed=2)
    compare(torch, neuron, nn.to_torch(neuron), 4, 1)
    layer = Layer(3, 2, activation="hard_sigmoid", seed=3)
    compare(torch, layer, nn.to_torch(layer), 3, 2)
    with pytest.raises(TypeError, match="a Module, which has no counterpart"):
        nn.to_torch(nn.Module())
    with pytest.raises(ValueError, match="no PyTorch equivalent"):
        nn.to_torch(Neuron(2, activation=lambda z: z * z, seed=0))


def test_from_torch_round_trip_and_a_torch_built_net(torch):
    model = MLP(3, [4, 2], activation="leaky_relu", output_activation="linear", seed=5)
    back = nn.from_torch(nn.to_torch(model), mlp=True)
    assert back.config() == model.config()
    assert back.state_dict() == model.state_dict()  # exact: float64 all the way
    torch.manual_seed(0)
    seq = torch.nn.Sequential(torch.nn.Linear(3, 6), torch.nn.Tanh(), torch.nn.Linear(6, 6),
                              torch.nn.Tanh(), torch.nn.Linear(6, 1), torch.nn.Sigmoid()).double()
    mine = nn.from_torch(seq, mlp=True)
    assert mine.config()["activation"] == "tanh"
    assert mine.config()["output_activation"] == "sigmoid"
    compare(torch, mine, seq, 3, 1)
    # float32 weights come over as the same numbers in float64
    seq32 = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Hardtanh(0.0, 1.0))
    m32 = nn.from_torch(seq32, mlp=True)
    assert m32.layers[0].neurons[0].w[1].data == seq32[0].weight[0, 1].item()
    assert m32.config()["output_activation"] == "hard_sigmoid"


def test_from_torch_refuses_what_an_mlp_cannot_be(torch):
    tnn = torch.nn
    cases = [
        (tnn.Sequential(tnn.Linear(2, 3), tnn.ReLU(), tnn.Linear(3, 3), tnn.Tanh(),
                        tnn.Linear(3, 1)), "different activations"),
        (tnn.Sequential(tnn.Linear(2, 3), tnn.Softmax(dim=0)), "unsupported module"),
        (tnn.Sequential(tnn.Linear(2, 3, bias=False)), "no bias"),
        (tnn.Sequential(tnn.Linear(2, 3), tnn.Linear(4, 1)), "does not take"),
        (tnn.Sequential(tnn.ReLU(), tnn.Linear(2, 1)), "first module must be a Linear"),
        (tnn.Sequential(tnn.Linear(2, 3), tnn.ReLU(), tnn.ReLU()), "two activations"),
        (tnn.Sequential(tnn.Linear(2, 3), tnn.LeakyReLU(0.2)), "slope"),
        (tnn.Sequential(), "no Linear"),
    ]
    for seq, message in cases:
        with pytest.raises(ValueError, match=message):
            nn.from_torch(seq, mlp=True)
    with pytest.raises(TypeError, match="Sequential"):
        nn.from_torch(tnn.Linear(2, 1), mlp=True)


def test_without_torch_the_error_names_the_extra(monkeypatch):
    real_import = builtins.__import__

    def no_torch(name, *args, **kwargs):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("No module named 'torch'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    with pytest.raises(ImportError, match=r"memograd\[torch\]"):
        nn.to_torch(MLP(2, [1], seed=0))
    with pytest.raises(ImportError, match=r"memograd\[torch\]"):
        nn.from_torch(object())


# -- any module tree, both ways -----------------------------------------------------------------

def homework(d=5):
    return Sequential(Linear(d, 16, seed=0), ReLU(), Linear(16, 8, seed=1), ReLU(),
                      Linear(8, 1, seed=2))


def every_kind():
    return Sequential(OrderedDict([
        ("hidden", Linear(3, 4, seed=0)), ("relu", ReLU()), ("more", Linear(4, 4, False, seed=1)),
        ("sigmoid", Sigmoid()), ("tanh", Tanh()), ("leaky", LeakyReLU(0.2)),
        ("ramp", HardSigmoid()), ("same", Identity()),
        ("inner", Sequential(Linear(4, 3, seed=2), LeakyReLU(), Softmax(dim=-1))),
        ("out", Linear(3, 2, seed=3))]))


class Net(Module):
    """A module of your own: a Sequential, a list of modules, loose Values and a plain
    attribute; its forward (one sample) runs on lists of Values and on tensors alike."""

    def __init__(self, d=3):
        super().__init__()
        self.width = d
        self.blocks = [Linear(d, d, seed=4), Tanh()]
        self.layers = Sequential(Linear(d, 4, seed=5), ReLU(), Linear(4, 1, seed=6))
        self.scale = Value(1.5)
        self.offsets = [Value(0.25), Value(-0.5)]

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return self.head(self.layers(x)[0])

    def head(self, z):  # a helper method: converted along with forward
        return z * self.scale + self.offsets[0] * self.offsets[1]


def to_tensors(torch, state):
    return {k: torch.tensor(v, dtype=torch.float64) for k, v in state.items()}


def our_grads(model):
    """Each state dict key's gradients, in its shape."""

    def grads(t):
        return t.grad if isinstance(t, Value) else [grads(x) for x in t]

    return {key: grads(t) for key, t in model._state_tensors().items()}


def assert_same(torch, ours, theirs, inputs, *, batch):
    """Outputs and gradients (of a weighted sum of the outputs) equal to 1e-12."""
    ours.zero_grad()
    theirs.zero_grad()
    if batch:
        out = [v for sample in ours(inputs) for v in sample]
        t_out = theirs(torch.tensor(inputs, dtype=torch.float64)).flatten()
    else:
        out = [ours(x) for x in inputs]
        t_out = torch.stack([theirs(torch.tensor(x, dtype=torch.float64)) for x in inputs])
    assert [v.data for v in out] == pytest.approx(t_out.tolist(), rel=1e-12, abs=1e-12)
    coef = [0.5 + k for k in range(len(out))]
    ag.sum([c * v for c, v in zip(coef, out)]).backward()
    (t_out * torch.tensor(coef, dtype=torch.float64)).sum().backward()
    mine = our_grads(ours)
    for key, p in theirs.named_parameters():
        assert torch.tensor(mine[key], dtype=torch.float64).flatten().tolist() == pytest.approx(
            p.grad.flatten().tolist(), rel=1e-12, abs=1e-12), key


@pytest.mark.parametrize(("make", "batch", "inputs"), [
    (homework, True, random_inputs(5, 4)),
    (every_kind, True, random_inputs(3, 4, seed=1)),
    (Net, False, random_inputs(3, 4, seed=2)),
    (lambda: Linear(3, 2, seed=7), True, random_inputs(3, 3, seed=3)),
])
def test_to_torch_and_back_give_the_same_outputs_and_gradients(torch, make, batch, inputs):
    ours = make()
    theirs = nn.to_torch(ours)
    assert all(p.dtype == torch.float64 for p in theirs.parameters())
    assert set(theirs.state_dict()) == set(ours.state_dict())  # the same keys
    assert_same(torch, ours, theirs, inputs, batch=batch)
    back = nn.from_torch(theirs)
    assert type(back).__name__ == type(ours).__name__ and repr(back) == repr(ours)
    assert back.state_dict() == ours.state_dict()  # exact: float64 all the way
    assert_same(torch, back, theirs, inputs, batch=batch)


def torch_net(torch, d=3):
    """The torch version of Net, written as a torch user would."""
    tnn = torch.nn

    class Net(tnn.Module):
        def __init__(self):
            super().__init__()
            self.width = d
            self.scale = tnn.Parameter(torch.tensor(0.75, dtype=torch.float64))
            self.blocks = tnn.ModuleList([tnn.Linear(d, d), tnn.Tanh()])
            self.layers = tnn.Sequential(tnn.Linear(d, 4), tnn.ReLU(), tnn.Linear(4, 1))
            self.offsets = tnn.ParameterList([tnn.Parameter(torch.tensor(0.5)),
                                              tnn.Parameter(torch.tensor(2.0))])

        def forward(self, x):
            for block in self.blocks:
                x = block(x)
            return self.head(self.layers(x)[0])

        def head(self, z):
            return z * self.scale + self.offsets[0] * self.offsets[1]

    torch.manual_seed(0)
    return Net().double()


def test_a_torch_module_of_your_own_converts_and_back(torch):
    theirs = torch_net(torch)
    ours = nn.from_torch(theirs)
    assert isinstance(ours, Module) and type(ours).__name__ == "Net" and ours.width == 3
    assert repr(ours.layers) == repr(theirs.layers)
    assert list(ours.state_dict()) == list(theirs.state_dict())  # parameters first, as torch
    assert ours.layers[0].weight[2][1].label == "layers.0.neurons.2.w.1"
    assert ours.scale.label == "scale" and ours.offsets[1].label == "offsets.1"
    inputs = random_inputs(3, 4, seed=5)
    assert_same(torch, ours, theirs, inputs, batch=False)
    again = nn.to_torch(ours)
    assert type(again) is not type(theirs) and type(again).__name__ == "Net"
    assert_same(torch, ours, again, inputs, batch=False)
    assert type(nn.to_torch(ours)) is type(again)  # one class made per class of yours


def test_state_dicts_round_trip_with_torch_both_ways(torch):
    # ours -> a torch model built the torch way
    ours = Net()
    theirs = torch_net(torch)
    theirs.load_state_dict(to_tensors(torch, ours.state_dict()))
    assert_same(torch, ours, theirs, random_inputs(3, 3, seed=6), batch=False)
    # torch's state dict -> ours, loaded as it is (tensors)
    other = Net()
    keys = other.load_state_dict(torch_net(torch).state_dict())
    assert keys.missing_keys == [] and keys.unexpected_keys == []
    assert other.state_dict() == nn.from_torch(torch_net(torch)).state_dict()
    # converted models exchange state dicts with the models they came from
    converted = nn.to_torch(homework())
    converted.load_state_dict(to_tensors(torch, homework().state_dict()))
    mine = nn.from_torch(converted)
    mine.load_state_dict(converted.state_dict())
    assert mine.state_dict() == homework().state_dict()


def test_into_copies_weights_into_a_model_you_built(torch):
    theirs = torch_net(torch)
    ours = Net()
    params = ours.parameters()
    assert nn.from_torch(theirs, into=ours) is ours and ours.parameters() == params
    assert ours.state_dict() == nn.from_torch(theirs).state_dict()
    single = torch_net(torch).float()  # into= keeps the target's dtype
    assert nn.to_torch(Net(), into=single) is single
    assert single.layers[0].weight.dtype == torch.float32
    assert single.scale.item() == 1.5
    with pytest.raises(TypeError, match=r"into must be a torch\.nn\.Module"):
        nn.to_torch(Net(), into=Net())
    with pytest.raises(TypeError, match=r"into must be an nn\.Module"):
        nn.from_torch(theirs, into=theirs)


def test_sharing_and_modes_are_kept(torch):
    ours = Sequential(Linear(3, 3, seed=0), Tanh(), Linear(3, 3, seed=1))
    ours[2].weight = ours[0].weight  # tied weights
    act = ReLU()
    twice = Sequential(ours, act, act)
    twice[0][1].eval()
    theirs = nn.to_torch(twice)
    assert theirs[0][2].weight is theirs[0][0].weight and theirs[1] is theirs[2]
    assert sum(p.numel() for p in theirs.parameters()) == twice.num_parameters() == 15
    assert not theirs[0][1].training and theirs[0][0].training
    assert_same(torch, twice, theirs, random_inputs(3, 3, seed=7), batch=True)
    back = nn.from_torch(theirs)
    assert back[0][2].weight is back[0][0].weight and back[1] is back[2]
    assert back.num_parameters() == 15 and not back[0][1].training and back.training


def test_conversions_leave_the_random_generators_alone(torch):
    torch.manual_seed(3)
    state = torch.random.get_rng_state()
    nn.to_torch(every_kind())
    nn.to_torch(MLP(2, [3, 1], seed=0))
    assert torch.equal(torch.random.get_rng_state(), state)
    theirs = nn.to_torch(Net())
    nn.manual_seed(3)
    expected = random.random()
    nn.manual_seed(3)
    nn.from_torch(theirs)
    assert random.random() == expected


def test_what_has_no_counterpart_is_refused_naming_where(torch):
    tnn = torch.nn
    with pytest.raises(ValueError, match=r"the module at '2' is Dropout\(p=0\.5.*Linear, "
                                         r"Sequential, ReLU"):
        nn.from_torch(tnn.Sequential(tnn.Linear(2, 2), tnn.ReLU(), tnn.Dropout()))
    with pytest.raises(ValueError, match=r"Hardsigmoid\(\).*z/6 \+ 1/2"):
        nn.from_torch(tnn.Hardsigmoid())
    with pytest.raises(ValueError, match="Hardtanh"):
        nn.from_torch(tnn.Hardtanh(-1.0, 1.0))

    class Vector(tnn.Module):
        def __init__(self):
            super().__init__()
            self.w = tnn.Parameter(torch.zeros(3))

    with pytest.raises(ValueError, match=r"parameter 'inner\.w' has shape \(3,\).*nn\.Linear"):
        nn.from_torch(tnn.Sequential(OrderedDict([("inner", Vector())])))

    class Buffered(tnn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("mean", torch.zeros(2))

    with pytest.raises(ValueError, match=r"has buffers \(mean\)"):
        nn.from_torch(Buffered())

    class MyTorchLinear(tnn.Linear):
        pass

    with pytest.raises(TypeError, match="MyTorchLinear, which has no counterpart"):
        nn.from_torch(MyTorchLinear(2, 2))

    class MyLinear(Linear):
        pass

    with pytest.raises(TypeError, match=r"module at '0' is a MyLinear, which has no "
                                        r"counterpart.*do not subclass another of nn's"):
        nn.to_torch(Sequential(MyLinear(2, 2)))
    with pytest.raises(TypeError, match="MSELoss, which has no counterpart"):
        nn.to_torch(nn.MSELoss())

    class Odd(Module):
        def __init__(self):
            self.table = {"a": Value(1.0)}

    with pytest.raises(TypeError, match=r"Odd's attribute 'table' holds a dict"):
        nn.to_torch(Odd())
    with pytest.raises(TypeError, match=r"expected an nn\.Module, got Sequential"):
        nn.to_torch(tnn.Sequential())
    with pytest.raises(TypeError, match=r"expected a torch\.nn\.Module, got Sequential"):
        nn.from_torch(Sequential())
