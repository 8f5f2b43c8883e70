"""Conv1D, Flatten and the banded-matrix view of a convolution."""

import numpy as np
import pytest

from reglab import (
    L2,
    Adam,
    Dense,
    ReLU,
    Sequential,
    check_model_gradients,
    fit,
    numerical_gradient,
    relative_error,
    softmax_cross_entropy,
)
from reglab.conv import Conv1D, Flatten, conv_matrix, conv_output_length, tied_index

TOL = 1e-7
CASES = [  # (C_in, C_out, K, L, stride, padding)
    (1, 1, 3, 8, 1, 0),
    (2, 3, 3, 9, 1, 0),
    (1, 2, 5, 12, 2, 1),
    (3, 2, 3, 10, 3, 2),
    (2, 2, 4, 11, 2, 0),   # the last positions are not covered: (11 - 4) // 2 + 1 = 4
    (2, 4, 1, 6, 1, 0),    # a 1×1 convolution mixes channels only
]


def _loop_conv(X, W, b, stride, padding):
    """Cross-correlation written with explicit loops, straight from the definition."""
    m, C, L = X.shape
    Co, _, K = W.shape
    Xp = np.pad(X, ((0, 0), (0, 0), (padding, padding)))
    L_out = (L + 2 * padding - K) // stride + 1
    Z = np.zeros((m, Co, L_out))
    for i in range(m):
        for o in range(Co):
            for j in range(L_out):
                Z[i, o, j] = b[o] + np.sum(W[o] * Xp[i, :, stride * j: stride * j + K])
    return Z


@pytest.mark.parametrize("case", CASES)
def test_forward_matches_the_definition_and_the_output_length(rng, case):
    C, Co, K, L, s, p = case
    conv = Conv1D(C, Co, K, stride=s, padding=p, rng=rng)
    conv.params["b"][:] = rng.standard_normal(Co)
    X = rng.standard_normal((4, C, L))
    Z = conv.forward(X)
    assert Z.shape == (4, Co, (L + 2 * p - K) // s + 1) == (4, Co, conv.output_length(L))
    np.testing.assert_allclose(Z, _loop_conv(X, conv.params["W"], conv.params["b"], s, p),
                               rtol=1e-12, atol=1e-12)


def test_cross_correlation_not_flipped():
    conv = Conv1D(1, 1, 3, rng=np.random.default_rng(0))
    conv.params["W"][:] = [[[1.0, 0.0, 0.0]]]          # picks the FIRST entry of each window
    X = np.arange(6.0)[None, None, :]
    np.testing.assert_array_equal(conv.forward(X)[0, 0], [0.0, 1.0, 2.0, 3.0])


@pytest.mark.parametrize("case", CASES)
def test_banded_matrix_gives_the_same_output(rng, case):
    C, Co, K, L, s, p = case
    conv = Conv1D(C, Co, K, stride=s, padding=p, rng=rng)
    X = rng.standard_normal((5, C, L))
    M = conv_matrix(conv.params["W"], L, stride=s, padding=p)
    L_out = conv.output_length(L)
    assert M.shape == (C * L, Co * L_out)
    np.testing.assert_allclose(X.reshape(5, -1) @ M, Flatten().forward(conv.forward(X)),
                               rtol=1e-12, atol=1e-12)
    # every kernel entry appears in the matrix, and nothing else but zeros
    index = tied_index(C, Co, K, L, stride=s, padding=p)
    used = np.unique(index[index >= 0])
    assert set(used) <= set(range(Co * C * K))
    assert np.all(M[index < 0] == 0)


@pytest.mark.parametrize("case", CASES)
def test_kernel_gradient_is_the_sum_over_tied_entries(rng, case):
    C, Co, K, L, s, p = case
    conv = Conv1D(C, Co, K, stride=s, padding=p, rng=rng)
    X = rng.standard_normal((3, C, L))
    G = rng.standard_normal((3, Co, conv.output_length(L)))
    conv.forward(X)
    conv.backward(G)
    dM = X.reshape(3, -1).T @ G.reshape(3, -1)          # gradient of sum(G * (X @ M)) wrt M
    index = tied_index(C, Co, K, L, stride=s, padding=p)
    summed = np.bincount(index[index >= 0], weights=dM[index >= 0], minlength=Co * C * K)
    np.testing.assert_allclose(conv.grads["W"].ravel(), summed, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", CASES)
def test_gradients_of_W_b_and_input(rng, case):
    C, Co, K, L, s, p = case
    conv = Conv1D(C, Co, K, stride=s, padding=p, rng=rng)
    X = rng.standard_normal((3, C, L))
    G = rng.standard_normal((3, Co, conv.output_length(L)))

    def f():
        return float(np.sum(conv.forward(X) * G))

    conv.forward(X)
    dX = conv.backward(G)
    assert relative_error(dX, numerical_gradient(f, X)) < TOL
    for name in ("W", "b"):
        assert relative_error(conv.grads[name], numerical_gradient(f, conv.params[name])) < TOL


def test_input_grad_false_fills_grads_and_returns_none(rng):
    conv = Conv1D(2, 3, 3, stride=2, padding=1, rng=rng)
    X = rng.standard_normal((4, 2, 9))
    G = rng.standard_normal(conv.forward(X).shape)
    conv.backward(G)
    expected = {k: g.copy() for k, g in conv.grads.items()}
    for g in conv.grads.values():
        g[...] = 0
    assert conv.backward(G, input_grad=False) is None
    for k in expected:
        np.testing.assert_array_equal(conv.grads[k], expected[k])


def test_cnn_gradients_through_sequential_with_2d_input_and_penalty(rng):
    model = Sequential([Conv1D(1, 3, 3, stride=2, padding=1, rng=rng), ReLU(),
                        Conv1D(3, 2, 3, padding=1, rng=rng), ReLU(), Flatten(),
                        Dense(2 * 5, 4, rng=rng)])
    X = rng.standard_normal((5, 10))                    # (m, L): one channel
    y = rng.integers(0, 4, 5)
    errors = check_model_gradients(model, X, y, softmax_cross_entropy, penalty=L2(0.5), m=20)
    assert max(errors.values()) < TOL, errors
    assert set(model.weights()) == {"0.W", "2.W", "5.W"}   # kernels are penalized, biases not


def test_two_dimensional_input_is_one_channel(rng):
    conv = Conv1D(1, 2, 3, rng=rng)
    X = rng.standard_normal((4, 7))
    np.testing.assert_array_equal(conv.forward(X), conv.forward(X[:, None, :]))
    G = rng.standard_normal((4, 2, 5))
    conv.forward(X)
    assert conv.backward(G).shape == (4, 7)


def test_flatten_round_trip(rng):
    X = rng.standard_normal((3, 2, 5))
    flat = Flatten()
    out = flat.forward(X)
    assert out.shape == (3, 10)
    np.testing.assert_array_equal(out[:, 5:], X[:, 1])          # channel-major
    np.testing.assert_array_equal(flat.backward(out), X)


def test_float32_stays_float32_and_agrees_with_float64():
    conv32 = Conv1D(2, 3, 3, stride=2, padding=1, rng=np.random.default_rng(0), dtype=np.float32)
    conv64 = Conv1D(2, 3, 3, stride=2, padding=1, rng=np.random.default_rng(0))
    X = np.random.default_rng(1).standard_normal((4, 2, 9))
    Z32 = conv32.forward(X)                                 # float64 input is converted
    assert Z32.dtype == np.float32
    np.testing.assert_allclose(Z32, conv64.forward(X), rtol=1e-5, atol=1e-5)
    dX = conv32.backward(np.ones_like(Z32))
    assert dX.dtype == np.float32 and conv32.grads["W"].dtype == np.float32


def test_fit_trains_a_small_cnn_on_shifted_bumps():
    """A task that needs position-independent detection: a bump at a random position."""
    rng = np.random.default_rng(0)
    m, L = 400, 20
    X = 0.3 * rng.standard_normal((m, L))
    y = rng.integers(0, 2, m)
    pos = rng.integers(2, L - 3, m)
    shape = np.where(y[:, None] == 1, [1.0, 2.0, 1.0], [-1.0, -2.0, -1.0])
    X[np.arange(m)[:, None], pos[:, None] + np.arange(3)] += shape
    model = Sequential([Conv1D(1, 4, 3, padding=1, rng=rng, dtype=np.float32), ReLU(),
                        Flatten(), Dense(4 * L, 2, rng=rng, dtype=np.float32)])
    hist = fit(model, (X.astype(np.float32), y), loss=softmax_cross_entropy,
               optimizer=Adam(lr=1e-2), epochs=15, batch_size=50, rng=rng, progress=False)
    assert hist.train_acc[-1] > 0.95


@pytest.mark.parametrize("make, error, match", [
    (lambda r: Conv1D(0, 2, 3, rng=r), ValueError, "in_channels must be >= 1, got 0"),
    (lambda r: Conv1D(1, 2.5, 3, rng=r), TypeError, "out_channels must be an integer"),
    (lambda r: Conv1D(1, 2, 0, rng=r), ValueError, "kernel_size must be >= 1"),
    (lambda r: Conv1D(1, 2, 3, stride=0, rng=r), ValueError, "stride must be >= 1"),
    (lambda r: Conv1D(1, 2, 3, padding=-1, rng=r), ValueError, "padding must be >= 0"),
    (lambda r: Conv1D(1, 2, 3, rng=0), TypeError, "rng must be a numpy.random.Generator"),
    (lambda r: Conv1D(1, 2, 3, rng=r, init="zeros"), ValueError, "init must be one of"),
    (lambda r: Conv1D(1, 2, 3, rng=r, dtype=np.int32), TypeError, "dtype must be a floating"),
    (lambda r: Conv1D(2, 2, 3, rng=r).forward(np.ones((4, 9))), ValueError,
     r"X must have shape \(m, 2, L\) for in_channels=2, got \(4, 9\)"),
    (lambda r: Conv1D(1, 2, 3, rng=r).forward(np.ones((4, 3, 9))), ValueError,
     r"X must have shape \(m, 1, L\) or \(m, L\)"),
    (lambda r: Conv1D(1, 2, 7, padding=1, rng=r).forward(np.ones((4, 4))), ValueError,
     "length must be >= kernel_size - 2\\*padding = 5 .* got 4"),
    (lambda r: conv_output_length(10, 3, stride=0), ValueError, "stride must be >= 1"),
    (lambda r: conv_matrix(np.ones((2, 3)), 5), ValueError, "W must have 3 dimensions"),
    (lambda r: Flatten().forward(np.ones(3)), ValueError, "X must have at least 2 dimensions"),
])
def test_bad_input_names_the_argument(make, error, match):
    with pytest.raises(error, match=match):
        make(np.random.default_rng(0))


def test_parameter_counts():
    conv = Conv1D(1, 25, 5, stride=1, padding=2, rng=np.random.default_rng(0))
    assert sum(p.size for p in conv.params.values()) == 25 * 5 + 25
    dense_equivalent = conv_matrix(conv.params["W"], 40, padding=2)
    assert dense_equivalent.shape == (40, 25 * 40)
    assert np.count_nonzero(tied_index(1, 25, 5, 40, padding=2) >= 0) == 25 * (5 * 40 - 6)  # 3 taps fall in the padding at each end
