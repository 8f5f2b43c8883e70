"""The checks of exercises/10_optimizers.ipynb can fail, and fail with the right diagnosis.

The references agree with reglab (Momentum, Adam, LinearDecay); correct solutions written
in other ways pass; wrong ones, written the way students write them (independently of
the tables in reglab.checks.optimizers), fail with their specific message; a function
that changes its input in place is caught; the untouched stub fails as "not implemented
yet".
"""

import numpy as np
import pytest
from check_failures import fails_with

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


def test_momentum_mistakes_written_by_students():
    def uphill(theta, v, g, lr, beta):
        v = beta * v + lr * g
        return theta + v, v

    def swapped(theta, v, g, lr, beta):
        v = lr * v - beta * g
        return theta + v, v

    def no_decay(theta, v, g, lr, beta):
        v_new = v - lr * g
        return theta + v_new, v_new

    def old_velocity(theta, v, g, lr, beta):
        theta_new = theta + v
        return theta_new, beta * v - lr * g

    def torch_style(theta, v, g, lr, beta):
        buf = beta * v + g
        return theta - lr * buf, buf

    fails_with(checks.check_momentum_step, uphill, "moves UPHILL")
    fails_with(checks.check_momentum_step, swapped, "α and β are swapped")
    fails_with(checks.check_momentum_step, no_decay, "not decayed")
    fails_with(checks.check_momentum_step, old_velocity, "OLD velocity")
    fails_with(checks.check_momentum_step, torch_style, "PyTorch's convention")


def test_adam_mistakes_written_by_students():
    def no_correction(theta, s, r, g, t, lr, rho1, rho2, delta):
        s = rho1 * s + (1 - rho1) * g
        r = rho2 * r + (1 - rho2) * g * g
        return theta - lr * s / (np.sqrt(r) + delta), s, r

    def t_from_zero(theta, s, r, g, t, lr, rho1, rho2, delta):
        t = t - 1                                   # "the first step is step 0"
        s = rho1 * s + (1 - rho1) * g
        r = rho2 * r + (1 - rho2) * g * g
        with np.errstate(divide="ignore", invalid="ignore"):
            s_hat, r_hat = s / (1 - rho1**t), r / (1 - rho2**t)
            return theta - lr * s_hat / (np.sqrt(r_hat) + delta), s, r

    def slides_delta(theta, s, r, g, t, lr, rho1, rho2, delta):
        s = rho1 * s + (1 - rho1) * g
        r = rho2 * r + (1 - rho2) * g * g
        s_hat, r_hat = s / (1 - rho1**t), r / (1 - rho2**t)
        return theta - lr * s_hat / np.sqrt(r_hat + delta), s, r

    def rho_not_power(theta, s, r, g, t, lr, rho1, rho2, delta):
        s = rho1 * s + (1 - rho1) * g
        r = rho2 * r + (1 - rho2) * g * g
        s_hat, r_hat = s / (1 - rho1), r / (1 - rho2)
        return theta - lr * s_hat / (np.sqrt(r_hat) + delta), s, r

    def r_not_squared(theta, s, r, g, t, lr, rho1, rho2, delta):
        s = rho1 * s + (1 - rho1) * g
        r = rho2 * r + (1 - rho2) * g
        with np.errstate(invalid="ignore"):
            return theta - lr * (s / (1 - rho1**t)) / (np.sqrt(r / (1 - rho2**t)) + delta), s, r

    def stores_corrected(theta, s, r, g, t, lr, rho1, rho2, delta):
        s = (rho1 * s + (1 - rho1) * g) / (1 - rho1**t)
        r = (rho2 * r + (1 - rho2) * g * g) / (1 - rho2**t)
        return theta - lr * s / (np.sqrt(r) + delta), s, r

    fails_with(checks.check_adam_step, no_correction, "no bias correction")
    fails_with(checks.check_adam_step, t_from_zero, "uses t − 1")
    fails_with(checks.check_adam_step, slides_delta, "δ is inside the square root")
    fails_with(checks.check_adam_step, rho_not_power, "ρ instead of ρᵗ")
    fails_with(checks.check_adam_step, r_not_squared, "r is not squared")
    fails_with(checks.check_adam_step, stores_corrected, "uncorrected s', r'")


def test_linear_decay_mistakes_written_by_students():
    def early(k, lr0, lr_tau, tau):
        frac = min((k + 1) / tau, 1)
        return (1 - frac) * lr0 + frac * lr_tau

    def no_clamp(k, lr0, lr_tau, tau):
        return (1 - k / tau) * lr0 + (k / tau) * lr_tau

    def to_zero(k, lr0, lr_tau, tau):
        return lr0 * (1 - k / tau) if k < tau else lr_tau

    def floor_div(k, lr0, lr_tau, tau):
        frac = min(k // tau, 1)
        return (1 - frac) * lr0 + frac * lr_tau

    def swapped(k, lr0, lr_tau, tau):
        frac = min(k / tau, 1)
        return frac * lr0 + (1 - frac) * lr_tau

    fails_with(checks.check_linear_decay, early, "off by one", "k = τ − 1")
    fails_with(checks.check_linear_decay, no_clamp, "keeps falling after τ")
    fails_with(checks.check_linear_decay, to_zero, "forgot the term")
    fails_with(checks.check_linear_decay, floor_div, "integer division")
    fails_with(checks.check_linear_decay, swapped, "swapped")


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
