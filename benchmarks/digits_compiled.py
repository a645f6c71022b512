"""One epoch on the 1,797 real digits: compiled replay vs micrograd vs NumPy by hand.

MLP 64->32->10 (ReLU hidden, linear output), softmax cross-entropy, batches of
32 in one seeded shuffled order, SGD (lr 0.1), every engine starting from the
same weights:

- memograd compiled: ``autograd.compile`` of one sample's loss, replayed per batch
  (``prog.backward(..., reduction="mean")`` + ``nn.optim.SGD``), and the same
  through ``nn.fit(..., compiled=True)``;
- memograd scalar: ``nn.fit`` on the Value engine;
- micrograd 0.1.0: the same net from its own ``Value`` ops. micrograd has no
  ``exp``/``log``, so it trains on a multiclass hinge loss,
  ``sum_{j != y} relu(1 + s_j - s_y)``, written from its ops;
- NumPy by hand: forward and backward matrix code, below.

The compiled, scalar and NumPy runs must end with the same weights (to 1e-9).
The fast runs (compiled, NumPy) repeat the epoch and keep each batch's fastest
time, which sheds a busy machine's hiccups. micrograd and the scalar engine are
slow, so by default they run on the first ``--slow-batches`` batches (micrograd
with its cycle collector on, on ``--gc-batches``) and their time is extrapolated
per sample, as the output says. It also prints where a compiled batch's time
goes, the same epoch with bigger batches, and the peak RSS of one ``nn.fit``
epoch, compiled and scalar, each in a fresh process. BLAS runs single-threaded.

    python benchmarks/digits_compiled.py [--slow-batches 4] [--gc-batches 1]
                                         [--repeats 5] [--full]

Needs the ``bench`` extra (micrograd==0.1.0), NumPy and scikit-learn.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import subprocess
import sys
import time

# One BLAS thread for every engine: at these sizes threads only add wake-up latency,
# and on a small shared machine a lot of noise (set the variable to override).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402 - after the BLAS setting, which NumPy reads on import

BATCH = 32
LR = 0.1
HIDDEN = 32
SEED = 0  # model initialisation
ORDER_SEED = 1  # the shuffled order of the samples


# -- data, weights, batches ---------------------------------------------------------
def load() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    d = load_digits()
    return d.data / 16.0, d.target.astype(int)


def batches(n: int, size: int = BATCH) -> list[np.ndarray]:
    order = list(range(n))
    random.Random(ORDER_SEED).shuffle(order)
    return [np.array(order[i:i + size]) for i in range(0, n, size)]


def memograd_model():
    import nn

    return nn.MLP(64, [HIDDEN, 10], seed=SEED)  # ReLU hidden, linear output (micrograd's)


def weights_of(model) -> list[float]:
    return [p.data for p in model.parameters()]


def as_matrices(flat: list[float]) -> list[np.ndarray]:
    """nn.MLP's parameter order (neuron by neuron, weights then bias) as W1, b1, W2, b2."""
    out, k = [], 0
    for nin, nout in ((64, HIDDEN), (HIDDEN, 10)):
        rows = np.array(flat[k:k + nout * (nin + 1)]).reshape(nout, nin + 1)
        out += [rows[:, :nin].T.copy(), rows[:, nin].copy()]
        k += nout * (nin + 1)
    return out


def flatten(W1, b1, W2, b2) -> list[float]:
    return [float(v) for W, b in ((W1, b1), (W2, b2))
            for row in np.hstack([W.T, b[:, None]]) for v in row]


# -- the engines ---------------------------------------------------------------------
PARTS = ("columns", "read parameters", "NumPy kernels", "add into .grad",
         "SGD step + zero_grad")
"""The parts of a compiled batch. As measured, the third is all of ``prog.gradients``,
which starts by reading the parameters; ``kernels_apart`` takes that read out."""


def kernels_apart(parts: np.ndarray) -> np.ndarray:
    """Per-batch parts with the parameter read taken out of ``prog.gradients``'s time."""
    out = parts.copy()
    out[:, 2] -= out[:, 1]
    return out


def compile_sample_loss(model, x0: np.ndarray, t0: np.ndarray):
    """autograd.compile of one sample's cross-entropy: 64 pixel inputs, then 10 one-hot."""
    import autograd
    import nn

    def sample_loss(*v):
        return nn.cross_entropy(model(list(v[:64])), list(v[64:]))

    return autograd.compile(sample_loss, list(x0) + list(t0))


def run_compiled(X, y, order, model) -> dict:
    """autograd.compile of one sample's loss + nn.optim.SGD, each batch timed part by part."""
    import nn

    onehot = np.eye(10)[y]
    t0 = time.perf_counter()
    prog = compile_sample_loss(model, X[0], onehot[0])
    compile_s = time.perf_counter() - t0
    opt = nn.optim.SGD(model.parameters(), lr=LR)
    params = prog.parameters
    parts = np.zeros((len(order), len(PARTS)))
    for b, idx in enumerate(order):
        t0 = time.perf_counter()
        cols = list(X[idx].T) + list(onehot[idx].T)
        t1 = time.perf_counter()
        # prog.gradients reads every parameter's .data first: time that read alone
        np.fromiter([p.data for p in params], float, len(params))
        t2 = time.perf_counter()
        _, grads = prog.gradients(*cols, reduction="mean")
        t3 = time.perf_counter()
        for p, g in zip(params, grads.tolist()):
            p.grad += g
        t4 = time.perf_counter()
        opt.step()
        opt.zero_grad()
        t5 = time.perf_counter()
        parts[b] = (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)  # see kernels_apart()
    return {"parts": parts, "samples": len(X), "compile": compile_s,
            "kernels": len(prog.kernels), "nodes": len(prog.graph)}


def run_compiled_vector(X, y, order, model) -> dict:
    """The same compiled program used as a pure function of a parameter vector:
    ``prog.gradients(..., params=theta)`` then ``theta -= lr * g`` in NumPy, the
    parameters written back into the model's Values once, after the epoch."""
    onehot = np.eye(10)[y]
    prog = compile_sample_loss(model, X[0], onehot[0])
    theta = prog.parameter_vector()
    parts = np.zeros((len(order), 2))
    for b, idx in enumerate(order):
        t0 = time.perf_counter()
        cols = list(X[idx].T) + list(onehot[idx].T)
        t1 = time.perf_counter()
        _, g = prog.gradients(*cols, reduction="mean", params=theta)
        theta -= LR * g
        parts[b] = (t1 - t0, time.perf_counter() - t1)
    prog.load_parameters(theta)
    return {"parts": parts, "samples": len(X)}


def run_fit(data, model, compiled: bool, n_batches: int | None = None) -> dict:
    """nn.fit for one epoch (on the first ``n_batches`` batches if given)."""
    import nn

    if n_batches is not None:
        subset = nn.data.Subset(data, _fit_order(len(data))[:n_batches * BATCH])
        data = subset
    opt = nn.optim.SGD(model.parameters(), lr=LR)
    t0 = time.perf_counter()
    nn.fit(model, nn.cross_entropy, opt, data, epochs=1, batch_size=BATCH,
           shuffle=n_batches is None, seed=ORDER_SEED, progress=False, compiled=compiled)
    return {"seconds": time.perf_counter() - t0, "samples": len(data)}


def _fit_order(n: int) -> list[int]:
    order = list(range(n))
    random.Random(ORDER_SEED).shuffle(order)  # the DataLoader's first epoch
    return order


def run_numpy(X, y, order, flat) -> dict:
    """The same network as matrix code: forward, softmax cross-entropy, backward, SGD."""
    W1, b1, W2, b2 = as_matrices(flat)
    onehot = np.eye(10)[y]
    times = np.zeros((len(order), 1))
    for b, idx in enumerate(order):
        t0 = time.perf_counter()
        xb, tb = X[idx], onehot[idx]
        z1 = xb @ W1 + b1
        h = np.maximum(z1, 0.0)
        z2 = h @ W2 + b2
        s = z2 - z2.max(axis=1, keepdims=True)
        e = np.exp(s)
        p = e / e.sum(axis=1, keepdims=True)
        dz2 = (p - tb) / len(idx)  # d(mean cross-entropy)/dz2
        dW2, db2 = h.T @ dz2, dz2.sum(axis=0)
        dz1 = (dz2 @ W2.T) * (z1 > 0)
        dW1, db1 = xb.T @ dz1, dz1.sum(axis=0)
        W1 -= LR * dW1
        b1 -= LR * db1
        W2 -= LR * dW2
        b2 -= LR * db2
        times[b] = time.perf_counter() - t0
    return {"parts": times, "samples": len(X), "weights": flatten(W1, b1, W2, b2)}


def run_micrograd(X, y, order, flat, n_batches: int, gc_off: bool = False) -> dict:
    """micrograd 0.1.0's MLP with the same weights, multiclass hinge loss from its ops.
    Its nodes sit in reference cycles (closures), so the cycle collector costs a lot;
    ``gc_off`` measures it without."""
    from micrograd.nn import MLP

    model = MLP(64, [HIDDEN, 10])
    params = model.parameters()
    for p, w in zip(params, flat, strict=True):
        p.data = w
    used = order[:n_batches]
    if gc_off:
        gc.disable()
    t0 = time.perf_counter()
    for idx in used:
        total = 0
        for i in idx:
            scores = model([float(v) for v in X[i]])
            sy = scores[y[i]]
            total = total + sum((1 + s - sy).relu() for j, s in enumerate(scores) if j != y[i])
        loss = total * (1.0 / len(idx))
        model.zero_grad()
        loss.backward()
        for p in params:
            p.data -= LR * p.grad
    seconds = time.perf_counter() - t0
    gc.enable()
    gc.collect()
    return {"seconds": seconds, "samples": sum(len(i) for i in used)}


# -- peak memory in a fresh process ------------------------------------------------
def _memory_kb() -> tuple[int, int]:
    """(current, peak) resident set size of this process in kB. /proc's VmHWM starts
    afresh at exec; ru_maxrss would carry over the parent's peak."""
    fields = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            fields[key] = rest.split()[0] if rest.split() else "0"
    return int(fields["VmRSS"]), int(fields["VmHWM"])


def rss_child(mode: str) -> None:
    X, y = load()
    import nn

    data = nn.ListDataset([list(map(float, r)) for r in X], [int(t) for t in y])
    del X, y
    model = memograd_model()
    gc.collect()
    try:  # start the peak afresh: what came before (imports, sklearn) is not training
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    before, _ = _memory_kb()
    run_fit(data, model, compiled=(mode == "compiled"))
    print(json.dumps({"before_kb": before, "peak_kb": _memory_kb()[1]}))


def measure_rss(mode: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--rss-child", mode], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


# -- main ----------------------------------------------------------------------------
def per_sample_us(r: dict) -> float:
    return r["seconds"] / r["samples"] * 1e6


def fastest(runs: list[dict]) -> dict:
    """The run with the least time (the machine's noise only ever adds)."""
    return min(runs, key=lambda r: r["seconds"])


def quietest(runs: list[dict]) -> dict:
    """Runs timed batch by batch (and part by part) combined: each batch's each part at its
    fastest over the runs. On a busy machine a hiccup hits one batch of one run, so this
    sheds it; the work being the same in every run, the minimum is its cost."""
    best = np.min([r["parts"] for r in runs], axis=0)
    if best.shape[1] == len(PARTS):  # a compiled run: the read was timed twice
        best = kernels_apart(best)
    return {**runs[0], "parts": best, "seconds": float(best.sum())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow-batches", type=int, default=4,
                        help="batches the scalar engine and micrograd (gc off) run; their "
                             "time per sample is extrapolated (default 4 of 57)")
    parser.add_argument("--gc-batches", type=int, default=1,
                        help="batches micrograd runs with its cycle collector on (default 1)")
    parser.add_argument("--repeats", type=int, default=5,
                        help="epochs of the fast runs, alternating; the fastest counts")
    parser.add_argument("--full", action="store_true",
                        help="run the scalar engine and micrograd for the whole epoch")
    parser.add_argument("--rss-child", choices=["compiled", "scalar"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        rss_child(args.rss_child)
        return

    import nn

    X, y = load()
    order = batches(len(X))
    data = nn.ListDataset([list(map(float, r)) for r in X], [int(t) for t in y])
    init = weights_of(memograd_model())
    n_slow = len(order) if args.full else min(args.slow_batches, len(order))
    n_gc = len(order) if args.full else min(args.gc_batches, len(order))

    # the fast runs, alternating so that the machine's drift hits all alike
    run_numpy(X, y, order, init)  # warm-up
    numpy_runs, compiled_runs, vector_runs, fit_runs = [], [], [], []
    for _ in range(args.repeats):
        numpy_runs.append(run_numpy(X, y, order, init))
        model_c = memograd_model()
        compiled_runs.append(run_compiled(X, y, order, model_c))
        model_v = memograd_model()
        vector_runs.append(run_compiled_vector(X, y, order, model_v))
        fit_c_model = memograd_model()
        fit_runs.append(run_fit(data, fit_c_model, compiled=True))
    numpy_r, compiled_r, fit_c = quietest(numpy_runs), quietest(compiled_runs), fastest(fit_runs)
    vector_r = quietest(vector_runs)
    compiled_r["compile"] = min(r["compile"] for r in compiled_runs)
    fit_s_model = memograd_model()
    fit_s = run_fit(data, fit_s_model, compiled=False, n_batches=None if args.full else n_slow)
    micro = run_micrograd(X, y, order, init, n_slow, gc_off=True)
    micro_gc = run_micrograd(X, y, order, init, n_gc)

    # the same arithmetic, so the same weights
    w_c = np.array(weights_of(model_c))
    d_numpy = np.max(np.abs(w_c - np.array(numpy_r["weights"])))
    d_fit = np.max(np.abs(np.array(weights_of(fit_c_model)) - w_c))
    d_fit = max(d_fit, np.max(np.abs(np.array(weights_of(model_v)) - w_c)))
    check_model = memograd_model()  # the compiled step over the scalar run's batches
    run_fit(data, check_model, compiled=True, n_batches=None if args.full else n_slow)
    d_scalar = np.max(np.abs(np.array(weights_of(check_model)) - weights_of(fit_s_model)))
    assert d_numpy < 1e-9 and d_fit < 1e-9 and d_scalar < 1e-9, (d_numpy, d_fit, d_scalar)

    n = len(X)
    part = "" if args.full else " (first {} batches, extrapolated)"
    print(f"digits: {n} samples of 64 pixels, MLP 64-{HIDDEN}-10 (ReLU), batch {BATCH}, "
          f"SGD lr {LR}, one epoch = {len(order)} batches; BLAS threads: "
          f"{os.environ['OPENBLAS_NUM_THREADS']}")
    print(f"fast runs: {args.repeats} epochs each, every batch at its fastest "
          "(nn.fit: the fastest epoch)")
    print(f"weights after the epoch: compiled vs NumPy by hand {d_numpy:.1e}, "
          f"vs nn.fit(compiled=True) and the vector run {d_fit:.1e}; compiled vs scalar engine "
          "over "
          f"{n_slow} batches {d_scalar:.1e}\n")
    rows = [
        ("NumPy by hand (matrix code)", numpy_r, ""),
        ("memograd compiled (prog.backward + SGD)", compiled_r, ""),
        ("memograd compiled, parameters as a vector", vector_r, " (prog.gradients(params=))"),
        ("memograd nn.fit(compiled=True)", fit_c, " (incl. tracing, accuracy)"),
        ("memograd nn.fit, scalar engine", fit_s, part.format(n_slow)),
        ("micrograd 0.1.0, hinge, gc off", micro, part.format(n_slow)),
        ("micrograd 0.1.0, hinge, gc on", micro_gc, part.format(n_gc)),
    ]
    print(f"{'engine':42s} {'us/sample':>10s} {'s/epoch':>9s}")
    for name, r, note in rows:
        us = per_sample_us(r)
        print(f"{name:42s} {us:10.1f} {us * n / 1e6:9.3f}{note}")
    c = per_sample_us(compiled_r)
    print("\n(micrograd trains on a multiclass hinge loss sum_{j!=y} relu(1 + s_j - s_y) "
          "written from its own ops: it has no exp/log for softmax cross-entropy)")
    print(f"compiled vs micrograd:      {per_sample_us(micro) / c:7.0f}x faster per sample "
          f"(micrograd with gc off; {per_sample_us(micro_gc) / c:.0f}x with gc on)")
    print(f"compiled vs scalar engine:  {per_sample_us(fit_s) / c:7.1f}x faster per sample")
    print(f"compiled vs NumPy by hand:  {c / per_sample_us(numpy_r):7.2f}x slower per sample")
    print(f"fit(compiled) vs NumPy:     {per_sample_us(fit_c) / per_sample_us(numpy_r):7.2f}x "
          "slower per sample")
    v_ratio = per_sample_us(vector_r) / per_sample_us(numpy_r)
    print(f"compiled, vector vs NumPy:  {v_ratio:7.2f}x slower per sample (the parameters kept "
          "in one array, as the NumPy code keeps them; no per-Value work per batch)")
    print(f"\ntracing + compiling the graph ({compiled_r['nodes']} nodes -> "
          f"{compiled_r['kernels']} NumPy kernels): {compiled_r['compile'] * 1e3:.1f} ms, "
          "once per run")
    print("\nwhere a compiled batch's time goes (us per batch of 32):")
    per_batch = dict(zip(PARTS, compiled_r["parts"].sum(axis=0) / len(order) * 1e6))
    for k, v in per_batch.items():
        print(f"  {k:24s} {v:8.1f}")
    total = sum(per_batch.values())
    hand = numpy_r["seconds"] / len(order) * 1e6
    print(f"  {'total':24s} {total:8.1f}   (NumPy by hand: {hand:.1f} per batch, "
          "its 2,410 parameters in 4 arrays)")
    python_side = (per_batch["read parameters"] + per_batch["add into .grad"]
                   + per_batch["SGD step + zero_grad"])
    print(f"  the 2,410 parameters as Python Values (read .data, add into .grad, SGD step):"
          f" {python_side:.0f} us = {python_side / total:.0%} of the batch, "
          f"{python_side / hand:.1f}x the whole hand-written NumPy step")
    kernels = per_batch["NumPy kernels"] + per_batch["columns"]
    print(f"  the replay itself (columns + kernels): {kernels:.0f} us = "
          f"{kernels / hand:.1f}x the hand-written NumPy step")

    print("\nthe same epoch with bigger batches (the per-batch costs spread over more "
          "samples):")
    for size in (128, 512):
        big = batches(n, size)
        hand_r = quietest([run_numpy(X, y, big, init) for _ in range(args.repeats)])
        comp_r = quietest([run_compiled(X, y, big, memograd_model())
                           for _ in range(args.repeats)])
        c_us, h_us = per_sample_us(comp_r), per_sample_us(hand_r)
        print(f"  batch {size:4d}: compiled {c_us:6.1f} us/sample, NumPy by hand {h_us:5.1f}: "
              f"{c_us / h_us:5.2f}x")

    rss = {mode: measure_rss(mode) for mode in ("compiled", "scalar")}
    print("\npeak RSS during one full epoch of nn.fit in a fresh process "
          "(MB; before training -> peak):")
    for mode, r in rss.items():
        print(f"  {mode:9s} {r['before_kb'] / 1024:7.1f} -> {r['peak_kb'] / 1024:7.1f}  "
              f"(+{(r['peak_kb'] - r['before_kb']) / 1024:.1f})")


if __name__ == "__main__":
    main()
