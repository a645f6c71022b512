"""Optimizers: SGD, Adam, AdamW, RMSprop, Adagrad, with PyTorch's update formulas.

Each optimizer holds a list of parameters and, per parameter, the numbers its
formula remembers between steps (a momentum buffer, running averages). Call
``zero_grad()``, compute the loss, ``loss.backward()``, then ``step()``.
Schedules (``nn.optim.StepLR`` …) change ``optimizer.lr`` between epochs.

The formulas, with g the gradient (plus ``weight_decay · p`` when that is set;
AdamW shrinks p instead) and t the step number starting at 1, follow the
pseudo-code in PyTorch's documentation for ``torch.optim`` exactly; the tests
compare with torch itself. A bad hyperparameter (a learning rate that is not a
finite number > 0, ``eps <= 0``, a negative momentum or weight decay, a beta
outside [0, 1)) is a ValueError when the optimizer is made, naming the
optimizer, the argument and the value.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

from autograd import Value


def _interval(low: float, high: float, low_open: bool, high_open: bool) -> str:
    """'> 0', '>= 0' or 'in [0, 1)': the allowed values, as the error message says them."""
    if high == math.inf:
        return f"{'>' if low_open else '>='} {low:g}"
    return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


def _number(opt: str, name: str, x: object, low: float, high: float = math.inf, *,
            low_open: bool = False, high_open: bool = False) -> float:
    """``x`` as a float if it is a finite number in the interval, else a ValueError
    naming the optimizer, the argument and the value."""
    allowed = _interval(low, high, low_open, high_open)
    # A bool is an int to Python, but lr=True is a mistake, not 1.0.
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x):
        raise ValueError(f"{opt}: {name} must be a finite number {allowed}, got {x!r}")
    value = float(x)
    above = value > low if low_open else value >= low
    below = value < high if high_open else value <= high
    if not (above and below):
        raise ValueError(f"{opt}: {name} must be {allowed}, got {x!r}")
    return value


def _params(params: object, opt: str) -> list[Value]:
    from ..module import Module  # a model may be passed instead of its parameter list

    items = params.parameters() if isinstance(params, Module) else params
    if isinstance(items, Value) or not isinstance(items, Iterable):
        raise TypeError(f"{opt}: params must be an iterable of Values (e.g. model.parameters()), "
                        f"got {type(params).__name__}")
    out = list(items)
    if not out:
        raise ValueError(f"{opt}: got an empty parameter list")
    seen: set[Value] = set()
    for p in out:
        if not isinstance(p, Value):
            raise TypeError(f"{opt}: params must be Values, got {type(p).__name__}")
        if p in seen:
            raise ValueError(f"{opt}: parameter {p.label or p!r} appears twice")
        seen.add(p)
    return out


class Optimizer:
    """Base class: ``params``, learning rate ``lr`` (a finite number > 0), ``steps`` taken
    so far. A subclass keeps what its formula remembers in attributes (per-parameter
    lists of numbers) and defines ``_update(t)``."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self.params = _params(params, type(self).__name__)
        self.lr = self._hyper("lr", lr, 0.0, low_open=True)
        self.steps = 0

    def _hyper(self, name: str, x: object, low: float, high: float = math.inf, *,
               low_open: bool = False, high_open: bool = False) -> float:
        """A hyperparameter checked when the optimizer is made: its errors name the class."""
        return _number(type(self).__name__, name, x, low, high,
                       low_open=low_open, high_open=high_open)

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 (gradients accumulate otherwise)."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter once from its ``.grad``."""
        self.steps += 1
        self._update(self.steps)

    def _update(self, t: int) -> None:
        raise NotImplementedError

    def snapshot(self) -> dict[str, Any]:
        """A copy of everything ``step()`` changes, for ``restore``: the parameters' values
        and every attribute but ``params`` (the step count, the momentum buffers and
        running averages; lists and dicts are copied one level deep, which copies
        their numbers). ``nn.fit`` uses it to undo an update that failed."""
        attributes = {name: value.copy() if isinstance(value, (list, dict)) else value
                      for name, value in vars(self).items() if name != "params"}
        return {"values": [p.data for p in self.params], "attributes": attributes}

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Put back what ``snapshot()`` copied, undoing the steps taken since."""
        for p, x in zip(self.params, snapshot["values"]):
            p.data = x
        for name, value in snapshot["attributes"].items():
            # copied again, so the same snapshot can be restored twice
            setattr(self, name, value.copy() if isinstance(value, (list, dict)) else value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr:g})"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum.

    With momentum μ and dampening τ the buffer is b = g on the first step, then
    b = μ b + (1 - τ) g; the step uses b, or g + μ b with ``nesterov``. Then
    ``p -= lr · step``.
    """

    def __init__(self, params: Iterable[Value], lr: float = 1e-3, momentum: float = 0.0,
                 nesterov: bool = False, weight_decay: float = 0.0,
                 dampening: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = self._hyper("momentum", momentum, 0.0, 1.0, high_open=True)
        self.dampening = self._hyper("dampening", dampening, 0.0, 1.0)
        self.weight_decay = self._hyper("weight_decay", weight_decay, 0.0)
        if nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("SGD: nesterov momentum requires momentum > 0 and dampening = 0")
        self.nesterov = bool(nesterov)
        self.buffers = [0.0] * len(self.params)

    def _update(self, t: int) -> None:
        mu, tau, wd, lr = self.momentum, self.dampening, self.weight_decay, self.lr
        bufs = self.buffers
        for i, p in enumerate(self.params):
            g = p.grad
            if wd:
                g = g + wd * p.data
            if mu:
                b = g if t == 1 else mu * bufs[i] + (1 - tau) * g
                bufs[i] = b
                g = g + mu * b if self.nesterov else b
            p.data -= lr * g


class Adam(Optimizer):
    """Adam: running means of g and g², bias-corrected.

    m = β1 m + (1 - β1) g, v = β2 v + (1 - β2) g², then
    ``p -= lr / (1 - β1^t) · m / (sqrt(v) / sqrt(1 - β2^t) + eps)``. With ``amsgrad``
    the largest v seen so far stands in for v. ``weight_decay`` λ adds λ p to g.
    """

    decoupled_weight_decay = False
    """False: weight decay is added to the gradient (Adam); True: it shrinks p itself (AdamW)."""

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{type(self).__name__}: betas must be a pair of numbers, "
                             f"got {betas!r}")
        self.betas = (self._hyper("beta1", betas[0], 0.0, 1.0, high_open=True),
                      self._hyper("beta2", betas[1], 0.0, 1.0, high_open=True))
        self.eps = self._hyper("eps", eps, 0.0, low_open=True)
        self.weight_decay = self._hyper("weight_decay", weight_decay, 0.0)
        self.amsgrad = bool(amsgrad)
        n = len(self.params)
        self.m, self.v = [0.0] * n, [0.0] * n
        self.v_max = [0.0] * n if self.amsgrad else []

    def _update(self, t: int) -> None:
        b1, b2 = self.betas
        wd, eps, lr = self.weight_decay, self.eps, self.lr
        step_size = lr / (1 - b1 ** t)
        correction2_sqrt = math.sqrt(1 - b2 ** t)
        m, v, v_max = self.m, self.v, self.v_max
        for i, p in enumerate(self.params):
            g = p.grad
            if wd and self.decoupled_weight_decay:
                p.data *= 1 - lr * wd  # as torch writes p ← p − lr·λ·p
            elif wd:
                g = g + wd * p.data
            m[i] += (g - m[i]) * (1 - b1)  # = β1 m + (1 - β1) g, as torch's lerp computes it
            v[i] = v[i] * b2 + (1 - b2) * g * g
            if self.amsgrad:
                v_max[i] = max(v_max[i], v[i])
            second = v_max[i] if self.amsgrad else v[i]
            p.data -= step_size * m[i] / (math.sqrt(second) / correction2_sqrt + eps)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter), as ``torch.optim.AdamW``:
    each step first shrinks every parameter, ``p ← p − lr·λ·p``, then takes Adam's
    step from the gradient alone, so the decay is not scaled by Adam's 1/sqrt(v).

    Defaults as torch's: ``lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2``.
    """

    decoupled_weight_decay = True

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


class RMSprop(Optimizer):
    """RMSprop: divide by a running root mean square of g.

    s = α s + (1 - α) g²; with ``centered`` also a = α a + (1 - α) g and the
    divisor is sqrt(s - a²) + eps, else sqrt(s) + eps. With momentum μ,
    b = μ b + g / divisor and ``p -= lr · b``; else ``p -= lr · g / divisor``.
    """

    def __init__(self, params: Iterable[Value], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False) -> None:
        super().__init__(params, lr)
        self.alpha = self._hyper("alpha", alpha, 0.0, 1.0, high_open=True)
        self.eps = self._hyper("eps", eps, 0.0, low_open=True)
        self.weight_decay = self._hyper("weight_decay", weight_decay, 0.0)
        self.momentum = self._hyper("momentum", momentum, 0.0, 1.0, high_open=True)
        self.centered = bool(centered)
        n = len(self.params)
        self.square_avg, self.grad_avg, self.buffers = [0.0] * n, [0.0] * n, [0.0] * n

    def _update(self, t: int) -> None:
        alpha, eps, wd, mu, lr = self.alpha, self.eps, self.weight_decay, self.momentum, self.lr
        s, a, bufs = self.square_avg, self.grad_avg, self.buffers
        for i, p in enumerate(self.params):
            g = p.grad
            if wd:
                g = g + wd * p.data
            s[i] = s[i] * alpha + (1 - alpha) * g * g
            if self.centered:
                a[i] += (g - a[i]) * (1 - alpha)
                avg = math.sqrt(s[i] - a[i] * a[i]) + eps
            else:
                avg = math.sqrt(s[i]) + eps
            if mu:
                bufs[i] = bufs[i] * mu + g / avg
                p.data -= lr * bufs[i]
            else:
                p.data -= lr * g / avg


class Adagrad(Optimizer):
    """Adagrad: divide by the root of the sum of all past g².

    lr_t = lr / (1 + (t - 1) · lr_decay); s += g²; ``p -= lr_t · g / (sqrt(s) + eps)``.
    """

    def __init__(self, params: Iterable[Value], lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10) -> None:
        super().__init__(params, lr)
        self.lr_decay = self._hyper("lr_decay", lr_decay, 0.0)
        self.weight_decay = self._hyper("weight_decay", weight_decay, 0.0)
        init = self._hyper("initial_accumulator_value", initial_accumulator_value, 0.0)
        self.eps = self._hyper("eps", eps, 0.0, low_open=True)
        self.sums = [init] * len(self.params)

    def _update(self, t: int) -> None:
        wd, eps = self.weight_decay, self.eps
        clr = self.lr / (1 + (t - 1) * self.lr_decay)
        sums = self.sums
        for i, p in enumerate(self.params):
            g = p.grad
            if wd:
                g = g + wd * p.data
            sums[i] += g * g
            p.data -= clr * g / (math.sqrt(sums[i]) + eps)
