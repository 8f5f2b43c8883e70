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
from IPython.core.interactiveshell import InteractiveShell

import reglab
from reglab.checks import CheckError, NotDoneError, isclose, l2, norms
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


def _shift_signals(X, shifts):
    return aug._shift_signals(X, shifts)


def _wrong_shift(X, shifts):
    return aug._rows(X, shifts, lambda x, k: np.roll(x, k))


CULPRITS = [
    (aug.check_random_shift, RANDOM_SHIFT, "random_shift", "shift_signals",
     _shift_signals, _wrong_shift),
    (l2.check_sgd_step, SGD_STEP, "sgd_step", "weight_decay_update",
     l2._weight_decay_update, lambda W, dW, lr, lam, m: (1 - lam / m) * W - lr * dW),
    (drop.check_dropout_forward, DROPOUT_FORWARD, "dropout_forward", "apply_mask",
     drop._apply_mask, lambda A, D, p: A * D * p),
]


@pytest.mark.parametrize(("check", "source", "task", "helper", "right", "wrong"), CULPRITS,
                         ids=[c[2] for c in CULPRITS])
def test_a_finished_task_blames_the_earlier_helper(check, source, task, helper, right, wrong):
    fn = _student(source, **{helper: right})[task]
    assert check(fn) is True
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
    assert helper_check(_float32(right)) is True
    assert check(_student(source, **{helper: _float32(right)})[task]) is True


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
