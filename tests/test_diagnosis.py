"""reglab.diagnosis: the verdicts of the INF721 lecture, the recipe's next step, bad input."""

import doctest
import itertools

import numpy as np
import pytest

import reglab.diagnosis
from reglab.diagnosis import (
    RECIPE_STEPS,
    VERDICTS,
    avoidable_bias,
    diagnose,
    recipe_step,
    variance,
)

# INF721, section 2.2: cats vs dogs, humans ≈ 100 %: (training accuracy, validation accuracy)
CATS_DOGS = {"high bias": (0.45, 0.42), "high variance": (0.99, 0.67), "good fit": (0.95, 0.94)}


@pytest.mark.parametrize("verdict, accuracies", CATS_DOGS.items())
def test_inf721_cats_vs_dogs_table(verdict, accuracies):
    train_acc, val_acc = accuracies
    assert diagnose(1 - train_acc, 1 - val_acc, 0.0) == verdict


def test_inf721_exercise1_is_high_variance_and_calls_for_regularization():
    assert diagnose(1 - 0.995, 1 - 0.87, 0.0) == "high variance"
    assert recipe_step(1 - 0.995, 1 - 0.87, 0.0) == "regularize or more data"


def test_the_baseline_matters():
    # a training error of 30 % is poor against humans at 0 %, fine against a 25 % Bayes error
    assert diagnose(0.30, 0.34, 0.0) == "high bias"
    assert diagnose(0.30, 0.34, 0.25) == "good fit"


def test_gaps_in_the_good_direction_are_not_problems():
    assert diagnose(0.02, 0.30, 0.09, tol=0.045) == "high variance"  # train below the noise floor
    assert diagnose(0.30, 0.15, 0.25) == "good fit"                   # val below train


def test_a_gap_of_exactly_tol_is_accepted():
    # 0.5, 0.25 and 0.75 are exact in binary floating point
    assert diagnose(0.5, 0.75, 0.25, tol=0.25) == "good fit"
    assert diagnose(0.5, 0.75 + 1e-9, 0.25, tol=0.25) == "high variance"


def test_every_verdict_and_its_step():
    cases = {"good fit": (0.05, 0.06, 0.0), "high bias": (0.5, 0.52, 0.0),
             "high variance": (0.0, 0.3, 0.0), "both": (0.2, 0.4, 0.0)}
    assert set(cases) == set(VERDICTS) == set(RECIPE_STEPS)
    for verdict, args in cases.items():
        assert diagnose(*args) == verdict
        assert recipe_step(*args) == RECIPE_STEPS[verdict]
    assert recipe_step(*cases["both"]) == "bigger network"          # bias first
    assert recipe_step(*cases["good fit"]) == "done"


def test_verdict_matches_the_definitions_on_a_grid():
    values = np.linspace(0, 0.6, 13)
    for tr, va, base in itertools.product(values, values, values[:4]):
        for tol in (0.0, 0.05, 0.1):
            bias, var = avoidable_bias(tr, base), variance(tr, va)
            assert bias == pytest.approx(tr - base) and var == pytest.approx(va - tr)
            expected = {(False, False): "good fit", (True, False): "high bias",
                        (False, True): "high variance", (True, True): "both"}[
                (bias > tol, var > tol)]
            assert diagnose(tr, va, base, tol) == expected


def test_accepts_numpy_scalars_and_large_errors():
    assert diagnose(np.float32(0.0), np.float64(0.4), 0.04) == "high variance"
    assert diagnose(3.0, 3.2, 0.09, tol=0.5) == "high bias"   # MSEs are not bounded by 1


def test_docstring_example():
    result = doctest.testmod(reglab.diagnosis, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 1 and result.failed == 0


@pytest.mark.parametrize("call, error, match", [
    (lambda: diagnose(-0.1, 0.2, 0.0), ValueError, r"train_err must be in \[0, inf\), got -0.1"),
    (lambda: diagnose(0.1, float("nan"), 0.0), ValueError, "val_err must be finite"),
    (lambda: diagnose(0.1, 0.2, -0.04), ValueError, "baseline_err must be in"),
    (lambda: diagnose(0.1, 0.2, 0.0, tol=-1), ValueError, "tol must be in"),
    (lambda: diagnose("0.1", 0.2, 0.0), TypeError, "train_err must be a real number"),
    (lambda: diagnose(0.1, 0.2, None), TypeError, "baseline_err must be a real number"),
    (lambda: recipe_step(0.1, -0.2, 0.0), ValueError, "val_err must be in"),
    (lambda: avoidable_bias(0.1, -1.0), ValueError, "baseline_err must be in"),
    (lambda: variance(True, 0.2), TypeError, "train_err must be a real number"),
])
def test_bad_input_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_sealed_test_set_answers_once():
    class Constant:
        def predict(self, X):
            return np.zeros(len(X), dtype=int)

    sealed = reglab.diagnosis.SealedTestSet(np.ones((4, 2)), np.array([0, 0, 1, 0]))
    assert not sealed.opened
    assert sealed.accuracy(Constant()) == 0.75 and sealed.opened
    with pytest.raises(RuntimeError, match="already been used once"):
        sealed.accuracy(Constant())
    with pytest.raises(ValueError, match=r"y must be \(4,\) integer labels"):
        reglab.diagnosis.SealedTestSet(np.ones((4, 2)), np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="dtype float64"):
        reglab.diagnosis.SealedTestSet(np.ones((4, 2)), np.zeros(4))
