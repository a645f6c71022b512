"""Activations: functions by name (what a ``Neuron`` applies to its ``z``) and
modules with torch's names (``ReLU()``, what a ``Sequential`` holds).

``hard_sigmoid`` is built the way the course draws it, as the sum of two ReLU
pieces, one with a negative weight: ``relu(z) - relu(z - 1)`` is the ramp that
is 0 below 0, rises to 1 at 1 and stays there. The module ``HardSigmoid`` is
that ramp too. torch's ``nn.Hardsigmoid`` (small s) is another function,
``z/6 + 1/2`` clamped to [0, 1]; the course's ramp is torch's ``nn.Hardtanh(0, 1)``.

An activation module maps every number of its input, one sample or a batch,
keeping its shape, and labels each output ``a.j`` after its position in the
sample under the module's path (``1.a.3`` for the ReLU at ``model[1]``), so a
drawing boxes a layer's activations together.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from autograd import Value, as_value

from . import functional as F
from .module import Module, Tensor, as_nested_list, is_batch


def sigmoid(z: Value) -> Value:
    return z.sigmoid()


def tanh(z: Value) -> Value:
    return z.tanh()


def relu(z: Value) -> Value:
    return z.relu()


def leaky_relu(z: Value) -> Value:
    """``z`` where z > 0, else ``0.01 z`` (PyTorch's default slope)."""
    return z.leaky_relu(LEAKY_SLOPE)


def hard_sigmoid(z: Value) -> Value:
    """``relu(z) - relu(z - 1)``: two ReLU pieces make the ramp from 0 to 1."""
    return z.relu() - (z - 1.0).relu()


def linear(z: Value) -> Value:
    """The identity: the neuron outputs ``z`` itself."""
    return z


LEAKY_SLOPE = 0.01


@dataclass(frozen=True)
class Activation:
    """A named activation; ``title`` is how a neuron's repr shows it (micrograd: ``ReLUNeuron``)."""

    name: str
    fn: Callable[[Value], Value]
    title: str


ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (
    Activation("sigmoid", sigmoid, "Sigmoid"),
    Activation("tanh", tanh, "Tanh"),
    Activation("relu", relu, "ReLU"),
    Activation("leaky_relu", leaky_relu, "LeakyReLU"),
    Activation("hard_sigmoid", hard_sigmoid, "HardSigmoid"),
    Activation("linear", linear, "Linear"),
)}
"""Every built-in activation by name; these names are what a saved model records."""


def get_activation(spec: str | Callable[[Value], Value] | Activation) -> Activation:
    """The Activation for a name (``"relu"``), one of the functions above, or any callable.

    A callable that is not one of the built-ins gets the name
    ``"custom:<function name>"``: a model using it trains, but cannot be saved
    or moved to PyTorch, which need a built-in name.
    """
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, str):
        try:
            return ACTIVATIONS[spec]
        except KeyError:
            known = ", ".join(ACTIVATIONS)
            raise ValueError(f"unknown activation {spec!r}; choose one of {known}") from None
    if callable(spec):
        for a in ACTIVATIONS.values():
            if a.fn is spec:
                return a
        name = getattr(spec, "__name__", type(spec).__name__)
        return Activation(f"custom:{name}", spec, name)
    raise TypeError(f"activation must be a name or a function, got {type(spec).__name__}")


def is_builtin(activation: Activation) -> bool:
    return ACTIVATIONS.get(activation.name) is activation


# -- modules ------------------------------------------------------------------------------
def _label(out: Tensor, base: str) -> None:
    """Label one sample's outputs ``base.j`` (one Value: ``base``); a batch's samples alike."""
    if isinstance(out, Value):
        out.label = base
    elif is_batch(out):
        for sample in out:
            _label(sample, base)
    else:
        for j, v in enumerate(out):
            if isinstance(v, Value):
                v.label = f"{base}.{j}"


class _Activation(Module):
    """A module applying one function to its whole input; subclasses define ``function``."""

    def function(self, input: Tensor) -> Tensor:
        raise NotImplementedError

    def forward(self, input: Tensor) -> Tensor:
        out = self.function(as_nested_list(input))
        _label(out, self._path + "a")
        return out


class ReLU(_Activation):
    """``max(0, z)`` of every element (torch's ``nn.ReLU``)."""

    def function(self, input: Tensor) -> Tensor:
        return F.relu(input)


class Sigmoid(_Activation):
    """``1 / (1 + exp(-z))`` of every element (torch's ``nn.Sigmoid``)."""

    def function(self, input: Tensor) -> Tensor:
        return F.sigmoid(input)


class Tanh(_Activation):
    """``tanh(z)`` of every element (torch's ``nn.Tanh``)."""

    def function(self, input: Tensor) -> Tensor:
        return F.tanh(input)


class LeakyReLU(_Activation):
    """``z`` where z > 0, else ``negative_slope · z`` (torch's ``nn.LeakyReLU``)."""

    def __init__(self, negative_slope: float = LEAKY_SLOPE) -> None:
        if isinstance(negative_slope, bool) or not isinstance(negative_slope, numbers.Real):
            raise TypeError(f"LeakyReLU: negative_slope must be a number, "
                            f"got {type(negative_slope).__name__}")
        self.negative_slope: float = negative_slope

    def function(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, float(self.negative_slope))

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class HardSigmoid(_Activation):
    """The course's hard sigmoid, ``relu(z) - relu(z - 1)`` of every element: 0 below 0,
    z in between, 1 above 1. Not torch's ``nn.Hardsigmoid`` (``z/6 + 1/2`` clamped);
    in torch this ramp is ``nn.Hardtanh(0, 1)``."""

    def function(self, input: Tensor) -> Tensor:
        return _map(hard_sigmoid, input)


class Softmax(_Activation):
    """``exp(z_i) / Σ_j exp(z_j)`` along ``dim`` (torch's ``nn.Softmax``): with the
    default ``dim=-1``, each sample's outputs become probabilities that add up to 1."""

    def __init__(self, dim: int = -1) -> None:
        if isinstance(dim, bool) or not isinstance(dim, int):
            raise TypeError(f"Softmax: dim must be an int, got {type(dim).__name__}")
        self.dim = dim

    def function(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Identity(Module):
    """Returns its input unchanged (torch's ``nn.Identity``): no node, no label."""

    def forward(self, input: Any) -> Any:
        return input


def _map(f: Callable[[Value], Value], x: Tensor) -> Tensor:
    """``f`` of every element of ``x``, in ``x``'s shape."""
    if isinstance(x, (list, tuple)):
        return [_map(f, item) for item in x]
    return f(as_value(x, "HardSigmoid"))
