"""The checks of exercises/06_early_stopping.ipynb can fail, and fail with the right diagnosis.

The reference of early_stopping_epochs agrees with reglab.EarlyStopping (on random curves,
fed epoch by epoch through a stand-in History, and on a real fit); correct solutions
written in other ways pass; wrong ones, written the way students write them, fail with
their specific message; the untouched stub fails as "not implemented yet"; every option
of the multiple-choice questions has its explanation.
"""

from types import SimpleNamespace

import numpy as np
import pytest
from check_failures import assert_feedback, own_copy
from hypothesis import given, settings
from hypothesis import strategies as st

from reglab import SGD, Dense, EarlyStopping, ReLU, Sequential, fit, mean_squared_error
from reglab.checks import early_stopping as checks

EX = checks.EARLY_STOPPING_EPOCHS
reference = EX.reference


# ------------------------------------------------------------ agreement with EarlyStopping

def fed_stopper(val_losses, patience, min_delta=0.0):
    """reglab's EarlyStopping after being fed ``val_losses`` one epoch at a time."""
    stopper = EarlyStopping(patience=patience, min_delta=min_delta, restore_best=False)
    stopper.on_train_begin(None)
    history = SimpleNamespace(val_loss=[])
    for epoch, value in enumerate(val_losses):
        history.val_loss.append(value)
        if stopper.on_epoch_end(epoch, history, None):
            break
    return stopper


def reglab_epochs(val_losses, patience, min_delta=0.0):
    """(stop_epoch, best_epoch) from reglab's EarlyStopping, fed one epoch at a time."""
    stopper = fed_stopper(val_losses, patience, min_delta)
    stop = len(val_losses) - 1 if stopper.stopped_epoch is None else stopper.stopped_epoch
    return stop, stopper.best_epoch


# Values on a coarse grid, so that ties and drops of exactly min_delta happen often.
curves = st.lists(st.integers(0, 12).map(lambda k: k / 4), min_size=1, max_size=40)


@settings(max_examples=400, deadline=None)
@given(curve=curves, patience=st.integers(0, 6), min_delta=st.sampled_from([0.0, 0.25, 0.6]))
def test_reference_agrees_with_reglab_early_stopping(curve, patience, min_delta):
    assert reference(curve, patience, min_delta) == reglab_epochs(curve, patience, min_delta)


@settings(max_examples=200, deadline=None)
@given(curve=st.lists(st.floats(0.01, 5.0, allow_nan=False), min_size=1, max_size=60),
       patience=st.integers(0, 10))
def test_reference_agrees_on_continuous_curves(curve, patience):
    assert reference(curve, patience) == reglab_epochs(curve, patience)


@settings(max_examples=300, deadline=None)
@given(curve=curves, patience=st.integers(0, 6))
def test_stop_is_best_plus_patience_and_best_is_the_minimum_before_the_stop(curve, patience):
    stop, best = reference(curve, patience)
    assert best == int(np.argmin(curve[:stop + 1]))   # first occurrence of the minimum so far
    if fed_stopper(curve, patience).stopped_epoch is not None:             # stopped by the rule, not by the end
        assert stop == best + max(patience, 1)


def test_every_case_agrees_with_reglab():
    for case in EX.cases:
        assert reference(*case.args) == reglab_epochs(*case.args), case.label


def test_reference_agrees_with_early_stopping_inside_fit():
    """A tiny real fit: the History of a run without stopping, and a run with EarlyStopping."""
    data_rng = np.random.default_rng(0)
    X = data_rng.normal(size=(40, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.5 * data_rng.normal(size=40)
    train, val = (X[:12], y[:12]), (X[12:], y[12:])

    def run(callbacks=()):
        rng = np.random.default_rng(1)
        model = Sequential([Dense(3, 30, rng=rng), ReLU(), Dense(30, 1, rng=rng)])
        return fit(model, train, val=val, loss=mean_squared_error, optimizer=SGD(lr=0.05),
                   epochs=60, batch_size=4, rng=rng, callbacks=callbacks, progress=False)

    full = run()
    for patience in (0, 1, 3):
        stopper = EarlyStopping(patience=patience)
        short = run([stopper])
        stop, best = reference(full.val_loss, patience)
        assert best == stopper.best_epoch
        assert stop == (59 if stopper.stopped_epoch is None else stopper.stopped_epoch)
        assert short.epochs == stop + 1
    assert reference(full.val_loss, 1)[0] < 59      # the curve does turn up: it stops


def test_patience_zero_acts_like_patience_one():
    for case in EX.cases:
        curve, _, *rest = case.args
        assert reference(curve, 0, *rest) == reference(curve, 1, *rest)


# ---------------------------------------------------------------- correct solutions pass

def solution_for_loop(val_losses, patience, min_delta=0.0):
    """The notebook's solution."""
    best_value, best_epoch, wait = val_losses[0], 0, 0
    for epoch in range(1, len(val_losses)):
        if best_value - val_losses[epoch] > min_delta:
            best_value, best_epoch, wait = val_losses[epoch], epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
    return len(val_losses) - 1, best_epoch


def solution_inf_start(val_losses, patience, min_delta=0.0):
    """best = inf at the start, the stop tested as `epoch - best_epoch`."""
    best, best_epoch, stop = float("inf"), None, len(val_losses) - 1
    for epoch, v in enumerate(val_losses):
        if v < best - min_delta:
            best, best_epoch = v, epoch
        elif epoch - best_epoch >= max(patience, 1):
            stop = epoch
            break
    return stop, best_epoch


def solution_while_numpy(val_losses, patience, min_delta=0.0):
    """A while loop over a NumPy array, returning a NumPy array of two ints."""
    v = np.asarray(val_losses)
    best_epoch, wait, t = 0, 0, 1
    while t < len(v):
        if v[best_epoch] - v[t] > min_delta:
            best_epoch, wait = t, 0
        else:
            wait += 1
            if wait >= patience:
                break
        t += 1
    return np.array([min(t, len(v) - 1), best_epoch])


@pytest.mark.parametrize("solution", [reference, solution_for_loop, solution_inf_start,
                                      solution_while_numpy])
def test_correct_solutions_pass(solution, capsys):
    assert checks.check_early_stopping_epochs(solution) is None
    assert capsys.readouterr().out == "✓ early_stopping_epochs passed 11 cases\n"


# ------------------------------------------------------ wrong answers get their message

def _loop(val_losses, patience, min_delta=0.0, *, stop=lambda w, p: w >= p, improves=None,
          reset=True, base=0, end=-1, best_is_stop=False):
    """A student's loop with one thing changed."""
    improves = improves or (lambda best, v, d: best - v > d)
    best, best_epoch, wait = val_losses[0], 0, 0
    for epoch in range(1, len(val_losses)):
        if improves(best, val_losses[epoch], min_delta):
            best, best_epoch = val_losses[epoch], epoch
            if reset:
                wait = 0
        else:
            wait += 1
            if stop(wait, patience):
                return epoch + base, (epoch if best_is_stop else best_epoch) + base
    last = len(val_losses) + end
    return last + base, (last if best_is_stop else best_epoch) + base


def one_based(v, p, d=0.0):
    return _loop(v, p, d, base=1)


def number_of_epochs(v, p, d=0.0):
    stop, best = _loop(v, p, d)
    return stop + 1, best


def len_when_never_stopped(v, p, d=0.0):
    return _loop(v, p, d, end=0)


def late(v, p, d=0.0):
    return _loop(v, p, d, stop=lambda w, q: w > q)


def check_before_counting(val_losses, patience, min_delta=0.0):
    """Tests the counter before adding the current epoch: also one epoch late."""
    best, best_epoch, wait = val_losses[0], 0, 0
    for epoch in range(1, len(val_losses)):
        if best - val_losses[epoch] > min_delta:
            best, best_epoch, wait = val_losses[epoch], epoch, 0
        else:
            if wait >= patience:
                return epoch, best_epoch
            wait += 1
    return len(val_losses) - 1, best_epoch


def early(v, p, d=0.0):
    return _loop(v, p, d, stop=lambda w, q: w >= q - 1)


def restore_last(v, p, d=0.0):
    return _loop(v, p, d, best_is_stop=True)


def argmin_of_everything(val_losses, patience, min_delta=0.0):
    stop, _ = _loop(val_losses, patience, min_delta)
    return stop, int(np.argmin(val_losses))


def ties_improve(v, p, d=0.0):
    return _loop(v, p, d, improves=lambda best, x, delta: x <= best - delta)


def no_min_delta(v, p, d=0.0):
    return _loop(v, p, d, improves=lambda best, x, delta: x < best)


def never_reset(v, p, d=0.0):
    return _loop(v, p, d, reset=False)


def previous_epoch(val_losses, patience, min_delta=0.0):
    best_epoch, wait = 0, 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch - 1] - val_losses[epoch] > min_delta:
            best_epoch, wait = epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
    return len(val_losses) - 1, best_epoch


def counter_tested_every_epoch(val_losses, patience, min_delta=0.0):
    best, best_epoch, wait = None, 0, 0
    for epoch, v in enumerate(val_losses):
        if best is None or best - v > min_delta:
            best, best_epoch, wait = v, epoch, 0
        else:
            wait += 1
        if wait >= patience:
            return epoch, best_epoch
    return len(val_losses) - 1, best_epoch


WRONG = [
    (one_based, r"every epoch is one too high: you counted epochs from 1"),
    (number_of_epochs, r"returned the number of epochs trained \(stop_epoch \+ 1\)"),
    (len_when_never_stopped, r"never stops early you returned len\(val_losses\)"),
    (late, r"you stopped one epoch late.*REACHES patience"),
    (check_before_counting, r"you stopped one epoch late"),
    (early, r"you stopped one epoch early"),
    (restore_last, r"best_epoch equals stop_epoch: you kept the last epoch's parameters"),
    (argmin_of_everything, r"minimum of the whole curve, including epochs after stop_epoch"),
    (ties_improve, r"you counted a tie as an improvement \(<= instead of <"),
    (no_min_delta, r"you ignored min_delta"),
    (never_reset, r"not the epochs IN A ROW: set the counter back to 0"),
    (previous_epoch, r"compared each value with the previous epoch instead of the best"),
    (counter_tested_every_epoch, r"with patience 0 you stopped at epoch 0"),
]


@pytest.mark.parametrize(("wrong", "message"), WRONG, ids=[w.__name__ for w, _ in WRONG])
def test_wrong_answers_get_specific_messages(wrong, message):
    with pytest.raises(AssertionError, match=message) as info:
        checks.check_early_stopping_epochs(wrong)
    assert "early_stopping_epochs is wrong on" in str(info.value)
    assert "expected (stop=" in str(info.value) and ", got (stop=" in str(info.value)


def test_failure_shows_the_pairs_and_the_case():
    with pytest.raises(AssertionError) as info:
        checks.check_early_stopping_epochs(late)
    text = str(info.value)
    assert "First failure: a U-shaped curve, patience 3" in text
    assert "val_losses = [1.0, 0.8, 0.65" in text and "patience = 3" in text
    assert "expected (stop=6, best=3), got (stop=7, best=3)" in text


def test_cases_cover_the_edges():
    labels = " | ".join(c.label for c in EX.cases)
    for word in ("ties", "patience 0", "patience 1", "min_delta", "never stops",
                 "shorter than the patience", "longer than the patience", "single epoch"):
        assert word in labels
    never = [c for c in EX.cases if reference(*c.args)[0] == len(c.args[0]) - 1
             and reglab_epochs(*c.args) == reference(*c.args)]
    assert never, "a case where training runs to the end"


def test_unknown_mistake_gets_the_fallback():
    with pytest.raises(AssertionError, match="not one of the usual ones"):
        checks.check_early_stopping_epochs(lambda v, p, d=0.0: (0, 0))


# ------------------------------------------------------------ malformed answers, stubs

def test_none_for_a_run_that_never_stops_is_explained():
    def none_stop(v, p, d=0.0):
        stop, best = own_copy(reference)(v, p, d)
        return (None if stop == len(v) - 1 else stop), best
    with pytest.raises(AssertionError, match=r"returned \(stop=None, best=5\).*len\(val_losses\) "
                                             r"- 1.*stopped_epoch is None"):
        checks.check_early_stopping_epochs(none_stop)


@pytest.mark.parametrize(("answer", "message"), [
    (None, r"returned None .* forget the statement `return stop_epoch, best_epoch`"),
    (3, r"must return the pair \(stop_epoch, best_epoch\), got int 3"),
    ((1, 2, 3), r"must return the pair \(stop_epoch, best_epoch\), got tuple"),
    ({"stop": 1, "best": 0}, r"must return the pair"),
    ((2.5, 1), r"stop_epoch = 2.5 .* an epoch is a whole number"),
    (("6", "3"), r"must return two whole numbers, got stop_epoch = '6'"),
])
def test_malformed_answers_are_explained(answer, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_early_stopping_epochs(lambda v, p, d=0.0: answer)


def test_list_and_float_answers_are_accepted(capsys):
    assert checks.check_early_stopping_epochs(lambda v, p, d=0.0: list(own_copy(reference)(v, p, d))) is None
    assert checks.check_early_stopping_epochs(
        lambda v, p, d=0.0: tuple(float(x) for x in own_copy(reference)(v, p, d))) is None


def test_in_place_change_of_the_curve_is_reported():
    def sorts(val_losses, patience, min_delta=0.0):
        result = own_copy(reference)(val_losses, patience, min_delta)
        val_losses.sort()
        return result
    with pytest.raises(AssertionError, match="changed its input in place"):
        checks.check_early_stopping_epochs(sorts)


def test_other_exceptions_propagate():
    def broken(val_losses, patience, min_delta=0.0):
        return val_losses.index(min(val_losses)) / 0
    with pytest.raises(ZeroDivisionError):
        checks.check_early_stopping_epochs(broken)


def test_passing_a_call_instead_of_a_function():
    with pytest.raises(TypeError, match="without parentheses"):
        checks.check_early_stopping_epochs((6, 3))


# ---------------------------------------------------------------- multiple choice

def test_right_answers():
    assert checks.RESTORE_QUESTION.answer == "b" and checks.PATIENCE_QUESTION.answer == "b"


def test_patience_question_numbers_hold():
    """The explanations quote what the rule does on the notebook's noisy curve."""
    curve = [1.00, 0.80, 0.70, 0.66, 0.68, 0.64, 0.61, 0.63, 0.58, 0.57, 0.55, 0.57, 0.59,
             0.60, 0.62, 0.63]
    assert reference(curve, 1) == reference(curve, 0) == (4, 3)     # stops at the first bump
    assert reference(curve, 5) == (15, 10)                          # reaches the low of 10
    assert reglab_epochs(curve, 5) == (15, 10)
    assert all(curve[t] < min(curve[:t]) for t in (5, 6, 8, 9, 10))  # the new lows


def test_restore_question_scenario_is_consistent():
    """Best at epoch 7, patience 5: the rule stops at epoch 12, as the question says."""
    curve = [1.0, 0.9, 0.8, 0.7, 0.65, 0.6, 0.58, 0.55, 0.56, 0.57, 0.59, 0.6, 0.62]
    assert reference(curve, 5) == reglab_epochs(curve, 5) == (12, 7)
    assert "epoch 12" in checks.RESTORE_QUESTION.options["a"]
    assert "epoch 7" in checks.RESTORE_QUESTION.options["b"]


def test_no_case_sits_on_the_min_delta_boundary():
    """No gain equals min_delta > 0 up to rounding, so `best - v > d` and `v < best - d` agree."""
    for case in EX.cases:
        curve, _, *rest = case.args
        delta = rest[0] if rest else 0.0
        if delta > 0:
            gains = [curve[s] - curve[t] for t in range(len(curve)) for s in range(t)]
            assert min(abs(g - delta) for g in gains) > 1e-6, case.label


# ----------------------------------------------- plausible answers, as students write them

def _stopper(improves=lambda best, v, d: best - v > d, stop=lambda wait, p: wait >= p,
             one_based=False, count_trained=False, end=-1, reset=True, best_of_all=False):
    """early_stopping_epochs written with a loop, with switches for the usual slips."""
    def early_stopping_epochs(val_losses, patience, min_delta=0.0):
        best, best_epoch, wait, stop_epoch = val_losses[0], 0, 0, None
        for epoch in range(1, len(val_losses)):
            if improves(best, val_losses[epoch], min_delta):
                best, best_epoch = val_losses[epoch], epoch
                if reset:
                    wait = 0
            else:
                wait += 1
                if stop(wait, patience):
                    stop_epoch = epoch
                    break
        if stop_epoch is None:
            stop_epoch = len(val_losses) + end
        if best_of_all:
            best_epoch = int(np.argmin(val_losses))
        shift = 1 if one_based else 0
        return stop_epoch + shift + (1 if count_trained else 0), best_epoch + shift
    return early_stopping_epochs


def _vs_previous(val_losses, patience, min_delta=0.0):
    best_epoch, wait = 0, 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch - 1] - val_losses[epoch] > min_delta:
            wait = 0
            if val_losses[epoch] < val_losses[best_epoch]:
                best_epoch = epoch
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
    return len(val_losses) - 1, best_epoch


def _keeps_last(val_losses, patience, min_delta=0.0):
    stop, _ = checks._early_stopping_epochs(val_losses, patience, min_delta)
    return stop, stop


def _vectorized(val_losses, patience, min_delta=0.0):
    v = np.asarray(val_losses, dtype=np.float32).astype(float)
    best, best_epoch, wait = v[0], 0, 0
    for epoch, value in enumerate(v[1:], start=1):
        improved = best - value > min_delta
        best, best_epoch = (value, epoch) if improved else (best, best_epoch)
        wait = 0 if improved else wait + 1
        if wait and wait >= patience:
            return epoch, best_epoch
    return len(v) - 1, best_epoch


STOPPING_WRONG = {
    "1-based epochs": _stopper(one_based=True),
    "number of epochs trained": _stopper(count_trained=True),
    "len(val_losses) at the end": _stopper(end=0),
    "wait > patience": _stopper(stop=lambda wait, p: wait > p),
    "wait >= patience - 1": _stopper(stop=lambda wait, p: wait >= p - 1),
    "last epoch kept": _keeps_last,
    "argmin over the whole curve": _stopper(best_of_all=True),
    "tie improves": _stopper(improves=lambda best, v, d: best - v >= d),
    "min_delta ignored": _stopper(improves=lambda best, v, d: v < best),
    "counter never reset": _stopper(reset=False),
    "compared with the previous epoch": _vs_previous,
}
STOPPING_RIGHT = [own_copy(checks._early_stopping_epochs), _stopper(), _vectorized]


def test_plausible_answers_are_told_apart(capsys):
    assert_feedback(checks.check_early_stopping_epochs, STOPPING_WRONG, STOPPING_RIGHT)


def test_an_answer_that_calls_reglab_early_stopping_is_refused():
    with pytest.raises(AssertionError, match="calls reglab.train.EarlyStopping.*write it yourself"):
        checks.check_early_stopping_epochs(reglab_epochs)
