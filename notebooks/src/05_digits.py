# Lesson 5 of the memograd course notebooks: build with `python notebooks/build.py 05`.

# %% [markdown]
# # 5. Handwritten digits
#
# The course's classification example: an image of a handwritten digit goes in, ten
# numbers come out, one probability per digit, and the prediction is the largest.
#
# **About the data.** The course's network reads a **16×16** image flattened into
# **256** inputs. We use the real handwritten digits that ship with scikit-learn
# (`load_digits`: 1,797 digits written by 43 people), which are **8×8** images, so our
# network has **64** inputs. Everything else is as in the course; only the input layer is
# smaller.

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from lesson_text import T  # T("..."): a plot's words in the notebook's language
from sklearn.metrics import ConfusionMatrixDisplay

import nn
from autograd import no_grad

data = nn.datasets.digits()          # 64 pixel values in [0, 1] and the digit 0-9
x0, y0 = data[0]
print(T("{samples} samples; each input has {numbers} numbers; the first is a {digit}").format(
    samples=len(data), numbers=len(x0), digit=y0))
assert len(data) == 1797 and len(x0) == 8 * 8

# %%
fig, axes = plt.subplots(1, 10, figsize=(10, 1.4))
for digit, ax in enumerate(axes):
    i = next(i for i in range(len(data)) if data[i][1] == digit)
    ax.imshow(np.reshape(data[i][0], (8, 8)), cmap="gray_r")
    ax.set_title(str(digit))
    ax.axis("off")
plt.show()

# %% [markdown]
# ## Dataset and DataLoader
#
# A **Dataset** is a list of samples you can index: `data[i]` is `(pixels, digit)`.
# We keep 20% of it aside, never trained on, to measure how well the network does on
# digits it has not seen. A **DataLoader** cuts a dataset into shuffled **batches**; one
# pass over all the batches is an **epoch**, one change of the parameters per batch an
# **update**.

# %%
train, test = nn.random_split(data, [0.8, 0.2], seed=0)
loader = nn.DataLoader(train, batch_size=32, shuffle=True, seed=0)
inputs, targets = next(iter(loader))
print(T("train {train}, test {test}; {batches} batches of up to 32 per epoch").format(
    train=len(train), test=len(test), batches=len(loader)))
print(T("one batch: {inputs} inputs of {numbers} numbers, targets {targets}...").format(
    inputs=len(inputs), numbers=len(inputs[0]), targets=targets[:8]))
assert len(train) + len(test) == 1797 and len(loader) == -(-len(train) // 32)

# %% [markdown]
# ## The network: 64 → 32 → 10
#
# A fully connected network with one hidden layer of 32 ReLU neurons and 10 output
# neurons. The structure defines the set of functions; training picks one. Counting its
# parameters: every neuron has one weight per input plus a bias.

# %%
model = nn.MLP(64, [32, 10], seed=0)
print(T("{count} parameters").format(count=model.num_parameters()))
assert model.num_parameters() == (64 + 1) * 32 + (32 + 1) * 10 == 2410

# %% [markdown]
# ## Softmax and cross-entropy
#
# The ten outputs (logits) become probabilities with **softmax**, `exp(zᵢ) / Σⱼ exp(zⱼ)`:
# positive, adding up to 1, the largest logit getting the largest share. The course's
# example:

# %%
probabilities = [p.data for p in nn.softmax([1, 2, 3, 4, 1, 2, 3])]
print([round(p, 3) for p in probabilities])
assert np.allclose(probabilities, [0.024, 0.064, 0.175, 0.475, 0.024, 0.064, 0.175], atol=5e-4)
assert abs(sum(probabilities) - 1) < 1e-12

# %% [markdown]
# The loss of one sample is the **cross-entropy** between that distribution `y` and the
# one-hot label `ŷ`: `−Σᵢ ŷᵢ log yᵢ = −log y_label`, small when the network gives the
# right digit a high probability. Before training the network's probabilities are
# arbitrary, and the loss is large (a network that gave every digit 1/10 would score
# −log 0.1 ≈ 2.3):

# %%
logits = model(x0)
p = nn.softmax(logits)
loss = nn.cross_entropy(logits, y0)
print(T("p(label {digit}) = {p:.3f}, cross-entropy = {loss:.3f} (−log 0.1 = {chance:.3f})")
      .format(digit=y0, p=p[y0].data, loss=loss.data, chance=-np.log(0.1)))
assert abs(loss.data + np.log(p[y0].data)) < 1e-12

# %% [markdown]
# ## Training
#
# `nn.fit` runs the course's training procedure: for every epoch, for every batch: zero
# the gradients, forward, loss (the batch mean), backward, update; then measure the
# held-out set. `compiled=True` records the graph of one sample once and replays it for a
# whole batch with NumPy, which gives the same gradients as the `Value` engine, much
# faster. SGD with momentum takes the steps, and a cosine schedule shrinks their size over
# the 20 epochs (both are lesson 6's subject).

# %%
optimizer = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
schedule = nn.optim.CosineAnnealingLR(optimizer, T_max=20)   # the step size shrinks to 0
history = nn.fit(model, nn.cross_entropy, optimizer, train, test, epochs=20, batch_size=32,
                 scheduler=schedule, seed=0, compiled=True)

# %%
history.plot()

# %% [markdown]
# ## How good is it?

# %%
result = nn.evaluate(model, test, nn.cross_entropy)
print(T("held-out accuracy: {accuracy:.1%} of {n} digits never trained on").format(
    accuracy=result.accuracy, n=result.n))
assert result.accuracy >= 0.95

# %%
with no_grad():
    predicted = [int(np.argmax([z.data for z in model(x)])) for x, _ in test]
actual = [y for _, y in test]
fig, ax = plt.subplots(figsize=(5, 5))
ConfusionMatrixDisplay.from_predictions(actual, predicted, ax=ax, colorbar=False)
ax.set_title(T("Held-out digits: actual (rows) vs predicted (columns)"))
ax.set_xlabel(T("predicted digit"))
ax.set_ylabel(T("actual digit"))
plt.show()
assert np.mean(np.array(predicted) == np.array(actual)) == result.accuracy

# %% [markdown]
# The mistakes, with what the network said:

# %%
wrong = [i for i, (p, a) in enumerate(zip(predicted, actual)) if p != a]
fig, axes = plt.subplots(1, min(len(wrong), 10), figsize=(10, 1.6), squeeze=False)
for ax, i in zip(axes[0], wrong):
    ax.imshow(np.reshape(test[i][0], (8, 8)), cmap="gray_r")
    ax.set_title(f"{actual[i]} → {predicted[i]}", fontsize=9)
    ax.axis("off")
plt.show()
print(T("{wrong} of {total} held-out digits wrong").format(wrong=len(wrong), total=len(test)))

# %% [markdown]
# ## Save the model, load it back
#
# `nn.save` writes the architecture and every weight to a JSON file; `nn.load` rebuilds
# the network from it. The loaded model makes exactly the same predictions.

# %%
with tempfile.TemporaryDirectory() as folder:
    path = nn.save(model, Path(folder) / "digits.json")
    print(f"{path.name}: {path.stat().st_size / 1024:.0f} KiB")
    loaded = nn.load(path)

with no_grad():
    again = [int(np.argmax([z.data for z in loaded(x)])) for x, _ in test]
print(T("loaded an {model} {sizes} with {count} parameters").format(
    model=type(loaded).__name__, sizes=loaded.sizes, count=loaded.num_parameters()))
assert again == predicted and loaded.state_dict() == model.state_dict()
