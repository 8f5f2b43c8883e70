r"""Mixup: train on convex combinations of pairs of examples and of their labels.

For every minibatch, one mixing weight λ ~ Beta(α, α) and one random pairing (a
permutation π of the batch) give the batch actually trained on,

.. math::
    x'_i = \lambda x_i + (1-\lambda)\, x_{\pi(i)},\qquad
    y'_i = \lambda\,\mathrm{onehot}(y_i) + (1-\lambda)\,\mathrm{onehot}(y_{\pi(i)}),

soft targets (each row sums to 1) for :func:`reglab.losses.softmax_cross_entropy`, whose
mean loss is then λ·CE(x', y) + (1 − λ)·CE(x', y_π). Plain text: lam = rng.beta(alpha,
alpha); perm = rng.permutation(B); X' = lam * X + (1 - lam) * X[perm]; Y' = lam *
onehot(y) + (1 - lam) * onehot(y[perm]).

One λ per batch and the pairing by a permutation of the batch are Zhang et al.'s
implementation (their figure 1). Here α is the parameter of the Beta distribution (not a
learning rate) and λ the mixing weight (not a penalty): the letters of the paper. Small α
puts λ near 0 or 1 (little mixing); α = 1 draws λ uniformly in [0, 1]. E[λ] = 1/2 and
Var[λ] = 1/(4(2α + 1)).

Reference: Zhang, Cisse, Dauphin & Lopez-Paz (2018), "mixup: beyond empirical risk
minimization", ICLR.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_array, check_int, check_labels, check_real
from .train import BatchTransform


class Mixup(BatchTransform):
    r"""Mixup as a :class:`reglab.train.BatchTransform`: ``fit(..., augment=Mixup(0.2, 10))``.

    Every training minibatch Xb (B, n_in) with labels yb (B,) becomes (X' (B, n_in),
    Y' (B, n_classes)) by the formulas of the module docstring, with λ and the permutation
    drawn, in that order, from the generator of the run. The inputs are not modified; X'
    and Y' have Xb's floating dtype.

    The targets are soft, so :func:`reglab.train.fit` records no running training accuracy
    (``History.train_acc`` holds None; ``train_metrics="full"`` measures it on the clean
    training set).

    Parameters
    ----------
    alpha : float > 0
        The parameter α of Beta(α, α) (Zhang et al. use 0.1 to 0.4 on ImageNet, 1 on CIFAR).
    n_classes : int >= 2
        Number of classes k, the width of the one-hot targets (the model's outputs).

    Attributes
    ----------
    last_lam : float or None
        The λ of the last batch.
    """

    def __init__(self, alpha: float, n_classes: int):
        self.alpha = check_real("alpha", alpha, low=0, low_open=True)
        self.n_classes = check_int("n_classes", n_classes, low=2)
        self.last_lam = None

    def __call__(self, Xb, yb, *, model, loss, rng):
        Xb = check_array("Xb", Xb, ndim=2)
        labels = check_labels("yb", yb, self.n_classes, Xb.shape[0])
        lam = float(rng.beta(self.alpha, self.alpha))
        perm = rng.permutation(Xb.shape[0])
        onehot = np.eye(self.n_classes, dtype=Xb.dtype)[labels]
        self.last_lam = lam
        return (lam * Xb + (1 - lam) * Xb[perm],
                lam * onehot + (1 - lam) * onehot[perm])

    def __repr__(self):
        return f"Mixup(alpha={self.alpha:g}, n_classes={self.n_classes})"
