"""Multi-head models, the weighted multi-task loss, parameter tying, the MNIST-1D factors."""

import numpy as np
import pytest

from reglab import (
    L2,
    SGD,
    Adam,
    BatchNorm,
    Dense,
    ReLU,
    Sequential,
    mean_squared_error,
    numerical_gradient,
    relative_error,
    softmax_cross_entropy,
    train_step,
)
from reglab.multitask import (
    MultiHead,
    MultiTaskLoss,
    mnist1d_factors,
    pack_targets,
    train_multitask,
    train_tied,
    tying_penalty,
)

TOL = 1e-7


def _model(rng, n_in=5, n_h=6, k=(4, 2)):
    trunk = Sequential([Dense(n_in, n_h, rng=rng), ReLU()])
    return MultiHead(trunk, [Sequential([Dense(n_h, kt, rng=rng)]) for kt in k])


def _data(rng, m=7):
    X = rng.standard_normal((m, 5))
    Y = pack_targets(rng.integers(0, 4, m), rng.standard_normal((m, 2)))
    return X, Y


LOSS = MultiTaskLoss([softmax_cross_entropy, mean_squared_error], outputs=[4, 2], targets=[1, 2],
                     weights=[1.0, 0.3])


def test_loss_is_the_weighted_sum_of_the_task_losses(rng):
    model = _model(rng)
    X, Y = _data(rng)
    out = model.forward(X)
    logits, reg = model.split(out)
    value, grad = LOSS(out, Y)
    ce, g_ce = softmax_cross_entropy(logits, Y[:, 0].astype(int))
    mse, g_mse = mean_squared_error(reg, Y[:, 1:])
    assert value == pytest.approx(ce + 0.3 * mse)
    np.testing.assert_allclose(grad, np.concatenate([g_ce, 0.3 * g_mse], axis=1))
    assert LOSS.task_values(out, Y) == pytest.approx([ce, mse])


def test_gradients_of_every_parameter(rng):
    model = _model(rng)
    X, Y = _data(rng)
    model.backward(LOSS(model.forward(X), Y)[1])
    analytic = {k: g.copy() for k, g in model.grads.items()}

    def cost():
        return LOSS(model.forward(X), Y)[0]

    for name, p in model.params.items():
        assert relative_error(analytic[name], numerical_gradient(cost, p)) < TOL, name


def test_trunk_gradient_is_the_weighted_sum_of_the_heads_gradients(rng):
    model = _model(rng)
    X, Y = _data(rng)
    out = model.forward(X)
    _, grad = LOSS(out, Y)
    model.backward(grad)
    both = {k: g.copy() for k, g in model.grads.items() if k.startswith("trunk")}
    per_task = []
    for t, w in enumerate(LOSS.weights):           # one task at a time, unweighted
        single = MultiTaskLoss(LOSS.losses, LOSS.outputs, LOSS.targets,
                               [1.0 if s == t else 0.0 for s in range(2)])
        model.forward(X)
        model.backward(single(out, Y)[1])
        per_task.append({k: w * model.grads[k].copy() for k in both})
    for k in both:
        np.testing.assert_allclose(both[k], per_task[0][k] + per_task[1][k], rtol=1e-12,
                                   atol=1e-14)


def test_train_step_and_train_multitask_lower_the_cost(rng):
    model = _model(rng)
    X, Y = _data(rng, m=40)
    before = LOSS(model.forward(X), Y)[0]
    train_step(model, X, Y, loss=LOSS, optimizer=SGD(lr=0.1), penalty=L2(0.1), m=40, rng=rng)
    costs = train_multitask(model, (X, Y), loss=LOSS, optimizer=Adam(lr=1e-2), epochs=30,
                            batch_size=10, rng=rng, penalty=L2(0.1))
    assert len(costs) == 30 and costs[-1] < 0.7 * costs[0]
    assert LOSS(model.forward(X), Y)[0] < before
    assert set(model.weights()) == {"trunk.0.W", "head0.0.W", "head1.0.W"}


def test_state_round_trip(rng):
    model = _model(rng)
    saved = model.state()
    for p in model.params.values():
        p += 1.0
    model.load_state(saved)
    for k in saved:
        np.testing.assert_array_equal(model.params[k], saved[k])


def test_tying_penalty_value_and_gradients(rng):
    Wa, Wb = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    value, ga, gb = tying_penalty(Wa, Wb, 0.7, 20)
    assert value == pytest.approx(0.7 / 40 * np.sum((Wa - Wb) ** 2))
    assert relative_error(ga, numerical_gradient(lambda: tying_penalty(Wa, Wb, 0.7, 20)[0], Wa)) < TOL
    assert relative_error(gb, numerical_gradient(lambda: tying_penalty(Wa, Wb, 0.7, 20)[0], Wb)) < TOL
    # for B alone, it is the L2 gradient of our convention centred on A
    np.testing.assert_allclose(gb, L2(0.7).grad(Wb - Wa, 20))


def test_train_tied_pulls_the_tied_weights_together():
    def run(lam):
        rng = np.random.default_rng(0)
        Xa, Xb = rng.standard_normal((60, 4)), rng.standard_normal((20, 4))
        ya, yb = rng.integers(0, 3, 60), rng.integers(0, 3, 20)
        A = Sequential([Dense(4, 5, rng=rng), ReLU(), Dense(5, 3, rng=rng)])
        B = Sequential([Dense(4, 5, rng=rng), ReLU(), Dense(5, 3, rng=rng)])
        train_tied(A, (Xa, ya), B, (Xb, yb), tied=["0.W"], lam=lam, loss=softmax_cross_entropy,
                   optimizer_a=Adam(lr=1e-2), optimizer_b=Adam(lr=1e-2), steps=200,
                   batch_size=10, rng=rng)
        return (np.linalg.norm(A.params["0.W"] - B.params["0.W"]),
                np.linalg.norm(A.params["2.W"] - B.params["2.W"]))

    free, tied = run(0.0), run(200.0)
    assert tied[0] < 0.1 * free[0]           # the tied layer is pulled together
    assert tied[1] > 0.3 * free[1]           # the untied head is not


def test_mnist1d_factors_belong_to_the_rows_of_load_mnist1d():
    from reglab.data import load_mnist1d

    d = load_mnist1d(seed=3, num_samples=200)
    f = mnist1d_factors(seed=3, num_samples=200)
    np.testing.assert_array_equal(f.X_train, d.X_train)
    np.testing.assert_array_equal(f.X_test, d.X_test)
    F = np.concatenate([f.F_train, f.F_test])
    assert F.shape == (200, 4)
    assert F[:, 0].min() >= 36 and F[:, 0].max() <= 60 and np.all(F[:, 0] % 1 == 0)
    assert 0.8 <= F[:, 1].min() and F[:, 1].max() <= 1.2
    assert F[:, 2].min() >= 0 and F[:, 2].max() <= 47
    assert np.abs(F[:, 3]).max() <= 0.375
    assert f.aligned_train.shape == (160, 40)
    # the aligned shapes are standardized with the mean and spread of the raw signals, as X
    # is: centred like X (the noise and the shear ramp have mean 0), with less spread (no noise)
    A = np.concatenate([f.aligned_train, f.aligned_test])
    assert abs(A.mean()) < 0.05 and 0.5 < A.std() < 1.0
    # the aligned shapes carry the class without translation or noise: the nearest class
    # mean classifies them almost perfectly, far better than it does the signals themselves
    def nearest_mean_accuracy(A_tr, A_te):
        means = np.stack([A_tr[d.y_train == c].mean(0) for c in range(10)])
        pred = np.argmin(((A_te[:, None, :] - means) ** 2).sum(-1), axis=1)
        return np.mean(pred == d.y_test)

    assert nearest_mean_accuracy(f.aligned_train, f.aligned_test) > 0.9
    assert nearest_mean_accuracy(f.X_train, f.X_test) < 0.6


def test_train_tied_runs_both_models_in_training_mode():
    rng = np.random.default_rng(0)
    data = rng.standard_normal((8, 4)) + 3.0, rng.integers(0, 3, 8)
    A, B = (Sequential([Dense(4, 5, rng=rng), BatchNorm(5), Dense(5, 3, rng=rng)])
            for _ in range(2))
    train_tied(A, data, B, data, tied=["0.W"], lam=1.0, loss=softmax_cross_entropy,
               optimizer_a=SGD(0.1), optimizer_b=SGD(0.1), steps=1, batch_size=8, rng=rng)
    for model in (A, B):  # a training-mode forward moves the running mean off its start, 0
        assert np.all(model.buffers["1.running_mean"] != 0.0)


@pytest.mark.parametrize("make, error, match", [
    (lambda r: MultiHead(Dense(2, 2, rng=r), [Sequential([Dense(2, 2, rng=r)])]), TypeError,
     "trunk must be a reglab Sequential"),
    (lambda r: MultiHead(Sequential([Dense(2, 2, rng=r)]), []), ValueError, "heads must contain"),
    (lambda r: MultiHead(Sequential([Dense(2, 2, rng=r)]), [Dense(2, 2, rng=r)]), TypeError,
     r"heads\[0\] must be a reglab Sequential"),
    (lambda r: MultiTaskLoss([softmax_cross_entropy], [10, 2], [1], [1.0]), ValueError,
     "outputs must have one entry per loss"),
    (lambda r: MultiTaskLoss([softmax_cross_entropy], [10], [1], [-1.0]), ValueError,
     r"weights\[0\] must be in \[0, inf\)"),
    (lambda r: MultiTaskLoss([softmax_cross_entropy], [0], [1], [1.0]), ValueError,
     r"outputs\[0\] must be >= 1"),
    (lambda r: MultiTaskLoss(["ce"], [10], [1], [1.0]), TypeError, r"losses\[0\] must be"),
    (lambda r: LOSS(np.zeros((3, 5)), np.zeros((3, 3))), ValueError, r"out must have shape"),
    (lambda r: LOSS(np.zeros((3, 6)), np.zeros((3, 2))), ValueError, r"Y must have shape \(3, 3\)"),
    (lambda r: pack_targets(np.zeros(3), np.zeros(4)), ValueError, r"targets\[1\] has 4 rows"),
    (lambda r: tying_penalty(np.ones((2, 2)), np.ones((2, 3)), 1.0, 5), ValueError,
     "W_a and W_b must have the same shape"),
    (lambda r: tying_penalty(np.ones(2), np.ones(2), -1.0, 5), ValueError, "lam must be in"),
    (lambda r: tying_penalty(np.ones(2), np.ones(2), 1.0, 0), ValueError, "m must be >= 1"),
    (lambda r: train_multitask(Sequential([Dense(2, 2, rng=r)]), (np.ones((2, 2)), np.ones((2, 2))),
                               loss=LOSS, optimizer=SGD(0.1), epochs=1, batch_size=1, rng=r),
     TypeError, "model must be a reglab MultiHead"),
])
def test_bad_input_names_the_argument(make, error, match):
    with pytest.raises(error, match=match):
        make(np.random.default_rng(0))


def test_train_tied_rejects_unknown_or_mismatched_names(rng):
    A = Sequential([Dense(4, 5, rng=rng)])
    B = Sequential([Dense(4, 6, rng=rng)])
    data = (np.ones((4, 4)), np.zeros(4, dtype=int))
    kwargs = dict(lam=1.0, loss=softmax_cross_entropy, optimizer_a=SGD(0.1),
                  optimizer_b=SGD(0.1), steps=1, batch_size=2, rng=rng)
    with pytest.raises(ValueError, match="tied names a parameter both models must have"):
        train_tied(A, data, B, data, tied=["1.W"], **kwargs)
    with pytest.raises(ValueError, match="tied parameter '0.W' has shapes"):
        train_tied(A, data, B, data, tied=["0.W"], **kwargs)
    with pytest.raises(ValueError, match="tied must be a non-empty list"):
        train_tied(A, data, A, data, tied="0.W", **kwargs)
    with pytest.raises(ValueError, match="train_b y has 3 rows but X has 4"):
        train_tied(A, data, A, (data[0], data[1][:3]), tied=["0.W"], **kwargs)
    one = SGD(0.1)
    with pytest.raises(ValueError, match="optimizer_a and optimizer_b must be two"):
        train_tied(A, data, A, data, tied=["0.W"], **{**kwargs, "optimizer_a": one,
                                                     "optimizer_b": one})
    with pytest.raises(TypeError, match="loss must be a function"):
        train_tied(A, data, A, data, tied=["0.W"], **{**kwargs, "loss": None})
