"""Many small models trained as one: seeds (and one hyperparameter) in a single batched pass.

A claim about a method holds over seeds, so an experiment trains the same network S times,
each from its own generator. Trained one after the other, S small networks cost S times
the Python work of one step; stacked, they share it. :func:`fit_many` trains S models of
one architecture as one stacked network:

* every parameter of shape ``shape`` becomes one array (S, *shape): a Dense weight
  W (n_in, n_out) becomes (S, n_in, n_out), its bias (S, n_out);
* a minibatch becomes X (S, B, n_in): model s reads its own rows, in its own order;
* the forward and backward passes are batched matrix products,
  Z[s] = X[s] W[s] + b[s], dW[s] = X[s]ᵀ δ[s], dX[s] = δ[s] W[s]ᵀ (``np.matmul`` over s);
* each model draws its minibatch order, dropout masks and augmentation from its own
  generator, in the order :func:`reglab.train.fit` draws them;
* the optimizer updates all S models as one flat vector: the rules of
  :mod:`reglab.optim` act entry by entry, so each model gets its own update.

So model s ends where ``fit(models[s], train, rng=rngs[s], ...)`` would have left it, up
to float rounding (bit for bit when the BLAS computes each matrix of a stack like a
single one, as OpenBLAS does). The models may differ in ``keep_prob`` and, through a list
of penalties, in λ; everything else is shared.

Shapes: X (m, n_in), y (m,) labels; stacked activations (S, B, n) for S models.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_bool, check_instances, check_int, check_rng
from .layers import Dense, Dropout, ReLU, Sequential, Sigmoid, Tanh, is_weight
from .losses import _softmax_cross_entropy_groups, softmax_cross_entropy
from .optim import GradientClipping
from .penalties import Penalty
from .train import (
    History,
    InputAugmentation,
    TrainingDiverged,
    _as_transform,
    _check_data,
    _check_optimizer,
    _gradient_takers,
    _is_classification,
    _n_correct,
    minibatches,
)

#: The layers a stack can hold: dense layers, elementwise activations and dropout.
STACKABLE = (Dense, ReLU, Tanh, Sigmoid, Dropout)


class StackedModel:
    """S Sequential models of one architecture, their parameters stacked along a first axis.

    ``params``/``grads`` map each name of the models (``"0.W"``, ``"0.b"``, ...) to an
    array (S, *shape) whose slice s is model s's parameter; all of them lie in one flat
    buffer (and the gradients in another), so an optimizer steps on the stack at once.
    The original models are not touched until :meth:`write_back`.

    Shapes: :meth:`forward` maps X (S, B, n_in), or (B, n_in) shared by all models, to
    (S, B, n_out); :meth:`backward` maps dL/d(output) (S, B, n_out) to the gradients.
    """

    def __init__(self, models):
        models = check_instances("models", models, Sequential)
        first = models[0]
        for i, layer in enumerate(first.layers):
            if not isinstance(layer, STACKABLE):
                raise TypeError(f"models[0].layers[{i}] is a {type(layer).__name__}: a stack "
                                f"holds only {', '.join(c.__name__ for c in STACKABLE)}; "
                                "train this model with fit")
        for j, model in enumerate(models[1:], 1):
            if ([type(lay) for lay in model.layers] != [type(lay) for lay in first.layers]
                    or {k: (v.shape, v.dtype) for k, v in model.params.items()}
                    != {k: (v.shape, v.dtype) for k, v in first.params.items()}):
                raise ValueError(f"models[{j}] must have the architecture of models[0] (same "
                                 f"layers, parameter shapes and dtypes), got {model!r}")
        self.models = models
        # activations act entry by entry: one fresh instance runs on the whole stack
        self.layers = [type(lay)() if isinstance(lay, (ReLU, Tanh, Sigmoid)) else lay
                       for lay in first.layers]
        S, names = len(models), list(first.params)
        sizes = [first.params[k].size for k in names]
        self.params, self.grads = {}, {}
        for store, source in ((self.params, "params"), (self.grads, "grads")):
            flat = np.zeros(S * sum(sizes), dtype=first.dtype)
            start = 0
            for k, size in zip(names, sizes, strict=True):
                block = flat[start:start + S * size].reshape(S, *first.params[k].shape)
                if source == "params":
                    block[...] = [getattr(m, source)[k] for m in models]
                store[k] = block
                start += S * size
        self.dtype = first.dtype
        self._first = next(i for i, lay in enumerate(self.layers) if lay.params)
        # (i, layer, weight, bias, weight gradient, bias gradient): what a step reads per layer
        self._plan = [(i, lay, *(store.get(f"{i}.{k}") for store in (self.params, self.grads)
                                 for k in "Wb")) for i, lay in enumerate(self.layers)]
        self._backward_plan = self._plan[self._first:][::-1]  # top down to the first Dense
        self._inputs = {}  # the input of each Dense layer in the last forward
        self._masks = {}  # the mask of each Dropout layer in the last training forward

    def forward(self, X, *, train=False, rngs=None):
        """The S outputs (S, B, n_out) for X (S, B, n_in) or (B, n_in); ``rngs`` for dropout."""
        if self.dtype is not None and X.dtype != self.dtype:
            X = X.astype(self.dtype)
        for i, layer, W, b, _, _ in self._plan:
            if W is not None:  # a Dense layer
                self._inputs[i] = X
                X = X @ W
                X += b[:, None, :]
            elif isinstance(layer, Dropout):
                if train:
                    self._masks[i] = self._dropout_mask(i, X, rngs)
                    X = X * self._masks[i]
            else:
                X = layer.forward(X)
        return X

    def _dropout_mask(self, i, X, rngs) -> np.ndarray:
        """The S masks d[s] / p_s (S, B, n) of the Dropout layer ``i`` for X (S, B, n).

        Model s draws its uniforms from its own generator, as its own layer would
        (:class:`reglab.layers.Dropout`: d = u < p, mask = d / p in X's dtype), into its
        slice of one array; the comparison and the division then run on the whole stack.
        """
        dtype = X.dtype if X.dtype.char in "fd" else np.dtype(np.float64)  # float32 or 64
        draws = np.empty(X.shape, dtype=dtype)
        for s, r in enumerate(rngs):
            r.random(out=draws[s], dtype=dtype)
        keep = np.array([m.layers[i].keep_prob for m in self.models], dtype=dtype)[:, None, None]
        return np.divide(draws < keep, keep, out=draws)  # [u < p] / p, computed in dtype

    def backward(self, dout) -> None:
        """Fill ``grads`` from dL/d(output) (S, B, n_out) of the last training forward."""
        for i, layer, W, _, dW, db in self._backward_plan:
            if W is not None:  # a Dense layer
                np.matmul(self._inputs[i].transpose(0, 2, 1), dout, out=dW)
                dout.sum(axis=1, out=db)
                if i > self._first:
                    dout = dout @ W.transpose(0, 2, 1)
            elif isinstance(layer, Dropout):
                dout = dout * self._masks[i]
            else:
                dout = layer.backward(dout)

    def weights(self) -> dict[str, np.ndarray]:
        """The stacked weight matrices (S, n_in, n_out) by name (biases are not penalized)."""
        return {k: v for k, v in self.params.items() if is_weight(k)}

    def write_back(self) -> None:
        """Copy slice s of every parameter into model s (the models' own arrays, in place)."""
        for s, model in enumerate(self.models):
            for k, p in model.params.items():
                np.copyto(p, self.params[k][s])


def fit_many(models, train, *, rngs, loss, optimizer, epochs: int, val=None, penalty=None,
             batch_size: int = 32, augment=None, progress: bool = True) -> list[History]:
    """Train each model as ``fit(models[s], train, rng=rngs[s], ...)`` would, all in one pass.

    The models (a list of Sequential of one architecture, built from Dense, ReLU, Tanh,
    Sigmoid and Dropout layers; ``keep_prob`` may differ) are stacked into a
    :class:`StackedModel`, trained, and written back in place. Returns one
    :class:`reglab.train.History` per model, as :func:`reglab.train.fit` with its defaults
    records it (running means of the training minibatches; validation after every epoch).

    Parameters
    ----------
    models : list of Sequential, S >= 1
    train, val : tuple (X, y)
        Shared by all models: X (m, n_in), y (m,) labels or real targets, as for fit.
    rngs : list of numpy.random.Generator, one per model
        Model s draws its minibatch order, dropout masks and augmentation from rngs[s].
    loss, epochs, batch_size, progress :
        As for :func:`reglab.train.fit`.
    optimizer : an optimizer of :mod:`reglab.optim`
        One instance updates the whole stack; each model gets the update it would get alone,
        since every rule acts entry by entry. GradientClipping (a norm over all the
        parameters, which would mix the models) is refused.
    penalty : Penalty, list of S Penalty, or None
        One penalty for all models, or one per model (e.g. a λ sweep).
    augment : callable (X_batch, rng) -> X_batch, optional
        Applied to each model's minibatch with its own generator.

    Raises
    ------
    TypeError, ValueError
        For any bad argument, before the first step (the models are left untouched).
    reglab.train.TrainingDiverged
        When a minibatch loss of any model is NaN or infinite (the models are left untouched).
    """
    stack = StackedModel(models)
    S = len(stack.models)
    rngs = check_instances("rngs", rngs, np.random.Generator)
    if len(rngs) != S:
        raise ValueError(f"rngs must hold one generator per model ({S}), got {len(rngs)}")
    for i, r in enumerate(rngs):
        check_rng(f"rngs[{i}]", r)
    if len({id(r) for r in rngs}) != S:
        raise ValueError("rngs must be distinct generators, one per model, got a repeated one")
    X, y = _check_data("train", train, stack.models[0], loss)
    if val is not None:
        Xv, yv = _check_data("val", val, stack.models[0], loss, n_features=X.shape[1])
    epochs = check_int("epochs", epochs, low=1)
    batch_size = check_int("batch_size", batch_size, low=1)
    _check_optimizer(optimizer)
    if isinstance(optimizer, GradientClipping):
        raise TypeError("optimizer must act entry by entry: GradientClipping's global norm would "
                        "mix the models of the stack; train them one by one with fit")
    if _gradient_takers(optimizer):
        raise TypeError(f"optimizer {optimizer!r} needs a second gradient at perturbed "
                        "parameters (SAM), which fit_many does not compute; train with fit")
    penalties = _penalties(penalty, S)
    transform = _as_transform(augment)
    if transform is not None and not isinstance(transform, InputAugmentation):
        raise TypeError(f"augment must be a plain augmentation (X, rng) -> X for fit_many, "
                        f"got {transform!r}; train with fit")
    check_bool("progress", progress)
    X = X.astype(stack.dtype, copy=False)
    if val is not None:
        Xv = Xv.astype(stack.dtype, copy=False)

    m = X.shape[0]
    histories = [History(train_metrics="running") for _ in range(S)]
    classification = _is_classification(y)
    epoch_iter = range(epochs)
    if progress:
        from tqdm.auto import tqdm
        epoch_iter = tqdm(epoch_iter, desc="epochs", leave=False)
    for epoch in epoch_iter:
        batches = zip(*(minibatches(m, batch_size, r) for r in rngs), strict=True)
        loss_sums, correct, seen = np.zeros(S), np.zeros(S, dtype=np.int64), 0
        for b, idx in enumerate(batches):
            idx = np.array(idx)                   # (S, B): model s's rows
            Xb, yb = X[idx], y[idx]
            if transform is not None:
                Xb = np.stack([transform.augment(Xb[s], r) for s, r in enumerate(rngs)])
            out = stack.forward(Xb, train=True, rngs=rngs)
            batch_loss, dout = _stacked_loss(loss, out, yb)
            if not np.isfinite(batch_loss).all():
                s = int(np.flatnonzero(~np.isfinite(batch_loss))[0])
                raise TrainingDiverged(
                    f"training diverged: the loss of model {s} became {batch_loss[s]} at "
                    f"epoch {epoch}, batch {b}. The usual cause is a learning rate that is too "
                    "large: lower it.")
            loss_sums += batch_loss * idx.shape[1]
            if classification:
                correct += _n_correct(out, yb)
            stack.backward(dout)
            for k, W in stack.weights().items() if penalties is not None else ():
                stack.grads[k] += _penalty_grad(penalties, W, m)
            getattr(optimizer, "_step_unchecked", optimizer.step)(stack.params, stack.grads)
            seen += idx.shape[1]
        _record_many(histories, stack, loss_sums / seen,
                     correct / seen if classification else None,
                     None if val is None else (Xv, yv), loss, penalties, m)
    stack.write_back()
    return histories


def _stacked_loss(loss, out, y) -> tuple[np.ndarray, np.ndarray]:
    """Each model's loss (S,) and dJ_s/d(out_s) (S, B, k) for outputs out (S, B, k), y (S, B, ...).

    Softmax cross-entropy runs once on the S batches stacked in its rows, with the same
    operations in the same order as model by model; any other loss is called per model.
    """
    S, B = out.shape[:2]
    if loss is softmax_cross_entropy:
        values, grad = _softmax_cross_entropy_groups(out.reshape(S * B, -1), y.reshape(-1), S)
        return values.astype(np.float64), grad.reshape(out.shape)
    values, grad = np.empty(S), np.empty_like(out)
    for s in range(S):
        values[s], grad[s] = loss(out[s], y[s])
    return values, grad


def _penalties(penalty, S):
    """None, or a list of S penalties (one penalty repeated, or the list given)."""
    if penalty is None:
        return None
    if isinstance(penalty, Penalty):
        return [penalty] * S
    penalties = check_instances("penalty", penalty, Penalty)
    if len(penalties) != S:
        raise ValueError(f"penalty must be one Penalty or a list of one per model ({S}), "
                         f"got a list of {len(penalties)}")
    return penalties


def _penalty_grad(penalties, W, m) -> np.ndarray:
    """Each model's penalty gradient (λ_s/2m)·dΩ/dW_s for the stacked weights W (S, *shape).

    Penalties that differ at most in λ (one penalty shared, or a λ sweep of one kind with the
    same other settings, and the base class's grad) take one computation on the stack: the
    factors λ_s/2m as a column in W's dtype (a Python float factor is rounded to it too) times
    dΩ/dW of the whole stack, which acts entry by entry, so each model gets the numbers of
    ``penalty.grad(W_s, m)``. Any other list is computed model by model.
    """
    first = penalties[0]
    settings = {k: v for k, v in vars(first).items() if k != "lam"}
    if type(first).grad is Penalty.grad and all(
            type(p) is type(first) and {k: v for k, v in vars(p).items() if k != "lam"} == settings
            for p in penalties):
        factors = np.array([p.lam / (2 * m) for p in penalties], dtype=W.dtype)
        return factors.reshape(-1, *[1] * (W.ndim - 1)) * first.omega_grad(W)
    return np.stack([p.grad(W[s], m) for s, p in enumerate(penalties)])


def _record_many(histories, stack, train_loss, train_acc, val, loss, penalties, m):
    """Append epoch metrics to each model's History: running training means, validation."""
    epoch = len(histories[0].train_loss)
    if val is not None:
        out = stack.forward(val[0])
        Xv, yv = val
        yv = np.broadcast_to(yv, (len(histories), *yv.shape))  # every model's labels
        val_loss, _ = _stacked_loss(loss, out, yv)
        val_acc = _n_correct(out, yv) / len(Xv) if _is_classification(val[1]) else None
    for s, h in enumerate(histories):
        h.train_loss.append(float(train_loss[s]))
        h.train_acc.append(None if train_acc is None else float(train_acc[s]))
        h.eval_epochs.append(epoch)
        h.val_loss.append(None if val is None else float(val_loss[s]))
        h.val_acc.append(None if val is None or val_acc is None else float(val_acc[s]))
        weights = [W[s] for W in stack.weights().values()]
        h.penalty.append(0.0 if penalties is None else penalties[s].value(weights, m))
