"""Layers of a fully connected network, each a forward/backward pair.

Shapes: one example per row. A layer maps ``X`` of shape (m, n_in) to an output
of shape (m, n_out); ``backward`` takes the upstream gradient dL/d(output) of the
output's shape and returns dL/dX of the input's shape, filling ``grads`` for the
layer's parameters on the way. ``forward`` caches what ``backward`` needs, so
call ``backward`` right after the ``forward`` it differentiates.

Mode is explicit: ``forward(X, train=True, rng=rng)`` during training,
``forward(X)`` (``train=False``) for evaluation. Only :class:`Dropout` (and
:class:`reglab.normalization.BatchNorm`) look at it.

Parameter names: :class:`Dense` owns ``W`` (n_in, n_out) and ``b`` (n_out,);
inside a :class:`Sequential` they are called ``"0.W"``, ``"0.b"``, ``"2.W"``...
A parameter is a *weight* (penalized, decayed) when its last name part is ``W``;
biases are never penalized (see :func:`is_weight`).

Buffers: state that a layer updates itself but that is not trained, such as the
running statistics of batch normalization, lives in ``buffers`` (a dict like
``params``, updated in place). Optimizers never see it; :meth:`Sequential.state`
and :meth:`Sequential.load_state` save and restore it together with the parameters.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_array, check_bool, check_int, check_real, check_rng


def is_weight(name: str) -> bool:
    """True for weight matrices (``"W"``, ``"3.W"``), False for biases and others.

    The one place that decides which parameters norm penalties and weight decay touch.
    """
    return name.rsplit(".", 1)[-1] == "W"


#: Standard deviation of the initial weights for a layer with fan-in and fan-out:
#: He (Kaiming) sqrt(2 / fan_in) for ReLU, Xavier (Glorot) sqrt(2 / (fan_in + fan_out)).
INITS = {"he": lambda fan_in, fan_out: np.sqrt(2.0 / fan_in),
         "xavier": lambda fan_in, fan_out: np.sqrt(2.0 / (fan_in + fan_out))}


def initial_weights(shape, fan_in: int, fan_out: int, *, rng, init: str = "he",
                    dtype=np.float64) -> np.ndarray:
    r"""Initial weights of the given shape, drawn from :math:`\mathcal N(0, s^2)`.

    .. math:: s_\text{He} = \sqrt{2/n_\text{in}},\qquad
              s_\text{Xavier} = \sqrt{2/(n_\text{in} + n_\text{out})}

    Plain text: std = INITS[init](fan_in, fan_out); W = std * rng.standard_normal(shape).
    ``fan_in``/``fan_out`` are the number of inputs/outputs one weight's unit sees
    (n_in, n_out for Dense; C_in·K, C_out·K for a convolution). ``dtype`` must be a
    floating type. (He et al. 2015; Glorot & Bengio 2010.)
    """
    check_rng("rng", rng)
    if init not in INITS:
        raise ValueError(f"init must be one of {sorted(INITS)}, got {init!r}")
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"dtype must be a floating type, got {dtype}")
    return (INITS[init](fan_in, fan_out) * rng.standard_normal(shape)).astype(dtype)


class Layer:
    """Base class: no parameters, identity in both directions.

    ``params`` (trained) and ``grads`` share their keys; ``buffers`` holds arrays the
    layer updates in place by itself (not trained, but part of the model's state).
    """

    def __init__(self):
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.buffers: dict[str, np.ndarray] = {}

    def forward(self, X: np.ndarray, *, train: bool = False, rng=None) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _check_dout(self, dout, out_shape) -> None:
        """Refuse a backward pass before any forward (``out_shape`` None) or a ``dout`` whose
        shape is not that of the last forward's output."""
        if out_shape is None:
            raise RuntimeError(f"{type(self).__name__}.backward was called before forward: "
                               "nothing to differentiate, run forward first")
        if getattr(dout, "shape", None) != out_shape:
            raise ValueError(f"dout must have the shape {out_shape} of "
                             f"{type(self).__name__}'s last output, got {np.shape(dout)}")

    def _forward(self, X: np.ndarray, train: bool, rng) -> np.ndarray:
        """``forward`` on an input already checked at the model boundary (the training path).

        A layer whose ``forward`` checks its input (e.g. :class:`Dense`, a scan for NaN
        costs about 2 µs) overrides this with the unchecked computation.
        """
        return self.forward(X, train=train, rng=rng)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Dense(Layer):
    r"""Fully connected layer :math:`Z = XW + b`.

    .. math::
        Z = X W + \mathbf{1} b^\top,\quad
        \frac{\partial L}{\partial W} = X^\top \delta,\quad
        \frac{\partial L}{\partial b} = \mathbf{1}^\top \delta,\quad
        \frac{\partial L}{\partial X} = \delta W^\top

    Plain text: Z = X @ W + b; dW = X.T @ dZ; db = dZ.sum(0); dX = dZ @ W.T.

    Shapes: X (m, n_in), W (n_in, n_out), b (n_out,), Z (m, n_out).

    Parameters
    ----------
    n_in, n_out : int
        Input and output widths.
    rng : numpy.random.Generator
        Draws the initial weights.
    init : {"he", "xavier"}
        He (Kaiming) normal, std = sqrt(2 / n_in), suited to ReLU; or Xavier
        (Glorot) normal, std = sqrt(2 / (n_in + n_out)), suited to tanh/sigmoid.
        Biases start at zero.
    dtype : numpy dtype
        float64 (default, needed by gradient checks) or float32 for speed.

    References
    ----------
    He et al. (2015), "Delving deep into rectifiers"; Glorot & Bengio (2010).
    """

    INITS = INITS

    def __init__(self, n_in: int, n_out: int, *, rng, init: str = "he", dtype=np.float64):
        super().__init__()
        self.n_in = check_int("n_in", n_in, low=1)
        self.n_out = check_int("n_out", n_out, low=1)
        W = initial_weights((self.n_in, self.n_out), self.n_in, self.n_out, rng=rng, init=init,
                            dtype=dtype)
        self.params = {"W": W, "b": np.zeros(self.n_out, dtype=W.dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._X = None

    def forward(self, X, *, train=False, rng=None):
        """Z (m, n_out) for X (m, n_in) of real, finite numbers (a list is converted)."""
        return self._forward(check_array("X", X), train, rng)

    def _forward(self, X, train=False, rng=None):
        if X.ndim != 2 or X.shape[1] != self.n_in:
            raise ValueError(f"X must have shape (m, {self.n_in}), got {X.shape}")
        self._X = X
        out = X @ self.params["W"]
        out += self.params["b"]
        return out

    def backward(self, dout, *, input_grad: bool = True):
        """Fill ``grads``; return dL/dX, or None without computing it if not ``input_grad``."""
        self._check_dout(dout, None if self._X is None else (self._X.shape[0], self.n_out))
        np.matmul(self._X.T, dout, out=self.grads["W"])
        dout.sum(axis=0, out=self.grads["b"])
        return dout @ self.params["W"].T if input_grad else None

    def __repr__(self):
        return f"Dense({self.n_in}, {self.n_out}, dtype={self.params['W'].dtype})"


class ReLU(Layer):
    r"""Rectified linear unit, :math:`a = \max(z, 0)`, :math:`\partial a/\partial z = [z > 0]`.

    Shapes: any; output and gradients have the input's shape.
    """

    _out = None  # max(z, 0) of the last forward: [z > 0] is [out > 0]
    _zeros = np.zeros(0)  # zeros shaped and laid out like the last input

    def forward(self, X, *, train=False, rng=None):
        return self._forward(np.asarray(X))

    def _forward(self, X, train=False, rng=None):
        # np.maximum runs 2-3x faster on two arrays of one layout than on an array and the
        # scalar 0 (numpy's SIMD loop): the zeros are made once per input shape and layout
        zeros = self._zeros
        if zeros.shape != X.shape or zeros.strides != X.strides or zeros.dtype != X.dtype:
            zeros = np.zeros_like(X)
        self._out = np.maximum(X, zeros)  # one pass, one new array: the output itself
        self._zeros = zeros  # kept once the input is accepted
        return self._out

    def backward(self, dout):
        self._check_dout(dout, None if self._out is None else self._out.shape)
        return np.multiply(dout, self._out > 0)


class Tanh(Layer):
    r"""Hyperbolic tangent, :math:`a = \tanh z`, :math:`\partial a/\partial z = 1 - a^2`.

    Shapes: any; output and gradients have the input's shape.
    """

    _out = None  # tanh z of the last forward

    def forward(self, X, *, train=False, rng=None):
        self._out = np.tanh(X)
        return self._out

    def backward(self, dout):
        self._check_dout(dout, None if self._out is None else self._out.shape)
        return dout * (1.0 - self._out**2)


def sigmoid(z: np.ndarray) -> np.ndarray:
    r"""Logistic function :math:`\sigma(z) = 1/(1+e^{-z})`, without overflow for any z.

    Computed as 0.5 * (1 + tanh(z / 2)), which equals 1/(1+exp(-z)) and never overflows.
    """
    return 0.5 * (1.0 + np.tanh(0.5 * z))


class Sigmoid(Layer):
    r"""Logistic sigmoid, :math:`a = \sigma(z)`, :math:`\partial a/\partial z = a(1-a)`.

    Shapes: any; output and gradients have the input's shape.
    """

    _out = None  # σ(z) of the last forward

    def forward(self, X, *, train=False, rng=None):
        self._out = sigmoid(X)
        return self._out

    def backward(self, dout):
        self._check_dout(dout, None if self._out is None else self._out.shape)
        return dout * self._out * (1.0 - self._out)


class Dropout(Layer):
    r"""Inverted dropout with keep probability ``keep_prob``.

    During training each unit is kept with probability p = keep_prob and the kept
    ones are divided by p, so the expected activation is unchanged:

    .. math::
        d_{ij} \sim \mathrm{Bernoulli}(p),\quad a'_{ij} = a_{ij} d_{ij} / p,\quad
        \mathbb{E}[a'_{ij}] = a_{ij},\quad
        \frac{\partial L}{\partial a_{ij}} = \frac{\partial L}{\partial a'_{ij}} d_{ij} / p

    Plain text: d = rng.random(a.shape) < p; a' = a * d / p; da = da' * d / p.
    At evaluation (``train=False``) the layer is the identity: no mask, no scaling.
    ``backward`` reuses the mask of the last training ``forward``.

    Shapes: any; the mask has the input's shape.

    Parameters
    ----------
    keep_prob : float in (0, 1]
        Probability of *keeping* a unit (the INF721 convention). A framework's drop
        rate converts as keep_prob = 1 - rate; see :meth:`from_rate`.

    References
    ----------
    Srivastava et al. (2014), "Dropout: a simple way to prevent neural networks from
    overfitting"; the INF721 lecture on regularization, section 7.
    """

    def __init__(self, keep_prob: float):
        super().__init__()
        self.keep_prob = check_real("keep_prob", keep_prob, low=0, high=1, low_open=True)
        self.mask = None
        self._shape = None  # shape of the last forward's input (and output)

    @classmethod
    def from_rate(cls, rate: float) -> Dropout:
        """Build from a drop rate (Keras ``Dropout(rate)``, PyTorch ``nn.Dropout(p)``)."""
        rate = check_real("rate", rate, low=0, high=1, high_open=True)
        return cls(keep_prob=1.0 - rate)

    def forward(self, X, *, train=False, rng=None):
        if not train:
            self.mask, self._shape = None, np.shape(X)
            return X
        check_rng("rng", rng)
        dtype = X.dtype if X.dtype.char in "fd" else np.dtype(np.float64)  # float32 or 64
        draws = rng.random(X.shape, dtype=dtype)
        self.mask = np.divide(draws < self.keep_prob, dtype.type(self.keep_prob), out=draws)
        self._shape = X.shape
        return X * self.mask

    def backward(self, dout):
        self._check_dout(dout, self._shape if self.mask is None else self.mask.shape)
        return dout if self.mask is None else dout * self.mask

    def __repr__(self):
        return f"Dropout(keep_prob={self.keep_prob:g})"


def _flat_storage(layers) -> None:
    """Move the layers' parameters into one flat buffer and their gradients into another.

    Each kind is copied, back to back in model order, into one new 1-D array, and every
    layer's ``params``/``grads`` entry is rebound to its slice of it (a view of the same
    shape), so an optimizer can update all parameters as one vector without gathering and
    scattering them (see :meth:`reglab.optim.Optimizer.step`). Nothing moves when a layer
    already belongs to a model (a shared layer keeps the arrays that model holds), when an
    array is not a fresh one of its own or appears twice, or when the dtypes differ.
    """
    if any(getattr(lay, "_in_model", False) for lay in layers):
        return
    for kind in ("params", "grads"):
        arrays = [a for lay in layers for a in getattr(lay, kind).values()]
        if (not arrays or any(a.base is not None for a in arrays)
                or len({id(a) for a in arrays}) != len(arrays)
                or len({a.dtype for a in arrays}) != 1):
            return
    for kind in ("params", "grads"):
        flat = np.concatenate([a.ravel() for lay in layers for a in getattr(lay, kind).values()])
        start = 0
        for lay in layers:
            store = getattr(lay, kind)
            for k, a in store.items():
                store[k] = flat[start:start + a.size].reshape(a.shape)
                start += a.size


class Sequential:
    """A stack of layers applied in order; the model that ``fit`` trains.

    Shapes: ``forward`` takes X (m, n_in) and returns the last layer's output,
    e.g. logits (m, n_classes).

    Attributes
    ----------
    params, grads : dict[str, ndarray]
        Every parameter and its gradient under the name ``"<layer index>.<name>"``.
        These are the layers' own arrays: updating them in place updates the model.
        When the model is built, the parameters are moved into one flat buffer and the
        gradients into another (the arrays become views of them, in this order), so an
        optimizer steps on all of them at once; a layer already held by another model
        keeps its arrays. Modify parameters in place (``p[...] = ...``,
        :meth:`load_state`), never rebind them.
    dtype : numpy dtype or None
        The dtype of every parameter (None if there are none or they differ). The model
        computes in it: :meth:`forward` casts its input to it (the one dtype rule; a
        float64 ``X`` fed to a float32 model would otherwise be computed in float64, at
        about half the speed).
    buffers : dict[str, ndarray]
        Every layer's buffers (e.g. ``"1.running_mean"`` of a batch-norm layer), named
        the same way: state that is saved and restored but never trained.
    """

    def __init__(self, layers):
        if isinstance(layers, (Layer, str)) or not hasattr(layers, "__iter__"):
            raise TypeError(f"layers must be a list of reglab Layers, got "
                            f"{type(layers).__name__} {layers!r}: write Sequential([...])")
        layers = list(layers)
        if not layers:
            raise ValueError("layers must contain at least one layer, got an empty list")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                hint = f": write {layer.__name__}(...)" if isinstance(layer, type) else ""
                raise TypeError(f"layers[{i}] must be a reglab Layer, got "
                                f"{type(layer).__name__} {layer!r}{hint}")
        self.layers = layers
        _flat_storage(layers)
        for layer in layers:
            layer._in_model = True
        self.params = {f"{i}.{k}": v for i, lay in enumerate(layers) for k, v in lay.params.items()}
        # the first layer with parameters: below it, backward only serves dL/dX
        self._first_trainable = next((i for i, lay in enumerate(layers) if lay.params), 0)
        self._above_first = layers[:self._first_trainable:-1]  # the layers above it, top first
        self.grads = {f"{i}.{k}": v for i, lay in enumerate(layers) for k, v in lay.grads.items()}
        self.buffers = {f"{i}.{k}": v for i, lay in enumerate(layers)
                        for k, v in getattr(lay, "buffers", {}).items()}
        dtypes = {p.dtype for p in self.params.values()}
        self.dtype = dtypes.pop() if len(dtypes) == 1 else None
        self._out_shape = None  # shape of the last forward's output, for backward to check

    def forward(self, X, *, train: bool = False, rng=None) -> np.ndarray:
        """Output of the network for X (m, n_in); ``rng`` is needed when ``train`` and dropout.

        X must hold real, finite numbers (a list is converted); checked once here, the
        layers then run unchecked. X is cast to the parameters' dtype (``self.dtype``), so
        that a float32 model computes in float32 whatever the input's dtype.
        """
        return self._forward(check_array("X", X), check_bool("train", train), rng)

    def _forward(self, X, train, rng):
        """``forward`` without the input check (the training loop's path)."""
        if self.dtype is not None and X.dtype != self.dtype:
            X = X.astype(self.dtype)
        for layer in self.layers:
            X = layer._forward(X, train, rng)
        self._out_shape = X.shape
        return X

    __call__ = forward

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        """Backpropagate dL/d(output) through every layer; fills ``grads``; returns dL/dX.

        With ``input_grad=False`` (what training needs) the work that only serves dL/dX,
        below the first layer with parameters, is skipped and None is returned.
        ``dout`` must have the shape of the last ``forward``'s output.
        """
        if self._out_shape is None:
            raise RuntimeError("backward was called before forward: run forward first")
        if getattr(dout, "shape", None) != self._out_shape:
            raise ValueError(f"dout must have the shape {self._out_shape} of the last output, "
                             f"got {np.shape(dout)}")
        if input_grad:
            for layer in reversed(self.layers):
                dout = layer.backward(dout)
            return dout
        for layer in self._above_first:
            dout = layer.backward(dout)
        first = self.layers[self._first_trainable]
        if first.params:
            first.backward(dout, input_grad=False)
        return None

    def predict(self, X) -> np.ndarray:
        """Class labels (m,): argmax of the logits, or ``logit > 0`` for a single output."""
        logits = self.forward(np.asarray(X))
        if logits.shape[1] == 1:
            return (logits[:, 0] > 0).astype(np.int64)
        return np.argmax(logits, axis=1)

    def weights(self) -> dict[str, np.ndarray]:
        """The penalized parameters (weight matrices, no biases), by name."""
        return {k: v for k, v in self.params.items() if is_weight(k)}

    def state(self) -> dict[str, np.ndarray]:
        """A copy of every parameter and buffer (to restore later with :meth:`load_state`)."""
        return {k: v.copy() for k, v in (*self.params.items(), *self.buffers.items())}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        """Copy saved parameters and buffers back into the model's own arrays."""
        own = {**self.params, **self.buffers}
        if not isinstance(state, dict):
            raise TypeError(f"state must be a dict name -> array (from state()), "
                            f"got {type(state).__name__}")
        if set(state) != set(own):
            raise ValueError(f"state must have the keys {sorted(own)}, got {sorted(state)}")
        for k, v in state.items():  # check every entry before copying any
            if np.shape(v) != own[k].shape:
                raise ValueError(f"state[{k!r}] must have shape {own[k].shape}, "
                                 f"got {np.shape(v)}")
            check_array(f"state[{k!r}]", v, min_rows=0)
        for k, v in state.items():
            np.copyto(own[k], v)

    def __repr__(self):
        inner = ",\n    ".join(repr(layer) for layer in self.layers)
        return f"Sequential([\n    {inner},\n])"
