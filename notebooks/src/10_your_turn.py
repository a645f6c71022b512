# Lesson 10 of the memograd course notebooks: build with `python notebooks/build.py 10`.

# %% [markdown]
# # 10. Your turn: compute the memo yourself
#
# Lesson 2 watched memograd run the backward pass of the course's two-layer net. Now you
# run it: `autograd.quiz(C)` asks for every memo entry ∂C/∂node, in the order backprop
# fills them, and checks each answer. A wrong answer gets a hint, one level deeper each
# try: (1) the chain-rule line in symbols, (2) the numbers to put in, (3) the products to
# add. Then `autograd.mistake(C, kind)` runs four wrong versions of backprop on the same
# net, bugs that learners (and libraries) have written, and puts each beside the right
# memo; a nudge, the finite-difference estimate of an entry, says which one is right.

# %%
import math
import re
import subprocess
import sys

from lesson_text import T  # T("..."): the words it prints, in the notebook's language

import autograd
from autograd import Value as V
from autograd import dot, memo_table, steps
from autograd.explain import KINDS

# %% [markdown]
# ## The network, as lesson 2 builds it
#
# Inputs `x = [1, −1]`; hidden layer `z1 = w1·x1 + w2·x2 + b1`, `z2 = w5·x1 + w6·x2 + b2`,
# `a = σ(z)`; output layer `z' = w3·a1 + w7·a2 + b3`, `z'' = w4·a1 + w8·a2 + b4`,
# `y = σ(z)`; cost `C = (y1 − 1)² + y2²`, the squared error against `ŷ = [1, 0]`.

# %%
def named(value, label):
    """Give an inner node a name for the printouts."""
    value.label = label
    return value


x1, x2 = 1.0, -1.0
w1, w2, b1 = V(1.0, "w1"), V(-2.0, "w2"), V(1.0, "b1")
w5, w6, b2 = V(-1.0, "w5"), V(1.0, "w6"), V(0.0, "b2")
w3, w7, b3 = V(2.0, "w3"), V(-1.0, "w7"), V(0.0, "b3")
w4, w8, b4 = V(-2.0, "w4"), V(-1.0, "w8"), V(0.0, "b4")

z1 = named(dot([w1, w2, b1], [x1, x2, 1.0]), "z1")
z2 = named(dot([w5, w6, b2], [x1, x2, 1.0]), "z2")
a1 = named(z1.sigmoid(), "a1")
a2 = named(z2.sigmoid(), "a2")
zp = named(dot([w3, w7, b3], [a1, a2, 1.0]), "z'")
zpp = named(dot([w4, w8, b4], [a1, a2, 1.0]), "z''")
y1 = named(zp.sigmoid(), "y1")
y2 = named(zpp.sigmoid(), "y2")
e1 = named(y1 - 1, "y1−1")
s1 = named(e1 ** 2, "(y1−1)²")
s2 = named(y2 ** 2, "y2²")
C = named(s1 + s2, "C")
print(f"a = [{a1.data:.4f}, {a2.data:.4f}]  y = [{y1.data:.4f}, {y2.data:.4f}]  "
      f"C = {C.data:.4f}")

# %% [markdown]
# ## The questions
#
# One question per memo entry, in the order `steps(C)` fills them: the cost first, then
# the output layer, then the hidden layer. The number 1 in `y1 − 1` is no parameter and
# gets no question, as it gets no step.

# %%
quiz = autograd.quiz(C)
for question in quiz:
    print(f"{question.index + 1:2d}. {question.prompt}")

# %%
walk = list(steps(C))
assert [q.node for q in quiz] == [step.node for step in walk] and len(quiz) == 24
assert quiz[0].prompt == "∂C/∂C = ?" and quiz[0].answer == 1.0
C.zero_grad()  # steps() adds the entries into .grad, as backward() does; start clean

# %% [markdown]
# ## Answering, and the hints
#
# An answer is a number or arithmetic on numbers (`"2*(0.73 - 1)"`), checked within a
# relative 1e-3, so four significant digits pass. The first entries follow from the cost
# alone: C is a sum, so both squares get 1, and `∂C/∂(y1−1) = 2(y1 − 1)`.

# %%
def answer(question, guess):
    """Check ``guess`` and print what the quiz says."""
    feedback = question.check(guess)
    print(f"{question.prompt[:-4]} = {guess}?  {feedback}")
    return feedback


by_node = {q.node: q for q in quiz}
assert answer(quiz[0], 1).correct
assert answer(by_node[s1], 1).correct and answer(by_node[s2], 1).correct
assert answer(by_node[e1], f"2*({y1.data:.4f} - 1)").correct

# %% [markdown]
# Now a hidden activation. `a1` feeds **both** output neurons, so its entry has two terms,
# `w3·∂C/∂z' + w4·∂C/∂z''`. Three classic slips, each getting a deeper hint: keeping one
# term only; taking the activation for the local derivative (∂z'/∂w3 is a1, but ∂z'/∂a1 is
# w3); a lost sign. An answer that is not a number (the symbols themselves) is explained
# and does not count as a try.

# %%
q_a1 = by_node[a1]
dC_dzp, dC_dzpp = by_node[zp].answer, by_node[zpp].answer
assert answer(q_a1, "w3 * dC_dz").level == 0
levels = [answer(q_a1, f"{w3.data * dC_dzp:.5f}").level,                  # one term
          answer(q_a1, f"{a1.data * dC_dzp + a1.data * dC_dzpp:.5f}").level,  # a1, not w
          answer(q_a1, f"{w3.data * dC_dzp - w4.data * dC_dzpp:.5f}").level]  # a sign
right = answer(q_a1, f"{w3.data:g} * ({dC_dzp:.6f}) + ({w4.data:g}) * {dC_dzpp:.6f}")

# %%
assert levels == [1, 2, 3] and right.correct and q_a1.tries == 4 and q_a1.wrong == 3
assert q_a1.hint(1).startswith("∂C/∂(a1) = ∂(z'')/∂(a1) × ∂C/∂(z'') + ∂(z')/∂(a1) × ∂C/∂(z')")
in_english = {q.node: q for q in autograd.quiz(C, lang="en")}  # the words, in every edition
assert "a1 is used twice, by z'' and z'" in in_english[a1].hint(1)
assert math.isclose(q_a1.answer, w3.data * dC_dzp + w4.data * dC_dzpp, rel_tol=1e-12)
print(T("{score}; next: {prompt}").format(score=quiz, prompt=quiz.current.prompt))
assert quiz.score == 5 and quiz.current is quiz[4]

# %% [markdown]
# ## Your turn, in the notebook
#
# A quiz on the last line of a cell is a page: type each entry (Enter or Check) and see
# right or wrong at once; the node asked is highlighted in the graph and the memo table
# fills as you go; after three wrong tries "Show answer" gives the chain-rule line. To keep
# it short, this one is the course's first hidden neuron alone feeding both output
# neurons: seventeen entries, `a1`'s two terms included. (Jupyter hides the page of a
# notebook it does not trust, one just opened from a file: run the cell again.)

# %%
def neuron(weights, inputs, z, a):
    """σ(w·x + b) as one dot node (the bias's input fixed at 1), z and a named."""
    return named(named(dot(weights, [*inputs, 1.0]), z).sigmoid(), a)


h1 = neuron([V(1.0, "w1"), V(-2.0, "w2"), V(1.0, "b1")], [x1, x2], "z1", "a1")
o1 = neuron([V(2.0, "w3"), V(0.0, "b3")], [h1], "z'", "y1")
o2 = neuron([V(-2.0, "w4"), V(0.0, "b4")], [h1], "z''", "y2")
small = named(named(named(o1 - 1, "y1−1") ** 2, "(y1−1)²") + named(o2 ** 2, "y2²"), "C")
assert len(autograd.quiz(small)) == 17
autograd.quiz(small)  # on a cell's last line: Jupyter shows the page

# %% [markdown]
# The terminal has the same quiz: `memograd quiz EXPR --at NAME=NUMBER ...` reads one
# answer a line. Here two answers are piped in, the second one wrong; the input ends and
# the quiz stops with the score so far (exit code 1: not every entry answered right).

# %%
done = subprocess.run([sys.executable, "-m", "autograd.cli", "quiz", "x*y + x", "--at",
                       "x=2", "y=3"], input="1\n2\n", capture_output=True, text=True)
print(done.stdout, end="")
stopped = done.stdout.splitlines()[-1]  # "stopped at question 2 of 4 (end of input): 1 of 4 right."
assert done.returncode == 1 and set(re.findall(r"\d+", stopped)) == {"2", "4", "1"}

# %% [markdown]
# ## Mistakes, shown
#
# ### "order": handing an entry on too early
#
# A recursive backward pass that visits each node once, depth first from the output,
# hands a node's entry on as soon as it reaches it. Going down first operands first
# (`C`, `(y1−1)²`, `y1−1`, `y1`, `z'`), the walk reaches `a1` through `z'` and passes its
# entry on to `z1` at once, with only the `z'` share in. The `z''` share arrives later:
# `a1`'s own row ends right, but nothing below `a1` ever sees that share. The hidden
# layer's whole gradient is wrong.

# %%
order = autograd.mistake(C, "order")
print(order)

# %%
names = [order.names[n] for n in order.differs]
assert names == ["z1", "z2", "w1", "w2", "b1", "w5", "w6", "b2"] and a1 not in order.differs
sigma_prime_z1 = a1.data * (1 - a1.data)
assert math.isclose(order.memo[z1], sigma_prime_z1 * w3.data * dC_dzp, rel_tol=1e-12)
assert math.isclose(order.correct[z1],
                    sigma_prime_z1 * (w3.data * dC_dzp + w4.data * dC_dzpp), rel_tol=1e-12)

# %% [markdown]
# The fix is the memo's rule: a node's turn comes only when every node that uses it has
# reported, which is why memograd goes level by level from the output.
#
# ### "overwrite": `=` instead of `+=`
#
# Each share is stored with `=`, so `a1` and `a2`, used by both output neurons, keep only
# the last share they receive (from `z'`), and everything below them inherits the error.

# %%
overwrite = autograd.mistake(C, "overwrite")
print(overwrite)

# %%
assert [overwrite.names[n] for n in overwrite.differs[:2]] == ["a1", "a2"]
assert len(overwrite.differs) == 10
assert math.isclose(overwrite.memo[a1], w3.data * dC_dzp, rel_tol=1e-12)

# %% [markdown]
# ### "set": the operands kept in a set
#
# Keeping a node's operands in a set loses a node used twice by **one** operation. This
# net has none (the squares are written `** 2`, one operand), so the mistake does no harm
# here:

# %%
as_set = autograd.mistake(C, "set")
print(as_set)
assert as_set.differs == ()

# %% [markdown]
# Write the same cost with products, `(y1 − 1)·(y1 − 1) + y2·y2`, and the set keeps one
# operand of each product: the entries of `y1 − 1` and `y2` halve, and so does everything
# below them. The function, and so the right gradient, is the same as before.

# %%
e1_twice = named(y1 - 1, "y1−1")
C_products = named(named(e1_twice * e1_twice, "(y1−1)(y1−1)") + named(y2 * y2, "y2·y2"), "C")
as_set = autograd.mistake(C_products, "set")
print(as_set)

# %%
assert math.isclose(C_products.data, C.data, rel_tol=1e-15)
assert as_set.memo[e1_twice] == as_set.correct[e1_twice] / 2
assert math.isclose(as_set.memo[w1], as_set.correct[w1] / 2, rel_tol=1e-12)
assert math.isclose(as_set.correct[w1], order.correct[w1], rel_tol=1e-12)

# %% [markdown]
# ### "zero-grad": two backward passes, no zeroing
#
# `.grad` accumulates, so a second `backward()` without `zero_grad()` in between adds the
# gradient again: every entry doubles. The table, then the real thing:

# %%
print(autograd.mistake(C, "zero-grad"))
memo = memo_table(C)
C.backward()
C.backward()
print(T("after two backward passes: w1.grad = {twice:.6f} = 2 × {once:.6f}").format(
    twice=w1.grad, once=memo[w1]))
assert w1.grad == 2 * memo[w1] and zp.grad == 2 * memo[zp]
C.zero_grad()
C.backward()
assert w1.grad == memo[w1]

# %% [markdown]
# ## The nudge: which entry is right?
#
# An entry ∂C/∂node says how C moves when that node moves. `step.nudge()` measures it:
# push the node's value up and down by 10⁻⁶, recompute everything between it and C, divide
# the change of C by 2·10⁻⁶. For a few steps, the nudge beside the right entry and the
# mistaken ones: it agrees with the memo, not with the mistakes.

# %%
print(f"{'node':<5} {'memo':>12} {'nudge':>12} {'order':>12} {'overwrite':>12}")
for node in (zp, a1, z1, w1, w5):
    step = by_node[node].step
    print(f"{step.name():<5} {step.grad:12.8f} {step.nudge():12.8f} "
          f"{order.memo[node]:12.8f} {overwrite.memo[node]:12.8f}")
    assert math.isclose(step.nudge(), step.grad, rel_tol=1e-6)
    if node in order.differs:
        assert not math.isclose(step.nudge(), order.memo[node], rel_tol=1e-2)

# %% [markdown]
# Every mistake above is a way of getting the memo's one rule wrong: **add** one share per
# use (`+=`, every edge, `x * x` twice), and hand an entry on only once all its shares are
# in. `autograd.walkthrough(C, mistake="order")` steps through the same comparison on a
# page, and the mistake kinds are `autograd.explain.KINDS`:

# %%
print(", ".join(KINDS))
assert list(KINDS) == ["order", "overwrite", "set", "zero-grad"]
