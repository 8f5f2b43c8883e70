"""The checks of exercises/04_dropout.ipynb can fail, and fail with the right diagnosis.

apply_mask and dropout_backward are checked by the engine (cases + wrong formulas);
dropout_forward by the property checks of reglab.checks.dropout, and dropout_backward
also by a pre-check for a fresh mask and a joint check with the forward pass. For each:
the references agree with reglab.layers.Dropout, correct implementations written in
other ways pass, wrong ones written the way students write them fail with the specific
message, and the untouched stub fails as "not implemented yet".
"""

import random

import numpy as np
import pytest
from check_failures import assert_feedback, fails_with

from reglab import Dropout
from reglab.checks import dropout as checks

# ---------------------------------------------------------------- helpers / solutions


def forward_ok(A, keep_prob, rng, train=True):
    if not train:
        return A, None
    D = rng.random(A.shape) < keep_prob
    return A * D / keep_prob, (D, keep_prob)


def backward_ok(dA_out, cache):
    D, keep_prob = cache
    return dA_out * D / keep_prob


def forward_binomial(A, keep_prob, rng, train=True):
    """Another correct solution: Bernoulli draws as 0/1 integers."""
    if train:
        D = rng.binomial(1, keep_prob, size=A.shape)
        return np.where(D == 1, A / keep_prob, 0.0), (D, keep_prob)
    return A.copy(), None


def forward_reglab(A, keep_prob, rng, train=True):
    """reglab's own layer as a solution."""
    layer = Dropout(keep_prob)
    out = layer.forward(A, train=train, rng=rng)
    return out, (None if layer.mask is None else (layer.mask != 0, keep_prob))


def backward_where(dA_out, cache):
    D, p = cache
    return np.where(D, dA_out / p, 0.0)


def backward_reglab(dA_out, cache):
    D, p = cache
    layer = Dropout(p)
    layer.mask = np.asarray(D, dtype=float) / p
    return layer.backward(dA_out)


# ------------------------------------------------- the references agree with reglab.Dropout

@pytest.mark.parametrize("keep_prob", [0.3, 0.5, 0.8, 1.0])
def test_reference_forward_and_backward_match_reglab_dropout(keep_prob):
    A = np.random.default_rng(0).normal(size=(30, 7))
    G = np.random.default_rng(1).normal(size=(30, 7))
    layer = Dropout(keep_prob)
    expected = layer.forward(A, train=True, rng=np.random.default_rng(5))
    out, cache = forward_ok(A, keep_prob, np.random.default_rng(5), True)
    np.testing.assert_array_equal(cache[0], layer.mask != 0)          # the very same mask
    # A * D / p and A * (D / p) differ in the last bit only
    np.testing.assert_allclose(out, expected, rtol=1e-15, atol=0)
    np.testing.assert_allclose(checks.DROPOUT_BACKWARD.reference(G, cache), layer.backward(G),
                               rtol=1e-15, atol=0)
    np.testing.assert_allclose(checks.APPLY_MASK.reference(A, *cache), expected,
                               rtol=1e-15, atol=0)
    assert layer.forward(A) is A and forward_ok(A, keep_prob, None, False)[0] is A


@pytest.mark.parametrize("case", checks.APPLY_MASK.cases, ids=lambda c: c.label)
def test_apply_mask_reference_matches_reglab_on_every_case(case):
    A, D, p = case.args
    layer = Dropout(p)
    layer.mask = D.astype(float) / p
    np.testing.assert_allclose(checks.APPLY_MASK.reference(A, D, p), layer.backward(A))


@pytest.mark.parametrize("case", checks.DROPOUT_BACKWARD.cases, ids=lambda c: c.label)
def test_backward_reference_matches_reglab_on_every_case(case):
    np.testing.assert_allclose(checks.DROPOUT_BACKWARD.reference(*case.args),
                               backward_reglab(*case.args))


# ---------------------------------------------------------------- apply_mask

def _mask_fill(A, D, keep_prob):
    out = np.zeros_like(A)
    out[D] = A[D] / keep_prob
    return out


@pytest.mark.parametrize("solution", [
    checks.APPLY_MASK.reference,
    lambda A, D, p: np.where(D, A / p, 0.0),
    lambda A, D, p: A * D.astype(float) / p,
    _mask_fill,
])
def test_apply_mask_solutions_pass(solution, capsys):
    assert checks.check_apply_mask(solution) is None
    assert capsys.readouterr().out == "✓ apply_mask passed 7 cases\n"


def _mask_in_place(A, D, keep_prob):
    A *= D
    A /= keep_prob
    return A


MASK_WRONG = [
    (lambda A, D, p: A * D * p, r"multiplied by keep_prob instead of dividing"),
    (lambda A, D, p: np.where(D, A, 0.0), r"did not scale.*Divide the kept units by keep_prob"),
    (lambda A, D, p: A * D / (1 - p), r"divided by 1 − keep_prob, the drop rate"),
    (lambda A, D, p: np.where(D, 0.0, A) / p, r"kept the dropped units and zeroed the kept ones"),
    (lambda A, D, p: A / p, r"never applied the mask"),
    (lambda A, D, p: A * D[0] / p, r"applied the first row of D to every example"),
    (lambda A, D, p: A * D / p / p, r"divided by keep_prob twice"),
]


@pytest.mark.filterwarnings("ignore:divide by zero")  # 1/(1 - p) at p = 1
@pytest.mark.parametrize(("wrong", "message"), MASK_WRONG, ids=[f"m{i}" for i in range(7)])
def test_apply_mask_wrong_answers_get_specific_messages(wrong, message):
    with pytest.raises(AssertionError, match=message) as info:
        checks.check_apply_mask(wrong)
    assert str(info.value).startswith("apply_mask is wrong on ")


def test_apply_mask_in_place_is_reported():
    with pytest.raises(AssertionError, match="changed its input in place"):
        checks.check_apply_mask(_mask_in_place)


def test_apply_mask_cases_cover_the_edges():
    labels = " ".join(c.label for c in checks.APPLY_MASK.cases)
    for words in ("negative", "keep_prob 1", "every unit dropped", "different masks", "random"):
        assert words in labels


# ---------------------------------------------------------------- dropout_forward: passes

@pytest.mark.parametrize("solution", [
    forward_ok,
    forward_binomial,
    lambda A, p, rng, train=True: ((A * (D := rng.uniform(size=A.shape) < p) / p, (D, p))
                                   if train else (A, None)),
])
def test_dropout_forward_correct_solutions_pass(solution, capsys):
    assert checks.check_dropout_forward(solution) is None
    assert capsys.readouterr().out == "✓ dropout_forward passed 10 checks\n"


def test_dropout_forward_check_does_not_touch_global_state():
    np_state, py_state = np.random.get_state(), random.getstate()  # noqa: NPY002
    checks.check_dropout_forward(forward_ok)
    after = np.random.get_state()  # noqa: NPY002
    assert np.array_equal(np_state[1], after[1]) and np_state[2] == after[2]
    assert random.getstate() == py_state


# ------------------------------------------------------- dropout_forward: known mistakes

def _make_forward(mask=None, scale=None, test=None, cache=None):
    """A forward pass with one piece replaced by a student's wrong version."""
    def fn(A, p, rng, train=True):
        if not train:
            return (A, None) if test is None else (test(A, p, rng), None)
        D = rng.random(A.shape) < p if mask is None else mask(A, p, rng)
        out = A * D / p if scale is None else scale(A, D, p)
        return out, ((D, p) if cache is None else cache(A, D, p, rng))
    return fn


def _global_np(A, p, rng, train=True):
    D = np.random.rand(*A.shape) < p  # noqa: NPY002
    return (A * D / p, (D, p)) if train else (A, None)


def _python_random(A, p, rng, train=True):
    D = np.array([[random.random() < p for _ in row] for row in A])
    return (A * D / p, (D, p)) if train else (A, None)


def _lecture_snippet_in_place(A, p, rng, train=True):
    if not train:
        return A, None
    D = rng.random(A.shape) < p
    A *= D
    A /= p
    return A, (D, p)


def _fixed_count(A, p, rng, train=True):
    if not train:
        return A, None
    m, n = A.shape
    D = np.zeros((m, n), dtype=bool)
    for i in range(m):
        D[i, rng.permutation(n)[:round(p * n)]] = True
    return A * D / p, (D, p)


def _hard_coded(A, p, rng, train=True):
    D = rng.random(A.shape) < 0.8
    return (A * D / 0.8, (D, p)) if train else (A, None)


FORWARD_WRONG = [
    ("global_np", _global_np, r"you used np\.random .*instead of the rng you were given"),
    ("python_random", _python_random, r"Python's random module"),
    ("in_place", _lecture_snippet_in_place, r"you modified A in place"),
    ("times_p", _make_forward(scale=lambda A, D, p: A * D * p),
     r"multiplied the kept units by keep_prob instead of dividing"),
    ("no_scaling", _make_forward(scale=lambda A, D, p: A * D), r"kept units were not scaled"),
    ("drop_rate", _make_forward(scale=lambda A, D, p: A * D / (1 - p)),
     r"divided the kept units by 1 − keep_prob"),
    ("no_mask", _make_forward(scale=lambda A, D, p: A / p), r"no unit was dropped"),
    ("swapped", _make_forward(mask=lambda A, p, rng: rng.random(A.shape) < 1 - p),
     r"kept with keep_prob = 0\.8: about 1 − keep_prob.*probability of DROPPING"),
    ("greater", _make_forward(mask=lambda A, p, rng: rng.random(A.shape) > p),
     r"You kept a unit with the probability of DROPPING it"),
    ("shared_row", _make_forward(mask=lambda A, p, rng: rng.random(A.shape[1]) < p),
     r"every example got the same mask"),
    ("one_coin_per_example", _make_forward(mask=lambda A, p, rng: rng.random((len(A), 1)) < p),
     r"one coin per example"),
    ("fixed_count", _fixed_count, r"every example kept exactly 40 of its 50 units"),
    ("hard_coded", _hard_coded, r"a kept unit must equal a / keep_prob \(here a / 0\.3\)"),
    ("fresh_rng", _make_forward(mask=lambda A, p, rng: np.random.default_rng().random(A.shape) < p),
     r"the same seed gave different outputs"),
    ("seeded_inside",
     _make_forward(mask=lambda A, p, rng: np.random.default_rng(0).random(A.shape) < p),
     r"two different seeds gave the same mask"),
    ("on_at_test", _make_forward(test=lambda A, p, rng: A * (rng.random(A.shape) < p) / p),
     r"dropout is still on at test time"),
    ("scaled_at_test", _make_forward(test=lambda A, p, rng: A * p),
     r"at test time \(train=False\) you multiplied by keep_prob.*non-inverted"),
    ("divided_at_test", _make_forward(test=lambda A, p, rng: A / p),
     r"at test time \(train=False\) you divided by keep_prob"),
    ("scaled_mask_cached", _make_forward(cache=lambda A, D, p, rng: (D / p, p)),
     r"the cache holds the scaled mask"),
    ("mask_only_cached", _make_forward(cache=lambda A, D, p, rng: D),
     r"the cache must be the pair \(D, keep_prob\)"),
    ("other_mask_cached", _make_forward(cache=lambda A, D, p, rng: (rng.random(A.shape) < p, p)),
     r"the cached mask D is not the mask you applied"),
    ("wrong_p_cached", _make_forward(cache=lambda A, D, p, rng: (D, 1 - p)),
     r"the cache holds keep_prob = 0\.2"),
    ("returns_only_A", lambda A, p, rng, train=True: forward_ok(A, p, rng, train)[0],
     r"you returned a single array"),
    ("returns_none", lambda A, p, rng, train=True: None, r"returned None"),
]


@pytest.mark.parametrize(("wrong", "message"), [w[1:] for w in FORWARD_WRONG],
                         ids=[w[0] for w in FORWARD_WRONG])
def test_dropout_forward_wrong_answers_get_specific_messages(wrong, message):
    with pytest.raises(AssertionError, match=message) as info:
        checks.check_dropout_forward(wrong)
    assert str(info.value).startswith("dropout_forward: ")


def test_dropout_forward_train_flag_swapped():
    def swapped(A, p, rng, train=True):
        return forward_ok(A, p, rng, not train)

    with pytest.raises(AssertionError, match=r"nothing was dropped.*swap the meaning of the "
                                             r"train flag"):
        checks.check_dropout_forward(swapped)


def test_dropout_forward_stub_says_not_implemented():
    def stub(A, keep_prob, rng, train=True):
        raise NotImplementedError("Your code here")

    with pytest.raises(NotImplementedError, match="dropout_forward is not implemented yet") as info:
        checks.check_dropout_forward(stub)
    assert isinstance(info.value.__cause__, NotImplementedError)


def test_passing_a_call_instead_of_a_function():
    with pytest.raises(TypeError, match="dropout_forward must be a function"):
        checks.check_dropout_forward(forward_ok(np.ones((2, 2)), 0.5, np.random.default_rng(0)))
    with pytest.raises(TypeError, match="without parentheses"):
        checks.check_dropout_backward(backward_ok(np.ones(2), (np.ones(2, bool), 1.0)), forward_ok)


# ---------------------------------------------------------------- dropout_backward

@pytest.mark.parametrize("solution", [backward_ok, backward_where,
                                      checks.DROPOUT_BACKWARD.reference])
@pytest.mark.parametrize("forward", [forward_ok, forward_binomial])
def test_dropout_backward_correct_solutions_pass(solution, forward, capsys):
    assert checks.check_dropout_backward(solution, forward) is None
    out = capsys.readouterr().out
    assert out.startswith("✓ dropout_backward passed 6 cases\n")
    assert "reuses the forward mask" in out


def _fresh_global(dA_out, cache):
    D = np.random.rand(*dA_out.shape) < cache[1]  # noqa: NPY002
    return dA_out * D / cache[1]


def _fresh_rng(dA_out, cache):
    D = np.random.default_rng().random(dA_out.shape) < cache[1]
    return dA_out * D / cache[1]


def _fresh_seeded(dA_out, cache):
    D = np.random.default_rng(0).random(dA_out.shape) < cache[1]
    return dA_out * D / cache[1]


def _backward_in_place(dA_out, cache):
    dA_out *= cache[0]
    dA_out /= cache[1]
    return dA_out


BACKWARD_WRONG = [
    ("no_scaling", lambda g, c: g * c[0], r"applied the mask but not the 1/keep_prob scaling"),
    ("times_p", lambda g, c: g * c[0] * c[1], r"multiplied by keep_prob instead of dividing"),
    ("no_mask", lambda g, c: g / c[1], r"did not apply the mask: a dropped unit"),
    ("identity", lambda g, c: g, r"passed the gradient through unchanged"),
    ("inverted_mask", lambda g, c: np.where(c[0], 0.0, g) / c[1],
     r"through the DROPPED units"),
    ("drop_rate", lambda g, c: g * c[0] / (1 - c[1]), r"divided by 1 − keep_prob"),
    ("twice", lambda g, c: backward_ok(g, c) / c[1], r"divided by keep_prob twice"),
    ("fresh_global", _fresh_global, r"backward must not draw a new mask at all\. Reuse the mask of the forward pass"),
    ("fresh_rng", _fresh_rng, r"different answers: you drew a fresh random mask"),
    ("fresh_seeded", _fresh_seeded, r"made a new mask instead of using the cached one"),
    ("in_place", _backward_in_place, r"you modified dA_out in place"),
]


@pytest.mark.filterwarnings("ignore:divide by zero")  # 1/(1 - p) at p = 1
@pytest.mark.parametrize(("wrong", "message"), [w[1:] for w in BACKWARD_WRONG],
                         ids=[w[0] for w in BACKWARD_WRONG])
def test_dropout_backward_wrong_answers_get_specific_messages(wrong, message):
    with pytest.raises(AssertionError, match=message) as info:
        checks.check_dropout_backward(wrong, forward_ok)
    assert str(info.value).startswith("dropout_backward")


def test_dropout_backward_joint_check_catches_a_forward_that_does_not_fit():
    def forward_wrong_cache(A, p, rng, train=True):
        out, (D, _) = forward_ok(A, p, rng, train)
        return out, (D, 1.0)

    with pytest.raises(AssertionError, match=r"do not fit together"):
        checks.check_dropout_backward(backward_ok, forward_wrong_cache)


def test_dropout_backward_stub_says_not_implemented():
    def stub(dA_out, cache):
        raise NotImplementedError("Your code here")

    with pytest.raises(NotImplementedError, match="dropout_backward is not implemented yet"):
        checks.check_dropout_backward(stub, forward_ok)


# ---------------------------------------------------------------- multiple choice

@pytest.mark.parametrize(("answer", "message"), [
    ("a", r"other way round.*DEcreases"),
    ("b", r"fewer steps, not more"),
    ("d", r"does not depend on keep_prob"),
])
def test_keep_prob_question_wrong_answers_explained(answer, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_keep_prob_question(answer)


def test_rate_question_right_answer(capsys):
    assert checks.check_rate_question("b") is None
    assert "keep_prob = 1 − p = 0.8" in capsys.readouterr().out


@pytest.mark.parametrize(("answer", "message"), [
    ("a", r"probability of DROPPING a unit"),
    ("c", r"1\.25 = 1/0\.8 is the factor"),
    ("d", r"only one probability, used in training"),
])
def test_rate_question_wrong_answers_explained(answer, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_rate_question(answer)


def test_rate_question_matches_reglab_from_rate():
    assert Dropout.from_rate(0.2).keep_prob == pytest.approx(0.8)


def test_keep_prob_question_premise_noise_shrinks_with_keep_prob():
    """The explanation of (c): the variance of a·d/p, a²(1 − p)/p, falls as p grows."""
    rng = np.random.default_rng(0)
    a = np.full((200, 500), 2.0)
    variances = [Dropout(p).forward(a, train=True, rng=rng).var() for p in (0.5, 0.8, 0.95)]
    assert variances[0] > variances[1] > variances[2]
    np.testing.assert_allclose(variances, [4 * (1 - p) / p for p in (0.5, 0.8, 0.95)], rtol=0.05)


# ----------------------------------------------- plausible answers, as students write them

def _mask_loop(A, D, keep_prob):
    out = np.zeros_like(A, dtype=float)
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            if D[i, j]:
                out[i, j] = A[i, j] / keep_prob
    return out


MASK_WRONG = {
    "multiplied by keep_prob": lambda A, D, keep_prob: A * D * keep_prob,
    "no scaling": lambda A, D, keep_prob: A * D,
    "divided by the drop rate": lambda A, D, keep_prob: A * D / (1 - keep_prob),
    "mask negated": lambda A, D, keep_prob: A * (1 - D) / keep_prob,
    "no mask": lambda A, D, keep_prob: A / keep_prob,
    "first row of the mask": lambda A, D, keep_prob: A * D[0] / keep_prob,
    "divided twice": lambda A, D, keep_prob: A * D / keep_prob / keep_prob,
    "np.where the other way": lambda A, D, keep_prob: np.where(D, 0.0, A / keep_prob),
}
MASK_RIGHT = [lambda A, D, keep_prob: A * D / keep_prob, _mask_loop,
              lambda A, D, keep_prob: np.where(D, A / keep_prob, 0.0),
              lambda A, D, keep_prob: A.astype(np.float32) * D / np.float32(keep_prob)]


def _forward(draw, scale=lambda A, D, p: A * D / p, test=lambda A, p: A,
             cache=lambda D, p: (D, p)):
    def dropout_forward(A, keep_prob, rng, train=True):
        if not train:
            return test(A, keep_prob), None
        D = draw(A, keep_prob, rng)
        return scale(A, D, keep_prob), cache(D, keep_prob)
    return dropout_forward


def _draw(A, keep_prob, rng):
    return rng.random(A.shape) < keep_prob


def _forward_global(A, keep_prob, rng, train=True):
    if not train:
        return A, None
    D = np.random.rand(*A.shape) < keep_prob  # noqa: NPY002
    return A * D / keep_prob, (D, keep_prob)


FORWARD_WRONG = {
    "np.random instead of rng": _forward_global,
    "mask > keep_prob (keeps 1 - p)": _forward(lambda A, p, rng: rng.random(A.shape) > p),
    "one mask for all examples": _forward(lambda A, p, rng: rng.random(A.shape[1]) < p),
    "no scaling": _forward(_draw, scale=lambda A, D, p: A * D),
    "multiplied by keep_prob": _forward(_draw, scale=lambda A, D, p: A * D * p),
    "scaled at test time too": _forward(_draw, test=lambda A, p: A * p),
    "dropout at test time": _forward(lambda A, p, rng: rng.random(A.shape) < p,
                                     test=lambda A, p: A * (np.random.default_rng(0).random(
                                         A.shape) < p) / p),
    "a new generator inside": _forward(lambda A, p, rng: np.random.default_rng().random(
        A.shape) < p),
    "cache without keep_prob": _forward(_draw, cache=lambda D, p: D),
    "in place": _forward(_draw, scale=lambda A, D, p: np.multiply(A, D / p, out=A)),
}
FORWARD_RIGHT = [
    _forward(_draw),
    _forward(_draw, scale=lambda A, D, p: np.where(D, A / p, 0.0)),
    _forward(lambda A, p, rng: rng.uniform(size=A.shape) < p,
             scale=lambda A, D, p: A.astype(np.float32) * D / np.float32(p)),
]


def _backward_loop(dA_out, cache):
    D, keep_prob = cache
    dA = np.zeros_like(dA_out, dtype=float)
    for idx, kept in np.ndenumerate(D):
        if kept:
            dA[idx] = dA_out[idx] / keep_prob
    return dA


def _backward_fresh(dA_out, cache):
    D, keep_prob = cache
    return dA_out * (np.random.default_rng().random(dA_out.shape) < keep_prob) / keep_prob


BACKWARD_WRONG = {
    "no scaling": lambda dA_out, cache: dA_out * cache[0],
    "multiplied by keep_prob": lambda dA_out, cache: dA_out * cache[0] * cache[1],
    "no mask": lambda dA_out, cache: dA_out / cache[1],
    "identity": lambda dA_out, cache: dA_out,
    "mask negated": lambda dA_out, cache: dA_out * (1 - cache[0]) / cache[1],
    "divided by the drop rate": lambda dA_out, cache: dA_out * cache[0] / (1 - cache[1]),
    "divided twice": lambda dA_out, cache: dA_out * cache[0] / cache[1] ** 2,
    "a fresh mask": _backward_fresh,
}
BACKWARD_RIGHT = [lambda dA_out, cache: dA_out * cache[0] / cache[1], _backward_loop,
                  lambda dA_out, cache: np.where(cache[0], dA_out, 0) / np.float32(cache[1])]


def _check_backward(fn):
    return checks.check_dropout_backward(fn, FORWARD_RIGHT[0])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(("check", "wrong", "right"), [
    (checks.check_apply_mask, MASK_WRONG, MASK_RIGHT),
    (checks.check_dropout_forward, FORWARD_WRONG, FORWARD_RIGHT),
    (_check_backward, BACKWARD_WRONG, BACKWARD_RIGHT),
], ids=["apply_mask", "dropout_forward", "dropout_backward"])
def test_plausible_answers_are_told_apart(check, wrong, right, capsys):
    assert_feedback(check, wrong, right)


def test_an_answer_that_calls_reglab_dropout_is_refused():
    fails_with(checks.check_dropout_forward, forward_reglab, "calls reglab.layers.Dropout",
               "write it yourself")
    fails_with(lambda fn: checks.check_dropout_backward(fn, forward_ok), backward_reglab,
               "calls reglab.layers.Dropout")
    fails_with(checks.check_apply_mask, lambda A, D, p: Dropout(p).forward(A, train=False)
               * D / p, "calls reglab.layers.Dropout")
