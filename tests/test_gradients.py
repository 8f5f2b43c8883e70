"""Every backward pass against the central-difference gradient (float64, rel. error < 1e-7)."""

import numpy as np
import pytest

from reglab import (
    L1,
    L2,
    Dense,
    Dropout,
    ElasticNet,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
    binary_cross_entropy,
    check_model_gradients,
    mean_squared_error,
    numerical_gradient,
    relative_error,
    softmax_cross_entropy,
)

TOL = 1e-7


def _assert_all_small(errors):
    worst = max(errors, key=errors.get)
    assert errors[worst] < TOL, f"{worst}: relative error {errors[worst]:.2e}"


@pytest.mark.parametrize("activation", [ReLU, Tanh, Sigmoid])
def test_mlp_with_each_activation(rng, activation):
    model = Sequential([Dense(5, 7, rng=rng), activation(), Dense(7, 4, rng=rng)])
    X = rng.standard_normal((6, 5))
    y = rng.integers(0, 4, 6)
    _assert_all_small(check_model_gradients(model, X, y, softmax_cross_entropy))


@pytest.mark.parametrize("penalty", [L2(0.7), L1(0.7), ElasticNet(0.7, 0.3)])
def test_dense_with_penalty(rng, penalty):
    model = Sequential([Dense(4, 6, rng=rng), Tanh(), Dense(6, 3, rng=rng)])
    X = rng.standard_normal((5, 4))
    y = rng.integers(0, 3, 5)
    errors = check_model_gradients(model, X, y, softmax_cross_entropy, penalty=penalty, m=50)
    _assert_all_small(errors)


def test_dropout_with_fixed_mask(rng):
    model = Sequential([Dense(4, 8, rng=rng), ReLU(), Dropout(keep_prob=0.6),
                        Dense(8, 3, rng=rng)])
    X = rng.standard_normal((6, 4))
    y = rng.integers(0, 3, 6)
    _assert_all_small(check_model_gradients(model, X, y, softmax_cross_entropy, seed=3))
    # the mask really drops something, otherwise the check would not test dropout
    model.forward(X, train=True, rng=np.random.default_rng(3))
    assert 0 < np.mean(model.layers[2].mask == 0) < 1


def test_binary_cross_entropy_and_mse(rng):
    X = rng.standard_normal((7, 3))
    model = Sequential([Dense(3, 5, rng=rng), Tanh(), Dense(5, 1, rng=rng)])
    _assert_all_small(check_model_gradients(model, X, rng.integers(0, 2, 7),
                                            binary_cross_entropy))
    _assert_all_small(check_model_gradients(model, X, rng.standard_normal(7),
                                            mean_squared_error))


def test_input_gradient(rng):
    """dL/dX returned by backward matches the numerical gradient too."""
    model = Sequential([Dense(3, 4, rng=rng), Sigmoid(), Dense(4, 2, rng=rng)])
    X = rng.standard_normal((5, 3))
    y = rng.integers(0, 2, 5)
    dX = model.backward(softmax_cross_entropy(model.forward(X), y)[1])
    num = numerical_gradient(lambda: softmax_cross_entropy(model.forward(X), y)[0], X)
    assert relative_error(dX, num) < TOL


def test_check_catches_a_wrong_backward(rng):
    """The gradient check itself can fail: a Dense layer with a bug is caught."""

    class BuggyDense(Dense):
        def backward(self, dout):
            dX = super().backward(dout)
            self.grads["W"] *= 1.01
            return dX

    model = Sequential([BuggyDense(3, 2, rng=rng)])
    errors = check_model_gradients(model, rng.standard_normal((4, 3)), rng.integers(0, 2, 4),
                                   softmax_cross_entropy)
    assert errors["0.W"] > 1e-3
    assert errors["0.b"] < TOL


def test_backward_without_input_grad_fills_the_same_parameter_gradients(rng):
    model = Sequential([Dropout(0.9), Dense(3, 4, rng=rng), ReLU(), Dense(4, 2, rng=rng)])
    X = rng.standard_normal((5, 3))
    y = rng.integers(0, 2, 5)
    grads = []
    for input_grad in (True, False):
        out = model.forward(X, train=True, rng=np.random.default_rng(0))
        result = model.backward(softmax_cross_entropy(out, y)[1], input_grad=input_grad)
        assert (result is None) == (not input_grad)
        grads.append({k: g.copy() for k, g in model.grads.items()})
    for k in grads[0]:
        np.testing.assert_array_equal(grads[0][k], grads[1][k])
