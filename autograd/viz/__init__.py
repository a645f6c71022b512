"""Pictures of a computation graph with its numbers.

- ``dot``: ``draw(root)``, the graph as DOT text (boxes, op nodes, clusters,
  legend, colours) in a ``graphviz.Digraph``.
- ``render``: finding a program that renders DOT; ``save(root, "g.svg")``.
- ``notebook``: how a drawing, a Value and a whole page display in Jupyter
  (a page in a sandboxed iframe).
- ``page``: ``walkthrough(loss, "backprop.html")``, a page stepping through
  the backward pass; ``walkthrough(loss)`` shows it inline in Jupyter.
- ``quiz``: ``quiz_page(autograd.quiz(loss))``, the page where the learner
  fills the memo; what Jupyter shows for a quiz.

Importing this package does not import ``graphviz``: drawing does.
"""

from .dot import MAX_NODES, draw
from .page import Walkthrough, walkthrough
from .quiz import QuizPage, quiz_page
from .render import RendererNotFound, find_dot, save

__all__ = [
    "MAX_NODES",
    "QuizPage",
    "RendererNotFound",
    "Walkthrough",
    "draw",
    "find_dot",
    "quiz_page",
    "save",
    "walkthrough",
]
