r"""Checks for ``exercises/06_early_stopping.ipynb``: when to stop, and which epoch to keep.

The rule (``notebooks/06_early_stopping.ipynb``, and :class:`reglab.train.EarlyStopping`
with ``monitor="val_loss"``), for validation losses v_0, v_1, ..., v_(T-1) recorded after
each epoch (epoch t is the 0-based index into the list, as in ``History.val_loss``):

* epoch 0 is the best so far; a later epoch t *improves* when it beats the best value so
  far by more than ``min_delta``:

  .. math::
      \text{improves}(t) \iff v^\ast_{t-1} - v_t > \delta,
      \qquad v^\ast_{t-1} = \text{the best value before } t,

  strictly: a tie (v_t = v*) is not an improvement, nor is a drop of δ or less;
* a counter ``wait`` restarts at 0 on every improving epoch and grows by 1 on every other
  one, so it counts the *consecutive* epochs without improvement;
* training stops at the epoch where ``wait`` reaches ``patience``. That epoch is
  ``stop_epoch``; it is then best_epoch + patience (patience >= 1). patience = 0 behaves like
  patience = 1 (stop at the first epoch that does not improve): an improving epoch never
  stops training, whatever the patience. This is what reglab and Keras do;
* if the counter never reaches ``patience``, training runs to the end and
  ``stop_epoch`` is the last epoch, ``len(val_losses) - 1``. (reglab's EarlyStopping
  reports ``stopped_epoch = None`` in that case; this exercise asks for the epoch where
  training ended either way, so the answer is always a pair of numbers.)
* ``best_epoch`` is the epoch of the best value seen up to and including ``stop_epoch``,
  the first one if several tie. Its parameters are the ones to restore, not those of
  ``stop_epoch``; nothing after ``stop_epoch`` may be looked at: it was never trained.

Shapes: ``val_losses`` a list of T >= 1 floats (like ``History.val_loss``), ``patience``
an int >= 0, ``min_delta`` a float >= 0; the answer is the pair of ints
``(stop_epoch, best_epoch)``, compared as an array of two numbers.

* :func:`check_early_stopping_epochs` checks the function with the engine of
  :mod:`reglab.checks` (cases and a table of wrong formulas, each with its diagnosis),
  through :class:`EpochPairExercise`, which shows answers as ``(stop=6, best=3)``.
* :func:`check_restore_question` and :func:`check_patience_question` check two
  multiple-choice answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..train import EarlyStopping
from . import Case, CheckError, Exercise, Mistake, MultipleChoice

__all__ = [
    "EARLY_STOPPING_EPOCHS",
    "PATIENCE_QUESTION",
    "RESTORE_QUESTION",
    "EpochPairExercise",
    "check_early_stopping_epochs",
    "check_patience_question",
    "check_restore_question",
]

_rng = np.random.default_rng(606)  # the cases are the same on every run


# ------------------------------------------------------------------ the rule and its variants

def _run(val_losses, patience, min_delta=0.0, *, stop_at=None, tie_improves=False,
         use_delta=True, reset=True, vs_previous=False, test_every_epoch=False, end=-1):
    """Early stopping on ``val_losses``, with switches that reproduce the usual mistakes.

    The defaults are the correct rule. ``stop_at(wait, patience)`` says when to stop
    (default ``wait >= patience``); ``tie_improves`` counts a drop of exactly
    ``min_delta`` (a tie, for δ = 0) as an improvement; ``use_delta=False`` ignores
    ``min_delta``; ``reset=False`` never restarts the counter; ``vs_previous`` compares
    with the previous epoch instead of the best so far; ``test_every_epoch`` tests the
    counter after improving epochs too; a run that never stops ends at
    ``len(val_losses) + end``. Returns (stop_epoch, best_epoch).
    """
    stop_at = stop_at or (lambda wait, p: wait >= p)
    delta = float(min_delta) if use_delta else 0.0
    best = previous = None
    best_epoch, wait = 0, 0
    for epoch, value in enumerate(val_losses):
        ref = previous if vs_previous else best
        gain = None if ref is None else ref - value
        if gain is None or gain > delta or (tie_improves and gain == delta):
            best, best_epoch = value, epoch
            if reset or gain is None:
                wait = 0
            if test_every_epoch and stop_at(wait, patience):
                return epoch, best_epoch
        else:
            wait += 1
            if stop_at(wait, patience):
                return epoch, best_epoch
        previous = value
    return len(val_losses) + end, best_epoch


def _early_stopping_epochs(val_losses, patience, min_delta=0.0):
    """The reference: (stop_epoch, best_epoch), 0-based; see the module docstring."""
    return _run(val_losses, patience, min_delta)


def _look_ahead(val_losses, patience, min_delta=0.0):
    stop, _ = _early_stopping_epochs(val_losses, patience, min_delta)
    return stop, int(np.argmin(val_losses))


def _shift(formula, d_stop, d_best):
    def shifted(val_losses, patience, min_delta=0.0):
        stop, best = formula(val_losses, patience, min_delta)
        return stop + d_stop, best + d_best
    return shifted


# ------------------------------------------------------------------ the exercise engine

def _pair(stop, best) -> str:
    def show(x):
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return "None"
        return f"{x:g}" if isinstance(x, float) else str(x)
    return f"(stop={show(stop)}, best={show(best)})"


@dataclass(frozen=True)
class EpochPairExercise(Exercise):
    """An :class:`~reglab.checks.Exercise` whose answer is the pair (stop_epoch, best_epoch).

    Answers are compared as an array of two numbers (exactly, up to the engine's
    tolerance) and shown as ``(stop=6, best=3)``. A student's answer must be a pair of
    whole numbers; a None (the convention of ``EarlyStopping.stopped_epoch`` for a run
    that never stopped) gets its own explanation.
    """

    fallback = ("not one of the usual ones. Work the failing case out by hand: go through the "
                "list epoch by epoch, write down the best value so far and the counter of "
                "epochs in a row without improvement, and compare with your code.")

    def _show_answer(self, a) -> str:
        if a is None:
            return "no answer"
        stop, best = (float(x) for x in np.reshape(a, -1)[:2])
        return _pair(int(stop) if stop.is_integer() else stop,
                     int(best) if best.is_integer() else best)

    def _as_answer(self, out, case: Case) -> np.ndarray:
        if out is None:
            raise CheckError(
                f"{self.name} returned None on {case.label}: did you forget the statement "
                f"`return stop_epoch, best_epoch`?")
        if isinstance(out, np.ndarray) and out.shape == (2,):
            out = tuple(out.tolist())
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise CheckError(
                f"{self.name} must return the pair (stop_epoch, best_epoch), got "
                f"{type(out).__name__} {out!r} on {case.label}.")
        if out[0] is None or out[1] is None:
            raise CheckError(
                f"{self.name} returned {_pair(*out)} on {case.label}. When training never "
                f"stops early it ends at the last epoch: return stop_epoch = "
                f"len(val_losses) - 1 (reglab's EarlyStopping.stopped_epoch is None in that "
                f"case, but this exercise asks for the epoch where training ended).")
        for name, x in zip(("stop_epoch", "best_epoch"), out, strict=True):
            if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, float, np.integer,
                                                                     np.floating)):
                raise CheckError(
                    f"{self.name} must return two whole numbers, got {name} = {x!r} "
                    f"({type(x).__name__}) on {case.label}.")
            if not float(x).is_integer():
                raise CheckError(
                    f"{self.name} returned {name} = {x!r} on {case.label}: an epoch is a "
                    f"whole number, the index of an entry of val_losses.")
        return np.asarray(out, dtype=float)


def _l(*values) -> list:
    return [float(v) for v in values]


def _noisy_u_curve(T: int) -> list:
    """A validation curve that falls, then rises, with noise (rounded to 3 decimals)."""
    t = np.arange(T)
    v = 0.6 + 1.2 * np.exp(-t / 4) + 0.012 * t + 0.03 * _rng.standard_normal(T)
    return [round(float(x), 3) for x in v]


EARLY_STOPPING_EPOCHS = EpochPairExercise(
    name="early_stopping_epochs",
    reference=_early_stopping_epochs,
    forbidden=(EarlyStopping,),
    cases=(
        Case("a U-shaped curve, patience 3",
             (_l(1.0, 0.8, 0.65, 0.6, 0.62, 0.66, 0.7, 0.75, 0.8, 0.85), 3)),
        Case("a plateau shorter than the patience, then a new low, patience 3",
             (_l(1.0, 0.7, 0.72, 0.71, 0.5, 0.55, 0.6, 0.65, 0.7), 3)),
        Case("a plateau longer than the patience, then a new low that comes too late, "
             "patience 3",
             (_l(1.0, 0.6, 0.62, 0.63, 0.61, 0.64, 0.4, 0.3), 3)),
        Case("a curve that keeps decreasing (training never stops early), patience 2",
             (_l(1.0, 0.8, 0.6, 0.5, 0.45, 0.42), 2)),
        Case("exact ties with the best value, patience 3",
             (_l(1.0, 0.5, 0.5, 0.5, 0.5, 0.4), 3)),
        Case("patience 0", (_l(1.0, 0.9, 0.95, 0.8, 0.7), 0)),
        Case("patience 1", (_l(0.9, 0.7, 0.6, 0.65, 0.5, 0.4), 1)),
        Case("min_delta = 0.03: drops of 0.01 and 0.015 do not count, patience 2",
             (_l(1.0, 0.9, 0.85, 0.84, 0.835, 0.83, 0.7), 2, 0.03)),
        Case("a bump above the previous epoch, then slow recovery that stays above the best, "
             "patience 3",
             (_l(1.0, 0.5, 0.8, 0.7, 0.6, 0.55, 0.52), 3)),
        Case("a single epoch", (_l(0.5), 2)),
        Case("a noisy 30-epoch curve, patience 5, min_delta = 0.0055",
             (_noisy_u_curve(30), 5, 0.0055)),
    ),
    mistakes=(
        Mistake(_shift(_early_stopping_epochs, 1, 1),
                "every epoch is one too high: you counted epochs from 1. Epochs are 0-based "
                "indices into val_losses (epoch 0 is val_losses[0]), like History and "
                "EarlyStopping."),
        Mistake(_shift(_early_stopping_epochs, 1, 0),
                "stop_epoch is one too high: you returned the number of epochs trained "
                "(stop_epoch + 1) instead of the index of the epoch where training stopped."),
        Mistake(lambda v, p, d=0.0: _run(v, p, d, end=0),
                "when training never stops early you returned len(val_losses); the last "
                "epoch is len(val_losses) - 1 (epochs are 0-based)."),
        Mistake(lambda v, p, d=0.0: _run(v, p, d, stop_at=lambda w, q: w > q),
                "you stopped one epoch late: training stops at the epoch where the counter "
                "of epochs without improvement REACHES patience (wait >= patience), not when "
                "it exceeds it (wait > patience)."),
        Mistake(lambda v, p, d=0.0: _run(v, p, d, stop_at=lambda w, q: w >= q - 1),
                "you stopped one epoch early: with patience p, training stops after p "
                "epochs in a row without improvement (wait >= patience, after counting the "
                "current epoch), not after p - 1."),
        Mistake(lambda v, p, d=0.0: (_early_stopping_epochs(v, p, d)[0],) * 2,
                "best_epoch equals stop_epoch: you kept the last epoch's parameters. The ones "
                "to restore are those of the best epoch, the last one that improved; "
                "after it came `patience` epochs without improvement."),
        Mistake(_look_ahead,
                "best_epoch is the minimum of the whole curve, including epochs after "
                "stop_epoch: those epochs were never trained. Only look at "
                "val_losses[:stop_epoch + 1], or better, track the best while you go."),
        Mistake(lambda v, p, d=0.0: _run(v, p, d, tie_improves=True),
                "you counted a tie as an improvement (<= instead of <, or >= instead of >): "
                "an epoch improves only when best - value > min_delta, strictly. With "
                "min_delta = 0, a value equal to the best resets nothing."),
        Mistake(lambda v, p, d=0.0: _run(v, p, d, use_delta=False),
                "you ignored min_delta: an epoch improves only when it beats the best by "
                "MORE than min_delta (best - value > min_delta), so tiny gains count as "
                "epochs without improvement."),
        Mistake(lambda v, p, d=0.0: _run(v, p, d, reset=False),
                "you counted every epoch without improvement since the start, not the "
                "epochs IN A ROW: set the counter back to 0 whenever an epoch improves."),
        Mistake(lambda v, p, d=0.0: _run(v, p, d, vs_previous=True),
                "you compared each value with the previous epoch instead of the best so "
                "far: an epoch that is lower than the one before but still above the best "
                "is not an improvement."),
        Mistake(lambda v, p, d=0.0: _run(v, p, d, test_every_epoch=True),
                "with patience 0 you stopped at epoch 0: you tested the counter after an "
                "improving epoch too. Only an epoch without improvement can stop training "
                "(patience 0 then behaves like patience 1), as in reglab's EarlyStopping."),
    ),
)


def check_early_stopping_epochs(early_stopping_epochs) -> None:
    """Check ``early_stopping_epochs(val_losses, patience, min_delta=0.0)`` (11 cases).

    It must return ``(stop_epoch, best_epoch)``, both 0-based; see the module docstring.
    """
    return EARLY_STOPPING_EPOCHS.check(early_stopping_epochs)


# ----------------------------------------------------------------- the multiple-choice questions

RESTORE_QUESTION = MultipleChoice(
    name="which parameters to keep",
    options={
        "a": "the parameters after epoch 12, the last one trained",
        "b": "the parameters saved after epoch 7",
        "c": "the parameters after epoch 11, the last epoch before the stop decision",
        "d": "the parameters of the epoch with the lowest training loss",
    },
    answer="b",
    why={
        "a": "after epoch 7 the validation loss did not improve for 5 epochs: the "
             "parameters of epoch 12 are the most overfitted of the run. Keeping them "
             "throws away what early stopping is for (this is restore_best=False).",
        "b": "epoch 7 had the lowest validation loss, so its parameters are the ones that "
             "generalized best; the 5 epochs after it only confirmed that nothing better "
             "was coming. EarlyStopping(restore_best=True) saves them at every improvement "
             "and loads them back when training ends.",
        "c": "epoch 11 is one of the 5 epochs that did not improve on epoch 7: its "
             "parameters are already 4 epochs into the overfitting, and nothing makes the "
             "epoch before the stop special.",
        "d": "the training loss keeps falling while the network overfits, so its lowest "
             "value is at (or near) the last epoch, 12: the same mistake as (a). Early "
             "stopping decides on the validation loss.",
    },
)


def check_restore_question(answer) -> None:
    """Check the letter chosen for: stopped at 12 with patience 5, which parameters to keep?"""
    return RESTORE_QUESTION.check(answer)


PATIENCE_QUESTION = MultipleChoice(
    name="choosing the patience",
    options={
        "a": "patience 1, because training stops as soon as the validation loss goes up",
        "b": "a larger patience, e.g. 5, so that a bump of one or two epochs does not end "
             "the run",
        "c": "it makes no difference: with restore_best the best parameters come back anyway",
        "d": "patience 0, which never stops training",
    },
    answer="b",
    why={
        "a": "on this noisy curve patience 1 stops at the first bump, epoch 4, and the new "
             "lows of epochs 6 to 10 are never reached. A small patience is only safe on a "
             "smooth curve.",
        "b": "the noise makes the validation loss go up for an epoch or two now and then "
             "while the trend still goes down; a patience longer than those bumps waits "
             "them out, and costs only `patience` extra epochs at the end (their "
             "parameters are discarded by restore_best).",
        "c": "restore_best can only restore the best epoch seen before the stop: if training "
             "stopped at the first bump, the better epochs that would have come later were "
             "never trained.",
        "d": "patience 0 behaves like patience 1: training stops at the first epoch that "
             "does not improve. To never stop, do not use early stopping (or a patience "
             "at least as large as the number of epochs).",
    },
)


def check_patience_question(answer) -> None:
    """Check the letter chosen for: which patience suits a noisy validation curve?"""
    return PATIENCE_QUESTION.check(answer)
