"""`Sequential`: modules applied one after the other, as ``torch.nn.Sequential``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, overload

from autograd import Value

from .module import Module


def _checked(module: object, where: str) -> Module:
    if isinstance(module, Module):
        return module
    if isinstance(module, type) and issubclass(module, Module):
        raise TypeError(f"Sequential: {where} is the class {module.__name__}, not a module; "
                        f"write {module.__name__}() (with parentheses)")
    raise TypeError(f"Sequential: {where} must be a Module, got {type(module).__name__} "
                    f"{module!r}"[:160])


class Sequential(Module):
    """``Sequential(m0, m1, ...)`` calls ``m0`` on the input, ``m1`` on its output, and so on.

    The modules are named ``"0"``, ``"1"``, …, or by the keys of one dict given instead
    (``Sequential(OrderedDict([("hidden", Linear(2, 3)), ("act", ReLU())]))``).
    ``model[i]`` is a module, ``model[1:]`` a Sequential of the same module objects
    (they keep their names and labels), ``len(model)`` their number; iterating gives
    them in order. The whole input, a sample or a batch, goes to each module.

    >>> from nn import Linear, ReLU
    >>> model = Sequential(Linear(2, 3, seed=0), ReLU(), Linear(3, 1, seed=1))
    >>> len(model), model[1], len(model([1.0, 2.0]))
    (3, ReLU(), 1)
    """

    def __init__(self, *modules: Module | Mapping[str, Module]) -> None:
        named: list[tuple[object, object]]
        if len(modules) == 1 and isinstance(modules[0], Mapping):
            named = list(modules[0].items())
        else:
            named = [(str(i), m) for i, m in enumerate(modules)]
        self._names: list[str] = []
        self._modules_list: list[Module] = []
        for name, module in named:
            self._add(name, module)

    def _add(self, name: object, module: object) -> None:
        if not isinstance(name, str) or not name or "." in name:
            raise ValueError(f"Sequential: a module's name must be a non-empty string "
                             f"without '.', got {name!r}")
        if name in self._names:
            raise ValueError(f"Sequential: two modules are named {name!r}")
        self._names.append(name)
        self._modules_list.append(_checked(module, f"module {name!r}"))

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end (named by its position) and return the Sequential."""
        self._add(str(len(self)), module)
        self.relabel()
        return self

    def _children(self) -> Iterator[tuple[str, Module | Value]]:
        yield from zip(self._names, self._modules_list)

    def forward(self, input: Any) -> Any:
        for module in self._modules_list:
            input = module(input)
        return input

    def __len__(self) -> int:
        return len(self._modules_list)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules_list)

    @overload
    def __getitem__(self, index: int) -> Module: ...

    @overload
    def __getitem__(self, index: slice) -> Sequential: ...

    def __getitem__(self, index: int | slice) -> Module | Sequential:
        if isinstance(index, slice):
            # Built without __init__, so the modules keep the names and labels they have
            # in this Sequential (a slice is a view, not a new outermost module).
            part = Sequential.__new__(Sequential)
            part._names = self._names[index]
            part._modules_list = self._modules_list[index]
            return part
        if isinstance(index, bool) or not hasattr(index, "__index__"):
            raise TypeError(f"Sequential: index must be an int or a slice, "
                            f"got {type(index).__name__}")
        if not -len(self) <= index < len(self):
            raise IndexError(f"Sequential: index {index} is out of range for "
                             f"{len(self)} modules")
        return self._modules_list[index]
