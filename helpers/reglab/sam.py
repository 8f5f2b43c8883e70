r"""Sharpness-aware minimization (SAM): descend from w with the gradient taken at w + ε.

SAM minimizes the worst loss in a ball of radius ρ around the weights,

.. math:: \min_w \max_{\lVert\varepsilon\rVert \le \rho} J(w + \varepsilon).

The inner maximum is solved to first order: J(w + ε) ≈ J(w) + εᵀg with g = ∇J(w), and
εᵀg over the ball is largest at

.. math:: \hat\varepsilon = \rho\,\frac{g}{\lVert g\rVert}
          \qquad(\hat\varepsilon = 0 \text{ when } g = 0),

where ‖·‖ is the global norm over all parameters. The outer step then uses the gradient
of J at the perturbed point, evaluated there but applied to w:

.. math:: w \leftarrow w - \alpha\, \nabla J(w + \hat\varepsilon)\qquad\text{(with SGD)}.

Plain text: eps = rho * g / norm(g); g_sam = grad(w + eps); w = step(w, g_sam). Each step
costs two gradient evaluations. g is the gradient of the whole minibatch cost, the
penalty's gradient included.

:class:`SAM` is an optimizer wrapper like :class:`reglab.optim.GradientClipping`: the
outer step is the wrapped optimizer's, so SAM composes with SGD, momentum, Adam, clipping
and (inside :class:`reglab.schedules.Scheduled`) schedules. It needs a way to take the
second gradient: it declares ``needs_gradient_at = True``, and :func:`reglab.train.fit`
gives it, before every step, ``grad_at(params) -> grads``, the gradient of the same
minibatch cost at the parameters' current values (the same batch, new dropout masks,
batch-norm running statistics left as the first pass set them). Outside fit, set
``grad_at`` yourself.

Reference: Foret, Kleiner, Mobahi & Neyshabur (2021), "Sharpness-aware minimization for
efficiently improving generalization", ICLR (algorithm 1).
"""

from __future__ import annotations

import numpy as np

from ._validate import check_real
from .optim import _Wrapper, global_norm


class SAM(_Wrapper):
    r"""Sharpness-aware minimization around any optimizer: ``SAM(SGD(0.1), rho=0.05)``.

    One step, for parameters w (all arrays of ``params`` as one vector) and gradient g:

    .. math:: \varepsilon = \rho\,g/\lVert g\rVert,\quad
              \tilde g = \nabla J(w + \varepsilon),\quad
              w \leftarrow \text{optimizer.step}(w, \tilde g)

    Plain text: eps = rho * g / norm(g) (0 when norm(g) = 0); g_sam = grad_at(w + eps);
    the parameters go back to w and the wrapped optimizer steps with g_sam.

    Parameters
    ----------
    optimizer : a reglab optimizer or wrapper (not Scheduled: put that outermost,
        ``Scheduled(SAM(SGD(0.1), 0.05), schedule)``).
    rho : float > 0
        Radius ρ of the neighbourhood, in the units of the parameters (Foret et al. use
        0.05 with SGD on images).

    Attributes
    ----------
    grad_at : callable params -> grads, or None
        The gradient of the cost at the current values of ``params`` (a dict like
        ``grads``). :func:`reglab.train.fit` sets it before every step; outside fit, set it
        before calling :meth:`step` (which refuses a step without it, before any work).
    last_epsilon_norm : float or None
        ‖ε‖ of the last step: ρ, or 0 when the gradient was 0 (for plotting).
    """

    needs_gradient_at = True  # fit gives it grad_at(params) -> grads before every step

    def __init__(self, optimizer, rho: float):
        super().__init__(optimizer)
        self.rho = check_real("rho", rho, low=0, low_open=True)
        self.grad_at = None
        self.last_epsilon_norm = None

    def _check_grad_at(self) -> None:
        if not callable(self.grad_at):
            raise TypeError(
                f"grad_at must be a function params -> grads that SAM calls for the gradient "
                f"at w + eps, got {self.grad_at!r}: reglab.train.fit sets it (fit_many does "
                f"not: train with fit); outside fit, set optimizer.grad_at yourself")

    def _step_unchecked(self, params: dict, grads: dict) -> None:
        self._check_grad_at()
        norm = global_norm(grads)
        scale = self.rho / norm if norm > 0 else 0.0
        saved = {k: p.copy() for k, p in params.items()}
        for k, p in params.items():
            p += scale * grads[k]  # w + eps, eps = rho g / |g|
        self.last_epsilon_norm = scale * norm
        try:
            sharp = self.grad_at(params)
        finally:
            for k, p in params.items():
                np.copyto(p, saved[k])  # back to w, exactly (also when grad_at raises)
        if not (isinstance(sharp, dict) and sharp.keys() == params.keys()):
            raise TypeError(f"grad_at must return a dict of gradients with the keys "
                            f"{sorted(params)}, got {type(sharp).__name__}")
        self.optimizer._step_unchecked(params, sharp)

    def __repr__(self):
        return f"SAM({self.optimizer!r}, rho={self.rho:g})"
