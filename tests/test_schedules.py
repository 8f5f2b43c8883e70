"""Learning-rate schedules: their formulas, their edges, and Scheduled on every optimizer and wrapper."""

import math

import numpy as np
import pytest

from reglab import (
    SGD,
    Adam,
    AdamW,
    DecoupledWeightDecay,
    Dense,
    GradientClipping,
    Momentum,
    ProximalL1,
    RMSProp,
    Sequential,
    fit,
    mean_squared_error,
)
from reglab.optim import RMSPropNesterov
from reglab.schedules import ConstantLR, CosineDecay, LinearDecay, Scheduled, StepDecay, Warmup

GRADS = [np.array([0.5, -1.0]), np.array([0.3, 0.2]), np.array([-0.4, 0.1]), np.array([1.0, 1.0])]
THETA0 = np.array([1.0, -2.0])


def run(opt, grads=GRADS, theta0=THETA0):
    params = {"0.W": theta0.copy()}
    for g in grads:
        opt.step(params, {"0.W": g.copy()})
    return params["0.W"]


# ------------------------------------------------------------------ the formulas

def test_linear_decay_is_goodfellow_8_14_and_constant_after_tau():
    sched = LinearDecay(0.1, 0.001, tau=100)
    for k in range(0, 150, 7):
        a = k / 100
        want = (1 - a) * 0.1 + a * 0.001 if k <= 100 else 0.001
        assert sched(k) == pytest.approx(want, rel=1e-12)
    assert sched(0) == 0.1 and sched(100) == pytest.approx(0.001) and sched(10**6) == 0.001
    assert sched(99) > sched(100)  # still decaying one step before tau


def test_step_decay():
    sched = StepDecay(0.1, step_size=3, gamma=0.5)
    assert [sched(k) for k in range(7)] == pytest.approx([0.1] * 3 + [0.05] * 3 + [0.025])


def test_cosine_decay_endpoints_midpoint_and_monotone():
    sched = CosineDecay(0.2, 0.002, tau=50)
    assert sched(0) == pytest.approx(0.2) and sched(50) == pytest.approx(0.002)
    assert sched(25) == pytest.approx((0.2 + 0.002) / 2)
    assert sched(80) == pytest.approx(0.002)
    values = [sched(k) for k in range(60)]
    assert all(a >= b for a, b in zip(values, values[1:], strict=False))
    # it stays above the linear decay in the first half and below it in the second
    lin = LinearDecay(0.2, 0.002, tau=50)
    assert sched(10) > lin(10) and sched(40) < lin(40)


def test_warmup_ramps_linearly_then_hands_over_shifted():
    after = CosineDecay(0.1, 0.01, tau=20)
    sched = Warmup(after, steps=4)
    assert [sched(k) for k in range(4)] == pytest.approx([0.025, 0.05, 0.075, 0.1])
    for k in range(4, 40):
        assert sched(k) == pytest.approx(after(k - 4))
    assert Warmup(0.3, 3)(10) == 0.3 and ConstantLR(0.3)(10**9) == 0.3
    plain = Warmup(lambda k: 0.5 / (1 + k), 2)     # any callable composes
    assert plain(0) == 0.25 and plain(3) == pytest.approx(0.25)


# ------------------------------------------------------------------ Scheduled

def test_scheduled_sgd_is_algorithm_8_1_with_a_step_dependent_rate():
    sched = LinearDecay(0.5, 0.05, tau=2)
    theta = THETA0.copy()
    for k, g in enumerate(GRADS):
        theta = theta - sched(k) * g
    np.testing.assert_allclose(run(Scheduled(SGD(lr=1.0), sched)), theta, rtol=1e-12)


@pytest.mark.parametrize("make", [lambda lr: SGD(lr), lambda lr: Momentum(lr, beta=0.8),
                                  lambda lr: RMSProp(lr), lambda lr: Adam(lr),
                                  lambda lr: RMSPropNesterov(lr)])
def test_scheduled_equals_setting_lr_by_hand_for_every_optimizer(make):
    sched = StepDecay(0.1, step_size=2, gamma=0.3)
    by_hand, params = make(1.0), {"0.W": THETA0.copy()}
    for k, g in enumerate(GRADS):
        by_hand.lr = sched(k)
        by_hand.step(params, {"0.W": g.copy()})
    np.testing.assert_allclose(run(Scheduled(make(1.0), sched)), params["0.W"], rtol=1e-12)


def test_wrapper_lr_is_settable_and_passes_down_the_chain():
    inner = Adam(lr=1e-3)
    opt = GradientClipping(AdamW(lr=1e-3, weight_decay=0.1), max_norm=1.0)
    opt.lr = 0.02
    assert opt.lr == 0.02 and opt.optimizer.lr == 0.02 and opt.optimizer.optimizer.lr == 0.02
    wrapped = DecoupledWeightDecay(inner, 0.1)
    wrapped.lr = 0.5
    assert inner.lr == 0.5
    with pytest.raises(ValueError, match="lr must be in"):
        wrapped.lr = -1.0
    with pytest.raises(TypeError, match="lr must be a real number"):
        opt.lr = "fast"
    assert inner.lr == 0.5  # a refused value changes nothing


def test_decoupled_weight_decay_follows_the_schedule_like_pytorch_adamw():
    """W ← (1 − α_k·wd) W, then Adam with α_k: the decay uses the scheduled α_k."""
    wd, sched = 0.1, LinearDecay(0.05, 0.01, tau=2)
    b1, b2, eps = 0.9, 0.999, 1e-8
    theta, s, r = THETA0.copy(), np.zeros(2), np.zeros(2)
    for t, g in enumerate(GRADS, start=1):
        lr = sched(t - 1)
        theta = theta * (1 - lr * wd)
        s = b1 * s + (1 - b1) * g
        r = b2 * r + (1 - b2) * g * g
        theta = theta - lr * (s / (1 - b1**t)) / (np.sqrt(r / (1 - b2**t)) + eps)
    np.testing.assert_allclose(run(Scheduled(AdamW(lr=1.0, weight_decay=wd), sched)), theta,
                               rtol=1e-12)
    # the unscheduled AdamW (α = α_0 at every step) ends elsewhere
    assert not np.allclose(theta, run(AdamW(lr=0.05, weight_decay=wd)))


def test_proximal_l1_threshold_follows_the_schedule():
    lam, m = 2.0, 5                                    # threshold α_k · λ/(2m) = α_k / 5
    sched = StepDecay(0.5, step_size=1, gamma=0.5)     # 0.5, 0.25, ...
    params = {"0.W": np.array([0.3, -0.3])}
    zero = {"0.W": np.zeros(2)}
    opt = Scheduled(ProximalL1(SGD(1.0), lam=lam, m=m), sched)
    opt.step(params, zero)
    np.testing.assert_allclose(params["0.W"], [0.2, -0.2])      # threshold 0.1
    opt.step(params, zero)
    np.testing.assert_allclose(params["0.W"], [0.15, -0.15])    # threshold 0.05


def test_clipping_inside_a_schedule():
    big = [g * 100 for g in GRADS]
    sched = LinearDecay(0.1, 0.01, tau=3)
    clipped = [g * min(1.0, 0.5 / np.linalg.norm(g)) for g in big]
    np.testing.assert_allclose(run(Scheduled(GradientClipping(SGD(1.0), 0.5), sched), big),
                               run(Scheduled(SGD(1.0), sched), clipped), rtol=1e-12)


def test_step_count_is_the_optimizer_state_and_reset_restarts_the_schedule():
    opt = Scheduled(Momentum(lr=1.0), StepDecay(0.1, step_size=2, gamma=0.1))
    assert opt.lr == pytest.approx(0.1)               # schedule(0) before the first step
    first = run(opt)
    assert opt.state["t"] == len(GRADS) and opt.lr == pytest.approx(0.01)  # of step k = 3
    opt.reset()
    assert opt.state == {"t": 0} and opt.lr == pytest.approx(0.1)
    np.testing.assert_allclose(run(opt), first)


def test_fit_with_a_per_step_schedule_needs_no_change():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = X @ np.array([1.0, -2.0, 0.5])
    model = Sequential([Dense(3, 1, rng=rng)])
    sched = LinearDecay(0.1, 0.001, tau=15)
    opt = Scheduled(SGD(lr=1.0), sched)
    fit(model, (X, y), loss=mean_squared_error, optimizer=opt, epochs=5, batch_size=10,
        rng=rng, progress=False)
    assert opt.state["t"] == 20                        # 4 batches × 5 epochs: per step
    assert opt.lr == pytest.approx(sched(19))


# ------------------------------------------------------------------ bad input

@pytest.mark.parametrize("make, match", [
    (lambda: LinearDecay(0.0, 0.01, 10), "lr must be in"),
    (lambda: LinearDecay(0.1, -0.01, 10), "final_lr must be in"),
    (lambda: LinearDecay(0.1, 0.01, 0), "tau must be >= 1"),
    (lambda: LinearDecay(0.1, 0.01, 2.5), "tau must be an integer"),
    (lambda: CosineDecay(0.1, 0.0, 10), "final_lr must be in"),
    (lambda: StepDecay(0.1, 0), "step_size must be >= 1"),
    (lambda: StepDecay(0.1, 5, gamma=1.5), "gamma must be in"),
    (lambda: StepDecay(0.1, 5, gamma=0.0), "gamma must be in"),
    (lambda: Warmup("fast", 5), "after must be a schedule"),
    (lambda: Warmup(0.1, 0), "steps must be >= 1"),
    (lambda: ConstantLR(math.nan), "lr must be finite"),
    (lambda: Scheduled(SGD(0.1), 0.1), "schedule must be a function"),
    (lambda: Scheduled("sgd", ConstantLR(0.1)), "optimizer must be a reglab optimizer"),
    (lambda: Scheduled(SGD(0.1), lambda k: -1.0), "invalid learning rate at step 0"),
    (lambda: LinearDecay(0.1, 0.01, 10)(-1), "k must be >= 0"),
])
def test_bad_input(make, match):
    with pytest.raises((TypeError, ValueError), match=match):
        make()


def test_schedule_that_goes_bad_later_names_the_step():
    opt = Scheduled(SGD(1.0), lambda k: 0.1 if k < 2 else 0.0)
    with pytest.raises(ValueError, match="at step 2"):
        run(opt)


def test_scheduled_must_be_outermost_and_its_lr_is_not_set_by_hand():
    with pytest.raises(TypeError, match="put it outermost"):
        DecoupledWeightDecay(Scheduled(Adam(1.0), ConstantLR(0.1)), 0.1)
    opt = Scheduled(SGD(1.0), ConstantLR(0.1))
    with pytest.raises(AttributeError, match="set by its schedule"):
        opt.lr = 0.5


def test_repr_names_the_schedule():
    text = repr(Scheduled(SGD(1.0), Warmup(CosineDecay(0.1, 0.001, 100), 10)))
    assert "Warmup(after=CosineDecay(lr=0.1, final_lr=0.001, tau=100), steps=10)" in text
    assert text.startswith("Scheduled(SGD(lr=0.01), ")  # schedule(0) = 0.1 / 10
