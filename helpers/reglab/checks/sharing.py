r"""Checks for ``exercises/08_sharing_and_sparsity.ipynb``: convolution, tying, sparse codes.

The definitions (``notebooks/08_multitask_sharing_and_sparse_representations.ipynb``;
:class:`reglab.conv.Conv1D`, :func:`reglab.multitask.tying_penalty`,
:class:`reglab.activity.ActivityL1`; Goodfellow et al., sections 7.9, 7.10 and 9.1):

* ``conv1d_forward(X, W, b, stride, padding)`` -> Z (m, C_out, L_out), the
  cross-correlation (the kernel is *not* flipped) of X (m, C_in, L) with W
  (C_out, C_in, K), plus b (C_out,):

  .. math:: Z_{i,o,j} = b_o + \sum_{c,k} W_{o,c,k}\,\tilde X_{i,c,\,sj+k},\qquad
            L_\text{out} = \lfloor (L + 2p - K)/s\rfloor + 1,

  X̃ being X with ``padding`` zeros at *both* ends.
* ``tying_gradients(W_a, W_b, lam, m)`` -> (dW_a, dW_b), the gradients of
  (λ/2m)‖W_A − W_B‖²_F: ((λ/m)(W_A − W_B), −(λ/m)(W_A − W_B)).
* ``sparse_relu_backward(dA, Z, lam, m)`` -> dZ, the gradient with respect to the
  pre-activations Z (B, n) of a ReLU layer A = max(Z, 0) whose output carries the activity
  penalty (λ/2B)Σ|A| of a minibatch of B rows, given dA = ∂(mean loss)/∂A from the layer
  above: dZ = (dA + (λ/2B)·sign(A)) ⊙ [Z > 0]. ``m``, the training-set size, is passed
  as the weight penalties need it; this penalty does not (it is averaged over the batch,
  like the loss).

Each ``check_*`` runs the student's function on cases chosen so that every usual mistake
shows (asymmetric kernels, stride and padding that leave a remainder, several channels,
m ≠ B, λ ≠ 2), and names the mistake from the table next to it (see :mod:`reglab.checks`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..activity import ActivityL1
from ..conv import Conv1D, conv_matrix
from ..layers import ReLU
from ..multitask import tying_penalty
from . import Case, CheckError, Exercise, Mistake

__all__ = [
    "CONV1D_FORWARD",
    "SPARSE_RELU_BACKWARD",
    "TYING_GRADIENTS",
    "check_conv1d_forward",
    "check_sparse_relu_backward",
    "check_tying_gradients",
]

_rng = np.random.default_rng(808)  # the cases are the same on every run


# --------------------------------------------------------------- task 1: conv1d forward

def _floor_length(L, K, s, p):
    """The output length of the definition: ⌊(L + 2p − K)/s⌋ + 1."""
    return (L + 2 * p - K) // s + 1


def _once_padded_length(L, K, s, p):
    """The output length of a signal padded at one end only: ⌊(L + p − K)/s⌋ + 1."""
    return (L + p - K) // s + 1


def _conv(X, W, b, stride, padding, *, flip=False, pads=None, length=_floor_length,
          step=None, bias=1.0, reduce=np.sum, pad_all_axes=False):
    """Cross-correlation by loops over positions, with switches for the usual mistakes.

    ``pads(p)`` gives the zeros (left, right) added to each signal, ``length(L, K, s, p)``
    the number of windows (zeros are added on the right when windows run past the end),
    ``step`` how far a window moves (the stride by default), ``bias`` how many times b is
    added, ``reduce`` how a window is combined with the kernel, and ``pad_all_axes`` pads
    the example and channel axes too (np.pad(X, p)) and reads the first m examples and
    C_in channels of the result.
    """
    X, W = np.asarray(X, dtype=float), np.asarray(W, dtype=float)
    m, C, L = X.shape
    K = W.shape[2]
    if flip:
        W = W[:, :, ::-1]
    left, right = (padding, padding) if pads is None else pads(padding)
    if pad_all_axes:
        Xp = np.pad(X, padding)[:m, :C]
    else:
        Xp = np.pad(X, ((0, 0), (0, 0), (left, right)))
    s = stride if step is None else step
    L_out = length(L, K, stride, padding)
    short = s * (L_out - 1) + K - Xp.shape[2]
    if short > 0:
        Xp = np.pad(Xp, ((0, 0), (0, 0), (0, short)))
    Z = np.stack([reduce(Xp[:, None, :, s * j: s * j + K] * W[None], axis=(2, 3))
                  for j in range(L_out)], axis=2)
    return Z + bias * np.asarray(b, dtype=float)[None, :, None]


def _conv1d_forward(X, W, b, stride, padding):
    """The reference: Z (m, C_out, L_out)."""
    return _conv(X, W, b, stride, padding)


def _conv_case(label, m, c_in, c_out, K, L, stride, padding):
    X = np.round(_rng.normal(size=(m, c_in, L)), 2)
    W = np.round(_rng.normal(size=(c_out, c_in, K)), 2)
    b = np.round(_rng.normal(size=c_out), 2)
    return Case(label, (X, W, b, stride, padding))


@dataclass(frozen=True)
class ShapeTolerantExercise(Exercise):
    """An exercise whose wrong answers may have a wrong shape: the table diagnoses them too.

    An answer of another shape than the reference is not rejected up front (as the base
    class does) but compared, so that e.g. an off-by-one output length is named by its
    own mistake.
    """

    fallback = ("not one of the usual ones. Work the failing case out by hand: compute "
                "L_out = (L + 2·padding − K)//stride + 1 first, then one output entry from "
                "the definition, and compare with your code.")

    def _as_answer(self, out, case):
        if out is None:
            raise CheckError(f"{self.name} returned None on {case.label}: did you forget "
                                 f"the `return` statement?")
        arr = np.asarray(out)
        if arr.dtype.kind not in "iuf":
            raise CheckError(f"{self.name} must return an array of real numbers, got "
                             f"{type(out).__name__} on {case.label}")
        return self._convert(arr)

    def _convert(self, out):
        """The answer as a float array of its own shape, float32 kept (see isclose)."""
        arr = np.asarray(out)
        return arr.astype(arr.dtype if arr.dtype in (np.float32, np.float64) else np.float64)


CONV1D_FORWARD = ShapeTolerantExercise(
    name="conv1d_forward",
    reference=_conv1d_forward,
    cases=(
        Case("one channel, kernel [1, 0, -1], stride 1, no padding",
             (np.array([[[0.0, 1.0, 4.0, 9.0, 16.0, 25.0]]]), np.array([[[1.0, 0.0, -1.0]]]),
              np.array([0.5]), 1, 0)),
        _conv_case("two input channels, three output channels, stride 1, padding 1",
                   2, 2, 3, 3, 7, 1, 1),
        _conv_case("stride 2 with a remainder: (9 + 2 - 3) // 2 + 1 = 5 windows",
                   2, 1, 2, 3, 9, 2, 1),
        _conv_case("stride 3, padding 2, kernel 4", 1, 2, 2, 4, 10, 3, 2),
        _conv_case("kernel of 5 with padding 2 (the output keeps the length)",
                   3, 1, 2, 5, 8, 1, 2),
        _conv_case("stride 2, no padding, even length", 2, 3, 1, 3, 8, 2, 0),
    ),
    mistakes=(
        Mistake(lambda X, W, b, s, p: _conv(X, W, b, s, p, flip=True),
                "you flipped the kernel: that is the convolution of signal processing. The "
                "documented convention (PyTorch, Keras, reglab's Conv1D) is cross-correlation: "
                "Z[i, o, j] = b[o] + Σ_c Σ_k W[o, c, k] · X̃[i, c, stride·j + k], with k "
                "running forwards over the window."),
        Mistake(lambda X, W, b, s, p: _conv(X, W, b, s, p,
                                            length=lambda L, K, s, p: (L + 2 * p - K) // s),
                "your output is one position too short: you dropped the + 1 of "
                "L_out = (L + 2·padding − K)//stride + 1 (the first window starts at 0, so "
                "there is one window more than the number of strides)."),
        Mistake(lambda X, W, b, s, p: _conv(X, W, b, s, p,
                                            length=lambda L, K, s, p: (L + 2 * p - K) // s + 2),
                "your output is one position too long: the last window runs past the padded "
                "signal. A window must fit entirely: L_out = (L + 2·padding − K)//stride + 1 "
                "(rounded down)."),
        Mistake(lambda X, W, b, s, p: _conv(X, W, b, 1, p),
                "you ignored the stride: windows start at stride·j (0, s, 2s, ...), not at "
                "every position; L_out = (L + 2·padding − K)//stride + 1."),
        Mistake(lambda X, W, b, s, p: _conv(X, W, b, s, p, step=1),
                "your output has the right length, but its windows start at 0, 1, 2, ...: "
                "window j starts at stride·j, X̃[i, c, stride·j + k]."),
        Mistake(lambda X, W, b, s, p: _conv(X, W, b, s, p,
                                            length=lambda L, K, s, p: -(-(L + 2 * p - K) // s) + 1),
                "you rounded L_out up: a last window that runs past the padded signal does "
                "not count, so L_out = ⌊(L + 2·padding − K)/stride⌋ + 1, rounded DOWN "
                "((L + 2 * padding - K) // stride + 1)."),
        Mistake(lambda X, W, b, s, p: _conv(X, W, b, s, p,
                                            length=lambda L, K, s, p: (L - K) // s + 1),
                "you computed L_out from the unpadded length L: the windows run over the "
                "padded signal, of length L + 2·padding, so L_out = (L + 2·padding − K)//stride "
                "+ 1."),
        Mistake(lambda X, W, b, s, p: _conv(X, W, b, s, p, pad_all_axes=True),
                "np.pad(X, padding) pads EVERY axis, the examples and the channels too, so "
                "your first examples and channels are zeros: pad the last axis only, "
                "np.pad(X, ((0, 0), (0, 0), (padding, padding)))."),
        Mistake(lambda X, W, b, s, p: _conv(X, W, b, s, 0),
                "you ignored the padding: add `padding` zeros at both ends of every signal "
                "before taking the windows (np.pad(X, ((0, 0), (0, 0), (p, p))))."),
        Mistake(lambda X, W, b, s, p: _conv(X, W, b, s, p, pads=lambda p: (p, 0),
                                            length=_once_padded_length),
                "you padded only at the start (or counted the padding once in L_out): "
                "`padding` zeros go at BOTH ends, which is where the 2 of L + 2·padding comes "
                "from."),
        Mistake(lambda X, W, b, s, p: _conv(X, W, b, s, p, pads=lambda p: (0, p),
                                            length=_once_padded_length),
                "you padded only at the end: `padding` zeros go at BOTH ends (the first window "
                "starts `padding` zeros before the signal)."),
        Mistake(lambda X, W, b, s, p: _conv(X, W, b, s, p, bias=0.0),
                "you forgot the bias: add b[o] to every position of output channel o."),
        Mistake(lambda X, W, b, s, p: _conv(X, W, b, s, p, bias=np.shape(X)[1]),
                "you added the bias once per input channel (inside the loop over c): b[o] is "
                "added once to each output entry, after the sum over c and k."),
        Mistake(lambda X, W, b, s, p: _conv(X, W, b, s, p, bias=np.shape(X)[1] * np.shape(W)[2]),
                "you added the bias once per kernel tap (inside the loops over c and k): b[o] "
                "is added once to each output entry, after the sums."),
        Mistake(lambda X, W, b, s, p: _conv(X, W, b, s, p, reduce=np.mean),
                "you averaged over the window instead of summing: Z is the SUM over input "
                "channels c and kernel taps k of W[o, c, k] · X̃[i, c, stride·j + k]."),
        Mistake(lambda X, W, b, s, p: _conv(X, W, b, s, p, reduce=lambda a, axis: a.sum(axis=3)
                                            [:, :, 0]),
                "you summed over the kernel taps but kept only the first input channel: the "
                "sum runs over every input channel c as well."),
        Mistake(lambda X, W, b, s, p: _conv(X, W, b, s, p,
                                            reduce=lambda a, axis: a.mean(axis=3).sum(axis=2)),
                "you averaged over the kernel taps (a mean over k): Z is the SUM over c and k "
                "of W[o, c, k] · X̃[i, c, stride·j + k]."),
        Mistake(lambda X, W, b, s, p: _conv(X, W, b, s, p).transpose(0, 2, 1),
                "your output has its axes in another order: Z has shape (m, C_out, L_out), "
                "examples first, then output channels, then positions."),
    ),
    forbidden=(Conv1D, conv_matrix),
)


def check_conv1d_forward(conv1d_forward) -> None:
    """Check ``conv1d_forward(X, W, b, stride, padding)`` -> Z (m, C_out, L_out) on 6 cases."""
    return CONV1D_FORWARD.check(conv1d_forward)


# ------------------------------------------------------------ task 2: tying gradients

def _tying(W_a, W_b, lam, m):
    """The reference: (λ/m)(W_a − W_b) and its negative, stacked (2, ...)."""
    g = lam / m * (np.asarray(W_a) - np.asarray(W_b))
    return g, -g


def _pair(f):
    def wrapped(W_a, W_b, lam, m):
        return f(np.asarray(W_a, dtype=float), np.asarray(W_b, dtype=float), lam, m)
    return wrapped


def _tie_case(label, shape, lam, m):
    return Case(label, (np.round(_rng.normal(size=shape), 2), np.round(_rng.normal(size=shape), 2),
                        lam, m))


TYING_GRADIENTS = Exercise(
    name="tying_gradients",
    reference=lambda W_a, W_b, lam, m: np.stack(_tying(W_a, W_b, lam, m)),
    cases=(
        Case("2×2 weights, lam 3, m 10",
             (np.array([[1.0, -2.0], [0.5, 0.0]]), np.array([[0.0, 1.0], [0.5, -1.0]]), 3.0, 10)),
        _tie_case("3×4 weights, lam 0.5, m 7", (3, 4), 0.5, 7),
        _tie_case("a vector of 5, lam 4, m 200", (5,), 4.0, 200),
        Case("equal weights: no pull at all", (np.ones((2, 3)), np.ones((2, 3)), 2.5, 4)),
        _tie_case("4×2 weights, lam 1, m 1", (4, 2), 1.0, 1),
    ),
    mistakes=(
        Mistake(_pair(lambda a, b, lam, m: np.stack([lam / (2 * m) * (a - b),
                                                      -lam / (2 * m) * (a - b)])),
                "your gradients are half too small: the derivative of the square gives a 2 "
                "that cancels the ½ of λ/2m, so dW_a = (λ/m)(W_a − W_b)."),
        Mistake(_pair(lambda a, b, lam, m: np.stack([lam / m * (a - b), lam / m * (a - b)])),
                "dW_b has the wrong sign: W_b enters the square with a minus sign, so "
                "dW_b = −(λ/m)(W_a − W_b) = (λ/m)(W_b − W_a). Each model is pulled TOWARDS the "
                "other."),
        Mistake(_pair(lambda a, b, lam, m: np.stack([lam / m * (b - a), lam / m * (a - b)])),
                "both signs are reversed: dW_a = (λ/m)(W_a − W_b) points away from W_b, so "
                "that a gradient step W_a − α·dW_a moves W_a towards W_b."),
        Mistake(_pair(lambda a, b, lam, m: np.stack([lam * (a - b), -lam * (a - b)])),
                "you forgot to divide by m: in our convention the penalty is "
                "(λ/2m)‖W_a − W_b‖², so the gradients carry λ/m."),
        Mistake(_pair(lambda a, b, lam, m: np.stack([lam / m * a, lam / m * b])),
                "you pulled each matrix towards 0 (ordinary L2, (λ/m)W) instead of towards the "
                "other model: the penalty is on the DIFFERENCE W_a − W_b."),
        Mistake(_pair(lambda a, b, lam, m: np.stack([lam / (2 * m) * np.sign(a - b),
                                                      -lam / (2 * m) * np.sign(a - b)])),
                "you used the L1 gradient, sign(W_a − W_b): the penalty is the SQUARED "
                "Frobenius norm, whose gradient is proportional to W_a − W_b itself."),
        Mistake(_pair(lambda a, b, lam, m: np.stack([lam / m * (a - b) / np.linalg.norm(a - b),
                                                      -lam / m * (a - b) / np.linalg.norm(a - b)])),
                "you differentiated the norm ‖W_a − W_b‖ instead of its square: no division by "
                "the norm, the gradient of (λ/2m)‖D‖² is simply (λ/m)D."),
        Mistake(_pair(lambda a, b, lam, m: np.stack([2 * lam / m * (a - b),
                                                      -2 * lam / m * (a - b)])),
                "your gradients are twice too large: the 2 from the derivative of the square "
                "cancels the ½ of λ/2m, it does not multiply λ/m."),
        Mistake(_pair(lambda a, b, lam, m: np.stack([lam / m * (a - b), np.zeros_like(b)])),
                "dW_b is zero: W_b is a variable of the penalty too, (λ/2m)Σ(a − b)² changes "
                "when W_b does, so dW_b = −(λ/m)(W_a − W_b)."),
        Mistake(_pair(lambda a, b, lam, m: np.stack([lam / m * (b - a), lam / m * (b - a)])),
                "dW_a has the wrong sign: ∂(a − b)²/∂a = +2(a − b), so dW_a = (λ/m)(W_a − W_b) "
                "(and dW_b its negative)."),
        Mistake(_pair(lambda a, b, lam, m: np.stack([lam / m * (a - b) ** 2,
                                                      -lam / m * (a - b) ** 2])),
                "you kept the square: the derivative of (a − b)² is 2(a − b), to the first "
                "power."),
        Mistake(_pair(lambda a, b, lam, m: np.stack([lam / m * (a - b) / a.size,
                                                      -lam / m * (a - b) / a.size])),
                "you divided by the number of entries: the squared Frobenius norm is a SUM "
                "over the entries, not a mean, so each entry's gradient is (λ/m)(a − b)."),
    ),
    forbidden=(tying_penalty,),
)


def check_tying_gradients(tying_gradients) -> None:
    """Check ``tying_gradients(W_a, W_b, lam, m)`` -> (dW_a, dW_b) on 5 cases."""
    return TYING_GRADIENTS.check(tying_gradients)


# ------------------------------------------------------- task 3: activity L1, backward

def _sparse(dA, Z, lam, m):
    """The reference: dZ = (dA + (λ/2B) sign(A)) · [Z > 0], A = max(Z, 0), B = rows."""
    B = Z.shape[0]
    A = np.maximum(Z, 0)
    return (dA + lam / (2 * B) * np.sign(A)) * (Z > 0)


def _sparse_case(label, B, n, lam, m):
    Z = np.round(_rng.normal(size=(B, n)), 2)
    Z[0, 0] = 0.0                                           # a unit exactly at the kink
    return Case(label, (np.round(_rng.normal(size=(B, n)), 2), Z, lam, m))


def _relu_mask(Z):
    return (Z > 0).astype(float)


SPARSE_RELU_BACKWARD = Exercise(
    name="sparse_relu_backward",
    reference=_sparse,
    cases=(
        Case("two rows, lam 0.8, m 100",
             (np.array([[0.5, -1.0, 2.0], [1.0, 1.0, -0.5]]),
              np.array([[1.0, -2.0, 0.5], [-1.0, 3.0, 2.0]]), 0.8, 100)),
        _sparse_case("a batch of 4, lam 0.3, m 50", 4, 5, 0.3, 50),
        _sparse_case("a batch of 5, lam 2, m 5 (one batch = the whole training set)", 5, 3,
                     2.0, 5),
        _sparse_case("a batch of 3, lam 1.5, m 3000", 3, 4, 1.5, 3000),
        Case("every unit inactive: nothing flows back",
             (np.ones((2, 2)), -np.ones((2, 2)), 1.0, 10)),
    ),
    mistakes=(
        Mistake(lambda dA, Z, lam, m: dA * _relu_mask(Z) + lam / (2 * Z.shape[0]) * np.sign(Z),
                "you penalized the pre-activations Z: the penalty is on the representation "
                "A = relu(Z), whose entries are never negative. Add (λ/2B)·sign(A) to dA, "
                "THEN multiply by relu'(Z) = [Z > 0]."),
        Mistake(lambda dA, Z, lam, m: (dA + lam / (2 * m) * np.sign(np.maximum(Z, 0)))
                * _relu_mask(Z),
                "you divided by m, the training-set size: the activity penalty is a sum over "
                "the examples of the batch, averaged like the loss, so it is (λ/2B)·Σ|A| with "
                "B = Z.shape[0] rows. (Weight penalties keep m; activations change with every "
                "example.)"),
        Mistake(lambda dA, Z, lam, m: (dA + lam / Z.shape[0] * np.sign(np.maximum(Z, 0)))
                * _relu_mask(Z),
                "your penalty gradient is twice too large: the penalty is (λ/2B)·Σ|A| and the "
                "derivative of |a| is sign(a), with no factor 2 to cancel the ½."),
        Mistake(lambda dA, Z, lam, m: (dA + lam / 2 * np.sign(np.maximum(Z, 0))) * _relu_mask(Z),
                "you did not divide by the batch size B: the penalty is averaged over the B "
                "rows like the loss, (λ/2B)·Σ|A|, so its gradient is (λ/2B)·sign(A)."),
        Mistake(lambda dA, Z, lam, m: (dA + lam / Z.shape[0] * np.maximum(Z, 0)) * _relu_mask(Z),
                "you used the gradient of a squared (L2) penalty, proportional to A: the L1 "
                "penalty's gradient is (λ/2B)·sign(A), the same push for every active unit."),
        Mistake(lambda dA, Z, lam, m: (dA - lam / (2 * Z.shape[0]) * np.sign(np.maximum(Z, 0)))
                * _relu_mask(Z),
                "you subtracted the penalty's gradient: it is ADDED to dA (the penalty is part "
                "of the cost), so a gradient step lowers active units."),
        Mistake(lambda dA, Z, lam, m: dA + lam / (2 * Z.shape[0]) * np.sign(np.maximum(Z, 0)),
                "you forgot the ReLU's derivative: dZ = dA_total ⊙ [Z > 0], so no gradient "
                "flows through an inactive unit."),
        Mistake(lambda dA, Z, lam, m: (dA + lam / (2 * Z.shape[0]) * np.sign(np.maximum(Z, 0)))
                * (Z >= 0),
                "your ReLU mask lets a unit at exactly z = 0 through (Z >= 0): relu'(0) is "
                "taken as 0 here, the mask is [Z > 0]."),
        Mistake(lambda dA, Z, lam, m: (dA + lam / (2 * Z.shape[1]) * np.sign(np.maximum(Z, 0)))
                * _relu_mask(Z),
                "you read the batch size from the wrong axis: Z is (B, n), one row per "
                "example, so B = Z.shape[0] (len(Z)), not Z.shape[1]."),
        Mistake(lambda dA, Z, lam, m: (dA + lam / (2 * Z.size) * np.sign(np.maximum(Z, 0)))
                * _relu_mask(Z),
                "you divided by the number of ENTRIES B·n: the penalty is (λ/2B)·Σ|A|, a sum "
                "over the units averaged over the B examples only."),
        Mistake(lambda dA, Z, lam, m: (dA + lam * np.sign(np.maximum(Z, 0))) * _relu_mask(Z),
                "you dropped both the ½ and the 1/B: the penalty is (λ/2B)·Σ|A|, so its "
                "gradient is (λ/2B)·sign(A)."),
        Mistake(lambda dA, Z, lam, m: (dA + lam / (2 * Z.shape[0]) * np.maximum(Z, 0))
                * _relu_mask(Z),
                "you used A itself where its derivative sign(A) goes: d|a|/da = sign(a), the "
                "same push for every active unit whatever its size."),
        Mistake(lambda dA, Z, lam, m: (dA + lam / (2 * Z.shape[0]) * np.sign(np.maximum(Z, 0)))
                * np.maximum(Z, 0),
                "you multiplied by A = relu(Z) instead of relu'(Z) = [Z > 0]: the derivative "
                "of the ReLU is 1 for an active unit, whatever its value."),
        Mistake(lambda dA, Z, lam, m: np.maximum(dA + lam / (2 * Z.shape[0])
                                                 * np.sign(np.maximum(Z, 0)), 0),
                "you applied the ReLU to the gradient: the mask comes from the forward pass, "
                "dZ = dA_total ⊙ [Z > 0], and a gradient may be negative."),
        Mistake(lambda dA, Z, lam, m: (dA + lam / (2 * Z.shape[0]) * np.sign(np.maximum(Z, 0)))
                * (dA > 0),
                "your mask comes from dA: relu'(Z) = [Z > 0] depends on the pre-activations "
                "of the forward pass, not on the incoming gradient."),
    ),
    forbidden=(ActivityL1, ReLU),
)


def check_sparse_relu_backward(sparse_relu_backward) -> None:
    """Check ``sparse_relu_backward(dA, Z, lam, m)`` -> dZ (B, n) on 5 cases."""
    return SPARSE_RELU_BACKWARD.check(sparse_relu_backward)
