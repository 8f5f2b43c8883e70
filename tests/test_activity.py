"""The activation L1 penalty layer and the sparsity measure."""

import numpy as np
import pytest

from reglab import (
    L1,
    Adam,
    Dense,
    ReLU,
    Sequential,
    fit,
    numerical_gradient,
    relative_error,
    softmax_cross_entropy,
)
from reglab.activity import ActivityL1, fraction_inactive

TOL = 1e-7


def test_forward_is_the_identity_and_value_follows_the_convention(rng):
    layer = ActivityL1(0.6)
    H = rng.standard_normal((8, 5))
    assert layer.forward(H, train=True) is H
    assert layer.value() == pytest.approx(0.6 / (2 * 8) * np.abs(H).sum())   # λ/2B, B = 8 rows


def test_backward_adds_lam_over_2B_times_sign(rng):
    layer = ActivityL1(0.6)
    H = rng.standard_normal((8, 5))
    H[0, 0] = 0.0
    layer.forward(H)
    G = rng.standard_normal((8, 5))
    out = layer.backward(G)
    np.testing.assert_allclose(out, G + 0.6 / 16 * np.sign(H))
    assert out[0, 0] == G[0, 0]                       # sign(0) = 0: no push at exactly 0


def test_gradient_check_of_a_network_with_the_penalty(rng):
    penalty = ActivityL1(0.8)
    model = Sequential([Dense(4, 6, rng=rng), ReLU(), penalty, Dense(6, 3, rng=rng)])
    X = rng.standard_normal((5, 4))
    y = rng.integers(0, 3, 5)

    def cost():
        out = model.forward(X, train=True)
        return softmax_cross_entropy(out, y)[0] + penalty.value()

    model.backward(softmax_cross_entropy(model.forward(X, train=True), y)[1])
    analytic = {k: g.copy() for k, g in model.grads.items()}
    for name, p in model.params.items():
        assert relative_error(analytic[name], numerical_gradient(cost, p)) < TOL, name
    # the penalty really contributes: without it the first layer's gradient differs
    plain = Sequential([model.layers[0], ReLU(), model.layers[3]])
    plain.backward(softmax_cross_entropy(plain.forward(X), y)[1])
    assert relative_error(plain.grads["0.W"], analytic["0.W"]) > 1e-3


def test_penalty_makes_the_representation_sparser_with_fit():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 10)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)

    def hidden_after_fit(lam):
        r = np.random.default_rng(1)
        layers = [Dense(10, 50, rng=r, dtype=np.float32), ReLU()]
        layers += [ActivityL1(lam)] if lam else []
        model = Sequential(layers + [Dense(50, 2, rng=r, dtype=np.float32)])
        hist = fit(model, (X, y), loss=softmax_cross_entropy, optimizer=Adam(lr=1e-2),
                   epochs=30, batch_size=50, rng=r, progress=False)
        return np.maximum(model.layers[0].forward(X), 0), hist.train_acc[-1]

    H0, acc0 = hidden_after_fit(0.0)
    H1, acc1 = hidden_after_fit(0.3)
    assert fraction_inactive(H1) > fraction_inactive(H0) + 0.2
    assert acc1 > 0.85


def test_weight_l1_is_not_an_activity_penalty(rng):
    """L1 on weights and L1 on activations have different gradients (notebook 03 vs 08)."""
    layer = ActivityL1(1.0)
    W = rng.standard_normal((4, 4))
    layer.forward(W)
    assert not np.allclose(layer.backward(np.zeros((4, 4))), L1(1.0).grad(W, 4 * 50))


def test_fraction_inactive(rng):
    H = np.array([[0.0, 0.5], [1e-4, 2.0]])
    assert fraction_inactive(H) == 0.25
    assert fraction_inactive(H, tol=1e-3) == 0.5


@pytest.mark.parametrize("make, error, match", [
    (lambda: ActivityL1(-1.0), ValueError, r"lam must be in \[0, inf\), got -1"),
    (lambda: ActivityL1("1"), TypeError, "lam must be a real number"),
    (lambda: ActivityL1(1.0).value(), RuntimeError, "call forward before value"),
    (lambda: fraction_inactive(np.ones(3), tol=-1), ValueError, "tol must be in"),
    (lambda: fraction_inactive(np.array([np.nan])), ValueError, "H contains NaN"),
])
def test_bad_input_names_the_argument(make, error, match):
    with pytest.raises(error, match=match):
        make()
