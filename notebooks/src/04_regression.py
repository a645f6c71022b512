# Lesson 4 of the memograd course notebooks: build with `python notebooks/build.py 04`.

# %% [markdown]
# # 4. Regression, overfitting and regularization
#
# The course's first example of machine learning: predict a creature's combat power (CP)
# **after** it evolves from its power **before**. Machine learning in three steps:
#
# 1. a function with unknown parameters (the model), e.g. `y = w·x + b`;
# 2. a loss that says how bad a choice of parameters is: the mean squared error on the
#    training data;
# 3. optimization: gradient descent on the loss.
#
# `nn.datasets.combat_power` generates such data: ten training creatures, as in the course,
# and ten more to test on. CP is measured in hundreds so that one step size suits every
# parameter.

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown
from lesson_text import T  # T("..."): a plot's words in the notebook's language

import nn
from autograd import Value, dot
from autograd import sum as vsum

train = nn.datasets.combat_power(n=10, seed=13, scale=0.01)
test = nn.datasets.combat_power(n=10, seed=102, scale=0.01)
x_train = np.array([x[0] for x, _ in (train[i] for i in range(len(train)))])
y_train = np.array([y for _, y in (train[i] for i in range(len(train)))])
x_test = np.array([x[0] for x, _ in (test[i] for i in range(len(test)))])
y_test = np.array([y for _, y in (test[i] for i in range(len(test)))])

fig, ax = plt.subplots(figsize=(5, 3.5))
ax.scatter(x_train, y_train, label=T("training creatures"))
ax.scatter(x_test, y_test, marker="x", label=T("test creatures"))
ax.set_xlabel(T("CP before evolving (hundreds)"))
ax.set_ylabel(T("CP after (hundreds)"))
ax.legend()
plt.show()

# %% [markdown]
# ## `y = w·x + b` by gradient descent
#
# The loss `L(w, b) = mean over the training set of (ŷ − (w·x + b))²` is built from
# `Value`s, `backward()` gives ∂L/∂w and ∂L/∂b, and each **update** moves both parameters
# a step against their gradient. We keep every (w, b) on the way.

# %%
w, b = Value(-1.0, "w"), Value(8.0, "b")
optimizer = nn.optim.SGD([w, b], lr=0.08)
path = [(w.data, b.data)]
for update in range(400):
    optimizer.zero_grad()
    loss = vsum((y - (w * x + b)) ** 2 for x, y in zip(x_train, y_train)) / len(x_train)
    loss.backward()
    optimizer.step()
    path.append((w.data, b.data))
    if update in (0, 9, 99, 399):
        print(f"update {update + 1:3d}: L = {loss.data:.4f}  w = {w.data:.4f}  b = {b.data:.4f}")

w_best, b_best = np.polyfit(x_train, y_train, 1)          # the exact least-squares line
print(f"least squares:  w = {w_best:.4f}  b = {b_best:.4f}")

# %%
assert abs(w.data - w_best) < 1e-3 and abs(b.data - b_best) < 1e-3

# %% [markdown]
# ## The loss surface
#
# Every point of the (w, b) plane is one function of the model's set; its colour is the
# loss of that function on the training data. Gradient descent walks downhill from the
# start (circle) to the minimum (star). The valley is long and narrow because the loss is
# far more sensitive to `w` (multiplied by inputs up to 5) than to `b`: the first steps
# cross the valley, then the walk follows its floor.

# %%
ws = np.linspace(-1.5, 4.5, 151)
bs = np.linspace(-6, 10, 151)
W, B = np.meshgrid(ws, bs)
L = ((y_train[None, None, :] - (W[..., None] * x_train + B[..., None])) ** 2).mean(axis=-1)

fig, ax = plt.subplots(figsize=(6, 4.5))
filled = ax.contourf(W, B, np.log10(L), levels=30, cmap="viridis")
fig.colorbar(filled, ax=ax, label="log10 L(w, b)")
ax.contour(W, B, np.log10(L), levels=10, colors="white", linewidths=0.4, alpha=0.6)
pw, pb = np.array(path).T
ax.plot(pw, pb, "-", color="orange", lw=1.5, label=T("gradient descent"))
ax.plot(pw[:40], pb[:40], ".", color="orange", ms=4)
ax.plot(pw[0], pb[0], "o", color="white", ms=8, mec="black", label=T("start"))
ax.plot(w_best, b_best, "*", color="red", ms=14, mec="black", label=T("minimum"))
ax.set_xlabel("w")
ax.set_ylabel("b")
ax.set_title(T("Loss over (w, b) and the path of 400 updates"))
ax.legend(loc="upper right", fontsize=8)
plt.show()

# %% [markdown]
# ## More complex models: polynomials of degree 1 to 5
#
# `y = b + w₁x + w₂x² + … + w_d·x^d` is a bigger set of functions for every extra degree:
# each set contains the previous one (set the new weight to 0). As an `nn.Module` the
# model is a few lines; the powers of x are taken after centring and scaling x (with the
# training set's mean and spread), which keeps one learning rate good for every weight.
# `nn.fit` runs the training loop (here the whole training set is one batch, and Adam,
# from lesson 6, takes the steps).

# %%
mean, spread = x_train.mean(), x_train.std()


class Polynomial(nn.Module):
    def __init__(self, degree):
        self.w = [Value(0.0) for _ in range(degree)]
        self.b = Value(0.0)

    def forward(self, x):
        z = (x[0] - mean) / spread
        return dot(self.w, [z ** (k + 1) for k in range(len(self.w))]) + self.b


def train_polynomial(degree, l2=0.0):
    model = Polynomial(degree)
    optimizer = nn.optim.Adam(model.parameters(), lr=0.5)
    nn.fit(model, nn.mse, optimizer, train, epochs=2000, batch_size=None, l2=l2,
           progress=False)
    return model


def rms_error(model, data):
    """Root mean squared error in CP (the data is in hundreds)."""
    return 100 * nn.evaluate(model, data, nn.mse).loss ** 0.5


def predict(model, xs):
    return np.array([model([x]).data for x in xs])


models = {degree: train_polynomial(degree) for degree in range(1, 6)}
rows = [T("| degree | parameters | training error (CP) | test error (CP) |"),
        "|---:|---:|---:|---:|"]
for degree, model in models.items():
    rows.append(f"| {degree} | {model.num_parameters()} | {rms_error(model, train):.1f} | "
                f"{rms_error(model, test):.1f} |")
Markdown("\n".join(rows))

# %%
grid = np.linspace(0, 5.6, 200)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
left.scatter(x_train, y_train, color="black", zorder=3, label=T("training"))
left.scatter(x_test, y_test, color="black", marker="x", zorder=3, label=T("test"))
for degree, model in models.items():
    left.plot(grid, predict(model, grid), label=T("degree {degree}").format(degree=degree))
left.set_ylim(-2, 16)
left.set_xlabel(T("CP before (hundreds)"))
left.set_ylabel(T("CP after (hundreds)"))
left.legend(fontsize=8)
degrees = list(models)
right.plot(degrees, [rms_error(models[d], train) for d in degrees], "o-", label=T("training"))
right.plot(degrees, [rms_error(models[d], test) for d in degrees], "s-", label=T("test"))
right.set_xticks(degrees)
right.set_xlabel(T("degree"))
right.set_ylabel(T("root mean squared error (CP)"))
right.set_title(T("Training error falls, test error rises: overfitting"))
right.legend()
plt.show()

# %% [markdown]
# Gradient descent really reached the best polynomial of each degree: its training error
# equals the exact least-squares solution's (computed directly with NumPy).

# %%
def exact_mse(degree, l2=0.0):
    """Least squares + l2·Σw² (bias excluded) on the same features, solved exactly."""
    z = (x_train - mean) / spread
    features = np.stack([z ** (k + 1) for k in range(degree)] + [np.ones_like(z)], axis=1)
    penalty = l2 * np.diag([1.0] * degree + [0.0])
    theta = np.linalg.solve(features.T @ features / len(z) + penalty,
                            features.T @ y_train / len(z))
    return np.mean((features @ theta - y_train) ** 2)


train_err = [rms_error(models[d], train) for d in degrees]
test_err = [rms_error(models[d], test) for d in degrees]
for d in degrees:
    assert abs(nn.evaluate(models[d], train, nn.mse).loss - exact_mse(d)) < 1e-7
assert (np.diff(train_err) < 0).all()                             # training error falls
assert min(test_err) == test_err[1] and test_err[4] > 1.5 * test_err[1]   # degree 2 is best

# %% [markdown]
# The degree-5 curve passes closer to every training creature, and further from the new
# ones: it has learnt the noise. The bigger set contains better functions for the training
# data; it also contains many bad ones, and with ten points gradient descent cannot tell
# them apart.
#
# ## Regularization: `λ Σ w²`
#
# Add `λ Σ w²` to the loss (`nn.fit(..., l2=λ)`): large weights now cost something, so the
# optimizer prefers smoother functions, whose output changes little when the input
# changes a little. The bias is left out of the sum: it shifts the curve up or down and
# has nothing to do with smoothness. Degree 5, several λ:

# %%
lambdas = [0.0, 0.001, 0.01, 0.1]
regularized = {lam: models[5] if lam == 0 else train_polynomial(5, l2=lam) for lam in lambdas}
rows = [T("| λ | Σ w² | training error (CP) | test error (CP) |"), "|---:|---:|---:|---:|"]
for lam, model in regularized.items():
    size = sum(wk.data ** 2 for wk in model.w)
    rows.append(f"| {lam:g} | {size:.3f} | {rms_error(model, train):.1f} | "
                f"{rms_error(model, test):.1f} |")
Markdown("\n".join(rows))

# %%
fig, ax = plt.subplots(figsize=(6, 4))
ax.scatter(x_train, y_train, color="black", zorder=3, label=T("training"))
ax.scatter(x_test, y_test, color="black", marker="x", zorder=3, label=T("test"))
for lam, model in regularized.items():
    ax.plot(grid, predict(model, grid), label=f"λ = {lam:g}")
ax.set_ylim(-2, 16)
ax.set_xlabel(T("CP before (hundreds)"))
ax.set_ylabel(T("CP after (hundreds)"))
ax.set_title(T("Degree 5: larger λ, smoother function"))
ax.legend(fontsize=8)
plt.show()

# %%
sizes = [sum(wk.data ** 2 for wk in regularized[lam].w) for lam in lambdas]
reg_train = [rms_error(regularized[lam], train) for lam in lambdas]
reg_test = [rms_error(regularized[lam], test) for lam in lambdas]
for lam in lambdas:
    assert abs(nn.evaluate(regularized[lam], train, nn.mse).loss - exact_mse(5, lam)) < 1e-7
assert (np.diff(sizes) < 0).all()                                 # weights shrink with λ
assert (np.diff(reg_train) > 0).all()                             # training error grows
best = lambdas[int(np.argmin(reg_test))]
assert best == 0.01 and reg_test[2] < 0.6 * reg_test[0]           # a middle λ is best
print(f"best λ = {best}: test error {min(reg_test):.1f} CP, "
      f"against {reg_test[0]:.1f} CP without regularization")

# %% [markdown]
# Training error only grows with λ, but the test error first falls: a little smoothness
# helps. Too much (λ = 0.1 here), and the function is too stiff to follow the data. λ is
# a hyperparameter: choose it (and the degree) by the error on data the model was not
# trained on, never on the training error.
