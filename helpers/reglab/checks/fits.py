r"""Checks for ``exercises/01_diagnosing_fits.ipynb``: bias, variance and the experimental recipe.

The definitions (INF721 lecture, section 2; ``notebooks/01_overfitting_and_the_recipe.ipynb``):

.. math::
    \text{avoidable bias} = E_\text{train} - E_\text{baseline},\qquad
    \text{variance} = E_\text{val} - E_\text{train},

each "high" when it exceeds a tolerance ``tol``; the verdict is ``"high bias"``,
``"high variance"``, ``"both"`` or ``"good fit"`` (:func:`reglab.diagnosis.diagnose`),
and the recipe's next step is ``"bigger network"`` (high bias, also when the variance
is high too), ``"regularize or more data"`` (high variance only) or ``"done"``.

The answers of these exercises are *labels* (strings), not numbers:
:class:`LabelExercise` is the engine's :class:`~reglab.checks.Exercise` with answers
compared as strings (case and surrounding spaces ignored) and every answer required
to be one of the allowed labels.

The multiple-choice questions are exercises 1 and 2 of the INF721 lecture and a
learning curve from the notebook, each with an explanation for every option.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import diagnosis
from ..diagnosis import RECIPE_STEPS, VERDICTS, verdict
from . import Case, CheckError, Exercise, Mistake, MultipleChoice

__all__ = [
    "DIAGNOSE",
    "EXERCISE1",
    "EXERCISE2",
    "LEARNING_CURVE",
    "RECIPE_STEP",
    "LabelExercise",
    "check_diagnose",
    "check_exercise1",
    "check_exercise2",
    "check_learning_curve",
    "check_recipe_step",
]

STEPS = tuple(dict.fromkeys(RECIPE_STEPS.values()))

#: Words students use for a verdict, and the label it corresponds to (for a hint).
SYNONYMS = {
    "underfit": "high bias", "underfitting": "high bias", "bias": "high bias",
    "high-bias": "high bias", "overfit": "high variance", "overfitting": "high variance",
    "variance": "high variance", "high-variance": "high variance",
    "high bias and high variance": "both", "good": "good fit", "goodfit": "good fit",
    "good-fit": "good fit", "fine": "good fit",
    "regularize": "regularize or more data", "regularization": "regularize or more data",
    "more data": "regularize or more data", "bigger model": "bigger network",
    "train longer": "bigger network",
}


def _normalize(answer: str) -> str:
    return " ".join(answer.strip().lower().split())


@dataclass(frozen=True)
class LabelExercise(Exercise):
    """A function-writing exercise whose answer is one of a few fixed strings.

    Works like :class:`~reglab.checks.Exercise` (cases, a table of wrong formulas,
    "not implemented yet" for a stub) but compares answers as labels: case and
    surrounding or repeated spaces are ignored, and an answer that is not one of
    ``labels`` fails at once, naming the allowed ones.

    Parameters
    ----------
    name, reference, cases, mistakes
        As in :class:`~reglab.checks.Exercise`; the reference and every wrong formula
        return one of ``labels``.
    labels : tuple of str
        The allowed answers.
    """

    labels: tuple[str, ...] = ()
    fallback = ("not one of the usual ones. Work the failing case out by hand: compute the "
                "avoidable bias and the variance, compare each with tol, and compare with "
                "your code, step by step.")

    def _convert(self, out):
        return _normalize(out) if isinstance(out, str) else None

    def _equal(self, a, b) -> bool:
        return a is not None and a == b

    def _show_answer(self, a) -> str:
        return repr(a)

    def _as_answer(self, out, case: Case) -> str:
        allowed = ", ".join(repr(label) for label in self.labels)
        if out is None:
            raise CheckError(
                f"{self.name} returned None on {case.label}: did you forget the `return` statement?"
            )
        if not isinstance(out, str):
            raise CheckError(
                f"{self.name} must return one of the strings {allowed}, got "
                f"{type(out).__name__} {out!r} on {case.label}"
            )
        label = _normalize(out)
        if label not in self.labels:
            hint = SYNONYMS.get(label)
            hint = f" (for {out!r}, write {hint!r})" if hint in self.labels else ""
            raise CheckError(
                f"{self.name} returned {out!r} on {case.label}, which is not one of the "
                f"answers the check understands: {allowed}{hint}."
            )
        return label


# ------------------------------------------------------------------- verdicts

def _diagnose(train_err, val_err, baseline_err, tol=0.1):
    return verdict(train_err - baseline_err > tol, val_err - train_err > tol)


def _bias_first_no_both(train_err, val_err, baseline_err, tol=0.1):
    if train_err - baseline_err > tol:
        return "high bias"
    if val_err - train_err > tol:
        return "high variance"
    return "good fit"


def _variance_first_no_both(train_err, val_err, baseline_err, tol=0.1):
    if val_err - train_err > tol:
        return "high variance"
    if train_err - baseline_err > tol:
        return "high bias"
    return "good fit"


#: (label, args) of the diagnosis cases, shared by both function exercises.
#: Errors are error rates (1 - accuracy) unless the label says otherwise.
_CASES = (
    Case("the INF721 cats-vs-dogs underfit (accuracy 45 % / 42 %, humans ≈ 100 %)",
         (0.55, 0.58, 0.0)),
    Case("the INF721 cats-vs-dogs overfit (accuracy 99 % / 67 %)", (0.01, 0.33, 0.0)),
    Case("the INF721 cats-vs-dogs good fit (accuracy 95 % / 94 %)", (0.05, 0.06, 0.0)),
    Case("INF721 exercise 1 (accuracy 99.5 % / 87 %)", (0.005, 0.13, 0.0)),
    Case("high avoidable bias and high variance at once", (0.20, 0.40, 0.02)),
    Case("a hard task whose baseline error is 25 % (train 30 %, val 34 %)", (0.30, 0.34, 0.25)),
    Case("a training error far above a 10 % baseline, a small validation gap",
         (0.30, 0.36, 0.10)),
    Case("a small training error and a moderate validation gap (train 5 %, val 12 %)",
         (0.05, 0.12, 0.0)),
    Case("a strict tolerance, tol = 0.02", (0.05, 0.08, 0.04, 0.02)),
    Case("a regression: mean squared errors with baseline σ² = 0.09 and tol = 0.045; "
         "the training error is below the noise floor", (0.02, 0.30, 0.09, 0.045)),
    Case("a validation error below the training error (e.g. training error measured "
         "with dropout on)", (0.30, 0.15, 0.25)),
    Case("MNIST-1D, a linear model (human expert baseline 4 %)", (0.63, 0.69, 0.04)),
    Case("MNIST-1D, a wide MLP trained to 100 % training accuracy", (0.0, 0.35, 0.04)),
    Case("MNIST-1D, an MLP with strong dropout", (0.23, 0.37, 0.04)),
    Case("both gaps exactly equal to tol (0.25, exact in binary): not larger, so no problem",
         (0.5, 0.75, 0.25, 0.25)),
)

DIAGNOSE = LabelExercise(
    name="diagnose",
    reference=_diagnose,
    forbidden=(diagnosis.diagnose, diagnosis.avoidable_bias, diagnosis.variance,
               diagnosis.verdict, diagnosis.recipe_step),
    cases=_CASES,
    labels=VERDICTS,
    mistakes=(
        Mistake(lambda tr, va, base, tol=0.1: _diagnose(tr, va, 0.0, tol),
                "you compared the training error with 0 instead of the baseline. The "
                "avoidable bias is train_err - baseline_err: on a task where even the best "
                "possible model errs 25 % of the time, a training error of 30 % leaves only "
                "5 points to gain."),
        Mistake(lambda tr, va, base, tol=0.1: verdict(va - tr > tol, tr - base > tol),
                "you swapped bias and variance. The bias is about the training set "
                "(train_err - baseline_err: can the model fit the data it has seen?), the "
                "variance about the gap between validation and training (val_err - "
                "train_err: does what it learned carry over to new data?)."),
        Mistake(lambda tr, va, base, tol=0.1: verdict(tr - base > tol, va - base > tol),
                "you measured the variance from the baseline, val_err - baseline_err. That "
                "difference contains the bias as well (it is bias + variance), so every "
                "underfitting model would also look like it overfits. The variance is "
                "val_err - train_err."),
        Mistake(lambda tr, va, base, tol=0.1: verdict(va - base > tol, va - tr > tol),
                "you measured the bias on the validation error, val_err - baseline_err. "
                "That difference contains the variance as well; the avoidable bias is what "
                "is left on the training set, train_err - baseline_err."),
        Mistake(_bias_first_no_both,
                "you never return \"both\": when the avoidable bias and the variance both "
                "exceed tol, the verdict is \"both\", not only the first one you test. "
                "Compute both conditions first, then decide."),
        Mistake(_variance_first_no_both,
                "you never return \"both\": when the avoidable bias and the variance both "
                "exceed tol, the verdict is \"both\", not only the first one you test "
                "(yours returns \"high variance\"). Compute both conditions first, then "
                "decide."),
        Mistake(lambda tr, va, base, tol=0.1: _diagnose(tr, va, base, 0.0),
                "you compared the gaps with 0, so any gap at all counts as high bias or high "
                "variance. Compare each with tol: a gap counts only when it is > tol."),
        Mistake(lambda tr, va, base, tol=0.1: _diagnose(tr, va, base, 0.1),
                "you ignored the tol argument (did you write 0.1 instead of tol?): the "
                "case with tol = 0.02 needs the tolerance it is given."),
        Mistake(lambda tr, va, base, tol=0.1: verdict(abs(tr - base) > tol, abs(va - tr) > tol),
                "you took absolute values of the gaps. A training error *below* the baseline "
                "is no bias (it is a sign of fitting the noise), and a validation error below "
                "the training error is no variance: only a gap in the bad direction, larger "
                "than tol, counts."),
        Mistake(lambda tr, va, base, tol=0.1: verdict(tr - base < tol, va - tr < tol),
                "your comparisons point the wrong way: a gap is high when it is *larger* "
                "than tol (gap > tol)."),
        Mistake(lambda tr, va, base, tol=0.1: verdict(tr - base >= tol, va - tr >= tol),
                "a gap exactly equal to tol counts as high in your function (>=): a gap "
                "counts only when it is strictly larger than tol (gap > tol)."),
    ),
)


def check_diagnose(diagnose) -> None:
    """Check ``diagnose(train_err, val_err, baseline_err, tol=0.1)`` on 15 cases.

    The answer must be one of ``"high bias"``, ``"high variance"``, ``"both"``,
    ``"good fit"``.
    """
    return DIAGNOSE.check(diagnose)


# -------------------------------------------------------- the recipe's next step


def _recipe_step(train_err, val_err, baseline_err, tol=0.1):
    return RECIPE_STEPS[_diagnose(train_err, val_err, baseline_err, tol)]


def _step_variance_first(tr, va, base, tol=0.1):
    if va - tr > tol:
        return "regularize or more data"
    if tr - base > tol:
        return "bigger network"
    return "done"


def _step_swapped(tr, va, base, tol=0.1):
    swap = {"bigger network": "regularize or more data",
            "regularize or more data": "bigger network", "done": "done"}
    return swap[_recipe_step(tr, va, base, tol)]


def _step_validation_only(tr, va, base, tol=0.1):
    return "regularize or more data" if va - base > tol else "done"


def _step_gap_only(tr, va, base, tol=0.1):
    return "regularize or more data" if va - tr > tol else "done"


def _step_bias_only(tr, va, base, tol=0.1):
    return "bigger network" if tr - base > tol else "done"


RECIPE_STEP = LabelExercise(
    name="recipe_step",
    reference=_recipe_step,
    forbidden=(diagnosis.diagnose, diagnosis.recipe_step),
    cases=_CASES,
    labels=STEPS,
    mistakes=(
        Mistake(_step_variance_first,
                "with high bias *and* high variance you chose to regularize. Algorithm 1 "
                "tests for high bias first: a model that cannot fit its training set needs "
                "more capacity (a bigger network, longer training) before anything else, and "
                "regularizing it would push its training error further up."),
        Mistake(_step_swapped,
                "you swapped the remedies. High bias (the training error itself is too high) "
                "calls for a bigger network or longer training; high variance (the model does "
                "much worse on new data than on its training data) calls for regularization "
                "or more data."),
        Mistake(lambda tr, va, base, tol=0.1: _recipe_step(tr, va, 0.0, tol),
                "you compared the training error with 0 instead of the baseline: on a task "
                "whose baseline error is 25 %, a training error of 30 % is close to the best "
                "possible, and a bigger network cannot do much about the rest."),
        Mistake(_step_validation_only,
                "you looked only at the validation error. A high validation error alone does "
                "not say what to do: if the training error is high too, the model underfits, "
                "and regularization would make it worse; compare the training error with the "
                "baseline and the validation error with the training error."),
        Mistake(_step_gap_only,
                "you only looked at the gap between validation and training error, so a model "
                "that fits its training set badly but generalizes that bad fit faithfully is "
                "\"done\". Check the avoidable bias, train_err - baseline_err, first."),
        Mistake(_step_bias_only,
                "you only looked at the training error, so a model that memorized its training "
                "set is \"done\". After the bias, check the variance, val_err - train_err."),
        Mistake(lambda tr, va, base, tol=0.1: _recipe_step(tr, va, base, 0.1),
                "you ignored the tol argument (did you write 0.1 instead of tol?)."),
    ),
)


def check_recipe_step(recipe_step) -> None:
    """Check ``recipe_step(train_err, val_err, baseline_err, tol=0.1)`` on 15 cases.

    The answer must be one of ``"bigger network"``, ``"regularize or more data"``, ``"done"``.
    """
    return RECIPE_STEP.check(recipe_step)


# ------------------------------------------------ multiple choice: INF721 exercises 1, 2

EXERCISE1 = MultipleChoice(
    name="INF721 exercise 1",
    options={
        "a": "Increase the number of neurons in each layer",
        "b": "Add L2 regularization to the loss function",
        "c": "Reduce the learning rate",
        "d": "Remove all activation functions except in the output layer",
    },
    answer="b",
    why={
        "a": "A bigger network is the remedy for high *bias*. Here the training accuracy is "
             "already 99.5 % (avoidable bias ≈ 0.5 points), while the test accuracy is 12.5 "
             "points lower: high variance. More neurons give the network even more capacity "
             "to memorize its training set, which tends to widen that gap.",
        "b": "Training 99.5 %, test 87 %: the avoidable bias is about 0.5 points and the "
             "variance 12.5 points, so the model overfits (high variance). L2 regularization "
             "adds (λ/2m)Σ‖W‖²_F to the cost, pulls the weights towards 0 and makes the network "
             "a smoother, simpler function: the training accuracy drops a little and the gap "
             "narrows. (More data would be the other remedy of the recipe.)",
        "c": "The learning rate controls the optimization, and the optimization is not the "
             "problem: the network already fits 99.5 % of its training set. A smaller step "
             "only gets there more slowly; it does not stop the network from fitting the "
             "training set too closely, so the 12.5-point gap stays.",
        "d": "Without activation functions every layer is linear, and a composition of linear "
             "maps is one linear map: the network collapses into a linear model. The gap might "
             "shrink, but only because the model can no longer fit much at all: you trade high "
             "variance for high bias (on MNIST-1D a linear model reaches 32 % against 68 % for "
             "an MLP). Regularization constrains the network without throwing away its "
             "nonlinearity.",
    },
)


def check_exercise1(answer) -> None:
    """Check the letter chosen for INF721 exercise 1 (training 99.5 %, test 87 %)."""
    return EXERCISE1.check(answer)


EXERCISE2 = MultipleChoice(
    name="INF721 exercise 2",
    options={
        "a": "The model's capacity to fit complex functions increases",
        "b": "The model's weights tend to become larger in magnitude",
        "c": "Weights are pushed toward becoming smaller (closer to 0)",
        "d": "The model becomes more prone to overfitting",
    },
    answer="c",
    why={
        "a": "It decreases. A larger λ makes large weights more expensive, so the network can "
             "afford fewer sharp, large-weight features: its *effective* capacity shrinks (in "
             "the limit λ → ∞ all weights are 0 and only the biases are left).",
        "b": "The opposite: the gradient of (λ/2m)‖W‖²_F is (λ/m)W, which points away from 0, "
             "so gradient descent subtracts it and moves each weight towards 0; a larger λ "
             "moves them further.",
        "c": "The gradient of the penalty is (λ/m)W, so each step is W ← (1 − αλ/m)W − α∂L/∂W: "
             "before the usual update every weight is multiplied by a factor below 1 (weight "
             "decay). A larger λ shrinks more strongly; the weights get smaller but, unlike "
             "with L1, rarely exactly 0.",
        "d": "A larger λ makes the model *less* prone to overfitting; too large a λ makes it "
             "underfit instead (in the LMU weight-decay experiment on MNIST, the strongest "
             "decay, 1e-2, gives a high training error).",
    },
)


def check_exercise2(answer) -> None:
    """Check the letter chosen for INF721 exercise 2 (what a larger λ does in L2)."""
    return EXERCISE2.check(answer)


# ------------------------------------------------ multiple choice: reading a learning curve

LEARNING_CURVE = MultipleChoice(
    name="the learning curve",
    options={
        "a": "Collect ten times more training data",
        "b": "Add L2 regularization or dropout",
        "c": "Use a model with more capacity (a network with hidden layers)",
        "d": "Stop here: validation accuracy cannot be improved",
    },
    answer="c",
    why={
        "a": "The two curves have already met: at m = 4000 the gap between training and "
             "validation accuracy is a few points, and the validation accuracy has hardly "
             "moved since m = 1000. More data closes a gap, and there is no gap left; the "
             "training accuracy would keep sinking towards the same plateau.",
        "b": "Regularization fights variance, and there is almost none: the validation accuracy "
             "is within a few points of the training accuracy. Constraining the model further "
             "would lower the training accuracy and the validation accuracy with it.",
        "c": "Both curves level off at about a third of the examples right, far from the "
             "human expert's 96 %: a huge avoidable bias and almost no variance, the "
             "signature of a model that is too simple. A linear model can only draw linear "
             "class boundaries; an MLP with hidden layers (68 % in the MNIST-1D paper) or a "
             "CNN (94 %) can do much better. That is the first branch of the recipe.",
        "d": "The plateau is a property of this model, not of the data: a human expert "
             "reaches 96 % on MNIST-1D, so the avoidable bias is enormous. The recipe says: "
             "bigger network or different architecture.",
    },
)


def check_learning_curve(answer) -> None:
    """Check the letter chosen for the learning-curve question (a linear model on MNIST-1D)."""
    return LEARNING_CURVE.check(answer)
