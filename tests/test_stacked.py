"""fit_many: S models trained in one stacked pass end where fit leaves each of them alone."""

import numpy as np
import pytest

from reglab import (
    L1,
    L2,
    SGD,
    Adam,
    Dense,
    Dropout,
    ElasticNet,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
    TrainingDiverged,
    fit,
    fit_many,
    mean_squared_error,
    softmax_cross_entropy,
)
from reglab.adversarial import FGSMTraining
from reglab.augment import GaussianNoise
from reglab.conv import Conv1D, Flatten
from reglab.optim import GradientClipping, Momentum
from reglab.stacked import StackedModel


def data(m=90, n=6, k=3, seed=5):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)
    return X, y % k


def mlp(r, keep_prob=0.8, act=ReLU, dtype=np.float64):
    return Sequential([Dense(6, 7, rng=r, dtype=dtype), act(), Dropout(keep_prob),
                       Dense(7, 5, rng=r, dtype=dtype), act(), Dense(5, 3, rng=r, dtype=dtype)])


def one_by_one(build, seeds, optimizer, penalties=None, **kw):
    """What fit gives each model alone: (models, histories)."""
    models, hists = [], []
    for i, s in enumerate(seeds):
        r = np.random.default_rng(s)
        model = build(r, i)
        pen = penalties[i] if isinstance(penalties, list) else penalties
        hists.append(fit(model, kw["train"], rng=r, optimizer=optimizer(), penalty=pen,
                         **{k: v for k, v in kw.items() if k != "train"}))
        models.append(model)
    return models, hists


def together(build, seeds, optimizer, penalties=None, **kw):
    rngs = [np.random.default_rng(s) for s in seeds]
    models = [build(r, i) for i, r in enumerate(rngs)]
    hists = fit_many(models, kw.pop("train"), rngs=rngs, optimizer=optimizer(),
                     penalty=penalties, **kw)
    return models, hists


def assert_same_runs(a, b, rtol):
    (models_a, hists_a), (models_b, hists_b) = a, b
    for ma, mb in zip(models_a, models_b, strict=True):
        for k in ma.params:
            np.testing.assert_allclose(ma.params[k], mb.params[k], rtol=rtol, atol=rtol)
    for ha, hb in zip(hists_a, hists_b, strict=True):
        for field in ("train_loss", "val_loss", "penalty", "train_acc"):
            got, want = getattr(hb, field), getattr(ha, field)
            assert (None in got) == (None in want)
            if None not in want:
                np.testing.assert_allclose(got, want, rtol=rtol)
        assert ha.val_acc == hb.val_acc and ha.eval_epochs == hb.eval_epochs


@pytest.mark.parametrize("act", [ReLU, Tanh, Sigmoid])
def test_each_model_ends_where_fit_leaves_it_alone(act):
    X, y = data()
    kw = dict(train=(X[:60], y[:60]), val=(X[60:], y[60:]), loss=softmax_cross_entropy,
              epochs=4, batch_size=16, progress=False)

    def build(r, i):  # keep_prob differs between the models
        return mlp(r, keep_prob=(0.6, 0.8, 1.0)[i], act=act)

    seeds = [[0, 1], [0, 2], [0, 3]]
    assert_same_runs(one_by_one(build, seeds, lambda: Adam(0.01), L2(0.5), **kw),
                     together(build, seeds, lambda: Adam(0.01), L2(0.5), **kw), rtol=1e-12)


def test_a_penalty_per_model_and_an_augmentation():
    X, y = data()
    kw = dict(train=(X, y), loss=softmax_cross_entropy, epochs=3, batch_size=32,
              augment=GaussianNoise(0.1), progress=False)
    pens = [L2(0.1), L2(3.0), L1(1.0)]
    build = lambda r, i: mlp(r)  # noqa: E731
    a = one_by_one(build, [1, 2, 3], lambda: Momentum(0.05), pens, **kw)
    b = together(build, [1, 2, 3], lambda: Momentum(0.05), pens, **kw)
    assert_same_runs(a, b, rtol=1e-12)
    assert b[1][0].val_loss == [None] * 3  # no validation data: nothing evaluated
    assert b[1][1].penalty[-1] > b[1][0].penalty[-1]  # λ = 3 weighs more than λ = 0.1


@pytest.mark.parametrize("sweep", [[L2(0.1), L2(3.0), L2(30.0)],
                                   [ElasticNet(0.5, 0.3), ElasticNet(4.0, 0.3), ElasticNet(9.0, 0.3)],
                                   [L2(2.0), L1(2.0), L2(0.5)],
                                   [ElasticNet(2.0, 0.3), ElasticNet(2.0, 0.6), ElasticNet(2.0, 0.3)]])
def test_a_lambda_sweep_gives_each_model_the_penalty_gradient_of_fit_bit_for_bit(sweep):
    """float32, one λ per model: a sweep of one kind (computed once on the stack) and lists
    that differ in kind or in another setting (model by model) give every model the numbers
    that fit gives it alone."""
    X, y = data()
    kw = dict(train=(X.astype(np.float32), y), loss=softmax_cross_entropy, epochs=2,
              batch_size=30, progress=False)
    build = lambda r, i: mlp(r, dtype=np.float32)  # noqa: E731
    (models_a, hists_a), (models_b, hists_b) = (
        run(build, [4, 5, 6], lambda: SGD(0.1), sweep, **kw) for run in (one_by_one, together))
    for ma, mb in zip(models_a, models_b, strict=True):
        for k in ma.params:
            np.testing.assert_array_equal(mb.params[k], ma.params[k], err_msg=k)
    assert [h.penalty for h in hists_b] == [h.penalty for h in hists_a]


def test_float32_models_agree_to_float_rounding():
    X, y = data()
    kw = dict(train=(X, y), val=(X, y), loss=softmax_cross_entropy, epochs=3, batch_size=20,
              progress=False)
    build = lambda r, i: mlp(r, dtype=np.float32)  # noqa: E731
    b = together(build, [7, 8], lambda: Adam(0.01), **kw)
    assert_same_runs(one_by_one(build, [7, 8], lambda: Adam(0.01), **kw), b, rtol=1e-4)
    assert all(p.dtype == np.float32 for m in b[0] for p in m.params.values())


def test_regression_targets_have_no_accuracy():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 6))
    Y = X[:, :3] @ rng.standard_normal((3, 3))
    kw = dict(train=(X, Y), val=(X, Y), loss=mean_squared_error, epochs=2, batch_size=8,
              progress=False)
    build = lambda r, i: mlp(r, keep_prob=1.0)  # noqa: E731
    a = one_by_one(build, [1, 2], lambda: SGD(0.01), **kw)
    b = together(build, [1, 2], lambda: SGD(0.01), **kw)
    for ha, hb in zip(a[1], b[1], strict=True):
        np.testing.assert_allclose(ha.val_loss, hb.val_loss, rtol=1e-12)
        assert hb.train_acc == [None, None] and hb.val_acc == [None, None]


def test_the_stack_holds_every_model_in_one_buffer():
    rngs = [np.random.default_rng(s) for s in range(4)]
    models = [mlp(r) for r in rngs]
    stack = StackedModel(models)
    assert stack.params["0.W"].shape == (4, 6, 7) and stack.params["0.b"].shape == (4, 7)
    base = stack.params["0.W"].base
    assert all(p.base is base for p in stack.params.values())
    np.testing.assert_array_equal(stack.params["3.W"][2], models[2].params["3.W"])
    X = np.random.default_rng(9).standard_normal((5, 6))
    out = stack.forward(X)  # one input shared by the models, dropout off
    for s, model in enumerate(models):
        np.testing.assert_allclose(out[s], model.forward(X), rtol=1e-12)


def snapshot(models):
    return [{k: v.copy() for k, v in m.params.items()} for m in models]


def unchanged(models, before):
    return all(np.array_equal(m.params[k], b[k]) for m, b in zip(models, before, strict=True)
               for k in b)


BAD = [
    ("rngs", lambda ms, rs: dict(rngs=rs[:1]), ValueError, "one generator per model"),
    ("rngs", lambda ms, rs: dict(rngs=[rs[0], rs[0]]), ValueError, "distinct"),
    ("rngs[1]", lambda ms, rs: dict(rngs=[rs[0], 3]), TypeError, "Generator"),
    ("optimizer", lambda ms, rs: dict(optimizer=GradientClipping(SGD(0.1), 1.0)), TypeError,
     "GradientClipping"),
    ("penalty", lambda ms, rs: dict(penalty=[L2(1.0)] * 3), ValueError, "one per model"),
    ("penalty", lambda ms, rs: dict(penalty=0.1), TypeError, "Penalty"),
    ("augment", lambda ms, rs: dict(augment=FGSMTraining(0.1)), TypeError, "plain augmentation"),
    ("epochs", lambda ms, rs: dict(epochs=0), ValueError, ">= 1"),
    ("train", lambda ms, rs: dict(train=(np.ones((4, 5)), np.zeros(4, int))), ValueError,
     "train X"),
]


@pytest.mark.parametrize("name, change, error, text", BAD, ids=[b[0] for b in BAD])
def test_bad_calls_name_the_argument_and_touch_nothing(name, change, error, text):
    X, y = data()
    rngs = [np.random.default_rng(s) for s in range(2)]
    models = [mlp(r) for r in rngs]
    before, states = snapshot(models), [r.bit_generator.state for r in rngs]
    kw = dict(rngs=rngs, loss=softmax_cross_entropy, optimizer=SGD(0.1), epochs=1,
              train=(X, y), progress=False)
    kw.update(change(models, rngs))
    with pytest.raises(error, match=text) as info:
        fit_many(models, kw.pop("train"), **kw)
    assert name.split("[")[0] in str(info.value)
    assert unchanged(models, before)
    assert [r.bit_generator.state for r in rngs] == states


def test_models_of_another_architecture_or_layer_are_refused():
    rngs = [np.random.default_rng(s) for s in range(2)]
    X, y = data()
    kw = dict(rngs=rngs, loss=softmax_cross_entropy, optimizer=SGD(0.1), epochs=1,
              progress=False)
    wide = Sequential([Dense(6, 9, rng=rngs[1]), ReLU(), Dense(9, 3, rng=rngs[1])])
    with pytest.raises(ValueError, match=r"models\[1\] must have the architecture"):
        fit_many([mlp(rngs[0]), wide], (X, y), **kw)
    conv = Sequential([Conv1D(1, 2, 3, padding=1, rng=rngs[0]), Flatten(),
                       Dense(12, 3, rng=rngs[0])])
    with pytest.raises(TypeError, match=r"models\[0\].layers\[0\] is a Conv1D"):
        fit_many([conv], (X.reshape(-1, 1, 6), y), **kw)
    with pytest.raises(TypeError, match="models"):
        fit_many(mlp(rngs[0]), (X, y), **kw)


def test_divergence_names_the_model_and_leaves_the_models_untouched():
    X, y = data()
    rngs = [np.random.default_rng(s) for s in range(3)]
    models = [mlp(r, keep_prob=1.0) for r in rngs]
    before = snapshot(models)
    with pytest.raises(TrainingDiverged, match=r"loss of model \d became"):
        fit_many(models, (X * 1e200, y), rngs=rngs, loss=softmax_cross_entropy,
                 optimizer=SGD(1e30), epochs=3, progress=False)
    assert unchanged(models, before)


def test_a_stack_of_one_model_is_fit():
    X, y = data()
    kw = dict(train=(X, y), val=(X[:30], y[:30]), loss=softmax_cross_entropy, epochs=2,
              batch_size=25, progress=False)
    build = lambda r, i: mlp(r)  # noqa: E731
    assert_same_runs(one_by_one(build, [4], lambda: SGD(0.1), L2(1.0), **kw),
                     together(build, [4], lambda: SGD(0.1), L2(1.0), **kw), rtol=1e-12)


def test_the_stack_computes_in_its_dtype():
    stack = StackedModel([mlp(np.random.default_rng(s), dtype=np.float32) for s in range(2)])
    out = stack.forward(np.random.default_rng(0).standard_normal((4, 6)))  # float64 input
    assert out.dtype == np.float32 and out.shape == (2, 4, 3)
