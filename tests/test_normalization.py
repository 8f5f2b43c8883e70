"""BatchNorm: forward formulas, gradients, train/eval, running statistics as state, bad input."""

import numpy as np
import pytest

from reglab import (
    SGD,
    Dense,
    EarlyStopping,
    ReLU,
    Sequential,
    fit,
    is_weight,
    softmax_cross_entropy,
)
from reglab.gradcheck import check_model_gradients, numerical_gradient, relative_error
from reglab.layers import Layer
from reglab.normalization import BatchNorm
from reglab.optim import DecoupledWeightDecay


def _bn_with_params(n, rng, dtype=np.float64):
    bn = BatchNorm(n, dtype=dtype)
    bn.params["gamma"][...] = rng.uniform(0.5, 2.0, n)
    bn.params["beta"][...] = rng.normal(size=n)
    return bn


def test_forward_standardizes_each_column_with_the_biased_variance():
    rng = np.random.default_rng(0)
    X = rng.normal(loc=3.0, scale=[0.5, 2.0, 10.0], size=(64, 3))
    bn = BatchNorm(3, eps=1e-12)
    Y = bn.forward(X, train=True)
    np.testing.assert_allclose(Y.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Y.var(axis=0), 1, rtol=1e-9)          # biased: ddof=0
    gamma, beta = np.array([2.0, 0.5, -1.0]), np.array([1.0, -2.0, 0.0])
    bn.params["gamma"][...], bn.params["beta"][...] = gamma, beta
    Y = bn.forward(X, train=True)
    expected = gamma * (X - X.mean(0)) / np.sqrt(X.var(0) + 1e-12) + beta
    np.testing.assert_allclose(Y, expected, rtol=1e-12)


def test_eps_sits_inside_the_square_root():
    X = np.array([[0.0], [2.0]])                                        # mean 1, var 1
    bn = BatchNorm(1, eps=0.21)
    Y = bn.forward(X, train=True)
    np.testing.assert_allclose(Y[:, 0], [-1 / 1.1, 1 / 1.1])            # sqrt(1 + 0.21) = 1.1


def test_constant_feature_in_a_batch_gives_beta_not_nan():
    X = np.column_stack([np.full(5, 7.0), np.arange(5.0)])
    bn = BatchNorm(2)
    bn.params["beta"][...] = [0.3, 0.0]
    Y = bn.forward(X, train=True)
    assert np.all(np.isfinite(Y)) and np.allclose(Y[:, 0], 0.3)


@pytest.mark.parametrize("shape", [(6, 4), (2, 3), (17, 1)])
def test_backward_matches_numerical_gradients(shape):
    rng = np.random.default_rng(1)
    m, n = shape
    X = rng.normal(loc=1.0, scale=2.0, size=shape)
    G = rng.normal(size=shape)                                          # upstream dL/dY
    bn = _bn_with_params(n, rng)

    def loss():
        return float(np.sum(bn.forward(X, train=True) * G))

    loss()
    bn.forward(X, train=True)
    dX = bn.backward(G)
    assert relative_error(dX, numerical_gradient(loss, X)) < 1e-7
    assert relative_error(bn.grads["gamma"], numerical_gradient(loss, bn.params["gamma"])) < 1e-7
    assert relative_error(bn.grads["beta"], numerical_gradient(loss, bn.params["beta"])) < 1e-7


def test_compact_backward_equals_the_step_by_step_chain_rule():
    rng = np.random.default_rng(2)
    X, G = rng.normal(size=(8, 3)), rng.normal(size=(8, 3))
    bn = _bn_with_params(3, rng)
    bn.forward(X, train=True)
    dX = bn.backward(G)
    # the computational graph, one node at a time
    m, eps, gamma = len(X), bn.eps, bn.params["gamma"]
    mu = X.mean(0)
    xc = X - mu
    var = (xc**2).mean(0)
    inv = 1 / np.sqrt(var + eps)
    dxhat = G * gamma
    dvar = np.sum(dxhat * xc, 0) * -0.5 * inv**3
    dmu = -np.sum(dxhat * inv, 0) + dvar * -2 * xc.mean(0)
    expected = dxhat * inv + dvar * 2 * xc / m + dmu / m
    np.testing.assert_allclose(dX, expected, rtol=1e-10)


def test_whole_network_gradient_check_with_batch_norm():
    rng = np.random.default_rng(3)
    model = Sequential([Dense(5, 7, rng=rng), BatchNorm(7), ReLU(), Dense(7, 4, rng=rng),
                        BatchNorm(4), ReLU(), Dense(4, 3, rng=rng)])
    model.layers[1].params["gamma"][...] = rng.uniform(0.5, 2, 7)
    model.layers[4].params["beta"][...] = rng.normal(size=4)
    X, y = rng.normal(size=(10, 5)), rng.integers(0, 3, 10)
    errors = check_model_gradients(model, X, y, softmax_cross_entropy)
    assert {"1.gamma", "1.beta", "4.gamma", "4.beta"} <= set(errors)
    # a bias right before batch norm is subtracted again with the mean: its true gradient is
    # 0 (relative error meaningless), and backprop must give 0 up to rounding
    for k in ("0.b", "3.b"):
        assert np.max(np.abs(model.grads[k])) < 1e-12
    assert max(v for k, v in errors.items() if k not in ("0.b", "3.b")) < 1e-7, errors


def test_input_gradient_false_fills_grads_and_returns_none():
    rng = np.random.default_rng(4)
    bn = _bn_with_params(3, rng)
    X, G = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    bn.forward(X, train=True)
    assert bn.backward(G, input_grad=False) is None
    bn2 = _bn_with_params(3, np.random.default_rng(4))
    bn2.forward(X, train=True)
    bn2.backward(G)
    np.testing.assert_array_equal(bn.grads["gamma"], bn2.grads["gamma"])
    # as the first trainable layer of a Sequential, backward(input_grad=False) reaches it
    model = Sequential([BatchNorm(3), Dense(3, 2, rng=rng)])
    model.forward(X, train=True)
    assert model.backward(np.ones((5, 2)), input_grad=False) is None
    assert np.all(model.grads["0.beta"] != 0)


def test_running_statistics_update_in_training_only():
    rng = np.random.default_rng(5)
    bn = BatchNorm(2, momentum=0.8)
    X = rng.normal(loc=[1.0, -3.0], scale=[2.0, 0.5], size=(50, 2))
    bn.forward(X)                                                        # evaluation: no update
    np.testing.assert_array_equal(bn.buffers["running_mean"], [0, 0])
    np.testing.assert_array_equal(bn.buffers["running_var"], [1, 1])
    bn.forward(X, train=True)
    np.testing.assert_allclose(bn.buffers["running_mean"], 0.2 * X.mean(0))
    np.testing.assert_allclose(bn.buffers["running_var"], 0.8 + 0.2 * X.var(0))
    for _ in range(200):
        bn.forward(X, train=True)
    np.testing.assert_allclose(bn.buffers["running_mean"], X.mean(0), rtol=1e-10)
    np.testing.assert_allclose(bn.buffers["running_var"], X.var(0), rtol=1e-10)
    # evaluation then uses them: one example alone gets the same output as in the full batch
    Y_train = bn.forward(X, train=True)
    Y_eval = np.vstack([bn.forward(X[i:i + 1]) for i in range(len(X))])
    np.testing.assert_allclose(Y_eval, Y_train, rtol=1e-6, atol=1e-9)


def test_eval_uses_running_statistics_not_the_batch():
    bn = BatchNorm(1, eps=1e-12)
    bn.buffers["running_mean"][...] = 2.0
    bn.buffers["running_var"][...] = 4.0
    np.testing.assert_allclose(bn.forward(np.array([[2.0], [6.0]]))[:, 0], [0.0, 2.0])


def test_batch_of_one_in_training_is_a_clear_error():
    bn = BatchNorm(3)
    with pytest.raises(ValueError, match=r"at least 2 rows in training mode.*got 1"):
        bn.forward(np.ones((1, 3)), train=True)
    out = bn.forward(np.ones((1, 3)))                                    # evaluation: fine
    assert np.all(np.isfinite(out))


def test_gamma_and_beta_are_not_weights():
    model = Sequential([Dense(3, 4, rng=np.random.default_rng(0)), BatchNorm(4)])
    assert not is_weight("1.gamma") and not is_weight("1.beta")
    assert set(model.weights()) == {"0.W"}
    params = {k: v.copy() for k, v in model.params.items()}
    zero = {k: np.zeros_like(v) for k, v in params.items()}
    DecoupledWeightDecay(SGD(lr=0.1), weight_decay=0.5).step(params, zero)
    np.testing.assert_array_equal(params["1.gamma"], 1.0)               # not decayed
    assert np.allclose(params["0.W"], 0.95 * model.params["0.W"])        # the weight is


def test_buffers_are_in_state_and_restored_but_not_trained():
    rng = np.random.default_rng(6)
    model = Sequential([Dense(3, 4, rng=rng), BatchNorm(4), ReLU(), Dense(4, 2, rng=rng)])
    assert set(model.buffers) == {"1.running_mean", "1.running_var"}
    assert not set(model.buffers) & set(model.params)
    saved = model.state()
    assert set(saved) == set(model.params) | set(model.buffers)
    X = rng.normal(size=(8, 3))
    model.forward(X, train=True)
    assert not np.allclose(model.buffers["1.running_mean"], 0)
    model.load_state(saved)
    np.testing.assert_array_equal(model.buffers["1.running_mean"], 0)
    np.testing.assert_array_equal(model.layers[1].buffers["running_var"], 1)  # same arrays
    with pytest.raises(ValueError, match="state must have the keys"):
        model.load_state({k: v for k, v in saved.items() if k != "1.running_var"})


def test_early_stopping_restores_the_running_statistics_of_the_best_epoch():
    class Recorder(EarlyStopping):
        def on_epoch_end(self, epoch, history, model):
            self.seen = getattr(self, "seen", []) + [model.state()]
            return super().on_epoch_end(epoch, history, model)

    rng = np.random.default_rng(7)
    X = rng.normal(size=(60, 4))
    y = (X[:, 0] > 0).astype(int)
    model = Sequential([Dense(4, 8, rng=rng), BatchNorm(8), ReLU(), Dense(8, 2, rng=rng)])
    stopper = Recorder(patience=2, monitor="train_loss")
    fit(model, (X, y), loss=softmax_cross_entropy, optimizer=SGD(lr=2.0), epochs=8,
        batch_size=20, rng=rng, callbacks=[stopper], progress=False)
    best = stopper.seen[stopper.best_epoch]
    for k in model.buffers:
        np.testing.assert_array_equal(model.buffers[k], best[k])
    # the statistics did change from epoch to epoch, so restoring them is not a no-op
    assert any(not np.array_equal(s["1.running_mean"], best["1.running_mean"])
               for s in stopper.seen)


def test_layers_without_buffers_keep_the_old_state():
    rng = np.random.default_rng(8)
    model = Sequential([Dense(2, 3, rng=rng), ReLU(), Dense(3, 1, rng=rng)])
    assert model.buffers == {} and set(model.state()) == set(model.params)
    assert Layer().buffers == {}


def test_float32():
    rng = np.random.default_rng(9)
    bn = BatchNorm(3, dtype=np.float32)
    X = rng.normal(size=(4, 3)).astype(np.float32)
    Y = bn.forward(X, train=True)
    assert Y.dtype == np.float32 and bn.buffers["running_var"].dtype == np.float32
    assert bn.backward(np.ones_like(Y)).dtype == np.float32


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"n_features": 0}, ValueError, "n_features must be >= 1"),
    ({"n_features": 2.5}, TypeError, "n_features must be an integer"),
    ({"n_features": 2, "momentum": 1.0}, ValueError, r"momentum must be in \[0, 1\)"),
    ({"n_features": 2, "momentum": -0.1}, ValueError, "momentum"),
    ({"n_features": 2, "eps": 0.0}, ValueError, r"eps must be in \(0, inf\)"),
    ({"n_features": 2, "eps": "small"}, TypeError, "eps must be a real number"),
    ({"n_features": 2, "dtype": np.int64}, TypeError, "dtype must be a floating type"),
])
def test_bad_constructor_arguments(kwargs, error, match):
    n = kwargs.pop("n_features")
    with pytest.raises(error, match=match):
        BatchNorm(n, **kwargs)


def test_bad_inputs():
    bn = BatchNorm(3)
    with pytest.raises(ValueError, match=r"X must have shape \(m, 3\), got \(4, 2\)"):
        bn.forward(np.ones((4, 2)), train=True)
    with pytest.raises(ValueError, match=r"X must have shape \(m, 3\), got \(3,\)"):
        bn.forward(np.ones(3))
    with pytest.raises(TypeError, match="X must hold real numbers"):
        bn.forward(np.array([["a", "b", "c"]]))
    with pytest.raises(RuntimeError, match="BatchNorm.backward was called before forward"):
        BatchNorm(2).backward(np.ones((3, 2)))
    bn.forward(np.ones((4, 3)), train=True)
    with pytest.raises(ValueError, match=r"dout must have the shape \(4, 3\)"):
        bn.backward(np.ones((3, 4)))


def test_backward_after_an_evaluation_forward_is_the_affine_map_gradient():
    rng = np.random.default_rng(3)
    bn = BatchNorm(3)
    for _ in range(5):  # running statistics away from their initial 0 and 1
        bn.forward(rng.standard_normal((8, 3)) * 2 + 1, train=True)
    bn.params["gamma"][...] = [0.5, -2.0, 1.5]
    X, G = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    bn.forward(X)
    dX = bn.backward(G)
    std = np.sqrt(bn.buffers["running_var"] + bn.eps)
    np.testing.assert_allclose(dX, bn.params["gamma"] * G / std, rtol=1e-12)
    x_hat = (X - bn.buffers["running_mean"]) / std
    np.testing.assert_allclose(bn.grads["gamma"], (G * x_hat).sum(0), rtol=1e-12)
    np.testing.assert_allclose(bn.grads["beta"], G.sum(0), rtol=1e-12)
    Z = X.copy()
    num = numerical_gradient(lambda: float(np.sum(G * bn.forward(Z))), Z)
    np.testing.assert_allclose(dX, num, rtol=1e-6, atol=1e-9)
