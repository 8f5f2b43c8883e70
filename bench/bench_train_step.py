"""Time one training step of a small MLP: reglab vs hand-fused NumPy vs PyTorch eager.

One step = forward (training mode), softmax cross-entropy, backward, Adam update, for
an MLP 40-100-100-10 (ReLU) in float32 with batch size 100 and Adam(lr=1e-3) on
MNIST-1D (4000 training examples, 40 features, 10 classes). Three implementations:

* ``reglab``: the very step that ``reglab.fit`` runs per batch on its checked data
  (``reglab.train._train_step``; the public ``train_step`` checks its arguments, then runs it);
* ``fused numpy``: the same network written inline on plain arrays with in-place
  operations and preallocated buffers (the parameters live in one flat buffer, so Adam
  is 11 vector operations), as fast as honest NumPy gets: the same float32 math,
  rearranged only where that is exact algebra;
* ``pytorch eager``: ``torch.nn.Sequential`` of ``Linear``/``ReLU``,
  ``CrossEntropyLoss`` and ``torch.optim.Adam`` with default settings (skipped when
  ``import torch`` fails).

All three start from the same initial weights. Before timing, a sanity check runs the
first steps of each on the same minibatches and asserts that the loss trajectories (and,
for reglab vs fused, the parameters) agree to float32 tolerance. The timing runs
``--rounds`` rounds; in each round every implementation takes a few untimed steps and
then ``--steps`` timed steps over freshly shuffled minibatches, in an order rotated from
round to round so that a noisy machine penalizes no one in particular. The clock is the
CPU time of the process (``time.process_time``), read around blocks of consecutive steps
(10 at batches up to 100, where a step takes a fraction of a millisecond and one reading
costs a few µs; single steps at batch 1000 and for the CNN): time lost to other processes
on a busy machine is not charged. A round's ms/step is its median block; the report gives
the median, min and max over rounds, and next to it the same from each round's mean block.
Each ratio is paired within the rounds (both implementations measured in the same round),
the median over rounds with the range of the rounds' ratios as its spread. The last line
is ``ratio_vs_fused_numpy=X.XX`` = median(reglab) / median(fused numpy) at batch 100.

numpy's BLAS and torch use the same number of threads: numpy's own count unless
``--threads`` says otherwise (``--threads 1`` is steadier on a busy machine).

With PyTorch installed, two more figures: the PyTorch eager / reglab ratio per step for
the MLP (paired within each round), and the CNN of notebook 08 (Conv1D 1->25, k=5, pad 2;
two Conv1D 25->25, k=3, stride 2, pad 1; ReLUs; Flatten; Dense 250->10; float32, batch
100, Adam) trained by reglab and by its PyTorch eager twin (``reglab.torch_bridge.to_torch``:
the same architecture and initial weights), after its own sanity check. ``--cnn-steps 0``
leaves the CNN out.

Then ``reglab.fit`` against a bare loop of that step over the same batches (the same
trajectory, checked): the cost of what fit adds, at its defaults (training metrics as
running means of the batch losses) without validation data, and with a validation set
against a bare loop that evaluates the same validation set after every epoch (what the
caller asked for, done by hand); then the cost of that evaluation itself, and of
``train_metrics="full"`` (the whole training set evaluated too).

Usage: ``python bench/bench_train_step.py [--steps N] [--rounds R] [--threads T]
[--budget SECONDS] [--cnn-steps N] [--quick]`` (``make bench``). The exit code is 0
unless a sanity check fails: this is a report, not a test.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

if importlib.util.find_spec("reglab") is None:  # a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helpers"))

from reglab.conv import Conv1D, Flatten
from reglab.data import load_mnist1d
from reglab.layers import Dense, ReLU, Sequential
from reglab.losses import LABELS_CHECKED, softmax_cross_entropy
from reglab.optim import Adam
from reglab.train import _train_step, evaluate, fit, minibatches

SIZES = (40, 100, 100, 10)
BATCH = 100  # the batch of the fit and CNN figures
BATCHES = (32, 100, 1000)  # the batch sizes of the step's timing
LR, BETA1, BETA2, EPS = 1e-3, 0.9, 0.999, 1e-8
DTYPE = np.float32
SEED = 0
SANITY_STEPS = 5
#: the loss that fit calls per batch: softmax cross-entropy on labels it checked once
STEP_LOSS = LABELS_CHECKED[softmax_cross_entropy]


# ----------------------------------------------------------------------------- data

def load_training_set(num_samples=5000):
    """MNIST-1D as (X, y, X_val, y_val): X float32 (m, 40), y int64 (m,), via ``reglab.data``.

    ``num_samples`` (train + test, default 5000: 4000 training examples, 1000 held out as
    the validation set of ``fit``) shrinks it for a quick smoke run.
    """
    split = load_mnist1d(num_samples=num_samples)
    return (np.ascontiguousarray(split.X_train, dtype=DTYPE), split.y_train,
            np.ascontiguousarray(split.X_test, dtype=DTYPE), split.y_test)


def epoch_batches(X, y, rng, batch=BATCH):
    """One shuffled epoch of full minibatches of ``batch`` rows, each a contiguous (Xb, yb)."""
    order = rng.permutation(X.shape[0])
    n = X.shape[0] // batch
    return [(np.ascontiguousarray(X[idx]), y[idx])
            for idx in (order[i * batch:(i + 1) * batch] for i in range(n))]


def initial_params():
    """The initial parameters, as reglab's Dense layers draw them (He normal, zero biases)."""
    return make_reglab_model(np.random.default_rng(SEED)).state()


def make_reglab_model(rng):
    return Sequential([Dense(SIZES[0], SIZES[1], rng=rng, dtype=DTYPE), ReLU(),
                       Dense(SIZES[1], SIZES[2], rng=rng, dtype=DTYPE), ReLU(),
                       Dense(SIZES[2], SIZES[3], rng=rng, dtype=DTYPE)])


# ----------------------------------------------------------------------------- (a) reglab

class RegLab:
    """reglab's own training step: what ``fit`` runs per batch (``train_step`` unchecked)."""

    name = "reglab"
    make_model = staticmethod(make_reglab_model)

    def __init__(self, init, m, batch=BATCH):
        self.rng = np.random.default_rng(SEED + 1)
        self.model = self.make_model(np.random.default_rng(SEED))
        self.model.load_state(init)
        self.opt = Adam(lr=LR, beta1=BETA1, beta2=BETA2, eps=EPS)
        self.m = m

    def step(self, Xb, yb):
        return _train_step(self.model, Xb, yb, STEP_LOSS, self.opt, None, self.m, self.rng,
                           ())[0]  # Adam: no wrapper needs a second gradient

    def params(self):
        return self.model.state()


# ----------------------------------------------------------------------------- (b) fused

class FusedNumPy:
    """The same network and update by hand: preallocated buffers, in-place ufuncs only.

    Parameters, gradients and Adam moments each live in one flat float32 buffer (the
    layer arrays are views into it), so the Adam update is 10 vector operations over all
    15,210 numbers at once instead of a loop over six arrays. Every elementwise step
    writes into a buffer allocated once: the only arrays a step creates are the few
    numbers of the loss (one per row). Sums are ``ndarray.sum`` (``np.sum``'s Python wrapper
    costs about 1 µs a call) and ReLU compares with a zero buffer (``np.maximum`` is 2-3x
    faster on two arrays than on an array and a scalar).
    """

    name = "fused numpy"

    def __init__(self, init, m, batch=BATCH):
        shapes = [init[k].shape for k in ("0.W", "0.b", "2.W", "2.b", "4.W", "4.b")]
        sizes = [int(np.prod(s)) for s in shapes]
        offsets = [int(o) for o in np.cumsum([0, *sizes])]
        total = offsets[-1]
        self.theta = np.empty(total, DTYPE)
        self.grad = np.zeros(total, DTYPE)
        self.s = np.zeros(total, DTYPE)  # s / (1 - b1): the first moment without its factor
        self.r = np.zeros(total, DTYPE)  # r / (1 - b2): the second moment without its factor
        self.tmp = np.empty(total, DTYPE)
        bounds = list(zip(offsets[:-1], offsets[1:], shapes, strict=True))
        p = [self.theta[a:b].reshape(s) for a, b, s in bounds]
        g = [self.grad[a:b].reshape(s) for a, b, s in bounds]
        for dst, key in zip(p, ("0.W", "0.b", "2.W", "2.b", "4.W", "4.b"), strict=True):
            dst[...] = init[key]
        self.W1, self.b1, self.W2, self.b2, self.W3, self.b3 = p
        self.dW1, self.db1, self.dW2, self.db2, self.dW3, self.db3 = g
        n1, n2, n3 = SIZES[1:]
        self.A1 = np.empty((batch, n1), DTYPE)
        self.A2 = np.empty((batch, n2), DTYPE)
        self.Z3 = np.empty((batch, n3), DTYPE)
        self.D1 = np.empty((batch, n1), DTYPE)
        self.D2 = np.empty((batch, n2), DTYPE)
        self.M1 = np.empty((batch, n1), bool)
        self.M2 = np.empty((batch, n2), bool)
        self.zero1 = np.zeros((batch, n1), DTYPE)  # np.maximum is faster on two arrays
        self.zero2 = np.zeros((batch, n2), DTYPE)  # than on an array and a scalar
        self.idx = np.empty(batch, np.intp)
        self.zmax = np.empty((batch, 1), DTYPE)
        self.zsum = np.empty((batch, 1), DTYPE)
        self.rows = np.arange(batch)
        self.batch = batch
        self.t = 0

    def step(self, Xb, yb):
        A1, A2, Z3, D1, D2, M1, M2 = self.A1, self.A2, self.Z3, self.D1, self.D2, self.M1, self.M2
        B, rows = self.batch, self.rows
        # forward: A1 = relu(X W1 + b1), A2 = relu(A1 W2 + b2), Z3 = A2 W3 + b3
        np.matmul(Xb, self.W1, out=A1)
        A1 += self.b1
        np.maximum(A1, self.zero1, out=A1)
        np.matmul(A1, self.W2, out=A2)
        A2 += self.b2
        np.maximum(A2, self.zero2, out=A2)
        np.matmul(A2, self.W3, out=Z3)
        Z3 += self.b3
        # softmax cross-entropy: J = mean(log sum exp(z - max) - (z - max)_y);
        # dJ/dZ3 = (softmax(z) - onehot(y)) / B, computed into Z3. The row max as
        # z[i, argmax_i] is exact and 2-3x faster than Z3.max(axis=1) for 10 columns.
        np.argmax(Z3, axis=1, out=self.idx)
        self.zmax[:, 0] = Z3[rows, self.idx]
        Z3 -= self.zmax
        picked = Z3[rows, yb]
        np.exp(Z3, out=Z3)
        Z3.sum(axis=1, keepdims=True, out=self.zsum)
        value = float(np.log(self.zsum).sum() - picked.sum()) / B
        self.zsum *= B
        Z3 /= self.zsum
        Z3[rows, yb] -= DTYPE(1.0 / B)
        # backward: dW = A^T dZ, db = sum dZ, dA = dZ W^T, dZ = dA * [A > 0]
        np.matmul(A2.T, Z3, out=self.dW3)
        Z3.sum(axis=0, out=self.db3)
        np.matmul(Z3, self.W3.T, out=D2)
        np.greater(A2, 0, out=M2)
        D2 *= M2
        np.matmul(A1.T, D2, out=self.dW2)
        D2.sum(axis=0, out=self.db2)
        np.matmul(D2, self.W2.T, out=D1)
        np.greater(A1, 0, out=M1)
        D1 *= M1
        np.matmul(Xb.T, D1, out=self.dW1)
        D1.sum(axis=0, out=self.db1)
        # Adam: s = b1 s + (1-b1) g; r = b2 r + (1-b2) g^2;
        # theta -= lr/(1-b1^t) * s / (sqrt(r/(1-b2^t)) + eps). The moments are kept
        # without their factors (1-b1), (1-b2), which then join the step's constants:
        # with c = 1 - b^t, theta -= k s' / (sqrt(r') + e'), k = lr (1-b1) sqrt(c2/(1-b2)) / c1,
        # e' = eps sqrt(c2/(1-b2)) (exact algebra; Kingma & Ba, end of section 2).
        self.t += 1
        c1, c2 = 1 - BETA1**self.t, 1 - BETA2**self.t
        root = (c2 / (1 - BETA2)) ** 0.5
        g, s, r, tmp = self.grad, self.s, self.r, self.tmp
        s *= BETA1
        s += g
        np.multiply(g, g, out=tmp)
        r *= BETA2
        r += tmp
        np.sqrt(r, out=tmp)
        tmp += EPS * root
        np.divide(s, tmp, out=tmp)
        tmp *= LR * (1 - BETA1) * root / c1
        self.theta -= tmp
        return value

    def params(self):
        return {"0.W": self.W1.copy(), "0.b": self.b1.copy(), "2.W": self.W2.copy(),
                "2.b": self.b2.copy(), "4.W": self.W3.copy(), "4.b": self.b3.copy()}


class GEMMFloor(FusedNumPy):
    """Only the step's eight matrix products (3 forward, 3 dW, 2 dX), into the same buffers.

    Not a training step: its time is the floor that no NumPy step can go under, the part
    of a step that the BLAS does. It does not learn (the parameters never change).
    """

    name = "GEMMs alone"

    def step(self, Xb, yb):
        np.matmul(Xb, self.W1, out=self.A1)
        np.matmul(self.A1, self.W2, out=self.A2)
        np.matmul(self.A2, self.W3, out=self.Z3)
        np.matmul(self.A2.T, self.Z3, out=self.dW3)
        np.matmul(self.Z3, self.W3.T, out=self.D2)
        np.matmul(self.A1.T, self.D2, out=self.dW2)
        np.matmul(self.D2, self.W2.T, out=self.D1)
        np.matmul(Xb.T, self.D1, out=self.dW1)
        return 0.0


# ----------------------------------------------------------------------------- (c) torch

class Torch:
    """PyTorch eager: nn.Sequential(Linear, ReLU, ...), CrossEntropyLoss, optim.Adam (defaults)."""

    name = "pytorch eager"

    def __init__(self, init, m, batch=BATCH):
        import torch

        self.torch = torch
        n0, n1, n2, n3 = SIZES
        nn = torch.nn
        self.net = nn.Sequential(nn.Linear(n0, n1), nn.ReLU(), nn.Linear(n1, n2), nn.ReLU(),
                                 nn.Linear(n2, n3))
        with torch.no_grad():
            for i in (0, 2, 4):  # torch stores W as (n_out, n_in)
                self.net[i].weight.copy_(torch.from_numpy(init[f"{i}.W"].T.copy()))
                self.net[i].bias.copy_(torch.from_numpy(init[f"{i}.b"]))
        self.loss = nn.CrossEntropyLoss()
        self.opt = torch.optim.Adam(self.net.parameters(), lr=LR, betas=(BETA1, BETA2), eps=EPS)

    def convert(self, batches):
        return [(self.torch.from_numpy(Xb), self.torch.from_numpy(yb)) for Xb, yb in batches]

    def step(self, Xb, yb):
        self.opt.zero_grad(set_to_none=True)
        loss = self.loss(self.net(Xb), yb)
        loss.backward()
        self.opt.step()
        return loss.item()

    def params(self):
        return {f"{i}.{k}": (v.detach().numpy().T if k == "W" else v.detach().numpy()).copy()
                for i in (0, 2, 4)
                for k, v in (("W", self.net[i].weight), ("b", self.net[i].bias))}


# ----------------------------------------------------------------------------- (d) the CNN

def make_reglab_cnn(rng):
    """The CNN of notebook 08 in float32: (m, 40) -> 25x40 -> 25x20 -> 25x10 -> 10 logits."""
    return Sequential([Conv1D(1, 25, 5, padding=2, rng=rng, dtype=DTYPE), ReLU(),
                       Conv1D(25, 25, 3, stride=2, padding=1, rng=rng, dtype=DTYPE), ReLU(),
                       Conv1D(25, 25, 3, stride=2, padding=1, rng=rng, dtype=DTYPE), ReLU(),
                       Flatten(), Dense(25 * 10, 10, rng=rng, dtype=DTYPE)])


class CNNRegLab(RegLab):
    """reglab's training step on the CNN of notebook 08."""

    make_model = staticmethod(make_reglab_cnn)


class CNNTorch(Torch):
    """PyTorch eager on the same CNN: ``reglab.torch_bridge.to_torch`` of the reglab model."""

    name = "pytorch eager"

    def __init__(self, init, m, batch=BATCH):
        import torch

        from reglab.torch_bridge import to_torch

        self.torch = torch
        model = make_reglab_cnn(np.random.default_rng(SEED))
        model.load_state(init)
        self.net = to_torch(model)
        self.loss = torch.nn.CrossEntropyLoss()
        self.opt = torch.optim.Adam(self.net.parameters(), lr=LR, betas=(BETA1, BETA2), eps=EPS)

    def params(self):
        from reglab.torch_bridge import reglab_state

        return reglab_state(self.net)


def bench_cnn(X, y, steps, rounds, warmup):
    """Sanity check and timing of the CNN, reglab vs PyTorch eager; returns report lines."""
    init = make_reglab_cnn(np.random.default_rng(SEED)).state()
    batches = epoch_batches(X, y, np.random.default_rng(SEED + 4))[:3]
    impls = [CNNRegLab(init, X.shape[0]), CNNTorch(init, X.shape[0])]
    losses = [np.array([impl.step(Xb, yb) for Xb, yb in feed(impl, batches)]) for impl in impls]
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-4, atol=1e-5,
                               err_msg="CNN: pytorch and reglab losses differ")
    p0, p1 = impls[0].params(), impls[1].params()
    dparam = max(float(np.max(np.abs(p0[k] - p1[k]))) for k in p0)
    lines = [f"CNN of notebook 08 ({sum(v.size for v in init.values()):,} parameters), float32, "
             f"batch {BATCH}, Adam: sanity check max |dloss| = "
             f"{np.max(np.abs(losses[1] - losses[0])):.1e}, max |dparam| = {dparam:.1e} "
             f"after {len(batches)} steps: passed"]
    impls = [CNNRegLab(init, X.shape[0]), CNNTorch(init, X.shape[0])]
    rng = np.random.default_rng(SEED + 5)  # interleaved rounds of single steps in CPU time
    for impl in impls:
        run(impl, feed(impl, epoch_batches(X, y, rng)), warmup)
    typical = {impl.name: [] for impl in impls}
    for rnd in range(rounds):
        batches = epoch_batches(X, y, rng)[:steps]
        for impl in (impls if rnd % 2 == 0 else impls[::-1]):
            data = feed(impl, batches)
            seconds, value = run(impl, data, steps)
            if not np.isfinite(value):
                raise FloatingPointError(f"CNN {impl.name}: loss became {value}")
            typical[impl.name].append(1e3 * float(np.median(seconds)))
    med = {name: statistics.median(ts) for name, ts in typical.items()}
    lines.append(f"  {'implementation':<15}{'median':>8}{'min':>8}{'max':>8}   ms/step (CPU "
                 f"time), {rounds} rounds x {steps} steps")
    for name, ts in typical.items():
        lines.append(f"  {name:<15}{med[name]:>8.3f}{min(ts):>8.3f}{max(ts):>8.3f}")
    lines.append(f"  CNN: pytorch eager / reglab within each round, median over rounds: "
                 f"{paired(typical, 'pytorch eager', 'reglab')} (goal >= 1.5)")
    return lines


# ----------------------------------------------------------------------------- (e) fit

def bare_loop(model, X, y, *, epochs, rng, val=None):
    """What ``fit`` must do per batch and nothing more: draw, slice, step; and ``val``
    evaluated after every epoch when given."""
    opt = Adam(lr=LR, beta1=BETA1, beta2=BETA2, eps=EPS)
    for _ in range(epochs):
        for idx in minibatches(X.shape[0], BATCH, rng):
            _train_step(model, X[idx], y[idx], STEP_LOSS, opt, None, X.shape[0], rng, ())
        if val is not None:
            evaluate(model, *val, softmax_cross_entropy)


def fit_run(model, X, y, val, *, epochs, rng, **options):
    """``reglab.fit`` of the MLP with validation data, at its defaults unless ``options``."""
    fit(model, (X, y), val=val, loss=softmax_cross_entropy, epochs=epochs, rng=rng,
        optimizer=Adam(lr=LR, beta1=BETA1, beta2=BETA2, eps=EPS), batch_size=BATCH,
        progress=False, **options)


def bench_fit(X, y, val, epochs, rounds):
    """``fit`` (defaults with and without validation; ``train_metrics="full"``) / bare loops.

    All three train the MLP from the same weights on the same batches (same seed), so
    they end on the same parameters, which is checked first; the ratios are of the CPU
    time (``time.process_time``) of whole runs, paired within each round, so that time
    lost to other processes on a busy machine is not counted. Returns report lines.
    """
    init = initial_params()

    def timed(runner, **options):
        model = make_reglab_model(np.random.default_rng(SEED))
        model.load_state(init)
        start = time.process_time()  # CPU time: a run that loses the CPU is not charged
        runner(model, X, y, epochs=epochs, rng=np.random.default_rng(SEED + 6), **options)
        return time.process_time() - start, model.state()

    runs = {"bare": lambda: timed(bare_loop),
            "bare+val": lambda: timed(bare_loop, val=val),
            "fit": lambda: timed(fit_run, val=val),
            "no val": lambda: timed(fit_run, val=None),
            "full": lambda: timed(fit_run, val=val, train_metrics="full")}
    ends = {name: run_()[1] for name, run_ in runs.items()}  # also the warm-up
    for name in ("bare+val", "fit", "no val", "full"):
        for k, v in ends["bare"].items():
            np.testing.assert_array_equal(ends[name][k], v,
                                          err_msg=f"{name}: not the bare loop's trajectory")
    seconds = {name: [] for name in runs}
    order = list(runs)
    for rnd in range(rounds):
        for name in order[rnd % len(order):] + order[:rnd % len(order)]:
            seconds[name].append(runs[name]()[0])

    def ratio(name, base="bare"):
        return statistics.median(a / b for a, b in zip(seconds[name], seconds[base], strict=True))

    steps = epochs * -(-X.shape[0] // BATCH)
    return [f"fit vs a bare train_step loop: MLP, {epochs} epochs ({steps} steps), validation "
            f"set {val[0].shape[0]}, {rounds} rounds, same final parameters: checked",
            f"  bare loop {1e3 * statistics.median(seconds['bare']):.1f} ms CPU time per run",
            f"  fit at its defaults (running training metrics), no validation data / bare loop, "
            f"median over rounds: {ratio('no val'):.2f} (goal <= 1.10)",
            f"  fit at its defaults with validation data / bare loop evaluating the same "
            f"validation set every epoch: {ratio('fit', 'bare+val'):.2f} (goal <= 1.10)",
            f"  (that evaluation, asked for by passing val: bare loop with it / without it "
            f"{ratio('bare+val'):.2f}; fit with val / bare loop without it {ratio('fit'):.2f})",
            f"  fit with train_metrics='full' (the whole training set after every epoch) / "
            f"bare loop evaluating val: {ratio('full', 'bare+val'):.2f}"]


# ----------------------------------------------------------------------------- harness

def numpy_blas_threads():
    """(threads, library) of numpy's BLAS, via threadpoolctl when available."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return os.cpu_count() or 1, "unknown BLAS"
    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    if not blas:
        return os.cpu_count() or 1, "unknown BLAS"
    return max(i["num_threads"] for i in blas), blas[0].get("internal_api", "blas")


def feed(impl, batches):
    """The batches in the form ``impl.step`` takes (torch tensors for PyTorch)."""
    return impl.convert(batches) if hasattr(impl, "convert") else batches


def run(impl, batches, steps, block=1):
    """CPU seconds per step of ``impl`` in each block of ``block`` consecutive steps, and the
    last loss: ``steps // block`` blocks (at least one), cycling through ``batches``.

    The clock is ``time.process_time``, the CPU time of this process: time lost to other
    processes is not charged (their traffic in the caches still is). One reading costs a
    few µs, hence blocks for steps that take a fraction of a millisecond.
    """
    step, clock = impl.step, time.process_time
    n = len(batches)
    seconds = np.empty(max(steps // block, 1))
    value, i = None, 0
    for b in range(len(seconds)):
        start = clock()
        for _ in range(block):
            Xb, yb = batches[i % n]
            value = step(Xb, yb)
            i += 1
        seconds[b] = (clock() - start) / block
    return seconds, value


def paired(typical, a, b):
    """Median over rounds of the ratio a / b within each round, and its range over rounds."""
    ratios = [x / y for x, y in zip(typical[a], typical[b], strict=True)]
    return f"{statistics.median(ratios):.2f} (rounds {min(ratios):.2f}-{max(ratios):.2f})"


def sanity_check(classes, init, X, y, batch=BATCH):
    """Same initial weights, same batches: the first losses (and params) must agree."""
    batches = epoch_batches(X, y, np.random.default_rng(SEED + 2), batch)[:SANITY_STEPS]
    losses, params = {}, {}
    for cls in classes:
        impl = cls(init, X.shape[0], batch)
        losses[cls.name] = np.array([impl.step(Xb, yb) for Xb, yb in feed(impl, batches)])
        params[cls.name] = impl.params()
    ref, fused = losses["reglab"], losses["fused numpy"]
    lines = [f"  reglab losses, first {SANITY_STEPS} steps: "
             + " ".join(f"{v:.6f}" for v in ref)]
    # float32 tolerance: the same operations, in a slightly different order
    np.testing.assert_allclose(fused, ref, rtol=1e-5, atol=1e-6,
                               err_msg="fused numpy and reglab losses differ")
    dparam = max(float(np.max(np.abs(params["fused numpy"][k] - params["reglab"][k])))
                 for k in params["reglab"])
    assert dparam < 1e-5, f"fused numpy and reglab parameters differ by {dparam:.2e}"
    lines.append(f"  fused numpy vs reglab: max |dloss| = {np.max(np.abs(fused - ref)):.1e}, "
                 f"max |dparam| = {dparam:.1e} after {SANITY_STEPS} Adam steps")
    if "pytorch eager" in losses:
        tl = losses["pytorch eager"]
        dtp = max(float(np.max(np.abs(params["pytorch eager"][k] - params["reglab"][k])))
                  for k in params["reglab"])
        np.testing.assert_allclose(tl, ref, rtol=1e-4, atol=1e-5,
                                   err_msg="pytorch and reglab losses differ")
        lines.append(f"  pytorch eager vs reglab: max |dloss| = {np.max(np.abs(tl - ref)):.1e},"
                     f" max |dparam| = {dtp:.1e}")
    lines.append("  sanity check passed: all implementations compute the same trajectory")
    return lines


def bench_batch(classes, init, X, y, batch, args, warmup):
    """Sanity check and timing at one batch size; returns (report lines, reglab / fused).

    The implementations (and the GEMMs alone) run in an order rotated from round to round;
    a batch of 1000 takes about ten times a batch of 100, so it gets a tenth of the steps
    (and of the untimed warm-up steps).
    """
    steps = max(args.steps * min(BATCH, batch) // batch, 3)
    warmup = max(warmup * min(BATCH, batch) // batch, 2)
    block = 10 if batch <= BATCH else 1  # steps per reading of the clock
    lines = [f"batch {batch}: sanity check (same initial weights, same batches):"]
    lines += sanity_check(classes, init, X, y, batch)
    impls = [cls(init, X.shape[0], batch) for cls in (*classes, GEMMFloor)]
    rng = np.random.default_rng(SEED + 3)
    for impl in impls:  # warm up caches, allocator, thread pools
        run(impl, feed(impl, epoch_batches(X, y, rng, batch)), max(warmup, 20 * BATCH // batch))
    typical = {impl.name: [] for impl in impls}  # per round: the median block, ms per step
    mean = {impl.name: [] for impl in impls}  # per round: the mean block, ms per step
    t_timing = time.perf_counter()
    for rnd in range(args.rounds):
        batches = epoch_batches(X, y, rng, batch)
        k = rnd % len(impls)
        for impl in impls[k:] + impls[:k]:
            data = feed(impl, batches)
            run(impl, data[::-1], warmup)
            seconds, value = run(impl, data, steps, block)
            if not np.isfinite(value):
                raise FloatingPointError(f"{impl.name}: loss became {value}")
            typical[impl.name].append(1e3 * float(np.median(seconds)))
            mean[impl.name].append(1e3 * float(np.mean(seconds)))
        if rnd >= 2 and rnd + 1 < args.rounds and time.perf_counter() - t_timing > args.budget:
            lines.append(f"note: stopped after {rnd + 1} of {args.rounds} rounds, over the "
                         f"{args.budget:g} s budget (a busy machine? try --threads 1)")
            break

    med = {name: statistics.median(ts) for name, ts in typical.items()}
    med_mean = {name: statistics.median(ts) for name, ts in mean.items()}
    fused, fused_mean = med["fused numpy"], med_mean["fused numpy"]
    lines += [f"batch {batch}: {len(typical['reglab'])} rounds x {steps} steps "
              f"(+{warmup} untimed) each, rotated order, CPU time read every {block} steps",
              "  ms/step: each round's median block, then the median (min, max) over rounds; "
              "'mean' uses each round's mean block instead",
              f"  {'implementation':<15}{'median':>8}{'min':>8}{'max':>8}{'vs fused':>10}"
              f"{'mean':>9}{'vs fused':>10}"]
    for name, ts in typical.items():
        lines.append(f"  {name:<15}{med[name]:>8.3f}{min(ts):>8.3f}{max(ts):>8.3f}"
                     f"{med[name] / fused:>9.2f}x{med_mean[name]:>9.3f}"
                     f"{med_mean[name] / fused_mean:>9.2f}x")
    if "pytorch eager" not in typical:
        lines.append(f"  {'pytorch eager':<15}  skipped (import torch failed)")
    lines.append(f"  batch {batch}: reglab / fused numpy within each round, median over rounds: "
                 f"{paired(typical, 'reglab', 'fused numpy')}, goal <= 1.10")
    lines.append(f"  batch {batch}: GEMM floor reached (time of the step's GEMMs alone / step "
                 f"time): reglab {paired(typical, 'GEMMs alone', 'reglab')}, fused numpy "
                 f"{paired(typical, 'GEMMs alone', 'fused numpy')}")
    if "pytorch eager" in typical:
        lines.append(f"  batch {batch}: pytorch eager / reglab within each round, median over "
                     f"rounds: {paired(typical, 'pytorch eager', 'reglab')}"
                     + (", goal >= 3" if batch == BATCH else ""))
    return lines, statistics.median(
        a / b for a, b in zip(typical["reglab"], typical["fused numpy"], strict=True))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=200,
                    help="timed steps per round at batch 100 (200; a tenth at batch 1000)")
    ap.add_argument("--rounds", type=int, default=11, help="rounds of each implementation (11)")
    ap.add_argument("--warmup", type=int, default=None,
                    help="untimed steps before each timed block (default steps // 10)")
    ap.add_argument("--threads", type=int, default=None,
                    help="threads for numpy's BLAS and torch (default: numpy's current count)")
    ap.add_argument("--budget", type=float, default=20.0,
                    help="stop timing a batch size after the round that exceeds this many "
                         "seconds (20)")
    ap.add_argument("--cnn-steps", type=int, default=30,
                    help="timed CNN steps per round, with torch installed (30; 0: no CNN)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 2 rounds of 10 steps (5 for the CNN), MNIST-1D cut to "
                         "1500 examples (1200 for training: one batch of 1000)")
    args = ap.parse_args(argv)
    if args.quick:
        args.steps, args.rounds, args.cnn_steps = 10, 2, min(args.cnn_steps, 5)
    if args.steps < 1 or args.rounds < 1:
        ap.error(f"--steps and --rounds must be >= 1, got {args.steps} and {args.rounds}")
    if args.cnn_steps < 0:
        ap.error(f"--cnn-steps must be >= 0, got {args.cnn_steps}")
    warmup = max(args.steps // 10, 3) if args.warmup is None else args.warmup

    threads, blas = numpy_blas_threads()
    if args.threads is not None:
        from threadpoolctl import threadpool_limits
        threadpool_limits(args.threads, user_api="blas")
        threads = args.threads

    t_start = time.perf_counter()
    X, y, X_val, y_val = load_training_set(1500 if args.quick else 5000)
    init = initial_params()

    classes = [RegLab, FusedNumPy]
    try:
        import torch
    except ImportError as exc:
        torch_note = f"pytorch eager: skipped (import torch failed: {exc})"
    else:
        torch.set_num_threads(threads)
        classes.append(Torch)
        torch_note = f"torch {torch.__version__} with {torch.get_num_threads()} threads"

    print(f"one training step: MLP {'-'.join(map(str, SIZES))} (ReLU), float32, batches "
          f"{', '.join(map(str, BATCHES))}, Adam(lr={LR:g}), softmax cross-entropy, MNIST-1D "
          f"train {X.shape[0]}x{X.shape[1]}")
    print(f"numpy {np.__version__} ({blas}, {threads} threads); {torch_note}; "
          f"{os.cpu_count()} CPUs")
    ratios = {}
    for batch in BATCHES:
        lines, ratios[batch] = bench_batch(classes, init, X, y, batch, args, warmup)
        for line in lines:
            print(line)
    print(f"timing of the steps: wall time {time.perf_counter() - t_start:.1f} s")
    print("reglab / fused numpy per batch size (paired, median over rounds): "
          + ", ".join(f"batch {b} {r:.2f}" for b, r in ratios.items()) + " (goal <= 1.10 each)")
    for line in bench_fit(X, y, (X_val, y_val), 2 if args.quick else 5, args.rounds):
        print(line)
    if "pytorch eager" in {cls.name for cls in classes} and args.cnn_steps:
        for line in bench_cnn(X, y, args.cnn_steps, args.rounds, max(warmup // 4, 3)):
            print(line)
    print(f"ratio_vs_fused_numpy={ratios[BATCH]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
