"""A hypothesis strategy for property tests of networks: ``mlps()`` draws small
``nn.MLP``s with an input (``MLPCase``).

    from hypothesis import given
    from autograd import gradcheck
    from nn.testing import mlps

    @given(mlps(max_width=4))
    def test_mlp_gradients(case):
        assert gradcheck(case, case.inputs)

It lives in ``nn`` because the engine never imports ``nn``; the graph
strategies are in ``autograd.testing``. Needs hypothesis (the ``test`` extra).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

try:
    from hypothesis import strategies as st
except ImportError as e:  # pragma: no cover - the same message as autograd.testing's
    raise ImportError(
        "nn.testing needs hypothesis, which comes with memograd's test extra: "
        "pip install 'memograd[test]' (or pip install hypothesis)") from e

from autograd import Value

from .activations import ACTIVATIONS
from .layers import MLP

__all__ = ["MLPCase", "mlps"]

INPUT_RANGE = (-2.0, 2.0)
"""Every input of a drawn network lies in this range."""


class MLPCase:
    """A small ``nn.MLP`` drawn by ``mlps()``, with an input to run it on.

    ``case.model()`` builds the network (the same weights every time, from
    ``seed``); ``case(*xs)`` runs it on the Values (or numbers) ``xs`` and
    returns its one output, so ``gradcheck(case, case.inputs)`` checks dy/dx.
    """

    def __init__(self, sizes: Sequence[int], activation: str, seed: int,
                 inputs: Sequence[float]) -> None:
        self.sizes = tuple(sizes)
        self.activation = activation
        self.seed = seed
        self.inputs = tuple(float(x) for x in inputs)
        self._cached: MLP | None = None

    def model(self) -> MLP:
        """A fresh ``nn.MLP(nin, nouts, activation=..., seed=...)``."""
        return MLP(self.sizes[0], list(self.sizes[1:]), activation=self.activation,
                   seed=self.seed)

    @property
    def size(self) -> int:
        """The number of parameters (weights and biases)."""
        return sum((a + 1) * b for a, b in zip(self.sizes, self.sizes[1:]))

    def __call__(self, *xs: Value | float) -> Value:
        if self._cached is None:
            self._cached = self.model()
        return self._cached(list(xs))

    def __repr__(self) -> str:
        return (f"MLPCase(MLP({self.sizes[0]}, {list(self.sizes[1:])}, "
                f"activation={self.activation!r}, seed={self.seed}), "
                f"inputs={list(self.inputs)})")


def mlps(
    max_inputs: int = 3,
    max_hidden_layers: int = 2,
    max_width: int = 4,
    activations: Iterable[str] | None = None,
) -> st.SearchStrategy[MLPCase]:
    """Small networks ``nn.MLP(nin, [h1, ..., 1], activation=...)`` and an input in [-2, 2].

    Shrinks towards one input, no hidden layer, width 1, the first activation
    and seed 0. ``activations`` defaults to every built-in of ``nn.activations``.
    """
    names = list(ACTIVATIONS) if activations is None else list(activations)
    unknown = [a for a in names if a not in ACTIVATIONS]
    if not names or unknown:
        raise ValueError(f"mlps: unknown activations {unknown}; choose from "
                         f"{', '.join(ACTIVATIONS)}")
    for what, n, least in (("max_inputs", max_inputs, 1), ("max_width", max_width, 1),
                           ("max_hidden_layers", max_hidden_layers, 0)):
        if not isinstance(n, int) or n < least:
            raise ValueError(f"mlps: {what} must be an int >= {least}, got {n!r}")
    leaf = st.floats(*INPUT_RANGE, allow_nan=False, allow_infinity=False, allow_subnormal=False)

    @st.composite
    def draw_mlp(draw: Callable) -> MLPCase:
        nin = draw(st.integers(1, max_inputs))
        hidden = draw(st.lists(st.integers(1, max_width), max_size=max_hidden_layers))
        activation = draw(st.sampled_from(names))
        seed = draw(st.integers(0, 2**16))
        inputs = [draw(leaf) for _ in range(nin)]
        return MLPCase([nin, *hidden, 1], activation, seed, inputs)

    return draw_mlp()
