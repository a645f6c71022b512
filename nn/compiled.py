"""``fit``'s compiled replay: a batch step that replays one recorded graph.

``compiled_batch_step`` stands in for ``train.scalar_batch_step``: the first
batch (or ``trace``, which ``fit`` calls before training when ``compiled`` is left
at None) traces ONE sample's loss, ``loss_fn(model(x), t)``, with the sample's
inputs and its target as the program's inputs (``autograd.compile``); every
batch then runs forward and backward over all its samples at once and adds
the batch-mean gradient into each parameter's ``.grad``, as the scalar step
does. The loss may be any callable ``loss(output, target)``: a function or a
loss module. Its target is data, an input of the program, with one exception: a
class index picks a node, so it cannot be data. It becomes a one-hot list for
``nn.cross_entropy``, and for any other loss that gives the example the same loss
for the index as for its one-hot list (``nn.CrossEntropyLoss()`` does); a loss
that takes only an index cannot be recorded for every label.

NumPy is imported when a loss is traced, not with ``nn``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import autograd
from autograd import Value, dot

from .losses import cross_entropy
from .module import Module, is_bias
from .train import BatchResult, LossFn, sample_loss


def _as_row(x: Any, what: str) -> list[float]:
    """A sample's inputs (or target) as a list of numbers."""
    if isinstance(x, (Value, numbers.Real)) and not isinstance(x, bool):
        return [float(x)]
    if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
        raise TypeError(f"fit (compiled replay): each {what} must be a number or a list of "
                        f"numbers, got {type(x).__name__} {x!r}"[:160])
    return [float(v) for v in x]


def _is_class_index(t: Any) -> bool:
    return isinstance(t, numbers.Integral) and not isinstance(t, bool)


def _takes_one_hot(loss_fn: LossFn, out: Any, t0: Any, n_out: int) -> bool:
    """Whether the class index ``t0`` may be given to ``loss_fn`` as a one-hot list: for
    ``nn.cross_entropy`` always; for another loss, when the model has several outputs
    and the loss of the example ``out`` is the same for the index and for the list."""
    if not _is_class_index(t0):
        return False
    if loss_fn is cross_entropy:
        return True
    if n_out < 2:  # one output: an int target is a number (a 0/1 label), data as it is
        return False
    one_hot = [1.0 if i == t0 else 0.0 for i in range(n_out)]
    try:
        with autograd.no_grad():
            by_index = sample_loss(loss_fn, out, t0).data
            by_list = sample_loss(loss_fn, out, one_hot).data
    except Exception:  # the loss does not take a list: it cannot use a one-hot target
        return False
    return math.isclose(by_index, by_list, rel_tol=1e-12, abs_tol=1e-12)


class _Compiled:
    """The traced program, and how a batch becomes its input columns."""

    def __init__(self, model: Module, loss_fn: LossFn, x0: Any, t0: Any) -> None:
        self.n_x = len(_as_row(x0, "input"))
        self.scalar_input = not isinstance(x0, Sequence)
        with autograd.no_grad():
            out = model(x0)  # the number of outputs sizes a one-hot target
        self.single = not isinstance(out, (list, tuple))  # one Value, not a list
        self.n_out = 1 if self.single else len(out)
        self.one_hot = _takes_one_hot(loss_fn, out, t0, self.n_out)
        self.scalar_target = not self.one_hot and not isinstance(t0, Sequence)
        self.n_t = self.n_out if self.one_hot else len(_as_row(t0, "target"))
        self.outputs: list[Value] = []

        def traced_loss(*v: Value) -> Value:
            xs = v[0] if self.scalar_input else list(v[:self.n_x])
            out = model(xs)
            self.outputs = [out] if self.single else list(out)
            t = v[self.n_x] if self.scalar_target else list(v[self.n_x:])
            return sample_loss(loss_fn, out, t)

        example = _as_row(x0, "input") + self.target_row(t0)
        self.prog = autograd.compile(traced_loss, example)

    def target_row(self, t: Any) -> list[float]:
        if self.one_hot:
            if not isinstance(t, numbers.Integral) or not 0 <= int(t) < self.n_out:
                raise ValueError(f"fit (compiled replay): class {t!r} out of range for "
                                 f"{self.n_out} outputs")
            return [1.0 if i == t else 0.0 for i in range(self.n_out)]
        return _as_row(t, "target")

    def columns(self, inputs: list, targets: list) -> list:
        """The program's inputs for a batch: one array of shape (batch,) per input."""
        import numpy as np

        n = len(inputs)
        try:
            xs = np.asarray(inputs, dtype=float).reshape(n, -1)
            if self.one_hot:
                labels = np.asarray(targets)
                if labels.dtype.kind not in "iu" or labels.ndim != 1 or (
                        (labels < 0) | (labels >= self.n_out)).any():
                    raise ValueError(f"fit (compiled replay): class indices must be ints in "
                                     f"0..{self.n_out - 1}, got {targets!r}"[:200])
                ts = np.eye(self.n_out)[labels]
            else:
                ts = np.asarray(targets, dtype=float).reshape(n, -1)
        except (TypeError, ValueError) as e:
            if str(e).startswith("fit (compiled"):
                raise
            raise ValueError("fit (compiled replay): every sample must have the same number of "
                             "inputs and of target numbers as the first") from e
        if xs.shape[1] != self.n_x or ts.shape[1] != self.n_t:
            raise ValueError(f"fit (compiled replay): every sample must have {self.n_x} inputs "
                             f"and a target of {self.n_t} numbers, like the first")
        return [*xs.T, *ts.T]


class CompiledBatchStep:
    """The batch step of ``fit``'s compiled replay: called with ``(inputs, targets)``, it
    returns a BatchResult and adds the batch's mean gradient into every ``.grad``.

    The first call traces one sample's loss, unless ``trace`` did already."""

    def __init__(self, model: Module, loss_fn: LossFn, l2: float = 0.0) -> None:
        self.model, self.loss_fn, self.l2 = model, loss_fn, l2
        self.weights = ([p for name, p in model.named_parameters() if not is_bias(name)]
                        if l2 else [])
        self.compiled: _Compiled | None = None

    def trace(self, x: Any, t: Any) -> None:
        """Record the loss of the sample ``(x, t)``: raises ``TracingError`` if the model
        or the loss compares a value computed from the sample (and ImportError without
        NumPy)."""
        self.compiled = _Compiled(self.model, self.loss_fn, x, t)

    def _traced(self, inputs: list, targets: list) -> _Compiled:
        """The recorded program: the first sample's, unless ``trace`` recorded one."""
        if self.compiled is None:
            self.compiled = _Compiled(self.model, self.loss_fn, inputs[0], targets[0])
        return self.compiled

    def differs_from_scalar(self, inputs: list, targets: list) -> str | None:
        """Where the replayed losses of these samples differ from the scalar engine's
        (to 1e-9), as a sentence; None if they do not. A graph recorded from code that
        reads ``.data`` or compares Values with ``==`` replays the example's choices for
        every sample, which the tracer cannot see but this comparison can."""
        c = self._traced(inputs, targets)
        # nan="propagate": a NaN sample compares as NaN here (fit names it), as on the scalar engine
        replayed = c.prog(*c.columns(inputs, targets), nan="propagate").tolist()
        with autograd.no_grad():
            for i, (x, t, got) in enumerate(zip(inputs, targets, replayed)):
                want = sample_loss(self.loss_fn, self.model(x), t).data
                same = math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12) or (
                    math.isnan(got) and math.isnan(want))
                if not same:
                    return (f"the replayed loss of sample {i} is {got!r}, the scalar engine's "
                            f"{want!r}: the model or the loss reads .data or compares Values "
                            "with ==, so the recorded graph holds the example's choices")
        return None

    def __call__(self, inputs: list, targets: list) -> BatchResult:
        c = self._traced(inputs, targets)
        # nan="propagate": fit finds a NaN loss and names its epoch, batch and sample itself
        losses = c.prog.backward(*c.columns(inputs, targets), reduction="mean", nan="propagate")
        loss = sum(losses.tolist()) / len(inputs)
        if self.l2:
            penalty = self.l2 * dot(self.weights, self.weights)
            penalty.backward()
            loss += penalty.data
        outs = c.prog.values(c.outputs).T.tolist()  # one row of numbers per sample
        return BatchResult(loss, [o[0] for o in outs] if c.single else outs)


def compiled_batch_step(model: Module, loss_fn: LossFn, l2: float = 0.0) -> CompiledBatchStep:
    """Like ``scalar_batch_step``, but the samples of a batch run together through a
    graph recorded once (``autograd.compile``): the mean loss over the batch plus
    ``l2 · Σ w²`` (biases excluded), its gradient added into every ``.grad``.

    A model or loss that branches on its data cannot be recorded: the first batch
    then raises ``autograd.compiled.TracingError`` (train it with ``compiled=False``).
    """
    return CompiledBatchStep(model, loss_fn, l2)
