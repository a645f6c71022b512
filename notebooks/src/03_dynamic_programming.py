# Lesson 3 of the memograd course notebooks: build with `python notebooks/build.py 03`.

# %% [markdown]
# # 3. Why it is fast: backpropagation is dynamic programming
#
# The chain rule says: list how the variables depend on each other, **multiply** the local
# derivatives along one path, **add** over the different paths. Applied literally, that is
# an algorithm: for each weight, walk every path from the weight to the cost. This lesson
# counts what that costs, and what the memo of lesson 2 saves.

# %%
import functools
import itertools

import matplotlib.pyplot as plt
from IPython.display import Markdown
from lesson_text import T  # T("..."): a plot's words in the notebook's language

from autograd import Value, compare_work, naive_grad, topological_order
from autograd.explain import count_paths, format_work, fully_connected

# %% [markdown]
# ## Paths, multiplied and added
#
# In `y = x·x + x` there are three paths from `x` to `y` (through each factor of the
# product, and directly), so dy/dx is a sum of three products: `x + x + 1 = 7` at `x = 3`.
# `naive_grad` walks the paths and counts its work; `backward()` gets the same number.

# %%
x = Value(3.0, "x")
y = x * x + x
work = naive_grad(y, x)
y.backward()
print(f"paths {work.paths}, naive dy/dx = {work.value}, backward dy/dx = {x.grad}")
assert work.paths == count_paths(y, x) == 3 and work.value == x.grad == 7.0

# %% [markdown]
# ## The recursion tree has overlapping sub-problems
#
# Take a small fully connected tanh network: 2 inputs, a few hidden layers of 2 neurons, one
# output, cost `C = (output − 1)²`. Write ∂C/∂(node) the way the chain rule reads: the sum,
# over the nodes that use it, of `local derivative × ∂C/∂(user)`. Called plainly, the
# recursion asks for the same ∂C/∂(user) again and again: every node of one layer needs
# *all* of the next layer's results. With a memo (here `functools.cache`) each node is
# solved once.

# %%
def users_of(loss):
    """For every node, the (user, d user / d node) pairs: the edges read forwards."""
    users = {node: [] for node in topological_order(loss)}
    for node in users:
        for parent, local in zip(node.parents, node.local_grads):
            users[parent].append((node, local))
    return users


def gradients(loss, params, memo):
    calls = 0

    def dC(node):
        nonlocal calls
        calls += 1
        if node is loss:
            return 1.0
        return sum(local * dC_(user) for user, local in users[node])

    dC_ = functools.cache(dC) if memo else dC
    users = users_of(loss)
    return [dC_(p) for p in params], calls


loss, params = fully_connected(depth=4, width=2)
plain, plain_calls = gradients(loss, params, memo=False)
memoized, memo_calls = gradients(loss, params, memo=True)
loss.backward()
print(f"{len(params)} parameters, {len(users_of(loss))} nodes")
print(f"recursion without memo: {plain_calls:,} calls;  with memo: {memo_calls:,} calls")

# %%
assert all(abs(a - p.grad) < 1e-12 and abs(b - p.grad) < 1e-12
           for a, b, p in zip(plain, memoized, params))
inner_nodes = [n for n in users_of(loss) if not n.is_leaf]
assert memo_calls == len(inner_nodes) + len(params)   # each node solved exactly once
assert plain_calls > 10 * memo_calls

# %% [markdown]
# The memoized recursion calls each node once: that is backpropagation, except that
# `backward()` fills the same table without recursion, from the output backwards in
# reverse topological order, so that every entry it needs is already there.
#
# ## Counting the work as the network gets deeper
#
# `compare_work` builds such networks for several depths and widths and counts, for the
# gradient of the cost with respect to **every** weight and bias:
#
# * **naive**: for each parameter, walk every path to the cost (one multiplication per edge
#   walked, one addition per path), remembering nothing;
# * **memo**: one backward pass (one multiplication and one addition per edge of the graph).

# %%
depths = list(range(0, 13))
widths = [2, 3, 4]
rows = compare_work(depths, widths)
Markdown(format_work([r for r in rows if r.width == 3]))

# %%
fig, ax = plt.subplots(figsize=(6.5, 4))
for width, colour in zip(widths, ["tab:blue", "tab:orange", "tab:green"]):
    mine = [r for r in rows if r.width == width]
    ax.plot(depths, [r.naive_multiplications for r in mine], "o-", color=colour,
            label=T("naive, width {width}").format(width=width))
    ax.plot(depths, [r.memoized_multiplications for r in mine], "s--", color=colour,
            label=T("memoized, width {width}").format(width=width))
ax.set_yscale("log")
ax.set_xlabel(T("hidden layers"))
ax.set_ylabel(T("multiplications for all gradients"))
ax.set_title(T("Path enumeration grows exponentially, backprop linearly"))
ax.legend(fontsize=8, ncol=2)
plt.show()

# %%
w3 = [r for r in rows if r.width == 3]
growth = w3[-1].naive_multiplications / w3[-2].naive_multiplications
print(f"width 3: each extra layer multiplies the naive work by {growth:.3f} "
      f"and adds {w3[-1].memoized_multiplications - w3[-2].memoized_multiplications} "
      f"multiplications to the memoized pass")
print(f"depth {w3[-1].depth}: naive / memoized = "
      f"{w3[-1].naive_multiplications / w3[-1].memoized_multiplications:,.0f}")

# %%
assert all(r.memoized_multiplications == r.edges for r in rows)
# a layer of 3 neurons adds 3 × (3 weights + 3 inputs into dot, dot and bias into +, + into tanh)
assert all(b.edges - a.edges == 3 * (3 + 3 + 2 + 1) for a, b in itertools.pairwise(w3))
assert 2.9 < growth < 3.1
assert w3[-1].naive_multiplications / w3[-1].memoized_multiplications > 50_000

# %% [markdown]
# Each layer adds a fixed number of edges, so the memoized pass grows linearly with depth,
# while the number of paths (and the naive work) is multiplied by about the width at every
# layer. A real network has hundreds of neurons per layer: path enumeration is hopeless,
# backpropagation costs about as much as the forward pass.
