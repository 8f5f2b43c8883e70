"""The checks of exercises/05_augmentation.ipynb can fail, and fail with the right diagnosis.

shift_signals is checked by the engine (cases + wrong formulas); random_shift by the
property checks of reglab.checks.augmentation. For both: correct implementations pass
(including ones that draw their shifts differently from the reference), wrong ones
written the way students write them fail with the specific message, and the untouched
stub fails as "not implemented yet".
"""

import random

import numpy as np
import pytest
from check_failures import assert_feedback, fails_with

from reglab import augment
from reglab.augment import _shift_along
from reglab.checks import augmentation as checks

# ---------------------------------------------------------------- helpers / solutions


def shift_loop(X, shifts):
    """A student's slicing solution."""
    m, L = X.shape
    out = np.zeros((m, L))
    for i, k in enumerate(shifts):
        k = int(k)
        if abs(k) >= L:
            continue
        if k >= 0:
            out[i, k:] = X[i, :L - k]
        else:
            out[i, :L + k] = X[i, -k:]
    return out


def shift_pad(X, shifts):
    """Another correct solution: pad with L zeros on both sides, cut a window."""
    m, L = X.shape
    P = np.pad(X, ((0, 0), (L, L)))
    return np.array([P[i, L - k:2 * L - k] if abs(k) < L else np.zeros(L)
                     for i, k in enumerate(np.asarray(shifts, dtype=int))])


def random_shift_ok(X, y, max_shift, rng):
    return shift_loop(X, rng.integers(-max_shift, max_shift + 1, size=len(X))), y.copy()


# ---------------------------------------------------------------- shift_signals

def test_shift_signals_reference_matches_reglab_augment():
    for case in checks.SHIFT_SIGNALS.cases:
        X, shifts = case.args
        expected = _shift_along(X, np.asarray(shifts), axis=1, wrap=False)
        np.testing.assert_allclose(checks.SHIFT_SIGNALS.reference(X, shifts), expected)


@pytest.mark.parametrize("solution", [shift_loop, shift_pad, checks.SHIFT_SIGNALS.reference])
def test_shift_signals_solutions_pass(solution, capsys):
    assert checks.check_shift_signals(solution) is None
    assert capsys.readouterr().out == "✓ shift_signals passed 7 cases\n"


def _wrong_direction(X, shifts):
    return shift_loop(X, -np.asarray(shifts))


def _rolled(X, shifts):
    return np.array([np.roll(x, k) for x, k in zip(X, shifts, strict=True)])


def _rolled_backwards(X, shifts):
    return np.array([np.roll(x, -k) for x, k in zip(X, shifts, strict=True)])


def _first_shift_only(X, shifts):
    return shift_loop(X, np.full(len(shifts), shifts[0]))


def _forgot_zero(X, shifts):
    m, L = X.shape
    out = np.zeros((m, L))
    for i, k in enumerate(shifts):
        if k > 0:
            out[i, k:] = X[i, :L - k]
        elif k < 0:
            out[i, :L + k] = X[i, -k:]
    return out


def _zeroed_not_moved(X, shifts):
    out = X.copy()
    for i, k in enumerate(shifts):
        if k > 0:
            out[i, :k] = 0
        elif k < 0:
            out[i, k:] = 0
    return out


def _in_place(X, shifts):
    for i, k in enumerate(shifts):
        X[i] = shift_loop(X[i:i + 1], [k])[0]
    return X


SHIFT_WRONG = [
    (_wrong_direction, r"wrong direction: a positive k moves the pattern to the right"),
    (_rolled, r"you wrapped around \(np\.roll\).*filled with zeros"),
    (_rolled_backwards, r"wrapped around \(np\.roll\) and shifted in the wrong direction"),
    (_first_shift_only, r"shifted every signal by shifts\[0\]"),
    (_forgot_zero, r"forgot k = 0"),
    (_zeroed_not_moved, r"did not move the pattern"),
]


@pytest.mark.parametrize(("wrong", "message"), SHIFT_WRONG, ids=[w.__name__ for w, _ in SHIFT_WRONG])
def test_shift_signals_wrong_answers_get_specific_messages(wrong, message):
    with pytest.raises(AssertionError, match=message) as info:
        checks.check_shift_signals(wrong)
    assert str(info.value).startswith("shift_signals is wrong on ")


def test_shift_signals_in_place_is_reported():
    with pytest.raises(AssertionError, match="changed its input in place"):
        checks.check_shift_signals(_in_place)


def test_shift_signals_cases_cover_the_edges():
    labels = " ".join(c.label for c in checks.SHIFT_SIGNALS.cases)
    for word in ("negative", "shift of 0", "as long as the signal", "single", "random"):
        assert word in labels


# ---------------------------------------------------------------- random_shift: passes

@pytest.mark.parametrize("solution", [
    random_shift_ok,
    lambda X, y, s, rng: (shift_pad(X, rng.integers(-s, s, size=len(X), endpoint=True)), y),
    lambda X, y, s, rng: (shift_loop(X, [rng.integers(-s, s + 1) for _ in X]), y),  # one draw per row
    lambda X, y, s, rng: (shift_loop(X, rng.choice(np.arange(-s, s + 1), size=len(X))), y),
])
def test_random_shift_correct_solutions_pass(solution, capsys):
    assert checks.check_random_shift(solution) is None
    assert capsys.readouterr().out == "✓ random_shift passed 10 checks\n"


def test_random_shift_check_does_not_touch_global_state():
    np_state, py_state = np.random.get_state(), random.getstate()  # noqa: NPY002
    checks.check_random_shift(random_shift_ok)
    after = np.random.get_state()  # noqa: NPY002
    assert np.array_equal(np_state[1], after[1]) and np_state[2] == after[2]
    assert random.getstate() == py_state


# ------------------------------------------------------- random_shift: known mistakes

def _global_np(X, y, s, rng):
    return shift_loop(X, np.random.randint(-s, s + 1, size=len(X))), y  # noqa: NPY002


def _global_seeded(X, y, s, rng):
    np.random.seed(0)  # noqa: NPY002
    return shift_loop(X, np.random.randint(-s, s + 1, size=len(X))), y  # noqa: NPY002


def _python_random(X, y, s, rng):
    return shift_loop(X, [random.randint(-s, s) for _ in X]), y


def _fresh_unseeded(X, y, s, rng):
    return random_shift_ok(X, y, s, np.random.default_rng())


def _fixed_seed_inside(X, y, s, rng):
    return random_shift_ok(X, y, s, np.random.default_rng(0))


def _shuffled_labels(X, y, s, rng):
    X_aug, _ = random_shift_ok(X, y, s, rng)
    return X_aug, y[rng.permutation(len(y))]


def _shuffled_examples(X, y, s, rng):
    X_aug, _ = random_shift_ok(X, y, s, rng)
    order = rng.permutation(len(y))
    return X_aug[order], y[order]


def _shuffled_rows_only(X, y, s, rng):
    X_aug, _ = random_shift_ok(X, y, s, rng)
    return X_aug[rng.permutation(len(y))], y


def _changed_labels(X, y, s, rng):
    return random_shift_ok(X, y, s, rng)[0], (y + 1) % 10


def _float_labels(X, y, s, rng):
    return random_shift_ok(X, y, s, rng)[0], y.astype(float)


def _modified_X(X, y, s, rng):
    X[:] = shift_loop(X, rng.integers(-s, s + 1, size=len(X)))
    return X, y


def _modified_y(X, y, s, rng):
    X_aug, _ = random_shift_ok(X, y, s, rng)
    y += 0 * y + 1
    return X_aug, y


def _wrapped(X, y, s, rng):
    ks = rng.integers(-s, s + 1, size=len(X))
    return np.array([np.roll(x, k) for x, k in zip(X, ks, strict=True)]), y


def _too_far(X, y, s, rng):
    return shift_loop(X, rng.integers(-2 * s, 2 * s + 1, size=len(X))), y


def _way_too_far(X, y, s, rng):
    return shift_loop(X, rng.choice([-100, 0, 100], size=len(X))), y


def _one_shift_for_all(X, y, s, rng):
    return shift_loop(X, np.full(len(X), rng.integers(-s, s + 1))), y


def _only_right(X, y, s, rng):
    return shift_loop(X, rng.integers(0, s + 1, size=len(X))), y


def _exclusive_high(X, y, s, rng):
    return shift_loop(X, rng.integers(-s, s, size=len(X))), y


def _never_zero(X, y, s, rng):
    choices = np.array([k for k in range(-s, s + 1) if k != 0] or [0])
    return shift_loop(X, rng.choice(choices, size=len(X))), y


def _only_X(X, y, s, rng):
    return random_shift_ok(X, y, s, rng)[0]


def _swapped(X, y, s, rng):
    X_aug, y_aug = random_shift_ok(X, y, s, rng)
    return y_aug, X_aug


def _padded(X, y, s, rng):
    return np.pad(X, ((0, 0), (s, s))), y


def _noisy(X, y, s, rng):
    X_aug, y_aug = random_shift_ok(X, y, s, rng)
    return X_aug + 0.01 * rng.standard_normal(X.shape), y_aug


def _no_return(X, y, s, rng):
    random_shift_ok(X, y, s, rng)


RANDOM_WRONG = [
    (_global_np, r"you used np\.random .*instead of the rng you were given.*not reproducible"),
    (_global_seeded, r"you used np\.random"),
    (_python_random, r"Python's random module"),
    (_fresh_unseeded, r"the same seed gave different outputs"),
    (_fixed_seed_inside, r"two different seeds gave the same output"),
    (_shuffled_labels, r"you shuffled the labels"),
    (_shuffled_examples, r"you shuffled the labels"),
    (_shuffled_rows_only, r"example \d+ is a shifted copy of X\[\d+\].*out of order"),
    (_changed_labels, r"you changed the labels"),
    (_float_labels, r"labels must stay integers"),
    (_modified_X, r"you modified X in place"),
    (_modified_y, r"you modified y in place"),
    (_wrapped, r"wrap-around \(np\.roll\).*zeros"),
    (_too_far, r"shift larger than max_shift: example \d+ was shifted by k = -?\d"),
    (_way_too_far, r"all zeros.*larger than max_shift"),
    (_one_shift_for_all, r"every example was shifted by the same k"),
    (_only_right, r"shifted to the right \(k >= 0\)"),
    (_exclusive_high, r"no example out of 300 was shifted by \+3.*excludes high"),
    (_never_zero, r"left unshifted"),
    (_only_X, r"you returned only X_aug"),
    (_swapped, r"you returned \(y_aug, X_aug\)"),
    (_padded, r"X_aug must have the shape of X .*pad without cutting back"),
    (_noisy, r"is not X\[0\] shifted by a whole number of steps"),
    (_no_return, r"returned None.*forget the `return"),
]


@pytest.mark.parametrize(("wrong", "message"), RANDOM_WRONG,
                         ids=[w.__name__.strip("_") for w, _ in RANDOM_WRONG])
def test_random_shift_wrong_answers_get_specific_messages(wrong, message):
    with pytest.raises(AssertionError, match=message) as info:
        checks.check_random_shift(wrong)
    assert str(info.value).startswith("random_shift: ")


def test_random_shift_max_shift_zero_must_be_identity():
    def ignores_zero(X, y, s, rng):
        return random_shift_ok(X, y, max(s, 1), rng)

    with pytest.raises(AssertionError, match=r"shift larger than max_shift|max_shift = 0"):
        checks.check_random_shift(ignores_zero)


def test_random_shift_stub_says_not_implemented():
    def stub(X, y, max_shift, rng):
        raise NotImplementedError("Your code here")

    with pytest.raises(NotImplementedError, match="random_shift is not implemented yet") as info:
        checks.check_random_shift(stub)
    assert isinstance(info.value.__cause__, NotImplementedError)


def test_random_shift_other_exceptions_propagate():
    def crashes(X, y, s, rng):
        return X[:, s:] + y

    with pytest.raises(ValueError):
        checks.check_random_shift(crashes)


def test_passing_a_call_instead_of_a_function():
    with pytest.raises(TypeError, match="random_shift must be a function"):
        checks.check_random_shift((np.zeros((2, 3)), np.zeros(2)))


# ---------------------------------------------------------------- multiple choice

@pytest.mark.parametrize(("answer", "message"), [
    ("a", r"one-pixel shift moves the whole digit.*Label-preserving"),
    ("b", r"slanted by ±10°.*Label-preserving"),
    ("d", r"Brighter or fainter ink.*Label-preserving"),
])
def test_label_question_wrong_answers_explained(answer, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_label_question(answer)


@pytest.mark.parametrize(("answer", "message"), [
    ("b", r"not as useful as new data"),
    ("c", r"The size is the same but the information is not"),
    ("d", r"100% training accuracy .* overfitting"),
])
def test_copies_question_wrong_answers_explained(answer, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_copies_question(answer)


def test_label_question_flip_really_changes_asymmetric_digits():
    """The explanation's premise: a left-right flip moves a 3 or a 7 far from every 3 or 7."""
    from reglab.data import load_digits

    X, y = load_digits()
    images = X.reshape(-1, 8, 8)
    for digit in (3, 7):
        own = images[y == digit]
        flipped = own[:, :, ::-1]
        # mean distance of a flipped digit to the class mean, against the originals' spread
        centre = own.mean(axis=0)
        d_orig = np.linalg.norm((own - centre).reshape(len(own), -1), axis=1).mean()
        d_flip = np.linalg.norm((flipped - centre).reshape(len(own), -1), axis=1).mean()
        assert d_flip > 1.3 * d_orig


# ----------------------------------------------- plausible answers, as students write them

def _shift_with(row_fn):
    def shift_signals(X, shifts):
        return np.array([row_fn(x, int(k)) for x, k in zip(X, shifts, strict=True)])
    return shift_signals


def _row(x, k):
    L = len(x)
    out = np.zeros(L)
    if abs(k) >= L:
        return out
    if k >= 0:
        out[k:] = x[:L - k]
    else:
        out[:L + k] = x[-k:]
    return out


def _row_loop(x, k):
    out = np.zeros_like(x)
    for t in range(len(x)):
        if 0 <= t - k < len(x):
            out[t] = x[t - k]
    return out


def _row_no_zero_case(x, k):
    out = np.zeros(len(x))
    if k > 0:
        out[k:] = x[:len(x) - k]
    elif k < 0:
        out[:k] = x[-k:]
    return out


def _row_pad(x, k):
    padded = np.concatenate([np.zeros(len(x)), x, np.zeros(len(x))])
    return padded[len(x) - k:2 * len(x) - k]


SHIFT_WRONG = {
    "wrong direction": _shift_with(lambda x, k: _row(x, -k)),
    "np.roll": _shift_with(lambda x, k: np.roll(x, k)),
    "np.roll, wrong direction": _shift_with(lambda x, k: np.roll(x, -k)),
    "shifts[0] for every row": lambda X, shifts: np.array([_row(x, int(shifts[0])) for x in X]),
    "k = 0 forgotten": _shift_with(_row_no_zero_case),
    "zeroed without moving": _shift_with(lambda x, k: np.where(
        (np.arange(len(x)) >= k) & (np.arange(len(x)) < len(x) + k), x, 0.0)),
    "shifted by k + 1": _shift_with(lambda x, k: _row(x, k + 1)),
    "shifted by |k|": _shift_with(lambda x, k: _row(x, abs(k))),
    "in place": lambda X, shifts: [X.__setitem__(i, _row(X[i], int(k)))
                                   for i, k in enumerate(shifts)] and X,
}
SHIFT_RIGHT = [_shift_with(_row), _shift_with(_row_loop), _shift_with(_row_pad),
               lambda X, shifts: _shift_with(_row)(X, shifts).astype(np.float32)]


def _augment(draw, shift=_row, labels=lambda y, ks: y.copy()):
    def random_shift(X, y, max_shift, rng):
        ks = draw(rng, max_shift, len(X))
        X_aug = np.array([shift(x, int(k)) for x, k in zip(X, ks, strict=True)])
        return X_aug, labels(y, ks)
    return random_shift


def _uniform(rng, s, m):
    return rng.integers(-s, s + 1, size=m)


def _global(rng, s, m):
    return np.random.randint(-s, s + 1, size=m)  # noqa: NPY002


def _augment_in_place(X, y, max_shift, rng):
    for i, k in enumerate(rng.integers(-max_shift, max_shift + 1, size=len(X))):
        X[i] = _row(X[i], int(k))
    return X, y


RANDOM_WRONG = {
    "np.random.randint": _augment(_global),
    "one shift for the whole batch": _augment(lambda rng, s, m: np.full(
        m, rng.integers(-s, s + 1))),
    "max_shift excluded": _augment(lambda rng, s, m: rng.integers(-s, s, size=m)),
    "right shifts only": _augment(lambda rng, s, m: rng.integers(0, s + 1, size=m)),
    "labels sorted by shift": _augment(_uniform, labels=lambda y, ks: y[np.argsort(ks)]),
    "np.roll": _augment(_uniform, shift=lambda x, k: np.roll(x, k)),
    "a new generator inside": _augment(lambda rng, s, m: np.random.default_rng().integers(
        -s, s + 1, size=m)),
    "X modified in place": _augment_in_place,
    "returned X_aug only": lambda X, y, s, rng: _augment(_uniform)(X, y, s, rng)[0],
    "shifts up to 2·max_shift": _augment(lambda rng, s, m: rng.integers(-2 * s, 2 * s + 1,
                                                                        size=m)),
}
RANDOM_RIGHT = [_augment(_uniform), _augment(lambda rng, s, m: rng.choice(
    np.arange(-s, s + 1), size=m), shift=_row_loop),
    lambda X, y, s, rng: (_augment(_uniform)(X, y, s, rng)[0].astype(np.float32), y)]


@pytest.mark.parametrize(("check", "wrong", "right"), [
    (checks.check_shift_signals, SHIFT_WRONG, SHIFT_RIGHT),
    (checks.check_random_shift, RANDOM_WRONG, RANDOM_RIGHT),
], ids=["shift_signals", "random_shift"])
def test_plausible_answers_are_told_apart(check, wrong, right, capsys):
    assert_feedback(check, wrong, right)


def test_an_answer_that_calls_reglab_shift_is_refused():
    fails_with(checks.check_random_shift,
               lambda X, y, s, rng: (augment.RandomShift(s)(X, rng), y.copy()),
               "calls reglab.augment.RandomShift", "write it yourself")
    fails_with(checks.check_shift_signals,
               lambda X, shifts: _shift_along(X, np.asarray(shifts), axis=1, wrap=False),
               "calls reglab.augment._shift_along")
