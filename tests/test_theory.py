"""The closed forms of reglab.theory against brute-force minimization."""

import numpy as np
import pytest

from reglab.theory import (
    early_stopping_lam_prime,
    gradient_descent_on_quadratic,
    lasso_solution_diagonal,
    ridge_regression,
    ridge_solution,
    shrinkage_factors,
    soft_threshold,
)

H = np.array([[2.0, 0.6], [0.6, 0.5]])
THETA_HAT = np.array([1.0, -2.0])


def test_ridge_solution_zeroes_the_gradient_and_shrinks_along_eigenvectors():
    lam_prime = 0.7
    theta = ridge_solution(H, THETA_HAT, lam_prime)
    np.testing.assert_allclose(H @ (theta - THETA_HAT) + lam_prime * theta, 0, atol=1e-12)
    factors, Q = shrinkage_factors(H, lam_prime)
    np.testing.assert_allclose(Q.T @ theta, factors * (Q.T @ THETA_HAT))
    sigma = np.linalg.eigvalsh(H)
    np.testing.assert_allclose(factors, sigma / (sigma + lam_prime))
    np.testing.assert_allclose(ridge_solution(H, THETA_HAT, 0.0), THETA_HAT)


def test_soft_threshold_matches_brute_force_in_one_dimension():
    grid = np.linspace(-4, 4, 80001)
    for theta_hat, h, lam_prime in [(1.5, 2.0, 1.0), (0.3, 2.0, 1.0), (-2.0, 0.5, 0.4)]:
        cost = 0.5 * h * (grid - theta_hat) ** 2 + lam_prime * np.abs(grid)
        brute = grid[np.argmin(cost)]
        exact = lasso_solution_diagonal(np.array([theta_hat]), np.array([h]), lam_prime)[0]
        assert exact == pytest.approx(brute, abs=2e-4)
    np.testing.assert_array_equal(soft_threshold([-3.0, -0.5, 0.0, 0.2, 2.0], 1.0),
                                  [-2.0, 0.0, 0.0, 0.0, 1.0])


def test_gradient_descent_matches_its_closed_form_and_early_stopping_lam_prime():
    lr, steps = 0.05, 40
    path = gradient_descent_on_quadratic(H, THETA_HAT, lr, steps)
    closed = (np.eye(2) - np.linalg.matrix_power(np.eye(2) - lr * H, steps)) @ THETA_HAT
    np.testing.assert_allclose(path[-1], closed)
    assert path.shape == (steps + 1, 2) and np.all(path[0] == 0)
    assert early_stopping_lam_prime(lr, steps) == pytest.approx(0.5)


def test_ridge_regression_minimizes_our_cost(rng):
    X = rng.standard_normal((30, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 + 0.1 * rng.standard_normal(30)
    lam = 5.0
    w, b = ridge_regression(X, y, lam)
    resid = X @ w + b - y
    # gradient of (1/m)‖Xw + b − y‖² + (λ/2m)‖w‖² is zero at the solution
    np.testing.assert_allclose(2 / 30 * X.T @ resid + lam / 30 * w, 0, atol=1e-12)
    assert np.sum(resid) == pytest.approx(0, abs=1e-10)
    w0, _ = ridge_regression(X, y, 0.0)
    assert np.linalg.norm(w) < np.linalg.norm(w0)


@pytest.mark.parametrize("call, match", [
    (lambda: ridge_solution(np.array([[1.0, 2.0], [0.0, 1.0]]), THETA_HAT, 1.0), "H must be a symmetric"),
    (lambda: ridge_solution(H, THETA_HAT, -1.0), "lam_prime"),
    (lambda: soft_threshold([1.0], -0.1), "threshold must be >= 0"),
    (lambda: lasso_solution_diagonal(THETA_HAT, np.array([1.0, 0.0]), 1.0), "H_diag must be positive"),
    (lambda: gradient_descent_on_quadratic(H, THETA_HAT, 0.0, 3), "lr"),
    (lambda: early_stopping_lam_prime(0.1, 0), "steps must be >= 1"),
    (lambda: ridge_regression(np.ones((3, 2)), np.ones(4), 1.0), "y has 4 rows but X has 3"),
])
def test_bad_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
