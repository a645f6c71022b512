"""Optimizers: SGD, Adam, RMSprop, Adagrad, with PyTorch's update formulas.

Each optimizer holds a list of parameters and, per parameter, the numbers its
formula remembers between steps (a momentum buffer, running averages). Call
``zero_grad()``, compute the loss, ``loss.backward()``, then ``step()``.
Schedules (``nn.optim.StepLR`` …) change ``optimizer.lr`` between epochs.

The formulas, with g the gradient (plus ``weight_decay · p`` when that is set)
and t the step number starting at 1, follow the pseudo-code in PyTorch's
documentation for ``torch.optim`` exactly; the tests compare with torch itself.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

from autograd import Value


def _number(name: str, x: object, low: float, high: float = math.inf,
            high_open: bool = False, opt: str = "") -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or math.isnan(x):
        raise ValueError(f"{opt}: {name} must be a number, got {x!r}")
    value = float(x)
    ok = low <= value and (value < high if high_open else value <= high)
    if not ok:
        bracket = ")" if high_open else "]"
        raise ValueError(f"{opt}: invalid {name} {x!r}, must be in [{low}, {high}{bracket}")
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
    """Base class: ``params``, learning rate ``lr``, ``steps`` taken so far."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        name = type(self).__name__
        self.params = _params(params, name)
        self.lr = _number("learning rate", lr, 0.0, opt=name)
        self.steps = 0

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
        self.momentum = _number("momentum", momentum, 0.0, 1.0, high_open=True, opt="SGD")
        self.dampening = _number("dampening", dampening, 0.0, 1.0, opt="SGD")
        self.weight_decay = _number("weight_decay", weight_decay, 0.0, opt="SGD")
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
    ``p -= lr / (1 - β1^t) · m / (sqrt(v) / sqrt(1 - β2^t) + eps)``.
    """

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair of numbers, got {betas!r}")
        self.betas = (_number("beta1", betas[0], 0.0, 1.0, high_open=True, opt="Adam"),
                      _number("beta2", betas[1], 0.0, 1.0, high_open=True, opt="Adam"))
        self.eps = _number("eps", eps, 0.0, opt="Adam")
        self.weight_decay = _number("weight_decay", weight_decay, 0.0, opt="Adam")
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def _update(self, t: int) -> None:
        b1, b2 = self.betas
        wd, eps = self.weight_decay, self.eps
        step_size = self.lr / (1 - b1 ** t)
        correction2_sqrt = math.sqrt(1 - b2 ** t)
        m, v = self.m, self.v
        for i, p in enumerate(self.params):
            g = p.grad
            if wd:
                g = g + wd * p.data
            m[i] += (g - m[i]) * (1 - b1)  # = β1 m + (1 - β1) g, as torch's lerp computes it
            v[i] = v[i] * b2 + (1 - b2) * g * g
            p.data -= step_size * m[i] / (math.sqrt(v[i]) / correction2_sqrt + eps)


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
        self.alpha = _number("alpha", alpha, 0.0, 1.0, high_open=True, opt="RMSprop")
        self.eps = _number("eps", eps, 0.0, opt="RMSprop")
        self.weight_decay = _number("weight_decay", weight_decay, 0.0, opt="RMSprop")
        self.momentum = _number("momentum", momentum, 0.0, 1.0, high_open=True, opt="RMSprop")
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
        self.lr_decay = _number("lr_decay", lr_decay, 0.0, opt="Adagrad")
        self.weight_decay = _number("weight_decay", weight_decay, 0.0, opt="Adagrad")
        init = _number("initial_accumulator_value", initial_accumulator_value, 0.0,
                       opt="Adagrad")
        self.eps = _number("eps", eps, 0.0, opt="Adagrad")
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
