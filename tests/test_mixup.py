"""Mixup: the mixed batch against its formula, the distribution of λ, training through fit,
the soft-target cross-entropy it needs, bad input."""

import numpy as np
import pytest

from reglab import (
    SGD,
    Dense,
    Mixup,
    ReLU,
    Sequential,
    fit,
    minibatches,
    softmax_cross_entropy,
    train_step,
)
from reglab.gradcheck import numerical_gradient
from reglab.losses import log_softmax

RNG = np.random.default_rng


def batch(B=12, n=4, k=3, seed=0, dtype=np.float64):
    rng = RNG(seed)
    return rng.standard_normal((B, n)).astype(dtype), rng.integers(0, k, B)


def mix(transform, X, y, seed):
    return transform(X, y, model=None, loss=softmax_cross_entropy, rng=RNG(seed))


def test_the_batch_is_the_convex_combination_of_the_formula():
    X, y = batch()
    Xc, yc = X.copy(), y.copy()
    mixup = Mixup(0.4, 3)
    Xm, Ym = mix(mixup, X, y, 7)
    replay = RNG(7)
    lam = replay.beta(0.4, 0.4)  # drawn first, then the pairing
    perm = replay.permutation(len(y))
    assert mixup.last_lam == lam
    np.testing.assert_allclose(Xm, lam * X + (1 - lam) * X[perm], rtol=0, atol=1e-15)
    expected = np.zeros((len(y), 3))
    expected[np.arange(len(y)), y] += lam
    expected[np.arange(len(y)), y[perm]] += 1 - lam
    np.testing.assert_allclose(Ym, expected, rtol=0, atol=1e-15)
    np.testing.assert_allclose(Ym.sum(axis=1), 1, rtol=0, atol=1e-15)
    assert (Ym >= 0).all()
    np.testing.assert_array_equal(X, Xc)  # inputs not modified
    np.testing.assert_array_equal(y, yc)


def test_float32_batches_stay_float32():
    X, y = batch(dtype=np.float32)
    Xm, Ym = mix(Mixup(1.0, 3), X, y, 0)
    assert Xm.dtype == Ym.dtype == np.float32
    np.testing.assert_allclose(Ym.sum(axis=1), 1, atol=1e-6)


@pytest.mark.parametrize("alpha", [0.2, 1.0, 4.0])
def test_lambda_follows_beta_alpha_alpha(alpha):
    """Mean 1/2 and variance 1/(4(2α + 1)), within 5 standard errors of 20,000 draws
    (|λ − ½| <= ½ bounds the fourth central moment by 1/16)."""
    X, y = batch(B=4)
    mixup, rng, n = Mixup(alpha, 3), RNG(1), 20_000
    lams = np.empty(n)
    for i in range(n):
        mixup(X, y, model=None, loss=softmax_cross_entropy, rng=rng)
        lams[i] = mixup.last_lam
    var = 1 / (4 * (2 * alpha + 1))
    assert abs(lams.mean() - 0.5) < 5 * np.sqrt(var / n)
    assert abs(lams.var() - var) < 5 * np.sqrt(1 / 16 / n)
    assert ((lams >= 0) & (lams <= 1)).all()


def model(seed=1):
    rng = RNG(seed)
    return Sequential([Dense(4, 8, rng=rng), ReLU(), Dense(8, 3, rng=rng)])


def test_fit_trains_on_the_mixed_batches():
    """fit with Mixup replays as a loop over minibatches that mixes each one first."""
    X, y = batch(B=30)
    net, ref = model(), model()
    h = fit(net, (X, y), loss=softmax_cross_entropy, optimizer=SGD(0.3), epochs=4,
            rng=RNG(3), batch_size=8, augment=Mixup(0.5, 3), progress=False)
    rng, mixup = RNG(3), Mixup(0.5, 3)
    for _ in range(4):
        for idx in minibatches(len(X), 8, rng):
            Xb, Yb = mixup(X[idx], y[idx], model=ref, loss=softmax_cross_entropy, rng=rng)
            train_step(ref, Xb, Yb, loss=softmax_cross_entropy, optimizer=SGD(0.3),
                       penalty=None, m=len(X), rng=rng)
    for k in net.params:
        np.testing.assert_allclose(net.params[k], ref.params[k], atol=1e-13, err_msg=k)
    assert h.train_acc == [None] * 4  # soft targets: no running accuracy
    assert all(np.isfinite(h.train_loss))


def test_soft_cross_entropy_is_the_formula_and_its_gradient():
    rng = RNG(0)
    z = rng.standard_normal((5, 4))
    q = rng.dirichlet(np.ones(4), size=5)
    value, grad = softmax_cross_entropy(z, q)
    assert value == pytest.approx(-np.sum(q * log_softmax(z)) / 5, rel=1e-12)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(grad, (p - q) / 5, atol=1e-15)
    numeric = numerical_gradient(lambda: softmax_cross_entropy(z, q)[0], z)
    np.testing.assert_allclose(grad, numeric, atol=1e-8)


def test_one_hot_targets_give_the_numbers_of_the_labels():
    rng = RNG(1)
    z, y = rng.standard_normal((6, 3)) * 5, rng.integers(0, 3, 6)
    v_labels, g_labels = softmax_cross_entropy(z, y)
    v_soft, g_soft = softmax_cross_entropy(z, np.eye(3)[y])
    assert v_soft == pytest.approx(v_labels, rel=1e-12)
    np.testing.assert_allclose(g_soft, g_labels, atol=1e-15)


def test_soft_targets_are_label_smoothing_of_notebook_05():
    """(1 − s)·CE(z, y) + s·mean_j CE(z, j) = CE(z, q), q = (1 − s) onehot(y) + s/k."""
    z, label, s, k = RNG(2).standard_normal((1, 5)), 2, 0.1, 5
    q = np.full((1, k), s / k)
    q[0, label] += 1 - s
    parts = [softmax_cross_entropy(z, np.array([j])) for j in range(k)]
    smoothed = (1 - s) * parts[label][0] + s / k * sum(v for v, _ in parts)
    smoothed_grad = (1 - s) * parts[label][1] + s / k * sum(g for _, g in parts)
    value, grad = softmax_cross_entropy(z, q)
    assert value == pytest.approx(smoothed, rel=1e-12)
    np.testing.assert_allclose(grad, smoothed_grad, atol=1e-15)


def test_soft_cross_entropy_keeps_float32():
    z = RNG(3).standard_normal((4, 3)).astype(np.float32)
    value, grad = softmax_cross_entropy(z, np.full((4, 3), 1 / 3))
    assert grad.dtype == np.float32 and np.isfinite(value)


@pytest.mark.parametrize("q, exc, match", [
    (np.full((4, 3), 0.5), ValueError, "rows summing to 1"),
    (np.array([[1.5, -0.5, 0.0]] * 4), ValueError, "must be >= 0"),
    (np.full((4, 2), 0.5), ValueError, r"shape \(4, 3\)"),
    (np.full((3, 3), 1 / 3), ValueError, r"shape \(4, 3\)"),
    (np.array([[np.nan, 0.5, 0.5]] * 4), ValueError, "NaN"),
    (np.full((4, 3), "a"), TypeError, "y must hold real numbers"),
])
def test_bad_soft_targets(q, exc, match):
    with pytest.raises(exc, match=match):
        softmax_cross_entropy(np.zeros((4, 3)), q)


@pytest.mark.parametrize("make, exc, match", [
    (lambda: Mixup(0, 3), ValueError, r"alpha must be in \(0, inf\), got 0"),
    (lambda: Mixup(-1.0, 3), ValueError, "alpha must be in"),
    (lambda: Mixup(float("inf"), 3), ValueError, "alpha must be finite"),
    (lambda: Mixup("0.2", 3), TypeError, "alpha must be a real number"),
    (lambda: Mixup(0.2, 1), ValueError, "n_classes must be >= 2, got 1"),
    (lambda: Mixup(0.2, 3.0), TypeError, "n_classes must be an integer"),
])
def test_bad_construction(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


@pytest.mark.parametrize("X, y, exc, match", [
    (np.ones((4, 2)), np.array([0, 1, 2, 3]), ValueError, r"yb must be in \[0, 3\)"),
    (np.ones((4, 2)), np.zeros((4, 1), dtype=int), ValueError, r"yb must have shape \(4,\)"),
    (np.ones((4, 2)), np.array([0.5, 1, 2, 0]), TypeError, "yb must be integer class labels"),
    (np.ones(4), np.array([0, 1, 2, 0]), ValueError, "Xb must have 2 dimensions"),
])
def test_bad_batches(X, y, exc, match):
    mixup = Mixup(0.2, 3)
    with pytest.raises(exc, match=match):
        mix(mixup, X, y, 0)
    assert mixup.last_lam is None


def test_fit_with_labels_beyond_n_classes_is_refused():
    X, y = batch(B=10)
    net = Sequential([Dense(4, 5, rng=RNG(0))])
    y[0] = 4
    with pytest.raises(ValueError, match="yb must be in"):
        fit(net, (X, y), loss=softmax_cross_entropy, optimizer=SGD(0.1), epochs=1,
            rng=RNG(0), augment=Mixup(0.2, 3), progress=False)


def test_repr():
    assert repr(Mixup(0.2, 10)) == "Mixup(alpha=0.2, n_classes=10)"
