"""Backpropagation explained: the backward pass one node at a time, in words, and
what its memo saves.

- ``stepper``: ``steps(loss)`` yields one ``Step`` per node of the reverse sweep,
  with the ``Contribution`` of each edge and a ``MemoView`` of the memo table.
- ``text``: the lines ``memograd trace --step`` prints for each step.
- ``work``: the chain rule summed over every path (``naive_grad``) vs the
  memoized pass (``memoized_grad``), and their work on fully connected nets.
- ``numbers``: how those lines write a number (``plain_number``, ``format_number``).
"""

from .numbers import format_number, plain_number
from .stepper import Contribution, MemoTable, MemoView, Step, steps
from .text import (
    can_print,
    chain_rule_line,
    chain_rule_symbols,
    memo_line,
    print_steps,
    step_through,
)
from .work import (
    GradWork,
    WorkRow,
    compare_work,
    comparison_report,
    count_paths,
    format_work,
    fully_connected,
    memoized_grad,
    naive_grad,
)

__all__ = [
    "Contribution",
    "GradWork",
    "MemoTable",
    "MemoView",
    "Step",
    "WorkRow",
    "can_print",
    "chain_rule_line",
    "chain_rule_symbols",
    "compare_work",
    "comparison_report",
    "count_paths",
    "format_number",
    "format_work",
    "fully_connected",
    "memo_line",
    "memoized_grad",
    "naive_grad",
    "plain_number",
    "print_steps",
    "step_through",
    "steps",
]
