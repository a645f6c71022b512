"""`Linear`: a fully connected layer with torch's names, ``z = W x + b``.

``weight`` is a list of ``out_features`` rows of ``in_features`` Values (row j
holds output neuron j's weights, as in torch's out × in matrix) and ``bias`` a
list of ``out_features`` Values, or None. Each output is ONE graph node, an
``autograd.dot`` of the row and the bias with the inputs and a constant 1 (so
dz/dw_i is x_i and dz/db is 1, as the course's forward pass says), exactly as a
``Neuron`` computes its z.

Its parameters are named as torch indexes them (``0.weight.3.1`` is
``model[0].weight[3][1]``), but labelled per output neuron, so a drawing boxes
each neuron inside its layer as it does for an ``MLP``: ``0.neurons.3.w.1`` is
``weight[3][1]``, ``0.neurons.3.b`` is ``bias[3]`` and ``0.neurons.3.z`` is the
third output's dot node.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from autograd import Value, dot

from .init import Rng, make_rng, torch_uniform
from .module import Module, Tensor, as_nested_list, is_batch, is_number, positive_int


class Linear(Module):
    """``z = W x + b`` for ``out_features`` outputs of ``in_features`` inputs.

    Weights and biases start as torch's do, uniform in (-1/√in, 1/√in), drawn from
    ``seed`` (an int or a ``random.Random``) or, without it, from the generator
    ``nn.manual_seed`` seeds. Called on one sample (a list of ``in_features``
    numbers or Values) it returns that sample's list of ``out_features`` Values,
    also when there is one output; on a batch (a list of samples) the list of them.

    >>> layer = Linear(2, 3, seed=0); layer
    Linear(in_features=2, out_features=3, bias=True)
    >>> len(layer([1.0, -1.0])), len(layer([[1.0, -1.0], [0.5, 2.0]]))
    (3, 2)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *,
                 seed: int | random.Random | Rng | None = None) -> None:
        self.in_features = positive_int(in_features, "Linear: in_features")
        self.out_features = positive_int(out_features, "Linear: out_features")
        if not isinstance(bias, bool):
            raise TypeError(f"Linear: bias must be True or False, got {type(bias).__name__}")
        rng = make_rng(seed)
        fan_in = self.in_features
        self.weight: list[list[Value]] = [
            [Value(torch_uniform(rng, fan_in, self.out_features)) for _ in range(fan_in)]
            for _ in range(self.out_features)]
        self.bias: list[Value] | None = (
            [Value(torch_uniform(rng, fan_in, self.out_features))
             for _ in range(self.out_features)] if bias else None)

    def forward(self, input: Tensor) -> list[Value] | list[Any]:
        """One sample's outputs, or, for a batch, each sample's."""
        x = as_nested_list(input)
        if is_batch(x):
            return [self._outputs(sample, f"sample {i} of the batch")
                    for i, sample in enumerate(x)]
        return self._outputs(x, "input")

    def _outputs(self, x: Any, what: str) -> list[Value] | list[Any]:
        if is_batch(x):  # a batch of batches: torch applies a Linear to the last dimension
            return [self._outputs(s, f"{what}, item {i}") for i, s in enumerate(x)]
        xs = self._sample(x, what)
        if self.bias is None:
            zs = [dot(row, xs) for row in self.weight]
        else:
            x1 = [*xs, 1.0]  # the bias's input: z = w·x + b·1 is one dot node
            zs = [dot([*row, b], x1) for row, b in zip(self.weight, self.bias)]
        for z, label in zip(zs, self._z_labels):
            z.label = label
        return zs

    def _sample(self, x: Any, what: str) -> list:
        """``x`` checked to be one sample of ``in_features`` numbers or Values (a lone
        number or Value is a sample of one)."""
        n = self.in_features
        if is_number(x):
            x = [x]
        elif not isinstance(x, (list, tuple)):
            raise TypeError(f"{self._where()}: {what} must be a sample (a list of {n} numbers) "
                            f"or a batch (a list of such lists), got {type(x).__name__}")
        for i, v in enumerate(x):
            if not is_number(v):
                hint = (" (a batch is a list whose items are all lists)"
                        if isinstance(v, (list, tuple)) else "")
                raise TypeError(f"{self._where()}: {what} holds a {type(v).__name__} at "
                                f"position {i}; a sample holds numbers or Values{hint}")
        if len(x) != n:
            numbers = "number" if len(x) == 1 else "numbers"
            raise ValueError(f"{self._where()}: {what} has {len(x)} {numbers}, expected "
                             f"in_features={n} per sample")
        return list(x)

    def _label_for(self, name: str) -> str:
        parts = name.split(".")  # "weight.3.1" or "bias.3"
        if parts[0] == "weight" and len(parts) == 3:
            return f"neurons.{parts[1]}.w.{parts[2]}"
        if parts[0] == "bias" and len(parts) == 2:
            return f"neurons.{parts[1]}.b"
        return name  # a Value of your own attached to the layer

    def _on_relabel(self) -> None:
        self._z_labels = [f"{self._path}neurons.{j}.z" for j in range(self.out_features)]

    def _state_items(self) -> Iterator[tuple[str, Module | Tensor]]:
        yield "weight", self.weight
        if self.bias is not None:
            yield "bias", self.bias

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
