"""The checks of exercises/00_norms.ipynb can fail, and fail with the right diagnosis.

For every check: the reference passes; wrong implementations written the way
students write them fail with the specific message; a stub that still raises
NotImplementedError fails saying the exercise is not done. The mistake tables
themselves are sound: every wrong formula differs from the reference and from
every other one on some case, so each diagnosis is unambiguous.
"""

import sys

import numpy as np
import pytest
from check_failures import assert_feedback

import reglab
from reglab.checks import Case, Exercise, Mistake, norms

EXERCISES = [norms.L1_NORM, norms.L2_NORM, norms.LP_NORM, norms.FROBENIUS, norms.L2_PENALTY_VALUE]
CHECKS = {
    "l1_norm": norms.check_l1_norm,
    "l2_norm": norms.check_l2_norm,
    "lp_norm": norms.check_lp_norm,
    "frobenius_norm": norms.check_frobenius,
    "l2_penalty_value": norms.check_l2_penalty_value,
}


def _weights(params):
    return [v for k, v in params.items() if reglab.is_weight(k)]


# ------------------------------------------------------------------ references pass

def test_reference_implementations_pass(capsys):
    solutions = {
        "l1_norm": lambda x: np.sum(np.abs(x)),
        "l2_norm": lambda x: np.sqrt(np.sum(x**2)),
        "lp_norm": lambda x, p: np.sum(np.abs(x) ** p) ** (1 / p),
        "frobenius_norm": lambda W: np.linalg.norm(W, "fro"),
        "l2_penalty_value": lambda params, lam, m: lam / (2 * m) * sum(np.sum(W**2) for W in _weights(params)),
    }
    for name, check in CHECKS.items():
        assert check(solutions[name]) is None
        n = len(next(ex for ex in EXERCISES if ex.name == name).cases)
        assert capsys.readouterr().out == f"✓ {name} passed {n} cases\n"


def test_exercise_references_pass():
    for ex in EXERCISES:
        assert ex.check(ex.reference) is None


def test_penalty_reference_matches_reglab_L2():
    for case in norms.L2_PENALTY_VALUE.cases:
        params, lam, m = case.args
        expected = reglab.L2(lam).value(_weights(params), m)
        assert norms.L2_PENALTY_VALUE.reference(params, lam, m) == pytest.approx(expected)


# ----------------------------------------------- known wrong answers, specific messages

WRONG = [
    # (check, wrong implementation as a student would write it, expected message)
    ("l1_norm", lambda x: np.sum(x), r"sum of the signed entries: did you forget the absolute"),
    ("l1_norm", lambda x: sum(x.ravel()), r"forget the absolute value"),
    ("l1_norm", lambda x: np.linalg.norm(x, 1), r"np\.linalg\.norm\(W, 1\).*induced 1-norm.*Flatten"),
    ("l1_norm", lambda x: np.abs(x).sum(axis=0).max(), r"largest column sum"),
    ("l1_norm", lambda x: np.linalg.norm(x, np.inf), r"largest row sum"),
    ("l1_norm", lambda x: np.abs(x).max(), r"largest \|entry\|"),
    ("l1_norm", lambda x: np.mean(np.abs(x)), r"mean of \|x\|"),
    ("l1_norm", lambda x: np.sum(x**2), r"sum of squares"),
    ("l1_norm", lambda x: np.sqrt(np.sum(x * x)), r"L2 \(Euclidean\) norm"),
    ("l1_norm", lambda x: abs(np.sum(x)), r"absolute value of each entry before adding"),
    ("l2_norm", lambda x: np.sum(x**2), r"squared L2 norm: take the square root"),
    ("l2_norm", lambda x: float(np.dot(x.ravel(), x.ravel())), r"squared L2 norm"),
    ("l2_norm", lambda x: np.sqrt(np.sum(x)), r"square root of the plain sum"),
    ("l2_norm", lambda x: np.sqrt(np.sum(np.abs(x))), r"square root of Σ\|x_i\|"),
    ("l2_norm", lambda x: np.sqrt(np.sum(x) ** 2), r"sqrt\(\(Σ x_i\)²\)"),
    ("l2_norm", lambda x: np.sum(np.abs(x)), r"returned the L1 norm"),
    ("l2_norm", lambda x: np.sqrt(np.mean(x**2)), r"root mean square"),
    ("lp_norm", lambda x, p: np.sum(np.abs(x) ** p), r"forgot the outer power 1/p"),
    ("lp_norm", lambda x, p: np.sum(x**p) ** (1 / p), r"forgot the absolute value"),
    ("lp_norm", lambda x, p: np.sqrt(np.sum(np.abs(x) ** p)), r"always took the square root"),
    ("lp_norm", lambda x, p: np.sum(np.abs(x) ** p) ** p, r"raised the sum to the power p"),
    ("lp_norm", lambda x, p: np.sum(np.abs(x) ** (1 / p)) ** p, r"swapped the two powers"),
    ("lp_norm", lambda x, p: np.sqrt(np.sum(x**2)), r"ignored p and returned the L2 norm"),
    ("lp_norm", lambda x, p: np.sum(np.abs(x)), r"ignored p and returned the L1 norm"),
    ("lp_norm", lambda x, p: np.sum(np.abs(x) ** p) / p, r"divided by p"),
    ("frobenius_norm", lambda W: np.sum(W**2), r"squared Frobenius norm.*square root"),
    ("frobenius_norm", lambda W: np.linalg.norm(W, 2), r"spectral norm.*np\.linalg\.norm\(W, 2\)"),
    ("frobenius_norm", lambda W: np.linalg.norm(W, "nuc"), r"nuclear norm"),
    ("frobenius_norm", lambda W: sum(np.linalg.norm(W[:, j]) for j in range(W.shape[1])),
     r"L2 norms of the columns"),
    ("frobenius_norm", lambda W: sum(np.sqrt(np.sum(row**2)) for row in W), r"L2 norms of the rows"),
    ("frobenius_norm", lambda W: np.sum(np.abs(W)), r"entrywise L1 norm"),
    ("frobenius_norm", lambda W: np.sqrt(W.sum()), r"square root of the plain sum"),
    ("l2_penalty_value",
     lambda params, lam, m: lam / m * sum(np.sum(W**2) for W in _weights(params)),
     r"off by a factor of 2: did you drop the ½ in λ/2m\?"),
    ("l2_penalty_value",
     lambda params, lam, m: lam / 2 * sum(np.sum(W**2) for W in _weights(params)),
     r"off by a factor of m: divide by m"),
    ("l2_penalty_value",
     lambda params, lam, m: lam / 2 * m * sum(np.sum(W**2) for W in _weights(params)),
     r"multiplied by m instead of dividing"),
    ("l2_penalty_value",
     lambda params, lam, m: lam * sum(np.sum(W**2) for W in _weights(params)),
     r"used λ alone"),
    ("l2_penalty_value",
     lambda params, lam, m: lam / (2 * m) * sum(np.sum(v**2) for v in params.values()),
     r"you penalized the biases too"),
    ("l2_penalty_value",
     lambda params, lam, m: lam / (2 * m) * sum(np.linalg.norm(W) for W in _weights(params)),
     r"norms ‖W‖_F instead of their squares"),
    ("l2_penalty_value",
     lambda params, lam, m: lam / (2 * m) * sum(np.linalg.norm(W) for W in _weights(params)) ** 2,
     r"squared the sum of the norms"),
    ("l2_penalty_value",
     lambda params, lam, m: lam / (2 * m) * sum(np.sum(np.abs(W)) for W in _weights(params)),
     r"L1 penalty"),
    ("l2_penalty_value",
     lambda params, lam, m: lam / (2 * m) * sum(np.mean(W**2) for W in _weights(params)),
     r"averaged the squared entries"),
    ("l2_penalty_value",
     lambda params, lam, m: lam / (2 * m) * np.sum(params["0.W"] ** 2),
     r"only the first weight matrix"),
    ("l2_penalty_value",
     lambda params, lam, m: lam / (2 * m) * [np.sum(W**2) for W in _weights(params)][-1],
     r"only the last weight matrix"),
    ("l2_penalty_value",
     lambda params, lam, m: lam / (2 * m) * np.mean([np.sum(W**2) for W in _weights(params)]),
     r"averaged over the layers"),
]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # nan from wrong formulas is expected
@pytest.mark.parametrize(("name", "wrong", "message"), WRONG,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(WRONG)])
def test_known_wrong_answer_gets_specific_message(name, wrong, message):
    with pytest.raises(AssertionError, match=message) as info:
        CHECKS[name](wrong)
    text = str(info.value)
    assert text.startswith(f"{name} is wrong on ")
    assert "expected" in text and "got" in text and "First failure:" in text


# ------------------------------------------------------------- the tables are sound


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_cases_cover_the_edge_cases(ex):
    labels = " ".join(c.label for c in ex.cases)
    if ex.name != "l2_penalty_value":
        for word in ("zeros", "single", "negative"):
            assert word in labels, f"{ex.name} has no case with {word}"
    arrays = [a for c in ex.cases for a in c.args if isinstance(a, np.ndarray)]
    if ex.name in ("l1_norm", "l2_norm", "frobenius_norm"):
        shapes = {a.shape for a in arrays}
        assert any(s[:1] == (1,) and len(s) == 2 for s in shapes), "no row vector (1, n)"
        assert any(len(s) == 2 and s[1:] == (1,) for s in shapes), "no column vector (n, 1)"


# ------------------------------------------------------------ the engine's other paths

def test_unknown_mistake_gets_generic_advice():
    with pytest.raises(AssertionError, match="not one of the usual ones"):
        norms.check_l2_norm(lambda x: np.sum(np.sin(x)))


def test_returning_none_asks_for_return():
    def forgot_return(x):
        np.sum(np.abs(x))

    with pytest.raises(AssertionError, match="returned None.*forget the `return`"):
        norms.check_l1_norm(forgot_return)


def test_returning_an_array_asks_for_a_single_number():
    with pytest.raises(AssertionError, match=r"single number, got an array of shape \(2,\)"):
        norms.check_l1_norm(lambda x: np.sum(np.abs(np.atleast_2d(x)), axis=0))


def test_modifying_the_input_in_place_is_reported():
    def in_place(x):
        np.abs(x, out=x)
        return np.sum(x)

    with pytest.raises(AssertionError, match="changed its input in place"):
        norms.check_l1_norm(in_place)


def test_passing_a_call_instead_of_a_function_names_the_argument():
    with pytest.raises(TypeError, match="student_fn must be a function"):
        norms.check_l1_norm(3.0)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception notes need Python 3.11")
def test_other_exceptions_propagate_with_the_failing_case():
    def crashes(x, p):
        return np.linalg.norm(x, p)  # rejects 2-D arrays with p = 3

    with pytest.raises(ValueError) as info:
        norms.check_lp_norm(crashes)
    assert "raised by lp_norm on a column vector" in "\n".join(info.value.__notes__)


def test_engine_works_for_a_new_exercise(capsys):
    ex = Exercise(
        name="double",
        reference=lambda x: 2 * x,
        cases=(Case("one", (1.0,)), Case("minus two", (-2.0,))),
        mistakes=(Mistake(lambda x: x, "you forgot to double"),),
    )
    assert ex.check(lambda x: x + x) is None
    assert "✓ double passed 2 cases" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="you forgot to double"):
        ex.check(lambda x: x)


# -------------------------------------------------------------- INF721 exercise 5

W5 = np.array([[0.2, -0.1], [0.3, 0.4]])


@pytest.mark.parametrize(("answer", "message"), [
    ("a", r"largest column sum.*np\.linalg\.norm\(W, 1\)"),
    ("b", r"nuclear norm.*sum of its singular values"),
    ("d", r"more than .* = 1\.00.*not the result of a usual slip"),
])
def test_exercise5_wrong_answers_explained(answer, message):
    with pytest.raises(AssertionError, match=message):
        norms.check_exercise5(answer)


def test_exercise5_explanations_are_numerically_true():
    opts = norms.EXERCISE5.options
    assert round(np.sum(np.abs(W5)), 2) == opts[norms.EXERCISE5.answer] == 1.00
    # (a): induced 1-norm (max column sum), and the spectral norm rounds to it too
    assert np.linalg.norm(W5, 1) == pytest.approx(opts["a"])
    assert round(np.linalg.norm(W5, 2), 2) == opts["a"]
    # (b): nuclear norm = sum of singular values 0.502 + 0.219
    s = np.linalg.svd(W5, compute_uv=False)
    np.testing.assert_allclose(s, [0.502, 0.219], atol=5e-4)
    assert round(np.linalg.norm(W5, "nuc"), 2) == opts["b"]
    # (d): larger than Σ|w|, which bounds every usual norm of W
    usual = [np.linalg.norm(W5, o) for o in (None, "fro", "nuc", 1, 2, np.inf)]
    usual += [np.sum(np.abs(W5) ** p) ** (1 / p) for p in (1, 1.5, 2, 3, 10)]
    assert max(usual) <= 1.0 + 1e-12 < opts["d"]
    # the natural slips do not give 1.28 either
    slips = [W5.sum(), np.sum(W5**2), np.sqrt(np.sum(W5**2)), np.max(np.abs(W5)), np.abs(W5).mean()]
    assert all(round(v, 2) != opts["d"] for v in slips)


def test_array_answers_are_compared_by_shape_and_value():
    ex = Exercise(
        name="double_all",
        reference=lambda x: 2 * x,
        cases=(Case("a row", (np.array([[1.0, -2.0]]),)), Case("a column", (np.array([[3.0], [4.0]]),))),
        mistakes=(Mistake(lambda x: x, "you forgot to double"),),
    )
    assert ex.check(lambda x: x + x) is None
    with pytest.raises(AssertionError, match="you forgot to double"):
        ex.check(lambda x: x.copy())
    with pytest.raises(AssertionError, match=r"must return an array of shape \(1, 2\), got shape \(2, 1\)"):
        ex.check(lambda x: 2 * x.T)


# ----------------------------------------------- plausible answers, as students write them

def _l1_loop(x):
    total = 0.0
    for v in np.ravel(x):
        total += abs(v)
    return total


def _l1_signed_loop(x):
    total = 0
    for v in np.ravel(x):
        total += v
    return total


L1_WRONG = {
    "no absolute value": lambda x: np.sum(x),
    "no absolute value, loop": _l1_signed_loop,
    "np.linalg.norm(x, 1) on a matrix": lambda x: np.linalg.norm(x, 1) if x.ndim == 2
    else np.sum(np.abs(x)),
    "np.linalg.norm(x, inf) on a matrix": lambda x: np.linalg.norm(x, np.inf) if x.ndim == 2
    else np.max(np.abs(x)),
    "the max |x|": lambda x: np.abs(x).max(),
    "the mean of |x|": lambda x: np.mean(np.abs(x)),
    "squares": lambda x: np.sum(x * x),
    "the L2 norm": lambda x: np.sqrt(np.sum(x ** 2)),
    "|sum|": lambda x: abs(np.sum(x)),
}
L1_RIGHT = [lambda x: float(np.sum(np.abs(x))), _l1_loop,
            lambda x: np.float32(np.abs(np.asarray(x, np.float32)).sum()),
            lambda x: np.linalg.norm(np.ravel(x), 1)]


def _l2_loop(x):
    total = 0.0
    for v in np.ravel(x):
        total += v * v
    return total ** 0.5


def _l2_squared_loop(x):
    total = 0.0
    for v in np.ravel(x):
        total += v ** 2
    return total


L2_WRONG = {
    "no root": lambda x: np.sum(x ** 2),
    "no root, loop": _l2_squared_loop,
    "root of the plain sum": lambda x: np.sqrt(np.sum(x)),
    "root of the L1 norm": lambda x: np.sqrt(np.sum(np.abs(x))),
    "squared the sum": lambda x: np.sqrt(np.sum(x) ** 2),
    "the L1 norm": lambda x: np.sum(np.abs(x)),
    "root mean square": lambda x: np.sqrt(np.mean(x ** 2)),
    "the max |x|": lambda x: np.max(np.abs(x)),
}
L2_RIGHT = [lambda x: float(np.sqrt(np.sum(np.square(x)))), _l2_loop,
            lambda x: np.sqrt(np.sum(np.asarray(x, np.float32) ** 2)),
            lambda x: np.linalg.norm(np.ravel(x))]


def _lp_loop(x, p):
    total = 0.0
    for v in np.ravel(x):
        total += abs(v) ** p
    return total ** (1 / p)


def _lp_no_root_loop(x, p):
    total = 0.0
    for v in np.ravel(x):
        total += abs(v) ** p
    return total


LP_WRONG = {
    "no outer power": lambda x, p: np.sum(np.abs(x) ** p),
    "no outer power, loop": _lp_no_root_loop,
    "no absolute value": lambda x, p: np.sum(x ** p) ** (1 / p),
    "square root always": lambda x, p: np.sqrt(np.sum(np.abs(x) ** p)),
    "outer power p": lambda x, p: np.sum(np.abs(x) ** p) ** p,
    "powers swapped": lambda x, p: np.sum(np.abs(x) ** (1 / p)) ** p,
    "p ignored, L2": lambda x, p: np.sqrt(np.sum(x ** 2)),
    "p ignored, L1": lambda x, p: np.sum(np.abs(x)),
    "divided by p": lambda x, p: np.sum(np.abs(x) ** p) / p,
}
LP_RIGHT = [lambda x, p: float(np.sum(np.abs(x) ** p) ** (1 / p)), _lp_loop,
            lambda x, p: np.power(np.sum(np.abs(np.asarray(x, np.float32)) ** p), 1 / p),
            lambda x, p: np.linalg.norm(np.ravel(x), p)]


def _fro_loop(W):
    total = 0.0
    for row in W:
        for w in row:
            total += w ** 2
    return np.sqrt(total)


def _fro_rows(W):
    total = 0.0
    for row in W:
        total += np.sqrt(np.sum(row ** 2))
    return total


FROBENIUS_WRONG = {
    "no root": lambda W: np.sum(W ** 2),
    "np.linalg.norm(W, 2)": lambda W: np.linalg.norm(W, 2),
    "nuclear norm": lambda W: np.linalg.norm(W, "nuc"),
    "sum of column norms": lambda W: np.sum(np.linalg.norm(W, axis=0)),
    "sum of row norms, loop": _fro_rows,
    "entrywise L1": lambda W: np.sum(np.abs(W)),
    "root of the plain sum": lambda W: np.sqrt(W.sum()),
    "the max |w|": lambda W: np.abs(W).max(),
}
FROBENIUS_RIGHT = [lambda W: float(np.sqrt(np.sum(W ** 2))), _fro_loop,
                   lambda W: np.sqrt(np.sum(np.asarray(W, np.float32) ** 2)),
                   lambda W: np.linalg.norm(W, "fro")]


def _penalty_loop(params, lam, m):
    total = 0.0
    for name in params:
        if name.endswith(".W"):
            for w in np.ravel(params[name]):
                total += w * w
    return lam / (2 * m) * total


def _penalty_last_only(params, lam, m):
    for name, W in params.items():
        if reglab.is_weight(name):
            total = np.sum(W ** 2)
    return lam / (2 * m) * total


def _weight_sum(params, fn):
    return sum(fn(W) for W in _weights(params))


PENALTY_WRONG = {
    "no ½": lambda params, lam, m: lam / m * _weight_sum(params, lambda W: np.sum(W ** 2)),
    "no 1/m": lambda params, lam, m: lam / 2 * _weight_sum(params, lambda W: np.sum(W ** 2)),
    "lam / 2 * m": lambda params, lam, m: lam / 2 * m * _weight_sum(params,
                                                                    lambda W: np.sum(W ** 2)),
    "biases penalized": lambda params, lam, m: lam / (2 * m) * sum(np.sum(v ** 2)
                                                                 for v in params.values()),
    "norms, not squares": lambda params, lam, m: lam / (2 * m) * _weight_sum(params,
                                                                             np.linalg.norm),
    "sum of entries squared": lambda params, lam, m: lam / (2 * m) * _weight_sum(
        params, lambda W: np.sum(W) ** 2),
    "the L1 penalty": lambda params, lam, m: lam / (2 * m) * _weight_sum(
        params, lambda W: np.sum(np.abs(W))),
    "mean of squares": lambda params, lam, m: lam / (2 * m) * _weight_sum(
        params, lambda W: np.mean(W ** 2)),
    "last layer only": _penalty_last_only,
    "negative sign": lambda params, lam, m: -lam / (2 * m) * _weight_sum(
        params, lambda W: np.sum(W ** 2)),
}
PENALTY_RIGHT = [
    _penalty_loop,
    lambda params, lam, m: float(lam / (2 * m) * _weight_sum(params, lambda W: np.sum(W * W))),
    lambda params, lam, m: np.float32(lam) / np.float32(2 * m) * sum(
        np.sum(np.asarray(W, np.float32) ** 2) for W in _weights(params)),
    lambda params, lam, m: 0.5 * lam / m * _weight_sum(params,
                                                       lambda W: np.linalg.norm(W) ** 2),
]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(("check", "wrong", "right"), [
    (norms.check_l1_norm, L1_WRONG, L1_RIGHT),
    (norms.check_l2_norm, L2_WRONG, L2_RIGHT),
    (norms.check_lp_norm, LP_WRONG, LP_RIGHT),
    (norms.check_frobenius, FROBENIUS_WRONG, FROBENIUS_RIGHT),
    (norms.check_l2_penalty_value, PENALTY_WRONG, PENALTY_RIGHT),
], ids=["l1_norm", "l2_norm", "lp_norm", "frobenius_norm", "l2_penalty_value"])
def test_plausible_answers_are_told_apart(check, wrong, right, capsys):
    assert_feedback(check, wrong, right)
