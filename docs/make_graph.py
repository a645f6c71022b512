"""Regenerate the picture in the README: ``python docs/make_graph.py``.

The course's first layer (input x = [1, -1], W = [[1, -2], [-1, 1]], b = [1, 0],
sigmoid, so z = [4, -2] and a ≈ [0.98, 0.12]) feeding one linear output neuron
(weights [2, -1], bias 0.5, chosen for the picture), with the squared error
against the target 1 as C. After ``backward()`` every box shows data and
dC/dnode, every input edge the local derivative from the forward pass.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing

import nn  # noqa: E402
from autograd import Value  # noqa: E402
from autograd.viz import save  # noqa: E402

OUT = HERE / "course-net.svg"


def course_net() -> Value:
    """The loss of the course's two-layer example, after backward()."""
    model = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="linear", seed=0)
    weights = [1.0, -2.0, 1.0,   # layers.0.neurons.0: w.0, w.1, b
               -1.0, 1.0, 0.0,   # layers.0.neurons.1
               2.0, -1.0, 0.5]   # layers.1.neurons.0
    for p, w in zip(model.parameters(), weights, strict=True):
        p.data = w
    loss = nn.mse(model([1.0, -1.0]), 1.0)
    loss.label = "C"
    loss.backward()
    return loss


def main() -> None:
    save(course_net(), OUT, show_local=True)
    print(f"wrote {OUT.relative_to(HERE.parent)} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
