"""Training and testing: `fit` and `evaluate`.

The course's training procedure, in one call: for each epoch, for each batch,
``zero_grad``, forward, loss, backward, (clip,) ``step``; then validate and move
the learning-rate schedule on. ``fit`` reports the loss (and accuracy, for
classification) of each epoch in a tqdm progress bar and returns a ``History``.

A batch's work — forward every sample, average the losses, backward — lives in
one function that ``fit`` calls per batch: ``scalar_batch_step`` on the Value
engine, or the compiled replay of one recorded graph (``nn.compiled``), which
``fit`` uses when it can.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import autograd
from autograd import DomainError, Value, dot, no_grad

from .data import DataLoader, as_dataset
from .history import History
from .losses import binary_cross_entropy, cross_entropy, hinge
from .module import Module, is_bias
from .optim import LRScheduler, Optimizer, clip_grad_norm_

LossFn = Callable[[Any, Any], Value]
CLASSIFICATION_LOSSES = (cross_entropy, binary_cross_entropy, hinge)
"""With these losses ``fit`` and ``evaluate`` also measure accuracy by default."""


@dataclass
class BatchResult:
    """What one batch step returns: the batch's loss (the mean over its samples, plus
    the L2 penalty if any) and each sample's output as numbers (a float, or a
    list of floats for several outputs)."""

    loss: float
    outputs: list[Any]


def _numbers(out: Any) -> Any:
    if isinstance(out, Value):
        return out.data
    if isinstance(out, (list, tuple)):
        return [o.data if isinstance(o, Value) else float(o) for o in out]
    return float(out)


def scalar_batch_step(model: Module, loss_fn: LossFn,
                      l2: float = 0.0) -> Callable[[list, list], BatchResult]:
    """The function ``fit`` calls for every batch ``(inputs, targets)``: run each sample
    through ``model`` on the Value engine, average ``loss_fn`` over the batch, add
    ``l2 · Σ w²`` (biases excluded), and backpropagate, adding into every
    parameter's ``.grad``."""
    weights = [p for name, p in model.named_parameters() if not is_bias(name)] if l2 else []

    def step(inputs: list, targets: list) -> BatchResult:
        outputs = [model(x) for x in inputs]
        losses = [loss_fn(out, y) for out, y in zip(outputs, targets)]
        loss = autograd.sum(losses) / len(losses)
        if l2:
            loss = loss + l2 * dot(weights, weights)
        loss.backward()
        return BatchResult(loss.data, [_numbers(out) for out in outputs])

    return step


def _argmax(xs: Sequence[float]) -> int:
    return max(range(len(xs)), key=xs.__getitem__)


def is_correct(output: Any, target: Any, threshold: float = 0.0) -> bool:
    """Whether a prediction (as numbers) gets ``target`` right.

    Several outputs: the largest names the class, and the target is a class index
    or a one-hot list. One output: the prediction is positive when above
    ``threshold`` (0 for logits and micrograd's scores, 0.5 for probabilities), and
    so is the label (0/1 and -1/+1 labels both work with either threshold).
    """
    if isinstance(output, (list, tuple)):
        guess = _argmax(output)
        if isinstance(target, numbers.Integral):
            return guess == target
        return guess == _argmax([float(t) for t in target])
    return (output > threshold) == (float(target) > threshold)


def _measure_accuracy(accuracy: bool | None, loss_fn: LossFn | None) -> bool:
    if accuracy is not None:
        return bool(accuracy)
    return loss_fn is None or loss_fn in CLASSIFICATION_LOSSES


@dataclass
class Evaluation:
    """``evaluate``'s result: mean loss and accuracy (None when not measured), sample count."""

    loss: float | None
    accuracy: float | None
    n: int


def evaluate(model: Module, data: Any, loss_fn: LossFn | None = None, *,
             accuracy: bool | None = None, threshold: float = 0.0,
             batch_size: int = 256) -> Evaluation:
    """Mean ``loss_fn`` and accuracy of ``model`` on ``data`` (a Dataset, an
    ``(inputs, targets)`` pair or a DataLoader), without building graphs (under ``no_grad``).

    Accuracy is measured when ``accuracy`` is True, or when it is None and the loss
    is a classification loss or no loss is given.
    """
    loader = data if isinstance(data, DataLoader) else DataLoader(as_dataset(data), batch_size)
    if len(loader.dataset) == 0:
        raise ValueError("evaluate: the dataset is empty")
    want_accuracy = _measure_accuracy(accuracy, loss_fn)
    total, correct, n = 0.0, 0, 0
    with no_grad():
        for inputs, targets in loader:
            for x, y in zip(inputs, targets):
                out = model(x)
                if loss_fn is not None:
                    total += loss_fn(out, y).data
                if want_accuracy:
                    correct += is_correct(_numbers(out), y, threshold)
                n += 1
    return Evaluation(total / n if loss_fn is not None else None,
                      correct / n if want_accuracy else None, n)


CHECKED_SAMPLES = 32
"""How many samples, spread over the training set, ``fit`` replays and compares with
the scalar engine before it trains on the compiled replay."""


def _compiled_step_or_reason(model: Module, loss_fn: LossFn, l2: float, dataset: Any
                             ) -> tuple[Callable[[list, list], BatchResult] | None, str]:
    """For ``compiled=None``: the compiled batch step, if NumPy is installed, one
    sample's loss traces and the replay gives the scalar engine's losses on up to
    ``CHECKED_SAMPLES`` samples spread over ``dataset``; else None and the reason."""
    from .compiled import compiled_batch_step  # NumPy only when the step traces

    n = len(dataset)
    k = min(n, CHECKED_SAMPLES)
    samples = [dataset[i * n // k] for i in range(k)]  # spread: both ends of sorted data
    step = compiled_batch_step(model, loss_fn, l2)
    try:
        step.trace(*samples[0])
        reason = step.differs_from_scalar([x for x, _ in samples], [t for _, t in samples])
    except (ArithmeticError, DomainError):
        raise  # the numbers themselves are bad: the scalar engine would stop the same way
    except Exception as e:  # whatever else stops the replay, the scalar engine is the reference
        return None, f"{type(e).__name__}: {e}"
    return (step, "") if reason is None else (None, reason)


def _check(name: str, x: object, low: float, allow_none: bool = False,
           integer: bool = False) -> None:
    if x is None and allow_none:
        return
    kind = numbers.Integral if integer else numbers.Real
    # not x >= low, with the < that numbers.Real declares (x != x: x is NaN)
    if isinstance(x, bool) or not isinstance(x, kind) or x < low or x != x:
        raise ValueError(f"fit: {name} must be {'an int' if integer else 'a number'} >= {low}"
                         f"{' or None' if allow_none else ''}, got {x!r}")


def fit(model: Module, loss_fn: LossFn, optimizer: Optimizer, train_data: Any,
        val_data: Any = None, *, epochs: int = 10, batch_size: int | None = 32,
        scheduler: LRScheduler | None = None, clip_norm: float | None = None,
        l2: float = 0.0, shuffle: bool = True, seed: int | None = 0,
        accuracy: bool | None = None, threshold: float = 0.0,
        progress: bool = True, compiled: bool | None = None) -> History:
    """Train ``model`` for ``epochs`` passes over ``train_data`` and return a History.

    - ``loss_fn(output, target)`` is the loss of one sample; a batch's loss is its mean,
      plus ``l2 · Σ w²`` over the weights (biases excluded) when ``l2`` is set.
    - ``train_data`` and ``val_data``: a Dataset, an ``(inputs, targets)`` pair, or a
      DataLoader (then ``batch_size``, ``shuffle`` and ``seed`` are the loader's).
    - ``batch_size=None`` trains on the whole set at once; batches are shuffled with
      ``seed``, so the same seed (and model seed) gives the same result, bit for bit.
    - ``clip_norm`` clips the gradient norm of each batch (``clip_grad_norm_``);
      ``scheduler.step()`` runs after every epoch.
    - Accuracy is measured for ``cross_entropy``, ``binary_cross_entropy`` and ``hinge``
      (or when ``accuracy=True``); see ``is_correct`` for ``threshold``.
    - ``progress`` shows a tqdm bar with the loss and accuracy of each epoch.
    - ``compiled``: by default (None) ``fit`` records one sample's graph once and
      replays it over each whole batch with NumPy (``autograd.compile``, ``nn.compiled``):
      the scalar engine's results to about 1e-9, many times faster. It does so when
      NumPy is installed, the model and loss trace (no comparison on a value computed
      from the sample: ``autograd.compiled.TracingError``), and the replay gives the
      scalar engine's loss on up to 32 samples spread over the training set (code that
      reads ``.data`` or compares with ``==`` is recorded for one sample only);
      otherwise it trains on the scalar engine and warns once, saying why.
      ``compiled=False``: always the scalar engine, no tracing. ``compiled=True``: the
      replay or an error (``TracingError`` at the first batch).
    """
    if not isinstance(model, Module):
        raise TypeError(f"fit: model must be an nn.Module, got {type(model).__name__}")
    if not callable(loss_fn):
        raise TypeError(f"fit: loss_fn must be a function, got {type(loss_fn).__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"fit: optimizer must be an nn.optim optimizer, "
                        f"got {type(optimizer).__name__}")
    _check("epochs", epochs, 0, integer=True)
    _check("batch_size", batch_size, 1, allow_none=True, integer=True)
    _check("clip_norm", clip_norm, 0, allow_none=True)
    _check("l2", l2, 0)
    if isinstance(train_data, DataLoader):
        loader = train_data
    else:
        train = as_dataset(train_data)
        loader = DataLoader(train, batch_size or max(len(train), 1), shuffle=shuffle, seed=seed)
    if len(loader.dataset) == 0:
        raise ValueError("fit: the training set is empty")
    val = val_data if val_data is None or isinstance(val_data, DataLoader) \
        else as_dataset(val_data)
    want_accuracy = _measure_accuracy(accuracy, loss_fn)
    batch_step: Callable[[list, list], BatchResult] | None = None
    if compiled:
        from .compiled import compiled_batch_step  # imports NumPy on first use

        batch_step = compiled_batch_step(model, loss_fn, l2)
    elif compiled is None and epochs:  # the replay if it can, else say why (once)
        batch_step, reason = _compiled_step_or_reason(model, loss_fn, l2, loader.dataset)
        if batch_step is None:
            warnings.warn(f"fit: training on the scalar engine, not the compiled replay: "
                          f"{reason} (compiled=False chooses the scalar engine without this "
                          "warning)", stacklevel=2)
    if batch_step is None:
        batch_step = scalar_batch_step(model, loss_fn, l2)
    history = History()

    bar = _progress_bar(epochs, progress)
    try:
        for _ in range(epochs):
            history.lr.append(optimizer.lr)
            total, correct, n = 0.0, 0, 0
            for inputs, targets in loader:
                optimizer.zero_grad()
                result = batch_step(inputs, targets)
                if clip_norm is not None:
                    clip_grad_norm_(optimizer.params, clip_norm)
                optimizer.step()
                total += result.loss * len(inputs)
                n += len(inputs)
                if want_accuracy:
                    correct += sum(is_correct(out, y, threshold)
                                   for out, y in zip(result.outputs, targets))
            history.train_loss.append(total / n)
            if want_accuracy:
                history.train_accuracy.append(correct / n)
            if val is not None:
                ev = evaluate(model, val, loss_fn, accuracy=want_accuracy, threshold=threshold)
                assert ev.loss is not None  # evaluate measures the loss: loss_fn is given
                history.val_loss.append(ev.loss)
                if ev.accuracy is not None:
                    history.val_accuracy.append(ev.accuracy)
            if scheduler is not None:
                scheduler.step()
            if bar is not None:
                bar.set_postfix(_postfix(history), refresh=False)
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return history


def _progress_bar(epochs: int, progress: bool) -> Any:
    if not progress:
        return None
    try:
        from tqdm import tqdm
    except ImportError as e:
        raise ImportError("fit(progress=True) needs tqdm: pip install tqdm "
                          "(or pass progress=False)") from e
    return tqdm(total=epochs, desc="fit", unit="epoch")


def _postfix(h: History) -> dict[str, str]:
    shown = {"loss": f"{h.train_loss[-1]:.4f}"}
    if h.train_accuracy:
        shown["acc"] = f"{h.train_accuracy[-1]:.3f}"
    if h.val_loss:
        shown["val_loss"] = f"{h.val_loss[-1]:.4f}"
    if h.val_accuracy:
        shown["val_acc"] = f"{h.val_accuracy[-1]:.3f}"
    return shown
