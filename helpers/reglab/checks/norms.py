r"""Checks for ``exercises/00_norms.ipynb``: vector and matrix norms, and the L2 penalty.

The definitions (INF721 lecture, Appendix A; ``notebooks/00_norms_and_notation.ipynb``):

.. math::
    \lVert x\rVert_p = \Big(\sum_i |x_i|^p\Big)^{1/p}\ (p \ge 1),\qquad
    \lVert x\rVert_1 = \sum_i |x_i|,\qquad \lVert x\rVert_2 = \sqrt{\sum_i x_i^2},

    \lVert W\rVert_F = \sqrt{\sum_{ij} w_{ij}^2},\qquad
    \text{penalty} = \frac{\lambda}{2m}\sum_l \lVert W^{[l]}\rVert_F^2

Plain text: a matrix norm here treats the matrix as one long vector of its entries
(entrywise), which is *not* what ``np.linalg.norm(W, 1)`` or ``np.linalg.norm(W, 2)``
compute for a 2-D array.

Each ``check_*`` function takes the student's function, runs it on the cases below
and, when an answer is wrong, names the likely mistake from the table next to it
(see :mod:`reglab.checks`). :func:`check_exercise5` checks a multiple-choice answer.
"""

from __future__ import annotations

import numpy as np

from ..layers import is_weight
from ..penalties import L2
from . import Case, Exercise, Mistake, MultipleChoice, _a

__all__ = [
    "FROBENIUS",
    "L1_NORM",
    "L2_NORM",
    "L2_PENALTY_VALUE",
    "LP_NORM",
    "check_exercise5",
    "check_frobenius",
    "check_l1_norm",
    "check_l2_norm",
    "check_l2_penalty_value",
    "check_lp_norm",
]

_rng = np.random.default_rng(721)  # the cases are the same on every run

#: The matrix of INF721 exercise 5 and the worked example of its Appendix A.2.
W_EX5 = np.array([[0.2, -0.1], [0.3, 0.4]])
W_APPENDIX = np.array([[0.1, -0.05], [0.02, 0.15]])


def _sum_abs(x):
    return np.sum(np.abs(x))


def _sum_sq(x):
    return np.sum(np.square(x))


# ---------------------------------------------------------------- L1 norm, any shape

def _l1_norm(x):
    return _sum_abs(x)


L1_NORM = Exercise(
    name="l1_norm",
    reference=_l1_norm,
    cases=(
        Case("the vector w = [-1, 2] of Appendix A.1.2", (_a(-1, 2),)),
        Case("a vector of zeros", (np.zeros(4),)),
        Case("a single negative element", (_a(-3.5),)),
        Case("a random vector", (_rng.normal(size=6),)),
        Case("a (2, 3) matrix", (_rng.normal(size=(2, 3)),)),
        Case("a row vector of shape (1, 4)", (_a(1, -2, 3, -4).reshape(1, 4),)),
        Case("a column vector of shape (4, 1)", (_a(1, -2, 3, -4).reshape(4, 1),)),
        Case("the matrix W of INF721 exercise 5", (W_EX5,)),
    ),
    mistakes=(
        Mistake(np.sum, "you returned the sum of the signed entries: did you forget the "
                        "absolute value?"),
        Mistake(lambda x: np.linalg.norm(x, 1) if x.ndim == 2 else _sum_abs(x),
                "you returned the largest column sum of |x|, which is what np.linalg.norm(W, 1) "
                "computes for a matrix (the induced 1-norm), not the entrywise L1 norm. Flatten "
                "first, or simply add up every |entry|: np.sum(np.abs(x))."),
        Mistake(lambda x: np.linalg.norm(x, np.inf) if x.ndim == 2 else np.max(np.abs(x)),
                "you returned the largest row sum of |x| (np.linalg.norm(W, np.inf) for a "
                "matrix): the L1 norm adds up the absolute values of *all* entries."),
        Mistake(lambda x: np.max(np.abs(x)),
                "you returned the largest |entry| (the max norm, p = ∞): the L1 norm adds them "
                "all."),
        Mistake(lambda x: np.mean(np.abs(x)),
                "you returned the mean of |x|: the L1 norm is the sum, don't divide by the size "
                "(use np.sum, not np.mean)."),
        Mistake(_sum_sq, "you returned the sum of squares (the squared L2 norm): the L1 norm adds "
                         "absolute values, |x_i|, not squares."),
        Mistake(lambda x: np.sqrt(_sum_sq(x)), "you returned the L2 (Euclidean) norm: the L1 norm "
                                               "is the sum of absolute values, with no squares "
                                               "and no square root."),
        Mistake(lambda x: np.abs(np.sum(x)), "you returned |Σ x_i|, the absolute value of the "
                                             "sum: take the absolute value of each entry before "
                                             "adding."),
    ),
)


def check_l1_norm(l1_norm) -> None:
    """Check ``l1_norm(x)`` = Σ|x_i| over all entries, for arrays of any shape (8 cases)."""
    return L1_NORM.check(l1_norm)


# ------------------------------------------------- L2 norm of a vector, any orientation

def _l2_norm(x):
    return np.sqrt(_sum_sq(x))


L2_NORM = Exercise(
    name="l2_norm",
    reference=_l2_norm,
    cases=(
        Case("the vector w = [-1, 2] of Appendix A.1.2 (√5)", (_a(-1, 2),)),
        Case("the vector [3, -4] (a 3-4-5 triangle)", (_a(3, -4),)),
        Case("a vector of zeros", (np.zeros(3),)),
        Case("a single negative element", (_a(-2.5),)),
        Case("a random vector", (_rng.normal(size=7),)),
        Case("a vector whose entries sum to a negative number", (_a(-3, 1, -0.5, 0.25),)),
        Case("a row vector of shape (1, 4)", (_a(0.5, -1, 2, -3).reshape(1, 4),)),
        Case("a column vector of shape (3, 1)", (_a(-2, 0.5, 1.5).reshape(3, 1),)),
    ),
    mistakes=(
        Mistake(_sum_sq, "you returned the squared L2 norm: take the square root."),
        Mistake(lambda x: np.sqrt(np.sum(x)), "you took the square root of the plain sum: square "
                                              "each entry before adding, sqrt(Σ x_i²)."),
        Mistake(lambda x: np.sqrt(_sum_abs(x)), "you took the square root of Σ|x_i| (the L1 norm): "
                                                "square each entry before adding, sqrt(Σ x_i²)."),
        Mistake(lambda x: np.abs(np.sum(x)), "you squared and square-rooted the sum, "
                                             "sqrt((Σ x_i)²) = |Σ x_i|: square each entry "
                                             "first, then add, then take the root."),
        Mistake(_sum_abs, "you returned the L1 norm (sum of absolute values): the L2 norm is "
                          "sqrt(Σ x_i²)."),
        Mistake(lambda x: np.sqrt(np.mean(np.square(x))),
                "you returned the root mean square, sqrt(mean(x²)): the L2 norm sums the "
                "squares, don't divide by the number of entries."),
        Mistake(lambda x: np.max(np.abs(x)), "you returned the largest |entry| (the max norm): "
                                             "the L2 norm combines all entries, sqrt(Σ x_i²)."),
    ),
)


def check_l2_norm(l2_norm) -> None:
    """Check ``l2_norm(x)`` = sqrt(Σ x_i²) for 1-D, row and column vectors (8 cases)."""
    return L2_NORM.check(l2_norm)


# ----------------------------------------------------------- general Lp norm, p >= 1

def _lp_norm(x, p):
    return np.sum(np.abs(x) ** p) ** (1.0 / p)


LP_NORM = Exercise(
    name="lp_norm",
    reference=_lp_norm,
    cases=(
        Case("p = 1 (the L1 norm)", (_a(-1, 2), 1)),
        Case("p = 2 (the L2 norm)", (_a(3, -4), 2)),
        Case("p = 3 and negative entries", (_a(-1, 2, -3), 3)),
        Case("a fractional p = 1.5", (_a(0.5, -2, 1.5), 1.5)),
        Case("a random vector, p = 4", (_rng.normal(size=6), 4)),
        Case("a vector of zeros, p = 3", (np.zeros(5), 3)),
        Case("a single negative element, p = 5", (_a(-2.5), 5)),
        Case("a large p = 10 (close to the max |x_i|)", (_a(1, -2, 3), 10)),
        Case("a column vector of shape (3, 1), p = 3", (_a(-1, 0.5, 2).reshape(3, 1), 3)),
    ),
    mistakes=(
        Mistake(lambda x, p: np.sum(np.abs(x) ** p),
                "you forgot the outer power 1/p: you returned Σ|x_i|^p, not (Σ|x_i|^p)^(1/p)."),
        Mistake(lambda x, p: np.sum(x ** p) ** (1.0 / p),
                "you forgot the absolute value: with an odd or fractional p, a negative x_i "
                "gives a negative (or nan) x_i^p. Use |x_i|^p."),
        Mistake(lambda x, p: np.sqrt(np.sum(np.abs(x) ** p)),
                "you always took the square root: the outer power is 1/p, not 1/2."),
        Mistake(lambda x, p: np.sum(np.abs(x) ** p) ** p,
                "you raised the sum to the power p: the outer power is 1/p."),
        Mistake(lambda x, p: np.sum(np.abs(x) ** (1.0 / p)) ** p,
                "you swapped the two powers: each |x_i| is raised to p, and the sum to 1/p."),
        Mistake(lambda x, p: np.sqrt(_sum_sq(x)), "you ignored p and returned the L2 norm."),
        Mistake(lambda x, p: _sum_abs(x), "you ignored p and returned the L1 norm."),
        Mistake(lambda x, p: np.sum(np.abs(x) ** p) / p,
                "you divided by p: the outer operation is the p-th root, (Σ|x_i|^p)^(1/p) "
                "(write ** (1 / p))."),
    ),
)


def check_lp_norm(lp_norm) -> None:
    """Check ``lp_norm(x, p)`` = (Σ|x_i|^p)^(1/p) for several p ≥ 1 (9 cases)."""
    return LP_NORM.check(lp_norm)


# --------------------------------------------------------- Frobenius norm of a matrix

def _frobenius(W):
    return np.sqrt(_sum_sq(W))


FROBENIUS = Exercise(
    name="frobenius_norm",
    reference=_frobenius,
    cases=(
        Case("the matrix W of INF721 exercise 5", (W_EX5,)),
        Case("the matrix of Appendix A.2.1", (W_APPENDIX,)),
        Case("a (2, 3) matrix", (_rng.normal(size=(2, 3)),)),
        Case("a (4, 3) matrix", (_rng.normal(size=(4, 3)),)),
        Case("a (2, 2) matrix of zeros", (np.zeros((2, 2)),)),
        Case("a single negative element, shape (1, 1)", (_a(-1.5).reshape(1, 1),)),
        Case("a row vector of shape (1, 4)", (_a(1, -2, 0.5, 3).reshape(1, 4),)),
        Case("a column vector of shape (3, 1)", (_a(2, -1, 0.25).reshape(3, 1),)),
    ),
    mistakes=(
        Mistake(_sum_sq, "you returned the squared Frobenius norm ‖W‖²_F (what the L2 penalty "
                         "adds up): the norm itself is its square root."),
        Mistake(lambda W: np.linalg.norm(W, 2),
                "you returned the spectral norm (the largest singular value), which is what "
                "np.linalg.norm(W, 2) computes for a matrix. The Frobenius norm is "
                "sqrt(Σ_ij w_ij²), i.e. np.linalg.norm(W) or np.linalg.norm(W, 'fro'); both "
                "agree only for rank-1 matrices such as a single row or column."),
        Mistake(lambda W: np.linalg.norm(W, "nuc"),
                "you returned the nuclear norm (the sum of singular values, np.linalg.norm(W, "
                "'nuc')): the Frobenius norm is sqrt(Σ_ij w_ij²)."),
        Mistake(lambda W: np.sum(np.sqrt(np.sum(np.square(W), axis=0))),
                "you added up the L2 norms of the columns: square every entry, add them all, "
                "and take a single square root at the end."),
        Mistake(lambda W: np.sum(np.sqrt(np.sum(np.square(W), axis=1))),
                "you added up the L2 norms of the rows: square every entry, add them all, and "
                "take a single square root at the end."),
        Mistake(_sum_abs, "you returned the entrywise L1 norm Σ|w_ij|: the Frobenius norm is "
                          "sqrt(Σ w_ij²)."),
        Mistake(lambda W: np.sqrt(np.sum(W)), "you took the square root of the plain sum: square "
                                              "each entry before adding."),
        Mistake(lambda W: np.max(np.abs(W)), "you returned the largest |entry|: the Frobenius "
                                             "norm combines all entries."),
    ),
)


def check_frobenius(frobenius_norm) -> None:
    """Check ``frobenius_norm(W)`` = sqrt(Σ_ij w_ij²) for 2-D arrays (8 cases)."""
    return FROBENIUS.check(frobenius_norm)


# ------------------------------------------------------------------ the L2 penalty

def _weights(params):
    return [v for k, v in params.items() if is_weight(k)]


def _l2_penalty_value(params, lam, m):
    return lam / (2 * m) * sum(_sum_sq(W) for W in _weights(params))


def _net(*sizes):
    """Parameters named like ``reglab.Sequential.params``: Dense layers at indices 0, 2, 4..."""
    params = {}
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        params[f"{2 * i}.W"] = _rng.normal(size=(n_in, n_out))
        params[f"{2 * i}.b"] = _rng.normal(size=n_out)
    return params


_ZERO_WEIGHTS = _net(3, 2)
_ZERO_WEIGHTS["0.W"][:] = 0.0

L2_PENALTY_VALUE = Exercise(
    name="l2_penalty_value",
    reference=_l2_penalty_value,
    forbidden=(L2,),
    cases=(
        Case("a 3-4-2 network, λ = 0.7, m = 50", (_net(3, 4, 2), 0.7, 50)),
        Case("a 4-5-3-2 network (three weight matrices), λ = 1.5, m = 8",
             (_net(4, 5, 3, 2), 1.5, 8)),
        Case("logistic regression (one weight matrix), λ = 3.0, m = 10", (_net(5, 1), 3.0, 10)),
        Case("λ = 0 (no regularization)", (_net(2, 3, 1), 0.0, 20)),
        Case("a single training example, m = 1", (_net(2, 2, 2), 0.5, 1)),
        Case("all weights zero but nonzero biases", (_ZERO_WEIGHTS, 1.0, 4)),
    ),
    mistakes=(
        Mistake(lambda params, lam, m: 2 * _l2_penalty_value(params, lam, m),
                "off by a factor of 2: did you drop the ½ in λ/2m?"),
        Mistake(lambda params, lam, m: m * _l2_penalty_value(params, lam, m),
                "off by a factor of m: divide by m, the number of training examples "
                "(λ/(2m), not λ/2)."),
        Mistake(lambda params, lam, m: m * m * _l2_penalty_value(params, lam, m),
                "you multiplied by m instead of dividing: the factor is λ/(2m), so write "
                "lam / (2 * m), with the parentheses."),
        Mistake(lambda params, lam, m: 2 * m * _l2_penalty_value(params, lam, m),
                "you used λ alone: the factor in front of the sum is λ/(2m)."),
        Mistake(lambda params, lam, m: lam / (2 * m) * sum(_sum_sq(v) for v in params.values()),
                "you penalized the biases too: only weight matrices are penalized. Keep the "
                "parameters whose name ends in '.W' (reglab.is_weight(name) decides)."),
        Mistake(lambda params, lam, m: lam / (2 * m) * sum(_frobenius(W) for W in _weights(params)),
                "you added the norms ‖W‖_F instead of their squares ‖W‖²_F: drop the square "
                "root (or square each norm)."),
        Mistake(lambda params, lam, m: lam / (2 * m) * sum(_frobenius(W)
                                                          for W in _weights(params)) ** 2,
                "you squared the sum of the norms, (Σ‖W‖_F)²: square each norm first, then "
                "add, Σ‖W‖²_F."),
        Mistake(lambda params, lam, m: -_l2_penalty_value(params, lam, m),
                "wrong sign: the penalty is added to the cost, so it is ≥ 0; a negative "
                "penalty would reward large weights."),
        Mistake(lambda params, lam, m: lam / (2 * m) * sum(np.sum(W) for W in _weights(params)),
                "you added up the weights themselves, Σ w_ij: square every entry before "
                "adding, Σ w_ij² (np.sum(W ** 2))."),
        Mistake(lambda params, lam, m: lam / (2 * m) * sum(np.sum(W) ** 2
                                                          for W in _weights(params)),
                "you squared the sum of the entries, (Σ w_ij)²: square every entry first, "
                "then add, Σ w_ij²."),
        Mistake(lambda params, lam, m: lam / (2 * m) * sum(_sum_abs(W) for W in _weights(params)),
                "you computed the L1 penalty (Σ|w|): the L2 penalty adds the squares w²."),
        Mistake(lambda params, lam, m: lam / (2 * m) * sum(np.mean(np.square(W))
                                                          for W in _weights(params)),
                "you averaged the squared entries (np.mean): ‖W‖²_F is their sum (np.sum)."),
        Mistake(lambda params, lam, m: lam / (2 * m) * _sum_sq(_weights(params)[0]),
                "you penalized only the first weight matrix: add ‖W‖²_F over every layer."),
        Mistake(lambda params, lam, m: lam / (2 * m) * _sum_sq(_weights(params)[-1]),
                "you penalized only the last weight matrix (did the loop overwrite a variable "
                "instead of adding to it?): add ‖W‖²_F over every layer."),
        Mistake(lambda params, lam, m: _l2_penalty_value(params, lam, m)
                / len(_weights(params)),
                "you averaged over the layers: the penalty is the sum of ‖W‖²_F over the "
                "layers, not their mean."),
    ),
)


def check_l2_penalty_value(l2_penalty_value) -> None:
    """Check ``l2_penalty_value(params, lam, m)`` = λ/(2m)·Σ_l ‖W⁽ˡ⁾‖²_F (6 cases).

    ``params`` maps parameter names to arrays as ``reglab.Sequential.params`` does
    (``"0.W"``, ``"0.b"``, ``"2.W"``, ...); only the weight matrices are penalized.
    """
    return L2_PENALTY_VALUE.check(l2_penalty_value)


# -------------------------------------------- INF721 exercise 5 (multiple choice)

# W = [[0.2, -0.1], [0.3, 0.4]]; its entrywise L1 norm is 0.2 + 0.1 + 0.3 + 0.4 = 1.00.
# What each wrong option corresponds to (verified in tests/test_checks_norms.py):
#   (a) 0.50 = largest column sum of |w| = np.linalg.norm(W, 1); also the spectral norm 0.502
#   (b) 0.72 = nuclear norm, the sum of the singular values 0.502 + 0.219 = 0.721
#   (d) 1.28 = no natural slip: it exceeds Σ|w_ij| = 1.00, which bounds all the usual norms
EXERCISE5 = MultipleChoice(
    name="exercise 5",
    options={"a": 0.50, "b": 0.72, "c": 1.00, "d": 1.28},
    answer="c",
    why={
        "a": "0.50 is the largest column sum of |w_ij| (|0.2| + |0.3| = |-0.1| + |0.4| = 0.50), "
             "which is what np.linalg.norm(W, 1) returns for a matrix: the induced 1-norm, not "
             "the L1 norm of regularization (it also happens to round to the spectral norm, "
             "0.502). The L1 penalty adds the absolute values of all four entries.",
        "b": "0.72 is the nuclear norm of W, the sum of its singular values (0.502 + 0.219 = "
             "0.721, np.linalg.norm(W, 'nuc')): a matrix norm, but not the entrywise L1 norm "
             "used by L1 regularization, which adds the absolute values of all four entries.",
        "d": "1.28 is more than |0.2| + |-0.1| + |0.3| + |0.4| = 1.00, and no norm of W that "
             "we use can exceed that sum (every entrywise Lp norm with p ≥ 1, the Frobenius, "
             "spectral, nuclear and induced norms are all ≤ Σ|w_ij|), so it is not the result of "
             "a usual slip. Add up the absolute values of the four entries again.",
        "c": "‖W‖₁ = |0.2| + |-0.1| + |0.3| + |0.4| = 1.00: the entrywise L1 norm adds the "
             "absolute values of all entries.",
    },
)


def check_exercise5(answer) -> None:
    """Check the letter chosen for INF721 exercise 5: the L1 norm of [[0.2, -0.1], [0.3, 0.4]].

    Parameters
    ----------
    answer : str
        One of ``"a"``, ``"b"``, ``"c"``, ``"d"`` (case, spaces and parentheses are ignored).

    Raises
    ------
    AssertionError
        If the answer is wrong (saying what the chosen number actually is) or is not a letter.
    """
    return EXERCISE5.check(answer)
