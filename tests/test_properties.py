"""Property-based tests: shapes and invariants over many random configurations."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from reglab import (
    L1,
    L2,
    Dense,
    Dropout,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
    clip_by_global_norm,
    softmax_cross_entropy,
)
from reglab.losses import log_softmax

dims = st.integers(min_value=1, max_value=6)
seeds = st.integers(min_value=0, max_value=2**32 - 1)
activations = st.sampled_from([ReLU, Tanh, Sigmoid])


@settings(max_examples=40, deadline=None)
@given(m=dims, n_in=dims, n_hidden=dims, n_out=st.integers(2, 6), act=activations, seed=seeds,
       keep_prob=st.floats(0.1, 1.0))
def test_forward_backward_shapes(m, n_in, n_hidden, n_out, act, seed, keep_prob):
    rng = np.random.default_rng(seed)
    model = Sequential([Dense(n_in, n_hidden, rng=rng), act(), Dropout(keep_prob),
                        Dense(n_hidden, n_out, rng=rng)])
    X = rng.standard_normal((m, n_in))
    out = model.forward(X, train=True, rng=rng)
    assert out.shape == (m, n_out)
    dX = model.backward(softmax_cross_entropy(out, rng.integers(0, n_out, m))[1])
    assert dX.shape == X.shape
    for name, p in model.params.items():
        assert model.grads[name].shape == p.shape and np.all(np.isfinite(model.grads[name]))
    assert model.predict(X).shape == (m,)


@settings(max_examples=40, deadline=None)
@given(m=dims, k=st.integers(2, 8), seed=seeds, scale=st.floats(1e-3, 1e4))
def test_softmax_cross_entropy_invariants(m, k, seed, scale):
    rng = np.random.default_rng(seed)
    logits = scale * rng.standard_normal((m, k))
    y = rng.integers(0, k, m)
    value, grad = softmax_cross_entropy(logits, y)
    assert value >= 0 and np.isfinite(value)
    np.testing.assert_allclose(grad.sum(axis=1), 0, atol=1e-12)  # softmax - onehot sums to 0
    shifted_value, _ = softmax_cross_entropy(logits + 7.0, y)  # invariant to a constant shift
    assert np.isclose(value, shifted_value, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(np.exp(log_softmax(logits)).sum(axis=1), 1.0)


@settings(max_examples=40, deadline=None)
@given(shape=st.tuples(dims, dims), seed=seeds, lam=st.floats(0, 10), m=st.integers(1, 1000))
def test_penalties_are_nonnegative_and_l1_dominates_l2_for_small_weights(shape, seed, lam, m):
    W = np.random.default_rng(seed).uniform(-1, 1, size=shape)
    l1, l2 = L1(lam).value([W], m), L2(lam).value([W], m)
    assert l1 >= 0 and l2 >= 0
    assert l2 <= l1 + 1e-12  # |w| <= 1 entrywise, so w² <= |w|
    # the L2 gradient is (λ/m) W
    np.testing.assert_allclose(L2(lam).grad(W, m), lam / m * W, atol=1e-300)


@settings(max_examples=40, deadline=None)
@given(seed=seeds, max_norm=st.floats(1e-3, 100))
def test_clipping_caps_the_norm_and_keeps_the_direction(seed, max_norm):
    rng = np.random.default_rng(seed)
    grads = {"a": rng.standard_normal((3, 2)) * 10, "b": rng.standard_normal(4)}
    clipped, norm = clip_by_global_norm(grads, max_norm)
    new_norm = np.sqrt(sum(np.sum(g**2) for g in clipped.values()))
    assert new_norm <= max_norm * (1 + 1e-9)
    assert np.isclose(new_norm, min(norm, max_norm))
    ratio = clipped["a"] / grads["a"]
    np.testing.assert_allclose(ratio, ratio.flat[0])
