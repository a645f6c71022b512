"""Losses as modules (``nn.MSELoss()``, as in torch), nn's own names for them, and
the L2 penalty.

A loss module is made with its ``reduction`` and called on ``(output, target)``;
it runs its function from ``nn.functional`` (``MSELoss`` runs ``F.mse_loss``),
whose docstring says how shapes and reductions work. ``nn.mse``,
``nn.cross_entropy`` and ``nn.binary_cross_entropy`` are those functions under
the names nn has always had (``nn.fit`` and the lessons use them): given one
sample, each returns that sample's loss.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

from autograd import Value, as_value, dot

from . import functional as F
from .module import Module, is_bias

Target = float | Value

mse = F.mse_loss
"""``(pred - target)²``, averaged over the elements when given lists (``F.mse_loss``)."""

cross_entropy = F.cross_entropy
"""``-log softmax(logits)[k]`` for a class index, or ``-Σ_i t_i log softmax(logits)_i``
for a one-hot or probability list (``F.cross_entropy``)."""

binary_cross_entropy = F.binary_cross_entropy_with_logits
"""``-[t log σ(z) + (1 - t) log(1 - σ(z))]`` from the LOGIT ``z``, not from a probability
(``F.binary_cross_entropy_with_logits``)."""


class _Loss(Module):
    """A loss as a module: made with its reduction, called on ``(input, target)``."""

    def __init__(self, *, reduction: str = "mean") -> None:
        # checked here, so a typo fails where the loss is made, not in the first batch
        self.reduction = F.check_reduction(reduction, type(self).__name__)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"  # torch prints a loss without its reduction


class MSELoss(_Loss):
    """``(x - t)²`` per element, reduced (torch's ``nn.MSELoss``).

    >>> MSELoss(reduction="sum")([Value(1.0), Value(3.0)], [0.0, 0.0]).data
    10.0
    """

    def forward(self, input: F.Tensor, target: F.Tensor) -> F.Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """``|x - t|`` per element, reduced (torch's ``nn.L1Loss``)."""

    def forward(self, input: F.Tensor, target: F.Tensor) -> F.Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class CrossEntropyLoss(_Loss):
    """Cross-entropy from logits, with a class index or class probabilities per sample
    (torch's ``nn.CrossEntropyLoss``); ``"none"`` gives one loss per sample."""

    def forward(self, input: F.Tensor, target: F.Tensor) -> F.Tensor:
        return F.cross_entropy(input, target, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy from logits per element, reduced (torch's ``nn.BCEWithLogitsLoss``)."""

    def forward(self, input: F.Tensor, target: F.Tensor) -> F.Tensor:
        return F.binary_cross_entropy_with_logits(input, target, reduction=self.reduction)


def hinge(score: F.Tensor, target: F.Tensor) -> Value:
    """micrograd's max-margin loss ``relu(1 - y s)`` for a label ``y`` of -1 or +1; given
    lists (one sample of several scores, or a batch), the mean over the elements."""

    def margin_loss(s: Value | float, y: Value | float) -> Value:
        if not isinstance(y, Value) and y not in (-1, 1):  # a Value label is a traced input
            raise ValueError(f"hinge: target must be -1 or +1, got {y!r}")
        return (1 + -y * as_value(s, "hinge")).relu()

    return F.elementwise_loss("hinge", margin_loss, score, target, "mean")


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
