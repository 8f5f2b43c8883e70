r"""Sparse representations: an L1 penalty on the activations, as a layer that ``fit`` trains.

L1 on the *weights* (notebook 03) makes the parameters sparse; L1 on the *activations*
makes the representation sparse: for each example, most hidden units are zero
(Goodfellow et al., section 7.10). The penalty depends on the example, so it is part of
each example's cost and is averaged like the loss:

.. math::
    J = \frac{1}{B}\sum_{i\in\text{batch}}
        \Big(L^{(i)} + \frac{\lambda}{2}\lVert h^{(i)}\rVert_1\Big),
    \qquad
    \frac{\partial}{\partial h^{(i)}_j}\,\frac{\lambda}{2B}\sum_{i}\lVert h^{(i)}\rVert_1
    = \frac{\lambda}{2B}\,\mathrm{sign}(h^{(i)}_j)

Plain text: penalty = lam / (2B) · sum(|h|) over the batch; its gradient lam / (2B) · sign(h).

Over the whole training set (B = m) this reads (λ/2m) Σᵢ ‖h⁽ⁱ⁾‖₁, the λ/2m form of the
weight penalties. The difference is in minibatches: a weight penalty keeps m, the
training-set size, whatever the batch, because the weights are the same for every
example; an activity penalty is a sum over the examples *of the batch*, so it is divided
by B, the batch size, exactly as the loss is. Either way the minibatch gradient is an
unbiased estimate of the gradient of the full cost.

References: Goodfellow, Bengio & Courville (2016), *Deep Learning*, section 7.10; Keras'
``ActivityRegularization(l1=c)``: Keras 3 adds c·Σ|h| *summed* over the batch, i.e. our
λ = 2·B·c for batches of B; tf.keras 2.x divides that sum by the batch size, i.e. λ = 2·c.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_array, check_real
from .layers import Layer


class ActivityL1(Layer):
    r"""Identity forward; on the way back adds (λ/2B)·sign(h), the gradient of (λ/2B)·Σ|h|.

    Place it right after the activation whose output h should be sparse, e.g.
    ``Dense(40, 100), ReLU(), ActivityL1(lam), Dense(100, 10)``. It has no parameters.
    ``value()`` is the penalty (λ/2B)·Σ|h| of the last forward pass (B = rows of h); the
    losses that ``fit`` records do not include it.

    Shapes: any (B, ...); output and gradient have the input's shape.

    Parameters
    ----------
    lam : float >= 0
        λ, the strength, in the convention of the module docstring.
    """

    def __init__(self, lam: float):
        super().__init__()
        self.lam = check_real("lam", lam, low=0)
        self._h = None

    def forward(self, X, *, train=False, rng=None):
        self._h = X
        return X

    def value(self) -> float:
        """(λ/2B)·Σ|h| for the activations h (B, ...) of the last forward pass."""
        if self._h is None:
            raise RuntimeError("call forward before value: no activations seen yet")
        return self.lam / (2 * self._h.shape[0]) * float(np.sum(np.abs(self._h)))

    def backward(self, dout):
        self._check_dout(dout, None if self._h is None else self._h.shape)
        scale = self._h.dtype.type(self.lam / (2 * self._h.shape[0]))
        return dout + scale * np.sign(self._h)

    def __repr__(self):
        return f"ActivityL1(lam={self.lam:g})"


def fraction_inactive(H, tol: float = 0.0) -> float:
    """Fraction of the entries of the activations H (m, n) with |h| <= tol.

    With the default tol = 0 only exact zeros count.
    """
    H = check_array("H", H)
    tol = check_real("tol", tol, low=0)
    return float(np.mean(np.abs(H) <= tol))
