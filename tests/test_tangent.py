"""Tangent propagation: the shift tangent, the finite-difference penalty and its gradient."""

import numpy as np
import pytest

from reglab import (
    Adam,
    Dense,
    Dropout,
    ReLU,
    Sequential,
    Tanh,
    fit,
    numerical_gradient,
    relative_error,
    softmax_cross_entropy,
)
from reglab.normalization import BatchNorm
from reglab.tangent import TangentProp, shift_tangent


def tanh_net(rng, lam=0.7, eps=1e-3, tangent=shift_tangent):
    return TangentProp([Dense(6, 5, rng=rng), Tanh(), Dense(5, 3, rng=rng)],
                       lam=lam, tangent=tangent, eps=eps)


def relu_layers(rng, dtype=np.float64):
    return [Dense(6, 8, rng=rng, dtype=dtype), ReLU(), Dense(8, 8, rng=rng, dtype=dtype), ReLU(),
            Dense(8, 3, rng=rng, dtype=dtype)]


def test_shift_tangent_is_the_one_step_shift_minus_the_signal(rng):
    X = rng.standard_normal((4, 7))
    V = shift_tangent(X)
    assert V.shape == X.shape
    np.testing.assert_allclose(X + V, np.roll(X, 1, axis=1), rtol=0, atol=1e-15)  # ε = 1
    assert V[2, 0] == X[2, -1] - X[2, 0] and V[2, 3] == X[2, 2] - X[2, 3]
    np.testing.assert_allclose(X + 0.25 * V, 0.75 * X + 0.25 * np.roll(X, 1, axis=1))
    ramp = np.arange(10.0)[None, :]
    np.testing.assert_array_equal(shift_tangent(ramp)[0, 1:], -1.0)   # x_{t-1} - x_t


def test_evaluation_mode_is_the_plain_network(rng):
    model = tanh_net(rng)
    X = rng.standard_normal((5, 6))
    plain = Sequential(model.layers)
    np.testing.assert_array_equal(model.forward(X), plain.forward(X))
    with pytest.raises(RuntimeError, match="train=True"):
        model.penalty()


def test_training_pass_returns_f_of_x_and_the_penalty_follows_the_formula(rng):
    model = tanh_net(rng, lam=0.7, eps=0.05)
    X = rng.standard_normal((5, 6))
    out = model.forward(X, train=True)
    f_x = model.forward(X)
    f_moved = model.forward(X + 0.05 * shift_tangent(X))
    model.forward(X, train=True)
    np.testing.assert_allclose(out, f_x, rtol=1e-12)
    expected = 0.7 / (2 * 5) * np.sum((f_moved - f_x) ** 2) / 0.05**2     # λ/2B Σ‖Δ‖²/ε²
    assert model.penalty() == pytest.approx(expected, rel=1e-12)


def test_backprop_through_the_two_passes_is_the_gradient_of_loss_plus_penalty(rng):
    model = tanh_net(rng, lam=0.9, eps=0.1)
    X = rng.standard_normal((5, 6))
    y = rng.integers(0, 3, 5)

    def cost():
        value = softmax_cross_entropy(model.forward(X, train=True), y)[0]
        return value + model.penalty()

    model.backward(softmax_cross_entropy(model.forward(X, train=True), y)[1], input_grad=False)
    analytic = {k: g.copy() for k, g in model.grads.items()}
    for name, p in model.params.items():
        assert relative_error(analytic[name], numerical_gradient(cost, p)) < 1e-7, name
    plain = Sequential(model.layers)                 # the penalty really contributes
    plain.backward(softmax_cross_entropy(plain.forward(X), y)[1])
    assert relative_error(plain.grads["0.W"], analytic["0.W"]) > 1e-3


def test_the_finite_difference_is_the_directional_derivative_to_first_order(rng):
    X = rng.standard_normal((5, 6))
    V = shift_tangent(X)
    model = tanh_net(rng)
    h = 1e-5
    jv = (model.forward(X + h * V) - model.forward(X - h * V)) / (2 * h)   # J_f(x) v numerically
    errors = []
    for eps in (1e-1, 1e-2, 1e-3):
        model.eps = eps
        model.forward(X, train=True)
        errors.append(relative_error(model.delta / eps, jv))
    assert errors[0] < 0.5 and errors[2] < 2e-3
    assert 5 < errors[0] / errors[1] < 20 and 5 < errors[1] / errors[2] < 20   # O(ε)


def test_for_a_relu_network_the_difference_is_exact_without_a_sign_change(rng):
    model = TangentProp(relu_layers(rng), lam=1.0, tangent=shift_tangent, eps=1e-6)
    X = rng.standard_normal((20, 6))
    V = shift_tangent(X)
    Z = X @ model.params["0.W"] + model.params["0.b"]                 # forward mode: J_f(x) v
    dZ = V @ model.params["0.W"]
    for layer in ("2", "4"):
        on = Z > 0
        Z = np.where(on, Z, 0) @ model.params[f"{layer}.W"] + model.params[f"{layer}.b"]
        dZ = np.where(on, dZ, 0) @ model.params[f"{layer}.W"]
    model.forward(X, train=True)
    np.testing.assert_allclose(model.delta / 1e-6, dZ, rtol=1e-4, atol=1e-6)


def test_lam_zero_trains_like_the_plain_network():
    data_rng = np.random.default_rng(3)
    X = data_rng.standard_normal((60, 6))
    y = data_rng.integers(0, 3, 60)
    models = [TangentProp(relu_layers(np.random.default_rng(5)), lam=0.0, tangent=shift_tangent),
              Sequential(relu_layers(np.random.default_rng(5)))]
    for model in models:
        fit(model, (X, y), loss=softmax_cross_entropy, optimizer=Adam(lr=1e-2), epochs=5,
            batch_size=20, rng=np.random.default_rng(7), progress=False)
    for k, p in models[1].params.items():
        np.testing.assert_allclose(models[0].params[k], p, rtol=1e-10, atol=1e-12)


def test_fit_with_the_penalty_makes_the_output_flatter_along_the_tangent():
    data_rng = np.random.default_rng(4)
    X = data_rng.standard_normal((200, 6))
    y = (X[:, 0] > 0).astype(int) + (X[:, 3] > 0)
    flat = {}
    for lam in (0.0, 1.0):
        model = TangentProp(relu_layers(np.random.default_rng(2)), lam=lam,
                            tangent=shift_tangent, eps=0.01)
        fit(model, (X, y), loss=softmax_cross_entropy, optimizer=Adam(lr=1e-2), epochs=20,
            batch_size=50, rng=np.random.default_rng(6), progress=False)
        diff = model.forward(X + 0.01 * shift_tangent(X)) - model.forward(X)
        flat[lam] = np.mean(np.sum(diff**2, axis=1)) / 0.01**2
    assert flat[1.0] < 0.2 * flat[0.0]


def test_float32_models_compute_in_float32(rng):
    model = TangentProp(relu_layers(rng, np.float32), lam=0.5, tangent=shift_tangent)
    X = rng.standard_normal((4, 6)).astype(np.float32)
    out = model.forward(X, train=True)
    assert out.dtype == np.float32 and model.delta.dtype == np.float32
    model.backward(np.ones_like(out), input_grad=False)
    assert all(g.dtype == np.float32 for g in model.grads.values())


@pytest.mark.parametrize("kwargs, exc, words", [
    (dict(lam=-1.0), ValueError, "lam"),
    (dict(eps=0.0), ValueError, "eps"),
    (dict(tangent="shift"), TypeError, "tangent"),
])
def test_bad_arguments_are_refused_up_front(rng, kwargs, exc, words):
    args = dict(lam=0.1, tangent=shift_tangent, eps=0.01) | kwargs
    with pytest.raises(exc, match=words):
        TangentProp(relu_layers(rng), **args)


@pytest.mark.parametrize("layer", [Dropout(0.8), BatchNorm(8)])
def test_layers_that_differ_between_the_two_passes_are_refused(rng, layer):
    layers = [Dense(6, 8, rng=rng), layer, ReLU(), Dense(8, 3, rng=rng)]
    with pytest.raises(ValueError, match="layers\\[1\\]"):
        TangentProp(layers, lam=0.1, tangent=shift_tangent)
    assert not getattr(layers[0], "_in_model", False)       # refused before any work


def test_misuse_after_a_training_pass_is_explained(rng):
    model = TangentProp(relu_layers(rng), lam=0.1, tangent=lambda X: X[:, :3])
    with pytest.raises(ValueError, match="tangent must return"):
        model.forward(rng.standard_normal((4, 6)), train=True)
    model = TangentProp(relu_layers(rng), lam=0.1, tangent=shift_tangent)
    out = model.forward(rng.standard_normal((4, 6)), train=True)
    with pytest.raises(ValueError, match="evaluation mode"):
        model.backward(np.ones_like(out))
    with pytest.raises(ValueError, match="shape"):
        model.backward(np.ones((8, 3)), input_grad=False)
