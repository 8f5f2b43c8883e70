"""Every exercise and question of reglab.checks is sound, explains itself, rejects a stub.

The exercises and questions are found by walking the modules of reglab.checks, so one
added later is covered without being listed here. For each :class:`reglab.checks.Exercise`:

* ``table_problems()`` is empty: no wrong formula fails on a case, and no two formulas
  (the reference included) agree on every case;
* each wrong formula, handed in as a student's answer, fails with exactly its own message;
* a function that still raises ``NotImplementedError`` fails as "not implemented yet",
  through the exercise and through its public ``check_<name>`` function.

For each :class:`reglab.checks.MultipleChoice`, through the module's public
``check_...(answer)`` function that asks it: the right letter passes in any spelling and
prints its reasoning, every wrong letter fails with its own explanation, None (the
student's stub) is "not answered yet", and anything else that is not one of the letters
is rejected as such.
"""

import importlib
import inspect
import pkgutil

import pytest

import reglab.checks
from reglab.checks import Exercise, MultipleChoice

MODULES = [importlib.import_module(f"reglab.checks.{info.name}")
           for info in pkgutil.iter_modules(reglab.checks.__path__)]
EXERCISES = {f"{module.__name__.rsplit('.', 1)[1]}.{obj.name}": (module, obj)
             for module in MODULES for obj in vars(module).values() if isinstance(obj, Exercise)}
QUESTIONS = {f"{module.__name__.rsplit('.', 1)[1]}.{name}": (module, obj)
             for module in MODULES for name, obj in vars(module).items()
             if isinstance(obj, MultipleChoice)}


def test_every_checks_module_has_exercises():
    found = {key.split(".")[0] for key in EXERCISES}
    assert found == {m.__name__.rsplit(".", 1)[1] for m in MODULES}


@pytest.mark.parametrize("key", EXERCISES)
def test_table_is_sound(key):
    _, ex = EXERCISES[key]
    assert ex.table_problems() == []


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("key", EXERCISES)
def test_each_mistake_diagnosed_by_its_own_message(key):
    _, ex = EXERCISES[key]
    assert ex.mistakes, f"{key} has no table of mistakes"
    for mistake in ex.mistakes:
        with pytest.raises(AssertionError) as info:
            ex.check(mistake.formula)
        assert str(info.value).endswith("Likely mistake: " + mistake.message)


def _stub(*args, **kwargs):
    raise NotImplementedError("Your code here")


@pytest.mark.parametrize("key", EXERCISES)
def test_stub_says_not_implemented(key):
    module, ex = EXERCISES[key]
    checks = [ex.check]
    wrapper = getattr(module, f"check_{ex.name}", None)
    if wrapper is not None and len(inspect.signature(wrapper).parameters) == 1:
        checks.append(wrapper)
    for check in checks:
        with pytest.raises(NotImplementedError, match=f"{ex.name} is not implemented yet") as info:
            check(_stub)
        assert isinstance(info.value.__cause__, NotImplementedError)


# ------------------------------------------------------------------ multiple choice

def _answer_checks(module):
    """The module's public functions ``check_...(answer)``: the ones that ask a question."""
    return [f for name, f in vars(module).items() if name.startswith("check_")
            and inspect.isfunction(f) and list(inspect.signature(f).parameters) == ["answer"]]


def _check_for(key, capsys):
    """The public function that asks question ``key``: the one whose success names it."""
    module, question = QUESTIONS[key]
    found = []
    for check in _answer_checks(module):
        try:
            check(question.answer)
        except AssertionError:
            continue
        if capsys.readouterr().out.startswith(f"✓ {question.name}: "):
            found.append(check)
    assert len(found) == 1, f"{key}: {len(found)} public check functions ask it"
    return found[0]


def test_every_answer_check_asks_a_question():
    for module in MODULES:
        questions = [q for key, (m, q) in QUESTIONS.items() if m is module]
        assert len(_answer_checks(module)) == len(questions), module.__name__


@pytest.mark.parametrize("key", QUESTIONS)
def test_right_answer_passes_in_any_spelling(key, capsys):
    check = _check_for(key, capsys)
    _, question = QUESTIONS[key]
    right = question.answer
    for spelled in (right, right.upper(), f" ({right}) ", f"{right})", f"({right.upper()})."):
        assert check(spelled) is None
        assert capsys.readouterr().out == (
            f"✓ {question.name}: ({right}) is right. {_sentence(question.why[right])}\n")


@pytest.mark.parametrize("key", QUESTIONS)
def test_every_wrong_answer_fails_with_its_own_explanation(key, capsys):
    check = _check_for(key, capsys)
    _, question = QUESTIONS[key]
    assert len(question.options) >= 3 and set(question.why) == set(question.options)
    assert len(set(question.why.values())) == len(question.why)     # each its own text
    assert all(len(text) > 60 for text in question.why.values())    # long enough to say why
    for letter in set(question.options) - {question.answer}:
        with pytest.raises(AssertionError) as info:
            check(letter)
        assert str(info.value) == f"({letter}) is not right. {_sentence(question.why[letter])}"
        assert not str(info.value).split(". ", 1)[1][:1].islower()


def _sentence(text: str) -> str:
    """An explanation as the feedback shows it: a sentence, its first letter a capital."""
    return text[:1].upper() + text[1:]


@pytest.mark.parametrize("key", QUESTIONS)
def test_what_is_not_a_letter_is_rejected(key, capsys):
    check = _check_for(key, capsys)
    _, question = QUESTIONS[key]
    with pytest.raises(NotImplementedError, match=rf"^{question.name} is not answered yet"):
        check(None)                                                 # the stub: answer = None
    for not_a_letter in (1, 1.0, ["a"]):
        with pytest.raises(AssertionError, match=r"answer must be the letter of an option "
                                                 r".*got (int 1|float 1\.0|list \['a'\])"):
            check(not_a_letter)
    with pytest.raises(AssertionError, match=r"answer must be one of 'a', 'b', 'c'.*got 'z'"):
        check("z")
