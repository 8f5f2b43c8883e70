"""reglab.ensemble: bootstrap samples, ensembles that average or vote, bagging."""

import numpy as np
import pytest

from reglab import SGD, Adam, Dense, ReLU, Sequential, fit, softmax_cross_entropy
from reglab.ensemble import Ensemble, bootstrap_indices, predict_proba, train_bagging


def fixed_model(W, b=None):
    """A one-layer model with given weights: logits = X @ W + b."""
    W = np.asarray(W, dtype=np.float64)
    model = Sequential([Dense(W.shape[0], W.shape[1], rng=np.random.default_rng(0))])
    model.params["0.W"][...] = W
    model.params["0.b"][...] = 0.0 if b is None else b
    return model


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# ------------------------------------------------------------------ bootstrap

def test_bootstrap_draws_with_replacement_uniformly(rng):
    idx = bootstrap_indices(1000, rng)
    assert idx.shape == (1000,) and idx.dtype.kind == "i"
    assert idx.min() >= 0 and idx.max() < 1000
    assert len(np.unique(idx)) < 1000                 # repeats: drawn with replacement
    counts = np.bincount(bootstrap_indices(10, rng, size=100_000), minlength=10)
    assert np.all(np.abs(counts / 100_000 - 0.1) < 0.005)   # uniform over range(m)


def test_bootstrap_keeps_about_1_minus_1_over_e_distinct(rng):
    m = 500
    fractions = [len(np.unique(bootstrap_indices(m, rng))) / m for _ in range(400)]
    expected = 1 - (1 - 1 / m) ** m
    assert abs(np.mean(fractions) - expected) < 0.003     # sd of the mean ~ 0.0005
    assert abs(expected - (1 - np.exp(-1))) < 1e-3


def test_bootstrap_is_seeded_and_leaves_global_state_alone():
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    a = bootstrap_indices(50, np.random.default_rng(3))
    b = bootstrap_indices(50, np.random.default_rng(3))
    c = bootstrap_indices(50, np.random.default_rng(4))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert np.array_equal(before, np.random.get_state()[1])  # noqa: NPY002
    assert bootstrap_indices(50, np.random.default_rng(3), size=7).shape == (7,)


@pytest.mark.parametrize("call, exc, match", [
    (lambda: bootstrap_indices(0, np.random.default_rng(0)), ValueError, "m must be >= 1"),
    (lambda: bootstrap_indices(2.5, np.random.default_rng(0)), TypeError, "m must be an integer"),
    (lambda: bootstrap_indices(5, 42), TypeError, "rng must be a numpy.random.Generator"),
    (lambda: bootstrap_indices(5, np.random.default_rng(0), size=0), ValueError, "size"),
])
def test_bootstrap_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ------------------------------------------------------------------ the ensemble

def test_predict_proba_is_the_softmax_of_the_logits(rng):
    model = fixed_model(rng.standard_normal((3, 4)))
    X = rng.standard_normal((5, 3))
    p = predict_proba(model, X)
    np.testing.assert_allclose(p, softmax(model.forward(X)), rtol=1e-12)
    binary = fixed_model(rng.standard_normal((3, 1)))
    pb = predict_proba(binary, X)
    assert pb.shape == (5, 2)
    np.testing.assert_allclose(pb[:, 1], 1 / (1 + np.exp(-binary.forward(X)[:, 0])))
    np.testing.assert_allclose(pb.sum(axis=1), 1.0)


def three_members():
    """Three 2-input, 3-class linear models that disagree in a known way on X3."""
    return [fixed_model(np.eye(2, 3) * 4),                       # class = argmax(x0, x1, 0)
            fixed_model(np.array([[0.0, 0, 4], [0, 4, 0]])),
            fixed_model(np.array([[0.0, 0, 4], [0, 0, 3]]))]


X3 = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])


def test_average_is_the_mean_of_member_probabilities():
    ens = Ensemble(three_members())
    members = np.stack([softmax(m.forward(X3)) for m in three_members()])
    np.testing.assert_allclose(ens.member_proba(X3), members)
    np.testing.assert_allclose(ens.predict_proba(X3), members.mean(axis=0))
    np.testing.assert_allclose(ens.predict_proba(X3).sum(axis=1), 1.0)
    np.testing.assert_array_equal(ens.predict(X3), members.mean(axis=0).argmax(axis=1))
    np.testing.assert_array_equal(ens.member_predictions(X3), members.argmax(axis=2))


def test_vote_counts_members_and_breaks_ties_towards_the_smallest_class():
    ens = Ensemble(three_members(), method="vote")
    labels = ens.member_predictions(X3)               # (3 members, 3 examples)
    np.testing.assert_array_equal(labels, [[0, 1, 2], [2, 1, 0], [2, 2, 0]])
    np.testing.assert_array_equal(ens.votes(X3), [[1, 0, 2], [0, 2, 1], [2, 0, 1]])
    np.testing.assert_array_equal(ens.predict(X3), [2, 1, 0])
    tie = Ensemble(three_members()[:2], method="vote")           # one vote each for 0 and 2
    assert tie.predict(X3[:1])[0] == 0


def test_vote_and_average_can_disagree():
    # one member very sure of class 0, two barely for class 1: the vote says 1, the
    # averaged probabilities say 0
    members = [fixed_model(np.array([[10.0, 0.0]])),            # very sure of class 0
               fixed_model(np.array([[-0.1, 0.0]])),            # barely class 1
               fixed_model(np.array([[-0.1, 0.0]]))]
    X = np.array([[1.0]])
    assert Ensemble(members, method="vote").predict(X)[0] == 1
    assert Ensemble(members, method="average").predict(X)[0] == 0


@pytest.mark.parametrize("call, exc, match", [
    (lambda: Ensemble([]), ValueError, "models must contain at least one"),
    (lambda: Ensemble(["mlp"]), TypeError, "models\\[0\\] must be a reglab Sequential"),
    (lambda: Ensemble([fixed_model(np.eye(2))], method="mean"), ValueError, "method must be"),
    (lambda: Ensemble([fixed_model(np.eye(2)), fixed_model(np.eye(2, 3))]).predict(np.ones((1, 2))),
     ValueError, "number of classes"),
    (lambda: Ensemble([fixed_model(np.eye(2))]).predict(np.ones(2)), ValueError, "X must have 2"),
    (lambda: predict_proba("mlp", np.ones((1, 2))), TypeError, "model must be a reglab Sequential"),
])
def test_ensemble_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ------------------------------------------------------------------ bagging

def blobs(rng, m=120):
    y = np.arange(m) % 3
    centres = np.array([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])
    return rng.standard_normal((m, 2)) * 0.8 + centres[y], y


def build(rng):
    return Sequential([Dense(2, 8, rng=rng), ReLU(), Dense(8, 3, rng=rng)])


FIT = dict(loss=softmax_cross_entropy, epochs=5, batch_size=20, progress=False)


def test_train_bagging_trains_each_member_on_its_bootstrap_sample():
    X, y = blobs(np.random.default_rng(0))
    adam = Adam(lr=0.01)
    ens = train_bagging(build, (X, y), n_models=3, optimizer=adam, rng=np.random.default_rng(1),
                        **FIT)
    assert adam.state == {"t": 0}                     # the template itself is never stepped
    assert len(ens) == 3 and ens.method == "average" and len(ens.samples) == 3
    # replay: the same draws in the same order, each member with a fresh Adam
    rng = np.random.default_rng(1)
    for member, idx in zip(ens.models, ens.samples, strict=True):
        np.testing.assert_array_equal(idx, bootstrap_indices(len(X), rng))
        replay = build(rng)
        fit(replay, (X[idx], y[idx]), optimizer=Adam(lr=0.01), rng=rng, **FIT)
        for k in replay.params:
            np.testing.assert_array_equal(replay.params[k], member.params[k])
    assert not np.array_equal(ens.samples[0], ens.samples[1])


def test_bagging_ensemble_is_at_least_as_good_as_its_average_member():
    rng = np.random.default_rng(5)
    X, y = blobs(rng, m=300)
    Xt, yt = blobs(rng, m=600)
    ens = train_bagging(build, (X, y), n_models=5, optimizer=Adam(lr=0.01), rng=rng,
                        loss=softmax_cross_entropy, epochs=10, batch_size=30, progress=False)
    member_acc = (ens.member_predictions(Xt) == yt).mean(axis=1)
    assert np.mean(ens.predict(Xt) == yt) >= member_acc.mean() - 0.01
    assert np.mean(ens.predict(Xt) == yt) > 0.8


@pytest.mark.parametrize("overrides, exc, match", [
    (dict(build="mlp"), TypeError, "build must be a function"),
    (dict(n_models=0), ValueError, "n_models must be >= 1"),
    (dict(rng=7), TypeError, "rng must be a numpy.random.Generator"),
    (dict(method="median"), ValueError, "method must be"),
    (dict(train=np.ones((4, 2))), TypeError, "train must be a tuple"),
    (dict(optimizer="adam"), TypeError, "optimizer must be a reglab optimizer"),
])
def test_train_bagging_bad_input(overrides, exc, match):
    X, y = blobs(np.random.default_rng(0))
    args = dict(build=build, train=(X, y), n_models=2, optimizer=SGD(0.1),
                rng=np.random.default_rng(0), **FIT)
    args.update(overrides)
    with pytest.raises(exc, match=match):
        train_bagging(**args)
