"""Helpers shared by the tests of reglab.checks: a wrong answer must fail, and say why."""

import types

import pytest

from reglab.checks import Exercise


def own_copy(fn):
    """``fn`` as a student who typed the same code would have it: a function of its own.

    The checks refuse an answer that calls reglab's own answer to the task; a test that
    builds an answer on a correct one (returning a list, wrapping it in float32) starts
    from this copy of the reference instead of calling the reference.
    """
    code = fn.__code__.replace(co_firstlineno=fn.__code__.co_firstlineno + 1)
    return types.FunctionType(code, fn.__globals__, fn.__name__, fn.__defaults__,
                              fn.__closure__)


def fails_with(check, fn, *words):
    """Run ``check(fn)``; it must raise AssertionError whose text contains every word."""
    with pytest.raises(AssertionError) as info:
        check(fn)
    text = str(info.value)
    for w in words:
        assert w in text, text
    return text


def assert_feedback(check, wrong, right, *, min_named=0.95):
    """A task's feedback on plausible answers: every wrong one fails, most name their mistake.

    ``wrong`` maps a description of each slip ("ε outside the root") to a function written
    the way a student would write it with that slip; ``right`` lists correct answers
    written differently (loops, vectorized, float32). Every right answer must pass, every
    wrong one must fail (0 accepted), and at least ``min_named`` of the wrong ones must
    fail with a message that names a mistake rather than the generic fallback.
    """
    for fn in right:
        check(fn)
    unnamed = []
    for slip, fn in wrong.items():
        try:
            check(fn)
        except AssertionError as err:
            if Exercise.fallback in str(err):
                unnamed.append(slip)
        else:
            pytest.fail(f"a wrong answer was accepted: {slip}")
    named = 1 - len(unnamed) / len(wrong)
    assert named >= min_named, f"{len(unnamed)} of {len(wrong)} slips unnamed: {unnamed}"
