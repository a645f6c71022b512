# Lesson 8 of the memograd course notebooks: build with `python notebooks/build.py 08`.
# The code cells are micrograd's demo.ipynb verbatim except the two import lines, so this
# file is excluded from ruff (it holds an IPython magic); the built .ipynb is linted.

# %% [markdown]
# # 8. micrograd's demo, ported
#
# [micrograd](https://github.com/karpathy/micrograd) is the tiny autograd engine memograd
# learns from. Its `demo.ipynb` trains a 2-layer network (MLP 2→16→16→1) to separate
# scikit-learn's two moons with a max-margin loss and plain SGD. Below is that notebook's
# code, **unchanged except for its two import lines**: `from micrograd.engine import Value`
# became `from autograd import Value` and `from micrograd.nn import Neuron, Layer, MLP`
# became `from nn import Neuron, Layer, MLP`. `nn.MLP(nin, nouts)` takes micrograd's
# arguments, draws its initial weights from the same `random` calls and lists its
# parameters in the same order, so the run starts from micrograd's weights.
#
# The one difference inside: a memograd neuron computes `w·x + b` as **one** `dot` node
# (the course's neuron), where micrograd chains 2·nin + 1 additions and multiplications.
#
# ### MicroGrad demo

# %%
import random
import numpy as np
import matplotlib.pyplot as plt
%matplotlib inline

# %%
from autograd import Value
from nn import Neuron, Layer, MLP

# %%
np.random.seed(1337)
random.seed(1337)

# %%
# make up a dataset

from sklearn.datasets import make_moons, make_blobs
X, y = make_moons(n_samples=100, noise=0.1)

y = y*2 - 1 # make y be -1 or 1
# visualize in 2D
plt.figure(figsize=(5,5))
plt.scatter(X[:,0], X[:,1], c=y, s=20, cmap='jet')

# %%
# initialize a model 
model = MLP(2, [16, 16, 1]) # 2-layer neural network
print(model)
print("number of parameters", len(model.parameters()))

# %%
# loss function
def loss(batch_size=None):
    
    # inline DataLoader :)
    if batch_size is None:
        Xb, yb = X, y
    else:
        ri = np.random.permutation(X.shape[0])[:batch_size]
        Xb, yb = X[ri], y[ri]
    inputs = [list(map(Value, xrow)) for xrow in Xb]
    
    # forward the model to get scores
    scores = list(map(model, inputs))
    
    # svm "max-margin" loss
    losses = [(1 + -yi*scorei).relu() for yi, scorei in zip(yb, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    # L2 regularization
    alpha = 1e-4
    reg_loss = alpha * sum((p*p for p in model.parameters()))
    total_loss = data_loss + reg_loss
    
    # also get accuracy
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
    return total_loss, sum(accuracy) / len(accuracy)

total_loss, acc = loss()
print(total_loss, acc)

# %%
# optimization
for k in range(100):
    
    # forward
    total_loss, acc = loss()
    
    # backward
    model.zero_grad()
    total_loss.backward()
    
    # update (sgd)
    learning_rate = 1.0 - 0.9*k/100
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    
    if k % 1 == 0:
        print(f"step {k} loss {total_loss.data}, accuracy {acc*100}%")

# %%
# visualize decision boundary

h = 0.25
x_min, x_max = X[:, 0].min() - 1, X[:, 0].max() + 1
y_min, y_max = X[:, 1].min() - 1, X[:, 1].max() + 1
xx, yy = np.meshgrid(np.arange(x_min, x_max, h),
                     np.arange(y_min, y_max, h))
Xmesh = np.c_[xx.ravel(), yy.ravel()]
inputs = [list(map(Value, xrow)) for xrow in Xmesh]
scores = list(map(model, inputs))
Z = np.array([s.data > 0 for s in scores])
Z = Z.reshape(xx.shape)

fig = plt.figure()
plt.contourf(xx, yy, Z, cmap=plt.cm.Spectral, alpha=0.8)
plt.scatter(X[:, 0], X[:, 1], c=y, s=40, cmap=plt.cm.Spectral)
plt.xlim(xx.min(), xx.max())
plt.ylim(yy.min(), yy.max())

# %% [markdown]
# ### What it reached
#
# The last step classifies every one of the 100 training points correctly, and the
# decision boundary (where the score changes sign) follows the two moons. The cell below
# is this port's addition: it checks those figures against micrograd 0.1.0 running the
# very same notebook (measured once; micrograd needs about two minutes for it). micrograd
# starts at loss 0.8958441028683222, first reaches 100% at step 40 and ends at
# 0.010978370135492719: memograd's run prints the same numbers, because a fresh `MLP`
# drawn after `random.seed(1337)` has micrograd's weights and both engines compute the same
# sums (in a different grouping, which here happens to change no digit).

# %%
scores = list(map(model, [list(map(Value, xrow)) for xrow in X]))
predicted = np.array([s.data > 0 for s in scores])
print(f"training accuracy {np.mean(predicted == (y > 0)):.0%}, "
      f"final loss {total_loss.data:.6f}, {len(model.parameters())} parameters")
assert acc == 1.0 and np.all(predicted == (y > 0))
assert len(model.parameters()) == 337
assert abs(total_loss.data - 0.010978370135492719) < 1e-12   # micrograd's own last loss
assert Z.any() and not Z.all()  # both classes have a region

trained = model
random.seed(1337)
model = MLP(2, [16, 16, 1])     # the demo's starting weights again
first_loss, _ = loss()
model = trained
print(f"first loss {float(first_loss.data)!r}")
assert abs(first_loss.data - 0.8958441028683222) < 1e-12
