r"""Coordinate descent: minimize over one coordinate at a time, exactly.

For a quadratic plus an optional L1 term,

.. math:: f(\theta) = \tfrac12\theta^\top H\theta - c^\top\theta + t\lVert\theta\rVert_1,

with H symmetric and every H_ii > 0, the function of θ_i alone (the others fixed) is a
1-D parabola plus t|θ_i|, whose minimizer is a soft-thresholded Newton step:

.. math:: \theta_i \leftarrow
          S_{t/H_{ii}}\!\Big(\frac{c_i - \sum_{j\ne i} H_{ij}\theta_j}{H_{ii}}\Big),\qquad
          S_s(x) = \mathrm{sign}(x)\max(|x| - s, 0).

Plain text: theta[i] = soft_threshold((c[i] - H[i] @ theta + H[i, i] * theta[i]) / H[i, i],
t / H[i, i]). With t = 0 this is the Gauss–Seidel iteration for Hθ = c. One *sweep*
updates every coordinate once, in cyclic order or in a fresh random permutation.

It is exact and fast when the coordinates are (nearly) decoupled: with a diagonal H one
sweep lands on the minimizer, e.g. :func:`reglab.theory.lasso_solution_diagonal`. It
stalls when they are strongly coupled (a narrow valley that is not aligned with the
axes): for H = [[1, ρ], [ρ, 1]] each sweep shrinks the error only by the factor ρ².

The quadratic model of :mod:`reglab.theory`, ½(θ − θ̂)ᵀH(θ − θ̂) + t‖θ‖₁, is the case
c = Hθ̂; our lasso cost (1/m)‖Xw + b − y‖² + (λ/2m)‖w‖₁ is
:func:`lasso_coordinate_descent`.

References
----------
Goodfellow et al., *Deep Learning*, section 8.7.2; Friedman, Hastie & Tibshirani (2010),
"Regularization paths for generalized linear models via coordinate descent".
"""

from __future__ import annotations

import numpy as np

from ._validate import check_array, check_int, check_real, check_rng
from .theory import soft_threshold

__all__ = ["coordinate_descent", "lasso_coordinate_descent"]


def coordinate_descent(H, c, *, l1: float = 0.0, sweeps: int = 100, theta0=None,
                       order: str = "cyclic", rng=None) -> np.ndarray:
    r"""Exact coordinate minimization of ½θᵀHθ − cᵀθ + l1·‖θ‖₁; returns every iterate.

    .. math:: \theta_i \leftarrow S_{l_1/H_{ii}}\Big(\big(c_i - \textstyle\sum_{j\ne i}
              H_{ij}\theta_j\big)/H_{ii}\Big)

    Parameters
    ----------
    H : array (n, n)
        Symmetric, with a positive diagonal (positive definite for a unique minimum).
    c : array (n,)
        The linear term; for the quadratic model ½(θ − θ̂)ᵀH(θ − θ̂), c = H θ̂.
    l1 : float >= 0
        Strength t of the L1 term t‖θ‖₁ (0: a plain quadratic, Gauss–Seidel).
    sweeps : int >= 1
        Number of passes over all n coordinates.
    theta0 : array (n,), optional
        Starting point (default 0).
    order : {"cyclic", "random"}
        Coordinates 0, 1, ..., n − 1 in every sweep, or a fresh permutation drawn from
        ``rng`` for every sweep.
    rng : numpy.random.Generator
        Needed for ``order="random"`` only.

    Returns
    -------
    path : array (sweeps * n + 1, n)
        θ at the start and after every single coordinate update; ``path[::n]`` are the
        iterates after each sweep and ``path[-1]`` the result.
    """
    H = check_array("H", H, ndim=2)
    n = H.shape[0]
    if H.shape != (n, n) or not np.allclose(H, H.T):
        raise ValueError(f"H must be a symmetric square matrix, got shape {H.shape}")
    if np.any(np.diag(H) <= 0):
        raise ValueError(f"H must have a positive diagonal, got {np.diag(H)}")
    c = check_array("c", c, ndim=1)
    if c.shape != (n,):
        raise ValueError(f"c must have shape ({n},) to match H, got {c.shape}")
    l1 = check_real("l1", l1, low=0)
    sweeps = check_int("sweeps", sweeps, low=1)
    if order not in ("cyclic", "random"):
        raise ValueError(f"order must be 'cyclic' or 'random', got {order!r}")
    if order == "random":
        check_rng("rng", rng)
    if theta0 is None:
        theta = np.zeros(n)
    else:
        theta = check_array("theta0", theta0, ndim=1).astype(np.float64, copy=True)
        if theta.shape != (n,):
            raise ValueError(f"theta0 must have shape ({n},) to match H, got {theta.shape}")
    diag = np.diag(H)
    path = np.empty((sweeps * n + 1, n))
    path[0] = theta
    k = 1
    for _ in range(sweeps):
        for i in (rng.permutation(n) if order == "random" else range(n)):
            rest = H[i] @ theta - diag[i] * theta[i]            # Σ_{j≠i} H_ij θ_j
            theta[i] = soft_threshold((c[i] - rest) / diag[i], l1 / diag[i])
            path[k] = theta
            k += 1
    return path


def lasso_coordinate_descent(X, y, lam: float, *, sweeps: int = 100, order: str = "cyclic",
                             rng=None) -> tuple[np.ndarray, float, np.ndarray]:
    r"""The lasso in our convention, by coordinate descent; returns (w, b, path).

    .. math:: J(w, b) = \frac1m\lVert Xw + b - y\rVert^2 + \frac{\lambda}{2m}\lVert w\rVert_1

    The bias is not penalized, so it is eliminated by centring (b = ȳ − x̄ᵀw), leaving
    :func:`coordinate_descent` with H = (2/m) X_cᵀX_c, c = (2/m) X_cᵀy_c, l1 = λ/(2m).

    Shapes: X (m, n) with no constant column, y (m,) -> w (n,), b float, path
    (sweeps * n + 1, n) of w, starting at 0.
    """
    X = check_array("X", X, ndim=2)
    y = check_array("y", y, ndim=1)
    if len(y) != len(X):
        raise ValueError(f"y has {len(y)} rows but X has {len(X)}")
    lam = check_real("lam", lam, low=0)
    m = len(y)
    x_mean, y_mean = X.mean(axis=0), y.mean()
    Xc, yc = X - x_mean, y - y_mean
    if np.any(np.sum(Xc**2, axis=0) == 0):
        raise ValueError("X must not have a constant column (its coordinate has no curvature), "
                         f"got constant columns {np.flatnonzero(np.sum(Xc**2, axis=0) == 0)}")
    H = 2 / m * Xc.T @ Xc
    c = 2 / m * Xc.T @ yc
    path = coordinate_descent(H, c, l1=lam / (2 * m), sweeps=sweeps, order=order, rng=rng)
    w = path[-1].copy()
    return w, float(y_mean - x_mean @ w), path
