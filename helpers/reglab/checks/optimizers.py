r"""Checks for ``exercises/10_optimizers.ipynb``: a momentum step, an Adam step, linear decay.

The definitions (``notebooks/10_optimizers_sgd_to_adam.ipynb``, :mod:`reglab.optim`,
:mod:`reglab.schedules`, and the slides' algorithms 8.2, 8.7 and eq. 8.14 of Goodfellow
et al.), in the collection's notation: α the learning rate ``lr``, β the momentum
coefficient ``beta``, ρ₁, ρ₂ Adam's decay rates ``rho1``, ``rho2``, δ the small constant
``delta``.

* **One momentum step** (algorithm 8.2):

  .. math:: v' = \beta v - \alpha g,\qquad \theta' = \theta + v'

  ``momentum_step(theta, v, g, lr, beta)`` returns the pair ``(theta_new, v_new)``.
* **One Adam step** (algorithm 8.7, δ outside the root as in ``reglab.Adam``), step
  number t ≥ 1 (t = 1 for the first step):

  .. math::
      s' = \rho_1 s + (1-\rho_1) g,\quad r' = \rho_2 r + (1-\rho_2) g\odot g,\quad
      \hat s = \frac{s'}{1-\rho_1^t},\quad \hat r = \frac{r'}{1-\rho_2^t},\quad
      \theta' = \theta - \alpha\frac{\hat s}{\sqrt{\hat r} + \delta}

  ``adam_step(theta, s, r, g, t, lr, rho1, rho2, delta)`` returns
  ``(theta_new, s_new, r_new)``; the state kept is the *uncorrected* s', r'.
* **Linear decay** (eq. 8.14), step k = 0, 1, 2, ... counted from 0:

  .. math:: \alpha_k = (1 - k/\tau)\,\alpha_0 + (k/\tau)\,\alpha_\tau \ (k \le \tau),
            \qquad \alpha_k = \alpha_\tau \ (k > \tau)

  ``linear_decay(k, lr0, lr_tau, tau)`` returns α_k (a number), like
  ``reglab.schedules.LinearDecay(lr0, lr_tau, tau)(k)``.

Shapes: theta, v, s, r, g arrays of one same shape (any); the tuples returned are
compared as one stacked array, entry by entry.

Each task is an :class:`~reglab.checks.Exercise` with cases chosen so that every wrong
formula of its table gives itself away, and a ``check_<name>`` function.
"""

from __future__ import annotations

import numpy as np

from ..optim import Adam, Momentum
from ..schedules import LinearDecay
from . import Case, Exercise, Mistake, _a

__all__ = [
    "ADAM_STEP",
    "LINEAR_DECAY",
    "MOMENTUM_STEP",
    "check_adam_step",
    "check_linear_decay",
    "check_momentum_step",
]

_rng = np.random.default_rng(1010)  # the cases are the same on every run


# ------------------------------------------------------------ task 1: one momentum step

def _momentum_step(theta, v, g, lr, beta):
    """Algorithm 8.2: v' = beta v - lr g, theta' = theta + v'."""
    v_new = beta * v - lr * g
    return theta + v_new, v_new


_MOMENTUM_CASES = (
    Case("the first step (v = 0), lr 0.1, beta 0.9",
         (_a(1.0, -2.0), _a(0.0, 0.0), _a(0.5, -1.0), 0.1, 0.9)),
    Case("a velocity that points against the gradient, lr 0.05, beta 0.8",
         (_a(1.0, -2.0, 0.5), _a(-0.2, 0.1, 0.3), _a(0.4, -0.3, 1.0), 0.05, 0.8)),
    Case("a zero gradient: only the velocity moves theta, lr 0.1, beta 0.5",
         (_a(0.0, 1.0), _a(0.3, -0.6), _a(0.0, 0.0), 0.1, 0.5)),
    Case("a 2 × 3 weight matrix, lr 0.01, beta 0.95",
         (_rng.normal(size=(2, 3)), _rng.normal(size=(2, 3)) * 0.1, _rng.normal(size=(2, 3)),
          0.01, 0.95)),
    Case("beta 0 (plain SGD), lr 0.3",
         (_a(2.0, -1.0), _a(0.5, 0.5), _a(1.0, 2.0), 0.3, 0.0)),
)

MOMENTUM_STEP = Exercise(
    name="momentum_step",
    reference=_momentum_step,
    cases=_MOMENTUM_CASES,
    mistakes=(
        Mistake(lambda th, v, g, lr, b: (th + (b * v + lr * g), b * v + lr * g),
                "the sign of the gradient term is wrong: v' = βv + αg moves UPHILL. The "
                "velocity accumulates the negative gradient, v' = βv − αg, and θ' = θ + v'."),
        Mistake(lambda th, v, g, lr, b: (th + (lr * v - b * g), lr * v - b * g),
                "α and β are swapped: the velocity is decayed by the momentum coefficient β "
                "(beta) and the gradient is scaled by the learning rate α (lr): "
                "v' = βv − αg. (The slides call them α for momentum and ε for the learning "
                "rate; here α is the learning rate.)"),
        Mistake(lambda th, v, g, lr, b: (th + (v - lr * g), v - lr * g),
                "the velocity is not decayed: v' = v − αg adds up every past gradient with "
                "weight 1 and never forgets. Multiply the old velocity by β first: "
                "v' = βv − αg."),
        Mistake(lambda th, v, g, lr, b: (th + v, b * v - lr * g),
                "θ is updated with the OLD velocity: compute v' = βv − αg first, then "
                "θ' = θ + v' with the new one (algorithm 8.2 updates v, then applies it)."),
        Mistake(lambda th, v, g, lr, b: (th + (b * v - (1 - b) * lr * g),
                                         b * v - (1 - b) * lr * g),
                "you averaged the gradient with weight (1 − β), as Adam's first moment does: "
                "the velocity of algorithm 8.2 adds the full −αg, v' = βv − αg (that is why "
                "its steps grow to α·g/(1 − β) under a constant gradient)."),
        Mistake(lambda th, v, g, lr, b: (th - lr * (b * v + g), b * v + g),
                "you used PyTorch's convention (v' = βv + g, θ' = θ − αv'): it stores the "
                "velocity without α and with the opposite sign. Here v is algorithm 8.2's "
                "velocity: v' = βv − αg, θ' = θ + v'."),
        Mistake(lambda th, v, g, lr, b: (th + b * (b * v - lr * g) - lr * g, b * v - lr * g),
                "that is the Nesterov update in look-ahead form (θ' = θ + βv' − αg), not "
                "plain momentum: θ' = θ + v'."),
        Mistake(lambda th, v, g, lr, b: (th - (b * v - lr * g), b * v - lr * g),
                "θ moved by −v': the velocity already carries the minus sign of −αg, so "
                "θ' = θ + v' (adding it)."),
        Mistake(lambda th, v, g, lr, b: (th - lr * g, b * v - lr * g),
                "θ took a plain gradient step θ − αg and ignored the velocity: with momentum "
                "θ moves by the new velocity, θ' = θ + v'."),
        Mistake(lambda th, v, g, lr, b: (th + b * (v - lr * g), b * (v - lr * g)),
                "β multiplies the gradient step too: v' = β(v − αg). Only the old velocity "
                "is decayed; the new step −αg enters in full: v' = βv − αg."),
        Mistake(lambda th, v, g, lr, b: (b * v - lr * g, th + b * v - lr * g),
                "the pair is in the wrong order: return (theta_new, v_new), θ first."),
    ),
    forbidden=(Momentum,),
)


def check_momentum_step(momentum_step) -> None:
    """Check ``momentum_step(theta, v, g, lr, beta) -> (theta_new, v_new)`` (5 cases)."""
    return MOMENTUM_STEP.check(momentum_step)


# ------------------------------------------------------------ task 2: one Adam step

def _adam(theta, s, r, g, t, lr, rho1, rho2, delta, *, power=None, correct="sr", inside=False,
          square=True, swap=False, store_hat=False, sign=-1.0, factor=None, root_after=False):
    """Algorithm 8.7 with switches that reproduce the usual mistakes (defaults: correct).

    ``correct`` names the moments that are bias-corrected; ``factor(rho, t)`` replaces the
    correction factor 1 - rho**t; ``root_after`` divides √r' (not r') by the factor.
    """
    if swap:
        rho1, rho2 = rho2, rho1
    s_new = rho1 * s + (1 - rho1) * g
    r_new = rho2 * r + (1 - rho2) * (g * g if square else g)
    p = t if power is None else power(t)
    bias = (lambda rho: 1 - rho**p) if factor is None else (lambda rho: factor(rho, p))
    s_hat = s_new / bias(rho1) if "s" in correct else s_new
    r_hat = r_new / bias(rho2) if "r" in correct else r_new
    if root_after:
        denom = np.sqrt(r_new) / bias(rho2) + delta
    else:
        denom = np.sqrt(r_hat + delta) if inside else np.sqrt(r_hat) + delta
    theta_new = theta + sign * lr * s_hat / denom
    if store_hat:
        return theta_new, s_hat, r_hat
    return theta_new, s_new, r_new


def _adam_step(theta, s, r, g, t, lr, rho1, rho2, delta):
    """Algorithm 8.7, δ outside the root; returns (theta_new, s_new, r_new)."""
    return _adam(theta, s, r, g, t, lr, rho1, rho2, delta)


def _adam_mistake(**switches):
    def formula(theta, s, r, g, t, lr, rho1, rho2, delta):
        return _adam(theta, s, r, g, t, lr, rho1, rho2, delta, **switches)
    return formula


def _adam_state(steps: int, n: int, scale: float):
    """(theta, s, r, g) after ``steps`` Adam steps on random gradients of size ``scale``."""
    theta = _rng.normal(size=n)
    s, r = np.zeros(n), np.zeros(n)
    for t in range(1, steps + 1):
        theta, s, r = _adam_step(theta, s, r, _rng.normal(size=n) * scale, t, 1e-3, 0.9,
                                 0.999, 1e-8)
    return theta, s, r, _rng.normal(size=n) * scale


_ADAM_CASES = (
    Case("the first step (t = 1, s = r = 0), default rates",
         (_a(1.0, -2.0, 0.5), np.zeros(3), np.zeros(3), _a(0.5, -1.0, 2.0), 1, 0.01, 0.9,
          0.999, 1e-8)),
    Case("step t = 2 after one step",
         (_a(0.99, -1.99), _a(0.05, -0.1), _a(2.5e-4, 1e-3), _a(0.3, 0.2), 2, 0.01, 0.9,
          0.999, 1e-8)),
    Case("step t = 5 with mixed signs",
         (*_adam_state(4, 4, 1.0)[:3], _a(-0.4, 0.1, 0.8, -1.5), 5, 0.001, 0.9, 0.999, 1e-8)),
    Case("step t = 50, rho1 = 0.8, rho2 = 0.99",
         (*_adam_state(49, 3, 1.0)[:3], _a(0.2, -0.7, 0.05), 50, 0.002, 0.8, 0.99, 1e-8)),
    Case("tiny gradients (about 1e-5), step t = 3, delta = 1e-8",
         (*_adam_state(2, 3, 1e-5), 3, 0.01, 0.9, 0.999, 1e-8)),
    Case("step t = 1000 (bias correction nearly 1 for rho1), a large delta = 0.1",
         (*_adam_state(3, 2, 1.0)[:3], _a(1.0, -0.5), 1000, 0.01, 0.9, 0.999, 0.1)),
)

ADAM_STEP = Exercise(
    name="adam_step",
    reference=_adam_step,
    cases=_ADAM_CASES,
    mistakes=(
        Mistake(_adam_mistake(correct=""),
                "no bias correction: s and r start at 0, so early on they are too small by "
                "the factors 1 − ρ₁ᵗ and 1 − ρ₂ᵗ. Divide: ŝ = s'/(1 − ρ₁ᵗ), r̂ = r'/(1 − ρ₂ᵗ), "
                "and step with ŝ/(√r̂ + δ)."),
        Mistake(_adam_mistake(power=lambda t: t - 1),
                "the bias correction uses t − 1: t counts steps from 1 (the slides increment "
                "t before using it), so the first step divides by 1 − ρ₁¹, not by "
                "1 − ρ₁⁰ = 0."),
        Mistake(_adam_mistake(power=lambda t: t + 1),
                "the bias correction uses t + 1: t is already the number of this step (1 "
                "for the first), use ρ₁ᵗ and ρ₂ᵗ as given."),
        Mistake(_adam_mistake(power=lambda t: 1),
                "you corrected with ρ instead of ρᵗ: the bias of an average started at 0 "
                "after t steps is the factor 1 − ρ₁ᵗ (E s_t = (1 − ρ₁ᵗ) E g), which goes "
                "to 1 as t grows; 1 − ρ₁ is a constant."),
        Mistake(_adam_mistake(inside=True),
                "δ is inside the square root, √(r̂ + δ), as written on the slides: reglab, "
                "the Adam paper and PyTorch put it outside, √r̂ + δ. The two differ when "
                "the gradients are small (about √δ or less) or δ is large."),
        Mistake(_adam_mistake(square=False),
                "r is not squared: r averages g ⊙ g (the squared gradient), "
                "r' = ρ₂r + (1 − ρ₂) g², not g itself."),
        Mistake(_adam_mistake(swap=True),
                "ρ₁ and ρ₂ are swapped: ρ₁ (rho1, e.g. 0.9) decays the first moment s of "
                "the gradient, ρ₂ (rho2, e.g. 0.999) the second moment r of its square."),
        Mistake(_adam_mistake(store_hat=True),
                "θ is right but you returned the corrected ŝ, r̂ as the new state: keep the "
                "uncorrected s', r' (the correction is applied afresh at every step, with "
                "that step's t)."),
        Mistake(_adam_mistake(sign=1.0),
                "θ moved uphill: the step is θ' = θ − α ŝ/(√r̂ + δ), against the gradient's "
                "average."),
        Mistake(_adam_mistake(correct="s"),
                "only the first moment is bias-corrected: r starts at 0 too, so it is biased "
                "by the factor 1 − ρ₂ᵗ just as s is by 1 − ρ₁ᵗ. Correct both: "
                "r̂ = r'/(1 − ρ₂ᵗ)."),
        Mistake(_adam_mistake(correct="r"),
                "only the second moment is bias-corrected: s starts at 0 too, so it is biased "
                "by the factor 1 − ρ₁ᵗ. Correct both: ŝ = s'/(1 − ρ₁ᵗ)."),
        Mistake(_adam_mistake(root_after=True),
                "the correction of r is outside the square root: you divided √r' by "
                "1 − ρ₂ᵗ. The factor corrects r (an average of squares), so it goes inside: "
                "√r̂ = √(r'/(1 − ρ₂ᵗ))."),
        Mistake(_adam_mistake(factor=lambda rho, t: (1 - rho**t) / (1 - rho)),
                "you divided by the geometric sum 1 + ρ + … + ρᵗ⁻¹ = (1 − ρᵗ)/(1 − ρ): the "
                "average also carries the weight (1 − ρ) of each gradient, so "
                "E s_t = (1 − ρ)·(1 − ρᵗ)/(1 − ρ)·E g = (1 − ρᵗ)·E g. Divide by 1 − ρᵗ."),
        Mistake(_adam_mistake(factor=lambda rho, t: rho**t),
                "you divided by ρᵗ: the weight left on the zero start after t steps is ρᵗ, so "
                "the part of s that comes from gradients is 1 − ρᵗ of E g. Divide by 1 − ρᵗ."),
    ),
    forbidden=(Adam,),
)


def check_adam_step(adam_step) -> None:
    """Check ``adam_step(theta, s, r, g, t, lr, rho1, rho2, delta) -> (theta, s, r)`` (6 cases)."""
    return ADAM_STEP.check(adam_step)


# ------------------------------------------------------------ task 3: linear decay

def _linear_decay(k, lr0, lr_tau, tau):
    """Eq. 8.14: (1 - k/tau) lr0 + (k/tau) lr_tau for k <= tau, then lr_tau."""
    a = min(k / tau, 1.0)
    return (1 - a) * lr0 + a * lr_tau


def _decay_plain(k, lr0, lr_tau, tau):
    a = k / tau
    return (1 - a) * lr0 + a * lr_tau


_DECAY_CASES = (
    Case("k = 0: the initial rate", (0, 0.1, 0.001, 100)),
    Case("k = 30 of tau = 100", (30, 0.1, 0.001, 100)),
    Case("k = tau - 1: one step before the end", (99, 0.1, 0.001, 100)),
    Case("k = tau: the first step at the final rate", (100, 0.1, 0.001, 100)),
    Case("k = 250 > tau = 100: constant afterwards", (250, 0.1, 0.001, 100)),
    Case("k = 7 of tau = 10, lr0 = 0.5, lr_tau = 0.05", (7, 0.5, 0.05, 10)),
    Case("k = 3 of tau = 4, lr0 = 1, lr_tau = 0.2", (3, 1.0, 0.2, 4)),
)

LINEAR_DECAY = Exercise(
    name="linear_decay",
    reference=_linear_decay,
    cases=_DECAY_CASES,
    mistakes=(
        Mistake(lambda k, a0, at, tau: _linear_decay(k + 1, a0, at, tau),
                "off by one: you used (k + 1)/τ, so the rate reaches α_τ one step early, at "
                "k = τ − 1. k counts the steps already taken from 0: α_0 at k = 0, α_τ first "
                "at k = τ."),
        Mistake(lambda k, a0, at, tau: _linear_decay(k, a0, at, tau - 1) if tau > 1 else at,
                "you divided by τ − 1: the weight of α_τ is k/τ, which is 1 exactly at k = τ."),
        Mistake(_decay_plain,
                "the rate keeps falling after τ (and eventually turns negative): eq. 8.14 "
                "holds only for k ≤ τ; after that the rate stays at α_τ. Use min(k/τ, 1)."),
        Mistake(lambda k, a0, at, tau: _linear_decay(k, at, a0, tau),
                "the two rates are swapped: at k = 0 the rate is α_0 (lr0) and it decays to "
                "α_τ (lr_tau): (1 − k/τ)·α_0 + (k/τ)·α_τ."),
        Mistake(lambda k, a0, at, tau: (1 - min(k / tau, 1.0)) * a0 if k < tau else at,
                "you forgot the term (k/τ)·α_τ: the rate decays linearly to α_τ, not to 0 "
                "(it jumps back up to α_τ at k = τ)."),
        Mistake(lambda k, a0, at, tau: _linear_decay(min(k // tau, 1), a0, at, 1),
                "integer division: k // τ is 0 until k = τ, so the rate stays at α_0 and "
                "then drops at once. Use the true fraction k/τ."),
        Mistake(lambda k, a0, at, tau: a0 * (1 - min(k / tau, 1.0)) + at,
                "you added α_τ to the decayed α_0 without weighting it: "
                "(1 − k/τ)·α_0 + (k/τ)·α_τ, both terms weighted, so that the rate is exactly "
                "α_0 at k = 0."),
        Mistake(lambda k, a0, at, tau: _linear_decay(max(k, 1) - 1, a0, at, tau),
                "off by one the other way: you used (k − 1)/τ, so the rate reaches α_τ one "
                "step late. k counts the steps already taken from 0: α_k uses k/τ."),
        Mistake(lambda k, a0, at, tau: (1 - max(k / tau, 1.0)) * a0 + max(k / tau, 1.0) * at,
                "the clamp uses max where it needs min: max(k/τ, 1) is at least 1, so the rate "
                "is α_τ (or beyond) from the first step. The weight of α_τ is min(k/τ, 1)."),
        Mistake(lambda k, a0, at, tau: _linear_decay(k, a0, at, tau) if k <= tau else 0.0,
                "after τ the rate is 0: eq. 8.14 keeps it at α_τ for every k > τ (a rate of "
                "0 would stop training)."),
    ),
    forbidden=(LinearDecay,),
)


def check_linear_decay(linear_decay) -> None:
    """Check ``linear_decay(k, lr0, lr_tau, tau) -> float`` (7 cases)."""
    return LINEAR_DECAY.check(linear_decay)
