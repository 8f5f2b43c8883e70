"""Every bad input to the public API raises before any work, naming the argument."""

import numpy as np
import pytest

import reglab
from reglab import (
    L1,
    L2,
    SGD,
    AdaGrad,
    Adam,
    AdamW,
    DecoupledWeightDecay,
    Dense,
    Dropout,
    EarlyStopping,
    ElasticNet,
    GradientClipping,
    Momentum,
    ProximalL1,
    ReLU,
    RMSProp,
    Sequential,
    binary_cross_entropy,
    fit,
    mean_squared_error,
    minibatches,
    softmax_cross_entropy,
)


def model(seed=0):
    rng = np.random.default_rng(seed)
    return Sequential([Dense(3, 4, rng=rng), ReLU(), Dense(4, 2, rng=rng)])


@pytest.mark.parametrize("make, match", [
    (lambda: L2(lam=-0.1), "lam must be in \\[0, inf\\), got -0.1"),
    (lambda: L1(lam=float("nan")), "lam must be finite"),
    (lambda: ElasticNet(1.0, l1_ratio=1.5), "l1_ratio"),
    (lambda: L2(lam="0.1"), "lam must be a real number"),
    (lambda: Dropout(keep_prob=1.5), "keep_prob must be in \\(0, 1\\], got 1.5"),
    (lambda: Dropout(keep_prob=0), "keep_prob must be in \\(0, 1\\], got 0"),
    (lambda: Dropout.from_rate(1.0), "rate must be in \\[0, 1\\)"),
    (lambda: SGD(lr=0), "lr must be in \\(0, inf\\), got 0"),
    (lambda: Adam(lr=-1e-3), "lr must be in"),
    (lambda: Adam(beta1=1.0), "beta1"),
    (lambda: Momentum(0.1, beta=-0.5), "beta"),
    (lambda: RMSProp(0.1, rho=1.2), "rho"),
    (lambda: AdaGrad(0.1, eps=0), "eps"),
    (lambda: AdamW(weight_decay=-1), "weight_decay"),
    (lambda: GradientClipping(SGD(0.1), max_norm=0), "max_norm"),
    (lambda: GradientClipping("sgd", max_norm=1), "optimizer must be a reglab optimizer"),
    (lambda: EarlyStopping(patience=-1), "patience must be >= 0, got -1"),
    (lambda: EarlyStopping(min_delta=-0.1), "min_delta"),
    (lambda: EarlyStopping(monitor="loss"), "monitor must be one of"),
    (lambda: Dense(0, 3, rng=np.random.default_rng(0)), "n_in must be >= 1"),
    (lambda: Dense(3, 2.5, rng=np.random.default_rng(0)), "n_out must be an integer"),
    (lambda: Dense(3, 2, rng=0), "rng must be a numpy.random.Generator"),
    (lambda: Dense(3, 2, rng=np.random.default_rng(0), init="zeros"), "init must be one of"),
    (lambda: Dense(3, 2, rng=np.random.default_rng(0), dtype=int), "dtype must be a floating"),
    (lambda: Sequential([]), "layers must contain at least one layer"),
    (lambda: Sequential([ReLU(), "relu"]), "layers\\[1\\] must be a reglab Layer"),
    (lambda: L2(0.1).value([np.ones(2)], m=0), "m must be >= 1"),
    (lambda: list(minibatches(10, 0, np.random.default_rng(0))), "batch_size must be >= 1"),
])
def test_constructor_and_helper_errors(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


@pytest.mark.parametrize("call, match", [
    (lambda: softmax_cross_entropy(np.zeros((3, 4)), np.array([0, 1, 4])), "y must be in \\[0, 4\\)"),
    (lambda: softmax_cross_entropy(np.zeros((3, 4)), np.array([0, -1, 2])), "y must be in"),
    (lambda: softmax_cross_entropy(np.zeros((3, 4)), np.array([0, 1])), "y must have shape \\(3,\\)"),
    (lambda: softmax_cross_entropy(np.zeros((3, 4)), np.array([0.5, 1, 2])), "integer class labels"),
    (lambda: softmax_cross_entropy(np.zeros((0, 4)), np.array([], dtype=int)), "logits must be a non-empty"),
    (lambda: binary_cross_entropy(np.zeros((3, 2)), np.array([0, 1, 1])), "logits must have shape \\(m, 1\\)"),
    (lambda: binary_cross_entropy(np.zeros((2, 1)), np.array([0, 2])), "y must be in \\[0, 2\\)"),
    (lambda: mean_squared_error(np.zeros((3, 2)), np.zeros((3, 3))), "target must have the shape"),
    (lambda: model().forward(np.zeros((2, 5))), "X must have shape \\(m, 3\\)"),
    (lambda: Dropout(0.5).forward(np.ones((2, 2)), train=True), "rng must be a numpy.random.Generator"),
])
def test_call_errors(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def fit_args(**overrides):
    X = np.random.default_rng(0).standard_normal((10, 3))
    y = np.arange(10) % 2
    args = dict(model=model(), train=(X, y), loss=softmax_cross_entropy, optimizer=SGD(0.1),
                epochs=1, rng=np.random.default_rng(0), progress=False)
    args.update(overrides)
    return args


X_NAN = np.ones((10, 3))
X_NAN[4, 1] = np.nan


@pytest.mark.parametrize("overrides, match", [
    (dict(train=(X_NAN, np.zeros(10, int))), "train X contains NaN"),
    (dict(train=(np.ones((0, 3)), np.zeros(0, int))), "train X must have at least 1 row"),
    (dict(train=(np.ones((10, 3)), np.zeros(9, int))), "train y has 9 rows but X has 10"),
    (dict(train=np.ones((10, 3))), "train must be a tuple \\(X, y\\)"),
    (dict(val=(np.ones((4, 3)), np.array([0, 1, 2, np.nan]))), "val y contains NaN"),
    (dict(epochs=0), "epochs must be >= 1"),
    (dict(batch_size=0), "batch_size must be >= 1"),
    (dict(rng=42), "rng must be a numpy.random.Generator"),
    (dict(model="mlp"), "model must be a reglab Sequential"),
    (dict(loss="cross_entropy"), "loss must be a function"),
    (dict(optimizer="adam"), "optimizer must be an optimizer with a step"),
    (dict(callbacks=[print]), "callbacks\\[0\\] must be a reglab Callback"),
])
def test_fit_errors(overrides, match):
    args = fit_args(**overrides)
    mdl = args["model"]
    before = mdl.state() if isinstance(mdl, Sequential) else {}
    with pytest.raises((ValueError, TypeError), match=match):
        fit(**args)
    for k, v in before.items():  # nothing was trained before the error
        np.testing.assert_array_equal(mdl.params[k], v)


def test_fit_with_out_of_range_labels_names_y():
    with pytest.raises(ValueError, match="y must be in \\[0, 2\\)"):
        fit(**fit_args(train=(np.ones((10, 3)), np.arange(10))))


def test_custom_optimizer_without_lr_still_gets_training_diverged():
    class Exploding:  # a user's optimizer: a step method and nothing else
        def step(self, params, grads):
            for p in params.values():
                p *= 1e200

    with np.errstate(over="ignore", invalid="ignore"), \
            pytest.raises(reglab.TrainingDiverged, match="training diverged"):
        fit(**fit_args(optimizer=Exploding(), epochs=3))


def test_whole_number_float_labels_train_as_classes():
    X, y = fit_args()["train"]
    h_float = fit(**fit_args(train=(X, y.astype(float)), val=(X, y.astype(float))))
    h_int = fit(**fit_args(train=(X, y), val=(X, y)))
    assert h_float.train_acc[0] is not None and h_float.val_acc[0] is not None
    assert h_float.train_loss == h_int.train_loss and h_float.train_acc == h_int.train_acc


def test_batch_size_larger_than_m_is_one_full_batch():
    big = fit_args(batch_size=1000, optimizer=SGD(0.1))
    full = fit_args(batch_size=10, optimizer=SGD(0.1))
    assert fit(**big).train_loss == fit(**full).train_loss
    np.testing.assert_array_equal(big["model"].params["0.W"], full["model"].params["0.W"])


@pytest.mark.parametrize("make", [
    lambda: SGD(0.1), lambda: AdamW(0.1), lambda: GradientClipping(Adam(0.1), max_norm=1.0),
    lambda: DecoupledWeightDecay(Momentum(0.1), 0.01), lambda: ProximalL1(SGD(0.1), 1.0, 10),
    lambda: GradientClipping(AdamW(0.1), max_norm=1.0),
])
def test_lr_can_be_read_and_set_on_every_optimizer_and_wrapper(make):
    opt = make()
    assert opt.lr == 0.1
    opt.lr = 0.05
    assert opt.lr == 0.05
    inner = opt
    while hasattr(inner, "optimizer"):
        inner = inner.optimizer
    assert inner.lr == 0.05  # the optimizer inside takes the steps with it
    with pytest.raises(ValueError, match="lr must be in"):
        opt.lr = -1.0
    assert opt.lr == 0.05


def test_a_shape_check_does_not_accept_a_gradient_of_the_right_size():
    params = {"W": np.ones((2, 3))}
    with pytest.raises(ValueError, match=r"grads\['W'\] must be an ndarray of the shape \(2, 3\)"):
        SGD(0.1).step(params, {"W": np.ones((3, 2))})
    np.testing.assert_array_equal(params["W"], 1.0)


def test_fit_checks_the_data_once_and_steps_unchecked(monkeypatch):
    import reglab.optim
    import reglab.train

    calls = {"check_step": 0, "train X": 0, "forward": 0}
    monkeypatch.setattr(reglab.optim, "check_step",
                        lambda *a: calls.__setitem__("check_step", calls["check_step"] + 1))
    check_array = reglab.train.check_array

    def counting_check_array(name, *args, **kwargs):
        calls["train X"] += name == "train X"
        return check_array(name, *args, **kwargs)

    monkeypatch.setattr(reglab.train, "check_array", counting_check_array)
    forward = Sequential.forward

    def counting_forward(self, *args, **kwargs):
        calls["forward"] += 1
        return forward(self, *args, **kwargs)

    monkeypatch.setattr(Sequential, "forward", counting_forward)
    fit(**fit_args(optimizer=GradientClipping(AdamW(0.01), 1.0), epochs=3, batch_size=2))
    # 15 steps: no step checked, X checked once, the model's public forward never (the
    # training metrics are running means of the steps' own outputs, and there is no val)
    assert calls == {"check_step": 0, "train X": 1, "forward": 0}


def test_dense_forward_takes_a_list_of_numbers():
    dense = Dense(2, 3, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(dense.forward([[1.0, 2.0]]), dense.forward(np.array([[1.0, 2.0]])))


def test_train_step_needs_no_rng_without_dropout_and_dropout_asks_for_one():
    X, y = fit_args()["train"]
    value = reglab.train_step(model(), X, y, loss=softmax_cross_entropy, optimizer=SGD(0.1),
                              penalty=None, m=10, rng=None)
    assert np.isfinite(value)
    with_dropout = Sequential([Dense(3, 4, rng=np.random.default_rng(0)), Dropout(0.5),
                               Dense(4, 2, rng=np.random.default_rng(1))])
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        reglab.train_step(with_dropout, X, y, loss=softmax_cross_entropy, optimizer=SGD(0.1),
                          penalty=None, m=10, rng=None)
