r"""Optimizers: the textbook update rules, with hyperparameters kept apart from state.

Every optimizer has ``step(params, grads)``, which updates the arrays in ``params``
(a dict name -> ndarray, e.g. ``model.params``) *in place* from ``grads`` (same keys
and shapes). Hyperparameters are plain attributes (``lr``, ``beta`` ...); the
mutable state lives in ``state`` (``state["t"]`` counts steps, the other entries
are flat vectors over all parameters, see :class:`Optimizer`) and
:meth:`Optimizer.reset` clears it.

Two wrappers compose with *any* optimizer instead of being pasted into each:

* :class:`GradientClipping` rescales the gradients to a maximum global norm first;
* :class:`DecoupledWeightDecay` shrinks the weights, W ← W − lr·wd·W, next to the
  inner update (:class:`AdamW` is Adam wrapped this way).

The rules follow Goodfellow, Bengio & Courville (2016), *Deep Learning*,
algorithms 8.1–8.7, with ε the learning rate ``lr``.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_int, check_real
from .layers import is_weight
from .theory import soft_threshold


class Optimizer:
    """Base class: validates ``lr``, keeps the state, applies the rule to θ as one vector.

    Every rule here acts entry by entry, so ``step`` gathers all parameters into one
    flat vector θ (each raveled, concatenated in the order of ``params``) and all
    gradients into g, applies the textbook formula once to (θ, g), and writes each
    parameter's slice back. The state arrays (``state["v"]``, ``state["s"]``, ...)
    are flat vectors in that same order; :meth:`slot_view` shows one parameter's part.
    """

    def __init__(self, lr: float):
        self.lr = check_real("lr", lr, low=0, low_open=True)
        self.reset()

    def reset(self) -> None:
        """Forget all state (step count, velocities, moment estimates)."""
        self.state: dict = {"t": 0}
        self._layout = None  # ((name, shape), ...) of the parameters the state belongs to
        self._work = None  # scratch vector for rules that need a temporary (not state)

    def _slot(self, kind: str, like: np.ndarray) -> np.ndarray:
        """The flat state vector ``kind``, created as zeros on first use."""
        if kind not in self.state:
            self.state[kind] = np.zeros_like(like)
        return self.state[kind]

    def _scratch(self, like: np.ndarray) -> np.ndarray:
        """A reusable uninitialized vector shaped like ``like``, for in-place arithmetic."""
        if self._work is None or self._work.shape != like.shape or self._work.dtype != like.dtype:
            self._work = np.empty_like(like)
        return self._work

    def slot_view(self, kind: str, name: str) -> np.ndarray:
        """Parameter ``name``'s part of the state vector ``kind``, in the parameter's shape."""
        if self._layout is None or kind not in self.state:
            raise ValueError(f"kind {kind!r} has no state yet: take a step first")
        start = 0
        for key, shape in self._layout:
            size = int(np.prod(shape))
            if key == name:
                return self.state[kind][start:start + size].reshape(shape)
            start += size
        raise ValueError(f"name must be one of {[k for k, _ in self._layout]}, got {name!r}")

    def step(self, params: dict, grads: dict) -> None:
        """Apply one update to every parameter in ``params`` (in place)."""
        layout = tuple((name, p.shape) for name, p in params.items())
        if self._layout is None:
            self._layout = layout
        elif layout != self._layout:
            raise ValueError("params must be the same arrays at every step (names and shapes); "
                             "call reset() before optimizing other parameters")
        theta = np.concatenate([p.ravel() for p in params.values()])
        g = np.concatenate([grads[name].ravel() for name in params])
        self.state["t"] += 1
        self._update(theta, g)
        start = 0
        for p in params.values():
            p[...] = theta[start:start + p.size].reshape(p.shape)
            start += p.size

    def _update(self, theta: np.ndarray, g: np.ndarray) -> None:
        """Update the flat parameter vector ``theta`` in place from the flat gradient ``g``."""
        raise NotImplementedError

    def __repr__(self):
        hyper = ", ".join(f"{k}={v:g}" for k, v in vars(self).items()
                          if k not in ("state", "_layout", "_work"))
        return f"{type(self).__name__}({hyper})"


class SGD(Optimizer):
    r"""Plain (minibatch) gradient descent, :math:`\theta \leftarrow \theta - \epsilon g`.

    Plain text: p -= lr * g. (Goodfellow et al., algorithm 8.1.)
    """

    def _update(self, theta, g):
        theta -= self.lr * g


class Momentum(Optimizer):
    r"""SGD with momentum.

    .. math:: v \leftarrow \alpha v - \epsilon g,\qquad \theta \leftarrow \theta + v

    Plain text: v = beta * v - lr * g; p += v. ``beta`` is the momentum α in [0, 1).
    (Goodfellow et al., algorithm 8.2.)
    """

    def __init__(self, lr: float, beta: float = 0.9):
        super().__init__(lr)
        self.beta = check_real("beta", beta, low=0, high=1, high_open=True)

    def _update(self, theta, g):
        v = self._slot("v", theta)
        v *= self.beta
        v -= self.lr * g
        theta += v


class Nesterov(Momentum):
    r"""SGD with Nesterov momentum, written for the parameters at the look-ahead point.

    Algorithm 8.3 evaluates the gradient at the interim point θ̃ = θ + αv. Storing
    θ̃ instead of θ turns it into an update that only needs that gradient:

    .. math:: v \leftarrow \alpha v - \epsilon g(\tilde\theta),\qquad
              \tilde\theta \leftarrow \tilde\theta + \alpha v - \epsilon g(\tilde\theta)

    Plain text: v = beta * v - lr * g; p += beta * v - lr * g, where ``p`` holds θ̃,
    the very point where the gradient is taken. (Sutskever et al. 2013; Bengio et al. 2013.)
    """

    def _update(self, theta, g):
        v = self._slot("v", theta)
        v *= self.beta
        v -= self.lr * g
        theta += self.beta * v - self.lr * g


class AdaGrad(Optimizer):
    r"""AdaGrad: per-coordinate steps shrinking with the accumulated squared gradient.

    .. math:: r \leftarrow r + g \odot g,\qquad
              \theta \leftarrow \theta - \frac{\epsilon}{\delta + \sqrt{r}} \odot g

    Plain text: r += g**2; p -= lr * g / (eps + sqrt(r)). (Goodfellow et al., algorithm 8.4.)
    """

    def __init__(self, lr: float, eps: float = 1e-7):
        super().__init__(lr)
        self.eps = check_real("eps", eps, low=0, low_open=True)

    def _update(self, theta, g):
        r = self._slot("r", theta)
        r += g * g
        theta -= self.lr * g / (self.eps + np.sqrt(r))


class RMSProp(Optimizer):
    r"""RMSProp: AdaGrad with an exponentially decaying average of squared gradients.

    .. math:: r \leftarrow \rho r + (1-\rho)\, g \odot g,\qquad
              \theta \leftarrow \theta - \frac{\epsilon}{\sqrt{\delta + r}} \odot g

    Plain text: r = rho * r + (1 - rho) * g**2; p -= lr * g / sqrt(eps + r).
    (Goodfellow et al., algorithm 8.5.)
    """

    def __init__(self, lr: float, rho: float = 0.9, eps: float = 1e-6):
        super().__init__(lr)
        self.rho = check_real("rho", rho, low=0, high=1, high_open=True)
        self.eps = check_real("eps", eps, low=0, low_open=True)

    def _update(self, theta, g):
        r = self._slot("r", theta)
        r *= self.rho
        r += (1 - self.rho) * g * g
        theta -= self.lr * g / np.sqrt(self.eps + r)


class Adam(Optimizer):
    r"""Adam: momentum on the gradient and RMSProp scaling, both bias-corrected.

    .. math::
        s \leftarrow \rho_1 s + (1-\rho_1) g,\quad r \leftarrow \rho_2 r + (1-\rho_2) g\odot g,\quad
        \hat s = \frac{s}{1-\rho_1^t},\quad \hat r = \frac{r}{1-\rho_2^t},\quad
        \theta \leftarrow \theta - \epsilon\frac{\hat s}{\sqrt{\hat r} + \delta}

    Plain text: s = b1*s + (1-b1)*g; r = b2*r + (1-b2)*g**2; t += 1;
    p -= lr * (s / (1 - b1**t)) / (sqrt(r / (1 - b2**t)) + eps).
    (Kingma & Ba 2015; Goodfellow et al., algorithm 8.7.)
    """

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8):
        super().__init__(lr)
        self.beta1 = check_real("beta1", beta1, low=0, high=1, high_open=True)
        self.beta2 = check_real("beta2", beta2, low=0, high=1, high_open=True)
        self.eps = check_real("eps", eps, low=0, low_open=True)

    def _update(self, theta, g):
        s = self._slot("s", theta)
        r = self._slot("r", theta)
        t = self.state["t"]
        tmp = self._scratch(theta)  # every line below works in place: no temporaries
        np.multiply(g, 1 - self.beta1, out=tmp)
        s *= self.beta1
        s += tmp  # s = b1 s + (1 - b1) g
        np.multiply(g, g, out=tmp)
        tmp *= 1 - self.beta2
        r *= self.beta2
        r += tmp  # r = b2 r + (1 - b2) g^2
        np.divide(r, 1 - self.beta2**t, out=tmp)
        np.sqrt(tmp, out=tmp)
        tmp += self.eps  # sqrt(r_hat) + eps
        np.divide(s, tmp, out=tmp)
        tmp *= self.lr / (1 - self.beta1**t)  # lr s_hat / (sqrt(r_hat) + eps)
        theta -= tmp


class _Wrapper:
    """Shared plumbing of the optimizer wrappers: ``lr``, ``state`` and ``reset`` pass through."""

    def __init__(self, optimizer):
        if not isinstance(optimizer, (Optimizer, _Wrapper)):
            raise TypeError(f"optimizer must be a reglab optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer

    @property
    def lr(self) -> float:
        return self.optimizer.lr

    @property
    def state(self) -> dict:
        return self.optimizer.state

    def reset(self) -> None:
        self.optimizer.reset()


def global_norm(grads: dict) -> float:
    r"""The norm of all gradients seen as one vector, :math:`\sqrt{\sum_k \lVert g_k\rVert^2}`."""
    return float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))


def clip_by_global_norm(grads: dict, max_norm: float) -> tuple[dict, float]:
    r"""Rescale all gradients together so their global norm is at most ``max_norm``.

    .. math:: g \leftarrow g \cdot \min\left(1, \frac{c}{\lVert g\rVert}\right)

    The direction is kept; only the length is capped. Returns the clipped gradients
    (new arrays, the inputs are untouched) and the norm before clipping.
    (Pascanu et al. 2013; Goodfellow et al., section 10.11.1.)
    """
    max_norm = check_real("max_norm", max_norm, low=0, low_open=True)
    norm = global_norm(grads)
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {k: g * scale for k, g in grads.items()}, norm


class GradientClipping(_Wrapper):
    """Clip the gradients by global norm, then let ``optimizer`` take its step.

    ``GradientClipping(Adam(lr=1e-3), max_norm=1.0)``; the last pre-clipping norm is
    kept in ``last_norm`` for plotting.
    """

    def __init__(self, optimizer, max_norm: float):
        super().__init__(optimizer)
        self.max_norm = check_real("max_norm", max_norm, low=0, low_open=True)
        self.last_norm = None

    def step(self, params: dict, grads: dict) -> None:
        clipped, self.last_norm = clip_by_global_norm(grads, self.max_norm)
        self.optimizer.step(params, clipped)

    def __repr__(self):
        return f"GradientClipping({self.optimizer!r}, max_norm={self.max_norm:g})"


class DecoupledWeightDecay(_Wrapper):
    r"""Weight decay applied to the weights directly, not through the gradient.

    .. math:: W \leftarrow W - \epsilon\,\mathrm{wd}\,W \quad\text{then the inner update}

    Plain text: W -= lr * wd * W for every weight matrix (biases untouched), then
    ``optimizer.step``. With SGD this equals an L2 penalty (λ = m·wd in our λ/2m
    convention); with adaptive methods it does not, because the decay is not divided
    by the adaptive scale (Loshchilov & Hutter 2019, "Decoupled weight decay regularization").
    """

    def __init__(self, optimizer, weight_decay: float):
        super().__init__(optimizer)
        self.weight_decay = check_real("weight_decay", weight_decay, low=0)

    def step(self, params: dict, grads: dict) -> None:
        shrink = 1.0 - self.lr * self.weight_decay
        for name, p in params.items():
            if is_weight(name):
                p *= shrink
        self.optimizer.step(params, grads)

    def __repr__(self):
        return f"{type(self).__name__}({self.optimizer!r}, weight_decay={self.weight_decay:g})"


class AdamW(DecoupledWeightDecay):
    """Adam with decoupled weight decay: ``DecoupledWeightDecay(Adam(...), weight_decay)``."""

    def __init__(self, lr: float = 1e-3, weight_decay: float = 1e-2, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps), weight_decay)


class ProximalL1(_Wrapper):
    r"""Proximal gradient step for an L1 penalty: the inner update, then soft-thresholding.

    .. math:: W \leftarrow \mathrm{sign}(W)\max\left(|W| - \epsilon\frac{\lambda}{2m}, 0\right)

    Plain text: after ``optimizer.step``, every weight matrix (biases untouched) is
    soft-thresholded by lr·λ/(2m), the exact minimizer of the L1 term around the new
    point. Unlike the subgradient (λ/2m)·sign(W), which makes weights oscillate around
    0, this lands them on exactly 0. Use it *instead of* ``penalty=L1(lam)`` in fit.
    ``m`` is the training-set size, as for the penalties.

    References: Parikh & Boyd (2014), "Proximal algorithms", section 6.5 (ISTA).
    """

    def __init__(self, optimizer, lam: float, m: int):
        super().__init__(optimizer)
        self.lam = check_real("lam", lam, low=0)
        self.m = check_int("m", m, low=1)

    def step(self, params: dict, grads: dict) -> None:
        self.optimizer.step(params, grads)
        threshold = self.lr * self.lam / (2 * self.m)
        for name, p in params.items():
            if is_weight(name):
                np.copyto(p, soft_threshold(p, threshold))

    def __repr__(self):
        return f"ProximalL1({self.optimizer!r}, lam={self.lam:g}, m={self.m})"
