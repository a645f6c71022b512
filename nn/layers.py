"""Fully connected networks: `Neuron`, `Layer`, `MLP`.

Each neuron computes ``z = w·x + b`` as ONE graph node (``autograd.dot`` over
the weights and the bias, with a constant 1 as the bias's input, so dz/dw_i is
x_i and dz/db is 1, as the course's forward pass says), then ``a = act(z)``.
The z and a nodes are labelled with the neuron's path (``layers.0.neurons.3.z``).

The constructors also accept micrograd 0.1.0's arguments: ``Neuron(nin, nonlin=True)``,
``Layer(nin, nout, **kwargs)``, ``MLP(nin, nouts)`` with ReLU on every layer but the
last; ``parameters()`` lists layer by layer, neuron by neuron, the weights then the
bias, so weights copy between the two libraries in order. As in micrograd, a layer
with one neuron gives one Value, not a list of one (``nn.Linear`` gives the list).

Called on a batch (a list of samples, each a list: see ``nn.module.is_batch``) a
module returns the list of the samples' outputs.

A ``Layer``'s ``state_dict()`` entries are in torch's layout, as an ``nn.Linear``'s:
``weight`` (row j is neuron j's ``w``) and ``bias``, so an ``MLP`` gives
``layers.0.weight`` and ``layers.0.bias``. ``load_state_dict`` also takes the
per-number keys (``layers.0.neurons.3.w.1``) that memograd 0.1's files hold. A lone
``Neuron`` keeps per-number keys (``w.0``, ``w.1``, ``b``).
"""

from __future__ import annotations

import numbers
import random
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from autograd import Value, dot

from .activations import Activation, get_activation, is_builtin
from .init import Rng, get_scheme, make_rng
from .module import Module, Tensor, is_batch, positive_int

Input = Sequence[Value | float] | Value | float
Seed = int | random.Random | None


def _inputs_and_one(x: Input, nin: int, module: Module) -> list:
    """The inputs as a list with a final 1.0, the bias's input; a lone number or Value
    is a one-element input (handy for one-variable models)."""
    # float is listed for mypy, which does not know that a float is a numbers.Real
    x1 = [x, 1.0] if isinstance(x, (Value, float, numbers.Real)) else [*x, 1.0]
    if len(x1) != nin + 1:
        name = module._path.rstrip(".") or type(module).__name__
        raise ValueError(f"{name}: expected {nin} inputs, got {len(x1) - 1}")
    return x1


class Neuron(Module):
    """``a = act(w·x + b)`` with ``nin`` weights.

    ``activation`` is a name from ``nn.activations`` (sigmoid, tanh, relu, leaky_relu,
    hard_sigmoid, linear) or a function of a Value; when it is not given, micrograd's
    ``nonlin`` chooses relu (True, the default) or linear (False). ``init`` and
    ``seed``: see ``nn.init``.

    >>> n = Neuron(2, activation="sigmoid", seed=0)
    >>> n.w[0].data, n.w[1].data, n.b.data = 1.0, -2.0, 1.0
    >>> a = n([1.0, -1.0]); a.parents[0].data, round(a.data, 2)   # the course's z = 4
    (4.0, 0.98)
    """

    def __init__(self, nin: int, nonlin: bool = True, *,
                 activation: str | Callable[[Value], Value] | Activation | None = None,
                 init: str | Callable = "uniform", seed: Seed | Rng = None,
                 fan_out: int = 1) -> None:
        nin = positive_int(nin, "Neuron: nin")
        self.activation = get_activation(activation if activation is not None
                                         else ("relu" if nonlin else "linear"))
        self.nonlin = self.activation.name != "linear"
        draw = get_scheme(init)
        rng = make_rng(seed)
        self.w = [Value(draw(rng, nin, fan_out)) for _ in range(nin)]
        self.b = Value(0.0)

    def _on_relabel(self) -> None:
        self._z_label = self._path + "z"
        self._a_label = self._path + "a"

    def forward(self, x: Input) -> Any:
        """``a`` for one sample; for a batch, the list of each sample's ``a``."""
        if is_batch(x):
            return [self.forward(sample) for sample in x]
        return self._fire(_inputs_and_one(x, len(self.w), self))

    def _fire(self, x1: list) -> Value:
        """The neuron on inputs ``x1`` that already end with the bias's input 1."""
        z = dot([*self.w, self.b], x1)  # one node: z = w·x + b·1
        z.label = self._z_label
        a = self.activation.fn(z)
        if a is not z:
            a.label = self._a_label
        return a

    def config(self) -> dict[str, Any] | None:
        if not is_builtin(self.activation):
            return None
        return {"type": "Neuron", "nin": len(self.w), "activation": self.activation.name}

    def __repr__(self) -> str:
        return f"{self.activation.title}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons that all read the same inputs (fully connected).

    Keyword arguments go to each ``Neuron`` (micrograd's ``Layer(nin, nout, **kwargs)``).
    Returns one Value when ``nout`` is 1, else a list.
    """

    def __init__(self, nin: int, nout: int, *, seed: Seed | Rng = None, **kwargs: Any) -> None:
        nout = positive_int(nout, "Layer: nout")
        rng = make_rng(seed)
        self.neurons = [Neuron(nin, seed=rng, fan_out=nout, **kwargs) for _ in range(nout)]

    def forward(self, x: Input) -> Any:
        """One Value (one neuron) or a list for one sample; for a batch, a list of those."""
        if is_batch(x):
            return [self.forward(sample) for sample in x]
        x1 = _inputs_and_one(x, len(self.neurons[0].w), self)
        out = [n._fire(x1) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def _state_items(self) -> Iterator[tuple[str, Module | Tensor]]:
        # torch's layout, as nn.Linear's: the neurons' weights as the rows of one matrix
        yield "weight", [n.w for n in self.neurons]
        yield "bias", [n.b for n in self.neurons]

    def config(self) -> dict[str, Any] | None:
        first = self.neurons[0]
        if not is_builtin(first.activation) or any(
                n.activation is not first.activation for n in self.neurons):
            return None
        return {"type": "Layer", "nin": len(first.w), "nout": len(self.neurons),
                "activation": first.activation.name}

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """A multi-layer perceptron: ``nin`` inputs, then a layer of each size in ``nouts``.

    Hidden layers use ``activation`` (micrograd: ReLU), the last layer
    ``output_activation`` (micrograd: linear). Returns one Value when the last
    layer has one neuron, else a list.

    >>> model = MLP(2, [16, 16, 1], seed=0); model.num_parameters()
    337
    """

    def __init__(self, nin: int, nouts: Sequence[int], *,
                 activation: str | Callable[[Value], Value] = "relu",
                 output_activation: str | Callable[[Value], Value] = "linear",
                 init: str | Callable = "uniform", seed: Seed | Rng = None) -> None:
        nin = positive_int(nin, "MLP: nin")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise TypeError(f"MLP: nouts must be a non-empty list of layer sizes, got {nouts!r}")
        sizes = [nin, *(positive_int(n, "MLP: each layer size") for n in nouts)]
        rng = make_rng(seed)
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], seed=rng, init=init,
                  activation=output_activation if i == last else activation)
            for i in range(len(nouts))]

    def forward(self, x: Input) -> Any:
        """One Value (one output) or a list for one sample; for a batch, a list of those."""
        if is_batch(x):
            return [self.forward(sample) for sample in x]
        out = self.layers[0].forward(x)
        for layer in self.layers[1:]:
            out = layer.forward(out)
        return out

    @property
    def sizes(self) -> list[int]:
        """``[nin, *nouts]``."""
        return [len(self.layers[0].neurons[0].w)] + [len(layer.neurons) for layer in self.layers]

    def config(self) -> dict[str, Any] | None:
        configs = []
        for layer in self.layers:
            c = layer.config()
            if c is None:
                return None
            configs.append(c)
        hidden = {c["activation"] for c in configs[:-1]}
        if len(hidden) > 1:
            return None
        sizes = self.sizes
        return {"type": "MLP", "nin": sizes[0], "nouts": sizes[1:],
                "activation": hidden.pop() if hidden else "relu",
                "output_activation": configs[-1]["activation"]}

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
