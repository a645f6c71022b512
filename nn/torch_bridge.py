"""Graduating to PyTorch, and back: the same network as torch modules, holding the
same weights (torch's in float64, so outputs and gradients agree to about 1e-12).

``to_torch(model)`` converts a memograd module tree, ``from_torch(module)`` a torch
one; each module becomes its counterpart under the same name, so both have the same
``state_dict()`` keys and either's state dict loads into the other:

============================  =======================================================
memograd                      torch
============================  =======================================================
``Linear(in, out, bias)``     ``nn.Linear(in, out, bias)``
``Sequential`` (its names)    ``nn.Sequential`` (the same names)
``ReLU``, ``Sigmoid``,        the same names
``Tanh``, ``Identity``,
``LeakyReLU(s)``,
``Softmax(dim)``
``HardSigmoid``               ``nn.Hardtanh(0, 1)``: the course's ramp ``relu(z) -
                              relu(z - 1)``, not torch's ``nn.Hardsigmoid``
                              (``z/6 + 1/2`` clamped); they differ only in the
                              gradient exactly at z = 0 and z = 1
a ``Module`` subclass of      a ``torch.nn.Module`` subclass made for it (and the
your own                      other way round), as below
============================  =======================================================

**Your own modules.** The class made for yours has its name and its methods
(``forward`` and any helper it defines; not ``__init__``), and each attribute is
converted by name: a module to its counterpart, a Value to a 0-d ``nn.Parameter``
(and back), a list of Values to an ``nn.ParameterList``, a list of modules to an
``nn.ModuleList``; a number, string, bool or None is copied. So the keys match, and
``forward`` runs as you wrote it, now on tensors (or, from torch, on lists): it works
when it only calls sub-modules and uses what both have (``+``, ``*``, ...). A
parameter or sub-module shared by two places stays shared. Each module keeps its
``training`` mode.

``MLP``, ``Layer`` and ``Neuron`` become an ``nn.Sequential`` of ``Linear`` layers,
each followed by its activation (``hard_sigmoid``: ``Hardtanh(0, 1)``), as memograd
0.1 did; its keys are ``0.weight`` where the MLP's are ``layers.0.weight``.
``from_torch(seq, mlp=True)`` reads such a Sequential back into an ``MLP``.

PyTorch is imported only here, when called.
"""

from __future__ import annotations

import types
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, cast

from autograd import Constant, Value

from .activations import (
    LEAKY_SLOPE,
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
from .module import Module

_SAME_NAME = (ReLU, Sigmoid, Tanh, Identity)
"""memograd's activation modules whose torch counterpart has the same name and no arguments."""


def _torch() -> Any:
    try:
        import torch
    except ImportError as e:
        raise ImportError('nn.to_torch/from_torch need PyTorch: pip install "memograd[torch]" '
                          "(the CPU build is enough)") from e
    return torch


def _named(where: str) -> str:
    return f"the module at {where!r}" if where else "the model"


# -- memograd -> torch ------------------------------------------------------------------------

def to_torch(model: Module, into: Any = None) -> Any:
    """The same network as torch modules in float64, holding ``model``'s current weights
    (see the module's docstring for what becomes what). With ``into``, a torch module
    of yours, ``model``'s weights are loaded into it instead (torch's strict
    ``load_state_dict``, each tensor in ``into``'s dtype) and ``into`` is returned.

    >>> to_torch(Sequential(Linear(2, 3), ReLU()))       # doctest: +SKIP
    Sequential(
      (0): Linear(in_features=2, out_features=3, bias=True)
      (1): ReLU()
    )
    """
    torch = _torch()
    if not isinstance(model, Module):
        raise TypeError(f"to_torch: expected an nn.Module, got {type(model).__name__}")
    if into is not None:
        if not isinstance(into, torch.nn.Module):
            raise TypeError(f"to_torch: into must be a torch.nn.Module, got {type(into).__name__}")
        dtypes = {key: t.dtype for key, t in into.state_dict().items()}
        into.load_state_dict({key: torch.tensor(value, dtype=dtypes.get(key, torch.float64))
                              for key, value in model.state_dict().items()})
        return into
    return _ToTorch(torch).module(model, "")


class _ToTorch:
    """One conversion: remembers what it made, so a shared module or weight stays shared."""

    def __init__(self, torch: Any) -> None:
        self.torch = torch
        self.made: dict[int, Any] = {}  # id of a memograd module, Value or list -> torch's

    def tensor(self, numbers: Any) -> Any:
        return self.torch.tensor(numbers, dtype=self.torch.float64)

    def parameter(self, key: object, numbers: Any) -> Any:
        """An ``nn.Parameter`` of ``numbers``, the same one each time for the same ``key``
        (a Value, or a Linear's weight list)."""
        if id(key) not in self.made:
            self.made[id(key)] = self.torch.nn.Parameter(self.tensor(numbers))
        return self.made[id(key)]

    def module(self, module: Module, where: str) -> Any:
        if id(module) not in self.made:
            converted = self.convert(module, where)
            converted.training = module.training
            self.made[id(module)] = converted
        return self.made[id(module)]

    def convert(self, module: Module, where: str) -> Any:
        tnn = self.torch.nn
        kind = type(module)  # exactly these classes: a subclass may compute something else
        if kind in (MLP, Layer, Neuron):
            return _mlp_to_torch(self.torch, module).train(module.training)
        if type(module) is Linear:
            # skip_init: no random start values, so torch's generator is left alone
            linear = self.torch.nn.utils.skip_init(
                tnn.Linear, module.in_features, module.out_features,
                bias=module.bias is not None, dtype=self.torch.float64)
            linear.weight = self.parameter(module.weight, _numbers(module.weight))
            if module.bias is not None:
                linear.bias = self.parameter(module.bias, _numbers(module.bias))
            return linear
        if kind is Sequential:
            return tnn.Sequential(OrderedDict(
                (name, self.module(sub, _join(where, name)))
                for name, sub in module._children() if isinstance(sub, Module)))
        if kind in _SAME_NAME:
            return getattr(tnn, kind.__name__)()
        if type(module) is LeakyReLU:
            return tnn.LeakyReLU(module.negative_slope)
        if type(module) is Softmax:
            return tnn.Softmax(dim=module.dim)
        if kind is HardSigmoid:
            return tnn.Hardtanh(0.0, 1.0)
        _check_own_class(kind, Module, "to_torch", where)
        return self.own(module, where)

    def own(self, module: Module, where: str) -> Any:
        """A module of your own: an instance of a torch class made for its class, each
        attribute converted by name."""
        converted = _twin_class(type(module), self.torch.nn.Module)()
        for name, item in vars(module).items():
            if name.startswith("_") or name == "training":
                continue  # memograd's bookkeeping (labels, paths), not the model's
            setattr(converted, name, self.attribute(item, _join(where, name), type(module)))
        return converted

    def attribute(self, item: object, where: str, owner: type) -> Any:
        tnn = self.torch.nn
        if isinstance(item, Module):
            return self.module(item, where)
        if isinstance(item, Constant):
            return item.data  # a constant is a number, not a parameter
        if isinstance(item, Value):
            return self.parameter(item, item.data)
        if isinstance(item, (list, tuple)) and item:
            if all(isinstance(x, Module) for x in item):
                return tnn.ModuleList([self.module(x, f"{where}.{i}") for i, x in enumerate(item)])
            if all(isinstance(x, Value) and not isinstance(x, Constant) for x in item):
                return tnn.ParameterList([self.parameter(x, x.data) for x in item])
        if _is_plain(item):
            return item
        raise TypeError(f"to_torch: {owner.__name__}'s attribute {where!r} holds "
                        f"{_what(item)}; an attribute may hold a module, a Value, a list of "
                        f"modules or of Values, or a number, string, bool or None")


def _mlp_to_torch(torch: Any, model: Module) -> Any:
    """An MLP, Layer or Neuron as a ``Sequential`` of ``Linear`` layers, each followed by
    the layer's activation."""
    if isinstance(model, MLP):
        layers = [list(layer.neurons) for layer in model.layers]
    elif isinstance(model, Layer):
        layers = [list(model.neurons)]
    else:
        assert isinstance(model, Neuron)
        layers = [[model]]
    modules = []
    for neurons in layers:
        acts = {n.activation.name for n in neurons}
        if len(acts) != 1:
            raise ValueError(f"to_torch: the neurons of one layer use different activations "
                             f"({', '.join(sorted(acts))})")
        linear = torch.nn.utils.skip_init(torch.nn.Linear, len(neurons[0].w), len(neurons),
                                          dtype=torch.float64)  # leaves torch's generator alone
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in neurons],
                                             dtype=torch.float64))
            linear.bias.copy_(torch.tensor([n.b.data for n in neurons], dtype=torch.float64))
        modules.append(linear)
        act = _activation_module(torch, acts.pop())
        if act is not None:
            modules.append(act)
    return torch.nn.Sequential(*modules)


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


# -- torch -> memograd ------------------------------------------------------------------------

def from_torch(module: Any, into: Module | None = None, *, mlp: bool = False) -> Module:
    """The same network as memograd modules, holding ``module``'s weights (as float64:
    float32 weights come over as the same numbers). See the module's docstring for what
    becomes what. With ``into``, a memograd module of yours, the weights are loaded into
    it instead (``into.load_state_dict(module.state_dict())``) and ``into`` is returned.

    ``mlp=True`` reads a ``Sequential`` of ``Linear`` layers, each followed by at most one
    activation, into an ``MLP`` (its hidden layers must share one activation), as
    memograd 0.1's ``from_torch`` did.
    """
    torch = _torch()
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"from_torch: expected a torch.nn.Module, got {type(module).__name__}")
    if into is not None:
        if not isinstance(into, Module):
            raise TypeError(f"from_torch: into must be an nn.Module, got {type(into).__name__}")
        into.load_state_dict(module.state_dict())
        return into
    if mlp:
        return _mlp_from_torch(torch, module)
    model = _FromTorch(torch).module(module, "")
    model.relabel()  # modules of your own are made without __init__, which labels
    return model


class _FromTorch:
    """One conversion: remembers what it made, so a shared module or weight stays shared."""

    def __init__(self, torch: Any) -> None:
        self.torch = torch
        self.made: dict[int, Any] = {}  # id of a torch module or parameter -> memograd's

    def numbers(self, tensor: Any) -> Any:
        return tensor.detach().double().tolist()

    def value(self, parameter: Any, where: str) -> Value:
        """A 0-d parameter as a Value, the same one each time for the same parameter."""
        if parameter.dim() != 0:
            raise ValueError(f"from_torch: the parameter {where!r} has shape "
                             f"{tuple(parameter.shape)}; memograd holds a parameter of a "
                             "module of your own as one Value (0-d) or a list of them "
                             "(nn.ParameterList); use nn.Linear for a weight matrix")
        if id(parameter) not in self.made:
            self.made[id(parameter)] = Value(parameter.item())
        value: Value = self.made[id(parameter)]
        return value

    def module(self, module: Any, where: str) -> Module:
        if id(module) not in self.made:
            converted = self.convert(module, where)
            converted.training = module.training
            self.made[id(module)] = converted
        result: Module = self.made[id(module)]
        return result

    def convert(self, module: Any, where: str) -> Module:
        tnn = self.torch.nn
        kind = type(module)
        if kind is tnn.Linear:
            return self.linear(module)
        if kind is tnn.Sequential:
            return Sequential(OrderedDict(
                (name, self.module(sub, _join(where, name)))
                for name, sub in module._modules.items()))
        for ours in _SAME_NAME:
            if kind is getattr(tnn, ours.__name__):
                return ours()
        if kind is tnn.LeakyReLU:
            return LeakyReLU(module.negative_slope)
        if kind is tnn.Softmax and isinstance(module.dim, int):
            return Softmax(dim=module.dim)
        if kind is tnn.Hardtanh and (module.min_val, module.max_val) == (0.0, 1.0):
            return HardSigmoid()
        if kind.__module__.startswith("torch."):
            hint = (" (torch's Hardsigmoid is z/6 + 1/2 clamped; memograd's HardSigmoid is "
                    "Hardtanh(0, 1))" if kind is tnn.Hardsigmoid else "")
            raise ValueError(f"from_torch: {_named(where)} is {module!r}, which memograd does "
                             f"not have{hint}; it has Linear, Sequential, ReLU, Sigmoid, Tanh, "
                             "LeakyReLU, Softmax(dim), Identity, Hardtanh(0, 1) and modules "
                             "of your own built from them")
        _check_own_class(kind, tnn.Module, "from_torch", where)
        return self.own(module, where)

    def linear(self, module: Any) -> Linear:
        linear = Linear(module.in_features, module.out_features, bias=module.bias is not None,
                        seed=0)  # a fixed seed leaves the global generator alone
        weight, bias = linear.weight, linear.bias
        for row, numbers in zip(weight, self.numbers(module.weight)):
            for w, x in zip(row, numbers):
                w.data = x
        linear.weight = self.made.setdefault(id(module.weight), weight)  # shared stays shared
        if bias is not None:
            for b, x in zip(bias, self.numbers(module.bias)):
                b.data = x
            linear.bias = self.made.setdefault(id(module.bias), bias)
        return linear

    def own(self, module: Any, where: str) -> Module:
        """A module of your own: an instance of a memograd class made for its class, each
        attribute converted by name (parameters first, then modules, as torch lists them)."""
        tnn = self.torch.nn
        cls = cast(type[Module], _twin_class(type(module), Module))
        converted = cls.__new__(cls)  # no __init__: the attributes are set here
        if module._buffers:
            raise ValueError(f"from_torch: {_named(where)} has buffers "
                             f"({', '.join(module._buffers)}); memograd modules hold only "
                             "parameters")
        for name, item in vars(module).items():
            if not name.startswith("_") and name != "training":
                if not _is_plain(item):
                    raise TypeError(f"from_torch: {type(module).__name__}'s attribute "
                                    f"{_join(where, name)!r} holds {_what(item)}; only "
                                    "numbers, strings, bools and None are copied")
                setattr(converted, name, item)
        for name, parameter in module._parameters.items():
            inside = _join(where, name)
            setattr(converted, name, None if parameter is None else self.value(parameter, inside))
        for name, sub in module._modules.items():
            inside = _join(where, name)
            if sub is None:
                setattr(converted, name, None)
            elif type(sub) is tnn.ModuleList:
                setattr(converted, name, [self.module(m, f"{inside}.{i}")
                                          for i, m in enumerate(sub)])
            elif type(sub) is tnn.ParameterList:
                setattr(converted, name, [self.value(p, f"{inside}.{i}")
                                          for i, p in enumerate(sub)])
            else:
                setattr(converted, name, self.module(sub, inside))
        return converted


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


def _mlp_from_torch(torch: Any, seq: Any) -> MLP:
    """An ``MLP`` with the weights and activations of a ``Sequential`` of ``Linear``
    layers, each followed by at most one activation; hidden layers must share one."""
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


# -- classes of your own ----------------------------------------------------------------------

_TWINS: dict[tuple[type, type], type] = {}
"""The class made for each class of your own, per target base: converting twice gives
instances of one class."""


def _check_own_class(cls: type, base: type, caller: str, where: str) -> None:
    """TypeError unless ``cls`` subclasses ``base`` through classes of your own only: a
    subclass of a library class (``class MyLinear(nn.Linear)``) may compute something
    its counterpart does not."""
    library = base.__module__.split(".")[0]  # "nn" or "torch"
    below = cls.__mro__[:cls.__mro__.index(base)] if base in cls.__mro__ else ()
    inherited = [k.__name__ for k in below if k.__module__.split(".")[0] == library]
    if not below or inherited:
        raise TypeError(f"{caller}: {_named(where)} is a {cls.__name__}, which has no "
                        f"counterpart; convertible are Linear, Sequential, the activation "
                        f"modules and {base.__name__} subclasses of your own that do not "
                        f"subclass another of {library}'s classes")


def _twin_class(cls: type, base: type) -> type:
    """A subclass of ``base`` with ``cls``'s name and the methods ``cls`` and its bases
    below its own base define (``forward`` and helpers; not ``__init__`` or other
    double-underscore methods, which belong to each library)."""
    key = (cls, base)
    if key not in _TWINS:
        namespace: dict[str, Any] = {"__module__": cls.__module__,
                                     "__qualname__": cls.__qualname__, "__doc__": cls.__doc__}
        mro = cls.__mro__
        own = [k for k in mro[:-1] if k.__module__.split(".")[0] not in ("nn", "torch")]
        for klass in reversed(own):
            for name, attr in vars(klass).items():
                dunder = name.startswith("__") and name.endswith("__")
                if not dunder and isinstance(attr, (types.FunctionType, staticmethod,
                                                    classmethod, property)):
                    namespace[name] = attr
        _TWINS[key] = type(cls.__name__, (base,), namespace)
    return _TWINS[key]


# -- helpers ------------------------------------------------------------------------------------

def _numbers(t: Any) -> Any:
    """The numbers of a Value or nested list of Values, in its shape."""
    return t.data if isinstance(t, Value) else [_numbers(x) for x in t]


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _is_plain(x: object) -> bool:
    """A number, string, bool or None (or a list or tuple of them): copied as it is."""
    if isinstance(x, (list, tuple)):
        return all(_is_plain(item) for item in x)
    return x is None or isinstance(x, (bool, int, float, str))


def _what(x: object) -> str:
    if isinstance(x, Mapping):
        return f"a {type(x).__name__}"
    text = repr(x)
    return f"a {type(x).__name__} ({text[:40] + '...' if len(text) > 40 else text})"
