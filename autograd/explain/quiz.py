"""Quiz yourself: ``quiz(loss)`` asks for every memo entry, in the order backprop fills
them, and checks each answer.

>>> from autograd import Value
>>> x = Value(2.0, "x"); y = Value(3.0, "y")
>>> q = quiz(x * y + x)
>>> [question.prompt for question in q]
['∂C/∂C = ?', '∂C/∂(mul#2) = ?', '∂C/∂x = ?', '∂C/∂y = ?']
>>> q[2].check(3).correct, q[2].check("1*1 + 3*1").correct, q.score
(False, True, 1)

A wrong answer gets a hint, deeper on each further wrong try of the same
question: (1) the chain-rule line in symbols, which nodes use this one and which
local derivatives to take; (2) the numbers of those users' entries and of the
local derivatives; (3) the products to add.

The output's own entry is asked too (∂C/∂C = 1: C is the output), so there is
one question per memo entry and question k is step k of ``steps(loss)``.
Numbers used in an operation (Constants) have no entry and no question.

An answer is right when it is within ``tolerance`` of the entry relatively
(default 1e-3: round to 4 significant digits or more), or within ``absolute``
(default 1e-6) for entries near 0, where a relative test would demand every
digit: the test of ``math.isclose(answer, entry, rel_tol=tolerance, abs_tol=absolute)``.

Prompts, hints and feedback are in the quiz's language (``quiz(loss, lang="zh-CN")``;
without ``lang``, the one in force when it is made: see ``autograd.i18n``).
``read_answer``'s ValueError stays English, like every exception.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

from ..expr import evaluate, variables
from ..i18n import _, get_language, use_language
from ..ops import DomainError
from ..value import Value
from .numbers import format_number
from .stepper import Step, _generate_steps
from .text import (
    _factor,
    _signs,
    chain_rule_symbols,
    chain_rule_terms,
    entry_symbol,
    output_line,
)

DEFAULT_TOLERANCE = 1e-3
"""Relative: learners round, and 4 significant digits pass."""
DEFAULT_ABSOLUTE = 1e-6
"""The floor for entries near 0: an answer this close to the entry is right."""
DEEPEST_HINT = 3


@dataclass(frozen=True, slots=True)
class Feedback:
    """What ``Question.check`` says about one answer.

    ``correct``: right within the quiz's tolerance. ``hint``: None when right;
    otherwise what to look at next, or why the answer is not a number. ``value``:
    the answer as a number (None when it is not one). ``level``: the depth of the
    hint, 1 to 3 (0: right, or not a number). ``tries``: the answers this
    question has had so far, this one included (an answer that is not a number
    is not counted).
    """

    correct: bool
    hint: str | None = None
    value: float | None = None
    level: int = 0
    tries: int = 0
    lang: str = "en"

    def __str__(self) -> str:
        with use_language(self.lang):
            return _("right") if self.correct else _("not yet: {hint}").format(hint=self.hint)


def read_answer(answer: object) -> float:
    """An answer as a number: a number, or a string with a number or arithmetic
    on numbers (``"0.5*2"``, ``"sigmoid(4)*(1 - sigmoid(4))"``) read by the safe
    expression parser; the − and × the explanations print are read as - and *.
    ValueError, saying why for a learner, for anything else.

    >>> read_answer("−0.5 × 2"), read_answer(3)
    (-1.0, 3.0)
    """
    with use_language("en"):  # an exception's text stays English
        value, why = _read(answer)
    if why is not None:
        raise ValueError(why)
    return value


def _read(answer: object) -> tuple[float, str | None]:
    """(the answer as a number, None), or (nan, why it is not one) in the current language."""
    if isinstance(answer, numbers.Real) and not isinstance(answer, bool):
        value = float(answer)
    elif isinstance(answer, str):
        text = answer.strip().replace("−", "-").replace("×", "*")  # as pasted from the steps
        if not text:
            return math.nan, _("the answer is empty")
        try:
            names = variables(text)
            value = evaluate(text, {}).data if not names else math.nan
        except (ValueError, ArithmeticError, TypeError, RecursionError, MemoryError) as e:
            return math.nan, _("{answer} is not a number ({reason})").format(
                answer=repr(answer.strip()), reason=_reason(e))
        if names:
            return math.nan, _("{answer} names {names}; an answer may use numbers only").format(
                answer=repr(answer.strip()), names=", ".join(names))
    else:
        return math.nan, _("a {kind} is not a number").format(kind=type(answer).__name__)
    if not math.isfinite(value):
        return math.nan, _("{answer} is not a finite number").format(answer=repr(answer))
    return value, None


def _reason(e: Exception) -> str:
    """Why the parser refused an answer, without the nodes a DomainError names."""
    if isinstance(e, DomainError):  # "div: domain error at <the operands>: division by zero"
        return str(e).rsplit(": ", 1)[-1]
    if isinstance(e, OverflowError):
        return _("the result is too large")
    return str(e)


class Question:
    """One memo entry to compute: ``prompt`` asks for it, ``answer`` is the right
    number, ``check(answer)`` says whether a given one is right.

    ``node`` is the node whose entry is asked, ``index`` its step's index
    (``step``: the Step itself, with the memo as it stands once this entry is
    filled). ``tries``, ``wrong`` and ``solved`` keep the progress of this question.
    Hints and feedback are in ``lang`` (default: the language in force when it is made).
    """

    def __init__(self, step: Step, tolerance: float = DEFAULT_TOLERANCE,
                 absolute: float = DEFAULT_ABSOLUTE, ascii: bool = False,
                 lang: str | None = None) -> None:
        self.lang = get_language(lang)
        self.step = step
        self.node: Value = step.node
        self.index: int = step.index
        with use_language(self.lang):  # an unlabelled output's name is a word
            self.name: str = step.name()
        self.answer: float = step.grad
        self.prompt: str = entry_symbol(self.name, ascii) + " = ?"
        self.tolerance = tolerance
        self.absolute = absolute
        self.ascii = ascii
        self.tries = 0  # answers that were numbers
        self.wrong = 0
        self.solved = False

    def __repr__(self) -> str:
        state = "solved" if self.solved else f"{self.tries} tries"
        return f"<Question {self.index + 1}: {self.prompt} ({state})>"

    def check(self, answer: object) -> Feedback:
        """Check ``answer`` (a number, or a string of arithmetic such as ``"0.5*2"``).

        Never raises: an answer that is not a number gets a Feedback whose hint says
        so, and does not count as a try. Each wrong number deepens the next hint.
        """
        with use_language(self.lang):
            value, why = _read(answer)
            if why is not None:
                return Feedback(False, _("{problem}. Type a number such as 0.25, or arithmetic "
                                         "such as 0.5*2.").format(problem=why),
                                None, 0, self.tries, self.lang)
        self.tries += 1
        if math.isclose(value, self.answer, rel_tol=self.tolerance, abs_tol=self.absolute):
            self.solved = True
            return Feedback(True, None, value, 0, self.tries, self.lang)
        self.wrong += 1
        level = min(self.wrong, DEEPEST_HINT)
        return Feedback(False, self.hint(level), value, level, self.tries, self.lang)

    def hint(self, level: int) -> str:
        """The hint at depth ``level``: 1 the chain rule in symbols, 2 the numbers to
        put in, 3 the products to add."""
        with use_language(self.lang):
            return self._hint(level)

    def _hint(self, level: int) -> str:
        step, ascii = self.step, self.ascii
        times, minus = _signs(ascii)
        if not step.contributions:  # the output: nothing flows into it
            if level == 1:
                if self.name == "C":
                    return _("C is the output: how much does C change when C itself changes?")
                return _("{name} is the output: how much does C change when {name} "
                         "changes?").format(name=self.name)
            return output_line(step, ascii)
        if level <= 1:
            users = _and(list(dict.fromkeys(step.name(c.child) for c in step.contributions)))
            uses = len(step.contributions)
            symbols = chain_rule_symbols(step, ascii)
            if uses == 1:
                text = _("{symbols}. {name} is used once, by {users}: the local derivative "
                         "times that user's entry.")
            elif uses == 2:
                text = _("{symbols}. {name} is used twice, by {users}: add one term per use, "
                         "the local derivative times that user's entry.")
            else:
                text = _("{symbols}. {name} is used {count} times, by {users}: add one term "
                         "per use, the local derivative times that user's entry.")
            return text.format(symbols=symbols, name=self.name, users=users, count=uses)
        if level == 2:
            entries = {}  # each user's entry once, even when it uses this node twice
            locals_ = []
            for (local, entry), c in zip(chain_rule_terms(step, ascii), step.contributions):
                entries[entry] = c.child_grad
                locals_.append(f"{local} = {format_number(c.local, minus)}")
            known = [f"{e} = {format_number(g, minus)}" for e, g in entries.items()]
            return _("From the memo: {entries}. Local derivatives from the forward pass: "
                     "{locals}.").format(entries=_and(known), locals=_and(locals_))
        products = [f"{_factor(c.local, minus)}{times}{_factor(c.child_grad, minus)} = "
                    f"{format_number(c.product, minus)}" for c in step.contributions]
        if len(products) == 1:
            return f"{entry_symbol(self.name, ascii)} = {products[0]}."
        return _("Add the products: {products}.").format(products=_and(products))


def _and(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c`` (in the current language)."""
    if len(items) == 1:
        return items[0]
    # Translators: joins all but the last item of a list ("a, b and c")
    comma = _(", ")
    return _("{items} and {last}").format(items=comma.join(items[:-1]), last=items[-1])


class Quiz(Sequence[Question]):
    """The questions of one graph, one per memo entry, in the order backprop fills
    them (``quiz[k]`` is step k of ``steps(loss)``), with the progress a UI shows:
    ``score`` (questions answered right), ``answered``, ``current`` (the first
    not yet right) and ``done``. ``lang``: the language of its texts and its page.
    """

    def __init__(self, loss: Value, tolerance: float = DEFAULT_TOLERANCE,
                 absolute: float = DEFAULT_ABSOLUTE, ascii: bool = False,
                 lang: str | None = None) -> None:
        self.loss = loss
        self.tolerance = tolerance
        self.absolute = absolute
        self.lang = get_language(lang)
        self.questions: tuple[Question, ...] = tuple(
            Question(step, tolerance, absolute, ascii, self.lang)
            for step in _generate_steps(loss, 1.0, add_to_grad=False))  # .grad untouched

    @overload
    def __getitem__(self, i: int) -> Question: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[Question, ...]: ...

    def __getitem__(self, i: int | slice) -> Question | tuple[Question, ...]:
        return self.questions[i]

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    @property
    def score(self) -> int:
        """The number of questions answered right (at any try)."""
        return sum(q.solved for q in self.questions)

    @property
    def answered(self) -> int:
        """The number of questions with at least one answer that was a number."""
        return sum(q.tries > 0 for q in self.questions)

    @property
    def current(self) -> Question | None:
        """The first question not yet answered right, or None when all are."""
        return next((q for q in self.questions if not q.solved), None)

    @property
    def done(self) -> bool:
        """True when every question has been answered right."""
        return self.current is None

    def __str__(self) -> str:
        with use_language(self.lang):
            return _("{score} of {count} right").format(score=self.score, count=len(self))

    def __repr__(self) -> str:
        return f"<Quiz: {len(self)} questions, {self.score} right>"

    def _repr_html_(self) -> str:
        """Jupyter shows the quiz as a page to answer in (``autograd.viz.quiz_page``)."""
        from ..viz.quiz import quiz_html  # here: explain imports nothing of viz

        return quiz_html(self)


def quiz(loss: Value, tolerance: float = DEFAULT_TOLERANCE, absolute: float = DEFAULT_ABSOLUTE,
         ascii: bool = False, lang: str | None = None) -> Quiz:
    """The questions for ``loss``'s backward pass: one per memo entry, in the order
    ``steps(loss)`` fills them, the output's own entry (1) first.

    ``tolerance`` is relative, ``absolute`` the floor for entries near 0 (see the
    module's docstring); ``ascii=True`` writes prompts and hints with d, * and -
    for terminals that cannot show ∂, × and −. ``lang`` (``"en"``, ``"zh-CN"``,
    ``"zh-TW"``): the language of hints, feedback and the quiz's page; default the
    one in force (``autograd.set_language``, ``MEMOGRAD_LANG``, the locale).
    ``.grad`` is not touched.
    """
    if not isinstance(loss, Value):
        raise TypeError(f"quiz: loss must be a Value, got {type(loss).__name__}")
    for name, x in (("tolerance", tolerance), ("absolute", absolute)):
        if isinstance(x, bool) or not isinstance(x, numbers.Real) or not 0 <= x < math.inf:
            raise ValueError(f"quiz: {name} must be a number >= 0, got {x!r}")
    return Quiz(loss, float(tolerance), float(absolute), ascii, get_language(lang))
