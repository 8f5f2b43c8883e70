r"""Checks for ``exercises/12_capstone.ipynb``: removing the shear line, and a test set's error bar.

The definitions (``notebooks/12_capstone_mnist1d.ipynb`` and :mod:`reglab.invariance`):

* **detrend.** For signals X (m, L), one per row, with the centred ramp
  t_j = −½ + j/(L − 1) (so Σ t_j = 0), the least-squares slope of row i and the detrended
  row are

  .. math::
      \hat c_i = \frac{\sum_j x_{ij} t_j}{\sum_j t_j^2},\qquad x'_{ij} = x_{ij} - \hat c_i t_j ;

  the mean of each row is kept. Shapes: X (m, L) -> (m, L).
* **standard error** of an accuracy p measured on n independent test examples (each one
  right with probability p, a binomial count divided by n):

  .. math:: \mathrm{SE} = \sqrt{\frac{p(1-p)}{n}} .

  Inputs two numbers, the answer one number.

* :func:`check_detrend` and :func:`check_standard_error` check the two functions with the
  engine of :mod:`reglab.checks` (cases and a table of wrong formulas with their diagnosis).
"""

from __future__ import annotations

import numpy as np

from ..invariance import detrend as _reglab_detrend
from . import Case, Exercise, Mistake, _a

__all__ = ["DETREND", "STANDARD_ERROR", "check_detrend", "check_standard_error"]

_rng = np.random.default_rng(1212)  # the cases are the same on every run


def _ramp(L):
    return np.linspace(-0.5, 0.5, L)


# ------------------------------------------------------------------ task 1: detrend

def _minus_line(X, t):
    """X − ĉ t per row with ĉ = (X · t)/(t · t), for a given ramp t."""
    return X - np.outer(X @ t / (t @ t), t)


def _detrend(X):
    """X − ĉ t per row, ĉ = (X · t)/(t · t), t = linspace(−1/2, 1/2, L)."""
    return _minus_line(X, _ramp(X.shape[1]))


def _line(L, a, c):
    return a + c * _ramp(L)


DETREND = Exercise(
    name="detrend",
    reference=_detrend,
    cases=(
        Case("one signal that is a pure line 3 + 2t (L = 5): only the mean 3 may stay",
             (_line(5, 3.0, 2.0)[None, :],)),
        Case("two short signals with a mean and a slope (L = 4)",
             (_a([1.0, 4.0, 2.0, 7.0], [0.0, -1.0, 3.0, 1.0]),)),
        Case("three random signals of length 9", (_rng.normal(size=(3, 9)),)),
        Case("two random signals of length 40 plus lines of slope 3 and −2, mean 1",
             (_rng.normal(size=(2, 40)) + 1.0 + np.outer(_a(3.0, -2.0), _ramp(40)),)),
        Case("a single spike at the first step (L = 6)", (_a([1.0, 0, 0, 0, 0, 0]),)),
    ),
    mistakes=(
        Mistake(lambda X: _detrend(X) - X.mean(axis=1, keepdims=True),
                "you removed the mean as well: subtract only the slope term ĉ·t; the mean of "
                "each signal must stay (it says nothing about the shear)."),
        Mistake(lambda X: _minus_line(X, np.linspace(0, 1, X.shape[1])),
                "your ramp is not centred (t from 0 to 1, or np.arange(L)): the formula "
                "ĉ = (x·t)/(t·t) is the least-squares slope only when Σ t_j = 0. Use "
                "t = np.linspace(-0.5, 0.5, L)."),
        Mistake(lambda X: X - np.outer(X @ _ramp(X.shape[1]) / X.shape[1], _ramp(X.shape[1])),
                "you divided x·t by L, the number of steps: the least-squares slope divides "
                "by t·t = Σ t_j², which is not L."),
        Mistake(lambda X: X - _detrend(X),
                "you returned the fitted line ĉ·t itself: the answer is what is left after "
                "removing it, X − ĉ·t."),
        Mistake(lambda X: 2 * X - _detrend(X),
                "you added the line instead of subtracting it: X − ĉ·t (your answer has twice "
                "the slope)."),
        Mistake(lambda X: X - np.outer(X[:, -1] - X[:, 0], _ramp(X.shape[1])),
                "you took the slope from the two end points (last − first): that line goes "
                "through two noisy samples; the least-squares slope uses every sample, "
                "ĉ = (x·t)/(t·t)."),
        Mistake(lambda X: _detrend(X.T).T,
                "you worked along the wrong axis (over the examples instead of along each "
                "signal): fit one line per ROW, with sums over the L time steps (axis=1)."),
        Mistake(lambda X: X - np.outer(X @ _ramp(X.shape[1]) / (_ramp(X.shape[1]) @
                                                               _ramp(X.shape[1])),
                                       np.linspace(0, 1, X.shape[1])),
                "the slope is right but you subtracted it times an uncentred ramp (0 to 1, or "
                "np.arange(L)): that moves the signal's mean by ĉ·mean(t). Subtract ĉ·t with "
                "the centred t, whose mean is 0."),
        Mistake(lambda X: X - np.mean(X @ _ramp(X.shape[1])) / (_ramp(X.shape[1]) @
                                                                _ramp(X.shape[1]))
                * _ramp(X.shape[1]),
                "you fitted one line for all the signals together (a sum or mean over every "
                "row): each signal has its own slope, ĉ_i = (x_i·t)/(t·t), one per row."),
        Mistake(lambda X: X - np.outer(X @ _ramp(X.shape[1]), _ramp(X.shape[1])),
                "you did not divide x·t by t·t: the least-squares slope is ĉ = (x·t)/(t·t) "
                "(t·t = Σ t_j² is not 1)."),
    ),
    forbidden=(_reglab_detrend,),
)


def check_detrend(detrend) -> None:
    """Check ``detrend(X)`` = X − ĉ t per row on 5 cases."""
    return DETREND.check(detrend)


# ------------------------------------------------------------------ task 2: standard error

def _standard_error(p, n):
    """sqrt(p (1 − p) / n)."""
    return np.sqrt(p * (1 - p) / n)


STANDARD_ERROR = Exercise(
    name="standard_error",
    reference=_standard_error,
    cases=(
        Case("accuracy 0.9 on the 1000 test signals of MNIST-1D", (0.9, 1000)),
        Case("accuracy 0.5 on 100 examples (the largest spread per example)", (0.5, 100)),
        Case("accuracy 0.97 on 10,000 examples", (0.97, 10_000)),
        Case("accuracy 0.68 on 1000 examples (the paper's MLP)", (0.68, 1000)),
        Case("accuracy 0.2 on 50 examples", (0.2, 50)),
    ),
    mistakes=(
        Mistake(lambda p, n: p * (1 - p) / n,
                "you returned the variance p(1 − p)/n: the standard error is its square "
                "root."),
        Mistake(lambda p, n: np.sqrt(p * (1 - p) / (n - 1)),
                "you divided by n − 1: the variance of a mean of n independent right/wrong "
                "outcomes is p(1 − p)/n (the n − 1 belongs to estimating a variance from "
                "samples, not here)."),
        Mistake(lambda p, n: np.sqrt(p / n),
                "you forgot the factor (1 − p): one example's outcome is 1 with probability "
                "p, so its variance is p(1 − p), not p."),
        Mistake(lambda p, n: p * (1 - p) / np.sqrt(n),
                "the square root belongs over the whole p(1 − p)/n, not over n only: "
                "SE = sqrt(p(1 − p)/n)."),
        Mistake(lambda p, n: np.sqrt(p * (1 - p)) / n,
                "you divided by n instead of sqrt(n): averaging n independent outcomes divides "
                "the VARIANCE by n, the standard deviation by sqrt(n)."),
        Mistake(lambda p, n: np.sqrt((1 - p) / n),
                "you used the error rate alone, sqrt((1 − p)/n): the variance of one outcome is "
                "p(1 − p), the product of both probabilities."),
        Mistake(lambda p, n: 1.96 * np.sqrt(p * (1 - p) / n),
                "you multiplied by 1.96: that is the half-width of a 95 % interval, "
                "±1.96·SE. The standard error itself is sqrt(p(1 − p)/n)."),
        Mistake(lambda p, n: 2 * np.sqrt(p * (1 - p) / n),
                "you multiplied by 2: ±2·SE is the rough 95 % interval. The standard error "
                "itself is sqrt(p(1 − p)/n)."),
        Mistake(lambda p, n: np.sqrt(n * p * (1 - p)),
                "you computed the spread of the NUMBER of correct answers, sqrt(n p(1 − p)): "
                "the accuracy is that number divided by n, so its standard deviation is "
                "sqrt(n p(1 − p))/n = sqrt(p(1 − p)/n)."),
        Mistake(lambda p, n: np.sqrt(p * (1 - p)),
                "n is missing: sqrt(p(1 − p)) is the spread of ONE example's outcome; the mean "
                "of n independent outcomes has variance p(1 − p)/n."),
    ),
)


def check_standard_error(standard_error) -> None:
    """Check ``standard_error(p, n)`` = sqrt(p (1 − p)/n) on 5 cases."""
    return STANDARD_ERROR.check(standard_error)
