r"""Checks for ``exercises/05_augmentation.ipynb``: a label-preserving shift of 1-D signals.

The definitions (``notebooks/05_data_augmentation_and_noise.ipynb``, and
:class:`reglab.augment.RandomShift` with ``mode="zeros"``): a signal x of length L shifted
by a whole number of steps k is

.. math::
    x'_t = \begin{cases} x_{t-k} & 0 \le t-k < L \\ 0 & \text{otherwise} \end{cases}
    \qquad (t = 0, \dots, L-1),

so k > 0 moves the pattern to the right (later positions), k < 0 to the left, and the
positions it leaves are filled with zeros; |k| >= L leaves only zeros. A random shift
draws k_i uniformly from {-s, ..., s} (s = ``max_shift``) independently for every
example i, with the ``rng`` it is given, and keeps every label: y' = y, same values,
same order.

Shapes: X (m, L) float, y (m,) int, shifts (m,) int.

* :func:`check_shift_signals` checks the deterministic shift with the engine of
  :mod:`reglab.checks` (cases and a table of wrong formulas).
* :func:`check_random_shift` checks a *random* function, which the engine cannot
  compare with a reference answer (a correct implementation may draw its shifts in
  another order). It checks properties instead, each with its own diagnosis: the
  output is a pair (X_aug, y_aug) of the right shapes; neither input is modified; the
  labels are untouched; every row is its own input row shifted by some |k| <= s with
  zero fill; the shifts differ between examples and cover -s..s; the same seed gives
  the same output and another seed another one; nothing is drawn from the global
  ``np.random`` state or Python's ``random`` module.
* :func:`check_label_question` and :func:`check_copies_question` check two
  multiple-choice answers.
"""

from __future__ import annotations

import numpy as np

from ..augment import RandomShift, _shift_along
from . import (
    Case,
    CheckError,
    CheckTypeError,
    Exercise,
    Mistake,
    MultipleChoice,
    _a,
    _call_with_own_rng,
    check_helpers,
    isclose,
)

__all__ = [
    "COPIES_QUESTION",
    "LABEL_QUESTION",
    "SHIFT_SIGNALS",
    "check_copies_question",
    "check_label_question",
    "check_random_shift",
    "check_shift_signals",
]

_rng = np.random.default_rng(505)  # the cases are the same on every run


def _shift_row(x, k: int) -> np.ndarray:
    """x'_t = x_{t-k}, zeros outside; x (L,), k an int of any size."""
    x = np.asarray(x, dtype=np.float64)
    L = len(x)
    out = np.zeros(L)
    k = int(k)
    if abs(k) >= L:
        return out
    if k >= 0:
        out[k:] = x[:L - k]
    else:
        out[:L + k] = x[-k:]
    return out


def _rows(X, shifts, row_fn):
    """row_fn(x, k) for every row x of X (m, L) and its shift k: (m, L)."""
    return np.array([row_fn(x, int(k)) for x, k in zip(X, shifts, strict=True)]).reshape(
        np.shape(X))


def _shift_signals(X, shifts):
    return _rows(X, shifts, _shift_row)


def _i(*values) -> np.ndarray:
    return np.array(values, dtype=np.int64)


# ------------------------------------------------------- task 1: the deterministic shift

SHIFT_SIGNALS = Exercise(
    name="shift_signals",
    reference=_shift_signals,
    forbidden=(RandomShift, _shift_along),
    cases=(
        Case("one signal shifted right by 2", (_a([1, 2, 3, 4, 5]), _i(2))),
        Case("one signal shifted left by 1 (a negative shift)", (_a([1, 2, 3, 4, 5]), _i(-1))),
        Case("a shift of 0 leaves the signal as it is", (_a([1, -2, 3, -4]), _i(0))),
        Case("three signals with shifts +1, 0 and -2",
             (_a([1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1], [-1, 1, -1, 1, -1, 1]), _i(1, 0, -2))),
        Case("shifts as long as the signal, +4 and -4 (only zeros remain)",
             (_a([1, 2, 3, 4], [5, 6, 7, 8]), _i(4, -4))),
        Case("six random signals, random shifts in -3..3",
             (_rng.normal(size=(6, 10)), _i(3, -3, 0, 1, -2, 2))),
        Case("a single random signal shifted right by 5", (_rng.normal(size=(1, 12)), _i(5))),
    ),
    mistakes=(
        Mistake(lambda X, s: _rows(X, -np.asarray(s), _shift_row),
                "you shifted in the wrong direction: a positive k moves the pattern to the "
                "right, to later positions, x'_t = x_(t-k) (so x' starts with k zeros)."),
        Mistake(lambda X, s: _rows(X, s, lambda x, k: np.roll(x, k)),
                "you wrapped around (np.roll): values that leave on one side came back on the "
                "other. Here the positions the pattern leaves must be filled with zeros."),
        Mistake(lambda X, s: _rows(X, s, lambda x, k: np.roll(x, -k)),
                "you wrapped around (np.roll) and shifted in the wrong direction: fill the "
                "vacated positions with zeros, and move the pattern right for a positive k."),
        Mistake(lambda X, s: _rows(X, np.full(len(s), s[0]), _shift_row),
                "you shifted every signal by shifts[0]: row i must be shifted by its own "
                "shifts[i]."),
        Mistake(lambda X, s: _rows(X, s, lambda x, k: _shift_row(x, k) if k else 0 * x),
                "the rows with k = 0 came back as zeros: you handled k > 0 and k < 0 but "
                "forgot k = 0 (the signal stays as it is). Note that X[i, :-k] is empty for "
                "k = 0, so write X[i, :L - k] instead."),
        Mistake(lambda X, s: _rows(X, s, lambda x, k: np.where(
                    (np.arange(len(x)) >= k) & (np.arange(len(x)) < len(x) + k), x, 0.0)),
                "you set the first k positions (or the last |k| for k < 0) to zero but did not "
                "move the pattern: x'_t must be x_(t-k), the value k steps earlier."),
        Mistake(lambda X, s: _rows(X, np.asarray(s) + 1, _shift_row),
                "every row moved one step too far to the right (by k + 1): an off-by-one in "
                "the slices. For k > 0 the positions k: (k of them zeros before) receive "
                "X[i, :L - k]."),
        Mistake(lambda X, s: _rows(X, np.asarray(s) - 1, _shift_row),
                "every row moved one step too far to the left (by k − 1): an off-by-one in "
                "the slices. For k > 0 the positions k: receive X[i, :L - k]."),
        Mistake(lambda X, s: _rows(X, np.abs(s), _shift_row),
                "the negative shifts went to the right: a shift by k < 0 moves the pattern "
                "|k| steps to the LEFT (x'_t = x_(t-k) = x_(t+|k|)), with zeros at the end."),
    ),
)


def check_shift_signals(shift_signals) -> None:
    """Check ``shift_signals(X, shifts)``: row i shifted by shifts[i], zero fill (7 cases)."""
    return SHIFT_SIGNALS.check(shift_signals)


# ------------------------------------------------------------ task 2: the random shift

_M, _L, _S = 300, 16, 3
_X = _rng.normal(size=(_M, _L))          # no zeros, all values distinct: every shift shows
_Y = _rng.integers(0, 10, size=_M)
_SMALL_X = _a([0.5, -1.0, 2.0, 1.5, -0.5])          # one signal, shape (1, 5)
_SMALL_Y = _i(7)


def _fail(message: str):
    raise CheckError(f"random_shift: {message}")


def _call(fn, X, y, max_shift, rng):
    """Call the student's function on copies; check the global states and the inputs."""
    X_in, y_in = X.copy(), y.copy()
    out = _call_with_own_rng("random_shift", fn, (X_in, y_in, max_shift, rng),
                             draw_hint="rng.integers(-max_shift, max_shift + 1, size=len(X))",
                             forbidden=(RandomShift, _shift_along))
    if not np.array_equal(X_in, X):
        _fail("you modified X in place: the caller's data changed. Build a new array (e.g. "
              "np.zeros_like(X) and fill it) instead of assigning into X.")
    if not np.array_equal(y_in, y):
        _fail("you modified y in place: the caller's labels changed. Return the labels "
              "unchanged (y.copy()).")
    return _unpack(out, X, y)


def _unpack(out, X, y):
    """The pair (X_aug, y_aug) as arrays, after checking its structure, shapes and dtypes."""
    if isinstance(out, np.ndarray) and out.shape == X.shape:
        _fail("you returned only X_aug: return the pair X_aug, y_aug (the labels belong to "
              "the augmented examples).")
    if out is None:
        _fail("you returned None: did you forget the `return X_aug, y_aug` statement?")
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        _fail(f"must return a pair (X_aug, y_aug), got {type(out).__name__}")
    X_aug, y_aug = (np.asarray(a) for a in out)
    if X_aug.shape == y.shape and y_aug.shape == X.shape and X.shape != y.shape:
        _fail("you returned (y_aug, X_aug): return X_aug first, then y_aug.")
    if X_aug.shape != X.shape:
        _fail(f"X_aug must have the shape of X {X.shape}, got {X_aug.shape}: a shift keeps "
              f"the length of every signal (did you pad without cutting back to L?).")
    if y_aug.shape != y.shape:
        _fail(f"y_aug must have the shape of y {y.shape}, got {y_aug.shape}: there is one "
              f"label per example.")
    if X_aug.dtype.kind != "f":
        _fail(f"X_aug must hold floats like X, got dtype {X_aug.dtype}")
    return X_aug, y_aug


def _check_labels(y_aug, y):
    if y_aug.dtype.kind not in "iu":
        _fail(f"the labels must stay integers like y, got dtype {y_aug.dtype}: return y "
              f"itself (or y.copy()).")
    if np.array_equal(y_aug, y):
        return
    if np.array_equal(np.sort(y_aug), np.sort(y)):
        _fail("you shuffled the labels: y_aug holds the same labels as y in another order, "
              "so y_aug[i] is no longer the label of example i of the caller's data (even if "
              "you shuffled X the same way, the caller relies on the order). A "
              "label-preserving augmentation returns y unchanged: y_aug[i] == y[i] for every i.")
    _fail("you changed the labels: y_aug must equal y, the same values in the same order. "
          "The point of a label-preserving transformation is that the label stays.")


def _match_shifts(X_aug, X, max_shift):
    """For every row, the zero-fill shift k with X_aug[i] = shift(X[i], k), or a diagnosis."""
    m, L = X.shape
    ks = np.arange(-(L - 1), L)
    zero = np.stack([_rows(X, np.full(m, k), _shift_row) for k in ks], axis=1)  # (m, 2L-1, L)
    close = np.all(isclose(X_aug[:, None, :], zero), axis=2)
    found = np.full(m, np.iinfo(np.int64).min)
    for i in range(m):
        hits = ks[close[i]]
        if len(hits):
            found[i] = hits[np.argmin(np.abs(hits))]
            continue
        row = X_aug[i]
        if np.all(row == 0):
            _fail(f"example {i} came back as all zeros, a shift by at least the signal "
                  f"length L = {L}, larger than max_shift = {max_shift}: draw k from "
                  f"-max_shift..max_shift.")
        for k in range(1, L):
            if np.all(isclose(row, np.roll(X[i], k))):
                _fail(f"example {i} is X[{i}] rolled by {k if k <= L // 2 else k - L} with "
                      f"wrap-around (np.roll): the values that leave one end came back at the "
                      f"other. Fill the positions the pattern leaves with zeros.")
        for j in range(m):
            if j != i and np.any(np.all(isclose(
                    row, np.array([_shift_row(X[j], k) for k in ks])), axis=1)):
                _fail(f"example {i} is a shifted copy of X[{j}], not of X[{i}]: the rows of "
                      f"X_aug are out of order (did you shuffle X?), so they no longer match "
                      f"their labels y. Keep example i in row i.")
        _fail(f"example {i} is not X[{i}] shifted by a whole number of steps with zero fill: "
              f"every value must be a value of X[{i}] moved by the same k, or 0. Did you add "
              f"or scale anything?")
    too_far = np.abs(found) > max_shift
    if np.any(too_far):
        i = int(np.flatnonzero(too_far)[0])
        _fail(f"shift larger than max_shift: example {i} was shifted by k = {found[i]}, but "
              f"|k| must be at most max_shift = {max_shift}. Draw k from -max_shift..max_shift, "
              f"e.g. rng.integers(-max_shift, max_shift + 1).")
    return found


def _check_spread(ks, max_shift):
    """The drawn shifts vary per example and cover -s..s (300 draws: misses are ~1e-20)."""
    if len(set(ks.tolist())) == 1:
        _fail(f"every example was shifted by the same k = {ks[0]}: draw one shift per "
              f"example (size=len(X)), not one for the whole batch.")
    if ks.min() >= 0 or ks.max() <= 0:
        side = "right (k >= 0)" if ks.min() >= 0 else "left (k <= 0)"
        _fail(f"all {len(ks)} examples were shifted to the {side}: draw k from -max_shift to "
              f"+max_shift, so that both directions occur.")
    if ks.max() < max_shift or ks.min() > -max_shift:
        _fail(f"no example out of {len(ks)} was shifted by "
              f"{'+' if ks.max() < max_shift else '-'}{max_shift}: shifts from "
              f"{ks.min()} to {ks.max()} only. rng.integers(low, high) excludes high: use "
              f"rng.integers(-max_shift, max_shift + 1) (or endpoint=True).")
    if not np.any(ks == 0):
        _fail(f"no example out of {len(ks)} was left unshifted: k = 0 is one of the allowed "
              f"shifts -max_shift..max_shift, draw it like the others.")


def check_random_shift(random_shift) -> None:
    """Check ``random_shift(X, y, max_shift, rng) -> (X_aug, y_aug)`` property by property.

    ``random_shift`` must shift each row of X (m, L) by its own k uniform in
    {-max_shift, ..., max_shift}, with zero fill, drawing from ``rng`` only, and return
    the labels y (m,) unchanged. Prints ``✓ random_shift passed 10 checks`` and returns
    True; otherwise raises AssertionError naming the mistake (NotImplementedError for the
    untouched stub).
    """
    if not callable(random_shift):
        raise CheckTypeError(f"random_shift must be a function: pass it without parentheses, got "
                        f"{type(random_shift).__name__} {random_shift!r}")
    check_helpers("random_shift", random_shift, (SHIFT_SIGNALS,))
    # 1-3: no global random state, inputs untouched, a pair of the right shapes
    X_aug, y_aug = _call(random_shift, _X, _Y, _S, np.random.default_rng(1))
    _check_labels(y_aug, _Y)                                                 # 4
    ks = _match_shifts(X_aug, _X, _S)                                        # 5 rows, 6 |k| <= s
    _check_spread(ks, _S)                                                    # 7
    again, _ = _call(random_shift, _X, _Y, _S, np.random.default_rng(1))
    if not np.array_equal(again, X_aug):                                     # 8
        _fail("the same seed gave different outputs: you drew random numbers from a source "
              "other than the rng argument (np.random.default_rng() created inside the "
              "function?), so nobody can reproduce your augmented data. Use rng itself.")
    other, _ = _call(random_shift, _X, _Y, _S, np.random.default_rng(2))
    if np.array_equal(other, X_aug):                                         # 9
        _fail("two different seeds gave the same output: your shifts do not depend on the rng "
              "you were given (did you create np.random.default_rng(0) inside the function?). "
              "Draw from rng itself.")
    X0, y0 = _call(random_shift, _X, _Y, 0, np.random.default_rng(3))        # 10 edge cases
    if not np.all(isclose(X0, _X)):
        _fail("with max_shift = 0 the only allowed shift is k = 0, so X_aug must equal X.")
    _check_labels(y0, _Y)
    Xs, ys = _call(random_shift, _SMALL_X, _SMALL_Y, 2, np.random.default_rng(4))
    _check_labels(ys, _SMALL_Y)
    _match_shifts(Xs, _SMALL_X, 2)
    print("✓ random_shift passed 10 checks")
    return None


# --------------------------------------------------------- tasks 3 and 4: multiple choice

LABEL_QUESTION = MultipleChoice(
    name="label preservation",
    options={
        "a": "shift each image by at most one pixel in a random direction",
        "b": "rotate each image by a random angle between -10° and +10°",
        "c": "flip each image left-right with probability 1/2",
        "d": "multiply every pixel of an image by the same random factor in [0.8, 1.2]",
    },
    answer="c",
    why={
        "a": "a one-pixel shift moves the whole digit without changing its shape, so the "
             "label still fits. (On an 8×8 image one pixel is already a lot: some outer ink "
             "may leave the frame, which is why the notebook shifts by at most one pixel.) "
             "Label-preserving.",
        "b": "handwriting is slanted by ±10° anyway; a rotation changes a digit's class only "
             "near 180° (a 6 becomes a 9). Label-preserving.",
        "c": "a mirrored 3 is an ε, a mirrored 7 or 4 is no digit at all and a mirrored 2 "
             "resembles a 5: the label no longer describes the image. In the notebook, flips "
             "cost several points of test accuracy. Flips suit classes that are "
             "mirror-symmetric, like the INF721 lecture's cats, not digits.",
        "d": "brighter or fainter ink does not change which digit is drawn: this is the "
             "INF721 lecture's colour jitter for grey images. Label-preserving.",
    },
)


def check_label_question(answer) -> None:
    """Check the letter chosen for: which augmentation is NOT label-preserving for digits?"""
    return LABEL_QUESTION.check(answer)


COPIES_QUESTION = MultipleChoice(
    name="augmented copies vs new data",
    options={
        "a": "1000 new, independently collected examples",
        "b": "one augmented copy of each of the 1000 examples you have",
        "c": "neither: both training sets have 2000 examples, so they help equally",
        "d": "neither helps: the network already reaches 100% training accuracy",
    },
    answer="a",
    why={
        "a": "a copy shares everything with its original except the transformation (on "
             "MNIST-1D: the same template, scale, shear and noise, only the position moves), "
             "so it carries less new information than an independent example. That is the "
             "limitation the INF721 lecture names, and the notebook measured it: at equal "
             "size, N + N copies scored below 2N new examples.",
        "b": "label preservation makes augmented copies useful (they did beat the N "
             "originals alone) but not as useful as new data: a copy is not independent of "
             "its original. At equal size, 2N new examples won in the notebook.",
        "c": "the size is the same but the information is not: N of the 2000 augmented "
             "examples are transformations of the other N, whereas 2000 independent examples "
             "each bring their own variation. The notebook measured a clear difference.",
        "d": "100% training accuracy with a much lower test accuracy is overfitting, exactly "
             "the situation where more (or augmented) data helps: both options raised the "
             "test accuracy in the notebook.",
    },
)


def check_copies_question(answer) -> None:
    """Check the letter chosen for: at equal size, what helps more, new data or copies?"""
    return COPIES_QUESTION.check(answer)
