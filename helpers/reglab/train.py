"""Training: minibatches, the fit loop, its History, and early stopping.

``fit`` minimizes, by minibatch steps, the cost of :mod:`reglab.penalties`

    J = (1/B) Σ_batch L(ŷ, y) + (λ/2m) Σ_l Ω(W⁽ˡ⁾),   m = number of training examples,

so the penalty has the same strength whatever the batch size B. After every epoch
it appends the data loss (without the penalty) and the accuracy to a
:class:`History`: on the training set, by default the running mean over the epoch's
minibatches (free: those losses are computed anyway); on the validation set, a full
evaluation with dropout off. ``train_metrics="full"`` evaluates the whole training set
after the epoch instead (one more forward pass over m examples), ``eval_every=k``
evaluates only every k-th epoch.

Every training minibatch can pass through one :class:`BatchTransform` first, a map
(X_b, y_b) -> (X_b', y_b') that sees the model and the loss: that is how adversarial
training (:mod:`reglab.adversarial`) adds perturbed copies of a batch. A plain
augmentation ``augment(X, rng) -> X`` (:mod:`reglab.augment`) is wrapped into one.

An optimizer wrapper that needs the gradient of the same minibatch at other parameters
(sharpness-aware minimization, :class:`reglab.sam.SAM`) declares ``needs_gradient_at =
True``; fit finds such wrappers once (:func:`_gradient_takers`) and, before each step,
sets their ``grad_at(params) -> grads`` (see :func:`_offer_gradient_at`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._validate import (
    check_array,
    check_bool,
    check_callable,
    check_has_method,
    check_instance,
    check_instances,
    check_int,
    check_labels,
    check_real,
    check_rng,
)
from .layers import Sequential
from .losses import LABELS_CHECKED, binary_cross_entropy, softmax_cross_entropy
from .normalization import BatchNorm
from .penalties import Penalty


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite during training."""


def minibatches(m: int, batch_size: int, rng, *, shuffle: bool = True):
    """Yield index arrays that cover ``range(m)`` once, in batches of ``batch_size``.

    The order is a fresh permutation drawn from ``rng`` when ``shuffle``; the last
    batch holds the remainder (it is smaller when ``batch_size`` does not divide m).
    """
    m = check_int("m", m, low=1)
    batch_size = check_int("batch_size", batch_size, low=1)
    order = check_rng("rng", rng).permutation(m) if check_bool("shuffle", shuffle) else np.arange(m)
    for start in range(0, m, batch_size):
        yield order[start:start + batch_size]


def _epoch_batches(m: int, batch_size: int, rng, merge_single: bool):
    """:func:`minibatches`, with a last batch of one example joined to the one before it
    when ``merge_single`` (batch normalization cannot normalize a single example; fit
    refuses m = 1 for it, so m % batch_size == 1 means there is a batch before)."""
    batches = minibatches(m, batch_size, rng)
    if not (merge_single and m % batch_size == 1):
        yield from batches
        return
    batches = list(batches)
    yield from batches[:-2]
    yield np.concatenate(batches[-2:])


def accuracy(logits: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows whose predicted class (argmax, or logit > 0 for one output) is y."""
    return _n_correct(logits, y) / logits.shape[0]


def _n_correct(logits: np.ndarray, y: np.ndarray):
    """Number of rows whose predicted class is y (counting is ~3x faster than np.mean).

    logits (m, k) and y (m,) or (m, 1) give an int; a stack of S batches, logits (S, m, k)
    and y (S, m), gives the S counts as an int array (S,).
    """
    pred = (logits[..., 0] > 0) if logits.shape[-1] == 1 else logits.argmax(axis=-1)
    counts = np.count_nonzero(pred == np.reshape(y, pred.shape), axis=-1)
    return int(counts) if logits.ndim == 2 else counts


def _is_classification(y: np.ndarray) -> bool:
    return y.ndim == 1 and y.dtype.kind in "iu"


def evaluate(model: Sequential, X, y, loss) -> tuple[float, float | None]:
    """(mean loss, accuracy) of ``model`` on (X, y) with dropout off.

    The accuracy is None for regression targets (anything but integer labels (m,)).
    """
    logits = model.forward(X)
    value, _ = loss(logits, y)
    return value, (accuracy(logits, y) if _is_classification(y) else None)


#: What ``History.train_loss``/``train_acc`` hold, by the ``train_metrics`` of :func:`fit`.
TRAIN_METRICS = {
    "running": "mean over the epoch's training minibatches, as trained on (training mode, "
               "after augmentation, parameters changing during the epoch)",
    "full": "whole training set evaluated after the epoch, dropout off",
}


@dataclass
class History:
    """Per-epoch metrics recorded by :func:`fit` (index 0 = after the first epoch).

    ``train_metrics`` says what ``train_loss``/``train_acc`` are (see ``TRAIN_METRICS``):
    ``"running"``, the mean over the epoch's minibatches (example-weighted, in training
    mode); ``"full"``, the whole training set evaluated after the epoch with dropout off.
    ``val_*`` are full evaluations with dropout off. ``eval_epochs`` lists the epochs
    (0-based) of the full evaluations; at other epochs (``fit(..., eval_every=k)``) the
    fully evaluated entries are None. ``penalty`` is the value of (λ/2m)ΣΩ(W) at the end
    of each epoch (0 without a penalty). Accuracies are None for regression.
    """

    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    penalty: list = field(default_factory=list)
    train_metrics: str = "full"
    eval_epochs: list = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """Number of epochs run."""
        return len(self.train_loss)


class Callback:
    """Hooks called by :func:`fit`; ``on_epoch_end`` returns True to stop training."""

    def on_train_begin(self, model: Sequential) -> None:
        pass

    def on_epoch_end(self, epoch: int, history: History, model: Sequential) -> bool:
        return False

    def on_train_end(self, model: Sequential) -> None:
        pass


class EarlyStopping(Callback):
    """Stop when the monitored metric has not improved for ``patience`` epochs.

    An epoch improves on the best so far when the loss drops by more than
    ``min_delta`` (or the accuracy rises by more than ``min_delta``). Training stops
    after ``patience`` epochs in a row without improvement; with ``restore_best`` the
    model gets back the parameters of the best epoch when training ends.

    Attributes (after ``fit``): ``best_epoch`` and ``stopped_epoch`` (0-based index
    into the History; ``stopped_epoch`` is None if training ran all its epochs),
    ``best_value``.

    References: the INF721 lecture on regularization, section 9; Goodfellow et al.,
    algorithm 7.1.
    """

    def __init__(self, patience: int = 5, min_delta: float = 0.0, restore_best: bool = True,
                 monitor: str = "val_loss"):
        self.patience = check_int("patience", patience, low=0)
        self.min_delta = check_real("min_delta", min_delta, low=0)
        if monitor not in ("val_loss", "val_acc", "train_loss", "train_acc"):
            raise ValueError(
                f"monitor must be one of 'val_loss', 'val_acc', 'train_loss', 'train_acc', "
                f"got {monitor!r}")
        self.monitor = monitor
        self.restore_best = check_bool("restore_best", restore_best)
        self.sign = -1.0 if monitor.endswith("acc") else 1.0  # minimize sign * value

    def on_train_begin(self, model):
        self.best_value = None
        self.best_epoch = None
        self.stopped_epoch = None
        self._best_state = None
        self._wait = 0

    def on_epoch_end(self, epoch, history, model):
        values = getattr(history, self.monitor)
        if values and values[-1] is None and history.eval_epochs[-1:] != [epoch]:
            return False  # not evaluated this epoch (fit's eval_every > 1): nothing to compare
        if not values or values[-1] is None:
            raise ValueError(f"monitor={self.monitor!r} has no values: pass val=(X, y) to fit "
                             "or monitor a training metric")
        value = values[-1]
        if self.best_value is None or self.sign * (self.best_value - value) > self.min_delta:
            self.best_value, self.best_epoch, self._wait = value, epoch, 0
            if self.restore_best:
                self._best_state = model.state()
            return False
        self._wait += 1
        if self._wait > self.patience - 1:
            self.stopped_epoch = epoch
            return True
        return False

    def on_train_end(self, model):
        if self.restore_best and self._best_state is not None:
            model.load_state(self._best_state)


class BatchTransform:
    """What :func:`fit` applies to every training minibatch before the step.

    A subclass implements ``__call__(Xb, yb, *, model, loss, rng) -> (Xb, yb)``: it
    receives the minibatch Xb (B, n_in), yb (B,) or (B, k), the model being trained
    (with its current parameters), the loss function and the generator of the run,
    and returns the batch to train on, whose number of rows may differ from B (e.g.
    the clean batch followed by perturbed copies). It must not modify its inputs.
    Example: :class:`reglab.adversarial.FGSMTraining`.
    """

    def __call__(self, Xb, yb, *, model, loss, rng):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}()"


class InputAugmentation(BatchTransform):
    """A plain augmentation ``augment(X, rng) -> X`` as a :class:`BatchTransform`.

    The inputs are transformed, the labels pass unchanged; ``fit(..., augment=f)`` wraps
    a plain function this way, so both kinds go through one code path.
    """

    def __init__(self, augment):
        self.augment = check_callable("augment", augment, "a function (X, rng) -> X")

    def __call__(self, Xb, yb, *, model, loss, rng):
        return self.augment(Xb, rng), yb

    def __repr__(self):
        return f"InputAugmentation({self.augment!r})"


def _as_transform(augment) -> BatchTransform | None:
    """``augment`` of :func:`fit` as a BatchTransform (None stays None)."""
    if augment is None or isinstance(augment, BatchTransform):
        return augment
    check_callable("augment", augment, "a function (X, rng) -> X or a reglab BatchTransform")
    return InputAugmentation(augment)


def _transformed(transform, Xb, yb, model, loss, rng):
    """Apply ``transform`` to one minibatch and check that what comes back is a batch."""
    out = transform(Xb, yb, model=model, loss=loss, rng=rng)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise TypeError(f"augment {transform!r} must return a pair (X, y), "
                        f"got {type(out).__name__}")
    Xt, yt = out
    if np.shape(Xt)[:1] != np.shape(yt)[:1] or np.ndim(Xt) != Xb.ndim:
        raise ValueError(f"augment {transform!r} returned X of shape {np.shape(Xt)} and y of "
                         f"shape {np.shape(yt)} for a batch X {Xb.shape}, y {np.shape(yb)}: "
                         "X and y must keep X's number of dimensions and have as many rows")
    return Xt, yt


#: The losses whose targets are class labels: fit checks the labels against the model's outputs.
_CLASSIFICATION_LOSSES = {softmax_cross_entropy: None, binary_cross_entropy: 2}


def _check_data(name: str, data, model=None, loss=None, n_features=None):
    """(X, y) of ``train``/``val`` checked against the model and the loss; labels as int64.

    With a classification loss the labels must be whole numbers in [0, k) for the k outputs
    of the model (2 for binary cross-entropy; the model is asked only if given), and
    whole-number floats are converted. Other targets must be real and finite. y has as
    many rows as X.
    """
    if not (isinstance(data, tuple) and len(data) == 2):
        raise TypeError(f"{name} must be a tuple (X, y), got {type(data).__name__}")
    X = check_array(f"{name} X", data[0], ndim=2)
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"{name} X must have {n_features} columns like train X, "
                         f"got shape {X.shape}")
    y = np.asarray(data[1])
    if y.ndim == 0 or y.shape[0] != X.shape[0]:
        raise ValueError(f"{name} y has {y.shape[0] if y.ndim else 0} rows but X has "
                         f"{X.shape[0]} (y shape {y.shape})")
    if model is not None and any(loss is f for f in _CLASSIFICATION_LOSSES):
        try:
            k = model._forward(X[:1], False, None).shape[1]  # the model's number of outputs
        except ValueError as err:
            raise ValueError(f"{name} X does not fit the model: {err}") from None
        k = _CLASSIFICATION_LOSSES[loss] or k
        labels = np.reshape(y, -1) if y.ndim == 2 and y.shape[1] == 1 and k == 2 else y
        return X, check_labels(f"{name} y", labels, k, X.shape[0]).reshape(y.shape)
    if y.dtype.kind not in "iu":
        y = check_array(f"{name} y", y)
    return X, y


def fit(model: Sequential, train, *, loss, optimizer, epochs: int, rng, val=None,
        penalty=None, batch_size: int = 32, callbacks=(), augment=None,
        progress: bool = True, train_metrics: str = "running", eval_every: int = 1) -> History:
    """Train ``model`` in place by minibatch steps and return its :class:`History`.

    Parameters
    ----------
    model : Sequential
    train, val : tuple (X, y)
        X (m, n_in); y (m,) integer labels, or real targets (m,) / (m, k). With
        softmax or binary cross-entropy the labels must be in [0, k) for k outputs;
        whole-number floats (``y.astype(float)``) are converted to int.
    loss : callable (prediction, y) -> (value, gradient)
        e.g. :func:`reglab.losses.softmax_cross_entropy`.
    optimizer : an optimizer of :mod:`reglab.optim` (wrappers included).
        A wrapper that declares ``needs_gradient_at`` (:class:`reglab.sam.SAM`) gets the
        minibatch's ``grad_at(params) -> grads`` before every step.
    epochs : int >= 1
    rng : numpy.random.Generator
        Drives the shuffling, dropout masks and augmentation: same seed, same History.
    penalty : Penalty or None
        Added to the weight gradients as (λ/2m)·dΩ/dW with m = len(train X).
    batch_size : int >= 1
        A batch_size larger than m is allowed: every epoch is then one full-batch step.
        With :class:`reglab.normalization.BatchNorm` in the model, batches need two examples
        or more: batch_size and m must be >= 2, and when m % batch_size == 1 the last batch of
        one example is joined to the batch before it (B + 1 rows; every example is still
        seen once per epoch, unlike PyTorch's ``drop_last=True``, which would skip it).
    callbacks : list of Callback, e.g. ``[EarlyStopping(patience=5)]``.
    augment : callable (X_batch, rng) -> X_batch, or BatchTransform, optional
        Applied to every training minibatch: a plain augmentation (see
        :mod:`reglab.augment`) transforms the inputs and keeps the labels; a
        :class:`BatchTransform` (e.g. :class:`reglab.adversarial.FGSMTraining`) sees the
        model, the labels and the loss and returns the batch to train on.
    progress : bool
        Show a tqdm progress bar over the epochs.
    train_metrics : {"running", "full"}
        What ``History.train_loss``/``train_acc`` record. ``"running"`` (default): the
        mean over the epoch's minibatches of the loss (and accuracy) each step computed
        anyway, in training mode (dropout on, augmented batches) while the parameters
        change; it costs nothing. ``"full"``: the whole training set evaluated after the
        epoch with dropout off, what a figure of the final fit wants, at the price of a
        forward pass over all m examples.
    eval_every : int >= 1
        Full evaluations (validation set, and training set for ``"full"``) after every
        ``eval_every``-th epoch and after the last one; the other epochs record None for
        them. :class:`EarlyStopping` decides only at evaluated epochs.

    Raises
    ------
    TypeError, ValueError
        For any bad argument, before the first step (the model is left untouched).
    TrainingDiverged
        When a minibatch loss is NaN or infinite.
    """
    check_instance("model", model, Sequential)
    check_callable("loss", loss, "a function (prediction, y) -> (value, grad)")
    X, y = _check_data("train", train, model, loss)
    if val is not None:
        Xv, yv = _check_data("val", val, model, loss, n_features=X.shape[1])
    epochs = check_int("epochs", epochs, low=1)
    batch_size = check_int("batch_size", batch_size, low=1)
    check_rng("rng", rng)
    transform = _as_transform(augment)
    _check_optimizer(optimizer)
    if penalty is not None:
        check_instance("penalty", penalty, Penalty, "a reglab Penalty (e.g. L2(lam)) or None")
    callbacks = check_instances("callbacks", callbacks, Callback, min_items=0)
    for i, cb in enumerate(callbacks):
        _check_monitor(f"callbacks[{i}]", cb, val, _is_classification(y))
    check_bool("progress", progress)
    if train_metrics not in TRAIN_METRICS:
        raise ValueError(f"train_metrics must be one of {sorted(TRAIN_METRICS)}, "
                         f"got {train_metrics!r}")
    eval_every = check_int("eval_every", eval_every, low=1)
    batch_norm = any(isinstance(layer, BatchNorm) for layer in model.layers)
    if batch_norm and min(batch_size, X.shape[0]) < 2:
        name, value = ("batch_size", batch_size) if batch_size < 2 else ("train X rows",
                                                                           X.shape[0])
        raise ValueError(f"{name} must be >= 2 for a model with BatchNorm (a batch of one "
                         f"example has no variance to normalize by), got {value}")
    if model.dtype is not None:  # the model computes in its dtype: cast the data once here
        X = X.astype(model.dtype, copy=False)
        if val is not None:
            Xv = Xv.astype(model.dtype, copy=False)

    m = X.shape[0]
    # the labels were checked above, once: unless an augmentation makes new ones, the steps
    # call the loss without that check
    step_loss = loss if transform is not None else next(
        (unchecked for f, unchecked in LABELS_CHECKED.items() if f is loss), loss)
    running = train_metrics == "running"
    takers = _gradient_takers(optimizer)  # found once: the steps of a plain optimizer skip it
    history = History(train_metrics=train_metrics)
    for cb in callbacks:
        cb.on_train_begin(model)
    epoch_iter = range(epochs)
    if progress:
        from tqdm.auto import tqdm
        epoch_iter = tqdm(epoch_iter, desc="epochs", leave=False)
    for epoch in epoch_iter:
        seen, loss_sum, correct = 0, 0.0, 0  # running sums over the epoch's examples
        for b, idx in enumerate(_epoch_batches(m, batch_size, rng, batch_norm)):
            Xb, yb = X[idx], y[idx]
            if transform is not None:
                Xb, yb = _transformed(transform, Xb, yb, model, loss, rng)
            value, out = _train_step(model, Xb, yb, step_loss, optimizer, penalty, m, rng,
                                     takers)
            if not math.isfinite(value):
                lr = getattr(optimizer, "lr", None)
                lr = f" (lr={lr:g})" if isinstance(lr, (int, float)) else ""
                raise TrainingDiverged(
                    f"training diverged: the loss became {value} at epoch {epoch}, batch {b}. "
                    f"The usual cause is a learning rate that is too large{lr}: "
                    "lower it, or clip the gradients with GradientClipping.")
            if not running:
                continue
            seen += len(yb)
            loss_sum += value * len(yb)
            if correct is not None and _is_classification(yb):
                correct += _n_correct(out, yb)
            else:  # regression targets: no accuracy
                correct = None
        if running:
            history.train_loss.append(loss_sum / seen)
            history.train_acc.append(None if correct is None else correct / seen)
        evaluated = (epoch + 1) % eval_every == 0 or epoch + 1 == epochs
        _record(history, model, epoch if evaluated else None,
                None if running else (X, y),
                None if val is None else (Xv, yv), loss, penalty, m)
        stop = [cb.on_epoch_end(epoch, history, model) for cb in callbacks]
        if any(stop):
            break
    for cb in callbacks:
        cb.on_train_end(model)
    return history


def train_step(model: Sequential, Xb, yb, *, loss, optimizer, penalty, m: int, rng) -> float:
    """One minibatch step: forward (training mode), loss, backward, penalty, update.

    The penalty gradient (λ/2m)·dΩ/dW, with m the training-set size, is added to
    each weight's gradient before ``optimizer.step``. Returns the minibatch loss
    (without the penalty); the parameters are updated in place. Shapes: Xb (B, n_in),
    yb (B,) or (B, k). ``model`` is a Sequential or anything with the same
    forward/backward/params/grads/weights (e.g. :class:`reglab.multitask.MultiHead`).
    ``rng`` may be None for a model without dropout. The arguments are checked on every
    call (:func:`fit` checks them once and runs the steps unchecked).
    """
    if not all(hasattr(model, a) for a in ("forward", "backward", "params", "grads", "weights")):
        raise TypeError(f"model must be a reglab Sequential (or MultiHead), "
                        f"got {type(model).__name__}")
    Xb = check_array("Xb", Xb)
    yb = np.asarray(yb)
    if yb.ndim == 0 or yb.shape[0] != Xb.shape[0]:
        raise ValueError(f"yb must have as many rows as Xb {Xb.shape}, got shape {yb.shape}")
    check_callable("loss", loss, "a function (prediction, y) -> (value, grad)")
    _check_optimizer(optimizer)
    if penalty is not None:
        check_instance("penalty", penalty, Penalty, "a reglab Penalty (e.g. L2(lam)) or None")
    m = check_int("m", m, low=1)
    if rng is not None:  # None is fine for a model without dropout; Dropout asks for one
        check_rng("rng", rng)
    return _train_step(model, Xb, yb, loss, optimizer, penalty, m, rng,
                       _gradient_takers(optimizer))[0]


def _train_step(model, Xb, yb, loss, optimizer, penalty, m, rng,
                takers) -> tuple[float, np.ndarray]:
    """:func:`train_step` on checked arguments, also returning the training-mode output (B, k)
    it computed: the model and the optimizer run unchecked. ``takers`` are the links of the
    optimizer's chain that need a second gradient (:func:`_gradient_takers`; none for a plain
    optimizer)."""
    value, out = _gradients(model, Xb, yb, loss, penalty, m, rng)
    if not math.isfinite(value):
        return value, out
    if takers:
        _offer_gradient_at(takers, model, Xb, yb, loss, penalty, m, rng)
    getattr(optimizer, "_step_unchecked", optimizer.step)(model.params, model.grads)
    return value, out


def _gradients(model, Xb, yb, loss, penalty, m, rng) -> tuple[float, np.ndarray]:
    """Forward (training mode), loss, backward, penalty: ``model.grads`` = dJ/dθ of the batch.

    Returns the minibatch loss and the output (B, k); the gradients are left alone when the
    loss is not finite.
    """
    if isinstance(model, Sequential):
        out = model._forward(Xb, True, rng)
    else:
        out = model.forward(Xb, train=True, rng=rng)
    value, dout = loss(out, yb)
    if not math.isfinite(value):
        return value, out
    model.backward(dout, input_grad=False)
    if penalty is not None:
        for k, W in model.weights().items():
            model.grads[k] += penalty.grad(W, m)
    return value, out


def _gradient_takers(optimizer) -> tuple:
    """The wrappers of the optimizer's chain that declare ``needs_gradient_at`` (e.g.
    :class:`reglab.sam.SAM`), outermost first; empty for a plain optimizer."""
    return tuple(link for link in _chain(optimizer) if getattr(link, "needs_gradient_at", False))


def _offer_gradient_at(takers, model, Xb, yb, loss, penalty, m, rng) -> None:
    """Give each of ``takers`` (:func:`_gradient_takers`) the function
    ``grad_at(params) -> grads``: the gradient of this
    minibatch's cost at the model's parameters as they are when it is called (``params`` is
    ``model.params``, changed in place by the caller). It runs forward and backward again
    (new dropout masks) and puts the batch-norm running statistics back as they were."""
    def grad_at(params):
        buffers = {k: b.copy() for k, b in getattr(model, "buffers", {}).items()}
        value, _ = _gradients(model, Xb, yb, loss, penalty, m, rng)
        for k, b in buffers.items():
            np.copyto(model.buffers[k], b)
        if not math.isfinite(value):
            raise TrainingDiverged(f"training diverged: the loss at the perturbed parameters "
                                   f"became {value}; lower rho or the learning rate")
        return model.grads

    for link in takers:
        link.grad_at = grad_at


def _chain(optimizer):
    """The optimizer and every optimizer inside it, outermost first (a wrapper holds the
    one it wraps as ``.optimizer``)."""
    while optimizer is not None:
        yield optimizer
        optimizer = getattr(optimizer, "optimizer", None)


def _check_optimizer(optimizer) -> None:
    """An optimizer instance with a ``step(params, grads)`` method (a class gets a hint)."""
    check_has_method("optimizer", optimizer, "step",
                     "an optimizer with a step(params, grads) method, e.g. SGD(0.1)")


def _check_monitor(name: str, callback, val, classification: bool) -> None:
    """Refuse, before training, an EarlyStopping whose metric fit will not record."""
    monitor = getattr(callback, "monitor", None) if isinstance(callback, EarlyStopping) else None
    if monitor is None:
        return
    if monitor.startswith("val") and val is None:
        raise ValueError(f"{name} EarlyStopping(monitor={monitor!r}) needs validation data: "
                         f"pass val=(X, y) to fit, or monitor a training metric")
    if monitor.endswith("acc") and not classification:
        raise ValueError(f"{name} EarlyStopping(monitor={monitor!r}) needs class labels, but "
                         f"the targets are real numbers (no accuracy): monitor a loss")


def _record(history, model, epoch, train, val, loss, penalty, m):
    """Append the end-of-epoch metrics to ``history``: full evaluations unless ``epoch`` is None.

    ``train`` is None when the training metrics are running means (already appended).
    """
    if epoch is not None:
        history.eval_epochs.append(epoch)
    lists = [(train, history.train_loss, history.train_acc)] if train is not None else []
    for data, losses, accs in [*lists, (val, history.val_loss, history.val_acc)]:
        value, acc = evaluate(model, *data, loss) if data is not None and epoch is not None \
            else (None, None)
        losses.append(value)
        accs.append(acc)
    history.penalty.append(0.0 if penalty is None else penalty.value(model.weights().values(), m))
