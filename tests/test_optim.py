"""Each optimizer's first steps against the textbook formula written out by hand."""

import numpy as np
import pytest

from reglab import (
    SGD,
    AdaGrad,
    Adam,
    AdamW,
    DecoupledWeightDecay,
    GradientClipping,
    Momentum,
    Nesterov,
    RMSProp,
    clip_by_global_norm,
)

GRADS = [np.array([0.5, -1.0]), np.array([0.3, 0.2]), np.array([-0.4, 0.1])]
THETA0 = np.array([1.0, -2.0])


def run(opt, grads=GRADS):
    params = {"0.W": THETA0.copy()}
    trajectory = []
    for g in grads:
        opt.step(params, {"0.W": g.copy()})
        trajectory.append(params["0.W"].copy())
    return trajectory


def test_sgd():
    theta, out = THETA0.copy(), run(SGD(lr=0.1))
    for g, got in zip(GRADS, out, strict=True):
        theta = theta - 0.1 * g
        np.testing.assert_allclose(got, theta)


def test_momentum():
    theta, v, out = THETA0.copy(), np.zeros(2), run(Momentum(lr=0.1, beta=0.9))
    for g, got in zip(GRADS, out, strict=True):
        v = 0.9 * v - 0.1 * g
        theta = theta + v
        np.testing.assert_allclose(got, theta)
    # by hand: v1 = -0.1 * g1, theta1 = theta0 + v1
    np.testing.assert_allclose(out[0], [0.95, -1.9])


def test_nesterov_matches_algorithm_8_3_with_interim_point():
    """Goodfellow's algorithm 8.3 on f(θ) = ½θᵀAθ; our parameters are its interim point θ + αv."""
    A = np.array([[3.0, 0.5], [0.5, 1.0]])
    lr, alpha = 0.1, 0.8
    theta, v = THETA0.copy(), np.zeros(2)
    opt, params = Nesterov(lr=lr, beta=alpha), {"0.W": THETA0.copy()}
    for _ in range(5):
        interim = theta + alpha * v
        g = A @ interim
        v = alpha * v - lr * g
        theta = theta + v
        opt.step(params, {"0.W": A @ params["0.W"]})
        np.testing.assert_allclose(params["0.W"], theta + alpha * v, rtol=1e-12)


def test_adagrad():
    theta, r, out = THETA0.copy(), np.zeros(2), run(AdaGrad(lr=0.5, eps=1e-7))
    for g, got in zip(GRADS, out, strict=True):
        r = r + g * g
        theta = theta - 0.5 / (1e-7 + np.sqrt(r)) * g
        np.testing.assert_allclose(got, theta)
    # first step moves every coordinate by lr in the direction of -sign(g)
    np.testing.assert_allclose(out[0], THETA0 - 0.5 * np.sign(GRADS[0]), rtol=1e-6)


def test_rmsprop():
    theta, r, out = THETA0.copy(), np.zeros(2), run(RMSProp(lr=0.01, rho=0.9, eps=1e-6))
    for g, got in zip(GRADS, out, strict=True):
        r = 0.9 * r + 0.1 * g * g
        theta = theta - 0.01 / np.sqrt(1e-6 + r) * g
        np.testing.assert_allclose(got, theta)


def test_adam():
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.01
    theta, s, r = THETA0.copy(), np.zeros(2), np.zeros(2)
    out = run(Adam(lr=lr, beta1=b1, beta2=b2, eps=eps))
    for t, (g, got) in enumerate(zip(GRADS, out, strict=True), start=1):
        s = b1 * s + (1 - b1) * g
        r = b2 * r + (1 - b2) * g * g
        theta = theta - lr * (s / (1 - b1**t)) / (np.sqrt(r / (1 - b2**t)) + eps)
        np.testing.assert_allclose(got, theta, rtol=1e-12)
    # bias correction makes the first step lr * sign(g)
    np.testing.assert_allclose(out[0], THETA0 - lr * np.sign(GRADS[0]), rtol=1e-6)


def test_state_is_separate_from_hyperparameters_and_reset():
    opt = Adam(lr=0.01)
    run(opt)
    assert opt.state["t"] == 3 and set(opt.state) == {"t", "s", "r"}
    assert opt.lr == 0.01 and opt.beta1 == 0.9
    opt.reset()
    assert opt.state == {"t": 0}
    np.testing.assert_allclose(run(opt)[0], run(Adam(lr=0.01))[0])


def test_clip_by_global_norm():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    clipped, norm = clip_by_global_norm(grads, max_norm=1.0)
    assert norm == pytest.approx(5.0)
    np.testing.assert_allclose(clipped["a"], [0.6, 0.0])
    np.testing.assert_allclose(clipped["b"], [[0.8]])
    np.testing.assert_allclose(grads["a"], [3.0, 0.0])  # inputs untouched
    same, _ = clip_by_global_norm(grads, max_norm=10.0)
    np.testing.assert_allclose(same["b"], grads["b"])


@pytest.mark.parametrize("make", [lambda: SGD(0.1), lambda: Momentum(0.1), lambda: Adam(0.1)])
def test_clipping_composes_with_any_optimizer(make):
    big = [g * 100 for g in GRADS]
    clipped = [g * min(1.0, 0.5 / np.linalg.norm(g)) for g in big]
    np.testing.assert_allclose(run(GradientClipping(make(), max_norm=0.5), big)[-1],
                               run(make(), clipped)[-1])


def test_decoupled_decay_with_sgd_equals_l2_gradient_and_spares_biases():
    wd, lr = 0.1, 0.5
    params = {"0.W": THETA0.copy(), "0.b": THETA0.copy()}
    DecoupledWeightDecay(SGD(lr), wd).step(params, {"0.W": GRADS[0], "0.b": GRADS[0]})
    np.testing.assert_allclose(params["0.W"], THETA0 - lr * (GRADS[0] + wd * THETA0))
    np.testing.assert_allclose(params["0.b"], THETA0 - lr * GRADS[0])


def test_adamw_is_decay_then_adam_and_differs_from_adam_with_l2():
    lr, wd = 0.01, 0.1
    theta_w = run(AdamW(lr=lr, weight_decay=wd))
    # by hand: theta <- (1 - lr*wd) theta, then the Adam step (which for t = 1 is lr*sign(g))
    np.testing.assert_allclose(theta_w[0], (1 - lr * wd) * THETA0 - lr * np.sign(GRADS[0]),
                               rtol=1e-6)
    opt, params = Adam(lr=lr), {"0.W": THETA0.copy()}
    for g in GRADS:  # L2 in the loss: wd * theta added to the gradient, then Adam
        opt.step(params, {"0.W": g + wd * params["0.W"]})
    assert not np.allclose(params["0.W"], theta_w[-1])


def test_proximal_l1_soft_thresholds_weights_to_exact_zeros():
    from reglab import ProximalL1

    lr, lam, m = 0.5, 2.0, 5  # threshold lr * lam / (2m) = 0.1
    params = {"0.W": np.array([0.05, -0.08, 0.3, -1.0]), "0.b": np.array([0.05])}
    zero = {k: np.zeros_like(v) for k, v in params.items()}
    ProximalL1(SGD(lr), lam=lam, m=m).step(params, zero)
    np.testing.assert_allclose(params["0.W"], [0.0, 0.0, 0.2, -0.9])
    assert np.sum(params["0.W"] == 0) == 2
    np.testing.assert_allclose(params["0.b"], [0.05])  # biases untouched
    # the subgradient step with the same strength overshoots instead of landing on 0
    w = np.array([0.05])
    w -= lr * lam / (2 * m) * np.sign(w)
    assert w[0] == pytest.approx(-0.05)


def test_state_is_one_flat_vector_with_per_parameter_views():
    opt = Momentum(lr=0.1, beta=0.5)
    params = {"0.W": np.ones((2, 3)), "0.b": np.zeros(3)}
    grads = {"0.W": np.full((2, 3), 2.0), "0.b": np.array([1.0, 2.0, 3.0])}
    opt.step(params, grads)
    assert opt.state["v"].shape == (9,)
    np.testing.assert_allclose(opt.slot_view("v", "0.W"), np.full((2, 3), -0.2))
    np.testing.assert_allclose(opt.slot_view("v", "0.b"), [-0.1, -0.2, -0.3])
    np.testing.assert_allclose(params["0.b"], [-0.1, -0.2, -0.3])
    with pytest.raises(ValueError, match="name must be one of"):
        opt.slot_view("v", "1.W")
    with pytest.raises(ValueError, match="params must be the same arrays"):
        opt.step({"0.W": np.ones((3, 2))}, {"0.W": np.ones((3, 2))})
    opt.reset()
    opt.step({"0.W": np.ones((3, 2))}, {"0.W": np.ones((3, 2))})  # allowed after reset


def test_float32_parameters_stay_float32():
    params = {"0.W": np.ones((2, 2), dtype=np.float32)}
    Adam(lr=0.1).step(params, {"0.W": np.ones((2, 2), dtype=np.float32)})
    assert params["0.W"].dtype == np.float32
    np.testing.assert_allclose(params["0.W"], 0.9, rtol=1e-6)


def test_rmsprop_nesterov_matches_algorithm_8_6_with_interim_point():
    """Algorithm 8.6 on f(θ) = ½θᵀAθ, written out; our parameters are its interim point θ + βv."""
    from reglab.optim import RMSPropNesterov

    A = np.array([[3.0, 0.5], [0.5, 1.0]])
    lr, rho, beta, eps = 0.05, 0.9, 0.8, 1e-6
    theta, v, r = THETA0.copy(), np.zeros(2), np.zeros(2)
    opt, params = RMSPropNesterov(lr=lr, rho=rho, beta=beta, eps=eps), {"0.W": THETA0.copy()}
    for _ in range(6):
        interim = theta + beta * v                   # interim update
        g = A @ interim                              # gradient at the interim point
        r = rho * r + (1 - rho) * g * g              # accumulate
        v = beta * v - lr / np.sqrt(eps + r) * g     # velocity (δ inside the root, as 8.5)
        theta = theta + v                            # apply
        opt.step(params, {"0.W": A @ params["0.W"]})
        np.testing.assert_allclose(params["0.W"], theta + beta * v, rtol=1e-12)
    assert set(opt.state) == {"t", "r", "v"}


def test_rmsprop_nesterov_with_beta_0_is_rmsprop():
    from reglab.optim import RMSPropNesterov

    np.testing.assert_allclose(run(RMSPropNesterov(lr=0.01, beta=0.0))[-1],
                               run(RMSProp(lr=0.01))[-1], rtol=1e-12)
    with pytest.raises(ValueError, match="beta must be in"):
        RMSPropNesterov(lr=0.01, beta=1.0)


def test_lr_is_settable_and_validated_on_optimizers():
    opt = Momentum(lr=0.1)
    opt.lr = 0.05
    assert opt.lr == 0.05 and repr(opt) == "Momentum(lr=0.05, beta=0.9)"
    with pytest.raises(ValueError, match="lr must be in"):
        opt.lr = 0.0
    with pytest.raises(TypeError, match="lr must be a real number"):
        opt.lr = None
    assert opt.lr == 0.05


def test_trajectory_runs_an_optimizer_from_a_point():
    from reglab.optim import trajectory

    A = np.diag([1.0, 10.0])
    path = trajectory(SGD(lr=0.1), lambda th: A @ th, THETA0, 5)
    assert path.shape == (6, 2)
    np.testing.assert_allclose(path[0], THETA0)
    np.testing.assert_allclose(path[5], (1 - 0.1 * np.diag(A)) ** 5 * THETA0)
    opt = Adam(lr=0.1)
    np.testing.assert_allclose(trajectory(opt, lambda th: A @ th, THETA0, 3),
                               trajectory(opt, lambda th: A @ th, THETA0, 3))  # reset first
    with pytest.raises(ValueError, match="grad must return an array of shape"):
        trajectory(SGD(0.1), lambda th: th[:1], THETA0, 2)
    with pytest.raises(TypeError, match="grad must be a function"):
        trajectory(SGD(0.1), A, THETA0, 2)
    with pytest.raises(ValueError, match="steps must be >= 0"):
        trajectory(SGD(0.1), lambda th: th, THETA0, -1)
