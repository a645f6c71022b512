"""Record a graph once, replay it batched with NumPy.

For a fixed network every sample builds the *same graph* with different
numbers. ``compile(fn, example_inputs)`` calls ``fn`` once on fresh input
leaves, keeps the graph it builds, and turns it into a short program that
replays forward and backward over a whole batch without creating a single
``Value``. One concept per module:

- ``trace``: recording ``fn`` once, refusing branches on the data (``TracingError``);
- ``plan``: the rows of the value array, the kernels (the nodes of one op on one
  level of the backward sweep), the parameters' order, the matrix products;
- ``kernels``: the NumPy part: the ``NUMPY`` math namespace the op table's own
  rules run on, and one class per kind of kernel;
- ``program``: ``Program``, which runs the kernels forward and backward, and
  ``compile``.

This is the only part of memograd that imports NumPy; ``import autograd`` does
not import it (``autograd.compile`` loads this package on first use).

>>> import numpy as np
>>> from autograd import Value
>>> w = Value(3.0, "w")
>>> prog = compile(lambda x: (w * x).tanh(), [0.5])
>>> [round(float(y), 6) for y in prog(np.array([0.0, 0.5]))]
[0.0, 0.905148]
"""

try:
    import numpy  # noqa: F401 - only to say clearly what is missing
except ImportError as e:  # pragma: no cover - exercised only without NumPy
    raise ImportError("autograd.compile replays graphs with NumPy, which is not installed: "
                      "pip install 'memograd[compile]' (or pip install numpy)") from e

from .kernels import NUMPY
from .program import Program, compile
from .trace import TracingError

__all__ = ["NUMPY", "Program", "TracingError", "compile"]
