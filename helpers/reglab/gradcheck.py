r"""Gradient checking by central differences.

.. math:: \frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}

The truncation error is O(h²); with h = 1e-6 in float64 a correct backward pass
agrees with it to a relative error around 1e-9 or better, a wrong one rarely
better than 1e-3.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_array, check_callable, check_has_method, check_int, check_real


def numerical_gradient(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f()`` with respect to ``x``.

    ``f`` takes no argument and reads ``x``, which is perturbed in place one entry at
    a time and restored afterwards. Shapes: the result has the shape of ``x``.
    """
    check_callable("f", f, "a function of no argument returning the cost")
    h = check_real("h", h, low=0, low_open=True)
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(f"x must be a float ndarray (it is perturbed in place), got "
                        f"{type(x).__name__} of dtype {np.asarray(x).dtype}")
    grad = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f()
        x[i] = old - h
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    r"""Relative difference of two arrays.

    .. math:: \frac{\lVert a-b\rVert_2}{\max(\lVert a\rVert_2 + \lVert b\rVert_2,\ 10^{-300})}

    0 for identical arrays, 1 for opposite ones; independent of the overall scale.
    """
    a, b = check_array("a", a, min_rows=0), check_array("b", b, min_rows=0)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))


def check_model_gradients(model, X, y, loss, *, penalty=None, m=None, seed: int = 0,
                          h: float = 1e-6) -> dict[str, float]:
    """Relative error between backprop and numerical gradients for every parameter.

    The cost is loss(model(X), y) plus, if given, the penalty with ``m`` examples
    (default len(X)). The forward pass runs in training mode with a fresh
    ``np.random.default_rng(seed)`` each time, so dropout draws the *same* mask in
    every evaluation and the cost is a deterministic function of the parameters.
    Returns {parameter name: relative error}.
    """
    check_has_method("model", model, "backward", "a reglab Sequential")
    X = check_array("X", X)
    check_callable("loss", loss, "a function (prediction, y) -> (value, grad)")
    if penalty is not None:
        check_has_method("penalty", penalty, "grad", "a reglab Penalty (e.g. L2(lam)) or None")
    m = X.shape[0] if m is None else check_int("m", m, low=1)
    seed = check_int("seed", seed, low=0)
    h = check_real("h", h, low=0, low_open=True)

    def cost():
        out = model.forward(X, train=True, rng=np.random.default_rng(seed))
        value = loss(out, y)[0]
        if penalty is not None:
            value += penalty.value(model.weights().values(), m)
        return value

    cost()
    out = model.forward(X, train=True, rng=np.random.default_rng(seed))
    model.backward(loss(out, y)[1])
    analytic = {k: g.copy() for k, g in model.grads.items()}
    if penalty is not None:
        for k, W in model.weights().items():
            analytic[k] += penalty.grad(W, m)
    return {k: relative_error(analytic[k], numerical_gradient(cost, p))
            for k, p in model.params.items()}
