"""The checks of exercises/13_pytorch_conventions.ipynb can fail, and with the right diagnosis.

The references agree with PyTorch when it is installed (clip_grad_norm_, BatchNorm1d,
CrossEntropyLoss); correct solutions written in other ways pass; wrong ones, written the
way students write them (independently of the tables in
reglab.checks.pytorch_conventions), fail with their specific message; the untouched stub
fails as "not implemented yet".
"""

import numpy as np
import pytest
from check_failures import fails_with

from reglab.checks import pytorch_conventions as checks

# ------------------------------------------------------------ the references agree with PyTorch


def _torch():
    try:
        import torch
    except ImportError:
        pytest.skip("torch is not installed: make torch")
    return torch


@pytest.mark.parametrize("case", checks.CLIP_FACTOR.cases, ids=lambda c: c.label)
def test_clip_reference_is_clip_grad_norm(case):
    torch = _torch()
    norm, max_norm = case.args
    p = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    g = torch.tensor([norm, 0.0, 0.0, 0.0], dtype=torch.float64)
    p.grad = g.clone()
    torch.nn.utils.clip_grad_norm_([p], max_norm)
    factor = (p.grad[0] / g[0]).item()
    assert factor == pytest.approx(checks.CLIP_FACTOR.reference(*case.args), rel=1e-12)


@pytest.mark.parametrize("case", checks.RUNNING_VAR.cases, ids=lambda c: c.label)
def test_running_var_reference_is_batchnorm1d(case):
    torch = _torch()
    r, X, momentum = case.args
    bn = torch.nn.BatchNorm1d(X.shape[1], momentum=momentum, dtype=torch.float64)
    with torch.no_grad():
        bn.running_var.copy_(torch.from_numpy(r))
    bn.train()(torch.from_numpy(X))
    np.testing.assert_allclose(bn.running_var.numpy(), checks.RUNNING_VAR.reference(*case.args),
                               rtol=1e-12)


@pytest.mark.parametrize("case", checks.SMOOTHED_CE.cases, ids=lambda c: c.label)
def test_smoothed_ce_reference_is_cross_entropy_loss(case):
    torch = _torch()
    Z, y, s = case.args
    loss = torch.nn.CrossEntropyLoss(label_smoothing=s)(torch.from_numpy(Z), torch.from_numpy(y))
    assert loss.item() == pytest.approx(checks.SMOOTHED_CE.reference(*case.args), rel=1e-12)


# ------------------------------------------------------------ correct solutions pass


def clip_ok(grad_norm, max_norm):
    return min(1.0, max_norm / (grad_norm + 1e-6))


def clip_branchy(grad_norm, max_norm):
    coef = max_norm / (grad_norm + 1e-6)
    if coef > 1:
        return 1
    return coef


def running_var_ok(running_var, X, momentum):
    B = X.shape[0]
    var = ((X - X.mean(axis=0)) ** 2).sum(axis=0) / (B - 1)
    return (1 - momentum) * running_var + momentum * var


def smoothed_ok(logits, y, s):
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    K = logits.shape[1]
    target = np.full(logits.shape, s / K)
    target[np.arange(len(y)), y] += 1 - s
    return -(target * logp).sum(axis=1).mean()


def test_correct_solutions_pass(capsys):
    assert checks.check_torch_clip_factor(clip_ok) is None
    assert checks.check_torch_clip_factor(clip_branchy) is None
    assert checks.check_torch_running_var(running_var_ok) is None
    assert checks.check_smoothed_cross_entropy(smoothed_ok) is None
    assert "✓ smoothed_cross_entropy passed" in capsys.readouterr().out


# ------------------------------------------------------------ wrong solutions fail, explained


def test_clip_mistakes_written_by_students():
    def reglab_rule(grad_norm, max_norm):
        return min(1.0, max_norm / grad_norm)

    def no_cap(grad_norm, max_norm):
        return max_norm / (grad_norm + 1e-6)

    def upside_down(grad_norm, max_norm):
        return min(1.0, (grad_norm + 1e-6) / max_norm)

    def new_norm(grad_norm, max_norm):
        return grad_norm if grad_norm < max_norm else max_norm

    fails_with(checks.check_torch_clip_factor, reglab_rule, "reglab's exact rule")
    fails_with(checks.check_torch_clip_factor, no_cap, "scaled UP")
    fails_with(checks.check_torch_clip_factor, upside_down, "upside down")
    fails_with(checks.check_torch_clip_factor, new_norm, "norm after clipping")


def test_running_var_mistakes_written_by_students():
    def biased(running_var, X, momentum):
        return (1 - momentum) * running_var + momentum * np.var(X, axis=0)

    def keras_momentum(running_var, X, momentum):
        return momentum * running_var + (1 - momentum) * np.var(X, axis=0, ddof=1)

    def last_batch(running_var, X, momentum):
        return np.var(X, axis=0, ddof=1)

    def std(running_var, X, momentum):
        return (1 - momentum) * running_var + momentum * np.std(X, axis=0, ddof=1)

    fails_with(checks.check_torch_running_var, biased, "UNBIASED")
    fails_with(checks.check_torch_running_var, keras_momentum, "weighs the NEW batch")
    fails_with(checks.check_torch_running_var, last_batch, "moving average")
    fails_with(checks.check_torch_running_var, std, "standard deviation")


def test_smoothed_ce_mistakes_written_by_students():
    def log_probs(Z):
        z = Z - Z.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

    def other_classes(Z, y, s):
        K = Z.shape[1]
        target = np.full(Z.shape, s / (K - 1))
        target[np.arange(len(y)), y] = 1 - s
        return -(target * log_probs(Z)).sum(axis=1).mean()

    def sum_over_batch(Z, y, s):
        K = Z.shape[1]
        target = np.full(Z.shape, s / K)
        target[np.arange(len(y)), y] += 1 - s
        return -(target * log_probs(Z)).sum()

    def smoothed_prediction(Z, y, s):
        p = np.exp(log_probs(Z))[np.arange(len(y)), y]
        return -np.log((1 - s) * p + s / Z.shape[1]).mean()

    fails_with(checks.check_smoothed_cross_entropy, other_classes, "K − 1 OTHER")
    fails_with(checks.check_smoothed_cross_entropy, sum_over_batch, "averages over the batch")
    fails_with(checks.check_smoothed_cross_entropy, smoothed_prediction, "TARGET")


def test_stub_is_not_implemented_yet():
    def stub(*args):
        raise NotImplementedError("Your code here")

    for check in (checks.check_torch_clip_factor, checks.check_torch_running_var,
                  checks.check_smoothed_cross_entropy):
        with pytest.raises(NotImplementedError, match="not implemented yet"):
            check(stub)
