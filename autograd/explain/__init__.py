"""Backpropagation explained: the backward pass one node at a time, in words, and
what its memo saves.

- ``stepper``: ``steps(loss)`` yields one ``Step`` per memo entry of the reverse
  sweep, with the ``Contribution`` of each edge, a ``MemoView`` of the memo table
  and ``Step.nudge()``, the entry estimated by finite differences.
- ``text``: the lines ``memograd trace --step`` prints for each step, and the
  table ``memograd trace`` prints; one notation (∂C/∂x) and one minus sign (−).
- ``quiz``: ``quiz.quiz(loss)`` (``autograd.quiz``; not re-exported here, where the
  name is the module's), the learner computes each memo entry and is checked.
- ``mistakes``: ``mistake(loss, kind)``, a wrong version of backprop beside the right one.
- ``work``: the chain rule summed over every path (``naive_grad``) vs the
  memoized pass (``memoized_grad``), and their work on fully connected nets.
- ``numbers``: how those lines write a number (``plain_number``, ``format_number``).
"""

from .mistakes import KINDS, Mistake, mistake
from .numbers import format_number, plain_number
from .quiz import Feedback, Question, Quiz
from .stepper import Contribution, MemoTable, MemoView, Step, memo_nodes, steps
from .text import (
    can_print,
    chain_rule_line,
    chain_rule_symbols,
    entry_symbol,
    memo_line,
    op_text,
    output_summary,
    print_steps,
    row_names,
    step_through,
    trace_table,
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
    "KINDS",
    "Contribution",
    "Feedback",
    "GradWork",
    "MemoTable",
    "MemoView",
    "Mistake",
    "Question",
    "Quiz",
    "Step",
    "WorkRow",
    "can_print",
    "chain_rule_line",
    "chain_rule_symbols",
    "compare_work",
    "comparison_report",
    "count_paths",
    "entry_symbol",
    "format_number",
    "format_work",
    "fully_connected",
    "memo_line",
    "memo_nodes",
    "memoized_grad",
    "mistake",
    "naive_grad",
    "op_text",
    "output_summary",
    "plain_number",
    "print_steps",
    "row_names",
    "step_through",
    "steps",
    "trace_table",
]
