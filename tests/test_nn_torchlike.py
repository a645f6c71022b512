"""nn with torch's names: Linear, Sequential and the activation modules give torch's
numbers, print as torch prints them, take batches, and exchange state dicts with torch."""

import math
import re
import statistics
from collections import OrderedDict

import pytest

import nn
from autograd import Value, draw
from nn import (
    MLP,
    HardSigmoid,
    Identity,
    LeakyReLU,
    Linear,
    Module,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from nn.module import is_batch, is_bias


def homework_model(d=5, seed=0):
    """The course's regression network: d -> 16 -> 8 -> 1 with ReLUs."""
    return Sequential(Linear(d, 16, seed=seed), ReLU(), Linear(16, 8, seed=seed + 1), ReLU(),
                      Linear(8, 1, seed=seed + 2))


def torch_twin(torch, d=5):
    tnn = torch.nn
    return tnn.Sequential(tnn.Linear(d, 16), tnn.ReLU(), tnn.Linear(16, 8), tnn.ReLU(),
                          tnn.Linear(8, 1)).double()


def to_torch_state(torch, state):
    return {k: torch.tensor(v, dtype=torch.float64) for k, v in state.items()}


BATCH = [[0.5, -1.0, 2.0, 0.25, -0.75], [1.5, 0.2, -0.3, -2.0, 1.0],
         [-0.1, 0.4, 0.9, 1.2, -1.3], [2.0, -2.0, 0.0, 0.5, 0.5]]


def grads_like_torch(model):
    """Each parameter's grad at its torch index: {"0.weight": {(3, 1): g}, ...}."""
    out = {}
    for name, p in model.named_parameters():
        parts = name.split(".")
        out.setdefault(".".join(parts[:2]), {})[tuple(int(i) for i in parts[2:])] = p.grad
    return out


# -- torch's numbers ------------------------------------------------------------------------
def test_outputs_and_gradients_equal_torchs_on_a_batch(torch):
    ours, theirs = homework_model(), torch_twin(torch)
    theirs.load_state_dict(to_torch_state(torch, ours.state_dict()))
    out = ours(BATCH)
    assert len(out) == len(BATCH) and all(len(o) == 1 for o in out)
    t_out = theirs(torch.tensor(BATCH, dtype=torch.float64))
    assert [o[0].data for o in out] == pytest.approx(t_out[:, 0].tolist(), rel=1e-12, abs=1e-12)
    # the same loss both ways: the mean of squared outputs minus targets
    targets = [1.0, -0.5, 0.25, 2.0]
    loss = nn.functional.mse_loss(out, [[t] for t in targets])
    t_loss = torch.nn.functional.mse_loss(t_out, torch.tensor([[t] for t in targets],
                                                              dtype=torch.float64))
    assert loss.data == pytest.approx(t_loss.item(), rel=1e-12)
    loss.backward()
    t_loss.backward()
    grads = grads_like_torch(ours)
    t_params = dict(theirs.named_parameters())
    assert set(grads) == set(t_params)
    for key, by_index in grads.items():
        t_grad = t_params[key].grad
        for index, g in by_index.items():
            assert g == pytest.approx(t_grad[index].item(), rel=1e-12, abs=1e-12), (key, index)


def test_torchs_state_dict_loads_directly_and_gives_its_outputs(torch):
    torch.manual_seed(0)
    theirs = torch_twin(torch)
    ours = homework_model(seed=5)
    params = ours.parameters()
    keys = ours.load_state_dict(theirs.state_dict())
    assert keys.missing_keys == [] and keys.unexpected_keys == []
    assert repr(keys) == repr(theirs.load_state_dict(theirs.state_dict()))
    assert ours.parameters() == params  # the same Values, loaded in place
    t_out = theirs(torch.tensor(BATCH, dtype=torch.float64))[:, 0].tolist()
    assert [o[0].data for o in ours(BATCH)] == pytest.approx(t_out, rel=1e-12, abs=1e-12)
    # and a float32 model's tensors load too (their values, exactly)
    single = torch.nn.Linear(3, 2)
    lin = Linear(3, 2, seed=0)
    lin.load_state_dict(single.state_dict())
    assert lin.state_dict()["weight"] == single.weight.tolist()


def test_state_dict_has_torchs_keys_and_shapes(torch):
    ours = homework_model()
    state = ours.state_dict()
    theirs = torch_twin(torch).state_dict()
    assert list(state) == list(theirs)
    for key, value in state.items():
        assert list(torch.tensor(value).shape) == list(theirs[key].shape), key
    assert state["0.weight"][3][1] == ours[0].weight[3][1].data
    assert state["0.bias"] == [b.data for b in ours[0].bias]


class Net(Module):
    """The homework's shape: a Module of your own holding a Sequential."""

    def __init__(self, d):
        super().__init__()
        self.layers = Sequential(Linear(d, 4, seed=0), ReLU(), Linear(4, 1, seed=1))

    def forward(self, x):
        return self.layers(x)


def torch_net(torch, d):
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.Sequential(torch.nn.Linear(d, 4), torch.nn.ReLU(),
                                              torch.nn.Linear(4, 1))

        def forward(self, x):
            return self.layers(x)

    return Net().double()


def test_a_module_of_your_own_round_trips_with_torch(torch):
    ours, theirs = Net(3), torch_net(torch, 3)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == [
        "layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"]
    theirs.load_state_dict(to_torch_state(torch, ours.state_dict()))
    x = [[0.1, 0.2, 0.3], [-1.0, 0.5, 2.0]]
    want = theirs(torch.tensor(x, dtype=torch.float64))[:, 0].tolist()
    assert [o[0].data for o in ours(x)] == pytest.approx(want, rel=1e-12, abs=1e-12)
    other = Net(3)
    other.load_state_dict(theirs.state_dict())
    assert other.state_dict() == ours.state_dict()  # back, bit for bit
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == ["layers"]


# -- printing ----------------------------------------------------------------------------------
def test_repr_is_torchs(torch):
    tnn = torch.nn
    ours = Sequential(Linear(2, 3), ReLU(), Sigmoid(), Tanh(), LeakyReLU(0.2), Softmax(dim=-1),
                      Identity(), Sequential(Linear(3, 3, bias=False), LeakyReLU()),
                      Linear(3, 1))
    theirs = tnn.Sequential(tnn.Linear(2, 3), tnn.ReLU(), tnn.Sigmoid(), tnn.Tanh(),
                            tnn.LeakyReLU(0.2), tnn.Softmax(dim=-1), tnn.Identity(),
                            tnn.Sequential(tnn.Linear(3, 3, bias=False), tnn.LeakyReLU()),
                            tnn.Linear(3, 1))
    assert repr(ours) == repr(theirs)
    assert repr(Net(2)) == repr(torch_net(torch, 2))
    assert repr(ours[3:5]) == repr(theirs[3:5])  # a slice keeps the names "3", "4"
    named = OrderedDict([("hidden", Linear(2, 2)), ("act", Tanh())])
    t_named = OrderedDict([("hidden", tnn.Linear(2, 2)), ("act", tnn.Tanh())])
    assert repr(Sequential(named)) == repr(tnn.Sequential(t_named))
    assert repr(Sequential()) == repr(tnn.Sequential()) == "Sequential()"


def test_the_exact_text_of_a_small_model():
    assert repr(Sequential(Linear(2, 3), ReLU())) == (
        "Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): ReLU()\n)")
    assert repr(HardSigmoid()) == "HardSigmoid()"


# -- activations ---------------------------------------------------------------------------------
def test_activation_modules_give_torchs_numbers(torch):
    tnn = torch.nn
    x = [[-2.0, -0.5, 0.0, 0.3, 1.0, 2.5], [3.0, -1.0, 0.7, 1.2, -0.2, 0.0]]
    tx = torch.tensor(x, dtype=torch.float64)
    pairs = [(ReLU(), tnn.ReLU()), (Sigmoid(), tnn.Sigmoid()), (Tanh(), tnn.Tanh()),
             (LeakyReLU(), tnn.LeakyReLU()), (LeakyReLU(0.3), tnn.LeakyReLU(0.3)),
             (Softmax(dim=-1), tnn.Softmax(dim=-1)), (Softmax(dim=1), tnn.Softmax(dim=1)),
             (Softmax(dim=0), tnn.Softmax(dim=0)), (Identity(), tnn.Identity()),
             (HardSigmoid(), tnn.Hardtanh(0.0, 1.0))]
    for ours, theirs in pairs:
        out = ours(x)
        got = [v.data if isinstance(v, Value) else v for row in out for v in row]
        want = theirs(tx).flatten().tolist()
        assert got == pytest.approx(want, rel=1e-12, abs=1e-15), repr(ours)
    # the course's HardSigmoid is not torch's Hardsigmoid (z/6 + 1/2, clamped)
    assert HardSigmoid()([0.5])[0].data == 0.5 != tnn.Hardsigmoid()(torch.tensor(0.5)).item()


def test_hard_sigmoid_module_is_two_relus():
    (a,) = HardSigmoid()([Value(0.4)])
    assert a.op == "sub" and [p.op for p in a.parents] == ["relu", "relu"]


def test_activations_take_a_value_a_sample_or_a_batch_and_keep_the_shape():
    relu = ReLU()
    assert isinstance(relu(Value(-1.0)), Value) and relu(2.0).data == 2.0
    assert [v.data for v in relu([-1.0, 2.0])] == [0.0, 2.0]
    assert [[v.data for v in s] for s in relu([[-1.0], [3.0]])] == [[0.0], [3.0]]
    assert Identity()(x := [1.0, 2.0]) is x
    with pytest.raises(TypeError, match="negative_slope must be a number"):
        LeakyReLU("0.1")
    with pytest.raises(TypeError, match="dim must be an int"):
        Softmax(dim=None)


# -- Module: modes, devices, parameters ------------------------------------------------------------
def test_train_and_eval_reach_every_module():
    model = Net(2)
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    assert model.train() is model and model.layers[1].training
    model.layers.eval()
    assert model.training and not model.layers[0].training
    with pytest.raises(TypeError, match="mode must be True or False"):
        model.train("no")


def test_to_cpu_returns_the_module_and_other_devices_are_refused(torch):
    model = homework_model()
    assert model.to("cpu") is model and model.to(torch.device("cpu")) is model
    with pytest.raises(ValueError, match=r"CPU only.*must be 'cpu', got 'cuda'"):
        model.to("cuda")
    with pytest.raises(ValueError, match="CPU only"):
        model.to(torch.device("meta"))


def test_parameter_sharing_makes_one_parameter_as_in_torch(torch):
    model = Sequential(Linear(3, 3, seed=0), Tanh(), Linear(3, 3, seed=1))
    model[2].weight = model[0].weight  # the course's tied weights
    assert model.num_parameters() == 9 + 3 + 3
    assert [n for n, _ in model.named_parameters()][-3:] == ["2.bias.0", "2.bias.1", "2.bias.2"]
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.Tanh(),
                                 torch.nn.Linear(3, 3)).double()
    theirs[2].weight = theirs[0].weight
    assert model.num_parameters() == sum(p.numel() for p in theirs.parameters())
    assert list(model.state_dict()) == list(theirs.state_dict())  # both names are kept
    theirs.load_state_dict(to_torch_state(torch, model.state_dict()))
    x = [0.3, -0.6, 0.9]
    out = model(x)
    t_out = theirs(torch.tensor(x, dtype=torch.float64))
    assert [v.data for v in out] == pytest.approx(t_out.tolist(), rel=1e-12)
    nn.functional.mse_loss(out, [0.0, 1.0, 0.0]).backward()
    torch.nn.functional.mse_loss(t_out, torch.tensor([0.0, 1.0, 0.0],
                                                     dtype=torch.float64)).backward()
    shared = [w.grad for row in model[0].weight for w in row]  # both uses add up
    want = theirs[0].weight.grad.flatten().tolist()
    assert shared == pytest.approx(want, rel=1e-12, abs=1e-15)
    # loading a state dict that gives the shared weight once is complete
    state = model.state_dict()
    del state["2.weight"]
    assert model.load_state_dict(state).missing_keys == []


def test_names_labels_and_biases():
    model = Net(2)
    names = [n for n, _ in model.named_parameters()]
    assert names[:3] == ["layers.0.weight.0.0", "layers.0.weight.0.1", "layers.0.weight.1.0"]
    assert model.layers[0].weight[1][0].label == "layers.0.neurons.1.w.0"
    assert model.layers[0].bias[3].label == "layers.0.neurons.3.b"
    assert next(model.named_parameters(prefix="net"))[0] == "net.layers.0.weight.0.0"
    assert [is_bias(n) for n in ("layers.0.bias.3", "layers.0.weight.3.1", "h.b", "h.w.0")] == \
        [True, False, True, False]
    out = model([1.0, -1.0])
    assert out[0].label == "layers.2.neurons.0.z"
    relu_out = [p for p in out[0].parents if p.op == "relu"]
    assert [a.label for a in relu_out] == [f"layers.1.a.{j}" for j in range(4)]
    assert relu_out[0].parents[0].label == "layers.0.neurons.0.z"


def test_a_drawing_boxes_each_neuron_in_its_layer():
    class Small(Module):
        def __init__(self):
            self.layers = Sequential(Linear(2, 2, seed=0), ReLU(), Linear(2, 1, seed=1))

        def forward(self, x):
            return self.layers(x)

    (out,) = Small()([1.0, -1.0])
    src = draw(out).source
    boxes = re.findall(r'subgraph cluster_\d+ \{\n\s*id="c\d+" label="([^"]+)"', src)
    assert boxes == ["layers.0", "layers.0.neurons.0", "layers.0.neurons.1", "layers.1",
                     "layers.2", "layers.2.neurons.0"]


def test_children_and_modules():
    model = homework_model()
    assert [n for n, _ in model.named_children()] == ["0", "1", "2", "3", "4"]
    assert list(model.children()) == list(model)
    assert len(list(model.modules())) == 6 and next(model.modules()) is model


def test_zero_grad():
    model = homework_model()
    model(BATCH[0])[0].backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())


# -- Sequential ---------------------------------------------------------------------------------
def test_indexing_slicing_len_and_iteration():
    model = homework_model()
    assert len(model) == 5 and isinstance(model[0], Linear) and model[-1] is model[4]
    assert list(model) == [model[i] for i in range(5)]
    tail = model[2:]
    assert isinstance(tail, Sequential) and len(tail) == 3 and tail[0] is model[2]
    assert model[2].weight[0][0].label == "2.neurons.0.w.0"  # a slice does not rename
    hidden = model[:2](BATCH)
    assert [len(h) for h in hidden] == [16] * 4
    assert [o[0].data for o in model[2:](hidden)] == [o[0].data for o in model(BATCH)]
    with pytest.raises(IndexError, match="index 5 is out of range for 5 modules"):
        model[5]
    with pytest.raises(TypeError, match="index must be an int or a slice"):
        model["0"]
    grown = Sequential(Linear(2, 2)).append(ReLU())
    assert len(grown) == 2 and [n for n, _ in grown.named_children()] == ["0", "1"]


def test_sequential_refuses_what_is_not_a_module():
    with pytest.raises(TypeError, match=r"the class ReLU, not a module; write ReLU\(\)"):
        Sequential(Linear(2, 2), ReLU)
    with pytest.raises(TypeError, match="must be a Module, got function"):
        Sequential(Linear(2, 2), nn.relu)
    with pytest.raises(ValueError, match=r"without '\.'"):
        Sequential(OrderedDict([("a.b", ReLU())]))


# -- batches ------------------------------------------------------------------------------------
def test_a_batch_gives_each_samples_output_and_one_sample_its_own():
    layer = Linear(2, 1, seed=0)
    one = layer([1.0, 2.0])
    assert isinstance(one, list) and len(one) == 1 and isinstance(one[0], Value)
    batch = layer([[1.0, 2.0], (3.0, 4.0)])
    assert [[v.data for v in s] for s in batch] == [[one[0].data], [layer([3.0, 4.0])[0].data]]
    assert is_batch([[1.0, 2.0]]) and not is_batch([1.0, 2.0]) and not is_batch([])
    assert not is_batch([[1.0], 2.0])  # a batch's items are all samples
    mlp = MLP(2, [3, 1], seed=0)  # micrograd's MLP: one Value per sample when one output
    assert isinstance(mlp([1.0, 2.0]), Value)
    assert [v.data for v in mlp([[1.0, 2.0], [3.0, 4.0]])] == \
        [mlp([1.0, 2.0]).data, mlp([3.0, 4.0]).data]
    assert isinstance(Linear(1, 2, seed=0)(0.5), list)  # a lone number: one input


def test_a_tensor_or_array_is_read_as_nested_lists(torch):
    layer = Linear(2, 2, seed=0)
    got = layer(torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64))
    assert [[v.data for v in s] for s in got] == \
        [[v.data for v in layer(x)] for x in ([1.0, 2.0], [3.0, 4.0])]


def test_bad_input_says_what_is_wrong():
    layer = Sequential(Linear(2, 3, seed=0))
    with pytest.raises(ValueError, match=r"Linear at '0': input has 3 numbers, expected "
                                         r"in_features=2"):
        layer([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="sample 1 of the batch has 1 number, expected"):
        layer([[1.0, 2.0], [1.0]])
    with pytest.raises(TypeError, match="holds a str at position 1; a sample holds numbers"):
        layer([1.0, "2"])
    with pytest.raises(TypeError, match=r"holds a list at position 1.*a batch is a list whose"):
        layer([1.0, [2.0]])
    with pytest.raises(TypeError, match="holds a bool"):
        layer([1.0, True])
    with pytest.raises(TypeError, match=r"must be a sample .* or a batch .* got dict"):
        layer({"x": 1.0})
    with pytest.raises(TypeError, match="in_features must be an int"):
        Linear(2.0, 3)
    with pytest.raises(ValueError, match="out_features must be at least 1"):
        Linear(2, 0)
    with pytest.raises(TypeError, match="bias must be True or False"):
        Linear(2, 3, bias=1)


# -- load_state_dict ----------------------------------------------------------------------------
def test_strict_load_names_missing_and_unexpected_keys_and_changes_nothing():
    model = homework_model()
    before = model.state_dict()
    state = homework_model(seed=9).state_dict()
    del state["2.bias"]
    state["5.weight"] = [[1.0]]
    with pytest.raises(ValueError, match=r"missing keys: 2\.bias; unexpected keys: 5\.weight; "
                                         "nothing was changed"):
        model.load_state_dict(state)
    assert model.state_dict() == before
    with pytest.raises(ValueError, match="missing keys"):
        model.load_state_dict(MLP(5, [16, 8, 1], seed=0).state_dict())  # another architecture
    assert model.state_dict() == before


def test_non_strict_load_takes_what_fits_and_reports_the_rest():
    model = homework_model()
    other = homework_model(seed=9).state_dict()
    keys = model.load_state_dict({"0.weight": other["0.weight"], "extra": 1.0}, strict=False)
    assert keys.missing_keys == ["0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    assert keys.unexpected_keys == ["extra"] and keys.missing == keys.missing_keys
    assert model.state_dict()["0.weight"] == other["0.weight"]
    assert "missing_keys=['0.bias'" in repr(keys)


@pytest.mark.parametrize(("change", "message"), [
    (lambda s: s.update({"0.weight": [row[:1] for row in s["0.weight"]]}),
     r"shape mismatch for 0\.weight: the state dict has a value of shape \(16, 1\), "
     r"the model's is of shape \(16, 5\)"),
    (lambda s: s.update({"0.bias": [[b] for b in s["0.bias"]]}),
     r"shape mismatch for 0\.bias: .* shape \(16, 1\), the model's is of shape \(16,\)"),
    (lambda s: s.update({"0.bias": 0.5}), r"shape mismatch for 0\.bias: .* shape \(\)"),
    (lambda s: s["0.weight"].__setitem__(2, [1.0]), r"0\.weight: .* unequal lengths"),
    (lambda s: s["4.bias"].__setitem__(0, math.nan), r"4\.bias\[0\]: expected a finite number"),
    (lambda s: s["4.weight"][0].__setitem__(3, math.inf), r"4\.weight\[0\]\[3\]: .*finite"),
    (lambda s: s["4.bias"].__setitem__(0, "1.0"), r"4\.bias\[0\]: expected a number, got str"),
    (lambda s: s["4.bias"].__setitem__(0, True), r"expected a number, got bool"),
    (lambda s: s["4.bias"].__setitem__(0, None), r"expected a number, got NoneType"),
])
@pytest.mark.parametrize("strict", [True, False])
def test_shape_and_value_errors_change_nothing_even_when_not_strict(change, message, strict):
    model = homework_model()
    before = model.state_dict()
    state = homework_model(seed=3).state_dict()
    change(state)
    with pytest.raises(ValueError, match=message):
        model.load_state_dict(state, strict=strict)
    assert model.state_dict() == before


def test_load_state_dict_refuses_what_is_not_a_state_dict():
    model = Linear(2, 2)
    with pytest.raises(TypeError, match="expected a mapping"):
        model.load_state_dict([1.0, 2.0])
    with pytest.raises(TypeError, match="keys must be strings"):
        model.load_state_dict({0: [1.0]})
    with pytest.raises(TypeError, match="strict must be True or False"):
        model.load_state_dict(model.state_dict(), strict="yes")


def test_per_number_keys_still_load():
    model = Sequential(Linear(2, 2, seed=0))
    keys = model.load_state_dict({"0.weight.1.0": 0.5}, strict=False)
    assert model[0].weight[1][0].data == 0.5 and keys.missing_keys == ["0.weight", "0.bias"]
    mlp = MLP(2, [2, 1], seed=0)
    assert next(iter(mlp.state_dict())) == "layers.0.weight"  # torch's layout, as Linear's
    mlp.load_state_dict({**mlp.state_dict(), "layers.1.neurons.0.b": 0.25})  # 0.1's keys
    assert mlp.layers[1].neurons[0].b.data == 0.25


# -- initialization and seeds --------------------------------------------------------------------
def test_manual_seed_makes_modules_without_a_seed_reproducible():
    nn.manual_seed(0)
    a = Linear(2, 3)
    nn.manual_seed(0)
    b = Linear(2, 3)
    assert a.state_dict() == b.state_dict()
    assert Linear(2, 3).state_dict() != a.state_dict()  # the generator moved on
    nn.manual_seed(1)
    assert Linear(2, 3).state_dict() != a.state_dict()
    nn.manual_seed(0)
    m1 = homework_model(seed=4).state_dict(), MLP(2, [3]).state_dict()
    nn.manual_seed(0)
    assert (homework_model(seed=4).state_dict(), MLP(2, [3]).state_dict()) == m1
    assert Linear(2, 3, seed=7).state_dict() == Linear(2, 3, seed=7).state_dict()
    with pytest.raises(TypeError, match="seed must be an int"):
        nn.manual_seed("0")


def test_linear_starts_uniform_within_one_over_root_fan_in_as_torch():
    layer = Linear(16, 200, seed=0)
    weights = [w.data for row in layer.weight for w in row]
    biases = [b.data for b in layer.bias]
    bound = 1 / math.sqrt(16)
    assert max(map(abs, weights + biases)) <= bound
    assert statistics.pstdev(weights) == pytest.approx(bound / math.sqrt(3), rel=0.05)
    assert statistics.pstdev(biases) == pytest.approx(bound / math.sqrt(3), rel=0.2)
    assert Linear(3, 2, bias=False).bias is None
    assert list(Linear(3, 2, bias=False).state_dict()) == ["weight"]
