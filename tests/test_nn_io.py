"""nn.save / nn.load: versioned JSON, atomic writes, a clear ValueError for every bad file.

Files of version 1 (the format before torch's layout: one number per key) still load;
the malformed-file tests start from such a file, then from a version 2 one."""

import json
import os
import random
import re
from collections import OrderedDict
from pathlib import Path

import pytest

import nn
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
    assert doc["format"] == FORMAT == "memograd.nn" and doc["version"] == VERSION == 2
    assert doc["holds"] == "model" and doc["type"] == "Neuron"
    assert doc["architecture"] == {"type": "Neuron", "nin": 2, "activation": "sigmoid"}
    assert list(doc["state_dict"]) == ["w.0", "w.1", "b"]
    assert Neuron.load(tmp_path / "n.json").state_dict() == model.state_dict()
    with pytest.raises(ValueError, match="holds a Neuron, not a MLP"):
        MLP.load(tmp_path / "n.json")


def test_model_load_of_a_state_dict_file_says_how_to_load_it(tmp_path):
    model = trained_like(MLP(2, [3, 1], seed=0))
    nn.save(model.state_dict(), tmp_path / "weights.json")
    with pytest.raises(ValueError, match=re.escape(
            "weights.json: holds a state dict, not a model; load it into a model you have "
            "built: model.load_state_dict(nn.load(path)) or nn.load(path, into=model)")):
        MLP.load(tmp_path / "weights.json")
    fresh = MLP(2, [3, 1], seed=1)
    fresh.load_state_dict(nn.load(tmp_path / "weights.json"))  # what the message advises
    assert fresh.state_dict() == model.state_dict()


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
    with pytest.raises(ValueError, match=r"'layers\.0\.bias'\[0\] is nan"):
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
    """A file of version 1, as the release before torch's layout wrote it."""
    model = trained_like(MLP(2, [2, 1], seed=0))
    return {"format": FORMAT, "version": 1, "type": "MLP", "architecture": model.config(),
            "parameters": {name: p.data for name, p in model.named_parameters()}}


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: json.dumps(d)[:-40], "not valid JSON, or truncated"),
    (lambda d: "", "not valid JSON"),
    (lambda d: b"\x89PNG\r\n\x1a\n\x00\xff", "not UTF-8"),
    (lambda d: [1, 2, 3], "not a memograd model file"),
    (lambda d: {**d, "format": "keras"}, "not a memograd model file"),
    (lambda d: {**d, "version": 3}, "version 3 is not supported.*reads versions 1, 2.*newer"),
    (lambda d: {**d, "version": 0}, "version 0 is not supported"),
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
     # one number of layers.0.weight renamed: the weight is incomplete
     r"missing keys: layers\.0\.weight; unexpected keys: xlayers\.0\.neurons\.0\.w\.0"),
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


# -- files of version 1 still load ---------------------------------------------------------

# Written by nn.save before state dicts took torch's layout (exact text, not regenerated).
VERSION_1_MLP = """\
{
 "format": "memograd.nn",
 "version": 1,
 "type": "MLP",
 "architecture": {
  "type": "MLP",
  "nin": 2,
  "nouts": [
   2,
   1
  ],
  "activation": "tanh",
  "output_activation": "linear"
 },
 "parameters": {
  "layers.0.neurons.0.w.0": 0.30000000000000004,
  "layers.0.neurons.0.w.1": -0.25,
  "layers.0.neurons.0.b": 0.1,
  "layers.0.neurons.1.w.0": 1.0,
  "layers.0.neurons.1.w.1": 0.75,
  "layers.0.neurons.1.b": -0.3,
  "layers.1.neurons.0.w.0": 0.2,
  "layers.1.neurons.0.w.1": -1.5,
  "layers.1.neurons.0.b": 0.05
 }
}
"""

VERSION_1_NET = """\
{
 "format": "memograd.nn",
 "version": 1,
 "type": "Net",
 "architecture": null,
 "parameters": {
  "body.layers.0.neurons.0.w.0": 0.5,
  "body.layers.0.neurons.0.w.1": -0.25,
  "body.layers.0.neurons.0.b": 0.125,
  "body.layers.0.neurons.1.w.0": 1.5,
  "body.layers.0.neurons.1.w.1": 2.0,
  "body.layers.0.neurons.1.b": -0.5,
  "head.w.0": 0.75,
  "head.w.1": -1.0,
  "head.b": 0.25
 }
}
"""


def test_a_version_1_file_loads_exactly(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(VERSION_1_MLP)
    model = nn.load(path)
    assert type(model) is MLP and model.config()["activation"] == "tanh"
    assert model.state_dict() == {  # the same numbers, now in torch's layout
        "layers.0.weight": [[0.30000000000000004, -0.25], [1.0, 0.75]],
        "layers.0.bias": [0.1, -0.3],
        "layers.1.weight": [[0.2, -1.5]],
        "layers.1.bias": [0.05]}
    assert MLP.load(path).state_dict() == model.state_dict()
    into = MLP(2, [2, 1], activation="tanh", seed=4)
    assert nn.load(path, into=into) is into and into.state_dict() == model.state_dict()
    with pytest.raises(ValueError, match=r"the file holds MLP\(2, \[2, 1\]\), the model is "
                                         r"MLP\(2, \[3, 1\]\)"):
        nn.load(path, into=MLP(2, [3, 1], seed=0))
    # saved again, it is a version 2 file with the same weights
    again = nn.load(nn.save(model, tmp_path / "new.json"))
    assert json.loads((tmp_path / "new.json").read_text())["version"] == 2
    assert again.state_dict() == model.state_dict()


def test_a_version_1_file_of_your_own_module_loads_into_an_instance(tmp_path):
    class Net(Module):
        def __init__(self):
            self.body = MLP(2, [2], seed=1)
            self.head = Neuron(2, activation="linear", seed=2)

        def forward(self, x):
            return self.head(self.body(x))

    path = tmp_path / "net.json"
    path.write_text(VERSION_1_NET)
    net = nn.load(path, into=Net())
    assert net.state_dict() == {"body.layers.0.weight": [[0.5, -0.25], [1.5, 2.0]],
                                "body.layers.0.bias": [0.125, -0.5],
                                "head.w.0": 0.75, "head.w.1": -1.0, "head.b": 0.25}
    with pytest.raises(ValueError, match=r"weights of a Net.*into=model"):
        nn.load(path)


# -- version 2: torch's layout, any model of memograd's modules, state dicts -----------------

def every_module_kind():
    return Sequential(
        Linear(3, 4, seed=0), ReLU(), Linear(4, 4, bias=False, seed=1), Sigmoid(), Tanh(),
        LeakyReLU(0.2), HardSigmoid(), Identity(),
        Sequential(OrderedDict([("hidden", Linear(4, 2, seed=2)), ("act", Softmax(dim=-1))])),
        MLP(2, [3, 1], activation="tanh", seed=3))


def test_a_sequential_of_every_module_kind_round_trips_bit_for_bit(tmp_path):
    model = trained_like(every_module_kind())
    loaded = nn.load(nn.save(model, tmp_path / "model.json"))
    assert type(loaded) is Sequential and repr(loaded) == repr(model)
    assert loaded.state_dict() == model.state_dict()
    assert list(loaded.state_dict())[:3] == ["0.weight", "0.bias", "2.weight"]
    x = [[0.1, -0.2, 0.3], [1.0, 2.0, -3.0]]  # the MLP at the end gives one Value a sample
    assert [out.data for out in loaded(x)] == [out.data for out in model(x)]
    assert loaded[0].weight[2][1].label == "0.neurons.2.w.1"
    assert nn.Sequential.load(tmp_path / "model.json").state_dict() == model.state_dict()


def test_a_linear_and_an_mlp_save_in_torchs_layout(tmp_path):
    layer = trained_like(Linear(2, 3, seed=0))
    nn.save(layer, tmp_path / "linear.json")
    doc = json.loads((tmp_path / "linear.json").read_text())
    assert doc["architecture"] == {"type": "Linear", "in_features": 2, "out_features": 3,
                                   "bias": True}
    assert doc["state_dict"] == {"weight": [[w.data for w in row] for row in layer.weight],
                                 "bias": [b.data for b in layer.bias]}
    assert nn.load(tmp_path / "linear.json").state_dict() == layer.state_dict()
    mlp = trained_like(MLP(2, [3, 1], seed=0))
    nn.save(mlp, tmp_path / "mlp.json")
    assert list(json.loads((tmp_path / "mlp.json").read_text())["state_dict"]) == [
        "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]


def test_the_file_reads_a_weight_matrix_row_by_row(tmp_path):
    model = Sequential(Linear(2, 3, seed=0), ReLU())
    for row in model[0].weight:
        row[0].data, row[1].data = 0.5, -0.25
    text = nn.save(model, tmp_path / "m.json").read_text()
    assert '"0.weight": [\n   [0.5, -0.25],\n   [0.5, -0.25],\n   [0.5, -0.25]\n  ],' in text
    assert '"0": {"type": "Linear", "in_features": 2, "out_features": 3, "bias": true},' in text
    assert text.endswith("}\n") and json.loads(text)["holds"] == "model"


class HomeworkNet(Module):
    """The course's regression model: a module of your own holding a Sequential."""

    def __init__(self, d, seed=0):
        super().__init__()
        self.layers = Sequential(Linear(d, 16, seed=seed), ReLU(), Linear(16, 8, seed=seed + 1),
                                 ReLU(), Linear(8, 1, seed=seed + 2))

    def forward(self, x):
        return self.layers(x)


def test_a_module_of_your_own_with_linear_layers_saves_and_loads_into_an_instance(tmp_path):
    net = trained_like(HomeworkNet(5))
    nn.save(net, tmp_path / "net.json")  # memograd 0.1 crashed here: a list is not a number
    doc = json.loads((tmp_path / "net.json").read_text())
    assert doc["type"] == "HomeworkNet" and doc["architecture"] is None
    assert list(doc["state_dict"])[:2] == ["layers.0.weight", "layers.0.bias"]
    other = HomeworkNet(5, seed=7)
    params = other.parameters()
    assert nn.load(tmp_path / "net.json", into=other) is other
    assert other.state_dict() == net.state_dict() and other.parameters() == params
    with pytest.raises(ValueError, match=r"weights of a HomeworkNet.*into=model"):
        nn.load(tmp_path / "net.json")
    short = HomeworkNet(5)
    short.layers = short.layers[:3]
    with pytest.raises(ValueError, match=r"unexpected keys: layers\.4\.weight, layers\.4\.bias"):
        nn.load(tmp_path / "net.json", into=short)


def test_a_state_dict_saves_and_loads_as_a_state_dict(tmp_path):
    net = trained_like(HomeworkNet(3))
    path = nn.save(net.state_dict(), tmp_path / "weights.json")
    doc = json.loads(path.read_text())
    assert (doc["holds"], doc["type"], doc["architecture"]) == ("state_dict", None, None)
    state = nn.load(path)
    assert type(state) is dict and state == net.state_dict()  # the numbers, exactly
    other = HomeworkNet(3, seed=5)
    other.load_state_dict(nn.load(path))  # torch's idiom
    assert other.state_dict() == net.state_dict()
    third = HomeworkNet(3, seed=6)
    assert nn.load(path, into=third) is third and third.state_dict() == net.state_dict()
    with pytest.raises(ValueError, match=r"shape mismatch for layers\.2\.weight"):
        nn.load(path, into=MLP(3, [16, 8, 1], seed=0))
    # loose numbers, nested lists and ints come back as given
    nn.save({"a": 1, "b": [[1.5, 2], [3, 4.25]], "c": -0.0}, tmp_path / "plain.json")
    back = nn.load(tmp_path / "plain.json")
    assert back == {"a": 1, "b": [[1.5, 2], [3, 4.25]], "c": -0.0}
    assert type(back["a"]) is int and str(back["c"]) == "-0.0"


def test_a_torch_state_dict_saves_too(tmp_path):
    torch = pytest.importorskip("torch", reason="torch is not installed (torch extra)")
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    nn.save(theirs.state_dict(), tmp_path / "t.json")
    ours = Sequential(Linear(2, 3), ReLU(), Linear(3, 1))
    nn.load(tmp_path / "t.json", into=ours)
    assert ours[0].weight[1][0].data == theirs[0].weight[1, 0].item()  # float32's value


def test_loading_does_not_move_the_global_generator(tmp_path):
    nn.save(every_module_kind(), tmp_path / "m.json")
    nn.manual_seed(3)
    expected = random.random()
    nn.manual_seed(3)
    nn.load(tmp_path / "m.json")
    assert random.random() == expected


def test_what_load_cannot_rebuild_has_no_architecture(tmp_path):
    tied = Sequential(Linear(2, 2, seed=0), Tanh(), Linear(2, 2, seed=1))
    tied[2].weight = tied[0].weight  # rebuilt, the two would be separate weights
    custom = MLP(2, [1], output_activation=lambda z: z * z, seed=0)

    class MyReLU(ReLU):
        pass

    for model in (tied, custom, Sequential(Linear(2, 2, seed=0), MyReLU()), Module()):
        assert nn.io.architecture(model) is None
    nn.save(tied, tmp_path / "tied.json")
    with pytest.raises(ValueError, match=r"weights of a Sequential.*into=model"):
        nn.load(tmp_path / "tied.json")
    again = Sequential(Linear(2, 2, seed=5), Tanh(), Linear(2, 2, seed=6))
    again[2].weight = again[0].weight
    assert nn.load(tmp_path / "tied.json", into=again).state_dict() == tied.state_dict()
    # one module held twice, without parameters of its own, is fine
    act = ReLU()
    assert nn.io.architecture(Sequential(Linear(2, 2), act, Linear(2, 2), act)) is not None


def test_save_refuses_what_is_not_a_model_or_state_dict(tmp_path):
    path = tmp_path / "x.json"
    cases = [
        ([1.0, 2.0], TypeError, "expected an nn.Module or a state dict"),
        ({1: [1.0]}, TypeError, "keys must be strings, got int 1"),
        ({"w": "1.0"}, TypeError, r"'w': expected a number, got str"),
        ({"w": [1.0, True]}, TypeError, r"'w'\[1\]: expected a number, got bool"),
        ({"w": [[1.0], [1.0, 2.0]]}, ValueError, "'w' holds lists of unequal lengths"),
        ({"w": [[1.0, math_nan()]]}, ValueError, r"'w'\[0\]\[1\] is nan"),
        ({"w": float("inf")}, ValueError, "'w' is inf"),
    ]
    for obj, kind, message in cases:
        with pytest.raises(kind, match=message):
            nn.save(obj, path)
        assert not path.exists()


def math_nan():
    return float("nan")


def v2_doc():
    model = trained_like(Sequential(Linear(2, 3, seed=0), ReLU(), Linear(3, 1, seed=1)))
    return json.loads(nn.io._json({"format": FORMAT, "version": 2, "holds": "model",
                                   "type": "Sequential",
                                   "architecture": nn.io.architecture(model),
                                   "state_dict": model.state_dict()}))


def nested_sequentials(depth):
    arch = {"type": "Sequential", "modules": {"0": {"type": "ReLU"}}}
    for _ in range(depth):
        arch = {"type": "Sequential", "modules": {"0": arch}}
    return arch


def with_module(d, name, arch):
    return {**d, "architecture": {**d["architecture"],
                                  "modules": {**d["architecture"]["modules"], name: arch}}}


def with_entry(d, key, value):
    return {**d, "state_dict": {**d["state_dict"], key: value}}


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: {k: v for k, v in d.items() if k != "state_dict"}, "missing keys: state_dict"),
    (lambda d: {**d, "parameters": d["state_dict"]}, "unexpected keys: parameters"),
    (lambda d: {**d, "holds": "weights"}, '"holds" must be "model" or "state_dict"'),
    (lambda d: {**d, "holds": None}, '"holds" must be "model" or "state_dict", got None'),
    (lambda d: {**d, "type": None}, '"type" must be a string, got None'),
    (lambda d: {**d, "holds": "state_dict"}, 'a state dict has null "type" and "architecture"'),
    (lambda d: {**d, "state_dict": [1.0]}, '"state_dict" must be an object'),
    (lambda d: with_entry(d, "0.bias", [1.0, "2"]),
     r"state_dict '0.bias'[1]: expected a number, got str '2'"),
    (lambda d: with_entry(d, "0.bias", [1.0, None, 2.0]), "expected a number, got NoneType"),
    (lambda d: with_entry(d, "0.bias", {"0": 1.0}), "'0.bias': expected a number, got dict"),
    (lambda d: with_entry(d, "0.weight", [[1.0, 2.0], [3.0]]), "lists of unequal lengths"),
    (lambda d: with_entry(d, "0.weight", json.loads(nested(9))), "nested more than 8 deep"),
    (lambda d: with_entry(d, "0.bias", [1.0, 2.0]),
     "shape mismatch: Sequential(Linear(2, 3), ReLU(), Linear(3, 1)) has 13 parameters, "
     "the file holds 12"),
    (lambda d: with_entry(d, "0.bias", [[1.0], [2.0], [3.0]]),
     "shape mismatch for 0.bias: the state dict has a value of shape (3, 1), the model's is "
     "of shape (3,)"),
    (lambda d: {**d, "state_dict": {("x" + k if k == "2.bias" else k): v
                                    for k, v in d["state_dict"].items()}},
     "missing keys: 2.bias; unexpected keys: x2.bias"),
    (lambda d: with_module(d, "2", {"type": "Conv2d"}),
     "architecture of module '2': unknown type 'Conv2d'"),
    (lambda d: with_module(d, "1", {"type": "ReLU", "inplace": False}),
     "architecture of module '1': unexpected keys: inplace"),
    (lambda d: with_module(d, "2", {"type": "Linear", "in_features": 3, "out_features": 1}),
     "architecture of module '2': missing keys: bias"),
    (lambda d: with_module(d, "2", {"type": "Linear", "in_features": 3, "out_features": 1,
                                    "bias": 1}),
     "'bias' must be true or false, got 1"),
    (lambda d: with_module(d, "2", {"type": "Linear", "in_features": 0, "out_features": 1,
                                    "bias": True}),
     "architecture of module '2': 'in_features' must be an int >= 1, got 0"),
    (lambda d: with_module(d, "2", {"type": "Linear", "in_features": 10 ** 9,
                                    "out_features": 10 ** 9, "bias": True}),
     "has 1000000001000000009 parameters, the file holds 13"),  # never allocated
    (lambda d: with_module(d, "1", {"type": "LeakyReLU", "negative_slope": "0.2"}),
     "'negative_slope' must be a number, got '0.2'"),
    (lambda d: with_module(d, "1", {"type": "Softmax", "dim": 1.0}),
     "'dim' must be an int, got 1.0"),
    (lambda d: with_module(d, "a.b", {"type": "ReLU"}),
     "a module's name must be non-empty and without '.', got 'a.b'"),
    (lambda d: with_module(d, "", {"type": "ReLU"}), "a module's name must be non-empty"),
    (lambda d: with_module(d, "1", "ReLU"), "architecture of module '1' must be an object"),
    (lambda d: with_module(d, "1", {"type": "Sequential", "modules": {"x": {"type": "Gelu"}}}),
     "architecture of module '1.x': unknown type 'Gelu'"),
    (lambda d: {**d, "architecture": {"type": "Sequential", "modules": [1]}},
     "'modules' must be an object of name: architecture, got a list"),
    (lambda d: {**d, "architecture": nested_sequentials(40)},
     "Sequentials nested more than 32 deep"),
    (lambda d: text_of(d).replace('"in_features": 2', '"in_features": 2, "in_features": 2'),
     "'in_features' appears twice"),
    (lambda d: text_of(d).replace('"0.bias": [', '"0.bias": [NaN, '), "NaN is not a number"),
    (lambda d: text_of(d).replace('"0.bias": [', '"0.bias": [1e400, '), "too large for a float"),
    (lambda d: text_of(d).replace('"0.bias": [', '"0.bias": [' + nested(100_000) + ', '),
     "nested too deeply"),
])
def test_every_bad_version_2_file_is_a_value_error_naming_it(tmp_path, mutate, message):
    path = write(tmp_path, mutate(v2_doc()))
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        nn.load(path)
    assert str(info.value).startswith(f"{path}: ")
    if "parameters, the file holds" in message and "Linear(2, 3), ReLU(), Linear(3, 1))" \
            not in message:
        return  # only the architecture is wrong; into= takes the weights, which fit
    model = Sequential(Linear(2, 3, seed=5), ReLU(), Linear(3, 1, seed=6))
    before = model.state_dict()
    with pytest.raises(ValueError):
        nn.load(path, into=model)
    assert model.state_dict() == before


def test_the_version_2_file_the_bad_ones_start_from_is_fine(tmp_path):
    path = write(tmp_path, v2_doc())
    assert nn.load(path).state_dict() == v2_doc()["state_dict"]
    path = write(tmp_path, {**v2_doc(), "architecture": nested_sequentials(30)})
    with pytest.raises(ValueError, match="shape mismatch: Sequential"):
        nn.load(path)  # 31 levels are allowed: the architecture is fine, the weights not


def test_load_into_something_that_is_not_a_module(tmp_path):
    with pytest.raises(TypeError, match=r"into must be an nn\.Module, got dict"):
        nn.load(tmp_path / "never-read.json", into={})


def test_the_docstring_example_runs():
    import doctest

    failed, tried = doctest.testmod(nn.io)
    assert failed == 0 and tried > 0
