"""Shared test helpers."""

import math

import pytest


def central_difference(f, xs, i, eps=1e-6):
    """(f(x + eps) - f(x - eps)) / 2eps in coordinate i; f takes floats."""
    up = list(xs)
    down = list(xs)
    up[i] += eps
    down[i] -= eps
    return (f(*up) - f(*down)) / (2 * eps)


@pytest.fixture
def close():
    def check(a, b, rel=1e-6, abs_=1e-9):
        assert math.isclose(a, b, rel_tol=rel, abs_tol=abs_), f"{a} != {b}"
    return check
