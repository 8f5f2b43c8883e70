r"""Weight averaging: stochastic weight averaging (SWA) and an exponential moving average (EMA).

Instead of the last iterate w_T, keep an average of the weights along the trajectory and
use it at the end. With w_e the weights after epoch e and s the first epoch averaged:

.. math::
    \text{SWA:}\quad \bar w = \frac{1}{n}\sum_{e=s}^{s+n-1} w_e,\qquad
    \text{EMA:}\quad \bar w \leftarrow \beta\,\bar w + (1-\beta)\,w_e\ (\bar w = w_s \text{ first}).

Both are computed as one running update, :math:`\bar w \leftarrow \bar w + c\,(w_e - \bar
w)` with c = 1/n for the n-th SWA iterate (the running mean) and c = 1 − β for the EMA
(plain text: avg += c * (w - avg)), the updates of PyTorch's
``torch.optim.swa_utils.AveragedModel``. Iterates that bounce across a valley land, on
average, near its centre, where the loss is flatter (Izmailov et al. 2018).

A model with batch normalization needs its running statistics recomputed afterwards: the
averaged weights never produced the statistics collected during training.
:func:`recompute_batch_norm` passes data through once with training-mode statistics, as
``torch.optim.swa_utils.update_bn`` does.

References: Izmailov, Podoprikhin, Garipov, Vetrov & Wilson (2018), "Averaging weights
leads to wider optima and better generalization", UAI; Polyak & Juditsky (1992) for
averaging iterates.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_array, check_instance, check_int, check_real
from .layers import Sequential
from .normalization import BatchNorm
from .train import Callback

KINDS = ("swa", "ema")


def recompute_batch_norm(model: Sequential, X) -> None:
    r"""Set every BatchNorm's running statistics to those of ``X`` under the current weights.

    One pass over X (n, n_in) as a single batch: each :class:`reglab.normalization.BatchNorm`
    layer gets :math:`\mu_r = \frac1n\sum_i h_i` and :math:`\sigma^2_r = \frac1n\sum_i
    (h_i - \mu_r)^2` (biased, as in training) of its input h, the other layers run in
    evaluation mode (dropout off). ``torch.optim.swa_utils.update_bn`` does the same pass
    with the model in training mode; it keeps dropout on and stores the unbiased variance
    (a factor n/(n − 1)).
    """
    check_instance("model", model, Sequential)
    X = check_array("X", X, ndim=2, min_rows=2)
    h = X if model.dtype is None else X.astype(model.dtype)
    for layer in model.layers:
        if isinstance(layer, BatchNorm):
            momentum, layer.momentum = layer.momentum, 0.0  # running <- this batch's statistics
            h = layer._forward(h, True)
            layer.momentum = momentum
        else:
            h = layer._forward(h, False, None)


class WeightAveraging(Callback):
    r"""Average the weights over epochs; the model gets the average when training ends.

    ``fit(..., callbacks=[WeightAveraging("swa", start_epoch=10)])``. After every epoch
    e >= ``start_epoch`` (0-based) the parameters w_e (all of them, batch-norm γ and β
    included) enter the average

    .. math:: \bar w \leftarrow \bar w + c\,(w_e - \bar w),\qquad
              c = \frac{1}{n} \text{ (SWA, n-th iterate)},\quad c = 1 - \beta \text{ (EMA)}

    starting from :math:`\bar w = w_{s}`. The callbacks of :func:`reglab.train.fit` run
    once per epoch, so the EMA is per epoch too (PyTorch's is usually per step: a per-step
    decay β₁ over S steps per epoch is roughly β₁^S per epoch). At the end of training the
    model's parameters are replaced by the average and, if the model has BatchNorm layers,
    their running statistics are recomputed on ``bn_data`` (:func:`recompute_batch_norm`).
    If training stopped before ``start_epoch``, nothing was averaged and the model is left
    as it is (``n_averaged`` is 0). With EarlyStopping(restore_best=True) too, the callback
    listed last decides the final weights.

    Parameters
    ----------
    kind : {"swa", "ema"}
    start_epoch : int >= 0
        The first epoch (0-based) whose weights are averaged.
    decay : float in (0, 1), for ``kind="ema"`` only (required there)
        The EMA's β: the weight of the old average.
    bn_data : array (n, n_in), n >= 2, or None
        Inputs for the batch-norm recomputation, typically the training inputs; required
        when the model has BatchNorm layers (checked when training begins).

    Attributes
    ----------
    averaged : dict name -> ndarray
        The running average of ``model.params`` (the parameters' dtype); this and
        ``n_averaged`` are set when training begins.
    n_averaged : int
        Number of epochs averaged so far.

    References: Izmailov et al. (2018), "Averaging weights leads to wider optima and better
    generalization"; PyTorch's ``torch.optim.swa_utils``.
    """

    def __init__(self, kind: str = "swa", *, start_epoch: int = 0, decay: float | None = None,
                 bn_data=None):
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        self.kind = kind
        self.start_epoch = check_int("start_epoch", start_epoch, low=0)
        if kind == "ema" and decay is None:
            raise ValueError("decay must be given for kind='ema' (the weight β of the old "
                             "average, e.g. 0.9), got None")
        if kind == "swa" and decay is not None:
            raise ValueError(f"decay is for kind='ema' only: SWA is the plain mean, "
                             f"got decay={decay!r}")
        self.decay = None if decay is None else check_real("decay", decay, low=0, high=1,
                                                           low_open=True, high_open=True)
        self.bn_data = None if bn_data is None else check_array("bn_data", bn_data, ndim=2,
                                                               min_rows=2)

    def on_train_begin(self, model):
        self._check_model(model)
        self.averaged, self.n_averaged = {}, 0

    def _check_model(self, model) -> None:
        """A Sequential; with BatchNorm layers, ``bn_data`` given and of the model's width."""
        check_instance("model", model, Sequential)
        if not any(isinstance(layer, BatchNorm) for layer in model.layers):
            return
        if self.bn_data is None:
            raise ValueError("bn_data must be given for a model with BatchNorm layers: their "
                             "running statistics are recomputed on it for the averaged "
                             "weights (pass e.g. bn_data=X_train)")
        try:
            model._forward(self.bn_data[:1], False, None)  # evaluation mode: nothing changes
        except ValueError as err:
            raise ValueError(f"bn_data does not fit the model: {err}") from None

    def on_epoch_end(self, epoch, history, model):
        if epoch < self.start_epoch:
            return False
        self.n_averaged += 1
        if self.n_averaged == 1:
            self.averaged = {k: p.copy() for k, p in model.params.items()}
            return False
        c = 1.0 / self.n_averaged if self.kind == "swa" else 1.0 - self.decay
        for k, p in model.params.items():
            avg = self.averaged[k]
            avg += c * (p - avg)
        return False

    def on_train_end(self, model):
        if self.n_averaged == 0:
            return
        for k, p in model.params.items():
            np.copyto(p, self.averaged[k])
        if any(isinstance(layer, BatchNorm) for layer in model.layers):
            recompute_batch_norm(model, self.bn_data)

    def __repr__(self):
        decay = "" if self.decay is None else f", decay={self.decay:g}"
        return f"WeightAveraging({self.kind!r}, start_epoch={self.start_epoch}{decay})"
