"""Gradient clipping, as PyTorch's ``torch.nn.utils`` does it."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

from autograd import Value

from .optimizers import _params


def clip_grad_norm_(params: Iterable[Value], max_norm: float, norm_type: float = 2.0) -> float:
    """Scale all gradients together so their norm is at most ``max_norm``; returns the
    norm before clipping. As PyTorch: the scale is ``max_norm / (norm + 1e-6)``,
    applied only when it is below 1; ``norm_type`` may be ``math.inf``."""
    ps = _params(params, "clip_grad_norm_")
    if isinstance(max_norm, bool) or not isinstance(max_norm, numbers.Real) or max_norm < 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be a number >= 0, got {max_norm!r}")
    if isinstance(norm_type, bool) or not isinstance(norm_type, numbers.Real) or norm_type <= 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be > 0, got {norm_type!r}")
    grads = [abs(p.grad) for p in ps]
    if norm_type == math.inf:
        total = max(grads)
    elif norm_type == 2:
        total = math.sqrt(math.fsum(g * g for g in grads))
    else:
        total = math.fsum(g ** norm_type for g in grads) ** (1.0 / norm_type)
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for p in ps:
            p.grad *= coef
    return total


def clip_grad_value_(params: Iterable[Value], clip_value: float) -> None:
    """Clamp every gradient into ``[-clip_value, clip_value]``."""
    ps = _params(params, "clip_grad_value_")
    if isinstance(clip_value, bool) or not isinstance(clip_value, numbers.Real) or clip_value < 0:
        raise ValueError(f"clip_grad_value_: clip_value must be a number >= 0, "
                         f"got {clip_value!r}")
    c = float(clip_value)
    for p in ps:
        p.grad = min(max(p.grad, -c), c)
