"""Shared test helpers."""

import os

import pytest


@pytest.fixture(autouse=True)
def english_by_default(monkeypatch):
    """Goldens are English: a machine whose locale is Chinese must not change them.
    Tests of language selection set or delete MEMOGRAD_LANG themselves."""
    monkeypatch.setenv("MEMOGRAD_LANG", "en")

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


@pytest.fixture
def torch():
    """PyTorch, for the tests that compare with it; without it they skip and say why."""
    return pytest.importorskip("torch", reason="PyTorch is not installed (pip install "
                               "torch==2.13.0, the torch extra; CI installs it)")


def central_difference(f, xs, i, eps=1e-6):
    """(f(x + eps) - f(x - eps)) / 2eps in coordinate i; f takes floats."""
    up = list(xs)
    down = list(xs)
    up[i] += eps
    down[i] -= eps
    return (f(*up) - f(*down)) / (2 * eps)


def micrograd_neuron():
    """micrograd's neuron: o = tanh(x1*w1 + x2*w2 + b) = 0.7071, dC/dn = 0.5."""
    from autograd import Value

    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def labelled_tanh_net(inputs, weights, bias=0.1):
    """Layers of tanh neurons labelled as nn labels them (``layers.L.neurons.J``
    ``.w.I``/``.b``/``.z``/``.a``), then the loss ``(out - 1) ** 2``;
    ``weights[layer][neuron]`` lists a neuron's input weights."""
    from autograd import Value, dot

    acts = list(inputs)
    for layer, rows in enumerate(weights):
        outs = []
        for j, row in enumerate(rows):
            p = f"layers.{layer}.neurons.{j}"
            ws = [Value(w, f"{p}.w.{i}") for i, w in enumerate(row)]
            z = dot(ws, acts) + Value(bias, f"{p}.b")
            z.label = f"{p}.z"
            a = z.tanh()
            a.label = f"{p}.a"
            outs.append(a)
        acts = outs
    loss = (acts[0] - 1.0) ** 2
    loss.label = "loss"
    return loss


def column_starts(line: str) -> list[int]:
    """The display columns where the cells of a table line start: after two spaces or
    more (a cell such as a name may hold one space); a Chinese character is two wide."""
    from autograd.i18n import display_width

    cols, col, gap = [0], 0, 0
    for ch in line:
        if ch == " ":
            gap += 1
        else:
            if gap >= 2:
                cols.append(col)
            gap = 0
        col += display_width(ch)
    return cols
