"""Saving and loading models: versioned JSON, written atomically.

A file looks like::

    {"format": "memograd.nn", "version": 1, "type": "MLP",
     "architecture": {"type": "MLP", "nin": 2, "nouts": [16, 16, 1],
                      "activation": "relu", "output_activation": "linear"},
     "parameters": {"layers.0.neurons.0.w.0": 0.2345, ...}}

Numbers are written with Python's ``repr``, so they read back bit for bit.
``architecture`` is null for a module ``load`` cannot rebuild by itself (a class
of your own): load its weights into an instance with ``load(path, into=model)``.
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
import os
import sys
from pathlib import Path
from typing import Any

from autograd.files import write_atomically

from .activations import ACTIVATIONS
from .layers import MLP, Layer, Neuron
from .module import Module, describe_key_mismatch

FORMAT = "memograd.nn"
VERSION = 1
_TOP_KEYS = ("format", "version", "type", "architecture", "parameters")
MAX_FILE_BYTES = 32 * 1024 * 1024
"""``load`` refuses a larger file before reading it: 32 MiB, about 700,000 parameters."""


def save(model: Module, path: str | Path) -> Path:
    """Write ``model``'s architecture and weights to ``path`` (JSON); returns the path.

    Written as ``autograd.files.write_atomically`` writes: a symlink's target is
    written, through a temporary file renamed over it (so a crash never leaves a
    half-written file in place of a good one) keeping its permissions; a device or
    FIFO is written directly. A path that cannot be written is an OSError naming it.
    """
    if not isinstance(model, Module):
        raise TypeError(f"save: expected an nn.Module, got {type(model).__name__}")
    state = model.state_dict()
    for name, x in state.items():
        if not math.isfinite(x):
            raise ValueError(f"save: parameter {name!r} is {x!r}; JSON cannot hold it "
                             "(the training diverged?)")
    doc = {"format": FORMAT, "version": VERSION, "type": type(model).__name__,
           "architecture": model.config(), "parameters": state}
    return write_atomically(path, json.dumps(doc, indent=1) + "\n")


def load(path: str | Path, into: Module | None = None) -> Module:
    """The model saved in ``path``, rebuilt from its architecture; or, with ``into``,
    ``into`` itself with the file's weights copied in (its architecture must match).

    Raises ValueError, naming the file and the problem, for a file larger than
    ``MAX_FILE_BYTES``, not JSON, truncated, of another format or version, malformed
    (a duplicate key, a wrong type, a non-finite or too large number, nesting too
    deep), or whose parameters do not fit the architecture (missing keys,
    unexpected keys, shape mismatch). The model is never half-updated.
    """
    path = Path(path)
    doc = _read(path)
    params = doc["parameters"]
    arch = doc["architecture"]
    try:
        if into is not None:
            if not isinstance(into, Module):
                raise TypeError(f"load: into must be an nn.Module, got {type(into).__name__}")
            mine = into.config()
            if arch is not None and mine is not None and _shape(arch) != _shape(mine):
                raise ValueError(f"shape mismatch: the file holds {_describe(arch)}, "
                                 f"the model is {_describe(mine)}")
            model = into
        else:
            if arch is None:
                raise ValueError(f"it holds the weights of a {_short(doc['type'])}, which load "
                                 "cannot build by itself; pass the model: load(path, into=model)")
            model = _build(arch, len(params))
        model.load_state_dict(params, strict=True)
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None
    return model


class _Malformed(ValueError):
    """Raised by the JSON hooks below; ``load`` adds the file's name."""


def _read(path: Path) -> dict[str, Any]:
    """The checked top level of the file at ``path``: every type is right, the
    architecture (if any) is well-formed, every parameter a finite number."""
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
    if version != VERSION:
        newer = " (written by a newer memograd?)" if version > VERSION else ""
        raise ValueError(f"{path}: file format version {version} is not supported; this memograd "
                         f"reads version {VERSION}{newer}")
    missing = [k for k in _TOP_KEYS if k not in doc]
    unexpected = [k for k in doc if k not in _TOP_KEYS]
    if missing or unexpected:
        raise ValueError(f"{path}: {describe_key_mismatch(missing, unexpected)}")
    if not isinstance(doc["type"], str):
        raise ValueError(f"{path}: \"type\" must be a string, got {_show(doc['type'])}")
    params = doc["parameters"]
    if not isinstance(params, dict):
        raise ValueError(f"{path}: \"parameters\" must be an object of name: number")
    for name, x in params.items():
        if isinstance(x, bool) or not isinstance(x, int | float):
            raise ValueError(f"{path}: parameter {_short(name)!r}: expected a number, "
                             f"got {type(x).__name__} {_show(x)}")
    arch = doc["architecture"]
    if arch is not None and not isinstance(arch, dict):
        raise ValueError(f"{path}: \"architecture\" must be an object or null")
    try:
        if arch is not None:
            _check_architecture(arch)
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None
    return doc


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

def _int(arch: dict[str, Any], key: str) -> int:
    x = arch.get(key)
    if isinstance(x, bool) or not isinstance(x, int) or x < 1:
        raise ValueError(f"architecture: {key!r} must be an int >= 1, got {_show(x)}")
    return x


def _activation(arch: dict[str, Any], key: str) -> str:
    name = arch.get(key)
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"architecture: unknown {key} {_show(name)}")
    return name


_KEYS = {"Neuron": {"type", "nin", "activation"},
         "Layer": {"type", "nin", "nout", "activation"},
         "MLP": {"type", "nin", "nouts", "activation", "output_activation"}}


def _check_architecture(arch: dict[str, Any]) -> None:
    """ValueError unless ``arch`` is one ``config()`` could have written: a known type,
    exactly its keys, sizes that are ints >= 1 and known activations."""
    kind = arch.get("type")
    if not isinstance(kind, str) or kind not in _KEYS:
        raise ValueError(f"architecture: unknown type {_show(kind)}; known: {', '.join(_KEYS)}")
    missing = sorted(_KEYS[kind] - set(arch))
    unexpected = sorted(set(arch) - _KEYS[kind])
    if missing or unexpected:
        raise ValueError(f"architecture: {describe_key_mismatch(missing, unexpected)}")
    _int(arch, "nin")
    _activation(arch, "activation")
    if kind == "Layer":
        _int(arch, "nout")
    if kind == "MLP":
        nouts = arch["nouts"]
        if not isinstance(nouts, list) or not nouts:
            raise ValueError(f"architecture: 'nouts' must be a non-empty list, got {_show(nouts)}")
        for n in nouts:
            _int({"nouts": n}, "nouts")
        _activation(arch, "output_activation")


def _shape(arch: dict[str, Any]) -> tuple:
    """What must match for weights to fit: the type and the layer sizes."""
    return (arch.get("type"), arch.get("nin"), arch.get("nout"),
            tuple(arch.get("nouts") or ()))


def _describe(arch: dict[str, Any]) -> str:
    kind = arch.get("type")
    if kind == "MLP":
        return f"MLP({arch.get('nin')}, {arch.get('nouts')})"
    if kind == "Layer":
        return f"Layer({arch.get('nin')}, {arch.get('nout')})"
    return f"{kind}({arch.get('nin')})"


def _build(arch: dict[str, Any], n_params: int) -> Module:
    """The module ``arch`` (checked by ``_check_architecture``) describes, checked
    against the number of parameters in the file before anything is allocated."""
    kind, nin = arch["type"], arch["nin"]
    if kind == "MLP":
        sizes = [nin, *arch["nouts"]]
        expected = sum((a + 1) * b for a, b in itertools.pairwise(sizes))
    elif kind == "Layer":
        expected = (nin + 1) * arch["nout"]
    else:
        expected = nin + 1
    if expected != n_params:
        raise ValueError(f"shape mismatch: {_describe(arch)} has {expected} parameters, "
                         f"the file holds {n_params}")
    if kind == "MLP":
        return MLP(nin, sizes[1:], activation=arch["activation"],
                   output_activation=arch["output_activation"], seed=0)
    if kind == "Layer":
        return Layer(nin, arch["nout"], activation=arch["activation"], seed=0)
    return Neuron(nin, activation=arch["activation"], seed=0)
