"""Data augmentation for 1-D signals (m, L) and small images (m, H, W).

Each transform is a small object built with its hyperparameters and called as
``t(X, rng)``: it returns a new array of X's shape and dtype (integer input comes
back as float64) and never modifies X. Every example (row) gets its own random
draw from ``rng``, a ``np.random.Generator``, so the same seed gives the same
augmented batch. That is the signature ``fit(..., augment=t)`` expects; chain
several with :class:`Compose`. Images such as scikit-learn's digits are used as
``X.reshape(-1, 8, 8)``.

An augmentation only helps if it keeps the label: a few pixels of shift or a
10° rotation leave a digit a digit, but a flip turns a 2 into something like a 5
and a large rotation a 6 into a 9. Each docstring says which is which.

References: the INF721 lecture on regularization, section 8 (data augmentation);
Goodfellow et al., "Deep Learning", section 7.4.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_array, check_callable, check_int, check_real, check_rng


class Transform:
    """Base class: validates ``(X, rng)``, applies :meth:`apply`, keeps X's dtype.

    ``ndims`` lists the accepted ``X.ndim``: 2 for signals (m, L), 3 for images (m, H, W).
    """

    ndims = (2, 3)

    def __call__(self, X, rng) -> np.ndarray:
        X = check_array("X", X, min_rows=0)
        if X.ndim not in self.ndims:
            kinds = " or ".join({2: "(m, L) signals", 3: "(m, H, W) images"}[n] for n in self.ndims)
            raise ValueError(f"X must be {kinds} for {type(self).__name__}, got shape {X.shape}")
        check_rng("rng", rng)
        return self.apply(X, rng).astype(X.dtype, copy=False)

    def apply(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


def _shift_along(X: np.ndarray, k: np.ndarray, axis: int, wrap: bool) -> np.ndarray:
    """out[i, ..., j, ...] = X[i, ..., j - k[i], ...] along ``axis``; zeros (or wrap) outside."""
    n = X.shape[axis]
    pos = [1] * X.ndim
    pos[axis] = n
    src = np.arange(n).reshape(pos) - k.reshape((-1,) + (1,) * (X.ndim - 1))
    if wrap:
        return np.take_along_axis(X, src % n, axis=axis)
    inside = (src >= 0) & (src < n)
    return np.where(inside, np.take_along_axis(X, np.clip(src, 0, n - 1), axis=axis), 0)


class RandomShift(Transform):
    r"""Shift each example by a random whole number of steps.

    .. math::
        k_i \sim \mathcal{U}\{-s, \dots, s\},\quad x'_{i,j} = x_{i,\,j-k_i}

    Plain text: out[i, j] = X[i, j - k_i] with k_i uniform in {-s, ..., s}, s =
    ``max_shift``; positive k moves the content right (images: down for dy, right for
    dx). Signals (m, L) shift along time; images (m, H, W) by an independent (dy, dx).
    Positions that come from outside are zeros (``mode="zeros"``) or wrap around
    (``mode="wrap"``, a circular shift that keeps every value).

    Preserves the label for small shifts (an MNIST-1D pattern or an 8×8 digit moved
    by a step or two); a shift that pushes the pattern out of the frame does not.
    """

    def __init__(self, max_shift: int, mode: str = "zeros"):
        self.max_shift = check_int("max_shift", max_shift, low=0)
        if mode not in ("zeros", "wrap"):
            raise ValueError(f"mode must be 'zeros' or 'wrap', got {mode!r}")
        self.mode = mode

    def apply(self, X, rng):
        for axis in range(1, X.ndim):
            k = rng.integers(-self.max_shift, self.max_shift, size=X.shape[0], endpoint=True)
            X = _shift_along(X, k, axis, wrap=self.mode == "wrap")
        return X


class RandomCrop(RandomShift):
    r"""Zero-pad by ``pad`` on every side, then crop back to the original size at a random offset.

    Cropping at offset o ∈ {0, ..., 2p} of the padded example is the same as a shift by
    p - o ∈ {-p, ..., p} with zeros coming in, so this is ``RandomShift(pad, "zeros")``:
    out[i, r, c] = X[i, r - dy_i, c - dx_i] (0 outside), dy_i, dx_i uniform in {-p, ..., p}.
    Shapes: images (m, H, W) (signals (m, L) are cropped along time).

    Preserves the label for a pad of one or two pixels on 8×8 digits (the usual 4 on 32×32
    CIFAR images is the same idea at a larger scale).
    """

    def __init__(self, pad: int):
        super().__init__(check_int("pad", pad, low=0), mode="zeros")

    def __repr__(self):
        return f"RandomCrop(pad={self.max_shift})"


class RandomFlip(Transform):
    r"""Reverse each example along ``axis`` with probability ``p``.

    .. math::
        b_i \sim \mathrm{Bernoulli}(p),\quad
        x'_{i,j} = x_{i,\,n-1-j} \text{ if } b_i \text{ else } x_{i,j}

    ``axis`` counts the example's axes from the end: -1 is time reversal for signals
    (m, L) and a horizontal (left-right) flip for images (m, H, W); -2 is a vertical
    (up-down) flip for images.

    Does *not* preserve the label of asymmetric patterns: a mirrored 2 looks like a 5,
    a mirrored 7 is no digit at all, and an MNIST-1D signal reversed in time is another
    pattern. It suits classes that are mirror-symmetric (a cat facing left or right).
    """

    def __init__(self, p: float = 0.5, axis: int = -1):
        self.p = check_real("p", p, low=0, high=1)
        self.axis = check_int("axis", axis)
        if self.axis not in (-1, -2):
            raise ValueError(f"axis must be -1 (last) or -2 (second to last), got {axis}")

    def apply(self, X, rng):
        if X.ndim + self.axis < 1:
            raise ValueError(f"axis={self.axis} is the example axis for X of shape {X.shape}")
        flip = rng.random(X.shape[0]) < self.p
        out = X.copy()
        out[flip] = np.flip(X[flip], axis=self.axis)
        return out


def rotate(X, degrees) -> np.ndarray:
    r"""Rotate each image counter-clockwise by its own angle, bilinear, about its centre.

    For output pixel (r, c), with centre (c_y, c_x) = ((H-1)/2, (W-1)/2), u = c - c_x
    and v = c_y - r (x right, y up), the value is read at the source point

    .. math::
        u_s = u\cos\theta + v\sin\theta,\quad v_s = -u\sin\theta + v\cos\theta,\quad
        (r_s, c_s) = (c_y - v_s,\ c_x + u_s)

    by bilinear interpolation of the four nearest pixels, pixels outside the image
    counting as 0 (the same as ``scipy.ndimage.rotate(x, θ, reshape=False, order=1,
    mode="grid-constant")``).

    Shapes: X (m, H, W); degrees (m,) (or a scalar, used for every image); returns (m, H, W).
    """
    X = check_array("X", X, ndim=3, min_rows=0)
    m, H, W = X.shape
    degrees = check_array("degrees", degrees, min_rows=0)
    if degrees.shape not in ((), (m,)):
        raise ValueError(f"degrees must be a number or have shape ({m},), got {degrees.shape}")
    theta = np.deg2rad(np.broadcast_to(degrees, (m,)))
    cy, cx = (H - 1) / 2, (W - 1) / 2
    cos, sin = np.cos(theta)[:, None, None], np.sin(theta)[:, None, None]
    u, v = np.arange(W)[None, None, :] - cx, cy - np.arange(H)[None, :, None]
    rs, cs = cy - (-u * sin + v * cos), cx + (u * cos + v * sin)
    r0, c0 = np.floor(rs).astype(np.int64), np.floor(cs).astype(np.int64)
    fr, fc = rs - r0, cs - c0
    rows = np.arange(m)[:, None, None]
    out = np.zeros(X.shape)
    for dr, dc, weight in ((0, 0, (1 - fr) * (1 - fc)), (0, 1, (1 - fr) * fc),
                           (1, 0, fr * (1 - fc)), (1, 1, fr * fc)):
        r, c = r0 + dr, c0 + dc
        inside = (r >= 0) & (r < H) & (c >= 0) & (c < W)
        out += np.where(inside, weight * X[rows, np.clip(r, 0, H - 1), np.clip(c, 0, W - 1)], 0)
    return out


class RandomRotation(Transform):
    r"""Rotate each image by a random angle θ_i ~ U(-max_degrees, max_degrees); see :func:`rotate`.

    Shapes: images (m, H, W) only. Bilinear interpolation smooths the image a little and
    corners rotated in from outside are 0, so the total intensity is kept only roughly.

    Preserves the label for small angles (up to about 15° for digits); large ones do not
    (a 6 rotated by 180° is a 9).
    """

    ndims = (3,)

    def __init__(self, max_degrees: float):
        self.max_degrees = check_real("max_degrees", max_degrees, low=0, high=180)

    def apply(self, X, rng):
        return rotate(X, rng.uniform(-self.max_degrees, self.max_degrees, size=X.shape[0]))


class IntensityJitter(Transform):
    r"""Scale and offset each example's intensities by a random amount.

    .. math::
        u_i \sim \mathcal{U}(-a, a),\quad v_i \sim \mathcal{U}(-b, b),\quad
        x'_i = x_i (1 + u_i) + v_i

    Plain text: X'[i] = X[i] * (1 + u_i) + v_i, a = ``scale`` in [0, 1) (so the factor
    stays positive), b = ``shift`` >= 0; the same (u_i, v_i) for the whole example.
    Shapes: signals (m, L) or images (m, H, W).

    Preserves the label: brightness and contrast do not change which digit it is.
    """

    def __init__(self, scale: float, shift: float):
        self.scale = check_real("scale", scale, low=0, high=1, high_open=True)
        self.shift = check_real("shift", shift, low=0)

    def apply(self, X, rng):
        per_example = (-1,) + (1,) * (X.ndim - 1)
        u = rng.uniform(-self.scale, self.scale, size=X.shape[0]).reshape(per_example)
        v = rng.uniform(-self.shift, self.shift, size=X.shape[0]).reshape(per_example)
        return X * (1 + u) + v


class GaussianNoise(Transform):
    r"""Add independent Gaussian noise to every entry.

    .. math::
        x'_{ij} = x_{ij} + \sigma\varepsilon_{ij},\quad \varepsilon_{ij} \sim \mathcal{N}(0, 1)

    Plain text: X' = X + sigma * N(0, 1) noise of X's shape, σ = ``sigma`` >= 0.
    Shapes: signals (m, L) or images (m, H, W). Noise on the inputs is, for small σ,
    equivalent to an L2-type penalty (Bishop, 1995, "Training with noise is equivalent
    to Tikhonov regularization").

    Preserves the label while σ is small next to the signal's own scale (MNIST-1D is
    standardized to std 1; digits scaled to [0, 1]).
    """

    def __init__(self, sigma: float):
        self.sigma = check_real("sigma", sigma, low=0)

    def apply(self, X, rng):
        return X + self.sigma * rng.standard_normal(X.shape)


class Compose(Transform):
    """Apply ``transforms`` in order, every one drawing from the same ``rng``.

    ``Compose([RandomShift(1), GaussianNoise(0.05)])(X, rng)`` equals
    ``GaussianNoise(0.05)(RandomShift(1)(X, rng), rng)``. Shapes: those every transform
    accepts. Preserves the label when every transform does.
    """

    def __init__(self, transforms):
        if isinstance(transforms, (Transform, str)) or not hasattr(transforms, "__iter__"):
            raise TypeError(f"transforms must be a list of transforms, got "
                            f"{type(transforms).__name__} {transforms!r}: write Compose([...])")
        self.transforms = list(transforms)
        if not self.transforms:
            raise ValueError("transforms must contain at least one transform, got an empty list")
        for i, t in enumerate(self.transforms):
            check_callable(f"transforms[{i}]", t, "callable (X, rng) -> X")

    def apply(self, X, rng):
        for t in self.transforms:
            X = t(X, rng)
        return X


class RandomApply(Transform):
    """Apply ``transform`` to each example with probability ``p``; the others pass unchanged.

    Per example i, u_i ~ U(0, 1): row i is ``transform(X)[i]`` if u_i < p, else ``X[i]``.
    Shapes: those ``transform`` accepts. Preserves the label when ``transform`` does.
    """

    def __init__(self, transform, p: float = 0.5):
        self.transform = check_callable("transform", transform, "callable (X, rng) -> X")
        self.p = check_real("p", p, low=0, high=1)

    def apply(self, X, rng):
        out = np.array(self.transform(X, rng), dtype=X.dtype)
        keep = rng.random(X.shape[0]) >= self.p
        out[keep] = X[keep]
        return out
