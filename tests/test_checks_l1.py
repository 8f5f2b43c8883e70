"""The checks of exercises/03_l1_and_soft_thresholding.ipynb can fail, with the right diagnosis.

For the three function exercises (l1_gradient, soft_threshold, l1_quadratic_solution):
the references agree with reglab.penalties.L1 and reglab.theory; correct implementations
written in different styles pass; wrong ones written the way students write them fail with
the specific message; the untouched stub fails as "not implemented yet"; the mistake
tables are sound and the cases contain the edges (exact zeros, negative entries,
|x| = t, distinct curvatures H_ii != 1). For INF721 exercise 3: the right letter passes,
every wrong letter fails with its own explanation.
"""

import numpy as np
import pytest
from check_failures import assert_feedback, fails_with

from reglab import L1, theory
from reglab.checks import l1 as checks

CHECKS = {
    "l1_gradient": checks.check_l1_gradient,
    "soft_threshold": checks.check_soft_threshold,
    "l1_quadratic_solution": checks.check_l1_quadratic_solution,
}


# ------------------------------------------------------- the references agree with reglab

def test_l1_gradient_reference_is_reglab_penalty_gradient():
    for case in checks.L1_GRADIENT.cases:
        W, lam, m = case.args
        expected = L1(lam).grad(W, m)
        np.testing.assert_allclose(checks.L1_GRADIENT.reference(W, lam, m), expected,
                                   rtol=1e-15, atol=0)


def test_soft_threshold_reference_is_reglab_theory():
    for case in checks.SOFT_THRESHOLD.cases:
        x, t = case.args
        np.testing.assert_array_equal(checks.SOFT_THRESHOLD.reference(x, t),
                                      theory.soft_threshold(x, t))


def test_l1_quadratic_solution_reference_is_reglab_theory():
    for case in checks.L1_QUADRATIC_SOLUTION.cases:
        theta_hat, h, lam_prime = case.args
        np.testing.assert_array_equal(checks.L1_QUADRATIC_SOLUTION.reference(theta_hat, h, lam_prime),
                                      theory.lasso_solution_diagonal(theta_hat, h, lam_prime))


def test_l1_quadratic_solution_minimizes_the_objective():
    """No nearby point has a lower ½Σ H_ii(θ_i − θ̂_i)² + λ′‖θ‖₁ (it is convex, so: global)."""
    rng = np.random.default_rng(0)
    for case in checks.L1_QUADRATIC_SOLUTION.cases:
        theta_hat, h, lam_prime = case.args

        def objective(theta, theta_hat=theta_hat, h=h, lam_prime=lam_prime):
            return 0.5 * np.sum(h * (theta - theta_hat) ** 2) + lam_prime * np.sum(np.abs(theta))

        best = checks.L1_QUADRATIC_SOLUTION.reference(theta_hat, h, lam_prime)
        for step in (1e-1, 1e-3, 1e-6):
            moves = rng.normal(scale=step, size=(200, len(theta_hat)))
            assert all(objective(best + d) >= objective(best) - 1e-12 for d in moves)


def test_proximal_step_is_reglab_proximal_l1():
    """soft_threshold(W − α·g, α·λ/2m) is one step of reglab.ProximalL1(SGD(α), λ, m)."""
    from reglab import SGD, ProximalL1

    rng = np.random.default_rng(1)
    W, g = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    lr, lam, m = 0.3, 4.0, 10
    params = {"0.W": W.copy(), "0.b": np.zeros(4)}
    ProximalL1(SGD(lr), lam, m).step(params, {"0.W": g, "0.b": np.zeros(4)})
    expected = checks.SOFT_THRESHOLD.reference(W - lr * g, lr * lam / (2 * m))
    np.testing.assert_allclose(params["0.W"], expected, rtol=1e-15, atol=0)
    assert np.any(expected == 0)


# ------------------------------------------------------------------ correct answers pass

def _gradient_masks(W, lam, m):
    return lam / (2 * m) * ((W > 0).astype(float) - (W < 0).astype(float))


def _gradient_loop(W, lam, m):
    g = np.zeros_like(W)
    for idx, w in np.ndenumerate(W):
        if w > 0:
            g[idx] = 1.0
        elif w < 0:
            g[idx] = -1.0
    return g * lam / 2 / m


def _soft_where(x, t):
    return np.where(x > t, x - t, np.where(x < -t, x + t, 0.0))


def _soft_clip(x, t):
    return x - np.clip(x, -t, t)


def _quadratic_loop(theta_hat, h_diag, lam_prime):
    theta = np.zeros_like(theta_hat)
    for i, (th, h) in enumerate(zip(theta_hat, h_diag, strict=True)):
        t = lam_prime / h
        if th > t:
            theta[i] = th - t
        elif th < -t:
            theta[i] = th + t
    return theta


CORRECT = [
    ("l1_gradient", checks.L1_GRADIENT.reference),
    ("l1_gradient", _gradient_masks),
    ("l1_gradient", _gradient_loop),
    ("soft_threshold", checks.SOFT_THRESHOLD.reference),
    ("soft_threshold", _soft_where),
    ("soft_threshold", _soft_clip),
    ("l1_quadratic_solution", checks.L1_QUADRATIC_SOLUTION.reference),
    ("l1_quadratic_solution", _quadratic_loop),
    ("l1_quadratic_solution", lambda th, h, a: _soft_clip(th, a / h)),
]


@pytest.mark.parametrize(("name", "fn"), CORRECT,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(CORRECT)])
def test_correct_implementations_pass(name, fn, capsys):
    assert CHECKS[name](fn) is None
    assert capsys.readouterr().out.startswith(f"✓ {name} passed ")


# --------------------------------------------- wrong answers, written the way students do

def _sign_plus_at_zero(W, lam, m):
    return np.where(W >= 0, 1, -1) * lam / (2 * m)


def _sign_minus_at_zero(W, lam, m):
    g = np.empty_like(W)
    g[W > 0] = 1
    g[W <= 0] = -1
    return lam / (2 * m) * g


def _sign_by_division(W, lam, m):
    return lam / (2 * m) * (W / np.abs(W))


def _hard_threshold(x, t):
    return x * (np.abs(x) > t)


def _soft_no_sign(x, t):
    out = np.abs(x) - t
    out[out < 0] = 0
    return out


def _soft_positive_only(x, t):
    return np.where(x > t, x - t, 0.0)


def _soft_no_clamp(x, t):
    return np.sign(x) * (np.abs(x) - t)


def _quadratic_via_student_soft(threshold):
    """A student's l1_quadratic_solution built on a (correct) soft_threshold."""
    return lambda th, h, a: _soft_clip(th, threshold(h, a))


WRONG = [
    ("l1_gradient", _sign_plus_at_zero, r"sign gives \+1 at w = 0.*sign\(0\) must be 0"),
    ("l1_gradient", _sign_minus_at_zero, r"sign gives -1 at w = 0.*sign\(0\) must be 0"),
    ("l1_gradient", _sign_by_division, r"W / \|W\|, which is 0/0 = nan"),
    ("l1_gradient", lambda W, lam, m: lam / m * W, r"L2 gradient \(λ/m\)·W"),
    ("l1_gradient", lambda W, lam, m: lam / (2 * m) * W, r"multiplied by W instead of sign\(W\)"),
    ("l1_gradient", lambda W, lam, m: lam * np.abs(W) / (2 * m), r"the penalty entry by entry"),
    ("l1_gradient", lambda W, lam, m: lam / m * np.sign(W),
     r"off by a factor of 2: did you drop the ½ in λ/2m\?"),
    ("l1_gradient", lambda W, lam, m: lam / 2 * np.sign(W), r"off by a factor of m: divide by m"),
    ("l1_gradient", lambda W, lam, m: lam / 2 * m * np.sign(W),
     r"multiplied by m instead of dividing"),
    ("l1_gradient", lambda W, lam, m: lam * np.sign(W), r"used λ alone"),
    ("l1_gradient", lambda W, lam, m: -lam / (2 * m) * np.sign(W), r"wrong sign: .*minus the"),
    ("soft_threshold", _hard_threshold, r"hard thresholding: entries with \|x\| > t came back"),
    ("soft_threshold", lambda x, t: np.where(abs(x) >= t, x, 0),
     r"hard thresholding \(keeping \|x\| >= t unchanged\)"),
    ("soft_threshold", _soft_no_sign, r"forgot the sign: negative entries came back positive"),
    ("soft_threshold", lambda x, t: np.maximum(x - t, 0), r"max\(x − t, 0\) without the absolute"),
    ("soft_threshold", _soft_positive_only, r"max\(x − t, 0\) without the absolute"),
    ("soft_threshold", _soft_no_clamp, r"did not stop at 0.*crossed over"),
    ("soft_threshold", lambda x, t: np.maximum(np.abs(x) - t, 0) * x / np.abs(x),
     r"x / \|x\|, which is 0/0 = nan"),
    ("soft_threshold", lambda x, t: np.minimum(np.maximum(x, -t), t),
     r"clip\(x, −t, t\), the part that soft thresholding removes"),
    ("soft_threshold", lambda x, t: np.sign(x) * np.maximum(np.abs(x) - t - t, 0),
     r"subtracted 2t"),
    ("l1_quadratic_solution", _quadratic_via_student_soft(lambda h, a: a * h),
     r"threshold λ′·H_ii: it is λ′/H_ii"),
    ("l1_quadratic_solution", _quadratic_via_student_soft(lambda h, a: a),
     r"threshold λ′ for every weight"),
    ("l1_quadratic_solution", _quadratic_via_student_soft(lambda h, a: 2 * a / h),
     r"not 2λ′/H_ii"),
    ("l1_quadratic_solution", _quadratic_via_student_soft(lambda h, a: a / 2 / h),
     r"not λ′/\(2H_ii\)"),
    ("l1_quadratic_solution", _quadratic_via_student_soft(lambda h, a: h / a),
     r"inverted the threshold"),
    ("l1_quadratic_solution", lambda th, h, a: th * (np.abs(th) > a / h),
     r"hard thresholding: the weights above their threshold came back unchanged"),
    ("l1_quadratic_solution", lambda th, h, a: np.maximum(np.abs(th) - a / h, 0),
     r"forgot the sign"),
    ("l1_quadratic_solution", lambda th, h, a: np.maximum(th - a / h, 0),
     r"without the absolute value"),
    ("l1_quadratic_solution", lambda th, h, a: th - np.sign(th) * a / h,
     r"without stopping at 0"),
    ("l1_quadratic_solution", lambda th, h, a: th * h / (h + a),
     r"L2 \(weight decay\) solution"),
]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # 0/0 and x/0 in wrong formulas
@pytest.mark.parametrize(("name", "wrong", "message"), WRONG,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(WRONG)])
def test_known_wrong_answer_gets_specific_message(name, wrong, message):
    with pytest.raises(AssertionError, match=message) as info:
        CHECKS[name](wrong)
    text = str(info.value)
    assert text.startswith(f"{name} is wrong on ")
    assert "expected" in text and "got" in text and "First failure:" in text


def test_returning_the_penalty_value_asks_for_an_array():
    with pytest.raises(AssertionError, match=r"must return an array of shape \(2, 3\)"):
        checks.check_l1_gradient(lambda W, lam, m: lam / (2 * m) * np.sum(np.abs(W)))


def test_soft_threshold_in_place_is_reported():
    def in_place(x, t):
        x[np.abs(x) <= t] = 0
        x -= np.sign(x) * t
        return x

    with pytest.raises(AssertionError, match="changed its input in place"):
        checks.check_soft_threshold(in_place)


def test_scalar_only_soft_threshold_fails_on_arrays():
    def scalar_only(x, t):
        return max(abs(x) - t, 0) * (1 if x > 0 else -1)

    with pytest.raises(ValueError):
        checks.check_soft_threshold(scalar_only)


# ------------------------------------------------------------- the tables are sound


def test_cases_cover_the_edges():
    grads = [c.args for c in checks.L1_GRADIENT.cases]
    assert sum(np.any(W == 0) for W, _, _ in grads) >= 3, "exact zeros in W"
    assert all(np.any(W < 0) for W, _, _ in grads if np.any(W != 0)), "negative entries"
    assert {m for _, _, m in grads} >= {1, 3, 4}, "m = 1 and m != 2 (½ vs 1/m apart)"

    soft = [c.args for c in checks.SOFT_THRESHOLD.cases]
    assert any(np.any(np.abs(x) == t) for x, t in soft), "an |x| = t boundary"
    assert any(np.any(x == 0) for x, _ in soft), "zeros in x"
    assert any(np.ndim(t) == 1 for _, t in soft), "a threshold per entry"
    assert any(np.ndim(x) == 2 for x, _ in soft), "a matrix"

    quad = [c.args for c in checks.L1_QUADRATIC_SOLUTION.cases]
    assert all(np.all(h > 0) and len(np.unique(h)) == len(h) and np.all(h != 1)
               for _, h, _ in quad), "distinct curvatures H_ii != 1"
    assert any(np.any(np.abs(th) == a / h) for th, h, a in quad), "an |θ̂_i| = λ′/H_ii boundary"
    assert any(a == 0 for _, _, a in quad), "λ′ = 0"


# --------------------------------------------------------- INF721 exercise 3 (sparsity)

def test_exercise3_options_are_the_lecture_ones():
    assert checks.EXERCISE3.options == {"a": "L1 regularization", "b": "L2 regularization",
                                        "c": "Dropout", "d": "Data augmentation"}
    assert set(checks.EXERCISE3.why) == set(checks.EXERCISE3.options)


@pytest.mark.parametrize(("answer", "message"), [
    ("b", r"shrinks in proportion to w.*without reaching it"),
    ("c", r"random \*activations\*"),
    ("d", r"changes the training data, not the penalty"),
])
def test_exercise3_wrong_answers_explained(answer, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_exercise3(answer)


# ----------------------------------------------- plausible answers, as students write them

def _sign_loop(W):
    out = np.zeros_like(W, dtype=float)
    for idx, w in np.ndenumerate(W):
        out[idx] = 1.0 if w > 0 else (-1.0 if w < 0 else 0.0)
    return out


GRADIENT_WRONG = {
    "sign(0) = +1": lambda W, lam, m: lam / (2 * m) * np.where(W >= 0, 1, -1),
    "sign(0) = -1": lambda W, lam, m: lam / (2 * m) * np.where(W > 0, 1, -1),
    "W / |W|": lambda W, lam, m: lam / (2 * m) * W / np.abs(W),
    "the L2 gradient": lambda W, lam, m: lam / m * W,
    "W instead of sign(W)": lambda W, lam, m: lam / (2 * m) * W,
    "|W|": lambda W, lam, m: lam / (2 * m) * np.abs(W),
    "no ½": lambda W, lam, m: lam / m * np.sign(W),
    "no 1/m": lambda W, lam, m: lam / 2 * np.sign(W),
    "lam / 2 * m": lambda W, lam, m: lam / 2 * m * np.sign(W),
    "minus sign": lambda W, lam, m: -lam / (2 * m) * np.sign(W),
}
GRADIENT_RIGHT = [lambda W, lam, m: lam / (2 * m) * np.sign(W),
                  lambda W, lam, m: lam / (2 * m) * _sign_loop(W),
                  lambda W, lam, m: np.float32(lam / (2 * m)) * np.sign(W.astype(np.float32))]


def _soft_loop(x, t):
    x = np.asarray(x, dtype=float)
    t = np.broadcast_to(t, x.shape)
    out = np.zeros_like(x)
    for idx, v in np.ndenumerate(x):
        if v > t[idx]:
            out[idx] = v - t[idx]
        elif v < -t[idx]:
            out[idx] = v + t[idx]
    return out


SOFT_WRONG = {
    "hard thresholding": lambda x, t: np.where(np.abs(x) > t, x, 0),
    "hard thresholding, >=": lambda x, t: x * (np.abs(x) >= t),
    "no sign": lambda x, t: np.maximum(np.abs(x) - t, 0),
    "no absolute value": lambda x, t: np.maximum(x - t, 0),
    "no stop at 0": lambda x, t: x - t * np.sign(x),
    "x / |x| for the sign": lambda x, t: x / np.abs(x) * np.maximum(np.abs(x) - t, 0),
    "clip": lambda x, t: np.clip(x, -t, t),
    "2t": lambda x, t: np.sign(x) * np.maximum(np.abs(x) - 2 * t, 0),
}
SOFT_RIGHT = [lambda x, t: np.sign(x) * np.maximum(np.abs(x) - t, 0.0), _soft_loop,
              lambda x, t: np.where(x > t, x - t, np.where(x < -t, x + t, 0.0)),
              lambda x, t: np.sign(x).astype(np.float32)
              * np.maximum(np.abs(np.asarray(x, np.float32)) - np.float32(t), 0)]


def _soft(x, t):
    return np.sign(x) * np.maximum(np.abs(x) - t, 0.0)


def _quadratic_loop(theta_hat, h_diag, lam_prime):
    out = np.zeros(len(theta_hat))
    for i in range(len(theta_hat)):
        t = lam_prime / h_diag[i]
        if abs(theta_hat[i]) > t:
            out[i] = theta_hat[i] - t * np.sign(theta_hat[i])
    return out


QUADRATIC_WRONG = {
    "threshold λ′·H": lambda th, h, a: _soft(th, a * h),
    "threshold λ′": lambda th, h, a: _soft(th, a),
    "threshold 2λ′/H": lambda th, h, a: _soft(th, 2 * a / h),
    "threshold λ′/2H": lambda th, h, a: _soft(th, a / (2 * h)),
    "threshold H/λ′": lambda th, h, a: _soft(th, h / a),
    "hard thresholding": lambda th, h, a: np.where(np.abs(th) > a / h, th, 0),
    "no sign": lambda th, h, a: np.maximum(np.abs(th) - a / h, 0),
    "no stop at 0": lambda th, h, a: th - a / h * np.sign(th),
    "the L2 solution": lambda th, h, a: h / (h + a) * th,
}
QUADRATIC_RIGHT = [lambda th, h, a: _soft(th, a / h), _quadratic_loop,
                   lambda th, h, a: _soft(th.astype(np.float32), np.float32(a) / h)]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(("check", "wrong", "right"), [
    (checks.check_l1_gradient, GRADIENT_WRONG, GRADIENT_RIGHT),
    (checks.check_soft_threshold, SOFT_WRONG, SOFT_RIGHT),
    (checks.check_l1_quadratic_solution, QUADRATIC_WRONG, QUADRATIC_RIGHT),
], ids=["l1_gradient", "soft_threshold", "l1_quadratic_solution"])
def test_plausible_answers_are_told_apart(check, wrong, right, capsys):
    assert_feedback(check, wrong, right)


@pytest.mark.parametrize(("check", "answer", "name"), [
    (checks.check_l1_gradient, lambda W, lam, m: L1(lam).grad(W, m), "reglab.penalties.L1"),
    (checks.check_soft_threshold, lambda x, t: theory.soft_threshold(x, t), "soft_threshold"),
    (checks.check_l1_quadratic_solution, lambda th, h, a: theory.soft_threshold(th, a / h),
     "reglab.theory.soft_threshold"),
    (checks.check_l1_quadratic_solution, lambda th, h, a: theory.lasso_solution_diagonal(
        th, h, a), "lasso_solution_diagonal"),
], ids=["l1_gradient", "soft_threshold", "quadratic via soft_threshold", "quadratic via lasso"])
def test_an_answer_that_calls_reglab_is_refused(check, answer, name):
    fails_with(check, answer, name, "write it yourself")
