r"""Learning-rate schedules, per step, and the wrapper that applies one to any optimizer.

A schedule is a function of the step count k = 0, 1, 2, ... (the number of updates
already taken) that returns the learning rate α_k of update k + 1. The classes here
are such functions with their formula in the docstring; any callable ``k -> float``
works too (optax-style).

:class:`Scheduled` wraps any optimizer or wrapper and sets its ``lr`` from the
schedule before each step, so ``fit`` needs no change::

    opt = Scheduled(AdamW(lr=1e-3, weight_decay=1e-2), Warmup(CosineDecay(1e-3, 1e-5, 1000), 100))

The step count is the optimizer's own ``state["t"]``: ``reset()`` starts the schedule
again. Put ``Scheduled`` outermost: the wrappers inside read the learning rate it set,
so DecoupledWeightDecay's lr·wd and ProximalL1's lr·λ/2m follow the schedule too (as the
decay of PyTorch's AdamW follows its scheduler).

Reference: Goodfellow, Bengio & Courville (2016), *Deep Learning*, section 8.3.1
(linear decay, eq. 8.14); Loshchilov & Hutter (2017), SGDR (cosine); Goyal et al.
(2017), "Accurate, large minibatch SGD" (linear warm-up).
"""

from __future__ import annotations

import math

from ._validate import check_callable, check_int, check_real
from .optim import _Wrapper

__all__ = ["ConstantLR", "CosineDecay", "LinearDecay", "Schedule", "Scheduled", "StepDecay",
           "Warmup"]


class Schedule:
    """Base class: ``schedule(k)`` is the learning rate of the update after k steps."""

    def __call__(self, k: int) -> float:
        k = check_int("k", k, low=0)
        return self._value(k)

    def _value(self, k: int) -> float:
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{name}={value!r}" if isinstance(value, Schedule) else f"{name}={value:g}"
                         for name, value in vars(self).items())
        return f"{type(self).__name__}({args})"


def _lr(name: str, value) -> float:
    return check_real(name, value, low=0, low_open=True)


class ConstantLR(Schedule):
    r"""The same learning rate at every step, :math:`\alpha_k = \alpha_0`."""

    def __init__(self, lr: float):
        self.lr = _lr("lr", lr)

    def _value(self, k):
        return self.lr


class StepDecay(Schedule):
    r"""Multiply the learning rate by ``gamma`` every ``step_size`` steps.

    .. math:: \alpha_k = \alpha_0\,\gamma^{\lfloor k / s \rfloor}

    Plain text: lr * gamma ** (k // step_size). With ``step_size`` = steps per epoch × E,
    this is the classic "divide by 10 every E epochs".
    """

    def __init__(self, lr: float, step_size: int, gamma: float = 0.1):
        self.lr = _lr("lr", lr)
        self.step_size = check_int("step_size", step_size, low=1)
        self.gamma = check_real("gamma", gamma, low=0, high=1, low_open=True)

    def _value(self, k):
        return self.lr * self.gamma ** (k // self.step_size)


class LinearDecay(Schedule):
    r"""Linear decay from α₀ to α_τ over τ steps, then constant (Goodfellow et al., eq. 8.14).

    .. math:: \alpha_k = \Big(1 - \frac{k}{\tau}\Big)\alpha_0 + \frac{k}{\tau}\alpha_\tau
              \quad (k \le \tau), \qquad \alpha_k = \alpha_\tau \quad (k \ge \tau)

    Plain text: a = min(k / tau, 1); lr_k = (1 - a) * lr + a * final_lr. The step k = τ is
    the first to use α_τ. The book suggests α_τ ≈ α₀/100 and τ a few hundred passes
    over the data.
    """

    def __init__(self, lr: float, final_lr: float, tau: int):
        self.lr = _lr("lr", lr)
        self.final_lr = _lr("final_lr", final_lr)
        self.tau = check_int("tau", tau, low=1)

    def _value(self, k):
        a = min(k / self.tau, 1.0)
        return (1 - a) * self.lr + a * self.final_lr


class CosineDecay(Schedule):
    r"""Half a cosine from α₀ down to α_τ over τ steps, then constant.

    .. math:: \alpha_k = \alpha_\tau + \tfrac12(\alpha_0 - \alpha_\tau)
              \big(1 + \cos(\pi \min(k, \tau)/\tau)\big)

    Plain text: lr_k = final_lr + 0.5 * (lr - final_lr) * (1 + cos(pi * min(k, tau) / tau)).
    Same arguments as :class:`LinearDecay`; it stays near α₀ longer, then falls faster.
    """

    def __init__(self, lr: float, final_lr: float, tau: int):
        self.lr = _lr("lr", lr)
        self.final_lr = _lr("final_lr", final_lr)
        self.tau = check_int("tau", tau, low=1)

    def _value(self, k):
        c = 0.5 * (1 + math.cos(math.pi * min(k, self.tau) / self.tau))
        return self.final_lr + (self.lr - self.final_lr) * c


class Warmup(Schedule):
    r"""Linear warm-up over ``steps`` steps up to ``after(0)``, then the schedule ``after``.

    .. math:: \alpha_k = \frac{k+1}{w}\,\alpha^{\text{after}}_0 \quad (k < w), \qquad
              \alpha_k = \alpha^{\text{after}}_{k-w} \quad (k \ge w)

    Plain text: lr_k = after(0) * (k + 1) / steps for k < steps, else after(k - steps).
    The first update already moves (α₀ = after(0)/w, not 0); the schedule ``after``
    starts from its own step 0 when the warm-up ends, so ``Warmup(CosineDecay(a, b, T), w)``
    takes w + T steps to decay. ``after`` is any schedule, or a number for a constant.
    """

    def __init__(self, after, steps: int):
        if isinstance(after, (int, float)) and not isinstance(after, bool):
            after = ConstantLR(after)
        self.after = check_callable("after", after, "a schedule (a function k -> lr) or a number")
        self.steps = check_int("steps", steps, low=1)

    def _value(self, k):
        if k < self.steps:
            return _checked_lr(self.after, 0) * (k + 1) / self.steps
        return _checked_lr(self.after, k - self.steps)


def _checked_lr(schedule, k: int) -> float:
    """``schedule(k)``, required to be a finite real number > 0."""
    value = schedule(k)
    try:
        return check_real("lr", value, low=0, low_open=True)
    except (TypeError, ValueError) as err:
        raise ValueError(f"schedule {schedule!r} gave an invalid learning rate at step {k}: "
                         f"{err}") from None


class Scheduled(_Wrapper):
    r"""Set the learning rate of ``optimizer`` from ``schedule`` before every step.

    .. math:: \alpha \leftarrow \text{schedule}(k),\quad k = \text{steps taken so far};
              \quad\text{then the inner step}

    Plain text: opt.lr = schedule(opt.state["t"]); opt.step(params, grads). The inner
    optimizer's own ``lr`` is overwritten (any positive value will do when building it);
    after construction and ``reset()`` it already holds schedule(0). ``optimizer`` may
    be any optimizer or wrapper (GradientClipping, DecoupledWeightDecay, AdamW,
    ProximalL1): setting ``lr`` passes down the chain, and the wrappers' lr·wd and
    lr·λ/2m follow the schedule. ``Scheduled`` must be the outermost wrapper. Every
    learning rate the schedule gives must be > 0 (a step of size 0 would still update
    the optimizer's state: end a decay at a small final_lr instead).

    With :class:`reglab.optim.Momentum` or :class:`reglab.optim.Nesterov` the scheduled
    rate enters the velocity, v ← βv − α_k g (algorithm 8.2 with α_k): the velocity
    remembers the rates of earlier steps. PyTorch's ``SGD(momentum=β)`` with a scheduler
    keeps the rate outside, b ← βb + g, θ ← θ − α_k b, so the whole velocity is rescaled
    when the rate changes. The two agree while α is constant (v = −α b) and differ once
    it moves; to replay PyTorch, compare at a constant rate or convert the velocity
    (v = −α_k b) at each change.

    Parameters
    ----------
    optimizer : a reglab optimizer or wrapper
    schedule : a :class:`Schedule` or any callable k -> lr (int -> float >= 0)
    """

    sets_lr = True  # other wrappers refuse to wrap it: it must be outermost

    def __init__(self, optimizer, schedule):
        super().__init__(optimizer)
        self.schedule = check_callable("schedule", schedule, "a function k -> learning rate")
        self._apply(0)

    def _apply(self, k: int) -> None:
        self.optimizer.lr = _checked_lr(self.schedule, k)

    @property
    def lr(self) -> float:
        """The learning rate of the last step taken (schedule(0) before the first one).

        Set by the schedule only: assigning it raises AttributeError.
        """
        return self.optimizer.lr

    @lr.setter
    def lr(self, value) -> None:
        raise AttributeError("the learning rate of a Scheduled optimizer is set by its "
                             "schedule: change the schedule instead")

    def _step_unchecked(self, params: dict, grads: dict) -> None:
        self._apply(self.state["t"])
        self.optimizer._step_unchecked(params, grads)

    def reset(self) -> None:
        self.optimizer.reset()
        self._apply(0)

    def __repr__(self):
        return f"Scheduled({self.optimizer!r}, {self.schedule!r})"
