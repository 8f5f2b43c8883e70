r"""Optimizers: the textbook update rules, with hyperparameters kept apart from state.

Every optimizer has ``step(params, grads)``, which updates the arrays in ``params``
(a dict name -> ndarray, e.g. ``model.params``) *in place* from ``grads`` (same keys
and shapes). Hyperparameters are plain attributes (``lr``, ``beta`` ...); the
mutable state lives in ``state`` (``state["t"]`` counts steps, the other entries
are flat vectors over all parameters, see :class:`Optimizer`) and
:meth:`Optimizer.reset` clears it.

Wrappers compose with *any* optimizer instead of being pasted into each:

* :class:`GradientClipping` rescales the gradients to a maximum global norm first;
* :class:`DecoupledWeightDecay` shrinks the weights, W ← W − lr·wd·W, next to the
  inner update (:class:`AdamW` is Adam wrapped this way);
* :class:`ProximalL1` soft-thresholds the weights after the inner update;
* :class:`reglab.schedules.Scheduled` sets the learning rate from a schedule before
  every step.

The learning rate ``lr`` of an optimizer or of a wrapper can be read and set; setting
it on a wrapper passes it down the chain to the optimizer inside, so a wrapper's
lr·wd or lr·λ/2m follows it.

The rules follow Goodfellow, Bengio & Courville (2016), *Deep Learning*,
algorithms 8.1–8.7. Notation of the collection: α is the learning rate ``lr`` (the
book and the slides call it ε), β the momentum coefficient ``beta`` (their α),
ρ, ρ₁, ρ₂ the decay rates ``rho``, ``beta1``, ``beta2``, δ the small constant ``eps``.
"""

from __future__ import annotations

import operator

import numpy as np

from ._validate import check_array, check_callable, check_instance, check_int, check_real
from .layers import is_weight
from .theory import _soft_threshold


def check_step(params, grads) -> None:
    """Check the arguments of a public ``step``: matching dicts of float arrays, finite grads.

    ``params`` and ``grads`` must have the same keys; each gradient an ndarray of its
    parameter's shape (the same size is not enough), with no NaN or inf; each parameter a
    floating-point ndarray (it is updated in place). Raises before anything is updated.
    The training loop of :func:`reglab.train.fit` skips this: its gradients come from the
    model's own backward pass.
    """
    for name, d in (("params", params), ("grads", grads)):
        if not isinstance(d, dict):
            raise TypeError(f"{name} must be a dict name -> ndarray, got {type(d).__name__}")
    if grads.keys() != params.keys():
        missing, extra = sorted(params.keys() - grads.keys()), sorted(grads.keys() - params.keys())
        raise ValueError(f"grads must have the keys of params {sorted(params)}: "
                         f"missing {missing}, extra {extra}")
    for name, p in params.items():
        g = grads[name]
        if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
            raise TypeError(f"params[{name!r}] must be a floating-point ndarray (updated in "
                            f"place), got {type(p).__name__} of dtype {np.asarray(p).dtype}")
        if not isinstance(g, np.ndarray) or g.shape != p.shape:
            raise ValueError(f"grads[{name!r}] must be an ndarray of the shape {p.shape} of "
                             f"params[{name!r}], got {type(g).__name__} of shape {np.shape(g)}")
        if g.dtype.kind not in "fiu" or not np.isfinite(g).all():
            raise ValueError(f"grads[{name!r}] must hold finite real numbers, got dtype "
                             f"{g.dtype} with NaN, inf or non-numbers")


def _flat_view(arrays) -> np.ndarray | None:
    """A 1-D view of all ``arrays`` if they fill one buffer back to back, in order; else None."""
    if not arrays:
        return None
    base = arrays[0] if arrays[0].base is None else arrays[0].base
    if (not isinstance(base, np.ndarray) or not base.flags.c_contiguous
            or base.size != sum(a.size for a in arrays)):
        return None
    address = base.ctypes.data
    for a in arrays:
        if ((a if a.base is None else a.base) is not base or a.dtype != base.dtype
                or not a.flags.c_contiguous or a.ctypes.data != address):
            return None
        address += a.nbytes
    return base.reshape(-1)


class Optimizer:
    """Base class: validates ``lr``, keeps the state, applies the rule to θ as one vector.

    Every rule here acts entry by entry, so ``step`` sees all parameters as one flat
    vector θ (each raveled, concatenated in the order of ``params``) and all gradients
    as g, and applies the textbook formula once to (θ, g). When the arrays already lie
    back to back in one buffer, as a :class:`reglab.layers.Sequential` stores them, θ and
    g are views of those buffers and the update happens in place; otherwise ``step``
    gathers them into new vectors and writes each parameter's slice back. The state
    arrays (``state["v"]``, ``state["s"]``, ...) are flat vectors in that same order;
    :meth:`slot_view` shows one parameter's part.
    """

    def __init__(self, lr: float):
        self.lr = lr
        self.reset()

    @property
    def lr(self) -> float:
        """The learning rate α; setting it checks that it is a real number > 0."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = check_real("lr", value, low=0, low_open=True)

    def reset(self) -> None:
        """Forget all state (step count, velocities, moment estimates)."""
        self.state: dict = {"t": 0}
        self._layout = None  # ((name, shape), ...) of the parameters the state belongs to
        self._bound = (), ()  # the parameter and gradient arrays of the last step
        self._flat = None  # (θ, g) as two 1-D views when those arrays lie back to back
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
        """Update every parameter in ``params`` in place (after :func:`check_step`)."""
        check_step(params, grads)
        self._step_unchecked(params, grads)

    def _step_unchecked(self, params: dict, grads: dict) -> None:
        """``step`` without the argument check (what wrappers and the training loop call)."""
        arrays, garrays = self._bound
        if not (len(params) == len(arrays) and all(map(operator.is_, params.values(), arrays))
                and all(map(operator.is_, map(grads.__getitem__, params), garrays))):
            self._bind(params, grads)
        self.state["t"] += 1
        if self._flat is not None:  # the arrays are views of one buffer each: update in place
            self._update(*self._flat)
            return
        theta = np.concatenate([p.ravel() for p in params.values()])
        g = np.concatenate([grads[name].ravel() for name in params])
        self._update(theta, g)
        start = 0
        for p in params.values():
            p[...] = theta[start:start + p.size].reshape(p.shape)
            start += p.size

    def _bind(self, params: dict, grads: dict) -> None:
        """Check and remember the arrays that ``step`` updates (done when they change)."""
        layout = tuple((name, p.shape) for name, p in params.items())
        if self._layout is None:
            self._layout = layout
        elif layout != self._layout:
            raise ValueError("params must be the same arrays at every step (names and shapes); "
                             "call reset() before optimizing other parameters")
        self._bound = tuple(params.values()), tuple(grads[name] for name in params)
        theta, g = (_flat_view(a) for a in self._bound)
        self._flat = None if theta is None or g is None or theta.dtype != g.dtype else (theta, g)

    def _update(self, theta: np.ndarray, g: np.ndarray) -> None:
        """Update the flat parameter vector ``theta`` in place from the flat gradient ``g``."""
        raise NotImplementedError

    def __repr__(self):
        hyper = ", ".join([f"lr={self.lr:g}"] + [f"{k}={v:g}" for k, v in vars(self).items()
                                                  if k != "state" and not k.startswith("_")])
        return f"{type(self).__name__}({hyper})"


class SGD(Optimizer):
    r"""Plain (minibatch) gradient descent, :math:`\theta \leftarrow \theta - \alpha g`.

    Plain text: p -= lr * g. For a learning rate α_k that changes with the step k
    (algorithm 8.1 with a decaying α_k, the book's ε_k), wrap it:
    ``Scheduled(SGD(lr), schedule)`` from :mod:`reglab.schedules`. (Goodfellow et al.,
    algorithm 8.1.)
    """

    def _update(self, theta, g):
        theta -= self.lr * g


class Momentum(Optimizer):
    r"""SGD with momentum.

    .. math:: v \leftarrow \beta v - \alpha g,\qquad \theta \leftarrow \theta + v

    Plain text: v = beta * v - lr * g; p += v. ``beta`` is the momentum coefficient β in
    [0, 1) (the book's α); under a constant gradient the velocity tends to −α g/(1 − β).
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

    Algorithm 8.3 evaluates the gradient at the interim point θ̃ = θ + βv. Storing
    θ̃ instead of θ turns it into an update that only needs that gradient:

    .. math:: v \leftarrow \beta v - \alpha g(\tilde\theta),\qquad
              \tilde\theta \leftarrow \tilde\theta + \beta v - \alpha g(\tilde\theta)

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
              \theta \leftarrow \theta - \frac{\alpha}{\delta + \sqrt{r}} \odot g

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
              \theta \leftarrow \theta - \frac{\alpha}{\sqrt{\delta + r}} \odot g

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


class RMSPropNesterov(RMSProp):
    r"""RMSProp with Nesterov momentum, written for the parameters at the look-ahead point.

    Algorithm 8.6 takes the gradient at the interim point θ̃ = θ + βv, then

    .. math:: r \leftarrow \rho r + (1-\rho)\, g \odot g,\qquad
              v \leftarrow \beta v - \frac{\alpha}{\sqrt{\delta + r}} \odot g,\qquad
              \theta \leftarrow \theta + v .

    As in :class:`Nesterov`, the parameters hold θ̃ rather than θ, which turns the
    algorithm into an update that needs only the gradient at the stored point:

    .. math:: \tilde\theta \leftarrow \tilde\theta + \beta v
              - \frac{\alpha}{\sqrt{\delta + r}} \odot g(\tilde\theta)

    Plain text: r = rho * r + (1 - rho) * g**2; step = lr * g / sqrt(eps + r);
    v = beta * v - step; p += beta * v - step, where ``p`` holds θ̃ = θ + βv.
    The slides' algorithm 8.6 divides by sqrt(r) with no δ, which is 0/0 for a
    coordinate whose gradients have all been 0; δ is added inside the root as in
    RMSProp (algorithm 8.5), so ``eps`` → 0 gives the slides' rule.

    A class of its own rather than a ``nesterov=`` flag on :class:`RMSProp`, like
    :class:`Nesterov` next to :class:`Momentum`: it has one more hyperparameter (β)
    and one more state vector (v), and its parameters mean something else (θ̃, not θ).
    (Goodfellow et al., algorithm 8.6; Sutskever et al. 2013 for the look-ahead form.)
    """

    def __init__(self, lr: float, rho: float = 0.9, beta: float = 0.9, eps: float = 1e-6):
        super().__init__(lr, rho=rho, eps=eps)
        self.beta = check_real("beta", beta, low=0, high=1, high_open=True)

    def _update(self, theta, g):
        r = self._slot("r", theta)
        v = self._slot("v", theta)
        r *= self.rho
        r += (1 - self.rho) * g * g
        step = self.lr * g / np.sqrt(self.eps + r)
        v *= self.beta
        v -= step
        theta += self.beta * v - step


class Adam(Optimizer):
    r"""Adam: momentum on the gradient and RMSProp scaling, both bias-corrected.

    .. math::
        s \leftarrow \rho_1 s + (1-\rho_1) g,\quad r \leftarrow \rho_2 r + (1-\rho_2) g\odot g,\quad
        \hat s = \frac{s}{1-\rho_1^t},\quad \hat r = \frac{r}{1-\rho_2^t},\quad
        \theta \leftarrow \theta - \alpha\frac{\hat s}{\sqrt{\hat r} + \delta}

    Plain text: s = b1*s + (1-b1)*g; r = b2*r + (1-b2)*g**2; t += 1;
    p -= lr * (s / (1 - b1**t)) / (sqrt(r / (1 - b2**t)) + eps).
    ``beta1``, ``beta2`` are the decay rates ρ₁, ρ₂. δ sits *outside* the square root,
    as in the Adam paper and PyTorch; algorithm 8.7 of the slides writes
    sqrt(r_hat + δ), which floors the denominator at sqrt(δ) (1e-4 for δ = 1e-8)
    instead of δ: the two differ only where sqrt(r_hat) is not much larger than that.
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
        # lr s_hat / (sqrt(r_hat) + eps) = k s / (sqrt(r) + eps sqrt(c2)), c = 1 - b^t,
        # k = lr sqrt(c2) / c1: the same number, one vector operation fewer (Kingma & Ba,
        # end of section 2)
        root_c2 = (1 - self.beta2**t) ** 0.5
        np.sqrt(r, out=tmp)
        tmp += self.eps * root_c2
        np.divide(s, tmp, out=tmp)
        tmp *= self.lr * root_c2 / (1 - self.beta1**t)
        theta -= tmp


class _Wrapper:
    """Shared plumbing of the optimizer wrappers: ``lr``, ``state`` and ``reset`` pass through.

    ``wrapper.lr`` reads the learning rate of the optimizer inside, and setting it sets
    that optimizer's (through every wrapper in between), so a schedule that sets the
    outermost ``lr`` drives the whole chain.
    """

    def __init__(self, optimizer):
        check_instance("optimizer", optimizer, (Optimizer, _Wrapper), "a reglab optimizer")
        if getattr(optimizer, "sets_lr", False):
            raise TypeError(
                f"optimizer must not be {type(optimizer).__name__}, which sets the learning "
                f"rate itself: put it outermost, e.g. Scheduled({type(self).__name__}(...), "
                f"schedule), so that every wrapper sees the learning rate of the current step")
        self.optimizer = optimizer

    @property
    def lr(self) -> float:
        """The learning rate of the optimizer inside; setting it passes it down."""
        return self.optimizer.lr

    @lr.setter
    def lr(self, value: float) -> None:
        self.optimizer.lr = value

    @property
    def state(self) -> dict:
        return self.optimizer.state

    def step(self, params: dict, grads: dict) -> None:
        """Update every parameter in ``params`` in place (after :func:`check_step`)."""
        check_step(params, grads)
        self._step_unchecked(params, grads)

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
    if not isinstance(grads, dict):
        raise TypeError(f"grads must be a dict name -> ndarray, got {type(grads).__name__}")
    clipped, norm = _clip_by_global_norm(grads, max_norm)
    if not np.isfinite(norm):
        raise ValueError(f"grads must be finite, got a global norm of {norm}")
    return clipped, norm


def _clip_by_global_norm(grads: dict, max_norm: float) -> tuple[dict, float]:
    """:func:`clip_by_global_norm` without the checks (the optimizer's per-step path)."""
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

    def _step_unchecked(self, params: dict, grads: dict) -> None:
        clipped, self.last_norm = _clip_by_global_norm(grads, self.max_norm)
        self.optimizer._step_unchecked(params, clipped)

    def __repr__(self):
        return f"GradientClipping({self.optimizer!r}, max_norm={self.max_norm:g})"


class DecoupledWeightDecay(_Wrapper):
    r"""Weight decay applied to the weights directly, not through the gradient.

    .. math:: W \leftarrow W - \alpha\,\mathrm{wd}\,W \quad\text{then the inner update}

    Plain text: W -= lr * wd * W for every weight matrix (biases untouched), then
    ``optimizer.step``. With SGD this equals an L2 penalty (λ = m·wd in our λ/2m
    convention); with adaptive methods it does not, because the decay is not divided
    by the adaptive scale. The decay is proportional to the current ``lr``, so a
    learning-rate schedule scales it too, as in PyTorch's AdamW.
    (Loshchilov & Hutter 2019, "Decoupled weight decay regularization".)
    """

    def __init__(self, optimizer, weight_decay: float):
        super().__init__(optimizer)
        self.weight_decay = check_real("weight_decay", weight_decay, low=0)
        self._shrink()

    def _shrink(self) -> float:
        """The factor 1 − lr·wd; lr·wd ≥ 1 would flip the weights' sign every step."""
        shrink = 1.0 - self.lr * self.weight_decay
        if shrink <= 0:
            raise ValueError(f"lr * weight_decay must be < 1, got lr={self.lr:g} * "
                             f"weight_decay={self.weight_decay:g} = {self.lr * self.weight_decay:g}"
                             ": the weights would change sign at every step")
        return shrink

    def _step_unchecked(self, params: dict, grads: dict) -> None:
        shrink = self._shrink()
        for name, p in params.items():
            if is_weight(name):
                p *= shrink
        self.optimizer._step_unchecked(params, grads)

    def __repr__(self):
        return f"{type(self).__name__}({self.optimizer!r}, weight_decay={self.weight_decay:g})"


class AdamW(DecoupledWeightDecay):
    """Adam with decoupled weight decay: ``DecoupledWeightDecay(Adam(...), weight_decay)``."""

    def __init__(self, lr: float = 1e-3, weight_decay: float = 1e-2, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps), weight_decay)


class ProximalL1(_Wrapper):
    r"""Proximal gradient step for an L1 penalty: the inner update, then soft-thresholding.

    .. math:: W \leftarrow \mathrm{sign}(W)\max\left(|W| - \alpha\frac{\lambda}{2m}, 0\right)

    Plain text: after ``optimizer.step``, every weight matrix (biases untouched) is
    soft-thresholded by lr·λ/(2m) (with the current ``lr``, so a schedule scales the
    threshold too), the exact minimizer of the L1 term around the new
    point. Unlike the subgradient (λ/2m)·sign(W), which makes weights oscillate around
    0, this lands them on exactly 0. Use it *instead of* ``penalty=L1(lam)`` in fit.
    ``m`` is the training-set size, as for the penalties.

    References: Parikh & Boyd (2014), "Proximal algorithms", section 6.5 (ISTA).
    """

    def __init__(self, optimizer, lam: float, m: int):
        super().__init__(optimizer)
        self.lam = check_real("lam", lam, low=0)
        self.m = check_int("m", m, low=1)

    def _step_unchecked(self, params: dict, grads: dict) -> None:
        self.optimizer._step_unchecked(params, grads)
        threshold = self.lr * self.lam / (2 * self.m)
        for name, p in params.items():
            if is_weight(name):
                np.copyto(p, _soft_threshold(p, threshold))

    def __repr__(self):
        return f"ProximalL1({self.optimizer!r}, lam={self.lam:g}, m={self.m})"


def trajectory(optimizer, grad, theta0, steps: int) -> np.ndarray:
    r"""Run ``optimizer`` for ``steps`` steps on a function of one parameter vector.

    .. math:: \theta_{k+1} = \text{step}(\theta_k, \nabla f(\theta_k))

    Plain text: theta = theta0; repeat steps times: optimizer.step({"W": theta},
    {"W": grad(theta)}). The vector is named ``"W"``, so wrappers that act on weights
    (weight decay, proximal L1) act on it. The steps are not checked one by one: a
    diverging run comes back with its inf/NaN iterates, for the caller to look at.

    Parameters
    ----------
    optimizer : a reglab optimizer or wrapper; its state is reset first.
    grad : callable (n,) -> (n,), the gradient of the function to minimize.
    theta0 : array (n,), the starting point.
    steps : int >= 0

    Returns
    -------
    ndarray (steps + 1, n)
        The iterates θ_0 = theta0, θ_1, ..., θ_steps (for Nesterov-type optimizers, the
        points where the gradient was taken).
    """
    check_instance("optimizer", optimizer, (Optimizer, _Wrapper), "a reglab optimizer")
    check_callable("grad", grad, "a function theta -> gradient")
    theta = check_array("theta0", theta0, ndim=1).astype(float)
    steps = check_int("steps", steps, low=0)
    optimizer.reset()
    params = {"W": theta.copy()}
    path = np.empty((steps + 1, theta.size))
    path[0] = theta
    for k in range(steps):
        g = np.asarray(grad(params["W"].copy()), dtype=float)
        if g.shape != theta.shape:
            raise ValueError(f"grad must return an array of shape {theta.shape}, got {g.shape}")
        optimizer._step_unchecked(params, {"W": g})  # a diverging path may go NaN: it is data
        path[k + 1] = params["W"]
    return path
