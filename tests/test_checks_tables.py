"""Every exercise table of reglab.checks is sound, diagnoses itself, and rejects a stub.

The tables are found by walking the modules of reglab.checks, so an exercise added
later is covered without being listed here. For each :class:`reglab.checks.Exercise`:

* ``table_problems()`` is empty: no wrong formula fails on a case, and no two formulas
  (the reference included) agree on every case;
* each wrong formula, handed in as a student's answer, fails with exactly its own message;
* a function that still raises ``NotImplementedError`` fails as "not implemented yet",
  through the exercise and through its public ``check_<name>`` function.
"""

import importlib
import inspect
import pkgutil

import pytest

import reglab.checks
from reglab.checks import Exercise

MODULES = [importlib.import_module(f"reglab.checks.{info.name}")
           for info in pkgutil.iter_modules(reglab.checks.__path__)]
EXERCISES = {f"{module.__name__.rsplit('.', 1)[1]}.{obj.name}": (module, obj)
             for module in MODULES for obj in vars(module).values() if isinstance(obj, Exercise)}


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
