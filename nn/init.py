"""Weight initialization: where a network's parameters start.

Every scheme draws from a ``random.Random`` given as ``seed=`` (an int makes
one), or, for a module built without ``seed=``, from Python's global ``random``
generator: micrograd draws from it too, so ``random.seed(1337)`` then
``MLP(2, [16, 16, 1])`` gives micrograd's weights, and ``nn.manual_seed(s)``
seeds it, as ``torch.manual_seed(s)`` seeds torch's.

- ``"uniform"``: U(-1, 1), micrograd's choice.
- ``"xavier"`` (Glorot uniform): U(-a, a) with a = sqrt(6 / (fan_in + fan_out));
  keeps the variance of z about constant for sigmoid and tanh layers.
- ``"he"`` (Kaiming normal): N(0, sqrt(2 / fan_in)); the same for ReLU layers,
  which zero half their inputs.
- ``"torch"``: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), what ``torch.nn.Linear`` draws for
  its weight (``kaiming_uniform_`` with a = sqrt(5) comes to that bound) and its bias;
  ``nn.Linear`` uses it for both.

A ``Neuron``'s bias starts at 0 whatever the scheme.
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


def torch_uniform(rng: Rng, fan_in: int, fan_out: int) -> float:
    bound = 1.0 / math.sqrt(fan_in)
    return rng.uniform(-bound, bound)


SCHEMES: dict[str, Callable[[Rng, int, int], float]] = {
    "uniform": uniform, "xavier": xavier, "he": he, "torch": torch_uniform}


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


def manual_seed(seed: int) -> None:
    """Seed the generator that modules built without ``seed=`` draw from (Python's
    global ``random``), as ``torch.manual_seed``: after ``nn.manual_seed(0)`` the same
    constructors give the same weights every run.

    >>> from nn import Linear
    >>> manual_seed(0); a = Linear(2, 3)
    >>> manual_seed(0); b = Linear(2, 3)
    >>> a.state_dict() == b.state_dict()
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"manual_seed: seed must be an int, got {type(seed).__name__} "
                        f"{seed!r}"[:120])
    random.seed(int(seed))
