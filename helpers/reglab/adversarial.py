r"""Adversarial examples by the fast gradient sign method, and adversarial training.

For a loss L(x) of one input x, the first-order change under a perturbation η is
∇ₓLᵀη. Among all η with ‖η‖∞ ≤ ε this is largest for η = ε·sign(∇ₓL), where it equals
ε‖∇ₓL‖₁. The fast gradient sign method (FGSM) takes exactly that step:

.. math::
    x' = x + \varepsilon\,\operatorname{sign}\big(\nabla_x L(f(x), y)\big),
    \qquad \lVert x' - x\rVert_\infty \le \varepsilon .

Plain text: x_adv = x + eps * sign(dL/dx), then clipped to the valid range if one is given.

Adversarial training (Goodfellow, Shlens & Szegedy 2015) minimizes
½J(x, y) + ½J(x', y), with x' recomputed from the current parameters at every step.
:class:`FGSMTraining` does this inside :func:`reglab.train.fit`: it is the
:class:`~reglab.train.BatchTransform` that returns every minibatch followed by its FGSM
copy (same labels), so the mean loss over the 2B rows is ½J(x) + ½J(x').

Shapes: X (m, n_in), one example per row; y (m,) labels (or (m, k) targets). The
gradient of a *mean* loss is taken with respect to every row at once; the 1/m factor
does not change its sign.

References
----------
Szegedy et al. (2014), "Intriguing properties of neural networks"; Goodfellow, Shlens &
Szegedy (2015), "Explaining and harnessing adversarial examples", ICLR; Goodfellow et
al., *Deep Learning*, section 7.13.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_array, check_real
from .layers import Sequential
from .train import BatchTransform, accuracy

__all__ = ["FGSMTraining", "adversarial_accuracy", "fgsm", "input_gradient"]


def _check_model_loss(model, loss):
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a reglab Sequential, got {type(model).__name__}")
    if not callable(loss):
        raise TypeError(f"loss must be a function (prediction, y) -> (value, grad), got {loss!r}")


def _check_clip(clip):
    if clip is None:
        return None
    if not (isinstance(clip, (tuple, list)) and len(clip) == 2):
        raise TypeError(f"clip must be None or a pair (low, high), got {clip!r}")
    low = check_real("clip low", clip[0])
    high = check_real("clip high", clip[1])
    if not low < high:
        raise ValueError(f"clip must be a pair (low, high) with low < high, got {clip!r}")
    return low, high


def input_gradient(model: Sequential, X, y, *, loss) -> tuple[float, np.ndarray]:
    r"""The loss and its gradient with respect to the input, with dropout off.

    .. math:: g = \nabla_X\, J(X),\qquad J = \frac1m\sum_i L\big(f(x^{(i)}), y^{(i)}\big)

    One forward pass in evaluation mode (``train=False``: dropout is the identity) and
    one full backward pass, ``model.backward(dout)``, which returns dJ/dX. The backward
    pass also overwrites ``model.grads``; the parameters are not changed.

    Parameters
    ----------
    model : Sequential
    X : array (m, n_in)
    y : labels (m,) or targets, as ``loss`` expects them
    loss : callable (prediction, y) -> (value, gradient), e.g. softmax_cross_entropy

    Returns
    -------
    value : float
        J, the mean loss on (X, y).
    grad : ndarray (m, n_in)
        dJ/dX, in X's dtype. Row i is (1/m)·∇ L(f(x⁽ⁱ⁾), y⁽ⁱ⁾).
    """
    _check_model_loss(model, loss)
    X = check_array("X", X, ndim=2)
    value, dout = loss(model.forward(X), y)
    return value, model.backward(dout)


def fgsm(model: Sequential, X, y, *, loss, eps: float, clip=None) -> np.ndarray:
    r"""Adversarial examples by the fast gradient sign method.

    .. math::
        X' = \operatorname{clip}\big(X + \varepsilon\,\operatorname{sign}(\nabla_X J),\
        \text{low}, \text{high}\big)

    Plain text: X_adv = clip(X + eps * sign(dJ/dX), low, high). ε is added first and
    the result clipped, so every entry stays in the valid range and moves by at most ε
    (entries with a zero gradient do not move). The gradient is taken with dropout off
    (:func:`input_gradient`).

    Parameters
    ----------
    model : Sequential
    X : array (m, n_in)
        The clean inputs (not modified).
    y : labels (m,) or targets, as ``loss`` expects them
    loss : callable (prediction, y) -> (value, gradient)
    eps : float >= 0
        The ∞-norm budget, in the units of X.
    clip : None or (low, high)
        The valid range of the inputs (e.g. (0, 1) for pixel intensities).

    Returns
    -------
    ndarray (m, n_in), X's dtype.

    References
    ----------
    Goodfellow, Shlens & Szegedy (2015), "Explaining and harnessing adversarial examples".
    """
    _check_model_loss(model, loss)
    X = check_array("X", X, ndim=2)
    eps = check_real("eps", eps, low=0)
    clip = _check_clip(clip)
    _, grad = input_gradient(model, X, y, loss=loss)
    X_adv = X + X.dtype.type(eps) * np.sign(grad)
    if clip is not None:
        np.clip(X_adv, clip[0], clip[1], out=X_adv)
    return X_adv


def adversarial_accuracy(model: Sequential, X, y, *, loss, eps: float, clip=None) -> float:
    """Accuracy of ``model`` on the FGSM examples of (X, y) at budget ``eps``.

    Each example is attacked with its own label (the attacker knows it). Shapes: X
    (m, n_in), y (m,) integer labels. ``eps = 0`` gives the clean accuracy.
    """
    X_adv = fgsm(model, X, y, loss=loss, eps=eps, clip=clip)
    return accuracy(model.forward(X_adv), np.asarray(y))


class FGSMTraining(BatchTransform):
    r"""Adversarial training inside ``fit``: each minibatch followed by its FGSM copy.

    .. math::
        \tilde J(\theta) = \tfrac12 J(\theta; X, y) + \tfrac12 J(\theta; X', y),\qquad
        X' = X + \varepsilon\,\operatorname{sign}(\nabla_X J(\theta; X, y))

    Use as ``fit(model, train, ..., augment=FGSMTraining(eps))``. For every minibatch
    (B rows) it computes X' with the model's *current* parameters (dropout off) and
    returns the 2B rows [X; X'] with labels [y; y]; the mean loss over them is the cost
    above (the α = ½ of Goodfellow et al. 2015). X' is treated as data: no gradient flows
    through its construction. Each step costs about three times a plain step (one extra
    forward/backward pass, and a batch twice as large).

    Parameters
    ----------
    eps : float >= 0
        The ∞-norm budget, in the units of X.
    clip : None or (low, high)
        The valid range of the inputs.

    References
    ----------
    Goodfellow, Shlens & Szegedy (2015), "Explaining and harnessing adversarial examples".
    """

    def __init__(self, eps: float, clip=None):
        self.eps = check_real("eps", eps, low=0)
        self.clip = _check_clip(clip)

    def __call__(self, Xb, yb, *, model, loss, rng):
        X_adv = fgsm(model, Xb, yb, loss=loss, eps=self.eps, clip=self.clip)
        return np.concatenate([Xb, X_adv]), np.concatenate([yb, yb])

    def __repr__(self):
        return f"FGSMTraining(eps={self.eps:g}, clip={self.clip})"
