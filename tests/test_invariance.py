import numpy as np
import pytest

from reglab import Dense, ReLU, Sequential, fit, softmax_cross_entropy
from reglab.augment import RandomShift
from reglab.ensemble import predict_proba
from reglab.invariance import CircularShift, detrend, mean_and_spread, shift_averaged_proba
from reglab.optim import Adam


def signals(m=20, L=12, seed=0):
    return np.random.default_rng(seed).standard_normal((m, L))


# ------------------------------------------------------------------------ detrend

def test_detrend_removes_an_added_line_and_keeps_the_mean():
    X = signals()
    t = np.linspace(-0.5, 0.5, X.shape[1])
    c = np.random.default_rng(1).uniform(-3, 3, len(X))
    D = detrend(X)
    assert np.allclose(detrend(X + c[:, None] * t), D, atol=1e-12)   # the line is gone
    assert np.allclose(D.mean(axis=1), X.mean(axis=1), atol=1e-12)    # mean kept
    assert np.allclose(D @ t, 0, atol=1e-12)                          # no slope left
    assert np.allclose(detrend(D), D, atol=1e-12)                     # a projection


def test_detrend_matches_a_least_squares_fit():
    X = signals(5, 9)
    t = np.linspace(-0.5, 0.5, 9)
    A = np.column_stack([np.ones(9), t])
    coef = np.linalg.lstsq(A, X.T, rcond=None)[0]                     # (2, m): intercept, slope
    assert np.allclose(detrend(X), X - np.outer(coef[1], t), atol=1e-12)


def test_detrend_keeps_float32_and_bad_input():
    assert detrend(signals().astype(np.float32)).dtype == np.float32
    assert detrend(np.arange(6).reshape(2, 3)).dtype == np.float64
    with pytest.raises(ValueError, match="X"):
        detrend(np.ones(5))
    with pytest.raises(ValueError, match="at least 2"):
        detrend(np.ones((3, 1)))


# ------------------------------------------------------------------------ CircularShift

def test_circular_shift_is_a_roll_of_each_row_then_detrend():
    X = detrend(signals(50, 10))
    out = CircularShift()(X, np.random.default_rng(3))
    for x, o in zip(X, out, strict=True):
        matches = [k for k in range(10) if np.allclose(detrend(np.roll(x, k)[None])[0], o)]
        assert matches, "every row must be a circular shift of its input, detrended"


def test_circular_shift_draws_every_position_and_is_seeded():
    X = np.tile(np.eye(8)[0], (4000, 1))                 # a single spike at position 0
    out = CircularShift(detrend=False)(X, np.random.default_rng(0))
    positions = out.argmax(axis=1)
    assert set(positions) == set(range(8))               # k in {-4..4} covers all 8 positions
    assert np.allclose(out.sum(axis=1), 1)               # circular: nothing lost
    again = CircularShift(detrend=False)(X, np.random.default_rng(0))
    assert np.array_equal(out, again)


def test_circular_shift_without_detrend_equals_random_shift_wrap():
    X = signals(30, 10)
    a = CircularShift(3, detrend=False)(X, np.random.default_rng(5))
    b = RandomShift(3, mode="wrap")(X, np.random.default_rng(5))
    assert np.allclose(a, b)


def test_circular_shift_zero_is_detrend_and_bad_input():
    X = signals()
    assert np.allclose(CircularShift(0)(X, np.random.default_rng(0)), detrend(X))
    with pytest.raises(ValueError, match="max_shift"):
        CircularShift(-1)
    with pytest.raises(TypeError, match="detrend"):
        CircularShift(2, detrend="yes")
    with pytest.raises(ValueError, match="signals"):
        CircularShift()(np.ones((2, 3, 3)), np.random.default_rng(0))


# ------------------------------------------------------------------------ test-time averaging

def small_model(seed=0, L=10):
    r = np.random.default_rng(seed)
    return Sequential([Dense(L, 16, rng=r), ReLU(), Dense(16, 3, rng=r)])


def test_shift_averaged_proba_is_the_mean_of_the_members():
    model, X = small_model(), signals(7, 10)
    P = shift_averaged_proba(model, X, [0, 2, -3])
    members = [predict_proba(model, detrend(np.roll(X, k, axis=1))) for k in (0, 2, -3)]
    assert np.allclose(P, np.mean(members, axis=0))
    assert np.allclose(P.sum(axis=1), 1)
    plain = shift_averaged_proba(model, X, [1], detrend_input=False)
    assert np.allclose(plain, predict_proba(model, np.roll(X, 1, axis=1)))


def test_averaging_over_every_shift_makes_the_prediction_shift_invariant():
    model, X = small_model(1), signals(6, 10)
    every = np.arange(10)
    P = shift_averaged_proba(model, X, every)
    P_shifted = shift_averaged_proba(model, np.roll(X, 4, axis=1), every)
    assert np.allclose(P, P_shifted)
    assert not np.allclose(predict_proba(model, X), predict_proba(model, np.roll(X, 4, axis=1)))


def test_shift_averaged_proba_bad_input():
    model, X = small_model(), signals(4, 10)
    with pytest.raises(TypeError, match="model"):
        shift_averaged_proba(lambda x: x, X, [0])
    with pytest.raises(ValueError, match="shifts"):
        shift_averaged_proba(model, X, [])
    with pytest.raises(ValueError, match="shifts"):
        shift_averaged_proba(model, X, [0.5])
    with pytest.raises(ValueError, match="X"):
        shift_averaged_proba(model, X[0], [0])


def test_augmentation_with_circular_shifts_trains_a_shift_invariant_classifier():
    # two classes: a bump or a dip at a random circular position; a plain MLP trained on
    # one position only, or with the shifts, tested on all positions
    rng = np.random.default_rng(0)
    L, m = 12, 400
    y = rng.integers(0, 2, m)
    base = np.zeros((m, L))
    base[:, 0] = np.where(y == 1, 2.0, -2.0)
    base[:, 1] = base[:, 0] / 2
    X_test = detrend(np.stack([np.roll(b, k) for b, k in zip(base, rng.integers(0, L, m),
                                                                strict=True)]))
    X_train = detrend(base + 0.1 * rng.standard_normal(base.shape))
    accs = []
    for augment in (None, CircularShift()):
        model = Sequential([Dense(L, 32, rng=np.random.default_rng(1)), ReLU(),
                            Dense(32, 2, rng=np.random.default_rng(2))])
        fit(model, (X_train, y), loss=softmax_cross_entropy, optimizer=Adam(lr=1e-2),
            epochs=30, rng=np.random.default_rng(3), augment=augment, progress=False)
        accs.append(np.mean(model.predict(X_test) == y))
    assert accs[1] > 0.95 and accs[1] > accs[0] + 0.2


# ------------------------------------------------------------------------ mean_and_spread

def test_mean_and_spread():
    assert mean_and_spread([0.9, 0.92, 0.94]) == pytest.approx((0.92, 0.02))
    assert mean_and_spread([0.5]) == (0.5, 0.0)
    with pytest.raises(ValueError, match="values"):
        mean_and_spread([[1.0, 2.0]])
