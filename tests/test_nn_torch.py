"""nn.to_torch / nn.from_torch: the same network in PyTorch, outputs and gradients to 1e-12."""

import builtins
import random

import pytest

import autograd as ag
import nn
from nn import MLP, Layer, Neuron
from nn.activations import ACTIVATIONS


@pytest.fixture
def torch():
    return pytest.importorskip("torch", reason="PyTorch is not installed "
                               "(pip install torch==2.13.0; CI installs it)")


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
    with pytest.raises(TypeError, match="Neuron, Layer or MLP"):
        nn.to_torch(nn.Module())
    with pytest.raises(ValueError, match="no PyTorch equivalent"):
        nn.to_torch(Neuron(2, activation=lambda z: z * z, seed=0))


def test_from_torch_round_trip_and_a_torch_built_net(torch):
    model = MLP(3, [4, 2], activation="leaky_relu", output_activation="linear", seed=5)
    back = nn.from_torch(nn.to_torch(model))
    assert back.config() == model.config()
    assert back.state_dict() == model.state_dict()  # exact: float64 all the way
    torch.manual_seed(0)
    seq = torch.nn.Sequential(torch.nn.Linear(3, 6), torch.nn.Tanh(), torch.nn.Linear(6, 6),
                              torch.nn.Tanh(), torch.nn.Linear(6, 1), torch.nn.Sigmoid()).double()
    mine = nn.from_torch(seq)
    assert mine.config()["activation"] == "tanh"
    assert mine.config()["output_activation"] == "sigmoid"
    compare(torch, mine, seq, 3, 1)
    # float32 weights come over as the same numbers in float64
    seq32 = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Hardtanh(0.0, 1.0))
    m32 = nn.from_torch(seq32)
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
            nn.from_torch(seq)
    with pytest.raises(TypeError, match="Sequential"):
        nn.from_torch(tnn.Linear(2, 1))


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
