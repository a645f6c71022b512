"""micrograd's demo.ipynb, the reference that lesson 8 and the nn compatibility test follow."""

# The code cells of micrograd's demo.ipynb (github.com/karpathy/micrograd), as written there.
MICROGRAD_DEMO_CELLS = [
    "import random\nimport numpy as np\nimport matplotlib.pyplot as plt\n%matplotlib inline",
    "from micrograd.engine import Value\nfrom micrograd.nn import Neuron, Layer, MLP",
    "np.random.seed(1337)\nrandom.seed(1337)",
    "# make up a dataset\n\nfrom sklearn.datasets import make_moons, make_blobs\n"
    "X, y = make_moons(n_samples=100, noise=0.1)\n\ny = y*2 - 1 # make y be -1 or 1\n"
    "# visualize in 2D\nplt.figure(figsize=(5,5))\n"
    "plt.scatter(X[:,0], X[:,1], c=y, s=20, cmap='jet')",
    "# initialize a model \nmodel = MLP(2, [16, 16, 1]) # 2-layer neural network\n"
    "print(model)\nprint(\"number of parameters\", len(model.parameters()))",
    "# loss function\ndef loss(batch_size=None):\n    \n    # inline DataLoader :)\n"
    "    if batch_size is None:\n        Xb, yb = X, y\n    else:\n"
    "        ri = np.random.permutation(X.shape[0])[:batch_size]\n"
    "        Xb, yb = X[ri], y[ri]\n    inputs = [list(map(Value, xrow)) for xrow in Xb]\n"
    "    \n    # forward the model to get scores\n    scores = list(map(model, inputs))\n"
    "    \n    # svm \"max-margin\" loss\n"
    "    losses = [(1 + -yi*scorei).relu() for yi, scorei in zip(yb, scores)]\n"
    "    data_loss = sum(losses) * (1.0 / len(losses))\n    # L2 regularization\n"
    "    alpha = 1e-4\n    reg_loss = alpha * sum((p*p for p in model.parameters()))\n"
    "    total_loss = data_loss + reg_loss\n    \n    # also get accuracy\n"
    "    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]\n"
    "    return total_loss, sum(accuracy) / len(accuracy)\n\n"
    "total_loss, acc = loss()\nprint(total_loss, acc)",
    "# optimization\nfor k in range(100):\n    \n    # forward\n"
    "    total_loss, acc = loss()\n    \n    # backward\n    model.zero_grad()\n"
    "    total_loss.backward()\n    \n    # update (sgd)\n"
    "    learning_rate = 1.0 - 0.9*k/100\n    for p in model.parameters():\n"
    "        p.data -= learning_rate * p.grad\n    \n    if k % 1 == 0:\n"
    "        print(f\"step {k} loss {total_loss.data}, accuracy {acc*100}%\")",
    "# visualize decision boundary\n\nh = 0.25\n"
    "x_min, x_max = X[:, 0].min() - 1, X[:, 0].max() + 1\n"
    "y_min, y_max = X[:, 1].min() - 1, X[:, 1].max() + 1\n"
    "xx, yy = np.meshgrid(np.arange(x_min, x_max, h),\n"
    "                     np.arange(y_min, y_max, h))\n"
    "Xmesh = np.c_[xx.ravel(), yy.ravel()]\n"
    "inputs = [list(map(Value, xrow)) for xrow in Xmesh]\n"
    "scores = list(map(model, inputs))\nZ = np.array([s.data > 0 for s in scores])\n"
    "Z = Z.reshape(xx.shape)\n\nfig = plt.figure()\n"
    "plt.contourf(xx, yy, Z, cmap=plt.cm.Spectral, alpha=0.8)\n"
    "plt.scatter(X[:, 0], X[:, 1], c=y, s=40, cmap=plt.cm.Spectral)\n"
    "plt.xlim(xx.min(), xx.max())\nplt.ylim(yy.min(), yy.max())",
]

MICROGRAD_IMPORTS = MICROGRAD_DEMO_CELLS[1]
PORTED_IMPORTS = "from autograd import Value\nfrom nn import Neuron, Layer, MLP"


def demo_script(imports: str = MICROGRAD_IMPORTS) -> str:
    """The demo as one script with ``imports`` as its import cell and no IPython magics."""
    cells = [imports if c == MICROGRAD_IMPORTS else c for c in MICROGRAD_DEMO_CELLS]
    return "\n".join(line for c in cells for line in c.splitlines() if not line.startswith("%"))
