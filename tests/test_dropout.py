import numpy as np
import pytest

from reglab import Dropout


@pytest.mark.parametrize("keep_prob", [0.2, 0.5, 0.8])
def test_keeps_keep_prob_of_units_and_scales_by_it(rng, keep_prob):
    X = np.ones((400, 250))
    out = Dropout(keep_prob).forward(X, train=True, rng=rng)
    kept = out != 0
    # 100,000 Bernoulli draws: the kept fraction is within 0.01 of keep_prob
    # (catches keep_prob and 1 - keep_prob swapped for every value tested)
    assert abs(kept.mean() - keep_prob) < 0.01
    np.testing.assert_allclose(out[kept], 1 / keep_prob)


def test_preserves_the_mean(rng):
    X = rng.uniform(0, 2, size=(2000, 50))
    out = Dropout(0.7).forward(X, train=True, rng=rng)
    assert out.mean() == pytest.approx(X.mean(), rel=0.01)


def test_identity_at_test_time(rng):
    X = rng.standard_normal((5, 4))
    layer = Dropout(0.5)
    assert layer.forward(X) is X
    assert layer.forward(X, train=False, rng=rng) is X
    np.testing.assert_array_equal(layer.backward(X), X)


def test_backward_reuses_the_forward_mask(rng):
    layer = Dropout(0.5)
    X = rng.standard_normal((20, 30))
    out = layer.forward(X, train=True, rng=rng)
    dout = rng.standard_normal((20, 30))
    dX = layer.backward(dout)
    np.testing.assert_array_equal(dX == 0, out == 0)
    np.testing.assert_allclose(dX, dout * layer.mask)
    np.testing.assert_allclose(layer.backward(dout), dX)  # no fresh mask on a second call


def test_same_seed_same_mask_and_keep_prob_one_is_identity():
    X = np.ones((10, 10))
    a = Dropout(0.5).forward(X, train=True, rng=np.random.default_rng(7))
    b = Dropout(0.5).forward(X, train=True, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(Dropout(1.0).forward(X, train=True, rng=np.random.default_rng(0)), X)


def test_from_rate():
    assert Dropout.from_rate(0.3).keep_prob == pytest.approx(0.7)


def test_float32_stays_float32(rng):
    X = np.ones((3, 3), dtype=np.float32)
    assert Dropout(0.5).forward(X, train=True, rng=rng).dtype == np.float32
