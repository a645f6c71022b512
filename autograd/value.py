"""`Value`: one scalar node of a computation graph.

A Value made by an operation remembers its parents and, computed right then in
the forward pass, the local derivative of itself with respect to each parent.
For ``z = w * x`` that local derivative dz/dw is simply ``x``. The backward
pass (``backward.py``) only multiplies and adds those stored numbers.

Nodes hold plain numbers, not closures, so a graph has no reference cycles and
is freed as soon as the last reference to its output goes.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence

from . import ops
from .ops import DomainError, Op

_grad_enabled = True  # flipped by backward.no_grad()
_new = object.__new__
_tracer = None  # set while autograd.compile traces a function


def _bad_operand(opname: str, x: object) -> TypeError:
    shown = repr(x)[:60]
    return TypeError(f"{opname}: expected a Value or a real number, got {type(x).__name__} {shown}")


def _as_float(x: object, opname: str) -> float:
    if isinstance(x, float):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, Value):
        return float(x)
    raise _bad_operand(opname, x)


_NEVER_NUMBERS = (str, bytes, list, tuple, dict, set, complex, type(None))


def _lift(x: object, opname: str) -> Value | None:
    """A number as a constant leaf. For a type that is never a number, a
    TypeError naming the op; for any other type None, so that Python can ask
    the other operand (a NumPy array, say) to handle the operation."""
    if isinstance(x, (int, float)) or (isinstance(x, numbers.Real) and not isinstance(x, Value)):
        return Constant(float(x))
    if isinstance(x, _NEVER_NUMBERS):
        raise _bad_operand(opname, x)
    return None


def _operand(x: object, opname: str) -> Value | None:
    """``x`` if it is a Value, else ``_lift(x, opname)``."""
    return x if isinstance(x, Value) else _lift(x, opname)


def _describe(v: Value) -> str:
    return f"node {v.label!r}" if v.label else "an unlabelled node"


def _domain_error(op: Op, parents: tuple, why: str) -> DomainError:
    shown = ", ".join(f"{_describe(p)} (data={p.data!r})" for p in parents)
    cls = ops.ZeroDivisionDomainError if "zero" in why else DomainError
    return cls(f"{op.name}: domain error at {shown}: {why}")


def _make(op: Op, parents: tuple, xs: tuple, ctx: tuple = ()) -> Value:
    """Run ``op`` on ``parents`` (whose data are ``xs``): the output node,
    with the local derivative of the output for each parent."""
    if op.domain is not None:
        why = op.domain(xs, ctx)
        if why is not None:
            raise _domain_error(op, parents, why)
    try:
        z = op.forward(xs, ctx)
    except OverflowError:
        shown = ", ".join(f"{_describe(p)} (data={p.data!r})" for p in parents)
        raise OverflowError(f"{op.name}: result too large at {shown}") from None
    out = _new(Value)
    out.data = z
    out.grad = 0.0
    out._users = 0
    if _grad_enabled:
        out._op = op
        if ctx:
            out._ctx = ctx
        _link(out, parents, op.local(xs, z, ctx))
    else:
        _no_parents(out)
    return out


def _no_parents(out: Value) -> None:
    """Make ``out`` a leaf: what every op does under ``no_grad``."""
    out._op = None
    out._a = out._b = None


_ADD, _MUL = ops.ADD, ops.MUL
_MANY = object()
"""``_b`` of an n-ary node, whose ``_a`` and ``_da`` hold tuples."""


def _link(out: Value, parents: tuple, locals_: tuple) -> None:
    """Record ``out``'s operands and local derivatives in its own slots.

    One or two operands go in ``_a``/``_da`` and ``_b``/``_db`` rather than in
    tuples, so a node is one object for Python's garbage collector to track
    instead of three (the collector's scans dominate the time of building a
    big graph); ``sum`` and ``dot`` keep tuples. ``_parents`` and ``_locals``
    read them back as tuples either way.
    """
    n = len(parents)
    if n == 1:
        out._a, out._da = parents[0], locals_[0]
        out._b = None
    elif n == 2:
        out._a, out._b = parents
        out._da, out._db = locals_
    elif n:
        out._a, out._da, out._b = parents, locals_, _MANY
    else:
        out._a = out._b = None


class Value:
    """A scalar that records how it was computed.

    >>> x = Value(2.0, "x"); y = x * x + 1; y.backward(); x.grad
    4.0
    """

    # _memo and _users are the backward pass's scratch space: the node's entry
    # dC/dnode and how many of its users have yet to report (see backward.py).
    # Outside a pass every _users is 0.
    __slots__ = (
        "__weakref__",
        "_a",
        "_b",
        "_ctx",
        "_da",
        "_db",
        "_label",
        "_memo",
        "_op",
        "_users",
        "data",
        "grad",
    )

    def __init__(self, data: float, label: str = "") -> None:
        self.data = _as_float(data, "Value")
        self.grad = 0.0
        if label:
            self._label = label
        self._users = 0
        self._op: Op | None = None
        self._a = self._b = None

    # -- what the node is -------------------------------------------------
    # _parents and _locals: the operands and the local derivatives, as tuples
    # (stored in _a/_b/_da/_db, see _link).
    @property
    def _parents(self) -> tuple[Value, ...]:
        b = self._b
        if b is None:
            a = self._a
            return () if a is None else (a,)
        return self._a if b is _MANY else (self._a, b)

    @property
    def _locals(self) -> tuple:
        b = self._b
        if b is None:
            return () if self._a is None else (self._da,)
        return self._da if b is _MANY else (self._da, self._db)

    # label and _ctx are stored only when there is one (most nodes have
    # neither): two fewer slots to fill per node, and to free.
    @property
    def label(self) -> str:
        """The node's name ('' if it has none), shown by printing and drawing."""
        return getattr(self, "_label", "")

    @label.setter
    def label(self, name: str) -> None:
        self._label = name

    @property
    def ctx(self) -> tuple:
        """The op's constants that are not operands: the 3 of ``x ** 3``, a
        leaky ReLU's slope, a ``dot``'s (ws, xs); () for most ops."""
        return getattr(self, "_ctx", ())

    @property
    def op(self) -> str:
        """The name of the op that made this node ('' for a leaf)."""
        return self._op.name if self._op is not None else ""

    @property
    def parents(self) -> tuple[Value, ...]:
        """The operands this node was computed from."""
        return self._parents

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(self)/d(parent) for each parent, computed in the forward pass."""
        return self._locals

    @property
    def is_leaf(self) -> bool:
        return not self._parents

    def __repr__(self) -> str:
        extra = f", op={self.op!r}" if self._op is not None else ""
        name = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{extra}{name})"

    # -- arithmetic ---------------------------------------------------------
    # add and mul make nearly every node of a network, so they are written out
    # here instead of going through _make: that takes 60% off building a graph.
    # Their rows of the op table still define them for everything else, and
    # tests/test_ops.py checks these two agree with those rows.
    def __add__(self, other: Value | float) -> Value:
        if type(other) is not Value:
            other = _operand(other, "+")
            if other is None:
                return NotImplemented
        out = _new(Value)
        out.data = self.data + other.data
        out.grad = 0.0
        out._users = 0
        if _grad_enabled:
            out._op = _ADD
            out._a, out._da = self, 1.0  # dz/dself = 1
            out._b, out._db = other, 1.0  # dz/dother = 1
        else:
            _no_parents(out)
        return out

    def __radd__(self, other: float) -> Value:
        o = _lift(other, "+")
        return NotImplemented if o is None else _make(ops.ADD, (o, self), (o.data, self.data))

    def __sub__(self, other: Value | float) -> Value:
        o = _operand(other, "-")
        return NotImplemented if o is None else _make(ops.SUB, (self, o), (self.data, o.data))

    def __rsub__(self, other: float) -> Value:
        o = _lift(other, "-")
        return NotImplemented if o is None else _make(ops.SUB, (o, self), (o.data, self.data))

    def __mul__(self, other: Value | float) -> Value:
        if type(other) is not Value:
            other = _operand(other, "*")
            if other is None:
                return NotImplemented
        out = _new(Value)
        x, y = self.data, other.data
        out.data = x * y
        out.grad = 0.0
        out._users = 0
        if _grad_enabled:
            out._op = _MUL
            out._a, out._da = self, y  # dz/dself = other: the course's dz/dw = x
            out._b, out._db = other, x
        else:
            _no_parents(out)
        return out

    def __rmul__(self, other: float) -> Value:
        o = _lift(other, "*")
        return NotImplemented if o is None else _make(ops.MUL, (o, self), (o.data, self.data))

    def __truediv__(self, other: Value | float) -> Value:
        o = _operand(other, "/")
        return NotImplemented if o is None else _make(ops.DIV, (self, o), (self.data, o.data))

    def __rtruediv__(self, other: float) -> Value:
        o = _lift(other, "/")
        return NotImplemented if o is None else _make(ops.DIV, (o, self), (o.data, self.data))

    def __pow__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return _make(ops.POW, (self, other), (self.data, other.data))
        if _lift(other, "**") is None:
            return NotImplemented
        return _make(ops.POW_CONST, (self,), (self.data,), (float(other),))

    def __rpow__(self, other: float) -> Value:
        o = _lift(other, "**")
        return NotImplemented if o is None else _make(ops.POW, (o, self), (o.data, self.data))

    def __neg__(self) -> Value:
        return _make(ops.NEG, (self,), (self.data,))

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return _make(ops.ABS, (self,), (self.data,))

    # -- functions ----------------------------------------------------------
    def exp(self) -> Value:
        return _make(ops.EXP, (self,), (self.data,))

    def log(self) -> Value:
        return _make(ops.LOG, (self,), (self.data,))

    def sqrt(self) -> Value:
        return _make(ops.SQRT, (self,), (self.data,))

    def tanh(self) -> Value:
        return _make(ops.TANH, (self,), (self.data,))

    def sigmoid(self) -> Value:
        return _make(ops.SIGMOID, (self,), (self.data,))

    def relu(self) -> Value:
        return _make(ops.RELU, (self,), (self.data,))

    def leaky_relu(self, slope: float = 0.01) -> Value:
        return _make(ops.LEAKY_RELU, (self,), (self.data,), (_as_float(slope, "leaky_relu"),))

    def softplus(self) -> Value:
        return _make(ops.SOFTPLUS, (self,), (self.data,))

    def sin(self) -> Value:
        return _make(ops.SIN, (self,), (self.data,))

    def cos(self) -> Value:
        return _make(ops.COS, (self,), (self.data,))

    # -- comparisons and conversions: they read data ---------------------------
    def _cmp_data(self, other: object) -> float | None:
        if _tracer is not None:
            _tracer.comparison(self)
        if isinstance(other, Value):
            return other.data
        if isinstance(other, numbers.Real):
            return float(other)
        return None

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
        if _tracer is not None:
            _tracer.comparison(self)
        return self.data != 0.0

    def __float__(self) -> float:
        return self.data

    # -- graph-level conveniences -------------------------------------------
    def backward(self, seed: float = 1.0) -> None:
        """Fill ``.grad`` of every node this one depends on with dself/dnode (accumulating)."""
        from .backward import backward

        backward(self, seed)

    def zero_grad(self) -> None:
        """Set ``.grad`` to 0 on this node and every node it depends on."""
        from .backward import zero_grad

        zero_grad(self)

    def detach(self) -> Value:
        """A new leaf with the same data and label, cut off from this graph."""
        return Value(self.data, self.label)

    # -- Jupyter shows a Value as its graph (see draw.py) ---------------------
    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs) -> dict:
        from .draw import mimebundle

        return mimebundle(self, include, exclude)

    def _repr_svg_(self) -> str | None:
        from .draw import svg

        return svg(self)


class Constant(Value):
    """A leaf made from a plain number used in an operation (the ``2`` in ``2 * x``).

    It is a Value like any other, but it is no parameter: tools that collect a
    graph's parameters (``autograd.compile``) or colour them (``draw``) skip it.
    """

    __slots__ = ()


def as_value(x: Value | float, opname: str = "value") -> Value:
    """``x`` itself if it is a Value, else a constant leaf; TypeError for non-numbers."""
    v = _operand(x, opname)
    if v is None:
        raise _bad_operand(opname, x)
    return v


def sum(values: Iterable[Value | float]) -> Value:
    """One node adding all ``values`` (numbers allowed); each local derivative is 1."""
    items = list(values)
    parents = []
    const = 0.0
    for x in items:
        if isinstance(x, Value):
            parents.append(x)
        else:
            const += _as_float(x, "sum")
    return _make(ops.SUM, tuple(parents), tuple(p.data for p in parents), (const,))


def dot(ws: Sequence[Value | float], xs: Sequence[Value | float]) -> Value:
    """One node computing sum_i ws[i] * xs[i]; dz/dw_i = x_i and dz/dx_i = w_i.

    >>> dot([Value(2.0), Value(3.0)], [1.0, -1.0]).data
    -1.0
    """
    ws, xs = tuple(ws), tuple(xs)
    if len(ws) != len(xs):
        raise ValueError(f"dot: operands differ in length ({len(ws)} and {len(xs)})")
    parents: list[Value] = []
    partners: list[float] = []
    total = 0.0
    for w, x in zip(ws, xs):
        wv = isinstance(w, Value)
        xv = isinstance(x, Value)
        wd = w.data if wv else _as_float(w, "dot")
        xd = x.data if xv else _as_float(x, "dot")
        total += wd * xd
        if wv:
            parents.append(w)
            partners.append(xd)
        if xv:
            parents.append(x)
            partners.append(wd)
    out = _new(Value)
    out.data = total
    out.grad = 0.0
    out._users = 0
    if _grad_enabled and parents:
        out._op = ops.DOT
        out._ctx = (ws, xs)
        _link(out, tuple(parents), tuple(partners))
    else:
        _no_parents(out)
    return out


def _unary(name: str):
    method = getattr(Value, name)

    def fn(x: Value | float) -> Value:
        return method(as_value(x, name))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``{name}(x)`` as a graph node; ``x`` may be a Value or a number."
    return fn


exp = _unary("exp")
log = _unary("log")
sqrt = _unary("sqrt")
tanh = _unary("tanh")
sigmoid = _unary("sigmoid")
relu = _unary("relu")
softplus = _unary("softplus")
sin = _unary("sin")
cos = _unary("cos")


def leaky_relu(x: Value | float, slope: float = 0.01) -> Value:
    """``x`` where x > 0, else ``slope * x``."""
    return as_value(x, "leaky_relu").leaky_relu(slope)


def _check_finite_seed(seed: object) -> float:
    if isinstance(seed, Value) or not isinstance(seed, numbers.Real):
        raise TypeError(f"backward: seed must be a real number, got {type(seed).__name__}")
    if not math.isfinite(seed):
        raise ValueError(f"backward: seed must be finite, got {seed!r}")
    return float(seed)
