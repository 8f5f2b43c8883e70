import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from reglab import SGD, Dense, Sequential, fit, softmax_cross_entropy
from reglab.augment import (
    Compose,
    GaussianNoise,
    IntensityJitter,
    RandomCrop,
    RandomFlip,
    RandomRotation,
    RandomShift,
    rotate,
)

TRANSFORMS = [RandomShift(2), RandomShift(2, mode="wrap"), RandomCrop(1), RandomFlip(),
              RandomFlip(axis=-2), RandomRotation(15), IntensityJitter(0.2, 0.1),
              GaussianNoise(0.1), Compose([RandomShift(1), GaussianNoise(0.1)])]
SIGNAL_TRANSFORMS = [t for t in TRANSFORMS if not isinstance(t, RandomRotation)
                     and getattr(t, "axis", -1) == -1]


def images(m=64, rng=None):
    """(m, 8, 8) distinct images with a zero border, like the digits."""
    rng = np.random.default_rng(0) if rng is None else rng
    X = np.zeros((m, 8, 8))
    X[:, 2:6, 2:6] = rng.uniform(0.1, 1, (m, 4, 4))
    return X


def shifted(x, dy, dx):
    """x (H, W) moved down by dy and right by dx, zeros coming in."""
    H, W = x.shape
    out = np.zeros_like(x)
    out[max(dy, 0):H + min(dy, 0), max(dx, 0):W + min(dx, 0)] = \
        x[max(-dy, 0):H - max(dy, 0), max(-dx, 0):W - max(dx, 0)]
    return out


# ------------------------------------------------------------------------ every transform

@pytest.mark.parametrize("t", TRANSFORMS, ids=repr)
def test_new_array_same_shape_and_dtype_input_untouched(t):
    X = images().astype(np.float32)
    before = X.copy()
    out = t(X, np.random.default_rng(0))
    assert out.shape == X.shape and out.dtype == np.float32
    assert out is not X and not np.shares_memory(out, X)
    np.testing.assert_array_equal(X, before)


@pytest.mark.parametrize("t", SIGNAL_TRANSFORMS, ids=repr)
def test_signals_work_too(t):
    X = np.random.default_rng(1).standard_normal((30, 40))
    out = t(X, np.random.default_rng(0))
    assert out.shape == (30, 40) and out.dtype == np.float64


@pytest.mark.parametrize("t", TRANSFORMS, ids=repr)
def test_same_seed_same_output_each_row_its_own_draw(t):
    X = np.repeat(images(1), 200, axis=0)  # 200 copies of one image
    a = t(X, np.random.default_rng(5))
    np.testing.assert_array_equal(a, t(X, np.random.default_rng(5)))
    assert not np.array_equal(a, t(X, np.random.default_rng(6)))
    assert len(np.unique(a.reshape(200, -1), axis=0)) > 1  # rows differ


@pytest.mark.parametrize("t", TRANSFORMS, ids=repr)
def test_bad_calls_name_the_argument(t):
    with pytest.raises(TypeError, match="rng"):
        t(images(), 0)
    bad = images()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="X"):
        t(bad, np.random.default_rng(0))
    with pytest.raises(ValueError, match="X"):
        t(np.zeros((2, 3, 4, 5)), np.random.default_rng(0))


@pytest.mark.parametrize("make, exc, name", [
    (lambda: RandomShift(-1), ValueError, "max_shift"),
    (lambda: RandomShift(1.5), TypeError, "max_shift"),
    (lambda: RandomShift(1, mode="reflect"), ValueError, "mode"),
    (lambda: RandomCrop(-2), ValueError, "pad"),
    (lambda: RandomFlip(p=1.5), ValueError, "p"),
    (lambda: RandomFlip(axis=0), ValueError, "axis"),
    (lambda: RandomRotation(-5), ValueError, "max_degrees"),
    (lambda: RandomRotation(270), ValueError, "max_degrees"),
    (lambda: IntensityJitter(1.0, 0.1), ValueError, "scale"),
    (lambda: IntensityJitter(0.1, -0.1), ValueError, "shift"),
    (lambda: GaussianNoise(-0.1), ValueError, "sigma"),
    (lambda: GaussianNoise("0.1"), TypeError, "sigma"),
    (lambda: Compose([]), ValueError, "transforms"),
    (lambda: Compose([GaussianNoise(0.1), 3]), TypeError, r"transforms\[1\]"),
])
def test_bad_hyperparameters_name_the_argument(make, exc, name):
    with pytest.raises(exc, match=name):
        make()


def test_identity_settings(rng):
    X = images()
    for t in (RandomShift(0), RandomCrop(0), RandomFlip(p=0), RandomRotation(0),
              IntensityJitter(0, 0), GaussianNoise(0)):
        np.testing.assert_allclose(t(X, rng), X, atol=1e-12, err_msg=repr(t))


# ------------------------------------------------------------------------ shifts and crops

@pytest.mark.parametrize("mode", ["zeros", "wrap"])
def test_signal_shift_moves_each_row_by_one_allowed_amount(rng, mode):
    X = np.tile(np.arange(1.0, 13.0), (300, 1))
    out = RandomShift(3, mode=mode)(X, rng)
    seen = set()
    for row in out:
        ks = [k for k in range(-3, 4)
              if np.array_equal(row, np.roll(X[0], k) * (mode == "wrap" or _inside(k, 12)))]
        assert len(ks) == 1
        seen.add(ks[0])
    assert seen == set(range(-3, 4))  # every shift in {-3..3} occurs


def _inside(k, n):
    """Mask of the positions that a zero-filled shift by k keeps."""
    j = np.arange(n) - k
    return (j >= 0) & (j < n)


def test_image_shift_is_an_independent_dy_dx(rng):
    X = images(1)
    out = RandomShift(1)(np.repeat(X, 100, axis=0), rng)
    seen = set()
    for img in out:
        (match,) = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)
                    if np.array_equal(img, shifted(X[0], dy, dx))]
        seen.add(match)
    assert len(seen) == 9  # all nine (dy, dx) pairs, so dy and dx are drawn separately


@settings(max_examples=30, deadline=None)
@given(X=arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 9)),
                elements=st.floats(-10, 10)),
       max_shift=st.integers(0, 12), seed=st.integers(0, 1000))
def test_wrap_shift_keeps_every_value(X, max_shift, seed):
    out = RandomShift(max_shift, mode="wrap")(X, np.random.default_rng(seed))
    np.testing.assert_array_equal(np.sort(out, axis=1), np.sort(X, axis=1))


def test_crop_is_pad_then_crop_at_a_random_offset(rng):
    X = images(1)
    padded = np.pad(X[0], 2)
    crops = [padded[oy:oy + 8, ox:ox + 8] for oy in range(5) for ox in range(5)]
    out = RandomCrop(2)(np.repeat(X, 300, axis=0), rng)
    used = [next(i for i, c in enumerate(crops) if np.array_equal(img, c)) for img in out]
    assert set(used) == set(range(25))
    same = RandomShift(2)(np.repeat(X, 300, axis=0), np.random.default_rng(1234))
    np.testing.assert_array_equal(out, same)  # the same transform as a zero-fill shift


# ------------------------------------------------------------------------ flips

def test_flip(rng):
    X = images()
    np.testing.assert_array_equal(RandomFlip(p=1)(X, rng), X[:, :, ::-1])
    np.testing.assert_array_equal(RandomFlip(p=1, axis=-2)(X, rng), X[:, ::-1, :])
    flip = RandomFlip(p=1)
    np.testing.assert_array_equal(flip(flip(X, rng), rng), X)
    signal = np.arange(10.0)[None, :]
    np.testing.assert_array_equal(flip(signal, rng), signal[:, ::-1])


def test_flip_probability(rng):
    X = np.tile(np.arange(5.0), (4000, 1))
    out = RandomFlip(p=0.3)(X, rng)
    flipped = np.all(out == X[:, ::-1], axis=1)
    assert np.all(flipped | np.all(out == X, axis=1))
    assert flipped.mean() == pytest.approx(0.3, abs=0.03)


def test_vertical_flip_of_a_signal_is_refused(rng):
    with pytest.raises(ValueError, match="axis"):
        RandomFlip(axis=-2)(np.zeros((3, 5)), rng)


# ------------------------------------------------------------------------ rotations

def test_rotate_by_quarter_turns_is_rot90():
    X = images(4)
    np.testing.assert_allclose(rotate(X, 90), np.rot90(X, 1, axes=(1, 2)), atol=1e-12)
    np.testing.assert_allclose(rotate(X, -90), np.rot90(X, -1, axes=(1, 2)), atol=1e-12)
    np.testing.assert_allclose(rotate(X, [180, 0, 0, 0])[0], X[0, ::-1, ::-1], atol=1e-12)


def test_rotate_matches_scipy_bilinear():
    ndimage = pytest.importorskip("scipy.ndimage")
    X = np.random.default_rng(2).random((4, 7, 9))
    angles = np.array([10.0, -25.0, 37.0, 3.0])
    expected = [ndimage.rotate(x, a, reshape=False, order=1, mode="grid-constant")
                for x, a in zip(X, angles, strict=True)]
    np.testing.assert_allclose(rotate(X, angles), expected, atol=1e-12)


def test_small_rotations_keep_the_mass_and_a_round_blob(rng):
    X = images(200)
    out = RandomRotation(15)(X, rng)
    np.testing.assert_allclose(out.sum(axis=(1, 2)), X.sum(axis=(1, 2)), rtol=0.05)
    r2 = (np.arange(9)[:, None] - 4.0) ** 2 + (np.arange(9)[None, :] - 4.0) ** 2
    blob = np.exp(-r2 / 8.0)[None]  # radially symmetric about the centre, peak 1
    # equal up to the bilinear interpolation error (< 0.05 for this blob at any angle)
    np.testing.assert_allclose(RandomRotation(180)(np.repeat(blob, 20, axis=0), rng),
                               np.repeat(blob, 20, axis=0), atol=0.05)


def test_rotation_angles_stay_within_max_degrees(rng):
    X = np.zeros((500, 9, 9))
    X[:, 4, 8] = 1.0  # one bright pixel on the right, 4 from the centre
    out = RandomRotation(30)(X, rng)
    rows, cols = np.indices((9, 9))
    ys = (out * (4.0 - rows)).sum(axis=(1, 2)) / out.sum(axis=(1, 2))
    xs = (out * (cols - 4.0)).sum(axis=(1, 2)) / out.sum(axis=(1, 2))
    angles = np.degrees(np.arctan2(ys, xs))
    assert np.abs(angles).max() <= 31 and angles.min() < -25 and angles.max() > 25


def test_rotation_refuses_signals_and_wrong_angle_shapes(rng):
    with pytest.raises(ValueError, match="X"):
        RandomRotation(10)(np.zeros((3, 40)), rng)
    with pytest.raises(ValueError, match="degrees"):
        rotate(np.zeros((3, 8, 8)), [1.0, 2.0])


# ------------------------------------------------------------------------ intensity and noise

def test_intensity_jitter_is_one_affine_map_per_example(rng):
    X = np.tile(np.linspace(0, 1, 11), (2000, 1))
    out = IntensityJitter(0.2, 0.1)(X, rng)
    a = out[:, 10] - out[:, 0]  # X goes from 0 to 1, so out = a X + b
    b = out[:, 0]
    np.testing.assert_allclose(out, a[:, None] * X + b[:, None], atol=1e-12)
    assert 0.8 <= a.min() < 0.82 and 1.18 < a.max() <= 1.2
    assert -0.1 <= b.min() < -0.09 and 0.09 < b.max() <= 0.1


def test_gaussian_noise_statistics(rng):
    X = np.tile(np.linspace(-1, 1, 50), (2000, 1))
    noise = GaussianNoise(0.3)(X, rng) - X
    assert noise.mean() == pytest.approx(0, abs=0.005)  # 100,000 draws: sd of mean ≈ 0.001
    assert noise.std() == pytest.approx(0.3, rel=0.02)
    assert abs(np.corrcoef(noise[:, 0], noise[:, 1])[0, 1]) < 0.1  # independent entries


# ------------------------------------------------------------------------ composition

def test_compose_applies_in_order_with_the_same_rng():
    X = images()
    t1, t2 = RandomShift(1), GaussianNoise(0.1)
    out = Compose([t1, t2])(X, np.random.default_rng(9))
    rng = np.random.default_rng(9)
    np.testing.assert_array_equal(out, t2(t1(X, rng), rng))


def test_fit_accepts_an_augmentation(rng):
    X = rng.standard_normal((64, 40))
    y = rng.integers(0, 3, 64)
    model = Sequential([Dense(40, 3, rng=rng)])
    hist = fit(model, (X, y), loss=softmax_cross_entropy, optimizer=SGD(lr=0.1), epochs=2,
               rng=rng, augment=Compose([RandomShift(2), GaussianNoise(0.05)]), progress=False)
    assert hist.epochs == 2 and np.isfinite(hist.train_loss).all()


def test_random_apply_transforms_about_p_of_the_rows():
    from reglab.augment import RandomApply

    X = np.zeros((4000, 5))
    out = RandomApply(lambda X, rng: X + 1.0, p=0.3)(X, np.random.default_rng(0))
    changed = np.all(out == 1.0, axis=1)
    assert np.all(changed | np.all(out == 0.0, axis=1))  # each row all-or-nothing
    assert abs(changed.mean() - 0.3) < 0.03
    assert np.all(X == 0)  # input untouched
    same = RandomApply(lambda X, rng: X + 1.0, p=0.3)(X, np.random.default_rng(0))
    np.testing.assert_array_equal(out, same)
    with pytest.raises(ValueError, match="p must be in"):
        RandomApply(lambda X, rng: X, p=1.5)
    with pytest.raises(TypeError, match="transform must be callable"):
        RandomApply("shift")
