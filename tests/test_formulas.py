"""Properties of the formulas that mutation testing (tools/mutation.py) showed untested.

Each test states a property of the math, so that changing the formula in the package
(a scale, a sign, a boundary) fails it.
"""

import numpy as np
import pytest

from reglab import (
    L2,
    SGD,
    Dense,
    Dropout,
    ElasticNet,
    ReLU,
    Sequential,
    Tanh,
    mean_squared_error,
    softmax_cross_entropy,
)
from reglab.activity import fraction_inactive
from reglab.adversarial import fgsm
from reglab.conv import Conv1D
from reglab.coordinate import lasso_coordinate_descent
from reglab.gradcheck import numerical_gradient, relative_error
from reglab.invariance import mean_and_spread
from reglab.landscape import rescale_hidden_unit
from reglab.layers import is_weight
from reglab.multitask import MultiHead, MultiTaskLoss, train_multitask
from reglab.normalization import BatchNorm
from reglab.optim import clip_by_global_norm
from reglab.schedules import Scheduled
from reglab.train import Callback, EarlyStopping, History, accuracy, fit, train_step

# ---------------------------------------------------------------- layers

@pytest.mark.parametrize("init, variance", [("he", lambda n_in, n_out: 2 / n_in),
                                            ("xavier", lambda n_in, n_out: 2 / (n_in + n_out))])
def test_initial_weights_have_the_he_and_xavier_variance(init, variance):
    # 40 000 draws: the sample variance is within ~0.7 % (one standard error) of the
    # true one, so 5 % separates the right scale from a wrong factor (e.g. √2 on the std).
    n_in, n_out = 100, 400
    W = Dense(n_in, n_out, rng=np.random.default_rng(0), init=init).params["W"]
    assert abs(W.mean()) < 0.01 * np.sqrt(variance(n_in, n_out))
    assert W.var() == pytest.approx(variance(n_in, n_out), rel=0.05)


def test_relu_is_max_of_z_and_zero_with_zero_slope_at_zero():
    z = np.array([[-1.0, 0.0, 0.25, 1.0, 3.0]])
    relu = ReLU()
    np.testing.assert_array_equal(relu.forward(z), np.maximum(z, 0.0))
    np.testing.assert_array_equal(relu.backward(np.ones_like(z)), [[0.0, 0.0, 1.0, 1.0, 1.0]])


def test_relu_output_has_the_dtype_of_each_input_whatever_came_before():
    """float32 then int32 inputs of one shape (and one layout): each output keeps its input's
    dtype and values, although the layer reuses what it can between calls."""
    relu = ReLU()
    z = np.array([[-1, 2, 3], [4, -5, 0]])
    for dtype in (np.float32, np.int32, np.float32):
        out = relu.forward(z.astype(dtype))
        assert out.dtype == dtype
        np.testing.assert_array_equal(out, [[0, 2, 3], [4, 0, 0]])


def test_is_weight_picks_the_weight_matrices_only():
    assert is_weight("W") and is_weight("3.W") and is_weight("1.2.W")
    assert not is_weight("b") and not is_weight("3.b") and not is_weight("0.Wb")


def test_predict_is_the_argmax_or_the_sign_of_a_single_logit(rng):
    X = rng.standard_normal((30, 3))
    multi = Sequential([Dense(3, 4, rng=rng)])
    np.testing.assert_array_equal(multi.predict(X), np.argmax(multi.forward(X), axis=1))
    single = Sequential([Dense(3, 1, rng=rng)])
    logit = single.forward(X)[:, 0]
    np.testing.assert_array_equal(single.predict(X), (logit > 0).astype(int))
    single.params["0.b"][...] = -(X[:1] @ single.params["0.W"])[0]
    assert single.predict(X[:1])[0] == 0    # a logit of exactly 0 is class 0


def test_backward_without_input_gradient_through_a_model_without_parameters():
    model = Sequential([Tanh()])
    x = np.array([[0.5, -2.0]])
    model.forward(x)
    assert model.backward(np.ones_like(x), input_grad=False) is None
    np.testing.assert_allclose(model.backward(np.ones_like(x)), 1 - np.tanh(x) ** 2)


# ---------------------------------------------------------------- train

def test_train_step_penalty_uses_the_training_set_size_not_the_batch_size(rng):
    # A step on a batch of B = 5 rows of a training set of m = 40: the weights move by
    # lr·(∂L_batch/∂W + (λ/m)·W), the gradient of the λ/2m penalty; biases are not penalized.
    m, B, lr, lam = 40, 5, 0.1, 3.0
    model = Sequential([Dense(4, 3, rng=rng), ReLU(), Dense(3, 2, rng=rng)])
    Xb, yb = rng.standard_normal((B, 4)), rng.integers(0, 2, B)
    model.forward(Xb, train=True, rng=rng)
    model.backward(softmax_cross_entropy(model.forward(Xb), yb)[1])
    data_grads = {k: g.copy() for k, g in model.grads.items()}
    before = {k: p.copy() for k, p in model.params.items()}

    train_step(model, Xb, yb, loss=softmax_cross_entropy, optimizer=SGD(lr), penalty=L2(lam),
               m=m, rng=rng)

    for k, p in model.params.items():
        decay = lam / m * before[k] if is_weight(k) else 0.0
        np.testing.assert_allclose(p, before[k] - lr * (data_grads[k] + decay), rtol=1e-12)


def test_accuracy_of_one_logit_is_its_sign_and_of_several_the_argmax():
    # one output: class 1 when the logit is > 0 (a logit of 0 is class 0)
    single = np.array([[-1.0], [0.0], [0.5], [2.0]])
    assert accuracy(single, np.array([0, 0, 1, 1])) == 1.0
    assert accuracy(single, np.array([1, 1, 1, 1])) == 0.5
    logits = np.array([[0.1, 0.7, 0.2], [3.0, 1.0, 0.0], [0.0, 0.0, 5.0], [1.0, 2.0, 0.0]])
    assert accuracy(logits, np.array([1, 0, 0, 0])) == 0.5
    assert accuracy(logits, np.array([[1], [0], [2], [1]])) == 1.0   # labels as a column


def test_fit_records_the_penalty_with_the_training_set_size_and_runs_every_epoch(rng):
    X, y = rng.standard_normal((24, 3)), rng.integers(0, 2, 24)
    model = Sequential([Dense(3, 2, rng=rng)])
    penalty = L2(5.0)
    hist = fit(model, (X, y), loss=softmax_cross_entropy, optimizer=SGD(0.1), epochs=3,
               rng=rng, penalty=penalty, batch_size=8, callbacks=[Callback()], progress=False)
    assert hist.epochs == 3                       # a plain Callback never stops training
    assert hist.penalty[-1] == pytest.approx(penalty.value(model.weights().values(), 24))
    plain = fit(model, (X, y), loss=softmax_cross_entropy, optimizer=SGD(0.1), epochs=2,
                rng=rng, progress=False)
    assert plain.penalty == [0.0, 0.0]


def test_train_step_trains_with_dropout_on_and_the_given_rng():
    # the step is the gradient of the network with the dropout mask that rng draws
    rng = np.random.default_rng(7)
    model = Sequential([Dense(5, 6, rng=rng), Dropout(0.5), Dense(6, 3, rng=rng)])
    Xb, yb = rng.standard_normal((4, 5)), rng.integers(0, 3, 4)
    before = {k: p.copy() for k, p in model.params.items()}
    model.backward(softmax_cross_entropy(model.forward(Xb, train=True,
                                                       rng=np.random.default_rng(3)), yb)[1])
    expected = {k: before[k] - 0.5 * g for k, g in model.grads.items()}
    train_step(model, Xb, yb, loss=softmax_cross_entropy, optimizer=SGD(0.5), penalty=None,
               m=4, rng=np.random.default_rng(3))
    for k, p in model.params.items():
        np.testing.assert_allclose(p, expected[k], rtol=1e-12)
    assert not np.allclose(model.layers[1].mask, 1.0)


@pytest.mark.parametrize("monitor, sign", [("val_loss", 1.0), ("val_acc", -1.0)])
def test_early_stopping_improvement_is_strictly_more_than_min_delta(monitor, sign):
    # a loss that drops (an accuracy that rises) by 0.6 < min_delta = 1, then stays equal:
    # no epoch improves on the first, so training stops after `patience` epochs
    es = EarlyStopping(patience=2, min_delta=1.0, monitor=monitor, restore_best=False)
    es.on_train_begin(None)
    hist, stops = History(), []
    for value in [0.0, -0.6, -0.6]:
        getattr(hist, monitor).append(sign * value)
        stops.append(es.on_epoch_end(len(stops), hist, None))
    assert stops == [False, False, True] and es.best_epoch == 0
    es = EarlyStopping(patience=1, monitor=monitor, restore_best=False)   # min_delta = 0
    es.on_train_begin(None)
    hist = History()
    getattr(hist, monitor).extend([0.3, 0.3])
    assert [es.on_epoch_end(0, hist, None), es.on_epoch_end(1, hist, None)] == [False, True]
    assert es.best_epoch == 0                     # an equal value is no improvement


# ---------------------------------------------------------------- penalties

def test_elastic_net_gradient_is_zero_at_zero_weights_and_mixes_l1_and_l2():
    W = np.array([[0.0, -2.0], [0.5, 0.0]])
    lam, m, r = 4.0, 8, 0.25
    expected = lam / (2 * m) * (r * np.sign(W) + 2 * (1 - r) * W)
    np.testing.assert_array_equal(ElasticNet(lam, l1_ratio=r).grad(W, m), expected)


# ---------------------------------------------------------------- gradcheck

def test_numerical_gradient_is_the_central_difference_and_restores_x():
    x = np.array([[0.5, -1.0, 2.0]])
    start = x.copy()
    grad = numerical_gradient(lambda: float(np.sum(x**3)), x, h=1e-4)
    np.testing.assert_allclose(grad, 3 * start**2, rtol=1e-7)   # O(h²) error: 1e-8
    np.testing.assert_array_equal(x, start)


def test_relative_error_is_zero_one_and_scale_free():
    a, b = np.array([3.0, -4.0]), np.array([1.0, 2.0])
    assert relative_error(a, a) == 0.0 and relative_error(a, -a) == 1.0
    expected = np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))
    for scale in (1e-8, 1.0, 1e8):
        assert relative_error(scale * a, scale * b) == pytest.approx(expected, rel=1e-12)
    assert relative_error(np.zeros(2), np.zeros(2)) == 0.0


# ---------------------------------------------------------------- schedules

def test_reset_of_a_scheduled_optimizer_restores_the_rate_of_step_zero():
    opt = Scheduled(SGD(1.0), lambda k: 1.0 / (k + 1))    # a new rate at every step
    p, g = {"w": np.zeros(1)}, {"w": np.ones(1)}
    assert opt.lr == 1.0
    opt.step(p, g)
    opt.step(p, g)
    assert opt.lr == 0.5                                  # the rate of step k = 1
    opt.reset()
    assert opt.lr == 1.0


# ---------------------------------------------------------------- activity

def test_fraction_inactive_counts_small_values_of_either_sign():
    H = np.array([[-5.0, -1e-4, 0.0, 1e-4], [2.0, -2.0, 3.0, -3.0]])
    assert fraction_inactive(H) == 1 / 8
    assert fraction_inactive(H, tol=1e-3) == 3 / 8


# ---------------------------------------------------------------- adversarial

def test_fgsm_moves_by_eps_along_the_gradient_sign_and_not_where_it_is_zero(rng):
    model = Sequential([Dense(3, 2, rng=rng)])
    model.params["0.W"][0] = 0.0                 # the loss does not depend on feature 0
    X, y = rng.standard_normal((5, 3)), rng.integers(0, 2, 5)
    X_adv = fgsm(model, X, y, loss=softmax_cross_entropy, eps=0.1)
    np.testing.assert_array_equal(X_adv[:, 0], X[:, 0])
    np.testing.assert_allclose(np.abs(X_adv[:, 1:] - X[:, 1:]), 0.1, rtol=1e-12)
    assert softmax_cross_entropy(model.forward(X_adv), y)[0] \
        > softmax_cross_entropy(model.forward(X), y)[0]


# ---------------------------------------------------------------- coordinate, normalization

def test_lasso_coordinate_descent_returns_the_last_iterate(rng):
    X, y = rng.standard_normal((20, 3)), rng.standard_normal(20)
    w, b, path = lasso_coordinate_descent(X, y, lam=0.5, sweeps=1)   # far from converged
    assert not np.allclose(path[-1], path[-2])
    np.testing.assert_array_equal(w, path[-1])
    assert b == pytest.approx(y.mean() - X.mean(axis=0) @ w)


def test_batch_norm_in_eval_mode_scales_by_gamma_and_shifts_by_beta():
    bn = BatchNorm(2, eps=1e-12)
    bn.buffers["running_mean"][...] = [2.0, -1.0]
    bn.buffers["running_var"][...] = [4.0, 1.0]
    bn.params["gamma"][...] = [3.0, 0.5]
    bn.params["beta"][...] = [1.0, -2.0]
    X = np.array([[2.0, 0.0], [6.0, 1.0]])
    expected = [3.0, 0.5] * (X - [2.0, -1.0]) / [2.0, 1.0] + [1.0, -2.0]
    np.testing.assert_allclose(bn.forward(X), expected, rtol=1e-9)


def test_mean_and_spread_is_the_mean_and_the_sample_standard_deviation():
    mean, spread = mean_and_spread([1.0, 2.0, 3.0, 6.0])
    assert mean == 3.0
    assert spread == pytest.approx(np.sqrt((4 + 1 + 0 + 9) / 3))     # 1/(n - 1)
    assert mean_and_spread([5.0]) == (5.0, 0.0)
    assert mean_and_spread([1.0, 3.0]) == (2.0, pytest.approx(np.sqrt(2.0)))   # two seeds


@pytest.mark.parametrize("init, variance", [("he", lambda c_in, c_out, K: 2 / (c_in * K)),
                                            ("xavier", lambda c_in, c_out, K: 2 / ((c_in + c_out) * K))])
def test_conv_initial_weights_count_the_kernel_in_fan_in_and_fan_out(init, variance):
    c_in, c_out, K = 8, 120, 5       # 4 800 weights: the sample variance is within ~2 %
    W = Conv1D(c_in, c_out, K, rng=np.random.default_rng(1), init=init).params["W"]
    assert W.var() == pytest.approx(variance(c_in, c_out, K), rel=0.1)


# ---------------------------------------------------------------- landscape

def test_rescaling_a_relu_unit_scales_its_weights_and_keeps_the_function(rng):
    model = Sequential([Dense(3, 4, rng=rng), ReLU(), Dense(4, 2, rng=rng)])
    model.params["0.b"][...] = rng.standard_normal(4)
    X = rng.standard_normal((6, 3))
    before, out = model.state(), model.forward(X)
    state = rescale_hidden_unit(model, 0, 1, 3.0)
    np.testing.assert_allclose(state["0.W"][:, 1], 3.0 * before["0.W"][:, 1])
    np.testing.assert_allclose(state["0.b"][1], 3.0 * before["0.b"][1])
    np.testing.assert_allclose(state["2.W"][1], before["2.W"][1] / 3.0)
    model.load_state(state)
    np.testing.assert_allclose(model.forward(X), out, rtol=1e-12)


# ---------------------------------------------------------------- multitask

def test_three_heads_split_the_output_and_the_epoch_cost_is_the_mean_batch_loss(rng):
    trunk = Sequential([Dense(3, 4, rng=rng), ReLU()])
    model = MultiHead(trunk, [Sequential([Dense(4, k, rng=rng)]) for k in (1, 2, 3)])
    loss = MultiTaskLoss([mean_squared_error] * 3, outputs=[1, 2, 3], targets=[1, 2, 3],
                         weights=[1.0, 0.5, 2.0])
    X, Y = rng.standard_normal((16, 3)), rng.standard_normal((16, 6))
    out = model.forward(X)
    assert [o.shape[1] for o in model.split(out)] == [1, 2, 3]
    parts = [mean_squared_error(out[:, a:b], Y[:, a:b])[0] for a, b in ((0, 1), (1, 3), (3, 6))]
    np.testing.assert_allclose(loss.task_values(out, Y), parts, rtol=1e-12)
    assert loss(out, Y)[0] == pytest.approx(parts[0] + 0.5 * parts[1] + 2.0 * parts[2])
    # a step too small to move: the epoch cost is the mean over 4 equal batches = J(all)
    costs = train_multitask(model, (X, Y), loss=loss, optimizer=SGD(1e-12), epochs=1,
                            batch_size=4, rng=rng)
    assert costs[0] == pytest.approx(loss(model.forward(X), Y)[0], rel=1e-6)


# ---------------------------------------------------------------- optim

def test_clipping_below_norm_one_and_of_zero_gradients():
    grads = {"a": np.array([0.3]), "b": np.array([[0.4]])}          # norm 0.5 < 1
    clipped, norm = clip_by_global_norm(grads, 0.1)
    assert norm == pytest.approx(0.5)
    np.testing.assert_allclose(clipped["a"], [0.06])
    np.testing.assert_allclose(clipped["b"], [[0.08]])
    zero, norm = clip_by_global_norm({"a": np.zeros(3)}, 1.0)
    assert norm == 0.0
    np.testing.assert_array_equal(zero["a"], np.zeros(3))
