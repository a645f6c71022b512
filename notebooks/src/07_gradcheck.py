# Lesson 7 of the memograd course notebooks: build with `python notebooks/build.py 07`.

# %% [markdown]
# # 7. Checking gradients
#
# Backpropagation gives exact derivatives, *if* every local derivative rule is right. How
# do we know they are? Three independent witnesses:
#
# 1. **finite differences**: nudge an input and watch the output,
#    `(f(x + ε) − f(x − ε)) / 2ε`;
# 2. **many random functions** instead of a few hand-picked ones (property tests);
# 3. **symbolic differentiation** with SymPy, exact.
#
# And one warning: finite differences are only an estimate, and they can be wrong.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
from hypothesis import given, settings
from lesson_text import T  # T("..."): a plot's words in the notebook's language

from autograd import grad, gradcheck, gradgradcheck
from autograd.testing import expressions
from nn.testing import mlps

# %% [markdown]
# ## `gradcheck` on a hand-written function
#
# `gradcheck(f, point)` calls `f` with one fresh `Value` per input, asks the engine for
# every ∂f/∂input, computes the same numbers by central differences, and reports them side
# by side.

# %%
def f(x, y):
    return x * y.sin() + (x / y).exp()


report = gradcheck(f, [1.5, 0.7])
print(report)

# %% [markdown]
# By hand: ∂f/∂x = sin y + e^(x/y)/y and ∂f/∂y = x cos y − x e^(x/y)/y². The engine agrees
# to the last digits, finite differences to about ten digits:

# %%
x, y = 1.5, 0.7
by_hand = [math.sin(y) + math.exp(x / y) / y, x * math.cos(y) - x * math.exp(x / y) / y**2]
assert report and len(report.passed) == 2
for row, exact in zip(report.rows, by_hand):
    assert math.isclose(row.analytic, exact, rel_tol=1e-14)
    assert math.isclose(row.numeric, exact, rel_tol=1e-8)

# %% [markdown]
# Second derivatives come from differentiating the engine's first derivatives
# (`grad(..., create_graph=True)`); `gradgradcheck` checks all of them the same way:

# %%
print(gradgradcheck(f, [1.5, 0.7]))
assert gradgradcheck(f, [1.5, 0.7])

# %% [markdown]
# ## Property tests: a hundred random functions
#
# A bug in one rule hides easily from a few examples. `autograd.testing` and `nn.testing`
# hold [Hypothesis](https://hypothesis.readthedocs.io) strategies: `expressions()` draws
# random computation graphs over all the engine's operations, reusing sub-expressions (the
# case the memo is for) and staying inside every operation's domain; `mlps()` draws small
# `nn.MLP` networks. A property is a statement that must hold for every draw.

# %%
seen = []


@settings(max_examples=150, deadline=None, database=None, derandomize=True)
@given(expressions(max_nodes=8))
def test_engine_matches_finite_differences(case):
    seen.append(case)
    assert gradcheck(case, case.point)


test_engine_matches_finite_differences()
print(f"{len(seen)} random expressions checked, for example:\n")
for case in [c for c in seen if c.size >= 6][:3]:
    print(case, "\n   at", dict(zip(case.names, [round(p, 3) for p in case.point])), "\n")

# %%
networks = []


@settings(max_examples=30, deadline=None, database=None, derandomize=True)
@given(mlps(max_hidden_layers=2, max_width=4))
def test_networks_match_finite_differences(case):
    networks.append(case)
    assert gradcheck(case, case.inputs)


test_networks_match_finite_differences()
print(f"{len(networks)} random networks checked, the biggest {max(networks, key=lambda c: c.size)}")
assert len(seen) >= 100 and len(networks) >= 20
assert {op for case in seen for op in case.ops} >= {"add", "mul", "exp", "log", "tanh", "dot"}

# %% [markdown]
# ## SymPy: the exact derivative
#
# Finite differences agree to about ten digits; SymPy differentiates the same expression
# symbolically, so the engine should agree to the last bit or two. Every random
# expression converts itself (`case.sympy()`), constants as exact fractions:

# %%
def engine_vs_sympy(case):
    """Largest relative difference between the engine's and SymPy's gradient."""
    out, leaves = case.graph()
    engine = grad(out, leaves)
    expr, symbols = case.sympy()
    at = dict(zip(symbols, case.point))
    exact = [float(sp.diff(expr, s).subs(at).evalf(30)) for s in symbols]
    return max(abs(a - b) / max(abs(b), 1e-12) for a, b in zip(engine, exact))


# At a kink (relu at 0) or a tie (max of two equal numbers) there is no derivative to
# agree on: the engine picks one side, as PyTorch does. Compare where there is one.
smooth = [case for case in seen if case.kink_distance() > 1e-6][:40]
worst = max(engine_vs_sympy(case) for case in smooth)
print(f"{len(smooth)} expressions: largest relative difference engine vs SymPy = {worst:.1e}")
assert len(smooth) == 40 and worst < 1e-9

# %% [markdown]
# ## What finite differences get wrong
#
# **The step size.** A large ε measures the slope of a chord, not of the tangent (error
# ∝ ε²); a tiny ε subtracts two almost equal numbers and keeps mostly rounding noise
# (error ∝ 1/ε). For `sin(x)·eˣ` at x = 1:

# %%
def g(x):
    return math.sin(x) * math.exp(x)


exact = (math.cos(1) + math.sin(1)) * math.e
steps = np.logspace(-13, -1, 49)
errors = [abs((g(1 + h) - g(1 - h)) / (2 * h) - exact) for h in steps]

fig, ax = plt.subplots(figsize=(5.5, 3.5))
ax.loglog(steps, errors, "o-", ms=3)
ax.set_xlabel(T("step ε"))
ax.set_ylabel(T("|central difference − exact|"))
ax.set_title(T("Too big: chord, not tangent. Too small: rounding."))
plt.show()
best = steps[int(np.argmin(errors))]
print(f"best ε ≈ {best:.0e}, error {min(errors):.1e}; at ε = 1e-13 the error is "
      f"{errors[0]:.1e}, at ε = 0.1 it is {errors[-1]:.1e}")
assert 1e-8 < best < 1e-3 and errors[0] > 1e3 * min(errors) and errors[-1] > 1e3 * min(errors)

# %% [markdown]
# **A kink.** `relu` and `abs` have no derivative at 0. The engine uses a one-sided
# convention (relu'(0) = 0), while a central difference straddling the kink averages the
# two sides: 0.5 for relu at 0, and for `abs` just next to 0 a number that is neither
# slope. `gradcheck` notices when its step crosses a kink and reports the row as
# *non-differentiable here*: neither a pass nor a failure.

# %%
at_kink = gradcheck(lambda x: x.relu(), [0.0])
near_kink = gradcheck(lambda x: abs(x), [1e-7])
print(at_kink, "\n")
print(near_kink)

# %%
row, near = at_kink.rows[0], near_kink.rows[0]
assert row.analytic == 0.0 and abs(row.numeric - 0.5) < 1e-9
assert near.analytic == 1.0 and abs(near.numeric - 0.1) < 1e-6
assert row.status == near.status == "non-differentiable here"
assert at_kink and near_kink          # unchecked rows are not failures

# %% [markdown]
# Neural networks use ReLU everywhere, so a random check sometimes lands next to a kink;
# that is why the property tests above let `gradcheck` skip such rows instead of failing,
# and why the strategies can keep operands away from kinks (`kink_margin=`).
