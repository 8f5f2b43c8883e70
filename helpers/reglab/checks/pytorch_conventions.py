r"""Checks for ``exercises/13_pytorch_conventions.ipynb``: three of PyTorch's conventions.

The definitions (``notebooks/13_from_reglab_to_pytorch.ipynb``, the PyTorch
documentation of ``torch.nn.utils.clip_grad_norm_``, ``torch.nn.BatchNorm1d`` and
``torch.nn.CrossEntropyLoss``), written in NumPy so that the exercise runs without PyTorch:

* **The clipping factor of** ``clip_grad_norm_``: the gradients are multiplied by

  .. math:: f = \min\Big(1, \frac{c}{\lVert g\rVert + 10^{-6}}\Big)

  ``torch_clip_factor(grad_norm, max_norm)`` returns f (a number). reglab's
  ``GradientClipping`` uses min(1, c/‖g‖).
* **One update of** ``BatchNorm1d``'s ``running_var``, with PyTorch's ``momentum`` μ (the
  weight of the *new* batch) and the *unbiased* variance of the batch X (B, n):

  .. math:: r' = (1-\mu)\,r + \mu\,\frac{1}{B-1}\sum_i (x_i - \bar x)^2

  ``torch_running_var(running_var, X, momentum)`` returns r' (n,).
* **Label smoothing** as in ``CrossEntropyLoss(label_smoothing=s)``: the target puts
  1 − s + s/K on the true class and s/K on every class, so for logits Z (B, K) and labels y

  .. math:: L_s = \frac1B\sum_i\Big[(1-s)\,(-\log p_{i,y_i}) + \frac sK\sum_k(-\log p_{ik})\Big]

  ``smoothed_cross_entropy(logits, y, s)`` returns L_s (a number).

Each task is an :class:`~reglab.checks.Exercise` with cases chosen so that every wrong
formula of its table gives itself away, and a ``check_<name>`` function.
"""

from __future__ import annotations

import numpy as np

from ..losses import log_softmax
from . import Case, Exercise, Mistake, _a

__all__ = [
    "CLIP_FACTOR",
    "RUNNING_VAR",
    "SMOOTHED_CE",
    "check_smoothed_cross_entropy",
    "check_torch_clip_factor",
    "check_torch_running_var",
]

_rng = np.random.default_rng(1313)  # the cases are the same on every run
TORCH_CLIP_EPS = 1e-6


# ------------------------------------------------------------ task 1: clip_grad_norm_'s factor

def _clip_factor(grad_norm, max_norm):
    """min(1, c / (norm + 1e-6)), as torch.nn.utils.clip_grad_norm_."""
    return min(1.0, max_norm / (grad_norm + TORCH_CLIP_EPS))


CLIP_FACTOR = Exercise(
    name="torch_clip_factor",
    reference=_clip_factor,
    cases=(
        Case("a norm 5 times the limit", (5.0, 1.0)),
        Case("a norm below the limit (no clipping)", (0.5, 1.0)),
        Case("a tiny norm, 3e-6, over a tiny limit, 1e-6", (3e-6, 1e-6)),
        Case("a norm of 2e-7 under a limit of 1e-6", (2e-7, 1e-6)),
        Case("a norm of 40 over a limit of 0.5", (40.0, 0.5)),
        Case("a norm of 5e-7 over a limit of 1e-7 (both under 1e-6)", (5e-7, 1e-7)),
    ),
    mistakes=(
        Mistake(lambda n, c: min(1.0, c / n),
                "that is reglab's exact rule, min(1, c/‖g‖). PyTorch adds 1e-6 to the norm "
                "in the denominator: min(1, c/(‖g‖ + 1e-6)), which matters only for tiny "
                "norms."),
        Mistake(lambda n, c: c / (n + TORCH_CLIP_EPS),
                "a gradient whose norm is already below the limit must be left alone: the "
                "factor is capped at 1, min(1, c/(‖g‖ + 1e-6)); without the cap small "
                "gradients are scaled UP to the limit."),
        Mistake(lambda n, c: max(1.0, c / (n + TORCH_CLIP_EPS)),
                "max instead of min: the factor is min(1, c/(‖g‖ + 1e-6)), at most 1 "
                "(clipping only ever shrinks the gradient)."),
        Mistake(lambda n, c: min(1.0, (n + TORCH_CLIP_EPS) / c),
                "the ratio is upside down: the clipped gradient has norm c, so the factor "
                "is c/(‖g‖ + 1e-6), the limit over the norm."),
        Mistake(lambda n, c: min(1.0, (c + TORCH_CLIP_EPS) / n),
                "the 1e-6 is on the wrong side: PyTorch adds it to the norm in the "
                "denominator, c/(‖g‖ + 1e-6), not to the limit."),
        Mistake(lambda n, c: min(c, n),
                "you returned the norm after clipping, min(‖g‖, c); the function returns the "
                "factor the gradients are multiplied by, min(1, c/(‖g‖ + 1e-6))."),
        Mistake(lambda n, c: min(1.0, c / n + TORCH_CLIP_EPS),
                "you added 1e-6 to the ratio, c/‖g‖ + 1e-6: PyTorch adds it to the norm in the "
                "denominator, c/(‖g‖ + 1e-6)."),
        Mistake(lambda n, c: min(1.0, c / max(n, TORCH_CLIP_EPS)),
                "you used max(‖g‖, 1e-6), a floor under the norm: PyTorch ADDS 1e-6 to it, "
                "c/(‖g‖ + 1e-6), which changes every factor a little, not only tiny norms."),
    ),
)


def check_torch_clip_factor(torch_clip_factor) -> None:
    """Check ``torch_clip_factor(grad_norm, max_norm) -> factor`` (5 cases)."""
    return CLIP_FACTOR.check(torch_clip_factor)


# ------------------------------------------------------------ task 2: BatchNorm1d running_var

def _running_var(running_var, X, momentum):
    """(1 - momentum) r + momentum * unbiased batch variance, column by column."""
    return (1 - momentum) * running_var + momentum * X.var(axis=0, ddof=1)


_RV_CASES = (
    Case("a batch of 2 rows, momentum 0.1, r = 1",
         (np.ones(3), _a([0.0, 1.0, 4.0], [2.0, -1.0, 0.0]), 0.1)),
    Case("a batch of 5 rows, momentum 0.5",
         (_a(0.5, 2.0), _rng.normal(size=(5, 2)) * 3 + 1, 0.5)),
    Case("a batch of 10 rows, momentum 0.3, r = 0.2",
         (np.full(4, 0.2), _rng.normal(size=(10, 4)), 0.3)),
    Case("momentum 1: only the new batch counts",
         (_a(7.0, 7.0), _a([1.0, 0.0], [3.0, 2.0], [5.0, 7.0]), 1.0)),
    Case("a batch of 4 rows with a large mean, momentum 0.1",
         (_a(1.0, 3.0, 0.5), _rng.normal(size=(4, 3)) + 10.0, 0.1)),
)

RUNNING_VAR = Exercise(
    name="torch_running_var",
    reference=_running_var,
    cases=_RV_CASES,
    mistakes=(
        Mistake(lambda r, X, mu: (1 - mu) * r + mu * X.var(axis=0),
                "you averaged the biased variance (divided by B). PyTorch normalizes with the "
                "biased variance but stores the UNBIASED one in running_var: divide by "
                "B − 1 (X.var(axis=0, ddof=1))."),
        Mistake(lambda r, X, mu: mu * r + (1 - mu) * X.var(axis=0, ddof=1),
                "that is the Keras / reglab convention, where momentum weighs the OLD value. "
                "PyTorch's momentum weighs the NEW batch: r' = (1 − μ) r + μ·var."),
        Mistake(lambda r, X, mu: (1 - mu) * r + mu * X.std(axis=0, ddof=1),
                "you averaged the standard deviation; running_var holds the variance "
                "(the square of it)."),
        Mistake(lambda r, X, mu: X.var(axis=0, ddof=1) + 0 * r,
                "the old running value is gone: running_var is a moving average, "
                "r' = (1 − μ) r + μ·var, not the last batch's variance."),
        Mistake(lambda r, X, mu: (1 - mu) * r + mu * X.var(axis=0) * (X.shape[0] - 1)
                / X.shape[0],
                "the B/(B−1) correction went the wrong way: the unbiased variance is the "
                "biased one times B/(B − 1), larger, not smaller."),
        Mistake(lambda r, X, mu: (1 - mu) * r + mu * X.mean(axis=0),
                "you averaged the batch mean: that is running_mean's update; running_var "
                "averages the unbiased variance."),
        Mistake(lambda r, X, mu: (1 - mu) * r + mu * np.var(X, ddof=1),
                "you took one variance of the whole batch: running_var has one entry per "
                "feature, the unbiased variance of each column, X.var(axis=0, ddof=1)."),
        Mistake(lambda r, X, mu: r + mu * X.var(axis=0, ddof=1),
                "the old value is not decayed: a moving average weighs it by 1 − μ, "
                "r' = (1 − μ) r + μ·var."),
    ),
)


def check_torch_running_var(torch_running_var) -> None:
    """Check ``torch_running_var(running_var, X, momentum) -> running_var_new`` (5 cases)."""
    return RUNNING_VAR.check(torch_running_var)


# ------------------------------------------------------------ task 3: label smoothing

def _smoothed_ce(logits, y, s):
    """CrossEntropyLoss(label_smoothing=s): (1 - s) CE + s * mean over classes of -log p."""
    return _smoothed_ce_with(log_softmax(logits), y, s)


def _picked(logits, y):
    return log_softmax(logits)[np.arange(len(y)), y]


_CE_CASES = (
    Case("3 examples, 4 classes, s = 0.1",
         (_rng.normal(size=(3, 4)) * 2, np.array([0, 3, 1]), 0.1)),
    Case("one example, 10 classes, s = 0.5",
         (_rng.normal(size=(1, 10)), np.array([7]), 0.5)),
    Case("s = 0: the plain cross-entropy, 5 examples, 3 classes",
         (_rng.normal(size=(5, 3)), np.array([0, 1, 2, 2, 0]), 0.0)),
    Case("confident logits (up to ±8), 4 examples, 5 classes, s = 0.2",
         (_rng.normal(size=(4, 5)) * 8, np.array([4, 0, 2, 2]), 0.2)),
    Case("2 examples, 2 classes, s = 0.3",
         (_a([1.0, -1.0], [0.5, 2.0]), np.array([1, 1]), 0.3)),
)

SMOOTHED_CE = Exercise(
    name="smoothed_cross_entropy",
    reference=_smoothed_ce,
    cases=_CE_CASES,
    mistakes=(
        Mistake(lambda Z, y, s: float(np.mean(
                    (1 - s) * -_picked(Z, y)
                    + s / (Z.shape[1] - 1) * (np.sum(-log_softmax(Z), axis=1) + _picked(Z, y)))),
                "you spread s over the K − 1 OTHER classes. PyTorch spreads it over all K "
                "classes, the true one included: target (1 − s)·onehot + s/K."),
        Mistake(lambda Z, y, s: float(np.mean(-_picked(Z, y)
                                              + s * np.mean(-log_softmax(Z), axis=1))),
                "the true class keeps weight 1: the smoothed target takes s away from it, "
                "(1 − s)·CE + s·mean_k(−log p_k)."),
        Mistake(lambda Z, y, s: float(np.mean((1 - s) * -_picked(Z, y)
                                              + s * np.sum(-log_softmax(Z), axis=1))),
                "you summed −log p over the classes with weight s; each class gets s/K, so it "
                "is s times the MEAN over the K classes."),
        Mistake(lambda Z, y, s: float(np.mean(s * -_picked(Z, y)
                                              + (1 - s) * np.mean(-log_softmax(Z), axis=1))),
                "s and 1 − s are swapped: the true class keeps 1 − s, the uniform part gets s."),
        Mistake(lambda Z, y, s: float(np.sum((1 - s) * -_picked(Z, y)
                                             + s * np.mean(-log_softmax(Z), axis=1))),
                "you summed over the examples: CrossEntropyLoss averages over the batch "
                "(reduction='mean'), divide by B."),
        Mistake(lambda Z, y, s: float(np.mean(-np.log((1 - s) * np.exp(_picked(Z, y))
                                                      + s / Z.shape[1]))),
                "you smoothed the predicted probability, −log((1 − s)p_y + s/K). Label "
                "smoothing mixes the TARGET: (1 − s)(−log p_y) + (s/K)Σ_k(−log p_k)."),
        Mistake(lambda Z, y, s: float(np.mean(
                    (1 - s) * -_picked(Z, y)
                    + s / Z.shape[1] * (np.sum(-log_softmax(Z), axis=1) + _picked(Z, y)))),
                "the true class is missing its share s/K: the smoothed target is 1 − s + s/K "
                "on the true class and s/K on every other, so the uniform part sums −log p "
                "over ALL K classes."),
        Mistake(lambda Z, y, s: _smoothed_ce_with(Z - np.log(np.exp(Z).sum(axis=0)), y, s),
                "the log-softmax runs over the wrong axis (the examples, axis=0): normalize "
                "each example's K logits, over axis=1 (one row per example)."),
    ),
)


def _smoothed_ce_with(logp, y, s):
    """The smoothed loss from given log-probabilities (B, K)."""
    ce = -logp[np.arange(len(y)), y]
    return float(np.mean((1 - s) * ce + s * np.mean(-logp, axis=1)))


def check_smoothed_cross_entropy(smoothed_cross_entropy) -> None:
    """Check ``smoothed_cross_entropy(logits, y, s) -> loss`` (5 cases)."""
    return SMOOTHED_CE.check(smoothed_cross_entropy)
