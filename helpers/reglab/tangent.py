r"""Tangent propagation: penalize how fast the output changes along a known invariance.

A transformation that keeps the label (a shift of a signal by a fraction of a step) moves
an input x along a curve x(s) with x(0) = x; its **tangent** is v = dx/ds at s = 0. If
the class must not change along the curve, the output f(x) should not change either to
first order, ∇ₓf(x)·v = 0. Tangent propagation (Simard et al., 1992; Goodfellow et al.,
section 7.14) adds the squared directional derivatives to the cost:

.. math::
    J = \frac1B\sum_{i}\Big(L^{(i)} + \frac{\lambda}{2}\,\lVert J_f(x^{(i)})\,v^{(i)}\rVert^2\Big),
    \qquad J_f(x)\,v = \lim_{\varepsilon\to0}\frac{f(x+\varepsilon v) - f(x)}{\varepsilon}

(J_f the Jacobian of the k outputs; for one output it is (∇ₓf·v)²). The penalty is
computed here by a **finite difference**, Δ⁽ⁱ⁾ = f(x⁽ⁱ⁾ + εv⁽ⁱ⁾) − f(x⁽ⁱ⁾):

.. math::
    \Omega_\varepsilon = \frac{\lambda}{2B}\sum_i \frac{\lVert\Delta^{(i)}\rVert^2}{\varepsilon^2},
    \qquad
    \frac{\partial\Omega_\varepsilon}{\partial f(x^{(i)}+\varepsilon v^{(i)})}
    = \frac{\lambda}{B\varepsilon^2}\,\Delta^{(i)}
    = -\frac{\partial\Omega_\varepsilon}{\partial f(x^{(i)})}

Plain text: penalty = lam/(2B) · sum(‖f(x + eps·v) − f(x)‖²) / eps²; its gradient is
ordinary backpropagation through the two forward passes, with the upstream gradients
+lam/(B eps²)·Δ on the moved copy and −lam/(B eps²)·Δ on the original. Since
Δ = εJ_f(x)v + O(ε²), Ω_ε equals the tangent-prop penalty up to O(ε); for a ReLU network,
piecewise linear, Δ/ε is exactly J_f(x)v as long as no unit changes sign between x and
x + εv.

:class:`TangentProp` is a :class:`~reglab.layers.Sequential` that does this in training
mode, so ``fit`` trains it like any model. For MNIST-1D signals the tangent of a shift is
:func:`shift_tangent`.

References: Simard, Victorri, LeCun & Denker (1992), "Tangent prop", NIPS 4; Goodfellow,
Bengio & Courville (2016), *Deep Learning*, section 7.14.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_array, check_callable, check_real
from .layers import Dropout, Sequential
from .normalization import BatchNorm

__all__ = ["TangentProp", "shift_tangent"]


def shift_tangent(X) -> np.ndarray:
    r"""The tangent of a circular shift of signals: each signal's one-step shift minus itself.

    A shift by s moves x_t to position t + s, x'_t = x_{t-s}; its derivative at s = 0,
    estimated by one step, is

    .. math:: v_t = x_{t-1} - x_t \quad(\text{indices modulo } L)

    Plain text: v = np.roll(X, 1, axis=1) − X. Then x + εv, for 0 ≤ ε ≤ 1, is the linear
    interpolation between x and its shift by one step (``RandomShift(1, mode="wrap")``).
    Shapes: X (m, L) → (m, L).
    """
    X = check_array("X", X, ndim=2)
    return np.roll(X, 1, axis=1) - X


class TangentProp(Sequential):
    r"""A Sequential trained with the tangent-prop penalty (λ/2B)·Σ‖f(x + εv) − f(x)‖²/ε².

    In evaluation mode (``train=False``) it is the plain network. In training mode,
    ``forward`` runs the batch X (B, n) and its moved copy X + ε·tangent(X) in one pass
    (2B rows), keeps Δ = f(X + εV) − f(X) (B, k) and returns f(X) (B, k);
    ``backward(dout)`` then backpropagates [dout − (λ/Bε²)Δ ; (λ/Bε²)Δ] through the
    2B rows, which adds the penalty's gradient to the loss's (module docstring). Each
    training step costs about two plain steps. The losses that ``fit`` records do not
    include the penalty; :meth:`penalty` is its value on the last training batch.

    Parameters
    ----------
    layers : list of Layer
        As for Sequential; no Dropout or BatchNorm (the two copies must go through the
        same function, which a fresh dropout mask or batch statistics would change).
    lam : float >= 0
        λ, the strength, in the λ/2 convention of the module docstring.
    tangent : callable X (B, n) -> V (B, n)
        The tangent vector of each input, e.g. :func:`shift_tangent`.
    eps : float > 0
        The finite-difference step ε, in units of the tangent.
    """

    def __init__(self, layers, *, lam: float, tangent, eps: float = 0.01):
        self.lam = check_real("lam", lam, low=0)
        self.tangent = check_callable("tangent", tangent, "a function X -> V of X's shape")
        self.eps = check_real("eps", eps, low=0, low_open=True)
        for i, layer in enumerate(layers if isinstance(layers, (list, tuple)) else ()):
            if isinstance(layer, (Dropout, BatchNorm)):
                raise ValueError(f"layers[{i}] is {layer!r}: TangentProp needs a network whose "
                                 "training pass is the same function for both copies (no "
                                 "Dropout or BatchNorm)")
        super().__init__(layers)
        self._delta = None  # Δ (B, k) of the last training pass

    def _forward(self, X, train, rng):
        if not train:
            self._delta = None
            return super()._forward(X, train, rng)
        V = np.asarray(self.tangent(X))
        if V.shape != X.shape:
            raise ValueError(f"tangent must return an array of X's shape {X.shape}, "
                             f"got {V.shape}")
        B = X.shape[0]
        out = super()._forward(np.concatenate([X, X + self.eps * V]), train, rng)
        self._delta = out[B:] - out[:B]
        self._out_shape = self._delta.shape
        return out[:B]

    @property
    def delta(self) -> np.ndarray:
        """Δ = f(X + εV) − f(X) (B, k) of the last training-mode forward pass."""
        if self._delta is None:
            raise RuntimeError("call forward(X, train=True) first: no training pass seen "
                               "since the last evaluation")
        return self._delta

    def penalty(self) -> float:
        """(λ/2B)·Σ‖Δ‖²/ε², the penalty of the last training-mode forward pass."""
        delta = self.delta.astype(np.float64)
        return self.lam / (2 * len(delta) * self.eps**2) * float(np.sum(delta**2))

    def backward(self, dout, *, input_grad: bool = True):
        """Backpropagate dL/d(output) (B, k), plus the penalty's gradient after a training pass.

        After a training pass the input gradient would belong to the 2B stacked rows:
        ``input_grad`` must then be False (what ``fit`` asks); take input gradients in
        evaluation mode.
        """
        if self._delta is None:
            return super().backward(dout, input_grad=input_grad)
        if input_grad:
            raise ValueError("input_grad=True after a training pass: the input gradient is "
                             "taken in evaluation mode (forward(X) with train=False)")
        if getattr(dout, "shape", None) != self._delta.shape:
            raise ValueError(f"dout must have the shape {self._delta.shape} of the last "
                             f"output, got {np.shape(dout)}")
        B = self._delta.shape[0]
        g = self._delta * self._delta.dtype.type(self.lam / (B * self.eps**2))
        self._out_shape = (2 * B, dout.shape[1])
        return super().backward(np.concatenate([dout - g, g]), input_grad=False)

    def __repr__(self):
        return (f"TangentProp(lam={self.lam:g}, eps={self.eps:g}, "
                f"tangent={getattr(self.tangent, '__name__', self.tangent)!r}, "
                f"{super().__repr__()})")
