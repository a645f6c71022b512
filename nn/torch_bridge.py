"""Graduating to PyTorch: the same network as a ``torch.nn.Sequential``, and back.

``to_torch(model)`` gives ``Linear`` layers in float64 holding the same weights
(row j of a ``Linear``'s weight is neuron j's ``w``, its bias entry neuron j's
``b``), each followed by the layer's activation; ``from_torch(seq)`` reads such a
stack back into an ``MLP``. PyTorch is imported only here, when called.

Activations map one to one, except ``hard_sigmoid``: memograd's ``relu(z) -
relu(z - 1)`` is ``Hardtanh(0, 1)`` (a clamp to [0, 1]; not PyTorch's
``Hardsigmoid``, which is ``z/6 + 1/2`` clamped). The two differ only in the
gradient exactly at z = 1.
"""

from __future__ import annotations

from typing import Any

from .activations import LEAKY_SLOPE
from .layers import MLP, Layer, Neuron
from .module import Module


def _torch() -> Any:
    try:
        import torch
    except ImportError as e:
        raise ImportError('nn.to_torch/from_torch need PyTorch: pip install "memograd[torch]" '
                          "(the CPU build is enough)") from e
    return torch


def _activation_module(torch: Any, name: str) -> Any:
    nn = torch.nn
    table = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU,
             "leaky_relu": lambda: nn.LeakyReLU(LEAKY_SLOPE),
             "hard_sigmoid": lambda: nn.Hardtanh(0.0, 1.0), "linear": None}
    if name not in table:
        raise ValueError(f"to_torch: activation {name!r} has no PyTorch equivalent; "
                         "use a built-in activation")
    make = table[name]
    return make() if make is not None else None


def _layers(model: Module) -> list[list[Neuron]]:
    """The neurons of each layer: an MLP's layers, a Layer, or a Neuron as a layer of one."""
    if isinstance(model, MLP):
        return [list(layer.neurons) for layer in model.layers]
    if isinstance(model, Layer):
        return [list(model.neurons)]
    if isinstance(model, Neuron):
        return [[model]]
    raise TypeError(f"to_torch: expected a Neuron, Layer or MLP, got {type(model).__name__}")


def to_torch(model: Module) -> Any:
    """An equivalent ``torch.nn.Sequential`` in float64 with ``model``'s current weights.

    >>> seq = to_torch(MLP(2, [3, 1], seed=0))   # doctest: +SKIP
    >>> seq                                       # doctest: +SKIP
    Sequential((0): Linear(2 -> 3) (1): ReLU() (2): Linear(3 -> 1))
    """
    torch = _torch()
    modules = []
    for neurons in _layers(model):
        acts = {n.activation.name for n in neurons}
        if len(acts) != 1:
            raise ValueError(f"to_torch: the neurons of one layer use different activations "
                             f"({', '.join(sorted(acts))})")
        linear = torch.nn.Linear(len(neurons[0].w), len(neurons), dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in neurons],
                                             dtype=torch.float64))
            linear.bias.copy_(torch.tensor([n.b.data for n in neurons], dtype=torch.float64))
        modules.append(linear)
        act = _activation_module(torch, acts.pop())
        if act is not None:
            modules.append(act)
    return torch.nn.Sequential(*modules)


def _activation_name(torch: Any, module: Any) -> str:
    nn = torch.nn
    if isinstance(module, nn.ReLU):
        return "relu"
    if isinstance(module, nn.Sigmoid):
        return "sigmoid"
    if isinstance(module, nn.Tanh):
        return "tanh"
    if isinstance(module, nn.Identity):
        return "linear"
    if isinstance(module, nn.LeakyReLU):
        if module.negative_slope != LEAKY_SLOPE:
            raise ValueError(f"from_torch: LeakyReLU slope {module.negative_slope} is not "
                             f"supported (memograd's leaky_relu uses {LEAKY_SLOPE})")
        return "leaky_relu"
    if isinstance(module, nn.Hardtanh) and (module.min_val, module.max_val) == (0.0, 1.0):
        return "hard_sigmoid"
    raise ValueError(f"from_torch: unsupported module {module!r}; expected Linear layers, "
                     "each followed by at most one of ReLU, Sigmoid, Tanh, LeakyReLU(0.01), "
                     "Hardtanh(0, 1), Identity")


def from_torch(seq: Any) -> MLP:
    """An ``MLP`` with the weights and activations of a ``Sequential`` of ``Linear``
    layers, each followed by at most one activation; hidden layers must share one."""
    torch = _torch()
    if not isinstance(seq, torch.nn.Sequential):
        raise TypeError(f"from_torch: expected a torch.nn.Sequential, got {type(seq).__name__}")
    blocks: list[list[Any]] = []  # [linear, activation name]
    for module in seq:
        if isinstance(module, torch.nn.Linear):
            if blocks and blocks[-1][0].out_features != module.in_features:
                raise ValueError(f"from_torch: {module} does not take the previous layer's "
                                 f"{blocks[-1][0].out_features} outputs")
            blocks.append([module, "linear"])
        elif not blocks:
            raise ValueError(f"from_torch: the first module must be a Linear, got {module!r}")
        elif blocks[-1][1] != "linear":
            raise ValueError(f"from_torch: two activations in a row ({module!r})")
        else:
            blocks[-1][1] = _activation_name(torch, module)
    if not blocks:
        raise ValueError("from_torch: the Sequential holds no Linear layer")
    hidden = {act for _, act in blocks[:-1]}
    if len(hidden) > 1:
        raise ValueError(f"from_torch: hidden layers use different activations "
                         f"({', '.join(sorted(hidden))}); an MLP has one hidden activation")
    for linear, _ in blocks:
        if linear.bias is None:
            raise ValueError(f"from_torch: {linear} has no bias; memograd neurons always have one")
    model = MLP(blocks[0][0].in_features, [lin.out_features for lin, _ in blocks],
                activation=hidden.pop() if hidden else "relu",
                output_activation=blocks[-1][1], seed=0)
    for layer, (linear, _) in zip(model.layers, blocks):
        weight = linear.weight.detach().double().tolist()
        bias = linear.bias.detach().double().tolist()
        for neuron, row, b in zip(layer.neurons, weight, bias):
            for w, x in zip(neuron.w, row):
                w.data = x
            neuron.b.data = b
    return model
