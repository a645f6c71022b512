"""`Module`: the base of every network, finding parameters by their attributes.

As in PyTorch, a module's parameters are the ``Value``s it holds in its
attributes, directly or in lists, plus those of the modules it holds. Each gets
a stable dotted name from the path of attributes leading to it
(``layers.0.neurons.3.w.1``), and that name is also the parameter's ``label``,
so a drawn graph says which weight is which. Labels are set when the outermost
constructor returns; call ``relabel()`` after attaching modules later.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from autograd import Constant, Value


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(..., strict=False)`` skipped."""

    missing: list[str]
    unexpected: list[str]


def _is_parameter(x: object) -> bool:
    return isinstance(x, Value) and not isinstance(x, Constant)


def is_bias(name: str) -> bool:
    """True for a parameter named like a bias (its last name part is ``b`` or ``bias``)."""
    return name.rpartition(".")[2] in ("b", "bias")


class Module:
    """A piece of a network: something with parameters that maps inputs to outputs.

    Subclasses set parameters and sub-modules as attributes in ``__init__`` and
    define ``forward``; calling the module calls ``forward``.
    """

    _path: str = ""  # this module's dotted name inside the outermost module, with a final "."

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

    # -- finding parameters ---------------------------------------------------
    def _children(self) -> Iterator[tuple[str, Module | Value]]:
        """Direct parameters and sub-modules, by attribute name (lists get ``.i``)."""
        for name, item in vars(self).items():
            if name.startswith("_"):
                continue
            if isinstance(item, Module) or _is_parameter(item):
                yield name, item
            elif isinstance(item, (list, tuple)):
                for i, x in enumerate(item):
                    if isinstance(x, Module) or _is_parameter(x):
                        yield f"{name}.{i}", x

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """``(dotted name, module)`` for this module ('') and every module below it."""
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

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        """``(dotted name, parameter)`` in micrograd's order: depth first, attributes in
        the order they were set. A parameter shared by two modules is listed once."""
        seen: set[Value] = set()
        stack: list[tuple[str, Module | Value]] = [("", self)]
        while stack:
            name, item = stack.pop()
            if isinstance(item, Module):
                stack.extend(reversed([(f"{name}.{n}" if name else n, x)
                                       for n, x in item._children()]))
            elif item not in seen:
                seen.add(item)
                yield name, item

    def parameters(self) -> list[Value]:
        """Every parameter, each once, in ``named_parameters`` order."""
        return [p for _, p in self.named_parameters()]

    def num_parameters(self) -> int:
        return sum(1 for _ in self.named_parameters())

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0."""
        for p in self.parameters():
            p.grad = 0.0

    def relabel(self) -> None:
        """Label every parameter with its dotted name and tell every sub-module its path."""
        for name, module in self.named_modules():
            module._path = name + "." if name else ""
            module._on_relabel()
        for name, p in self.named_parameters():
            p.label = name

    def _on_relabel(self) -> None:
        """Hook: a module that labels the nodes it computes updates its labels here."""

    # -- state ----------------------------------------------------------------
    def state_dict(self) -> dict[str, float]:
        """``{dotted name: value}`` of every parameter, in order."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy values from ``state`` into the parameters (in place, so optimizers keep working).

        Everything is checked before anything changes: with ``strict`` a missing or
        unexpected name is a ValueError, and so is a value that is not a finite
        number; on error the model is left exactly as it was.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict: expected a mapping of names to numbers, "
                            f"got {type(state).__name__}")
        params = dict(self.named_parameters())
        missing = [n for n in params if n not in state]
        unexpected = [n for n in state if n not in params]
        if strict and (missing or unexpected):
            raise ValueError("load_state_dict: " + describe_key_mismatch(missing, unexpected))
        updates = []
        for name, p in params.items():
            if name in state:
                updates.append((p, _finite_number(state[name], name)))
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
        if not isinstance(model, cls):
            raise ValueError(f"{path}: holds a {type(model).__name__}, not a {cls.__name__}")
        return model

    def config(self) -> dict[str, Any] | None:
        """The constructor arguments that rebuild this module's architecture, or None
        for a module ``nn.load`` cannot rebuild (then load weights with ``into=``)."""
        return None


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


def _finite_number(x: object, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise ValueError(f"parameter {name!r}: expected a number, got {type(x).__name__} "
                         f"{str(x)[:40]!r}")
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"parameter {name!r}: expected a finite number, got {x!r}")
    return x
