"""`Value`: one scalar node of a computation graph.

A Value made by an operation remembers its ``parents`` and, computed right then
in the forward pass, the local derivative of itself with respect to each
parent (``local_grads``). For ``z = w * x`` the local derivative dz/dw is
simply ``x``. The backward pass (``sweep.py``) only multiplies and adds those
stored numbers.

Every operator goes through ``apply(op, operands)``, which runs one entry of
the op table (``ops.py``). Nodes hold plain numbers, not closures, so a graph
has no reference cycles and is freed as soon as the last reference to its
output goes.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from typing import Any

from . import ops
from .ops import FLOAT, DomainError, Op

grad_enabled: ContextVar[bool] = ContextVar("memograd_grad_enabled", default=True)
"""Whether operations record their parents: off inside ``no_grad()``, per thread and task."""

tracer: ContextVar[Any] = ContextVar("memograd_tracer", default=None)
"""The tracer of ``autograd.compile`` while it records a function, else None: ``apply``
shows it every new node (``autograd.compiled.trace``)."""


class Value:
    """A scalar that records how it was computed.

    >>> x = Value(2.0, "x"); y = x * x + 1; y.backward(); x.grad
    4.0
    >>> y.parents[0].op, y.parents[0].local_grads      # d(x*x)/dx, once per operand
    ('mul', (2.0, 2.0))
    """

    __slots__ = ("__weakref__", "ctx", "data", "grad", "label", "local_grads", "op", "parents")

    def __init__(self, data: float, label: str = "", parents: tuple[Value, ...] = (),
                 local_grads: tuple[Any, ...] = (), op: str = "", ctx: tuple = ()) -> None:
        self.data = data if type(data) is float else _as_float(data, "Value")
        self.grad = 0.0
        self.label = label
        self.parents = parents  # the operands this node was computed from
        self.local_grads = local_grads  # d(self)/d(parent), one per parent
        self.op = op  # the name of the op that made this node ('' for a leaf)
        self.ctx = ctx  # the op's constants that are not operands (the 3 of x ** 3)

    @property
    def is_leaf(self) -> bool:
        return not self.parents

    def item(self) -> float:
        """The number this node holds, as ``torch.Tensor.item()``."""
        return self.data

    def __repr__(self) -> str:
        extra = f", op={self.op!r}" if self.op else ""
        name = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{extra}{name})"

    # -- arithmetic: each operator applies one op of the table ---------------------
    def __add__(self, other: Value | float) -> Value:
        return _binary(ops.ADD, self, other)

    def __radd__(self, other: float) -> Value:
        return _binary(ops.ADD, other, self)

    def __sub__(self, other: Value | float) -> Value:
        return _binary(ops.SUB, self, other)

    def __rsub__(self, other: float) -> Value:
        return _binary(ops.SUB, other, self)

    def __mul__(self, other: Value | float) -> Value:
        return _binary(ops.MUL, self, other)

    def __rmul__(self, other: float) -> Value:
        return _binary(ops.MUL, other, self)

    def __truediv__(self, other: Value | float) -> Value:
        return _binary(ops.DIV, self, other)

    def __rtruediv__(self, other: float) -> Value:
        return _binary(ops.DIV, other, self)

    def __pow__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return apply(ops.POW, (self, other))
        if _lift(other, "**") is None:
            return NotImplemented
        return apply(ops.POW_CONST, (self,), (_as_float(other, "**"),))

    def __rpow__(self, other: float) -> Value:
        return _binary(ops.POW, other, self)

    def __neg__(self) -> Value:
        return apply(ops.NEG, (self,))

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return apply(ops.ABS, (self,))

    # -- functions ----------------------------------------------------------------
    def exp(self) -> Value:
        return apply(ops.EXP, (self,))

    def log(self) -> Value:
        return apply(ops.LOG, (self,))

    def sqrt(self) -> Value:
        return apply(ops.SQRT, (self,))

    def tanh(self) -> Value:
        return apply(ops.TANH, (self,))

    def sigmoid(self) -> Value:
        return apply(ops.SIGMOID, (self,))

    def relu(self) -> Value:
        return apply(ops.RELU, (self,))

    def leaky_relu(self, slope: float = 0.01) -> Value:
        return apply(ops.LEAKY_RELU, (self,), (_as_float(slope, "leaky_relu"),))

    def softplus(self) -> Value:
        return apply(ops.SOFTPLUS, (self,))

    def sin(self) -> Value:
        return apply(ops.SIN, (self,))

    def cos(self) -> Value:
        return apply(ops.COS, (self,))

    # torch.Tensor's method names for three of the above
    def abs(self) -> Value:
        return apply(ops.ABS, (self,))

    def pow(self, exponent: Value | float) -> Value:
        return self**exponent

    def clamp(self, min: float | None = None, max: float | None = None) -> Value:
        """``self`` kept within [min, max] by a max and a min node; as ``torch.clamp``,
        the derivative is 1 inside the range, its ends included, and 0 outside."""
        out = self if max is None else _select(ops.MIN, (self, max))
        return out if min is None else _select(ops.MAX, (out, min))

    # -- comparisons and conversions: they read data --------------------------------
    # (While autograd.compile records, a node computed from its inputs refuses them all:
    # see autograd.compiled.trace.TracedValue.)
    def _cmp_data(self, other: object) -> float | None:
        # float(), not .data: a traced ``other`` refuses it, on either side of the operator
        return float(other) if isinstance(other, (Value, numbers.Real)) else None

    def __lt__(self, other: Value | float) -> bool:
        o = self._cmp_data(other)
        return NotImplemented if o is None else self.data < o

    def __le__(self, other: Value | float) -> bool:
        o = self._cmp_data(other)
        return NotImplemented if o is None else self.data <= o

    def __gt__(self, other: Value | float) -> bool:
        o = self._cmp_data(other)
        return NotImplemented if o is None else self.data > o

    def __ge__(self, other: Value | float) -> bool:
        o = self._cmp_data(other)
        return NotImplemented if o is None else self.data >= o

    # ``==`` and hashing stay those of object: identity. Two nodes holding the
    # same number are still two nodes, so ``p in params``, ``list.index`` and
    # dict keys mean "this node" (as in micrograd). Compare ``.data`` for numbers.

    def __bool__(self) -> bool:
        return self.data != 0.0

    def __float__(self) -> float:
        return self.data

    def __int__(self) -> int:
        return int(self.data)

    # -- graph-level conveniences -----------------------------------------------------
    def backward(self, gradient: float = 1.0) -> None:
        """Add d(gradient * self)/dnode into ``.grad`` of every node this one depends on."""
        from .autodiff import backward

        backward(self, gradient)

    def zero_grad(self) -> None:
        """Set ``.grad`` to 0 on this node and every node it depends on."""
        from .autodiff import zero_grad

        zero_grad(self)

    def detach(self) -> Value:
        """A new leaf with the same data and label, cut off from this graph."""
        return Value(self.data, self.label)

    # -- Jupyter shows a Value as its graph -------------------------------------------
    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,
                          **kwargs: Any) -> dict:
        from .viz.notebook import mimebundle

        return mimebundle(self, include, exclude)

    def _repr_svg_(self) -> str | None:
        from .viz.notebook import svg

        return svg(self)


class Constant(Value):
    """A leaf made from a plain number used in an operation (the ``2`` in ``2 * x``).

    It is a Value like any other, but it is no parameter: tools that collect a
    graph's parameters (``autograd.compile``) or colour them (``draw``) skip it.
    """

    __slots__ = ()


def apply(op: Op, operands: tuple[Value, ...], ctx: tuple = ()) -> Value:
    """Run ``op`` on ``operands``: the output node, holding the local derivative of
    the output with respect to each operand (as numbers, computed right now).

    >>> apply(ops.MUL, (Value(2.0), Value(3.0))).local_grads
    (3.0, 2.0)
    """
    xs = tuple([v.data for v in operands])
    why = op.domain and op.outside_domain(FLOAT, xs, ctx)
    if why:
        cls = ops.ZeroDivisionDomainError if "zero" in why else DomainError
        raise cls(f"{op.name}: domain error at {_operands(operands)}: {why}")
    try:
        z = op.forward(FLOAT, xs, ctx)
    except OverflowError:
        z = math.inf
    except ValueError:  # math's own domain errors, such as sin(inf)
        raise DomainError(f"{op.name}: domain error at {_operands(operands)}: "
                          "outside the domain of the function") from None
    if math.isinf(z) and all(math.isfinite(x) for x in xs):
        raise OverflowError(f"{op.name}: result too large at {_operands(operands)}")
    if grad_enabled.get():
        # Value(data, label, parents, local_grads, op, ctx), by position: keywords cost
        # a fifth of building a node
        out = Value(z, "", operands, op.local(FLOAT, xs, z, ctx), op.name, ctx)
    else:
        out = Value(z)  # a leaf: no_grad() records nothing
    watching = tracer.get()
    if watching is not None:  # autograd.compile is recording: it marks nodes made from inputs
        watching.record(out, operands)
    return out


def _operands(operands: Sequence[Value]) -> str:
    """The operands as errors name them: ``node 'x' (data=2.0), ...``."""
    return ", ".join(f"node {v.label!r} (data={v.data!r})" if v.label
                     else f"an unlabelled node (data={v.data!r})" for v in operands)


def _binary(op: Op, a: object, b: object) -> Value:
    """``op`` on two operands, one of which may be a number (lifted to a Constant)."""
    if not isinstance(a, Value):
        a = _lift(a, op.symbol)
    if not isinstance(b, Value):
        b = _lift(b, op.symbol)
    if a is None or b is None:
        return NotImplemented  # let the other operand (a NumPy array, say) try
    return apply(op, (a, b))


def _bad_operand(opname: str, x: object) -> TypeError:
    shown = repr(x)[:60]
    return TypeError(f"{opname}: expected a Value or a real number, got {type(x).__name__} {shown}")


def _as_float(x: object, opname: str) -> float:
    if type(x) is float:  # the common case, without asking numbers.Real (an ABC: slow)
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, Value):
        try:
            return float(x)
        except OverflowError:
            raise OverflowError(f"{opname}: {repr(x)[:60]} is too large for a float") from None
    raise _bad_operand(opname, x)


_NEVER_NUMBERS = (str, bytes, list, tuple, dict, set, complex, type(None))


def _lift(x: object, opname: str) -> Value | None:
    """A number as a constant leaf. For a type that is never a number, a
    TypeError naming the op; for any other type None, so that Python can ask
    the other operand (a NumPy array, say) to handle the operation."""
    if isinstance(x, numbers.Real) and not isinstance(x, Value):
        return Constant(_as_float(x, opname))
    if isinstance(x, _NEVER_NUMBERS):
        raise _bad_operand(opname, x)
    return None


def _operand(x: object, opname: str) -> Value | None:
    """``x`` if it is a Value, else ``_lift(x, opname)``."""
    return x if isinstance(x, Value) else _lift(x, opname)


def as_value(x: Value | float, opname: str = "value") -> Value:
    """``x`` itself if it is a Value, else a constant leaf; TypeError for non-numbers."""
    v = _operand(x, opname)
    if v is None:
        raise _bad_operand(opname, x)
    return v


def sum(values: Iterable[Value | float]) -> Value:
    """One node adding all ``values`` (numbers allowed); each local derivative is 1."""
    parents = []
    const = 0.0
    for x in values:
        if isinstance(x, Value):
            parents.append(x)
        else:
            const += _as_float(x, "sum")
    return apply(ops.SUM, tuple(parents), (const,))


def max(values: Iterable[Value | float]) -> Value:
    """One node holding the largest of ``values`` (numbers allowed); its local derivative
    is 1 for the first operand that holds it and 0 for the others, as ``torch.max`` with
    an index. A NaN operand makes it NaN, and the derivative goes to the first NaN.

    >>> max([Value(2.0), 3.0, Value(-1.0)]).data
    3.0
    """
    return _select(ops.MAX, values)


def min(values: Iterable[Value | float]) -> Value:
    """One node holding the smallest of ``values``, as ``max``."""
    return _select(ops.MIN, values)


def _select(op: Op, values: Iterable[Value | float]) -> Value:
    if isinstance(values, (Value, numbers.Real)):  # max(x, y) is written max([x, y]) here
        raise TypeError(f"{op.name}: expected a list of Values or numbers, got "
                        f"{type(values).__name__} {values!r}"[:120])
    operands = tuple([as_value(x, op.name) for x in values])
    if not operands:
        raise ValueError(f"{op.name}: expected at least one value, got none")
    return apply(op, operands)


def dot(ws: Sequence[Value | float], xs: Sequence[Value | float]) -> Value:
    """One node computing sum_i ws[i] * xs[i]; dz/dw_i = x_i and dz/dx_i = w_i.

    >>> dot([Value(2.0), Value(3.0)], [1.0, -1.0]).data
    -1.0
    """
    if len(ws) != len(xs):
        raise ValueError(f"dot: operands differ in length ({len(ws)} and {len(xs)})")
    # numbers as floats: the rules tell the operands (nodes) from the numbers by type
    # (plain floats pass as they are: asking numbers.Real per element is a sixth of a dot)
    ws = tuple([w if isinstance(w, Value) or type(w) is float else _as_float(w, "dot")
                for w in ws])
    xs = tuple([x if isinstance(x, Value) or type(x) is float else _as_float(x, "dot")
                for x in xs])
    operands = [x for pair in zip(ws, xs) for x in pair if isinstance(x, Value)]
    return apply(ops.DOT, tuple(operands), (ws, xs))


def _function(name: str) -> Any:
    method = getattr(Value, name)

    def fn(x: Value | float) -> Value:
        return method(as_value(x, name))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``{name}(x)`` as a graph node; ``x`` may be a Value or a number."
    return fn


exp = _function("exp")
log = _function("log")
sqrt = _function("sqrt")
tanh = _function("tanh")
sigmoid = _function("sigmoid")
relu = _function("relu")
softplus = _function("softplus")
sin = _function("sin")
cos = _function("cos")


def leaky_relu(x: Value | float, slope: float = 0.01) -> Value:
    """``x`` where x > 0, else ``slope * x``."""
    return as_value(x, "leaky_relu").leaky_relu(slope)
