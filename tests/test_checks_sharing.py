"""The checks of exercises/08_sharing_and_sparsity.ipynb pass right answers and name wrong ones.

Correct solutions written in several styles pass; wrong ones written the way students
write them (independently of the tables in reglab.checks.sharing) fail with the message
of their mistake. The references agree with reglab's Conv1D, tying_penalty and
ActivityL1. (tests/test_checks_tables.py covers the soundness of the tables and the stubs.)
"""

import numpy as np
import pytest
from check_failures import assert_feedback

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


def conv_float32(X, W, b, stride, padding):
    """Another correct solution, computed in float32."""
    return conv_im2col(X.astype(np.float32), W.astype(np.float32), b.astype(np.float32),
                       stride, padding)


def conv_loop_float32(X, W, b, stride, padding):
    return conv_loops(X, W, b, stride, padding).astype(np.float32)


@pytest.mark.parametrize("solution", [conv_loops, conv_im2col, conv_float32, conv_loop_float32])
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
    def first_window_dropped(X, W, b, stride, padding):
        return conv_im2col(X, W, b, stride, padding)[:, :, 1:]

    with pytest.raises(AssertionError, match="compute L_out = .* first"):
        sharing.check_conv1d_forward(first_window_dropped)


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


def tie_loops_float32(W_a, W_b, lam, m):
    dW_a = np.zeros(W_a.shape, dtype=np.float32)
    for i in np.ndindex(W_a.shape):
        dW_a[i] = np.float32(lam / m) * np.float32(W_a[i] - W_b[i])
    return dW_a, -dW_a


def tie_list(W_a, W_b, lam, m):
    return [(lam / m) * W_a - (lam / m) * W_b, (lam / m) * W_b - (lam / m) * W_a]


@pytest.mark.parametrize("solution", [tie_ok, tie_loops_float32, tie_list])
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


def sparse_loops_float32(dA, Z, lam, m):
    dZ = np.zeros(Z.shape, dtype=np.float32)
    B = Z.shape[0]
    for i in range(B):
        for j in range(Z.shape[1]):
            if Z[i, j] > 0:
                dZ[i, j] = np.float32(dA[i, j] + lam / (2 * B))
    return dZ


def sparse_sign_of_z(dA, Z, lam, m):
    return (dA + lam / (2 * len(Z)) * np.sign(Z)) * (Z > 0)     # sign(Z) = sign(A) where Z > 0


@pytest.mark.parametrize("solution", [sparse_ok, sparse_loops_float32, sparse_sign_of_z])
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


# ------------------------------------------ plausible answers, as students write them

def conv_ceil(X, W, b, stride, padding):
    """L_out rounded up: the last window runs past the end (a loop that skips missing taps)."""
    m, C, L = X.shape
    O, _, K = W.shape  # noqa: E741
    Xp = np.pad(X, ((0, 0), (0, 0), (padding, padding)))
    L_out = int(np.ceil((L + 2 * padding - K) / stride)) + 1
    Z = np.zeros((m, O, L_out))
    for j in range(L_out):
        for k in range(K):
            if stride * j + k < Xp.shape[2]:
                Z[:, :, j] += Xp[:, :, stride * j + k] @ W[:, :, k].T
    return Z + b[None, :, None]


def conv_unpadded_length(X, W, b, stride, padding):
    Xp = np.pad(X, ((0, 0), (0, 0), (padding, padding)))
    L_out = (X.shape[2] - W.shape[2]) // stride + 1
    return conv_im2col(Xp, W, b, stride, 0)[:, :, :L_out]


def conv_np_pad_all_axes(X, W, b, stride, padding):
    m, C, L = X.shape
    O, _, K = W.shape  # noqa: E741
    Xp = np.pad(X, padding)
    L_out = (L + 2 * padding - K) // stride + 1
    Z = np.zeros((m, O, L_out))
    for i in range(m):
        for o in range(O):
            for j in range(L_out):
                Z[i, o, j] = b[o] + sum(W[o, c, k] * Xp[i, c, stride * j + k]
                                        for c in range(C) for k in range(K))
    return Z


def conv_bias_per_channel(X, W, b, stride, padding):
    m, C, L = X.shape
    O, _, K = W.shape  # noqa: E741
    Xp = np.pad(X, ((0, 0), (0, 0), (padding, padding)))
    L_out = (L + 2 * padding - K) // stride + 1
    Z = np.zeros((m, O, L_out))
    for j in range(L_out):
        for c in range(C):
            Z[:, :, j] += Xp[:, c, stride * j:stride * j + K] @ W[:, c, :].T + b
    return Z


def conv_window_step_one(X, W, b, stride, padding):
    L_out = (X.shape[2] + 2 * padding - W.shape[2]) // stride + 1
    return conv_im2col(X, W, b, 1, padding)[:, :, :L_out]


def conv_two_too_many(X, W, b, stride, padding):
    Xp = np.pad(X, ((0, 0), (0, 0), (padding, padding + stride)))
    return conv_im2col(Xp, W, b, stride, 0)


def conv_right_pad(X, W, b, stride, padding):
    return conv_im2col(np.pad(X, ((0, 0), (0, 0), (0, padding))), W, b, stride, 0)


def conv_first_channel(X, W, b, stride, padding):
    return conv_im2col(X[:, :1], W[:, :1], b, stride, padding)


def conv_mean_over_taps(X, W, b, stride, padding):
    return (conv_im2col(X, W, np.zeros_like(b), stride, padding) / W.shape[2]
            + b[None, :, None])


def conv_positions_first(X, W, b, stride, padding):
    Xp = np.pad(X, ((0, 0), (0, 0), (padding, padding)))
    win = np.lib.stride_tricks.sliding_window_view(Xp, W.shape[2], axis=2)[:, :, ::stride]
    return np.einsum("icjk,ock->ijo", win, W) + b


WRONG_CONV_SET = {name: fn for name, fn, _ in WRONG_CONV} | {
    "L_out rounded up": conv_ceil,
    "L_out from the unpadded length": conv_unpadded_length,
    "np.pad(X, p) pads every axis": conv_np_pad_all_axes,
    "bias inside the channel loop": conv_bias_per_channel,
    "windows moved by 1": conv_window_step_one,
    "one window too many": conv_two_too_many,
    "padded at the end only": conv_right_pad,
    "first channel only": conv_first_channel,
    "mean over the taps": conv_mean_over_taps,
    "(m, L_out, C_out)": conv_positions_first,
    "float32, flipped": lambda X, W, b, s, p: conv_float32(X, W[:, :, ::-1], b, s, p),
}
WRONG_TIE_SET = {name: fn for name, fn, _ in WRONG_TIE} | {
    "2λ/m": lambda a, b, lam, m: (2 * lam / m * (a - b), 2 * lam / m * (b - a)),
    "B held fixed": lambda a, b, lam, m: (lam / m * (a - b), np.zeros_like(b)),
    "both b − a": lambda a, b, lam, m: (lam / m * (b - a), lam / m * (b - a)),
    "square kept": lambda a, b, lam, m: (lam / m * (a - b) ** 2, -lam / m * (a - b) ** 2),
    "mean over entries": lambda a, b, lam, m: (lam * (a - b) / (m * a.size),
                                               lam * (b - a) / (m * a.size)),
    "norm, not its square": lambda a, b, lam, m: (lam / m * (a - b) / np.linalg.norm(a - b),
                                                  lam / m * (b - a) / np.linalg.norm(a - b)),
    "float32, half": lambda a, b, lam, m: tuple(np.float32(x) for x in
                                                (lam / (2 * m) * (a - b), lam / (2 * m) * (b - a))),
}
WRONG_SPARSE_SET = {name: fn for name, fn, _ in WRONG_SPARSE} | {
    "Z >= 0": lambda dA, Z, lam, m: np.where(Z >= 0, dA + lam / (2 * len(Z)) * (Z > 0), 0),
    "B = Z.shape[1]": lambda dA, Z, lam, m: np.where(Z > 0, dA + lam / (2 * Z.shape[1]), 0),
    "mean over every entry": lambda dA, Z, lam, m: np.where(Z > 0, dA + lam / (2 * Z.size), 0),
    "λ·sign(A)": lambda dA, Z, lam, m: (dA + lam * np.sign(np.maximum(Z, 0))) * (Z > 0),
    "λ/2B·A": lambda dA, Z, lam, m: np.where(Z > 0, dA + lam / (2 * len(Z)) * Z, 0),
    "times A": lambda dA, Z, lam, m: (dA + lam / (2 * len(Z)) * (Z > 0)) * np.maximum(Z, 0),
    "relu of the gradient": lambda dA, Z, lam, m: np.maximum(dA + lam / (2 * len(Z)) * (Z > 0),
                                                             0),
    "mask from dA": lambda dA, Z, lam, m: np.where(dA > 0, dA + lam / (2 * len(Z)) * (Z > 0), 0),
    "float32, no B": lambda dA, Z, lam, m: np.where(Z > 0, dA + lam / 2, 0).astype(np.float32),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(("check", "wrong", "right"), [
    (sharing.check_conv1d_forward, WRONG_CONV_SET,
     [conv_loops, conv_im2col, conv_float32, conv_loop_float32]),
    (sharing.check_tying_gradients, WRONG_TIE_SET, [tie_ok, tie_loops_float32, tie_list]),
    (sharing.check_sparse_relu_backward, WRONG_SPARSE_SET,
     [sparse_ok, sparse_loops_float32, sparse_sign_of_z]),
], ids=["conv1d_forward", "tying_gradients", "sparse_relu_backward"])
def test_plausible_answers_get_their_feedback(check, wrong, right):
    assert_feedback(check, wrong=wrong, right=right, min_named=1.0)


@pytest.mark.parametrize(("check", "answer", "name"), [
    (sharing.check_conv1d_forward, conv_reglab, "reglab.conv.Conv1D"),
    (sharing.check_tying_gradients, lambda a, b, lam, m: tying_penalty(a, b, lam, m)[1:],
     "reglab.multitask.tying_penalty"),
    (sharing.check_sparse_relu_backward, sparse_reglab, "reglab.layers.ReLU"),
])
def test_wrapping_reglabs_own_answer_is_refused(check, answer, name):
    with pytest.raises(AssertionError, match=rf"calls {name}, which is reglab's own answer"):
        check(answer)
