import importlib.metadata
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reglab import data
from reglab.data import (
    load_digits,
    load_mnist1d,
    make_blobs,
    make_circles,
    make_gaussian_bumps,
    make_moons,
    make_plane,
    make_polynomial_regression,
    make_spirals,
    make_xor,
    polynomial_features,
    standardize,
    train_val_test_split,
)

TOY_SETS = [make_moons, make_circles, make_spirals, make_xor, make_blobs]


@pytest.fixture(scope="module")
def mnist():
    return load_mnist1d()


# ------------------------------------------------------------------------ MNIST-1D

def test_mnist1d_is_the_reference_split(mnist):
    assert mnist.X_train.shape == (4000, 40) and mnist.X_train.dtype == np.float64
    assert mnist.X_test.shape == (1000, 40) and mnist.X_test.dtype == np.float64
    assert mnist.y_train.shape == (4000,) and mnist.y_train.dtype == np.int64
    assert mnist.y_test.shape == (1000,) and mnist.y_test.dtype == np.int64
    counts = np.bincount(np.concatenate([mnist.y_train, mnist.y_test]))
    np.testing.assert_array_equal(counts, np.full(10, 500))  # 500 per class overall
    X = np.concatenate([mnist.X_train, mnist.X_test])
    assert X.mean() == pytest.approx(0, abs=1e-10) and X.std() == pytest.approx(1)


def test_mnist1d_returns_copies_the_cache_cannot_be_corrupted(mnist):
    mnist.X_train[:] = 0.0
    mnist.y_train[:] = -1
    again = load_mnist1d()
    assert np.abs(again.X_train).sum() > 0 and again.y_train.min() == 0
    assert again.X_train.flags.writeable


def test_mnist1d_leaves_the_global_random_states_alone(monkeypatch):
    monkeypatch.setenv(data.CACHE_VARIABLE, "off")
    data._mnist1d.cache_clear()  # make sure mnist1d really runs (and reseeds)
    random.seed(5)
    np.random.seed(5)  # noqa: NPY002
    load_mnist1d(seed=3, num_samples=100)
    after = random.random(), np.random.random(3)  # noqa: NPY002
    random.seed(5)
    np.random.seed(5)  # noqa: NPY002
    expected = random.random(), np.random.random(3)  # noqa: NPY002
    assert after[0] == expected[0]
    np.testing.assert_array_equal(after[1], expected[1])


def test_mnist1d_same_seed_same_data_new_seed_new_examples(monkeypatch):
    monkeypatch.setenv(data.CACHE_VARIABLE, "off")  # generated twice, not read back
    data._mnist1d.cache_clear()
    a = load_mnist1d(seed=1, num_samples=200)
    data._mnist1d.cache_clear()
    b = load_mnist1d(seed=1, num_samples=200)
    for name in ("X_train", "y_train", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    c = load_mnist1d(seed=2, num_samples=200)
    assert c.X_train.shape == (160, 40) and c.X_test.shape == (40, 40)
    # no example of seed 2 occurs among those of seed 1
    dist = np.abs(c.X_train[:, None, :] - a.X_train[None, :, :]).max(axis=2)
    assert dist.min() > 1e-3


@pytest.fixture()
def disk_cache(tmp_path, monkeypatch):
    """An empty MNIST-1D disk cache in a temporary directory, and no copy in memory."""
    monkeypatch.setenv(data.CACHE_VARIABLE, str(tmp_path / "cache"))
    data._mnist1d.cache_clear()
    yield tmp_path / "cache"
    data._mnist1d.cache_clear()


def _never_generated(monkeypatch):
    def fail(*args):
        raise AssertionError("MNIST-1D was generated instead of read from the disk cache")
    monkeypatch.setattr(data, "_generate_mnist1d", fail)


def test_mnist1d_is_kept_on_disk_and_read_back_equal(disk_cache, monkeypatch):
    fresh = load_mnist1d(seed=4, num_samples=100)
    files = list(disk_cache.iterdir())
    versions = "-".join(f"{name}{importlib.metadata.version(name)}"
                        for name in ("mnist1d", "numpy", "scipy"))   # what the numbers depend on
    assert [f.name for f in files] == [f"{versions}-seed4-n100-split0.8.npz"]
    data._mnist1d.cache_clear()  # a new process: nothing in memory
    _never_generated(monkeypatch)
    again = load_mnist1d(seed=4, num_samples=100)
    for name in ("X_train", "y_train", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(again, name), getattr(fresh, name))
        assert getattr(again, name).dtype == getattr(fresh, name).dtype
    with pytest.raises(AssertionError, match="generated"):  # other arguments: another file
        load_mnist1d(seed=4, num_samples=200)
    real = importlib.metadata.version
    monkeypatch.setattr(data.importlib.metadata, "version",
                        lambda name: "1.0.0" if name == "numpy" else real(name))
    data._mnist1d.cache_clear()
    with pytest.raises(AssertionError, match="generated"):  # another numpy: another file
        load_mnist1d(seed=4, num_samples=100)


@pytest.mark.parametrize("damage", ["truncated", "one number changed", "not a zip"])
def test_a_damaged_cache_file_is_generated_again_never_used(disk_cache, damage):
    fresh = load_mnist1d(seed=4, num_samples=100)
    (path,) = disk_cache.iterdir()
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:1000])
    elif damage == "one number changed":
        with np.load(path) as f:
            arrays = {k: f[k].copy() for k in f.files}
        arrays["X_train"][3, 7] += 1e-9
        np.savez(path, **arrays)
    else:
        path.write_text("hello")
    data._mnist1d.cache_clear()
    again = load_mnist1d(seed=4, num_samples=100)
    np.testing.assert_array_equal(again.X_train, fresh.X_train)
    assert data._read_cached(path) is not None  # written again, whole


def test_mnist1d_cache_can_be_turned_off_or_unwritable(tmp_path, monkeypatch):
    monkeypatch.setenv(data.CACHE_VARIABLE, "off")
    assert data.mnist1d_cache_dir() is None
    monkeypatch.delenv(data.CACHE_VARIABLE)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data.mnist1d_cache_dir() == tmp_path / "xdg" / "reglab"
    blocked = tmp_path / "a file"
    blocked.write_text("not a directory")
    monkeypatch.setenv(data.CACHE_VARIABLE, str(blocked / "cache"))  # cannot be created
    data._mnist1d.cache_clear()
    split = load_mnist1d(seed=4, num_samples=100)  # generated; the failed write is no error
    assert split.X_train.shape == (80, 40)
    data._mnist1d.cache_clear()


@pytest.mark.parametrize("kwargs, exc, name", [
    ({"seed": -1}, ValueError, "seed"),
    ({"seed": 1.5}, TypeError, "seed"),
    ({"num_samples": 15}, ValueError, "num_samples"),
    ({"num_samples": 0}, ValueError, "num_samples"),
    ({"train_split": 1.0}, ValueError, "train_split"),
    ({"train_split": 0.01, "num_samples": 50}, ValueError, "train_split"),
])
def test_mnist1d_rejects_bad_arguments(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        load_mnist1d(**kwargs)


# ------------------------------------------------------------------------ digits

def test_load_digits():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert set(np.unique(y)) == set(range(10))
    raw, _ = load_digits(scale=False)
    np.testing.assert_array_equal(raw, 16 * X)
    assert X.reshape(-1, 8, 8)[0, 0, 2] == X[0, 2]  # rows one after the other


# ------------------------------------------------------------------------ toy sets

@pytest.mark.parametrize("make", TOY_SETS)
def test_toy_sets_shapes_balance_and_shuffling(make):
    X, y = make(101, 0.1, np.random.default_rng(0))
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [51, 50])
    assert 0 < np.sum(y[:51] == 0) < 51  # rows are shuffled, not class by class


@pytest.mark.parametrize("make", TOY_SETS)
def test_toy_sets_are_deterministic(make):
    a = make(50, 0.1, np.random.default_rng(3))
    b = make(50, 0.1, np.random.default_rng(3))
    c = make(50, 0.1, np.random.default_rng(4))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("make", [make_plane, make_gaussian_bumps])
def test_regression_sets_are_real_targets_and_deterministic(make):
    X, y = make(300, 0.0, np.random.default_rng(0))
    assert X.shape == (300, 2) and y.shape == (300,) and y.dtype == np.float64
    assert np.all(np.abs(X) <= 1)
    X2, y2 = make(300, 0.0, np.random.default_rng(0))
    np.testing.assert_array_equal(y, y2)
    _, noisy = make(300, 0.5, np.random.default_rng(0))
    assert 0.3 < np.std(noisy - y) < 0.7                # the noise is N(0, 0.5²)


def test_plane_and_bumps_follow_their_formulas():
    X, y = make_plane(50, 0.0, np.random.default_rng(1))
    np.testing.assert_allclose(y, (X[:, 0] + X[:, 1]) / 2)
    centres = np.array([[-0.5, -0.5], [0.5, 0.5], [-0.5, 0.5], [0.5, -0.5]])
    Xb, yb = make_gaussian_bumps(4000, 0.0, np.random.default_rng(2))
    top = yb[np.argmin(np.linalg.norm(Xb - centres[0], axis=1))]
    bottom = yb[np.argmin(np.linalg.norm(Xb - centres[2], axis=1))]
    assert top > 0.9 and bottom < -0.9                  # up at (-½, -½), down at (-½, ½)


@pytest.mark.parametrize(("call", "name"), [
    (lambda: make_plane(0, 0.1, np.random.default_rng(0)), "m"),
    (lambda: make_plane(10, -1.0, np.random.default_rng(0)), "noise"),
    (lambda: make_gaussian_bumps(10, 0.1, 3), "rng"),
    (lambda: make_gaussian_bumps(10, 0.1, np.random.default_rng(0), width=0), "width"),
])
def test_regression_sets_name_a_bad_argument(call, name):
    with pytest.raises((TypeError, ValueError), match=name):
        call()


def test_moons_geometry_without_noise(rng):
    X, y = make_moons(400, 0.0, rng)
    upper, lower = X[y == 0], X[y == 1] - [1.0, 0.5]
    np.testing.assert_allclose(np.linalg.norm(upper, axis=1), 1)
    np.testing.assert_allclose(np.linalg.norm(lower, axis=1), 1)
    assert upper[:, 1].min() >= 0 and lower[:, 1].max() <= 0


def test_circles_radii_without_noise(rng):
    X, y = make_circles(300, 0.0, rng, factor=0.3)
    r = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(r[y == 0], 1)
    np.testing.assert_allclose(r[y == 1], 0.3)


@pytest.mark.parametrize("n_classes, turns", [(2, 1.0), (3, 1.5)])
def test_spiral_arms_without_noise(rng, n_classes, turns):
    X, y = make_spirals(300, 0.0, rng, n_classes=n_classes, turns=turns)
    np.testing.assert_array_equal(np.bincount(y), np.full(n_classes, 300 // n_classes))
    r = np.linalg.norm(X, axis=1)
    angle = np.arctan2(X[:, 1], X[:, 0])
    expected = 2 * np.pi * (turns * r + y / n_classes)
    np.testing.assert_allclose(np.cos(angle - expected), 1)  # same angle modulo 2π


def test_noise_is_gaussian_with_std_noise(rng):
    X, y = make_circles(20000, 0.05, rng)
    radial = np.linalg.norm(X[y == 0], axis=1) - 1.0  # the noise across the circle
    assert np.std(radial) == pytest.approx(0.05, rel=0.05)


def test_xor_labels_follow_the_signs(rng):
    X, y = make_xor(200, 0.0, rng)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))
    assert np.abs(X).max() <= 1
    assert len({(a, b) for a, b in np.sign(X)}) == 4  # all four quadrants


def test_blobs_sit_around_their_centres(rng):
    X, y = make_blobs(3000, 0.0, rng, n_classes=3, spread=0.2)
    for k in range(3):
        centre = [np.cos(2 * np.pi * k / 3), np.sin(2 * np.pi * k / 3)]
        np.testing.assert_allclose(X[y == k].mean(axis=0), centre, atol=0.03)
        assert np.std(X[y == k] - centre) == pytest.approx(0.2, rel=0.05)
    # noise widens every blob to sqrt(spread² + noise²)
    Xn, yn = make_blobs(3000, 0.15, rng, spread=0.2)
    assert np.std(Xn[yn == 0] - [1.0, 0.0]) == pytest.approx(0.25, rel=0.05)


@pytest.mark.parametrize("call, exc, name", [
    (lambda r: make_moons(1, 0.1, r), ValueError, "m"),
    (lambda r: make_moons(10.0, 0.1, r), TypeError, "m"),
    (lambda r: make_xor(10, -0.1, r), ValueError, "noise"),
    (lambda r: make_moons(10, 0.1, 42), TypeError, "rng"),
    (lambda r: make_circles(10, 0.1, r, factor=1.0), ValueError, "factor"),
    (lambda r: make_spirals(10, 0.1, r, n_classes=1), ValueError, "n_classes"),
    (lambda r: make_spirals(2, 0.1, r, n_classes=3), ValueError, "m"),
    (lambda r: make_spirals(10, 0.1, r, turns=0), ValueError, "turns"),
    (lambda r: make_blobs(10, 0.1, r, n_classes=1), ValueError, "n_classes"),
    (lambda r: make_blobs(10, 0.1, r, spread=-1.0), ValueError, "spread"),
])
def test_toy_sets_reject_bad_arguments(rng, call, exc, name):
    with pytest.raises(exc, match=name):
        call(rng)


# ------------------------------------------------------------------------ polynomials

def test_polynomial_regression_with_given_coefficients(rng):
    x, y, f = make_polynomial_regression(500, coefficients=[1.0, -2.0, 0.0, 3.0], noise=0.0,
                                         rng=rng, x_range=(-2, 3))
    assert x.shape == y.shape == (500,)
    assert x.min() >= -2 and x.max() <= 3 and x.max() - x.min() > 4.5
    np.testing.assert_allclose(y, 1 - 2 * x + 3 * x**3)
    np.testing.assert_array_equal(f.coef, [1, -2, 0, 3])


def test_polynomial_regression_noise_and_default_degree(rng):
    x, y, f = make_polynomial_regression(20000, noise=0.3, rng=rng)
    assert f.degree() == 3
    assert np.std(y - f(x)) == pytest.approx(0.3, rel=0.03)
    assert np.mean(y - f(x)) == pytest.approx(0, abs=0.01)
    _, _, g = make_polynomial_regression(5, degree=7, noise=0.3, rng=rng)
    assert g.coef.shape == (8,)


def test_polynomial_features_recover_the_coefficients(rng):
    x, y, f = make_polynomial_regression(50, degree=4, noise=0.0, rng=rng)
    Phi = polynomial_features(x, 4)
    np.testing.assert_allclose(Phi, np.column_stack([x, x**2, x**3, x**4]))
    design = np.column_stack([np.ones_like(x), Phi])  # the intercept is the bias
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    np.testing.assert_allclose(coef, f.coef, atol=1e-8)


@pytest.mark.parametrize("call, exc, name", [
    (lambda r: make_polynomial_regression(10, degree=2, coefficients=[1, 2, 3], noise=0.1,
                                          rng=r), TypeError, "degree"),
    (lambda r: make_polynomial_regression(10, degree=-1, noise=0.1, rng=r), ValueError, "degree"),
    (lambda r: make_polynomial_regression(10, coefficients=[[1.0]], noise=0.1, rng=r),
     ValueError, "coefficients"),
    (lambda r: make_polynomial_regression(10, noise=-1, rng=r), ValueError, "noise"),
    (lambda r: make_polynomial_regression(10, noise=0.1, rng=r, x_range=(1, 1)),
     ValueError, "x_range"),
    (lambda r: make_polynomial_regression(10, noise=0.1, rng=r, x_range=1), TypeError, "x_range"),
    (lambda r: make_polynomial_regression(0, noise=0.1, rng=r), ValueError, "m"),
    (lambda r: make_polynomial_regression(10, noise=0.1, rng=None), TypeError, "rng"),
    (lambda r: polynomial_features(np.ones((3, 1)), 2), ValueError, "x"),
    (lambda r: polynomial_features(np.ones(3), 0), ValueError, "degree"),
])
def test_polynomials_reject_bad_arguments(rng, call, exc, name):
    with pytest.raises(exc, match=name):
        call(rng)


# ------------------------------------------------------------------------ splits

def test_split_sizes_and_alignment(rng):
    X = np.arange(300).reshape(100, 3)
    y = np.arange(100) * 10
    (Xtr, ytr), (Xv, yv), (Xte, yte) = train_val_test_split(X, y, val_frac=0.2, test_frac=0.1,
                                                            rng=rng)
    assert (len(Xtr), len(Xv), len(Xte)) == (70, 20, 10)
    assert Xtr.dtype == X.dtype
    rows = np.concatenate([Xtr, Xv, Xte])[:, 0] // 3
    np.testing.assert_array_equal(np.sort(rows), np.arange(100))  # every row exactly once
    for Xs, ys in ((Xtr, ytr), (Xv, yv), (Xte, yte)):
        np.testing.assert_array_equal(ys, Xs[:, 0] // 3 * 10)  # labels stay with their rows
    assert not np.array_equal(rows, np.arange(100))  # shuffled


@settings(max_examples=40, deadline=None)
@given(m=st.integers(3, 60), val=st.floats(0, 0.45), test=st.floats(0, 0.45),
       seed=st.integers(0, 2**32 - 1))
def test_split_partitions_the_rows(m, val, test, seed):
    X, y, rng = np.arange(m)[:, None], np.arange(m), np.random.default_rng(seed)
    if round(val * m) + round(test * m) >= m:  # rounding leaves nothing to train on
        with pytest.raises(ValueError, match="training rows"):
            train_val_test_split(X, y, val_frac=val, test_frac=test, rng=rng)
        return
    (Xtr, _), (Xv, _), (Xte, _) = train_val_test_split(X, y, val_frac=val, test_frac=test,
                                                       rng=rng)
    np.testing.assert_array_equal(np.sort(np.concatenate([Xtr, Xv, Xte])[:, 0]), np.arange(m))
    assert (len(Xv), len(Xte)) == (round(val * m), round(test * m)) and len(Xtr) >= 1


def test_split_is_deterministic():
    X, y = np.arange(50)[:, None], np.arange(50)
    a = train_val_test_split(X, y, val_frac=0.2, test_frac=0.2, rng=np.random.default_rng(1))
    b = train_val_test_split(X, y, val_frac=0.2, test_frac=0.2, rng=np.random.default_rng(1))
    for (Xa, ya), (Xb, yb) in zip(a, b, strict=True):
        np.testing.assert_array_equal(Xa, Xb)
        np.testing.assert_array_equal(ya, yb)


@pytest.mark.parametrize("kwargs, name", [
    ({"val_frac": 1.0, "test_frac": 0.0}, "val_frac"),
    ({"val_frac": -0.1, "test_frac": 0.1}, "val_frac"),
    ({"val_frac": 0.1, "test_frac": 1.5}, "test_frac"),
    ({"val_frac": 0.5, "test_frac": 0.5}, "val_frac \\+ test_frac"),
    ({"val_frac": 0.5, "test_frac": 0.45, "m": 4}, "training rows"),
])
def test_split_rejects_bad_fractions(rng, kwargs, name):
    m = kwargs.pop("m", 20)
    with pytest.raises(ValueError, match=name):
        train_val_test_split(np.zeros((m, 2)), np.zeros(m), rng=rng, **kwargs)


def test_split_rejects_mismatched_rows_and_bad_rng(rng):
    with pytest.raises(ValueError, match="X and y"):
        train_val_test_split(np.zeros((5, 2)), np.zeros(4), val_frac=0.2, test_frac=0.2, rng=rng)
    with pytest.raises(TypeError, match="rng"):
        train_val_test_split(np.zeros((5, 2)), np.zeros(5), val_frac=0.2, test_frac=0.2, rng=0)


# ------------------------------------------------------------------------ standardize

def test_standardize_uses_the_training_statistics(rng):
    X_train = rng.normal(3.0, 2.0, size=(200, 3))
    X_train[:, 2] = 7.0  # a constant feature
    X_test = np.array([[3.0, 5.0, 7.0]])
    before = X_train.copy()
    Z_train, Z_test = standardize(X_train, X_test)
    np.testing.assert_array_equal(X_train, before)
    np.testing.assert_allclose(Z_train[:, :2].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z_train[:, :2].std(axis=0), 1)
    np.testing.assert_array_equal(Z_train[:, 2], 0)  # centred only, no division by 0
    mu, sd = X_train[:, :2].mean(axis=0), X_train[:, :2].std(axis=0)
    np.testing.assert_allclose(Z_test[0, :2], (X_test[0, :2] - mu) / sd)
    assert Z_test[0, 2] == 0
    (alone,) = standardize(X_train)
    np.testing.assert_array_equal(alone, Z_train)


def test_standardize_rejects_mismatched_features():
    with pytest.raises(ValueError, match=r"others\[1\]"):
        standardize(np.ones((4, 3)), np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="X_train"):
        standardize(np.array([1.0, np.nan]))


def test_load_mnist1d_fresh_is_a_new_balanced_sample_of_the_same_generator():
    from reglab.data import load_mnist1d, load_mnist1d_fresh

    X, y = load_mnist1d_fresh(seed=3, num_samples=200)
    assert X.shape == (200, 40) and y.shape == (200,) and y.dtype == np.int64
    assert np.array_equal(np.bincount(y, minlength=10), np.full(10, 20))
    assert abs(X.mean()) < 1e-8 and abs(X.std() - 1) < 1e-8        # standardized like the rest
    ref = load_mnist1d()
    every_ref = np.concatenate([ref.X_train, ref.X_test])
    nearest = np.min(((X[:20, None, :] - every_ref[None]) ** 2).sum(-1), axis=1)
    assert np.all(nearest > 1e-6)                                   # no example repeated
    X2, y2 = load_mnist1d_fresh(seed=3, num_samples=200)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)          # deterministic
    X[0, 0] = 99.0                                                  # a copy, cache untouched
    assert load_mnist1d_fresh(seed=3, num_samples=200)[0][0, 0] != 99.0


@pytest.mark.parametrize(("kwargs", "match"), [({"seed": 42}, "seed"), ({"seed": -1}, "seed"),
                                               ({"num_samples": 15}, "num_samples"),
                                               ({"num_samples": 10}, "num_samples")])
def test_load_mnist1d_fresh_bad_input(kwargs, match):
    from reglab.data import load_mnist1d_fresh

    with pytest.raises(ValueError, match=match):
        load_mnist1d_fresh(**kwargs)
