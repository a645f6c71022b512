# Lesson 9 of the memograd course notebooks: build with `python notebooks/build.py 09`.

# %% [markdown]
# # 9. From PyTorch: the regression homework on memograd
#
# The course trains networks the PyTorch way: define the network, the loss and the
# optimizer with `torch.nn` and `torch.optim`, load the data with `Dataset` and
# `DataLoader`, train and validate epoch by epoch, keep the best weights, stop early.
# Its regression homework is written that way. memograd's `nn` has torch's names for all
# of it, so the homework runs here after changing only its imports, the lines only tensors
# need (making tensors, `.squeeze(1)`, moving to a device) and four functions memograd keeps
# in its own modules (`torch.optim.SGD` → `nn.optim.SGD`, `torch.no_grad` →
# `autograd.no_grad`, `torch.save` → `nn.save`, `torch.manual_seed` → `nn.manual_seed`).
# The README's "Coming from PyTorch" shows the two scripts line by line, and a test runs
# both and gets the same losses, epoch by epoch, to 1e-9.
#
# The data is the course's combat power: a creature's power after evolving, predicted from
# its power before (in hundreds). Forty creatures: thirty to train on, ten to validate.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display
from lesson_text import T  # T("..."): a plot's words in the notebook's language

import autograd
import nn
from autograd import draw, steps
from nn.data import DataLoader, Dataset

data = nn.datasets.combat_power(n=40, seed=0, scale=0.01)
x, y = data.inputs, data.targets
fig, ax = plt.subplots(figsize=(5, 3.5))
ax.scatter([v[0] for v in x[:30]], y[:30], label=T("training"))
ax.scatter([v[0] for v in x[30:]], y[30:], marker="x", label=T("validation"))
ax.set_xlabel(T("CP before evolving (hundreds)"))
ax.set_ylabel(T("CP after (hundreds)"))
ax.legend()
plt.show()

# %% [markdown]
# ## The homework script, ported
#
# This cell is the homework's code with the changes above and nothing else: a `Dataset`, a
# `Module` holding `nn.Sequential(nn.Linear(d, 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU(),
# nn.Linear(8, 1))`, and a `trainer` with `nn.MSELoss(reduction='mean')`, SGD with momentum
# 0.9, `model.train()`, `optimizer.zero_grad()`, `loss.backward()`, `optimizer.step()`,
# `loss.detach().item()`, then `model.eval()` under `no_grad`, saving the best state dict and
# stopping early when the validation loss has not improved for `early_stop` epochs.
#
# A batch is a list of samples, each a list of numbers; the model gives each sample a list
# of one `Value`, and the loss counts a one-element output and a number target as the same
# shape, which is why torch's `x.squeeze(1)` is not needed. Its imports are in the first
# cell: `import math`, `import autograd`, `import nn` and
# `from nn.data import DataLoader, Dataset`, where torch's script has `import torch`,
# `from torch import nn` and `from torch.utils.data import DataLoader, Dataset`.

# %%
class CombatPowerDataset(Dataset):
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __getitem__(self, idx):
        return self.x[idx], self.y[idx]

    def __len__(self):
        return len(self.x)


class My_Model(nn.Module):
    def __init__(self, input_dim):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(input_dim, 16),
            nn.ReLU(),
            nn.Linear(16, 8),
            nn.ReLU(),
            nn.Linear(8, 1),
        )

    def forward(self, x):
        x = self.layers(x)
        return x


def trainer(train_loader, valid_loader, model, config, device):
    criterion = nn.MSELoss(reduction='mean')
    optimizer = nn.optim.SGD(model.parameters(), lr=config['learning_rate'], momentum=0.9)
    best_loss, early_stop_count, history = math.inf, 0, []

    for epoch in range(config['n_epochs']):
        model.train()
        loss_record = []
        for x, y in train_loader:
            optimizer.zero_grad()
            pred = model(x)
            loss = criterion(pred, y)
            loss.backward()
            optimizer.step()
            loss_record.append(loss.detach().item())
        mean_train_loss = sum(loss_record) / len(loss_record)

        model.eval()
        loss_record = []
        for x, y in valid_loader:
            with autograd.no_grad():
                pred = model(x)
                loss = criterion(pred, y)
            loss_record.append(loss.item())
        mean_valid_loss = sum(loss_record) / len(loss_record)
        history.append((mean_train_loss, mean_valid_loss))
        print(f'Epoch [{epoch + 1}/{config["n_epochs"]}]: '
              f'Train loss: {mean_train_loss:.4f}, Valid loss: {mean_valid_loss:.4f}')

        if mean_valid_loss < best_loss:
            best_loss = mean_valid_loss
            nn.save(model.state_dict(), config['save_path'])  # the best model so far
            early_stop_count = 0
        else:
            early_stop_count += 1
        if early_stop_count >= config['early_stop']:
            print('Model is not improving, so we halt the training session.')
            break
    return history


def main(x_train, y_train, x_valid, y_valid, config):
    nn.manual_seed(config['seed'])
    device = 'cpu'
    train_loader = DataLoader(CombatPowerDataset(x_train, y_train),
                              batch_size=config['batch_size'], shuffle=True)
    valid_loader = DataLoader(CombatPowerDataset(x_valid, y_valid),
                              batch_size=config['batch_size'], shuffle=False)
    model = My_Model(input_dim=len(x_train[0])).to(device)
    return trainer(train_loader, valid_loader, model, config, device)

# %% [markdown]
# ## Training
#
# As in the README: the best epoch's weights are saved to `model.json` (a state dict in
# torch's layout, JSON) and loaded back into a fresh model at the end.

# %%
config = {'seed': 0, 'n_epochs': 100, 'batch_size': 8, 'learning_rate': 1e-3,
          'early_stop': 10, 'save_path': 'model.json'}
data = nn.datasets.combat_power(n=40, seed=0, scale=0.01)
x, y = data.inputs, data.targets
history = main(x[:30], y[:30], x[30:], y[30:], config)   # [(train loss, valid loss), ...]
model = My_Model(input_dim=1)
model.load_state_dict(nn.load('model.json'))              # the best epoch's weights

# %%
train_loss = [t for t, _ in history]
valid_loss = [v for _, v in history]
best_epoch = valid_loss.index(min(valid_loss)) + 1
epochs = range(1, len(history) + 1)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(epochs, train_loss, "o-", ms=3, label=T("training (mean over the epoch's batches)"))
ax.plot(epochs, valid_loss, "s-", ms=3, label=T("validation"))
ax.axvline(best_epoch, color="gray", ls="--", lw=1)
ax.annotate(T("best: epoch {epoch}, saved").format(epoch=best_epoch), (best_epoch, min(valid_loss)),
            textcoords="offset points", xytext=(-40, 40), fontsize=8,
            arrowprops={"arrowstyle": "->", "color": "gray"})
ax.set_yscale("log")
ax.set_xlabel(T("epoch"))
ax.set_ylabel(T("mean squared error (hundreds²)"))
ax.set_title(T("Stopped after {epochs} epochs: {patience} without improvement").format(
    epochs=len(history), patience=config["early_stop"]))
ax.legend(fontsize=8)
plt.show()

# %%
assert len(history) == best_epoch + config["early_stop"] < config["n_epochs"]  # stopped early
assert train_loss[-1] < 0.01 * train_loss[0]
assert model.state_dict() == nn.load("model.json")        # the best epoch's weights
print(f"best epoch {best_epoch}: validation loss {min(valid_loss):.4f}, "
      f"that is {100 * math.sqrt(min(valid_loss)):.0f} CP root mean squared")
assert 0.1 < min(valid_loss) < 0.25

# %% [markdown]
# ## What it learnt
#
# The model prints as torch prints it, and its state dict has torch's keys and shapes, so
# `torch_model.load_state_dict({k: torch.tensor(v) for k, v in model.state_dict().items()})`
# would load it into the same network written with torch (and `nn.to_torch(model)` builds
# that network). Its predictions against the data the creatures come from,
# `0.1 + 1.6 x + 0.1 x²` plus noise:

# %%
print(model)
print({key: np.shape(value) for key, value in model.state_dict().items()})
model.eval()
grid = np.linspace(0.1, 6.0, 100)
with autograd.no_grad():
    predicted = [out[0].data for out in model([[g] for g in grid])]
    valid_pred = [out[0].data for out in model(x[30:])]
fig, ax = plt.subplots(figsize=(5, 3.5))
ax.scatter([v[0] for v in x[:30]], y[:30], label=T("training"))
ax.scatter([v[0] for v in x[30:]], y[30:], marker="x", label=T("validation"))
ax.plot(grid, 0.1 + 1.6 * grid + 0.1 * grid**2, color="gray", ls="--",
        label=T("the rule, no noise"))
ax.plot(grid, predicted, color="C3", label=T("the model"))
ax.set_xlabel(T("CP before evolving (hundreds)"))
ax.set_ylabel(T("CP after (hundreds)"))
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# One detail of the homework's loop: its validation loss is the mean of the batches' means.
# With batches of 8, the ten validation creatures come as 8 and 2, so the last two weigh
# as much as the first eight; the mean over the creatures is a little different.

# %%
squared = [(p - t) ** 2 for p, t in zip(valid_pred, y[30:])]
batch_means = [sum(squared[:8]) / 8, sum(squared[8:]) / 2]
assert abs(sum(batch_means) / 2 - min(valid_loss)) < 1e-12   # what the loop computed
rms = 100 * math.sqrt(sum(squared) / len(squared))
print(f"validation error over the creatures: {rms:.0f} CP root mean squared "
      f"(the noise is 30 CP)")
assert 30 < rms < 45
truth = 0.1 + 1.6 * grid + 0.1 * grid**2
middle = (grid >= 1) & (grid <= 5)             # where most creatures are
assert np.max(np.abs(np.array(predicted) - truth)[middle]) < 0.4   # within 40 CP of the rule

# %% [markdown]
# ## One sample's graph
#
# Calling the model on one creature builds that sample's graph: one `dot` node per neuron
# (`z = w·x + b`), a ReLU after each hidden one, then the squared error. Every parameter is
# labelled with where it lives, per neuron: `layers.2.neurons.3.w.1` is
# `model.layers[2].weight[3][1]`. With 229 values the drawing collapses each neuron into one
# box (`draw(loss, max_nodes=300)` would draw them all): the 16 neurons of `layers.0`, their
# ReLUs (`layers.1`), the 8 neurons of `layers.2`, their ReLUs, the output neuron, then the
# squared error against the target.

# %%
criterion = nn.MSELoss(reduction='mean')
sample, target = x[30], y[30]
model.zero_grad()
loss = criterion(model(sample), target)
loss.label = "loss"
print(f"CP before {100 * sample[0]:.0f}: predicted {100 * model(sample)[0].data:.0f}, "
      f"actual {100 * target:.0f}")
display(draw(loss, show_grad=False, legend=False))  # the forward pass: no gradients yet

# %% [markdown]
# ## Stepping it
#
# `autograd.steps(loss)` runs the backward pass one memo entry at a time, from the loss
# back through the output neuron, the second hidden layer, then the first: each step adds
# the local derivative times ∂C/∂(user) over every node that uses this one. The first
# steps:

# %%
walk = list(steps(loss))
for step in walk[:8]:
    print(f"{step.index + 1:3d}. {step}")
print(f"... {len(walk)} steps in all")

# %% [markdown]
# The steps left every parameter's `.grad` exactly as `loss.backward()` does; a ReLU that
# was off for this creature passes nothing back, so its neuron's weights get 0.

# %%
stepped = {name: p.grad for name, p in model.named_parameters()}
model.zero_grad()
loss.backward()
assert stepped == {name: p.grad for name, p in model.named_parameters()}
# one step per node but the target, a number (a Constant): it gets no memo entry. The
# input is no node at all: a dot node keeps the numbers it multiplies the weights by.
nodes = autograd.topological_order(loss)
assert len(nodes) == 229 and len(walk) == 228
assert len(walk) == sum(not isinstance(n, autograd.Constant) for n in nodes)
by_label = {step.node.label: step for step in walk}
w = model.layers[4].weight[0]
assert by_label["layers.4.neurons.0.w.1"].grad == w[1].grad
off = [j for j in range(8) if by_label[f"layers.3.a.{j}"].node.data == 0.0]
print(f"second hidden layer: ReLUs off for this creature: {off}")
assert off and all(model.layers[2].weight[j][i].grad == 0.0 for j in off for i in range(16))

# %% [markdown]
# ## Every step drawn
#
# 228 steps are too many to draw one by one, so here is the same architecture narrowed to
# 2 and 2 hidden neurons, on the same creature. `autograd.walkthrough(loss)` shows its
# backward pass step by step (Next/Previous, the slider or the arrow keys): the node being
# finished, its memo entry and the terms that make it. The boxes are the neurons, named by
# their place in the Sequential (`2.neurons.1` is `narrow[2]`'s second neuron).

# %%
nn.manual_seed(0)
narrow = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
narrow_loss = criterion(narrow(sample), target)
narrow_loss.label = "loss"
page = autograd.walkthrough(narrow_loss, title=T("One sample through 1 → 2 → 2 → 1"))
assert page.steps == len(list(steps(narrow_loss)))
display(page)
