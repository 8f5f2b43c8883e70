"""reglab.torch_bridge: the PyTorch twin computes what the reglab model computes.

Skipped as a whole when PyTorch is not installed (it is the optional extra ``torch``).
"""

from __future__ import annotations

import numpy as np
import pytest

try:
    import torch
except ImportError:  # not installed, or broken: the extra is optional
    pytest.skip("torch is not installed: make torch", allow_module_level=True)

from reglab.conv import Conv1D, Flatten  # noqa: E402
from reglab.layers import Dense, Dropout, ReLU, Sequential, Tanh  # noqa: E402
from reglab.losses import softmax_cross_entropy  # noqa: E402
from reglab.normalization import BatchNorm  # noqa: E402
from reglab.optim import SGD, Adam, GradientClipping  # noqa: E402
from reglab.penalties import L2  # noqa: E402
from reglab.torch_bridge import (  # noqa: E402
    ReplayDropout,
    clip_grad_norm_exact,
    max_param_difference,
    reglab_state,
    to_torch,
    weight_decay_groups,
)
from reglab.train import train_step  # noqa: E402


def _mlp(rng, keep_prob=0.7):
    return Sequential([Dense(6, 8, rng=rng), ReLU(), Dropout(keep_prob), Dense(8, 5, rng=rng),
                       Tanh(), BatchNorm(5), Dense(5, 3, rng=rng)])


def _cnn(rng):
    return Sequential([Conv1D(1, 4, 3, stride=2, padding=1, rng=rng), ReLU(), Flatten(),
                       Dense(4 * 6, 3, rng=rng)])


def test_twin_has_the_same_parameters_and_eval_output(rng):
    model = _mlp(rng)
    model.forward(rng.standard_normal((10, 6)), train=True, rng=rng)  # move the running stats
    net = to_torch(model).eval()
    X = rng.standard_normal((7, 6))
    state = reglab_state(net)
    assert set(state) == set(model.state())
    for k, v in model.state().items():
        np.testing.assert_array_equal(state[k], v, err_msg=k)
    assert max_param_difference(model, net) == 0.0
    out = net(torch.from_numpy(X)).detach().numpy()
    np.testing.assert_allclose(out, model.forward(X), rtol=0, atol=1e-13)


def test_cnn_twin_takes_rows_and_matches(rng):
    model = _cnn(rng)
    net = to_torch(model)
    X = rng.standard_normal((5, 12))
    out = net(torch.from_numpy(X)).detach().numpy()
    np.testing.assert_allclose(out, model.forward(X), rtol=0, atol=1e-13)


def test_replay_dropout_draws_the_reglab_masks():
    X = np.random.default_rng(3).standard_normal((50, 20))
    ours = Dropout(0.6).forward(X, train=True, rng=np.random.default_rng(9))
    mod = ReplayDropout(0.6, np.random.default_rng(9))
    theirs = mod(torch.from_numpy(X)).numpy()
    np.testing.assert_array_equal(theirs, ours)
    assert np.array_equal(mod.eval()(torch.from_numpy(X)).numpy(), X)


def test_training_steps_agree_with_l2_dropout_and_batch_norm(rng):
    """Adam + L2 (weight_decay = λ/m on the weights only) + replayed dropout + batch norm."""
    model = _mlp(rng)
    m, lam = 40, 3.0
    X, y = rng.standard_normal((m, 6)), rng.integers(0, 3, m)
    r_ours, r_theirs = np.random.default_rng(5), np.random.default_rng(5)
    net = to_torch(model, rng=r_theirs)
    opt = Adam(lr=1e-2)
    topt = torch.optim.Adam(weight_decay_groups(net, lam / m), lr=1e-2)
    for k in range(6):
        idx = slice(10 * (k % 4), 10 * (k % 4) + 10)
        ours = train_step(model, X[idx], y[idx], loss=softmax_cross_entropy, optimizer=opt,
                          penalty=L2(lam), m=m, rng=r_ours)
        topt.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(torch.from_numpy(X[idx])),
                                                 torch.from_numpy(y[idx]))
        loss.backward()
        topt.step()
        assert abs(loss.item() - ours) < 1e-12
    assert max_param_difference(model, net) < 1e-12


def test_weight_decay_groups_spare_biases_and_batch_norm(rng):
    net = to_torch(_mlp(rng))
    decay, rest = weight_decay_groups(net, 0.1)
    assert decay["weight_decay"] == 0.1 and rest["weight_decay"] == 0.0
    assert all(p.dim() == 2 for p in decay["params"]) and len(decay["params"]) == 3
    assert all(p.dim() == 1 for p in rest["params"]) and len(rest["params"]) == 5


def test_clip_grad_norm_exact_matches_reglab_and_differs_from_torch(rng):
    model = Sequential([Dense(4, 3, rng=rng)])
    X, y = rng.standard_normal((8, 4)), rng.integers(0, 3, 8)
    net = to_torch(model)
    train_step(model, X, y, loss=softmax_cross_entropy,
               optimizer=GradientClipping(SGD(lr=1.0), 0.05), penalty=None, m=8, rng=rng)
    torch.nn.functional.cross_entropy(net(torch.from_numpy(X)), torch.from_numpy(y)).backward()
    grads = [p.grad.clone() for p in net.parameters()]
    norm = clip_grad_norm_exact(net.parameters(), 0.05)
    assert norm > 0.05
    total = float(torch.sqrt(sum((p.grad**2).sum() for p in net.parameters())))
    assert abs(total - 0.05) < 1e-15
    with torch.no_grad():
        for p in net.parameters():
            p -= p.grad
    assert max_param_difference(model, net) < 1e-15
    for p, g in zip(net.parameters(), grads, strict=True):
        p.grad = g
    torch.nn.utils.clip_grad_norm_(net.parameters(), 0.05)
    total = float(torch.sqrt(sum((p.grad**2).sum() for p in net.parameters())))
    assert np.isclose(total, 0.05 * norm / (norm + 1e-6), rtol=1e-12, atol=0)


def test_bad_input(rng):
    with pytest.raises(TypeError, match="model"):
        to_torch([Dense(2, 2, rng=rng)])
    with pytest.raises(TypeError, match="rng"):
        to_torch(Sequential([Dense(2, 2, rng=rng)]), rng=0)
    with pytest.raises(ValueError, match="keep_prob"):
        ReplayDropout(0.0, rng)
    with pytest.raises(TypeError, match="rng"):
        ReplayDropout(0.5, 1)
    with pytest.raises(ValueError, match="weight_decay"):
        weight_decay_groups(to_torch(Sequential([Dense(2, 2, rng=rng)])), -1.0)
    with pytest.raises(TypeError, match="net"):
        reglab_state("net")
    with pytest.raises(ValueError, match="max_norm"):
        clip_grad_norm_exact([], 0.0)
    with pytest.raises(ValueError, match="net must mirror"):
        max_param_difference(Sequential([Dense(2, 2, rng=rng)]),
                             torch.nn.Sequential(torch.nn.ReLU()))
