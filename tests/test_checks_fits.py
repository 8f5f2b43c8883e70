"""The checks of exercises/01_diagnosing_fits.ipynb can fail, and fail with the right diagnosis.

For both function exercises: correct implementations written in different styles pass;
wrong implementations written the way students write them fail with the specific
message; a stub that still raises NotImplementedError fails saying the exercise is not
done; answers that are not one of the allowed labels are refused with a helpful message.
The mistake tables are sound (every wrong formula differs from the reference and from
every other one on some case, so each diagnosis is unambiguous), the cases cover every
verdict, and the reference agrees with reglab.diagnosis. For the multiple-choice
questions: the right letter passes, every wrong one fails with its own explanation.
"""


import numpy as np
import pytest
from check_failures import assert_feedback, own_copy

from reglab import diagnosis
from reglab.checks import Case, Mistake, fits
from reglab.checks.fits import (
    DIAGNOSE,
    EXERCISE1,
    EXERCISE2,
    LEARNING_CURVE,
    RECIPE_STEP,
    LabelExercise,
    check_diagnose,
    check_recipe_step,
)

EXERCISES = [DIAGNOSE, RECIPE_STEP]
CHECKS = {"diagnose": check_diagnose, "recipe_step": check_recipe_step}


# ------------------------------------------------------------------ correct answers pass

def _diagnose_if_else(train_err, val_err, baseline_err, tol=0.1):
    bias = train_err - baseline_err
    var = val_err - train_err
    if bias > tol and var > tol:
        return "both"
    elif bias > tol:
        return "high bias"
    elif var > tol:
        return "high variance"
    else:
        return "good fit"


def _diagnose_table(train_err, val_err, baseline_err, tol=0.1):
    key = (train_err - baseline_err > tol, val_err - train_err > tol)
    return {(True, True): "Both", (True, False): "High bias ",
            (False, True): " high  variance", (False, False): "GOOD FIT"}[key]


def _recipe_step_own(train_err, val_err, baseline_err, tol=0.1):
    if train_err - baseline_err > tol:
        return "bigger network"
    if val_err - train_err > tol:
        return "regularize or more data"
    return "done"


CORRECT = [
    ("diagnose", _diagnose_if_else),
    ("diagnose", _diagnose_table),          # case and spaces do not matter
    ("recipe_step", _recipe_step_own),
    ("recipe_step", lambda tr, va, base, tol=0.1: {
        "high bias": "bigger network", "both": "bigger network",
        "high variance": "regularize or more data", "good fit": "done"}[
        _diagnose_if_else(tr, va, base, tol)]),
]


@pytest.mark.parametrize("name, fn", CORRECT, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CORRECT)])
def test_correct_implementations_pass(name, fn, capsys):
    assert CHECKS[name](fn) is None
    n = len(DIAGNOSE.cases)
    assert capsys.readouterr().out == f"✓ {name} passed {n} cases\n"


def test_exercise_references_pass():
    for ex in EXERCISES:
        assert ex.check(ex.reference) is None


def test_references_agree_with_reglab_diagnosis():
    for case in DIAGNOSE.cases:
        assert DIAGNOSE.reference(*case.args) == diagnosis.diagnose(*case.args)
        assert RECIPE_STEP.reference(*case.args) == diagnosis.recipe_step(*case.args)


def test_cases_cover_every_verdict_and_every_step():
    verdicts = [DIAGNOSE.reference(*c.args) for c in DIAGNOSE.cases]
    assert set(verdicts) == set(diagnosis.VERDICTS)
    steps = {RECIPE_STEP.reference(*c.args) for c in RECIPE_STEP.cases}
    assert steps == {"bigger network", "regularize or more data", "done"}
    labels = " ".join(c.label for c in DIAGNOSE.cases)
    for phrase in ("INF721", "baseline", "tol", "below the noise floor", "below the training"):
        assert phrase in labels


def test_no_case_sits_near_a_tolerance_boundary_unless_exactly_on_it():
    # a gap within rounding of tol would make the verdict depend on float noise; a gap
    # exactly equal to tol (numbers exact in binary) is what tells > from >=
    on_boundary = 0
    for case in DIAGNOSE.cases:
        tr, va, base, *rest = case.args
        tol = rest[0] if rest else 0.1
        for gap in (tr - base, va - tr):
            assert gap == tol or abs(gap - tol) > 1e-3, case.label
            on_boundary += gap == tol and float(np.float32(gap)) == tol
    assert on_boundary >= 1


# ----------------------------------------------- known wrong answers, specific messages

def _ignores_baseline(train_err, val_err, baseline_err, tol=0.1):
    return _diagnose_if_else(train_err, val_err, 0, tol)


def _swapped(train_err, val_err, baseline_err, tol=0.1):
    bias = val_err - train_err          # "bias is the gap between the two"
    var = train_err - baseline_err
    return {(True, True): "both", (True, False): "high bias", (False, True): "high variance",
            (False, False): "good fit"}[(bias > tol, var > tol)]


def _variance_from_baseline(train_err, val_err, baseline_err, tol=0.1):
    bias = train_err - baseline_err
    var = val_err - baseline_err
    if bias > tol and var > tol:
        return "both"
    if bias > tol:
        return "high bias"
    if var > tol:
        return "high variance"
    return "good fit"


def _bias_from_validation(train_err, val_err, baseline_err, tol=0.1):
    bias = val_err - baseline_err
    var = val_err - train_err
    if bias > tol and var > tol:
        return "both"
    if bias > tol:
        return "high bias"
    if var > tol:
        return "high variance"
    return "good fit"


def _elif_chain(train_err, val_err, baseline_err, tol=0.1):
    if train_err - baseline_err > tol:
        return "high bias"
    elif val_err - train_err > tol:
        return "high variance"
    return "good fit"


def _elif_chain_variance_first(train_err, val_err, baseline_err, tol=0.1):
    if val_err - train_err > tol:
        return "high variance"
    elif train_err - baseline_err > tol:
        return "high bias"
    return "good fit"


def _any_gap(train_err, val_err, baseline_err, tol=0.1):
    return _diagnose_if_else(train_err, val_err, baseline_err, 0)


def _hard_coded_tol(train_err, val_err, baseline_err, tol=0.1):
    return _diagnose_if_else(train_err, val_err, baseline_err, 0.1)


def _absolute_gaps(train_err, val_err, baseline_err, tol=0.1):
    bias = abs(train_err - baseline_err)
    var = abs(val_err - train_err)
    return {(True, True): "both", (True, False): "high bias", (False, True): "high variance",
            (False, False): "good fit"}[(bias > tol, var > tol)]


def _flipped_comparisons(train_err, val_err, baseline_err, tol=0.1):
    bias, var = train_err - baseline_err, val_err - train_err
    return {(True, True): "both", (True, False): "high bias", (False, True): "high variance",
            (False, False): "good fit"}[(bias < tol, var < tol)]


def _step_variance_first(train_err, val_err, baseline_err, tol=0.1):
    if val_err - train_err > tol:
        return "regularize or more data"
    if train_err - baseline_err > tol:
        return "bigger network"
    return "done"


def _step_swapped(train_err, val_err, baseline_err, tol=0.1):
    verdict = _diagnose_if_else(train_err, val_err, baseline_err, tol)
    return {"high bias": "regularize or more data", "both": "regularize or more data",
            "high variance": "bigger network", "good fit": "done"}[verdict]


def _step_validation_only(train_err, val_err, baseline_err, tol=0.1):
    if val_err - baseline_err > tol:
        return "regularize or more data"
    return "done"


def _step_gap_only(train_err, val_err, baseline_err, tol=0.1):
    return "regularize or more data" if val_err - train_err > tol else "done"


def _step_bias_only(train_err, val_err, baseline_err, tol=0.1):
    return "bigger network" if train_err - baseline_err > tol else "done"


def _step_ignores_baseline(train_err, val_err, baseline_err, tol=0.1):
    return _recipe_step_own(train_err, val_err, 0.0, tol)


def _step_hard_coded_tol(train_err, val_err, baseline_err, tol=0.1):
    return _recipe_step_own(train_err, val_err, baseline_err, 0.1)


WRONG = [
    ("diagnose", _ignores_baseline, r"compared the training error with 0 instead of the baseline"),
    ("diagnose", _swapped, r"you swapped bias and variance"),
    ("diagnose", _variance_from_baseline, r"variance from the baseline, val_err - baseline_err"),
    ("diagnose", _bias_from_validation, r"bias on the validation error"),
    ("diagnose", _elif_chain, r"you never return \"both\""),
    ("diagnose", _elif_chain_variance_first, r"never return \"both\".*yours returns \"high variance\""),
    ("diagnose", _any_gap, r"compared the gaps with 0"),
    ("diagnose", _hard_coded_tol, r"ignored the tol argument"),
    ("diagnose", _absolute_gaps, r"took absolute values of the gaps"),
    ("diagnose", _flipped_comparisons, r"comparisons point the wrong way"),
    ("recipe_step", _step_variance_first, r"Algorithm 1 tests for high bias first"),
    ("recipe_step", _step_swapped, r"you swapped the remedies"),
    ("recipe_step", _step_ignores_baseline, r"compared the training error with 0"),
    ("recipe_step", _step_validation_only, r"looked only at the validation error"),
    ("recipe_step", _step_gap_only, r"only looked at the gap"),
    ("recipe_step", _step_bias_only, r"only looked at the training error"),
    ("recipe_step", _step_hard_coded_tol, r"ignored the tol argument"),
]


@pytest.mark.parametrize(("name", "wrong", "message"), WRONG,
                         ids=[f"{n}-{w.__name__}" for n, w, _ in WRONG])
def test_known_wrong_answer_gets_specific_message(name, wrong, message):
    with pytest.raises(AssertionError, match=message) as info:
        CHECKS[name](wrong)
    text = str(info.value)
    assert text.startswith(f"{name} is wrong on ")
    assert "expected '" in text and "got '" in text and "First failure:" in text
    assert "train_err = " in text and "baseline_err = " in text   # the failing inputs, named


def test_unknown_mistake_gets_generic_advice():
    def odd(train_err, val_err, baseline_err, tol=0.1):
        return "good fit" if val_err < 0.3 else "both"

    with pytest.raises(AssertionError, match="not one of the usual ones"):
        check_diagnose(odd)


# --------------------------------------------------------------- answers that are not labels

@pytest.mark.parametrize("returned, match", [
    (None, r"returned None .*forget the `return` statement"),
    (True, r"must return one of the strings 'good fit', 'high bias', 'high variance', 'both', "
           r"got bool True"),
    (("high bias", 0.5), r"must return one of the strings"),
    ("overfitting", r"returned 'overfitting'.*not one of the answers.*write 'high variance'"),
    ("underfit", r"write 'high bias'"),
    ("medium bias", r"returned 'medium bias'.*not one of the answers the check understands: "
                    r"'good fit', 'high bias', 'high variance', 'both'\.$"),
])
def test_answers_that_are_not_labels_are_refused(returned, match):
    with pytest.raises(AssertionError, match=match):
        check_diagnose(lambda *args: returned)


def test_recipe_step_label_hint():
    with pytest.raises(AssertionError, match=r"returned 'regularize'.*write 'regularize or more data'"):
        check_recipe_step(lambda *args: "regularize")


def test_passing_the_result_instead_of_the_function():
    with pytest.raises(TypeError, match="pass diagnose itself, without parentheses"):
        check_diagnose("high bias")


def test_an_exception_in_the_student_function_names_the_case():
    def broken(train_err, val_err, baseline_err, tol=0.1):
        return {"a": 1}[train_err]

    with pytest.raises(KeyError) as info:
        check_diagnose(broken)
    notes = getattr(info.value, "__notes__", [])
    if notes:  # Python >= 3.11
        assert "raised by diagnose on the INF721 cats-vs-dogs underfit" in notes[0]


def test_label_exercise_works_on_its_own():
    ex = LabelExercise(
        name="sign", reference=lambda x: "positive" if x > 0 else "negative",
        cases=(Case("one", (1.0,)), Case("minus one", (-1.0,))),
        mistakes=(Mistake(lambda x: "positive", "you always said positive"),),
        labels=("positive", "negative"))
    assert ex.check(lambda x: "Positive" if x > 0 else "NEGATIVE ") is None
    with pytest.raises(AssertionError, match="always said positive"):
        ex.check(lambda x: "positive")


# ------------------------------------------------------------------ multiple choice

def test_right_answers():
    assert (EXERCISE1.answer, EXERCISE2.answer, LEARNING_CURVE.answer) == ("b", "c", "c")


def test_explanations_are_specific():
    # every explanation is long enough to say why (distinctness: test_checks_tables.py)
    for mc in (EXERCISE1, EXERCISE2, LEARNING_CURVE):
        assert len(mc.why) == 4 and all(len(t) > 120 for t in mc.why.values())
    assert "high variance" in EXERCISE1.why["b"] and "bias" in EXERCISE1.why["a"]
    assert "linear" in EXERCISE1.why["d"]
    assert "(1 − αλ/m)W" in EXERCISE2.why["c"]


def test_inf721_options_are_the_lecture_ones():
    assert EXERCISE1.options["b"] == "Add L2 regularization to the loss function"
    assert EXERCISE2.options["c"] == "Weights are pushed toward becoming smaller (closer to 0)"


# ----------------------------------------------- plausible answers, as students write them

def _verdict(bias, variance):
    if bias and variance:
        return "both"
    if bias:
        return "high bias"
    if variance:
        return "high variance"
    return "good fit"


def _diag(bias_gap, variance_gap, cmp=lambda gap, tol: gap > tol):
    def diagnose(train_err, val_err, baseline_err, tol=0.1):
        return _verdict(cmp(bias_gap(train_err, val_err, baseline_err), tol),
                        cmp(variance_gap(train_err, val_err, baseline_err), tol))
    return diagnose


def _bias(tr, va, base):
    return tr - base


def _variance(tr, va, base):
    return va - tr


def _elif_chain(train_err, val_err, baseline_err, tol=0.1):
    if train_err - baseline_err > tol:
        return "high bias"
    elif val_err - train_err > tol:
        return "high variance"
    elif train_err - baseline_err > tol and val_err - train_err > tol:
        return "both"
    return "good fit"


def _hard_coded_tol(train_err, val_err, baseline_err, tol=0.1):
    return _verdict(train_err - baseline_err > 0.1, val_err - train_err > 0.1)


DIAGNOSE_WRONG = {
    "bias against 0": _diag(lambda tr, va, base: tr, _variance),
    "bias and variance swapped": _diag(_variance, _bias),
    "variance from the baseline": _diag(_bias, lambda tr, va, base: va - base),
    "bias from the validation error": _diag(lambda tr, va, base: va - base, _variance),
    "no 'both' (elif chain)": _elif_chain,
    "gaps against 0": _diag(_bias, _variance, lambda gap, tol: gap > 0),
    "tol hard-coded": _hard_coded_tol,
    "absolute values": _diag(_bias, _variance, lambda gap, tol: abs(gap) > tol),
    "comparisons reversed": _diag(_bias, _variance, lambda gap, tol: gap < tol),
    ">= instead of >": _diag(_bias, _variance, lambda gap, tol: gap >= tol),
}
DIAGNOSE_RIGHT = [
    own_copy(fits._diagnose),
    _diag(_bias, _variance),
    lambda tr, va, base, tol=0.1: {(True, True): "both", (True, False): "high bias",
                                   (False, True): "high variance", (False, False): "good fit"}[
        (float(np.float32(tr) - np.float32(base)) > tol,
         float(np.float32(va) - np.float32(tr)) > tol)],
]


def _step_from(verdict_fn):
    def recipe_step(train_err, val_err, baseline_err, tol=0.1):
        v = verdict_fn(train_err, val_err, baseline_err, tol)
        if v in ("high bias", "both"):
            return "bigger network"
        if v == "high variance":
            return "regularize or more data"
        return "done"
    return recipe_step


def _step_variance_first(train_err, val_err, baseline_err, tol=0.1):
    if val_err - train_err > tol:
        return "regularize or more data"
    if train_err - baseline_err > tol:
        return "bigger network"
    return "done"


def _step_swapped(train_err, val_err, baseline_err, tol=0.1):
    if train_err - baseline_err > tol:
        return "regularize or more data"
    if val_err - train_err > tol:
        return "bigger network"
    return "done"


def _step_both_is_done(train_err, val_err, baseline_err, tol=0.1):
    v = fits._diagnose(train_err, val_err, baseline_err, tol)
    return {"high bias": "bigger network", "high variance": "regularize or more data"}.get(
        v, "done")


RECIPE_WRONG = {
    "variance first": _step_variance_first,
    "remedies swapped": _step_swapped,
    "bias against 0": _step_from(DIAGNOSE_WRONG["bias against 0"]),
    "validation error only": lambda tr, va, base, tol=0.1:
        "regularize or more data" if va - base > tol else "done",
    "gap only": lambda tr, va, base, tol=0.1: "regularize or more data" if va - tr > tol
        else "done",
    "bias only": lambda tr, va, base, tol=0.1: "bigger network" if tr - base > tol else "done",
    "tol hard-coded": _step_from(lambda tr, va, base, tol: fits._diagnose(tr, va, base)),
    "'both' means done": _step_both_is_done,
    "absolute values": _step_from(lambda tr, va, base, tol: DIAGNOSE_WRONG["absolute values"](
        tr, va, base, tol)),
}
RECIPE_RIGHT = [own_copy(fits._recipe_step), _step_from(_diag(_bias, _variance)),
                _step_from(lambda tr, va, base, tol: DIAGNOSE_RIGHT[2](tr, va, base, tol))]


@pytest.mark.parametrize(("check", "wrong", "right"), [
    (check_diagnose, DIAGNOSE_WRONG, DIAGNOSE_RIGHT),
    (check_recipe_step, RECIPE_WRONG, RECIPE_RIGHT),
], ids=["diagnose", "recipe_step"])
def test_plausible_answers_are_told_apart(check, wrong, right, capsys):
    assert_feedback(check, wrong, right)


@pytest.mark.parametrize(("check", "answer"), [
    (check_diagnose, lambda tr, va, base, tol=0.1: diagnosis.diagnose(tr, va, base, tol)),
    (check_recipe_step, lambda tr, va, base, tol=0.1: diagnosis.recipe_step(tr, va, base, tol)),
    (check_diagnose, lambda tr, va, base, tol=0.1: diagnosis.verdict(
        diagnosis.avoidable_bias(tr, base) > tol, diagnosis.variance(tr, va) > tol)),
], ids=["diagnose", "recipe_step", "diagnose from reglab's gaps"])
def test_an_answer_that_calls_reglab_diagnosis_is_refused(check, answer):
    with pytest.raises(AssertionError, match="calls reglab.diagnosis.*write it yourself"):
        check(answer)
