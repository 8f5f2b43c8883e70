"""Coordinate descent: exact 1-D minimization, lasso solutions, the coupling rate, bad input."""

import numpy as np
import pytest

from reglab import theory
from reglab.coordinate import coordinate_descent, lasso_coordinate_descent


def _spd(n, rng, cond=10.0):
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    H = Q @ np.diag(np.linspace(1, cond, n)) @ Q.T
    return (H + H.T) / 2


def test_each_update_minimizes_along_its_coordinate():
    rng = np.random.default_rng(0)
    H, c = _spd(4, rng), rng.normal(size=4)
    path = coordinate_descent(H, c, sweeps=3, theta0=rng.normal(size=4))
    for k in range(1, len(path)):
        i = (k - 1) % 4
        changed = np.flatnonzero(path[k] != path[k - 1])
        assert set(changed) <= {i}                                  # one coordinate at a time
        assert abs((H @ path[k] - c)[i]) < 1e-12                    # its partial derivative is 0


def test_quadratic_converges_to_the_solution_of_H_theta_equals_c():
    rng = np.random.default_rng(1)
    H, c = _spd(6, rng), rng.normal(size=6)
    path = coordinate_descent(H, c, sweeps=200)
    np.testing.assert_allclose(path[-1], np.linalg.solve(H, c), atol=1e-10)
    f = 0.5 * np.einsum("ki,ij,kj->k", path, H, path) - path @ c
    assert np.all(np.diff(f) <= 1e-12)                              # never goes up


def test_diagonal_hessian_lasso_is_exact_after_one_sweep():
    rng = np.random.default_rng(2)
    h = rng.uniform(0.5, 3.0, 7)
    theta_hat = rng.normal(size=7)
    path = coordinate_descent(np.diag(h), h * theta_hat, l1=0.8, sweeps=1)
    np.testing.assert_allclose(path[-1], theory.lasso_solution_diagonal(theta_hat, h, 0.8),
                               atol=1e-15)
    assert np.any(path[-1] == 0)


def test_lasso_optimality_conditions_and_zeros():
    rng = np.random.default_rng(3)
    H, theta_hat, t = _spd(5, rng), rng.normal(size=5), 0.7
    theta = coordinate_descent(H, H @ theta_hat, l1=t, sweeps=300)[-1]
    grad = H @ (theta - theta_hat)
    nz = theta != 0
    assert np.all(np.abs(grad[nz] + t * np.sign(theta[nz])) < 1e-9)
    assert np.all(np.abs(grad[~nz]) <= t + 1e-9)


def test_two_by_two_coupling_rate_is_rho_squared_per_sweep():
    for rho in (0.5, 0.9, 0.99):
        H = np.array([[1.0, rho], [rho, 1.0]])
        path = coordinate_descent(H, np.zeros(2), sweeps=5, theta0=np.array([1.0, 1.0]))
        errs = np.abs(path[::2, 0])[1:]                             # after each sweep
        np.testing.assert_allclose(errs[1:] / errs[:-1], rho**2, rtol=1e-10)


def test_lasso_regression_matches_the_notebook_03_convention():
    rng = np.random.default_rng(4)
    m, n, lam = 50, 6, 15.0
    X = rng.normal(size=(m, n)) + 2.0
    y = X @ np.array([1.0, -2.0, 0.0, 0.0, 0.5, 0.0]) + 0.3 * rng.normal(size=m) + 4.0
    w, b, path = lasso_coordinate_descent(X, y, lam, sweeps=500)
    assert path.shape == (500 * n + 1, n) and np.array_equal(path[-1], w)
    resid = X @ w + b - y
    grad = 2 / m * X.T @ resid
    t = lam / (2 * m)
    nz = w != 0
    assert abs(resid.mean()) < 1e-12                                 # bias optimal
    assert np.all(np.abs(grad[nz] + t * np.sign(w[nz])) < 1e-9)
    assert np.all(np.abs(grad[~nz]) <= t + 1e-9) and np.any(~nz)
    w0, b0, _ = lasso_coordinate_descent(X, y, 0.0, sweeps=2000)
    w_ls, b_ls = theory.ridge_regression(X, y, 0.0)
    np.testing.assert_allclose(w0, w_ls, atol=1e-8)
    assert abs(b0 - b_ls) < 1e-8


def test_random_order_is_seeded_and_reaches_the_same_minimum():
    rng = np.random.default_rng(5)
    H, c = _spd(5, rng), rng.normal(size=5)
    a = coordinate_descent(H, c, sweeps=100, order="random", rng=np.random.default_rng(1))
    b = coordinate_descent(H, c, sweeps=100, order="random", rng=np.random.default_rng(1))
    d = coordinate_descent(H, c, sweeps=3, order="random", rng=np.random.default_rng(2))
    e = coordinate_descent(H, c, sweeps=3, order="random", rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(d, e)
    np.testing.assert_allclose(a[-1], np.linalg.solve(H, c), atol=1e-10)


def test_inputs_are_not_modified():
    H, c, t0 = np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([1.0, -1.0]), np.array([3.0, 3.0])
    copies = H.copy(), c.copy(), t0.copy()
    coordinate_descent(H, c, sweeps=2, theta0=t0)
    for a, b in zip((H, c, t0), copies, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("args", "kwargs", "error", "match"), [
    ((np.ones((2, 3)), np.ones(2)), {}, ValueError, "H must be a symmetric square"),
    ((np.array([[1.0, 2.0], [0.0, 1.0]]), np.ones(2)), {}, ValueError, "symmetric"),
    ((np.array([[1.0, 0.0], [0.0, 0.0]]), np.ones(2)), {}, ValueError, "positive diagonal"),
    ((np.eye(2), np.ones(3)), {}, ValueError, r"c must have shape \(2,\)"),
    ((np.eye(2), np.ones(2)), {"l1": -1.0}, ValueError, "l1 must be in"),
    ((np.eye(2), np.ones(2)), {"sweeps": 0}, ValueError, "sweeps must be >= 1"),
    ((np.eye(2), np.ones(2)), {"order": "shuffled"}, ValueError, "order must be"),
    ((np.eye(2), np.ones(2)), {"order": "random"}, TypeError, "rng must be a numpy.random"),
    ((np.eye(2), np.ones(2)), {"theta0": np.ones(3)}, ValueError, r"theta0 must have shape"),
    ((np.eye(2), np.array([1.0, np.nan])), {}, ValueError, "c contains NaN"),
])
def test_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        coordinate_descent(*args, **kwargs)


def test_lasso_bad_input():
    X = np.column_stack([np.arange(5.0), np.ones(5)])
    with pytest.raises(ValueError, match="X must not have a constant column"):
        lasso_coordinate_descent(X, np.arange(5.0), 1.0)
    with pytest.raises(ValueError, match="y has 4 rows but X has 5"):
        lasso_coordinate_descent(np.ones((5, 2)), np.ones(4), 1.0)
    with pytest.raises(ValueError, match="lam must be in"):
        lasso_coordinate_descent(np.eye(3), np.ones(3), -1.0)
