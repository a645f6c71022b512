"""Functions on Values with ``torch.nn.functional``'s names: ``import nn.functional as F``.

A tensor here is a nested list: one Value (or number) has shape ``()``, one
sample's outputs ``[v1, v2, v3]`` shape ``(3,)``, a batch of two such samples
shape ``(2, 3)``. Elementwise functions (``relu``, ``sigmoid``, ``tanh``,
``leaky_relu``) keep the shape they are given; ``softmax`` and ``log_softmax``
work along ``dim`` as torch's do.

The losses reduce as torch's do: ``reduction="mean"`` (the default) averages
over every element of the batch, ``"sum"`` adds them up, ``"none"`` returns each
element's loss (for ``cross_entropy``, each sample's) in the input's shape.
Input and target must have the same shape, with one leniency: a one-element
output and a plain-number target count as the same shape, so a model with one
output needs no ``.squeeze(1)``. Any other mismatch is a ValueError naming both.

Softmax and cross-entropy subtract the largest input first, so ``exp`` never
sees a large positive argument and ``softmax([1000, 0])`` is ``[1, 0]``. The
shift is a graph node (``autograd.max``), not a number read from ``.data``: a
graph recorded once (``autograd.compile``) shifts every sample by its own
maximum. The gradient through the shift adds up to zero (moving every input by
the same amount changes nothing), so gradients are those of the plain formula.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import autograd
from autograd import Value, as_value, dot

Tensor = Any
"""A Value or a number, or a (nested) list of them; ``shape`` says which."""

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction: object, owner: str) -> str:
    """``reduction`` if it is one torch knows, else a ValueError naming the allowed ones."""
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(f"{owner}: reduction must be 'mean', 'sum' or 'none', "
                         f"got {reduction!r}")
    return reduction


# -- shapes -----------------------------------------------------------------------------
def _is_scalar(x: object) -> bool:
    # bool is a number to Python, but True as a target is a mistake, not 1.0
    return isinstance(x, Value) or (isinstance(x, numbers.Real) and not isinstance(x, bool))


def _is_list(x: object) -> bool:
    return isinstance(x, Sequence) and not isinstance(x, (str, bytes))


def shape(x: Tensor, opname: str = "shape", what: str = "input") -> tuple[int, ...]:
    """The shape torch would give ``x``: ``()`` for a Value or number, ``(3,)`` for a
    list of three, ``(2, 3)`` for two lists of three.

    >>> shape([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    (2, 3)
    """
    if _is_scalar(x):
        return ()
    if not _is_list(x):
        raise TypeError(f"{opname}: {what} must be a Value, a number or a list of them, "
                        f"got {type(x).__name__}")
    shapes = [shape(item, opname, what) for item in x]
    for s in shapes:
        if s != shapes[0]:
            raise ValueError(f"{opname}: {what} is ragged: it holds items of shapes "
                             f"{shapes[0]} and {s}")
    return (len(shapes), *shapes[0]) if shapes else (0,)


def _check_same_shape(input: Tensor, target: Tensor, opname: str) -> tuple[int, ...]:
    """The input's shape, after checking that the target's matches it.

    A trailing 1 may be missing on either side: ``(2, 1)`` matches ``(2,)`` and
    ``(1,)`` matches ``()``, as a one-output model's outputs match plain-number targets.
    """
    s, t = shape(input, opname, "input"), shape(target, opname, "target")
    if s != t and s != (*t, 1) and t != (*s, 1):
        raise ValueError(f"{opname}: input has shape {s} but target has shape {t}")
    if 0 in s:
        raise ValueError(f"{opname}: input is empty (shape {s})")
    return s


def _pairwise(f: Callable[[Any, Any], Value], x: Tensor, t: Tensor) -> Tensor:
    """``f(x_i, t_i)`` for every element, in ``x``'s shape (shapes checked already)."""
    if _is_list(x):
        if _is_scalar(t):  # one output, a plain-number target
            return [f(x[0], t)]
        return [_pairwise(f, xi, ti) for xi, ti in zip(x, t)]
    if _is_list(t):  # a plain output, a one-element target
        t = t[0]
    return f(x, t)


def _flatten(x: Tensor) -> list[Value]:
    if isinstance(x, Value):
        return [x]
    return [v for item in x for v in _flatten(item)]


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    """The losses as they are ('none'), added up ('sum') or averaged ('mean')."""
    if reduction == "none":
        return losses
    flat = _flatten(losses)
    if len(flat) == 1:  # one loss is its own sum and mean: no extra nodes in the graph
        return flat[0]
    total = autograd.sum(flat)
    return total if reduction == "sum" else total / len(flat)


def _map(f: Callable[[Value], Value], x: Tensor, opname: str) -> Tensor:
    """``f`` of every element of ``x``, in ``x``'s shape."""
    if _is_list(x):
        return [_map(f, item, opname) for item in x]
    return f(as_value(x, opname))


# -- elementwise --------------------------------------------------------------------------
def relu(input: Tensor) -> Tensor:
    """``max(0, x)`` of every element."""
    return _map(Value.relu, input, "relu")


def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-x))`` of every element."""
    return _map(Value.sigmoid, input, "sigmoid")


def tanh(input: Tensor) -> Tensor:
    """``tanh(x)`` of every element."""
    return _map(Value.tanh, input, "tanh")


def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``x`` where x > 0, else ``negative_slope · x``, of every element."""
    return _map(lambda v: v.leaky_relu(negative_slope), input, "leaky_relu")


# -- softmax ------------------------------------------------------------------------------
def _shifted(xs: Sequence[Value | float], opname: str) -> list[Value]:
    """``x_i - max(x)``: every entry ≤ 0, so ``exp`` of it cannot overflow."""
    vs = [as_value(x, opname) for x in xs]
    m = autograd.max(vs)  # a node, not a number: a recorded graph shifts each sample by its own
    return [v - m for v in vs]


def _softmax_1d(xs: Sequence[Value | float], opname: str) -> list[Value]:
    es = [s.exp() for s in _shifted(xs, opname)]
    total = autograd.sum(es)
    return [e / total for e in es]


def _log_softmax_1d(xs: Sequence[Value | float], opname: str) -> list[Value]:
    shifted = _shifted(xs, opname)
    lse = autograd.sum([s.exp() for s in shifted]).log()
    return [s - lse for s in shifted]


def _along(x: Tensor, axis: int, f: Callable[[list], list]) -> Tensor:
    """``f`` applied to every line of ``x`` along ``axis`` (0 = the outermost list)."""
    if axis > 0:
        return [_along(item, axis - 1, f) for item in x]
    if not _is_list(x[0]):
        return f(list(x))
    # Swap the two outer levels, so that the lines along axis 0 become the items' own
    # axis 0, work on those, and swap back.
    swapped = [_along(list(col), 0, f) for col in zip(*x)]
    return [list(row) for row in zip(*swapped)]


def _over_dim(input: Tensor, dim: int, opname: str, f: Callable[[list], list]) -> Tensor:
    s = shape(input, opname, "input")
    if 0 in s:
        raise ValueError(f"{opname}: needs at least one value")
    ndim = max(len(s), 1)  # torch treats one value as a list of one here
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise TypeError(f"{opname}: dim must be an int, got {type(dim).__name__}")
    if not -ndim <= dim < ndim:
        raise IndexError(f"{opname}: dim {dim} is out of range for an input of shape {s} "
                         f"(expected {-ndim} to {ndim - 1})")
    if not s:
        return f([input])[0]
    return _along(input, dim % ndim, f)


def softmax(input: Tensor, dim: int = -1) -> Tensor:
    """``exp(x_i) / Σ_j exp(x_j)`` along ``dim``: numbers in (0, 1) that add up to 1.

    >>> [round(p.data, 3) for p in softmax([1, 2, 3, 4, 1, 2, 3])]
    [0.024, 0.064, 0.175, 0.475, 0.024, 0.064, 0.175]
    """
    return _over_dim(input, dim, "softmax", lambda xs: _softmax_1d(xs, "softmax"))


def log_softmax(input: Tensor, dim: int = -1) -> Tensor:
    """``log softmax(x)_i = (x_i - m) - log Σ_j exp(x_j - m)`` along ``dim``, where ``m`` is
    the largest ``x_j``: stable for any inputs (``log_softmax([1000, 0])`` is ``[0, -1000]``)."""
    return _over_dim(input, dim, "log_softmax", lambda xs: _log_softmax_1d(xs, "log_softmax"))


def logsumexp(values: Sequence[Value | float]) -> Value:
    """``log(Σ exp(v_i))`` of one list, without overflow: ``m + log Σ exp(v_i - m)``."""
    vs = [as_value(v, "logsumexp") for v in values]
    if not vs:
        raise ValueError("logsumexp: needs at least one value")
    m = autograd.max(vs)
    return autograd.sum([(v - m).exp() for v in vs]).log() + m


# -- losses -------------------------------------------------------------------------------
def elementwise_loss(opname: str, f: Callable[[Any, Any], Value], input: Tensor,
                     target: Tensor, reduction: str) -> Tensor:
    """``f(x, t)`` for every element and its target, reduced: the losses below are this
    with their own ``f``. Checks the reduction and that the shapes match."""
    reduction = check_reduction(reduction, opname)
    _check_same_shape(input, target, opname)
    return _reduce(_pairwise(f, input, target), reduction)


def mse_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """``(x - t)²`` of every element, reduced (torch's ``F.mse_loss``).

    >>> mse_loss([Value(1.0), Value(3.0)], [0.0, 0.0]).data
    5.0
    """

    def squared_error(x: Value | float, t: Value | float) -> Value:
        d = as_value(x, "mse_loss") - t
        return d * d

    return elementwise_loss("mse_loss", squared_error, input, target, reduction)


def l1_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """``|x - t|`` of every element, reduced (torch's ``F.l1_loss``)."""

    def absolute_error(x: Value | float, t: Value | float) -> Value:
        return abs(as_value(x, "l1_loss") - t)

    return elementwise_loss("l1_loss", absolute_error, input, target, reduction)


def _bce_with_logits(z: Value | float, t: Value | float) -> Value:
    """``-[t log σ(z) + (1 - t) log(1 - σ(z))]``, written stably as ``softplus(z) - t z``."""
    z = as_value(z, "binary_cross_entropy_with_logits")
    if not isinstance(t, Value) and not 0.0 <= t <= 1.0:  # a Value target is a traced input
        raise ValueError(f"binary_cross_entropy_with_logits: target must be in [0, 1], "
                         f"got {t!r}")
    return z.softplus() - z * t


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, *,
                                     reduction: str = "mean") -> Tensor:
    """Binary cross-entropy from logits ``z`` (not probabilities) and targets in [0, 1], per
    element, reduced (torch's ``F.binary_cross_entropy_with_logits``, without weights).

    ``softplus(z) - t z`` never takes the log of a sigmoid that rounded to 0 or 1, so
    a logit of ±1000 gives a finite loss and the gradient ``σ(z) - t``.
    """
    return elementwise_loss("binary_cross_entropy_with_logits", _bce_with_logits, input,
                             target, reduction)


def _class_target(t: object, n_classes: int, input_shape: tuple[int, ...],
                  target: Tensor) -> int | list:
    """One sample's target: a class index in range, or a list of ``n_classes`` probabilities."""
    if isinstance(t, numbers.Integral) and not isinstance(t, bool):
        if not 0 <= int(t) < n_classes:
            raise ValueError(f"cross_entropy: class {t} out of range for {n_classes} logits")
        return int(t)
    if _is_list(t):
        if len(t) != n_classes:  # type: ignore[arg-type]
            _cross_entropy_shape_error(input_shape, target)
        return list(t)  # type: ignore[call-overload]
    raise TypeError(f"cross_entropy: target must be a class index (int) or a list of "
                    f"{n_classes} probabilities, got {type(t).__name__} {t!r}"[:200])


def _cross_entropy_shape_error(input_shape: tuple[int, ...], target: Tensor) -> None:
    batch = input_shape[:-1]
    indices = f"{batch} class indices" if batch else "a class index"
    expected = f"{indices} or {input_shape} probabilities"
    raise ValueError(f"cross_entropy: input has shape {input_shape} but target has shape "
                     f"{shape(target, 'cross_entropy', 'target')}; expected {expected}")


def _sample_cross_entropy(logits: Sequence[Value | float], t: int | list) -> Value:
    shifted = _shifted(logits, "cross_entropy")
    lse = autograd.sum([s.exp() for s in shifted]).log()
    if isinstance(t, int):
        return lse - shifted[t]
    # Probabilities (a one-hot list too) enter as inputs, not as a choice of node,
    # so one recorded graph serves every label.
    return -dot(t, [s - lse for s in shifted])


def cross_entropy(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """``-log softmax(x)[k]`` for a class index ``k``, or ``-Σ_i t_i log softmax(x)_i`` for
    class probabilities ``t`` (a one-hot list too), from the logits ``x`` (torch's
    ``F.cross_entropy``, without weights or label smoothing).

    ``input`` is one sample's logits (shape ``(C,)``, target an int or ``C``
    probabilities) or a batch (``(N, C)``, target ``N`` ints or ``N`` lists of
    ``C``). One sample gives one Value whatever the reduction; for a batch,
    ``"none"`` gives each sample's loss and ``"mean"`` their mean.

    >>> round(cross_entropy([2.0, 0.0], 0).data, 4)
    0.1269
    """
    reduction = check_reduction(reduction, "cross_entropy")
    s = shape(input, "cross_entropy", "input")
    if len(s) not in (1, 2):
        raise ValueError(f"cross_entropy: input must be one sample's logits, shape (C,), or "
                         f"a batch of them, shape (N, C); got shape {s}")
    if 0 in s:
        raise ValueError(f"cross_entropy: needs at least one logit and one sample, got "
                         f"input of shape {s}")
    if len(s) == 1:
        return _sample_cross_entropy(input, _class_target(target, s[0], s, target))
    if not _is_list(target) or len(target) != s[0]:
        _cross_entropy_shape_error(s, target)
    targets = [_class_target(t, s[1], s, target) for t in target]  # all checked first
    return _reduce([_sample_cross_entropy(x, t) for x, t in zip(input, targets)], reduction)
