"""Checks for the exercise notebooks: run a student's function, diagnose the usual mistakes.

An exercise is described by data, not by branches: a reference implementation,
a few input :class:`Case` s (including the edge cases where wrong formulas
give themselves away), and a table of :class:`Mistake` s, each a *wrong* formula
next to the message that explains it. :meth:`Exercise.check` runs the student's
function on every case; if an answer differs from the reference, it evaluates
every wrong formula on the same cases and reports the message of the first one
that reproduces all of the student's answers, e.g.

.. code-block:: text

    CheckError: l1_norm is wrong on 5 of 8 cases. First failure: a vector with
    a negative entry
        x = array([-1.,  2.])
        expected 3, got 1
    Likely mistake: you returned the sum of the signed entries: did you forget the
    absolute value?

A function that still raises ``NotImplementedError`` (the stub of a generated
student notebook) fails with a :class:`NotDoneError` that says the exercise is not
done yet, and so does a multiple-choice answer still None; a task whose function
calls an earlier one of the student's functions (its ``helpers``) that is unfinished
or wrong fails naming that function. On success a check prints
``✓ <name> passed <N> cases`` (and returns None: a check cell shows that line alone).

Failures are :class:`CheckError` (an ``AssertionError``), :class:`NotDoneError` (a
``NotImplementedError``) and :class:`CheckTypeError` (a ``TypeError``): Jupyter shows
them as their message alone, a few lines without a traceback through reglab (IPython's
``_render_traceback_``).

One tolerance policy for every task (:func:`isclose`): answers are compared in the
precision of the coarser dtype, relative tolerance 1e-6 in float64 and 1000 machine
epsilons (1.2e-4) in float32, so a float32 answer passes or fails alike everywhere.

One module per notebook topic: :mod:`reglab.checks.norms` for ``exercises/00_norms.ipynb``.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import io
import random
import sys
import sysconfig
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["Case", "CheckError", "CheckTypeError", "Exercise", "Mistake", "MultipleChoice",
           "NotDoneError", "isclose", "require_done", "student_code"]

RTOL = 1e-6
ATOL = 1e-9
_REGLAB = Path(__file__).resolve().parent.parent
_LIBRARIES = tuple(Path(sysconfig.get_paths()[key]).resolve()
                   for key in ("stdlib", "purelib", "platlib"))


class _ShortError(Exception):
    """Shown by IPython as its message alone: no traceback through the checks' internals."""

    def _render_traceback_(self) -> list[str]:
        lines = str(self).splitlines() or [""]
        return [f"{type(self).__name__}: {lines[0]}", *lines[1:]]


class CheckError(_ShortError, AssertionError):
    """A wrong answer: the message says which case failed and the likely mistake."""


class NotDoneError(_ShortError, NotImplementedError):
    """A task not done yet: a function that still raises NotImplementedError, or no answer."""


class CheckTypeError(_ShortError, TypeError):
    """A check given something else than a function: the function called, not passed."""


def _epsilon(*dtypes) -> float:
    """The machine epsilon of the coarsest floating dtype among ``dtypes`` (float64's if none)."""
    return max(float(np.finfo(d).eps) for d in (np.float64, *dtypes)
               if np.issubdtype(d, np.floating))


def isclose(a, b) -> np.ndarray:
    """Entrywise a ≈ b, NaNs equal: the one tolerance policy of every check.

    Compared in the precision of the coarser dtype with ε its machine epsilon: relative
    tolerance max(1e-6, 1000 ε) and absolute tolerance max(1e-9, 1000 ε · max|b|), with
    max|b| the scale of the expected answer. In float64 that is 1e-6 and 1e-9; in float32
    1.2e-4 and 1.2e-4·scale, so float32 rounding is never taken for a mistake, in any task.
    """
    a, b = np.asarray(a), np.asarray(b)
    eps = _epsilon(a.dtype, b.dtype)
    finite = np.abs(b[np.isfinite(b)]) if b.dtype.kind in "fc" else np.abs(b)
    scale = float(finite.max()) if finite.size else 0.0
    return np.isclose(a, b, rtol=max(RTOL, 1000 * eps), atol=max(ATOL, 1000 * eps * scale),
                      equal_nan=True)


@dataclass(frozen=True)
class Case:
    """One input on which the student's function is compared with the reference.

    Parameters
    ----------
    label : str
        What is special about this input, in words ("a single negative element").
    args : tuple
        The positional arguments passed to the function.
    """

    label: str
    args: tuple


@dataclass(frozen=True)
class Mistake:
    """A wrong formula (same signature as the reference) and what to tell a student who used it."""

    formula: Callable[..., Any]
    message: str


@dataclass(frozen=True)
class Exercise:
    """A function-writing exercise whose answer is a number or an array.

    The student's answer must have the reference's shape (a scalar for a number)
    and agree with it entrywise under the tolerance policy of :func:`isclose`.

    Parameters
    ----------
    name : str
        The name of the function the student writes (used in messages).
    reference : callable
        The correct implementation; its parameter names label the inputs in messages.
    cases : sequence of Case
        The inputs to test on.
    mistakes : sequence of Mistake
        Wrong formulas in the order they are tried; the first one that reproduces
        every answer of the student's function gives the diagnosis.
    helpers : sequence of Exercise
        Earlier tasks whose function the student's function may call (``sgd_step`` calls
        ``weight_decay_update``): checked first, so that their fault is blamed on them.
    forbidden : sequence of callables or classes
        reglab's own implementations of what the task asks the student to write (e.g.
        ``reglab.optim.Adam``): an answer that calls one of them, or the reference, fails
        (see :func:`student_code`).
    """

    name: str
    reference: Callable[..., Any]
    cases: Sequence[Case]
    mistakes: Sequence[Mistake] = ()
    helpers: Sequence[Exercise] = ()
    forbidden: Sequence[Any] = ()

    def check(self, student_fn: Callable[..., Any]) -> None:
        """Run ``student_fn`` on every case and print a one-line success message.

        Returns None, so that a check cell shows the message alone (no ``True`` echoed).

        Raises
        ------
        NotDoneError
            If ``student_fn`` (or a helper of it) still raises NotImplementedError.
        CheckError
            If an answer is wrong, with the first failing case and the likely mistake, or
            if a helper that ``student_fn`` calls is wrong (naming the helper).
        CheckTypeError
            If ``student_fn`` is not callable (e.g. the function was called, not passed).
        """
        if not callable(student_fn):
            raise CheckTypeError(
                f"student_fn must be a function: pass {self.name} itself, without "
                f"parentheses; got {type(student_fn).__name__} {student_fn!r}"
            )
        if _code_objects((student_fn,)).keys() & _code_objects(self.forbidden).keys():
            raise CheckError(
                f"{self.name} is reglab's own answer to this task, imported instead of "
                f"written: write the function yourself with NumPy, from the definition.")
        check_helpers(self.name, student_fn, self.helpers)
        expected = [self._convert(self.reference(*copy.deepcopy(c.args))) for c in self.cases]
        got = [self._run_student(student_fn, case) for case in self.cases]
        failures = [i for i in range(len(got)) if not self._equal(got[i], expected[i])]
        if not failures:
            print(f"✓ {self.name} passed {len(self.cases)} cases")
            return None
        first = failures[0]
        case = self.cases[first]
        raise CheckError(
            f"{self.name} is wrong on {len(failures)} of {len(self.cases)} cases. "
            f"First failure: {case.label}\n"
            f"{self._describe_args(case)}\n"
            f"    expected {self._show_answer(expected[first])}, "
            f"got {self._show_answer(got[first])}\n"
            f"{_show_difference(expected[first], got[first])}"
            f"Likely mistake: {self.diagnose(got)}"
        )

    def diagnose(self, answers: Sequence) -> str:
        """The message of the first mistake whose formula reproduces all ``answers``."""
        for mistake in self.mistakes:
            pairs = zip(answers, self.cases, strict=True)
            if all(self._equal(a, self._try(mistake.formula, c.args)) for a, c in pairs):
                return mistake.message
        return self.fallback

    def table_problems(self) -> list[str]:
        """What is wrong with the table itself (an empty list for a sound table).

        A wrong formula that gives no answer on some case, and two formulas (the
        reference included) that agree on every case, so that the cases cannot tell
        them apart and a diagnosis could name the wrong mistake.
        """
        formulas = {"the reference": self.reference}
        formulas.update({f"mistake {i} ({m.message[:40]}...)": m.formula
                         for i, m in enumerate(self.mistakes)})
        answers = {k: [self._try(f, c.args) for c in self.cases] for k, f in formulas.items()}
        problems = [f"{k} gives no answer on a case" for k, a in answers.items()
                    if any(x is None for x in a)]
        keys = list(answers)
        for i, k1 in enumerate(keys):
            for k2 in keys[i + 1:]:
                pairs = zip(answers[k1], answers[k2], strict=True)
                if all(self._equal(a, b) for a, b in pairs):
                    problems.append(f"{k1} and {k2} agree on every case")
        return problems

    #: What :meth:`diagnose` says when no wrong formula of the table matches.
    fallback = ("not one of the usual ones. Work the failing case out by hand from the "
                "definition above and compare it with your code, step by step.")

    # How answers are converted, compared and shown: numbers and arrays here;
    # subclasses (e.g. labels in reglab.checks.fits) override these four.
    def _convert(self, out):
        return _answer(out)

    def _equal(self, a, b) -> bool:
        return _close(a, b)

    def _show_answer(self, a) -> str:
        return _show(a)

    def _try(self, formula, args):
        """A wrong formula's answer, or None where it raises or gives no valid answer."""
        try:
            with np.errstate(all="ignore"):
                return self._convert(formula(*copy.deepcopy(args)))
        except Exception:
            return None

    def _run_student(self, student_fn, case: Case) -> float:
        args = copy.deepcopy(case.args)
        try:
            with student_code(self.name, f"{case.label}:\n{self._describe_args(case)}",
                              forbidden=(self.reference, *self.forbidden)):
                out = student_fn(*args)
        except NotImplementedError as err:
            raise _not_implemented(self.name, err, student_fn) from err
        if not _same(args, case.args):
            raise CheckError(
                f"{self.name} changed its input in place on {case.label}: compute new arrays "
                f"(y = x ** 2, np.abs(x)) instead of overwriting the argument (x **= 2, "
                f"x[:] = ..., np.abs(x, out=x))."
            )
        return self._as_answer(out, case)

    def _as_answer(self, out, case: Case) -> np.ndarray:
        if out is None:
            raise CheckError(
                f"{self.name} returned None on {case.label}: did you forget the `return` statement?"
            )
        arr = np.asarray(out)
        if arr.dtype.kind not in "iuf":
            raise CheckError(
                f"{self.name} must return real numbers, got {type(out).__name__} {out!r} "
                f"on {case.label}"
            )
        shape = np.shape(self.reference(*copy.deepcopy(case.args)))
        if shape == () and arr.size != 1:
            raise CheckError(
                f"{self.name} must return a single number, got an array of shape {arr.shape} "
                f"on {case.label}: {_shape_hint(shape, arr.shape)}"
            )
        if shape != () and arr.shape != shape:
            raise CheckError(
                f"{self.name} must return an array of shape {shape}, got shape {arr.shape} "
                f"on {case.label}: {_shape_hint(shape, arr.shape)}"
            )
        return _answer(arr)

    def _describe_args(self, case: Case) -> str:
        try:
            names = list(inspect.signature(self.reference).parameters)
        except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
            names = []
        names = (names + [f"arg{i}" for i in range(len(case.args))])[: len(case.args)]
        return "\n".join(f"    {n} = {_show(v)}" for n, v in zip(names, case.args, strict=True))


@contextlib.contextmanager
def student_code(name: str, where: str = "", *, forbidden: Sequence[Any] = ()):
    """Run the student's code inside the ``with`` block, so that its failures read like a check's.

    * A crash (any exception but NotImplementedError, which the caller turns into "not done
      yet") keeps its type, gains the note "raised by ``name`` on ``where``", and is shown by
      IPython as a few lines: the error, then the student's own lines that raised it (no
      frame inside reglab, numpy or Python itself).
    * A call from the student's code to one of ``forbidden`` (functions or classes: every
      method of a class counts) fails with a CheckError that names it: the task asks the
      student to write it. Calls made by reglab itself (a wrong formula of a check's table
      that builds on the reference) are not the student's and do not count.
    """
    codes = _code_objects(forbidden)
    called: list[str] = []

    def profile(frame, event, arg):
        if event == "call" and frame.f_code in codes and not _called_by_reglab(frame):
            called.append(codes[frame.f_code])

    previous = sys.getprofile()
    if codes:
        sys.setprofile(profile)
    try:
        yield
    except NotImplementedError:
        raise
    except Exception as err:
        if not isinstance(err, _ShortError):
            err.add_note(f"(raised by {name} on {where})" if where else f"(raised by {name})")
            err._render_traceback_ = functools.partial(_crash_lines, err, name, where)
        raise
    finally:
        sys.setprofile(previous)
    if called:
        raise CheckError(
            f"{name} calls {called[0]}, which is reglab's own answer to this task: write it "
            f"yourself with NumPy, from the definition (remove that call and its import).")


def _code_objects(objects: Sequence[Any]) -> dict:
    """code object -> qualified name, for functions, methods and every method of a class."""
    codes = {}
    for obj in objects:
        members = ([v for k in obj.__mro__[:-1] for v in vars(k).values()]
                   if isinstance(obj, type) else [obj])
        for member in members:
            fn = getattr(member, "__func__", getattr(member, "fget", member))
            code = getattr(fn, "__code__", None)
            if code is not None:
                codes[code] = f"{obj.__module__}.{getattr(obj, '__qualname__', obj)}"
    return codes


def _crash_lines(err: BaseException, name: str, where: str) -> list[str]:
    """How IPython shows a crash in student code: the error, then the student's own lines."""
    frames = traceback.extract_tb(err.__traceback__)
    own = [f for f in frames if not _is_library(f.filename)] or frames[-1:]
    lines = [f"{type(err).__name__}: {err}"]
    for f in own[-3:]:
        place = "your cell" if f.name == "<module>" else f"your {f.name}"
        lines.append(f"  in {place}, line {f.lineno}: {(f.line or '').strip()}")
    lines.append(f"(raised by {name} on {where})" if where else f"(raised by {name})")
    return lines


def _called_by_reglab(frame) -> bool:
    """Whether the nearest caller of ``frame`` outside numpy and Python itself is reglab's."""
    caller = frame.f_back
    while caller is not None and _is_library(caller.f_code.co_filename, reglab=False):
        caller = caller.f_back
    return caller is not None and _is_library(caller.f_code.co_filename)


@functools.lru_cache(maxsize=512)
def _is_library(filename: str, reglab: bool = True) -> bool:
    """Whether ``filename`` is Python's, an installed package's, or (if ``reglab``) reglab's."""
    path = Path(filename).resolve()
    if path.is_relative_to(_REGLAB):
        return reglab
    return any(path.is_relative_to(p) for p in _LIBRARIES)


def require_done(fn, check: Callable[[Any], Any]) -> None:
    """Fail with a one-line NotDoneError unless the student's ``fn`` passes its ``check``.

    For the cells that put a student's function to work ("try it", "put it to work"):
    ``require_done(bootstrap_sample, check_bootstrap_sample)`` at their top says which task
    to finish first, instead of a bare error from deep inside the experiment.
    """
    fn_name = getattr(fn, "__name__", repr(fn))
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            check(fn)
    except NotImplementedError as err:
        raise NotDoneError(f"This cell uses your {fn_name}, which is not written yet: finish "
                           f"its task first (run its check), then run this cell.") from err
    except AssertionError as err:
        raise NotDoneError(f"This cell uses your {fn_name}, which does not pass its check yet: "
                           f"fix it first (run its check), then run this cell.") from err


def _shape_hint(expected: tuple, got: tuple) -> str:
    """What a wrong answer shape usually means, from the expected and the returned shapes."""
    if len(got) > len(expected):
        return ("a reduction is missing (a sum, mean, max or argmax), or one runs along one "
                "axis only: without axis=... np.sum/np.mean/np.max reduce every entry.")
    if len(got) < len(expected):
        return ("a reduction that should not be there, or one along too many axes: check each "
                "sum, mean, max or argmax and its axis=..., and keepdims.")
    if sorted(got) == sorted(expected):
        return "the axes are in another order: a transpose (or X.T @ ... for ... @ X)?"
    return ("an axis has the wrong length: check which axis is which (examples first) and "
            "the length formula of each output axis.")


def _show_difference(expected, got) -> str:
    """For two large arrays of one shape, which entries differ (the message shows no values)."""
    if (np.ndim(expected) == 0 or np.shape(expected) != np.shape(got)
            or np.size(expected) <= 12):
        return ""
    wrong = ~isclose(expected, got)
    first = tuple(int(i) for i in np.argwhere(wrong)[0])
    return (f"    {int(wrong.sum())} of {wrong.size} entries differ; the first at index "
            f"{list(first)}: expected {_show(np.asarray(np.asarray(expected)[first]))}, "
            f"got {_show(np.asarray(np.asarray(got)[first]))}\n")


def _not_implemented(name: str, err: BaseException | None = None, fn=None) -> NotDoneError:
    """The error for a student function ``fn`` that still raises NotImplementedError.

    When the NotImplementedError came from another function of the student's (the
    innermost frame of ``err``'s traceback is neither ``fn`` nor in reglab), that earlier
    function is named as the culprit.
    """
    code = None
    tb = err.__traceback__ if err is not None else None
    while tb is not None:
        code, tb = tb.tb_frame.f_code, tb.tb_next
    raiser = code.co_name if code is not None else None
    own = (code is None or code is getattr(fn, "__code__", None)
           or raiser in (name, "<module>", "<lambda>")
           or Path(code.co_filename).resolve().is_relative_to(_REGLAB))
    if not own:
        return _helper_not_done(name, raiser)
    return NotDoneError(
        f"{name} is not implemented yet: replace the line `raise NotImplementedError(...)` "
        f"in its cell with your code, run that cell, then run this check again.")


def _helper_not_done(name: str, helper: str) -> NotDoneError:
    return NotDoneError(f"{name} calls your {helper}, which is not implemented yet: write "
                        f"{helper} first (its task comes earlier), then run this check again.")


def _names_used(code) -> set[str]:
    """The global names a code object uses, its nested ones (comprehensions, lambdas) included."""
    names = set(code.co_names)
    for const in code.co_consts:
        if inspect.iscode(const):
            names |= _names_used(const)
    return names


def check_helpers(name: str, student_fn, helpers: Sequence[Exercise]) -> None:
    """Check, silently, each helper exercise whose function ``student_fn`` calls by name.

    ``student_fn`` is a task's function; a helper is an earlier task whose function it
    may call (``random_shift`` calls ``shift_signals``). The student's version of the
    helper is found in ``student_fn``'s globals; if it is unfinished or wrong, the task is
    not to blame: the error names the helper.

    Raises
    ------
    NotDoneError
        If a helper called by ``student_fn`` is not implemented yet.
    CheckError
        If a helper called by ``student_fn`` fails its own check (its first line quoted).
    """
    code = getattr(student_fn, "__code__", None)
    called = _names_used(code) if code is not None else set()
    for helper in helpers:
        fn = getattr(student_fn, "__globals__", {}).get(helper.name)
        if helper.name not in called or not callable(fn):
            continue
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                helper.check(fn)
        except NotImplementedError as err:
            raise _helper_not_done(name, helper.name) from err
        except AssertionError as err:
            first = str(err).splitlines()[0]
            raise CheckError(
                f"{name} calls your {helper.name}, which is wrong: {first}\n"
                f"Fix {helper.name} first (run its check), then run this check again."
            ) from err


def _global_random_states():
    return np.random.get_state(legacy=False), random.getstate()  # noqa: NPY002


def _call_with_own_rng(name: str, fn, args, *, draw_hint: str, no_draw: str | None = None,
                       forbidden: Sequence[Any] = ()):
    """``fn(*args)``, failing if it drew from a global random state instead of its ``rng``.

    Both np.random's legacy global state and Python's ``random`` are compared before and
    after the call. ``draw_hint`` shows how to draw from rng instead, e.g.
    ``"D = rng.random(A.shape) < keep_prob"``; a function that must not draw at all (a
    backward pass, which reuses its cached mask) passes ``no_draw``, the message for any
    draw. A stub gets the "not implemented" error; a crash and a call to one of ``forbidden``
    are reported as by :func:`student_code`.
    """
    np_before, py_before = _global_random_states()
    try:
        with student_code(name, forbidden=forbidden):
            out = fn(*args)
    except NotImplementedError as err:
        raise _not_implemented(name, err, fn) from err
    np_after, py_after = _global_random_states()
    same_np = (np_before["state"]["pos"] == np_after["state"]["pos"]
               and np_before["has_gauss"] == np_after["has_gauss"]
               and np.array_equal(np_before["state"]["key"], np_after["state"]["key"]))
    if no_draw is not None and (not same_np or py_before != py_after):
        raise CheckError(f"{name}: {no_draw}")
    if not same_np:
        raise CheckError(
            f"{name}: you used np.random (the global random state: np.random.rand, "
            f"np.random.randint, np.random.seed, ...) instead of the rng you were given, so "
            f"the result is not reproducible from the caller's seed. Draw every random "
            f"number from rng: {draw_hint}.")
    if py_before != py_after:
        raise CheckError(
            f"{name}: you used Python's random module (random.randint, random.choice, ...) "
            f"instead of the rng you were given, so the result is not reproducible from the "
            f"caller's seed. Draw every random number from rng.")
    return out


def _a(*values) -> np.ndarray:
    """A float64 array of the entries: ``_a(1, 2)`` a vector, ``_a([1, 2], [3, 4])`` a matrix."""
    return np.array(values, dtype=np.float64)


def _answer(x) -> np.ndarray:
    """An answer as a float array (float32 kept, anything else float64); a number is 0-d."""
    arr = np.asarray(x)
    arr = arr.astype(arr.dtype if arr.dtype in (np.float32, np.float64) else np.float64)
    return arr.reshape(()) if arr.size == 1 else arr


def _close(a, b) -> bool:
    if a is None or b is None or np.shape(a) != np.shape(b):
        return False
    return bool(np.all(isclose(a, b)))


def _same(a, b) -> bool:
    """Deep equality of the argument structures (arrays compared entry by entry)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.shape(a) == np.shape(b) and bool(np.array_equal(a, b, equal_nan=True))
    return a == b


def _show(value) -> str:
    """A short, readable rendering of an argument for an error message."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return f"{float(value):.6g}"
        if value.size <= 12:
            with np.printoptions(precision=4, suppress=True):
                return repr(value).replace("\n", "\n" + " " * 8)
        return f"<array of shape {value.shape}>"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_show_short(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _show_short(value) -> str:
    if isinstance(value, np.ndarray):
        return f"<array of shape {value.shape}>"
    return repr(value)


@dataclass(frozen=True)
class MultipleChoice:
    """A multiple-choice question whose every wrong option has its own explanation.

    Parameters
    ----------
    name : str
        How the question is called in messages ("exercise 5").
    options : dict
        Letter -> the option's text or value, e.g. ``{"a": 0.50, "b": 0.72, ...}``.
    answer : str
        The right letter.
    why : dict
        Letter -> explanation, for every option: why a wrong one is wrong (what it
        actually is), and for the right one the reasoning shown on success.
    """

    name: str
    options: dict
    answer: str
    why: dict

    def __post_init__(self):
        if self.answer not in self.options or set(self.why) != set(self.options):
            raise ValueError(f"{self.name}: answer and why must cover the options "
                             f"{sorted(self.options)}")

    def check(self, answer) -> None:
        """Check the chosen letter (case, spaces and parentheses ignored); print why on success.

        Raises
        ------
        NotDoneError
            If the answer is still None: not answered yet.
        CheckError
            If the answer is not one of the letters, or is wrong (with its explanation).
        """
        letters = ", ".join(repr(k) for k in self.options)
        if answer is None:
            raise NotDoneError(f"{self.name} is not answered yet: replace None by the letter "
                               f"of your choice ({letters}), run that cell, then this one.")
        if not isinstance(answer, str):
            raise CheckError(f"answer must be the letter of an option ({letters}), "
                                 f"e.g. answer = \"a\", got {type(answer).__name__} {answer!r}")
        letter = answer.strip().strip("().").strip().lower()
        if letter not in self.options:
            raise CheckError(f"answer must be one of {letters}, got {answer!r}")
        why = self.why[letter][:1].upper() + self.why[letter][1:]
        if letter != self.answer:
            raise CheckError(f"({letter}) is not right. {why}")
        print(f"✓ {self.name}: ({letter}) is right. {why}")
