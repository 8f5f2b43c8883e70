import numpy as np
import pytest

from reglab import binary_cross_entropy, mean_squared_error, softmax_cross_entropy
from reglab.losses import log_softmax


def test_softmax_cross_entropy_closed_form():
    logits = np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]])
    y = np.array([0, 2])
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    value, grad = softmax_cross_entropy(logits, y)
    assert value == pytest.approx(-(np.log(p[0, 0]) + np.log(p[1, 2])) / 2, rel=1e-12)
    expected = p.copy()
    expected[[0, 1], y] -= 1
    np.testing.assert_allclose(grad, expected / 2, rtol=1e-12)
    assert softmax_cross_entropy(np.zeros((4, 10)), np.arange(4))[0] == pytest.approx(np.log(10))


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]])
    value, grad = softmax_cross_entropy(logits, np.array([0, 0]))
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    assert value == pytest.approx((0 + 2e4) / 2)
    np.testing.assert_allclose(log_softmax(logits)[0], [0, -2e4, -1e4])


def test_binary_cross_entropy_matches_naive_formula_and_is_stable():
    z = np.array([[-3.0], [0.5], [2.0]])
    y = np.array([0, 1, 1])
    s = 1 / (1 + np.exp(-z[:, 0]))
    naive = -np.mean(y * np.log(s) + (1 - y) * np.log(1 - s))
    value, grad = binary_cross_entropy(z, y)
    assert value == pytest.approx(naive, rel=1e-12)
    np.testing.assert_allclose(grad[:, 0], (s - y) / 3, rtol=1e-12)
    value, grad = binary_cross_entropy(np.array([[1e4], [-1e4], [1e4]]), np.array([1, 0, 0]))
    assert value == pytest.approx(1e4 / 3) and np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad[:, 0], [0, 0, 1 / 3])


def test_mean_squared_error():
    pred = np.array([[1.0], [2.0], [4.0]])
    value, grad = mean_squared_error(pred, np.array([1.0, 1.0, 1.0]))
    assert value == pytest.approx((0 + 1 + 9) / 3)
    np.testing.assert_allclose(grad[:, 0], 2 * np.array([0.0, 1.0, 3.0]) / 3)


@pytest.mark.parametrize("loss", [softmax_cross_entropy, binary_cross_entropy])
def test_gradient_is_mean_not_sum(loss):
    """Doubling the batch by repetition leaves the value unchanged and halves the gradient."""
    logits = np.array([[0.3, -0.2]]) if loss is softmax_cross_entropy else np.array([[0.3]])
    v1, g1 = loss(logits, np.array([1]))
    v2, g2 = loss(np.vstack([logits, logits]), np.array([1, 1]))
    assert v1 == pytest.approx(v2)
    np.testing.assert_allclose(g2[0], g1[0] / 2)


def test_softmax_cross_entropy_of_stacked_batches_is_each_batch_bit_for_bit():
    from reglab.losses import LABELS_CHECKED, _softmax_cross_entropy_groups

    rng = np.random.default_rng(5)
    logits = (3 * rng.standard_normal((3 * 17, 4))).astype(np.float32)
    y = rng.integers(0, 4, 3 * 17)
    values, grad = _softmax_cross_entropy_groups(logits, y, 3)
    for g in range(3):
        rows = slice(17 * g, 17 * (g + 1))
        value, alone = softmax_cross_entropy(logits[rows], y[rows])
        assert float(values[g]) == value
        np.testing.assert_array_equal(grad[rows], alone)
        assert LABELS_CHECKED[softmax_cross_entropy](logits[rows], y[rows])[0] == value
