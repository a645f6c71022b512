"""autograd.quiz: one question per memo entry, checked answers, hints that go deeper."""

import math

import pytest
from test_steps import course_net, random_graph

import autograd
from autograd import Constant, Feedback, Question, Quiz, Value, quiz, steps
from autograd.explain import chain_rule_symbols
from autograd.explain.quiz import DEFAULT_ABSOLUTE, DEFAULT_TOLERANCE, read_answer


def x_times_y_plus_x():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    return x, y, x * y + x


def test_one_question_per_memo_entry_in_the_order_of_steps():
    for loss in (course_net()[0], random_graph(3)[0], x_times_y_plus_x()[2]):
        q = quiz(loss)
        stepped = list(steps(loss))
        assert isinstance(q, Quiz) and len(q) == len(stepped)
        assert [question.node for question in q] == [s.node for s in stepped]
        assert [question.index for question in q] == list(range(len(q)))
        assert [question.answer for question in q] == [s.grad for s in stepped]
        assert q[0].node is loss and q[0].answer == 1.0  # the output's own entry is asked
        assert q[1:3] == tuple(q)[1:3] and list(q) == list(q.questions)


def test_prompts_name_the_entry_and_the_output_is_c():
    loss = x_times_y_plus_x()[2]
    q = quiz(loss)
    assert [question.prompt for question in q] == [
        "∂C/∂C = ?", "∂C/∂(mul#2) = ?", "∂C/∂x = ?", "∂C/∂y = ?"]
    assert [question.prompt for question in quiz(loss, ascii=True)] == [
        "dC/dC = ?", "dC/d(mul#2) = ?", "dC/dx = ?", "dC/dy = ?"]
    assert "∂C/∂(w1) = ?" in [question.prompt for question in quiz(course_net()[0])]


def test_numbers_used_in_an_operation_get_no_question():
    y = Value(0.8, "y")
    q = quiz((y - 1.0) ** 2)
    assert [question.prompt for question in q] == ["∂C/∂C = ?", "∂C/∂(sub#2) = ?", "∂C/∂y = ?"]
    assert not any(isinstance(question.node, Constant) for question in q)


def test_right_answers_as_numbers_or_arithmetic():
    loss = x_times_y_plus_x()[2]
    q = quiz(loss)
    for answer in (4, 4.0, "4", " 4 ", "1*1 + 3*1", "(1 + 3)", "8/2", "4.0001", "2**2"):
        feedback = q[2].check(answer)
        assert isinstance(feedback, Feedback)
        assert feedback.correct and feedback.hint is None and feedback.level == 0, answer
        assert feedback.value == pytest.approx(4.0, rel=1e-3)
    assert q[2].solved and q[2].tries == 9 and q[2].wrong == 0
    # what the steps print can be pasted back: the minus sign − and the times sign ×
    neg = quiz(Value(-2.0, "w") * Value(3.0, "x"))
    assert neg[-1].answer == -2.0 and neg[-1].check("(−2) × 1").correct
    assert read_answer("sigmoid(0)*(1 - sigmoid(0))") == 0.25


def test_hints_deepen_on_each_wrong_try():
    loss = x_times_y_plus_x()[2]
    question = quiz(loss)[2]  # ∂C/∂x = 1·1 + 3·1 = 4: x is used by C directly and by x*y
    first, second, third, fourth = (question.check(5) for _ in range(4))
    assert [f.correct for f in (first, second, third, fourth)] == [False] * 4
    assert [f.level for f in (first, second, third, fourth)] == [1, 2, 3, 3]
    assert [f.tries for f in (first, second, third, fourth)] == [1, 2, 3, 4]
    # (1) the chain-rule line in symbols: which users, which local derivatives
    assert first.hint.startswith(chain_rule_symbols(question.step))
    assert "∂(mul#2 + x)/∂x × ∂C/∂C + ∂(mul#2)/∂x × ∂C/∂(mul#2)" in first.hint
    assert "used twice, by C and mul#2" in first.hint
    # (2) the numbers of those entries and local derivatives
    assert second.hint == ("From the memo: ∂C/∂C = 1 and ∂C/∂(mul#2) = 1. Local derivatives "
                           "from the forward pass: ∂(mul#2 + x)/∂x = 1 and ∂(mul#2)/∂x = 3.")
    # (3) the products to add
    assert third.hint == "Add the products: 1 × 1 = 1 and 3 × 1 = 3."
    assert fourth.hint == third.hint
    assert str(first).startswith("not yet: ")
    right = question.check(4)
    assert right.correct and right.hint is None and str(right) == "right" and right.tries == 5
    assert question.solved and question.wrong == 4


def test_hints_of_a_single_use_and_of_the_output():
    q = quiz(course_net()[0])
    w2 = next(question for question in q if question.name == "w2")
    step = w2.step
    (c,) = step.contributions
    hints = [w2.check(123.0).hint for _ in range(3)]
    assert hints[0].startswith("∂C/∂(w2) = ∂(") and "used once" in hints[0]
    assert "= −1" in hints[1]  # its local derivative: x2
    assert hints[2] == f"∂C/∂(w2) = (−1) × {autograd.explain.format_number(c.child_grad)} = " \
                       f"{autograd.explain.format_number(c.product)}."
    output = q[0]
    assert output.check(0).hint.startswith("C is the output")
    assert output.check(0).hint == "∂C/∂C = 1: C is the output"
    assert output.check("1").correct
    labelled = Value(2.0, "a") * 3.0
    labelled.label = "loss"
    assert quiz(labelled)[0].check(2).hint == "loss is the output: how much does C change " \
                                              "when loss changes?"


def test_a_node_used_twice_by_one_operation():
    x = Value(3.0, "x")
    question = quiz(x * x)[1]
    hints = [question.check(3).hint for _ in range(3)]
    assert "used twice, by C" in hints[0]
    assert hints[1].count("∂(x * x)/∂x = 3") == 2 and hints[1].count("∂C/∂C = 1") == 1
    assert hints[2] == "Add the products: 3 × 1 = 3 and 3 × 1 = 3."
    assert question.check(6).correct


@pytest.mark.parametrize("answer", [
    "abc", "x + 1", "", "   ", None, [4], {"a": 4}, b"4", True, 4j, "1/0", "log(-1)",
    "nan", "inf", float("nan"), float("inf"), -math.inf, "1e400", "9**9**9", "4 4", "4,0",
    "__import__('os').system('true')", "(lambda: 4)()", "x.real", "4" * 20_000, "(" * 500,
    "\x00", "\ud800", Value(4.0)])
def test_an_answer_that_is_not_a_number_gets_a_hint_not_an_exception(answer):
    loss = x_times_y_plus_x()[2]
    question = quiz(loss)[2]
    feedback = question.check(answer)
    assert not feedback.correct and feedback.value is None and feedback.level == 0
    assert "Type a number such as 0.25" in feedback.hint
    assert question.tries == 0 and question.wrong == 0  # not counted as a try
    assert question.check(5).level == 1  # so the first wrong number still gets hint 1
    with pytest.raises(ValueError):
        read_answer(answer)


def test_names_in_an_answer_are_named():
    question = quiz(x_times_y_plus_x()[2])[2]
    assert question.check("x + 1").hint.startswith("'x + 1' names x; an answer may use numbers")
    assert "division by zero" in question.check("1/0").hint


def test_tolerance_is_relative_with_an_absolute_floor():
    assert (DEFAULT_TOLERANCE, DEFAULT_ABSOLUTE) == (1e-3, 1e-6)
    x = Value(0.7, "x")
    loss = (x * 1.234567).tanh()
    right = list(steps(loss))[-1].grad
    question = quiz(loss)[-1]
    assert question.check(f"{right:.4g}").correct  # 4 significant digits pass
    assert not question.check(right * 1.002).correct
    loose = quiz(loss, tolerance=1e-2)[-1]
    assert loose.check(right * 1.005).correct and loose.tolerance == 1e-2
    # an entry of exactly 0 (a relu that is off): an answer within 1e-6 counts
    dead = quiz(Value(-1.0, "z").relu() * 2.0)[-1]
    assert dead.answer == 0.0
    assert dead.check(0).correct and dead.check(-5e-7).correct and not dead.check(1e-5).correct
    assert quiz(Value(-1.0, "z").relu(), absolute=1e-4)[-1].check(5e-5).correct


def test_bad_arguments():
    with pytest.raises(TypeError, match="quiz: loss must be a Value"):
        quiz(3.0)
    for bad in (-1e-3, float("nan"), float("inf"), "0.1", True):
        with pytest.raises(ValueError, match="quiz: tolerance must be a number >= 0"):
            quiz(Value(1.0), tolerance=bad)
        with pytest.raises(ValueError, match="quiz: absolute must be a number >= 0"):
            quiz(Value(1.0), absolute=bad)


def test_progress_for_a_user_interface():
    loss = x_times_y_plus_x()[2]
    q = quiz(loss)
    assert (q.score, q.answered, q.current, q.done) == (0, 0, q[0], False)
    assert str(q) == "0 of 4 right" and repr(q) == "<Quiz: 4 questions, 0 right>"
    q[0].check(1)
    q[2].check(7)
    assert (q.score, q.answered, q.current) == (1, 2, q[1])
    for question in q:
        question.check(question.answer)
    assert (q.score, q.answered, q.current, q.done) == (4, 4, None, True)
    assert str(q) == "4 of 4 right" and repr(q[1]) == "<Question 2: ∂C/∂(mul#2) = ? (solved)>"
    assert isinstance(q[1], Question) and q[1].step.memo.is_filled(q[1].node)


def test_every_answer_of_a_net_checks_and_grad_is_untouched():
    loss, _ = course_net()
    nodes = autograd.topological_order(loss)
    q = quiz(loss)
    assert all(question.check(question.answer).correct for question in q)
    assert all(question.check(f"{question.answer:.5g}").correct for question in q)
    assert q.done and all(n.grad == 0.0 for n in nodes)


def test_exported_from_autograd():
    for name in ("quiz", "Quiz", "Question", "Feedback"):
        assert name in autograd.__all__ and hasattr(autograd, name)
