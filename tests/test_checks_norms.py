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
        "l2_penalty_value": lambda params, lam, m: reglab.L2(lam).value(_weights(params), m),
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
