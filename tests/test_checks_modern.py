"""The checks of exercises/15_since_the_textbook.ipynb can fail, and with the right diagnosis.

The references agree with NumPy's pseudo-inverse, with reglab's Mixup and with reglab's SAM
step; correct solutions written in other ways (loops, lstsq, float32) pass; wrong ones
written the way students write them (independently of the checks' own table) fail, and
name their mistake.
"""

import re

import numpy as np
import pytest
from check_failures import assert_feedback

from reglab import SGD, Dense, Sequential
from reglab.checks import modern as checks
from reglab.mixup import Mixup
from reglab.sam import SAM

# ---------------------------------------------------------------- the references are right


def test_min_norm_reference_is_the_pseudo_inverse_and_gradient_descent_from_zero():
    for case in checks.MIN_NORM.cases:
        X, y = case.args
        w = checks.MIN_NORM.reference(X, y)
        np.testing.assert_allclose(w, np.linalg.pinv(X) @ y, atol=1e-10)
        np.testing.assert_allclose(X @ w, y, atol=1e-10)
    X, y = checks.MIN_NORM.cases[2].args
    w, lr = np.zeros(X.shape[1]), 1 / np.linalg.norm(X, 2) ** 2
    for _ in range(20_000):
        w -= lr * X.T @ (X @ w - y)
    np.testing.assert_allclose(w, checks.MIN_NORM.reference(X, y), atol=1e-8)


def test_mixup_reference_matches_reglabs_mixup():
    y, k = np.array([3, 1, 4, 1, 5, 9]), 10
    mix = Mixup(alpha=0.4, n_classes=k)
    X = np.arange(6.0)[:, None] * np.ones((1, 2))
    Xm, Q = mix(X, y, model=None, loss=None, rng=np.random.default_rng(3))
    rng = np.random.default_rng(3)                  # Mixup draws λ, then the permutation
    lam = rng.beta(0.4, 0.4)
    perm = rng.permutation(6)
    np.testing.assert_allclose(Q, checks.MIXUP_TARGETS.reference(y, perm, lam, k), atol=1e-12)
    np.testing.assert_allclose(Xm, lam * X + (1 - lam) * X[perm], atol=1e-12)


def test_sam_reference_is_the_step_of_reglabs_sam():
    rng = np.random.default_rng(0)
    model = Sequential([Dense(3, 2, rng=rng)])
    g = {k: rng.normal(size=p.shape) for k, p in model.params.items()}
    seen = {}

    def grad_at(params):
        seen.update({k: p.copy() for k, p in params.items()})
        return {k: np.zeros_like(p) for k, p in params.items()}

    w = {k: p.copy() for k, p in model.params.items()}
    opt = SAM(SGD(0.1), rho=0.3)
    opt.grad_at = grad_at
    opt.step(model.params, g)
    flat = np.concatenate([g[k].ravel() for k in g])
    eps = checks.SAM_PERTURBATION.reference(flat, 0.3)
    np.testing.assert_allclose(np.concatenate([seen[k].ravel() - w[k].ravel() for k in g]), eps,
                               atol=1e-12)


def test_sam_reference_maximizes_the_linearization_over_the_ball():
    rng = np.random.default_rng(1)
    g, rho = rng.normal(size=5), 0.7
    eps = checks.SAM_PERTURBATION.reference(g, rho)
    others = rng.normal(size=(20_000, 5))
    others *= rho / np.linalg.norm(others, axis=1, keepdims=True)   # points of the sphere
    assert np.isclose(np.linalg.norm(eps), rho) and np.all(others @ g <= eps @ g + 1e-12)


# ---------------------------------------------------------------- correct answers


def min_norm_solve(X, y):
    return X.T @ np.linalg.solve(X @ X.T, y)


def min_norm_lstsq(X, y):
    return np.linalg.lstsq(X, y, rcond=None)[0]


def min_norm_loop(X, y):                            # Gram matrix and w = Σ c_i x_i by loops
    m = X.shape[0]
    G = np.array([[X[i] @ X[j] for j in range(m)] for i in range(m)])
    c = np.linalg.solve(G, y)
    w = np.zeros(X.shape[1])
    for i in range(m):
        w += c[i] * X[i]
    return w


def min_norm_float32(X, y):
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    return X32.T @ np.linalg.solve(X32 @ X32.T, y32)


def mixup_vectorized(y, perm, lam, n_classes):
    eye = np.eye(n_classes)
    return lam * eye[y] + (1 - lam) * eye[y[perm]]


def mixup_loop(y, perm, lam, n_classes):
    q = np.zeros((len(y), n_classes))
    for i in range(len(y)):
        q[i, y[i]] += lam
        q[i, y[perm[i]]] += 1 - lam
    return q


def mixup_float32(y, perm, lam, n_classes):
    eye = np.eye(n_classes, dtype=np.float32)
    return np.float32(lam) * eye[y] + np.float32(1 - lam) * eye[y][perm]


def sam_vectorized(g, rho):
    norm = np.linalg.norm(g)
    return rho * g / norm if norm > 0 else np.zeros_like(g)


def sam_loop(g, rho):
    flat = np.ravel(g)
    total = 0.0
    for v in flat:
        total += v * v
    if total == 0:
        return np.zeros_like(g)
    return np.array([rho * v / total**0.5 for v in flat]).reshape(np.shape(g))


def sam_float32(g, rho):
    g32 = np.asarray(g, dtype=np.float32)
    norm = np.sqrt(np.sum(g32 * g32))
    return g32 * np.float32(rho / norm) if norm > 0 else np.zeros_like(g32)


# ---------------------------------------------------------------- student-style wrong answers

WRONG_MIN_NORM = {
    "Xᵀy": lambda X, y: X.T @ y,
    "first step": lambda X, y: X.T @ y / len(y),
    "diagonal": lambda X, y: X.T @ (y / np.einsum("ij,ij->i", X, X)),
    "ridge": lambda X, y: X.T @ np.linalg.inv(X @ X.T + np.eye(len(y))) @ y,
    "sign": lambda X, y: -X.T @ np.linalg.inv(X @ X.T) @ y,
    "1/m": lambda X, y: X.T @ np.linalg.solve(len(y) * X @ X.T, y),
    "m times too large": lambda X, y: X.T @ np.linalg.solve(X @ X.T / len(y), y),
    "all squared entries": lambda X, y: X.T @ y / (X**2).sum(),
    "(X Xᵀ)²": lambda X, y: X.T @ np.linalg.solve(X @ X.T @ X @ X.T, y),
    "length 1": lambda X, y: (lambda w: w / np.sqrt(w @ w))(X.T @ np.linalg.solve(X @ X.T, y)),
}

WRONG_MIXUP = {
    "swapped": lambda y, perm, lam, k: (1 - lam) * np.eye(k)[y] + lam * np.eye(k)[y[perm]],
    "perm itself": lambda y, perm, lam, k: lam * np.eye(k)[y] + (1 - lam) * np.eye(k)[perm],
    "weighted by λ": lambda y, perm, lam, k: lam * (np.eye(k)[y] + np.eye(k)[y[perm]]),
    "without weights": lambda y, perm, lam, k: np.eye(k)[y] + np.eye(k)[y[perm]],
    "averaged": lambda y, perm, lam, k: 0.5 * np.eye(k)[y] + 0.5 * np.eye(k)[y[perm]],
    "hard label": lambda y, perm, lam, k: np.eye(k)[y if lam >= 0.5 else y[perm]],
    "reversed": lambda y, perm, lam, k: lam * np.eye(k)[y] + (1 - lam) * np.eye(k)[y[::-1]],
    "inverse permutation": lambda y, perm, lam, k: lam * np.eye(k)[y] + (1 - lam) * np.eye(k)[
        y[np.argsort(perm)]],
    "label smoothing": lambda y, perm, lam, k: lam * np.eye(k)[y] + (1 - lam) * np.ones(k) / k,
    "partner's part is missing": lambda y, perm, lam, k: lam * np.eye(k)[y],
}


def _sam_by_rows(g, rho):
    g = np.atleast_2d(np.asarray(g, dtype=float))
    out = np.zeros_like(g)
    for i, row in enumerate(g):
        n = np.linalg.norm(row)
        out[i] = rho * row / n if n > 0 else 0.0
    return out.reshape(np.shape(g)) if g.shape[0] > 1 else out[0]


WRONG_SAM = {
    "sign(g)": lambda g, rho: rho * np.sign(g),
    "did not divide": lambda g, rho: rho * np.asarray(g),
    "ρ is missing": lambda g, rho: g / np.linalg.norm(g) if np.any(g) else 0 * g,
    "flipped": lambda g, rho: -rho * g / np.linalg.norm(g) if np.any(g) else 0 * g,
    "‖g‖²": lambda g, rho: rho * g / (g**2).sum() if np.any(g) else 0 * g,
    "L1 norm": lambda g, rho: rho * g / np.abs(g).sum() if np.any(g) else 0 * g,
    "max|gᵢ|": lambda g, rho: rho * g / np.max(np.abs(g)) if np.any(g) else 0 * g,
    "each row": _sam_by_rows,
    "0 by 0": lambda g, rho: rho * g / np.sqrt(np.sum(g**2)),
    "ρ²": lambda g, rho: rho**2 * g / np.linalg.norm(g) if np.any(g) else 0 * g,
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(("check", "wrong", "right"), [
    (checks.check_min_norm_solution, WRONG_MIN_NORM,
     [min_norm_solve, min_norm_lstsq, min_norm_loop, min_norm_float32]),
    (checks.check_mixup_targets, WRONG_MIXUP, [mixup_vectorized, mixup_loop, mixup_float32]),
    (checks.check_sam_perturbation, WRONG_SAM, [sam_vectorized, sam_loop, sam_float32]),
], ids=["min_norm_solution", "mixup_targets", "sam_perturbation"])
def test_plausible_answers_are_judged_and_named(check, wrong, right):
    assert len(wrong) >= 8 and len(right) >= 3
    assert_feedback(check, wrong, right)
    for words, fn in wrong.items():
        with pytest.raises(AssertionError, match=re.escape(words)):
            check(fn)


def test_reglabs_own_pieces_are_refused():
    def with_reglabs_mixup(y, perm, lam, n_classes):
        return Mixup(0.2, n_classes)(np.zeros((len(y), 1)), y, model=None, loss=None,
                                     rng=np.random.default_rng(0))[1]

    with pytest.raises(AssertionError, match="calls reglab"):
        checks.check_mixup_targets(with_reglabs_mixup)


def test_the_question_has_one_right_letter(capsys):
    checks.check_peak_question("b")
    assert "is right" in capsys.readouterr().out
    for letter in "acd":
        with pytest.raises(AssertionError, match="is not right"):
            checks.check_peak_question(letter)
