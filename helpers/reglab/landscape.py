r"""The shape of the cost near a point: Hessian, conditioning, and what a gradient step does.

Around θ the cost is approximately quadratic (second-order Taylor expansion, exact for
a quadratic cost),

.. math:: J(\theta - \alpha g) \approx J(\theta) - \alpha\, g^\top g
          + \tfrac12 \alpha^2\, g^\top H g,

with g the gradient, H the Hessian at θ (eigenvalues σᵢ) and α the learning rate. The
step *raises* the cost when the second-order term beats the first-order one,
½α²gᵀHg > αgᵀg (Goodfellow et al., *Deep Learning*, section 8.2.1, the
"ill-conditioning" criterion). On a quadratic with minimum θ̂, gradient descent
multiplies the error θ − θ̂ along the i-th eigenvector of H by 1 − ασᵢ at every step,
so it converges iff every |1 − ασᵢ| < 1, i.e. α < 2/σ_max, and its per-step
contraction max |1 − ασᵢ| is smallest, (κ − 1)/(κ + 1) with κ = σ_max/σ_min, for
α = 2/(σ_max + σ_min).

Also here: the weight-space symmetries of a ReLU network (permuting hidden units,
rescaling a unit's incoming and outgoing weights), which make every minimum one of
many equivalent ones, and the variance of a minibatch gradient.

Shapes: θ, g (n,), H (n, n) symmetric. Notation: α the learning rate (code ``lr``;
Goodfellow et al. and the KJSCE slides write ε), σᵢ the eigenvalues of H.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_array, check_bool, check_int, check_real
from .layers import Dense, Sequential
from .theory import _check_hessian

__all__ = [
    "best_fixed_lr",
    "condition_number",
    "gd_contraction",
    "gd_rate_at_best_lr",
    "largest_stable_lr",
    "minibatch_gradient_variance",
    "numerical_hessian",
    "permute_hidden_units",
    "rescale_hidden_unit",
    "taylor_step_terms",
]


def numerical_hessian(f, x, h: float = 1e-4) -> np.ndarray:
    r"""Hessian of the scalar function ``f(x)`` at ``x`` by central differences.

    .. math:: H_{ij} \approx \frac{f(x + he_i + he_j) - f(x + he_i - he_j)
              - f(x - he_i + he_j) + f(x - he_i - he_j)}{4h^2}

    The error is O(h²); the result is symmetrized. ``f`` takes a vector of the shape
    of ``x`` and returns a number. Shapes: x (n,) -> (n, n). Cost: 2n(n + 1) calls of f.
    """
    x = check_array("x", x, ndim=1).astype(np.float64)
    h = check_real("h", h, low=0, low_open=True)
    if not callable(f):
        raise TypeError(f"f must be a function of x, got {type(f).__name__}")
    n = len(x)
    eye = np.eye(n) * h
    H = np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            ei, ej = eye[i], eye[j]
            H[i, j] = H[j, i] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej)
                                 + f(x - ei - ej)) / (4 * h * h)
    return H


def _eigenvalues(H) -> np.ndarray:
    return np.linalg.eigvalsh(_check_hessian(H))


def _positive_definite_eigenvalues(H) -> np.ndarray:
    sigma = _eigenvalues(H)
    if sigma[0] <= 0:
        raise ValueError(f"H must be positive definite (every eigenvalue > 0), got smallest "
                         f"eigenvalue {sigma[0]:.3g}")
    return sigma


def condition_number(H) -> float:
    r"""κ = σ_max / σ_min of a symmetric positive definite H (1 for a round bowl).

    Shapes: H (n, n). Raises ValueError if H is not positive definite.
    """
    sigma = _positive_definite_eigenvalues(H)
    return float(sigma[-1] / sigma[0])


def largest_stable_lr(H) -> float:
    r"""The learning rate at which gradient descent on a quadratic stops converging: 2/σ_max.

    .. math:: |1 - \alpha\sigma_i| < 1 \ \text{for all } i \iff 0 < \alpha < 2/\sigma_{\max}

    Shapes: H (n, n) symmetric with σ_max > 0.
    """
    sigma = _eigenvalues(H)
    if sigma[-1] <= 0:
        raise ValueError(f"H must have a positive eigenvalue, got largest {sigma[-1]:.3g}")
    return float(2.0 / sigma[-1])


def best_fixed_lr(H) -> float:
    r"""The fixed learning rate that minimizes max |1 − ασᵢ|: α* = 2/(σ_max + σ_min).

    At α* the flattest and the steepest direction contract equally fast,
    1 − α*σ_min = −(1 − α*σ_max). Shapes: H (n, n) positive definite.
    """
    sigma = _positive_definite_eigenvalues(H)
    return float(2.0 / (sigma[-1] + sigma[0]))


def gd_contraction(H, lr: float) -> float:
    r"""Per-step contraction of gradient descent with step ``lr`` on a quadratic with Hessian H.

    .. math:: \rho(\alpha) = \max_i |1 - \alpha\sigma_i|

    The distance to the minimum shrinks at least by ρ per step, ‖θₜ − θ̂‖ ≤ ρᵗ‖θ₀ − θ̂‖,
    with equality along the worst eigenvector; ρ ≥ 1 means no convergence.
    Shapes: H (n, n) symmetric.
    """
    lr = check_real("lr", lr, low=0, low_open=True)
    return float(np.max(np.abs(1.0 - lr * _eigenvalues(H))))


def gd_rate_at_best_lr(kappa: float) -> float:
    r"""The contraction at the best fixed step, as a function of κ: (κ − 1)/(κ + 1).

    About 1 − 2/κ for large κ, so reaching a tolerance τ takes about (κ/2)·ln(1/τ) steps.
    """
    kappa = check_real("kappa", kappa, low=1)
    return (kappa - 1.0) / (kappa + 1.0)


def taylor_step_terms(g, H, lr: float) -> tuple[float, float]:
    r"""The first- and second-order change of the cost for the step θ → θ − α g.

    .. math:: J(\theta - \alpha g) - J(\theta) \approx
              \underbrace{-\alpha\, g^\top g}_{\text{first order}}
              + \underbrace{\tfrac12\alpha^2\, g^\top H g}_{\text{second order}}

    Returns (first, second) = (−α gᵀg, ½α² gᵀHg). The step raises the cost (to second
    order) when first + second > 0, i.e. ½α²gᵀHg > αgᵀg. Shapes: g (n,), H (n, n).
    """
    H = _check_hessian(H)
    g = check_array("g", g, ndim=1)
    if g.shape[0] != H.shape[0]:
        raise ValueError(f"g must have length {H.shape[0]} to match H, got shape {g.shape}")
    lr = check_real("lr", lr, low=0, low_open=True)
    return float(-lr * g @ g), float(0.5 * lr**2 * g @ H @ g)


def minibatch_gradient_variance(per_example_variance: float, m: int, batch_size: int, *,
                                replace: bool = False) -> float:
    r"""Total variance of the mean gradient over a random minibatch of B of the m examples.

    .. math:: \operatorname{Var}[\bar g_B] = \frac{s^2}{B}\cdot
              \begin{cases}\dfrac{m - B}{m - 1} & \text{without replacement}\\
              1 & \text{with replacement}\end{cases}

    where s² = (1/m)Σᵢ‖gᵢ − ḡ‖² is the variance (trace of the covariance) of the
    per-example gradients gᵢ around the full gradient ḡ. The factor (m − B)/(m − 1) is
    the finite-population correction: a batch of all m examples has no variance.
    """
    s2 = check_real("per_example_variance", per_example_variance, low=0)
    m = check_int("m", m, low=2)
    B = check_int("batch_size", batch_size, low=1)
    replace = check_bool("replace", replace)
    if B > m and not replace:
        raise ValueError(f"batch_size must be <= m = {m} without replacement, got {B}")
    return s2 / B * (1.0 if replace else (m - B) / (m - 1))


def _dense_pair(model: Sequential, layer: int):
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a reglab Sequential, got {type(model).__name__}")
    layer = check_int("layer", layer, low=0)
    dense = [i for i, lay in enumerate(model.layers) if isinstance(lay, Dense)]
    if layer not in dense or layer == dense[-1]:
        raise ValueError(f"layer must be the index of a Dense layer followed by another Dense "
                         f"layer, one of {dense[:-1]}, got {layer}")
    nxt = dense[dense.index(layer) + 1]
    return layer, nxt, model.layers[layer].n_out


def permute_hidden_units(model: Sequential, layer: int, perm) -> dict[str, np.ndarray]:
    r"""Parameters of ``model`` with the units of Dense layer ``layer`` reordered by ``perm``.

    Unit ``perm[k]`` becomes unit k: columns of W⁽ˡ⁾ and entries of b⁽ˡ⁾ are permuted,
    and the rows of the next Dense layer's W with them, so the network computes the same
    function (any elementwise activation in between commutes with the permutation).
    Returns a new state dict for :meth:`Sequential.load_state`; the model is unchanged.
    """
    layer, nxt, n = _dense_pair(model, layer)
    perm = np.asarray(perm)
    if perm.dtype.kind not in "iu" or sorted(perm.tolist()) != list(range(n)):
        raise ValueError(f"perm must be a permutation of 0..{n - 1}, got {perm}")
    state = model.state()
    state[f"{layer}.W"] = state[f"{layer}.W"][:, perm]
    state[f"{layer}.b"] = state[f"{layer}.b"][perm]
    state[f"{nxt}.W"] = state[f"{nxt}.W"][perm, :]
    return state


def rescale_hidden_unit(model: Sequential, layer: int, unit: int,
                        a: float) -> dict[str, np.ndarray]:
    r"""Parameters with unit ``unit`` of Dense layer ``layer`` scaled by a in and 1/a out.

    .. math:: w_{:,j} \to a\,w_{:,j},\quad b_j \to a\,b_j,\quad W'_{j,:} \to W'_{j,:}/a

    For a ReLU in between, relu(a·z) = a·relu(z) for a > 0, so the function is unchanged
    (not for tanh or sigmoid). Returns a new state dict; the model is unchanged.
    """
    layer, nxt, n = _dense_pair(model, layer)
    unit = check_int("unit", unit, low=0)
    if unit >= n:
        raise ValueError(f"unit must be in [0, {n}) for layer {layer}, got {unit}")
    a = check_real("a", a, low=0, low_open=True)
    state = model.state()
    state[f"{layer}.W"][:, unit] *= a
    state[f"{layer}.b"][unit] *= a
    state[f"{nxt}.W"][unit, :] /= a
    return state
