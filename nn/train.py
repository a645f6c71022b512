"""Training and testing: `fit` and `evaluate`.

The course's training procedure, in one call: for each epoch, for each batch,
``zero_grad``, forward, loss, backward, (clip,) ``step``; then validate and move
the learning-rate schedule on. ``fit`` reports the loss (and accuracy, for
classification) of each epoch in a tqdm progress bar and returns a ``History``.

A batch's work — forward every sample, average the losses, backward — lives in
one function that ``fit`` calls per batch: ``scalar_batch_step`` on the Value
engine, or the compiled replay of one recorded graph (``nn.compiled``), which
``fit`` uses when it can.

Nothing goes wrong silently: a loss, gradient or weight that stops being a finite
number ends ``fit`` with ``TrainingDiverged`` before the bad update is applied, and
Ctrl-C ends it with ``TrainingInterrupted``; both carry the finished epochs'
``History``, and both leave the weights as they were after the last whole update.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import autograd
from autograd import DomainError, Value, dot, no_grad
from autograd.i18n import _

from .data import DataLoader, as_dataset
from .history import History
from .losses import binary_cross_entropy, cross_entropy, hinge
from .module import Module, is_bias
from .optim import LRScheduler, Optimizer, clip_grad_norm_

LossFn = Callable[[Any, Any], Value]
"""A loss: any callable ``loss(output, target)`` giving one sample's loss as a Value,
a function (``nn.mse``) or a loss module (``nn.MSELoss()``)."""
CLASSIFICATION_LOSSES = (cross_entropy, binary_cross_entropy, hinge)
"""With these losses ``fit`` and ``evaluate`` also measure accuracy by default."""
CLASSIFICATION_LOSS_MODULES = ("CrossEntropyLoss", "BCEWithLogitsLoss")
"""...and with loss modules of these classes (named as torch's), recognized by name so
that any module with torch's name counts, whichever file defines it."""


class TrainingDiverged(ArithmeticError):
    """``fit`` met a loss or gradient that is not a finite number (NaN or infinity), or an
    update that would make a weight so. The update was not applied: the weights and
    the optimizer's state are as they were before that batch.

    Attributes: ``epoch`` and ``batch`` (counted from 1), ``sample`` (the index in the
    batch of the first sample whose inputs or target are not finite numbers, or
    None) and ``history`` (the epochs finished before).
    """

    def __init__(self, message: str, epoch: int, batch: int, sample: int | None,
                 history: History) -> None:
        super().__init__(message)
        self.epoch, self.batch, self.sample, self.history = epoch, batch, sample, history


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C during ``fit``. An update that was under way is undone, so the weights are
    those after the last whole update; ``history`` holds the epochs finished before
    (``epoch``, counted from 1, is the one interrupted). Being a KeyboardInterrupt,
    it stops a script as Ctrl-C does unless caught::

        try:
            history = nn.fit(model, nn.mse, opt, data, epochs=100)
        except nn.TrainingInterrupted as stop:
            history = stop.history
    """

    def __init__(self, epoch: int, history: History) -> None:
        super().__init__(f"fit: interrupted in epoch {epoch}; .history holds the "
                         f"{history.epochs} epochs finished before")
        self.epoch, self.history = epoch, history


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


def sample_loss(loss_fn: LossFn, output: Any, target: Any) -> Value:
    """``loss_fn(output, target)``, which must be one Value: a clear TypeError otherwise
    (a loss module with ``reduction='none'`` gives a list)."""
    loss = loss_fn(output, target)
    if not isinstance(loss, Value):
        raise TypeError(f"the loss must be a Value for each sample, but "
                        f"{getattr(loss_fn, '__name__', type(loss_fn).__name__)} gave "
                        f"{type(loss).__name__} {loss!r}"[:200])
    return loss


def scalar_batch_step(model: Module, loss_fn: LossFn,
                      l2: float = 0.0) -> Callable[[list, list], BatchResult]:
    """The function ``fit`` calls for every batch ``(inputs, targets)``: run each sample
    through ``model`` on the Value engine, average ``loss_fn`` over the batch, add
    ``l2 · Σ w²`` (biases excluded), and backpropagate, adding into every
    parameter's ``.grad``."""
    weights = [p for name, p in model.named_parameters() if not is_bias(name)] if l2 else []

    def step(inputs: list, targets: list) -> BatchResult:
        outputs = [model(x) for x in inputs]
        losses = [sample_loss(loss_fn, out, y) for out, y in zip(outputs, targets)]
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
    so is the label (0/1 and -1/+1 labels both work with either threshold). A list of
    one output (``nn.Linear(n, 1)`` gives one) counts as one output.
    """
    if isinstance(output, (list, tuple)) and len(output) == 1:
        output = output[0]
        if isinstance(target, (list, tuple)) and len(target) == 1:
            target = target[0]
    if isinstance(output, (list, tuple)):
        guess = _argmax(output)
        if isinstance(target, numbers.Integral):
            return guess == target
        return guess == _argmax([float(t) for t in target])
    return (output > threshold) == (float(target) > threshold)


def _measure_accuracy(accuracy: bool | None, loss_fn: LossFn | None) -> bool:
    if accuracy is not None:
        return bool(accuracy)
    return (loss_fn is None or loss_fn in CLASSIFICATION_LOSSES
            or type(loss_fn).__name__ in CLASSIFICATION_LOSS_MODULES)


def _modes(model: Module) -> list[tuple[Module, bool]]:
    """Each module's ``training`` flag, to put back after ``evaluate`` or ``fit`` set them."""
    return [(module, module.training) for _, module in model.named_modules()]


def _put_back(modes: list[tuple[Module, bool]]) -> None:
    for module, training in modes:
        module.training = training


@dataclass
class Evaluation:
    """``evaluate``'s result: mean loss and accuracy (None when not measured), sample count."""

    loss: float | None
    accuracy: float | None
    n: int


def evaluate(model: Module, data: Any, loss_fn: LossFn | None = None, *,
             accuracy: bool | None = None, threshold: float = 0.0,
             batch_size: int = 256) -> Evaluation:
    """Mean ``loss_fn`` and accuracy of ``model`` (any ``nn.Module``, called on one sample)
    on ``data`` (a Dataset, an ``(inputs, targets)`` pair or a DataLoader), in
    evaluation mode (``model.eval()``; each module's mode is put back afterwards) and
    without building graphs (under ``no_grad``). ``loss_fn`` is any
    ``loss(output, target)``: a function such as ``nn.mse`` or a loss module.

    Accuracy is measured when ``accuracy`` is True, or when it is None and the loss
    is a classification loss (``CLASSIFICATION_LOSSES``, ``CLASSIFICATION_LOSS_MODULES``)
    or no loss is given.
    """
    loader = data if isinstance(data, DataLoader) else DataLoader(as_dataset(data), batch_size)
    if len(loader.dataset) == 0:
        raise ValueError("evaluate: the dataset is empty")
    want_accuracy = _measure_accuracy(accuracy, loss_fn)
    total, correct, n = 0.0, 0, 0
    modes = _modes(model)
    model.eval()
    try:
        with no_grad():
            for inputs, targets in loader:
                for x, y in zip(inputs, targets):
                    out = model(x)
                    if loss_fn is not None:
                        total += sample_loss(loss_fn, out, y).data
                    if want_accuracy:
                        correct += is_correct(_numbers(out), y, threshold)
                    n += 1
    finally:
        _put_back(modes)
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


def _check_parameters(model: Module, optimizer: Optimizer) -> None:
    """An optimizer must update the model's own parameters: one made for another model
    (or an earlier copy of this one) would leave this model untouched. It may hold
    only some of them (the others stay fixed, as with torch)."""
    ours = set(model.parameters())
    foreign = [p for p in optimizer.params if p not in ours]
    if foreign:
        theirs = set(optimizer.params)
        left_out = sum(1 for p in ours if p not in theirs)
        raise ValueError(
            f"fit: {len(foreign)} of the optimizer's {len(optimizer.params)} parameters are "
            f"not in model.parameters(), and {left_out} of the model's {len(ours)} "
            "parameters are not in the optimizer: make the optimizer from this model, "
            "e.g. optim.SGD(model.parameters(), lr=0.1)")


def _is_finite(x: Any) -> bool:
    """Whether a sample's inputs or target (a number, a Value, a list of them or an
    array) hold only finite numbers."""
    if isinstance(x, Value):
        return math.isfinite(x.data)
    if isinstance(x, numbers.Real):
        return math.isfinite(x)
    if hasattr(x, "tolist"):  # a NumPy array or a torch tensor
        x = x.tolist()
    if isinstance(x, (list, tuple)):
        return all(_is_finite(v) for v in x)
    return True  # not numbers: not for this check to judge


def _why_not_finite(result: BatchResult, params: list[Value], inputs: list, targets: list
                    ) -> tuple[str, int | None] | None:
    """None if the batch's loss and every gradient are finite numbers; else what is not,
    and the index of the first sample whose inputs or target are not finite (the
    usual cause), if any."""
    if math.isfinite(result.loss):
        bad = next((p for p in params if not math.isfinite(p.grad)), None)
        if bad is None:
            return None
        why = f"the gradient of {bad.label or 'a parameter'} is {bad.grad!r}"
    else:
        why = f"the loss is {result.loss!r}"
    for i, (x, y) in enumerate(zip(inputs, targets)):
        for what, value in (("input", x), ("target", y)):
            if not _is_finite(value):
                return f"{why}: sample {i} of this batch has the {what} {value!r}"[:300], i
    return why, None


def _step_or_undo(optimizer: Optimizer) -> str | None:
    """``optimizer.step()``, kept only if every weight is still a finite number; else the
    step is undone and the reason returned. An error or Ctrl-C in the middle of the
    step also undoes it, so a weight is never left half updated."""
    before = optimizer.snapshot()
    try:
        optimizer.step()
        bad = next((p for p in optimizer.params if not math.isfinite(p.data)), None)
    except BaseException:
        optimizer.restore(before)
        raise
    if bad is None:
        return None
    why = (f"the update would make {bad.label or 'a parameter'} {bad.data!r} (is the "
           f"learning rate, {optimizer.lr:g}, too large?)")
    optimizer.restore(before)
    return why


def _train_on_batch(batch_step: Callable[[list, list], BatchResult], optimizer: Optimizer,
                    inputs: list, targets: list, clip_norm: float | None,
                    epoch: int, batch: int, history: History) -> BatchResult:
    """One update from one batch: ``zero_grad``, the batch step (forward, loss, backward),
    clipping, ``step``. A loss, gradient or new weight that is not finite raises
    TrainingDiverged, with the weights and the optimizer as they were before."""
    optimizer.zero_grad()
    result = batch_step(inputs, targets)
    diverged = _why_not_finite(result, optimizer.params, inputs, targets)
    if diverged is None:
        if clip_norm is not None:
            clip_grad_norm_(optimizer.params, clip_norm)
        why = _step_or_undo(optimizer)
        if why is None:
            return result
        diverged = why, None
    why, sample = diverged
    raise TrainingDiverged(f"fit: epoch {epoch}, batch {batch}: {why}. The update was not "
                           "applied: the weights are as they were before this batch",
                           epoch, batch, sample, history)


def fit(model: Module, loss_fn: LossFn, optimizer: Optimizer, train_data: Any,
        val_data: Any = None, *, epochs: int = 10, batch_size: int | None = 32,
        scheduler: LRScheduler | None = None, clip_norm: float | None = None,
        l2: float = 0.0, shuffle: bool = True, seed: int | None = 0,
        accuracy: bool | None = None, threshold: float = 0.0,
        progress: bool = True, compiled: bool | None = None) -> History:
    """Train ``model`` for ``epochs`` passes over ``train_data`` and return a History.

    - ``model``: any ``nn.Module``, called on one sample, in training mode
      (``model.train()``; validation runs in ``eval()`` mode, and each module's mode
      is put back when ``fit`` returns). ``optimizer`` must have been made from the
      model's parameters (some may be left out: they stay fixed); an optimizer holding
      other parameters is a ValueError.
    - ``loss_fn(output, target)`` is the loss of one sample: a function (``nn.mse``) or a
      loss module (``nn.MSELoss()``). A batch's loss is its mean, plus ``l2 · Σ w²``
      over the weights (biases excluded) when ``l2`` is set.
    - ``train_data`` and ``val_data``: a Dataset, an ``(inputs, targets)`` pair, or a
      DataLoader (then ``batch_size``, ``shuffle`` and ``seed`` are the loader's).
    - ``batch_size=None`` trains on the whole set at once; batches are shuffled with
      ``seed``, so the same seed (and model seed) gives the same result, bit for bit.
    - ``clip_norm`` clips the gradient norm of each batch (``clip_grad_norm_``);
      ``scheduler.step()`` runs after every epoch.
    - Accuracy is measured for ``cross_entropy``, ``binary_cross_entropy`` and ``hinge``
      and the loss modules ``CrossEntropyLoss`` and ``BCEWithLogitsLoss`` (or when
      ``accuracy=True``); see ``is_correct`` for ``threshold``.
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

    When training goes wrong, on either engine, ``fit`` stops at the batch where it
    happens, before that batch's update, so the weights and the optimizer's state are
    exactly as after the previous update:

    - a loss or a gradient that is NaN or infinite, or an update that would make a
      weight so (too large a learning rate), raises ``TrainingDiverged`` (an
      ArithmeticError) naming the epoch, the batch and, when a sample's inputs or
      target hold a NaN or an infinity, that sample;
    - an error from the engine, the model or the loss (the ``OverflowError`` naming the
      operation whose result is too large for a float, say) is raised as it is, with a
      note naming the epoch and the batch;
    - Ctrl-C raises ``TrainingInterrupted`` (a KeyboardInterrupt; an update under way is
      undone). Both it and ``TrainingDiverged`` carry ``.history``: the epochs
      finished before, with their validation, so ``except nn.TrainingInterrupted as
      stop: history = stop.history`` keeps what was learnt.
    """
    if not isinstance(model, Module):
        raise TypeError(f"fit: model must be an nn.Module, got {type(model).__name__}")
    if not callable(loss_fn):
        raise TypeError(f"fit: loss_fn must be a function, got {type(loss_fn).__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"fit: optimizer must be an nn.optim optimizer, "
                        f"got {type(optimizer).__name__}")
    _check_parameters(model, optimizer)
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
    history = History()
    epoch, bar = 1, None  # the epoch under way, for TrainingInterrupted
    modes = _modes(model)
    model.train()
    try:
        batch_step: Callable[[list, list], BatchResult] | None = None
        if compiled:
            from .compiled import compiled_batch_step  # imports NumPy on first use

            batch_step = compiled_batch_step(model, loss_fn, l2)
        elif compiled is None and epochs:  # the replay if it can, else say why (once)
            batch_step, reason = _compiled_step_or_reason(model, loss_fn, l2, loader.dataset)
            if batch_step is None:
                warnings.warn(f"fit: training on the scalar engine, not the compiled replay: "
                              f"{reason} (compiled=False chooses the scalar engine without "
                              "this warning)", stacklevel=2)
        if batch_step is None:
            batch_step = scalar_batch_step(model, loss_fn, l2)

        bar = _progress_bar(epochs, progress)
        for epoch in range(1, epochs + 1):
            lr = optimizer.lr
            total, correct, n = 0.0, 0, 0
            for batch, (inputs, targets) in enumerate(loader, 1):
                try:
                    result = _train_on_batch(batch_step, optimizer, inputs, targets, clip_norm,
                                             epoch, batch, history)
                except TrainingDiverged:
                    raise
                except Exception as e:  # the engine's OverflowError, say: add where, raise it
                    e.add_note(f"(in fit: epoch {epoch}, batch {batch}; the weights are as "
                               "they were before this batch)")
                    raise
                total += result.loss * len(inputs)
                n += len(inputs)
                if want_accuracy:
                    correct += sum(is_correct(out, y, threshold)
                                   for out, y in zip(result.outputs, targets))
            ev = None if val is None else evaluate(model, val, loss_fn, accuracy=want_accuracy,
                                                   threshold=threshold)
            # the epoch goes into the history whole, once it is finished
            history.lr.append(lr)
            history.train_loss.append(total / n)
            if want_accuracy:
                history.train_accuracy.append(correct / n)
            if ev is not None:
                assert ev.loss is not None  # evaluate measures the loss: loss_fn is given
                history.val_loss.append(ev.loss)
                if ev.accuracy is not None:
                    history.val_accuracy.append(ev.accuracy)
            if scheduler is not None:
                scheduler.step()
            if bar is not None:
                bar.set_postfix(_postfix(history), refresh=False)
                bar.update(1)
    except KeyboardInterrupt as e:
        raise TrainingInterrupted(epoch, history) from e
    finally:
        if bar is not None:
            bar.close()
        _put_back(modes)
    return history


def _progress_bar(epochs: int, progress: bool) -> Any:
    if not progress:
        return None
    try:
        from tqdm import tqdm
    except ImportError as e:
        raise ImportError("fit(progress=True) needs tqdm: pip install tqdm "
                          "(or pass progress=False)") from e
    # Translators: fit's progress bar: its description, before "3/20"
    desc = _("fit")
    # Translators: fit's progress bar: the unit of its speed, "3.2epoch/s"
    unit = _("epoch")
    return tqdm(total=epochs, desc=desc, unit=unit)


def _postfix(h: History) -> dict[str, str]:
    """The progress bar's numbers after an epoch, named in memograd's language."""
    # Translators: fit's progress bar names its numbers: "loss=0.1234, acc=0.950,
    # Translators: val_loss=0.2345, val_acc=0.900" (training and validation loss and accuracy)
    shown = {_("loss"): f"{h.train_loss[-1]:.4f}"}
    if h.train_accuracy:
        shown[_("acc")] = f"{h.train_accuracy[-1]:.3f}"
    if h.val_loss:
        shown[_("val_loss")] = f"{h.val_loss[-1]:.4f}"
    if h.val_accuracy:
        shown[_("val_acc")] = f"{h.val_accuracy[-1]:.3f}"
    return shown
