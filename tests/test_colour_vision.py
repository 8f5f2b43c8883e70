"""reglab.colour_vision against published values, and the collection's palettes checked with it.

Reference values: the simulated colours are those of the ``colorspacious`` package
(``cspace_convert(c, {"name": "sRGB1+CVD", "cvd_type": "...anomaly", "severity": 100},
"sRGB1")``, clipped to [0, 1]), its CIELAB too; the CIEDE2000 differences are the 34 pairs of the
test data of Sharma, Wu and Dalal (2005), Table 1 (zero chroma, hue angles across 0/360
and 180, the blue region where R_T acts); dark colours against the closed forms of sRGB
and CIELAB.
"""

import matplotlib
import numpy as np
import pytest

from reglab.colour_vision import (
    CVD_MATRICES,
    MIN_DIFFERENCE,
    VISIONS,
    ciede2000,
    min_difference,
    palette_problems,
    simulate,
    to_lab,
    to_rgb,
)
from reglab.playground.figure import MAP_ALPHA
from reglab.playground.network_view import NEGATIVE, POSITIVE
from reglab.plots import CLASS_CMAP, REGION_ALPHA, TRAIN_COLOR, VAL_COLOR

BLUE, ORANGE = "#1f77b4", "#ff7f0e"           # tab:blue, tab:orange

# colorspacious 1.1.2, severity 100, clipped to [0, 1]
SIMULATED = {
    "protanopia": [[0.353798, 0.475316, 0.716069], [0.645903, 0.567399, 0.0]],
    "deuteranopia": [[0.271140, 0.422967, 0.701388], [0.766738, 0.682172, 0.020000]],
    "tritanopia": [[0.0, 0.525090, 0.552896], [1.0, 0.380764, 0.427281]],
}


@pytest.mark.parametrize("vision", list(SIMULATED))
def test_simulate_matches_colorspacious(vision):
    np.testing.assert_allclose(simulate([BLUE, ORANGE], vision), SIMULATED[vision], atol=2e-6)


def test_simulation_keeps_greys_and_normal_vision_keeps_everything():
    greys = [(g, g, g) for g in (0.0, 0.2, 0.5, 1.0)]
    for vision in VISIONS:
        np.testing.assert_allclose(simulate(greys, vision), greys, atol=1e-5)
    np.testing.assert_array_equal(simulate([BLUE], "normal"), to_rgb([BLUE]))
    for matrix in CVD_MATRICES.values():                  # white stays white: rows sum to 1
        np.testing.assert_allclose(matrix.sum(axis=1), 1.0, atol=2e-6)


def test_simulation_is_linear_in_linear_rgb_not_in_srgb():
    # pure red is linear red (1, 0, 0): its image is the matrix's first column, gamma-encoded
    red = simulate([(1.0, 0.0, 0.0)], "deuteranopia")[0]
    column = np.clip(CVD_MATRICES["deuteranopia"][:, 0], 0, 1)       # clipped to the gamut
    expected = np.where(column <= 0.0031308, 12.92 * column, 1.055 * column ** (1 / 2.4) - 0.055)
    np.testing.assert_allclose(red, expected, atol=1e-6)


def test_to_lab_matches_colorspacious():
    np.testing.assert_allclose(to_lab([BLUE, ORANGE, "white", "black"]),
                               [[47.9813, -3.2022, -39.3294], [66.8763, 43.4413, 71.8646],
                                [100, 0, 0], [0, 0, 0]], atol=0.02)


# Sharma, Wu, Dalal (2005), Table 1, all 34 pairs: (L1, a1, b1), (L2, a2, b2), ΔE00
SHARMA = [
    ((50.0000, 2.6772, -79.7751), (50.0000, 0.0000, -82.7485), 2.0425),
    ((50.0000, 3.1571, -77.2803), (50.0000, 0.0000, -82.7485), 2.8615),
    ((50.0000, 2.8361, -74.0200), (50.0000, 0.0000, -82.7485), 3.4412),
    ((50.0000, -1.3802, -84.2814), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, -1.1848, -84.8006), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, -0.9009, -85.5211), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, 0.0000, 0.0000), (50.0000, -1.0000, 2.0000), 2.3669),
    ((50.0000, -1.0000, 2.0000), (50.0000, 0.0000, 0.0000), 2.3669),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0009), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0010), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0011), 7.2195),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0012), 7.2195),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0009, -2.4900), 4.8045),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0010, -2.4900), 4.8045),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0011, -2.4900), 4.7461),
    ((50.0000, 2.5000, 0.0000), (50.0000, 0.0000, -2.5000), 4.3065),
    ((50.0000, 2.5000, 0.0000), (73.0000, 25.0000, -18.0000), 27.1492),
    ((50.0000, 2.5000, 0.0000), (61.0000, -5.0000, 29.0000), 22.8977),
    ((50.0000, 2.5000, 0.0000), (56.0000, -27.0000, -3.0000), 31.9030),
    ((50.0000, 2.5000, 0.0000), (58.0000, 24.0000, 15.0000), 19.4535),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.1736, 0.5854), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.2972, 0.0000), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 1.8634, 0.5757), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.2592, 0.3350), 1.0000),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((63.0109, -31.0961, -5.8663), (62.8187, -29.7946, -4.0864), 1.2630),
    ((61.2901, 3.7196, -5.3901), (61.4292, 2.2480, -4.9620), 1.8731),
    ((35.0831, -44.1164, 3.7933), (35.0232, -40.0716, 1.5901), 1.8645),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
    ((36.4612, 47.8580, 18.3852), (36.2715, 50.5065, 21.2231), 1.4146),
    ((90.8027, -2.0831, 1.4410), (91.1528, -1.6435, 0.0447), 1.4441),
    ((90.9257, -0.5406, -0.9208), (88.6381, -0.8985, -0.7239), 1.5381),
    ((6.7747, -0.2908, -2.4247), (5.8714, -0.0985, -2.2286), 0.6377),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]


def test_ciede2000_matches_the_published_test_data():
    lab1, lab2, expected = (np.array(x) for x in zip(*SHARMA, strict=True))
    np.testing.assert_allclose(ciede2000(lab1, lab2), expected, atol=5e-5)
    np.testing.assert_allclose(ciede2000(lab2, lab1), expected, atol=5e-5)   # symmetric
    assert ciede2000([50, 10, 10], [50, 10, 10])[0] == 0.0


def test_ciede2000_is_symmetric_where_the_hue_difference_wraps_in_the_blue_region():
    # hues 4.9 and 185.5 degrees (after the a' rescaling): their difference, just over 180,
    # wraps to -179.4, the mean hue is 275, where the rotation term R_T dC' dH' is largest;
    # a wrong wrap flips the sign of dH' in one order only
    def lab(lightness, chroma, degrees):
        return [lightness, chroma * np.cos(np.radians(degrees)),
                chroma * np.sin(np.radians(degrees))]
    x, y = lab(50, 30, 5.0), lab(50, 40, 185.6)
    assert ciede2000(x, y)[0] == pytest.approx(ciede2000(y, x)[0], abs=1e-9)
    assert 55 < ciede2000(x, y)[0] < 60


def test_min_difference_names_the_closest_pair_and_palette_problems_the_vision():
    d, pair = min_difference(["black", BLUE, "white", "#1f78b4"])
    assert pair == (1, 3) and 0 < d < 1
    # red and green: far apart for normal vision, confused with deuteranopia
    red_green = {"red": "#d62728", "green": "#2ca02c"}
    assert min_difference(list(red_green.values()))[0] > 50
    problems = palette_problems(red_green)
    assert len(problems) == 1 and problems[0].startswith("deuteranopia: red and green")
    assert palette_problems(red_green, threshold=4.0) == []


def test_dark_colours_follow_the_linear_parts_of_srgb_and_cielab():
    # below c = 0.04045 sRGB is linear, Y = c / 12.92; below (6/29)^3 L* is linear,
    # L* = (29/3)^3 Y (= 116 (Y / (3 (6/29)^2) + 4/29) - 16): a dark grey is both
    c = 0.04   # Y = 0.0031: below (6/29)^3 = 0.0089, yet above (6/29)^4 = 0.0018
    np.testing.assert_allclose(to_lab([(c, c, c)]), [[(29 / 3) ** 3 * c / 12.92, 0, 0]],
                               atol=1e-9)
    lab = to_lab([(0.03, 0.0, 0.0)])   # a dark red: X, Y, Z in the linear part, a* > 0
    xyz = 0.03 / 12.92 * np.array([0.4124 / 0.9505, 0.2126, 0.0193 / 1.089])
    f = xyz / (3 * (6 / 29) ** 2) + 4 / 29
    np.testing.assert_allclose(lab[0], [116 * f[1] - 16, 500 * (f[0] - f[1]),
                                        200 * (f[1] - f[2])], rtol=1e-3)


def test_the_threshold_is_min_difference_and_a_pair_exactly_at_it_passes():
    # greys look (almost) the same to every vision: a difference between 10 and 11 for all
    greys = {"black": "black", "dark grey": (0.165, 0.165, 0.165)}
    d = [min_difference(list(greys.values()), vision)[0] for vision in VISIONS]
    assert MIN_DIFFERENCE == 10.0 and 10.0 < min(d) and max(d) < 11.0
    assert palette_problems(greys) == []                  # the default threshold is 10
    assert palette_problems(greys, threshold=min(d)) == []   # "closer than": d itself passes
    assert len(palette_problems(greys, threshold=11.0)) == len(VISIONS)


def test_bad_input_is_refused_with_the_argument_named():
    with pytest.raises(ValueError, match="vision must be one of"):
        simulate([BLUE], "colour-blind")
    with pytest.raises(TypeError, match="colors must be a sequence"):
        to_lab("red")
    with pytest.raises(ValueError, match="colors must be matplotlib colours"):
        to_lab(["no such colour"])
    with pytest.raises(ValueError, match="colors must hold at least one"):
        to_lab([])
    with pytest.raises(ValueError, match="at least two colours"):
        min_difference([BLUE])
    with pytest.raises(ValueError, match="lab1 and lab2 must have the same shape"):
        ciede2000([[50, 0, 0]], [[50, 0, 0], [60, 0, 0]])
    with pytest.raises(TypeError, match="palette must be a dict"):
        palette_problems([BLUE, ORANGE])


# --------------------------------------------------------------------------- the palettes


def _over_white(color, alpha):
    """What a colour drawn with opacity ``alpha`` on the white axes looks like."""
    return tuple(alpha * np.asarray(matplotlib.colors.to_rgb(color)) + (1 - alpha))


CMAP = matplotlib.colormaps[CLASS_CMAP]
PALETTES = {
    "training / validation / the stop line": {
        "training": TRAIN_COLOR, "validation": VAL_COLOR, "stop": "gray"},
    "weights: positive / negative": {"positive": POSITIVE, "negative": NEGATIVE},
    "the class colormap's ends (points, unit maps)": {"class 0": CMAP(0.0), "class 1": CMAP(1.0)},
    "plot_decision_boundary regions": {
        "class 0": _over_white(CMAP(0.0), REGION_ALPHA),
        "class 1": _over_white(CMAP(1.0), REGION_ALPHA)},
    "playground decision map: its ends and the boundary": {
        "P = 0": _over_white(CMAP(0.0), MAP_ALPHA), "P = 1": _over_white(CMAP(1.0), MAP_ALPHA),
        "P = 0.5": _over_white(CMAP(0.5), MAP_ALPHA)},
}


@pytest.mark.parametrize("palette", PALETTES.values(), ids=PALETTES.keys())
def test_every_palette_stays_apart_for_every_colour_vision(palette):
    """ΔE00 >= MIN_DIFFERENCE (10) for normal vision and the three dichromacies."""
    assert palette_problems(palette) == []
    for vision in VISIONS:
        assert min_difference(list(palette.values()), vision)[0] >= MIN_DIFFERENCE
