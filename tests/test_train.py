import numpy as np
import pytest

from reglab import (
    L2,
    SGD,
    Adam,
    Dense,
    Dropout,
    EarlyStopping,
    History,
    ReLU,
    Sequential,
    Tanh,
    TrainingDiverged,
    fit,
    mean_squared_error,
    minibatches,
    softmax_cross_entropy,
)
from reglab.multitask import MultiHead
from reglab.train import BatchTransform, _n_correct, train_step


def blobs(rng, m=200):
    """Two well separated Gaussian blobs in 2-D, labels 0/1."""
    y = np.arange(m) % 2
    X = rng.standard_normal((m, 2)) * 0.5 + np.where(y[:, None] == 1, 2.0, -2.0)
    return X, y


def make_model(seed, keep_prob=1.0, hidden=16):
    rng = np.random.default_rng(seed)
    return Sequential([Dense(2, hidden, rng=rng), ReLU(), Dropout(keep_prob),
                       Dense(hidden, 2, rng=rng)])


def train(seed=0, **kwargs):
    rng = np.random.default_rng(seed)
    X, y = blobs(np.random.default_rng(99))
    args = dict(loss=softmax_cross_entropy, optimizer=Adam(lr=0.01), epochs=5, rng=rng,
                val=(X[:50], y[:50]), batch_size=16, progress=False)
    args.update(kwargs)
    model = make_model(seed, keep_prob=0.8)
    return model, fit(model, (X, y), **args)


def test_minibatches_cover_every_index_once(rng):
    batches = list(minibatches(10, 4, rng))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches)) == list(range(10))
    assert not np.array_equal(np.concatenate(batches), np.arange(10))  # shuffled (seeded)
    np.testing.assert_array_equal(np.concatenate(list(minibatches(5, 2, rng, shuffle=False))),
                                  np.arange(5))


def test_fit_learns_and_records_history():
    model, hist = train(epochs=10)
    assert isinstance(hist, History) and hist.epochs == 10
    assert len(hist.val_acc) == len(hist.train_loss) == len(hist.penalty) == 10
    assert hist.train_acc[-1] > 0.95 and hist.val_acc[-1] > 0.95
    assert hist.train_loss[-1] < hist.train_loss[0]


def test_same_seed_identical_history_different_seed_differs():
    _, a = train(seed=5)
    _, b = train(seed=5)
    _, c = train(seed=6)
    assert a == b
    assert a.train_loss != c.train_loss


def test_penalty_shrinks_weights_and_is_recorded():
    plain, h0 = train(epochs=20)
    decayed, h1 = train(epochs=20, penalty=L2(lam=50.0))
    norm = lambda mdl: sum(np.sum(w**2) for w in mdl.weights().values())  # noqa: E731
    assert norm(decayed) < 0.5 * norm(plain)
    assert h0.penalty == [0.0] * 20
    assert h1.penalty[-1] == pytest.approx(L2(50.0).value(decayed.weights().values(), 200))


def test_regression_history_has_no_accuracy(rng):
    X = rng.uniform(-1, 1, size=(64, 1))
    y = np.sin(3 * X[:, 0])
    model = Sequential([Dense(1, 16, rng=rng), Tanh(), Dense(16, 1, rng=rng)])
    hist = fit(model, (X, y), loss=mean_squared_error, optimizer=Adam(0.01), epochs=30, rng=rng,
               progress=False)
    assert hist.train_acc == [None] * 30 and hist.val_loss == [None] * 30
    assert hist.train_loss[-1] < 0.5 * hist.train_loss[0]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_stops_with_a_clear_message():
    with pytest.raises(TrainingDiverged, match="learning rate"):
        train(optimizer=SGD(lr=1e6), epochs=3)


def test_augment_is_applied_to_every_training_batch():
    seen = []

    def spy(Xb, rng):
        seen.append(len(Xb))
        return Xb

    train(augment=spy, epochs=2, batch_size=50)
    assert seen == [50] * 8


def run_early_stopping(curve, **kwargs):
    es, model = EarlyStopping(**kwargs), make_model(0)
    es.on_train_begin(model)
    hist = History()
    for epoch, value in enumerate(curve):
        hist.val_loss.append(value)
        model.params["0.b"][:] = epoch  # parameters that identify the epoch
        if es.on_epoch_end(epoch, hist, model):
            break
    es.on_train_end(model)
    return es, model


def test_early_stopping_patience_and_restore_best():
    es, model = run_early_stopping([1.0, 0.8, 0.6, 0.7, 0.65, 0.9, 0.5], patience=3)
    assert es.best_epoch == 2 and es.best_value == 0.6
    assert es.stopped_epoch == 5  # epochs 3, 4, 5 without improvement
    assert np.all(model.params["0.b"] == 2)  # parameters of the best epoch


def test_early_stopping_min_delta_and_no_restore():
    es, model = run_early_stopping([1.0, 0.99, 0.985, 0.98], patience=2, min_delta=0.05,
                                   restore_best=False)
    assert es.best_epoch == 0 and es.stopped_epoch == 2
    assert np.all(model.params["0.b"] == 2)  # last parameters kept


def test_early_stopping_never_triggers_on_improving_curve():
    es, _ = run_early_stopping([5, 4, 3, 2, 1], patience=1)
    assert es.stopped_epoch is None and es.best_epoch == 4


def test_early_stopping_monitors_accuracy_upwards():
    es = EarlyStopping(patience=1, monitor="val_acc")
    model = make_model(0)
    es.on_train_begin(model)
    hist = History()
    stops = []
    for value in [0.5, 0.7, 0.6]:
        hist.val_acc.append(value)
        stops.append(es.on_epoch_end(len(stops), hist, model))
    assert stops == [False, False, True] and es.best_value == 0.7


def test_early_stopping_in_fit_restores_best_val_loss():
    es = EarlyStopping(patience=2)
    model, hist = train(epochs=40, callbacks=[es], optimizer=Adam(lr=0.05))
    assert hist.epochs <= 40
    assert es.best_value == min(hist.val_loss)
    from reglab import evaluate
    X, y = blobs(np.random.default_rng(99))
    assert evaluate(model, X[:50], y[:50], softmax_cross_entropy)[0] == pytest.approx(
        min(hist.val_loss))


def test_early_stopping_without_validation_data_explains():
    X, y = blobs(np.random.default_rng(0))
    with pytest.raises(ValueError, match="val"):
        fit(make_model(0), (X, y), loss=softmax_cross_entropy, optimizer=Adam(), epochs=2,
            rng=np.random.default_rng(0), callbacks=[EarlyStopping()], progress=False)


def test_progress_bar_can_be_turned_on_and_off(capsys):
    train(epochs=2, progress=True)
    assert "epochs" in capsys.readouterr().err
    train(epochs=2, progress=False)
    assert capsys.readouterr().err == ""


# ------------------------------------------------------------ the batch-transform hook

class Recorder(BatchTransform):
    """Records what fit hands to a transform; returns the batch unchanged."""

    def __init__(self):
        self.calls = []

    def __call__(self, Xb, yb, *, model, loss, rng):
        self.calls.append((Xb.copy(), yb.copy(), model, loss, rng))
        return Xb, yb


def test_batch_transform_sees_batch_labels_model_loss_and_rng():
    rec = Recorder()
    rng = np.random.default_rng(0)
    X, y = blobs(np.random.default_rng(99))
    model = make_model(0)
    fit(model, (X, y), loss=softmax_cross_entropy, optimizer=Adam(lr=0.01), epochs=2,
        batch_size=50, rng=rng, augment=rec, progress=False)
    assert [len(c[0]) for c in rec.calls] == [50] * 8
    for Xb, yb, mdl, loss, r in rec.calls:
        assert mdl is model and loss is softmax_cross_entropy and r is rng
        rows = [np.flatnonzero((X == row).all(axis=1))[0] for row in Xb]
        np.testing.assert_array_equal(y[rows], yb)       # the labels of those very rows


def test_unchanged_batches_through_a_transform_give_the_plain_history():
    _, plain = train(seed=3)
    _, through = train(seed=3, augment=Recorder())
    _, identity = train(seed=3, augment=lambda Xb, rng: Xb)
    assert plain == through == identity


def test_a_plain_augmentation_is_one_transform_among_others():
    from reglab.train import InputAugmentation

    def shift(Xb, rng):
        return Xb + rng.normal(size=Xb.shape)

    _, a = train(seed=4, augment=shift)
    _, b = train(seed=4, augment=InputAugmentation(shift))
    assert a == b


class Doubler(BatchTransform):
    """The batch twice, with its labels: more rows than came in."""

    def __call__(self, Xb, yb, *, model, loss, rng):
        return np.concatenate([Xb, Xb]), np.concatenate([yb, yb])


def test_a_transform_may_return_more_rows():
    _, hist = train(augment=Doubler(), epochs=10)
    assert hist.train_acc[-1] > 0.95


class BadRows(BatchTransform):
    def __call__(self, Xb, yb, *, model, loss, rng):
        return np.concatenate([Xb, Xb]), yb


class NotAPair(BatchTransform):
    def __call__(self, Xb, yb, *, model, loss, rng):
        return Xb


@pytest.mark.parametrize("augment, exc, match", [
    ("shift", TypeError, "augment must be a function \\(X, rng\\) -> X or a reglab BatchTransform"),
    (BadRows(), ValueError, "as many rows"),
    (NotAPair(), TypeError, "must return a pair \\(X, y\\)"),
])
def test_bad_transforms_are_named(augment, exc, match):
    with pytest.raises(exc, match=match):
        train(augment=augment)


def bare_loop(model, X, y, *, epochs, rng, batch_size=16, optimizer=None):
    """What fit does per batch, and nothing else: (per-epoch batch losses and sizes)."""
    from reglab import train_step
    optimizer = Adam(lr=0.01) if optimizer is None else optimizer
    epochs_seen = []
    for _ in range(epochs):
        losses, sizes = [], []
        for idx in minibatches(len(y), batch_size, rng):
            losses.append(train_step(model, X[idx], y[idx], loss=softmax_cross_entropy,
                                     optimizer=optimizer, penalty=None, m=len(y), rng=rng))
            sizes.append(len(idx))
        epochs_seen.append((np.array(losses), np.array(sizes)))
    return epochs_seen


def test_default_training_metrics_are_running_means_of_the_batches():
    model, hist = train(epochs=3)  # dropout 0.8: the batches are seen in training mode
    assert hist.train_metrics == "running" and hist.eval_epochs == [0, 1, 2]
    twin = make_model(0, keep_prob=0.8)
    X, y = blobs(np.random.default_rng(99))
    seen = bare_loop(twin, X, y, epochs=3, rng=np.random.default_rng(0))
    for epoch, (losses, sizes) in enumerate(seen):
        assert hist.train_loss[epoch] == pytest.approx(np.sum(losses * sizes) / sizes.sum())
    for k in model.params:  # the metrics cost no extra work that changes training
        np.testing.assert_array_equal(model.params[k], twin.params[k])
    from reglab import evaluate
    assert hist.val_loss[-1] == evaluate(model, X[:50], y[:50], softmax_cross_entropy)[0]
    assert all(0 <= a <= 1 for a in hist.train_acc)


def test_full_training_metrics_evaluate_the_whole_set_without_changing_training():
    from reglab import evaluate
    run_model, running = train(epochs=3)
    full_model, full = train(epochs=3, train_metrics="full")
    assert full.train_metrics == "full"
    X, y = blobs(np.random.default_rng(99))
    assert (full.train_loss[-1], full.train_acc[-1]) == evaluate(full_model, X, y,
                                                                 softmax_cross_entropy)
    assert full.val_loss == running.val_loss and full.train_loss != running.train_loss
    for k in run_model.params:
        np.testing.assert_array_equal(run_model.params[k], full_model.params[k])


@pytest.mark.parametrize("metrics", ["running", "full"])
def test_eval_every_evaluates_every_kth_and_the_last_epoch(metrics):
    _, hist = train(epochs=5, eval_every=2, train_metrics=metrics)
    assert hist.eval_epochs == [1, 3, 4]
    assert [v is None for v in hist.val_loss] == [True, False, True, False, False]
    assert [v is None for v in hist.val_acc] == [True, False, True, False, False]
    assert [v is None for v in hist.train_loss] == (
        [False] * 5 if metrics == "running" else [True, False, True, False, False])
    assert len(hist.penalty) == hist.epochs == 5


def test_early_stopping_decides_only_at_evaluated_epochs():
    es = EarlyStopping(patience=1, restore_best=False)
    _, hist = train(epochs=9, eval_every=3, callbacks=[es], optimizer=Adam(lr=1e-4))
    assert es.best_epoch in hist.eval_epochs
    assert es.stopped_epoch is None or es.stopped_epoch in hist.eval_epochs


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(train_metrics="train"), ValueError, "train_metrics must be one of"),
    (dict(eval_every=0), ValueError, "eval_every must be >= 1"),
])
def test_bad_cadence_arguments_are_named(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        train(**kwargs)


def test_a_model_computes_in_the_dtype_of_its_parameters():
    X, y = blobs(np.random.default_rng(99))
    rng = np.random.default_rng(0)
    model = Sequential([Dense(2, 8, rng=rng, dtype=np.float32), ReLU(),
                        Dense(8, 2, rng=rng, dtype=np.float32)])
    assert model.dtype == np.float32
    out = model.forward(X)  # float64 in: cast at the model boundary
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, model.forward(X.astype(np.float32)))
    histories = []
    for data in (X, X.astype(np.float32)):
        twin = Sequential([Dense(2, 8, rng=np.random.default_rng(0), dtype=np.float32), ReLU(),
                           Dense(8, 2, rng=np.random.default_rng(0), dtype=np.float32)])
        twin.load_state(model.state())
        histories.append(fit(twin, (data, y), val=(data[:50], y[:50]),
                             loss=softmax_cross_entropy, optimizer=Adam(lr=0.01), epochs=2,
                             rng=np.random.default_rng(1), progress=False))
        assert all(p.dtype == np.float32 for p in twin.params.values())
    assert histories[0] == histories[1]  # float64 data trains exactly like its float32 cast


def test_eval_every_counts_the_epochs_from_one():
    _, hist = train(epochs=7, eval_every=3)
    assert hist.eval_epochs == [2, 5, 6]  # the 3rd, the 6th and the last epoch


def test_early_stopping_needs_a_value_at_every_evaluated_epoch():
    es = EarlyStopping(monitor="train_acc", restore_best=False)
    es.on_train_begin(None)
    assert es.on_epoch_end(1, History(train_acc=[0.5, None], eval_epochs=[0]), None) is False
    for history in (History(train_acc=[None], eval_epochs=[0]),
                    History(train_acc=[0.5, None], eval_epochs=[0, 1])):
        with pytest.raises(ValueError, match="monitor='train_acc' has no values"):
            es.on_epoch_end(len(history.train_acc) - 1, history, None)


def test_train_step_runs_a_multi_head_model_in_training_mode():
    rng = np.random.default_rng(0)
    model = MultiHead(Sequential([Dense(3, 8, rng=rng), ReLU(), Dropout(0.5)]),
                      [Sequential([Dense(8, 2, rng=rng)])])
    X, y = rng.standard_normal((6, 3)), np.arange(6) % 2
    dropped = model.forward(X, train=True, rng=np.random.default_rng(5))
    value = train_step(model, X, y, loss=softmax_cross_entropy, optimizer=SGD(lr=0.1),
                       penalty=None, m=6, rng=np.random.default_rng(5))
    assert value == softmax_cross_entropy(dropped, y)[0]


def test_correct_counts_of_a_stack_are_those_of_each_batch(rng):
    # fit_many counts each model's hits on logits (S, m, k) against labels (S, m) in one call
    logits, y = rng.standard_normal((3, 7, 4)), rng.integers(0, 4, (3, 7))
    counts = _n_correct(logits, y)
    assert isinstance(counts, np.ndarray) and counts.shape == (3,)
    expected = [int(np.sum(logits[s].argmax(axis=1) == y[s])) for s in range(3)]
    assert counts.tolist() == expected
    assert [_n_correct(logits[s], y[s]) for s in range(3)] == expected
    assert all(type(_n_correct(logits[s], y[s])) is int for s in range(3))
    # one output per row: the class is logit > 0, for a stack too
    single, labels = rng.standard_normal((2, 9, 1)), rng.integers(0, 2, (2, 9))
    assert _n_correct(single, labels).tolist() == [
        int(np.sum((single[s, :, 0] > 0) == labels[s])) for s in range(2)]
