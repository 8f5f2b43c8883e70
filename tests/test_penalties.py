import numpy as np
import pytest

from reglab import L1, L2, Dense, ElasticNet, ReLU, Sequential


@pytest.fixture
def W():
    return np.array([[0.2, -0.1], [0.3, 0.4]])


def test_l2_closed_form(W):
    # ‖W‖²_F = 0.04 + 0.01 + 0.09 + 0.16 = 0.30
    assert L2(lam=2.0).value([W], m=10) == pytest.approx(2.0 / 20 * 0.30)
    np.testing.assert_allclose(L2(lam=2.0).grad(W, m=10), 2.0 / 10 * W)


def test_l1_closed_form_and_sign_of_zero(W):
    # ‖W‖₁ = 1.0 (INF721 exercise 5)
    assert L1(lam=3.0).value([W], m=6) == pytest.approx(3.0 / 12 * 1.0)
    Wz = np.array([[0.0, -2.0, 5.0]])
    np.testing.assert_array_equal(L1(lam=4.0).grad(Wz, m=2), [[0.0, -1.0, 1.0]])


def test_elastic_net_interpolates(W):
    for r, ref in [(1.0, L1(1.5)), (0.0, L2(1.5))]:
        en = ElasticNet(1.5, l1_ratio=r)
        assert en.value([W], 7) == pytest.approx(ref.value([W], 7))
        np.testing.assert_allclose(en.grad(W, 7), ref.grad(W, 7))
    half = ElasticNet(1.5, 0.5).value([W], 7)
    assert half == pytest.approx(0.5 * L1(1.5).value([W], 7) + 0.5 * L2(1.5).value([W], 7))


@pytest.mark.parametrize("cls", [L1, L2, ElasticNet])
def test_scaling_proportional_to_lambda_and_inverse_m(cls, W):
    base = cls(1.0).value([W], m=5)
    assert cls(3.0).value([W], m=5) == pytest.approx(3 * base)
    assert cls(1.0).value([W], m=10) == pytest.approx(base / 2)
    np.testing.assert_allclose(cls(3.0).grad(W, 10), 3 / 2 * cls(1.0).grad(W, 5))
    assert cls(0.0).value([W], 5) == 0.0


def test_sum_over_layers_and_biases_untouched(rng):
    model = Sequential([Dense(3, 4, rng=rng), ReLU(), Dense(4, 2, rng=rng)])
    model.params["0.b"][:] = 100.0  # huge biases must not change the penalty
    weights = model.weights()
    assert sorted(weights) == ["0.W", "2.W"]
    expected = 0.5 / (2 * 8) * sum(np.sum(w**2) for w in weights.values())
    assert L2(0.5).value(weights.values(), 8) == pytest.approx(expected)
