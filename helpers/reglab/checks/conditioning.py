r"""Checks for ``exercises/09_ill_conditioning.ipynb``: step sizes on a quadratic cost.

The definitions (``notebooks/09_ill_conditioning_and_the_landscape.ipynb`` and
:mod:`reglab.landscape`): on a quadratic cost with symmetric Hessian H, eigenvalues
σ_min ≤ ... ≤ σ_max (all > 0), gradient descent with learning rate α multiplies the
error θ − θ̂ along the i-th eigenvector of H by 1 − ασᵢ at every step, so

.. math::
    \rho(\alpha) = \max_i |1 - \alpha\sigma_i| \quad\text{(per-step convergence factor)},
    \qquad \alpha < \frac{2}{\sigma_{\max}} \iff \rho(\alpha) < 1,

and one step θ → θ − αg changes the cost, to second order (exactly for a quadratic), by

.. math:: \Delta J = -\alpha\, g^\top g + \tfrac12\alpha^2\, g^\top H g,

which is positive (the step raises the cost) iff ½α²gᵀHg > αgᵀg.

Shapes: H (n, n) symmetric positive definite, g (n,), α a float > 0; every answer is a
single number.

* :func:`check_largest_stable_lr` checks ``largest_stable_lr(H)`` = 2/σ_max;
* :func:`check_gd_convergence_factor` checks ``gd_convergence_factor(H, lr)`` = ρ(α);
* :func:`check_cost_change` checks ``cost_change(g, H, lr)`` = ΔJ;
* :func:`check_border_question` checks a multiple-choice answer on the slides' example
  f(x) = 30x² with α = 0.034.
"""

from __future__ import annotations

import numpy as np

from .. import landscape
from . import Case, Exercise, Mistake, MultipleChoice, _a

__all__ = [
    "BORDER_QUESTION",
    "COST_CHANGE",
    "GD_CONVERGENCE_FACTOR",
    "LARGEST_STABLE_LR",
    "check_border_question",
    "check_cost_change",
    "check_gd_convergence_factor",
    "check_largest_stable_lr",
]


def _rotated(sigma, seed) -> np.ndarray:
    """A symmetric matrix with eigenvalues ``sigma`` and random (seeded) eigenvectors."""
    Q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(len(sigma), len(sigma))))
    H = Q @ np.diag(sigma) @ Q.T
    return (H + H.T) / 2


def _eig(H) -> np.ndarray:
    return np.linalg.eigvalsh(H)


_SLIDES = _a([60.0])                                      # f(x) = 30 x², f'' = 60
_COUPLED = _a([2.0, 1.0], [1.0, 2.0])                  # eigenvalues 1 and 3
_H3 = _rotated([0.5, 2.0, 10.0], 909)
_H4 = _rotated([0.2, 1.0, 3.0, 7.0], 919)


# ------------------------------------------------------------ task 1: the largest stable step

def _largest_stable_lr(H):
    """2 / σ_max: gradient descent on the quadratic converges iff lr < this."""
    return 2.0 / _eig(H)[-1]


LARGEST_STABLE_LR = Exercise(
    name="largest_stable_lr",
    reference=_largest_stable_lr,
    cases=(
        Case("the slides' f(x) = 30x², a 1×1 Hessian [[60]]", (_SLIDES,)),
        Case("a diagonal Hessian diag(4, 1)", (_a([4.0, 0.0], [0.0, 1.0]),)),
        Case("a coupled 2×2 Hessian (eigenvalues 1 and 3)", (_COUPLED,)),
        Case("a rotated 3×3 Hessian with eigenvalues 0.5, 2, 10", (_H3,)),
        Case("a rotated 4×4 Hessian with eigenvalues 0.2, 1, 3, 7", (_H4,)),
    ),
    mistakes=(
        Mistake(lambda H: 1.0 / _eig(H)[-1],
                "you returned 1/σ_max, the step that zeroes the steepest direction in one "
                "step; gradient descent still converges up to 2/σ_max, where |1 − ασ_max| "
                "reaches 1."),
        Mistake(lambda H: 1.0 / (2 * _eig(H)[-1]),
                "you returned 1/(2σ_max), a quarter of the answer: the condition is "
                "|1 − ασ_max| < 1, i.e. α < 2/σ_max."),
        Mistake(lambda H: 2.0 / _eig(H)[0],
                "you used the smallest eigenvalue: the steepest direction (σ_max) is the "
                "first to diverge, so the bound is 2/σ_max, not 2/σ_min."),
        Mistake(lambda H: _eig(H)[-1] / 2.0,
                "you returned σ_max/2: the bound is its inverse, 2/σ_max (a steeper cost "
                "allows a SMALLER step)."),
        Mistake(lambda H: 2.0 / np.trace(H),
                "you divided by the trace of H, the SUM of the eigenvalues; the bound uses "
                "the largest one only: 2/σ_max (np.linalg.eigvalsh(H)[-1])."),
        Mistake(lambda H: 2.0 / np.max(H),
                "you used the largest ENTRY of H, not its largest eigenvalue: they agree only "
                "for a diagonal H. Take σ_max = np.linalg.eigvalsh(H)[-1]."),
        Mistake(lambda H: 2.0 / np.linalg.norm(H),
                "you used the Frobenius norm of H (np.linalg.norm(H)), which is larger than "
                "σ_max as soon as H has two nonzero eigenvalues. Use the largest eigenvalue."),
        Mistake(lambda H: 2.0 / (_eig(H)[-1] + _eig(H)[0]),
                "you returned 2/(σ_max + σ_min), the BEST fixed step (fastest convergence); "
                "the question asks for the largest step that still converges, 2/σ_max."),
        Mistake(lambda H: 2.0 / np.linalg.eig(H)[0].real[-1],
                "you took the last eigenvalue of np.linalg.eig(H), which does NOT sort them: "
                "it is not always the largest. Use max(...) of them, or "
                "np.linalg.eigvalsh(H), which returns them in ascending order."),
        Mistake(lambda H: 2.0 / np.mean(_eig(H)),
                "you divided by the mean eigenvalue: every direction must satisfy "
                "|1 − ασᵢ| < 1, and the steepest one (σ_max) is the first to fail, so the "
                "bound is 2/σ_max."),
        Mistake(lambda H: 2.0 / np.sqrt(_eig(H)[-1]),
                "you divided by √σ_max: |1 − ασ_max| < 1 gives α < 2/σ_max, with the "
                "eigenvalue itself (the curvature), not its square root."),
        Mistake(lambda H: 2.0 / _eig(H)[-1] ** 2,
                "you divided by σ_max²: |1 − ασ_max| < 1 is linear in α, so α < 2/σ_max, "
                "with the eigenvalue itself, not its square."),
        Mistake(lambda H: 2.0 / np.max(np.abs(H).sum(axis=1)),
                "you divided by the largest row sum of |H| (the ∞-norm of H), which is only "
                "an upper bound of σ_max: the exact bound uses the largest eigenvalue, "
                "2/σ_max."),
        Mistake(lambda H: 2.0 * _eig(H)[-1],
                "you returned 2σ_max: the condition |1 − ασ_max| < 1 solves to "
                "α < 2/σ_max, a DIVISION (a steeper cost allows a smaller step)."),
    ),
    forbidden=(landscape.largest_stable_lr, landscape.best_fixed_lr),
)


def check_largest_stable_lr(largest_stable_lr) -> None:
    """Check ``largest_stable_lr(H)`` = 2/σ_max on 5 Hessians."""
    return LARGEST_STABLE_LR.check(largest_stable_lr)


# ------------------------------------------------------- task 2: the per-step convergence factor

def _gd_convergence_factor(H, lr):
    """max_i |1 − lr σ_i|: how much gradient descent shrinks the error per step (at worst)."""
    return np.max(np.abs(1.0 - lr * _eig(H)))


_DIAG = _a([1.0, 0.0], [0.0, 10.0])

GD_CONVERGENCE_FACTOR = Exercise(
    name="gd_convergence_factor",
    reference=_gd_convergence_factor,
    cases=(
        Case("the slides' f(x) = 30x² with lr = 0.033", (_SLIDES, 0.033)),
        Case("the slides' f(x) = 30x² with lr = 0.034", (_SLIDES, 0.034)),
        Case("diag(1, 10) with a small step, lr = 0.1", (_DIAG, 0.1)),
        Case("diag(1, 10) with lr = 0.19, close to 2/σ_max", (_DIAG, 0.19)),
        Case("a coupled 2×2 Hessian (eigenvalues 1 and 3), lr = 0.6", (_COUPLED, 0.6)),
        Case("a coupled 2×2 Hessian (eigenvalues 1 and 3), lr = 0.9 (diverges)", (_COUPLED, 0.9)),
        Case("diag(4, 5) with lr = 0.3: every 1 − lr σ is negative",
             (_a([4.0, 0.0], [0.0, 5.0]), 0.3)),
        Case("a rotated 3×3 Hessian with eigenvalues 0.5, 2, 10, lr = 0.15", (_H3, 0.15)),
    ),
    mistakes=(
        Mistake(lambda H, lr: np.max(1.0 - lr * _eig(H)),
                "you forgot the absolute value: a factor 1 − ασᵢ below −1 (a step that "
                "overshoots and flips sign) diverges just as one above 1 does. Take "
                "max |1 − ασᵢ|."),
        Mistake(lambda H, lr: np.min(np.abs(1.0 - lr * _eig(H))),
                "you took the minimum over the eigenvalues: the error shrinks only as fast as "
                "its SLOWEST direction, so the factor is the maximum of |1 − ασᵢ|."),
        Mistake(lambda H, lr: abs(1.0 - lr * _eig(H)[-1]),
                "you only looked at the steepest direction, |1 − ασ_max|: with a small step "
                "the flattest direction (|1 − ασ_min|) is the slow one. Take the maximum over "
                "all eigenvalues."),
        Mistake(lambda H, lr: abs(1.0 - lr * _eig(H)[0]),
                "you only looked at the flattest direction, |1 − ασ_min|: with a large step "
                "the steepest direction overshoots (|1 − ασ_max| > 1). Take the maximum over "
                "all eigenvalues."),
        Mistake(lambda H, lr: np.max(np.abs(1.0 - lr * np.diag(H))),
                "you used the diagonal entries of H instead of its eigenvalues: they agree "
                "only for a diagonal H. Use np.linalg.eigvalsh(H)."),
        Mistake(lambda H, lr: np.max((1.0 - lr * _eig(H)) ** 2),
                "you squared the factor: (1 − ασᵢ)² is how much the COST of that direction "
                "shrinks per step; the distance to the minimum shrinks by |1 − ασᵢ|."),
        Mistake(lambda H, lr: (_eig(H)[-1] - _eig(H)[0]) / (_eig(H)[-1] + _eig(H)[0]),
                "you returned (κ − 1)/(κ + 1), which is the factor only at the best step "
                "lr = 2/(σ_max + σ_min); for any other lr compute max |1 − lr σᵢ|."),
        Mistake(lambda H, lr: np.mean(np.abs(1.0 - lr * _eig(H))),
                "you averaged |1 − ασᵢ| over the directions: the distance shrinks only as "
                "fast as its slowest direction, so take the MAXIMUM."),
        Mistake(lambda H, lr: np.max(np.abs(1.0 - lr * H)),
                "you computed 1 − lr·H entry by entry (1 minus every entry of H, the zeros "
                "too): the factors 1 − ασᵢ come from the EIGENVALUES σᵢ of H "
                "(np.linalg.eigvalsh(H))."),
        Mistake(lambda H, lr: np.max(np.abs(np.eye(len(H)) - lr * H)),
                "you took the largest ENTRY of I − αH: the factor per step is its largest "
                "eigenvalue in absolute value, max |1 − ασᵢ| with σᵢ the eigenvalues of H."),
        Mistake(lambda H, lr: np.max(lr * _eig(H)),
                "you returned max ασᵢ: the error along direction i is multiplied by "
                "1 − ασᵢ per step (θ − αHθ...), so the factor is max |1 − ασᵢ|."),
        Mistake(lambda H, lr: np.max(np.abs(1.0 - _eig(H) / lr)),
                "you divided the eigenvalues by lr: the step multiplies the error along "
                "direction i by 1 − lr·σᵢ, a product."),
        Mistake(lambda H, lr: abs(1.0 - lr * np.trace(H)),
                "you used the trace of H, the SUM of the eigenvalues: each direction has its "
                "own factor 1 − ασᵢ, and the distance shrinks by the largest |1 − ασᵢ|."),
    ),
    forbidden=(landscape.gd_contraction, landscape.gd_rate_at_best_lr),
)


def check_gd_convergence_factor(gd_convergence_factor) -> None:
    """Check ``gd_convergence_factor(H, lr)`` = max |1 − lr σᵢ| on 8 cases."""
    return GD_CONVERGENCE_FACTOR.check(gd_convergence_factor)


# ------------------------------------------------------------ task 3: does the step raise the cost?

def _cost_change(g, H, lr):
    """−lr gᵀg + ½ lr² gᵀHg: the second-order change of the cost for the step −lr g."""
    return -lr * g @ g + 0.5 * lr**2 * g @ H @ g


COST_CHANGE = Exercise(
    name="cost_change",
    reference=_cost_change,
    cases=(
        Case("the slides' f(x) = 30x² at x = 3 (g = 180), lr = 0.033", (_a(180.0), _SLIDES, 0.033)),
        Case("the slides' f(x) = 30x² at x = 3 (g = 180), lr = 0.034", (_a(180.0), _SLIDES, 0.034)),
        Case("a coupled 2×2 Hessian, g = (1, −2), lr = 0.1", (_a(1.0, -2.0), _COUPLED, 0.1)),
        Case("a coupled 2×2 Hessian, g = (1, 1) along the steepest direction, lr = 0.8",
             (_a(1.0, 1.0), _COUPLED, 0.8)),
        Case("a rotated 3×3 Hessian, g = (0.5, −1, 2), lr = 0.05", (_a(0.5, -1.0, 2.0), _H3, 0.05)),
        Case("a rotated 3×3 Hessian, g = (0.3, 0.1, −0.2), lr = 0.3",
             (_a(0.3, 0.1, -0.2), _H3, 0.3)),
    ),
    mistakes=(
        Mistake(lambda g, H, lr: -lr * g @ g + lr**2 * g @ H @ g,
                "you dropped the ½ of the second-order term: Taylor gives "
                "J(θ + d) ≈ J(θ) + gᵀd + ½ dᵀHd, so the term is ½α²gᵀHg."),
        Mistake(lambda g, H, lr: 0.5 * (-lr * g @ g + lr**2 * g @ H @ g),
                "you put the ½ in front of both terms: only the second-order term has it, "
                "ΔJ = −αgᵀg + ½α²gᵀHg."),
        Mistake(lambda g, H, lr: lr * g @ g + 0.5 * lr**2 * g @ H @ g,
                "the first-order term has the wrong sign: the step is d = −αg, so "
                "gᵀd = −αgᵀg (a gradient step lowers the cost to first order)."),
        Mistake(lambda g, H, lr: lr * g @ g - 0.5 * lr**2 * g @ H @ g,
                "you returned the DECREASE J(θ) − J(θ − αg): the question asks for the change "
                "J(θ − αg) − J(θ), which is negative when the step helps."),
        Mistake(lambda g, H, lr: -lr * g @ g + 0.5 * lr * g @ H @ g,
                "the second-order term needs α² (the step d = −αg appears twice in ½dᵀHd), "
                "not α."),
        Mistake(lambda g, H, lr: -lr * np.linalg.norm(g) + 0.5 * lr**2 * g @ H @ g,
                "you used the norm ‖g‖ in the first-order term; it is gᵀg = ‖g‖², the SQUARED "
                "norm (g @ g)."),
        Mistake(lambda g, H, lr: -lr * g @ g + 0.5 * lr**2 * np.sum(np.diag(H) * g**2),
                "you used only the diagonal of H: gᵀHg = Σᵢⱼ gᵢHᵢⱼgⱼ includes the off-diagonal "
                "terms (g @ H @ g)."),
        Mistake(lambda g, H, lr: 0.5 * lr**2 * g @ H @ g,
                "you returned only the second-order term ½α²gᵀHg: the change is that term "
                "MINUS αgᵀg (the step raises the cost only when the second beats the first)."),
        Mistake(lambda g, H, lr: -lr * g @ g - 0.5 * lr**2 * g @ H @ g,
                "the second-order term has the wrong sign: with d = −αg, dᵀHd = "
                "(−α)²gᵀHg = +α²gᵀHg, so ΔJ = −αgᵀg + ½α²gᵀHg."),
        Mistake(lambda g, H, lr: -lr * g @ g + 0.5 * lr**2 * np.sum(g * H * g),
                "g * H * g broadcasts g along the rows, giving Σᵢⱼ Hᵢⱼgⱼ², not gᵀHg = "
                "Σᵢⱼ gᵢHᵢⱼgⱼ: write g @ H @ g."),
        Mistake(lambda g, H, lr: -lr * np.sum(g) ** 2 + 0.5 * lr**2 * g @ H @ g,
                "you squared the SUM of the gradient's entries, (Σᵢ gᵢ)²: gᵀg = Σᵢ gᵢ² is the "
                "sum of the squares (g @ g)."),
        Mistake(lambda g, H, lr: -lr * g @ g + 0.5 * lr**2 * (H @ g) @ (H @ g),
                "you used (Hg)ᵀ(Hg) = gᵀH²g: the second-order term of the Taylor expansion is "
                "½dᵀHd with H once, so ½α²gᵀHg."),
        Mistake(lambda g, H, lr: -lr * g @ g + 0.5 * lr**2 * np.sum(H) * (g @ g),
                "you multiplied gᵀg by the sum of H's entries: gᵀHg weighs each pair gᵢgⱼ by "
                "its own Hᵢⱼ (g @ H @ g)."),
    ),
    forbidden=(landscape.taylor_step_terms,),
)


def check_cost_change(cost_change) -> None:
    """Check ``cost_change(g, H, lr)`` = −lr gᵀg + ½ lr² gᵀHg on 6 cases."""
    return COST_CHANGE.check(cost_change)


# ----------------------------------------------------------------- the multiple-choice question

BORDER_QUESTION = MultipleChoice(
    name="the slides' border rate",
    options={
        "a": "it converges, only slowly: it needs many more steps than 0.033",
        "b": "it neither converges nor diverges: |x| stays at its starting value for ever",
        "c": "it diverges from the first step, slowly: |x| grows by a factor 1.04 per step",
        "d": "it converges for x0 = 3 and 4 but diverges for x0 = 50",
    },
    answer="c",
    why={
        "a": "0.033 is the rate that converges (factor |1 − 1.98| = 0.98). With 0.034 the "
             "factor is 1 − 60·0.034 = −1.04, whose absolute value is above 1.",
        "b": "that is the exact border α = 1/30 = 0.0333..., where 1 − 60α = −1 and x only "
             "flips sign. 0.034 lies beyond it: |1 − 60·0.034| = 1.04.",
        "c": "x_t = (1 − 60α)^t x0 = (−1.04)^t x0: |x| grows by 4% per step and the cost by "
             "1.04² ≈ 1.08, from the first step on. The slides' 'trouble only if it runs long' "
             "is what slow divergence looks like; the border is 2/f'' = 1/30.",
        "d": "the factor 1 − 60α does not depend on x0: x_t = (1 − 60α)^t x0 for every start, "
             "so every start diverges (the start only scales the curve).",
    },
)


def check_border_question(answer) -> None:
    """Check the answer to: what does gradient descent do on f(x) = 30x² with lr = 0.034?"""
    return BORDER_QUESTION.check(answer)
