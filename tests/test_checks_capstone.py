"""The checks of exercises/12_capstone.ipynb can fail, and fail with the right diagnosis.

The references agree with reglab.invariance.detrend and with a least-squares fit, and the
standard error with a simulation; correct solutions written in other ways pass; wrong ones
written the way students write them (independently of the checks' own table) fail with the
specific message.
"""

import numpy as np
import pytest

from reglab.checks import capstone as checks
from reglab.invariance import detrend as reglab_detrend

DETREND_EX = checks.DETREND
SE_EX = checks.STANDARD_ERROR


def test_detrend_reference_is_reglab_and_a_least_squares_fit():
    for case in DETREND_EX.cases:
        (X,) = case.args
        t = np.linspace(-0.5, 0.5, X.shape[1])
        slope = np.polynomial.polynomial.polyfit(t, X.T, 1)[1]
        np.testing.assert_allclose(DETREND_EX.reference(X), X - np.outer(slope, t), atol=1e-12)
        np.testing.assert_allclose(DETREND_EX.reference(X), reglab_detrend(X), atol=1e-12)


def test_standard_error_reference_matches_a_simulation():
    rng = np.random.default_rng(0)
    p, n = 0.9, 1000
    accs = rng.binomial(n, p, size=20_000) / n
    assert SE_EX.reference(p, n) == pytest.approx(accs.std(), rel=0.03)


# ---------------------------------------------------------------- correct solutions pass

def detrend_polyfit(X):
    t = np.linspace(-0.5, 0.5, X.shape[1])
    out = np.empty_like(X)
    for i, x in enumerate(X):
        c, a = np.polyfit(t, x, 1)
        out[i] = x - c * t
    return out


def detrend_other_scale(X):
    L = X.shape[1]
    t = np.arange(L) - (L - 1) / 2               # centred; the scale of t cancels
    c = (X * t).sum(axis=1) / (t**2).sum()
    return X - c[:, None] * t


@pytest.mark.parametrize("fn", [reglab_detrend, detrend_polyfit, detrend_other_scale])
def test_correct_detrends_pass(fn, capsys):
    assert checks.check_detrend(fn) is None
    assert "passed" in capsys.readouterr().out


@pytest.mark.parametrize("fn", [lambda p, n: (p * (1 - p) / n) ** 0.5,
                                lambda p, n: np.std(np.r_[np.ones(int(round(p * 1e6))),
                                                          np.zeros(int(round((1 - p) * 1e6)))])
                                / np.sqrt(n)])
def test_correct_standard_errors_pass(fn):
    assert checks.check_standard_error(fn) is None


# ---------------------------------------------------------------- student-style wrong answers

def detrend_full_line(X):                         # np.polyfit residual: mean removed too
    t = np.linspace(-0.5, 0.5, X.shape[1])
    return np.array([x - np.polyval(np.polyfit(t, x, 1), t) for x in X])


def detrend_arange(X):
    t = np.arange(X.shape[1], dtype=float)        # not centred
    c = X @ t / (t @ t)
    return X - c[:, None] * t


def detrend_mean_of_products(X):
    t = np.linspace(-0.5, 0.5, X.shape[1])
    c = (X * t).mean(axis=1)                      # divides by L
    return X - c[:, None] * t


def detrend_endpoints(X):
    t = np.linspace(-0.5, 0.5, X.shape[1])
    return X - (X[:, -1] - X[:, 0])[:, None] * t


def detrend_axis0(X):
    t = np.linspace(-0.5, 0.5, X.shape[0])
    c = t @ X / (t @ t)
    return X - np.outer(t, c)


@pytest.mark.parametrize(("fn", "words"), [
    (detrend_full_line, "removed the mean as well"),
    (detrend_arange, "not centred"),
    (detrend_mean_of_products, "divided x·t by L"),
    (detrend_endpoints, "two end points"),
    (detrend_axis0, "wrong axis"),
])
def test_wrong_detrends_fail_with_their_diagnosis(fn, words):
    with pytest.raises(AssertionError, match=words):
        checks.check_detrend(fn)


@pytest.mark.parametrize(("fn", "words"), [
    (lambda p, n: p * (1 - p) / n, "square root"),
    (lambda p, n: np.sqrt(p * (1 - p) / (n - 1)), "n − 1"),
    (lambda p, n: (p / n) ** 0.5, r"factor \(1 − p\)"),
    (lambda p, n: np.sqrt(p * (1 - p)) / n, "instead of sqrt"),
    (lambda p, n: p * (1 - p) / n ** 0.5, "over the whole"),
])
def test_wrong_standard_errors_fail_with_their_diagnosis(fn, words):
    with pytest.raises(AssertionError, match=words):
        checks.check_standard_error(fn)


def test_stub_and_in_place_edit():
    def stub(X):
        raise NotImplementedError

    with pytest.raises(NotImplementedError, match="not implemented yet"):
        checks.check_detrend(stub)

    def in_place(X):
        t = np.linspace(-0.5, 0.5, X.shape[1])
        X -= np.outer(X @ t / (t @ t), t)
        return X

    with pytest.raises(AssertionError, match="in place"):
        checks.check_detrend(in_place)
