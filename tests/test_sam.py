"""Sharpness-aware minimization: the step by hand, the inner maximum by brute force, the
composition with other optimizers, the second gradient that fit provides, bad input."""

import numpy as np
import pytest

from reglab import (
    L2,
    SAM,
    SGD,
    Adam,
    BatchNorm,
    CosineDecay,
    Dense,
    Dropout,
    GradientClipping,
    Momentum,
    ReLU,
    Scheduled,
    Sequential,
    TrainingDiverged,
    fit,
    fit_many,
    minibatches,
    softmax_cross_entropy,
    train_step,
)

A = np.array([[3.0, 0.5], [0.5, 1.0]])
B = np.array([1.0, -0.5])
W0 = np.array([0.7, -1.2])


def loss_q(w):
    """A quadratic J(w) = ½ wᵀAw − bᵀw and its gradient Aw − b."""
    return 0.5 * w @ A @ w - B @ w


def grad_q(params):
    return {"W": A @ params["W"] - B}


def sam_on_quadratic(inner, rho):
    opt = SAM(inner, rho)
    opt.grad_at = grad_q
    return opt


def test_one_step_by_hand():
    lr, rho = 0.1, 0.05
    g = A @ W0 - B
    eps = rho * g / np.linalg.norm(g)
    expected = W0 - lr * (A @ (W0 + eps) - B)
    params = {"W": W0.copy()}
    opt = sam_on_quadratic(SGD(lr), rho)
    opt.step(params, grad_q(params))
    np.testing.assert_allclose(params["W"], expected, rtol=0, atol=1e-15)
    assert opt.last_epsilon_norm == pytest.approx(rho, rel=1e-12)
    # differs from the plain gradient step by lr * A eps
    plain = W0 - lr * g
    np.testing.assert_allclose(params["W"] - plain, -lr * A @ eps, atol=1e-15)


def test_gradient_is_taken_at_w_plus_epsilon_and_parameters_come_back_to_w():
    seen = []

    def grad_at(params):
        seen.append(params["W"].copy())
        return grad_q(params)

    params = {"W": W0.copy()}
    opt = SAM(SGD(1e-9), rho=0.3)  # a tiny step: the result is w up to 1e-9
    opt.grad_at = grad_at
    opt.step(params, grad_q(params))
    g = A @ W0 - B
    np.testing.assert_allclose(seen[0], W0 + 0.3 * g / np.linalg.norm(g), atol=1e-15)
    np.testing.assert_allclose(params["W"], W0, atol=1e-8)


@pytest.mark.parametrize("rho", [0.1, 0.01, 0.001])
def test_epsilon_matches_the_brute_force_inner_maximum(rho):
    """ε̂ = ρg/‖g‖ maximizes the linearized loss over the ball exactly, and the true loss
    up to O(ρ²): compared with a grid search of max over ‖ε‖ ≤ ρ of J(w + ε).

    J is convex, so its maximum over the ball lies on the sphere: the grid is 20,000
    directions on the circle of radius ρ, and 10 smaller radii for the interior."""
    seen = []

    def grad_at(params):
        seen.append(params["W"] - W0)
        return grad_q(params)

    opt = SAM(SGD(0.1), rho)
    opt.grad_at = grad_at
    opt.step({"W": W0.copy()}, grad_q({"W": W0}))
    eps_sam = seen[0]
    angles = np.linspace(0, 2 * np.pi, 20_000, endpoint=False)
    circle = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    grid = (np.linspace(0, rho, 11)[:, None, None] * circle[None]).reshape(-1, 2)
    g = A @ W0 - B
    # the linearized loss J(w) + gᵀε: its grid maximizer is ε̂ to the grid's resolution
    lin_best = grid[np.argmax(grid @ g)]
    step = 2 * np.pi / 20_000 * rho
    assert np.linalg.norm(lin_best - eps_sam) < step
    # the quadratic itself: the best grid point is within O(ρ²) of ε̂, and J there exceeds
    # J(w + ε̂) by at most ‖A‖ρ² (the curvature term over the ball)
    points = W0 + grid
    values = 0.5 * np.einsum("ij,jk,ik->i", points, A, points) - points @ B
    best = grid[np.argmax(values)]
    curvature = np.linalg.norm(A, 2)
    assert np.linalg.norm(best - eps_sam) <= 2 * curvature * rho**2 / np.linalg.norm(g) + step
    assert 0 <= values.max() - loss_q(W0 + eps_sam) <= curvature * rho**2


def test_zero_gradient_means_no_perturbation():
    seen = []

    def grad_at(params):
        seen.append(params["W"].copy())
        return {"W": np.zeros(2)}

    opt = SAM(SGD(0.1), rho=0.5)
    opt.grad_at = grad_at
    params = {"W": W0.copy()}
    opt.step(params, {"W": np.zeros(2)})
    np.testing.assert_array_equal(seen[0], W0)
    np.testing.assert_array_equal(params["W"], W0)
    assert opt.last_epsilon_norm == 0


@pytest.mark.parametrize("inner", [
    lambda: Adam(0.05), lambda: Momentum(0.1, beta=0.9),
    lambda: GradientClipping(SGD(0.1), max_norm=0.5),
])
def test_composes_with_any_optimizer(inner):
    """SAM(opt) takes opt's steps, fed with the gradients at w + ε, for several steps."""
    rho = 0.2
    opt, ref = sam_on_quadratic(inner(), rho), inner()
    params, w = {"W": W0.copy()}, {"W": W0.copy()}
    for _ in range(5):
        g = A @ w["W"] - B
        ref.step(w, grad_q({"W": w["W"] + rho * g / np.linalg.norm(g)}))
        opt.step(params, grad_q(params))
        np.testing.assert_allclose(params["W"], w["W"], atol=1e-14)
    assert opt.state is opt.optimizer.state
    assert opt.lr == ref.lr


def test_clipping_outside_sam_clips_the_gradient_that_sam_passes_on():
    rho, cap = 0.2, 0.3
    opt = GradientClipping(sam_on_quadratic(SGD(1.0), rho), max_norm=cap)
    params = {"W": W0.copy()}
    opt.step(params, grad_q(params))
    g = A @ W0 - B
    # the ε direction is the clipped g (same direction), the step is the unclipped gradient at
    # w + ε: GradientClipping only clips what SAM sees
    sharp = A @ (W0 + rho * g / np.linalg.norm(g)) - B
    np.testing.assert_allclose(params["W"], W0 - sharp, atol=1e-14)


def test_scheduled_sets_the_learning_rate_of_the_step():
    opt = Scheduled(SAM(SGD(1.0), 0.1), lambda k: 0.5 / (k + 1))
    opt.optimizer.grad_at = grad_q
    params, w = {"W": W0.copy()}, W0.copy()
    for k in range(3):
        g = A @ w - B
        w = w - 0.5 / (k + 1) * (A @ (w + 0.1 * g / np.linalg.norm(g)) - B)
        opt.step(params, grad_q(params))
    np.testing.assert_allclose(params["W"], w, atol=1e-14)
    opt.reset()
    assert opt.state["t"] == 0


def data(m=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, 3))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


def model(seed=1, batch_norm=False, dropout=False):
    rng = np.random.default_rng(seed)
    layers = [Dense(3, 6, rng=rng)]
    layers += [BatchNorm(6)] if batch_norm else []
    layers += [ReLU()] + ([Dropout(0.8)] if dropout else []) + [Dense(6, 2, rng=rng)]
    return Sequential(layers)


def batch_gradient(net, Xb, yb, penalty, m):
    out = net.forward(Xb, train=True)
    _, dout = softmax_cross_entropy(out, yb)
    net.backward(dout)
    grads = {k: g.copy() for k, g in net.grads.items()}
    for k, W in net.weights().items():
        grads[k] += penalty.grad(W, m)
    return grads


def test_fit_with_sam_replays_the_two_gradient_loop_by_hand():
    """The penalty's gradient is part of g, and of the gradient at w + ε."""
    X, y = data()
    rho, lr, penalty = 0.1, 0.2, L2(0.5)
    net, ref = model(), model()
    fit(net, (X, y), loss=softmax_cross_entropy, optimizer=SAM(SGD(lr), rho), epochs=3,
        rng=np.random.default_rng(5), batch_size=16, penalty=penalty, progress=False)
    rng = np.random.default_rng(5)
    for _ in range(3):
        for idx in minibatches(len(X), 16, rng):
            g = batch_gradient(ref, X[idx], y[idx], penalty, len(X))
            norm = np.sqrt(sum(np.sum(v * v) for v in g.values()))
            w = {k: p.copy() for k, p in ref.params.items()}
            for k, p in ref.params.items():
                p += rho * g[k] / norm
            sharp = batch_gradient(ref, X[idx], y[idx], penalty, len(X))
            for k, p in ref.params.items():
                p[...] = w[k] - lr * sharp[k]
    for k in net.params:
        np.testing.assert_allclose(net.params[k], ref.params[k], atol=1e-12, err_msg=k)


def test_train_step_offers_the_gradient_too_and_fit_leaves_other_optimizers_alone():
    X, y = data()
    net, sgd = model(), SGD(0.1)
    fit(net, (X, y), loss=softmax_cross_entropy, optimizer=sgd, epochs=1,
        rng=np.random.default_rng(0), progress=False)
    assert not hasattr(sgd, "grad_at")
    opt = SAM(sgd, 0.05)
    value = train_step(net, X, y, loss=softmax_cross_entropy, optimizer=opt, penalty=None,
                       m=len(X), rng=None)
    assert np.isfinite(value) and callable(opt.grad_at)
    assert opt.last_epsilon_norm == pytest.approx(0.05)


def test_second_pass_leaves_the_batch_norm_statistics_of_the_first():
    X, y = data()
    with_sam, plain = model(batch_norm=True), model(batch_norm=True)
    for net, opt in ((with_sam, SAM(SGD(0.1), 0.5)), (plain, SGD(0.1))):
        train_step(net, X, y, loss=softmax_cross_entropy, optimizer=opt, penalty=None,
                   m=len(X), rng=None)
    for k in plain.buffers:
        np.testing.assert_array_equal(with_sam.buffers[k], plain.buffers[k])
    assert not np.allclose(with_sam.params["0.W"], plain.params["0.W"])


def test_fit_with_dropout_and_sam_trains():
    X, y = data(80)
    net = model(dropout=True)
    h = fit(net, (X, y), loss=softmax_cross_entropy, optimizer=SAM(Adam(0.02), 0.05),
            epochs=30, rng=np.random.default_rng(0), progress=False, train_metrics="full")
    assert h.train_loss[-1] < 0.5 * h.train_loss[0]


def test_a_loss_that_blows_up_at_w_plus_epsilon_stops_training():
    X, y = data()
    net = model()
    before = net.state()
    with pytest.raises(TrainingDiverged, match="perturbed parameters"), \
            np.errstate(over="ignore", invalid="ignore"):
        # weights of size 1e200 at w + ε: the logits overflow
        fit(net, (X, y), loss=softmax_cross_entropy, optimizer=SAM(SGD(0.1), 1e200),
            epochs=1, rng=np.random.default_rng(0), progress=False)
    for k, v in before.items():
        np.testing.assert_array_equal(net.state()[k], v, err_msg=k)


def test_fit_many_refuses_sam_and_leaves_the_models_alone():
    X, y = data()
    nets = [model(1), model(2)]
    before = [net.state() for net in nets]
    with pytest.raises(TypeError, match="needs a second gradient .* train with fit"):
        fit_many(nets, (X, y), rngs=[np.random.default_rng(s) for s in range(2)],
                 loss=softmax_cross_entropy, optimizer=SAM(SGD(0.1), 0.05), epochs=1,
                 progress=False)
    for net, state in zip(nets, before, strict=True):
        for k, v in state.items():
            np.testing.assert_array_equal(net.state()[k], v)


@pytest.mark.parametrize("make, exc, match", [
    (lambda: SAM(SGD(0.1), rho=0), ValueError, r"rho must be in \(0, inf\), got 0"),
    (lambda: SAM(SGD(0.1), rho=-0.05), ValueError, "rho must be in"),
    (lambda: SAM(SGD(0.1), rho=float("nan")), ValueError, "rho must be finite"),
    (lambda: SAM(SGD(0.1), rho="0.05"), TypeError, "rho must be a real number"),
    (lambda: SAM("sgd", rho=0.05), TypeError, "optimizer must be a reglab optimizer"),
    (lambda: SAM(SGD, rho=0.05), TypeError, "optimizer must be a reglab optimizer"),
    (lambda: SAM(Scheduled(SGD(0.1), CosineDecay(0.1, 0.01, 10)), 0.05), TypeError,
     "put it outermost"),
])
def test_bad_construction(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_a_step_without_grad_at_or_with_a_bad_one_changes_nothing():
    params = {"W": W0.copy()}
    opt = SAM(Adam(0.1), 0.05)
    with pytest.raises(TypeError, match="grad_at must be a function"):
        opt.step(params, grad_q(params))
    opt.grad_at = lambda p: [A @ p["W"] - B]
    with pytest.raises(TypeError, match="grad_at must return a dict"):
        opt.step(params, grad_q(params))
    np.testing.assert_array_equal(params["W"], W0)
    assert opt.state["t"] == 0
    with pytest.raises(ValueError, match="grads"):
        opt.step(params, {"W": np.array([np.nan, 1.0])})


def test_repr():
    assert repr(SAM(SGD(0.1), 0.05)) == "SAM(SGD(lr=0.1), rho=0.05)"
