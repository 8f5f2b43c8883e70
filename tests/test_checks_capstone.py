"""The checks of exercises/12_capstone.ipynb can fail, and fail with the right diagnosis.

The references agree with reglab.invariance.detrend and with a least-squares fit, and the
standard error with a simulation; correct solutions written in other ways pass; wrong ones
written the way students write them (independently of the checks' own table) fail with the
specific message.
"""

import re

import numpy as np
import pytest
from check_failures import assert_feedback

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


@pytest.mark.parametrize("fn", [detrend_polyfit, detrend_other_scale])
def test_correct_detrends_pass(fn, capsys):
    assert checks.check_detrend(fn) is None
    assert "passed" in capsys.readouterr().out


def test_reglabs_own_detrend_is_refused():
    with pytest.raises(AssertionError, match=r"^detrend is reglab's own answer to this task, "
                                             r"imported instead of written"):
        checks.check_detrend(reglab_detrend)
    with pytest.raises(AssertionError, match=r"^detrend calls reglab\.invariance\.detrend"):
        checks.check_detrend(lambda X: reglab_detrend(X))


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


def detrend_line_added(X):
    t = np.linspace(-0.5, 0.5, X.shape[1])
    return X + np.outer(X @ t / (t @ t), t)


def detrend_returns_line(X):
    t = np.linspace(-0.5, 0.5, X.shape[1])
    return np.outer(X @ t / (t @ t), t)


def detrend_uncentred_subtraction(X):
    t = np.linspace(-0.5, 0.5, X.shape[1])
    c = X @ t / (t @ t)
    return X - c[:, None] * np.arange(X.shape[1]) / (X.shape[1] - 1)


def detrend_one_slope(X):
    t = np.linspace(-0.5, 0.5, X.shape[1])
    return X - (X @ t).mean() / (t @ t) * t


def detrend_no_denominator(X):
    t = np.linspace(-0.5, 0.5, X.shape[1])
    return X - (X @ t)[:, None] * t


WRONG_DETREND = {
    "removed the mean as well": detrend_full_line,
    "not centred": detrend_arange,
    "divided x·t by L": detrend_mean_of_products,
    "two end points": detrend_endpoints,
    "wrong axis": detrend_axis0,
    "added the line": detrend_line_added,
    "returned the fitted line": detrend_returns_line,
    "uncentred ramp": detrend_uncentred_subtraction,
    "one line for all the signals": detrend_one_slope,
    "did not divide x·t by t·t": detrend_no_denominator,
}

WRONG_SE = {
    "square root": lambda p, n: p * (1 - p) / n,
    "n − 1": lambda p, n: np.sqrt(p * (1 - p) / (n - 1)),
    "factor (1 − p)": lambda p, n: (p / n) ** 0.5,
    "instead of sqrt": lambda p, n: np.sqrt(p * (1 - p)) / n,
    "over the whole": lambda p, n: p * (1 - p) / n ** 0.5,
    "error rate alone": lambda p, n: np.sqrt((1 - p) / n),
    "1.96": lambda p, n: 1.96 * (p * (1 - p) / n) ** 0.5,
    "multiplied by 2": lambda p, n: 2 * np.sqrt(p * (1 - p) / n),
    "NUMBER of correct answers": lambda p, n: np.sqrt(n * p * (1 - p)),
    "n is missing": lambda p, n: np.sqrt(p - p**2),
}


def _float32(fn):
    return lambda *args: np.float32(fn(*args)) if np.ndim(args[0]) == 0 else fn(
        *(np.asarray(a, dtype=np.float32) for a in args)).astype(np.float32)


@pytest.mark.parametrize(("check", "wrong", "right"), [
    (checks.check_detrend, WRONG_DETREND, [detrend_polyfit, detrend_other_scale]),
    (checks.check_standard_error, WRONG_SE, [lambda p, n: (p * (1 - p) / n) ** 0.5,
                                             lambda p, n: np.sqrt(p - p * p) / np.sqrt(n)]),
], ids=["detrend", "standard_error"])
def test_plausible_answers_are_judged_and_named(check, wrong, right):
    assert len(wrong) >= 8
    assert_feedback(check, wrong, right + [_float32(fn) for fn in right])
    for words, fn in wrong.items():
        with pytest.raises(AssertionError, match=re.escape(words)):
            check(fn)


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
