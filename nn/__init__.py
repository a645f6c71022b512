"""memograd's neural-network layer, built on ``autograd.Value``.

>>> from nn import MLP
>>> model = MLP(2, [16, 16, 1], seed=0)      # micrograd's demo network
>>> score = model([0.5, -1.0])                # one Value: z of the output neuron

With torch's names (``import nn`` where torch code has ``from torch import nn``):

>>> from nn import Linear, ReLU, Sequential
>>> model = Sequential(Linear(2, 16), ReLU(), Linear(16, 1))
>>> out = model([[0.5, -1.0], [1.0, 2.0]])    # a batch: one list of 1 Value per sample
"""

from . import activations, data, datasets, init, optim
from .activations import (
    HardSigmoid,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    hard_sigmoid,
    leaky_relu,
    linear,
    relu,
    sigmoid,
    tanh,
)
from .compiled import compiled_batch_step
from .containers import Sequential
from .data import DataLoader, Dataset, ListDataset, Subset, random_split
from .functional import log_softmax, logsumexp, softmax
from .history import History
from .init import manual_seed
from .io import load, save
from .layers import MLP, Layer, Neuron
from .linear_layer import Linear
from .losses import (
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    L1Loss,
    MSELoss,
    binary_cross_entropy,
    cross_entropy,
    hinge,
    l2_penalty,
    mse,
)
from .module import IncompatibleKeys, Module
from .torch_bridge import from_torch, to_torch
from .train import (
    BatchResult,
    Evaluation,
    TrainingDiverged,
    TrainingInterrupted,
    evaluate,
    fit,
    scalar_batch_step,
)

__all__ = [
    "MLP",
    "BCEWithLogitsLoss",
    "BatchResult",
    "CrossEntropyLoss",
    "DataLoader",
    "Dataset",
    "Evaluation",
    "HardSigmoid",
    "History",
    "Identity",
    "IncompatibleKeys",
    "L1Loss",
    "Layer",
    "LeakyReLU",
    "Linear",
    "ListDataset",
    "MSELoss",
    "Module",
    "Neuron",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Subset",
    "Tanh",
    "TrainingDiverged",
    "TrainingInterrupted",
    "activations",
    "binary_cross_entropy",
    "compiled_batch_step",
    "cross_entropy",
    "data",
    "datasets",
    "evaluate",
    "fit",
    "from_torch",
    "functional",
    "hard_sigmoid",
    "hinge",
    "init",
    "l2_penalty",
    "leaky_relu",
    "linear",
    "load",
    "log_softmax",
    "logsumexp",
    "manual_seed",
    "mse",
    "optim",
    "random_split",
    "relu",
    "save",
    "scalar_batch_step",
    "sigmoid",
    "softmax",
    "tanh",
    "to_torch",
]
