"""``memograd demo``: micrograd's demo, trained through ``nn.fit``.

An MLP 2 → 16 → 16 → 1 (ReLU) learns to separate 100 two-moons points with
micrograd's max-margin loss plus ``1e-4 Σ w²``, full-batch SGD with the step
size falling linearly from 1.0 to 0.1 over 100 epochs. The demo writes the
trained model (``model.json``, see ``nn.load``) and a picture of the decision
boundary (``decision_boundary.png``) to an output folder.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograd import no_grad
from autograd.files import write_atomically

from .datasets import moons
from .history import History
from .io import save
from .layers import MLP
from .losses import hinge
from .optim import SGD, LinearLR
from .train import Evaluation, evaluate, fit

DATA_SEED = 0
MODEL_SEED = 1


@dataclass
class DemoResult:
    model: MLP
    history: History
    evaluation: Evaluation
    model_path: Path
    plot_path: Path


def _figure_class() -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError as e:
        raise ImportError('the decision-boundary plot needs matplotlib: '
                          'pip install "memograd[notebooks]"') from e
    return Figure


def train(epochs: int = 100, seed: int = MODEL_SEED,
          progress: bool = True) -> tuple[MLP, Any, History]:
    """micrograd's demo through ``nn``: returns the model, the data and the History."""
    data = moons(100, noise=0.1, seed=DATA_SEED, labels=(-1, 1))
    model = MLP(2, [16, 16, 1], seed=seed)
    optimizer = SGD(model.parameters(), lr=1.0)
    schedule = LinearLR(optimizer, start_factor=1.0, end_factor=0.1, total_iters=100)
    history = fit(model, hinge, optimizer, data, epochs=epochs, batch_size=None,
                  scheduler=schedule, l2=1e-4, progress=progress)
    return model, data, history


def plot_decision_boundary(model: MLP, data: Any, path: str | Path, step: float = 0.05,
                           title: str = "decision boundary") -> Path:
    """Colour the plane by the sign of the model's score and draw the points on top."""
    Figure = _figure_class()
    xs = [x for x, _ in data]
    labels = [y for _, y in data]
    x0 = min(p[0] for p in xs) - 1
    x1 = max(p[0] for p in xs) + 1
    y0 = min(p[1] for p in xs) - 1
    y1 = max(p[1] for p in xs) + 1
    gx = [x0 + i * step for i in range(int((x1 - x0) / step) + 1)]
    gy = [y0 + j * step for j in range(int((y1 - y0) / step) + 1)]
    with no_grad():
        side = [[1.0 if model([x, y]).data > 0 else -1.0 for x in gx] for y in gy]
    fig = Figure(figsize=(5.5, 4.5), layout="constrained")
    ax = fig.subplots()
    ax.contourf(gx, gy, side, levels=[-2, 0, 2], cmap="Spectral", alpha=0.8)
    ax.scatter([p[0] for p in xs], [p[1] for p in xs], c=labels, s=30, cmap="Spectral",
               edgecolors="k", linewidths=0.5)
    ax.set_title(title)
    return write_atomically(path, lambda f: fig.savefig(f, format="png", dpi=100))


def run(out_dir: str | Path = "memograd-demo", epochs: int = 100, seed: int = MODEL_SEED,
        progress: bool = True) -> DemoResult:
    """Train, then write ``model.json`` and ``decision_boundary.png`` into ``out_dir``."""
    _figure_class()  # fail before training, not after, when matplotlib is missing
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} exists and is not a folder")
    model, data, history = train(epochs, seed, progress)
    evaluation = evaluate(model, data, hinge)
    out.mkdir(parents=True, exist_ok=True)
    model_path = save(model, out / "model.json")
    title = (f"MLP(2, [16, 16, 1]) after {history.epochs} epochs: "
             f"{evaluation.accuracy:.0%} of the moons right")
    plot_path = plot_decision_boundary(model, data, out / "decision_boundary.png", title=title)
    return DemoResult(model, history, evaluation, model_path, plot_path)


def main(args: argparse.Namespace) -> int:
    """The ``memograd demo`` command (see ``autograd.cli``)."""
    if args.epochs < 1:
        raise ValueError(f"--epochs must be at least 1, got {args.epochs}")
    result = run(args.out, args.epochs, args.seed, progress=not args.no_progress)
    ev = result.evaluation
    print(f"trained MLP(2, [16, 16, 1]) ({result.model.num_parameters()} parameters) on "
          f"100 two-moons points for {result.history.epochs} epochs")
    print(f"final training loss {result.history.train_loss[-1]:.6f}, "
          f"training accuracy {ev.accuracy:.0%}")
    print(f"wrote {result.model_path} (reload with nn.load)")
    print(f"wrote {result.plot_path}")
    return 0
