"""`Module`: the base of every network, finding parameters by their attributes.

As in PyTorch, a module's parameters are the ``Value``s it holds in its
attributes, directly or in (nested) lists, plus those of the modules it holds.
Each gets a stable dotted name from the path of attributes and list indices
leading to it: ``layers.0.neurons.3.w.1`` in an ``MLP``, ``0.weight.3.1`` (that
is ``model[0].weight[3][1]``) in a ``Sequential``. The name is also the
parameter's ``label``, so a drawn graph says which weight is which; a ``Linear``
labels its Values per output neuron instead (``0.neurons.3.w.1``), so that a
drawing boxes each neuron. Labels are set when the outermost constructor
returns; call ``relabel()`` after attaching modules later.

Calling a module calls its ``forward``. The built-in modules take one sample (a
list of numbers or Values) or a batch (a list of samples, each a list: see
``is_batch``) and give one sample's output or the list of the samples' outputs.

``state_dict()`` holds one entry per parameter tensor, in torch's layout: a
``Linear``'s ``"weight"`` is a list of rows and its ``"bias"`` a list. A loose
Value is one number, and so is each entry of a list of Values in a module of
your own (``"w.0"``), as in a ``Neuron`` (``w.0``, ``w.1``, ``b``). ``Layer`` and
``MLP`` use torch's layout too: ``layers.0.weight`` holds a layer's rows,
``layers.0.bias`` its biases. ``load_state_dict`` still reads the per-number keys
(``layers.0.neurons.3.w.1``) that files of memograd 0.1 hold.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple, Self, TypeGuard

from autograd import Constant, Value

Tensor = Any
"""A Value or a number, or a (nested) list of them: ``[[1.0, 2.0], [3.0, 4.0]]`` is a
batch of two samples of two numbers."""


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict`` did not match (torch's ``_IncompatibleKeys``)."""

    missing_keys: list[str]
    unexpected_keys: list[str]

    @property
    def missing(self) -> list[str]:
        """``missing_keys`` under the name memograd 0.1 used."""
        return self.missing_keys

    @property
    def unexpected(self) -> list[str]:
        """``unexpected_keys`` under the name memograd 0.1 used."""
        return self.unexpected_keys

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"  # as torch prints it
        return (f"IncompatibleKeys(missing_keys={self.missing_keys!r}, "
                f"unexpected_keys={self.unexpected_keys!r})")


def is_bias(name: str) -> bool:
    """True for a parameter named like a bias: its last name, after any list indices, is
    ``b`` or ``bias`` (``layers.0.neurons.3.b``, ``0.bias.3``)."""
    parts = name.split(".")
    while parts and parts[-1].isdecimal():
        parts.pop()
    return bool(parts) and parts[-1] in ("b", "bias")


def positive_int(x: object, what: str) -> int:
    """``x`` as an int >= 1, else a TypeError or ValueError starting with ``what``."""
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise TypeError(f"{what} must be an int, got {type(x).__name__} {x!r}")
    if x < 1:
        raise ValueError(f"{what} must be at least 1, got {x}")
    return int(x)


# -- samples and batches --------------------------------------------------------------
def as_nested_list(x: Any) -> Any:
    """``x.tolist()`` for a NumPy array or a torch tensor; anything else as it is."""
    if not isinstance(x, (Value, list, tuple, str)) and hasattr(x, "tolist"):
        return x.tolist()
    return x


def is_batch(x: object) -> TypeGuard[list | tuple]:
    """True when ``x`` is a batch: a non-empty list (or tuple) whose items are all lists
    (or tuples), one per sample. One sample is a list of numbers or Values, or a lone
    number or Value; ``[[1.0, 2.0]]`` is a batch of one sample.

    >>> is_batch([[1.0, 2.0], [3.0, 4.0]]), is_batch([1.0, 2.0]), is_batch([[1.0, 2.0]])
    (True, False, True)
    """
    return (isinstance(x, (list, tuple)) and len(x) > 0
            and all(isinstance(s, (list, tuple)) for s in x))


def is_number(x: object) -> bool:
    """A Value or a real number (not a bool: ``True`` as an input is a mistake, not 1.0)."""
    return isinstance(x, Value) or (isinstance(x, numbers.Real) and not isinstance(x, bool))


def _short(x: object) -> str:
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


class Module:
    """A piece of a network: something with parameters that maps inputs to outputs.

    Subclasses set parameters and sub-modules as attributes in ``__init__`` and
    define ``forward``; calling the module calls ``forward``. Calling
    ``super().__init__()`` first, as torch requires, is allowed but not needed.
    """

    _path: str = ""  # this module's dotted name inside the outermost module, with a final "."
    training: bool = True
    """True after ``train()`` (the start), False after ``eval()``."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Wrap each subclass's __init__ so that when it returns, every parameter
        # below is labelled with its dotted name. The outermost module's
        # constructor returns last, so its names are the ones that stay.
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None or getattr(init, "_relabels", False):
            return

        @functools.wraps(init)
        def __init__(self: Module, *args: Any, **kw: Any) -> None:
            init(self, *args, **kw)
            self.relabel()

        __init__._relabels = True  # type: ignore[attr-defined]
        # Replacing the subclass's __init__ is the point. mypy flags assigning a method
        # (method-assign, part of assignment) and types cls.__init__ as object.__init__.
        cls.__init__ = __init__  # type: ignore[assignment]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def _where(self) -> str:
        """How error messages name this module: ``Linear at 'layers.0'``."""
        name = type(self).__name__
        return f"{name} at {self._path.rstrip('.')!r}" if self._path else name

    # -- modes and devices ------------------------------------------------------
    def train(self, mode: bool = True) -> Self:
        """Set ``training`` to ``mode`` on this module and every module below it; returns
        the module. No built-in module acts differently in training (there is no dropout
        or batch norm here), but your own ``forward`` may read ``self.training``."""
        if not isinstance(mode, bool):
            raise TypeError(f"train: mode must be True or False, got {type(mode).__name__}")
        for _, module in self.named_modules():
            module.training = mode
        return self

    def eval(self) -> Self:
        """``train(False)``: evaluation mode, as before validating or testing."""
        return self.train(False)

    def to(self, device: object) -> Self:
        """The module itself for ``"cpu"`` (or ``torch.device("cpu")``): memograd computes
        on the CPU, in Python floats, so ``model.to(device)`` from torch code runs as it
        is; any other device is a ValueError."""
        if str(device).partition(":")[0] != "cpu":
            raise ValueError(f"to: memograd computes on the CPU only (Python floats), so the "
                             f"device must be 'cpu', got {_short(device)}")
        return self

    # -- finding modules and parameters -----------------------------------------
    def _children(self) -> Iterator[tuple[str, Module | Value]]:
        """Direct parameters and sub-modules, by attribute name; an item of a (nested)
        list gets its indices (``weight.3.1``)."""
        for name, item in vars(self).items():
            if not name.startswith("_"):
                yield from _items(name, item)

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """``(name, module)`` for each module held directly, each once."""
        seen: set[int] = set()
        for name, item in self._children():
            if isinstance(item, Module) and id(item) not in seen:
                seen.add(id(item))
                yield name, item

    def children(self) -> Iterator[Module]:
        """Each module held directly, once."""
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """``(dotted name, module)`` for this module (``prefix``, '' by default) and every
        module below it, depth first; a module held twice is listed once."""
        stack: list[tuple[str, Module]] = [(prefix, self)]
        seen: set[int] = set()
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            subs = [(f"{name}.{n}" if name else n, m)
                    for n, m in module._children() if isinstance(m, Module)]
            stack.extend(reversed(subs))

    def modules(self) -> Iterator[Module]:
        """This module and every module below it, each once."""
        for _, module in self.named_modules():
            yield module

    def _walk_parameters(self, prefix: str) -> Iterator[tuple[str, Module, str, Value]]:
        """``(dotted name, owning module, name inside it, parameter)``, each parameter once."""
        seen_values: set[Value] = set()
        seen_modules: set[int] = {id(self)}

        def walk(module: Module, prefix: str) -> Iterator[tuple[str, Module, str, Value]]:
            for name, item in module._children():
                if isinstance(item, Module):
                    if id(item) not in seen_modules:
                        seen_modules.add(id(item))
                        yield from walk(item, f"{prefix}{name}.")
                elif item not in seen_values:
                    seen_values.add(item)
                    yield prefix + name, module, name, item

        return walk(self, prefix)

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Value]]:
        """``(dotted name, parameter)`` in micrograd's order: depth first, attributes in
        the order they were set, a list's items in order (a ``Linear``'s weight row by row,
        then its bias). A parameter shared by two modules is listed once, under its first
        name: ``b.weight = a.weight`` makes one parameter, as in torch."""
        start = f"{prefix}." if prefix else ""
        for name, _, _, p in self._walk_parameters(start):
            yield name, p

    def parameters(self) -> list[Value]:
        """Every parameter, each once, in ``named_parameters`` order."""
        return [p for _, p in self.named_parameters()]

    def num_parameters(self) -> int:
        return sum(1 for _ in self.named_parameters())

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0."""
        for p in self.parameters():
            p.grad = 0.0

    # -- labels -------------------------------------------------------------------
    def relabel(self) -> None:
        """Label every parameter with its dotted name (``_label_for`` may change how) and
        tell every sub-module its path, so that the nodes it computes are labelled too.
        Names start from this module's own path ('' for the outermost module)."""
        for name, module in self.named_modules(self._path.rstrip(".")):
            module._path = name + "." if name else ""
        for name, owner, local, p in self._walk_parameters(self._path):
            p.label = name[: len(name) - len(local)] + owner._label_for(local)
        for module in self.modules():
            module._on_relabel()

    def _label_for(self, name: str) -> str:
        """Hook: the label of this module's parameter called ``name`` (its name itself)."""
        return name

    def _on_relabel(self) -> None:
        """Hook: a module that labels the nodes it computes updates its labels here."""

    # -- printing -------------------------------------------------------------------
    def extra_repr(self) -> str:
        """What ``repr`` shows inside the parentheses besides the sub-modules (torch's hook)."""
        return ""

    def __repr__(self) -> str:
        """The module tree, printed exactly as torch prints it::

            Sequential(
              (0): Linear(in_features=2, out_features=3, bias=True)
              (1): ReLU()
            )
        """
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        # every child as held, a shared one twice (torch prints its _modules as they are)
        child_lines = [f"({name}): {_indent(repr(m))}"
                       for name, m in self._children() if isinstance(m, Module)]
        lines = extra_lines + child_lines
        inside = ""
        if len(extra_lines) == 1 and not child_lines:
            inside = extra_lines[0]
        elif lines:
            inside = "\n  " + "\n  ".join(lines) + "\n"
        return f"{type(self).__name__}({inside})"

    # -- state ----------------------------------------------------------------
    def _state_items(self) -> Iterator[tuple[str, Module | Tensor]]:
        """Hook: this module's state entries (a Value, or a nested list of Values, each
        one entry) and sub-modules, by name. By default every parameter is its own
        entry (``w.0``); ``Linear`` gives whole tensors (``weight``, ``bias``)."""
        return self._children()

    def _state_tensors(self) -> dict[str, Tensor]:
        """``{state dict key: Value or nested list of Values}``. A module held twice is
        listed under both names, as torch's ``state_dict`` does."""
        out: dict[str, Tensor] = {}

        def walk(module: Module, prefix: str, above: frozenset[int]) -> None:
            for name, item in module._state_items():
                if not isinstance(item, Module):
                    out[prefix + name] = item
                elif id(item) not in above:  # a module holding its own ancestor: no loop
                    walk(item, f"{prefix}{name}.", above | {id(item)})

        walk(self, "", frozenset({id(self)}))
        return out

    def state_dict(self) -> dict[str, Any]:
        """``{key: numbers}`` with torch's keys and shapes: a ``Linear`` in a ``Sequential``
        gives ``"0.weight"`` (a list of rows, out × in) and ``"0.bias"`` (a list); a loose
        Value gives one number. ``torch.tensor(v)`` of each value loads into torch."""
        return {key: _numbers(t) for key, t in self._state_tensors().items()}

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True
                        ) -> IncompatibleKeys:
        """Copy the numbers in ``state_dict`` into the parameters, in place (optimizers
        keep working); returns the ``(missing_keys, unexpected_keys)``.

        Each value may be a number, a nested list, or anything with ``.tolist()`` (a
        torch tensor, a NumPy array), so torch's own ``model.state_dict()`` loads as it
        is. A parameter's per-number key (``layers.0.neurons.3.w.1``, what files of
        memograd 0.1 hold, or ``0.weight.3.1``) is accepted too.

        Everything is checked before anything changes. A shape mismatch, or a value that
        is not a finite real number, is a ValueError naming the key; with ``strict``
        (the default) so are missing and unexpected keys. A key is missing when some
        of its parameters would keep their values (one given under another name, as a
        shared weight, counts as given).
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"load_state_dict: expected a mapping of names to numbers "
                            f"(a dict, or torch's state_dict()), got {type(state_dict).__name__}")
        if not isinstance(strict, bool):
            raise TypeError(f"load_state_dict: strict must be True or False, "
                            f"got {type(strict).__name__}")
        tensors = self._state_tensors()
        scalars = dict(self.named_parameters())
        updates: list[tuple[Value, float]] = []
        unexpected: list[str] = []
        problems: list[str] = []
        for key, given in state_dict.items():
            if not isinstance(key, str):
                raise TypeError(f"load_state_dict: keys must be strings, got "
                                f"{type(key).__name__} {_short(key)}")
            if key in tensors:
                problems.append(_match(key, tensors[key], as_nested_list(given), updates))
            elif key in scalars:  # a per-number key: memograd 0.1's files
                problems.append(_match(key, scalars[key], as_nested_list(given), updates))
            else:
                unexpected.append(key)
        given_values = {p for p, _ in updates}
        missing = [key for key, t in tensors.items()
                   if key not in state_dict and not all(p in given_values for p in _flat(t))]
        if strict:
            problems.append(describe_key_mismatch(missing, unexpected))
        problems = [p for p in problems if p]
        if problems:
            raise ValueError("load_state_dict: " + _join(problems) + "; nothing was changed")
        for p, x in updates:
            p.data = x
        return IncompatibleKeys(missing, unexpected)

    # -- files ----------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write this model to ``path`` as versioned JSON (see ``nn.save``)."""
        from .io import save

        return save(self, path)

    @classmethod
    def load(cls, path: str | Path) -> Module:
        """Build the model saved in ``path`` (see ``nn.load``); it must be a ``cls``."""
        from .io import load

        model = load(path)
        if isinstance(model, dict):  # nn.save(model.state_dict(), path) wrote weights only
            raise ValueError(f"{path}: holds a state dict, not a model; load it into a model "
                             "you have built: model.load_state_dict(nn.load(path)) or "
                             "nn.load(path, into=model)")
        if not isinstance(model, cls):
            raise ValueError(f"{path}: holds a {type(model).__name__}, not a {cls.__name__}")
        return model

    def config(self) -> dict[str, Any] | None:
        """The constructor arguments that rebuild this module's architecture, or None
        for a module ``nn.load`` cannot rebuild (then load weights with ``into=``)."""
        return None


def _items(name: str, item: object) -> Iterator[tuple[str, Module | Value]]:
    """The modules and parameters in ``item``, itself or inside (nested) lists."""
    if isinstance(item, Module) or (isinstance(item, Value) and not isinstance(item, Constant)):
        yield name, item
    elif isinstance(item, (list, tuple)):
        for i, x in enumerate(item):
            yield from _items(f"{name}.{i}", x)


def _indent(text: str) -> str:
    """Every line but the first indented by two spaces (torch's ``_addindent``)."""
    return text.replace("\n", "\n  ")


def _numbers(t: Tensor) -> Any:
    """The numbers a Value or a nested list of Values holds, in its shape."""
    return t.data if isinstance(t, Value) else [_numbers(x) for x in t]


def _flat(t: Tensor) -> list[Value]:
    return [t] if isinstance(t, Value) else [v for x in t for v in _flat(x)]


def _shape(t: Tensor) -> tuple[int, ...]:
    """The shape of a model's tensor: ``()`` for a Value, ``(out, in)`` for a weight."""
    return () if isinstance(t, Value) else (len(t), *(_shape(t[0]) if t else ()))


def shape_of(x: Any, limit: int = 8) -> tuple[int, ...] | None:
    """The shape of nested lists as torch sees it (``(2, 3)``; ``()`` for anything that
    is not a list), or None for lists of unequal shapes or nested deeper than ``limit``."""
    if not isinstance(x, (list, tuple)):
        return ()
    if limit == 0:
        return None
    shapes = {shape_of(item, limit - 1) for item in x}
    if len(shapes) > 1:
        return None
    inner = shapes.pop() if shapes else ()
    return None if inner is None else (len(x), *inner)


def _fits(expected: Tensor, given: Any) -> bool:
    """True when ``given`` is nested exactly as ``expected`` (a number where it has a Value)."""
    if isinstance(expected, Value):
        return not isinstance(given, (list, tuple))
    return (isinstance(given, (list, tuple)) and len(given) == len(expected)
            and all(_fits(e, g) for e, g in zip(expected, given)))


def _pairs(expected: Tensor, given: Any, index: str = "") -> Iterator[tuple[str, Value, Any]]:
    """``(index, parameter, given item)`` for every number, ``given`` nested as ``expected``."""
    if isinstance(expected, Value):
        yield index, expected, given
    else:
        for i, (e, g) in enumerate(zip(expected, given)):
            yield from _pairs(e, g, f"{index}[{i}]")


def _match(key: str, expected: Tensor, given: Any, updates: list[tuple[Value, float]]
           ) -> str:
    """Queue ``(parameter, number)`` for every number in ``given``, which must have the
    shape of ``expected`` and hold finite real numbers; else return what is wrong."""
    if not _fits(expected, given):
        got = shape_of(given)
        shown = "of unequal lengths (ragged)" if got is None else f"of shape {got}"
        return (f"shape mismatch for {key}: the state dict has a value {shown}, "
                f"the model's is of shape {_shape(expected)}")
    pairs = []
    for index, p, x in _pairs(expected, given):
        if not is_number(x) or isinstance(x, Value):
            return f"{key}{index}: expected a number, got {type(x).__name__} {_short(x)}"
        if not math.isfinite(x):
            return f"{key}{index}: expected a finite number, got {x!r}"
        pairs.append((p, float(x)))
    updates.extend(pairs)
    return ""


def _join(problems: list[str], limit: int = 5) -> str:
    shown = "; ".join(problems[:limit])
    return shown + (f"; and {len(problems) - limit} more" if len(problems) > limit else "")


def describe_key_mismatch(missing: list[str], unexpected: list[str], limit: int = 5) -> str:
    """'missing keys: a, b; unexpected keys: c' (shortened after ``limit`` names)."""

    def names(keys: list[str]) -> str:
        shown = ", ".join(keys[:limit])
        return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")

    parts = []
    if missing:
        parts.append(f"missing keys: {names(missing)}")
    if unexpected:
        parts.append(f"unexpected keys: {names(unexpected)}")
    return "; ".join(parts)
