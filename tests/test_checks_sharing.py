"""The checks of exercises/08_sharing_and_sparsity.ipynb pass right answers and name wrong ones.

Correct solutions written in several styles pass; wrong ones written the way students
write them (independently of the tables in reglab.checks.sharing) fail with the message
of their mistake. The references agree with reglab's Conv1D, tying_penalty and
ActivityL1. (tests/test_checks_tables.py covers the soundness of the tables and the stubs.)
"""

import numpy as np
import pytest

from reglab import Dense, ReLU, Sequential, mean_squared_error
from reglab.activity import ActivityL1
from reglab.checks import sharing
from reglab.conv import Conv1D
from reglab.multitask import tying_penalty

# ------------------------------------------------------------------ conv1d_forward


def conv_loops(X, W, b, stride, padding):
    m, C, L = X.shape
    O, _, K = W.shape  # noqa: E741
    Xp = np.zeros((m, C, L + 2 * padding))
    Xp[:, :, padding:padding + L] = X
    L_out = (L + 2 * padding - K) // stride + 1
    Z = np.zeros((m, O, L_out))
    for i in range(m):
        for o in range(O):
            for j in range(L_out):
                for c in range(C):
                    for k in range(K):
                        Z[i, o, j] += W[o, c, k] * Xp[i, c, stride * j + k]
                Z[i, o, j] += b[o]
    return Z


def conv_reglab(X, W, b, stride, padding):
    layer = Conv1D(W.shape[1], W.shape[0], W.shape[2], stride=stride, padding=padding,
                   rng=np.random.default_rng(0))
    layer.params["W"][...] = W
    layer.params["b"][...] = b
    return layer.forward(X)


def conv_im2col(X, W, b, stride, padding):
    Xp = np.pad(X, ((0, 0), (0, 0), (padding, padding)))
    K = W.shape[2]
    win = np.lib.stride_tricks.sliding_window_view(Xp, K, axis=2)[:, :, ::stride]
    return np.einsum("icjk,ock->ioj", win, W) + b[None, :, None]


@pytest.mark.parametrize("solution", [conv_loops, conv_reglab, conv_im2col])
def test_conv_correct_solutions_pass(solution, capsys):
    assert sharing.check_conv1d_forward(solution) is None
    assert capsys.readouterr().out == "✓ conv1d_forward passed 6 cases\n"


def conv_numpy_convolve(X, W, b, stride, padding):
    """np.convolve flips the kernel: the signal-processing convolution."""
    Xp = np.pad(X, ((0, 0), (0, 0), (padding, padding)))
    m, C, _ = X.shape
    out = []
    for i in range(m):
        rows = []
        for o in range(W.shape[0]):
            full = sum(np.convolve(Xp[i, c], W[o, c], mode="valid") for c in range(C))
            rows.append(full[::stride] + b[o])
        out.append(rows)
    return np.array(out)


def conv_floor_no_plus_one(X, W, b, stride, padding):
    Xp = np.pad(X, ((0, 0), (0, 0), (padding, padding)))
    K = W.shape[2]
    L_out = (Xp.shape[2] - K) // stride
    return np.stack([np.einsum("ick,ock->io", Xp[:, :, stride * j:stride * j + K], W) + b
                     for j in range(L_out)], axis=2)


def conv_every_position(X, W, b, stride, padding):
    return conv_im2col(X, W, b, 1, padding)


def conv_no_padding(X, W, b, stride, padding):
    return conv_im2col(X, W, b, stride, 0)


def conv_pad_left(X, W, b, stride, padding):
    Xp = np.concatenate([np.zeros(X.shape[:2] + (padding,)), X], axis=2)
    return conv_im2col(Xp, W, b, stride, 0)


def conv_no_bias(X, W, b, stride, padding):
    return conv_im2col(X, W, np.zeros_like(b), stride, padding)


def conv_mean(X, W, b, stride, padding):
    return (conv_im2col(X, W, np.zeros_like(b), stride, padding) / (W.shape[1] * W.shape[2])
            + b[None, :, None])


WRONG_CONV = [
    ("np.convolve", conv_numpy_convolve, "you flipped the kernel"),
    ("no + 1", conv_floor_no_plus_one, "one position too short"),
    ("stride ignored", conv_every_position, "you ignored the stride"),
    ("padding ignored", conv_no_padding, "you ignored the padding"),
    ("left padding only", conv_pad_left, "you padded only at the start"),
    ("no bias", conv_no_bias, "you forgot the bias"),
    ("mean", conv_mean, "you averaged over the window"),
]


@pytest.mark.parametrize(("wrong", "message"), [w[1:] for w in WRONG_CONV],
                         ids=[w[0] for w in WRONG_CONV])
def test_conv_wrong_answers_are_named(wrong, message):
    with pytest.raises(AssertionError, match=message) as info:
        sharing.check_conv1d_forward(wrong)
    assert str(info.value).startswith("conv1d_forward is wrong on ")


def test_conv_other_shape_gets_the_fallback_not_a_traceback():
    def transposed(X, W, b, stride, padding):
        return conv_im2col(X, W, b, stride, padding).transpose(0, 2, 1)

    with pytest.raises(AssertionError, match="compute L_out = .* first"):
        sharing.check_conv1d_forward(transposed)


def test_conv_reference_is_reglab():
    for case in sharing.CONV1D_FORWARD.cases:
        np.testing.assert_allclose(sharing.CONV1D_FORWARD.reference(*case.args),
                                   conv_reglab(*case.args), rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------ tying_gradients


def tie_ok(W_a, W_b, lam, m):
    d = W_a - W_b
    return lam * d / m, lam * (W_b - W_a) / m


def tie_reglab(W_a, W_b, lam, m):
    return tying_penalty(W_a, W_b, lam, m)[1:]


@pytest.mark.parametrize("solution", [tie_ok, tie_reglab])
def test_tying_correct_solutions_pass(solution):
    assert sharing.check_tying_gradients(solution) is None


WRONG_TIE = [
    ("half", lambda a, b, lam, m: (lam / (2 * m) * (a - b), lam / (2 * m) * (b - a)),
     "half too small"),
    ("same sign", lambda a, b, lam, m: (lam / m * (a - b),) * 2, "dW_b has the wrong sign"),
    ("no m", lambda a, b, lam, m: (lam * (a - b), lam * (b - a)), "forgot to divide by m"),
    ("plain L2", lambda a, b, lam, m: (lam * a / m, lam * b / m), "towards 0"),
    ("L1", lambda a, b, lam, m: (lam / (2 * m) * np.sign(a - b), lam / (2 * m) * np.sign(b - a)),
     "the L1 gradient"),
    ("reversed", lambda a, b, lam, m: (lam / m * (b - a), lam / m * (a - b)),
     "both signs are reversed"),
]


@pytest.mark.parametrize(("wrong", "message"), [w[1:] for w in WRONG_TIE],
                         ids=[w[0] for w in WRONG_TIE])
def test_tying_wrong_answers_are_named(wrong, message):
    with pytest.raises(AssertionError, match=message):
        sharing.check_tying_gradients(wrong)


def test_tying_returns_one_array_gets_the_shape_message():
    with pytest.raises(AssertionError, match="must return an array of shape"):
        sharing.check_tying_gradients(lambda a, b, lam, m: lam / m * (a - b))


# ------------------------------------------------------------------ sparse_relu_backward


def sparse_ok(dA, Z, lam, m):
    B = len(Z)
    g = dA.copy()
    g[Z > 0] += lam / (2 * B)                       # sign(A) = 1 where A > 0
    g[Z <= 0] = 0.0
    return g


def sparse_reglab(dA, Z, lam, m):
    """Through ActivityL1 and ReLU layers of reglab."""
    relu, act = ReLU(), ActivityL1(lam)
    act.forward(relu.forward(Z))
    return relu.backward(act.backward(dA))


@pytest.mark.parametrize("solution", [sparse_ok, sparse_reglab])
def test_sparse_correct_solutions_pass(solution):
    assert sharing.check_sparse_relu_backward(solution) is None


WRONG_SPARSE = [
    ("pre-activations", lambda dA, Z, lam, m: np.where(Z > 0, dA, 0) + lam / (2 * len(Z))
     * np.sign(Z), "penalized the pre-activations"),
    ("divided by m", lambda dA, Z, lam, m: np.where(Z > 0, dA + lam / (2 * m), 0),
     "you divided by m, the training-set size"),
    ("no half", lambda dA, Z, lam, m: np.where(Z > 0, dA + lam / len(Z), 0), "twice too large"),
    ("no B", lambda dA, Z, lam, m: np.where(Z > 0, dA + lam / 2, 0),
     "did not divide by the batch size"),
    ("L2", lambda dA, Z, lam, m: np.where(Z > 0, dA + lam * Z / len(Z), 0), "squared"),
    ("minus", lambda dA, Z, lam, m: np.where(Z > 0, dA - lam / (2 * len(Z)), 0), "subtracted"),
    ("no relu'", lambda dA, Z, lam, m: dA + lam / (2 * len(Z)) * (Z > 0),
     "forgot the ReLU's derivative"),
]


@pytest.mark.parametrize(("wrong", "message"), [w[1:] for w in WRONG_SPARSE],
                         ids=[w[0] for w in WRONG_SPARSE])
def test_sparse_wrong_answers_are_named(wrong, message):
    with pytest.raises(AssertionError, match=message):
        sharing.check_sparse_relu_backward(wrong)


def test_sparse_reference_matches_a_network_gradient():
    """The reference is the gradient reglab's backprop gives the pre-activations."""
    rng = np.random.default_rng(0)
    dense = Dense(3, 5, rng=rng)
    net = Sequential([dense, ReLU(), ActivityL1(0.7), Dense(5, 2, rng=rng)])
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    out = net.forward(X)
    net.backward(mean_squared_error(out, Y)[1])
    Z = X @ dense.params["W"] + dense.params["b"]
    dA = mean_squared_error(out, Y)[1] @ net.layers[3].params["W"].T
    dZ = sharing.SPARSE_RELU_BACKWARD.reference(dA, Z, 0.7, 1000)
    np.testing.assert_allclose(dense.grads["W"], X.T @ dZ, rtol=1e-12)
