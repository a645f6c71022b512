"""Loss functions (one sample each) and the L2 penalty.

Each loss takes the model's output for ONE sample and its target and returns a
Value; ``nn.fit`` averages them over a batch. Targets may be numbers or Values.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

import autograd
from autograd import Value, as_value, dot

from .module import Module, is_bias

Target = float | Value


def _pairs(pred: object, target: object, opname: str) -> tuple[list, list]:
    if isinstance(pred, (Value, numbers.Real)):
        if not isinstance(target, (Value, numbers.Real)):
            raise TypeError(f"{opname}: a single prediction needs a single target, "
                            f"got {type(target).__name__}")
        return [pred], [target]
    preds, targets = list(pred), list(target)  # type: ignore[call-overload]
    if len(preds) != len(targets):
        raise ValueError(f"{opname}: {len(preds)} predictions but {len(targets)} targets")
    if not preds:
        raise ValueError(f"{opname}: no predictions")
    return preds, targets


def mse(pred: Value | Sequence[Value], target: Target | Sequence[Target]) -> Value:
    """Mean squared error: ``(pred - target)²``, averaged when given lists (PyTorch's MSELoss)."""
    preds, targets = _pairs(pred, target, "mse")
    squares = []
    for p, t in zip(preds, targets):
        d = as_value(p, "mse") - t
        squares.append(d * d)
    return squares[0] if len(squares) == 1 else autograd.sum(squares) / len(squares)


def cross_entropy(logits: Sequence[Value | float], target: int | Sequence[Target]) -> Value:
    """``-log softmax(logits)[target]`` for a class index, or ``-Σ_i t_i log softmax(logits)_i``
    for a one-hot (or probability) list ``t`` of numbers or Values.

    Computed via the stable log-sum-exp. The list form takes the target as
    inputs, not as a choice of node, so a recorded graph serves every label.
    """
    zs = [as_value(z, "cross_entropy") for z in logits]
    if not zs:
        raise ValueError("cross_entropy: needs at least one logit")
    m = max(z.data for z in zs)
    shifted = [z - m for z in zs]
    lse = autograd.sum([s.exp() for s in shifted]).log()
    # int is listed for mypy, which does not know that an int is a numbers.Integral
    if isinstance(target, (int, numbers.Integral)) and not isinstance(target, bool):
        index = int(target)
        if not 0 <= index < len(zs):
            raise ValueError(f"cross_entropy: class {target} out of range for {len(zs)} logits")
        return lse - shifted[index]
    if isinstance(target, (bool, Value, numbers.Real, str, bytes)):
        raise TypeError("cross_entropy: target must be a class index (int) or a list of "
                        f"{len(zs)} probabilities, got {type(target).__name__} {target!r}")
    ts = list(target)
    if len(ts) != len(zs):
        raise ValueError(f"cross_entropy: {len(zs)} logits but a target of length {len(ts)}")
    return -dot(ts, [s - lse for s in shifted])


def binary_cross_entropy(logit: Value | float, target: Target) -> Value:
    """``-[t log σ(z) + (1 - t) log(1 - σ(z))]`` from the logit ``z``, written
    stably as ``softplus(z) - t z`` (PyTorch's BCEWithLogitsLoss); ``t`` in [0, 1]."""
    z = as_value(logit, "binary_cross_entropy")
    if isinstance(target, Value):
        return z.softplus() - z * target
    if isinstance(target, bool) or not isinstance(target, numbers.Real):
        raise TypeError(f"binary_cross_entropy: target must be a number in [0, 1], "
                        f"got {type(target).__name__} {target!r}")
    if not 0.0 <= target <= 1.0:
        raise ValueError(f"binary_cross_entropy: target must be in [0, 1], got {target!r}")
    return z.softplus() - z * float(target)


def hinge(score: Value | float, target: Target) -> Value:
    """micrograd's max-margin loss ``relu(1 - y s)`` for a label ``y`` of -1 or +1."""
    s = as_value(score, "hinge")
    if not isinstance(target, Value):
        if isinstance(target, bool) or not isinstance(target, numbers.Real):
            raise TypeError(f"hinge: target must be -1 or +1, got {type(target).__name__} "
                            f"{target!r}")
        if target not in (-1, 1):
            raise ValueError(f"hinge: target must be -1 or +1, got {target!r}")
    return (1 + -target * s).relu()


def l2_penalty(params: Module | Iterable[Value], lam: float,
               include_bias: bool = False) -> Value:
    """``lam · Σ w²`` as one node (a ``dot`` of the weights with themselves).

    Given a Module, biases (parameters named ``b``/``bias``) are left out unless
    ``include_bias``, as the course advises; given a list, every Value counts.
    """
    if isinstance(lam, bool) or not isinstance(lam, numbers.Real) or lam < 0:
        raise ValueError(f"l2_penalty: lam must be a number >= 0, got {lam!r}")
    if isinstance(params, Module):
        ws = [p for name, p in params.named_parameters() if include_bias or not is_bias(name)]
    else:
        ws = list(params)
        for p in ws:
            if not isinstance(p, Value):
                raise TypeError(f"l2_penalty: expected Values, got {type(p).__name__}")
    return float(lam) * dot(ws, ws)
