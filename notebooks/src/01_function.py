# Lesson 1 of the memograd course notebooks: build with `python notebooks/build.py 01`.

# %% [markdown]
# # 1. A neural network is a function
#
# Machine learning is looking for a function. A neural network is one way to write down a
# *set* of functions: fix its structure (how many layers, how many neurons, which activation)
# and every choice of the parameters (weights and biases) picks one function from the set.
#
# This lesson computes the course's first layer by hand, with memograd `Value`s, looks at
# the graph those numbers make, then writes the same layer as matrix arithmetic.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
from lesson_text import T  # T("..."): a plot's words in the notebook's language

import nn
from autograd import Value, dot, draw

# %% [markdown]
# ## One layer, two neurons
#
# The course's example: input `x = [1, −1]`, weights `W = [[1, −2], [−1, 1]]` (one row per
# neuron), biases `b = [1, 0]` and the sigmoid activation σ(z) = 1 / (1 + e^(−z)).
# Each neuron computes `z = w·x + b`, then `a = σ(z)`.

# %%
x = [1.0, -1.0]
W = [[Value(1.0, "w11"), Value(-2.0, "w12")],
     [Value(-1.0, "w21"), Value(1.0, "w22")]]
b = [Value(1.0, "b1"), Value(0.0, "b2")]

z = [dot(W[i], x) + b[i] for i in range(2)]   # z = w·x + b, one neuron per row
a = [zi.sigmoid() for zi in z]                # a = σ(z)
for i in range(2):
    z[i].label, a[i].label = f"z{i + 1}", f"a{i + 1}"

print("z =", [zi.data for zi in z])
print("a =", [round(ai.data, 2) for ai in a])

# %%
assert [zi.data for zi in z] == [4.0, -2.0]
assert abs(a[0].data - 0.98) < 0.005 and abs(a[1].data - 0.12) < 0.005

# %% [markdown]
# `z₁ = 1·1 + (−2)·(−1) + 1 = 4` and `z₂ = (−1)·1 + 1·(−1) + 0 = −2`;
# σ(4) ≈ 0.98 and σ(−2) ≈ 0.12, exactly the numbers on the course's slide.
#
# ## The graph behind the numbers
#
# Every `Value` remembers the operation that made it and its inputs. A notebook shows a
# `Value` as its graph: one box per value (label, data and grad), one small node per
# operation. Here is the first neuron: the weights and the bias are blue leaves, the
# `dot` node computes w·x in one step (the input numbers 1 and −1 are part of it, not
# separate nodes), and `+` adds the bias.

# %%
a[0]

# %% [markdown]
# Already in the forward pass each operation stores its *local* derivatives. For
# `z = w·x + b` the derivative with respect to a weight is the input it multiplies:
# ∂z/∂w₁₁ = x₁ = 1 and ∂z/∂w₁₂ = x₂ = −1. `show_local=True` writes them on the edges.
# After `backward()` the grad cells hold ∂a/∂(each node); for a weight that is the local
# derivative times σ'(z) = σ(z)(1 − σ(z)) ≈ 0.0177.

# %%
a[0].backward()
print("da1/dw11 =", W[0][0].grad, " da1/dw12 =", W[0][1].grad, " da1/db1 =", b[0].grad)
s = a[0].data * (1 - a[0].data)
assert math.isclose(W[0][0].grad, s * x[0]) and math.isclose(W[0][1].grad, s * x[1])
draw(a[0], show_local=True)

# %% [markdown]
# ## The same layer as matrix arithmetic
#
# Stacking the neurons' weights into a matrix turns the whole layer into one expression,
# `a = σ(W x + b)`. This is why deep learning runs on GPUs: a network is a chain of matrix
# products, and GPUs are built to multiply matrices.

# %%
def sigmoid(v):
    return 1 / (1 + np.exp(-v))


W_ = np.array([[1.0, -2.0], [-1.0, 1.0]])
b_ = np.array([1.0, 0.0])
x_ = np.array([1.0, -1.0])
a_ = sigmoid(W_ @ x_ + b_)
print("W x + b =", W_ @ x_ + b_, "  a =", a_.round(2))
assert np.allclose(a_, [ai.data for ai in a])

# %% [markdown]
# ## A network is a chain of layers
#
# The lecture feeds that output into two more layers. A whole network is just the layer
# applied again and again, each time with its own `W` and `b`:

# %%
layers = [
    (np.array([[1.0, -2.0], [-1.0, 1.0]]), np.array([1.0, 0.0])),
    (np.array([[2.0, -1.0], [-2.0, -1.0]]), np.array([0.0, 0.0])),
    (np.array([[3.0, -1.0], [-1.0, 4.0]]), np.array([-2.0, 2.0])),
]


def network(x, layers=layers):
    for W_l, b_l in layers:
        x = sigmoid(W_l @ x + b_l)
    return x


for inp in ([1.0, -1.0], [0.0, 0.0]):
    print(f"f({inp}) = {network(np.array(inp)).round(2)}")

# %%
assert np.allclose(network(np.array([1.0, -1.0])).round(2), [0.62, 0.83])
assert np.allclose(network(np.array([0.0, 0.0])).round(2), [0.51, 0.85])

# %% [markdown]
# With its parameters fixed, the network *is* a function: `[1, −1] ↦ [0.62, 0.83]`,
# `[0, 0] ↦ [0.51, 0.85]`.
#
# ## Same structure, different parameters: a set of functions
#
# Keep the structure (three fully connected sigmoid layers of two neurons) and draw other
# parameters at random: each draw is another function. Below, the first output as the first
# input sweeps from −4 to 4 (the second input held at −1), for the lecture's parameters and
# five random ones. Training means searching this set for the function that fits the data.

# %%
rng = np.random.default_rng(0)
sweep = np.linspace(-4, 4, 161)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(sweep, [network(np.array([t, -1.0]))[0] for t in sweep], lw=3, color="black",
        label=T("the lecture's parameters"))
for k in range(5):
    random_layers = [(rng.normal(0, 2, (2, 2)), rng.normal(0, 1, 2)) for _ in range(3)]
    ax.plot(sweep, [network(np.array([t, -1.0]), random_layers)[0] for t in sweep],
            label=T("random parameters #{number}").format(number=k + 1))
ax.set_xlabel(T("first input x₁ (x₂ = −1)"))
ax.set_ylabel(T("first output"))
ax.set_title(T("One structure, many functions"))
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1, 0.5))
plt.show()

# %% [markdown]
# ## In memograd's `nn`
#
# `nn.Neuron`, `nn.Layer` and `nn.MLP` build exactly these graphs. Copying the course's
# parameters into an `nn.Layer` of two sigmoid neurons gives the same `a`:

# %%
layer = nn.Layer(2, 2, activation="sigmoid")
for neuron, w_row, b_i in zip(layer.neurons, [[1.0, -2.0], [-1.0, 1.0]], [1.0, 0.0]):
    neuron.w[0].data, neuron.w[1].data = w_row
    neuron.b.data = b_i
out = layer([1.0, -1.0])
print([round(o.data, 2) for o in out])
assert [round(o.data, 2) for o in out] == [0.98, 0.12]
