"""Recording ``fn`` once: fresh input leaves in, the graph it builds out.

Control flow that depends on the inputs (``if x > 0``) would be recorded for
the example only and replayed for every sample, so while ``fn`` runs a tracer
watches every comparison and truth test on a Value (``autograd.value`` calls
it) and refuses those on values computed from the inputs (``TracingError``).
``relu``, ``abs`` and friends are ops, not control flow, and replay correctly.
Branching on parameters or constants is fine: they are the same for every sample.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence

from .. import value as _value
from ..autodiff import enable_grad
from ..value import Value


class TracingError(ValueError):
    """``fn`` branched on a value computed from its inputs while being traced."""


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
    """Set as ``autograd.value.tracer`` while ``fn`` runs: a comparison or a truth
    test on a Value computed from the inputs is data-dependent control flow."""

    def __init__(self, inputs: Sequence[Value]) -> None:
        self.inputs = set(inputs)
        self.free: set[Value] = set()  # nodes known not to depend on the inputs

    def depends_on_inputs(self, v: Value) -> bool:
        """Whether an input is among ``v``'s ancestors (or is ``v``): a walk with a stack."""
        seen = {v}
        stack = [v]
        while stack:
            node = stack.pop()
            if node in self.inputs:
                return True
            for p in node.parents:
                if p not in seen and p not in self.free:
                    seen.add(p)
                    stack.append(p)
        self.free |= seen  # remembered, so a loop over parameters stays linear
        return False

    def comparison(self, v: Value) -> None:
        """Called by ``Value`` before it compares ``v`` or tests its truth."""
        if self.depends_on_inputs(v):
            raise TracingError(
                f"compile: a comparison or truth test on a Value computed from the inputs "
                f"({describe_node(v)}, data={v.data!r}) is control flow that depends on the "
                "data; a compiled program would replay the branch taken for the example on "
                "every sample. Use the scalar engine (call the function on Values) for this "
                "function, or write the branch as an op (relu, abs, ...)")


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
