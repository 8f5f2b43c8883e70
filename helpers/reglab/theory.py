r"""Closed forms of the quadratic model that the notebooks derive.

Near a minimum θ̂ the empirical risk is approximately quadratic,

.. math:: \tilde R(\theta) = R(\hat\theta) + \tfrac12(\theta-\hat\theta)^\top H(\theta-\hat\theta),

with H the (symmetric, positive semi-definite) Hessian at θ̂. Adding a penalty to
this model has exact solutions, collected here so that the notebooks can check
training results against them. The penalties below are written on θ directly,
(λ′/2)‖θ‖² and λ′‖θ‖₁, with λ′ the penalty on a mean cost (the LMU slides' λ,
Goodfellow et al.'s α in chapter 7); in our λ/2m convention for a cost (1/m)ΣL,
λ′ = λ/m (L2) and λ′ = λ/2m (L1). α is the learning rate, σᵢ the eigenvalues of H.

Shapes: θ, θ̂ (n,), H (n, n), H_diag (n,).
"""

from __future__ import annotations

import numpy as np

from ._validate import check_array, check_int, check_real


def _check_hessian(H) -> np.ndarray:
    H = check_array("H", H, ndim=2)
    if H.shape[0] != H.shape[1] or not np.allclose(H, H.T):
        raise ValueError(f"H must be a symmetric square matrix, got shape {H.shape}")
    return H


def ridge_solution(H, theta_hat, lam_prime: float) -> np.ndarray:
    r"""Minimizer of the quadratic model plus (λ′/2)‖θ‖²: θ̃ = (H + λ′I)⁻¹ H θ̂.

    .. math:: \tilde\theta = (H + \lambda' I)^{-1} H \hat\theta
              = Q(\Sigma + \lambda' I)^{-1}\Sigma Q^\top \hat\theta

    with H = QΣQᵀ, Σ = diag(σᵢ).

    Shapes: H (n, n), theta_hat (n,) -> (n,).
    """
    H = _check_hessian(H)
    theta_hat = check_array("theta_hat", theta_hat, ndim=1)
    if H.shape[0] != theta_hat.size:
        raise ValueError(f"theta_hat must have shape ({H.shape[0]},) to match H {H.shape}, "
                         f"got {theta_hat.shape}")
    lam_prime = check_real("lam_prime", lam_prime, low=0)
    return np.linalg.solve(H + lam_prime * np.eye(len(H)), H @ theta_hat)


def shrinkage_factors(H, lam_prime: float) -> tuple[np.ndarray, np.ndarray]:
    r"""Eigenvalues σᵢ of H, eigenvectors Q, and factors σᵢ/(σᵢ + λ′) of weight decay.

    Weight decay rescales the component of θ̂ along the i-th eigenvector of H by
    σᵢ/(σᵢ + λ′): almost 1 along steep directions (σᵢ ≫ λ′), almost 0 along flat ones.
    Returns (factors (n,), Q (n, n)), eigenvalues in ascending order.
    """
    H = _check_hessian(H)
    lam_prime = check_real("lam_prime", lam_prime, low=0)
    sigma, Q = np.linalg.eigh(H)
    return sigma / (sigma + lam_prime), Q


def soft_threshold(x, threshold):
    r"""Soft-thresholding :math:`\mathrm{sign}(x)\max(|x| - t, 0)`, entrywise.

    The proximal operator of t‖·‖₁: it moves every entry towards 0 by t and sets
    the ones with |x| ≤ t to exactly 0. Shapes: x any; threshold scalar or broadcastable.
    """
    x = check_array("x", x, min_rows=0)
    threshold = np.asarray(threshold)
    if threshold.dtype.kind not in "fiu":
        raise TypeError(f"threshold must hold real numbers, got dtype {threshold.dtype}")
    if np.any(np.isnan(threshold) | (threshold < 0)):  # +inf is allowed: everything goes to 0
        raise ValueError(f"threshold must be >= 0 (not NaN), got {threshold}")
    try:
        fits = np.broadcast_shapes(x.shape, threshold.shape) == x.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"threshold must be a number or broadcast to the shape of x {x.shape}, "
                         f"got shape {threshold.shape}")
    return _soft_threshold(x, threshold)


def _soft_threshold(x: np.ndarray, threshold) -> np.ndarray:
    """:func:`soft_threshold` without the argument checks (the optimizer's per-step path)."""
    return np.sign(x) * np.maximum(np.abs(x) - threshold, 0.0)


def lasso_solution_diagonal(theta_hat, H_diag, lam_prime: float) -> np.ndarray:
    r"""Minimizer of the quadratic model with diagonal Hessian plus λ′‖θ‖₁.

    .. math:: \theta_i = \mathrm{sign}(\hat\theta_i)
              \max\left(|\hat\theta_i| - \frac{\lambda'}{H_{ii}}, 0\right)

    Shapes: theta_hat (n,), H_diag (n,) with every H_ii > 0 -> (n,).
    """
    theta_hat = check_array("theta_hat", theta_hat, ndim=1)
    H_diag = check_array("H_diag", H_diag, ndim=1)
    if H_diag.shape != theta_hat.shape or np.any(H_diag <= 0):
        raise ValueError(f"H_diag must be positive with the shape of theta_hat {theta_hat.shape}, "
                         f"got {H_diag} of shape {H_diag.shape}")
    lam_prime = check_real("lam_prime", lam_prime, low=0)
    return soft_threshold(theta_hat, lam_prime / H_diag)


def gradient_descent_on_quadratic(H, theta_hat, lr: float, steps: int, theta0=None):
    r"""Iterates of gradient descent on the quadratic model, θ ← θ − α H (θ − θ̂), α = ``lr``.

    Returns the trajectory (steps + 1, n), starting at ``theta0`` (default 0).
    Stopping after τ steps from 0 is close to an L2 penalty with λ′ ≈ 1/(τα):
    see :func:`early_stopping_lam_prime`.
    """
    H = _check_hessian(H)
    theta_hat = check_array("theta_hat", theta_hat, ndim=1)
    lr = check_real("lr", lr, low=0, low_open=True)
    steps = check_int("steps", steps, low=0)
    theta = np.zeros_like(theta_hat) if theta0 is None else check_array("theta0", theta0).copy()
    if theta.shape != theta_hat.shape or H.shape[0] != theta_hat.size:
        raise ValueError(f"H {H.shape}, theta_hat {theta_hat.shape} and theta0 {theta.shape} "
                         f"must agree: H (n, n), theta_hat and theta0 (n,)")
    path = [theta.copy()]
    for _ in range(steps):
        theta = theta - lr * H @ (theta - theta_hat)
        path.append(theta.copy())
    return np.array(path)


def early_stopping_lam_prime(lr: float, steps: int) -> float:
    r"""The L2 strength that τ steps of gradient descent with learning rate α imitate: λ′ ≈ 1/(τα).

    From matching (I − αΣ)^τ with (Σ + λ′I)⁻¹λ′ eigenvalue by eigenvalue for small
    ασᵢ and σᵢ ≪ λ′ (Goodfellow et al., section 7.8, with their ε, Λ and α written
    α, Σ and λ′ here). In our convention, λ = mλ′ ≈ m/(τα).
    """
    lr = check_real("lr", lr, low=0, low_open=True)
    steps = check_int("steps", steps, low=1)
    return 1.0 / (steps * lr)


def ridge_regression(X, y, lam: float) -> tuple[np.ndarray, float]:
    r"""Exact minimizer of our cost for a linear model with mean squared error.

    .. math:: J(w, b) = \frac1m\lVert Xw + b - y\rVert^2 + \frac{\lambda}{2m}\lVert w\rVert^2
              \;\Rightarrow\; w = (X_c^\top X_c + \tfrac{\lambda}{2} I)^{-1} X_c^\top y_c,\quad
              b = \bar y - \bar x^\top w

    with X_c, y_c centred (the bias is not penalized); for λ = 0 and a singular
    system, the minimum-norm least-squares solution. Shapes: X (m, n), y (m,) ->
    (w (n,), b float).
    """
    X = check_array("X", X, ndim=2)
    y = check_array("y", y, ndim=1)
    if len(y) != len(X):
        raise ValueError(f"y has {len(y)} rows but X has {len(X)}")
    lam = check_real("lam", lam, low=0)
    x_mean, y_mean = X.mean(axis=0), y.mean()
    Xc, yc = X - x_mean, y - y_mean
    A = Xc.T @ Xc + lam / 2 * np.eye(X.shape[1])
    w = np.linalg.lstsq(A, Xc.T @ yc, rcond=None)[0]  # the minimum-norm solution if singular
    return w, float(y_mean - x_mean @ w)
