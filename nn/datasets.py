"""Small datasets for trying networks, every one generated from a seed.

Binary sets (``moons``, ``circles``, ``xor``) label their classes 0 and 1; pass
``labels=(-1, 1)`` for micrograd's max-margin (``hinge``) loss. ``digits`` is
real data: scikit-learn's 1,797 handwritten digits (8×8 pixels), the honest
stand-in for the course's 16×16 set.
"""

from __future__ import annotations

import math
import numbers
import random

from .data import ListDataset

Labels = tuple[float, float]


def _count(n: object, what: str = "n", low: int = 1) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < low:
        raise ValueError(f"{what} must be an int >= {low}, got {n!r}")
    return int(n)


def _noise(noise: object) -> float:
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not float(noise) >= 0:
        raise ValueError(f"noise must be a number >= 0, got {noise!r}")
    return float(noise)


def _linspace(start: float, stop: float, n: int, endpoint: bool = True) -> list[float]:
    if n == 1:
        return [start]
    step = (stop - start) / (n - 1 if endpoint else n)
    return [start + i * step for i in range(n)]


def _finish(points: list[tuple[list[float], int]], rng: random.Random,
            labels: Labels | None) -> ListDataset:
    rng.shuffle(points)
    targets: list[float] = [y for _, y in points]
    if labels is not None:
        if len(labels) != 2:
            raise ValueError(f"labels must be a pair (class 0, class 1), got {labels!r}")
        targets = [labels[y] for _, y in points]
    return ListDataset([x for x, _ in points], targets)


def moons(n: int = 100, noise: float = 0.1, seed: int = 0,
          labels: Labels = (0, 1)) -> ListDataset:
    """Two interleaving half circles (as scikit-learn's ``make_moons``): the upper one
    ``(cos t, sin t)`` is class 0, the lower ``(1 - cos t, 0.5 - sin t)`` class 1,
    t evenly spaced over [0, π], plus Gaussian noise of standard deviation ``noise``."""
    n, noise = _count(n, "n", 2), _noise(noise)
    rng = random.Random(seed)
    n_out = n // 2
    points = []
    for t in _linspace(0.0, math.pi, n_out):
        points.append(([math.cos(t), math.sin(t)], 0))
    for t in _linspace(0.0, math.pi, n - n_out):
        points.append(([1 - math.cos(t), 0.5 - math.sin(t)], 1))
    points = [([a + rng.gauss(0, noise), b + rng.gauss(0, noise)], y) for (a, b), y in points]
    return _finish(points, rng, labels)


def circles(n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int = 0,
            labels: Labels = (0, 1)) -> ListDataset:
    """A circle of radius 1 (class 0) around one of radius ``factor`` (class 1), as
    scikit-learn's ``make_circles``, plus Gaussian noise."""
    n, noise = _count(n, "n", 2), _noise(noise)
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not 0 < factor < 1:
        raise ValueError(f"factor must be a number in (0, 1), got {factor!r}")
    rng = random.Random(seed)
    n_out = n // 2
    points = []
    for radius, count, y in ((1.0, n_out, 0), (float(factor), n - n_out, 1)):
        for t in _linspace(0.0, 2 * math.pi, count, endpoint=False):
            points.append(([radius * math.cos(t) + rng.gauss(0, noise),
                            radius * math.sin(t) + rng.gauss(0, noise)], y))
    return _finish(points, rng, labels)


def xor(n: int = 100, noise: float = 0.2, seed: int = 0,
        labels: Labels = (0, 1)) -> ListDataset:
    """Points around the four corners (±1, ±1): class 1 where the signs of the two
    coordinates differ (exclusive or), else class 0. No straight line separates them."""
    n, noise = _count(n, "n", 1), _noise(noise)
    rng = random.Random(seed)
    corners = [(-1.0, -1.0), (1.0, 1.0), (-1.0, 1.0), (1.0, -1.0)]
    points = []
    for i in range(n):
        a, b = corners[i % 4]
        points.append(([a + rng.gauss(0, noise), b + rng.gauss(0, noise)], int(a != b)))
    return _finish(points, rng, labels)


def spiral(n: int = 150, classes: int = 3, noise: float = 0.2, seed: int = 0) -> ListDataset:
    """``classes`` interleaved spiral arms (class k = arm k), ``n`` points in all: on arm
    k, radius r runs over [0, 1] and angle 4k + 4r plus Gaussian noise of ``noise``
    radians; the point is (r sin angle, r cos angle)."""
    n, noise = _count(n, "n", 1), _noise(noise)
    classes = _count(classes, "classes", 2)
    rng = random.Random(seed)
    points = []
    for k in range(classes):
        count = n // classes + (1 if k < n % classes else 0)
        for r in _linspace(0.0, 1.0, count) if count else []:
            angle = 4 * k + 4 * r + rng.gauss(0, noise)
            points.append(([r * math.sin(angle), r * math.cos(angle)], k))
    return _finish(points, rng, None)


def combat_power(n: int = 10, noise: float = 30.0, seed: int = 0,
                 scale: float = 1.0) -> ListDataset:
    """The course's regression example: a creature's combat power after evolving
    from its power before. Power before is uniform on [10, 600]; power after is
    ``10 + 1.6 before + 0.001 before²`` plus Gaussian noise of standard deviation
    ``noise``. Inputs are one-element lists ``[before]``, targets numbers; both are
    multiplied by ``scale`` (e.g. 0.01 to train in hundreds with a default step size).
    Ten points, as in the course, are few enough to overfit with a high-degree model.
    """
    n, noise = _count(n, "n", 1), _noise(noise)
    rng = random.Random(seed)
    xs, ys = [], []
    for _ in range(n):
        before = rng.uniform(10.0, 600.0)
        after = 10 + 1.6 * before + 0.001 * before * before + rng.gauss(0, noise)
        xs.append([before * scale])
        ys.append(after * scale)
    return ListDataset(xs, ys)


def digits(n: int | None = None, seed: int = 0) -> ListDataset:
    """scikit-learn's real handwritten digits: 64 pixel values in [0, 1] (the 8×8
    image, row by row, divided by 16) and the digit 0–9 as the target. ``n`` picks
    a seeded random subset of that many of the 1,797 samples.

    Needs scikit-learn (``pip install "memograd[notebooks]"``).
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:
        raise ImportError("nn.datasets.digits needs scikit-learn, which is not installed: "
                          'pip install "memograd[notebooks]"') from e
    bunch = load_digits()
    xs = [[float(v) / 16.0 for v in row] for row in bunch.data]
    ys = [int(t) for t in bunch.target]
    order = list(range(len(xs)))
    if n is not None:
        n = _count(n, "n")
        if n > len(xs):
            raise ValueError(f"digits: n must be at most {len(xs)}, got {n}")
        random.Random(seed).shuffle(order)
        order = order[:n]
    return ListDataset([xs[i] for i in order], [ys[i] for i in order])
