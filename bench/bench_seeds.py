"""Seeds in one pass: S models trained by ``reglab.fit_many`` vs S calls of ``reglab.fit``.

For each network below, S = 5 models (seeds [0, s]) train for ``--epochs`` epochs on
random data of MNIST-1D's shape (m = 4000, 40 features, 10 classes; 2-D points for the
playground network), once one after the other with ``fit`` and once stacked with
``fit_many``. A sanity check first asserts that both end with the same parameters (to
float32 rounding). Each round times both in CPU seconds of this process (``time.process_time``:
another process on a busy machine does not count, though it still shares the caches), in
an order alternating from round to round; the report gives, per network, the median over
rounds of (time of S fits) / (time of fit_many) against the goal (>= 3 for S = 5), and the
fraction of that goal reached. Then two ceilings on any speed-up that stacking can give:

* the CPU time of fit_many's matrix products alone (the same stacked GEMMs on arrays of
  their shapes): S fits / that time, since the products of S models cost what they cost;
* what a model costs inside the stack: fit_many with one model is timed in the same
  rounds, and with T(S) = a + S b, b = (T(S) - T(1)) / (S - 1) is the CPU time each model
  adds to a stacked run, its own arithmetic (products, elementwise work, its random
  draws), which no stacking shares; a = T(1) - b is the work the models share, the
  per-step Python. With t the time of one fit alone, S fits / fit_many = S t / (a + S b)
  < t / b for every S (a > 0 whenever a stack of S beats S stacks of one). When t / b < 3
  the goal is out of reach for that network, whatever fit_many's code.

The networks:

* ``mlp 40-100-100-10``: the MLP of the MNIST-1D paper (notebooks 10-12), Adam, B = 100;
* ``mlp 40-100-10 dropout``: notebook 04's network with keep_prob 0.8 and L2, SGD, B = 50;
* ``playground 2-16-16-2``: a playground network (notebook 14), m = 200, B = 16, SGD.

Usage: ``python bench/bench_seeds.py [--rounds R] [--epochs E] [--seeds S]`` (``make bench``).
The last line is ``seeds_speedup=X.XX`` for the first network. Exit code 0 unless the
sanity check fails: this is a report, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

from reglab import (
    L2,
    SGD,
    Adam,
    Dense,
    Dropout,
    ReLU,
    Sequential,
    fit,
    fit_many,
    softmax_cross_entropy,
)

GOAL = 3.0
F32 = np.float32


def mlp(widths, keep_prob=None):
    """A builder rng -> Sequential of Dense/ReLU (and Dropout after each hidden layer)."""
    def build(r):
        layers = []
        for n_in, n_out in zip(widths[:-1], widths[1:], strict=True):
            layers += [Dense(n_in, n_out, rng=r, dtype=F32), ReLU()]
            if keep_prob is not None:
                layers.append(Dropout(keep_prob))
        return Sequential(layers[:-2] if keep_prob is not None else layers[:-1])
    return build


NETWORKS = {  # name: (builder, m, n_in, n_classes, fit keyword arguments)
    "mlp 40-100-100-10": (mlp([40, 100, 100, 10]), 4000, 40, 10,
                          dict(optimizer=Adam, lr=1e-3, batch_size=100)),
    "mlp 40-100-10 dropout": (mlp([40, 100, 10], keep_prob=0.8), 4000, 40, 10,
                              dict(optimizer=SGD, lr=0.1, batch_size=50, penalty=L2(1.0))),
    "playground 2-16-16-2": (mlp([2, 16, 16, 2]), 200, 2, 2,
                             dict(optimizer=SGD, lr=0.1, batch_size=16)),
}


WIDTHS = {"mlp 40-100-100-10": [40, 100, 100, 10], "mlp 40-100-10 dropout": [40, 100, 10],
          "playground 2-16-16-2": [2, 16, 16, 2]}


def data(m, n_in, k):
    rng = np.random.default_rng(123)
    return rng.standard_normal((m, n_in)).astype(F32), rng.integers(0, k, m)


def one_by_one(build, X, y, seeds, epochs, opts):
    opts = dict(opts)
    make_opt, lr = opts.pop("optimizer"), opts.pop("lr")
    models = []
    for s in seeds:
        r = np.random.default_rng([0, s])
        model = build(r)
        fit(model, (X, y), loss=softmax_cross_entropy, optimizer=make_opt(lr), epochs=epochs,
            rng=r, progress=False, **opts)
        models.append(model)
    return models


def stacked(build, X, y, seeds, epochs, opts):
    opts = dict(opts)
    make_opt, lr = opts.pop("optimizer"), opts.pop("lr")
    rngs = [np.random.default_rng([0, s]) for s in seeds]
    models = [build(r) for r in rngs]
    fit_many(models, (X, y), rngs=rngs, loss=softmax_cross_entropy, optimizer=make_opt(lr),
             epochs=epochs, progress=False, **opts)
    return models


def stacked_gemms(widths, m, S, epochs, batch_size):
    """Only the matrix products fit_many's steps run, on arrays of their shapes.

    Per step and Dense layer n_in -> n_out: Z = X W (S, B, n_in) @ (S, n_in, n_out),
    dW = X^T dZ, and dX = dZ W^T below the last layer but not for the first one; as many
    steps as ``epochs`` epochs of ``m`` examples in minibatches of ``batch_size`` (the last
    one short). Their time is a floor under fit_many's: no stacking can go below it.
    """
    rng = np.random.default_rng(0)
    sizes = [batch_size] * (m // batch_size) + ([m % batch_size] if m % batch_size else [])
    layers = list(zip(widths[:-1], widths[1:], strict=True))
    Ws = [rng.standard_normal((S, a, b)).astype(F32) for a, b in layers]
    for B in sizes * epochs:
        X = [rng.standard_normal((S, B, a)).astype(F32) for a, _ in layers]
        D = [rng.standard_normal((S, B, b)).astype(F32) for _, b in layers]
        start = time.process_time()
        for j, W in enumerate(Ws):
            X[j] @ W
            X[j].transpose(0, 2, 1) @ D[j]
            if j:
                D[j] @ W.transpose(0, 2, 1)
        yield time.process_time() - start


def cpu_seconds(run, *args):
    start = time.process_time()
    run(*args)
    return time.process_time() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seeds", type=int, default=5, help="S >= 2 (5)")
    args = parser.parse_args(argv)
    if args.seeds < 2:
        parser.error(f"--seeds must be >= 2 (a stack of S models against S fits), got {args.seeds}")
    seeds = range(args.seeds)
    print(f"S = {args.seeds} models, {args.epochs} epochs, {args.rounds} rounds, CPU time")
    first = None
    for name, (build, m, n_in, k, opts) in NETWORKS.items():
        X, y = data(m, n_in, k)
        a = one_by_one(build, X, y, seeds, 1, opts)
        b = stacked(build, X, y, seeds, 1, opts)
        for ma, mb in zip(a, b, strict=True):
            for key in ma.params:
                if not np.allclose(ma.params[key], mb.params[key], rtol=1e-4, atol=1e-5):
                    print(f"{name}: sanity check FAILED: fit_many differs from fit in {key}")
                    return 1
        ratios, alone, together, single = [], [], [], []
        for r in range(args.rounds):
            runs = [(one_by_one, alone, seeds), (stacked, together, seeds),
                    (stacked, single, seeds[:1])]
            for run, times, which in runs if r % 2 == 0 else runs[::-1]:
                times.append(cpu_seconds(run, build, X, y, which, args.epochs, opts))
            ratios.append(alone[-1] / together[-1])
        ratio = statistics.median(ratios)
        # per model: the time of one fit alone, and what a model adds to a stacked run
        t_alone = statistics.median(alone) / args.seeds
        added = statistics.median(t - t1 for t, t1 in zip(together, single, strict=True)
                                  ) / (args.seeds - 1)
        first = ratio if first is None else first
        gemms = statistics.median(
            sum(stacked_gemms(WIDTHS[name], m, args.seeds, args.epochs, opts["batch_size"]))
            for _ in range(args.rounds))
        print(f"{name:24s} {args.seeds} fits {statistics.median(alone):6.2f} s, fit_many "
              f"{statistics.median(together):6.2f} s: speed-up {ratio:.2f} (goal >= {GOAL:g}, "
              f"{ratio / GOAL:.0%} of it); sanity check passed")
        print(f"{'':24s} its GEMMs alone {gemms:6.3f} s = {gemms / statistics.median(together):.0%}"
              f" of fit_many: the speed-up cannot exceed {statistics.median(alone) / gemms:.1f}"
              f" (S fits / stacked GEMMs)")
        print(f"{'':24s} one model adds {added:6.3f} s to a stack, a fit alone takes {t_alone:6.3f}"
              f" s: the speed-up cannot exceed {t_alone / added:.1f} for any S (a fit alone / "
              f"what a model adds)")
    print(f"seeds_speedup={first:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
