"""Datasets and batches: `Dataset`, `ListDataset`, `Subset`, `DataLoader`, `random_split`.

A dataset is anything indexable with a length whose items are ``(input, target)``
pairs; a ``DataLoader`` cuts it into batches ``(inputs, targets)``, shuffled
with its own seeded generator, so a fixed seed gives the same batches every run.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Iterator, Sequence
from typing import Any


class Dataset:
    """Indexable samples: subclasses define ``__len__`` and ``__getitem__(i) -> (x, y)``."""

    def __len__(self) -> int:
        raise NotImplementedError

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        for i in range(len(self)):
            yield self[i]


def _plain(x: Any) -> Any:
    """NumPy rows and scalars as Python lists and numbers (the engine's fast path)."""
    tolist = getattr(x, "tolist", None)
    if tolist is not None:
        return tolist()
    if isinstance(x, tuple):
        return list(x)
    return x


class ListDataset(Dataset):
    """Samples held in two equal-length sequences (lists or NumPy arrays).

    >>> ds = ListDataset([[0.0, 1.0], [1.0, 0.0]], [1, 0]); len(ds), ds[1]
    (2, ([1.0, 0.0], 0))
    """

    def __init__(self, inputs: Sequence[Any], targets: Sequence[Any]) -> None:
        inputs, targets = _plain(inputs), _plain(targets)
        if len(inputs) != len(targets):
            raise ValueError(f"ListDataset: {len(inputs)} inputs but {len(targets)} targets")
        self.inputs = [_plain(x) for x in inputs]
        self.targets = [_plain(y) for y in targets]

    def __len__(self) -> int:
        return len(self.inputs)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        return self.inputs[index], self.targets[index]

    def __repr__(self) -> str:
        return f"ListDataset({len(self)} samples)"


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = list(indices)

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        return self.dataset[self.indices[index]]


def as_dataset(data: Any) -> Dataset:
    """A Dataset as is; an ``(inputs, targets)`` pair as a ListDataset."""
    if isinstance(data, Dataset):
        return data
    if isinstance(data, tuple) and len(data) == 2:
        return ListDataset(*data)
    if hasattr(data, "__len__") and hasattr(data, "__getitem__"):
        return data
    raise TypeError(f"expected a Dataset or an (inputs, targets) pair, got {type(data).__name__}")


class DataLoader:
    """Batches of ``batch_size`` samples as ``(inputs, targets)`` lists.

    With ``shuffle`` each pass draws a new order from a ``random.Random(seed)``
    made once, so two loaders with the same seed give the same batches, epoch
    after epoch (``seed=None``: a different order every run). ``drop_last`` leaves
    out a final short batch.
    """

    def __init__(self, dataset: Any, batch_size: int = 1, shuffle: bool = False,
                 seed: int | None = 0, drop_last: bool = False) -> None:
        # int is listed for mypy, which does not know that an int is a numbers.Integral
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, numbers.Integral)) \
                or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be an int >= 1, got {batch_size!r}")
        self.dataset = as_dataset(dataset)
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = seed
        self._rng = random.Random(seed)

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[tuple[list, list]]:
        order = list(range(len(self.dataset)))
        if self.shuffle:
            self._rng.shuffle(order)
        size = self.batch_size
        for start in range(0, len(order), size):
            chunk = order[start:start + size]
            if self.drop_last and len(chunk) < size:
                return
            samples = [self.dataset[i] for i in chunk]
            yield [x for x, _ in samples], [y for _, y in samples]


def random_split(dataset: Any, lengths: Sequence[int | float],
                 seed: int | None = 0) -> list[Subset]:
    """Split into non-overlapping random subsets of the given sizes (counts that add up
    to ``len(dataset)``, or fractions that add up to 1), seeded.

    >>> train, val = random_split(ListDataset(list(range(10)), [0] * 10), [0.8, 0.2])
    >>> len(train), len(val)
    (8, 2)
    """
    dataset = as_dataset(dataset)
    n = len(dataset)
    sizes = list(lengths)
    if not sizes:
        raise ValueError("random_split: lengths is empty")
    for x in sizes:
        if isinstance(x, bool) or not isinstance(x, numbers.Real) or x < 0:
            raise ValueError(f"random_split: lengths must be counts or fractions >= 0, got {x!r}")
    if all(isinstance(x, numbers.Integral) for x in sizes):
        counts = [int(x) for x in sizes]
        if sum(counts) != n:
            raise ValueError(f"random_split: lengths add up to {sum(counts)}, "
                             f"but the dataset has {n} samples")
    else:
        if not math.isclose(math.fsum(sizes), 1.0, abs_tol=1e-9):
            raise ValueError(f"random_split: fractions add up to {math.fsum(sizes)}, not 1")
        counts = [math.floor(n * f) for f in sizes]
        for i in range(n - sum(counts)):  # hand out the remainder one by one, as PyTorch does
            counts[i % len(counts)] += 1
    order = list(range(n))
    random.Random(seed).shuffle(order)
    subsets, start = [], 0
    for c in counts:
        subsets.append(Subset(dataset, order[start:start + c]))
        start += c
    return subsets
