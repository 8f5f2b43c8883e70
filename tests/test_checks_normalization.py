"""The checks of exercises/11_init_and_batch_norm.ipynb can fail, with the right diagnosis.

The references agree with the definitions (formula by hand, central differences, the He and
Xavier formulas); correct answers written in different styles pass; wrong answers written
the way students write them (independently of the checks' own table) fail with the
specific message; the untouched stub fails as "not implemented yet".
"""

import numpy as np
import pytest
from check_failures import assert_feedback

from reglab import Dense
from reglab.checks import normalization as checks
from reglab.gradcheck import numerical_gradient, relative_error
from reglab.normalization import BatchNorm

# ------------------------------------------------------- the references are the definitions


def test_forward_reference_is_the_formula():
    for case in checks.BATCHNORM_FORWARD.cases:
        X, gamma, beta, eps = case.args
        expected = gamma * (X - X.mean(axis=0)) / np.sqrt(X.var(axis=0) + eps) + beta
        np.testing.assert_allclose(checks.BATCHNORM_FORWARD.reference(*case.args), expected,
                                   rtol=1e-12, atol=1e-12)


def test_backward_reference_is_the_gradient_of_the_forward():
    for case in checks.BATCHNORM_BACKWARD.cases:
        dY, X, gamma, eps = (np.array(a, dtype=float) if not np.isscalar(a) else a
                             for a in case.args)
        beta = np.zeros(X.shape[1])

        def loss(X=X, dY=dY, gamma=gamma, eps=eps, beta=beta):
            return float(np.sum(dY * checks.BATCHNORM_FORWARD.reference(X, gamma, beta, eps)))

        numeric = numerical_gradient(loss, X)
        analytic = checks.BATCHNORM_BACKWARD.reference(dY, X, gamma, eps)
        if np.allclose(numeric, 0, atol=1e-7):                   # the all-ones case
            assert np.allclose(analytic, 0, atol=1e-12)
        else:
            assert relative_error(analytic, numeric) < 1e-7


def test_init_reference_is_he_and_xavier():
    assert checks.INIT_STD.reference(200, 50, "relu") == pytest.approx(0.1)
    assert checks.INIT_STD.reference(30, 70, "tanh") == pytest.approx(np.sqrt(0.02))


# ------------------------------------------------------------------ correct answers pass

def forward_ok(X, gamma, beta, eps):
    mu = X.mean(axis=0)
    var = ((X - mu) ** 2).mean(axis=0)
    return gamma * (X - mu) / np.sqrt(var + eps) + beta


def forward_loop(X, gamma, beta, eps):
    out = np.empty_like(X, dtype=float)
    for j in range(X.shape[1]):
        col = X[:, j]
        out[:, j] = gamma[j] * (col - col.mean()) / (col.var() + eps) ** 0.5 + beta[j]
    return out


def backward_ok(dY, X, gamma, eps):
    m = X.shape[0]
    std = np.sqrt(X.var(axis=0) + eps)
    x_hat = (X - X.mean(axis=0)) / std
    return gamma / (m * std) * (m * dY - dY.sum(axis=0) - x_hat * (dY * x_hat).sum(axis=0))


def backward_graph(dY, X, gamma, eps):
    """The step-by-step chain rule through the computational graph."""
    m = X.shape[0]
    xc = X - X.mean(axis=0)
    var = (xc**2).mean(axis=0)
    inv = 1 / np.sqrt(var + eps)
    dx_hat = dY * gamma
    dvar = np.sum(dx_hat * xc, axis=0) * -0.5 * inv**3
    dmu = -np.sum(dx_hat * inv, axis=0)
    return dx_hat * inv + dvar * 2 * xc / m + dmu / m


def init_ok(n_in, n_out, activation):
    if activation == "relu":
        return (2 / n_in) ** 0.5
    return np.sqrt(2.0 / (n_in + n_out))


@pytest.mark.parametrize("fn", [forward_ok, forward_loop])
def test_forward_solutions_pass(fn, capsys):
    assert checks.check_batchnorm_forward(fn) is None
    assert capsys.readouterr().out == "✓ batchnorm_forward passed 5 cases\n"


@pytest.mark.parametrize("fn", [backward_ok, backward_graph])
def test_backward_solutions_pass(fn):
    assert checks.check_batchnorm_backward(fn) is None


def test_init_solution_passes():
    assert checks.check_init_std(init_ok) is None


# ------------------------------------------------------ wrong answers, written like students

FORWARD_WRONG = [
    ("ddof1", lambda X, g, b, e: g * (X - X.mean(0)) / np.sqrt(np.var(X, axis=0, ddof=1) + e) + b,
     r"unbiased variance \(ddof=1"),
    ("eps_outside", lambda X, g, b, e: g * (X - X.mean(0)) / (np.sqrt(X.var(0)) + e) + b,
     r"eps outside the square root"),
    ("rows", lambda X, g, b, e: g * (X - X.mean(1, keepdims=True))
     / np.sqrt(X.var(1, keepdims=True) + e) + b, r"over each ROW \(axis=1"),
    ("no_gamma_beta", lambda X, g, b, e: (X - X.mean(0)) / np.sqrt(X.var(0) + e),
     r"you returned x_hat"),
    ("swapped", lambda X, g, b, e: b * (X - X.mean(0)) / np.sqrt(X.var(0) + e) + g,
     r"swapped gamma and beta"),
    ("global_stats", lambda X, g, b, e: g * (X - X.mean()) / np.sqrt(X.var() + e) + b,
     r"one mean and one variance for the whole array"),
    ("no_sqrt", lambda X, g, b, e: g * (X - X.mean(0)) / (X.var(0) + e) + b,
     r"instead of its square root"),
    ("x_not_x_hat", lambda X, g, b, e: g * X + b, r"scaled and shifted x itself"),
    ("not_centred", lambda X, g, b, e: g * X / np.sqrt(X.var(0) + e) + b,
     r"did not subtract the mean"),
    ("no_eps", lambda X, g, b, e: g * (X - X.mean(0)) / X.std(0) + b, r"you left eps out"),
    ("no_beta", lambda X, g, b, e: g * (X - X.mean(0)) / np.sqrt(X.var(0) + e),
     r"you forgot beta"),
]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(("wrong", "message"), [w[1:] for w in FORWARD_WRONG],
                         ids=[w[0] for w in FORWARD_WRONG])
def test_forward_wrong_answers_get_specific_messages(wrong, message):
    with pytest.raises(AssertionError, match=message) as info:
        checks.check_batchnorm_forward(wrong)
    assert str(info.value).startswith("batchnorm_forward is wrong on")


def _backward_constant_stats(dY, X, gamma, eps):
    return dY * gamma / np.sqrt(X.var(axis=0) + eps)


def _backward_no_mean_term(dY, X, gamma, eps):
    m = len(X)
    std = np.sqrt(X.var(axis=0) + eps)
    xh = (X - X.mean(axis=0)) / std
    return gamma / (m * std) * (m * dY - xh * np.sum(dY * xh, axis=0))


def _backward_no_m(dY, X, gamma, eps):
    std = np.sqrt(X.var(axis=0) + eps)
    xh = (X - X.mean(axis=0)) / std
    m = len(X)
    return gamma / std * (m * dY - dY.sum(axis=0) - xh * np.sum(dY * xh, axis=0))


def _backward_no_gamma(dY, X, gamma, eps):
    return backward_ok(dY, X, np.ones_like(gamma), eps)


def _backward_parts(dY, X, gamma, eps, *, std=None, x_hat=None):
    """A student's backward pass from std and x_hat (each replaceable by a slip)."""
    m = X.shape[0]
    std = np.sqrt(X.var(axis=0) + eps) if std is None else std
    x_hat = (X - X.mean(axis=0)) / std if x_hat is None else x_hat
    return gamma / (m * std) * (m * dY - dY.sum(axis=0) - x_hat * (dY * x_hat).sum(axis=0))


def _backward_no_var_term(dY, X, gamma, eps):
    m, std = len(X), np.sqrt(X.var(axis=0) + eps)
    return gamma / (m * std) * (m * dY - dY.sum(axis=0))


def _backward_plus_signs(dY, X, gamma, eps):
    m, std = len(X), np.sqrt(X.var(axis=0) + eps)
    xh = (X - X.mean(axis=0)) / std
    return gamma / (m * std) * (m * dY + dY.sum(axis=0) + xh * (dY * xh).sum(axis=0))


def _backward_ddof1(dY, X, gamma, eps):
    std = np.sqrt(X.var(axis=0, ddof=1) + eps)
    return _backward_parts(dY, X, gamma, eps, std=std)


def _backward_rows(dY, X, gamma, eps):
    m = X.shape[1]
    std = np.sqrt(X.var(axis=1, keepdims=True) + eps)
    xh = (X - X.mean(axis=1, keepdims=True)) / std
    return gamma / (m * std) * (m * dY - dY.sum(axis=1, keepdims=True)
                                - xh * (dY * xh).sum(axis=1, keepdims=True))


def _backward_centred(dY, X, gamma, eps):
    return _backward_parts(dY, X, gamma, eps, x_hat=X - X.mean(axis=0))


def _backward_no_x_hat_factor(dY, X, gamma, eps):
    m, std = len(X), np.sqrt(X.var(axis=0) + eps)
    xh = (X - X.mean(axis=0)) / std
    return gamma / (m * std) * (m * dY - dY.sum(axis=0) - (dY * xh).sum(axis=0))


def _backward_eps_outside(dY, X, gamma, eps):
    return _backward_parts(dY, X, gamma, eps, std=X.std(axis=0) + eps)


def _backward_sums_not_averaged(dY, X, gamma, eps):
    std = np.sqrt(X.var(axis=0) + eps)
    xh = (X - X.mean(axis=0)) / std
    return gamma / std * (dY - dY.sum(axis=0) - xh * (dY * xh).sum(axis=0))


BACKWARD_WRONG = [
    ("constant_stats", _backward_constant_stats, r"treated μ and σ² as constants"),
    ("no_mean_term", _backward_no_mean_term, r"the term − Σ_j g_j \(from the mean"),
    ("no_m", _backward_no_m, r"off by a factor of m"),
    ("no_gamma", _backward_no_gamma, r"you forgot gamma"),
    ("no_var_term", _backward_no_var_term, r"from the variance σ²\) is missing"),
    ("plus_signs", _backward_plus_signs, r"wrong signs"),
    ("ddof1", _backward_ddof1, r"unbiased variance"),
    ("rows", _backward_rows, r"summed over each ROW"),
    ("centred", _backward_centred, r"you used x − μ where the formula has x_hat"),
    ("no_x_hat_factor", _backward_no_x_hat_factor, r"the factor x_hat_k of the last term"),
    ("eps_outside", _backward_eps_outside, r"eps outside the square root"),
    ("sums_not_averaged", _backward_sums_not_averaged, r"the 1/m is missing"),
]


@pytest.mark.parametrize(("wrong", "message"), [w[1:] for w in BACKWARD_WRONG],
                         ids=[w[0] for w in BACKWARD_WRONG])
def test_backward_wrong_answers_get_specific_messages(wrong, message):
    with pytest.raises(AssertionError, match=message) as info:
        checks.check_batchnorm_backward(wrong)
    assert str(info.value).startswith("batchnorm_backward is wrong on")


INIT_WRONG = [
    ("n_out", lambda i, o, a: np.sqrt(2 / o) if a == "relu" else np.sqrt(2 / (i + o)),
     r"for ReLU you divided by n_out"),
    ("variance", lambda i, o, a: 2 / i if a == "relu" else 2 / (i + o), r"the variance, not"),
    ("no_two", lambda i, o, a: 1 / np.sqrt(i) if a == "relu" else 1 / np.sqrt(i + o),
     r"the 2 is missing"),
    ("swapped", lambda i, o, a: np.sqrt(2 / (i + o)) if a == "relu" else np.sqrt(2 / i),
     r"you swapped the rules"),
    ("he_everywhere", lambda i, o, a: np.sqrt(2 / i), r"you used He for tanh too"),
    ("uniform_limit", lambda i, o, a: np.sqrt(6 / i) if a == "relu" else np.sqrt(6 / (i + o)),
     r"LIMIT of the uniform"),
    ("xavier_everywhere", lambda i, o, a: np.sqrt(2 / (i + o)), r"Xavier for ReLU too"),
    ("lecun_tanh", lambda i, o, a: np.sqrt(2 / i) if a == "relu" else np.sqrt(1 / i),
     r"LeCun"),
    ("precedence", lambda i, o, a: np.sqrt(2 / i) if a == "relu" else np.sqrt(2 / i + o),
     r"the parentheses are missing"),
    ("root_of_two", lambda i, o, a: np.sqrt(2) / i if a == "relu" else np.sqrt(2) / (i + o),
     r"square root of the 2 only"),
    ("product", lambda i, o, a: np.sqrt(2 / i) if a == "relu" else np.sqrt(2 / (i * o)),
     r"multiplied n_in and n_out"),
]


def _float32(fn):
    """The same answer computed in float32: inputs and result."""
    def in_float32(*args):
        return np.asarray(fn(*(np.asarray(a, dtype=np.float32) if isinstance(a, np.ndarray)
                               else a for a in args)), dtype=np.float32)
    return in_float32


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(("check", "wrong", "right"), [
    (checks.check_batchnorm_forward, FORWARD_WRONG, [forward_ok, forward_loop]),
    (checks.check_batchnorm_backward, BACKWARD_WRONG, [backward_ok, backward_graph]),
    (checks.check_init_std, INIT_WRONG, [init_ok]),
], ids=["batchnorm_forward", "batchnorm_backward", "init_std"])
def test_plausible_answers_are_judged_and_named(check, wrong, right):
    assert len(wrong) >= 8
    assert_feedback(check, {name: fn for name, fn, _ in wrong},
                    right + [_float32(fn) for fn in right])


def test_calling_reglabs_batch_norm_is_refused():
    def via_reglab(X, gamma, beta, eps):
        layer = BatchNorm(X.shape[1], eps=eps)
        layer.params["gamma"][...], layer.params["beta"][...] = gamma, beta
        return layer.forward(X, train=True)

    with pytest.raises(AssertionError, match=r"calls reglab\.normalization\.BatchNorm"):
        checks.check_batchnorm_forward(via_reglab)
    with pytest.raises(AssertionError, match=r"reglab's own answer"):
        checks.check_init_std(lambda i, o, a: float(Dense.INITS["he"](i, o)))


@pytest.mark.parametrize(("wrong", "message"), [w[1:] for w in INIT_WRONG],
                         ids=[w[0] for w in INIT_WRONG])
def test_init_wrong_answers_get_specific_messages(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_init_std(wrong)


def test_a_broadcasting_error_is_reported_with_the_case():
    def rows_without_keepdims(X, gamma, beta, eps):
        return gamma * (X - X.mean(axis=1)) / np.sqrt(X.var(axis=1) + eps) + beta

    with pytest.raises(ValueError, match="operands could not be broadcast"):
        checks.check_batchnorm_forward(rows_without_keepdims)


def test_stubs_say_not_implemented():
    def stub(*args):
        raise NotImplementedError("Your code here")

    for check, name in ((checks.check_batchnorm_forward, "batchnorm_forward"),
                        (checks.check_batchnorm_backward, "batchnorm_backward"),
                        (checks.check_init_std, "init_std")):
        with pytest.raises(NotImplementedError, match=f"{name} is not implemented yet"):
            check(stub)
