"""A helper shared by the tests of reglab.checks: a wrong answer must fail, and say why."""

import pytest


def fails_with(check, fn, *words):
    """Run ``check(fn)``; it must raise AssertionError whose text contains every word."""
    with pytest.raises(AssertionError) as info:
        check(fn)
    text = str(info.value)
    for w in words:
        assert w in text, text
    return text
