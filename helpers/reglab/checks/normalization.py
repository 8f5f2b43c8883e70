r"""Checks for ``exercises/11_init_and_batch_norm.ipynb``: batch norm forward and backward, init.

The definitions (``notebooks/11_initialization_batch_norm_coordinate_descent.ipynb``,
:class:`reglab.normalization.BatchNorm`, :class:`reglab.layers.Dense`):

* the batch-norm forward pass in training mode, column by column over the m rows of X,

  .. math::
      \mu = \frac1m\sum_i x_i,\quad \sigma^2 = \frac1m\sum_i (x_i - \mu)^2,\quad
      \hat x_i = \frac{x_i - \mu}{\sqrt{\sigma^2 + \delta}},\quad y_i = \gamma\hat x_i + \beta.

  Plain text: ``batchnorm_forward(X, gamma, beta, eps) = gamma * (X - X.mean(0)) /
  sqrt(X.var(0) + eps) + beta``. Shapes: X (m, n), gamma and beta (n,), result (m, n).

* its backward pass, with g = dL/dY,

  .. math::
      \frac{\partial L}{\partial x_i} = \frac{\gamma}{m\sqrt{\sigma^2+\delta}}
      \Big(m g_i - \sum_j g_j - \hat x_i\sum_j g_j\hat x_j\Big).

  Plain text: ``batchnorm_backward(dY, X, gamma, eps) = gamma / (m * std) * (m * dY -
  dY.sum(0) - x_hat * (dY * x_hat).sum(0))``. Shapes: dY and X (m, n), gamma (n,), result (m, n).

* the standard deviation of the initial weights of a layer: He, sqrt(2 / n_in), for
  ``"relu"``; Xavier (Glorot), sqrt(2 / (n_in + n_out)), for ``"tanh"``. Plain text:
  ``init_std(n_in, n_out, activation)``, a number.

Each ``check_*`` function runs the student's function on the cases below and, when an
answer is wrong, names the likely mistake from the table next to it (see :mod:`reglab.checks`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..layers import Dense
from ..normalization import BatchNorm
from . import Case, Exercise, Mistake, _a, _epsilon, isclose

__all__ = [
    "BATCHNORM_BACKWARD",
    "BATCHNORM_FORWARD",
    "INIT_STD",
    "check_batchnorm_backward",
    "check_batchnorm_forward",
    "check_init_std",
]

_rng = np.random.default_rng(11)  # the cases are the same on every run


def _layer(X, gamma, beta, eps):
    bn = BatchNorm(X.shape[1], eps=eps)
    bn.params["gamma"][...] = gamma
    bn.params["beta"][...] = beta
    return bn


# ------------------------------------------------------------ task 1: the forward pass

def _forward(X, gamma, beta, eps):
    """gamma * (X - mean) / sqrt(biased var + eps) + beta, per column (reglab's BatchNorm)."""
    return _layer(X, gamma, beta, eps).forward(X, train=True)


def _x_hat(X, eps, axis=0, ddof=0):
    mu = X.mean(axis=axis, keepdims=True)
    return (X - mu) / np.sqrt(X.var(axis=axis, ddof=ddof, keepdims=True) + eps)



_FORWARD_CASES = (
    Case("4 examples, 3 features of different scales, eps = 0.5 (large, to see where it goes)",
         (_a([1.0, 10.0, -2.0], [2.0, 30.0, -2.5], [3.0, 20.0, -1.0], [6.0, 40.0, -0.5]),
          _a(1.0, 2.0, 0.5), _a(0.0, -1.0, 3.0), 0.5)),
    Case("2 examples, 3 features, gamma = 1, beta = 0, eps = 1e-5",
         (_a([0.0, 1.0, 4.0], [2.0, 5.0, -4.0]), _a(1.0, 1.0, 1.0), _a(0.0, 0.0, 0.0), 1e-5)),
    Case("6 random examples, 2 features, eps = 0.1",
         (_rng.normal(loc=3.0, scale=[0.5, 2.0], size=(6, 2)), _a(1.5, -0.5), _a(0.2, 0.7), 0.1)),
    Case("a feature that is constant in the batch (variance 0), eps = 0.01",
         (_a([5.0, 1.0], [5.0, 2.0], [5.0, 4.0]), _a(2.0, 1.0), _a(1.0, -1.0), 0.01)),
    Case("8 random examples, 5 features, random gamma and beta, eps = 1e-3",
         (_rng.normal(size=(8, 5)) * 3 + 1, _rng.uniform(0.5, 2, 5), _rng.normal(size=5), 1e-3)),
)

BATCHNORM_FORWARD = Exercise(
    name="batchnorm_forward",
    reference=_forward,
    cases=_FORWARD_CASES,
    mistakes=(
        Mistake(lambda X, g, b, eps: g * _x_hat(X, eps, ddof=1) + b,
                "you used the unbiased variance (ddof=1, dividing by m − 1): batch norm "
                "standardizes with the variance of the batch itself, σ² = (1/m)Σ(x − μ)², "
                "which is what X.var(axis=0) computes by default (ddof=0)."),
        Mistake(lambda X, g, b, eps: g * (X - X.mean(0)) / (X.std(0) + eps) + b,
                "you added eps outside the square root, (x − μ)/(σ + eps): it belongs inside, "
                "(x − μ)/sqrt(σ² + eps)."),
        Mistake(lambda X, g, b, eps: g * (X - X.mean(0)) / X.std(0) + b,
                "you left eps out: divide by sqrt(σ² + eps), not by σ (eps keeps a constant "
                "feature from giving 0/0, and it changes the result when σ² is small)."),
        Mistake(lambda X, g, b, eps: g * (X - X.mean(0)) / (X.var(0) + eps) + b,
                "you divided by the variance σ² + eps instead of its square root: the "
                "standard deviation is sqrt(σ² + eps)."),
        Mistake(lambda X, g, b, eps: g * _x_hat(X, eps, axis=1) + b,
                "you computed the mean and variance over each ROW (axis=1, one example's "
                "features): batch norm normalizes each FEATURE over the batch, i.e. each "
                "column, with axis=0."),
        Mistake(lambda X, g, b, eps: g * _x_hat(X, eps, axis=None) + b,
                "you computed one mean and one variance for the whole array: batch norm uses "
                "one per feature (per column), X.mean(axis=0) and X.var(axis=0)."),
        Mistake(lambda X, g, b, eps: _x_hat(X, eps),
                "you returned x_hat: the last step, y = gamma * x_hat + beta, is missing."),
        Mistake(lambda X, g, b, eps: b * _x_hat(X, eps) + g,
                "you swapped gamma and beta: gamma scales (y = gamma * x_hat + beta), beta "
                "shifts."),
        Mistake(lambda X, g, b, eps: g * (X - X.mean(0)) + b,
                "you centred the features but did not divide by sqrt(σ² + eps)."),
        Mistake(lambda X, g, b, eps: g * (X - X.mean(0)) / np.sqrt(X.var(0) + eps),
                "you forgot beta: y = gamma * x_hat + beta."),
        Mistake(lambda X, g, b, eps: g * X + b,
                "you scaled and shifted x itself: y = gamma * x_hat + beta uses the "
                "standardized x_hat = (x − μ)/sqrt(σ² + eps)."),
        Mistake(lambda X, g, b, eps: g * X / np.sqrt(X.var(0) + eps) + b,
                "you divided by sqrt(σ² + eps) but did not subtract the mean μ first: "
                "x_hat = (x − μ)/sqrt(σ² + eps)."),
    ),
    forbidden=(BatchNorm,),
)


def check_batchnorm_forward(batchnorm_forward) -> None:
    """Check ``batchnorm_forward(X, gamma, beta, eps)`` (training mode) on 5 cases."""
    return BATCHNORM_FORWARD.check(batchnorm_forward)


# ----------------------------------------------------------- task 2: the backward pass

def _backward(dY, X, gamma, eps):
    """dL/dX of batch norm in training mode (reglab's BatchNorm.backward)."""
    bn = _layer(X, gamma, np.zeros(X.shape[1]), eps)
    bn.forward(X, train=True)
    return bn.backward(dY)


def _parts(dY, X, eps, ddof=0, axis=0):
    """(m, std, x_hat, sum of g, sum of g * x_hat) over ``axis``."""
    m = X.shape[axis] if axis is not None else X.size
    std = np.sqrt(X.var(axis=axis, ddof=ddof, keepdims=True) + eps)
    x_hat = (X - X.mean(axis=axis, keepdims=True)) / std
    return (m, std, x_hat, dY.sum(axis=axis, keepdims=True),
            (dY * x_hat).sum(axis=axis, keepdims=True))


def _backward_with(ddof=0, axis=0, terms=(1, 1), gamma_on=True, over_m=True):
    def formula(dY, X, gamma, eps):
        m, std, x_hat, sg, sgx = _parts(dY, X, eps, ddof, axis)
        scale = (gamma if gamma_on else 1.0) / ((m if over_m else 1) * std)
        return scale * (m * dY - terms[0] * sg - terms[1] * x_hat * sgx)
    return formula


_BACKWARD_CASES = (
    Case("3 examples, 2 features, gamma = [1, 2], eps = 1e-5",
         (_a([1.0, -1.0], [0.5, 2.0], [-2.0, 0.0]), _a([0.0, 1.0], [3.0, -1.0], [1.0, 4.0]),
          _a(1.0, 2.0), 1e-5)),
    Case("5 random examples, 3 features, eps = 0.1",
         (_rng.normal(size=(5, 3)), _rng.normal(loc=2, scale=[0.3, 1, 5], size=(5, 3)),
          _a(0.5, 1.5, -1.0), 0.1)),
    Case("an upstream gradient of ones (the gradient of sum(Y)): dX must be 0",
         (np.ones((4, 2)), _a([1.0, 2.0], [3.0, 1.0], [0.0, 5.0], [2.0, 2.0]), _a(2.0, 0.5),
          1e-5)),
    Case("2 examples, 4 features, eps = 0.5",
         (_a([1.0, 0.0, -2.0, 0.5], [0.0, 3.0, 1.0, -1.0]),
          _a([0.0, 1.0, 4.0, -2.0], [2.0, 5.0, -4.0, 1.0]), _a(1.0, 1.0, 2.0, 0.5), 0.5)),
    Case("7 random examples, 2 features, random gamma, eps = 1e-3",
         (_rng.normal(size=(7, 2)), _rng.normal(size=(7, 2)) * 2, _rng.uniform(0.5, 2, 2), 1e-3)),
)

@dataclass(frozen=True)
class _CancellingExercise(Exercise):
    """An Exercise whose answers are differences of terms of order 1.

    The batch-norm gradient subtracts sums of order 1; where it is 0 (an upstream gradient
    of ones) it is 0 only up to the rounding of those terms, about 1e-8 in float32. So the
    absolute tolerance is measured against the terms (scale 1), not against the answer.
    """

    def _equal(self, a, b) -> bool:
        if a is None or b is None or np.shape(a) != np.shape(b):
            return False
        atol = 1000 * _epsilon(np.asarray(a).dtype, np.asarray(b).dtype)
        return bool(np.all(isclose(a, b) | (np.abs(np.asarray(a) - b) <= atol)))


BATCHNORM_BACKWARD = _CancellingExercise(
    name="batchnorm_backward",
    reference=_backward,
    cases=_BACKWARD_CASES,
    mistakes=(
        Mistake(lambda dY, X, gamma, eps: gamma * dY / np.sqrt(X.var(0) + eps),
                "you treated μ and σ² as constants (dX = gamma * dY / std): every x_k also "
                "enters μ and σ², which gives the two subtracted terms, "
                "− Σg and − x_hat · Σ(g · x_hat), divided by m."),
        Mistake(_backward_with(terms=(0, 1)),
                "the term − Σ_j g_j (from the mean μ) is missing: dX = gamma / (m std) · "
                "(m g − Σg − x_hat Σ(g x_hat))."),
        Mistake(_backward_with(terms=(1, 0)),
                "the term − x_hat · Σ_j g_j x_hat_j (from the variance σ²) is missing: dX = "
                "gamma / (m std) · (m g − Σg − x_hat Σ(g x_hat))."),
        Mistake(_backward_with(terms=(-1, -1)),
                "wrong signs: both sums are SUBTRACTED, m g − Σg − x_hat Σ(g x_hat)."),
        Mistake(_backward_with(gamma_on=False),
                "you forgot gamma: y = gamma · x_hat + beta, so dL/dx_hat = gamma · g."),
        Mistake(_backward_with(over_m=False),
                "off by a factor of m: the factor in front is gamma / (m · std), with the m."),
        Mistake(_backward_with(ddof=1),
                "you used the unbiased variance (ddof=1): the forward pass, and therefore its "
                "derivative, uses the batch variance (1/m)Σ(x − μ)², X.var(axis=0)."),
        Mistake(_backward_with(axis=1),
                "you summed over each ROW (axis=1): the mean, the variance and both sums run "
                "over the examples of the batch, axis=0."),
        Mistake(lambda dY, X, gamma, eps: _centred_backward(dY, X, gamma, eps),
                "you used x − μ where the formula has x_hat = (x − μ)/sqrt(σ² + eps): the "
                "last term is x_hat · Σ(g · x_hat), both factors standardized."),
        Mistake(lambda dY, X, gamma, eps: _backward_with(terms=(1, 0))(dY, X, gamma, eps)
                - gamma / (X.shape[0] * np.sqrt(X.var(0) + eps))
                * (dY * _x_hat(X, eps)).sum(0),
                "the factor x_hat_k of the last term is missing: the variance term is "
                "− x_hat_k · Σ_i g_i x_hat_i (each input's own x_hat times the sum)."),
        Mistake(lambda dY, X, gamma, eps: gamma / (X.shape[0] * (X.std(0) + eps))
                * (X.shape[0] * dY - dY.sum(0) - (X - X.mean(0)) / (X.std(0) + eps)
                   * (dY * (X - X.mean(0)) / (X.std(0) + eps)).sum(0)),
                "you added eps outside the square root, σ + eps: the forward pass divides by "
                "sqrt(σ² + eps), and so does its derivative."),
        Mistake(lambda dY, X, gamma, eps: gamma / np.sqrt(X.var(0) + eps)
                * (dY - dY.sum(0) - _x_hat(X, eps) * (dY * _x_hat(X, eps)).sum(0)),
                "the 1/m is missing on the two sums: ∂μ/∂x_k = 1/m, so the mean and variance "
                "terms are (1/m)Σg and (1/m) x_hat Σ(g x_hat)."),
    ),
    forbidden=(BatchNorm,),
)


def _centred_backward(dY, X, gamma, eps):
    """The batch-norm gradient with x − μ in place of x_hat in the variance term."""
    m, std = X.shape[0], np.sqrt(X.var(0) + eps)
    centred = X - X.mean(0)
    return gamma / (m * std) * (m * dY - dY.sum(0) - centred * (dY * centred).sum(0))


def check_batchnorm_backward(batchnorm_backward) -> None:
    """Check ``batchnorm_backward(dY, X, gamma, eps)`` = dL/dX on 5 cases."""
    return BATCHNORM_BACKWARD.check(batchnorm_backward)


# ---------------------------------------------------------- task 3: initialization scale

def _init_std(n_in, n_out, activation):
    """He for "relu", Xavier for "tanh": reglab's Dense.INITS."""
    return float(Dense.INITS["he" if activation == "relu" else "xavier"](n_in, n_out))


def _by_activation(relu, tanh):
    return lambda n_in, n_out, act: relu(n_in, n_out) if act == "relu" else tanh(n_in, n_out)


def _he(n_in, n_out):
    return np.sqrt(2 / n_in)


def _xavier(n_in, n_out):
    return np.sqrt(2 / (n_in + n_out))


INIT_STD = Exercise(
    name="init_std",
    reference=_init_std,
    cases=(
        Case("a ReLU layer 784 -> 256", (784, 256, "relu")),
        Case("a tanh layer 784 -> 256", (784, 256, "tanh")),
        Case("a ReLU layer 64 -> 512 (wider output)", (64, 512, "relu")),
        Case("a tanh layer 40 -> 10", (40, 10, "tanh")),
        Case("a square ReLU layer 128 -> 128", (128, 128, "relu")),
        Case("a square tanh layer 100 -> 100", (100, 100, "tanh")),
    ),
    mistakes=(
        Mistake(_by_activation(lambda i, o: np.sqrt(2 / o), _xavier),
                "for ReLU you divided by n_out: He's rule keeps the FORWARD signal steady, "
                "Var z = n_in · Var(w) · E[a²], so std = sqrt(2 / n_in)."),
        Mistake(_by_activation(lambda i, o: 2 / i, lambda i, o: 2 / (i + o)),
                "you returned the variance, not the standard deviation: take the square root "
                "(std = sqrt(2 / n_in) for He)."),
        Mistake(_by_activation(lambda i, o: np.sqrt(1 / i), lambda i, o: np.sqrt(1 / (i + o))),
                "the 2 is missing: He is sqrt(2 / n_in) (the 2 makes up for the half of the "
                "signal that ReLU sets to 0), Xavier sqrt(2 / (n_in + n_out))."),
        Mistake(_by_activation(_xavier, _he),
                "you swapped the rules: He, sqrt(2 / n_in), is for ReLU; Xavier, "
                "sqrt(2 / (n_in + n_out)), for tanh."),
        Mistake(_by_activation(_he, _he),
                "you used He for tanh too: tanh keeps (almost) all of the signal, so it needs "
                "Xavier's sqrt(2 / (n_in + n_out)), not the ReLU factor 2 / n_in."),
        Mistake(_by_activation(_xavier, _xavier),
                "you used Xavier for ReLU too: ReLU zeroes half of the signal, so it needs "
                "He's sqrt(2 / n_in), or the activations shrink layer after layer."),
        Mistake(_by_activation(_he, lambda i, o: np.sqrt(1 / i)),
                "for tanh you used sqrt(1 / n_in) (LeCun): Xavier averages the forward and "
                "backward conditions, sqrt(2 / (n_in + n_out))."),
        Mistake(_by_activation(lambda i, o: np.sqrt(6 / i), lambda i, o: np.sqrt(6 / (i + o))),
                "you returned the LIMIT of the uniform version, sqrt(6 / ...): a uniform on "
                "[−r, r] has std r/√3. The standard deviation is sqrt(2 / n_in) (He) or "
                "sqrt(2 / (n_in + n_out)) (Xavier)."),
        Mistake(_by_activation(_he, lambda i, o: np.sqrt(2 / i + o)),
                "for tanh you computed sqrt(2 / n_in + n_out): the parentheses are missing, "
                "Xavier divides 2 by the sum, sqrt(2 / (n_in + n_out))."),
        Mistake(_by_activation(lambda i, o: np.sqrt(2) / i, lambda i, o: np.sqrt(2) / (i + o)),
                "you took the square root of the 2 only: sqrt(2) / n_in is not sqrt(2 / n_in); "
                "the root applies to the whole variance 2 / n_in."),
        Mistake(_by_activation(_he, lambda i, o: np.sqrt(2 / (i * o))),
                "for tanh you multiplied n_in and n_out: Xavier averages the two conditions "
                "Var w = 1/n_in (forward) and 1/n_out (backward) through their harmonic mean, "
                "Var w = 2 / (n_in + n_out)."),
    ),
    forbidden=(Dense, *Dense.INITS.values()),
)


def check_init_std(init_std) -> None:
    """Check ``init_std(n_in, n_out, activation)``: He for "relu", Xavier for "tanh" (6 cases)."""
    return INIT_STD.check(init_std)
