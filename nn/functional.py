"""`softmax` and `log_softmax` over a list of Values, numerically stable.

Both subtract the largest input first. Softmax does not change when every input
moves by the same amount, so the shift ``m`` is taken as a plain number (a
constant of the graph, not a node): ``exp`` never sees a large positive
argument, ``softmax([1000, 0])`` is ``[1, 0]``, and the gradient is exact,
because the derivative through ``m`` would add up to zero anyway.
"""

from __future__ import annotations

from collections.abc import Sequence

import autograd
from autograd import Value, as_value


def _shifted(values: Sequence[Value | float], opname: str) -> list[Value]:
    xs = [as_value(v, opname) for v in values]
    if not xs:
        raise ValueError(f"{opname}: needs at least one value")
    m = max(x.data for x in xs)  # read .data: a constant shift, not a comparison of nodes
    return [x - m for x in xs]


def logsumexp(values: Sequence[Value | float]) -> Value:
    """``log(Σ exp(v_i))`` without overflow."""
    xs = [as_value(v, "logsumexp") for v in values]
    if not xs:
        raise ValueError("logsumexp: needs at least one value")
    m = max(x.data for x in xs)
    return autograd.sum([(x - m).exp() for x in xs]).log() + m


def softmax(values: Sequence[Value | float]) -> list[Value]:
    """``exp(v_i) / Σ_j exp(v_j)``: numbers in (0, 1) that add up to 1.

    >>> [round(p.data, 3) for p in softmax([1, 2, 3, 4, 1, 2, 3])]
    [0.024, 0.064, 0.175, 0.475, 0.024, 0.064, 0.175]
    """
    es = [s.exp() for s in _shifted(values, "softmax")]
    total = autograd.sum(es)
    return [e / total for e in es]


def log_softmax(values: Sequence[Value | float]) -> list[Value]:
    """``log(softmax(v))_i = (v_i - m) - log Σ_j exp(v_j - m)``, stable for any inputs."""
    shifted = _shifted(values, "log_softmax")
    lse = autograd.sum([s.exp() for s in shifted]).log()
    return [s - lse for s in shifted]
