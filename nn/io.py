"""Saving and loading models and state dicts: versioned JSON, written atomically.

``save(model, path)`` writes a model, ``save(model.state_dict(), path)`` a state
dict (any mapping of names to numbers, nested lists of numbers, or tensors and
arrays: torch's own ``state_dict()`` saves too). ``load(path)`` gives back what
was saved: the model, rebuilt from its architecture, or the state dict. A file
looks like this (``nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))``)::

    {
     "format": "memograd.nn",
     "version": 2,
     "holds": "model",
     "type": "Sequential",
     "architecture": {
      "type": "Sequential",
      "modules": {
       "0": {"type": "Linear", "in_features": 2, "out_features": 3, "bias": true},
       "1": {"type": "ReLU"},
       "2": {"type": "Linear", "in_features": 3, "out_features": 1, "bias": true}
      }
     },
     "state_dict": {
      "0.weight": [
       [0.4870860536043755, 0.3648026151120298],
       [-0.11232874762687406, -0.34094320139667067],
       [0.015944863871463877, -0.1344434321363206]
      ],
      "0.bias": [0.4013518135953238, -0.27815781032537273, -0.033096904838577745],
      "2.weight": [
       [-0.42219980417411496, 0.40118192309253786, 0.30458069454307823]
      ],
      "2.bias": [-0.28282192784444443]
     }
    }

The state dict is in torch's layout, as ``Module.state_dict()`` gives it: a weight
is a list of rows. Numbers are written with Python's ``repr``, so they read back
bit for bit. A file holding a state dict has ``"holds": "state_dict"`` and no type
or architecture.

``architecture`` describes a model built from memograd's own modules (``Linear``,
``Sequential``, the activation modules, ``Neuron``/``Layer``/``MLP``) and is null
for one ``load`` cannot rebuild by itself: a class of your own anywhere inside, a
custom activation function, or a parameter shared by two modules (rebuilt, tied
weights would come back as two separate ones). Load such a file's weights into an
instance: ``load(path, into=model)``.

Files of version 1 (memograd 0.1: ``"parameters"``, one number per key such as
``layers.0.neurons.3.w.1``, and no ``"holds"``) still load.

Every problem with a file is a ValueError naming the file and saying what is
wrong, raised before the model changes at all: not UTF-8 JSON, truncated, a key
given twice, a value of the wrong type anywhere, NaN/Infinity or a number too
large for a float, nesting too deep, or a file larger than ``MAX_FILE_BYTES``
(32 MiB, checked before parsing).
"""

from __future__ import annotations

import itertools
import json
import math
import numbers
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar, overload

from autograd.files import write_atomically

from .activations import (
    ACTIVATIONS,
    HardSigmoid,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
)
from .containers import Sequential
from .layers import MLP, Layer, Neuron
from .linear_layer import Linear
from .module import Module, as_nested_list, describe_key_mismatch, shape_of

FORMAT = "memograd.nn"
VERSION = 2
"""The version ``save`` writes; ``load`` reads it and version 1."""
_TOP_KEYS = {1: ("format", "version", "type", "architecture", "parameters"),
             2: ("format", "version", "holds", "type", "architecture", "state_dict")}
MAX_FILE_BYTES = 32 * 1024 * 1024
"""``load`` refuses a larger file before reading it: 32 MiB, about 700,000 parameters."""
MAX_DIMENSIONS = 8
"""A state dict entry may be lists nested at most this deep (a weight needs 2)."""
MAX_NESTING = 32
"""Sequentials in an architecture may be nested at most this deep."""

M = TypeVar("M", bound=Module)


def save(obj: Module | Mapping[str, Any], path: str | Path) -> Path:
    """Write a model (its architecture and state dict) or a state dict to ``path`` as
    JSON; returns the path.

    Written as ``autograd.files.write_atomically`` writes: a symlink's target is
    written, through a temporary file renamed over it (so a crash never leaves a
    half-written file in place of a good one) keeping its permissions; a device or
    FIFO is written directly. A path that cannot be written is an OSError naming it.
    A weight that is NaN or infinite is a ValueError naming it (nothing is written).
    """
    doc: dict[str, Any]
    if isinstance(obj, Module):
        doc = {"format": FORMAT, "version": VERSION, "holds": "model",
               "type": type(obj).__name__, "architecture": architecture(obj),
               "state_dict": obj.state_dict()}
    elif isinstance(obj, Mapping):
        doc = {"format": FORMAT, "version": VERSION, "holds": "state_dict",
               "type": None, "architecture": None, "state_dict": _plain_state(obj)}
    else:
        raise TypeError(f"save: expected an nn.Module or a state dict (a mapping of names "
                        f"to numbers), got {type(obj).__name__}")
    for name, value in doc["state_dict"].items():
        for index, x in _leaves(value):
            if not math.isfinite(x):
                raise ValueError(f"save: {name!r}{index} is {x!r}; JSON cannot hold it "
                                 "(the training diverged?)")
    return write_atomically(path, _json(doc) + "\n")


@overload
def load(path: str | Path, into: None = None) -> Module | dict[str, Any]: ...


@overload
def load(path: str | Path, into: M) -> M: ...


def load(path: str | Path, into: Module | None = None) -> Module | dict[str, Any]:
    """What ``save`` wrote to ``path``: the model, rebuilt from its architecture, or the
    state dict (a dict of names to numbers and lists). With ``into``, the file's weights
    (a model's or a state dict's) are copied into the module ``into``, which is returned;
    its parameters must match them exactly (``load_state_dict(strict=True)``).

    Raises ValueError, naming the file and the problem, for a file larger than
    ``MAX_FILE_BYTES``, not JSON, truncated, of another format or version, malformed
    (a duplicate key, a wrong type, a non-finite or too large number, nesting too
    deep), or whose weights do not fit the architecture or ``into`` (missing keys,
    unexpected keys, shape mismatch). The model is never half-updated.
    """
    if into is not None and not isinstance(into, Module):
        raise TypeError(f"load: into must be an nn.Module, got {type(into).__name__}")
    path = Path(path)
    doc = _read(path)
    state = doc["state_dict"] if doc["version"] >= 2 else doc["parameters"]
    holds = doc.get("holds", "model")  # version 1 files hold models only
    arch = doc["architecture"]
    try:
        if into is not None:
            if holds == "model":
                _check_sizes(arch, into)
            into.load_state_dict(state, strict=True)
            return into
        if holds == "state_dict":
            return state
        if arch is None:
            raise ValueError(f"it holds the weights of a {_short(doc['type'])}, which load "
                             "cannot build by itself; pass the model: load(path, into=model)")
        expected, given = parameter_count(arch), sum(1 for _ in _all_leaves(state))
        if expected != given:  # checked before building: a huge architecture is never built
            raise ValueError(f"shape mismatch: {_describe(arch)} has {expected} parameters, "
                             f"the file holds {given}")
        model = _build(arch)
        model.load_state_dict(state, strict=True)
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None
    return model


# -- what a file holds ----------------------------------------------------------------

def _plain_state(state: Mapping[str, Any]) -> dict[str, Any]:
    """A state dict as JSON-ready numbers and nested lists (a tensor's ``tolist()``)."""
    out: dict[str, Any] = {}
    for name, value in state.items():
        if not isinstance(name, str):
            raise TypeError(f"save: a state dict's keys must be strings, got "
                            f"{type(name).__name__} {_show(name)}")
        value = _plain(as_nested_list(value), name, "")
        if shape_of(value, MAX_DIMENSIONS) is None:
            raise ValueError(f"save: {name!r} holds lists of unequal lengths or nested more "
                             f"than {MAX_DIMENSIONS} deep")
        out[name] = value
    return out


def _plain(x: Any, name: str, index: str) -> Any:
    """``x`` with every number a Python int or float; anything else is a TypeError."""
    if isinstance(x, (list, tuple)):
        return [_plain(item, name, f"{index}[{i}]") for i, item in enumerate(x)]
    if isinstance(x, numbers.Integral) and not isinstance(x, bool):
        return int(x)
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return float(x)
    raise TypeError(f"save: {name!r}{index}: expected a number, got {type(x).__name__} "
                    f"{_show(x)}")


def _leaves(x: Any, index: str = "") -> Iterator[tuple[str, Any]]:
    """``(index, item)`` for every item of nested lists (``[2][0]``); a number is its own."""
    if isinstance(x, list):
        for i, item in enumerate(x):
            yield from _leaves(item, f"{index}[{i}]")
    else:
        yield index, x


def _all_leaves(state: dict[str, Any]) -> Iterator[Any]:
    for value in state.values():
        for _, x in _leaves(value):
            yield x


def _json(x: Any, indent: str = "") -> str:
    """``x`` as JSON text: an object holding objects or matrices (or more than five
    keys) one key per line, a list of lists one item per line (a weight matrix reads
    row by row), anything else (a list of numbers, a Linear's architecture) on one line."""
    inner = indent + " "
    if isinstance(x, dict) and (len(x) > 5 or any(isinstance(v, dict) or _is_matrix(v)
                                                  for v in x.values())):
        items = [f"{inner}{json.dumps(k)}: {_json(v, inner)}" for k, v in x.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if _is_matrix(x):
        return "[\n" + ",\n".join(inner + _json(item, inner) for item in x) + "\n" + indent + "]"
    return json.dumps(x, allow_nan=False)


def _is_matrix(x: Any) -> bool:
    return isinstance(x, list) and bool(x) and all(isinstance(item, list) for item in x)


# -- reading --------------------------------------------------------------------------

class _Malformed(ValueError):
    """Raised by the JSON hooks below; ``load`` adds the file's name."""


def _read(path: Path) -> dict[str, Any]:
    """The checked top level of the file at ``path``: every type is right, the
    architecture (if any) is well-formed, every weight a finite number."""
    with open(path, "rb") as f:
        # a file this large is refused before it is read, let alone parsed
        size = os.fstat(f.fileno()).st_size
        raw = f.read(MAX_FILE_BYTES + 1)
    if max(size, len(raw)) > MAX_FILE_BYTES:
        raise ValueError(f"{path}: larger than {MAX_FILE_BYTES:,} bytes, the most a "
                         "memograd model file may hold (nn.io.MAX_FILE_BYTES)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a memograd model file (not UTF-8 text)") from None
    try:
        doc = json.loads(text, object_pairs_hook=_object, parse_float=_float,
                         parse_int=_integer, parse_constant=_constant)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not a memograd model file: not valid JSON, or truncated "
                         f"({e})") from None
    except _Malformed as e:
        raise ValueError(f"{path}: not a memograd model file: {e}") from None
    except RecursionError:  # json's parser stops at Python's recursion limit
        raise ValueError(f"{path}: not a memograd model file: nested too deeply") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f"{path}: not a memograd model file (expected \"format\": {FORMAT!r})")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValueError(f"{path}: the file's version is missing or not an integer: "
                         f"{_show(version)}")
    if version not in _TOP_KEYS:
        newer = " (written by a newer memograd?)" if version > VERSION else ""
        raise ValueError(f"{path}: file format version {version} is not supported; this "
                         f"memograd reads versions {', '.join(map(str, _TOP_KEYS))}{newer}")
    missing = [k for k in _TOP_KEYS[version] if k not in doc]
    unexpected = [k for k in doc if k not in _TOP_KEYS[version]]
    if missing or unexpected:
        raise ValueError(f"{path}: {describe_key_mismatch(missing, unexpected)}")
    try:
        if version == 1:
            _check_version_1(doc)
        else:
            _check_version_2(doc)
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None
    return doc


def _check_version_1(doc: dict[str, Any]) -> None:
    """memograd 0.1's files: a model, one number per parameter."""
    if not isinstance(doc["type"], str):
        raise ValueError(f"\"type\" must be a string, got {_show(doc['type'])}")
    params = doc["parameters"]
    if not isinstance(params, dict):
        raise ValueError("\"parameters\" must be an object of name: number")
    for name, x in params.items():
        if isinstance(x, bool) or not isinstance(x, int | float):
            raise ValueError(f"parameter {_short(name)!r}: expected a number, "
                             f"got {type(x).__name__} {_show(x)}")
    _check_architecture_or_null(doc["architecture"])


def _check_version_2(doc: dict[str, Any]) -> None:
    holds = doc["holds"]
    if holds == "model":
        if not isinstance(doc["type"], str):
            raise ValueError(f"\"type\" must be a string, got {_show(doc['type'])}")
        _check_architecture_or_null(doc["architecture"])
    elif holds == "state_dict":
        if doc["type"] is not None or doc["architecture"] is not None:
            raise ValueError("a file holding a state dict has null \"type\" and "
                             "\"architecture\"")
    else:
        raise ValueError(f"\"holds\" must be \"model\" or \"state_dict\", got {_show(holds)}")
    state = doc["state_dict"]
    if not isinstance(state, dict):
        raise ValueError("\"state_dict\" must be an object of name: numbers")
    for name, value in state.items():
        if shape_of(value, MAX_DIMENSIONS) is None:
            raise ValueError(f"state_dict {_short(name)!r}: lists of unequal lengths or "
                             f"nested more than {MAX_DIMENSIONS} deep")
        for index, x in _leaves(value):
            if isinstance(x, bool) or not isinstance(x, int | float):
                raise ValueError(f"state_dict {_short(name)!r}{index}: expected a number, "
                                 f"got {type(x).__name__} {_show(x)}")


def _check_architecture_or_null(arch: Any) -> None:
    if arch is not None and not isinstance(arch, dict):
        raise ValueError("\"architecture\" must be an object or null")
    if arch is not None:
        _check_architecture(arch)


# -- hooks for json.loads: what JSON allows but a model file must not hold ------------

def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict, refusing a key given twice (json keeps the last silently)."""
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _Malformed(f"the key {_short(key)!r} appears twice in one object")
        obj[key] = value
    return obj


def _float(text: str) -> float:
    x = float(text)
    if not math.isfinite(x):  # 1e400 parses as inf
        raise _Malformed(f"the number {_short(text)} is too large for a float")
    return x


def _integer(text: str) -> int:
    # a float holds at most 309 digits; longer ints are refused before int() reads them
    if len(text.lstrip("-")) > 309 or abs(int(text)) > sys.float_info.max:
        raise _Malformed(f"the number {_short(text)} is too large for a float")
    return int(text)


def _constant(name: str) -> float:
    raise _Malformed(f"{name} is not a number JSON allows (every weight must be finite)")


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def _show(x: object) -> str:
    """``x`` for a message: a scalar's repr (shortened), a container's type only, so a
    deeply nested value never reaches ``repr``."""
    if x is None or isinstance(x, bool | int | float | str):
        return _short(repr(x))
    return f"a {type(x).__name__}"


# -- architectures ------------------------------------------------------------------

_SIMPLE = {cls.__name__: cls for cls in (ReLU, Sigmoid, Tanh, Identity, HardSigmoid)}
"""The activation modules that take no arguments."""


def architecture(model: Module) -> dict[str, Any] | None:
    """The description ``load`` rebuilds ``model`` from (JSON-ready), or None when it
    cannot: a class of your own or a custom activation anywhere in the model, or a
    parameter shared by two modules (a rebuilt model would have two).

    >>> architecture(Sequential(Linear(2, 3), ReLU()))["modules"]["1"]
    {'type': 'ReLU'}
    """
    held = sum(1 for _ in _all_leaves(model.state_dict()))
    if held != model.num_parameters():  # the state dict names a shared parameter twice
        return None
    return _architecture(model)


def _architecture(module: Module) -> dict[str, Any] | None:
    # exactly these classes, not subclasses: a subclass may compute something else
    kind = type(module)
    if kind in (Neuron, Layer, MLP):
        return module.config()
    if type(module) is Linear:
        return {"type": "Linear", "in_features": module.in_features,
                "out_features": module.out_features, "bias": module.bias is not None}
    if kind in _SIMPLE.values():
        return {"type": kind.__name__}
    if type(module) is LeakyReLU:
        slope = float(module.negative_slope)
        return {"type": "LeakyReLU", "negative_slope": slope} if math.isfinite(slope) else None
    if type(module) is Softmax:
        return {"type": "Softmax", "dim": module.dim}
    if kind is Sequential:
        modules = {}
        for name, sub in module._children():  # every module as held, a repeated one too
            if not isinstance(sub, Module):
                return None
            described = _architecture(sub)
            if described is None:
                return None
            modules[name] = described
        return {"type": "Sequential", "modules": modules}
    return None


_KEYS = {"Neuron": {"type", "nin", "activation"},
         "Layer": {"type", "nin", "nout", "activation"},
         "MLP": {"type", "nin", "nouts", "activation", "output_activation"},
         "Linear": {"type", "in_features", "out_features", "bias"},
         "Sequential": {"type", "modules"},
         "LeakyReLU": {"type", "negative_slope"},
         "Softmax": {"type", "dim"},
         **{name: {"type"} for name in _SIMPLE}}


def _int(arch: dict[str, Any], key: str, where: str = "architecture") -> int:
    x = arch.get(key)
    if isinstance(x, bool) or not isinstance(x, int) or x < 1:
        raise ValueError(f"{where}: {key!r} must be an int >= 1, got {_show(x)}")
    return x


def _activation(arch: dict[str, Any], key: str, where: str = "architecture") -> str:
    name = arch.get(key)
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"{where}: unknown {key} {_show(name)}")
    return name


def _check_architecture(arch: dict[str, Any], path: str = "", depth: int = 0) -> None:
    """ValueError unless ``arch`` is one ``architecture()`` could have written: known
    types, exactly their keys, sizes that are ints >= 1, known activations. ``path``
    names a module inside a Sequential (``'0.2'``) in messages."""
    where = f"architecture of module {path!r}" if path else "architecture"
    kind = arch.get("type")
    if not isinstance(kind, str) or kind not in _KEYS:
        raise ValueError(f"{where}: unknown type {_show(kind)}; known: {', '.join(_KEYS)}")
    missing = sorted(_KEYS[kind] - set(arch))
    unexpected = sorted(set(arch) - _KEYS[kind])
    if missing or unexpected:
        raise ValueError(f"{where}: {describe_key_mismatch(missing, unexpected)}")
    if kind in ("Neuron", "Layer", "MLP"):
        _int(arch, "nin", where)
        _activation(arch, "activation", where)
    if kind == "Layer":
        _int(arch, "nout", where)
    if kind == "MLP":
        nouts = arch["nouts"]
        if not isinstance(nouts, list) or not nouts:
            raise ValueError(f"{where}: 'nouts' must be a non-empty list, got {_show(nouts)}")
        for n in nouts:
            _int({"nouts": n}, "nouts", where)
        _activation(arch, "output_activation", where)
    if kind == "Linear":
        _int(arch, "in_features", where)
        _int(arch, "out_features", where)
        if not isinstance(arch["bias"], bool):
            raise ValueError(f"{where}: 'bias' must be true or false, got {_show(arch['bias'])}")
    if kind == "LeakyReLU":
        slope = arch["negative_slope"]
        if isinstance(slope, bool) or not isinstance(slope, int | float):
            raise ValueError(f"{where}: 'negative_slope' must be a number, got {_show(slope)}")
    if kind == "Softmax" and (isinstance(arch["dim"], bool) or not isinstance(arch["dim"], int)):
        raise ValueError(f"{where}: 'dim' must be an int, got {_show(arch['dim'])}")
    if kind == "Sequential":
        modules = arch["modules"]
        if not isinstance(modules, dict):
            raise ValueError(f"{where}: 'modules' must be an object of name: architecture, "
                             f"got {_show(modules)}")
        if modules and depth >= MAX_NESTING:
            raise ValueError(f"{where}: Sequentials nested more than {MAX_NESTING} deep")
        for name, sub in modules.items():
            if not name or "." in name:
                raise ValueError(f"{where}: a module's name must be non-empty and without "
                                 f"'.', got {_short(name)!r}")
            inner = f"{path}.{name}" if path else name
            if not isinstance(sub, dict):
                raise ValueError(f"architecture of module {inner!r} must be an object, "
                                 f"got {_show(sub)}")
            _check_architecture(sub, inner, depth + 1)


def parameter_count(arch: dict[str, Any]) -> int:
    """How many numbers the model ``arch`` (checked) describes holds, computed without
    building it."""
    kind = arch["type"]
    if kind == "MLP":
        sizes = [arch["nin"], *arch["nouts"]]
        return sum((a + 1) * b for a, b in itertools.pairwise(sizes))
    if kind == "Layer":
        return int((arch["nin"] + 1) * arch["nout"])
    if kind == "Neuron":
        return int(arch["nin"] + 1)
    if kind == "Linear":
        return int(arch["out_features"] * (arch["in_features"] + arch["bias"]))
    if kind == "Sequential":
        return sum(parameter_count(sub) for sub in arch["modules"].values())
    return 0  # an activation


def _sizes(arch: dict[str, Any]) -> tuple:
    """What must match for an MLP's, a Layer's or a Neuron's weights to fit."""
    return (arch.get("type"), arch.get("nin"), arch.get("nout"),
            tuple(arch.get("nouts") or ()))


def _check_sizes(arch: dict[str, Any] | None, into: Module) -> None:
    """For an MLP, Layer or Neuron in the file and in ``into``: a mismatch named by their
    sizes, which says more than the keys that differ. Other models: ``load_state_dict``
    names the keys and shapes."""
    mine = into.config()
    if arch is not None and mine is not None and _sizes(arch) != _sizes(mine):
        raise ValueError(f"shape mismatch: the file holds {_describe(arch)}, "
                         f"the model is {_describe(mine)}")


def _describe(arch: dict[str, Any], width: int = 120) -> str:
    """``MLP(2, [16, 1])``, ``Sequential(Linear(2, 16), ReLU(), Linear(16, 1))``."""
    kind = arch.get("type")
    if kind == "MLP":
        return f"MLP({arch.get('nin')}, {arch.get('nouts')})"
    if kind == "Layer":
        return f"Layer({arch.get('nin')}, {arch.get('nout')})"
    if kind == "Neuron":
        return f"Neuron({arch.get('nin')})"
    if kind == "Linear":
        bias = "" if arch.get("bias") else ", bias=False"
        return f"Linear({arch.get('in_features')}, {arch.get('out_features')}{bias})"
    if kind == "LeakyReLU":
        return f"LeakyReLU({arch.get('negative_slope')})"
    if kind == "Softmax":
        return f"Softmax(dim={arch.get('dim')})"
    if kind == "Sequential":
        inside = ", ".join(_describe(sub, width) for sub in arch.get("modules", {}).values())
        return _short(f"Sequential({inside})", width)
    return f"{kind}()"


def _build(arch: dict[str, Any]) -> Module:
    """The module ``arch`` (checked by ``_check_architecture``) describes. Weights are
    drawn from a fixed seed, never from the global generator (loading must not change
    what ``nn.manual_seed`` set up); ``load`` overwrites them all."""
    kind = arch["type"]
    if kind == "MLP":
        return MLP(arch["nin"], arch["nouts"], activation=arch["activation"],
                   output_activation=arch["output_activation"], seed=0)
    if kind == "Layer":
        return Layer(arch["nin"], arch["nout"], activation=arch["activation"], seed=0)
    if kind == "Neuron":
        return Neuron(arch["nin"], activation=arch["activation"], seed=0)
    if kind == "Linear":
        return Linear(arch["in_features"], arch["out_features"], arch["bias"], seed=0)
    if kind == "LeakyReLU":
        return LeakyReLU(arch["negative_slope"])
    if kind == "Softmax":
        return Softmax(arch["dim"])
    if kind == "Sequential":
        return Sequential({name: _build(sub) for name, sub in arch["modules"].items()})
    return _SIMPLE[kind]()

