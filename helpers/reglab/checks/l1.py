r"""Checks for ``exercises/03_l1_and_soft_thresholding.ipynb``: L1 gradient, soft-thresholding.

The definitions (the INF721 lecture on regularization, sections 4 and 6.1; the LMU slides
on L1 under a diagonal Hessian; ``notebooks/03_l1_and_sparsity.ipynb``):

* the L1 penalty of a weight matrix in our convention and its gradient,

  .. math::
      \frac{\lambda}{2m}\lVert W\rVert_1 = \frac{\lambda}{2m}\sum_{ij}|w_{ij}|,\qquad
      \frac{\partial}{\partial W}\,\frac{\lambda}{2m}\lVert W\rVert_1
      = \frac{\lambda}{2m}\,\mathrm{sign}(W),

  with sign(0) = 0 (a subgradient: |w| has a kink at 0, and 0 is the choice of
  :class:`reglab.penalties.L1` and of ``np.sign``). Plain text:
  ``l1_gradient(W, lam, m) = lam / (2 m) * sign(W)``; W any shape, result the shape of W.

* soft-thresholding, entrywise,

  .. math:: S_t(x) = \mathrm{sign}(x)\,\max(|x| - t,\ 0),

  which moves every entry towards 0 by t and sets those with |x| <= t to exactly 0.
  Plain text: ``soft_threshold(x, t) = sign(x) * max(|x| - t, 0)``; x any shape, t a
  number or an array broadcastable to x (t >= 0); result the shape of x.

* the minimizer of the quadratic model with a diagonal Hessian plus an L1 penalty,

  .. math::
      \min_\theta\ \tfrac12\sum_i H_{ii}(\theta_i - \hat\theta_i)^2 + \lambda'\lVert\theta\rVert_1
      \quad\Rightarrow\quad
      \theta_i = \mathrm{sign}(\hat\theta_i)\max\left(|\hat\theta_i| - \frac{\lambda'}{H_{ii}},
      0\right),

  i.e. ``l1_quadratic_solution(theta_hat, h_diag, lam_prime) = soft_threshold(theta_hat,
  lam_prime / h_diag)`` (:func:`reglab.theory.lasso_solution_diagonal`). Shapes: theta_hat (n,),
  h_diag (n,) with every H_ii > 0, lam_prime = λ/(2m) >= 0 a number; result (n,).

Each ``check_*`` function runs the student's function on the cases below and, when an
answer is wrong, names the likely mistake from the table next to it (see
:mod:`reglab.checks`). :func:`check_exercise3` checks INF721 exercise 3 (multiple choice).
"""

from __future__ import annotations

import numpy as np

from ..optim import ProximalL1
from ..penalties import L1
from ..theory import lasso_solution_diagonal, soft_threshold
from . import Case, Exercise, Mistake, MultipleChoice, _a

__all__ = [
    "EXERCISE3",
    "L1_GRADIENT",
    "L1_QUADRATIC_SOLUTION",
    "SOFT_THRESHOLD",
    "check_exercise3",
    "check_l1_gradient",
    "check_l1_quadratic_solution",
    "check_soft_threshold",
]

_rng = np.random.default_rng(3)  # the cases are the same on every run


def _with_zeros(shape, n_zeros):
    """A random matrix with ``n_zeros`` entries set to exactly 0 (and some negative ones)."""
    W = _rng.normal(size=shape)
    W.flat[_rng.choice(W.size, size=n_zeros, replace=False)] = 0.0
    return W


# ------------------------------------------------------------ task 1: the L1 gradient

def _l1_gradient(W, lam, m):
    return L1(lam).grad(W, m)  # (λ/2m)·sign(W), as in reglab


L1_GRADIENT = Exercise(
    name="l1_gradient",
    reference=_l1_gradient,
    forbidden=(L1,),
    cases=(
        Case("a (2, 3) matrix with two zeros and negative entries, λ = 0.5, m = 10",
             (_a(0.3, 0.0, -1.2, 0.0, 2.0, -0.4).reshape(2, 3), 0.5, 10)),
        Case("a random (3, 4) matrix with three exact zeros, λ = 2.0, m = 4",
             (_with_zeros((3, 4), 3), 2.0, 4)),
        Case("a (2, 2) matrix of zeros, λ = 1.0, m = 5", (np.zeros((2, 2)), 1.0, 5)),
        Case("a single negative weight, shape (1, 1), λ = 3.0, m = 6",
             (_a(-0.7).reshape(1, 1), 3.0, 6)),
        Case("tiny weights of both signs (the gradient does not depend on their size), "
             "λ = 1.5, m = 3", (_a(1e-3, -1e-4, 5.0, -8.0).reshape(4, 1), 1.5, 3)),
        Case("a single training example, m = 1, λ = 0.8", (_with_zeros((2, 3), 1), 0.8, 1)),
    ),
    mistakes=(
        Mistake(lambda W, lam, m: lam / (2 * m) * np.where(W >= 0, 1.0, -1.0),
                "your sign gives +1 at w = 0 (np.where(W >= 0, 1, -1)?): sign(0) must be 0, "
                "so that a weight that is exactly 0 gets no push. np.sign(W) does it."),
        Mistake(lambda W, lam, m: lam / (2 * m) * np.where(W > 0, 1.0, -1.0),
                "your sign gives -1 at w = 0 (np.where(W > 0, 1, -1)?): sign(0) must be 0, so "
                "that a weight that is exactly 0 gets no push. np.sign(W) does it."),
        Mistake(lambda W, lam, m: lam / (2 * m) * W / np.abs(W),
                "you wrote sign(W) as W / |W|, which is 0/0 = nan at w = 0: use np.sign(W), "
                "which is 0 there."),
        Mistake(lambda W, lam, m: lam / m * W,
                "you returned the L2 gradient (λ/m)·W: the derivative of |w| is sign(w), a "
                "constant ±1, not proportional to w. The L1 gradient is (λ/2m)·sign(W)."),
        Mistake(lambda W, lam, m: lam / (2 * m) * W,
                "you multiplied by W instead of sign(W): d|w|/dw = sign(w), whose size does "
                "not depend on w."),
        Mistake(lambda W, lam, m: lam / (2 * m) * np.abs(W),
                "you returned (λ/2m)·|W|, the penalty entry by entry, not its derivative: "
                "d|w|/dw = sign(w)."),
        Mistake(lambda W, lam, m: lam / m * np.sign(W),
                "off by a factor of 2: did you drop the ½ in λ/2m? The gradient is "
                "(λ/2m)·sign(W) (unlike L2, no 2 comes down from a square)."),
        Mistake(lambda W, lam, m: lam / 2 * np.sign(W),
                "off by a factor of m: divide by m, the number of training examples "
                "(λ/(2m), not λ/2)."),
        Mistake(lambda W, lam, m: lam * m / 2 * np.sign(W),
                "you multiplied by m instead of dividing: write lam / (2 * m), with the "
                "parentheses (lam / 2 * m is (λ/2)·m)."),
        Mistake(lambda W, lam, m: lam * np.sign(W),
                "you used λ alone: the factor in front of sign(W) is λ/(2m)."),
        Mistake(lambda W, lam, m: -lam / (2 * m) * np.sign(W),
                "wrong sign: you returned minus the gradient (the direction of the update). "
                "The gradient of (λ/2m)|w| is +(λ/2m) for w > 0; gradient descent subtracts it."),
    ),
)


def check_l1_gradient(l1_gradient) -> None:
    """Check ``l1_gradient(W, lam, m)`` = (λ/2m)·sign(W), sign(0) = 0 (6 cases)."""
    return L1_GRADIENT.check(l1_gradient)


# ------------------------------------------------------------ task 2: soft-thresholding

SOFT_THRESHOLD = Exercise(
    name="soft_threshold",
    reference=soft_threshold,
    forbidden=(ProximalL1,),
    cases=(
        Case("a vector with entries above, below and inside [-t, t], t = 1",
             (_a(3.0, -2.5, 0.4, -0.6, 1.5), 1.0)),
        Case("entries exactly at the boundary |x| = t = 0.5 (they become 0)",
             (_a(0.5, -0.5, 0.75, -1.25), 0.5)),
        Case("a vector containing zeros, t = 0.25", (_a(0.0, -0.1, 0.0, 2.0, -3.0), 0.25)),
        Case("a single negative element, t = 0.3", (_a(-1.3), 0.3)),
        Case("t = 0 (nothing changes)", (_a(-1.0, 0.0, 2.5), 0.0)),
        Case("a random (3, 4) matrix, t = 0.6", (_rng.normal(size=(3, 4)), 0.6)),
        Case("one threshold per entry, t = [0.25, 1, 2, 0.5]",
             (_a(1.0, -1.5, 1.5, -0.25), _a(0.25, 1.0, 2.0, 0.5))),
    ),
    mistakes=(
        Mistake(lambda x, t: np.where(np.abs(x) > t, x, 0.0),
                "you used hard thresholding: entries with |x| > t came back unchanged. Soft "
                "thresholding also moves them towards 0 by t: sign(x)·(|x| − t)."),
        Mistake(lambda x, t: np.where(np.abs(x) >= t, x, 0.0),
                "you used hard thresholding (keeping |x| >= t unchanged): soft thresholding "
                "moves every surviving entry towards 0 by t, sign(x)·max(|x| − t, 0), and an "
                "entry with |x| = t becomes exactly 0."),
        Mistake(lambda x, t: np.maximum(np.abs(x) - t, 0.0),
                "you forgot the sign: negative entries came back positive. Multiply "
                "max(|x| − t, 0) by sign(x)."),
        Mistake(lambda x, t: np.maximum(x - t, 0.0),
                "you wrote max(x − t, 0) without the absolute value, which sets every negative "
                "entry to 0: shrink |x| and put the sign back, sign(x)·max(|x| − t, 0)."),
        Mistake(lambda x, t: x - t * np.sign(x),
                "you moved every entry towards 0 by t but did not stop at 0: entries with "
                "|x| < t crossed over to the other sign. The max(·, 0) clamps them to 0."),
        Mistake(lambda x, t: np.maximum(np.abs(x) - t, 0.0) * x / np.abs(x),
                "you wrote sign(x) as x / |x|, which is 0/0 = nan at x = 0: use np.sign(x)."),
        Mistake(lambda x, t: np.clip(x, -t, t),
                "you returned clip(x, −t, t), the part that soft thresholding removes: the "
                "result is x − clip(x, −t, t) = sign(x)·max(|x| − t, 0)."),
        Mistake(lambda x, t: np.sign(x) * np.maximum(np.abs(x) - 2 * t, 0.0),
                "you subtracted 2t: every entry moves towards 0 by t, not 2t."),
    ),
)


def check_soft_threshold(soft_threshold) -> None:
    """Check ``soft_threshold(x, t)`` = sign(x)·max(|x| − t, 0) entrywise (7 cases)."""
    return SOFT_THRESHOLD.check(soft_threshold)


# ---------------------------------------- task 3: the L1 solution of the quadratic model

L1_QUADRATIC_SOLUTION = Exercise(
    name="l1_quadratic_solution",
    reference=lasso_solution_diagonal,
    forbidden=(soft_threshold, ProximalL1),
    cases=(
        Case("four weights, H = diag(0.5, 2, 4, 0.25), λ′ = 0.5 (thresholds 1, 0.25, "
             "0.125, 2)", (_a(1.5, -0.2, 0.5, -3.0), _a(0.5, 2.0, 4.0, 0.25), 0.5)),
        Case("weights exactly at their threshold |θ̂_i| = λ′/H_ii (they become 0), λ′ = 1",
             (_a(0.5, -0.25, 2.0, -1.0), _a(2.0, 4.0, 0.5, 8.0), 1.0)),
        Case("a θ̂ with zeros and negative entries, H = diag(3, 1.5, 5, 0.8, 2.5), λ′ = 0.3",
             (_a(0.0, -0.4, 0.7, 0.0, -2.0), _a(3.0, 1.5, 5.0, 0.8, 2.5), 0.3)),
        Case("λ′ = 0 (no penalty: θ = θ̂)", (_a(0.3, -1.1, 2.0), _a(0.5, 2.0, 3.0), 0.0)),
        Case("a single negative weight, H_11 = 4, λ′ = 2", (_a(-1.7), _a(4.0), 2.0)),
        Case("a strong penalty that zeroes most weights, λ′ = 3",
             (_a(1.0, -4.0, 0.5, 2.5), _a(0.5, 2.0, 3.0, 6.0), 3.0)),
        Case("random θ̂ and H_ii in [0.2, 5], λ′ = 0.7",
             (_rng.normal(scale=1.5, size=6), _rng.uniform(0.2, 5.0, size=6), 0.7)),
    ),
    mistakes=(
        Mistake(lambda th, h, a: soft_threshold(th, a * h),
                "you used the threshold λ′·H_ii: it is λ′/H_ii. A steep direction (large H_ii) "
                "resists the penalty, so its threshold is small."),
        Mistake(lambda th, h, a: soft_threshold(th, a),
                "you used the threshold λ′ for every weight: divide by the curvature, the "
                "threshold of weight i is λ′/H_ii."),
        Mistake(lambda th, h, a: soft_threshold(th, 2 * a / h),
                "off by a factor of 2: the threshold is λ′/H_ii, not 2λ′/H_ii (the ½ of the "
                "quadratic model cancels the 2 of its derivative)."),
        Mistake(lambda th, h, a: soft_threshold(th, a / (2 * h)),
                "off by a factor of 2: the threshold is λ′/H_ii, not λ′/(2H_ii). Setting the "
                "derivative H_ii(θ_i − θ̂_i) + λ′·sign(θ_i) to 0 gives "
                "θ_i = θ̂_i − (λ′/H_ii)·sign(θ_i)."),
        Mistake(lambda th, h, a: soft_threshold(th, h / a),
                "you inverted the threshold (H_ii/λ′): it is λ′/H_ii, which grows with λ′."),
        Mistake(lambda th, h, a: np.where(np.abs(th) > a / h, th, 0.0),
                "you used hard thresholding: the weights above their threshold came back "
                "unchanged. The L1 solution also moves them towards 0 by λ′/H_ii."),
        Mistake(lambda th, h, a: np.maximum(np.abs(th) - a / h, 0.0),
                "you forgot the sign: negative weights came back positive. Multiply by "
                "sign(θ̂_i)."),
        Mistake(lambda th, h, a: np.maximum(th - a / h, 0.0),
                "you wrote max(θ̂_i − λ′/H_ii, 0) without the absolute value, which sets every "
                "negative weight to 0: use sign(θ̂_i)·max(|θ̂_i| − λ′/H_ii, 0)."),
        Mistake(lambda th, h, a: th - a / h * np.sign(th),
                "you moved every weight towards 0 by λ′/H_ii without stopping at 0: small "
                "weights crossed over to the other sign. Where |θ̂_i| <= λ′/H_ii the solution "
                "is exactly 0."),
        Mistake(lambda th, h, a: h / (h + a) * th,
                "you used the L2 (weight decay) solution H_ii/(H_ii + λ′)·θ̂_i, which shrinks "
                "every weight by a factor but never to 0. With λ′‖θ‖₁ the solution is "
                "soft-thresholding at λ′/H_ii."),
    ),
)


def check_l1_quadratic_solution(l1_quadratic_solution) -> None:
    """Check ``l1_quadratic_solution(theta_hat, h_diag, lam_prime)``, threshold λ′/H_ii, 7 cases."""
    return L1_QUADRATIC_SOLUTION.check(l1_quadratic_solution)


# ------------------------------------------------------ INF721 exercise 3 (multiple choice)

EXERCISE3 = MultipleChoice(
    name="exercise 3",
    options={
        "a": "L1 regularization",
        "b": "L2 regularization",
        "c": "Dropout",
        "d": "Data augmentation",
    },
    answer="a",
    why={
        "a": "the L1 gradient (λ/2m)·sign(w) pushes every weight towards 0 with the same "
             "force however small it already is, and the exact minimizer (soft-thresholding "
             "at λ′/H_ii) sets every weight whose |θ̂_i| <= λ′/H_ii to exactly 0. That is "
             "sparsity.",
        "b": "the L2 gradient (λ/m)·w shrinks in proportion to w: the push fades as w gets "
             "small, so weights decay towards 0 without reaching it. Its exact solution "
             "H_ii/(H_ii + λ′)·θ̂_i is a rescaling, zero only where θ̂_i already was.",
        "c": "dropout zeroes random *activations* during training, a different mask at every "
             "step, and uses all units at test time: the weight matrices themselves stay dense.",
        "d": "data augmentation changes the training data, not the penalty: nothing in it "
             "pushes a weight to exactly 0.",
    },
)


def check_exercise3(answer) -> None:
    """Check the letter chosen for INF721 exercise 3: which technique gives sparse weights?"""
    return EXERCISE3.check(answer)
