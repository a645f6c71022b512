"""``Program``, a recorded graph replayed over batches, and ``compile``.

A call fills the value array V (nodes x batch) and the static vector S (see
``plan.py``), then runs the kernels in order. The backward pass walks the
kernels in reverse, each passing its rows' adjoints on to its operands' rows;
a parameter's gradient is its row summed (or averaged) over the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..autodiff import topological_order
from ..value import Value
from .kernels import cheapest_index, make_kernel
from .plan import plan
from .trace import as_number, describe_node, record

REAL_KINDS = "biuf"
"""The NumPy dtype kinds an input array may have: booleans, integers and floats."""
NAN_CHOICES = ("raise", "propagate")
"""What a call does with a NaN input: refuse it, naming it and its sample, or compute."""


class Program:
    """A traced graph replayed batched: ``prog(*inputs)``, ``prog.backward(*inputs)``.

    Attributes: ``inputs`` (the traced input leaves), ``parameters`` (the other
    non-constant leaves: first as ``dot`` rows read them, which for an ``nn.MLP`` is
    ``model.parameters()``'s order, then the rest), ``output`` (the traced output: the
    recorded graph, to draw or step), ``graph`` (its nodes, parents first),
    ``kernels`` (one ``(op, nodes)`` pair per NumPy kernel, in execution order).
    """

    def __init__(self, fn: Callable[..., Value], inputs: Sequence[Value], output: Value) -> None:
        self.fn = fn
        self.inputs = tuple(inputs)
        self.output = output
        self.graph = topological_order(output)
        layout = plan(self.inputs, output, self.graph)
        self.parameters = layout.parameters
        self._kernels = [make_kernel(k, layout) for k in layout.kernels]
        self.kernels = [(k.name, k.nodes) for k in self._kernels]
        self._n_rows = layout.n_rows
        self._row = layout.row
        self._static = layout.static
        self._n_in, self._n_par = layout.n_inputs, layout.n_params
        self._c_lo = layout.constants_row
        self._out_row = layout.row[output]
        self._const_values = np.asarray(layout.const_values, dtype=float)
        self._v_params = cheapest_index(layout.v_params) if layout.v_params else None
        self._n_v_params = len(layout.v_params)
        self._buffers: dict[int, np.ndarray] = {}
        self._last: tuple | None = None

    def __repr__(self) -> str:
        return (f"Program({len(self.inputs)} inputs, {len(self.parameters)} parameters, "
                f"{len(self.graph)} nodes, {len(self._kernels)} kernels)")

    # -- the parameters ------------------------------------------------------------
    def parameter_vector(self) -> np.ndarray:
        """The parameters' current ``.data`` as one array, in the order of ``parameters``."""
        return np.fromiter([p.data for p in self.parameters], float, self._n_par)

    def load_parameters(self, vector: np.ndarray) -> None:
        """Write ``vector`` (ordered as ``parameters``) into the parameters' ``.data``."""
        values = self._checked_parameters(vector).tolist()
        for p, x in zip(self.parameters, values):
            p.data = x

    def _checked_parameters(self, vector: object) -> np.ndarray:
        vector = np.asarray(vector, dtype=float)
        if vector.shape != (self._n_par,):
            raise ValueError(f"compile: params must have shape ({self._n_par},), one value per "
                             f"parameter, got shape {vector.shape}")
        return vector

    # -- running ---------------------------------------------------------------------
    @staticmethod
    def _columns(inputs: tuple) -> bool:
        """Whether the inputs are the usual: arrays of real numbers of shape (batch,),
        all of one length."""
        first = inputs[0] if inputs else None
        size = len(first) if type(first) is np.ndarray and first.ndim == 1 else 0
        return size > 0 and all(type(x) is np.ndarray and x.shape == (size,)
                                and x.dtype.kind in REAL_KINDS for x in inputs)

    def _batch_size(self, inputs: tuple) -> tuple[int, bool]:
        """The batch size and whether any input is an array; a clear error for a bad
        input."""
        size, batched = 1, False
        for i, x in enumerate(inputs):
            if not isinstance(x, np.ndarray):
                as_number(x, f"input {i}")
            elif x.dtype.kind not in REAL_KINDS:  # complex, strings, objects, dates, ...
                raise TypeError(f"compile: input {i} must hold real numbers, got an array of "
                                f"dtype {x.dtype} (convert it with np.asarray(x, dtype=float) "
                                "if it holds numbers)")
            elif x.ndim > 1:
                raise ValueError(f"compile: input {i} must be a number or an array of shape "
                                 f"(batch,), got shape {x.shape}")
            elif x.ndim == 1:
                if batched and len(x) != size:
                    raise ValueError(f"compile: input {i} has batch size {len(x)}, "
                                     f"the inputs before it {size}")
                if not len(x):
                    raise ValueError("compile: the batch is empty")
                size, batched = len(x), True
        return size, batched

    def _refuse_nan(self, columns: np.ndarray, nan: str) -> None:
        """With ``nan="raise"``, a ValueError naming the first input and sample that hold
        NaN (see ``compile``); with ``nan="propagate"``, nothing."""
        if nan not in NAN_CHOICES:
            raise ValueError(f"compile: nan must be 'raise' or 'propagate', got {nan!r}")
        found = np.isnan(columns) if nan == "raise" else None
        if found is not None and found.any():
            i, b = (int(k) for k in np.argwhere(found)[0])
            raise ValueError(
                f"compile: input {i} ({describe_node(self.inputs[i])}) is NaN in sample {b}; "
                "a compiled program refuses NaN inputs, since one such sample makes the "
                "batch's gradients NaN (the scalar engine propagates NaN instead; so does "
                "the program when called with nan='propagate')")

    def _buffer(self, size: int) -> np.ndarray:
        """The (rows x size) value array, reused from call to call; constants set once."""
        V = self._buffers.get(size)
        if V is None:
            V = np.empty((self._n_rows, size))
            V[self._c_lo:self._c_lo + len(self._const_values)] = self._const_values[:, None]
            self._buffers[size] = V
        return V

    def _run(self, inputs: tuple, keep: bool, params: np.ndarray | None = None,
             nan: str = "raise") -> tuple[np.ndarray, np.ndarray, list, int, bool]:
        """Forward pass over a batch: the value array, the static vector, each kernel's
        saved local derivatives (if ``keep``), the batch size and whether it is one.
        The parameters' values come from ``params`` when given, else from their ``.data``."""
        if len(inputs) != len(self.inputs):
            raise TypeError(f"compile: the program takes {len(self.inputs)} inputs, "
                            f"got {len(inputs)}")
        if self._columns(inputs):  # the usual case: one array per input
            size, batched = len(inputs[0]), True
            V = self._buffer(size)
            V[:self._n_in] = inputs
        else:  # numbers mixed in, or a mistake: check them one by one
            size, batched = self._batch_size(inputs)
            V = self._buffer(size)
            for i, x in enumerate(inputs):
                V[i] = x.data if isinstance(x, Value) else x
        self._refuse_nan(V[:self._n_in], nan)
        S = np.empty(self._n_par + len(self._const_values))
        S[:self._n_par] = (self.parameter_vector() if params is None
                           else self._checked_parameters(params))
        S[self._n_par:] = self._const_values
        if self._v_params is not None:
            V[self._n_in:self._n_in + self._n_v_params] = S[self._v_params, None]
        with np.errstate(all="ignore"):  # each kernel checks its op's domain itself
            saved = [kernel.forward(V, S, keep) for kernel in self._kernels]
        self._last = (V, S, batched)
        return V, S, saved, size, batched

    def values(self, nodes: Sequence[Value]) -> np.ndarray:
        """The values the recorded ``nodes`` took in the most recent call (a model's
        outputs, say), shape ``(len(nodes), batch)``."""
        if self._last is None:
            raise RuntimeError("compile: values() reads the most recent call; call the "
                               "program first")
        V, S, _ = self._last
        rows = []
        for v in nodes:
            if v in self._row:
                rows.append(V[self._row[v]])
            elif v in self._static:  # a parameter only a matrix product reads
                rows.append(np.full(V.shape[1], S[self._static[v]]))
            else:
                raise ValueError(f"compile: {describe_node(v)} is not in the recorded graph")
        return np.array(rows).reshape(len(rows), V.shape[1])

    def __call__(self, *inputs: float | np.ndarray, params: np.ndarray | None = None,
                 nan: str = "raise") -> float | np.ndarray:
        """The output for each sample: an array of shape (batch,), or a float when
        every input is a number. ``params``: parameter values to use instead of
        the parameters' ``.data`` (ordered as ``parameters``). ``nan``: "raise" (a
        NaN input is a ValueError naming it and its sample) or "propagate" (it gives
        NaN, as on the scalar engine: for a caller that finds the sample itself)."""
        V, _, _, _, batched = self._run(inputs, keep=False, params=params, nan=nan)
        out = V[self._out_row]
        return out.copy() if batched else float(out[0])

    def gradients(self, *inputs: float | np.ndarray, reduction: str = "sum",
                  params: np.ndarray | None = None, nan: str = "raise"
                  ) -> tuple[float | np.ndarray, np.ndarray]:
        """The outputs and d(output)/d(parameter) reduced over the batch (an array in
        the order of ``parameters``), leaving every ``.grad`` untouched. ``nan`` as
        for a call.

        With ``params`` (a vector ordered as ``parameters``) the program is a pure
        function of its inputs and that vector, so a training loop can keep the
        parameters in one array, as NumPy code would, and skip the per-Value work::

            theta = prog.parameter_vector()
            for batch in batches:
                _, g = prog.gradients(*batch, reduction="mean", params=theta)
                theta -= lr * g
            prog.load_parameters(theta)
        """
        if reduction not in ("sum", "mean"):
            raise ValueError(f"compile: reduction must be 'sum' or 'mean', got {reduction!r}")
        V, S, saved, size, batched = self._run(inputs, keep=True, params=params, nan=nan)
        G = np.zeros_like(V)
        Gs = np.zeros_like(S)
        G[self._out_row] = 1.0
        with np.errstate(all="ignore"):  # inf * 0 at a kink is the scalar engine's nan too
            for kernel, s in zip(reversed(self._kernels), reversed(saved)):
                kernel.backward(G, Gs, s)
        grads = Gs[:self._n_par]
        if self._v_params is not None:
            grads[self._v_params] += G[self._n_in:self._n_in + self._n_v_params].sum(axis=1)
        if reduction == "mean":
            grads /= size
        out = V[self._out_row]
        return (out.copy() if batched else float(out[0])), grads

    def backward(self, *inputs: float | np.ndarray, reduction: str = "sum",
                 nan: str = "raise") -> float | np.ndarray:
        """Evaluate, then *add* the batch's summed (or averaged) gradients into each
        parameter's ``.grad``, as ``loss.backward()`` does; returns the outputs.
        ``nan`` as for a call."""
        out, grads = self.gradients(*inputs, reduction=reduction, nan=nan)
        for p, g in zip(self.parameters, grads.tolist()):
            p.grad += g
        return out


def compile(fn: Callable[..., Value], example_inputs: Sequence[float | Value]) -> Program:
    """Trace ``fn`` once on one leaf per example input and compile its graph.

    ``fn`` takes the inputs as separate Values and returns one Value (a sample's
    loss, say). Every other non-constant leaf it reaches is a parameter, read from
    its ``.data`` at each call. Raises TracingError if ``fn`` uses the number of a
    value computed from its inputs (reads ``.data``, calls ``float()``, ``int()``,
    ``bool()`` or ``math.exp`` on it, compares it): the program would replay the
    example's number or branch for every sample. Such a function runs on the scalar
    engine (call it on Values; ``nn.fit(..., compiled=False)``).

    The program's inputs are numbers or arrays of real numbers of shape (batch,);
    complex, string and object arrays are a TypeError. A NaN input is a ValueError
    naming the input and the sample: one NaN sample would make the batch's summed
    gradients NaN, silently. (The scalar engine propagates NaN instead, as torch;
    so does a call with ``nan="propagate"``, for a caller that finds the sample
    itself, as ``nn.fit`` does.)

    >>> import numpy as np
    >>> w = Value(2.0, "w")
    >>> prog = compile(lambda x, y: (w * x - y) ** 2, [1.0, 0.0])
    >>> prog.backward(np.array([1.0, 2.0]), np.array([0.0, 1.0])).tolist(), w.grad
    ([4.0, 9.0], 16.0)
    """
    inputs, output = record(fn, example_inputs)
    return Program(fn, inputs, output)
