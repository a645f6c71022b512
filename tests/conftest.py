"""Shared test helpers."""

import math
import os

import pytest

try:  # hypothesis profiles; the README's "Checking gradients" section documents them
    from hypothesis import HealthCheck, settings
except ImportError:  # the tests that need hypothesis say so themselves
    pass
else:
    _quiet = [HealthCheck.too_slow]  # SymPy makes some examples slow; that is expected
    # ci: the same examples on every run, bounded counts (examples(n) below scales them)
    settings.register_profile("ci", max_examples=100, derandomize=True, database=None,
                              deadline=None, print_blob=True, suppress_health_check=_quiet)
    # dev: new random examples each run, 5x more, failures remembered in .hypothesis/
    settings.register_profile("dev", max_examples=500, deadline=None, print_blob=True,
                              suppress_health_check=_quiet)
    # thorough: 50x the ci counts, for a long run before a release
    settings.register_profile("thorough", max_examples=5000, deadline=None, print_blob=True,
                              suppress_health_check=_quiet)
    settings.load_profile(os.environ.get("MEMOGRAD_HYPOTHESIS_PROFILE", "ci"))

    def examples(n: int) -> settings:
        """Settings for ``n`` examples under the ci profile, scaled by the loaded profile."""
        return settings(max_examples=max(1, n * settings.default.max_examples // 100))


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
