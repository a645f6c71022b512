"""nn.save / nn.load: versioned JSON, atomic writes, a clear ValueError for every bad file."""

import json
import os

import pytest

import nn
from nn import MLP, Layer, Module, Neuron
from nn.io import FORMAT, VERSION


def trained_like(model):
    for i, p in enumerate(model.parameters()):
        p.data = (i * 0.7318) % 1.9 - 0.95 + 1e-17 * i  # awkward floats that must survive
    return model


def test_round_trip_rebuilds_the_same_model_bit_for_bit(tmp_path):
    model = trained_like(MLP(3, [4, 5, 2], activation="tanh", output_activation="sigmoid",
                             seed=0))
    path = nn.save(model, tmp_path / "model.json")
    loaded = nn.load(path)
    assert type(loaded) is MLP and loaded.config() == model.config()
    assert loaded.state_dict() == model.state_dict()  # exact, not approximately
    x = [0.1, -0.2, 0.3]
    assert [v.data for v in loaded(x)] == [v.data for v in model(x)]
    assert loaded.layers[0].neurons[1].w[2].label == "layers.0.neurons.1.w.2"


def test_the_file_is_versioned_readable_json(tmp_path):
    model = trained_like(Neuron(2, activation="sigmoid", seed=0))
    model.save(tmp_path / "n.json")
    doc = json.loads((tmp_path / "n.json").read_text())
    assert doc["format"] == FORMAT == "memograd.nn" and doc["version"] == VERSION == 1
    assert doc["type"] == "Neuron"
    assert doc["architecture"] == {"type": "Neuron", "nin": 2, "activation": "sigmoid"}
    assert list(doc["parameters"]) == ["w.0", "w.1", "b"]
    assert Neuron.load(tmp_path / "n.json").state_dict() == model.state_dict()
    with pytest.raises(ValueError, match="holds a Neuron, not a MLP"):
        MLP.load(tmp_path / "n.json")


def test_layer_round_trip_and_load_into_an_existing_model(tmp_path):
    layer = trained_like(Layer(2, 3, activation="leaky_relu", seed=0))
    nn.save(layer, tmp_path / "layer.json")
    assert nn.load(tmp_path / "layer.json").state_dict() == layer.state_dict()
    target = Layer(2, 3, activation="leaky_relu", seed=5)
    params = target.parameters()
    assert nn.load(tmp_path / "layer.json", into=target) is target
    assert target.state_dict() == layer.state_dict() and target.parameters() == params


def test_save_is_atomic_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    good = trained_like(MLP(2, [3, 1], seed=0))
    nn.save(good, path)
    before = path.read_bytes()

    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        nn.save(MLP(2, [3, 1], seed=9), path)
    monkeypatch.undo()
    assert path.read_bytes() == before  # the good file is still there, whole
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


def test_save_refuses_non_finite_weights(tmp_path):
    model = MLP(2, [1], seed=0)
    model.layers[0].neurons[0].b.data = float("nan")
    with pytest.raises(ValueError, match=r"layers\.0\.neurons\.0\.b.*nan"):
        nn.save(model, tmp_path / "m.json")
    assert not (tmp_path / "m.json").exists()


def write(tmp_path, content):
    path = tmp_path / "bad.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def good_doc():
    model = trained_like(MLP(2, [2, 1], seed=0))
    return {"format": FORMAT, "version": VERSION, "type": "MLP",
            "architecture": model.config(), "parameters": model.state_dict()}


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: json.dumps(d)[:-40], "not valid JSON, or truncated"),
    (lambda d: "", "not valid JSON"),
    (lambda d: b"\x89PNG\r\n\x1a\n\x00\xff", "not UTF-8"),
    (lambda d: [1, 2, 3], "not a memograd model file"),
    (lambda d: {**d, "format": "keras"}, "not a memograd model file"),
    (lambda d: {**d, "version": 2}, "version 2 is not supported.*newer"),
    (lambda d: {**d, "version": "1"}, "version is missing or not an integer"),
    (lambda d: {k: v for k, v in d.items() if k != "parameters"}, "missing keys: parameters"),
    (lambda d: {**d, "extra": 1}, "unexpected keys: extra"),
    (lambda d: {**d, "parameters": [1.0, 2.0]}, "parameters.*must be an object"),
    (lambda d: {**d, "parameters": {k: v for k, v in list(d["parameters"].items())[1:]}},
     "shape mismatch: MLP.*has 9 parameters, the file holds 8"),
    (lambda d: {**d, "parameters": {**d["parameters"], "layers.9.w": 1.0}},
     "shape mismatch"),
    (lambda d: {**d, "parameters": {("x" + k if i == 0 else k): v for i, (k, v)
                                    in enumerate(d["parameters"].items())}},
     r"missing keys: layers\.0\.neurons\.0\.w\.0; unexpected keys: xlayers"),
    (lambda d: {**d, "parameters": {**d["parameters"], "layers.1.neurons.0.b": "big"}},
     "expected a number, got str"),
    (lambda d: {**d, "parameters": {**d["parameters"], "layers.1.neurons.0.b": True}},
     "expected a number, got bool"),
    (lambda d: {**d, "architecture": {**d["architecture"], "type": "CNN"}}, "unknown type 'CNN'"),
    (lambda d: {**d, "architecture": {**d["architecture"], "activation": "swish"}},
     "unknown activation 'swish'"),
    (lambda d: {**d, "architecture": {**d["architecture"], "nouts": [10 ** 9, 1]}},
     "shape mismatch"),
    (lambda d: {**d, "architecture": {**d["architecture"], "nin": -2}}, "'nin' must be an int"),
    (lambda d: {**d, "architecture": {"type": "MLP"}}, "architecture: missing keys"),
    (lambda d: {**d, "architecture": None}, "into=model"),
])
def test_every_bad_file_is_a_clear_value_error(tmp_path, mutate, message):
    path = write(tmp_path, mutate(good_doc()))
    with pytest.raises(ValueError, match=message) as info:
        nn.load(path)
    assert str(path) in str(info.value)


def test_a_bad_file_never_half_updates_the_model(tmp_path):
    doc = good_doc()
    doc["parameters"]["layers.0.neurons.0.w.0"] = 123.0
    doc["parameters"]["layers.1.neurons.0.b"] = None  # the last one is bad
    path = write(tmp_path, doc)
    model = MLP(2, [2, 1], seed=3)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"layers\.1\.neurons\.0\.b"):
        nn.load(path, into=model)
    assert model.state_dict() == before
    bigger = MLP(2, [3, 1], seed=3)
    nn.save(trained_like(MLP(2, [2, 1], seed=0)), tmp_path / "ok.json")
    with pytest.raises(ValueError, match=r"shape mismatch: the file holds MLP\(2, \[2, 1\]\), "
                                         r"the model is MLP\(2, \[3, 1\]\)"):
        nn.load(tmp_path / "ok.json", into=bigger)


def test_a_module_of_your_own_saves_weights_and_loads_into_an_instance(tmp_path):
    class Net(Module):
        def __init__(self, seed):
            self.body = MLP(2, [3], seed=seed)
            self.head = Neuron(3, activation="linear", seed=seed)

        def forward(self, x):
            return self.head(self.body(x))

    net = trained_like(Net(0))
    nn.save(net, tmp_path / "net.json")
    doc = json.loads((tmp_path / "net.json").read_text())
    assert doc["type"] == "Net" and doc["architecture"] is None
    with pytest.raises(ValueError, match=r"weights of a Net.*load\(path, into=model\)"):
        nn.load(tmp_path / "net.json")
    other = Net(1)
    nn.load(tmp_path / "net.json", into=other)
    assert other.state_dict() == net.state_dict()


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "nope.json")
