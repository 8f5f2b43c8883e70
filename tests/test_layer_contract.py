"""What every layer promises: a refused call changes nothing, backward needs a forward and a
dout of its output's shape, and backward works after an evaluation forward wherever the map
is defined (so adversarial examples work on batch-norm models and on CNNs). Also: an
Ensemble refuses members that disagree on the classes; fit trains a batch-norm model when the
last minibatch would hold one example."""

import copy

import numpy as np
import pytest

from reglab import (
    SGD,
    ActivityL1,
    BatchNorm,
    Conv1D,
    Dense,
    Dropout,
    Flatten,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
    fit,
    numerical_gradient,
    relative_error,
    softmax_cross_entropy,
)
from reglab.adversarial import FGSMTraining, adversarial_accuracy, fgsm, input_gradient
from reglab.ensemble import Ensemble

RNG = np.random.default_rng(0)

# name: (layer factory, a good input, a refused input)
LAYERS = {
    "Dense": (lambda: Dense(3, 2, rng=np.random.default_rng(1)), RNG.standard_normal((4, 3)),
              np.ones((4, 5))),
    "ReLU": (ReLU, RNG.standard_normal((4, 3)), np.array([["a", "b"]])),
    "Tanh": (Tanh, RNG.standard_normal((4, 3)), np.array([["a", "b"]])),
    "Sigmoid": (Sigmoid, RNG.standard_normal((4, 3)), np.array([["a", "b"]])),
    "Dropout": (lambda: Dropout(0.5), RNG.standard_normal((4, 3)), "no rng"),
    "Conv1D": (lambda: Conv1D(2, 3, 3, padding=1, rng=np.random.default_rng(2)),
               RNG.standard_normal((4, 2, 8)), np.ones((4, 8))),
    "Flatten": (Flatten, RNG.standard_normal((4, 2, 3)), np.ones(4)),
    "BatchNorm": (lambda: BatchNorm(3), RNG.standard_normal((4, 3)), np.ones((4, 2))),
    "ActivityL1": (lambda: ActivityL1(0.5), RNG.standard_normal((4, 3)), None),
}


def state_of(layer):
    """Everything a layer holds, deep-copied (arrays compared by value)."""
    return copy.deepcopy(vars(layer))


def same_state(a, b):
    assert a.keys() == b.keys()
    for k in a:
        va, vb = a[k], b[k]
        if isinstance(va, np.ndarray) or isinstance(vb, np.ndarray):
            assert isinstance(va, np.ndarray) and isinstance(vb, np.ndarray), k
            np.testing.assert_array_equal(va, vb, err_msg=k)
        elif isinstance(va, dict):
            same_state(va, vb)
        elif isinstance(va, tuple):
            assert len(va) == len(vb)
            same_state(dict(enumerate(va)), dict(enumerate(vb)))
        else:
            assert va == vb, k


def forward(layer, X, train=True):
    return layer.forward(X, train=train, rng=np.random.default_rng(3))


@pytest.mark.parametrize("name", [n for n, v in LAYERS.items() if v[2] is not None])
def test_a_refused_forward_leaves_the_layer_as_it_was(name):
    make, good, bad = LAYERS[name]
    layer = make()
    out = forward(layer, good)
    before = state_of(layer)
    with pytest.raises((ValueError, TypeError)):
        if name == "Dropout":
            layer.forward(good, train=True, rng=bad)
        else:
            forward(layer, bad)
    same_state(state_of(layer), before)
    # and the backward of the earlier forward still has the earlier forward's shapes
    assert layer.backward(np.ones_like(out)).shape == good.shape


@pytest.mark.parametrize("name", list(LAYERS))
def test_backward_before_forward_says_run_forward_first(name):
    layer = LAYERS[name][0]()
    with pytest.raises(RuntimeError, match=f"{name}.backward was called before forward"):
        layer.backward(np.ones((4, 3)))


@pytest.mark.parametrize("name", list(LAYERS))
def test_backward_refuses_a_dout_of_another_shape(name):
    make, good, _ = LAYERS[name]
    layer = make()
    out = forward(layer, good)
    wrong = np.ones(out.shape[::-1]) if out.ndim == 3 else np.ones((out.shape[0] + 1,
                                                                    *out.shape[1:]))
    with pytest.raises(ValueError, match=rf"dout must have the shape \({out.shape[0]}, "):
        layer.backward(wrong)


def test_a_transposed_conv_dout_of_the_same_size_is_refused():
    conv = Conv1D(2, 2, 3, padding=1, rng=np.random.default_rng(0))
    out = conv.forward(np.ones((4, 2, 8)))
    assert out.shape == (4, 2, 8)
    with pytest.raises(ValueError, match=r"dout must have the shape \(4, 2, 8\).*got \(4, 8, 2\)"):
        conv.backward(np.ones((4, 8, 2)))


@pytest.mark.parametrize("name", list(LAYERS))
def test_backward_after_an_evaluation_forward_matches_central_differences(name):
    make, good, _ = LAYERS[name]
    layer = make()
    if name == "BatchNorm":
        for _ in range(3):  # running statistics of their own
            layer.forward(RNG.standard_normal((6, 3)) * 2 + 1, train=True)
    X = good.copy()
    G = np.random.default_rng(4).standard_normal(forward(layer, X, train=False).shape)
    dX = layer.backward(G)
    if name == "ActivityL1":  # its penalty is part of its backward, not of its forward
        G_total = G + layer.lam / (2 * X.shape[0]) * np.sign(X)
        np.testing.assert_allclose(dX, G_total)
        return
    numeric = numerical_gradient(lambda: float(np.sum(G * forward(layer, X, train=False))), X)
    assert relative_error(dX, numeric) < 1e-6


# ------------------------------------------------ adversarial tools on BN models and CNNs

def bn_model(rng):
    return Sequential([Dense(6, 8, rng=rng), BatchNorm(8), ReLU(), Dense(8, 3, rng=rng)])


def cnn_model(rng):
    return Sequential([Conv1D(1, 3, 3, padding=1, rng=rng), ReLU(), Flatten(),
                       Dense(18, 3, rng=rng)])


def toy(rng, m=60):
    X = rng.standard_normal((m, 6))
    return X, (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)


@pytest.mark.parametrize("build", [bn_model, cnn_model], ids=["batch norm", "CNN"])
def test_input_gradient_and_fgsm_on_batch_norm_models_and_cnns(build):
    rng = np.random.default_rng(5)
    X, y = toy(rng)
    model = build(rng)
    fit(model, (X, y), loss=softmax_cross_entropy, optimizer=SGD(0.1), epochs=3, batch_size=16,
        rng=rng, progress=False)
    value, grad = input_gradient(model, X[:5], y[:5], loss=softmax_cross_entropy)
    Z = X[:5].copy()
    numeric = numerical_gradient(lambda: softmax_cross_entropy(model.forward(Z), y[:5])[0], Z)
    assert relative_error(grad, numeric) < 1e-6
    X_adv = fgsm(model, X, y, loss=softmax_cross_entropy, eps=0.2)
    assert np.max(np.abs(X_adv - X)) <= 0.2 + 1e-12
    assert softmax_cross_entropy(model.forward(X_adv), y)[0] > \
        softmax_cross_entropy(model.forward(X), y)[0]
    assert adversarial_accuracy(model, X, y, loss=softmax_cross_entropy, eps=0.0) == \
        np.mean(model.predict(X) == y)


@pytest.mark.parametrize("build", [bn_model, cnn_model], ids=["batch norm", "CNN"])
def test_adversarial_training_runs_on_batch_norm_models_and_cnns(build):
    rng = np.random.default_rng(6)
    X, y = toy(rng)
    model = build(rng)
    hist = fit(model, (X, y), loss=softmax_cross_entropy, optimizer=SGD(0.1), epochs=4,
               batch_size=16, rng=rng, augment=FGSMTraining(0.1), progress=False)
    assert hist.epochs == 4 and hist.train_loss[-1] < hist.train_loss[0]


# ------------------------------------------------------------------ ensembles, batch norm

def test_an_ensemble_refuses_members_that_disagree_on_the_classes():
    rng = np.random.default_rng(0)
    three = Sequential([Dense(4, 3, rng=rng)])
    binary = Sequential([Dense(4, 1, rng=rng), Sigmoid()])
    ten = Sequential([Dense(4, 10, rng=rng), Dropout(0.5)])
    with pytest.raises(ValueError, match=r"models\[0\] 3, models\[1\] 2, models\[2\] 10"):
        Ensemble([three, binary, ten])
    two = Sequential([Dense(4, 2, rng=rng)])
    assert len(Ensemble([binary, two])) == 2  # one logit is a two-class model


@pytest.mark.parametrize("m, batch_size, sizes", [(33, 8, [8, 8, 8, 9]), (9, 8, [9]),
                                                  (34, 8, [8, 8, 8, 8, 2])])
def test_fit_joins_a_last_batch_of_one_for_batch_norm(m, batch_size, sizes):
    rng = np.random.default_rng(1)
    X, y = toy(rng, m)
    model = bn_model(rng)
    seen = []

    def record(Xb, r):
        seen.append(len(Xb))
        return Xb

    hist = fit(model, (X, y), loss=softmax_cross_entropy, optimizer=SGD(0.05), epochs=2,
               batch_size=batch_size, rng=rng, augment=record, progress=False)
    assert hist.epochs == 2 and seen == sizes * 2


def test_fit_keeps_a_last_batch_of_one_without_batch_norm():
    rng = np.random.default_rng(1)
    X, y = toy(rng, 33)
    seen = []
    fit(Sequential([Dense(6, 3, rng=rng)]), (X, y), loss=softmax_cross_entropy,
        optimizer=SGD(0.05), epochs=1, batch_size=8, rng=rng,
        augment=lambda Xb, r: seen.append(len(Xb)) or Xb, progress=False)
    assert seen == [8, 8, 8, 8, 1]


@pytest.mark.parametrize("m, batch_size, name", [(10, 1, "batch_size"), (1, 4, "train X rows")])
def test_fit_refuses_batches_of_one_for_batch_norm_before_any_step(m, batch_size, name):
    rng = np.random.default_rng(2)
    X, y = toy(rng, m)
    model = bn_model(rng)
    state = model.state()
    with pytest.raises(ValueError, match=f"{name} must be >= 2 for a model with BatchNorm"):
        fit(model, (X, y), loss=softmax_cross_entropy, optimizer=SGD(0.05), epochs=1,
            batch_size=batch_size, rng=rng, progress=False)
    for k, v in state.items():
        np.testing.assert_array_equal(model.state()[k], v)
