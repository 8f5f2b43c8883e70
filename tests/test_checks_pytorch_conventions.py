"""The checks of exercises/13_pytorch_conventions.ipynb can fail, and with the right diagnosis.

The references agree with PyTorch when it is installed (clip_grad_norm_, BatchNorm1d,
CrossEntropyLoss); correct solutions written in other ways pass; wrong ones, written the
way students write them (independently of the tables in
reglab.checks.pytorch_conventions), fail with their specific message; the untouched stub
fails as "not implemented yet".
"""

import numpy as np
import pytest
from check_failures import assert_feedback, fails_with

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


def _log_probs(Z, axis=1):
    z = Z - Z.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def _smoothed_from_target(Z, y, s, *, on_true, on_others, axis=1, reduce=np.mean):
    """A student's loss against a target with ``on_true`` and ``on_others`` weights."""
    target = np.full(Z.shape, on_others)
    target[np.arange(len(y)), y] = on_true
    return float(reduce(-(target * _log_probs(Z, axis)).sum(axis=1)))


WRONG_CLIP = {
    "reglab's exact rule": lambda n, c: min(1.0, c / n),
    "scaled UP": lambda n, c: c / (n + 1e-6),
    "upside down": lambda n, c: min(1.0, (n + 1e-6) / c),
    "norm after clipping": lambda n, c: n if n < c else c,
    "max instead of min": lambda n, c: max(1.0, c / (n + 1e-6)),
    "wrong side": lambda n, c: min(1.0, (c + 1e-6) / n),
    "added 1e-6 to the ratio": lambda n, c: min(1.0, c / n + 1e-6),
    "a floor under the norm": lambda n, c: min(1.0, c / max(n, 1e-6)),
}

WRONG_RUNNING_VAR = {
    "UNBIASED": lambda r, X, mu: (1 - mu) * r + mu * np.var(X, axis=0),
    "weighs the NEW batch": lambda r, X, mu: mu * r + (1 - mu) * np.var(X, axis=0, ddof=1),
    "moving average": lambda r, X, mu: np.var(X, axis=0, ddof=1),
    "standard deviation": lambda r, X, mu: (1 - mu) * r + mu * np.std(X, axis=0, ddof=1),
    "wrong way": lambda r, X, mu: (1 - mu) * r + mu * np.var(X, axis=0) * (len(X) - 1) / len(X),
    "running_mean's update": lambda r, X, mu: (1 - mu) * r + mu * X.mean(axis=0),
    "one variance of the whole batch": lambda r, X, mu: (1 - mu) * r + mu * np.var(X, ddof=1),
    "not decayed": lambda r, X, mu: r + mu * np.var(X, axis=0, ddof=1),
}

WRONG_SMOOTHED = {
    "K − 1 OTHER": lambda Z, y, s: _smoothed_from_target(
        Z, y, s, on_true=1 - s, on_others=s / (Z.shape[1] - 1)),
    "averages over the batch": lambda Z, y, s: _smoothed_from_target(
        Z, y, s, on_true=1 - s + s / Z.shape[1], on_others=s / Z.shape[1], reduce=np.sum),
    "TARGET": lambda Z, y, s: float(-np.log(
        (1 - s) * np.exp(_log_probs(Z))[np.arange(len(y)), y] + s / Z.shape[1]).mean()),
    "missing its share s/K": lambda Z, y, s: _smoothed_from_target(
        Z, y, s, on_true=1 - s, on_others=s / Z.shape[1]),
    "wrong axis": lambda Z, y, s: _smoothed_from_target(
        Z, y, s, on_true=1 - s + s / Z.shape[1], on_others=s / Z.shape[1], axis=0),
    "keeps weight 1": lambda Z, y, s: _smoothed_from_target(
        Z, y, s, on_true=1 + s / Z.shape[1], on_others=s / Z.shape[1]),
    "swapped": lambda Z, y, s: _smoothed_from_target(
        Z, y, s, on_true=s + (1 - s) / Z.shape[1], on_others=(1 - s) / Z.shape[1]),
    "MEAN over the K classes": lambda Z, y, s: _smoothed_from_target(
        Z, y, s, on_true=1 - s + s, on_others=s),
}


def _float32(fn):
    """The same answer computed in float32 (array arguments cast, the result too)."""
    def in_float32(*args):
        return np.float32(fn(*(np.asarray(a, dtype=np.float32)
                               if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
                               for a in args)))
    return in_float32


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(("check", "wrong", "right"), [
    (checks.check_torch_clip_factor, WRONG_CLIP, [clip_ok, clip_branchy]),
    (checks.check_torch_running_var, WRONG_RUNNING_VAR, [running_var_ok]),
    (checks.check_smoothed_cross_entropy, WRONG_SMOOTHED, [smoothed_ok]),
], ids=["torch_clip_factor", "torch_running_var", "smoothed_cross_entropy"])
def test_plausible_answers_are_judged_and_named(check, wrong, right):
    assert len(wrong) >= 8
    assert_feedback(check, wrong, right + [_float32(fn) for fn in right])
    for words, fn in wrong.items():
        fails_with(check, fn, words)


def test_stub_is_not_implemented_yet():
    def stub(*args):
        raise NotImplementedError("Your code here")

    for check in (checks.check_torch_clip_factor, checks.check_torch_running_var,
                  checks.check_smoothed_cross_entropy):
        with pytest.raises(NotImplementedError, match="not implemented yet"):
            check(stub)
