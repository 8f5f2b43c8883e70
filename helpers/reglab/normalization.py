r"""Batch normalization: a layer that standardizes every feature over the minibatch.

In training mode (``train=True``) each column of a batch X (m, n) is centred and
scaled with the statistics of that batch, then given a learned scale γ and shift β:

.. math::
    \mu = \frac1m\sum_i x_i,\qquad
    \sigma^2 = \frac1m\sum_i (x_i - \mu)^2,\qquad
    \hat x_i = \frac{x_i - \mu}{\sqrt{\sigma^2 + \delta}},\qquad
    y_i = \gamma\,\hat x_i + \beta

(column by column; σ² is the *biased* variance, δ a small constant inside the root).
Plain text: mu = X.mean(0); var = X.var(0); x_hat = (X - mu) / sqrt(var + eps);
Y = gamma * x_hat + beta.

The backward pass, derived in ``notebooks/11_initialization_batch_norm_coordinate_descent.ipynb``
(every x_i enters μ and σ² too), has the compact form

.. math::
    \frac{\partial L}{\partial x_i} = \frac{\gamma}{m\sqrt{\sigma^2 + \delta}}
    \Big(m\,g_i - \sum_j g_j - \hat x_i \sum_j g_j \hat x_j\Big),\quad
    \frac{\partial L}{\partial \gamma} = \sum_i g_i \hat x_i,\quad
    \frac{\partial L}{\partial \beta} = \sum_i g_i

with g = dL/dY. Plain text:
dX = gamma / (m * std) * (m * g - g.sum(0) - x_hat * (g * x_hat).sum(0)).

At evaluation (``train=False``) the layer uses running averages of the batch
statistics instead, so that one example's output does not depend on the others.

References
----------
Ioffe & Szegedy (2015), "Batch normalization: accelerating deep network training by
reducing internal covariate shift"; Goodfellow et al., *Deep Learning*, section 8.7.1.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_array, check_bool, check_int, check_real
from .layers import Layer


class BatchNorm(Layer):
    r"""Batch normalization of (m, n) inputs, with learned scale ``gamma`` and shift ``beta``.

    Training (``forward(X, train=True)``): normalize with the batch mean and biased
    variance, :math:`y = \gamma (x - \mu)/\sqrt{\sigma^2 + \delta} + \beta`, and update
    the running statistics, with β_r = ``momentum``,

    .. math::
        \mu_r \leftarrow \beta_r\,\mu_r + (1 - \beta_r)\,\mu,\qquad
        \sigma^2_r \leftarrow \beta_r\,\sigma^2_r + (1 - \beta_r)\,\sigma^2

    (plain text: running_mean = momentum * running_mean + (1 - momentum) * mu). This is
    Keras' ``momentum``; PyTorch's ``momentum`` weighs the *new* batch, so PyTorch
    ``momentum=0.1`` is ``momentum=0.9`` here (and PyTorch stores the unbiased variance).
    Evaluation (``train=False``, the default): the same formula with μ_r and σ²_r; nothing
    is updated.

    Shapes: X and the output (m, n_features); ``gamma``, ``beta``, ``running_mean``,
    ``running_var`` (n_features,).

    Parameters
    ----------
    n_features : int
        Number of columns of the input.
    momentum : float in [0, 1)
        Weight of the old running statistics in each update (default 0.9: the running
        averages remember roughly the last 1/(1 - 0.9) = 10 batches).
    eps : float > 0
        The constant δ added to the variance inside the square root (default 1e-5).
    dtype : numpy floating dtype
        float64 (default, for gradient checks) or float32.

    Attributes
    ----------
    params : ``gamma`` (starts at 1) and ``beta`` (starts at 0). Neither is a weight in
        the sense of :func:`reglab.layers.is_weight`: penalties and weight decay leave
        them alone.
    buffers : ``running_mean`` (starts at 0) and ``running_var`` (starts at 1), updated
        in place in training mode only; saved by :meth:`reglab.layers.Sequential.state`.

    Raises
    ------
    ValueError
        In training mode on a batch of one example, whose variance is 0 (each output
        would be β whatever the input); on an input of the wrong shape.

    References
    ----------
    Ioffe & Szegedy (2015); Goodfellow et al., *Deep Learning*, section 8.7.1.
    """

    def __init__(self, n_features: int, *, momentum: float = 0.9, eps: float = 1e-5,
                 dtype=np.float64):
        super().__init__()
        self.n_features = check_int("n_features", n_features, low=1)
        self.momentum = check_real("momentum", momentum, low=0, high=1, high_open=True)
        self.eps = check_real("eps", eps, low=0, low_open=True)
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"dtype must be a floating type, got {dtype}")
        self.params = {"gamma": np.ones(self.n_features, dtype=dtype),
                       "beta": np.zeros(self.n_features, dtype=dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.buffers = {"running_mean": np.zeros(self.n_features, dtype=dtype),
                        "running_var": np.ones(self.n_features, dtype=dtype)}
        self._cache = None

    def forward(self, X, *, train=False, rng=None):
        """Normalized X (m, n_features); X must hold real, finite numbers."""
        return self._forward(check_array("X", X), check_bool("train", train), rng)

    def _forward(self, X, train=False, rng=None):
        X = np.asarray(X)
        if X.dtype.kind not in "fiu":
            raise TypeError(f"X must hold real numbers, got dtype {X.dtype}")
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"X must have shape (m, {self.n_features}), got {X.shape}")
        gamma, beta = self.params["gamma"], self.params["beta"]
        if not train:  # an affine map of X: its backward needs only x_hat and std
            std = np.sqrt(self.buffers["running_var"] + self.eps)
            x_hat = (X - self.buffers["running_mean"]) / std
            self._cache = (x_hat, std, False)
            return gamma * x_hat + beta
        m = X.shape[0]
        if m < 2:
            raise ValueError(
                f"X must have at least 2 rows in training mode (train=True), got {m}: the "
                f"variance of a single example is 0, so batch normalization has nothing to "
                f"normalize by. Use batches of 2 or more examples (ideally dozens), or "
                f"train=False to use the running statistics.")
        mu = X.mean(axis=0)
        centred = X - mu
        var = np.mean(centred**2, axis=0)
        std = np.sqrt(var + self.eps)
        x_hat = centred / std
        self._cache = (x_hat, std, True)
        b = self.momentum
        self.buffers["running_mean"] *= b
        self.buffers["running_mean"] += (1 - b) * mu
        self.buffers["running_var"] *= b
        self.buffers["running_var"] += (1 - b) * var
        return gamma * x_hat + beta

    def backward(self, dout, *, input_grad: bool = True):
        r"""Fill ``grads``; return dL/dX (None if not ``input_grad``), after either mode.

        After a training forward, the compact formula of the module docstring. After an
        evaluation forward the layer is the affine map y = γ(x − μ_r)/√(σ²_r + δ) + β of
        each example alone, so :math:`\partial L/\partial x_i = \gamma\, g_i/\sqrt{\sigma_r^2
        + \delta}` (plain text: dX = gamma * g / std), as adversarial examples of a trained
        model need; ∂L/∂γ and ∂L/∂β are the same sums in both modes.
        """
        self._check_dout(dout, None if self._cache is None else self._cache[0].shape)
        x_hat, std, train = self._cache
        m = x_hat.shape[0]
        sum_g = dout.sum(axis=0)
        sum_gx = np.sum(dout * x_hat, axis=0)
        self.grads["gamma"][...] = sum_gx
        self.grads["beta"][...] = sum_g
        if not input_grad:
            return None
        if not train:
            return (self.params["gamma"] / std) * dout
        return (self.params["gamma"] / (m * std)) * (m * dout - sum_g - x_hat * sum_gx)

    def __repr__(self):
        return (f"BatchNorm({self.n_features}, momentum={self.momentum:g}, eps={self.eps:g}, "
                f"dtype={self.params['gamma'].dtype})")
