# Lesson 6 of the memograd course notebooks: build with `python notebooks/build.py 06`.

# %% [markdown]
# # 6. Training tricks
#
# Why a network with one wide hidden layer can fit a curve, and the knobs of the training
# loop: the optimizer, learning-rate schedules, gradient clipping. All on one small
# problem: fit `y = sin(2x) + 0.3x` on [−2, 2] from 40 points.
#
# Every run here trains with `nn.fit(..., compiled=True)` (the graph of one sample is
# recorded once and replayed for the whole batch with NumPy) and without a progress bar,
# because there are many short runs.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
from lesson_text import T  # T("..."): a plot's words in the notebook's language

import nn
from autograd import Value
from nn.activations import hard_sigmoid


def target(x):
    return math.sin(2 * x) + 0.3 * x


xs = np.linspace(-2, 2, 40)
data = nn.ListDataset([[x] for x in xs], [target(x) for x in xs])
grid = np.linspace(-2, 2, 201)

# %% [markdown]
# ## A hard sigmoid is two ReLUs
#
# `relu(z) = max(0, z)`. Add a second ReLU with a **negative** weight, shifted by 1:
# `relu(z) − relu(z − 1)` is 0 below 0, rises like z up to 1, then stays at 1: the
# "hard sigmoid" ramp (`nn.activations.hard_sigmoid`).

# %%
def curve(fn):
    return [fn(Value(z)).data for z in grid]


fig, ax = plt.subplots(figsize=(6, 3.2))
ax.plot(grid, curve(lambda z: z.relu()), "--", label="relu(z)")
ax.plot(grid, curve(lambda z: -(z - 1).relu()), "--", label="−relu(z − 1)")
ax.plot(grid, curve(hard_sigmoid), lw=3, color="black", label=T("sum: hard sigmoid"))
ax.set_xlabel("z")
ax.legend(fontsize=8)
plt.show()

ramp = dict(zip([-1.0, 0.0, 0.25, 0.5, 1.0, 2.0], [hard_sigmoid(Value(z)).data
                                                    for z in [-1.0, 0.0, 0.25, 0.5, 1.0, 2.0]]))
print(ramp)
assert ramp == {-1.0: 0.0, 0.0: 0.0, 0.25: 0.25, 0.5: 0.5, 1.0: 1.0, 2.0: 1.0}

# %% [markdown]
# ## Any piecewise-linear curve is a sum of ReLU pieces
#
# Pick knots k₀ < k₁ < … on the curve and join them with straight lines. Start from the
# value at k₀; at each knot the slope changes, and `relu(x − kᵢ)` switches on exactly
# there, so adding `(new slope − old slope)·relu(x − kᵢ)` bends the line at kᵢ:
#
# `y(x) = f(k₀) + Σᵢ (sᵢ − sᵢ₋₁) · relu(x − kᵢ)`
#
# That is **one hidden layer** of ReLU neurons (weight 1, bias −kᵢ) and a linear output
# neuron (weights sᵢ − sᵢ₋₁, bias f(k₀)). We set those weights by hand in an `nn.MLP`:

# %%
knots = np.linspace(-2, 2, 9)
values = np.array([target(k) for k in knots])
slopes = np.diff(values) / np.diff(knots)                  # slope on each piece
bends = np.diff(slopes, prepend=0.0)                       # change of slope at each knot

by_hand = nn.MLP(1, [len(slopes), 1], seed=0)
hidden, output = by_hand.layers
for neuron, k in zip(hidden.neurons, knots[:-1]):
    neuron.w[0].data, neuron.b.data = 1.0, -k
for w, bend in zip(output.neurons[0].w, bends):
    w.data = bend
output.neurons[0].b.data = values[0]

fig, ax = plt.subplots(figsize=(6, 3.2))
ax.plot(grid, [target(x) for x in grid], color="grey", lw=4, alpha=0.5, label="sin(2x) + 0.3x")
ax.plot(grid, [by_hand([x]).data for x in grid], color="black",
        label=T("{count} ReLU neurons, set by hand").format(count=len(slopes)))
ax.plot(knots, values, "o", color="black")
ax.legend(fontsize=8)
plt.show()
assert all(abs(by_hand([k]).data - v) < 1e-12 for k, v in zip(knots, values))

# %% [markdown]
# More knots, closer fit: a wide enough hidden layer can follow any continuous curve.
# Training finds such weights by itself. Three widths, same data, same optimizer:

# %%
def train(width, optimizer_fn, epochs=600, batch_size=None, scheduler_fn=None,
          clip_norm=None, seed=0):
    model = nn.MLP(1, [width, 1], seed=seed)
    optimizer = optimizer_fn(model.parameters())
    scheduler = scheduler_fn(optimizer) if scheduler_fn else None
    history = nn.fit(model, nn.mse, optimizer, data, epochs=epochs, batch_size=batch_size,
                     scheduler=scheduler, clip_norm=clip_norm, seed=seed, compiled=True,
                     progress=False)
    return model, history


fig, ax = plt.subplots(figsize=(6, 3.2))
ax.plot(grid, [target(x) for x in grid], color="grey", lw=4, alpha=0.5, label=T("target"))
fitted = {}
for width in (2, 8, 32):
    model, history = train(width, lambda p: nn.optim.Adam(p, lr=0.02))
    fitted[width] = history.train_loss[-1]
    ax.plot(grid, [model([x]).data for x in grid],
            label=T("{width} hidden ReLUs").format(width=width))
ax.legend(fontsize=8)
plt.show()
print({width: f"{loss:.5f}" for width, loss in fitted.items()}, "(training MSE)")
assert fitted[2] > 10 * fitted[8] and fitted[8] > 5 * fitted[32] and fitted[32] < 1e-3

# %% [markdown]
# ## Optimizers: plain SGD, momentum, Adam
#
# Same network (16 hidden ReLUs), same starting weights, same 300 full-batch updates:
#
# * **SGD**: `w ← w − η·g`;
# * **momentum**: a running velocity `v ← 0.9·v + g`, then `w ← w − η·v`; steps that
#   keep pointing the same way add up, zig-zags cancel;
# * **Adam**: momentum, divided by a running size of the gradient: every parameter gets
#   a step of about η whatever the scale of its gradient.

# %%
optimizers = {
    "SGD, η = 0.05": lambda p: nn.optim.SGD(p, lr=0.05),
    T("SGD + momentum 0.9, η = 0.05"): lambda p: nn.optim.SGD(p, lr=0.05, momentum=0.9),
    "Adam, η = 0.02": lambda p: nn.optim.Adam(p, lr=0.02),
}
curves = {name: train(16, fn, epochs=300)[1].train_loss for name, fn in optimizers.items()}

fig, ax = plt.subplots(figsize=(6, 3.5))
for name, losses in curves.items():
    ax.semilogy(range(1, len(losses) + 1), losses, label=name)
ax.set_xlabel(T("update (full batch)"))
ax.set_ylabel(T("training loss (MSE)"))
ax.legend(fontsize=8)
plt.show()
final = {name: losses[-1] for name, losses in curves.items()}
print({name: f"{loss:.5f}" for name, loss in final.items()})
sgd, momentum, adam = final.values()
assert momentum < sgd / 5 and adam < sgd / 2

# %% [markdown]
# ## Learning-rate schedules
#
# A large step size makes fast progress at first, then keeps jumping around the minimum,
# especially with small, noisy batches. A **schedule** changes η between epochs. These
# are the ones in `nn.optim` (`nn.fit` calls `scheduler.step()` after every epoch and
# records the η it used in `history.lr`):

# %%
def schedule(make, epochs=100):
    optimizer = nn.optim.SGD([Value(0.0)], lr=0.05)
    scheduler = make(optimizer)
    rates = []
    for _ in range(epochs):
        rates.append(optimizer.lr)
        scheduler.step()
    return rates


schedules = {
    "StepLR(30, ×0.3)": lambda o: nn.optim.StepLR(o, step_size=30, gamma=0.3),
    "ExponentialLR(×0.97)": lambda o: nn.optim.ExponentialLR(o, gamma=0.97),
    "CosineAnnealingLR(100)": lambda o: nn.optim.CosineAnnealingLR(o, T_max=100),
    T("LinearWarmup(10) then cosine"): lambda o: nn.optim.LinearWarmup(
        o, 10, then=nn.optim.CosineAnnealingLR(o, T_max=90)),
}
fig, ax = plt.subplots(figsize=(6, 3.2))
for name, make in schedules.items():
    ax.plot(schedule(make), label=name)
ax.set_xlabel(T("epoch"))
ax.set_ylabel(T("learning rate η"))
ax.legend(fontsize=8)
plt.show()
cosine = schedule(schedules["CosineAnnealingLR(100)"])
assert cosine[0] == 0.05 and abs(cosine[50] - 0.025) < 1e-12
assert schedule(schedules["StepLR(30, ×0.3)"])[30] == 0.05 * 0.3

# %% [markdown]
# Adam with η = 0.05 on batches of 4 (10 noisy updates per epoch), 100 epochs: a constant
# η against the same η decayed by a schedule.

# %%
runs = {name: train(16, lambda p: nn.optim.Adam(p, lr=0.05), epochs=100, batch_size=4,
                    scheduler_fn=make)
        for name, make in [(T("constant η"), None),
                           ("CosineAnnealingLR(100)", schedules["CosineAnnealingLR(100)"]),
                           ("StepLR(30, ×0.3)", schedules["StepLR(30, ×0.3)"])]}

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.5))
for name, (model, history) in runs.items():
    left.semilogy(history.train_loss, label=name)
    right.plot(grid, [model([x]).data for x in grid], label=name)
right.plot(grid, [target(x) for x in grid], color="grey", lw=4, alpha=0.5, label=T("target"))
left.set_xlabel(T("epoch"))
left.set_ylabel(T("training loss (epoch mean)"))
left.legend(fontsize=8)
right.legend(fontsize=8)
plt.show()
after = {name: nn.evaluate(model, data, nn.mse).loss for name, (model, _) in runs.items()}
last = {name: history.train_loss[-20:] for name, (_, history) in runs.items()}
for name in runs:
    print(f"{name:<24} final MSE {after[name]:.5f};  last 20 epochs between "
          f"{min(last[name]):.5f} and {max(last[name]):.5f}")
constant, cosine_loss, step_loss = after.values()
assert cosine_loss < constant and step_loss < constant
assert max(last[T("constant η")]) > 3 * min(last[T("constant η")])    # still bouncing
assert all(max(last[name]) < 1.5 * min(last[name]) for name in list(runs)[1:])   # settled

# %% [markdown]
# With a constant η the loss is still jumping around after 100 epochs (and where it stops
# is luck); with the step size decayed, the last epochs are calm and the fit is close.

# %% [markdown]
# ## Gradient clipping
#
# With too large a step, one update can land where the gradient is bigger still, the
# next step is bigger again, and the loss explodes within a few updates, until a number no
# longer fits in a float (memograd then stops with an `OverflowError` naming the operation,
# instead of going on with infinities).
# **Clipping** rescales the whole gradient whenever its length exceeds a limit
# (`nn.fit(..., clip_norm=1.0)`, or `nn.optim.clip_grad_norm_` in a hand-written loop):
# the direction is kept, the step can no longer explode.

# %%
def losses_until_overflow(clip_norm, updates=12):
    """Full-batch SGD with η = 1, one update at a time, until a number overflows."""
    model = nn.MLP(1, [16, 1], seed=0)
    optimizer = nn.optim.SGD(model.parameters(), lr=1.0)
    losses = []
    for _ in range(updates):
        try:
            history = nn.fit(model, nn.mse, optimizer, data, epochs=1, batch_size=None,
                             clip_norm=clip_norm, seed=0, progress=False)
        except OverflowError as error:
            return losses, error
        losses += history.train_loss
    return losses, None


exploding, overflow = losses_until_overflow(clip_norm=None)
clipped, _ = losses_until_overflow(clip_norm=1.0)

fig, ax = plt.subplots(figsize=(6, 3.2))
ax.semilogy(range(1, len(exploding) + 1), exploding, "o-", label=T("SGD η = 1, no clipping"))
ax.semilogy(range(1, len(clipped) + 1), clipped, "s-", label="SGD η = 1, clip_norm = 1")
ax.set_xlabel(T("update"))
ax.set_ylabel(T("training loss"))
ax.legend(fontsize=8)
plt.show()
print("no clipping:", [f"{x:.3g}" for x in exploding], "then", str(overflow)[:60], "...")
print("clipped:    ", [f"{x:.3g}" for x in clipped[:8]])
assert overflow is not None and len(exploding) < 12 and exploding[-1] > 1e10
assert max(clipped) <= clipped[0] and clipped[-1] < 1.0

# %% [markdown]
# Clipping does not make η = 1 a good step size (the clipped run still bounces); it keeps
# one bad step from destroying everything learnt so far. The other tricks the course
# names appear elsewhere: regularization `λ Σ w²` in lesson 4, counting parameters and
# saving and loading weights in lesson 5.
