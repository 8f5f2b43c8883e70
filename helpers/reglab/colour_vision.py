"""How a palette looks with a colour-vision deficiency, and how far apart its colours are.

The collection's figures tell training from validation, one class from the other and a
positive weight from a negative one by colour (and never by colour alone: see
reglab.plots). This module checks that those colours stay apart for the three
dichromacies, simulated with the model of

    G. M. Machado, M. M. Oliveira, L. A. F. Fernandes (2009), "A physiologically-based
    model for simulation of color vision deficiency", IEEE Transactions on Visualization
    and Computer Graphics 15(6), 1291-1298, doi:10.1109/TVCG.2009.113

(its matrices for severity 1.0, the supplementary table of the paper; the same numbers as
the ``colorspacious`` and ``colour-science`` packages). The simulation is linear in
*linear* RGB: for an sRGB colour c in [0, 1]³,

    c_lin = γ⁻¹(c),   c'_lin = clip(M_d c_lin, 0, 1),   c' = γ(c'_lin),

with γ the sRGB transfer function (IEC 61966-2-1) and M_d the 3 × 3 matrix of the
deficiency d. Colours are then compared in CIELAB (D65 white) by the CIEDE2000 colour
difference ΔE₀₀ (CIE 142-2001; the formula as written out by G. Sharma, W. Wu,
E. N. Dalal (2005), "The CIEDE2000 color-difference formula: implementation notes,
supplementary test data, and mathematical observations", Color Research & Application
30(1), 21-30). ΔE₀₀ ≈ 1 is a just-noticeable difference between two large patches side by
side; thin lines and small markers need several times more (D. A. Szafir (2018),
"Modeling color difference for visualization design", IEEE TVCG 24(1), 392-401). The
collection asks for ``MIN_DIFFERENCE`` = 10 between any two colours of a palette, under
normal vision and each simulated deficiency: a difference seen at a glance, not only
side by side.
"""

from __future__ import annotations

from itertools import combinations

import matplotlib.colors as mcolors
import numpy as np

#: Machado et al. (2009), severity 1.0: linear RGB -> the linear RGB a dichromat sees.
CVD_MATRICES = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
VISIONS = ("normal", *CVD_MATRICES)

#: Smallest CIEDE2000 difference asked between two colours of a palette (see above).
MIN_DIFFERENCE = 10.0

# linear sRGB -> CIE XYZ (D65), IEC 61966-2-1; the white is its image of (1, 1, 1)
_SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805],
                         [0.2126, 0.7152, 0.0722],
                         [0.0193, 0.1192, 0.9505]])
_WHITE = _SRGB_TO_XYZ.sum(axis=1)


def to_rgb(colors) -> np.ndarray:
    """Colours as an (k, 3) float array of sRGB in [0, 1].

    ``colors``: a sequence of matplotlib colour specifications ("tab:blue", "#1f77b4",
    (r, g, b) or (r, g, b, a); the alpha is dropped) or an array of shape (k, 3) or (k, 4).
    """
    if isinstance(colors, str):
        raise TypeError(f"colors must be a sequence of colours, got the single colour {colors!r}")
    try:
        rgb = np.array([mcolors.to_rgb(c) for c in colors], dtype=float).reshape(-1, 3)
    except (ValueError, TypeError) as err:
        raise ValueError(f"colors must be matplotlib colours: {err}") from None
    if len(rgb) == 0:
        raise ValueError("colors must hold at least one colour")
    return rgb


def _linear(rgb):
    """Inverse sRGB transfer: γ⁻¹(c) = c/12.92 (c ≤ 0.04045), else ((c+0.055)/1.055)^2.4."""
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _gamma(lin):
    """sRGB transfer function: γ(c) = 12.92 c (c ≤ 0.0031308), else 1.055 c^(1/2.4) − 0.055."""
    return np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)


def simulate(colors, vision: str) -> np.ndarray:
    """The (k, 3) sRGB colours in [0, 1] that a viewer with ``vision`` sees for ``colors``.

    ``vision``: one of ``VISIONS`` ("normal" returns the colours unchanged). Simulated
    colours outside the display's gamut are clipped to it in linear RGB.
    """
    if vision not in VISIONS:
        raise ValueError(f"vision must be one of {VISIONS}, got {vision!r}")
    rgb = to_rgb(colors)
    if vision == "normal":
        return rgb
    lin = _linear(rgb) @ CVD_MATRICES[vision].T
    return _gamma(np.clip(lin, 0.0, 1.0))


def to_lab(colors) -> np.ndarray:
    """CIELAB (L*, a*, b*), D65 white, of sRGB ``colors``: an (k, 3) array.

    XYZ = M γ⁻¹(c); L* = 116 f(Y/Yₙ) − 16, a* = 500 (f(X/Xₙ) − f(Y/Yₙ)),
    b* = 200 (f(Y/Yₙ) − f(Z/Zₙ)), f(t) = t^(1/3) above (6/29)³, else t/(3 (6/29)²) + 4/29.
    """
    xyz = _linear(to_rgb(colors)) @ _SRGB_TO_XYZ.T / _WHITE
    delta = 6 / 29
    f = np.where(xyz > delta ** 3, np.cbrt(xyz), xyz / (3 * delta ** 2) + 4 / 29)
    return np.column_stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]),
                            200 * (f[:, 1] - f[:, 2])])


def ciede2000(lab1, lab2) -> np.ndarray:
    """CIEDE2000 colour difference ΔE₀₀ between CIELAB colours, row by row: (k,) from (k, 3).

    The formula of Sharma, Wu and Dalal (2005), with k_L = k_C = k_H = 1:
    ΔE₀₀ = √((ΔL'/S_L)² + (ΔC'/S_C)² + (ΔH'/S_H)² + R_T (ΔC'/S_C)(ΔH'/S_H)).
    """
    lab1, lab2 = (np.asarray(x, dtype=float).reshape(-1, 3) for x in (lab1, lab2))
    if lab1.shape != lab2.shape:
        raise ValueError(f"lab1 and lab2 must have the same shape, got {lab1.shape} "
                         f"and {lab2.shape}")
    (L1, a1, b1), (L2, a2, b2) = lab1.T, lab2.T
    c_mean7 = ((np.hypot(a1, b1) + np.hypot(a2, b2)) / 2) ** 7
    g = 0.5 * (1 - np.sqrt(c_mean7 / (c_mean7 + 25.0 ** 7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = np.hypot(a1, b1), np.hypot(a2, b2)
    h1 = np.degrees(np.arctan2(b1, a1)) % 360
    h2 = np.degrees(np.arctan2(b2, a2)) % 360
    chroma = c1 * c2 != 0
    dh = h2 - h1
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(chroma, dh, 0.0)
    d_big_h = 2 * np.sqrt(c1 * c2) * np.sin(np.radians(dh / 2))
    l_mean, c_mean = (L1 + L2) / 2, (c1 + c2) / 2
    h_sum = h1 + h2
    # |h1 - h2| = 180 up to the rounding of arctan2 counts as 180 (the mean of the short
    # arc's convention): pair 14 of Sharma et al.'s data sits exactly there
    h_mean = np.where(np.abs(h1 - h2) <= 180 + 1e-9, h_sum / 2,
                      np.where(h_sum < 360, (h_sum + 360) / 2, (h_sum - 360) / 2))
    h_mean = np.where(chroma, h_mean, h_sum)
    t = (1 - 0.17 * np.cos(np.radians(h_mean - 30)) + 0.24 * np.cos(np.radians(2 * h_mean))
         + 0.32 * np.cos(np.radians(3 * h_mean + 6)) - 0.20 * np.cos(np.radians(4 * h_mean - 63)))
    d_theta = 30 * np.exp(-(((h_mean - 275) / 25) ** 2))
    r_c = 2 * np.sqrt(c_mean ** 7 / (c_mean ** 7 + 25.0 ** 7))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / np.sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * c_mean
    s_h = 1 + 0.015 * c_mean * t
    r_t = -np.sin(np.radians(2 * d_theta)) * r_c
    dl, dc, dhh = (L2 - L1) / s_l, (c2 - c1) / s_c, d_big_h / s_h
    return np.sqrt(dl ** 2 + dc ** 2 + dhh ** 2 + r_t * dc * dhh)


def min_difference(colors, vision: str = "normal") -> tuple[float, tuple[int, int]]:
    """The smallest ΔE₀₀ between two of ``colors`` as a viewer with ``vision`` sees them,
    and the indices (i, j) of that pair. ``colors`` must hold at least two colours."""
    lab = to_lab(simulate(colors, vision))
    if len(lab) < 2:
        raise ValueError(f"colors must hold at least two colours, got {len(lab)}")
    pairs = list(combinations(range(len(lab)), 2))
    i, j = np.array(pairs).T
    d = ciede2000(lab[i], lab[j])
    k = int(np.argmin(d))
    return float(d[k]), pairs[k]


def palette_problems(palette: dict, threshold: float = MIN_DIFFERENCE) -> list[str]:
    """Pairs of ``palette`` ({name: colour}) closer than ``threshold`` (ΔE₀₀) for some vision.

    One string per vision whose closest pair is too close, naming the pair; an empty
    list when every vision keeps every pair at least ``threshold`` apart.
    """
    if not isinstance(palette, dict):
        raise TypeError(f"palette must be a dict {{name: colour}}, got {type(palette).__name__}")
    names = list(palette)
    problems = []
    for vision in VISIONS:
        d, (i, j) = min_difference(list(palette.values()), vision)
        if d < threshold:
            problems.append(f"{vision}: {names[i]} and {names[j]} are ΔE00 = {d:.1f} apart, "
                            f"below {threshold:g}")
    return problems
