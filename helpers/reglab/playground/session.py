"""One playground run: data, network, optimizer and training, one epoch at a time.

A :class:`Session` is built from a :class:`~reglab.playground.config.Config` and owns
everything that changes while training (model, optimizer state, History, early
stopping). It knows nothing of widgets, so tests and notebooks drive it directly, and
the widget app only calls :meth:`Session.run_epoch` and reads the results.

Randomness: three generators, derived from ``config.seed`` and a fixed stream number
(data = 0, initial weights = 1, training = 2), so that, e.g., changing ``l2`` leaves the
data and the initial weights unchanged. The same Config gives the same run, epoch for
epoch, whether it is trained in one go, by single steps, or stopped and resumed.

The regularization and the learning rate can also change *while* a run trains
(:meth:`Session.adjust`, the settings of ``LIVE_SETTINGS``): the weights, the optimizer's
state and the epoch counter carry on, and the change is recorded in ``Session.changes``
(so such a run is reproduced by the same Config and the same changes at the same epochs).
"""

from __future__ import annotations

import numpy as np

from .. import data as datasets
from .._validate import check_int
from ..augment import GaussianNoise
from ..layers import Dense, Dropout, ReLU, Sequential, Sigmoid, Tanh
from ..losses import mean_squared_error, softmax_cross_entropy
from ..optim import SGD, AdaGrad, Adam, Momentum, Nesterov, ProximalL1, RMSProp
from ..penalties import L2
from ..train import EarlyStopping, History, TrainingDiverged, evaluate, train_step
from .config import LIVE_SETTINGS, Config

MAKERS = {"moons": datasets.make_moons, "circles": datasets.make_circles,
          "spirals": datasets.make_spirals, "xor": datasets.make_xor,
          "blobs": datasets.make_blobs, "plane": datasets.make_plane,
          "gaussians": datasets.make_gaussian_bumps}
ACTIVATION_LAYERS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid, "linear": None}
FEATURE_MAPS = {"x1": lambda X: X[:, 0], "x2": lambda X: X[:, 1],
                "x1^2": lambda X: X[:, 0] ** 2, "x2^2": lambda X: X[:, 1] ** 2,
                "x1x2": lambda X: X[:, 0] * X[:, 1],
                "sin x1": lambda X: np.sin(X[:, 0]), "sin x2": lambda X: np.sin(X[:, 1])}
OPTIMIZER_CLASSES = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov,
                     "adagrad": AdaGrad, "rmsprop": RMSProp, "adam": Adam}
NEAR_ZERO = 1e-3  # |w| below this counts as a (near-)zero weight


def _rng(config: Config, stream: int) -> np.random.Generator:
    return np.random.default_rng([config.seed, stream])


def _check_config(config) -> Config:
    if not isinstance(config, Config):
        raise TypeError(f"config must be a playground Config, got {type(config).__name__}")
    return config


def make_data(config: Config):
    """The standardized train and test sets of ``config``, float32.

    Returns ((X_train, y_train), (X_test, y_test)); X (m, 2), y (m,) int64 (float32 for
    regression). Both are standardized with the training set's mean and std
    (:func:`reglab.data.standardize`).
    """
    _check_config(config)
    rng = _rng(config, 0)
    X, y = MAKERS[config.dataset](config.n_points, config.noise, rng)
    (X_tr, y_tr), _, (X_te, y_te) = datasets.train_val_test_split(
        X, y, val_frac=0.0, test_frac=1 - config.train_frac, rng=rng)
    X_tr, X_te = datasets.standardize(X_tr, X_te)
    if config.regression:
        y_tr, y_te = y_tr.astype(np.float32), y_te.astype(np.float32)
    return (X_tr.astype(np.float32), y_tr), (X_te.astype(np.float32), y_te)


def featurize(X: np.ndarray, features) -> np.ndarray:
    """The network's inputs for points X (k, 2): one column per name of ``features``.

    E.g. ("x1", "x2", "x1x2") gives columns x1, x2, x1·x2; shape (k, len(features)), float32.
    """
    return np.column_stack([FEATURE_MAPS[f](X) for f in features]).astype(np.float32)


def build_model(config: Config) -> Sequential:
    """The hidden layers [Dense, activation, Dropout if keep_prob < 1] of ``layer_widths``,
    then Dense → 2
    (Dense → 1 for regression).

    The first layer takes ``len(config.features)`` inputs. He initialization for ReLU,
    Xavier for tanh, sigmoid and linear (no activation layer); float32.
    """
    rng = _rng(_check_config(config), 1)
    init = "he" if config.activation == "relu" else "xavier"
    activation = ACTIVATION_LAYERS[config.activation]
    layers, n_in = [], len(config.features)
    for width in config.layer_widths:
        layers.append(Dense(n_in, width, rng=rng, init=init, dtype=np.float32))
        if activation is not None:
            layers.append(activation())
        if config.keep_prob < 1:
            layers.append(Dropout(keep_prob=config.keep_prob))
        n_in = width
    layers.append(Dense(n_in, 1 if config.regression else 2, rng=rng, init="xavier",
                        dtype=np.float32))
    return Sequential(layers)


def build_optimizer(config: Config):
    """The optimizer of ``config``, wrapped in :class:`ProximalL1` when ``l1 > 0``."""
    optimizer = OPTIMIZER_CLASSES[_check_config(config).optimizer](lr=config.lr)
    if config.l1 > 0:
        optimizer = ProximalL1(optimizer, lam=config.l1, m=config.m_train)
    return optimizer


class Session:
    """A training run of one :class:`Config`, advanced one epoch at a time.

    Attributes
    ----------
    config : Config
    train, test : tuple (X (m, 2) float32, y (m,) int64)
    model : Sequential
    history : History
        Per-epoch loss and accuracy; the "validation" entries are the test set.
    epoch : int
        Epochs run so far.
    params_epoch : int
        The epoch whose parameters the model holds: ``epoch``, or the best epoch once
        early stopping has restored it (0 before training). Every figure and summary
        describes these parameters.
    finished : str or None
        Why training ended: "early stopping", "max epochs" or "diverged"; None while it
        can go on.
    changes : list of (epoch, setting, old, new)
        The settings changed while training (:meth:`adjust`).
    baseline : Session or None
        With ``config.compare``: the same seed without regularization, trained epoch for
        epoch next to this run: the same data and initial weights (and, with L1 or L2 only,
        the same minibatches); the learning rate, batch size and epochs follow this run's.
    """

    def __init__(self, config: Config):
        self.config = _check_config(config)
        self.train, self.test = make_data(config)
        self.loss = mean_squared_error if config.regression else softmax_cross_entropy
        self.inputs = {"train": featurize(self.train[0], config.features),
                       "test": featurize(self.test[0], config.features)}
        self.model = build_model(config)
        self.optimizer = build_optimizer(config)
        self.penalty = L2(config.l2) if config.l2 > 0 else None
        self.noise = GaussianNoise(config.input_noise) if config.input_noise > 0 else None
        self.rng = _rng(config, 2)
        self.history = History()
        self.epoch = 0
        self.params_epoch = 0
        self.finished = None
        self.changes: list[tuple] = []
        self.baseline = Session(config.unregularized()) if config.compare else None
        self.stopper = None
        if config.early_stopping:
            self.stopper = EarlyStopping(patience=config.patience, restore_best=True)
            self.stopper.on_train_begin(self.model)

    def run_epoch(self) -> bool:
        """Train one epoch (every training point once, in minibatches) and record it.

        Returns True while training can go on, False once it has finished (early
        stopping, ``max_epochs`` reached, or a diverged loss: see ``finished``).
        """
        if self.finished:
            return False
        if self.baseline is not None and not self.baseline.finished:
            try:
                self.baseline.run_epoch()
            except TrainingDiverged:
                pass                      # the baseline's own summary says it diverged
        cfg, X, y = self.config, self.inputs["train"], self.train[1]
        m = len(y)
        order = self.rng.permutation(m)
        for start in range(0, m, cfg.batch_size):
            idx = order[start:start + cfg.batch_size]
            Xb = X[idx] if self.noise is None else self.noise(X[idx], self.rng).astype(X.dtype)
            with np.errstate(all="ignore"):  # a diverging loss is reported below, once
                loss = train_step(self.model, Xb, y[idx], loss=self.loss,
                                  optimizer=self.optimizer, penalty=self.penalty, m=m,
                                  rng=self.rng)
            if not np.isfinite(loss):
                self.finished = "diverged"
                raise TrainingDiverged(
                    f"training diverged at epoch {self.epoch + 1}: the loss became {loss}. "
                    f"The usual cause is a learning rate that is too large (lr={cfg.lr:g}).")
        self._record()
        self.epoch += 1
        self.params_epoch = self.epoch
        if self.stopper is not None and self.stopper.on_epoch_end(self.epoch - 1, self.history,
                                                                   self.model):
            self._restore_best()
            self.finished = "early stopping"
        elif self.epoch >= cfg.max_epochs:
            if self.stopper is not None:
                self._restore_best()  # as fit does: the best epoch's weights
            self.finished = "max epochs"
        return self.finished is None

    def _restore_best(self):
        self.stopper.on_train_end(self.model)
        if self.stopper.best_epoch is not None:
            self.params_epoch = self.stopper.best_epoch + 1

    def adjust(self, config: Config) -> list[str]:
        """Go on with the settings of ``config``: only ``LIVE_SETTINGS`` may differ.

        The learning rate, λ of L1 and L2, keep_prob, the input noise, the batch size,
        the patience and the number of epochs take effect from the next epoch; the weights,
        the optimizer's state and the epoch counter carry on. Returns the names of the
        settings that changed (each recorded in ``changes``). A run that ended at
        ``max_epochs`` goes on when ``max_epochs`` is raised.

        Raises
        ------
        ValueError
            If a setting outside ``LIVE_SETTINGS`` differs (it needs a new run), before
            anything changes.
        """
        new, old = _check_config(config).to_dict(), self.config.to_dict()
        fixed = [k for k in new if new[k] != old[k] and k not in LIVE_SETTINGS]
        if fixed:
            raise ValueError(f"config changes {fixed[0]!r}, which needs a new run (Reset); "
                             f"only {', '.join(LIVE_SETTINGS)} can change while training")
        changed = [k for k in LIVE_SETTINGS if new[k] != old[k]]
        self.config = config
        self.optimizer.lr = config.lr
        self._set_l1(config.l1)
        self.penalty = L2(config.l2) if config.l2 > 0 else None
        self._set_dropout(config.keep_prob)
        self.noise = GaussianNoise(config.input_noise) if config.input_noise > 0 else None
        if self.stopper is not None:
            self.stopper.patience = config.patience
        if self.finished == "max epochs" and self.epoch < config.max_epochs \
                and self.stopper is None:
            self.finished = None
        self.changes += [(self.epoch, k, old[k], new[k]) for k in changed]
        if self.baseline is not None:
            base = self.baseline.config
            self.baseline.adjust(base.replace(lr=config.lr, batch_size=config.batch_size,
                                              max_epochs=config.max_epochs))
        return changed

    def _set_l1(self, lam: float):
        """Wrap the optimizer in a proximal L1 step (or change its λ): its state carries on."""
        if isinstance(self.optimizer, ProximalL1):
            self.optimizer.lam = lam
        elif lam > 0:
            self.optimizer = ProximalL1(self.optimizer, lam=lam, m=self.config.m_train)

    def _set_dropout(self, keep_prob: float):
        """Set keep_prob on the Dropout layers; insert them after each hidden layer when the
        run has none yet, remove them at keep_prob = 1 (so that no masks are drawn)."""
        layers = self.model.layers
        dropouts = [layer for layer in layers if isinstance(layer, Dropout)]
        if keep_prob == 1:
            layers[:] = [layer for layer in layers if not isinstance(layer, Dropout)]
        elif dropouts:
            for layer in dropouts:
                layer.keep_prob = keep_prob
        else:
            linear = ACTIVATION_LAYERS[self.config.activation] is None
            new = []
            for i, layer in enumerate(layers):
                new.append(layer)
                hidden_end = isinstance(layer, Dense) if linear else not isinstance(layer, Dense)
                if hidden_end and i < len(layers) - 1:
                    new.append(Dropout(keep_prob=keep_prob))
            layers[:] = new

    def run(self, epochs: int | None = None) -> History:
        """Run ``epochs`` more epochs (default: until it finishes); return the History."""
        n = self.config.max_epochs if epochs is None else check_int("epochs", epochs, low=0)
        for _ in range(n):
            if not self.run_epoch():
                break
        return self.history

    def _record(self):
        h = self.history
        for part, loss_list, acc_list in (("train", h.train_loss, h.train_acc),
                                          ("test", h.val_loss, h.val_acc)):
            y = (self.train if part == "train" else self.test)[1]
            loss, acc = evaluate(self.model, self.inputs[part], y, self.loss)
            loss_list.append(float(loss))
            acc_list.append(acc)
        h.penalty.append(0.0 if self.penalty is None else
                         self.penalty.value(self.model.weights().values(), len(self.train[1])))

    def weights(self) -> np.ndarray:
        """Every weight (no biases) as one flat vector."""
        return np.concatenate([W.ravel() for W in self.model.weights().values()])

    def near_zero(self, tol: float = NEAR_ZERO) -> int:
        """Number of weights with |w| < ``tol``."""
        return int(np.sum(np.abs(self.weights()) < tol))

    def exact_zeros(self) -> int:
        """Number of weights that are exactly 0 (what the proximal L1 step produces)."""
        return int(np.sum(self.weights() == 0))

    def predictions(self, points: np.ndarray) -> np.ndarray:
        """What the model predicts at points (k, 2), shape (k,): P(class 1) for the two
        classes, the predicted value ŷ for regression."""
        with np.errstate(all="ignore"):
            out = self.model.forward(featurize(np.asarray(points, dtype=np.float32),
                                               self.config.features))
        if self.config.regression:
            return out[:, 0]
        z = out[:, 1] - out[:, 0]
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))

    def unit_outputs(self, points: np.ndarray) -> list[np.ndarray]:
        """What every unit computes at points (k, 2), in evaluation mode.

        A list: the input features (k, n_features), then each hidden layer's output (after
        its activation), (k, width). The output layer is left out (see probabilities).
        """
        X = featurize(np.asarray(points, dtype=np.float32), self.config.features)
        outputs, layers = [X], self.model.layers
        with np.errstate(all="ignore"):
            for layer, following in zip(layers[:-1], layers[1:], strict=True):
                X = layer.forward(X)
                if isinstance(following, Dense):
                    outputs.append(X)
        return outputs

    def summary(self) -> str:
        """One line on the parameters the model holds: their epoch, train/test loss and
        accuracy, the (near-)zero weights; and how the run ended, if it has."""
        if self.finished == "diverged":
            return (f"diverged in epoch {self.epoch + 1}: the weights are no longer finite · "
                    f"press Reset (with a smaller learning rate)")
        if not self.history.epochs:
            return f"epoch 0 · {self.weights().size} weights · press Train or Step"
        h, i = self.history, self.params_epoch - 1
        restored = (f" (the best of {self.epoch} epochs, restored)"
                    if self.params_epoch != self.epoch else "")
        accuracy = ("" if self.config.regression else
                    f" · train acc {h.train_acc[i]:.3f}, test acc {h.val_acc[i]:.3f}")
        return (f"epoch {self.params_epoch}{restored} · train loss {h.train_loss[i]:.3f}, "
                f"test loss {h.val_loss[i]:.3f}{accuracy} · {self.near_zero()} of "
                f"{self.weights().size} weights "
                f"near zero, {self.exact_zeros()} exactly 0"
                + (f" · stopped: {self.finished}" if self.finished else ""))
