r"""Bagging: bootstrap samples, and ensembles that average probabilities or vote.

Bagging (bootstrap aggregating) trains k models of the same kind, each on its own
bootstrap sample of the m training examples (m draws *with* replacement), and combines
their predictions. If the members' errors ε_i have second moments v = E[ε_i²] and
c = E[ε_i ε_j] (i ≠ j; uncentred: the variance and covariance only when the errors have
mean 0), the error of their average has expected square

.. math:: \mathbb{E}\Big[\Big(\frac1k\sum_i \epsilon_i\Big)^2\Big] = \frac{v}{k} + \frac{k-1}{k}\,c,

which is v/k for independent errors (c = 0) and v for identical ones (c = v).
A bootstrap sample holds about 1 − (1 − 1/m)^m ≈ 1 − 1/e ≈ 63.2 % of the distinct
examples, so the members differ.

Shapes: X (m, n_in), one example per row; probabilities (m, n_classes); labels (m,).

References
----------
Breiman (1996), "Bagging predictors", Machine Learning 24; Goodfellow et al., *Deep
Learning*, section 7.11.
"""

from __future__ import annotations

import copy

import numpy as np

from ._validate import check_array, check_instances, check_int, check_rng
from .layers import Dense, Dropout, ReLU, Sequential, Sigmoid, Tanh, sigmoid
from .losses import log_softmax
from .train import _check_data, fit

__all__ = ["Ensemble", "bootstrap_indices", "predict_proba", "train_bagging"]


def bootstrap_indices(m: int, rng, size: int | None = None) -> np.ndarray:
    r"""Indices of a bootstrap sample: ``size`` draws from range(m), uniform, with replacement.

    .. math:: i_1, \dots, i_{\text{size}} \overset{\text{iid}}{\sim} \mathcal U\{0, \dots, m-1\}

    Plain text: rng.integers(0, m, size). ``size`` defaults to m (the usual bootstrap);
    an example is left out with probability (1 − 1/m)^m ≈ 1/e ≈ 0.368.

    Returns an int64 array of shape (size,).
    """
    m = check_int("m", m, low=1)
    check_rng("rng", rng)
    size = m if size is None else check_int("size", size, low=1)
    return rng.integers(0, m, size=size)


def predict_proba(model: Sequential, X) -> np.ndarray:
    """Class probabilities of one model: softmax of its logits (m, k), or (m, 2) for one logit.

    A single output column is read as the logit of class 1 (binary cross-entropy), so the
    probabilities are [1 − σ(z), σ(z)]. Dropout is off. Shapes: X (m, n_in) -> (m, k).
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a reglab Sequential, got {type(model).__name__}")
    logits = model.forward(check_array("X", X, ndim=2))
    if logits.shape[1] == 1:
        p1 = sigmoid(logits)
        return np.hstack([1.0 - p1, p1])
    return np.exp(log_softmax(logits))


def n_classes(model: Sequential) -> int | None:
    """Number of classes a model predicts, read off its last Dense layer (None if unknown).

    One output is a binary classifier (2 classes, see :func:`predict_proba`); k > 1 outputs
    are k classes. Unknown when a layer after the last Dense one could change the width.
    """
    for layer in reversed(model.layers):
        if isinstance(layer, Dense):
            return 2 if layer.n_out == 1 else layer.n_out
        if not isinstance(layer, (ReLU, Tanh, Sigmoid, Dropout)):
            return None
    return None


class Ensemble:
    r"""k trained classifiers combined by averaging probabilities or by majority vote.

    .. math::
        \bar p(x) = \frac1k\sum_{j=1}^k p_j(x),\qquad
        \hat y_{\text{average}} = \arg\max_c \bar p_c(x),\qquad
        \hat y_{\text{vote}} = \arg\max_c \#\{j : \arg\max p_j(x) = c\}

    Ties of the vote go to the smallest class index (np.argmax of the counts).

    Parameters
    ----------
    models : sequence of Sequential
        The members, already trained, all with the same number of classes.
    method : {"average", "vote"}
        How :meth:`predict` combines them.
    """

    METHODS = ("average", "vote")

    def __init__(self, models, method: str = "average"):
        models = check_instances("models", models, Sequential)
        if method not in self.METHODS:
            raise ValueError(f"method must be 'average' or 'vote', got {method!r}")
        classes = {i: n_classes(model) for i, model in enumerate(models)}
        known = {i: k for i, k in classes.items() if k is not None}
        if len(set(known.values())) > 1:
            counts = ", ".join(f"models[{i}] {k}" for i, k in known.items())
            raise ValueError(f"models must all predict the same number of classes, got {counts}")
        self.models, self.method = models, method

    def __len__(self):
        return len(self.models)

    def member_proba(self, X) -> np.ndarray:
        """Every member's probabilities, shape (k_models, m, n_classes)."""
        probs = [predict_proba(model, X) for model in self.models]
        shapes = {p.shape for p in probs}
        if len(shapes) > 1:
            raise ValueError(f"the members disagree on the number of classes: output shapes "
                             f"{sorted(shapes)}")
        return np.stack(probs)

    def member_predictions(self, X) -> np.ndarray:
        """Every member's predicted labels, shape (k_models, m)."""
        return self.member_proba(X).argmax(axis=2)

    def predict_proba(self, X) -> np.ndarray:
        """The averaged probabilities p̄ (m, n_classes); each row sums to 1."""
        return self.member_proba(X).mean(axis=0)

    def votes(self, X) -> np.ndarray:
        """Number of members that predict each class, shape (m, n_classes), int64."""
        probs = self.member_proba(X)
        labels = probs.argmax(axis=2)
        counts = np.zeros(probs.shape[1:], dtype=np.int64)
        rows = np.arange(labels.shape[1])
        for member_labels in labels:
            counts[rows, member_labels] += 1
        return counts

    def predict(self, X) -> np.ndarray:
        """Labels (m,): argmax of the averaged probabilities, or the majority vote."""
        if self.method == "vote":
            return self.votes(X).argmax(axis=1)
        return self.predict_proba(X).argmax(axis=1)

    def __repr__(self):
        return f"Ensemble({len(self.models)} models, method={self.method!r})"


def train_bagging(build, train, *, n_models: int, optimizer, rng, method: str = "average",
                  **fit_args) -> Ensemble:
    """Train ``n_models`` models, each on its own bootstrap sample, into an :class:`Ensemble`.

    For each member: draw m indices with :func:`bootstrap_indices`, build a fresh model
    with ``build(rng)``, train it by ``fit(model, (X[idx], y[idx]), optimizer=opt,
    rng=rng, **fit_args)``, where ``opt`` is a fresh copy of ``optimizer`` (its state
    reset: no member inherits another's moment estimates or step count). Everything is
    drawn from ``rng``, in that order, so the same seed gives the same ensemble. The
    indices are kept as ``ensemble.samples`` (list of (m,) arrays).

    Parameters
    ----------
    build : callable rng -> Sequential
        Makes one untrained member.
    train : tuple (X, y)
        X (m, n_in), y (m,) integer labels.
    n_models : int >= 1
    optimizer : an optimizer of :mod:`reglab.optim`
        The template: each member trains with its own copy, state reset.
    rng : numpy.random.Generator
    method : {"average", "vote"}
    **fit_args
        Passed to :func:`reglab.train.fit` (loss, epochs, batch_size, penalty, ...).
    """
    if not callable(build):
        raise TypeError(f"build must be a function rng -> Sequential, got {build!r}")
    X, y = _check_data("train", train)
    n_models = check_int("n_models", n_models, low=1)
    check_rng("rng", rng)
    if method not in Ensemble.METHODS:
        raise ValueError(f"method must be 'average' or 'vote', got {method!r}")
    if not (hasattr(optimizer, "step") and hasattr(optimizer, "reset")):
        raise TypeError(f"optimizer must be a reglab optimizer (step and reset), got {optimizer!r}")
    models, samples = [], []
    for _ in range(n_models):
        idx = bootstrap_indices(len(X), rng)
        model = build(rng)
        member_optimizer = copy.deepcopy(optimizer)
        member_optimizer.reset()
        fit(model, (X[idx], y[idx]), optimizer=member_optimizer, rng=rng, **fit_args)
        models.append(model)
        samples.append(idx)
    ensemble = Ensemble(models, method=method)
    ensemble.samples = samples
    return ensemble
