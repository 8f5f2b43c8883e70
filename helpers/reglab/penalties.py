r"""Norm penalties on the weight matrices, in one convention used everywhere.

The regularized cost on a training set of m examples is

.. math::
    J(\theta) = \frac{1}{m}\sum_{i=1}^m L(\hat y^{(i)}, y^{(i)})
              + \frac{\lambda}{2m}\sum_l \Omega(W^{[l]})

with Ω(W) = ‖W‖²_F for L2 and ‖W‖₁ = Σ|wᵢⱼ| for L1 (the INF721 convention).
Biases are not penalized. ``m`` is the number of *training examples*, not the
minibatch size, so the strength of a penalty never depends on the batch size: a
minibatch gradient (1/B)Σ_batch ∇L + ∇penalty is an unbiased estimate of ∇J.

Other conventions map onto λ as follows (N = training-set size):

===============================================  ==================
their penalty, added to the mean loss            our λ
===============================================  ==================
(λ'/2)‖W‖² (LMU slides, Goodfellow)              λ = m·λ'
(α/2)‖W‖² (the L1/L2/dropout article)            λ = m·α
(λ'/2n)‖W‖² per batch of n                       λ = λ'·m/n
PyTorch SGD ``weight_decay=wd`` (grad + wd·W)    λ = m·wd
Keras ``regularizers.l2(c)``: c‖W‖²              λ = 2·m·c
scikit-learn ``MLPClassifier(alpha)``, batch B   λ = α·m/B
scikit-learn ``Ridge(alpha)`` on the *summed*    λ = 2·α
squared error (with our mean_squared_error)
===============================================  ==================

Shapes: every function takes weight matrices of any shape; ``grad`` returns an
array of the same shape.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ._validate import check_int, check_real


class Penalty:
    """A penalty (λ/2m)·Σ_l Ω(W⁽ˡ⁾): subclasses define Ω and its (sub)gradient."""

    def __init__(self, lam: float):
        self.lam = check_real("lam", lam, low=0)

    def omega(self, W: np.ndarray) -> float:
        """Ω(W) for one weight matrix."""
        raise NotImplementedError

    def omega_grad(self, W: np.ndarray) -> np.ndarray:
        """dΩ/dW for one weight matrix (a subgradient where Ω has a kink)."""
        raise NotImplementedError

    def value(self, weights: Iterable[np.ndarray], m: int) -> float:
        """(λ/2m)·Σ Ω(W) over the given weight matrices (pass ``model.weights().values()``)."""
        m = check_int("m", m, low=1)
        return self.lam / (2 * m) * sum(self.omega(W) for W in weights)

    def grad(self, W: np.ndarray, m: int) -> np.ndarray:
        """(λ/2m)·dΩ/dW for one weight matrix; shape of W."""
        m = check_int("m", m, low=1)
        return (self.lam / (2 * m)) * self.omega_grad(W)

    def __repr__(self):
        return f"{type(self).__name__}(lam={self.lam:g})"


class L2(Penalty):
    r"""Squared Frobenius norm, :math:`\frac{\lambda}{2m}\lVert W\rVert_F^2`.

    .. math:: \frac{\partial}{\partial W}\frac{\lambda}{2m}\lVert W\rVert_F^2 = \frac{\lambda}{m} W

    Plain text: value = lam / (2m) * sum(W**2); grad = lam / m * W.
    Gradient descent with it is weight decay: W ← (1 − αλ/m)·W − α·∂L/∂W.

    References: the INF721 lecture on regularization, sections 5 and 6.2.
    """

    def omega(self, W):
        return float(np.sum(W * W))

    def omega_grad(self, W):
        return 2.0 * W


class L1(Penalty):
    r"""Entrywise L1 norm, :math:`\frac{\lambda}{2m}\lVert W\rVert_1`.

    .. math:: \frac{\partial}{\partial W}\frac{\lambda}{2m}\lVert W\rVert_1
              = \frac{\lambda}{2m}\,\mathrm{sign}(W)\quad\text{(a subgradient at 0)}

    Plain text: value = lam / (2m) * sum(|W|); grad = lam / (2m) * sign(W), with sign(0) = 0.

    References: the INF721 lecture on regularization, sections 4 and 6.1.
    """

    def omega(self, W):
        return float(np.sum(np.abs(W)))

    def omega_grad(self, W):
        return np.sign(W)


class ElasticNet(Penalty):
    r"""Mix of L1 and L2.

    .. math:: \frac{\lambda}{2m}\left(r\lVert W\rVert_1 + (1-r)\lVert W\rVert_F^2\right)

    Plain text: value = lam / (2m) * (r * sum(|W|) + (1 - r) * sum(W**2));
    grad = lam / (2m) * (r * sign(W) + 2 (1 - r) W). r = ``l1_ratio`` in [0, 1]:
    r = 1 is :class:`L1`, r = 0 is :class:`L2`.

    References: Zou & Hastie (2005), "Regularization and variable selection via the elastic net".
    """

    def __init__(self, lam: float, l1_ratio: float = 0.5):
        super().__init__(lam)
        self.l1_ratio = check_real("l1_ratio", l1_ratio, low=0, high=1)

    def omega(self, W):
        r = self.l1_ratio
        return r * float(np.sum(np.abs(W))) + (1 - r) * float(np.sum(W * W))

    def omega_grad(self, W):
        r = self.l1_ratio
        return r * np.sign(W) + 2.0 * (1 - r) * W

    def __repr__(self):
        return f"ElasticNet(lam={self.lam:g}, l1_ratio={self.l1_ratio:g})"
