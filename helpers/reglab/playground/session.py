"""One playground run: data, network, optimizer and training, one epoch at a time.

A :class:`Session` is built from a :class:`~reglab.playground.config.Config` and owns
everything that changes while training (model, optimizer state, History, early
stopping). It knows nothing of widgets, so tests and notebooks drive it directly, and
the widget app only calls :meth:`Session.run_epoch` and reads the results.

Randomness: three generators, derived from ``config.seed`` and a fixed stream number
(data = 0, initial weights = 1, training = 2), so that, e.g., changing ``l2`` leaves the
data and the initial weights unchanged. The same Config gives the same run, epoch for
epoch, whether it is trained in one go, by single steps, or stopped and resumed.
"""

from __future__ import annotations

import numpy as np

from .. import data as datasets
from .._validate import check_int
from ..augment import GaussianNoise
from ..layers import Dense, Dropout, ReLU, Sequential, Sigmoid, Tanh
from ..losses import softmax_cross_entropy
from ..optim import SGD, AdaGrad, Adam, Momentum, Nesterov, ProximalL1, RMSProp
from ..penalties import L2
from ..train import EarlyStopping, History, TrainingDiverged, evaluate, train_step
from .config import Config

MAKERS = {"moons": datasets.make_moons, "circles": datasets.make_circles,
          "spirals": datasets.make_spirals, "xor": datasets.make_xor,
          "blobs": datasets.make_blobs}
ACTIVATION_LAYERS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid}
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

    Returns ((X_train, y_train), (X_test, y_test)); X (m, 2), y (m,) int64. Both are
    standardized with the training set's mean and std (:func:`reglab.data.standardize`).
    """
    _check_config(config)
    rng = _rng(config, 0)
    X, y = MAKERS[config.dataset](config.n_points, config.noise, rng)
    (X_tr, y_tr), _, (X_te, y_te) = datasets.train_val_test_split(
        X, y, val_frac=0.0, test_frac=1 - config.train_frac, rng=rng)
    X_tr, X_te = datasets.standardize(X_tr, X_te)
    return (X_tr.astype(np.float32), y_tr), (X_te.astype(np.float32), y_te)


def build_model(config: Config) -> Sequential:
    """``depth`` hidden layers [Dense, activation, Dropout if keep_prob < 1], then Dense → 2.

    He initialization for ReLU, Xavier for tanh and sigmoid; float32.
    """
    rng = _rng(_check_config(config), 1)
    init = "he" if config.activation == "relu" else "xavier"
    layers, n_in = [], 2
    for _ in range(config.depth):
        layers += [Dense(n_in, config.width, rng=rng, init=init, dtype=np.float32),
                   ACTIVATION_LAYERS[config.activation]()]
        if config.keep_prob < 1:
            layers.append(Dropout(keep_prob=config.keep_prob))
        n_in = config.width
    layers.append(Dense(n_in, 2, rng=rng, init="xavier", dtype=np.float32))
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
    finished : str or None
        Why training ended: "early stopping", "max epochs" or "diverged"; None while it
        can go on.
    """

    def __init__(self, config: Config):
        self.config = _check_config(config)
        self.train, self.test = make_data(config)
        self.model = build_model(config)
        self.optimizer = build_optimizer(config)
        self.penalty = L2(config.l2) if config.l2 > 0 else None
        self.noise = GaussianNoise(config.input_noise) if config.input_noise > 0 else None
        self.rng = _rng(config, 2)
        self.history = History()
        self.epoch = 0
        self.finished = None
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
        cfg, (X, y) = self.config, self.train
        m = len(y)
        order = self.rng.permutation(m)
        for start in range(0, m, cfg.batch_size):
            idx = order[start:start + cfg.batch_size]
            Xb = X[idx] if self.noise is None else self.noise(X[idx], self.rng).astype(X.dtype)
            with np.errstate(all="ignore"):  # a diverging loss is reported below, once
                loss = train_step(self.model, Xb, y[idx], loss=softmax_cross_entropy,
                                  optimizer=self.optimizer, penalty=self.penalty, m=m,
                                  rng=self.rng)
            if not np.isfinite(loss):
                self.finished = "diverged"
                raise TrainingDiverged(
                    f"training diverged at epoch {self.epoch + 1}: the loss became {loss}. "
                    f"The usual cause is a learning rate that is too large (lr={cfg.lr:g}).")
        self._record()
        self.epoch += 1
        if self.stopper is not None and self.stopper.on_epoch_end(self.epoch - 1, self.history,
                                                                   self.model):
            self.stopper.on_train_end(self.model)  # back to the best epoch's weights
            self.finished = "early stopping"
        elif self.epoch >= cfg.max_epochs:
            if self.stopper is not None:
                self.stopper.on_train_end(self.model)  # as fit does: the best epoch's weights
            self.finished = "max epochs"
        return self.finished is None

    def run(self, epochs: int | None = None) -> History:
        """Run ``epochs`` more epochs (default: until it finishes); return the History."""
        n = self.config.max_epochs if epochs is None else check_int("epochs", epochs, low=0)
        for _ in range(n):
            if not self.run_epoch():
                break
        return self.history

    def _record(self):
        h = self.history
        for (X, y), loss_list, acc_list in ((self.train, h.train_loss, h.train_acc),
                                            (self.test, h.val_loss, h.val_acc)):
            loss, acc = evaluate(self.model, X, y, softmax_cross_entropy)
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

    def probabilities(self, points: np.ndarray) -> np.ndarray:
        """P(class 1) under the current model for points (k, 2); shape (k,)."""
        with np.errstate(all="ignore"):
            logits = self.model.forward(np.asarray(points, dtype=np.float32))
        z = logits[:, 1] - logits[:, 0]
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))

    def summary(self) -> str:
        """One line: epoch, train/test loss and accuracy, the (near-)zero weights."""
        if not self.history.epochs:
            return f"epoch 0 · {self.weights().size} weights · press Train or Step"
        h = self.history
        return (f"epoch {self.epoch} · train loss {h.train_loss[-1]:.3f}, test loss "
                f"{h.val_loss[-1]:.3f} · train acc {h.train_acc[-1]:.3f}, test acc "
                f"{h.val_acc[-1]:.3f} · {self.near_zero()} of {self.weights().size} weights "
                f"near zero, {self.exact_zeros()} exactly 0"
                + (f" · stopped: {self.finished}" if self.finished else ""))
