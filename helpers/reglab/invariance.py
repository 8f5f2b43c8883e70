r"""Building MNIST-1D's invariances into a model: shear-free circular shifts, test-time averaging.

MNIST-1D's generator (``mnist1d.data.make_dataset``; see
:func:`reglab.multitask.mnist1d_factors`) makes every signal from one of ten templates by
padding, scaling, a *circular* translation over the whole frame, correlated and i.i.d.
noise, and a *shear*: a straight line −c·t, t from −½ to ½, subtracted from the signal.
The label never depends on the translation or on the line, so

* :func:`detrend` removes the least-squares line in t (the shear, up to the slope of the
  pattern itself) and keeps the mean;
* :class:`CircularShift` is the label-preserving augmentation that mimics the generator's
  translation: a circular shift by a random number of steps, the line removed again
  (a shifted line would become a saw tooth the generator never makes);
* :func:`shift_averaged_proba` averages a model's class probabilities over circular shifts
  of each test signal (test-time augmentation: an ensemble over transformations instead
  of over models, Goodfellow et al. section 7.11);
* :func:`mean_and_spread` summarizes a metric over seeds.

Shapes: signals X (m, L), one example per row; probabilities (m, n_classes).

References
----------
Greydanus & Kobak (2024), "Scaling down deep learning with MNIST-1D", ICML; Goodfellow et
al., *Deep Learning*, sections 7.4 (dataset augmentation) and 7.11 (ensembles).
"""

from __future__ import annotations

import numpy as np

from ._validate import check_array, check_bool, check_int
from .augment import Transform
from .ensemble import predict_proba
from .layers import Sequential

__all__ = ["CircularShift", "detrend", "mean_and_spread", "shift_averaged_proba"]


def _ramp(L: int, dtype) -> np.ndarray:
    """t = linspace(-1/2, 1/2, L): the shape of MNIST-1D's shear."""
    return np.linspace(-0.5, 0.5, L).astype(dtype)


def detrend(X) -> np.ndarray:
    r"""Remove each signal's least-squares slope along its last axis, keeping its mean.

    .. math::
        t_j = -\tfrac12 + \tfrac{j}{L-1},\qquad
        \hat c_i = \frac{\sum_j x_{ij} t_j}{\sum_j t_j^2},\qquad
        x'_{ij} = x_{ij} - \hat c_i\, t_j

    Plain text: t = linspace(-1/2, 1/2, L); c_i = (X[i] · t) / (t · t);
    X'[i] = X[i] - c_i t. Since Σ t_j = 0 the mean of each row is unchanged, and
    detrend(detrend(X)) = detrend(X) (a projection). MNIST-1D's shear is −c·t with
    c ~ U(−3/8, 3/8) before standardization, so detrending removes it, together with
    the (small) slope of the pattern itself.

    Shapes: X (m, L) with L >= 2 -> (m, L), X's dtype (float64 for integer input).
    """
    X = check_array("X", X, ndim=2, min_rows=0)
    if X.shape[1] < 2:
        raise ValueError(f"X must have at least 2 time steps to fit a line, got shape {X.shape}")
    if X.dtype.kind != "f":
        X = X.astype(np.float64)
    t = _ramp(X.shape[1], X.dtype)
    c = (X @ t) / (t @ t)
    return X - c[:, None] * t


def _roll_rows(X: np.ndarray, k: np.ndarray) -> np.ndarray:
    """out[i, j] = X[i, (j - k_i) mod L]: row i shifted right by k_i, circularly."""
    L = X.shape[1]
    return np.take_along_axis(X, (np.arange(L)[None, :] - k[:, None]) % L, axis=1)


class CircularShift(Transform):
    r"""Shift each signal circularly by a random number of steps, then remove the line.

    .. math::
        k_i \sim \mathcal U\{-s, \dots, s\},\qquad
        x'_i = \mathrm{detrend}\big(x_{i,\,(j - k_i) \bmod L}\big)_j

    Plain text: X'[i] = detrend(np.roll(X[i], k_i)) with k_i uniform in {-s, ..., s},
    s = ``max_shift`` (default L // 2: every circular position). ``detrend=False`` keeps
    the plain circular shift (``RandomShift(s, mode="wrap")``).

    Preserves the label of MNIST-1D signals: the generator translates the padded template
    circularly by up to 47 of 72 steps, so every circular position of a pattern occurs in
    the data; the shear line is removed because a shifted line (a saw tooth) does not.
    Shapes: signals (m, L) only.
    """

    ndims = (2,)

    def __init__(self, max_shift: int | None = None, detrend: bool = True):
        self.max_shift = None if max_shift is None else check_int("max_shift", max_shift, low=0)
        self.detrend = check_bool("detrend", detrend)

    def apply(self, X, rng):
        s = X.shape[1] // 2 if self.max_shift is None else self.max_shift
        out = _roll_rows(X, rng.integers(-s, s, size=X.shape[0], endpoint=True))
        return detrend(out) if self.detrend else out


def shift_averaged_proba(model: Sequential, X, shifts, *, detrend_input: bool = True):
    r"""Class probabilities averaged over circular shifts of each signal (test-time averaging).

    .. math::
        \bar p(y \mid x) = \frac{1}{|S|}\sum_{k \in S} p_\theta\big(y \mid
        \mathrm{detrend}(\mathrm{roll}(x, k))\big)

    Plain text: the mean over k in ``shifts`` of softmax(model(detrend(np.roll(X, k,
    axis=1)))) (without detrend when ``detrend_input=False``). An ensemble whose members
    are one model seen through different label-preserving transformations: it makes the
    prediction (nearly) shift invariant even where the model learned the invariance only
    approximately. Dropout is off (evaluation mode).

    Parameters
    ----------
    model : Sequential, logits (m, n_classes) for signals (m, L) (reshape inside the model
        if it wants channels, as :class:`reglab.conv.Conv1D` does for (m, L) input).
    X : (m, L) signals.
    shifts : 1-D sequence of ints, at least one.
    detrend_input : bool

    Returns
    -------
    (m, n_classes) probabilities, rows summing to 1.
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a reglab Sequential, got {type(model).__name__}")
    X = check_array("X", X, ndim=2)
    shifts = np.asarray(shifts)
    if shifts.ndim != 1 or shifts.size == 0 or shifts.dtype.kind not in "iu":
        raise ValueError(f"shifts must be a non-empty 1-D sequence of ints, got {shifts!r}")
    check_bool("detrend_input", detrend_input)
    total = 0.0
    for k in shifts:
        Xk = np.roll(X, int(k), axis=1)
        total = total + predict_proba(model, detrend(Xk) if detrend_input else Xk)
    return total / shifts.size


def mean_and_spread(values) -> tuple[float, float]:
    r"""Mean and sample standard deviation of a metric measured over seeds.

    .. math:: \bar v = \frac1n\sum_i v_i,\qquad s = \sqrt{\frac{1}{n-1}\sum_i (v_i - \bar v)^2}

    Plain text: (np.mean(v), np.std(v, ddof=1)); the spread is 0.0 for a single value.
    Shapes: values (n,) -> two floats.
    """
    v = check_array("values", values, ndim=1)
    return float(v.mean()), float(v.std(ddof=1)) if v.size > 1 else 0.0
