"""Learning-rate schedules: set ``optimizer.lr`` from the epoch number.

Build a schedule after its optimizer, call ``step()`` once per epoch (``nn.fit``
does), read ``get_last_lr()``. Each schedule is a closed formula of the epoch
``e``, matching PyTorch's scheduler of the same name.
"""

from __future__ import annotations

import math
import numbers

from .optimizers import Optimizer


def _positive_int(name: str, x: object, cls: str) -> int:
    if isinstance(x, bool) or not isinstance(x, numbers.Integral) or x < 1:
        raise ValueError(f"{cls}: {name} must be an int >= 1, got {x!r}")
    return int(x)


def _factor(name: str, x: object, cls: str, low: float = 0.0, high: float = math.inf) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not low <= float(x) <= high:
        raise ValueError(f"{cls}: {name} must be a number in [{low}, {high}], got {x!r}")
    return float(x)


class LRScheduler:
    """Base class: remembers the optimizer's starting ``lr`` as ``base_lr``."""

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected an nn.optim optimizer, "
                            f"got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_epoch = 0
        optimizer.lr = self.lr_at(0)

    def lr_at(self, epoch: int) -> float:
        raise NotImplementedError

    def step(self) -> None:
        """Move to the next epoch and set its learning rate."""
        self.last_epoch += 1
        self.optimizer.lr = self.lr_at(self.last_epoch)

    def get_last_lr(self) -> float:
        return self.optimizer.lr


class StepLR(LRScheduler):
    """``base_lr · gamma^(e // step_size)``: multiply by ``gamma`` every ``step_size`` epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = _positive_int("step_size", step_size, "StepLR")
        self.gamma = _factor("gamma", gamma, "StepLR")
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """``base_lr · gamma^e``."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma = _factor("gamma", gamma, "ExponentialLR")
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** epoch


class CosineAnnealingLR(LRScheduler):
    """``eta_min + (base_lr - eta_min) · (1 + cos(π e / T_max)) / 2``: half a cosine
    from ``base_lr`` down to ``eta_min`` over ``T_max`` epochs."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        self.T_max = _positive_int("T_max", T_max, "CosineAnnealingLR")
        self.eta_min = _factor("eta_min", eta_min, "CosineAnnealingLR")
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        cos = 1 + math.cos(math.pi * epoch / self.T_max)
        return self.eta_min + (self.base_lr - self.eta_min) * cos / 2


class LinearLR(LRScheduler):
    """``base_lr`` times a factor moving linearly from ``start_factor`` to ``end_factor``
    over ``total_iters`` epochs, then staying there (PyTorch's LinearLR)."""

    def __init__(self, optimizer: Optimizer, start_factor: float = 1 / 3,
                 end_factor: float = 1.0, total_iters: int = 5) -> None:
        self.start_factor = _factor("start_factor", start_factor, "LinearLR", 0.0, 1.0)
        self.end_factor = _factor("end_factor", end_factor, "LinearLR", 0.0, 1.0)
        if self.start_factor == 0:
            raise ValueError("LinearLR: start_factor must be > 0")
        self.total_iters = _positive_int("total_iters", total_iters, "LinearLR")
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        progress = min(epoch, self.total_iters) / self.total_iters
        return self.base_lr * (self.start_factor
                               + (self.end_factor - self.start_factor) * progress)


class LinearWarmup(LRScheduler):
    """Warm-up: the lr climbs linearly from ``start_factor · lr`` to ``lr`` over
    ``warmup_steps`` epochs; afterwards it is ``lr``, or, when ``then`` is given,
    that schedule's lr counted from the end of the warm-up (build ``then`` first,
    on the same optimizer).

    >>> # warm up for 5 epochs, then cosine over the remaining 95:
    >>> # LinearWarmup(opt, 5, then=CosineAnnealingLR(opt, T_max=95))
    """

    def __init__(self, optimizer: Optimizer, warmup_steps: int, start_factor: float = 0.1,
                 then: LRScheduler | None = None) -> None:
        self.warmup_steps = _positive_int("warmup_steps", warmup_steps, "LinearWarmup")
        self.start_factor = _factor("start_factor", start_factor, "LinearWarmup", 0.0, 1.0)
        if then is not None and then.optimizer is not optimizer:
            raise ValueError("LinearWarmup: `then` must schedule the same optimizer")
        self.then = then
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        if epoch < self.warmup_steps:
            progress = epoch / self.warmup_steps
            return self.base_lr * (self.start_factor + (1 - self.start_factor) * progress)
        if self.then is not None:
            return self.then.lr_at(epoch - self.warmup_steps)
        return self.base_lr
