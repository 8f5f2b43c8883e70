r"""Multi-task learning and parameter tying: a shared trunk with one head per task.

**Multi-task learning** (Goodfellow et al., section 7.7). A trunk h = f(x; θ_sh) shared by
T tasks, a head ŷ_t = g_t(h; θ_t) per task, and the cost

.. math::
    J(\theta_\text{sh}, \theta_1, \dots, \theta_T) = \sum_{t=1}^T w_t\, J_t,
    \qquad
    \frac{\partial J}{\partial \theta_\text{sh}}
    = \sum_{t=1}^T w_t \Big(\frac{\partial h}{\partial \theta_\text{sh}}\Big)^{\!\top}
      \frac{\partial J_t}{\partial h}

(J_t the mean loss of task t): each head only sees its own task, the trunk receives the
weighted sum of the gradients the heads send back. Plain text: dJ/dθ_sh = Σ_t w_t ·
(backprop of head t's gradient through the trunk).

The route chosen here keeps ``train_step`` and ``evaluate`` unchanged: a
:class:`MultiHead` model returns the outputs of all its heads side by side, (m, Σ k_t),
and a :class:`MultiTaskLoss` cuts that array and the packed targets (m, Σ c_t) into
tasks, adds the weighted losses and returns the gradient for every head at once.
``train_step(model, Xb, Yb, loss=..., ...)`` then works as for a ``Sequential``; ``fit``
insists on a ``Sequential`` (it reports accuracies), so :func:`train_multitask` is the
few-line loop over ``minibatches`` and ``train_step`` that replaces it.

**Parameter tying** (section 7.9). Two models A and B of related tasks, each with its own
data, pulled towards each other by a penalty on the difference of chosen weights:

.. math::
    \Omega = \frac{\lambda}{2m}\lVert W_A - W_B\rVert_F^2,\qquad
    \frac{\partial\Omega}{\partial W_A} = \frac{\lambda}{m}(W_A - W_B)
    = -\frac{\partial\Omega}{\partial W_B}

For model B alone this is the L2 penalty of our convention centred on W_A instead of 0
(:func:`tying_penalty`, :func:`train_tied`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ._validate import check_array, check_instances, check_int, check_real, check_rng
from .layers import Sequential, is_weight
from .train import _check_data, minibatches, train_step


class MultiHead:
    """A shared trunk and one head per task; outputs of the heads side by side.

    Shapes: X (m, n_in) (or whatever the trunk takes); the trunk gives H (m, n_h); head t
    gives (m, k_t); ``forward`` returns their concatenation (m, k_1 + ... + k_T), in the
    order of ``heads``. Parameters are named ``"trunk.0.W"``, ``"head1.2.b"``...; weight
    matrices (names ending in ``W``) are the penalized ones, as in a ``Sequential``.

    Parameters
    ----------
    trunk : Sequential
        The shared layers.
    heads : sequence of Sequential
        One per task, each taking the trunk's output.
    """

    def __init__(self, trunk: Sequential, heads: Sequence[Sequential]):
        if not isinstance(trunk, Sequential):
            raise TypeError(f"trunk must be a reglab Sequential, got {type(trunk).__name__}")
        heads = check_instances("heads", heads, Sequential)
        self.trunk, self.heads = trunk, heads
        parts = [("trunk", trunk)] + [(f"head{t}", h) for t, h in enumerate(heads)]
        self.params = {f"{p}.{k}": v for p, net in parts for k, v in net.params.items()}
        self.grads = {f"{p}.{k}": v for p, net in parts for k, v in net.grads.items()}
        self._widths = None

    def forward(self, X, *, train: bool = False, rng=None) -> np.ndarray:
        """Outputs of every head, concatenated along the columns: (m, Σ k_t)."""
        H = self.trunk.forward(X, train=train, rng=rng)
        outs = [head._forward(H, train, rng) for head in self.heads]  # H checked with X
        self._widths = [o.shape[1] for o in outs]
        return np.concatenate(outs, axis=1)

    __call__ = forward

    def split(self, out: np.ndarray) -> list[np.ndarray]:
        """Cut an output (m, Σ k_t) of :meth:`forward` into the heads' outputs [(m, k_t), ...]."""
        if self._widths is None:
            raise RuntimeError("call forward once before split: the head widths are not known")
        return np.split(out, np.cumsum(self._widths)[:-1], axis=1)

    def backward(self, dout: np.ndarray, *, input_grad: bool = True):
        """Backpropagate dJ/d(output) (m, Σ k_t): each head gets its columns, the trunk the sum.

        Fills ``grads``; returns dJ/dX (None if not ``input_grad``).
        """
        dH = sum(head.backward(d) for head, d in zip(self.heads, self.split(dout), strict=True))
        return self.trunk.backward(dH, input_grad=input_grad)

    def weights(self) -> dict[str, np.ndarray]:
        """The penalized parameters (weight matrices, no biases), by name."""
        return {k: v for k, v in self.params.items() if is_weight(k)}

    def state(self) -> dict[str, np.ndarray]:
        """A copy of every parameter."""
        return {k: v.copy() for k, v in self.params.items()}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        """Copy saved parameters back into the model's own arrays."""
        if set(state) != set(self.params):
            raise ValueError(f"state must have the keys {sorted(self.params)}, got {sorted(state)}")
        for k, v in state.items():
            np.copyto(self.params[k], v)


class MultiTaskLoss:
    r"""The weighted sum of task losses, J = Σ_t w_t J_t, for a :class:`MultiHead` model.

    Called as ``loss(out, Y)`` like every loss of :mod:`reglab.losses`: ``out`` is the
    model's output (m, Σ k_t), ``Y`` the packed targets (m, Σ c_t) (see
    :func:`pack_targets`), task t owning k_t output columns and c_t target columns. A task
    with one target column gets it as a vector (m,) (class labels, stored as floats, are
    converted by the loss). Returns (Σ_t w_t J_t, gradient (m, Σ k_t)) whose block t is
    w_t ∂J_t/∂out_t.

    Parameters
    ----------
    losses : sequence of callables (prediction, target) -> (value, gradient)
    outputs : sequence of int
        k_t, the width of each head's output.
    targets : sequence of int
        c_t, the number of target columns of each task.
    weights : sequence of float >= 0
        w_t. The first task is usually the main one, with weight 1.
    """

    def __init__(self, losses: Sequence[Callable], outputs: Sequence[int],
                 targets: Sequence[int], weights: Sequence[float]):
        self.losses = list(losses)
        if not self.losses:
            raise ValueError("losses must contain at least one loss, got an empty list")
        for name, seq in (("outputs", outputs), ("targets", targets), ("weights", weights)):
            if len(seq) != len(self.losses):
                raise ValueError(f"{name} must have one entry per loss ({len(self.losses)}), "
                                 f"got {len(seq)}")
        for i, f in enumerate(self.losses):
            if not callable(f):
                raise TypeError(f"losses[{i}] must be a function (prediction, y) -> "
                                f"(value, grad), got {f!r}")
        self.outputs = [check_int(f"outputs[{i}]", k, low=1) for i, k in enumerate(outputs)]
        self.targets = [check_int(f"targets[{i}]", c, low=1) for i, c in enumerate(targets)]
        self.weights = [check_real(f"weights[{i}]", w, low=0) for i, w in enumerate(weights)]

    def _parts(self, out, Y):
        out = np.asarray(out)
        Y = np.asarray(Y)
        if out.ndim != 2 or out.shape[1] != sum(self.outputs):
            raise ValueError(f"out must have shape (m, {sum(self.outputs)}), got {out.shape}")
        if Y.ndim != 2 or Y.shape != (out.shape[0], sum(self.targets)):
            raise ValueError(f"Y must have shape ({out.shape[0]}, {sum(self.targets)}), "
                             f"got {Y.shape}")
        outs = np.split(out, np.cumsum(self.outputs)[:-1], axis=1)
        ys = [y[:, 0] if y.shape[1] == 1 else y
              for y in np.split(Y, np.cumsum(self.targets)[:-1], axis=1)]
        return outs, ys

    def task_values(self, out, Y) -> list[float]:
        """Each task's own mean loss J_t (unweighted), in order."""
        outs, ys = self._parts(out, Y)
        return [f(o, y)[0] for f, o, y in zip(self.losses, outs, ys, strict=True)]

    def __call__(self, out, Y) -> tuple[float, np.ndarray]:
        outs, ys = self._parts(out, Y)
        value, grads = 0.0, []
        for f, w, o, y in zip(self.losses, self.weights, outs, ys, strict=True):
            v, g = f(o, y)
            value += w * v
            grads.append(w * g)
        return value, np.concatenate(grads, axis=1)

    def __repr__(self):
        names = [getattr(f, "__name__", repr(f)) for f in self.losses]
        return f"MultiTaskLoss({names}, weights={self.weights})"


def pack_targets(*targets) -> np.ndarray:
    """Stack the targets of several tasks into one float array (m, Σ c_t), in order.

    Each target is (m,) (one column: class labels or one real value) or (m, c_t).
    Class labels are stored as floats; :class:`MultiTaskLoss` hands them back as (m,).
    """
    if not targets:
        raise ValueError("pack_targets needs at least one target array")
    cols = []
    for i, t in enumerate(targets):
        t = check_array(f"targets[{i}]", t, dtype_kind="fiub")
        cols.append(t.reshape(len(t), -1).astype(np.float64))
        if len(t) != len(cols[0]):
            raise ValueError(f"targets[{i}] has {len(t)} rows, targets[0] has {len(cols[0])}")
    return np.concatenate(cols, axis=1)


def train_multitask(model: MultiHead, train, *, loss: MultiTaskLoss, optimizer, epochs: int,
                    batch_size: int, rng, penalty=None) -> list[float]:
    """Train a :class:`MultiHead` model in place by minibatch steps; the loop ``fit`` would run.

    ``train`` is (X, Y) with Y packed by :func:`pack_targets`. Every step is
    ``train_step`` (forward, weighted loss, backward, penalty (λ/2m)Ω on every weight
    matrix of trunk and heads, m = len(X), update). Returns the mean minibatch cost
    Σ_t w_t J_t of every epoch.
    """
    if not isinstance(model, MultiHead):
        raise TypeError(f"model must be a reglab MultiHead, got {type(model).__name__}")
    if not isinstance(loss, MultiTaskLoss):
        raise TypeError(f"loss must be a MultiTaskLoss, got {type(loss).__name__}")
    X = check_array("train X", train[0], ndim=2)
    Y = check_array("train Y", train[1], ndim=2)
    if len(Y) != len(X):
        raise ValueError(f"train Y has {len(Y)} rows but X has {len(X)}")
    epochs = check_int("epochs", epochs, low=1)
    batch_size = check_int("batch_size", batch_size, low=1)
    check_rng("rng", rng)
    if not hasattr(optimizer, "step"):
        raise TypeError(f"optimizer must have a step(params, grads) method, got {optimizer!r}")
    m, costs = len(X), []
    for _ in range(epochs):
        values = [train_step(model, X[idx], Y[idx], loss=loss, optimizer=optimizer,
                             penalty=penalty, m=m, rng=rng)
                  for idx in minibatches(m, batch_size, rng)]
        costs.append(float(np.mean(values)))
    return costs


# ------------------------------------------------------------------ parameter tying

def tying_penalty(W_a: np.ndarray, W_b: np.ndarray, lam: float, m: int):
    r"""(λ/2m)‖W_A − W_B‖²_F and its gradients with respect to W_A and W_B.

    .. math::
        \Omega = \frac{\lambda}{2m}\lVert W_A - W_B\rVert_F^2,\quad
        \frac{\partial\Omega}{\partial W_A} = \frac{\lambda}{m}(W_A - W_B),\quad
        \frac{\partial\Omega}{\partial W_B} = -\frac{\lambda}{m}(W_A - W_B)

    Plain text: value = lam/(2m)·sum((W_a − W_b)²); grad_a = lam/m·(W_a − W_b); grad_b = −grad_a.
    Shapes: W_a, W_b of the same shape; returns (float, array, array).
    """
    W_a, W_b = check_array("W_a", W_a, min_rows=0), check_array("W_b", W_b, min_rows=0)
    if W_a.shape != W_b.shape:
        raise ValueError(f"W_a and W_b must have the same shape, got {W_a.shape} and {W_b.shape}")
    lam = check_real("lam", lam, low=0)
    m = check_int("m", m, low=1)
    diff = W_a - W_b
    grad_a = (lam / m) * diff
    return lam / (2 * m) * float(np.sum(diff * diff)), grad_a, -grad_a


def train_tied(model_a, train_a, model_b, train_b, *, tied: Sequence[str], lam: float, loss,
               optimizer_a, optimizer_b, steps: int, batch_size: int, rng, m: int | None = None):
    """Train two models together, each on its own data, with their ``tied`` weights pulled together.

    Every step takes one minibatch of each training set (each set is reshuffled whenever it
    runs out) and minimizes J_A + J_B + (λ/2m) Σ_{name in tied} ‖W_A[name] − W_B[name]‖²_F.
    ``m`` defaults to len(train_b X) (take B as the task with fewer examples): for B the
    penalty is then exactly ``L2(lam)`` of :mod:`reglab.penalties` centred on A's weights.
    With lam = 0 the two runs are independent.

    Shapes: model_a and model_b must have the parameters named in ``tied``, of equal shapes.
    """
    if isinstance(tied, str) or not tied:
        raise ValueError(f"tied must be a non-empty list of parameter names, got {tied!r}")
    for name in tied:
        if name not in model_a.params or name not in model_b.params:
            raise ValueError(f"tied names a parameter both models must have, got {name!r}")
        if model_a.params[name].shape != model_b.params[name].shape:
            raise ValueError(f"tied parameter {name!r} has shapes {model_a.params[name].shape} "
                             f"and {model_b.params[name].shape}")
    lam = check_real("lam", lam, low=0)
    steps = check_int("steps", steps, low=1)
    batch_size = check_int("batch_size", batch_size, low=1)
    check_rng("rng", rng)
    if not callable(loss):
        raise TypeError(f"loss must be a function (prediction, y) -> (value, grad), got {loss!r}")
    for name, opt in (("optimizer_a", optimizer_a), ("optimizer_b", optimizer_b)):
        if not hasattr(opt, "step"):
            raise TypeError(f"{name} must have a step(params, grads) method, got {opt!r}")
    (Xa, ya), (Xb, yb) = _check_data("train_a", train_a), _check_data("train_b", train_b)
    if optimizer_a is optimizer_b:
        raise ValueError("optimizer_a and optimizer_b must be two optimizers: one keeps the "
                         "state of model A, the other of model B")
    m = len(Xb) if m is None else check_int("m", m, low=1)

    def batches(n):
        while True:
            yield from minibatches(n, batch_size, rng)

    next_a, next_b = batches(len(Xa)), batches(len(Xb))
    for _ in range(steps):
        for model, X, y, idx in ((model_a, Xa, ya, next(next_a)), (model_b, Xb, yb, next(next_b))):
            out = model.forward(X[idx], train=True, rng=rng)
            model.backward(loss(out, y[idx])[1], input_grad=False)
        for name in tied:
            _, ga, gb = tying_penalty(model_a.params[name], model_b.params[name], lam, m)
            model_a.grads[name] += ga
            model_b.grads[name] += gb
        optimizer_a.step(model_a.params, model_a.grads)
        optimizer_b.step(model_b.params, model_b.grads)


# ------------------------------------------------------------------ auxiliary targets

#: The columns of ``Mnist1DFactors.F_train`` / ``F_test``.
MNIST1D_FACTORS = ("padding", "scale", "translation", "shear")


@dataclass(frozen=True)
class Mnist1DFactors:
    """What generated each MNIST-1D signal, row for row with :func:`reglab.data.load_mnist1d`.

    F_train, F_test : (m, 4) the factors :data:`MNIST1D_FACTORS`: padding p in [36, 60]
        (the digit fills 12/(12 + p) of the signal), scale in [0.8, 1.2], circular
        translation k in [0, 47], shear coefficient in [-0.375, 0.375].
    aligned_train, aligned_test : (m, 40) the digit's template stretched (padding) and
        scaled but *not* translated, sheared or noised, standardized like X: the clean
        shape of the digit, at a fixed position.
    X_train, X_test : (m, 40) the signals, rebuilt: equal to ``load_mnist1d``'s.
    """

    F_train: np.ndarray
    F_test: np.ndarray
    aligned_train: np.ndarray
    aligned_test: np.ndarray
    X_train: np.ndarray
    X_test: np.ndarray


def mnist1d_factors(seed: int = 42, num_samples: int = 5000,
                    train_split: float = 0.8) -> Mnist1DFactors:
    """Replay MNIST-1D's generator and record, for every signal, the factors that made it.

    ``mnist1d.data.make_dataset`` draws, for every example, a zero padding, a scale
    factor, a circular translation and a shear coefficient, and adds correlated and i.i.d.
    noise. This function repeats its steps with the same seed and the same order of draws
    (through a private ``np.random.RandomState``, the legacy stream mnist1d seeds
    globally, so the global state is untouched) and keeps what it drew. The rebuilt
    signals are returned too, so that a caller can check that they are exactly
    ``load_mnist1d(seed, num_samples, train_split)``'s, i.e. that the factors belong to
    those rows. Takes about 3 s. Returns a :class:`Mnist1DFactors`.

    References: Greydanus & Kobak (2024), "Scaling down deep learning with MNIST-1D";
    the ``mnist1d`` package, ``data.make_dataset`` and ``transform.transform``.
    """
    from mnist1d.data import get_dataset_args, get_templates
    from mnist1d.transform import interpolate
    from scipy.ndimage import gaussian_filter

    from .data import load_mnist1d

    load_mnist1d(seed, num_samples, train_split)  # validates the arguments the same way
    args = get_dataset_args()
    rs = np.random.RandomState(seed)  # noqa: NPY002 - the legacy stream mnist1d draws from
    templates = get_templates()
    n_len, n_out = args.template_len + args.padding[-1], args.final_seq_length
    xs, factors, aligned = [], [], []
    for label in range(len(templates["y"])):
        for _ in range(num_samples // len(templates["y"])):
            x = templates["x"][label] + 1e-8
            low, high = args.padding
            p = low + int(rs.rand() * (high - low + 1))                  # pad: stretch
            x = interpolate(np.concatenate([x, np.zeros(p)]), n_len)
            scale = 1 + args.scale_coeff * (rs.rand() - 0.5)             # scale
            x = x * scale
            aligned.append(interpolate(x, n_out))
            k = rs.choice(args.max_translation)                          # translate
            x = np.concatenate([x[-k:], x[:-k]])
            mask = x != 0                                                # noise
            x = mask * x + (1 - mask) * gaussian_filter(args.corr_noise_scale * rs.randn(n_len), 2)
            x = x + args.iid_noise_scale * rs.randn(n_len)
            shear = args.shear_scale * (rs.rand() - 0.5)                 # shear, subsample
            x = interpolate(x - shear * np.linspace(-0.5, 0.5, n_len), n_out)
            xs.append(x)
            factors.append((p, scale, k, shear))
    order = rs.permutation(len(xs))
    X, F = np.stack(xs)[order], np.asarray(factors, dtype=np.float64)[order]
    A = (np.stack(aligned)[order] - X.mean()) / X.std()
    X = (X - X.mean()) / X.std()
    s = int(len(X) * train_split)
    return Mnist1DFactors(F[:s], F[s:], A[:s], A[s:], X[:s], X[s:])
