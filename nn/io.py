"""Saving and loading models: versioned JSON, written atomically.

A file looks like::

    {"format": "memograd.nn", "version": 1, "type": "MLP",
     "architecture": {"type": "MLP", "nin": 2, "nouts": [16, 16, 1],
                      "activation": "relu", "output_activation": "linear"},
     "parameters": {"layers.0.neurons.0.w.0": 0.2345, ...}}

Numbers are written with Python's ``repr``, so they read back bit for bit.
``architecture`` is null for a module ``load`` cannot rebuild by itself (a class
of your own): load its weights into an instance with ``load(path, into=model)``.
Every problem with a file is a ValueError that says what is wrong, raised
before the model changes at all.
"""

from __future__ import annotations

import itertools
import json
import math
import numbers
from pathlib import Path
from typing import Any

from ._files import atomic_write_text
from .activations import ACTIVATIONS
from .layers import MLP, Layer, Neuron
from .module import Module, describe_key_mismatch

FORMAT = "memograd.nn"
VERSION = 1
_TOP_KEYS = ("format", "version", "type", "architecture", "parameters")


def save(model: Module, path: str | Path) -> Path:
    """Write ``model``'s architecture and weights to ``path`` (JSON); returns the path.

    The file is written to a temporary file in the same directory and renamed over
    ``path``, so a crash never leaves a half-written file in place of a good one.
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
    return atomic_write_text(path, json.dumps(doc, indent=1) + "\n")


def load(path: str | Path, into: Module | None = None) -> Module:
    """The model saved in ``path``, rebuilt from its architecture; or, with ``into``,
    ``into`` itself with the file's weights copied in (its architecture must match).

    Raises ValueError, naming the problem, for a file that is not JSON, truncated,
    of another format or version, or whose parameters do not fit the architecture
    (missing keys, unexpected keys, shape mismatch). The model is never half-updated.
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
                raise ValueError(f"it holds the weights of a {doc['type']}, which load cannot "
                                 "build by itself; pass the model: load(path, into=model)")
            model = _build(arch, len(params))
        model.load_state_dict(params, strict=True)
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None
    return model


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a memograd model file (not UTF-8 text)") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not a memograd model file: not valid JSON, or truncated "
                         f"({e})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f"{path}: not a memograd model file (expected \"format\": {FORMAT!r})")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValueError(f"{path}: the file's version is missing or not an integer: {version!r}")
    if version != VERSION:
        newer = " (written by a newer memograd?)" if version > VERSION else ""
        raise ValueError(f"{path}: file format version {version} is not supported; this memograd "
                         f"reads version {VERSION}{newer}")
    missing = [k for k in _TOP_KEYS if k not in doc]
    unexpected = [k for k in doc if k not in _TOP_KEYS]
    if missing or unexpected:
        raise ValueError(f"{path}: {describe_key_mismatch(missing, unexpected)}")
    if not isinstance(doc["parameters"], dict):
        raise ValueError(f"{path}: \"parameters\" must be an object of name: number")
    if doc["architecture"] is not None and not isinstance(doc["architecture"], dict):
        raise ValueError(f"{path}: \"architecture\" must be an object or null")
    return doc


def _int(arch: dict[str, Any], key: str) -> int:
    x = arch.get(key)
    if isinstance(x, bool) or not isinstance(x, numbers.Integral) or x < 1:
        raise ValueError(f"architecture: {key!r} must be an int >= 1, got {x!r}")
    return int(x)


def _activation(arch: dict[str, Any], key: str) -> str:
    name = arch.get(key)
    if name not in ACTIVATIONS:
        raise ValueError(f"architecture: unknown {key} {name!r}")
    return name


_KEYS = {"Neuron": {"type", "nin", "activation"},
         "Layer": {"type", "nin", "nout", "activation"},
         "MLP": {"type", "nin", "nouts", "activation", "output_activation"}}


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
    """The module ``arch`` describes, checked against the number of parameters
    in the file before anything is allocated."""
    kind = arch.get("type")
    if kind not in _KEYS:
        raise ValueError(f"architecture: unknown type {kind!r}; known: {', '.join(_KEYS)}")
    missing = sorted(_KEYS[kind] - set(arch))
    unexpected = sorted(set(arch) - _KEYS[kind])
    if missing or unexpected:
        raise ValueError(f"architecture: {describe_key_mismatch(missing, unexpected)}")
    nin = _int(arch, "nin")
    if kind == "MLP":
        nouts = arch["nouts"]
        if not isinstance(nouts, list) or not nouts:
            raise ValueError(f"architecture: 'nouts' must be a non-empty list, got {nouts!r}")
        sizes = [nin, *(_int({"nouts": n}, "nouts") for n in nouts)]
        expected = sum((a + 1) * b for a, b in itertools.pairwise(sizes))
    elif kind == "Layer":
        expected = (nin + 1) * _int(arch, "nout")
    else:
        expected = nin + 1
    if expected != n_params:
        raise ValueError(f"shape mismatch: {_describe(arch)} has {expected} parameters, "
                         f"the file holds {n_params}")
    if kind == "MLP":
        return MLP(nin, sizes[1:], activation=_activation(arch, "activation"),
                   output_activation=_activation(arch, "output_activation"), seed=0)
    if kind == "Layer":
        return Layer(nin, arch["nout"], activation=_activation(arch, "activation"), seed=0)
    return Neuron(nin, activation=_activation(arch, "activation"), seed=0)
