"""Recording ``fn`` once: fresh input leaves in, the graph it builds out.

A compiled program replays the recorded *graph*; anything ``fn`` did with the
example's *numbers* would be replayed as it was for the example, on every
sample. So while ``fn`` runs, ``autograd.value.apply`` shows the tracer each new
node, and the tracer marks the nodes computed from the inputs: their class
becomes ``TracedValue``, whose number ``fn`` may not see. Reading ``.data`` or
``item()``, ``float()``, ``int()``, ``math.exp(x)`` (which calls ``float``),
``bool(x)``, a comparison (``if x > 0``, the builtin ``max``), ``detach()``, or
an op under ``no_grad()`` on such a node raises ``TracingError``.

``relu``, ``abs``, ``autograd.max`` and friends are ops, not control flow, and
replay correctly. Parameters and constants are the same for every sample, so
branching on them is fine. The engine's own reads (code in ``autograd``) and
every read after recording work as on any Value.
"""

from __future__ import annotations

import numbers
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from .. import value as _value
from ..autodiff import enable_grad
from ..value import Value

_DATA: Any = Value.__dict__["data"]
"""The slot that holds a Value's number: ``TracedValue.data`` reads and writes it."""


class TracingError(ValueError):
    """``fn`` used the number of a value computed from its inputs while being traced."""


def describe_node(v: Value) -> str:
    """``node 'y'``, or ``an unlabelled node``: how errors name a node."""
    return f"node {v.label!r}" if v.label else "an unlabelled node"


def as_number(x: object, what: str) -> float:
    """``x`` as a float (a Value gives its data); a TypeError naming ``what`` otherwise."""
    if isinstance(x, Value):
        return x.data
    if isinstance(x, numbers.Real):
        return float(x)
    raise TypeError(f"compile: {what} must be a number, got {type(x).__name__} {repr(x)[:40]}")


class Tracer:
    """Set as ``autograd.value.tracer`` while ``fn`` runs: ``apply`` shows it each new
    node, and it marks those computed from the inputs (``traced``) as TracedValues."""

    def __init__(self, inputs: Sequence[Value]) -> None:
        self.traced: set[Value] = set()
        for v in inputs:
            self.mark(v)

    def mark(self, v: Value) -> None:
        self.traced.add(v)
        v.__class__ = TracedValue  # same slots as Value, so the class can change in place

    def record(self, out: Value, operands: Sequence[Value]) -> None:
        """Called by ``apply`` with each new node: mark it if an operand is traced."""
        traced = [p for p in operands if p in self.traced]
        if not traced:
            return  # parameters and constants only: the same for every sample
        if not out.parents:
            refuse(out, "an operation under no_grad() (its result, a leaf, would hold the "
                        "example's number)", traced[0])
        self.mark(out)


def watching(v: Value) -> bool:
    """Whether ``v`` is a node computed from the inputs of the function being traced now."""
    active = _value.tracer.get()
    return active is not None and v in active.traced


def refuse(v: Value, what: str, shown: Value | None = None) -> NoReturn:
    """Raise TracingError: ``fn`` did ``what`` with a traced value."""
    node = describe_node(shown if shown is not None else v)
    raise TracingError(
        f"compile: {what} on a Value computed from the inputs ({node}) depends on the data; "
        "a compiled program would replay the example's number or branch on every sample. "
        "Use the scalar engine for this function (call it on Values, or fit with "
        "compiled=False), or write it with ops (relu, abs, autograd.max, ...)")


def _from_the_engine(frame: Any) -> bool:
    """Whether ``frame`` runs code of the ``autograd`` package (the engine's own reads)."""
    name = frame.f_globals.get("__name__", "")
    return name == "autograd" or name.startswith("autograd.")


class TracedValue(Value):
    """A node computed from the traced inputs: its number is the example's only.

    While its trace runs it refuses to give that number to ``fn``; the engine's own
    reads and any read after recording give it as for any Value.
    """

    __slots__ = ()

    @property
    def data(self) -> float:
        if watching(self) and not _from_the_engine(sys._getframe(1)):
            refuse(self, "reading .data")
        return _DATA.__get__(self)

    @data.setter
    def data(self, x: float) -> None:
        _DATA.__set__(self, x)

    def _number(self, what: str) -> float:
        if watching(self):
            refuse(self, what)
        return _DATA.__get__(self)

    def item(self) -> float:
        return self._number("item()")

    def __float__(self) -> float:
        return self._number("float() (or a math function such as math.exp)")

    def __int__(self) -> int:
        return int(self._number("int()"))

    def __bool__(self) -> bool:
        return self._number("a truth test") != 0.0

    def __lt__(self, other: Value | float) -> bool:
        self._number("a comparison")
        return super().__lt__(other)

    def __le__(self, other: Value | float) -> bool:
        self._number("a comparison")
        return super().__le__(other)

    def __gt__(self, other: Value | float) -> bool:
        self._number("a comparison")
        return super().__gt__(other)

    def __ge__(self, other: Value | float) -> bool:
        self._number("a comparison")
        return super().__ge__(other)

    def detach(self) -> Value:
        return Value(self._number("detach()"), self.label)


def record(fn: Callable[..., Value], example_inputs: Sequence[float | Value]
           ) -> tuple[list[Value], Value]:
    """Call ``fn`` once on one fresh leaf per example input, watched by a Tracer;
    return the leaves and the Value ``fn`` returned (the recorded graph's output)."""
    inputs = []
    for i, x in enumerate(example_inputs):
        label = x.label if isinstance(x, Value) and x.label else f"input{i}"
        inputs.append(Value(as_number(x, f"example input {i}"), label))
    token = _value.tracer.set(Tracer(inputs))
    try:
        with enable_grad():  # a graph is recorded even inside no_grad()
            output = fn(*inputs)
    finally:
        _value.tracer.reset(token)
    if not isinstance(output, Value):
        raise TypeError(f"compile: fn must return a Value, got {type(output).__name__}")
    return inputs, output
