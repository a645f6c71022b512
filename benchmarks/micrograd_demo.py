"""micrograd's own demo workload, on memograd and on micrograd 0.1.0, in one run.

MLP 2->16->16->1 (ReLU), 100 two-moons points, max-margin loss + 1e-4 L2,
full-batch SGD, 20 steps, all engines starting from the same weights. The
losses must agree to 1e-9; the script prints them, the seconds per step of
each engine and the ratios.

Each run of an engine (``--steps`` steps) is a fresh worker process, and the
rounds alternate the engines, so no engine inherits another's heap: micrograd
with its collector off leaves millions of dead objects behind, which would
slow whatever runs next. A run's figure is its mean seconds per step (the
collector's pauses fall on some steps, so a median would hide them); the
table shows the median over the rounds.

    python benchmarks/micrograd_demo.py [--steps 20] [--repeats 3]

Needs the ``bench`` extra (micrograd==0.1.0).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import math
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable


def moons(n: int = 100, noise: float = 0.1, seed: int = 1) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles (as sklearn.datasets.make_moons), labels -1/+1."""
    rng = random.Random(seed)
    xs, ys = [], []
    for i in range(n):
        t = math.pi * (i % (n // 2)) / (n // 2 - 1)
        if i < n // 2:
            x, y, label = math.cos(t), math.sin(t), -1.0
        else:
            x, y, label = 1 - math.cos(t), 0.5 - math.sin(t), 1.0
        xs.append([x + rng.gauss(0, noise), y + rng.gauss(0, noise)])
        ys.append(label)
    return xs, ys


def initial_weights(sizes: list[int], seed: int = 1337) -> list[list[list[float]]]:
    """weights[layer][neuron] = [w_1, ..., w_nin, b], uniform(-1, 1) as micrograd."""
    rng = random.Random(seed)
    return [[[rng.uniform(-1, 1) for _ in range(nin)] + [0.0] for _ in range(nout)]
            for nin, nout in itertools.pairwise(sizes)]


class ScalarMLP:
    """micrograd's MLP written once for any Value class: neurons are sum(w*x) + b."""

    def __init__(self, value_cls: type, weights: list[list[list[float]]]) -> None:
        self.layers = [[([value_cls(w) for w in row[:-1]], value_cls(row[-1])) for row in layer]
                       for layer in weights]

    def parameters(self) -> list:
        return [p for layer in self.layers for ws, b in layer for p in (*ws, b)]

    def __call__(self, x: list) -> object:
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            out = []
            for ws, b in layer:
                act = sum((wi * xi for wi, xi in zip(ws, x)), b)
                out.append(act.relu() if i != last else act)
            x = out
        return x[0]


def make_nn_mlp(weights: list[list[list[float]]]) -> object:
    """The same network through memograd's nn.MLP (one dot node per neuron)."""
    from nn import MLP

    model = MLP(2, [len(layer) for layer in weights])
    flat = [w for layer in weights for row in layer for w in row]
    for p, w in zip(model.parameters(), flat, strict=True):
        p.data = w
    return model


def train_step(model: Callable, params: list, xs: list, ys: list[float], value_cls: type,
               k: int, const_inputs: bool) -> tuple[float, float]:
    """One step of micrograd's demo: forward, max-margin + L2 loss, backward, SGD."""
    inputs = xs if const_inputs else [[value_cls(v) for v in row] for row in xs]
    scores = [model(row) for row in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in params)
    total = data_loss + reg_loss
    for p in params:
        p.grad = 0.0
    total.backward()
    lr = 1.0 - 0.9 * k / 100
    for p in params:
        p.data -= lr * p.grad
    acc = sum((yi > 0) == (si.data > 0) for yi, si in zip(ys, scores)) / len(ys)
    return total.data, acc


def run(build: Callable[[], tuple], steps: int, gc_off: bool = False) -> dict:
    """Train ``steps`` steps; the losses and the mean seconds per step."""
    model, params, value_cls, const_inputs = build()
    xs, ys = moons()
    losses, times = [], []
    was_enabled = gc.isenabled()
    if gc_off:
        gc.disable()
    try:
        for k in range(steps):
            t0 = time.perf_counter()
            loss, acc = train_step(model, params, xs, ys, value_cls, k, const_inputs)
            times.append(time.perf_counter() - t0)
            losses.append(loss)
    finally:
        if was_enabled:
            gc.enable()
    return {"losses": losses, "mean": statistics.fmean(times), "acc": acc}


def engines() -> dict[str, tuple[Callable[[], tuple], bool]]:
    """name -> (build the model, run with the collector off)."""
    import micrograd.engine

    import autograd

    weights = initial_weights([2, 16, 16, 1])

    def scalar(cls):
        def build():
            m = ScalarMLP(cls, weights)
            return m, m.parameters(), cls, False
        return build

    def through_nn():
        m = make_nn_mlp(weights)
        return m, m.parameters(), autograd.Value, True

    return {
        "micrograd 0.1.0": (scalar(micrograd.engine.Value), False),
        "micrograd 0.1.0, gc off": (scalar(micrograd.engine.Value), True),
        "memograd, same graph": (scalar(autograd.Value), False),
        "memograd, same graph, gc off": (scalar(autograd.Value), True),
        "memograd nn.MLP (dot)": (through_nn, False),
    }


def in_worker(name: str, steps: int) -> dict:
    """One run of engine ``name`` in a fresh interpreter."""
    done = subprocess.run([sys.executable, __file__, "--worker", name, "--steps", str(steps)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3, help="alternating rounds; medians of all")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        build, gc_off = engines()[args.worker]
        print(json.dumps(run(build, args.steps, gc_off)))
        return

    names = list(engines())
    results: dict[str, list[dict]] = {name: [] for name in names}
    for _ in range(args.repeats):  # alternate engines so drift hits all alike
        for name in names:
            results[name].append(in_worker(name, args.steps))

    reference = results["micrograd 0.1.0"][0]["losses"]
    print(f"{'engine':28s} {'s/step':>9s}  {'final loss':>14s}  acc   max |loss - micrograd|")
    per_step = {}
    for name, runs in results.items():
        per_step[name] = statistics.median(r["mean"] for r in runs)
        diff = max(abs(a - b) for r in runs for a, b in zip(r["losses"], reference))
        last = runs[-1]
        print(f"{name:28s} {per_step[name]:9.5f}  {last['losses'][-1]:14.10f}  "
              f"{last['acc']:.2f}  {diff:.2e}")
        assert diff < 1e-9, f"{name}: losses differ from micrograd's by {diff}"
    print()
    base, base_nogc = per_step["micrograd 0.1.0"], per_step["micrograd 0.1.0, gc off"]
    for name in per_step:
        if name.startswith("memograd") and not name.endswith("gc off"):
            print(f"{name}: {base / per_step[name]:.1f}x faster than micrograd, "
                  f"{base_nogc / per_step[name]:.1f}x faster than micrograd with gc off")
    off = "memograd, same graph, gc off"
    print(f"{off}: {base_nogc / per_step[off]:.1f}x faster than micrograd with gc off "
          "(both engines without the cycle collector)")
    print("losses per step (micrograd):", " ".join(f"{v:.6f}" for v in reference))


if __name__ == "__main__":
    main()
