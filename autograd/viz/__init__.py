"""Pictures of a computation graph with its numbers.

- ``dot``: ``draw(root)``, the graph as DOT text (boxes, op nodes, clusters,
  legend, colours) in a ``graphviz.Digraph``.
- ``render``: finding a program that renders DOT; ``save(root, "g.svg")``.
- ``notebook``: how a drawing, and a Value, display in Jupyter.
- ``page``: ``walkthrough(loss, "backprop.html")``, a page stepping through
  the backward pass.

Importing this package does not import ``graphviz``: drawing does.
"""

from .dot import MAX_NODES, draw
from .page import walkthrough
from .render import RendererNotFound, find_dot, save

__all__ = ["MAX_NODES", "RendererNotFound", "draw", "find_dot", "save", "walkthrough"]
