r"""Checks for ``exercises/04_dropout.ipynb``: inverted dropout, forward and backward.

The definitions (``notebooks/04_dropout.ipynb``, :class:`reglab.layers.Dropout`, and the
INF721 lecture on regularization, section 7): with keep probability p = ``keep_prob`` in
(0, 1], every unit of an activation array A is kept independently with probability p,

.. math::
    D_{ij} = [u_{ij} < p],\quad u_{ij} \sim \mathcal{U}[0, 1),\qquad
    A'_{ij} = \frac{A_{ij} D_{ij}}{p},\qquad \mathbb{E}[A'_{ij}] = A_{ij},

    \frac{\partial L}{\partial A_{ij}} = \frac{\partial L}{\partial A'_{ij}}\,
    \frac{D_{ij}}{p}\quad\text{(the same mask D as in the forward pass)},

and at test time (``train=False``) dropout is the identity, A' = A: no mask, no scaling.

Plain text: D = rng.random(A.shape) < p; A' = A * D / p; dA = dA' * D / p.

Shapes: A, A', D, dA', dA all (m, n), one example per row; D is boolean (True = kept),
drawn independently for every entry (every example and every unit). The cache that the
forward pass hands to the backward pass is the pair ``(D, keep_prob)``.

* :func:`check_apply_mask` checks ``apply_mask(A, D, keep_prob)`` = A * D / p for a given
  mask with the engine of :mod:`reglab.checks` (cases and a table of wrong formulas).
* :func:`check_dropout_forward` checks the *random* ``dropout_forward(A, keep_prob, rng,
  train)`` -> ``(A_out, cache)`` by its properties, each with its own diagnosis: nothing is
  drawn from the global ``np.random`` state or Python's ``random``; A is not modified; kept
  entries equal a / p and dropped ones are 0; the mask differs between examples and
  between units; the fraction kept is p (statistical tolerance, 6 standard deviations);
  the mean is preserved; the cache is ``(D, keep_prob)`` with D the mask used; the same
  seed gives the same output and another seed another one; ``keep_prob=1`` and
  ``train=False`` give A itself.
* :func:`check_dropout_backward` checks ``dropout_backward(dA_out, cache)``: first that it
  reuses the cached mask (no fresh random mask), then the formula with the engine, then,
  together with the student's ``dropout_forward``, that the gradient is zero exactly where
  the forward pass dropped a unit and 1/p elsewhere.
* :func:`check_keep_prob_question` (INF721 exercise 4) and :func:`check_rate_question`
  check two multiple-choice answers.
"""

from __future__ import annotations

import numpy as np

from ..layers import Dropout
from . import (
    Case,
    CheckError,
    CheckTypeError,
    Exercise,
    Mistake,
    MultipleChoice,
    _a,
    _call_with_own_rng,
    _show,
    check_helpers,
    isclose,
)

__all__ = [
    "APPLY_MASK",
    "DROPOUT_BACKWARD",
    "KEEP_PROB_QUESTION",
    "RATE_QUESTION",
    "check_apply_mask",
    "check_dropout_backward",
    "check_dropout_forward",
    "check_keep_prob_question",
    "check_rate_question",
]

_rng = np.random.default_rng(404)  # the cases are the same on every run


def _b(*rows) -> np.ndarray:
    return np.array(rows, dtype=bool)


def _random_case(m: int, n: int, keep_prob: float):
    A = _rng.normal(size=(m, n))
    D = _rng.random((m, n)) < keep_prob
    return A, D, keep_prob


# ------------------------------------------------------------ task 1: apply a given mask

def _apply_mask(A, D, keep_prob):
    """A * D / keep_prob; A (m, n) float, D (m, n) bool, keep_prob in (0, 1]."""
    return A * D / keep_prob


_MASK_CASES = (
    Case("one example, the second of four units dropped, keep_prob 0.8",
         (_a([1, 2, 3, 4]), _b([1, 0, 1, 1]), 0.8)),
    Case("negative activations, keep_prob 0.6", (_a([-1.5, 2.0, -0.5]), _b([1, 1, 0]), 0.6)),
    Case("three examples with different masks, keep_prob 0.75",
         (_a([1, 2, 3], [4, 5, 6], [7, 8, 9]), _b([1, 0, 1], [0, 1, 1], [1, 1, 0]), 0.75)),
    Case("every unit kept with keep_prob 1: the identity",
         (_a([0.5, -1.0], [2.0, 3.0]), _b([1, 1], [1, 1]), 1.0)),
    Case("every unit dropped: only zeros", (_a([1, -2], [3, -4]), _b([0, 0], [0, 0]), 0.5)),
    Case("five examples × four units, random mask, keep_prob 0.7", _random_case(5, 4, 0.7)),
    Case("a random batch with keep_prob 0.9 (mild dropout)", _random_case(4, 6, 0.9)),
)

APPLY_MASK = Exercise(
    name="apply_mask",
    reference=_apply_mask,
    forbidden=(Dropout,),
    cases=_MASK_CASES,
    mistakes=(
        Mistake(lambda A, D, p: A * D * p,
                "you multiplied by keep_prob instead of dividing: the kept units must be "
                "scaled UP, a' = a·d/p, so that the expected activation stays a "
                "(p·(a/p) + (1 − p)·0 = a). Multiplying shrinks it to p²·a on average."),
        Mistake(lambda A, D, p: A * D,
                "you applied the mask but did not scale: without the division by keep_prob "
                "the expected activation is p·a instead of a, and the next layer sees "
                "smaller inputs in training than at test time. Divide the kept units by "
                "keep_prob (that division is the 'inverted' in inverted dropout)."),
        Mistake(lambda A, D, p: A * D / (1 - p),
                "you divided by 1 − keep_prob, the drop rate: the kept units are divided by "
                "the probability of being KEPT, p = keep_prob, so that p·(a/p) = a."),
        Mistake(lambda A, D, p: A * ~D / p,
                "you kept the dropped units and zeroed the kept ones: D is True for a unit "
                "that is KEPT (d = rng.random(shape) < keep_prob), so multiply by D itself, "
                "not by its negation (~D or 1 − D)."),
        Mistake(lambda A, D, p: A / p,
                "you scaled by 1/keep_prob but never applied the mask: the units where D is "
                "False must become 0. Multiply by D as well: A * D / keep_prob."),
        Mistake(lambda A, D, p: A * D[:1] / p,
                "you applied the first row of D to every example: row i of A needs row i of "
                "D (multiply the whole arrays, A * D, with no indexing)."),
        Mistake(lambda A, D, p: A * D / p**2,
                "you divided by keep_prob twice: a' = a·d/p has a single division."),
    ),
)


def check_apply_mask(apply_mask) -> None:
    """Check ``apply_mask(A, D, keep_prob)`` = A * D / keep_prob on 7 cases."""
    return APPLY_MASK.check(apply_mask)


# ----------------------------------------------------------- task 2: the random forward

_M, _N = 400, 50                                     # 20,000 units: sd of the kept fraction
_A = _rng.uniform(0.5, 2.0, size=(_M, _N))            # <= 0.0035; no zeros, all distinct
_ONES = np.ones((_M, _N))
_FRACTION_TOL = 0.02                                 # >= 5.7 standard deviations


def _fail(name: str, message: str):
    raise CheckError(f"{name}: {message}")


#: What dropout_backward is told when it draws random numbers: it has no rng, for a reason.
_NO_DRAW = ("you drew random numbers (np.random.rand, ...) in the backward pass: backward must "
            "not draw a new mask at all. Reuse the mask of the forward pass, cached in "
            "cache = (D, keep_prob): dA = dA_out * D / keep_prob.")


def _guarded(name: str, fn, args, arrays: dict, no_draw: str | None = None):
    """Call fn(*args); fail on global random state used or any array in ``arrays`` changed.

    ``no_draw``: the message for a function that must not draw at all (see _call_with_own_rng).
    """
    copies = {k: v.copy() for k, v in arrays.items()}
    out = _call_with_own_rng(name, fn, args, draw_hint="D = rng.random(A.shape) < keep_prob",
                             no_draw=no_draw, forbidden=(Dropout,))
    for k, v in arrays.items():
        if not np.array_equal(v, copies[k]):
            _fail(name, f"you modified {k} in place (e.g. {k} *= D or {k} /= keep_prob, as "
                  f"in a common snippet): the caller's array changed. Compute a new array, "
                  f"{k} * D / keep_prob, instead.")
    return out


def _forward(fn, A, p, seed, train):
    """Run the student's forward on a copy of A; return (A_out, cache) checked for structure."""
    A_in = A.copy()
    out = _guarded("dropout_forward", fn, (A_in, p, np.random.default_rng(seed), train),
                   {"A": A_in})
    name = "dropout_forward"
    if out is None:
        _fail(name, "you returned None: did you forget `return A_out, cache`?")
    if isinstance(out, np.ndarray):
        _fail(name, "you returned a single array: return the pair (A_out, cache), with "
              "cache = (D, keep_prob) for the backward pass (at test time: (A, None)).")
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        _fail(name, f"must return a pair (A_out, cache), got {type(out).__name__}")
    A_out, cache = out
    A_out = np.asarray(A_out)
    if A_out.shape != A.shape:
        _fail(name, f"A_out must have the shape of A {A.shape}, got {A_out.shape}: dropout "
              f"keeps the shape (one mask entry per entry of A).")
    if A_out.dtype.kind != "f":
        _fail(name, f"A_out must hold floats like A, got dtype {A_out.dtype}")
    return A_out, cache


def _check_kept_values(A_out, A, p):
    """Kept entries a/p, dropped 0; diagnose the scaling."""
    name = "dropout_forward"
    kept = A_out != 0
    if np.all(kept):
        if np.all(isclose(A_out, A)):
            _fail(name, "in training mode (train=True) nothing was dropped and A came back "
                  "unchanged: did you swap the meaning of the train flag? Dropout is on when "
                  "train is True and off (the identity) when it is False.")
        _fail(name, f"no unit was dropped out of {A.size} with keep_prob = {p}: apply a "
              f"random mask, D = rng.random(A.shape) < keep_prob, and multiply by it.")
    ratio = A_out[kept] / A[kept]
    for factor, message in (
        (1 / p, None),
        (p, "you multiplied the kept units by keep_prob instead of dividing: a' = a·d/p "
            "scales them UP so that the expected activation stays a."),
        (1.0, "the kept units were not scaled: a' = a·d/p, divide them by keep_prob, "
              "otherwise the expected activation in training is p·a, not a."),
        (1 / (1 - p) if p < 1 else np.inf,
         "you divided the kept units by 1 − keep_prob (the drop rate); divide by keep_prob."),
    ):
        if np.all(isclose(ratio, factor)):
            if message is None:
                return kept
            _fail(name, message)
    _fail(name, f"a kept unit must equal a / keep_prob (here a / {p}) and a dropped one 0; "
          f"yours are a times factors from {ratio.min():.4g} to {ratio.max():.4g}. Did you "
          f"add noise or scale each unit differently?")


def _check_mask_shape(kept):
    name = "dropout_forward"
    if np.all(kept == kept[:1]):
        _fail(name, "every example got the same mask (one row repeated for the whole "
              "batch): draw one coin per entry, rng.random(A.shape), not rng.random(n) or "
              "rng.random(A.shape[1]) broadcast over the rows. Each example sees its own "
              "thinned network.")
    if np.all(kept == kept[:, :1]):
        _fail(name, "within each example all units were kept or all dropped (one coin per "
              "example): draw one coin per unit, rng.random(A.shape), not "
              "rng.random((m, 1)).")
    counts = kept.sum(axis=1)
    if np.all(counts == counts[0]):
        _fail(name, f"every example kept exactly {counts[0]} of its {kept.shape[1]} units: "
              f"the units are not dropped independently (did you pick a fixed number of "
              f"units to drop?). Draw an independent coin for every entry, "
              f"D = rng.random(A.shape) < keep_prob, so the number kept varies.")


def _check_fraction(kept, p):
    name = "dropout_forward"
    frac = kept.mean()
    if abs(frac - p) <= _FRACTION_TOL:
        return
    if abs(frac - (1 - p)) <= _FRACTION_TOL:
        _fail(name, f"{frac:.1%} of the units were kept with keep_prob = {p}: about 1 − "
              f"keep_prob. You kept a unit with the probability of DROPPING it: write "
              f"rng.random(A.shape) < keep_prob (not > keep_prob, not < 1 − keep_prob).")
    _fail(name, f"{frac:.1%} of the {kept.size} units were kept with keep_prob = {p}; it "
          f"should be about {p:.0%} (each unit kept with probability keep_prob). Draw the "
          f"mask as rng.random(A.shape) < keep_prob.")


def _check_cache(cache, kept, p):
    name = "dropout_forward"
    if not (isinstance(cache, (tuple, list)) and len(cache) == 2):
        _fail(name, f"the cache must be the pair (D, keep_prob) that dropout_backward needs, "
              f"got {type(cache).__name__}")
    D, cache_p = cache
    D = np.asarray(D)
    if D.shape != kept.shape:
        _fail(name, f"the cached mask D must have the shape of A {kept.shape}, got {D.shape}")
    if not np.isscalar(cache_p) and np.shape(cache_p) != ():
        _fail(name, "the second entry of the cache must be keep_prob, a number: return "
              "cache = (D, keep_prob).")
    if float(cache_p) != p:
        _fail(name, f"the cache holds keep_prob = {float(cache_p):.6g}, but the function was "
              f"called with keep_prob = {p}: return cache = (D, keep_prob).")
    values = np.unique(D)
    if D.dtype != bool and np.all(isclose(values[values != 0], 1 / p)) and p < 1:
        _fail(name, "the cache holds the scaled mask D / keep_prob; cache the boolean mask "
              "D itself (dropout_backward divides by keep_prob).")
    if D.dtype != bool and not np.all(np.isin(values, (0, 1))):
        _fail(name, f"the cached mask D must be boolean (True = kept) or 0/1, got values "
              f"{values[:5]}")
    if not np.array_equal(D.astype(bool), kept):
        _fail(name, "the cached mask D is not the mask you applied: A_out is zero where D is "
              "True, or nonzero where it is False. Cache the very D you multiplied by; the "
              "backward pass must use the same mask.")


def _check_training(fn, A, p, seed):
    A_out, cache = _forward(fn, A, p, seed, True)
    kept = _check_kept_values(A_out, A, p)
    _check_mask_shape(kept)
    _check_fraction(kept, p)
    _check_cache(cache, kept, p)
    return A_out


def check_dropout_forward(dropout_forward) -> None:
    """Check ``dropout_forward(A, keep_prob, rng, train)`` -> ``(A_out, cache)`` by its properties.

    In training (``train=True``): D = rng.random(A.shape) < keep_prob, A_out = A * D /
    keep_prob, cache = (D, keep_prob), drawing from ``rng`` only; at test time
    (``train=False``): A_out = A and cache = None. Prints ``✓ dropout_forward passed 10
    checks``; otherwise raises AssertionError naming the mistake
    (NotImplementedError for the untouched stub).
    """
    name = "dropout_forward"
    if not callable(dropout_forward):
        raise CheckTypeError(f"{name} must be a function: pass it without parentheses, got "
                        f"{type(dropout_forward).__name__} {dropout_forward!r}")
    check_helpers(name, dropout_forward, (APPLY_MASK,))
    # 1-6: global state, inputs, structure, kept values, independent mask, kept fraction, cache
    first = _check_training(dropout_forward, _A, 0.8, 1)
    _check_training(dropout_forward, _A, 0.3, 2)          # a second keep_prob: nothing hard-coded
    ones_out, _ = _forward(dropout_forward, _ONES, 0.8, 3, True)
    if abs(ones_out.mean() - 1.0) > 0.03:                                   # 7 mean preserved
        _fail(name, f"the mean activation changed: on an array of ones the output averages "
              f"{ones_out.mean():.3f}, but inverted dropout keeps E[a'] = a = 1.")
    again, _ = _forward(dropout_forward, _A, 0.8, 1, True)
    if not np.array_equal(again, first):                                    # 8 seeded
        _fail(name, "the same seed gave different outputs: you drew the mask from a source "
              "other than the rng argument (np.random.default_rng() created inside the "
              "function?). Use rng itself, so that a run can be reproduced.")
    other, _ = _forward(dropout_forward, _A, 0.8, 2, True)
    if np.array_equal(other, first):
        _fail(name, "two different seeds gave the same mask: your mask does not depend on the "
              "rng you were given (np.random.default_rng(0) inside the function?). Draw from "
              "rng itself.")
    full, _ = _forward(dropout_forward, _A, 1.0, 4, True)                    # 9 keep_prob 1
    if not np.all(isclose(full, _A)):
        _fail(name, "with keep_prob = 1 every unit is kept and nothing is scaled, so A_out must "
              "equal A even in training.")
    test_out, _ = _forward(dropout_forward, _A, 0.8, 5, False)              # 10 test time
    if not np.array_equal(test_out, _A):
        if np.all(isclose(test_out, _A * 0.8)):
            _fail(name, "at test time (train=False) you multiplied by keep_prob: that is the "
                  "test rule of the original, non-inverted dropout. Inverted dropout already "
                  "scaled in training, so at test time A_out = A: no mask, no scaling.")
        if np.all(isclose(test_out, _A / 0.8)):
            _fail(name, "at test time (train=False) you divided by keep_prob: the scaling "
                  "belongs to training only. At test time A_out = A: no mask, no scaling.")
        if np.any(test_out == 0):
            _fail(name, "dropout is still on at test time: with train=False some units came "
                  "back as 0. At test time dropout is the identity, A_out = A (no mask, no "
                  "scaling), so that predictions are deterministic.")
        _fail(name, "at test time (train=False) A_out must equal A: no mask, no scaling.")
    print(f"✓ {name} passed 10 checks")
    return None


# ---------------------------------------------------------------- task 3: the backward

def _dropout_backward(dA_out, cache):
    """dA = dA_out * D / keep_prob with (D, keep_prob) = cache; all arrays (m, n)."""
    D, keep_prob = cache
    return dA_out * D / keep_prob


def _backward_case(label, dA, D, p):
    return Case(label, (dA, (D, p)))


class _BackwardExercise(Exercise):
    """Shows the cache of a case as its two parts, D and keep_prob, in messages."""

    def _describe_args(self, case: Case) -> str:
        dA_out, (D, keep_prob) = case.args
        return (f"    dA_out = {_show(dA_out)}\n    cache = (D, keep_prob) with\n"
                f"        D = {_show(D)}\n        keep_prob = {keep_prob!r}")


DROPOUT_BACKWARD = _BackwardExercise(
    name="dropout_backward",
    reference=_dropout_backward,
    forbidden=(Dropout,),
    cases=(
        _backward_case("one example, the second of four units dropped, keep_prob 0.8",
                       _a([1, 1, 1, 1]), _b([1, 0, 1, 1]), 0.8),
        _backward_case("negative upstream gradients, keep_prob 0.6",
                       _a([-1.5, 2.0, -0.5]), _b([1, 1, 0]), 0.6),
        _backward_case("three examples with different masks, keep_prob 0.75",
                       _a([1, 2, 3], [4, 5, 6], [7, 8, 9]),
                       _b([1, 0, 1], [0, 1, 1], [1, 1, 0]), 0.75),
        _backward_case("every unit kept with keep_prob 1: the gradient passes unchanged",
                       _a([0.5, -1.0], [2.0, 3.0]), _b([1, 1], [1, 1]), 1.0),
        _backward_case("every unit dropped: no gradient at all",
                       _a([1, -2], [3, -4]), _b([0, 0], [0, 0]), 0.5),
        Case("five examples × four units, random mask, keep_prob 0.7",
             (lambda A, D, p: (A, (D, p)))(*_random_case(5, 4, 0.7))),
    ),
    mistakes=(
        Mistake(lambda g, c: g * c[0],
                "you applied the mask but not the 1/keep_prob scaling: the forward pass "
                "computed a' = a·d/p, so ∂a'/∂a = d/p and dA = dA_out · D / keep_prob."),
        Mistake(lambda g, c: g * c[0] * c[1],
                "you multiplied by keep_prob instead of dividing: ∂a'/∂a = d/p for "
                "a' = a·d/p, so dA = dA_out · D / keep_prob."),
        Mistake(lambda g, c: g / c[1],
                "you scaled by 1/keep_prob but did not apply the mask: a dropped unit did not "
                "contribute to the output, so its gradient is 0. dA = dA_out · D / keep_prob."),
        Mistake(lambda g, c: g + 0.0,
                "you passed the gradient through unchanged, as if dropout were the identity: "
                "that is only true at test time. In training ∂a'/∂a = d/p, so "
                "dA = dA_out · D / keep_prob."),
        Mistake(lambda g, c: g * ~c[0] / c[1],
                "you let the gradient through the DROPPED units: D is True where a unit was "
                "kept; multiply by D, not by its negation."),
        Mistake(lambda g, c: g * c[0] / (1 - c[1]),
                "you divided by 1 − keep_prob, the drop rate: divide by keep_prob."),
        Mistake(lambda g, c: g * c[0] / c[1] ** 2,
                "you divided by keep_prob twice: dA = dA_out · D / keep_prob has one "
                "division, the same one as the forward pass."),
    ),
)

_G = _rng.normal(size=(_M, _N))
_D = _rng.random((_M, _N)) < 0.8


def _backward_reuses_mask(dropout_backward):
    """No fresh mask: the output is deterministic and zero exactly where D is False."""
    name = "dropout_backward"
    outs = []
    for _ in range(2):
        G, D = _G.copy(), _D.copy()
        outs.append(np.asarray(_guarded(name, dropout_backward, (G, (D, 0.8)),
                                        {"dA_out": G, "D": D}, no_draw=_NO_DRAW)))
    a, b = outs
    if a.shape != _G.shape:
        return                                    # the engine reports the shape
    if not np.array_equal(a, b, equal_nan=True):
        _fail(name, "two calls with the same dA_out and cache gave different answers: you drew "
              "a fresh random mask in the backward pass. The gradient must flow through the "
              "units that were kept in the FORWARD pass: use the D from the cache.")
    zero = a == 0
    if zero.any() and not np.array_equal(zero, ~_D) and not np.array_equal(zero, _D):
        _fail(name, "the gradient is zero at other places than where the forward pass "
              "dropped units: you made a new mask instead of using the cached one. Use the "
              "D from the cache: dA = dA_out * D / keep_prob.")


def check_dropout_backward(dropout_backward, dropout_forward) -> None:
    """Check ``dropout_backward(dA_out, cache)`` = dA_out * D / keep_prob, cache = (D, keep_prob).

    Three steps: the cached mask is reused (a fresh mask is diagnosed as such), the formula
    on 6 cases (with the wrong-formula table), and with the student's ``dropout_forward``
    the gradient of the whole layer is zero exactly where the forward pass dropped a unit
    and 1/keep_prob elsewhere.
    """
    name = "dropout_backward"
    if not callable(dropout_backward) or not callable(dropout_forward):
        raise CheckTypeError("pass the two functions themselves, without parentheses: "
                        "check_dropout_backward(dropout_backward, dropout_forward)")
    _backward_reuses_mask(dropout_backward)
    DROPOUT_BACKWARD.check(dropout_backward)
    A_out, cache = _forward(dropout_forward, _A, 0.8, 6, True)
    dA = np.asarray(_guarded(name, dropout_backward, (np.ones_like(_A), cache), {},
                             no_draw=_NO_DRAW))
    if not np.all(isclose(dA, (A_out != 0) / 0.8)):
        _fail(name, "with your dropout_forward, the gradient of sum(A_out) is not 1/keep_prob "
              "where a unit was kept and 0 where it was dropped: the cache of your forward "
              "pass and your backward pass do not fit together.")
    print(f"✓ {name} reuses the forward mask; dA is zero exactly where the forward pass "
          f"dropped a unit")
    return None


# --------------------------------------------------------- tasks 5 and 6: multiple choice

KEEP_PROB_QUESTION = MultipleChoice(
    name="INF721 exercise 4",
    options={
        "a": "The regularization effect becomes stronger",
        "b": "The network learns more slowly during training",
        "c": "The regularization effect becomes weaker",
        "d": "The computational cost of training increases significantly",
    },
    answer="c",
    why={
        "a": "it is the other way round: a larger keep_prob keeps more units, so each step "
             "trains a network closer to the full one and there is less noise to regularize "
             "with. The regularization gets stronger when keep_prob DEcreases.",
        "b": "keeping more units means less noise in the gradient, so training typically "
             "converges in fewer steps, not more; the INF721 lecture notes that dropout is "
             "what makes training need more iterations, and a larger keep_prob means less of "
             "it.",
        "c": "a larger keep_prob drops fewer units: the thinned networks get closer to the "
             "full one and the noise injected into the activations shrinks (the variance of "
             "a·d/p is a²(1 − p)/p, which falls to 0 as p → 1). At keep_prob = 1 dropout is "
             "switched off entirely.",
        "d": "the cost of a dropout step is one random number and one multiplication per unit "
             "whatever keep_prob is; the matrix products dominate and do not change. The "
             "cost does not depend on keep_prob in any significant way.",
    },
)


def check_keep_prob_question(answer) -> None:
    """Check the letter chosen for: what happens when you increase keep_prob?"""
    return KEEP_PROB_QUESTION.check(answer)


RATE_QUESTION = MultipleChoice(
    name="from PyTorch to keep_prob",
    options={
        "a": "keep_prob = 0.2",
        "b": "keep_prob = 0.8",
        "c": "keep_prob = 1.25",
        "d": "keep_prob = 0.2 during training and 0.8 at test time",
    },
    answer="b",
    why={
        "a": "PyTorch's p (like Keras' rate) is the probability of DROPPING a unit, the "
             "opposite of keep_prob: with p = 0.2 a unit is kept with probability "
             "1 − 0.2 = 0.8. keep_prob = 0.2 would drop 80% of the units.",
        "b": "nn.Dropout(p=0.2) drops each unit with probability 0.2, so it keeps it with "
             "probability keep_prob = 1 − p = 0.8, and scales the kept ones by 1/0.8 = 1.25 "
             "in training (it is inverted dropout too). reglab: Dropout.from_rate(0.2).",
        "c": "1.25 = 1/0.8 is the factor by which the kept units are scaled in training, not "
             "a probability: keep_prob must lie in (0, 1]. The keep probability is 0.8.",
        "d": "there is only one probability, used in training; at test time (model.eval() in "
             "PyTorch, train=False here) dropout is the identity and no probability enters. "
             "In training a unit is kept with probability 1 − 0.2 = 0.8.",
    },
)


def check_rate_question(answer) -> None:
    """Check the letter chosen for: nn.Dropout(p=0.2) corresponds to which keep_prob?"""
    return RATE_QUESTION.check(answer)
