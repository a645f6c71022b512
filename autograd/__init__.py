"""memograd's engine: scalar reverse-mode automatic differentiation you can read.

>>> from autograd import Value
>>> x = Value(2.0, "x"); y = x * x + 3 * x; y.backward(); x.grad
7.0
"""

from .autodiff import (
    backward,
    enable_grad,
    grad,
    is_grad_enabled,
    memo_table,
    no_grad,
    topological_order,
    zero_grad,
)
from .check import GradcheckReport, gradcheck, gradgradcheck
from .explain import (
    Contribution,
    Feedback,
    GradWork,
    Mistake,
    Question,
    Quiz,
    Step,
    compare_work,
    memoized_grad,
    mistake,
    naive_grad,
    steps,
)
from .explain.quiz import quiz
from .i18n import get_language, set_language, use_language
from .ops import TABLE as OPS
from .ops import DomainError
from .value import (
    Constant,
    Value,
    as_value,
    cos,
    dot,
    exp,
    leaky_relu,
    log,
    max,  # noqa: F401 - autograd.max and autograd.min, out of __all__ as autograd.sum
    min,  # noqa: F401
    relu,
    sigmoid,
    sin,
    softplus,
    sqrt,
    sum,  # noqa: F401 - autograd.sum, kept out of __all__: it would shadow the builtin
    tanh,
)
from .viz import draw, walkthrough

__all__ = [
    "OPS",
    "Constant",
    "Contribution",
    "DomainError",
    "Feedback",
    "GradWork",
    "GradcheckReport",
    "Mistake",
    "Question",
    "Quiz",
    "Step",
    "Value",
    "as_value",
    "backward",
    "compare_work",
    "cos",
    "dot",
    "draw",
    "enable_grad",
    "exp",
    "get_language",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_grad_enabled",
    "leaky_relu",
    "log",
    "memo_table",
    "memoized_grad",
    "mistake",
    "naive_grad",
    "no_grad",
    "quiz",
    "relu",
    "set_language",
    "sigmoid",
    "sin",
    "softplus",
    "sqrt",
    "steps",
    "tanh",
    "topological_order",
    "use_language",
    "walkthrough",
    "zero_grad",
]


# ``compile`` stays out of __all__: ``from autograd import *`` must neither need
# NumPy nor hide Python's own compile().
def __getattr__(name: str):
    """``autograd.compile`` (record a graph once, replay it batched) needs NumPy, so
    ``autograd.compiled`` is imported on first use: ``import autograd`` itself stays
    standard-library only."""
    if name == "compile":
        from .compiled import compile

        return compile
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
