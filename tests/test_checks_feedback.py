"""How the checks speak: short in Jupyter, naming the right culprit, one float32 policy.

* A failing or unattempted check is shown by IPython as its message alone: a few lines,
  no traceback through reglab/checks (``_render_traceback_``), yet still an
  AssertionError / NotImplementedError for ``pytest.raises``.
* A task whose function calls an earlier helper of the student's that is unfinished or
  wrong names the helper (random_shift → shift_signals, sgd_step → weight_decay_update,
  dropout_forward → apply_mask), also when the call sits in a comprehension.
* The same float32 implementation passes (or fails) alike in every task that uses it.
"""

import numpy as np
import pytest
from check_failures import own_copy
from IPython.core.interactiveshell import InteractiveShell

import reglab
from reglab.checks import (
    Case,
    CheckError,
    Exercise,
    NotDoneError,
    isclose,
    l2,
    norms,
    require_done,
)
from reglab.checks import augmentation as aug
from reglab.checks import dropout as drop

# ------------------------------------------------------------- short feedback in IPython

@pytest.fixture(scope="module")
def shell():
    """An IPython shell that records the traceback lines a kernel would send to the front end."""
    sh = InteractiveShell.instance()
    sent = []
    sh._showtraceback = lambda etype, evalue, stb: sent.append(stb)
    sh.sent = sent
    yield sh
    InteractiveShell.clear_instance()


def _shown(shell, code):
    shell.sent.clear()
    shell.run_cell(code)
    assert len(shell.sent) == 1, "the cell should have failed"
    return "\n".join(shell.sent[0]).splitlines()


STUB = 'def {name}(*args):\n    raise NotImplementedError("Your code here")\n'


@pytest.mark.parametrize(("code", "words"), [
    ("from reglab.checks.norms import check_l1_norm\n" + STUB.format(name="l1_norm")
     + "check_l1_norm(l1_norm)", "NotDoneError: l1_norm is not implemented yet"),
    ("from reglab.checks.norms import check_l1_norm\n"
     "check_l1_norm(lambda x: float(np.sum(x)))", "CheckError: l1_norm is wrong on"),
    ("from reglab.checks.norms import check_exercise5\nanswer = None\ncheck_exercise5(answer)",
     "NotDoneError: exercise 5 is not answered yet"),
    ("from reglab.checks.norms import check_exercise5\ncheck_exercise5('a')",
     "CheckError: (a) is not right."),
    ("from reglab.checks.norms import check_l1_norm\ncheck_l1_norm(3.0)",
     "CheckTypeError: student_fn must be a function"),
    ("from reglab.checks.augmentation import check_random_shift\n"
     + STUB.format(name="shift_signals")
     + "def random_shift(X, y, s, rng):\n"
       "    return shift_signals(X, rng.integers(-s, s + 1, len(X))), y\n"
       "check_random_shift(random_shift)",
     "NotDoneError: random_shift calls your shift_signals, which is not implemented yet"),
])
def test_a_failing_check_shows_its_message_in_a_few_lines(shell, code, words):
    shell.run_cell("import numpy as np")
    lines = _shown(shell, code)
    text = "\n".join(lines)
    assert words in lines[0], text
    assert len(lines) <= 6, text
    assert "reglab/checks" not in text and "Traceback" not in text, text


def test_a_crash_in_student_code_shows_the_students_line_and_error(shell):
    shell.run_cell("import numpy as np")
    lines = _shown(shell, "from reglab.checks.norms import check_l1_norm\n"
                          "def l1_norm(x):\n"
                          "    total = np.abs(x).sum()\n"
                          "    return total / len(x.shape[5])\n"
                          "check_l1_norm(l1_norm)")
    text = "\n".join(lines)
    assert lines[0] == "IndexError: tuple index out of range", text
    assert "in your l1_norm, line 4: return total / len(x.shape[5])" in text, text
    assert "(raised by l1_norm on" in text and len(lines) <= 8, text
    assert "reglab/checks" not in text and "Traceback" not in text, text


def test_a_crash_keeps_its_type_and_notes_where_it_happened():
    with pytest.raises(ZeroDivisionError) as info:
        norms.check_l1_norm(lambda x: 1 / 0)
    assert any(n.startswith("(raised by l1_norm on ") for n in info.value.__notes__)


def test_an_answer_calling_reglabs_own_implementation_is_refused():
    def l1_norm(x):
        return norms._l1_norm(x)
    with pytest.raises(AssertionError, match=r"^l1_norm calls reglab\.checks\.norms\._l1_norm, "
                                             r"which is reglab's own answer"):
        norms.check_l1_norm(l1_norm)
    ex = Exercise("double", own_copy(_double), [Case("two", (2.0,))], forbidden=(_Doubler,))
    with pytest.raises(AssertionError, match=r"^double calls (tests\.)?test_checks_feedback\._Doubler, "):
        ex.check(lambda x: _Doubler().apply(x))
    ex.check(lambda x: 2 * x)                           # its own code passes
    ex.check(_double)          # the reference itself, called by the check and not by a student


def _double(x):
    return 2 * x


class _Doubler:
    def apply(self, x):
        return 2 * x


def test_require_done_names_the_task_to_finish_first():
    with pytest.raises(NotImplementedError, match=r"^This cell uses your l1_norm, which is not "
                                                  r"written yet: finish its task first"):
        require_done(l1_norm, norms.check_l1_norm)
    with pytest.raises(NotImplementedError, match=r"^This cell uses your <lambda>, which does "
                                                  r"not pass its check yet"):
        require_done(lambda x: float(np.sum(x)), norms.check_l1_norm)
    assert require_done(lambda x: float(np.abs(x).sum()), norms.check_l1_norm) is None


def l1_norm(x):
    """A student's l1_norm before the task is done: the stub of the student notebook."""
    raise NotImplementedError("Your code here")


@pytest.mark.parametrize(("expected", "got", "words"), [
    ((), (3,), "a reduction is missing"),
    ((3, 4), (3,), "a reduction that should not be there"),
    ((3, 4), (4, 3), "a transpose"),
    ((2, 2, 5), (2, 2, 6), "an axis has the wrong length"),
])
def test_a_wrong_shape_gets_the_hint_of_its_kind(expected, got, words):
    reference = lambda x: np.zeros(expected)                     # noqa: E731
    ex = Exercise("f", reference, [Case("a case", (1.0,))])
    with pytest.raises(AssertionError, match=words):
        ex.check(lambda x: np.zeros(got))


def test_a_large_wrong_array_says_which_entries_differ():
    ex = Exercise("f", lambda x: np.arange(20.0).reshape(2, 2, 5), [Case("a case", (1.0,))])
    wrong = np.arange(20.0).reshape(2, 2, 5)
    wrong[0, 1, 3] = -1.0
    wrong[1, 1, 4] = -1.0
    with pytest.raises(AssertionError, match=r"2 of 20 entries differ; the first at index "
                                             r"\[0, 1, 3\]: expected 8, got -1"):
        ex.check(lambda x: wrong.copy())


def test_a_passing_check_echoes_nothing(shell):
    shell.run_cell("from reglab.checks.norms import check_l1_norm\n"
                   "result = check_l1_norm(lambda x: float(abs(x).sum()))")
    assert shell.user_ns["result"] is None


def test_the_short_errors_are_still_assertion_and_not_implemented_errors():
    with pytest.raises(AssertionError):
        norms.check_l1_norm(lambda x: float(np.sum(x)))
    with pytest.raises(NotImplementedError):
        norms.check_exercise5(None)
    assert issubclass(CheckError, AssertionError) and issubclass(NotDoneError, NotImplementedError)


# ------------------------------------------------------------------- the right culprit

def _not_done(*args):
    raise NotImplementedError("Your code here")


def _student(source, **names):
    """Functions defined from source in a fresh namespace, as in a notebook."""
    namespace = {"np": np, "reglab": reglab, **names}
    exec(source, namespace)  # noqa: S102 - test code written here
    return namespace


RANDOM_SHIFT = """
def random_shift(X, y, max_shift, rng):
    return shift_signals(X, rng.integers(-max_shift, max_shift + 1, len(X))), y
"""
SGD_STEP = """
def sgd_step(params, grads, lr, lam, m):
    return {k: weight_decay_update(v, grads[k], lr, lam, m) if reglab.is_weight(k)
            else v - lr * grads[k] for k, v in params.items()}
"""
DROPOUT_FORWARD = """
def dropout_forward(A, keep_prob, rng, train):
    if not train:
        return A, None
    D = rng.random(A.shape) < keep_prob
    return apply_mask(A, D, keep_prob), (D, keep_prob)
"""


_shift_signals = own_copy(aug._shift_signals)


def _wrong_shift(X, shifts):
    return aug._rows(X, shifts, lambda x, k: np.roll(x, k))


CULPRITS = [
    (aug.check_random_shift, RANDOM_SHIFT, "random_shift", "shift_signals",
     _shift_signals, _wrong_shift),
    (l2.check_sgd_step, SGD_STEP, "sgd_step", "weight_decay_update",
     own_copy(l2._weight_decay_update), lambda W, dW, lr, lam, m: (1 - lam / m) * W - lr * dW),
    (drop.check_dropout_forward, DROPOUT_FORWARD, "dropout_forward", "apply_mask",
     own_copy(drop._apply_mask), lambda A, D, p: A * D * p),
]


@pytest.mark.parametrize(("check", "source", "task", "helper", "right", "wrong"), CULPRITS,
                         ids=[c[2] for c in CULPRITS])
def test_a_finished_task_blames_the_earlier_helper(check, source, task, helper, right, wrong):
    fn = _student(source, **{helper: right})[task]
    assert check(fn) is None
    fn = _student(source, **{helper: _not_done})[task]
    with pytest.raises(NotImplementedError,
                       match=rf"^{task} calls your {helper}, which is not implemented yet"):
        check(fn)
    fn = _student(source, **{helper: wrong})[task]
    with pytest.raises(AssertionError,
                       match=rf"^{task} calls your {helper}, which is wrong: {helper} is wrong "
                             rf"on \d+ of \d+ cases.*\nFix {helper} first"):
        check(fn)


def test_a_stub_of_the_task_itself_is_not_blamed_on_others():
    with pytest.raises(NotImplementedError, match=r"^random_shift is not implemented yet"):
        aug.check_random_shift(_student(RANDOM_SHIFT.replace(
            "return shift_signals", "raise NotImplementedError\n    return shift_signals"),
            shift_signals=_shift_signals)["random_shift"])


# --------------------------------------------------------------- one float32 policy

def _float32(fn):
    return lambda *args: np.asarray(fn(*args)).astype(np.float32)


@pytest.mark.parametrize(("check", "source", "task", "helper", "right", "wrong"), CULPRITS,
                         ids=[c[2] for c in CULPRITS])
def test_a_float32_helper_passes_its_task_and_the_next(check, source, task, helper, right,
                                                       wrong):
    helper_check = {"shift_signals": aug.check_shift_signals,
                    "weight_decay_update": l2.check_weight_decay_update,
                    "apply_mask": drop.check_apply_mask}[helper]
    assert helper_check(_float32(right)) is None
    assert check(_student(source, **{helper: _float32(right)})[task]) is None


def test_the_tolerance_follows_the_coarser_dtype():
    x = np.array([1.0, -2.0, 1e-3])
    assert isclose(x * (1 + 5e-7), x).all()              # float64: rtol 1e-6
    assert not isclose(x * (1 + 5e-5), x).all()
    assert isclose((x * (1 + 5e-5)).astype(np.float32), x).all()   # float32: 1000 eps
    assert not isclose((x * (1 + 1e-3)).astype(np.float32), x).all()
    assert isclose(np.float32(1e-5), np.array([0.0, 1.0]))[0]        # 1000 eps · scale near 0
    assert not isclose(1e-5, np.array([0.0, 1.0]))[0]


def test_an_unfinished_function_called_by_a_task_is_named_even_undeclared():
    def my_abs(x):
        raise NotImplementedError("Your code here")

    def l1_norm(x):
        return float(np.sum(my_abs(x)))

    with pytest.raises(NotImplementedError,
                       match=r"^l1_norm calls your my_abs, which is not implemented yet"):
        norms.check_l1_norm(l1_norm)
