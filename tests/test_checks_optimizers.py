"""The checks of exercises/10_optimizers.ipynb can fail, and fail with the right diagnosis.

The references agree with reglab (Momentum, Adam, LinearDecay); correct solutions written
in other ways pass; wrong ones, written the way students write them (independently of
the tables in reglab.checks.optimizers), fail with their specific message; a function
that changes its input in place is caught; the untouched stub fails as "not implemented
yet".
"""

import numpy as np
import pytest
from check_failures import assert_feedback, fails_with

from reglab import Adam, Momentum
from reglab.checks import optimizers as checks
from reglab.schedules import LinearDecay

# ------------------------------------------------------------ the references agree with reglab


@pytest.mark.parametrize("case", checks.MOMENTUM_STEP.cases, ids=lambda c: c.label)
def test_momentum_reference_is_reglab_momentum(case):
    theta, v, g, lr, beta = case.args
    opt = Momentum(lr=lr, beta=beta)
    # reach (theta, v) first: from theta - v with v = 0, the gradient -v/lr makes velocity v
    params = {"W": theta - v}
    opt.step(params, {"W": -v / lr})
    np.testing.assert_allclose(params["W"], theta, rtol=1e-12, atol=1e-15)
    opt.step(params, {"W": g.copy()})
    theta_new, v_new = checks.MOMENTUM_STEP.reference(*case.args)
    np.testing.assert_allclose(params["W"], theta_new, rtol=1e-12)
    np.testing.assert_allclose(opt.slot_view("v", "W"), v_new, rtol=1e-12)


def test_adam_reference_is_reglab_adam_over_many_steps():
    rng = np.random.default_rng(0)
    opt, params = Adam(lr=0.01, beta1=0.85, beta2=0.99, eps=1e-6), {"W": rng.normal(size=4)}
    theta, s, r = params["W"].copy(), np.zeros(4), np.zeros(4)
    for t in range(1, 30):
        g = rng.normal(size=4)
        opt.step(params, {"W": g})
        theta, s, r = checks.ADAM_STEP.reference(theta, s, r, g, t, 0.01, 0.85, 0.99, 1e-6)
        np.testing.assert_allclose(params["W"], theta, rtol=1e-12)
        np.testing.assert_allclose(opt.state["s"], s, rtol=1e-12)
        np.testing.assert_allclose(opt.state["r"], r, rtol=1e-12)


@pytest.mark.parametrize("case", checks.LINEAR_DECAY.cases, ids=lambda c: c.label)
def test_linear_decay_reference_is_reglab_schedule(case):
    k, lr0, lr_tau, tau = case.args
    assert checks.LINEAR_DECAY.reference(*case.args) == pytest.approx(
        LinearDecay(lr0, lr_tau, tau)(k), rel=1e-12)


# ------------------------------------------------------------ correct solutions pass


def momentum_ok(theta, v, g, lr, beta):
    v_new = beta * v - lr * g
    return theta + v_new, v_new


def momentum_as_list(theta, v, g, lr, beta):
    v = v * beta
    v = v - lr * g
    return [theta + v, v]


def adam_ok(theta, s, r, g, t, lr, rho1, rho2, delta):
    s = rho1 * s + (1 - rho1) * g
    r = rho2 * r + (1 - rho2) * g**2
    s_hat = s / (1 - rho1**t)
    r_hat = r / (1 - rho2**t)
    return theta - lr * s_hat / (np.sqrt(r_hat) + delta), s, r


def adam_folded(theta, s, r, g, t, lr, rho1, rho2, delta):
    """The paper's efficient form: fold the corrections into the step size (same up to δ)."""
    s = rho1 * s + (1 - rho1) * g
    r = rho2 * r + (1 - rho2) * np.square(g)
    step = lr * np.sqrt(1 - rho2**t) / (1 - rho1**t)
    return theta - step * s / (np.sqrt(r) + delta * np.sqrt(1 - rho2**t)), s, r


def decay_ok(k, lr0, lr_tau, tau):
    if k >= tau:
        return lr_tau
    return (1 - k / tau) * lr0 + k / tau * lr_tau


def decay_interp(k, lr0, lr_tau, tau):
    return float(np.interp(k, [0, tau], [lr0, lr_tau]))


@pytest.mark.parametrize("fn", [momentum_ok, momentum_as_list])
def test_correct_momentum_passes(fn, capsys):
    assert checks.check_momentum_step(fn) is None
    assert "momentum_step passed" in capsys.readouterr().out


@pytest.mark.parametrize("fn", [adam_ok, adam_folded])
def test_correct_adam_passes(fn):
    assert checks.check_adam_step(fn) is None


@pytest.mark.parametrize("fn", [decay_ok, decay_interp])
def test_correct_decay_passes(fn):
    assert checks.check_linear_decay(fn) is None


# ------------------------------------------------------------ wrong ones fail, diagnosed
# Each set: the slips of one task, written the way students write them (independently of
# the tables in reglab.checks.optimizers); the key says what the slip is.

def _momentum(update):
    """A student's momentum_step from the line that computes (theta_new, v_new)."""
    def momentum_step(theta, v, g, lr, beta):
        return update(theta, v, g, lr, beta)
    return momentum_step


WRONG_MOMENTUM = {
    "moves UPHILL": _momentum(lambda th, v, g, lr, b: (th + b * v + lr * g, b * v + lr * g)),
    "α and β are swapped": _momentum(lambda th, v, g, lr, b: (th + lr * v - b * g,
                                                              lr * v - b * g)),
    "not decayed": _momentum(lambda th, v, g, lr, b: (th + v - lr * g, v - lr * g)),
    "OLD velocity": _momentum(lambda th, v, g, lr, b: (th + v, b * v - lr * g)),
    "PyTorch's convention": _momentum(lambda th, v, g, lr, b: (th - lr * (b * v + g),
                                                               b * v + g)),
    "(1 − β)": _momentum(lambda th, v, g, lr, b: (th + b * v - (1 - b) * lr * g,
                                                  b * v - (1 - b) * lr * g)),
    "Nesterov": _momentum(lambda th, v, g, lr, b: (th + b * (b * v - lr * g) - lr * g,
                                                   b * v - lr * g)),
    "θ moved by −v'": _momentum(lambda th, v, g, lr, b: (th - b * v + lr * g, b * v - lr * g)),
    "ignored the velocity": _momentum(lambda th, v, g, lr, b: (th - lr * g, b * v - lr * g)),
    "β multiplies the gradient step": _momentum(
        lambda th, v, g, lr, b: (th + b * (v - lr * g), b * (v - lr * g))),
    "wrong order": _momentum(lambda th, v, g, lr, b: (b * v - lr * g, th + b * v - lr * g)),
}


def _adam_student(*, moments=lambda s, r, g, r1, r2: (r1 * s + (1 - r1) * g,
                                                      r2 * r + (1 - r2) * g * g),
                  correct=lambda s, r, t, r1, r2: (s / (1 - r1**t), r / (1 - r2**t)),
                  step=lambda th, sh, rh, lr, d: th - lr * sh / (np.sqrt(rh) + d),
                  state=lambda s, r, sh, rh: (s, r)):
    """A student's adam_step written in four lines; each keyword replaces one of them."""
    def adam_step(theta, s, r, g, t, lr, rho1, rho2, delta):
        s_new, r_new = moments(s, r, g, rho1, rho2)
        with np.errstate(divide="ignore", invalid="ignore"):
            s_hat, r_hat = correct(s_new, r_new, t, rho1, rho2)
            theta_new = step(theta, s_hat, r_hat, lr, delta)
        return (theta_new, *state(s_new, r_new, s_hat, r_hat))
    return adam_step


WRONG_ADAM = {
    "no bias correction": _adam_student(correct=lambda s, r, t, r1, r2: (s, r)),
    "uses t − 1": _adam_student(correct=lambda s, r, t, r1, r2: (s / (1 - r1**(t - 1)),
                                                                 r / (1 - r2**(t - 1)))),
    "uses t + 1": _adam_student(correct=lambda s, r, t, r1, r2: (s / (1 - r1**(t + 1)),
                                                                 r / (1 - r2**(t + 1)))),
    "ρ instead of ρᵗ": _adam_student(correct=lambda s, r, t, r1, r2: (s / (1 - r1),
                                                                      r / (1 - r2))),
    "δ is inside the square root": _adam_student(
        step=lambda th, sh, rh, lr, d: th - lr * sh / np.sqrt(rh + d)),
    "r is not squared": _adam_student(moments=lambda s, r, g, r1, r2: (r1 * s + (1 - r1) * g,
                                                                       r2 * r + (1 - r2) * g)),
    "ρ₁ and ρ₂ are swapped": _adam_student(
        moments=lambda s, r, g, r1, r2: (r2 * s + (1 - r2) * g, r1 * r + (1 - r1) * g * g),
        correct=lambda s, r, t, r1, r2: (s / (1 - r2**t), r / (1 - r1**t))),
    "uncorrected s', r'": _adam_student(state=lambda s, r, sh, rh: (sh, rh)),
    "moved uphill": _adam_student(step=lambda th, sh, rh, lr, d: th + lr * sh / (np.sqrt(rh) + d)),
    "only the first moment": _adam_student(correct=lambda s, r, t, r1, r2: (s / (1 - r1**t), r)),
    "only the second moment": _adam_student(correct=lambda s, r, t, r1, r2: (s, r / (1 - r2**t))),
    "geometric sum": _adam_student(correct=lambda s, r, t, r1, r2: (
        s * (1 - r1) / (1 - r1**t), r * (1 - r2) / (1 - r2**t))),
    "divided by ρᵗ": _adam_student(correct=lambda s, r, t, r1, r2: (s / r1**t, r / r2**t)),
}


def _root_outside(theta, s, r, g, t, lr, rho1, rho2, delta):
    """The correction of r applied after the square root."""
    s = rho1 * s + (1 - rho1) * g
    r = rho2 * r + (1 - rho2) * g * g
    s_hat = s / (1 - rho1**t)
    return theta - lr * s_hat / (np.sqrt(r) / (1 - rho2**t) + delta), s, r


WRONG_ADAM["outside the square root"] = _root_outside


def _decay(rate):
    def linear_decay(k, lr0, lr_tau, tau):
        return rate(k, lr0, lr_tau, tau)
    return linear_decay


WRONG_DECAY = {
    "k = τ − 1": _decay(lambda k, a0, at, tau: (1 - min((k + 1) / tau, 1)) * a0
                        + min((k + 1) / tau, 1) * at),
    "keeps falling after τ": _decay(lambda k, a0, at, tau: (1 - k / tau) * a0 + k / tau * at),
    "forgot the term": _decay(lambda k, a0, at, tau: a0 * (1 - k / tau) if k < tau else at),
    "integer division": _decay(lambda k, a0, at, tau: (1 - min(k // tau, 1)) * a0
                               + min(k // tau, 1) * at),
    "swapped": _decay(lambda k, a0, at, tau: min(k / tau, 1) * a0 + (1 - min(k / tau, 1)) * at),
    "divided by τ − 1": _decay(lambda k, a0, at, tau: (1 - min(k / (tau - 1), 1)) * a0
                               + min(k / (tau - 1), 1) * at),
    "without weighting it": _decay(lambda k, a0, at, tau: a0 * (1 - min(k / tau, 1)) + at),
    "(k − 1)/τ": _decay(lambda k, a0, at, tau: (1 - min(max(k - 1, 0) / tau, 1)) * a0
                        + min(max(k - 1, 0) / tau, 1) * at),
    "uses max": _decay(lambda k, a0, at, tau: (1 - max(k / tau, 1)) * a0 + max(k / tau, 1) * at),
    "after τ the rate is 0": _decay(lambda k, a0, at, tau: (1 - k / tau) * a0 + k / tau * at
                                    if k <= tau else 0.0),
}


@pytest.mark.parametrize(("check", "wrong", "right"), [
    (checks.check_momentum_step, WRONG_MOMENTUM, [momentum_ok, momentum_as_list]),
    (checks.check_adam_step, WRONG_ADAM, [adam_ok, adam_folded]),
    (checks.check_linear_decay, WRONG_DECAY, [decay_ok, decay_interp]),
], ids=["momentum_step", "adam_step", "linear_decay"])
def test_plausible_answers_are_judged_and_named(check, wrong, right):
    assert len(wrong) >= 8
    assert_feedback(check, wrong, right + [_float32(fn) for fn in right])


def _float32(fn):
    """The same answer computed in float32 (the arguments cast first)."""
    def in_float32(*args):
        args = [np.asarray(a, dtype=np.float32) if isinstance(a, np.ndarray) else a
                for a in args]
        out = fn(*args)
        return (tuple(np.asarray(o, dtype=np.float32) for o in out)
                if isinstance(out, (tuple, list)) else np.float32(out))
    return in_float32


@pytest.mark.parametrize(("check", "wrong"), [
    (checks.check_momentum_step, WRONG_MOMENTUM), (checks.check_adam_step, WRONG_ADAM),
    (checks.check_linear_decay, WRONG_DECAY)], ids=["momentum_step", "adam_step", "linear_decay"])
def test_each_slip_gets_its_own_diagnosis(check, wrong):
    for words, fn in wrong.items():
        fails_with(check, fn, words)


def test_calling_reglabs_own_optimizer_is_refused():
    def via_reglab(theta, v, g, lr, beta):
        opt = Momentum(lr=lr, beta=beta)
        params = {"W": theta.copy()}
        opt.step(params, {"W": g})
        return params["W"], params["W"] - theta
    fails_with(checks.check_momentum_step, via_reglab, "reglab's own answer")
    fails_with(checks.check_linear_decay,
               lambda k, lr0, lr_tau, tau: LinearDecay(lr0, lr_tau, tau)(k), "LinearDecay")


def test_in_place_update_is_caught():
    def in_place(theta, v, g, lr, beta):
        v *= beta
        v -= lr * g
        theta += v
        return theta, v

    fails_with(checks.check_momentum_step, in_place, "changed its input in place")


def test_returning_one_array_is_a_shape_error():
    def only_theta(theta, v, g, lr, beta):
        return theta + beta * v - lr * g

    fails_with(checks.check_momentum_step, only_theta, "must return an array of shape")
