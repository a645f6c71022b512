"""nn.save / nn.load: versioned JSON, atomic writes, a clear ValueError for every bad file."""

import json
import os
import re
from pathlib import Path

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


# -- malformed files: every one a ValueError naming the file, the model untouched ----------

def text_of(doc):
    return json.dumps(doc)


def with_parameter(text):
    """The good file's text with its last parameter's value replaced by ``text``."""
    doc = good_doc()
    return json.dumps(doc).replace(f"{doc['parameters']['layers.1.neurons.0.b']!r}}}}}",
                                   f"{text}}}}}")


def nested(depth):
    return "[" * depth + "1" + "]" * depth


@pytest.mark.parametrize(("content", "message"), [
    # a key given twice, at any level (json would keep the last one silently)
    (lambda: text_of(good_doc())[:-1] + ', "version": 1}', "'version' appears twice"),
    (lambda: text_of(good_doc()).replace('"layers.0.neurons.0.b": ',
                                         '"layers.0.neurons.0.w.0": 1.0, '
                                         '"layers.0.neurons.0.b": '),
     "'layers.0.neurons.0.w.0' appears twice"),
    (lambda: text_of(good_doc()).replace('"nin": 2', '"nin": 2, "nin": 2'),
     "'nin' appears twice"),
    # numbers a float cannot hold, and JSON's non-finite extensions
    (lambda: with_parameter("1e400"), "1e400 is too large for a float"),
    (lambda: with_parameter("-1e400"), "-1e400 is too large for a float"),
    (lambda: with_parameter("1" + "0" * 400), "is too large for a float"),
    (lambda: with_parameter("9" * 5000), "is too large for a float"),
    (lambda: with_parameter("NaN"), "NaN is not a number JSON allows"),
    (lambda: with_parameter("Infinity"), "Infinity is not a number JSON allows"),
    (lambda: with_parameter("-Infinity"), "-Infinity is not a number JSON allows"),
    (lambda: text_of(good_doc()).replace('"nin": 2', '"nin": 1e999'), "too large for a float"),
    # nesting
    (lambda: nested(100_000), "nested too deeply"),
    (lambda: with_parameter(nested(100_000)), "nested too deeply"),
    (lambda: with_parameter(nested(500)), "expected a number, got list"),
    # wrong types anywhere
    (lambda: text_of({**good_doc(), "type": 5}), '"type" must be a string, got 5'),
    (lambda: text_of({**good_doc(), "type": ["MLP"]}), '"type" must be a string, got a list'),
    (lambda: text_of({**good_doc(), "version": [1]}), "version is missing or not an integer"),
    (lambda: text_of({**good_doc(), "version": 1.0}), "version is missing or not an integer"),
    (lambda: text_of({**good_doc(), "architecture": [2, 1]}), "must be an object or null"),
    (lambda: with_parameter("{}"), "expected a number, got dict"),
    (lambda: with_parameter('"0.5"'), "expected a number, got str"),
    (lambda: text_of({**good_doc(), "architecture": {**good_doc()["architecture"],
                                                     "type": ["MLP"]}}), "unknown type a list"),
    (lambda: text_of({**good_doc(), "architecture": {**good_doc()["architecture"],
                                                     "activation": ["relu"]}}),
     "unknown activation a list"),
    (lambda: text_of({**good_doc(), "architecture": {**good_doc()["architecture"],
                                                     "output_activation": None}}),
     "unknown output_activation None"),
    (lambda: text_of({**good_doc(), "architecture": {**good_doc()["architecture"], "nin": "2"}}),
     "'nin' must be an int >= 1, got '2'"),
    (lambda: text_of({**good_doc(), "architecture": {**good_doc()["architecture"], "nin": 2.0}}),
     "'nin' must be an int >= 1, got 2.0"),
    (lambda: text_of({**good_doc(), "architecture": {**good_doc()["architecture"],
                                                     "nouts": "21"}}),
     "'nouts' must be a non-empty list, got '21'"),
    (lambda: text_of({**good_doc(), "architecture": {**good_doc()["architecture"],
                                                     "nouts": [2, True]}}),
     "'nouts' must be an int >= 1, got True"),
    (lambda: text_of({**good_doc(), "architecture": {**good_doc()["architecture"],
                                                     "nouts": [[2], 1]}}),
     "'nouts' must be an int >= 1, got a list"),
])
def test_every_malformed_file_is_a_value_error_naming_it(tmp_path, content, message):
    path = write(tmp_path, content())
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        nn.load(path)
    assert str(info.value).startswith(f"{path}: ")
    model = MLP(2, [2, 1], seed=3)
    before = model.state_dict()
    with pytest.raises(ValueError, match=re.escape(message)):
        nn.load(path, into=model)
    assert model.state_dict() == before


def test_the_file_the_malformed_ones_start_from_is_fine(tmp_path):
    path = write(tmp_path, with_parameter("25"))
    assert nn.load(path).layers[1].neurons[0].b.data == 25.0


def test_a_file_above_the_size_limit_is_refused_before_parsing(tmp_path, monkeypatch):
    path = write(tmp_path, good_doc())
    size = path.stat().st_size
    monkeypatch.setattr(nn.io, "MAX_FILE_BYTES", size)
    assert nn.load(path).config() == good_doc()["architecture"]  # exactly the limit is fine
    monkeypatch.setattr(nn.io, "MAX_FILE_BYTES", size - 1)

    def parse(*args, **kwargs):
        raise AssertionError("parsed a file above the limit")

    monkeypatch.setattr(json, "loads", parse)
    with pytest.raises(ValueError, match=rf"{re.escape(str(path))}: larger than {size - 1:,} "
                                         r"bytes.*MAX_FILE_BYTES"):
        nn.load(path)


def test_the_size_limit_is_stated_in_the_docs():
    limit = f"{nn.io.MAX_FILE_BYTES // 2**20} MiB"
    assert nn.io.MAX_FILE_BYTES % 2**20 == 0
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    saving = next(line for line in readme.splitlines() if line.startswith("- **Saving**"))
    assert limit in saving and "MAX_FILE_BYTES" in saving
    assert limit in nn.io.__doc__
