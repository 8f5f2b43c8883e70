r"""Checks for ``exercises/15_since_the_textbook.ipynb``: minimum norm, mixup, SAM, double descent.

The definitions (``notebooks/15_regularization_since_the_textbook.ipynb``):

* **minimum-norm solution.** For X (m, d) with d > m and rank m, and y (m,), the
  interpolant of smallest Euclidean norm, which gradient descent from zero converges to:

  .. math:: w^+ = X^\top (X X^\top)^{-1} y = X^+ y .

  Shapes: X (m, d), y (m,) -> w (d,).
* **mixup targets.** For integer labels y (B,), a permutation ``perm`` of the batch
  (B,), a mixing weight λ in [0, 1] and k classes, the soft target of example i is

  .. math:: q_i = \lambda\,e_{y_i} + (1-\lambda)\,e_{y_{\pi(i)}} ,

  with e_c the one-hot vector of class c. Shapes: (B,), (B,), number, int -> (B, k).
  (λ here is mixup's mixing weight, drawn from Beta(a, a); not a penalty.)
* **SAM perturbation.** For the gradient g (any shape: all parameters as one vector) and
  a radius ρ > 0, the ε of norm at most ρ that maximizes the linearized loss
  L(w) + gᵀε:

  .. math:: \hat\varepsilon = \rho\,\frac{g}{\lVert g\rVert_2}\quad(0 \text{ when } g = 0),

  the norm over all entries. Shapes: g (any), number -> the shape of g.
* :data:`PEAK_QUESTION`: where the test error of a minimum-norm random-features fit peaks.
"""

from __future__ import annotations

import numpy as np

from ..mixup import Mixup
from ..sam import SAM
from . import Case, Exercise, Mistake, MultipleChoice, _a

__all__ = ["MIN_NORM", "MIXUP_TARGETS", "PEAK_QUESTION", "SAM_PERTURBATION",
           "check_min_norm_solution", "check_mixup_targets", "check_peak_question",
           "check_sam_perturbation"]

_rng = np.random.default_rng(1515)  # the cases are the same on every run


# ------------------------------------------------------------ task 1: minimum-norm solution

def _min_norm_solution(X, y):
    """Xᵀ (X Xᵀ)⁻¹ y."""
    return X.T @ np.linalg.solve(X @ X.T, y)


def _dual(X, y):
    return np.linalg.solve(X @ X.T, y)


MIN_NORM = Exercise(
    name="min_norm_solution",
    reference=_min_norm_solution,
    cases=(
        Case("one equation in two unknowns, x = (3, 4), y = 10",
             (np.array([[3.0, 4.0]]), np.array([10.0]))),
        Case("two equations in three unknowns, rows not orthogonal",
             (_a([1.0, 2.0, 0.0], [0.0, 1.0, 1.0]), _a(1.0, -2.0))),
        Case("three random equations in seven unknowns",
             (_rng.normal(size=(3, 7)), _rng.normal(size=3))),
        Case("five random equations in twenty unknowns, rows of very different lengths",
             (_rng.normal(size=(5, 20)) * _a(0.5, 1.0, 2.0, 4.0, 8.0)[:, None],
              _rng.normal(size=5))),
    ),
    mistakes=(
        Mistake(lambda X, y: X.T @ y,
                "you returned Xᵀy: that is in the row space of X, but it does not solve "
                "Xw = y. Find the coefficients c of w = Xᵀc from X Xᵀ c = y first."),
        Mistake(lambda X, y: X.T @ y / X.shape[0],
                "you returned Xᵀy/m, the first step of gradient descent from zero (up to α), "
                "not where it converges: solve X Xᵀ c = y and return Xᵀc."),
        Mistake(lambda X, y: X.T @ (y / np.sum(X**2, axis=1)),
                "you divided by each row's squared length, the diagonal of X Xᵀ only: the "
                "rows are not orthogonal, so solve the whole system X Xᵀ c = y."),
        Mistake(lambda X, y: X.T @ np.linalg.solve(X @ X.T + np.eye(X.shape[0]), y),
                "you added the identity to X Xᵀ: that is ridge regression with λ = 1, which "
                "does not fit the data exactly. The minimum-norm interpolant solves X Xᵀ c = y."),
        Mistake(lambda X, y: -_min_norm_solution(X, y),
                "the sign is flipped: your w gives Xw = −y. Check that X @ w equals y."),
        Mistake(lambda X, y: _min_norm_solution(X, y) / X.shape[0],
                "your w is m times too small: a factor 1/m crept in (from the mean cost "
                "(1/2m)‖Xw − y‖²?). The constraint Xw = y has no 1/m."),
        Mistake(lambda X, y: _min_norm_solution(X, y) * X.shape[0],
                "your w is m times too large: did you solve (X Xᵀ/m) c = y? The constraint "
                "Xw = y has no 1/m."),
        Mistake(lambda X, y: X.T @ y / np.sum(X**2),
                "you divided Xᵀy by the sum of all squared entries of X (one number): solve "
                "the m × m system X Xᵀ c = y instead."),
        Mistake(lambda X, y: X.T @ np.linalg.solve((X @ X.T).T @ (X @ X.T), y),
                "you inverted (X Xᵀ)² instead of X Xᵀ: from Xw = X Xᵀ c = y, "
                "c = (X Xᵀ)⁻¹ y, once."),
        Mistake(lambda X, y: np.linalg.solve(X @ X.T, y) @ X / np.linalg.norm(
                    np.linalg.solve(X @ X.T, y) @ X),
                "you normalized w to length 1: the minimum-norm interpolant has whatever "
                "norm Xw = y requires; do not divide by ‖w‖."),
    ),
)


def check_min_norm_solution(min_norm_solution) -> None:
    """Check ``min_norm_solution(X, y)`` = Xᵀ(X Xᵀ)⁻¹y on 4 cases."""
    return MIN_NORM.check(min_norm_solution)


# ------------------------------------------------------------ task 2: mixup targets

def _i(*values):
    return np.array(values, dtype=np.int64)


def _onehot(y, k):
    return np.eye(k)[np.asarray(y)]


def _mixup_targets(y, perm, lam, n_classes):
    """λ e_y + (1 − λ) e_y[perm], one row per example."""
    return lam * _onehot(y, n_classes) + (1 - lam) * _onehot(np.asarray(y)[perm], n_classes)


MIXUP_TARGETS = Exercise(
    name="mixup_targets",
    reference=_mixup_targets,
    cases=(
        Case("two examples swapped, classes 0 and 2 of 3, λ = 0.7",
             (_i(0, 2), _i(1, 0), 0.7, 3)),
        Case("four examples, a permutation that is not its own inverse, λ = 0.8, k = 5",
             (_i(1, 3, 4, 0), _i(2, 0, 3, 1), 0.8, 5)),
        Case("an example mixed with one of its own class (y = 1, 1, 2), λ = 0.6",
             (_i(1, 1, 2), _i(1, 2, 0), 0.6, 4)),
        Case("λ = 1: no mixing at all", (_i(2, 0, 1), _i(1, 0, 2), 1.0, 3)),
        Case("six random labels of 10 classes, a random permutation, λ = 0.35",
             (_rng.integers(0, 10, 6), _rng.permutation(6), 0.35, 10)),
    ),
    mistakes=(
        Mistake(lambda y, perm, lam, k: (1 - lam) * _onehot(y, k) + lam * _onehot(y[perm], k),
                "the weights are swapped: λ goes with the example's own label, 1 − λ with the "
                "partner's, y[perm]."),
        Mistake(lambda y, perm, lam, k: lam * _onehot(y, k) + (1 - lam) * _onehot(perm, k),
                "you one-hot encoded perm itself: perm[i] is the INDEX of example i's "
                "partner, its label is y[perm[i]]."),
        Mistake(lambda y, perm, lam, k: lam * _onehot(y, k) + lam * _onehot(y[perm], k),
                "both one-hot vectors are weighted by λ: the partner gets 1 − λ, so that "
                "each row sums to 1."),
        Mistake(lambda y, perm, lam, k: _onehot(y, k) + _onehot(y[perm], k),
                "you added the two one-hot vectors without weights: q = λ e_y + (1 − λ) "
                "e_y[perm], a probability vector (each row sums to 1)."),
        Mistake(lambda y, perm, lam, k: (_onehot(y, k) + _onehot(y[perm], k)) / 2,
                "you averaged the two one-hot vectors (λ = ½ always): weight them by λ and "
                "1 − λ."),
        Mistake(lambda y, perm, lam, k: _onehot(np.where(lam >= 0.5, y, y[perm]), k),
                "you kept a hard label (the label with the larger weight): mixup's target "
                "is the soft mixture λ e_y + (1 − λ) e_y[perm]."),
        Mistake(lambda y, perm, lam, k: lam * _onehot(y, k) + (1 - lam) * _onehot(y[::-1], k),
                "you mixed each example with the batch reversed, not with y[perm]: use the "
                "permutation you are given."),
        Mistake(lambda y, perm, lam, k: lam * _onehot(y, k) + (1 - lam) * _onehot(
                    y[np.argsort(perm)], k),
                "you used the inverse permutation: example i's partner is perm[i], whose "
                "label is y[perm] (not y[argsort(perm)])."),
        Mistake(lambda y, perm, lam, k: lam * _onehot(y, k) + (1 - lam) / k,
                "you mixed the label with the uniform distribution: that is label smoothing "
                "(notebook 05). Mixup mixes with the partner's label, y[perm]."),
        Mistake(lambda y, perm, lam, k: lam * _onehot(y, k),
                "the partner's part is missing: add (1 − λ) times the one-hot vector of "
                "y[perm]."),
    ),
    forbidden=(Mixup,),
)


def check_mixup_targets(mixup_targets) -> None:
    """Check ``mixup_targets(y, perm, lam, n_classes)`` on 5 cases."""
    return MIXUP_TARGETS.check(mixup_targets)


# ------------------------------------------------------------ task 3: SAM perturbation

def _sam_perturbation(g, rho):
    """ρ g/‖g‖ over all entries; 0 when g = 0."""
    g = np.asarray(g, dtype=float) if np.asarray(g).dtype.kind != "f" else np.asarray(g)
    norm = np.sqrt(np.sum(g**2))
    return g * (rho / norm) if norm > 0 else np.zeros_like(g)


def _safe(fn):
    """``fn`` with 0 where the gradient is 0 (the mistakes differ from the reference elsewhere)."""
    def wrapped(g, rho):
        g = np.asarray(g, dtype=float)
        return fn(g, rho) if np.any(g) else np.zeros_like(g)
    return wrapped


SAM_PERTURBATION = Exercise(
    name="sam_perturbation",
    reference=_sam_perturbation,
    cases=(
        Case("g = (3, 4), ρ = 0.5: ‖g‖ = 5", (_a(3.0, 4.0), 0.5)),
        Case("a gradient of a 2 × 3 weight matrix, ρ = 0.05 (the norm is over all entries)",
             (_a([1.0, -2.0, 0.5], [0.0, 3.0, -1.0]), 0.05)),
        Case("a zero gradient (at a stationary point), ρ = 0.1", (np.zeros(4), 0.1)),
        Case("a tiny gradient of norm 1e-3, ρ = 2", (_a(6e-4, 0.0, -8e-4), 2.0)),
        Case("a random gradient of 12 entries, ρ = 0.3", (_rng.normal(size=12), 0.3)),
    ),
    mistakes=(
        Mistake(_safe(lambda g, rho: rho * np.sign(g)),
                "you took ρ·sign(g): that is the best ε in the max-norm box |εᵢ| ≤ ρ (FGSM, "
                "notebook 07). In the Euclidean ball ‖ε‖ ≤ ρ the best ε points along g itself."),
        Mistake(_safe(lambda g, rho: rho * g),
                "you did not divide by ‖g‖: ρg has norm ρ‖g‖, outside the ball whenever "
                "‖g‖ > 1. ε must have norm exactly ρ."),
        Mistake(_safe(lambda g, rho: g / np.linalg.norm(g)),
                "ρ is missing: g/‖g‖ has norm 1; the ball has radius ρ."),
        Mistake(_safe(lambda g, rho: -rho * g / np.linalg.norm(g)),
                "the sign is flipped: −ρ g/‖g‖ DEcreases the linearized loss. SAM looks for the "
                "worst point of the ball, uphill: +ρ g/‖g‖."),
        Mistake(_safe(lambda g, rho: rho * g / np.sum(g**2)),
                "you divided by ‖g‖² instead of ‖g‖: ε then has norm ρ/‖g‖, not ρ."),
        Mistake(_safe(lambda g, rho: rho * g / np.sum(np.abs(g))),
                "you divided by the L1 norm Σ|gᵢ|: the ball is Euclidean, divide by "
                "‖g‖₂ = sqrt(Σ gᵢ²)."),
        Mistake(_safe(lambda g, rho: rho * g / np.abs(g).max()),
                "you divided by max|gᵢ|: divide by the Euclidean norm sqrt(Σ gᵢ²), so that "
                "‖ε‖₂ = ρ."),
        Mistake(_safe(lambda g, rho: rho * g / np.linalg.norm(g, axis=-1, keepdims=True)),
                "you normalized each row on its own: SAM's norm is ONE norm over all the "
                "entries of g (all parameters as one vector)."),
        Mistake(lambda g, rho: rho * np.asarray(g, dtype=float) / np.linalg.norm(g),
                "at g = 0 you divide 0 by 0 (NaN): at a stationary point the linearized loss "
                "is flat and ε = 0; test norm > 0 first."),
        Mistake(_safe(lambda g, rho: rho**2 * g / np.linalg.norm(g)),
                "you used ρ² where ρ belongs: ‖ε‖ must equal ρ, so ε = ρ g/‖g‖."),
    ),
    forbidden=(SAM,),
)


def check_sam_perturbation(sam_perturbation) -> None:
    """Check ``sam_perturbation(g, rho)`` = ρ g/‖g‖ (0 at g = 0) on 5 cases."""
    return SAM_PERTURBATION.check(sam_perturbation)


# ------------------------------------------------------------ task 4: where is the peak?

PEAK_QUESTION = MultipleChoice(
    name="the peak of double descent",
    options={
        "a": "at the smallest width, p = 20: too few features to fit anything",
        "b": "at p = 200: as many features as training examples",
        "c": "at the largest width, p = 4000: the most parameters, the most overfitting",
        "d": "nowhere: the test error falls steadily as p grows",
    },
    answer="b",
    why={
        "a": "a tiny model underfits, but its minimum-norm fit is small and stable: its test "
             "error is high, not the highest. The error explodes where the model can only "
             "just fit every noisy label.",
        "b": "at p = n the feature matrix is square and its smallest singular value s_min is "
             "near 0; the minimum-norm fit has ‖β‖² = Σ (u_iᵀY)²/s_i², so the noise along "
             "the last direction is divided by a tiny s_min: the norm, and the test error, "
             "blow up. Past n the smallest singular value grows again and the error falls.",
        "c": "with p ≫ n many interpolants exist and the minimum-norm one spreads the fit "
             "over many directions: its norm is small again and the error falls (the "
             "second descent). More parameters do not mean more overfitting here.",
        "d": "that holds with a well-tuned ridge penalty (no peak), not for the unregularized "
             "minimum-norm fit with label noise, whose error peaks at the interpolation "
             "threshold.",
    },
)


def check_peak_question(answer) -> None:
    """Check the letter chosen for :data:`PEAK_QUESTION`."""
    return PEAK_QUESTION.check(answer)
