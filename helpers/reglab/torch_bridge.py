r"""From reglab to PyTorch: the same network as a ``torch.nn.Sequential``, and back.

Needs the optional extra ``torch`` (``make torch``, or ``pip install -e '.[torch]'``);
``import reglab`` does not import this module, so reglab itself never needs PyTorch.

* :func:`to_torch` builds the PyTorch twin of a reglab :class:`~reglab.layers.Sequential`
  with the *same* parameters and dtype: module ``i`` of the twin is layer ``i`` of the
  model, so ``"2.W"`` in reglab is ``"2.weight"`` in PyTorch (transposed for a dense
  layer: PyTorch stores a ``Linear`` weight as (n_out, n_in), reglab as (n_in, n_out)).
* :func:`reglab_state` reads a twin's parameters and buffers back under reglab's names
  and shapes; :func:`max_param_difference` compares a model and a twin.
* :class:`ReplayDropout` is inverted dropout that draws its masks from a NumPy
  generator exactly as :class:`reglab.layers.Dropout` does, so a PyTorch run can replay
  a reglab run mask for mask (``nn.Dropout`` draws from PyTorch's own generator).
* :func:`weight_decay_groups` puts the weights and the other parameters into two
  optimizer parameter groups, so that PyTorch's ``weight_decay`` spares the biases as
  reglab's penalties do; :func:`clip_grad_norm_exact` clips to exactly ``max_norm``
  (``torch.nn.utils.clip_grad_norm_`` divides by norm + 1e-6).

Conversions (our λ/2m convention, ``m`` the training-set size):

.. math::
    \mathrm{wd}_\text{SGD, Adam} = \lambda / m,\qquad
    p_\text{nn.Dropout} = 1 - \text{keep\_prob},\qquad
    \text{momentum}_\text{BatchNorm1d} = 1 - \text{momentum}_\text{reglab}

Plain text: weight_decay = lam / m; nn.Dropout(p=1 - keep_prob);
BatchNorm1d(momentum=1 - momentum). Reference: the PyTorch documentation of
``torch.optim.SGD``, ``torch.optim.Adam``, ``torch.nn.Dropout``, ``torch.nn.BatchNorm1d``
and ``torch.nn.utils.clip_grad_norm_``.
"""

from __future__ import annotations

import numpy as np

try:
    import torch
    from torch import nn
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("reglab.torch_bridge needs PyTorch, which is not installed: run "
                      "`make torch` (or pip install -e '.[torch]')") from exc

from ._validate import check_real, check_rng
from .conv import Conv1D, Flatten
from .layers import Dense, Dropout, ReLU, Sequential, Sigmoid, Tanh, is_weight
from .normalization import BatchNorm

__all__ = ["ReplayDropout", "clip_grad_norm_exact", "max_param_difference", "reglab_state",
           "to_torch", "weight_decay_groups"]


class ReplayDropout(nn.Module):
    r"""Inverted dropout whose masks come from a NumPy generator, as in reglab.

    In training mode, for an input x: d = rng.random(x.shape, dtype) < keep_prob,
    output = x * (d / keep_prob), the very draws and arithmetic of
    :class:`reglab.layers.Dropout` (so a run that consumes the same generator in the
    same order gets the same masks). In evaluation mode (``module.eval()``) the identity.

    .. math:: y = x \odot d / p,\qquad d_{ij}\sim\mathrm{Bernoulli}(p),\ p = \text{keep\_prob}

    Shapes: any; the mask has the input's shape.

    Parameters
    ----------
    keep_prob : float in (0, 1]
        Probability of keeping a unit (``nn.Dropout(p)`` takes the drop rate 1 − keep_prob).
    rng : numpy.random.Generator
        The source of the masks.
    """

    def __init__(self, keep_prob: float, rng):
        super().__init__()
        self.keep_prob = check_real("keep_prob", keep_prob, low=0, high=1, low_open=True)
        self.rng = check_rng("rng", rng)

    def forward(self, x):
        if not self.training:
            return x
        dtype = np.dtype(str(x.dtype).removeprefix("torch."))
        keep = self.rng.random(tuple(x.shape), dtype=dtype) < self.keep_prob
        mask = keep.astype(dtype) / dtype.type(self.keep_prob)
        return x * torch.from_numpy(mask)

    def extra_repr(self):
        return f"keep_prob={self.keep_prob:g}"


class _Conv1dAcceptingRows(nn.Conv1d):
    """``nn.Conv1d`` that, like reglab's Conv1D with one input channel, also takes (m, L)."""

    def forward(self, x):
        return super().forward(x.unsqueeze(1) if x.dim() == 2 else x)


def _tensor(a):
    return torch.from_numpy(np.array(a, copy=True))


def _twin(layer, rng):
    """The PyTorch module that computes what the reglab ``layer`` computes."""
    if isinstance(layer, Dense):
        W, b = layer.params["W"], layer.params["b"]
        mod = nn.Linear(W.shape[0], W.shape[1], dtype=torch.from_numpy(W).dtype)
        with torch.no_grad():
            mod.weight.copy_(_tensor(W.T))
            mod.bias.copy_(_tensor(b))
        return mod
    if isinstance(layer, Conv1D):
        W, b = layer.params["W"], layer.params["b"]
        mod = _Conv1dAcceptingRows(layer.in_channels, layer.out_channels, layer.kernel_size,
                                   stride=layer.stride, padding=layer.padding,
                                   dtype=torch.from_numpy(W).dtype)
        with torch.no_grad():
            mod.weight.copy_(_tensor(W))
            mod.bias.copy_(_tensor(b))
        return mod
    if isinstance(layer, BatchNorm):
        gamma = layer.params["gamma"]
        mod = nn.BatchNorm1d(layer.n_features, eps=layer.eps, momentum=1.0 - layer.momentum,
                             dtype=torch.from_numpy(gamma).dtype)
        with torch.no_grad():
            mod.weight.copy_(_tensor(gamma))
            mod.bias.copy_(_tensor(layer.params["beta"]))
            mod.running_mean.copy_(_tensor(layer.buffers["running_mean"]))
            mod.running_var.copy_(_tensor(layer.buffers["running_var"]))
        return mod
    if isinstance(layer, Dropout):
        if rng is None:
            return nn.Dropout(p=round(1.0 - layer.keep_prob, 12))  # 0.1, not 0.0999...98
        return ReplayDropout(layer.keep_prob, rng)
    simple = {ReLU: nn.ReLU, Tanh: nn.Tanh, Sigmoid: nn.Sigmoid, Flatten: nn.Flatten}
    if type(layer) in simple:
        return simple[type(layer)]()
    raise TypeError(f"layer {layer!r} has no PyTorch twin here (Dense, Conv1D, BatchNorm, "
                    f"Dropout, ReLU, Tanh, Sigmoid and Flatten have)")


def to_torch(model: Sequential, *, rng=None) -> nn.Sequential:
    """The PyTorch twin of ``model``: same layers, same parameters and buffers, same dtype.

    Module ``i`` of the result mirrors ``model.layers[i]``: ``Dense`` → ``nn.Linear``
    (weight = W.T), ``Conv1D`` → ``nn.Conv1d`` (one input channel: (m, L) accepted),
    ``BatchNorm`` → ``nn.BatchNorm1d`` (momentum 1 − ours, same eps, running statistics
    copied), ``Dropout`` → ``nn.Dropout(p=1 - keep_prob)``, or :class:`ReplayDropout`
    drawing from ``rng`` when ``rng`` is given; activations and ``Flatten`` likewise.

    Parameters
    ----------
    model : reglab Sequential
    rng : numpy.random.Generator, optional
        Shared by every :class:`ReplayDropout` of the twin.
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a reglab Sequential, got {type(model).__name__}")
    if rng is not None:
        check_rng("rng", rng)
    return nn.Sequential(*[_twin(layer, rng) for layer in model.layers])


def reglab_state(net: nn.Sequential) -> dict[str, np.ndarray]:
    """Parameters and buffers of ``net`` under reglab's names and shapes (NumPy copies).

    ``"i.weight"`` of a Linear becomes ``"i.W"`` transposed to (n_in, n_out); of a
    Conv1d ``"i.W"`` (C_out, C_in, K); of a BatchNorm1d ``"i.gamma"`` (and ``bias`` →
    ``"i.beta"``, buffers ``"i.running_mean"``, ``"i.running_var"``); biases ``"i.b"``.
    The batch counter ``num_batches_tracked`` has no reglab counterpart and is left out.
    """
    if not isinstance(net, nn.Sequential):
        raise TypeError(f"net must be a torch.nn.Sequential, got {type(net).__name__}")
    state = {}
    for i, mod in enumerate(net):
        if isinstance(mod, nn.Linear):
            state[f"{i}.W"] = mod.weight.detach().numpy().T.copy()
            state[f"{i}.b"] = mod.bias.detach().numpy().copy()
        elif isinstance(mod, nn.Conv1d):
            state[f"{i}.W"] = mod.weight.detach().numpy().copy()
            state[f"{i}.b"] = mod.bias.detach().numpy().copy()
        elif isinstance(mod, nn.BatchNorm1d):
            state[f"{i}.gamma"] = mod.weight.detach().numpy().copy()
            state[f"{i}.beta"] = mod.bias.detach().numpy().copy()
            state[f"{i}.running_mean"] = mod.running_mean.numpy().copy()
            state[f"{i}.running_var"] = mod.running_var.numpy().copy()
    return state


def max_param_difference(model: Sequential, net: nn.Sequential) -> float:
    """max |θ_reglab − θ_torch| over every trained parameter (buffers not included)."""
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a reglab Sequential, got {type(model).__name__}")
    theirs = reglab_state(net)
    missing = set(model.params) - set(theirs)
    if missing:
        raise ValueError(f"net must mirror model, but it has no parameters {sorted(missing)}")
    return max(float(np.max(np.abs(p - theirs[k]))) for k, p in model.params.items())


def weight_decay_groups(net: nn.Sequential, weight_decay: float) -> list[dict]:
    """Two parameter groups: the weights with ``weight_decay``, everything else with 0.

    PyTorch's ``weight_decay`` applies to every parameter of a group, biases and batch
    norm's γ, β included; reglab's penalties and decoupled decay touch only the
    weights (:func:`reglab.layers.is_weight`). With these groups ``SGD``/``Adam`` with
    ``weight_decay = λ/m`` equal our L2 penalty λ, and ``AdamW`` equals
    ``reglab.optim.AdamW`` with the same ``weight_decay``.
    """
    weight_decay = check_real("weight_decay", weight_decay, low=0)
    if not isinstance(net, nn.Sequential):
        raise TypeError(f"net must be a torch.nn.Sequential, got {type(net).__name__}")
    names = {f"{i}.weight": f"{i}.W" for i, mod in enumerate(net)
             if isinstance(mod, (nn.Linear, nn.Conv1d))}
    decay, rest = [], []
    for name, p in net.named_parameters():
        (decay if is_weight(names.get(name, name)) else rest).append(p)
    return [{"params": decay, "weight_decay": weight_decay},
            {"params": rest, "weight_decay": 0.0}]


def clip_grad_norm_exact(parameters, max_norm: float) -> float:
    r"""Rescale the gradients to global norm at most ``max_norm``, exactly as reglab does.

    .. math:: g \leftarrow g\cdot\min(1, c/\lVert g\rVert)

    ``torch.nn.utils.clip_grad_norm_`` multiplies by min(1, c/(‖g‖ + 10⁻⁶)) instead, a
    relative difference of 10⁻⁶/‖g‖. Returns the norm before clipping.
    """
    max_norm = check_real("max_norm", max_norm, low=0, low_open=True)
    grads = [p.grad for p in parameters if p.grad is not None]
    norm = float(torch.sqrt(sum(torch.sum(g * g) for g in grads)))
    if norm > max_norm:
        for g in grads:
            g.mul_(max_norm / norm)
    return norm
