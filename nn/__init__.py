"""memograd's neural-network layer, built on ``autograd.Value``.

>>> from nn import MLP
>>> model = MLP(2, [16, 16, 1], seed=0)      # micrograd's demo network
>>> score = model([0.5, -1.0])                # one Value: z of the output neuron
"""

from . import activations, data, datasets, init, optim
from .activations import hard_sigmoid, leaky_relu, linear, relu, sigmoid, tanh
from .compiled import compiled_batch_step
from .data import DataLoader, Dataset, ListDataset, Subset, random_split
from .functional import log_softmax, logsumexp, softmax
from .history import History
from .io import load, save
from .layers import MLP, Layer, Neuron
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
from .module import Module
from .torch_bridge import from_torch, to_torch
from .train import BatchResult, Evaluation, evaluate, fit, scalar_batch_step

__all__ = [
    "MLP",
    "BCEWithLogitsLoss",
    "BatchResult",
    "CrossEntropyLoss",
    "DataLoader",
    "Dataset",
    "Evaluation",
    "History",
    "L1Loss",
    "Layer",
    "ListDataset",
    "MSELoss",
    "Module",
    "Neuron",
    "Subset",
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
