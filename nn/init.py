"""Weight initialization: where a network's parameters start.

Every scheme draws from a ``random.Random`` (or the ``random`` module itself,
which is what micrograd uses, so ``random.seed(1337)`` then ``MLP(2, [16, 16, 1])``
gives micrograd's weights). Biases always start at 0.

- ``"uniform"``: U(-1, 1), micrograd's choice.
- ``"xavier"`` (Glorot uniform): U(-a, a) with a = sqrt(6 / (fan_in + fan_out));
  keeps the variance of z about constant for sigmoid and tanh layers.
- ``"he"`` (Kaiming normal): N(0, sqrt(2 / fan_in)); the same for ReLU layers,
  which zero half their inputs.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable
from types import ModuleType

Rng = random.Random | ModuleType


def uniform(rng: Rng, fan_in: int, fan_out: int) -> float:
    return rng.uniform(-1, 1)


def xavier(rng: Rng, fan_in: int, fan_out: int) -> float:
    a = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a)


def he(rng: Rng, fan_in: int, fan_out: int) -> float:
    return rng.gauss(0.0, math.sqrt(2.0 / fan_in))


SCHEMES: dict[str, Callable[[Rng, int, int], float]] = {
    "uniform": uniform, "xavier": xavier, "he": he}


def get_scheme(init: str | Callable[[Rng, int, int], float]) -> Callable[[Rng, int, int], float]:
    """The drawing function for a scheme name, or ``init`` itself if it is a function
    ``(rng, fan_in, fan_out) -> float``."""
    if isinstance(init, str):
        try:
            return SCHEMES[init]
        except KeyError:
            raise ValueError(f"unknown init {init!r}; choose one of "
                             + ", ".join(SCHEMES)) from None
    if callable(init):
        return init
    raise TypeError(f"init must be a scheme name or a function, got {type(init).__name__}")


def make_rng(seed: int | Rng | None) -> Rng:
    """``random.Random(seed)`` for an int, the generator itself for a Random, and the
    global ``random`` module for None (micrograd's behaviour)."""
    if seed is None or seed is random:
        return random
    if isinstance(seed, random.Random):
        return seed
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return random.Random(int(seed))
    raise TypeError(f"seed must be an int, a random.Random or None, got {type(seed).__name__}")
