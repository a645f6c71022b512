# Lesson 2 of the memograd course notebooks: build with `python notebooks/build.py 02`.

# %% [markdown]
# # 2. Backpropagation, step by step
#
# Gradient descent needs ∂C/∂w for every weight w. For a weight feeding `z = w·x + b`, the
# chain rule splits the job in two:
#
# ∂C/∂w = ∂z/∂w · ∂C/∂z
#
# * the **forward pass** gives ∂z/∂w: it is simply the input that w multiplies;
# * the **backward pass** gives ∂C/∂z, starting at the output and going back layer by layer.
#
# We take a two-layer sigmoid network (the course's first layer, then the lecture's second
# layer), a cost, and watch memograd do both passes.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display
from lesson_text import T  # T("..."): a plot's words in the notebook's language
from matplotlib.colors import ListedColormap

from autograd import Value as V
from autograd import dot, draw, memo_table, steps
from autograd.explain import chain_rule_symbols, memo_line

# %% [markdown]
# ## The network
#
# Inputs `x = [1, −1]`. Hidden layer: `z1 = w1·x1 + w2·x2 + b1`, `z2 = w5·x1 + w6·x2 + b2`,
# `a = σ(z)`. Output layer: `z' = w3·a1 + w7·a2 + b3` and `z'' = w4·a1 + w8·a2 + b4`, then
# `y = σ(z)`. Cost: squared error against the target `ŷ = [1, 0]`.
#
# Each `z` is **one** node (`autograd.dot` with the bias's input fixed at 1), as in the
# course's picture of a neuron.

# %%
def named(value, label):
    """Give an inner node a name for the printouts and the drawings."""
    value.label = label
    return value


x1, x2 = 1.0, -1.0
w1, w2, b1 = V(1.0, "w1"), V(-2.0, "w2"), V(1.0, "b1")
w5, w6, b2 = V(-1.0, "w5"), V(1.0, "w6"), V(0.0, "b2")
w3, w7, b3 = V(2.0, "w3"), V(-1.0, "w7"), V(0.0, "b3")
w4, w8, b4 = V(-2.0, "w4"), V(-1.0, "w8"), V(0.0, "b4")

z1 = named(dot([w1, w2, b1], [x1, x2, 1.0]), "z1")
z2 = named(dot([w5, w6, b2], [x1, x2, 1.0]), "z2")
a1 = named(z1.sigmoid(), "a1")
a2 = named(z2.sigmoid(), "a2")
zp = named(dot([w3, w7, b3], [a1, a2, 1.0]), "z'")
zpp = named(dot([w4, w8, b4], [a1, a2, 1.0]), "z''")
y1 = named(zp.sigmoid(), "y1")
y2 = named(zpp.sigmoid(), "y2")
e1 = named(y1 - 1, "y1−1")
s1 = named(e1 ** 2, "(y1−1)²")
s2 = named(y2 ** 2, "y2²")
C = named(s1 + s2, "C")
print(f"a = [{a1.data:.2f}, {a2.data:.2f}]  y = [{y1.data:.2f}, {y2.data:.2f}]  C = {C.data:.4f}")

# %% [markdown]
# ## Forward pass: ∂z/∂w is the input
#
# Every node stores the local derivatives of its operation when it is computed. For `z'`,
# the derivative with respect to each weight is the activation that weight multiplies; the
# weight `w7` is fed by `a2 ≈ 0.12`, so ∂z'/∂w7 ≈ 0.12. (And ∂z'/∂a1 = w3: a product is
# symmetric.)

# %%
for parent, local in zip(zp.parents, zp.local_grads):
    print(f"dz'/d{parent.label:<3} = {local:.4f}")

# %%
local = dict(zip(zp.parents, zp.local_grads))
assert abs(local[w7] - 0.12) < 0.005 and local[w7] == a2.data
assert local[w3] == a1.data and local[b3] == 1.0 and local[a1] == w3.data

# %% [markdown]
# ## Backward pass, one node at a time
#
# `autograd.steps(C)` runs the backward pass and stops at every node. Each step finishes
# one entry of the memo table, dC/d(node), from the entries of the nodes that use it: one
# term `local derivative × dC/d(user)` per use. So a node's turn comes once every node that
# uses it is done, and memograd takes the nodes **level by level from the output**: the
# cost, the output layer's `y`, `z'`, `z''` and their weights, then the hidden layer's `a`,
# `z` and weights, as the course goes backwards layer by layer.

# %%
walk = list(steps(C))
for step in walk:
    print(f"{step.index + 1:2d}. {step}")

# %%
position = {step.node: step.index for step in walk}
output_layer, hidden_layer = [w3, w7, b3, w4, w8, b4], [w1, w2, b1, w5, w6, b2]
assert max(position[w] for w in output_layer) < min(position[w] for w in hidden_layer)
assert max(position[n] for n in (zp, zpp)) < min(position[n] for n in (a1, a2, z1, z2))

# %% [markdown]
# Two of those steps are the course's formula. The hidden activation `a1` feeds both output
# neurons, so its entry adds two terms, `w3·∂C/∂z' + w4·∂C/∂z''`; one step later `z1`
# multiplies that by σ'(z1):

# %%
by_node = {step.node: step for step in walk}
for node in (a1, z1):
    print(chain_rule_symbols(by_node[node]))
    print("   ", by_node[node])

# %%
dC_dzp, dC_dzpp = by_node[zp].grad, by_node[zpp].grad
sigma_prime = a1.data * (1 - a1.data)                # σ'(z) = σ(z)(1 − σ(z))
course = sigma_prime * (w3.data * dC_dzp + w4.data * dC_dzpp)
print(f"σ'(z1)·(w3·∂C/∂z' + w4·∂C/∂z'') = {sigma_prime:.5f}·({w3.data:g}·{dC_dzp:.5f} "
      f"+ ({w4.data:g})·{dC_dzpp:.5f}) = {course:.6f}")
assert math.isclose(by_node[z1].grad, course, rel_tol=1e-12)

# %% [markdown]
# ## Each step, drawn
#
# `draw(C, highlight=step)` draws the whole graph as it stood right after that step: the
# highlighted node and its memo entry, the edges whose contributions built it, finished
# entries with their values, and entries still waiting shown as pending (`?`). Below is
# every step that fills a neuron's entry (`y`, `z` and `a`, the nodes of the course's
# picture), in the order backpropagation takes them: the output neurons first, then the
# hidden layer. The steps in between (the cost's pieces, each weight and bias) are the
# lines printed above. `autograd.walkthrough(C, "backprop.html")` writes a page that
# steps through all of them with Next/Previous buttons.

# %%
neurons = {y2, zpp, y1, zp, a2, z2, a1, z1}
for step in walk:
    if step.node in neurons:
        heading = T("Step {number} of {count}:").format(number=step.index + 1, count=len(walk))
        display(Markdown(f"**{heading}** `{step}`"))
        display(draw(C, highlight=step, legend=False))

# %% [markdown]
# ## The memo table, filled from the output backwards
#
# The memo is just a table node → dC/d(node). Backpropagation fills it from the output
# backwards; when a node's turn comes, every node that uses it is already final, so its
# entry is computed once and reused by everything upstream. After each step some entries
# are final and some are still collecting shares:

# %%
for step in walk[:3]:
    print(T("after step {number}: {memo}").format(number=step.index + 1,
                                                  memo=memo_line(step.memo, limit=3)))

# %% [markdown]
# The whole run in one picture: one row per step, one column per node (in forward order,
# inputs on the left, the cost on the right). An entry is *waiting* (no share has arrived
# yet), *partial* (some of its shares are in) or *final*. The final entries grow from the
# right, the output, to the left, one layer after the other.

# %%
order = list(reversed([step.node for step in walk]))       # forward (topological) order
state = np.zeros((len(walk), len(order)))
for r, step in enumerate(walk):
    for c, node in enumerate(order):
        arrived, expected = step.memo.shares(node)
        state[r, c] = 2 if step.memo.is_filled(node) else (1 if arrived else 0)

fig, ax = plt.subplots(figsize=(8, 4.2))
ax.imshow(state, cmap=ListedColormap(["#f3f4f6", "#fcd34d", "#16a34a"]), aspect="auto")
ax.set_xticks(range(len(order)), [walk[0].memo.name(n) for n in order], rotation=90)
ax.set_yticks(range(0, len(walk), 2),
              [T("step {number}").format(number=r + 1) for r in range(0, len(walk), 2)])
ax.set_title(T("memo entries after each step: waiting (grey), partial (yellow), final (green)"))
plt.show()

# %%
print(f"{'filled at step':>14}  {'node':<6}  dC/dnode")
for step in walk:
    print(f"{step.index + 1:>14}  {step.name():<6}  {step.grad: .6f}")

# %% [markdown]
# The stepper computed exactly what `backward()` computes (it *is* the same loop, paused):
# the table agrees with `memo_table(C)` entry for entry, and with a finite-difference
# estimate for a weight.

# %%
memo = memo_table(C)
assert all(memo[step.node] == step.grad for step in walk)
# every entry but the number 1 of (y1 − 1), which is no parameter and gets no step
assert walk[0].node is C and len(walk) == len(memo) - 1
# after step r the r + 1 right-most columns (the last nodes in forward order) are final
assert all((state[r, len(order) - r - 1:] == 2).all() for r in range(len(walk)))


def cost_with_w1(value):
    w1.data = value
    h1 = 1 / (1 + math.exp(-(value * x1 + w2.data * x2 + b1.data)))
    o1 = 1 / (1 + math.exp(-(w3.data * h1 + w7.data * a2.data + b3.data)))
    o2 = 1 / (1 + math.exp(-(w4.data * h1 + w8.data * a2.data + b4.data)))
    return (o1 - 1) ** 2 + o2 ** 2  # C, written with floats only


eps = 1e-6
finite_difference = (cost_with_w1(1.0 + eps) - cost_with_w1(1.0 - eps)) / (2 * eps)
w1.data = 1.0
print(T("dC/dw1: backprop {backprop:.8f}, finite difference {difference:.8f}").format(
    backprop=memo[w1], difference=finite_difference))
assert math.isclose(memo[w1], finite_difference, rel_tol=1e-6)
assert memo[w1] == x1 * memo[z1]          # ∂C/∂w1 = ∂z1/∂w1 · ∂C/∂z1 = x1 · ∂C/∂z1
