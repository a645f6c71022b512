"""Activation functions by name: what a neuron applies to its ``z``.

``hard_sigmoid`` is built the way the course draws it, as the sum of two ReLU
pieces, one with a negative weight: ``relu(z) - relu(z - 1)`` is the ramp that
is 0 below 0, rises to 1 at 1 and stays there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from autograd import Value


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
