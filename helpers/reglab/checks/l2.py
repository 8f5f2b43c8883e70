r"""Checks for ``exercises/02_l2_regularization.ipynb``: the L2 cost, its gradient, weight decay.

The definitions (the INF721 lecture on regularization, sections 5 and 6.2;
``notebooks/02_l2_weight_decay.ipynb``; :class:`reglab.penalties.L2`). On a training set
of m examples the regularized cost is

.. math::
    J = \frac{1}{m}\sum_{i=1}^m L(\hat y^{(i)}, y^{(i)})
        + \frac{\lambda}{2m}\sum_l \lVert W^{[l]}\rVert_F^2 ,

where only the weight matrices are penalized, never the biases. Its gradient gains
(λ/m)W for every weight matrix (the 2 of the square cancels the ½) and nothing for a
bias, so one step of gradient descent with learning rate α is

.. math::
    W \leftarrow W - \alpha\Big(dW + \frac{\lambda}{m}W\Big)
      = \Big(1 - \frac{\alpha\lambda}{m}\Big)W - \alpha\, dW ,\qquad
    b \leftarrow b - \alpha\, db ,

"weight decay": W shrinks by the factor (1 − αλ/m) before the usual step.

Parameters are dictionaries named as ``reglab.Sequential.params`` names them: ``"0.W"``,
``"0.b"``, ``"2.W"``, ... (a weight matrix when the part after the last dot is ``W``,
:func:`reglab.is_weight`). A dictionary (rather than a list of weight matrices) is what
lets a check see a penalized bias.

* ``l2_cost(params, lam, m)`` -> float: (λ/2m)·Σ_l ‖W⁽ˡ⁾‖²_F.
* ``l2_gradients(params, grads, lam, m)`` -> dict: the gradients of J, i.e. a new dict
  with ``grads[k] + (lam/m)·params[k]`` for a weight and ``grads[k]`` for a bias.
  ``grads`` holds the data-loss gradients ∂(mean loss)/∂θ, same names and shapes.
* ``weight_decay_update(W, dW, lr, lam, m)`` -> array, shape of W: (1 − lr·λ/m)·W − lr·dW.
* ``sgd_step(params, grads, lr, lam, m)`` -> dict: one step on every parameter, weight
  decay for the weights, the plain step b − lr·db for the biases (new arrays).

Each ``check_*`` function runs the student's function on the cases below and, when an
answer is wrong, names the likely mistake from the table next to it (see
:mod:`reglab.checks`). The cases use m ≠ 1, 2, λ ≠ 2 and lr ≠ 1, so that every wrong
factor shows. :func:`check_conversion_question` checks a multiple-choice answer (a PyTorch
``weight_decay`` converted to our λ).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace

import numpy as np

from ..layers import is_weight
from ..optim import SGD, DecoupledWeightDecay
from ..penalties import L2
from . import (
    Case,
    CheckError,
    Exercise,
    Mistake,
    MultipleChoice,
    _a,
    _answer,
    _close,
    _shape_hint,
    student_code,
)
from .norms import L2_PENALTY_VALUE, _net
from .norms import _sum_sq as _sq

__all__ = [
    "CONVERSION_QUESTION",
    "L2_COST",
    "L2_GRADIENTS",
    "SGD_STEP",
    "WEIGHT_DECAY_UPDATE",
    "DictExercise",
    "check_conversion_question",
    "check_l2_cost",
    "check_l2_gradients",
    "check_sgd_step",
    "check_weight_decay_update",
]

_rng = np.random.default_rng(202)  # the cases are the same on every run


def _like(params) -> dict:
    """Random data-loss gradients with the names and shapes of ``params``."""
    return {k: _rng.normal(size=v.shape) for k, v in params.items()}


def _map(params, weight_fn, bias_fn=lambda k: k) -> dict:
    """A new dict: weight_fn(name) for weights, bias_fn(name) for the other parameters."""
    return {k: (weight_fn(k) if is_weight(k) else bias_fn(k)) for k in params}


@dataclass(frozen=True)
class DictExercise(Exercise):
    """An exercise whose answer is a dict of arrays with the names and shapes of the reference's.

    Works like :class:`~reglab.checks.Exercise` (cases, a table of wrong formulas, the
    "not implemented yet" message for a stub, inputs modified in place reported); two
    answers agree when they have the same names and every array agrees entrywise
    (the tolerance policy of :func:`~reglab.checks.isclose`). A wrong name or shape fails
    at once, with what was expected.
    """

    def _convert(self, out):
        if not isinstance(out, dict):
            return None
        try:
            return {k: _answer(v) for k, v in out.items()}
        except (TypeError, ValueError):
            return None

    def _equal(self, a, b) -> bool:
        if a is None or b is None or a.keys() != b.keys():
            return False
        return all(_close(a[k], b[k]) for k in a)

    def check(self, student_fn) -> None:
        """As :meth:`Exercise.check`; a failure also names the entries that are wrong."""
        try:
            return super().check(student_fn)
        except AssertionError as err:
            text = str(err)
            if "\nLikely mistake: " not in text:
                raise
            head, tail = text.split("\nLikely mistake: ", 1)
            raise CheckError(f"{head}\n{self._wrong_entries(student_fn)}\n"
                             f"Likely mistake: {tail}") from None

    def _wrong_entries(self, student_fn) -> str:
        """Which names are wrong in the first failing case (weights and biases told apart)."""
        for case in self.cases:
            expected = self._convert(self.reference(*copy.deepcopy(case.args)))
            with student_code(self.name, case.label, forbidden=(self.reference,
                                                                *self.forbidden)):
                got = self._convert(student_fn(*copy.deepcopy(case.args)))
            if not self._equal(got, expected):
                wrong = [k for k in expected if not _close(got[k], expected[k])]
                kinds = {is_weight(k) for k in wrong}
                what = ("weights only" if kinds == {True} else
                        "biases only" if kinds == {False} else "weights and biases")
                return f"    wrong entries: {', '.join(map(repr, wrong))} ({what})"
        return ""  # pragma: no cover - only called after a failure

    def _show_answer(self, a) -> str:
        if a is None:
            return "no valid answer"
        def one(v):
            v = np.asarray(v)
            if v.size > 4:
                return f"<array of shape {v.shape}>"
            return np.array2string(v, precision=4, suppress_small=True, separator=", ")
        return "{" + ", ".join(f"{k!r}: {one(v)}" for k, v in a.items()) + "}"

    def _as_answer(self, out, case: Case) -> dict:
        if out is None:
            raise CheckError(
                f"{self.name} returned None on {case.label}: did you forget the `return` statement?"
            )
        ref = self.reference(*copy.deepcopy(case.args))
        if not isinstance(out, dict):
            raise CheckError(
                f"{self.name} must return a dict {{name: array}} with the names of params "
                f"({', '.join(map(repr, ref))}), got {type(out).__name__} on {case.label}"
            )
        missing = [k for k in ref if k not in out]
        extra = [k for k in out if k not in ref]
        if missing or extra:
            hint = ""
            if missing and all(not is_weight(k) for k in missing):
                hint = (" You left out the biases: they are not penalized, but they are still "
                        "parameters, so they belong in the result (unchanged by the penalty).")
            raise CheckError(
                f"{self.name} must return a dict with the names {', '.join(map(repr, ref))}; "
                f"on {case.label} it lacks {missing} and has the extra names {extra}.{hint}"
            )
        for k, v in ref.items():
            arr = np.asarray(out[k])
            if arr.dtype.kind not in "iuf":
                raise CheckError(f"{self.name}: the entry {k!r} must be an array of real "
                                 f"numbers, got {type(out[k]).__name__} on {case.label}")
            if arr.shape != np.shape(v):
                raise CheckError(
                    f"{self.name}: the entry {k!r} must have the shape of params[{k!r}], "
                    f"{np.shape(v)}, got {arr.shape} on {case.label}: "
                    f"{_shape_hint(np.shape(v), arr.shape)}"
                )
        return {k: _answer(out[k]) for k in ref}


# ------------------------------------------------------------------ task 1: the cost

# The same exercise as the penalty value of exercise 00 (same cases and table of mistakes).
L2_COST = replace(L2_PENALTY_VALUE, name="l2_cost")


def check_l2_cost(l2_cost) -> None:
    """Check ``l2_cost(params, lam, m)`` = (λ/2m)·Σ_l ‖W⁽ˡ⁾‖²_F, biases excluded (6 cases)."""
    return L2_COST.check(l2_cost)


# ------------------------------------------------------- task 2: the gradient of J

def _l2_gradients(params, grads, lam, m):
    penalty = L2(lam)  # gradient (λ/m)·W on the weights, as in reglab
    return _map(params, lambda k: grads[k] + penalty.grad(params[k], m), lambda k: grads[k].copy())


def _grad_with(weight_term, bias_term=None):
    """A wrong l2_gradients: grads + weight_term(W) on weights (+ bias_term(b) on biases)."""
    def formula(params, grads, lam, m):
        def on_bias(k):
            return grads[k] + (0 if bias_term is None else bias_term(params[k], lam, m))
        return _map(params, lambda k: grads[k] + weight_term(params[k], lam, m), on_bias)
    return formula


_P1 = _net(3, 4, 2)
_P2 = _net(4, 3, 3, 1)
_P3 = _net(2, 3)
_P4 = _net(3, 2)
_P4["0.W"][0, 1] = 0.0

L2_GRADIENTS = DictExercise(
    name="l2_gradients",
    reference=_l2_gradients,
    forbidden=(L2,),
    cases=(
        Case("a 3-4-2 network, λ = 0.7, m = 50", (_P1, _like(_P1), 0.7, 50)),
        Case("a 4-3-3-1 network (three weight matrices), λ = 1.5, m = 8",
             (_P2, _like(_P2), 1.5, 8)),
        Case("one layer, data-loss gradients all zero (only the penalty is left), λ = 3.0, "
             "m = 10", (_P3, {k: np.zeros_like(v) for k, v in _P3.items()}, 3.0, 10)),
        Case("λ = 0 (the gradients are the data-loss gradients), m = 20",
             (_P4, _like(_P4), 0.0, 20)),
        Case("a single training example, m = 1, λ = 0.5", (_P3, _like(_P3), 0.5, 1)),
    ),
    mistakes=(
        Mistake(_grad_with(lambda W, lam, m: lam / m * W, lambda b, lam, m: lam / m * b),
                "you added (λ/m)·b to the biases' gradients too, which decays the biases: they "
                "are not penalized, so their gradient is the data-loss gradient alone. Add "
                "(λ/m)·W only where reglab.is_weight(name) is True."),
        Mistake(_grad_with(lambda W, lam, m: 2 * lam / m * W),
                "off by a factor of 2 in the penalty term: the derivative of (λ/2m)·w² is "
                "(λ/2m)·2w = (λ/m)·w, the 2 of the square cancels the ½. (With a cost "
                "(λ/m)‖W‖², missing its ½, you would get this 2λ/m.)"),
        Mistake(_grad_with(lambda W, lam, m: lam / (2 * m) * W),
                "off by a factor of 2 in the penalty term: you kept the ½ of λ/2m but forgot "
                "the 2 that comes down from the square, d(w²)/dw = 2w. The term is (λ/m)·W."),
        Mistake(_grad_with(lambda W, lam, m: lam * W),
                "off by a factor of m: the penalty term is (λ/m)·W, divide by m, the number "
                "of training examples."),
        Mistake(_grad_with(lambda W, lam, m: lam * m * W),
                "you multiplied by m instead of dividing: lam * m * W, or lam / 1 * m; the term "
                "is lam / m * W."),
        Mistake(_grad_with(lambda W, lam, m: -lam / m * W),
                "wrong sign: the gradient of the penalty is +(λ/m)·W (it points away from 0, "
                "and gradient descent then subtracts it, which pulls the weights towards 0). "
                "You subtracted it already here."),
        Mistake(lambda params, grads, lam, m: _map(params, lambda k: lam / m * params[k],
                                                   lambda k: np.zeros_like(params[k])),
                "you returned only the gradient of the penalty: add it to the data-loss "
                "gradients, grads[name] + (λ/m)·W, and keep grads[name] for the biases."),
        Mistake(lambda params, grads, lam, m: _map(params, lambda k: grads[k] + lam / m
                                                   * params[k], lambda k: np.zeros_like(
                                                       params[k])),
                "you set the biases' gradients to zero: the biases are not *penalized*, but "
                "they are still trained, so their gradient is the data-loss gradient "
                "grads[name], unchanged."),
        Mistake(_grad_with(lambda W, lam, m: lam / (2 * m) * W / np.sqrt(_sq(W))),
                "you differentiated the norm ‖W‖_F instead of its square: the penalty is "
                "(λ/2m)‖W‖²_F, whose gradient is (λ/m)·W, with no division by ‖W‖_F."),
        Mistake(_grad_with(lambda W, lam, m: lam / (2 * m) * np.sign(W)),
                "you added (λ/2m)·sign(W), the gradient of the L1 penalty: the L2 penalty's "
                "gradient is proportional to W itself, (λ/m)·W."),
        Mistake(lambda params, grads, lam, m: _map(params, lambda k: grads[k] + lam / m
                                                   * grads[k], lambda k: grads[k].copy()),
                "you added (λ/m) times the data-loss gradient: the penalty term is (λ/m) times "
                "the weights, (λ/m)·params[name], not (λ/m)·grads[name]."),
        Mistake(_grad_with(lambda W, lam, m: lam / 2 * m * W),
                "you multiplied by m/2 instead of dividing by 2m: lam / 2 * m is (λ/2)·m in "
                "Python. The term is (λ/m)·W: lam / m * W."),
        Mistake(_grad_with(lambda W, lam, m: lam / m * np.sign(W)),
                "you added (λ/m)·sign(W): the derivative of w² is 2w, not 2·sign(w) (that is "
                "the L1 penalty's). The L2 term is proportional to W itself, (λ/m)·W."),
        Mistake(_grad_with(lambda W, lam, m: lam / m * W ** 2),
                "you added (λ/m)·W², the penalty's own terms: differentiate them, d/dw of "
                "(λ/2m)·w² is (λ/m)·w (the exponent comes down, the power drops by one)."),
        Mistake(_grad_with(lambda W, lam, m: lam / (2 * m) * _sq(W)),
                "you added the penalty's value (λ/2m)‖W‖²_F, one number, to every entry: "
                "the gradient is a matrix, the derivative of the penalty with respect to each "
                "weight, (λ/m)·W."),
        Mistake(lambda params, grads, lam, m: _map(params, lambda k: lam / m * params[k],
                                                   lambda k: grads[k].copy()),
                "the weights' gradients are the penalty term alone: add it to the data-loss "
                "gradient, grads[name] + (λ/m)·W (the cost is the data loss plus the "
                "penalty)."),
    ),
)


def check_l2_gradients(l2_gradients) -> None:
    """Check ``l2_gradients(params, grads, lam, m)``: grads + (λ/m)·W on weights only (5 cases)."""
    return L2_GRADIENTS.check(l2_gradients)


# --------------------------------------------------- task 3: the weight-decay update

def _weight_decay_update(W, dW, lr, lam, m):
    return (1 - lr * lam / m) * W - lr * dW


_W1, _D1 = _rng.normal(size=(3, 4)), _rng.normal(size=(3, 4))
_W2, _D2 = _rng.normal(size=(2, 2)), _rng.normal(size=(2, 2))

WEIGHT_DECAY_UPDATE = Exercise(
    name="weight_decay_update",
    reference=_weight_decay_update,
    forbidden=(L2, SGD, DecoupledWeightDecay),
    cases=(
        Case("a (3, 4) matrix, lr = 0.1, λ = 5.0, m = 20", (_W1, _D1, 0.1, 5.0, 20)),
        Case("a zero gradient dW (pure decay), lr = 0.5, λ = 3.0, m = 10",
             (_W2, np.zeros((2, 2)), 0.5, 3.0, 10)),
        Case("λ = 0 (plain gradient descent), lr = 0.05, m = 7",
             (_rng.normal(size=(4, 2)), _rng.normal(size=(4, 2)), 0.05, 0.0, 7)),
        Case("a large decay αλ/m = 0.6, lr = 0.3, λ = 10.0, m = 5",
             (_rng.normal(size=(2, 3)), _rng.normal(size=(2, 3)), 0.3, 10.0, 5)),
        Case("a single weight, shape (1, 1), lr = 0.2, λ = 0.5, m = 1",
             (_a(-1.5).reshape(1, 1), _a(0.4).reshape(1, 1), 0.2, 0.5, 1)),
        Case("a (2, 2) matrix of zeros (nothing to decay), lr = 0.1, λ = 1.0, m = 3",
             (np.zeros((2, 2)), _D2, 0.1, 1.0, 3)),
    ),
    mistakes=(
        Mistake(lambda W, dW, lr, lam, m: (1 - lam / m) * W - lr * dW,
                "your decay factor has no learning rate: it is (1 − α·λ/m), because the "
                "penalty's gradient (λ/m)·W is multiplied by α like every other gradient."),
        Mistake(lambda W, dW, lr, lam, m: (1 - 2 * lr * lam / m) * W - lr * dW,
                "your decay is twice too strong: the gradient of (λ/2m)‖W‖² is (λ/m)·W (the 2 "
                "of the square cancels the ½), so the factor is (1 − αλ/m), not (1 − 2αλ/m)."),
        Mistake(lambda W, dW, lr, lam, m: (1 - lr * lam / (2 * m)) * W - lr * dW,
                "your decay is half as strong as it should be: you used the penalty's "
                "coefficient λ/2m, but the gradient of (λ/2m)w² is (λ/m)w. The factor is "
                "(1 − αλ/m)."),
        Mistake(lambda W, dW, lr, lam, m: (1 - lr * lam) * W - lr * dW,
                "off by a factor of m in the decay: the factor is (1 − α·λ/m); divide by m, "
                "the number of training examples."),
        Mistake(lambda W, dW, lr, lam, m: (1 - lr * lam * m) * W - lr * dW,
                "you multiplied by m instead of dividing: lr * lam / m, not lr * lam * m "
                "(careful with lr * lam / 2 * m-style precedence)."),
        Mistake(lambda W, dW, lr, lam, m: (1 + lr * lam / m) * W - lr * dW,
                "wrong sign in the decay: the factor is (1 − αλ/m) < 1, it shrinks W. With "
                "(1 + αλ/m) the weights grow at every step."),
        Mistake(lambda W, dW, lr, lam, m: (1 - lr * lam / m) * W + lr * dW,
                "wrong sign on the gradient step: gradient descent subtracts α·dW, "
                "W ← (1 − αλ/m)W − α·dW."),
        Mistake(lambda W, dW, lr, lam, m: (lr * lam / m) * W - lr * dW,
                "you multiplied W by αλ/m instead of by (1 − αλ/m): the weights keep most of "
                "their value and lose the fraction αλ/m."),
        Mistake(lambda W, dW, lr, lam, m: 1 - lr * lam / m * W - lr * dW,
                "a missing pair of parentheses: 1 - lr * lam / m * W computes 1 − (αλ/m)·W. "
                "Write (1 - lr * lam / m) * W - lr * dW."),
        Mistake(lambda W, dW, lr, lam, m: (1 - lr * lam / m) * W - dW,
                "you forgot the learning rate on the gradient step: W ← (1 − αλ/m)W − α·dW."),
        Mistake(lambda W, dW, lr, lam, m: (1 - lr * lam / m) * (W - lr * dW),
                "you decayed after the gradient step, (1 − αλ/m)(W − α·dW): both terms use the "
                "current W, W − α(dW + (λ/m)W) = (1 − αλ/m)W − α·dW."),
        Mistake(lambda W, dW, lr, lam, m: W - lr * dW,
                "you left out the decay: this is plain gradient descent. The penalty adds "
                "(λ/m)·W to the gradient, which gives W ← (1 − αλ/m)W − α·dW."),
    ),
)


def check_weight_decay_update(weight_decay_update) -> None:
    """Check ``weight_decay_update(W, dW, lr, lam, m)`` = (1 − lr·λ/m)·W − lr·dW (6 cases)."""
    return WEIGHT_DECAY_UPDATE.check(weight_decay_update)


# ------------------------------------------------------ task 4: one step on a network

def _sgd_step(params, grads, lr, lam, m):
    return _map(params, lambda k: _weight_decay_update(params[k], grads[k], lr, lam, m),
                lambda k: params[k] - lr * grads[k])


_Q1 = _net(3, 4, 2)
_Q2 = _net(2, 3, 3, 1)
_Q3 = _net(3, 2)

SGD_STEP = DictExercise(
    name="sgd_step",
    reference=_sgd_step,
    helpers=(WEIGHT_DECAY_UPDATE,),
    forbidden=(L2, SGD, DecoupledWeightDecay),
    cases=(
        Case("a 3-4-2 network, lr = 0.1, λ = 5.0, m = 20", (_Q1, _like(_Q1), 0.1, 5.0, 20)),
        Case("a 2-3-3-1 network (three layers), lr = 0.3, λ = 1.5, m = 4",
             (_Q2, _like(_Q2), 0.3, 1.5, 4)),
        Case("zero gradients (only the decay acts), lr = 0.5, λ = 3.0, m = 10",
             (_Q3, {k: np.zeros_like(v) for k, v in _Q3.items()}, 0.5, 3.0, 10)),
        Case("λ = 0 (plain gradient descent), lr = 0.05, m = 7", (_Q3, _like(_Q3), 0.05, 0.0, 7)),
    ),
    mistakes=(
        Mistake(lambda params, grads, lr, lam, m: {
                    k: _weight_decay_update(params[k], grads[k], lr, lam, m) for k in params},
                "you decayed the biases too: only the weights are penalized, so a bias takes "
                "the plain step b − α·db. Use weight_decay_update only where "
                "reglab.is_weight(name) is True."),
        Mistake(lambda params, grads, lr, lam, m: {k: params[k] - lr * grads[k] for k in params},
                "no weight decay: this is plain gradient descent on every parameter. The "
                "weights take the step (1 − αλ/m)W − α·dW."),
        Mistake(lambda params, grads, lr, lam, m: _map(
                    params, lambda k: _weight_decay_update(params[k], grads[k], lr, lam, m),
                    lambda k: params[k].copy()),
                "the biases did not move: they are not decayed, but they are still trained, "
                "b ← b − α·db."),
        Mistake(lambda params, grads, lr, lam, m: _map(
                    params, lambda k: (1 - lam / m) * params[k] - lr * grads[k],
                    lambda k: params[k] - lr * grads[k]),
                "your decay factor has no learning rate: it is (1 − α·λ/m)."),
        Mistake(lambda params, grads, lr, lam, m: _map(
                    params, lambda k: _weight_decay_update(params[k], grads[k], lr, lam, m),
                    lambda k: params[k] - grads[k]),
                "the biases' step has no learning rate: b ← b − α·db."),
        Mistake(lambda params, grads, lr, lam, m: _map(
                    params, lambda k: _weight_decay_update(params[k], grads[k], lr, lam, m),
                    lambda k: params[k] + lr * grads[k]),
                "wrong sign on the biases' step: gradient descent subtracts, b ← b − α·db."),
        Mistake(lambda params, grads, lr, lam, m: _map(
                    params, lambda k: grads[k] + lam / m * params[k], lambda k: grads[k]),
                "you returned the gradients of J, not the new parameters: take the step, "
                "θ − α·(gradient), and return the new values."),
        Mistake(lambda params, grads, lr, lam, m: _map(
                    params, lambda k: -lr * (grads[k] + lam / m * params[k]),
                    lambda k: -lr * grads[k]),
                "you returned the change −α·(gradient), not the new parameters: add it to "
                "the current values, θ − α·(gradient)."),
    ),
)


def check_sgd_step(sgd_step) -> None:
    """Check ``sgd_step(params, grads, lr, lam, m)``: decay on weights, plain step on biases."""
    return SGD_STEP.check(sgd_step)


# ----------------------------------------- multiple choice: PyTorch's weight_decay

# PyTorch's SGD with weight_decay=wd adds wd·W to the gradient of the mean loss; ours adds
# (λ/m)·W, so λ = m·wd = 50000 · 5e-4 = 25 (the conversion table of reglab.penalties).
# What each wrong option corresponds to (verified in tests/test_checks_l2.py):
#   (a) 1e-8 = wd / m          divided by m instead of multiplying
#   (b) 5e-4 = wd              used as it is
#   (d) 50   = 2·m·wd          matched wd with the coefficient λ/2m of the cost (Keras' l2)
CONVERSION_QUESTION = MultipleChoice(
    name="the weight_decay conversion",
    options={"a": 1e-8, "b": 5e-4, "c": 25.0, "d": 50.0},
    answer="c",
    why={
        "a": "1e-8 is wd/m = 5e-4 / 50000: you divided by m where you should multiply. Our "
             "gradient term is (λ/m)·W and PyTorch's is wd·W, so λ/m = wd and λ = m·wd.",
        "b": "5e-4 is PyTorch's number used as it is. But our penalty is divided by m: the "
             "gradient term is (λ/m)·W, PyTorch's is wd·W, so λ/m = wd and λ = m·wd = 25. "
             "With λ = 5e-4 you would regularize 50000 times more weakly than intended.",
        "d": "50 = 2·m·wd comes from matching wd with the coefficient of the *cost*, "
             "λ/(2m) = wd, as if PyTorch added wd·‖W‖² to the loss (that is Keras' "
             "regularizers.l2(wd)). PyTorch's weight_decay is the coefficient in the "
             "*gradient*, wd·W, i.e. a cost (wd/2)‖W‖²; match it with (λ/m)·W.",
        "c": "PyTorch adds wd·W to the gradient of the mean loss; our penalty adds (λ/m)·W. "
             "They agree when λ/m = wd, so λ = m·wd = 50000 × 5e-4 = 25.",
    },
)


def check_conversion_question(answer) -> None:
    """Check the letter chosen for the conversion of PyTorch's weight_decay=5e-4 (m = 50000).

    Raises
    ------
    AssertionError
        If the answer is wrong (saying what the chosen number actually is) or is not a letter.
    """
    return CONVERSION_QUESTION.check(answer)
