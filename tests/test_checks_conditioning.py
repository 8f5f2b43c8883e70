"""The checks of exercises/09_ill_conditioning.ipynb can fail, and fail with the right diagnosis.

For each task: the reference agrees with reglab.landscape and with a brute-force
measurement (gradient descent run for real, the cost evaluated before and after a step),
correct solutions written in other ways pass, wrong ones written the way students write
them (independently of the checks' own table) fail with the specific message.
"""

import numpy as np
import pytest
from check_failures import assert_feedback

from reglab.checks import conditioning as checks
from reglab.landscape import gd_contraction, largest_stable_lr, taylor_step_terms
from reglab.theory import gradient_descent_on_quadratic

LR_EX = checks.LARGEST_STABLE_LR
FACTOR_EX = checks.GD_CONVERGENCE_FACTOR
COST_EX = checks.COST_CHANGE


# ------------------------------------------------------------ references against reglab / brute force

def test_references_agree_with_reglab_landscape():
    for case in LR_EX.cases:
        assert LR_EX.reference(*case.args) == pytest.approx(largest_stable_lr(*case.args))
    for case in FACTOR_EX.cases:
        assert FACTOR_EX.reference(*case.args) == pytest.approx(gd_contraction(*case.args))
    for case in COST_EX.cases:
        assert COST_EX.reference(*case.args) == pytest.approx(sum(taylor_step_terms(*case.args)))


@pytest.mark.parametrize("case", FACTOR_EX.cases, ids=lambda c: c.label)
def test_factor_is_what_gradient_descent_measures(case):
    H, lr = case.args
    sigma, Q = np.linalg.eigh(H)
    worst = Q[:, int(np.argmax(np.abs(1 - lr * sigma)))]
    theta_hat = np.ones(len(H))
    path = gradient_descent_on_quadratic(H, theta_hat, lr, 5, theta0=theta_hat + worst)
    err = np.linalg.norm(path - theta_hat, axis=1)
    np.testing.assert_allclose(err[1:] / err[:-1], FACTOR_EX.reference(H, lr), rtol=1e-9)


@pytest.mark.parametrize("case", COST_EX.cases, ids=lambda c: c.label)
def test_cost_change_is_exact_on_the_quadratic(case):
    g, H, lr = case.args
    rng = np.random.default_rng(0)
    theta = rng.normal(size=len(g))
    b = H @ theta - g                                  # so that the gradient at theta is g
    J = lambda x: 0.5 * x @ H @ x - b @ x  # noqa: E731
    assert J(theta - lr * g) - J(theta) == pytest.approx(COST_EX.reference(g, H, lr), rel=1e-9)


def test_largest_stable_lr_is_the_border_of_convergence():
    for case in LR_EX.cases:
        (H,) = case.args
        lr_max = LR_EX.reference(H)
        assert FACTOR_EX.reference(H, 0.999 * lr_max) < 1 < FACTOR_EX.reference(H, 1.001 * lr_max)


# ---------------------------------------------------------------- correct solutions pass

def stable_lr_via_eig(H):
    return 2 / max(np.linalg.eig(H)[0].real)


def stable_lr_via_norm(H):
    return 2 / np.linalg.norm(H, 2)                     # spectral norm = σ_max for PD H


def factor_loop(H, lr):
    worst = 0.0
    for s in np.linalg.eigvalsh(H):
        worst = max(worst, abs(1 - lr * s))
    return worst


def factor_two_extremes(H, lr):
    s = np.linalg.eigvalsh(H)
    return max(abs(1 - lr * s[0]), abs(1 - lr * s[-1]))


def cost_change_einsum(g, H, lr):
    return float(-lr * np.dot(g, g) + lr**2 / 2 * np.einsum("i,ij,j->", g, H, g))


def cost_change_step(g, H, lr):
    d = -lr * g
    return g @ d + 0.5 * d @ H @ d


@pytest.mark.parametrize(("check", "solution"), [
    (checks.check_largest_stable_lr, stable_lr_via_eig),
    (checks.check_largest_stable_lr, stable_lr_via_norm),
    (checks.check_gd_convergence_factor, factor_loop),
    (checks.check_gd_convergence_factor, factor_two_extremes),
    (checks.check_cost_change, cost_change_einsum),
    (checks.check_cost_change, cost_change_step),
])
def test_correct_solutions_pass(check, solution, capsys):
    assert check(solution) is None
    assert capsys.readouterr().out.startswith("✓ ")


# ------------------------------------------------------ wrong answers get their message

def lr_one_over(H):
    return 1 / np.linalg.eigvalsh(H).max()


def lr_half_over(H):
    return 0.5 / max(np.linalg.eigvalsh(H))


def lr_min_eig(H):
    return 2 / np.linalg.eigvalsh(H).min()


def lr_inverted(H):
    return np.linalg.eigvalsh(H).max() / 2


def lr_trace(H):
    return 2 / H.trace()


def lr_entries(H):
    return 2 / H.max()


def lr_diag(H):
    return 2 / np.diag(H).max()


def lr_frobenius(H):
    return 2 / np.sqrt(np.sum(H**2))


def lr_best_step(H):
    s = np.linalg.eigvalsh(H)
    return 2 / (s.max() + s.min())


WRONG_LR = [
    (lr_one_over, r"1/σ_max, the step that zeroes"),
    (lr_half_over, r"1/\(2σ_max\), a quarter"),
    (lr_min_eig, r"you used the smallest eigenvalue"),
    (lr_inverted, r"you returned σ_max/2"),
    (lr_trace, r"you divided by the trace of H"),
    (lr_entries, r"largest ENTRY of H"),
    (lr_diag, r"largest ENTRY of H"),
    (lr_frobenius, r"Frobenius norm"),
    (lr_best_step, r"the BEST fixed step"),
]


def factor_no_abs(H, lr):
    return max(1 - lr * np.linalg.eigvalsh(H))


def factor_min(H, lr):
    return min(abs(1 - lr * s) for s in np.linalg.eigvalsh(H))


def factor_steepest(H, lr):
    return abs(1 - lr * np.linalg.eigvalsh(H)[-1])


def factor_flattest(H, lr):
    return abs(1 - lr * np.linalg.eigvalsh(H)[0])


def factor_entries(H, lr):
    return max(abs(1 - lr * H[i, i]) for i in range(len(H)))


def factor_squared(H, lr):
    return max((1 - lr * np.linalg.eigvalsh(H)) ** 2)


def factor_kappa(H, lr):
    kappa = np.linalg.cond(H)
    return (kappa - 1) / (kappa + 1)


WRONG_FACTOR = [
    (factor_no_abs, r"you forgot the absolute value"),
    (factor_min, r"you took the minimum over the eigenvalues"),
    (factor_steepest, r"only looked at the steepest direction"),
    (factor_flattest, r"only looked at the flattest direction"),
    (factor_entries, r"diagonal entries of H instead of its eigenvalues"),
    (factor_squared, r"you squared the factor"),
    (factor_kappa, r"\(κ − 1\)/\(κ \+ 1\), which is the factor only at the best step"),
]


def cost_no_half(g, H, lr):
    return -lr * g.dot(g) + lr**2 * g.dot(H.dot(g))


def cost_half_both(g, H, lr):
    return (-lr * g.dot(g) + lr**2 * g.dot(H.dot(g))) / 2


def cost_plus_first(g, H, lr):
    return lr * np.sum(g**2) + 0.5 * lr**2 * g @ H @ g


def cost_decrease(g, H, lr):
    return lr * np.sum(g**2) - 0.5 * lr**2 * g @ H @ g


def cost_lr_not_squared(g, H, lr):
    return -lr * np.sum(g**2) + 0.5 * lr * g @ H @ g


def cost_norm(g, H, lr):
    return -lr * np.sqrt(g @ g) + 0.5 * lr**2 * g @ H @ g


def cost_diag(g, H, lr):
    return -lr * g @ g + 0.5 * lr**2 * sum(H[i, i] * g[i] ** 2 for i in range(len(g)))


def cost_second_only(g, H, lr):
    return lr**2 / 2 * g @ H @ g


WRONG_COST = [
    (cost_no_half, r"you dropped the ½"),
    (cost_half_both, r"you put the ½ in front of both terms"),
    (cost_plus_first, r"the first-order term has the wrong sign"),
    (cost_decrease, r"you returned the DECREASE"),
    (cost_lr_not_squared, r"needs α²"),
    (cost_norm, r"you used the norm ‖g‖"),
    (cost_diag, r"you used only the diagonal of H"),
    (cost_second_only, r"you returned only the second-order term"),
]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(("check", "name", "wrong", "message"), [
    *[(checks.check_largest_stable_lr, "largest_stable_lr", w, m) for w, m in WRONG_LR],
    *[(checks.check_gd_convergence_factor, "gd_convergence_factor", w, m) for w, m in WRONG_FACTOR],
    *[(checks.check_cost_change, "cost_change", w, m) for w, m in WRONG_COST],
], ids=[w.__name__ for w, _ in WRONG_LR + WRONG_FACTOR + WRONG_COST])
def test_wrong_answers_get_specific_messages(check, name, wrong, message):
    with pytest.raises(AssertionError, match=message) as info:
        check(wrong)
    assert f"{name} is wrong on" in str(info.value)


def test_unknown_mistake_gets_the_fallback():
    with pytest.raises(AssertionError, match="not one of the usual ones"):
        checks.check_largest_stable_lr(lambda H: 0.123)


def test_a_boolean_answer_is_refused():
    """The criterion as a yes/no is not the change of the cost."""
    with pytest.raises(AssertionError, match="must return real numbers"):
        checks.check_cost_change(lambda g, H, lr: 0.5 * lr**2 * g @ H @ g > lr * g @ g)


def test_slides_cases_are_there():
    labels = " | ".join(c.label for ex in (LR_EX, FACTOR_EX, COST_EX) for c in ex.cases)
    assert labels.count("30x²") >= 5
    assert FACTOR_EX.reference(*FACTOR_EX.cases[1].args) == pytest.approx(1.04)
    assert FACTOR_EX.reference(*FACTOR_EX.cases[0].args) == pytest.approx(0.98)


def test_border_question():
    assert checks.BORDER_QUESTION.answer == "c"
    assert abs(1 - 60 * 0.034) == pytest.approx(1.04)
    assert checks.check_border_question("c") is None
    with pytest.raises(AssertionError, match="0.033 is the rate that converges"):
        checks.check_border_question("a")


# ------------------------------------------ plausible answers, as students write them

def _f32(fn):
    """The same answer computed in float32 (inputs cast, result float32)."""
    def wrapped(*args):
        return np.float32(fn(*[np.asarray(a, dtype=np.float32) for a in args]))
    return wrapped


RIGHT_LR = [
    stable_lr_via_eig,
    stable_lr_via_norm,
    lambda H: 2 / np.linalg.eigvalsh(H)[-1],
    _f32(lambda H: 2 / np.linalg.eigvalsh(H).max()),
    lambda H: min(2 / s for s in np.linalg.eigvalsh(H)),               # every direction's bound
]
WRONG_LR_SET = {
    "1/σ_max (|1 − ασ| < 1 solved as α < 1/σ)": lambda H: 1 / np.linalg.eigvalsh(H)[-1],
    "1/(2σ_max)": lambda H: 1 / (2 * np.linalg.eigvalsh(H).max()),
    "2/σ_min": lambda H: 2 / np.linalg.eigvalsh(H)[0],
    "eigvalsh read as descending": lambda H: 2 / np.linalg.eigvalsh(H)[0],
    "σ_max/2": lambda H: np.linalg.eigvalsh(H).max() / 2,
    "2σ_max": lambda H: 2 * np.linalg.eigvalsh(H).max(),
    "trace": lambda H: 2 / np.trace(H),
    "largest entry": lambda H: 2 / np.max(H),
    "largest diagonal entry, loop": lambda H: 2 / max(H[i, i] for i in range(len(H))),
    "Frobenius": lambda H: 2 / np.linalg.norm(H),
    "best fixed step": lambda H: 2 / (np.linalg.eigvalsh(H)[0] + np.linalg.eigvalsh(H)[-1]),
    "eig unsorted, last": lambda H: 2 / np.linalg.eig(H)[0][-1].real,
    "mean eigenvalue": lambda H: 2 / np.linalg.eigvalsh(H).mean(),
    "square root": lambda H: 2 / np.sqrt(np.linalg.eigvalsh(H).max()),
    "squared": lambda H: 2 / np.linalg.eigvalsh(H).max() ** 2,
    "inf-norm": lambda H: 2 / np.linalg.norm(H, np.inf),
    "float32, 1/σ_max": _f32(lambda H: 1 / np.linalg.eigvalsh(H)[-1]),
}

RIGHT_FACTOR = [
    factor_loop,
    factor_two_extremes,
    lambda H, lr: np.linalg.norm(np.eye(len(H)) - lr * H, 2),           # spectral norm
    _f32(lambda H, lr: np.abs(1 - lr * np.linalg.eigvalsh(H)).max()),
    lambda H, lr: max(abs(np.linalg.eigvals(np.eye(len(H)) - lr * H))),
]
WRONG_FACTOR_SET = {
    "no absolute value": factor_no_abs,
    "no absolute value, loop": lambda H, lr: max(1 - lr * s for s in np.linalg.eigvalsh(H)),
    "minimum": factor_min,
    "steepest only": factor_steepest,
    "flattest only": factor_flattest,
    "diagonal entries": factor_entries,
    "squared": factor_squared,
    "(κ−1)/(κ+1)": factor_kappa,
    "mean": lambda H, lr: np.mean(np.abs(1 - lr * np.linalg.eigvalsh(H))),
    "1 − lr·H entrywise": lambda H, lr: np.max(np.abs(1 - lr * H)),
    "largest entry of I − lr·H": lambda H, lr: np.abs(np.eye(len(H)) - lr * H).max(),
    "lr σ_max": lambda H, lr: lr * np.linalg.eigvalsh(H).max(),
    "σ / lr": lambda H, lr: np.max(np.abs(1 - np.linalg.eigvalsh(H) / lr)),
    "trace": lambda H, lr: abs(1 - lr * H.trace()),
    "float32, no absolute value": _f32(factor_no_abs),
}

RIGHT_COST = [
    cost_change_einsum,
    cost_change_step,
    _f32(lambda g, H, lr: -lr * g @ g + lr**2 / 2 * g @ H @ g),
    lambda g, H, lr: sum(-lr * g[i] * g[i] + 0.5 * lr**2 * sum(g[i] * H[i, j] * g[j]
                                                                 for j in range(len(g)))
                         for i in range(len(g))),
]
WRONG_COST_SET = {
    "no ½": cost_no_half,
    "½ on both terms": cost_half_both,
    "+αgᵀg": cost_plus_first,
    "the decrease": cost_decrease,
    "α not squared": cost_lr_not_squared,
    "‖g‖ not squared": cost_norm,
    "diagonal of H only": cost_diag,
    "second-order term only": cost_second_only,
    "second-order term negative": lambda g, H, lr: -lr * g @ g - lr**2 / 2 * g @ H @ g,
    "g * H * g": lambda g, H, lr: -lr * np.sum(g * g) + 0.5 * lr**2 * np.sum(g * H * g),
    "(Σg)²": lambda g, H, lr: -lr * g.sum() ** 2 + 0.5 * lr**2 * g @ H @ g,
    "gᵀH²g": lambda g, H, lr: -lr * g @ g + 0.5 * lr**2 * (H @ g) @ (H @ g),
    "sum of H times gᵀg": lambda g, H, lr: -lr * g @ g + 0.5 * lr**2 * H.sum() * (g @ g),
    "float32, no ½": _f32(cost_no_half),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(("check", "wrong", "right"), [
    (checks.check_largest_stable_lr, WRONG_LR_SET, RIGHT_LR),
    (checks.check_gd_convergence_factor, WRONG_FACTOR_SET, RIGHT_FACTOR),
    (checks.check_cost_change, WRONG_COST_SET, RIGHT_COST),
], ids=["largest_stable_lr", "gd_convergence_factor", "cost_change"])
def test_plausible_answers_get_their_feedback(check, wrong, right):
    assert_feedback(check, wrong=wrong, right=right, min_named=1.0)


@pytest.mark.parametrize(("check", "answer", "name"), [
    (checks.check_largest_stable_lr, lambda H: largest_stable_lr(H), "largest_stable_lr"),
    (checks.check_gd_convergence_factor, lambda H, lr: gd_contraction(H, lr), "gd_contraction"),
    (checks.check_cost_change, lambda g, H, lr: sum(taylor_step_terms(g, H, lr)),
     "taylor_step_terms"),
])
def test_wrapping_reglabs_own_answer_is_refused(check, answer, name):
    with pytest.raises(AssertionError, match=rf"calls reglab\.landscape\.{name}, which is "
                                             r"reglab's own answer"):
        check(answer)
