"""Interval arithmetic: what a node can hold over the whole box of inputs.

``expressions()`` promises that every node stays inside its op's domain and
within ±BOUND for *every* input in its box, not only at the drawn point. It
keeps that promise with intervals: an ``Interval`` [lo, hi] stands for every
number a node can take, and ``INTERVAL`` is a math namespace (see ``ops.py``)
whose functions map intervals to intervals. So an op's own forward rule gives
its bound, with no rule written twice:

>>> from autograd.ops import TABLE
>>> TABLE["mul"].forward(INTERVAL, (Interval(-2.0, 2.0), Interval(0.5, 1.0)), ())
Interval(-2.0, 2.0)
>>> x = Interval(-2.0, 2.0)
>>> x * x                                      # one node times itself is a square
Interval(0.0, 4.0)

A bound is sound (it holds every value the op can take), not always tight:
comparisons of overlapping intervals are undecided, so ``where(x < 0, a, b)``
(relu) gives the hull of both branches. Where no finite bound is known (a
divisor that may be 0, ``log`` of a non-positive number) the result is
``UNBOUNDED``, which no recipe accepts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from ..ops import FLOAT


class Undecided:
    """The result of comparing intervals that overlap: neither true nor false.

    ``INTERVAL.where`` takes both branches then; anything else that asks for its
    truth (a Python ``if`` in a rule) is a mistake the rule must not make.
    """

    def __bool__(self) -> bool:
        raise TypeError("a comparison of overlapping intervals is undecided; "
                        "an op's rule must branch with m.where, not with if")

    def __repr__(self) -> str:
        return "UNDECIDED"


UNDECIDED = Undecided()


class Interval:
    """The closed interval [lo, hi]; a number ``c`` as an operand means [c, c].

    Arithmetic gives an interval holding every result: ``+ - * / **``, unary
    minus and ``abs``. Comparisons give True or False when every pair of
    numbers agrees, else ``UNDECIDED``.
    """

    __slots__ = ("hi", "lo")

    def __init__(self, lo: float, hi: float | None = None) -> None:
        hi = lo if hi is None else hi
        if math.isnan(lo) or math.isnan(hi):  # inf - inf, 0 * inf: nothing is known
            lo, hi = -math.inf, math.inf
        if lo > hi:
            raise ValueError(f"Interval: lo {lo!r} > hi {hi!r}")
        self.lo, self.hi = float(lo), float(hi)

    @staticmethod
    def of(x: Interval | float) -> Interval:
        """``x`` itself if it is an Interval, else the point interval [x, x]."""
        return x if isinstance(x, Interval) else Interval(x)

    def within(self, bound: float) -> bool:
        """Whether the interval lies inside [-bound, bound]."""
        return -bound <= self.lo and self.hi <= bound

    def __repr__(self) -> str:
        return f"Interval({self.lo!r}, {self.hi!r})"

    # -- arithmetic --------------------------------------------------------------------
    def __add__(self, other: Interval | float) -> Interval:
        o = Interval.of(other)
        return Interval(self.lo + o.lo, self.hi + o.hi)

    __radd__ = __add__

    def __sub__(self, other: Interval | float) -> Interval:
        o = Interval.of(other)
        return Interval(self.lo - o.hi, self.hi - o.lo)

    def __rsub__(self, other: float) -> Interval:
        return Interval.of(other) - self

    def __neg__(self) -> Interval:
        return Interval(-self.hi, -self.lo)

    def __abs__(self) -> Interval:
        if self.lo >= 0:
            return self
        if self.hi <= 0:
            return -self
        return Interval(0.0, max(-self.lo, self.hi))

    def __mul__(self, other: Interval | float) -> Interval:
        if other is self:
            # the same object is the same node: x * x >= 0, which x * y is not
            return self ** 2
        o = Interval.of(other)
        return _extremes(lambda: [a * b for a in (self.lo, self.hi) for b in (o.lo, o.hi)])

    __rmul__ = __mul__

    def __truediv__(self, other: Interval | float) -> Interval:
        o = Interval.of(other)
        if o.lo <= 0 <= o.hi:
            return UNBOUNDED  # the divisor may be 0
        # a / b is monotone in a and in b while b keeps its sign: the corners bound it
        return _extremes(lambda: [a / b for a in (self.lo, self.hi) for b in (o.lo, o.hi)])

    def __rtruediv__(self, other: float) -> Interval:
        return Interval.of(other) / self

    def __pow__(self, exponent: Interval | float) -> Interval:
        e = Interval.of(exponent)
        if e.lo == e.hi:
            return self._power(e.lo)
        if self.lo <= 0:
            return UNBOUNDED  # x**y for x <= 0 is undefined or not monotone
        # for x > 0, x**y is monotone in x and in y: the corners bound it
        return _extremes(lambda: [b**k for b in (self.lo, self.hi) for k in (e.lo, e.hi)])

    def __rpow__(self, base: float) -> Interval:
        return Interval.of(base) ** self

    def _power(self, k: float) -> Interval:
        """x**k for a constant k."""
        lo, hi = self.lo, self.hi
        if k != math.floor(k):  # a fractional power: real and monotone for x >= 0 only
            if lo < 0 or (k < 0 and lo == 0):
                return UNBOUNDED
            return _extremes(lambda: [lo**k, hi**k])
        if k < 0 and lo <= 0 <= hi:
            return UNBOUNDED  # a pole at 0
        # x**k is monotone on each side of 0; an even power turns at 0
        turn = [0.0] if lo < 0 < hi and k > 0 else []
        return _extremes(lambda: [lo**k, hi**k, *turn])

    # -- comparisons: decided only when the intervals do not overlap --------------------
    def __lt__(self, other: Interval | float) -> bool | Undecided:
        o = Interval.of(other)
        return True if self.hi < o.lo else False if self.lo >= o.hi else UNDECIDED

    def __le__(self, other: Interval | float) -> bool | Undecided:
        o = Interval.of(other)
        return True if self.hi <= o.lo else False if self.lo > o.hi else UNDECIDED

    def __gt__(self, other: Interval | float) -> bool | Undecided:
        return Interval.of(other) < self

    def __ge__(self, other: Interval | float) -> bool | Undecided:
        return Interval.of(other) <= self


UNBOUNDED = Interval(-math.inf, math.inf)
"""No finite bound is known: a recipe never picks a node with this interval."""


def _extremes(corners: Callable[[], list[float]]) -> Interval:
    """The interval from the smallest to the largest of the values ``corners()``
    computes; UNBOUNDED when one overflows (1e200 ** 2) or is undefined (0 * inf)."""
    try:
        values = corners()
    except OverflowError:
        return UNBOUNDED
    if any(math.isnan(v) for v in values):
        return UNBOUNDED
    return Interval(min(values), max(values))


def hull(a: Interval | float, b: Interval | float) -> Interval:
    """The smallest interval holding both ``a`` and ``b``."""
    a, b = Interval.of(a), Interval.of(b)
    return Interval(min(a.lo, b.lo), max(a.hi, b.hi))


def _increasing(f: Callable[[float], float]) -> Callable[[Interval], Interval]:
    """A non-decreasing function maps [lo, hi] onto [f(lo), f(hi)]."""
    return lambda x: Interval(f(x.lo), f(x.hi))


def _reaches(x: Interval, phase: float) -> bool:
    """Whether ``phase + 2πk`` lies in ``x`` for some integer k.

    With a margin: saying yes near an end only widens the bound to ±1, while a
    no lost to rounding would make it too tight.
    """
    margin = 1e-9
    k = math.ceil((x.lo - margin - phase) / (2 * math.pi))
    return phase + 2 * math.pi * k <= x.hi + margin


def _wave(f: Callable[[float], float], peak: float) -> Callable[[Interval], Interval]:
    """sin or cos: the values at the ends, or ±1 where a peak or a trough lies inside."""

    def bound(x: Interval) -> Interval:
        if not x.hi - x.lo < 2 * math.pi:  # a whole period, or an infinite end
            return Interval(-1.0, 1.0)
        ends = (f(x.lo), f(x.hi))
        top = 1.0 if _reaches(x, peak) else max(ends)
        bottom = -1.0 if _reaches(x, peak + math.pi) else min(ends)
        return Interval(bottom, top)

    return bound


def _log(x: Interval) -> Interval:
    return UNBOUNDED if x.lo <= 0 else Interval(math.log(x.lo), math.log(x.hi))


def _sqrt(x: Interval) -> Interval:
    return UNBOUNDED if x.lo < 0 else Interval(math.sqrt(x.lo), math.sqrt(x.hi))


def _exp(t: float) -> float:
    try:
        return math.exp(t)
    except OverflowError:
        return math.inf


class INTERVAL:
    """The math namespace for intervals: ``op.forward(INTERVAL, intervals, ctx)``
    bounds an op's output over its operands' intervals."""

    inf = math.inf
    exp = staticmethod(_increasing(_exp))
    log = staticmethod(_log)
    sqrt = staticmethod(_sqrt)
    tanh = staticmethod(_increasing(math.tanh))
    sigmoid = staticmethod(_increasing(FLOAT.sigmoid))
    softplus = staticmethod(_increasing(FLOAT.softplus))
    sin = staticmethod(_wave(math.sin, math.pi / 2))
    cos = staticmethod(_wave(math.cos, 0.0))
    abs = staticmethod(abs)
    floor = staticmethod(_increasing(math.floor))
    heaviside = staticmethod(_increasing(FLOAT.heaviside))
    sign = staticmethod(_increasing(FLOAT.sign))

    @staticmethod
    def where(condition: bool | Undecided, a: Any, b: Any) -> Any:
        """The branch the condition picks; both branches' hull when it is undecided."""
        if condition is UNDECIDED:
            return hull(a, b)
        return a if condition else b

    @staticmethod
    def maximum(xs: Sequence[Interval | float]) -> Interval:
        """max is increasing in every operand: the max of the ends bounds it."""
        ivs = [Interval.of(x) for x in xs]
        return Interval(max(iv.lo for iv in ivs), max(iv.hi for iv in ivs))

    @staticmethod
    def minimum(xs: Sequence[Interval | float]) -> Interval:
        ivs = [Interval.of(x) for x in xs]
        return Interval(min(iv.lo for iv in ivs), min(iv.hi for iv in ivs))

    @staticmethod
    def power(x: Interval, p: Interval | float) -> Interval:
        return Interval.of(x) ** p

    @staticmethod
    def data(x: Any) -> Any:
        return x
