"""Weight averaging: SWA is the mean of the recorded iterates, EMA its formula, batch-norm
statistics recomputed for the averaged weights, bad input."""

import numpy as np
import pytest

from reglab import (
    SGD,
    BatchNorm,
    Callback,
    Dense,
    Dropout,
    EarlyStopping,
    ReLU,
    Sequential,
    WeightAveraging,
    fit,
    softmax_cross_entropy,
)
from reglab.averaging import recompute_batch_norm

RNG = np.random.default_rng


class Recorder(Callback):
    """Keeps a copy of the parameters after every epoch."""

    def on_train_begin(self, model):
        self.iterates = []

    def on_epoch_end(self, epoch, history, model):
        self.iterates.append({k: p.copy() for k, p in model.params.items()})
        return False


def data(m=60, seed=0):
    rng = RNG(seed)
    X = rng.standard_normal((m, 3))
    return X, (X[:, 0] - X[:, 2] > 0).astype(int) + (X[:, 1] > 0.5)


def model(seed=1, batch_norm=False, dropout=False, dtype=np.float64):
    rng = RNG(seed)
    layers = [Dense(3, 8, rng=rng, dtype=dtype)]
    layers += [BatchNorm(8, dtype=dtype)] if batch_norm else []
    layers += [ReLU()] + ([Dropout(0.7)] if dropout else []) + [Dense(8, 3, rng=rng, dtype=dtype)]
    return Sequential(layers)


def train(net, averaging, epochs=8, X=None):
    X, y = data() if X is None else X
    recorder = Recorder()
    fit(net, (X, y), loss=softmax_cross_entropy, optimizer=SGD(0.2), epochs=epochs, rng=RNG(4),
        batch_size=10, callbacks=[recorder, averaging], progress=False)
    return recorder.iterates


@pytest.mark.parametrize("start", [0, 3, 6])
def test_swa_is_the_mean_of_the_iterates_from_start_epoch(start):
    net, swa = model(), WeightAveraging("swa", start_epoch=start)
    iterates = train(net, swa)
    assert swa.n_averaged == 8 - start
    for k, p in net.params.items():
        mean = np.mean([w[k] for w in iterates[start:]], axis=0)
        np.testing.assert_allclose(p, mean, rtol=0, atol=1e-14, err_msg=k)
    assert not np.allclose(net.params["0.W"], iterates[-1]["0.W"])  # not the last iterate


def test_ema_is_the_exponential_moving_average_of_the_iterates():
    net, ema = model(), WeightAveraging("ema", start_epoch=2, decay=0.7)
    iterates = train(net, ema)
    for k, p in net.params.items():
        avg = iterates[2][k]
        for w in iterates[3:]:
            avg = 0.7 * avg + 0.3 * w[k]
        np.testing.assert_allclose(p, avg, rtol=0, atol=1e-14, err_msg=k)


def test_start_after_the_last_epoch_leaves_the_last_iterate():
    net, swa = model(), WeightAveraging("swa", start_epoch=8)
    iterates = train(net, swa)
    assert swa.n_averaged == 0
    for k, p in net.params.items():
        np.testing.assert_array_equal(p, iterates[-1][k])


def test_a_second_fit_starts_a_new_average():
    net, swa = model(), WeightAveraging("swa")
    train(net, swa, epochs=3)
    iterates = train(net, swa, epochs=2)
    assert swa.n_averaged == 2
    np.testing.assert_allclose(net.params["2.W"], (iterates[0]["2.W"] + iterates[1]["2.W"]) / 2,
                               atol=1e-14)


def test_float32_model_averages_in_float32():
    net, swa = model(dtype=np.float32), WeightAveraging("swa", start_epoch=4)
    iterates = train(net, swa)
    assert all(a.dtype == np.float32 for a in swa.averaged.values())
    np.testing.assert_allclose(net.params["0.W"], np.mean([w["0.W"] for w in iterates[4:]], 0),
                               atol=1e-6)


def batch_norm_input(net, X):
    """What the BatchNorm layer (index 1) sees: the output of the first layer."""
    return net.layers[0].forward(X)


@pytest.mark.parametrize("kind, decay, start", [("swa", None, 2), ("ema", 0.5, 2),
                                                ("swa", None, 7)])
def test_batch_norm_statistics_are_those_of_the_data_under_the_averaged_weights(kind, decay,
                                                                               start):
    X, y = data()
    X_bn = RNG(9).standard_normal((25, 3))
    net, avg = model(batch_norm=True), WeightAveraging(kind, start_epoch=start, decay=decay,
                                                        bn_data=X_bn)
    train(net, avg, X=(X, y))
    h = batch_norm_input(net, X_bn)  # under the averaged weights, loaded by now
    bn = net.layers[1]
    np.testing.assert_allclose(bn.buffers["running_mean"], h.mean(axis=0), atol=1e-14)
    np.testing.assert_allclose(bn.buffers["running_var"], h.var(axis=0), atol=1e-14)
    assert bn.momentum == 0.9  # put back after the pass


def test_recompute_batch_norm_runs_dropout_off_and_in_the_model_dtype():
    rng = RNG(0)
    layers = [Dense(3, 6, rng=rng, dtype=np.float32), Dropout(0.5),
              BatchNorm(6, dtype=np.float32), ReLU(), Dense(6, 2, rng=rng, dtype=np.float32),
              BatchNorm(2, dtype=np.float32)]
    net = Sequential(layers)
    X = rng.standard_normal((40, 3))
    recompute_batch_norm(net, X)
    h = layers[0].forward(X.astype(np.float32))  # dropout off: the layer is the identity
    np.testing.assert_allclose(layers[2].buffers["running_mean"], h.mean(0), atol=1e-6)
    np.testing.assert_allclose(layers[2].buffers["running_var"], h.var(0), rtol=1e-5)
    out = net.layers[4].forward(np.maximum(layers[2].forward(h, train=False), 0))
    np.testing.assert_allclose(layers[5].buffers["running_mean"], out.mean(0), atol=1e-5)
    np.testing.assert_allclose(layers[5].buffers["running_var"], out.var(0), rtol=1e-4)
    assert all(b.dtype == np.float32 for b in net.buffers.values())


def test_the_last_callback_decides_with_early_stopping():
    X, y = data()
    stop, swa = EarlyStopping(patience=100, monitor="train_loss"), WeightAveraging("swa")
    net, recorder = model(), Recorder()
    fit(net, (X, y), loss=softmax_cross_entropy, optimizer=SGD(0.2), epochs=4, rng=RNG(4),
        batch_size=10, callbacks=[recorder, stop, swa], progress=False)
    np.testing.assert_allclose(net.params["0.b"],
                               np.mean([w["0.b"] for w in recorder.iterates], 0), atol=1e-14)


@pytest.mark.parametrize("make, exc, match", [
    (lambda: WeightAveraging("mean"), ValueError, "kind must be one of \\('swa', 'ema'\\)"),
    (lambda: WeightAveraging("swa", start_epoch=-1), ValueError, "start_epoch must be >= 0"),
    (lambda: WeightAveraging("swa", start_epoch=1.5), TypeError, "start_epoch must be an int"),
    (lambda: WeightAveraging("ema"), ValueError, "decay must be given for kind='ema'"),
    (lambda: WeightAveraging("swa", decay=0.9), ValueError, "decay is for kind='ema' only"),
    (lambda: WeightAveraging("ema", decay=1.0), ValueError, r"decay must be in \(0, 1\)"),
    (lambda: WeightAveraging("ema", decay=0), ValueError, r"decay must be in \(0, 1\)"),
    (lambda: WeightAveraging("ema", decay="0.9"), TypeError, "decay must be a real number"),
    (lambda: WeightAveraging(bn_data=np.ones(5)), ValueError, "bn_data must have 2 dim"),
    (lambda: WeightAveraging(bn_data=np.ones((1, 3))), ValueError, "bn_data must have at least 2"),
    (lambda: WeightAveraging(bn_data=np.full((4, 3), np.nan)), ValueError, "bn_data contains"),
    (lambda: recompute_batch_norm("net", np.ones((4, 3))), TypeError, "model must be"),
    (lambda: recompute_batch_norm(model(), np.ones((1, 3))), ValueError, "X must have at least"),
])
def test_bad_construction(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


@pytest.mark.parametrize("bn_data, match", [
    (None, "bn_data must be given for a model with BatchNorm"),
    (np.ones((5, 4)), "bn_data does not fit the model"),
])
def test_a_batch_norm_model_without_fitting_bn_data_is_refused_before_training(bn_data, match):
    net = model(batch_norm=True)
    before = net.state()
    with pytest.raises(ValueError, match=match):
        train(net, WeightAveraging("swa", bn_data=bn_data))
    for k, v in before.items():
        np.testing.assert_array_equal(net.state()[k], v, err_msg=k)


def test_repr():
    assert repr(WeightAveraging("ema", start_epoch=3, decay=0.9)) == \
        "WeightAveraging('ema', start_epoch=3, decay=0.9)"
    assert repr(WeightAveraging()) == "WeightAveraging('swa', start_epoch=0)"
