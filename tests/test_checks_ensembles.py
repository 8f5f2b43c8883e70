"""The checks of exercises/07_ensembles_and_adversarial.ipynb can fail, and fail with the right diagnosis.

bootstrap_sample is checked by the property checks of reglab.checks.ensembles;
ensemble_predict and fgsm_step by the engine (cases + wrong formulas). For each: the
references agree with reglab.ensemble / reglab.adversarial, correct implementations
written in other ways pass, wrong ones written the way students write them fail with
the specific message, and the untouched stub fails as "not implemented yet".
"""

import numpy as np
import pytest
from check_failures import assert_feedback

from reglab import Dense, Sequential, softmax_cross_entropy
from reglab.adversarial import fgsm, input_gradient
from reglab.checks import ensembles as checks
from reglab.ensemble import Ensemble, bootstrap_indices

# ------------------------------------------------------------------- task 1: bootstrap


def bootstrap_ok(X, y, rng):
    idx = rng.integers(0, len(X), size=len(X))
    return X[idx], y[idx]


def bootstrap_choice(X, y, rng):
    """Another correct solution: rng.choice with replacement."""
    idx = rng.choice(len(X), size=len(X), replace=True)
    return X[idx].copy(), y[idx].copy()


def bootstrap_loop(X, y, rng):
    """Another correct solution: one draw per row, in a loop."""
    rows, labels = [], []
    for _ in range(len(X)):
        i = rng.integers(len(X))
        rows.append(X[i])
        labels.append(y[i])
    return np.array(rows), np.array(labels)


def bootstrap_reglab(X, y, rng):
    idx = bootstrap_indices(len(X), rng)
    return X[idx], y[idx]


RIGHT_BOOTSTRAP = [bootstrap_ok, bootstrap_choice, bootstrap_loop]


@pytest.mark.parametrize("solution", RIGHT_BOOTSTRAP)
def test_correct_bootstraps_pass(solution, capsys):
    assert checks.check_bootstrap_sample(solution) is None
    assert "✓ bootstrap_sample passed 8 checks" in capsys.readouterr().out


def without_replacement(X, y, rng):
    idx = rng.permutation(len(X))
    return X[idx], y[idx]


def half_size(X, y, rng):
    idx = rng.integers(0, len(X), size=len(X) // 2)
    return X[idx], y[idx]


def global_seed(X, y, rng):
    np.random.seed(0)  # noqa: NPY002
    idx = np.random.randint(0, len(X), size=len(X))  # noqa: NPY002
    return X[idx], y[idx]


def separate_draws(X, y, rng):
    return X[rng.integers(0, len(X), len(X))], y[rng.integers(0, len(X), len(X))]


def off_by_one(X, y, rng):
    idx = rng.integers(0, len(X) - 1, size=len(X))
    return X[idx], y[idx]


def from_one(X, y, rng):
    idx = rng.integers(1, len(X), size=len(X))
    return X[idx], y[idx]


def own_generator(X, y, rng):
    idx = np.random.default_rng(0).integers(0, len(X), size=len(X))
    return X[idx], y[idx]


def shuffles_in_place(X, y, rng):
    rng.shuffle(X)
    idx = rng.integers(0, len(X), size=len(X))
    return X[idx], y[idx]


def biased(X, y, rng):
    idx = np.minimum(rng.integers(0, len(X), size=len(X)), rng.integers(0, len(X), size=len(X)))
    return X[idx], y[idx]


def noisy_rows(X, y, rng):
    idx = rng.integers(0, len(X), size=len(X))
    return X[idx] + 0.01 * rng.normal(size=X[idx].shape), y[idx]


def returns_indices(X, y, rng):
    return rng.integers(0, len(X), size=len(X))


@pytest.mark.parametrize("wrong, message", [
    (without_replacement, "WITHOUT replacement"),
    (half_size, "as many rows as the training set"),
    (global_seed, "np.random \\(the global random state"),
    (separate_draws, "drew the indices\\s+for y separately"),
    (off_by_one, "last example \\(index m - 1\\) was never drawn"),
    (from_one, "first example \\(index 0\\) was never drawn"),
    (own_generator, "two different seeds gave the same sample"),
    (shuffles_in_place, "changed X or y in place"),
    (biased, "not drawn uniformly"),
    (noisy_rows, "copied unchanged"),
    (returns_indices, "must return the pair \\(X_b, y_b\\)"),
])
def test_wrong_bootstraps_fail_with_their_message(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_bootstrap_sample(wrong)


def test_bootstrap_stub_and_non_function():
    def stub(X, y, rng):
        raise NotImplementedError("Your code here")

    with pytest.raises(NotImplementedError, match="bootstrap_sample is not implemented yet"):
        checks.check_bootstrap_sample(stub)
    with pytest.raises(TypeError, match="without parentheses"):
        checks.check_bootstrap_sample(None)


# --------------------------------------------------------------- task 2: ensemble vote

def fixed_linear(W):
    model = Sequential([Dense(W.shape[0], W.shape[1], rng=np.random.default_rng(0))])
    model.params["0.W"][...] = W
    return model


def test_ensemble_reference_matches_reglab_ensemble():
    rng = np.random.default_rng(3)
    models = [fixed_linear(rng.normal(size=(4, 5))) for _ in range(6)]
    X = rng.normal(size=(50, 4))
    ens = Ensemble(models)
    np.testing.assert_array_equal(checks.ENSEMBLE_PREDICT.reference(ens.member_proba(X)),
                                  ens.predict(X))


def ensemble_loop(probas):
    """Another correct solution: a loop that sums the members."""
    total = np.zeros(probas.shape[1:])
    for member in probas:
        total += member
    return np.argmax(total, axis=1)


def ensemble_sum(probas):
    return probas.sum(axis=0).argmax(axis=1)          # the sum has the same argmax


def ensemble_float32(probas):
    return np.argmax(np.mean(probas.astype(np.float32), axis=0), axis=-1)


def ensemble_loops(probas):
    k, m, c = probas.shape
    labels = []
    for i in range(m):
        scores = [sum(probas[j, i, cls] for j in range(k)) / k for cls in range(c)]
        labels.append(int(np.argmax(scores)))
    return labels


RIGHT_ENSEMBLE = [ensemble_loop, ensemble_sum, ensemble_float32, ensemble_loops]


@pytest.mark.parametrize("solution", RIGHT_ENSEMBLE)
def test_correct_ensembles_pass(solution):
    assert checks.check_ensemble_predict(solution) is None


def average_labels(probas):
    return np.round(np.mean(np.argmax(probas, axis=2), axis=0)).astype(int)


def majority(probas):
    labels = probas.argmax(axis=2)
    return np.array([np.bincount(col, minlength=probas.shape[2]).argmax() for col in labels.T])


def first_member(probas):
    return probas[0].argmax(axis=1)


def most_confident(probas):
    return np.max(probas, axis=0).argmax(axis=1)


def geometric(probas):
    return np.exp(np.log(probas + 0.0).sum(axis=0)).argmax(axis=1)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("wrong, message", [
    (average_labels, "averaged the members' LABELS"),
    (majority, "majority vote"),
    (first_member, "first member's predictions"),
    (most_confident, "maximum over the members"),
    (geometric, "multiplied the members' probabilities"),
])
def test_wrong_ensembles_fail_with_their_message(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_ensemble_predict(wrong)


def test_ensemble_wrong_axis_gets_a_shape_message():
    with pytest.raises(AssertionError, match="must return an array of shape"):
        checks.check_ensemble_predict(lambda probas: probas.mean(axis=1).argmax(axis=1))


# ------------------------------------------------------------------------ task 3: FGSM

def test_fgsm_reference_matches_reglab_fgsm():
    rng = np.random.default_rng(4)
    model = fixed_linear(rng.normal(size=(6, 3)))
    X = rng.uniform(0, 1, size=(20, 6))
    y = rng.integers(0, 3, 20)
    _, grad = input_gradient(model, X, y, loss=softmax_cross_entropy)
    np.testing.assert_array_equal(
        checks.FGSM_STEP.reference(X, grad, 0.3, 0.0, 1.0),
        fgsm(model, X, y, loss=softmax_cross_entropy, eps=0.3, clip=(0.0, 1.0)))


def fgsm_where(X, grad, eps, low, high):
    """Another correct solution: explicit cases and minimum/maximum."""
    step = np.where(grad > 0, eps, np.where(grad < 0, -eps, 0.0))
    return np.minimum(np.maximum(X + step, low), high)


def fgsm_loops_float32(X, grad, eps, low, high):
    out = np.array(X, dtype=np.float32)
    for i in np.ndindex(out.shape):
        step = eps if grad[i] > 0 else -eps if grad[i] < 0 else 0.0
        out[i] = min(max(X[i] + step, low), high)
    return out


RIGHT_FGSM = [fgsm_where, fgsm_loops_float32,
              lambda X, g, e, lo, hi: np.clip(X + e * np.sign(g), lo, hi).astype(np.float32)]


@pytest.mark.parametrize("solution", RIGHT_FGSM)
def test_correct_fgsm_passes(solution):
    assert checks.check_fgsm_step(solution) is None


@pytest.mark.parametrize("wrong, message", [
    (lambda X, g, e, lo, hi: np.clip(X + e * g, lo, hi), "along the gradient itself"),
    (lambda X, g, e, lo, hi: np.clip(X - e * np.sign(g), lo, hi), "DESCENDS the loss"),
    (lambda X, g, e, lo, hi: X + e * np.sign(g), "you did not clip"),
    (lambda X, g, e, lo, hi: np.clip(X, lo, hi) + e * np.sign(g), "clipped before adding"),
    (lambda X, g, e, lo, hi: np.clip(X + e * np.sign(X), lo, hi), "sign of the input X"),
    (lambda X, g, e, lo, hi: np.clip(X + e * g / np.sqrt(np.sum(g**2)), lo, hi), "2-norm"),
    (lambda X, g, e, lo, hi: np.clip(X + e * np.sign(g), 0, 1), "clipped to \\[0, 1\\]"),
])
def test_wrong_fgsm_fails_with_its_message(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_fgsm_step(wrong)


def test_fgsm_that_modifies_its_input_is_told_so():
    def in_place(X, grad, eps, low, high):
        X += eps * np.sign(grad)
        return np.clip(X, low, high)

    with pytest.raises(AssertionError, match="changed its input in place"):
        checks.check_fgsm_step(in_place)


# ------------------------------------------ plausible answers, as students write them

def bootstrap_unique(X, y, rng):
    idx = np.unique(rng.integers(0, len(X), size=len(X)))
    return X[idx], y[idx]


def bootstrap_choice_rows(X, y, rng):
    return rng.choice(X, size=len(X)), rng.choice(y, size=len(y))


WRONG_BOOTSTRAP = {f.__name__: f for f in (
    without_replacement, half_size, global_seed, separate_draws, off_by_one, from_one,
    own_generator, shuffles_in_place, biased, noisy_rows, returns_indices, bootstrap_unique,
    bootstrap_choice_rows)}
WRONG_ENSEMBLE = {f.__name__: f for f in (
    average_labels, majority, first_member, most_confident, geometric)} | {
    "argmin": lambda P: P.mean(axis=0).argmin(axis=1),
    "average labels, fractions": lambda P: np.mean(P.argmax(axis=2), axis=0),
    "average labels, truncated": lambda P: np.mean(P.argmax(axis=2), axis=0).astype(int),
    "last member (loop variable)": lambda P: [p for p in P][-1].argmax(axis=1),
    "median": lambda P: np.argmax(np.median(P, axis=0), axis=1),
    "argmax over members": lambda P: P.mean(axis=2).argmax(axis=0),
    "mean over examples": lambda P: P.mean(axis=1).argmax(axis=1),
    "no argmax": lambda P: P.mean(axis=0),
    "float32, vote": lambda P: majority(P.astype(np.float32)),
}
WRONG_FGSM = {
    "eps * grad": lambda X, g, e, lo, hi: np.clip(X + e * g, lo, hi),
    "minus": lambda X, g, e, lo, hi: np.clip(X - e * np.sign(g), lo, hi),
    "no clip": lambda X, g, e, lo, hi: X + e * np.sign(g),
    "perturbation clipped to ±eps": lambda X, g, e, lo, hi: X + np.clip(e * np.sign(g), -e, e),
    "perturbation clipped to [low, high]":
        lambda X, g, e, lo, hi: X + np.clip(e * np.sign(g), lo, hi),
    "clip before the step": lambda X, g, e, lo, hi: np.clip(X, lo, hi) + e * np.sign(g),
    "sign of X": lambda X, g, e, lo, hi: np.clip(X + e * np.sign(X), lo, hi),
    "2-norm": lambda X, g, e, lo, hi: np.clip(X + e * g / np.sqrt(np.sum(g**2)), lo, hi),
    "[0, 1]": lambda X, g, e, lo, hi: np.clip(X + e * np.sign(g), 0, 1),
    "sign(0) = +1": lambda X, g, e, lo, hi: np.clip(X + np.where(g >= 0, e, -e), lo, hi),
    "sign(0) = -1, loop": lambda X, g, e, lo, hi: np.clip(
        X + np.array([e if v > 0 else -e for v in g.ravel()]).reshape(g.shape), lo, hi),
    "only the perturbation": lambda X, g, e, lo, hi: e * np.sign(g),
    "g / |g|": lambda X, g, e, lo, hi: np.clip(X + e * (g / abs(g)), lo, hi),
    "scaled by the largest entry": lambda X, g, e, lo, hi: np.clip(
        X + e * g / abs(g).max(), lo, hi),
    "multiplicative": lambda X, g, e, lo, hi: np.clip(X * (1 + e * np.sign(g)), lo, hi),
    "range of X": lambda X, g, e, lo, hi: np.clip(X + e * np.sign(g), X.min(), X.max()),
    "float32, minus": lambda X, g, e, lo, hi: np.clip(X - e * np.sign(g), lo, hi).astype(
        np.float32),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(("check", "wrong", "right"), [
    (checks.check_bootstrap_sample, WRONG_BOOTSTRAP, RIGHT_BOOTSTRAP),
    (checks.check_ensemble_predict, WRONG_ENSEMBLE, RIGHT_ENSEMBLE),
    (checks.check_fgsm_step, WRONG_FGSM, RIGHT_FGSM),
], ids=["bootstrap_sample", "ensemble_predict", "fgsm_step"])
def test_plausible_answers_get_their_feedback(check, wrong, right):
    assert_feedback(check, wrong=wrong, right=right, min_named=1.0)


@pytest.mark.parametrize(("check", "answer", "name"), [
    (checks.check_bootstrap_sample, bootstrap_reglab, "reglab.ensemble.bootstrap_indices"),
    (checks.check_fgsm_step,
     lambda X, g, e, lo, hi: fgsm(fixed_linear(np.eye(X.shape[-1])), X, np.zeros(len(X), int),
                                  loss=softmax_cross_entropy, eps=e, clip=(lo, hi)),
     "reglab.adversarial.fgsm"),
])
def test_wrapping_reglabs_own_answer_is_refused(check, answer, name):
    with pytest.raises(AssertionError, match=rf"calls {name}, which is reglab's own answer"):
        check(answer)
