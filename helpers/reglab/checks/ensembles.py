r"""Checks for ``exercises/07_ensembles_and_adversarial.ipynb``: bagging and FGSM.

The definitions (``notebooks/07_ensembles_and_adversarial_training.ipynb``,
:mod:`reglab.ensemble`, :mod:`reglab.adversarial`):

* a **bootstrap sample** of (X, y), X (m, n), y (m,), is m rows drawn uniformly *with
  replacement*: indices i_1, ..., i_m ~ U{0, ..., m-1} drawn from ``rng``, and the pair
  (X[idx], y[idx]), the same indices for both;
* an **ensemble** of k classifiers with class probabilities ``probas`` (k, m, c) predicts
  the class of largest *averaged* probability, argmax_c (1/k) Σ_j probas[j, :, c], one
  label per example (m,);
* the **fast gradient sign method** with budget ε and valid input range [low, high],
  X' = clip(X + ε·sign(G), low, high), with G = ∂L/∂X (m, n) the gradient of the loss
  with respect to the input:

.. math::
    X' = \operatorname{clip}\big(X + \varepsilon\operatorname{sign}(G),\ l,\ h\big)

* :func:`check_bootstrap_sample` checks the *random* ``bootstrap_sample(X, y, rng)`` by its
  properties, each with its own diagnosis (global random state, sample size, input
  modified, rows copied from X, labels aligned, with replacement, every index reachable,
  seeded by ``rng``);
* :func:`check_ensemble_predict` and :func:`check_fgsm_step` check the deterministic
  functions with the engine of :mod:`reglab.checks` (cases and a table of wrong formulas);
* :func:`check_gradient_question` asks which gradient goes into FGSM.
"""

from __future__ import annotations

import numpy as np

from ..adversarial import fgsm
from ..ensemble import Ensemble, bootstrap_indices, train_bagging
from . import (
    Case,
    CheckError,
    CheckTypeError,
    Exercise,
    Mistake,
    MultipleChoice,
    _a,
    _call_with_own_rng,
)

__all__ = [
    "ENSEMBLE_PREDICT",
    "FGSM_STEP",
    "GRADIENT_QUESTION",
    "check_bootstrap_sample",
    "check_ensemble_predict",
    "check_fgsm_step",
    "check_gradient_question",
]

_rng = np.random.default_rng(707)  # the cases are the same on every run


def _fail(name: str, message: str):
    raise CheckError(f"{name}: {message}")


# ------------------------------------------------------------ task 1: a bootstrap sample

_M = 1000
# Row i starts with the number i, so every row of a sample says which example it copies.
_X = np.column_stack([np.arange(_M, dtype=float), _rng.normal(size=(_M, 3))])
_Y = _rng.integers(0, 10, _M)
_SMALL_M, _SMALL_DRAWS = 10, 300


def _sample(fn, X, y, seed):
    """Run the student's function on copies; return (X_b, y_b) checked for structure."""
    name = "bootstrap_sample"
    X_in, y_in = X.copy(), y.copy()
    out = _call_with_own_rng(name, fn, (X_in, y_in, np.random.default_rng(seed)),
                             draw_hint="idx = rng.integers(0, m, size=m)",
                             forbidden=(bootstrap_indices, train_bagging))
    if not (np.array_equal(X_in, X) and np.array_equal(y_in, y)):
        _fail(name, "you changed X or y in place (rng.shuffle(X), X[:] = ..., ...): the "
              "caller's training set must stay as it was. Index it, X[idx], which makes a new "
              "array.")
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        _fail(name, f"must return the pair (X_b, y_b), got {type(out).__name__}")
    X_b, y_b = (np.asarray(a) for a in out)
    m = len(X)
    if X_b.ndim != 2 or X_b.shape[1] != X.shape[1]:
        _fail(name, f"X_b must have X's {X.shape[1]} columns, one example per row, got shape "
              f"{X_b.shape}")
    if len(X_b) != m or len(y_b) != m:
        _fail(name, f"a bootstrap sample has as many rows as the training set, m = {m}, got "
              f"{len(X_b)} rows of X and {len(y_b)} labels. Draw m indices "
              f"(size=m), not a fraction of m: the ≈63 % distinct examples come from "
              f"drawing m times with replacement, not from drawing fewer.")
    return X_b, y_b


def _source_rows(X_b, X):
    """Which row of X each row of X_b copies (X's first column is the row number)."""
    name = "bootstrap_sample"
    idx = X_b[:, 0]
    if not np.all((idx == np.round(idx)) & (idx >= 0) & (idx < len(X))):
        _fail(name, "the rows of X_b must be rows of X, copied unchanged: some are not (did "
              "you add noise, or mix examples?).")
    idx = idx.astype(int)
    if not np.array_equal(X_b, X[idx]):
        _fail(name, "the rows of X_b must be rows of X, copied unchanged: index X with the "
              "drawn indices, X[idx].")
    return idx


def check_bootstrap_sample(bootstrap_sample) -> None:
    """Check ``bootstrap_sample(X, y, rng)`` -> ``(X_b, y_b)`` by its properties.

    The rows are m draws with replacement from the m rows of X, uniformly, with ``rng``;
    y_b holds the labels of the very rows in X_b. Prints ``✓ bootstrap_sample passed 8
    checks``; otherwise raises AssertionError naming the mistake
    (NotImplementedError for the untouched stub).
    """
    name = "bootstrap_sample"
    if not callable(bootstrap_sample):
        raise CheckTypeError(f"{name} must be a function: pass it without parentheses, got "
                        f"{type(bootstrap_sample).__name__} {bootstrap_sample!r}")
    X_b, y_b = _sample(bootstrap_sample, _X, _Y, 1)        # 1-3 rng, input, size
    idx = _source_rows(X_b, _X)                            # 4 rows copied
    if not np.array_equal(y_b, _Y[idx]):                   # 5 labels aligned
        _fail(name, "y_b does not hold the labels of the rows in X_b: you drew the indices "
              "for y separately from those for X (or shuffled y on its own). Draw the indices "
              "once, idx = rng.integers(0, m, size=m), and return X[idx], y[idx].")
    distinct = len(np.unique(idx)) / _M
    if distinct == 1.0:                                    # 6 with replacement
        _fail(name, "every example appears exactly once: you sampled WITHOUT replacement "
              "(rng.permutation, rng.choice(..., replace=False)), which only shuffles the "
              "training set. A bootstrap sample draws with replacement, so that some examples "
              "appear twice or more and about 1/e ≈ 37 % not at all.")
    again = _sample(bootstrap_sample, _X, _Y, 1)[0]        # 7 seeded by rng
    if not np.array_equal(again, X_b):
        _fail(name, "the same seed gave different samples: you drew from a source other than "
              "the rng argument. Use rng itself, so that a run can be reproduced.")
    other = _sample(bootstrap_sample, _X, _Y, 2)[0]
    if np.array_equal(other, X_b):
        _fail(name, "two different seeds gave the same sample: your draws do not depend on the "
              "rng you were given (np.random.default_rng(0) inside the function?). Draw from "
              "rng itself.")
    counts = np.zeros(_SMALL_M, dtype=int)                 # 8 every index, uniformly
    X_small, y_small = _X[:_SMALL_M], _Y[:_SMALL_M]
    for seed in range(_SMALL_DRAWS):
        counts += np.bincount(_source_rows(_sample(bootstrap_sample, X_small, y_small,
                                                   100 + seed)[0], X_small),
                              minlength=_SMALL_M)
    if counts[-1] == 0:
        _fail(name, f"the last example (index m - 1) was never drawn in {_SMALL_DRAWS} samples "
              f"of m = {_SMALL_M}: rng.integers(low, high) excludes high, so draw "
              f"rng.integers(0, m, size=m), not rng.integers(0, m - 1, ...).")
    if counts[0] == 0:
        _fail(name, "the first example (index 0) was never drawn: indices run from 0 to "
              "m - 1, so draw rng.integers(0, m, size=m), not from 1.")
    expected = _SMALL_DRAWS                               # each index: once per sample
    if np.any(np.abs(counts - expected) > 6 * np.sqrt(expected)):
        _fail(name, f"the examples are not drawn uniformly: over {_SMALL_DRAWS} samples of "
              f"m = {_SMALL_M} each index should appear about {expected} times, got counts "
              f"from {counts.min()} to {counts.max()}. Every draw must pick each of the m "
              f"examples with probability 1/m.")
    if abs(distinct - 0.632) > 0.05:
        _fail(name, f"{distinct:.1%} of the examples are distinct; m draws with replacement "
              f"give about 1 - 1/e ≈ 63.2 %. Draw m independent, uniform indices.")
    print(f"✓ {name} passed 8 checks")
    return None


# ------------------------------------------------------------ task 2: the ensemble's vote

def _ensemble_predict(probas):
    """argmax over classes of the probabilities averaged over members; (k, m, c) -> (m,)."""
    return np.asarray(probas).mean(axis=0).argmax(axis=1)


def _p(*members) -> np.ndarray:
    """probas (k, m, c) from one (m, c) list per member."""
    return np.array(members, dtype=np.float64)


def _dirichlet(k, m, c):
    return _rng.dirichlet(np.ones(c), size=(k, m))


def _vote(probas):
    labels = probas.argmax(axis=2)
    counts = np.stack([(labels == c).sum(axis=0) for c in range(probas.shape[2])], axis=1)
    return counts.argmax(axis=1)


ENSEMBLE_PREDICT = Exercise(
    name="ensemble_predict",
    reference=_ensemble_predict,
    cases=(
        Case("one member very sure of class 0, two unsure members for class 1",
             (_p([[0.9, 0.05, 0.05]], [[0.3, 0.4, 0.3]], [[0.3, 0.4, 0.3]]),)),
        Case("two members for classes 0 and 2 (the average LABEL would be 1)",
             (_p([[0.7, 0.1, 0.2]], [[0.25, 0.1, 0.65]]),)),
        Case("one member gives the winning class probability 0",
             (_p([[0.0, 0.6, 0.4]], [[0.9, 0.05, 0.05]], [[0.5, 0.3, 0.2]]),)),
        Case("the most confident member is outvoted on average",
             (_p([[0.75, 0.25, 0.0]], [[0.1, 0.7, 0.2]], [[0.1, 0.7, 0.2]]),)),
        Case("a single member: its own predictions", (_dirichlet(1, 4, 3),)),
        Case("five members, six examples, four classes", (_dirichlet(5, 6, 4),)),
        Case("ten members, eight examples, ten classes", (_dirichlet(10, 8, 10),)),
    ),
    mistakes=(
        Mistake(lambda P: np.rint(P.argmax(axis=2).mean(axis=0)),
                "you averaged the members' LABELS: the mean of class 0 and class 2 is class 1, "
                "which neither member predicted. Class labels are names, not quantities; "
                "average the probabilities, then take the argmax."),
        Mistake(_vote,
                "you took a majority vote of the members' labels: that ignores how sure each "
                "member is (one confident member loses to two that hesitate). Average the "
                "probabilities over the members (axis 0), then take the argmax over classes."),
        Mistake(lambda P: P[0].argmax(axis=1),
                "you returned the first member's predictions: average over ALL members, "
                "probas.mean(axis=0), before the argmax."),
        Mistake(lambda P: P.max(axis=0).argmax(axis=1),
                "you took the maximum over the members, which follows the single most "
                "confident member; average them instead: probas.mean(axis=0)."),
        Mistake(lambda P: P.prod(axis=0).argmax(axis=1),
                "you multiplied the members' probabilities: one member that gives a class "
                "probability 0 then vetoes it for everybody. Average them: probas.mean(axis=0)."),
        Mistake(lambda P: P.mean(axis=0).argmin(axis=1),
                "you took the argmin: the prediction is the class of LARGEST averaged "
                "probability, argmax."),
        Mistake(lambda P: P.argmax(axis=2).mean(axis=0),
                "you averaged the members' LABELS (and got fractions): class labels are "
                "names, not quantities. Average the probabilities over the members, then "
                "take the argmax over classes."),
        Mistake(lambda P: P.argmax(axis=2).mean(axis=0).astype(int),
                "you averaged the members' LABELS and truncated: the mean of class 0 and "
                "class 2 is class 1, which neither member predicted. Average the "
                "probabilities, then take the argmax."),
        Mistake(lambda P: P[-1].argmax(axis=1),
                "you returned the last member's predictions (the loop variable after the "
                "loop?): average over ALL members, probas.mean(axis=0), before the argmax."),
        Mistake(lambda P: np.median(P, axis=0).argmax(axis=1),
                "you took the median over the members: the ensemble AVERAGES their "
                "probabilities, probas.mean(axis=0), then takes the argmax."),
        Mistake(lambda P: P.mean(axis=2).argmax(axis=0),
                "you averaged over the classes (axis 2) and took the argmax over the members: "
                "average over the members (axis 0), then take the argmax over the classes "
                "(axis 1 of the average)."),
    ),
    forbidden=(Ensemble,),
)


def check_ensemble_predict(ensemble_predict) -> None:
    """Check ``ensemble_predict(probas)`` = argmax of the averaged probabilities on 7 cases."""
    return ENSEMBLE_PREDICT.check(ensemble_predict)


# ----------------------------------------------------------------------- task 3: FGSM

def _fgsm_step(X, grad, eps, low, high):
    """clip(X + eps * sign(grad), low, high); X and grad (m, n)."""
    return np.clip(X + eps * np.sign(grad), low, high)


FGSM_STEP = Exercise(
    name="fgsm_step",
    reference=_fgsm_step,
    cases=(
        Case("one example, nothing reaches the range's ends",
             (_a([0.2, 0.5, 0.7]), _a([0.3, -2.0, 0.01]), 0.1, 0.0, 1.0)),
        Case("a zero gradient entry: that input stays where it is",
             (_a([0.4, 0.6]), _a([0.0, 5.0]), 0.05, 0.0, 1.0)),
        Case("steps that cross both ends of the range [0, 1]",
             (_a([0.95, 0.02, 0.5]), _a([1.0, -1.0, 0.5]), 0.1, 0.0, 1.0)),
        Case("an input already outside the range (1.2 in [0, 1])",
             (_a([1.2, 0.5]), _a([-0.7, 0.2]), 0.1, 0.0, 1.0)),
        Case("standardized signals in [-3, 3], gradients of the opposite sign to x",
             (_a([-1.0, 2.0, 0.5], [2.95, -0.3, 1.0]), _a([0.5, -0.2, -3.0], [4.0, 0.1, -0.2]),
              0.2, -3.0, 3.0)),
        Case("a random batch, eps = 0.3 in [-2, 2]",
             (_rng.uniform(-2, 2, (4, 5)), _rng.normal(size=(4, 5)), 0.3, -2.0, 2.0)),
    ),
    mistakes=(
        Mistake(lambda X, G, e, lo, hi: np.clip(X + e * G, lo, hi),
                "you stepped along the gradient itself, eps * grad: FGSM takes its SIGN, "
                "eps * sign(grad), so that every input moves by exactly eps (the largest step "
                "allowed by ||eta||_inf <= eps), however small its gradient."),
        Mistake(lambda X, G, e, lo, hi: np.clip(X - e * np.sign(G), lo, hi),
                "you subtracted eps * sign(grad): that DESCENDS the loss and makes the "
                "example easier. The attack ascends it: X + eps * sign(grad)."),
        Mistake(lambda X, G, e, lo, hi: X + e * np.sign(G),
                "you did not clip the result (clipping the perturbation to [−eps, eps] "
                "changes nothing: it is already there): the inputs must stay in the valid "
                "range, np.clip(X + eps * sign(grad), low, high)."),
        Mistake(lambda X, G, e, lo, hi: X + np.clip(e * np.sign(G), lo, hi),
                "you clipped the perturbation to [low, high]: the range is for the INPUTS. "
                "Add the step, then clip the result: np.clip(X + eps * sign(grad), low, high)."),
        Mistake(lambda X, G, e, lo, hi: np.clip(X + np.where(G >= 0, e, -e), lo, hi),
                "you moved an input whose gradient is 0 by +eps: sign(0) = 0, so such an "
                "input stays where it is (a zero gradient gives no direction). np.sign does "
                "that."),
        Mistake(lambda X, G, e, lo, hi: np.clip(X + np.where(G > 0, e, -e), lo, hi),
                "you moved an input whose gradient is 0 by −eps: sign(0) = 0, so such an "
                "input stays where it is (a zero gradient gives no direction). np.sign does "
                "that."),
        Mistake(lambda X, G, e, lo, hi: e * np.sign(G),
                "you returned only the perturbation eps * sign(grad): return the perturbed "
                "input, np.clip(X + eps * sign(grad), low, high)."),
        Mistake(lambda X, G, e, lo, hi: np.clip(X + e * G / np.abs(G), lo, hi),
                "grad / |grad| is NaN where the gradient is 0 (0/0): use np.sign(grad), "
                "which gives 0 there."),
        Mistake(lambda X, G, e, lo, hi: np.clip(X + e * G / np.max(np.abs(G)), lo, hi),
                "you scaled the gradient by its largest entry: only that entry moves by eps. "
                "Each term G·η is largest at η = ±eps on its own, so every input moves by "
                "exactly eps: eps * sign(grad)."),
        Mistake(lambda X, G, e, lo, hi: np.clip(X * (1 + e * np.sign(G)), lo, hi),
                "you multiplied X by (1 + eps·sign(grad)): the perturbation is ADDED, "
                "X + eps * sign(grad), the same size eps for every input."),
        Mistake(lambda X, G, e, lo, hi: np.clip(X + e * np.sign(G), X.min(), X.max()),
                "you clipped to the range of this X (X.min(), X.max()): use the low and high "
                "you were given, the valid range of the inputs."),
        Mistake(lambda X, G, e, lo, hi: np.clip(X, lo, hi) + e * np.sign(G),
                "you clipped before adding eps * sign(grad), so the result can leave the "
                "range again. Add the step first, then clip: np.clip(X + eps * sign(grad), "
                "low, high)."),
        Mistake(lambda X, G, e, lo, hi: np.clip(X + e * np.sign(X), lo, hi),
                "you took the sign of the input X: the direction comes from the GRADIENT of "
                "the loss, eps * sign(grad)."),
        Mistake(lambda X, G, e, lo, hi: np.clip(X + e * G / np.linalg.norm(G), lo, hi),
                "you normalized the gradient by its 2-norm: that is the steepest step for "
                "||eta||_2 <= eps. FGSM's budget is ||eta||_inf <= eps, whose best step is "
                "eps * sign(grad)."),
        Mistake(lambda X, G, e, lo, hi: np.clip(X + e * np.sign(G), 0.0, 1.0),
                "you clipped to [0, 1] whatever the range: use the low and high you were "
                "given (standardized signals live in [-3, 3] here)."),
    ),
    forbidden=(fgsm,),
)


def check_fgsm_step(fgsm_step) -> None:
    """Check ``fgsm_step(X, grad, eps, low, high)`` = clip(X + eps·sign(grad)) on 6 cases."""
    return FGSM_STEP.check(fgsm_step)


# ------------------------------------------------------------ task 4: which gradient?

GRADIENT_QUESTION = MultipleChoice(
    name="the gradient of FGSM",
    options={
        "a": "∇_W J: the gradient of the loss with respect to the weights, as in training",
        "b": "∇_x J(f(x), y): the gradient of the loss with respect to the input, true label y",
        "c": "∇_x z_y: the gradient of the true class's logit with respect to the input",
        "d": "∇_x of the L2 penalty (λ/2m)·ΣW²",
    },
    answer="b",
    why={
        "a": "∇_W J tells how to change the WEIGHTS to lower the loss; it has the shape of W, "
             "not of x, and the attack cannot change the weights. FGSM moves the input: "
             "x' = x + eps·sign(∇_x J(f(x), y)).",
        "b": "the attack changes the input to raise the loss of the true label: to first "
             "order J(x + eta) ≈ J(x) + ∇_x Jᵀeta, which eps·sign(∇_x J) maximizes over "
             "||eta||_inf <= eps. input_gradient gets it by backpropagating to the input.",
        "c": "raising the true class's logit makes the network MORE sure of the right answer; "
             "x + eps·sign(∇_x z_y) helps it. The attack needs the sign of the loss gradient "
             "(which points, roughly, along −∇_x z_y).",
        "d": "the penalty depends on the weights only, not on x: its input gradient is zero, "
             "so sign(0) = 0 would not move the input at all. Use ∇_x of the data loss.",
    },
)


def check_gradient_question(answer) -> None:
    """Check the letter chosen for: which gradient goes into FGSM?"""
    return GRADIENT_QUESTION.check(answer)
