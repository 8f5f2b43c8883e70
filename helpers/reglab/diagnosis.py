r"""Diagnosing a fit: bias and variance measured against a baseline, and the recipe's next step.

Two numbers from one training run, the training error and the validation error,
compared with a *baseline* error that no model can be expected to beat (the Bayes
error, or a human expert's error as a stand-in for it), split the work that is
left into two parts:

.. math::
    \text{avoidable bias} = E_\text{train} - E_\text{baseline},\qquad
    \text{variance} = E_\text{val} - E_\text{train}

Plain text: avoidable_bias = train_err - baseline_err; variance = val_err - train_err.

A part is *high* when it exceeds a tolerance ``tol``, in the units of the errors
(0.1 = ten percentage points for error rates; for a mean squared error pass a
tolerance in squared units). The verdict is one of :data:`VERDICTS`:

* ``"good fit"``: neither part exceeds ``tol``;
* ``"high bias"`` (underfitting): only the avoidable bias does;
* ``"high variance"`` (overfitting): only the variance does;
* ``"both"``: both do.

The experimental recipe of the INF721 lecture (Algorithm 1) turns the verdict into
the next thing to try: fight bias first (bigger network, train longer, different
architecture), then variance (more data, regularization), and stop at a good fit
(:func:`recipe_step`).

All errors are plain floats: error rates (1 - accuracy) in [0, 1], or losses such
as a mean squared error, whose baseline is then the noise variance σ².

References: the INF721 lecture on regularization, sections 2.1 to 2.3.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_array, check_bool, check_real

__all__ = ["RECIPE_STEPS", "VERDICTS", "SealedTestSet", "avoidable_bias", "diagnose",
           "recipe_step", "variance", "verdict"]

#: The four possible verdicts of :func:`diagnose`.
VERDICTS = ("good fit", "high bias", "high variance", "both")

#: What Algorithm 1 of the INF721 lecture tries next after each verdict. With both
#: problems, bias comes first: its test precedes the variance test in the algorithm,
#: and regularizing a model that cannot fit its training set only makes that worse.
RECIPE_STEPS = {
    "high bias": "bigger network",
    "both": "bigger network",
    "high variance": "regularize or more data",
    "good fit": "done",
}


def _check_errors(train_err, val_err, baseline_err, tol):
    train_err = check_real("train_err", train_err, low=0)
    val_err = check_real("val_err", val_err, low=0)
    baseline_err = check_real("baseline_err", baseline_err, low=0)
    tol = check_real("tol", tol, low=0)
    return train_err, val_err, baseline_err, tol


def avoidable_bias(train_err: float, baseline_err: float) -> float:
    """train_err - baseline_err: how far the model is from fitting its own training set
    as well as the baseline does. Negative when the training error is *below* the
    baseline, which is no bias at all but a sign of fitting the noise."""
    return check_real("train_err", train_err, low=0) - check_real("baseline_err", baseline_err,
                                                                  low=0)


def variance(train_err: float, val_err: float) -> float:
    """val_err - train_err: how much worse the model does on data it was not trained on."""
    return check_real("val_err", val_err, low=0) - check_real("train_err", train_err, low=0)


def diagnose(train_err: float, val_err: float, baseline_err: float, tol: float = 0.1) -> str:
    """Verdict on a fit from its training and validation errors and a baseline error.

    Parameters
    ----------
    train_err, val_err : float >= 0
        Errors on the training and the validation set (e.g. 1 - accuracy).
    baseline_err : float >= 0
        The error no model is expected to beat: Bayes error, or a human expert's.
        For the cats-vs-dogs example of the INF721 lecture (humans ≈ 100 %) it is 0;
        for MNIST-1D a human expert reaches 96 %, so 0.04.
    tol : float >= 0
        Largest avoidable bias and largest variance still accepted, in the units of
        the errors (default 0.1, ten percentage points).

    Returns
    -------
    str
        ``"high bias"`` if only train_err - baseline_err > tol, ``"high variance"`` if
        only val_err - train_err > tol, ``"both"`` if both, ``"good fit"`` otherwise.

    Examples
    --------
    The three columns of the INF721 cats-vs-dogs table (accuracies 45/42, 99/67, 95/94 %):

    >>> diagnose(0.55, 0.58, 0.0), diagnose(0.01, 0.33, 0.0), diagnose(0.05, 0.06, 0.0)
    ('high bias', 'high variance', 'good fit')
    """
    train_err, val_err, baseline_err, tol = _check_errors(train_err, val_err, baseline_err, tol)
    return verdict(train_err - baseline_err > tol, val_err - train_err > tol)


def verdict(high_bias: bool, high_variance: bool) -> str:
    """The label of :data:`VERDICTS` for the two findings of :func:`diagnose`."""
    high_bias, high_variance = check_bool("high_bias", high_bias), check_bool("high_variance",
                                                                            high_variance)
    if high_bias and high_variance:
        return "both"
    if high_bias:
        return "high bias"
    if high_variance:
        return "high variance"
    return "good fit"


def recipe_step(train_err: float, val_err: float, baseline_err: float, tol: float = 0.1) -> str:
    """The next step of the experimental recipe (INF721, Algorithm 1) after one training run.

    Returns :data:`RECIPE_STEPS` ``[diagnose(...)]``: ``"bigger network"`` (shorthand for
    bigger network / train longer / different architecture) when the avoidable bias is
    high, even if the variance is high too; ``"regularize or more data"`` when only the
    variance is high; ``"done"`` for a good fit. Arguments as in :func:`diagnose`.
    """
    return RECIPE_STEPS[diagnose(train_err, val_err, baseline_err, tol)]


class SealedTestSet:
    """A test set that can be evaluated exactly once (the last line of the recipe).

    The recipe takes every decision on the validation set and reports the test accuracy
    of the final model once, so that the number is an honest estimate for new data. A
    second look raises: a test set used to choose between models has become a
    validation set.

    Parameters
    ----------
    X : array, shape (m, n_in)
        Test inputs, one example per row.
    y : array, shape (m,)
        Their integer class labels.
    """

    def __init__(self, X, y):
        self._X = check_array("X", X, ndim=2)
        self._y = np.asarray(y)
        if self._y.shape != (len(self._X),) or self._y.dtype.kind not in "iu":
            raise ValueError(f"y must be ({len(self._X)},) integer labels to match X, "
                             f"got shape {self._y.shape} and dtype {self._y.dtype}")
        self.opened = False

    def accuracy(self, model) -> float:
        """Fraction of test examples where ``model.predict(X)`` equals y; only once."""
        if self.opened:
            raise RuntimeError("the test set has already been used once; every further "
                               "look would turn it into a validation set")
        self.opened = True
        return float(np.mean(model.predict(self._X) == self._y))
