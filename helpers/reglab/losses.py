"""Losses: each returns ``(value, gradient)`` for a batch of m examples.

``value`` is the mean over the batch, J = (1/m) Σᵢ L(ŷ⁽ⁱ⁾, y⁽ⁱ⁾); ``gradient`` is
dJ/d(prediction), already divided by m, ready for ``model.backward``.
Shapes: predictions (m, k) (logits for the classification losses), targets (m,)
class labels for softmax cross-entropy, (m,) or (m, 1) 0/1 labels for binary
cross-entropy, (m, k) or (m,) real targets for mean squared error.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_array, check_labels
from .layers import sigmoid


def _check_2d(name: str, a: np.ndarray) -> None:
    """A non-empty real ndarray (m, k); NaN in it is not checked (it shows in the loss)."""
    if not isinstance(a, np.ndarray) or a.ndim != 2 or a.shape[0] == 0:
        shape = getattr(a, "shape", type(a).__name__)
        raise ValueError(f"{name} must be a non-empty 2-D array (m, k), got {shape}")
    if a.dtype.kind != "f":
        raise TypeError(f"{name} must hold floating-point numbers, got dtype {a.dtype}")


def _minus_row_max(logits: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``logits - max(logits, axis=1)``: every entry <= 0, the row's largest exactly 0. (m, k).

    ``rows`` is ``np.arange(m)``, made once by the caller, which indexes with it again.
    """
    # the row maximum, read at the argmax: logits.max(axis=1) exactly, 2-3x faster for few columns
    row_max = logits[rows, logits.argmax(axis=1)]
    return logits - row_max[:, None]


def log_softmax(logits: np.ndarray) -> np.ndarray:
    r"""Row-wise :math:`\log \mathrm{softmax}(z)_k = z_k - \max z - \log\sum_j e^{z_j - \max z}`.

    Subtracting the row maximum keeps every exponent <= 0, so logits of ±1e4 are fine.
    Shapes: (m, k) -> (m, k).
    """
    shifted = _minus_row_max(logits, np.arange(logits.shape[0]))
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax_cross_entropy(logits: np.ndarray, y) -> tuple[float, np.ndarray]:
    r"""Mean cross-entropy of softmax(logits) against integer labels or soft targets.

    .. math::
        J = -\frac{1}{m}\sum_i \log \mathrm{softmax}(z^{(i)})_{y^{(i)}},\qquad
        \frac{\partial J}{\partial z^{(i)}} = \frac{1}{m}\left(\mathrm{softmax}(z^{(i)})
        - \mathrm{onehot}(y^{(i)})\right)

    Plain text: J = -mean(log_softmax(z)[i, y_i]); dJ/dz = (softmax(z) - onehot(y)) / m.

    Soft targets, one probability distribution q⁽ⁱ⁾ per row (label smoothing, mixup), give
    the same formulas with onehot(y⁽ⁱ⁾) replaced by q⁽ⁱ⁾:
    J = -(1/m) Σ_i Σ_j q_ij log softmax(z⁽ⁱ⁾)_j, dJ/dz = (softmax(z) - q) / m (which uses
    Σ_j q_ij = 1). Integer labels y are the soft targets onehot(y), with the same numbers.

    Shapes: logits (m, k); y (m,) ints in [0, k), or (m, k) real, >= 0, each row summing to
    1 (within 1e-6). Returns (float, (m, k)).
    """
    _check_2d("logits", logits)
    m, k = logits.shape
    if np.ndim(y) == 2:
        return _softmax_cross_entropy_soft(logits, _check_soft_targets("y", y, m, k))
    return _softmax_cross_entropy_labels_checked(logits, check_labels("y", y, k, m))


def _check_soft_targets(name: str, q, m: int, k: int) -> np.ndarray:
    """Soft targets q (m, k): real, finite, >= 0, every row summing to 1 within 1e-6."""
    q = check_array(name, q, ndim=2)
    if q.shape != (m, k):
        raise ValueError(f"{name} must have shape ({m}, {k}) like the logits, got {q.shape}")
    sums = q.sum(axis=1)
    if q.min() < 0 or np.abs(sums - 1).max() > 1e-6:
        raise ValueError(f"{name} soft targets must be >= 0 with rows summing to 1, got values "
                         f"from {q.min():g} to {q.max():g}, row sums from {sums.min():g} to "
                         f"{sums.max():g}")
    return q


def _softmax_cross_entropy_soft(logits: np.ndarray, q: np.ndarray) -> tuple[float, np.ndarray]:
    """:func:`softmax_cross_entropy` against checked soft targets q (m, k)."""
    m = logits.shape[0]
    log_p = log_softmax(logits)
    value = -float(np.sum(q * log_p)) / m
    grad = np.exp(log_p)  # softmax(z), in the logits' dtype, which the in-place steps keep
    grad -= q
    grad /= m
    return value, grad


def _softmax_cross_entropy_labels_checked(logits: np.ndarray, y: np.ndarray):
    """:func:`softmax_cross_entropy` for int labels y (m,) already checked to lie in [0, k).

    What :func:`reglab.train.fit` calls per batch: it checks the labels of the whole
    training set once (see :data:`LABELS_CHECKED`).
    """
    _check_2d("logits", logits)
    value, grad = _softmax_cross_entropy_groups(logits, y, 1)
    return float(value[0]), grad


def _softmax_cross_entropy_groups(logits: np.ndarray, y: np.ndarray,
                                  groups: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`softmax_cross_entropy` of ``groups`` batches stacked in the rows, unchecked.

    logits (G·m, k) hold G batches of m rows back to back, y (G·m,) their labels. Returns
    the G batch means J_g (G,) and dJ_g/dz (G·m, k), each group divided by its own m: the
    numbers :func:`softmax_cross_entropy` gives batch by batch, the same operations in the
    same order (so a stack of models, :mod:`reglab.stacked`, is bit for bit a model alone).
    """
    m = logits.shape[0] // groups
    rows = np.arange(logits.shape[0])
    grad = _minus_row_max(logits, rows)  # u = z - max z, a new array
    picked = grad[rows, y].reshape(groups, m).sum(axis=1)  # sum_i u_{i, y_i}, before u -> e^u
    np.exp(grad, out=grad)
    total = grad.sum(axis=1, keepdims=True)  # sum_j e^{u_j} >= 1
    value = (np.log(total).reshape(groups, m).sum(axis=1) - picked) / m  # mean log sum e^u - u_y
    total *= m
    grad /= total  # softmax(z) / m
    grad[rows, y] -= 1.0 / m
    return value, grad


def binary_cross_entropy(logits: np.ndarray, y) -> tuple[float, np.ndarray]:
    r"""Mean binary cross-entropy of sigmoid(logits) against 0/1 labels, from logits.

    .. math::
        J = \frac{1}{m}\sum_i \max(z_i, 0) - z_i y_i + \log(1 + e^{-|z_i|}),\qquad
        \frac{\partial J}{\partial z_i} = \frac{\sigma(z_i) - y_i}{m}

    which equals -mean(y log σ(z) + (1-y) log(1-σ(z))) but never takes the log of 0
    or the exp of a large number (stable for logits of ±1e4).

    Shapes: logits (m, 1), y (m,) or (m, 1) with values in {0, 1}. Returns (float, (m, 1)).
    """
    _check_2d("logits", logits)
    m, k = logits.shape
    if k != 1:
        raise ValueError(f"logits must have shape (m, 1) for binary cross-entropy, "
                         f"got {logits.shape}")
    if np.shape(y) not in ((m,), (m, 1)):
        raise ValueError(f"y must have shape ({m},) or ({m}, 1) to match logits {logits.shape}, "
                         f"got {np.shape(y)}")
    y = check_labels("y", np.reshape(y, -1), 2, m).reshape(m, 1)
    z = logits
    value = np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
    grad = (sigmoid(z) - y) / m
    return float(value), grad


def mean_squared_error(pred: np.ndarray, target) -> tuple[float, np.ndarray]:
    r"""Mean over examples of the squared error summed over outputs.

    .. math::
        J = \frac{1}{m}\sum_i \lVert \hat y^{(i)} - y^{(i)} \rVert_2^2,\qquad
        \frac{\partial J}{\partial \hat y} = \frac{2}{m}(\hat y - y)

    For a single output this is the usual mean((ŷ - y)²).

    Shapes: pred (m, k); target (m, k), or (m,) when k == 1. Returns (float, (m, k)).
    """
    _check_2d("pred", pred)
    given = np.shape(target)
    if given != pred.shape and not (given == pred.shape[:1] and pred.shape[1] == 1):
        raise ValueError(f"target must have the shape of pred {pred.shape}, got {given}")
    target = np.asarray(target)
    if target.dtype.kind not in "fiub":
        raise TypeError(f"target must hold real numbers, got dtype {target.dtype}")
    diff = pred - target.astype(pred.dtype, copy=False).reshape(pred.shape)
    m = pred.shape[0]
    value = float(np.sum(diff**2) / m)
    if not np.isfinite(value):  # a NaN target is the caller's error, a NaN pred divergence
        check_array("target", target)
    return value, (2.0 / m) * diff


#: A loss -> the same loss without its label check, for a training loop that has checked
#: every label once against the model's outputs (as ``fit`` does) and then calls it per batch.
LABELS_CHECKED = {softmax_cross_entropy: _softmax_cross_entropy_labels_checked}
