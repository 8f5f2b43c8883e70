"""reglab.adversarial: the input gradient, FGSM, adversarial training inside fit."""

import itertools

import numpy as np
import pytest

from reglab import (
    Adam,
    Dense,
    Dropout,
    ReLU,
    Sequential,
    Tanh,
    binary_cross_entropy,
    fit,
    mean_squared_error,
    numerical_gradient,
    relative_error,
    softmax_cross_entropy,
)
from reglab.adversarial import FGSMTraining, adversarial_accuracy, fgsm, input_gradient
from reglab.train import BatchTransform

TOL = 1e-7


def mlp(rng, n_in=5, n_out=3, keep_prob=None):
    layers = [Dense(n_in, 7, rng=rng), Tanh()]
    if keep_prob is not None:
        layers.append(Dropout(keep_prob))
    layers += [Dense(7, 6, rng=rng), ReLU(), Dense(6, n_out, rng=rng)]
    return Sequential(layers)


# --------------------------------------------------------------- the input gradient

@pytest.mark.parametrize("loss, n_out, target", [
    (softmax_cross_entropy, 3, lambda rng, m: rng.integers(0, 3, m)),
    (binary_cross_entropy, 1, lambda rng, m: rng.integers(0, 2, m)),
    (mean_squared_error, 2, lambda rng, m: rng.standard_normal((m, 2))),
])
def test_input_gradient_matches_central_differences(rng, loss, n_out, target):
    model = mlp(rng, n_out=n_out, keep_prob=0.5)     # dropout must be off in the gradient
    X = rng.standard_normal((4, 5))
    y = target(rng, 4)
    value, grad = input_gradient(model, X, y, loss=loss)
    assert value == pytest.approx(loss(model.forward(X), y)[0])
    numeric = numerical_gradient(lambda: loss(model.forward(X), y)[0], X)
    assert grad.shape == X.shape
    assert relative_error(grad, numeric) < TOL


def test_input_gradient_leaves_parameters_and_input_alone(rng):
    model = mlp(rng)
    X = rng.standard_normal((4, 5))
    X0, state = X.copy(), model.state()
    input_gradient(model, X, rng.integers(0, 3, 4), loss=softmax_cross_entropy)
    np.testing.assert_array_equal(X, X0)
    for k, v in state.items():
        np.testing.assert_array_equal(model.params[k], v)


# ------------------------------------------------------------------------- FGSM

def linear_model(w):
    """One logit w·x (binary cross-entropy): the loss of label 0 grows with w·x."""
    model = Sequential([Dense(len(w), 1, rng=np.random.default_rng(0))])
    model.params["0.W"][:, 0] = w
    model.params["0.b"][:] = 0.0
    return model


def test_fgsm_on_a_linear_model_moves_every_input_by_eps_along_sign_w():
    w = np.array([0.5, -2.0, 1.0, -0.25])
    model = linear_model(w)
    X = np.array([[0.1, 0.2, -0.3, 0.4], [1.0, 0.0, 0.0, -1.0]])
    y0 = np.zeros(2, dtype=int)      # label 0: the loss rises with the logit w·x
    X_adv = fgsm(model, X, y0, loss=binary_cross_entropy, eps=0.1)
    np.testing.assert_allclose(X_adv, X + 0.1 * np.sign(w))
    # the logit moves by exactly eps * ||w||_1, the most any ||eta||_inf <= eps can do
    np.testing.assert_allclose(model.forward(X_adv) - model.forward(X), 0.1 * np.abs(w).sum())
    y1 = np.ones(2, dtype=int)       # label 1: the attack pushes the logit down instead
    np.testing.assert_allclose(fgsm(model, X, y1, loss=binary_cross_entropy, eps=0.1),
                               X - 0.1 * np.sign(w))


def test_fgsm_maximizes_the_linearized_loss_over_the_corners(rng):
    model = mlp(rng, n_in=6)
    x = rng.standard_normal((1, 6))
    y = np.array([2])
    eps = 0.05
    _, g = input_gradient(model, x, y, loss=softmax_cross_entropy)
    corners = np.array(list(itertools.product([-eps, eps], repeat=6)))     # (64, 6)
    best = corners[np.argmax(corners @ g[0])]
    np.testing.assert_allclose(fgsm(model, x, y, loss=softmax_cross_entropy, eps=eps)[0],
                               x[0] + best)
    assert (corners @ g[0]).max() == pytest.approx(eps * np.abs(g).sum())


def test_fgsm_raises_the_loss_and_respects_the_budget_and_clip(rng):
    model = mlp(rng)
    X = rng.uniform(0, 1, (50, 5))
    y = rng.integers(0, 3, 50)
    X_adv = fgsm(model, X, y, loss=softmax_cross_entropy, eps=0.05)
    assert np.max(np.abs(X_adv - X)) <= 0.05 + 1e-12
    assert softmax_cross_entropy(model.forward(X_adv), y)[0] > softmax_cross_entropy(
        model.forward(X), y)[0]
    clipped = fgsm(model, X, y, loss=softmax_cross_entropy, eps=0.3, clip=(0.0, 1.0))
    assert clipped.min() >= 0.0 and clipped.max() <= 1.0
    # eps is added first, then the result clipped: the clip of the unclipped attack
    np.testing.assert_array_equal(clipped, np.clip(
        fgsm(model, X, y, loss=softmax_cross_entropy, eps=0.3), 0.0, 1.0))
    assert np.any(clipped == 0.0) and np.any(clipped == 1.0)
    np.testing.assert_array_equal(fgsm(model, X, y, loss=softmax_cross_entropy, eps=0.0), X)


def test_fgsm_keeps_float32():
    rng = np.random.default_rng(0)
    model = Sequential([Dense(5, 3, rng=rng, dtype=np.float32)])
    X = rng.standard_normal((4, 5)).astype(np.float32)
    assert fgsm(model, X, np.arange(4) % 3, loss=softmax_cross_entropy, eps=0.1).dtype == np.float32


def test_adversarial_accuracy_falls_with_eps(rng):
    X = rng.standard_normal((200, 5))
    y = (X[:, 0] > 0).astype(int)
    model = Sequential([Dense(5, 2, rng=rng)])
    fit(model, (X, y), loss=softmax_cross_entropy, optimizer=Adam(0.05), epochs=20, rng=rng,
        progress=False)
    accs = [adversarial_accuracy(model, X, y, loss=softmax_cross_entropy, eps=e)
            for e in (0.0, 0.1, 0.5)]
    assert accs[0] > 0.95 and accs[0] > accs[1] > accs[2]
    assert accs[0] == np.mean(model.predict(X) == y)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(eps=-0.1), ValueError, "eps must be in \\[0, inf\\)"),
    (dict(eps="big"), TypeError, "eps must be a real number"),
    (dict(eps=0.1, clip=1.0), TypeError, "clip must be None or a pair"),
    (dict(eps=0.1, clip=(1.0, 0.0)), ValueError, "low < high"),
    (dict(eps=0.1, loss="xent"), TypeError, "loss must be a function"),
    (dict(eps=0.1, model="mlp"), TypeError, "model must be a reglab Sequential"),
    (dict(eps=0.1, X=np.ones(5)), ValueError, "X must have 2 dimensions"),
])
def test_fgsm_bad_input(rng, kwargs, exc, match):
    args = dict(model=mlp(rng), X=np.ones((2, 5)), y=np.array([0, 1]),
                loss=softmax_cross_entropy)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        fgsm(args.pop("model"), args.pop("X"), args.pop("y"), **args)


def test_fgsm_training_bad_input():
    with pytest.raises(ValueError, match="eps must be in"):
        FGSMTraining(eps=-1)
    with pytest.raises(ValueError, match="low < high"):
        FGSMTraining(eps=0.1, clip=(0, 0))


# -------------------------------------------------------------- training inside fit

def test_fgsm_training_returns_the_clean_batch_and_its_fgsm_copy(rng):
    model = mlp(rng, keep_prob=0.7)
    X = rng.standard_normal((8, 5))
    y = rng.integers(0, 3, 8)
    X0 = X.copy()
    Xt, yt = FGSMTraining(0.2)(X, y, model=model, loss=softmax_cross_entropy, rng=rng)
    assert isinstance(FGSMTraining(0.2), BatchTransform)
    assert Xt.shape == (16, 5)
    np.testing.assert_array_equal(Xt[:8], X)
    np.testing.assert_array_equal(Xt[8:], fgsm(model, X, y, loss=softmax_cross_entropy, eps=0.2))
    np.testing.assert_array_equal(yt, np.concatenate([y, y]))
    np.testing.assert_array_equal(X, X0)
    # the mean loss over the 2B rows is the cost of Goodfellow et al.: J(x)/2 + J(x')/2
    half = 0.5 * (softmax_cross_entropy(model.forward(X), y)[0]
                  + softmax_cross_entropy(model.forward(Xt[8:]), y)[0])
    assert softmax_cross_entropy(model.forward(Xt), yt)[0] == pytest.approx(half)


def two_classes(rng, m=400):
    """One strong feature (means ±2) and 40 weak ones (means ±0.3), unit noise.

    Together the weak features predict well, but a perturbation of 0.3 per input erases
    them: a model that leans on them is accurate and fragile.
    """
    y = np.arange(m) % 2
    sign = np.where(y[:, None] == 1, 1.0, -1.0)
    X = rng.standard_normal((m, 41))
    X[:, :1] += 2.0 * sign
    X[:, 1:] += 0.3 * sign
    return X, y


def train_pair(transform, seed=0, epochs=15):
    rng = np.random.default_rng(seed)
    X, y = two_classes(np.random.default_rng(42))
    model = Sequential([Dense(41, 32, rng=rng), ReLU(), Dense(32, 2, rng=rng)])
    fit(model, (X, y), loss=softmax_cross_entropy, optimizer=Adam(0.01), epochs=epochs,
        batch_size=40, rng=rng, augment=transform, progress=False)
    return model


def test_adversarial_training_in_fit_buys_robustness():
    Xt, yt = two_classes(np.random.default_rng(7), m=1000)
    plain, robust = train_pair(None), train_pair(FGSMTraining(0.3))
    acc = {name: [adversarial_accuracy(mdl, Xt, yt, loss=softmax_cross_entropy, eps=e)
                  for e in (0.0, 0.3)] for name, mdl in (("plain", plain), ("adv", robust))}
    assert acc["plain"][1] < acc["plain"][0] - 0.15    # the plain model is fragile
    assert acc["adv"][1] > acc["plain"][1] + 0.1       # robust accuracy gained
    assert acc["adv"][0] > acc["plain"][0] - 0.02      # clean accuracy kept
    again = train_pair(FGSMTraining(0.3))              # seeded: same run, same model
    for k in robust.params:
        np.testing.assert_array_equal(robust.params[k], again.params[k])
