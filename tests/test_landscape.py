"""reglab.landscape: Hessians, conditioning, GD on quadratics, symmetries, minibatch variance."""

import math

import numpy as np
import pytest

from reglab import SGD, Dense, ReLU, Sequential, Tanh, mean_squared_error
from reglab.gradcheck import numerical_gradient, relative_error
from reglab.landscape import (
    best_fixed_lr,
    condition_number,
    gd_contraction,
    gd_rate_at_best_lr,
    largest_stable_lr,
    minibatch_gradient_variance,
    numerical_hessian,
    permute_hidden_units,
    rescale_hidden_unit,
    taylor_step_terms,
)
from reglab.theory import gradient_descent_on_quadratic

rng0 = np.random.default_rng(9)
Q, _ = np.linalg.qr(rng0.normal(size=(3, 3)))
SIGMA = np.array([0.5, 2.0, 10.0])
H = Q @ np.diag(SIGMA) @ Q.T
H = (H + H.T) / 2


def test_numerical_hessian_of_a_quadratic_and_of_a_cubic():
    b = np.array([1.0, -2.0, 0.5])
    f = lambda x: 0.5 * x @ H @ x + b @ x  # noqa: E731
    np.testing.assert_allclose(numerical_hessian(f, np.array([0.3, -1.0, 2.0])), H, atol=1e-6)
    g = lambda x: x[0] ** 3 + x[0] * x[1] ** 2  # noqa: E731
    x = np.array([1.5, -0.7])
    exact = np.array([[6 * x[0], 2 * x[1]], [2 * x[1], 2 * x[0]]])
    np.testing.assert_allclose(numerical_hessian(g, x), exact, atol=1e-6)


def test_numerical_hessian_is_the_jacobian_of_the_numerical_gradient():
    f = lambda x: np.sum(np.sin(x) * x[::-1])  # noqa: E731
    x0 = np.array([0.2, 1.1, -0.4])

    def grad(x):
        y = x.copy()
        return numerical_gradient(lambda: f(y), y)

    h = 1e-5
    jac = np.column_stack([(grad(x0 + h * e) - grad(x0 - h * e)) / (2 * h) for e in np.eye(3)])
    assert relative_error(numerical_hessian(f, x0), jac) < 1e-5


def test_condition_number_and_steps():
    assert condition_number(H) == pytest.approx(20.0)
    assert largest_stable_lr(H) == pytest.approx(0.2)
    assert best_fixed_lr(H) == pytest.approx(2 / 10.5)
    assert condition_number(np.eye(4)) == pytest.approx(1.0)


def test_contraction_is_what_gradient_descent_does():
    theta_hat = np.array([1.0, -1.0, 2.0])
    for lr in (0.01, best_fixed_lr(H), 0.19, 0.21):
        rho = gd_contraction(H, lr)
        assert rho == pytest.approx(np.max(np.abs(1 - lr * SIGMA)))
        assert (rho < 1) == (lr < largest_stable_lr(H))
        # from anywhere: the error shrinks at least by rho per step ...
        path = gradient_descent_on_quadratic(H, theta_hat, lr, 30)
        err = np.linalg.norm(path - theta_hat, axis=1)
        assert np.all(err[1:] <= rho * err[:-1] * (1 + 1e-12))
        # ... and exactly by rho from a start on the worst eigenvector
        worst = Q[:, int(np.argmax(np.abs(1 - lr * SIGMA)))]
        path = gradient_descent_on_quadratic(H, theta_hat, lr, 30, theta0=theta_hat + worst)
        err = np.linalg.norm(path - theta_hat, axis=1)
        np.testing.assert_allclose(err, rho ** np.arange(31), rtol=1e-9)


def test_best_fixed_lr_minimizes_the_contraction():
    grid = np.linspace(1e-3, 0.25, 5001)
    rho = [gd_contraction(H, lr) for lr in grid]
    assert grid[int(np.argmin(rho))] == pytest.approx(best_fixed_lr(H), abs=1e-4)
    kappa = condition_number(H)
    assert gd_contraction(H, best_fixed_lr(H)) == pytest.approx(gd_rate_at_best_lr(kappa))
    assert min(rho) >= gd_rate_at_best_lr(kappa) - 1e-12


def test_taylor_terms_are_exact_on_a_quadratic():
    b = np.array([0.5, -1.0, 3.0])
    J = lambda x: 0.5 * x @ H @ x - b @ x  # noqa: E731
    theta = np.array([1.0, 2.0, -1.0])
    g = H @ theta - b
    for lr in (0.01, 0.1, 0.3):
        first, second = taylor_step_terms(g, H, lr)
        assert J(theta - lr * g) - J(theta) == pytest.approx(first + second, rel=1e-10)
        assert first < 0 < second
    # the criterion flips where the exact change flips sign
    lr_flip = 2 * (g @ g) / (g @ H @ g)
    assert sum(taylor_step_terms(g, H, 0.99 * lr_flip)) < 0 < sum(taylor_step_terms(g, H, 1.01 * lr_flip))


def test_minibatch_variance_formula_against_exact_enumeration():
    # all C(5, 2) batches of 2 out of 5 scalar "gradients"
    gs = np.array([1.0, 4.0, -2.0, 0.5, 3.0])
    s2 = np.mean((gs - gs.mean()) ** 2)
    means = [(gs[i] + gs[j]) / 2 for i in range(5) for j in range(i + 1, 5)]
    assert np.var(means) == pytest.approx(minibatch_gradient_variance(s2, 5, 2))
    means_repl = [(gs[i] + gs[j]) / 2 for i in range(5) for j in range(5)]
    assert np.var(means_repl) == pytest.approx(minibatch_gradient_variance(s2, 5, 2, replace=True))
    assert minibatch_gradient_variance(s2, 5, 5) == 0.0


def _relu_net(rng, act=ReLU):
    return Sequential([Dense(4, 6, rng=rng), act(), Dense(6, 5, rng=rng), act(),
                       Dense(5, 3, rng=rng)])


def test_permutation_and_relu_rescaling_leave_the_function_unchanged():
    rng = np.random.default_rng(1)
    net = _relu_net(rng)
    for p in net.params.values():
        p[...] = rng.normal(size=p.shape)                  # nonzero biases too
    X = rng.normal(size=(7, 4))
    out = net(X)
    perm = rng.permutation(6)
    state = permute_hidden_units(net, 0, perm)
    assert not np.allclose(state["0.W"], net.params["0.W"])
    twin = _relu_net(np.random.default_rng(2))
    twin.load_state(state)
    np.testing.assert_allclose(twin(X), out, rtol=1e-12)
    twin.load_state(permute_hidden_units(net, 2, np.arange(5)[::-1]))
    np.testing.assert_allclose(twin(X), out, rtol=1e-12)
    twin.load_state(rescale_hidden_unit(net, 2, 3, 7.5))
    np.testing.assert_allclose(twin(X), out, rtol=1e-12)
    # the model itself was not touched
    np.testing.assert_array_equal(net(X), out)


def test_rescaling_changes_a_tanh_network():
    rng = np.random.default_rng(3)
    net = _relu_net(rng, act=Tanh)
    X = rng.normal(size=(7, 4))
    twin = _relu_net(np.random.default_rng(4), act=Tanh)
    twin.load_state(rescale_hidden_unit(net, 0, 1, 3.0))
    assert not np.allclose(twin(X), net(X))


def test_rescaled_network_trains_to_a_different_point():
    """Equivalent parameters, different gradients: the symmetry is not a symmetry of GD."""
    rng = np.random.default_rng(5)
    net = _relu_net(rng)
    for p in net.params.values():
        p[...] = rng.normal(size=p.shape)
    X, y = rng.normal(size=(16, 4)), rng.normal(size=(16, 3))
    twin = _relu_net(np.random.default_rng(6))
    twin.load_state(rescale_hidden_unit(net, 0, 2, 10.0))
    for model in (net, twin):
        _, d = mean_squared_error(model.forward(X), y)
        model.backward(d)
        SGD(lr=0.1).step(model.params, model.grads)
    assert not np.allclose(net(X), twin(X))


@pytest.mark.parametrize(("call", "match"), [
    (lambda: numerical_hessian(lambda x: 0.0, np.ones((2, 2))), "x must have 1 dimensions"),
    (lambda: numerical_hessian(3.0, np.ones(2)), "f must be a function"),
    (lambda: numerical_hessian(lambda x: 0.0, np.ones(2), h=0), "h must be in"),
    (lambda: condition_number(np.diag([1.0, -1.0])), "H must be positive definite"),
    (lambda: condition_number(np.array([[1.0, 2.0], [0.0, 1.0]])), "H must be a symmetric"),
    (lambda: best_fixed_lr(np.diag([1.0, 0.0])), "H must be positive definite"),
    (lambda: largest_stable_lr(-np.eye(2)), "H must have a positive eigenvalue"),
    (lambda: gd_contraction(H, -0.1), "lr must be in"),
    (lambda: gd_rate_at_best_lr(0.5), "kappa must be in"),
    (lambda: taylor_step_terms(np.ones(2), H, 0.1), "g must have length 3"),
    (lambda: taylor_step_terms(np.ones(3), H, 0.0), "lr must be in"),
    (lambda: minibatch_gradient_variance(-1.0, 10, 2), "per_example_variance"),
    (lambda: minibatch_gradient_variance(1.0, 10, 11), "batch_size must be <= m"),
    (lambda: minibatch_gradient_variance(1.0, 10, 0), "batch_size must be >= 1"),
    (lambda: minibatch_gradient_variance(1.0, 1.5, 1), "m must be an integer"),
])
def test_bad_input_is_named(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_bad_symmetry_input_is_named():
    net = _relu_net(np.random.default_rng(0))
    with pytest.raises(ValueError, match="perm must be a permutation of 0..5"):
        permute_hidden_units(net, 0, [0, 1, 2, 3, 4, 4])
    with pytest.raises(ValueError, match="layer must be the index of a Dense layer"):
        permute_hidden_units(net, 1, np.arange(6))
    with pytest.raises(ValueError, match="layer must be the index of a Dense layer"):
        rescale_hidden_unit(net, 4, 0, 2.0)              # the output layer has no next layer
    with pytest.raises(ValueError, match="unit must be in"):
        rescale_hidden_unit(net, 0, 6, 2.0)
    with pytest.raises(ValueError, match="a must be in"):
        rescale_hidden_unit(net, 0, 1, -2.0)
    with pytest.raises(TypeError, match="model must be a reglab Sequential"):
        rescale_hidden_unit([net], 0, 1, 2.0)
    assert math.isfinite(condition_number(np.eye(2)))
