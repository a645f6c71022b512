"""Gradient checking: the engine's derivatives against finite differences.

``gradcheck(f, inputs)`` computes df/dx_i for every input twice: once with the
engine (``grad``) and once numerically with the central difference
``(f(x + eps) - f(x - eps)) / 2eps``, and reports both side by side:

>>> from autograd import gradcheck
>>> report = gradcheck(lambda x, y: x * y.sin(), [1.5, 0.3])
>>> bool(report), [round(r.analytic, 6) for r in report.rows]
(True, [0.29552, 1.433005])

``gradgradcheck`` does the same for second derivatives: the engine's
``grad(grad(f, x, create_graph=True)[i], x)`` against central differences of
the engine's first derivative.

Finite differences are only an estimate, and they are wrong near a kink: an
input whose stencil ``[x - eps, x + eps]`` moves the operand of a ``relu``,
``leaky_relu`` or ``abs`` node (an op whose table entry lists ``kinks``) to
within ``eps`` of its kink, or the operands of a ``max`` or ``min`` node (an op
with ``ties``) to within ``eps`` of a tie for the one it picks, is reported as
"non-differentiable here", neither a pass nor a failure. Where ``f`` is not
defined at ``x ± eps`` (``sqrt`` at 0) the row says so, and so it does where the
finite difference overflows (``f(x ± eps)`` or their difference too large for a
float): the estimate failed there, not the gradient.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ..autodiff import grad, topological_order
from ..i18n import N_, _, display_width, ngettext, pad, use_language
from ..ops import FLOAT, TABLE, DomainError, Op
from ..value import Constant, Value

PASS = N_("pass")
FAIL = N_("FAIL")
KINK = N_("non-differentiable here")
UNDEFINED = N_("undefined near here")
"""The status of one row; only FAIL makes a report falsy. ``Row.status`` is always one of
these English words (code compares them); a printed report translates them."""


@dataclass(frozen=True)
class Row:
    """One derivative, computed by the engine and by finite differences."""

    name: str
    analytic: float
    numeric: float
    status: str
    note: str = ""

    @property
    def abs_err(self) -> float:
        return abs(self.analytic - self.numeric)

    @property
    def rel_err(self) -> float:
        """|analytic - numeric| / max(|analytic|, |numeric|); 0 when both are 0."""
        scale = max(abs(self.analytic), abs(self.numeric))
        return self.abs_err / scale if scale else 0.0


class GradcheckReport:
    """The rows of a gradient check. Truthy when no row failed.

    A row passes when ``|analytic - numeric| <= atol + rtol * |numeric|``.
    Rows at a kink or where ``f`` is undefined near the point are neither
    passes nor failures; ``str(report)`` prints every row as a table, in the language
    in force (``report.text(lang="zh-CN")`` for another).
    """

    def __init__(self, title: str, rows: Sequence[Row], eps: float, atol: float,
                 rtol: float) -> None:
        self.title = title
        self.rows = list(rows)
        self.eps, self.atol, self.rtol = eps, atol, rtol

    @property
    def failures(self) -> list[Row]:
        return [r for r in self.rows if r.status == FAIL]

    @property
    def passed(self) -> list[Row]:
        return [r for r in self.rows if r.status == PASS]

    @property
    def unchecked(self) -> list[Row]:
        """Rows that are neither pass nor fail (kinks, undefined neighbourhoods)."""
        return [r for r in self.rows if r.status not in (PASS, FAIL)]

    def __bool__(self) -> bool:
        return not self.failures

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return (f"<GradcheckReport {self.title}: {len(self.passed)} pass, "
                f"{len(self.failures)} fail, {len(self.unchecked)} unchecked>")

    def summary(self, lang: str | None = None) -> str:
        """``2 of 3 pass; FAILED: x`` (and the rows not checked), in ``lang``."""
        with use_language(lang):
            parts = [_("{passed} of {count} pass").format(passed=len(self.passed),
                                                          count=len(self.rows))]
            if self.failures:
                parts.append(_("FAILED: {names}").format(
                    names=", ".join(r.name for r in self.failures)))
            if self.unchecked:
                parts.append(_("not checked: {names}").format(
                    names=", ".join(r.name for r in self.unchecked)))
            # Translators: separates the parts of a gradient check's summary line
            return _("; ").join(parts)

    def heading(self) -> str:
        """The title in the language in force: the titles ``gradcheck`` and
        ``gradgradcheck`` give are translated, any other is shown as it is."""
        n = len(self.rows)
        if self.title == f"gradcheck of {n} input{'s' if n != 1 else ''}":
            return ngettext("gradcheck of {count} input", "gradcheck of {count} inputs",
                            n).format(count=n)
        if self.title == f"gradgradcheck of {n} second derivatives":
            return _("gradgradcheck of {count} second derivatives").format(count=n)
        return self.title

    def text(self, lang: str | None = None) -> str:
        """The report as ``str()`` prints it, in ``lang`` (default: the language in
        force): the settings, a table of every row, the summary. Columns line up by
        display width; statuses are translated here, ``Row.status`` stays English."""
        with use_language(lang):
            head = _("{title} (eps={eps}, pass when |analytic - numeric| <= {atol} + "
                     "{rtol}*|numeric|)").format(title=self.heading(), eps=f"{self.eps:g}",
                                                 atol=f"{self.atol:g}", rtol=f"{self.rtol:g}")
            table = [(_("input"), _("analytic"), _("numeric"), _("abs err"), _("rel err"),
                      _("status"))]
            for r in self.rows:
                status = _(r.status)
                if r.note:
                    status = _("{status} ({note})").format(status=status, note=r.note)
                table.append((r.name, _num(r.analytic), _num(r.numeric), f"{r.abs_err:.2e}",
                              f"{r.rel_err:.2e}", status))
            widths = [max(display_width(row[c]) for row in table) for c in range(5)]
            lines = ["  ".join(pad(cell, w) for cell, w in zip(row, widths)) + "  " + row[5]
                     for row in table]
            return "\n".join([head, *lines, self.summary()])

    def __str__(self) -> str:
        return self.text()

    def raise_if_failed(self) -> GradcheckReport:
        """Raise AssertionError listing the failing rows; return the report otherwise."""
        if self.failures:
            listed = "; ".join(f"{r.name}: analytic {r.analytic!r}, numeric {r.numeric!r}, "
                               f"abs err {r.abs_err:.3g}, rel err {r.rel_err:.3g}"
                               for r in self.failures)
            raise AssertionError(f"{self.title} failed for {listed}\n{self}")
        return self


def _num(x: float) -> str:
    return f"{x:.10g}"


def kink_distance(op: Op, xs: Sequence[float]) -> float:
    """How far the operands ``xs`` of ``op`` are from a point where it has no derivative:
    its operand from one of its ``kinks``; for an op that picks an operand (``ties``:
    max, min), the operand it picks from the nearest other one. inf for a smooth op.

    >>> kink_distance(TABLE["relu"], [0.25]), kink_distance(TABLE["max"], [1.0, 3.0, 2.5])
    (0.25, 0.5)
    """
    gaps = [abs(xs[0] - kink) for kink in op.kinks]
    if op.ties:
        k = FLOAT.selected(xs, op.forward(FLOAT, tuple(xs), ()))
        gaps += [abs(xs[k] - x) for i, x in enumerate(xs) if i != k]
    return min(gaps, default=math.inf)


def _piece(op: Op, xs: Sequence[float]) -> tuple:
    """Which smooth piece of ``op`` the operands ``xs`` lie on: the side of each kink,
    and the operand it picks. Two points on different pieces have a kink between them."""
    sides = tuple(xs[0] < kink for kink in op.kinks)
    return sides + ((FLOAT.selected(xs, op.forward(FLOAT, tuple(xs), ())),) if op.ties else ())


def _input_names(f: Callable, inputs: Sequence, names: Sequence[str] | None) -> list[str]:
    """Explicit names, else Value labels, else f's parameter names, else x0, x1, ..."""
    if names is not None:
        if len(names) != len(inputs):
            raise ValueError(f"gradcheck: {len(names)} names for {len(inputs)} inputs")
        return [str(n) for n in names]
    params: list[str] = []
    try:
        found = list(inspect.signature(f).parameters.values())
        if len(found) == len(inputs) and all(
                p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in found):
            params = [p.name for p in found]
    except (TypeError, ValueError):  # builtins and some callables have no signature
        pass
    return [x.label if isinstance(x, Value) and x.label else params[i] if params else f"x{i}"
            for i, x in enumerate(inputs)]


def _checked_inputs(inputs: Value | float | Sequence[Value | float]) -> tuple[list, list]:
    """The inputs as a list, and their values as floats (TypeError/ValueError if not numbers)."""
    items = [inputs] if isinstance(inputs, (Value, int, float)) else list(inputs)
    points = []
    for i, x in enumerate(items):
        v = x.data if isinstance(x, Value) else x
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise TypeError(f"gradcheck: input {i} must be a Value or a real number, "
                            f"got {type(x).__name__}")
        if not math.isfinite(v):
            raise ValueError(f"gradcheck: input {i} is {v!r}; inputs must be finite")
        points.append(float(v))
    return items, points


def _check_settings(eps: float, atol: float, rtol: float) -> None:
    if not (isinstance(eps, (int, float)) and math.isfinite(eps) and eps > 0):
        raise ValueError(f"gradcheck: eps must be a finite number > 0, got {eps!r}")
    for name, tol in (("atol", atol), ("rtol", rtol)):
        if not (isinstance(tol, (int, float)) and tol >= 0):
            raise ValueError(f"gradcheck: {name} must be a number >= 0, got {tol!r}")


class _Run:
    """f evaluated at one point: the output Value and its graph, in order."""

    def __init__(self, f: Callable, point: Sequence[float], names: Sequence[str]) -> None:
        self.leaves = [Value(x, n) for x, n in zip(point, names)]
        out = f(*self.leaves)
        if isinstance(out, (int, float)) and not isinstance(out, bool):
            out = Value(float(out))  # f does not depend on its inputs at all
        if not isinstance(out, Value):
            raise TypeError(f"gradcheck: f must return a Value or a number, "
                            f"got {type(out).__name__}")
        self.out = out
        self.order = topological_order(out)

    def kinks(self) -> list[tuple[int, Value]]:
        """The nodes (with their positions) of ops that have kinks or ties."""
        return [(k, n) for k, n in enumerate(self.order)
                if n.op and (TABLE[n.op].kinks or TABLE[n.op].ties)]

    def same_shape(self, other: _Run) -> bool:
        return len(self.order) == len(other.order) and all(
            a.op == b.op for a, b in zip(self.order, other.order))


def _kink_between(base: _Run, up: _Run, down: _Run, eps: float) -> str | None:
    """Why finite differences are unreliable over [x - eps, x + eps], or None.

    The three graphs have the same shape (checked by the caller), so node k of
    one is node k of the others. A kink node matters when moving this input
    moves its operand, and the operand comes within eps of the kink or crosses it.
    """
    for k, node in base.kinks():
        op = TABLE[node.op]
        runs = [[p.data for p in r.order[k].parents] for r in (base, up, down)]
        if runs[0] == runs[1] == runs[2]:
            continue  # this input does not move the operands
        crossed = len({_piece(op, xs) for xs in runs}) > 1
        if crossed or min(kink_distance(op, xs) for xs in runs) <= eps:
            return _kink_note(node, runs[0])
    return None


def _kink_note(node: Value, xs: list[float]) -> str:
    """``relu at 0: x = 1e-07``, or ``max at a tie: x = 2, t = 2`` (the picked operand
    and the nearest other one)."""
    op = TABLE[node.op]

    def named(i: int) -> str:
        parent = node.parents[i]
        kind = (f"its operand ({parent.op})" if parent.op
                else "a constant" if isinstance(parent, Constant) else "a leaf")
        return f"{parent.label or kind} = {xs[i]:.3g}"

    if op.kinks:
        kink = min(op.kinks, key=lambda c: abs(xs[0] - c))
        return f"{node.op} at {kink:g}: {named(0)}"
    k = FLOAT.selected(xs, op.forward(FLOAT, tuple(xs), ()))  # a tie needs two operands
    nearest = min((i for i in range(len(xs)) if i != k), key=lambda i: abs(xs[i] - xs[k]))
    return f"{node.op} at a tie: {named(k)}, {named(nearest)}"


OVERFLOWED = "the finite difference overflowed"
"""The start of the note of a row whose finite difference is not a float: not a FAIL."""


def _evaluate(f: Callable, point: Sequence[float], names: Sequence[str]) -> _Run | str:
    """A run at a shifted point, or the reason f is undefined there."""
    try:
        return _Run(f, point, names)
    except (DomainError, ArithmeticError) as e:
        why = str(e).splitlines()[0] if str(e) else type(e).__name__
        return f"{OVERFLOWED}: {why}" if isinstance(e, OverflowError) else why


def _judge(name: str, analytic: float, numeric: float, base: _Run, up: _Run, down: _Run,
           eps: float, atol: float, rtol: float) -> Row:
    if not math.isfinite(numeric):  # f(x ± eps) are floats, but not their difference
        return Row(name, analytic, numeric, UNDEFINED, f"{OVERFLOWED}: it is {numeric}")
    close = (math.isfinite(analytic) and math.isfinite(numeric)
             and abs(analytic - numeric) <= atol + rtol * abs(numeric))
    if base.same_shape(up) and base.same_shape(down):
        kink = _kink_between(base, up, down, eps)
        if kink:
            return Row(name, analytic, numeric, KINK, kink)
    elif not close:  # f took another branch of an if within eps: a kink of f itself
        return Row(name, analytic, numeric, KINK, "f computes a different graph at x - eps "
                   "and x + eps")
    return Row(name, analytic, numeric, PASS if close else FAIL)


def _stencil(f: Callable, point: list[float], names: list[str], j: int, eps: float):
    up, down = list(point), list(point)
    up[j] += eps
    down[j] -= eps
    return _evaluate(f, up, names), _evaluate(f, down, names)


def gradcheck(
    f: Callable[..., Value | float],
    inputs: Value | float | Sequence[Value | float],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_on_failure: bool = False,
    names: Sequence[str] | None = None,
) -> GradcheckReport:
    """Compare df/dx_i from the engine with central finite differences.

    ``f`` is called with one fresh ``Value`` leaf per input (your Values are
    read, never touched) and returns a Value. Rows are named after ``names``,
    else the inputs' labels, else ``f``'s parameter names.

    >>> print(gradcheck(lambda x: x ** 3, [2.0]).rows[0].status)
    pass
    """
    items, point = _checked_inputs(inputs)
    _check_settings(eps, atol, rtol)
    names = _input_names(f, items, names)
    base = _Run(f, point, names)
    analytic = grad(base.out, base.leaves)
    rows = []
    for j, name in enumerate(names):
        up, down = _stencil(f, point, names, j, eps)
        if isinstance(up, str) or isinstance(down, str):
            why = up if isinstance(up, str) else down
            rows.append(Row(name, analytic[j], math.nan, UNDEFINED, why))
            continue
        numeric = (up.out.data - down.out.data) / (2 * eps)
        rows.append(_judge(name, analytic[j], numeric, base, up, down, eps, atol, rtol))
    title = f"gradcheck of {len(rows)} input{'s' if len(rows) != 1 else ''}"
    report = GradcheckReport(title, rows, eps, atol, rtol)
    return report.raise_if_failed() if raise_on_failure else report


def gradgradcheck(
    f: Callable[..., Value | float],
    inputs: Value | float | Sequence[Value | float],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_on_failure: bool = False,
    names: Sequence[str] | None = None,
) -> GradcheckReport:
    """Compare every second derivative d2f/dx_i dx_j from the engine with finite differences.

    The engine's value is ``grad(g_i, x)[j]`` where ``g = grad(f(x), x,
    create_graph=True)``; the numeric one is the central difference, in x_j,
    of the engine's plain first derivative df/dx_i. Rows are named "x_i,x_j".

    >>> print(gradgradcheck(lambda x: x.sin(), [0.5]).rows[0].status)
    pass
    """
    items, point = _checked_inputs(inputs)
    _check_settings(eps, atol, rtol)
    names = _input_names(f, items, names)
    base = _Run(f, point, names)
    firsts = grad(base.out, base.leaves, create_graph=True)
    hessian = [grad(g, base.leaves) for g in firsts]
    stencils = [_stencil(f, point, names, j, eps) for j in range(len(names))]
    rows = []
    for i, name_i in enumerate(names):
        for j, (up, down) in enumerate(stencils):
            name = f"{name_i},{names[j]}"
            if isinstance(up, str) or isinstance(down, str):
                why = up if isinstance(up, str) else down
                rows.append(Row(name, hessian[i][j], math.nan, UNDEFINED, why))
                continue
            numeric = (grad(up.out, up.leaves)[i] - grad(down.out, down.leaves)[i]) / (2 * eps)
            rows.append(_judge(name, hessian[i][j], numeric, base, up, down, eps, atol, rtol))
    report = GradcheckReport(f"gradgradcheck of {len(rows)} second derivatives", rows, eps,
                             atol, rtol)
    return report.raise_if_failed() if raise_on_failure else report


def check_expression(
    expression: str,
    values: Mapping[str, float],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    second: bool = False,
) -> list[GradcheckReport]:
    """gradcheck (and with ``second``, gradgradcheck) of an expression text at ``values``.

    The expression goes through the same safe parser as ``memograd trace``.

    >>> [bool(r) for r in check_expression("x * y", {"x": 2.0, "y": 3.0})]
    [True]
    """
    from ..expr import evaluate, variables

    names = variables(expression)
    if not names:
        raise ValueError(f"check: {expression!r} has no variables, so no derivative to check")
    missing = [n for n in names if n not in values]
    if missing:
        raise ValueError("check: no value given for " + ", ".join(missing))

    def f(*leaves: Value) -> Value:
        return evaluate(expression, dict(zip(names, leaves)))

    point = [values[n] for n in names]
    reports = [gradcheck(f, point, eps, atol, rtol, names=names)]
    if second:
        reports.append(gradgradcheck(f, point, eps, atol, rtol, names=names))
    return reports
