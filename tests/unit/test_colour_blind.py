"""The app's palette under colour-vision deficiency: every group of colours that carries meaning
(viz.palette.GROUPS) stays apart for a protanope, a deuteranope and a tritanope.

The simulation is Machado, Oliveira and Fernandes (2009) at severity 1.0 (a dichromat), in
linear RGB: sRGB → linear → matrix → clip to [0, 1] → sRGB. The distance is CIEDE2000 between
the two colours in CIELAB (D65 white), after the simulation.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from viz import palette

# Machado, G. M., Oliveira, M. M. and Fernandes, L. A. F. (2009), "A Physiologically-based
# Model for Simulation of Color Vision Deficiency", IEEE TVCG 15(6), 1291-1298: the matrices
# for severity 1.0, as the authors publish them for linear RGB
# (https://www.inf.ufrgs.br/~oliveira/pubs_files/CVD_Simulation/CVD_Simulation.html).
MACHADO = {
    "protanopia": ((0.152286, 1.052583, -0.204868),
                   (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968),
                     (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779),
                   (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}
VISIONS = ("normal", *MACHADO)

# Thresholds, in CIEDE2000 units. One unit is about a just-noticeable difference for two large
# patches side by side (Sharma, Wu and Dalal 2005); small marks (7 px points, 2 px lines) need
# several times that to be told apart (Szafir 2018, "Modeling Color Difference for
# Visualization Design"), and a learner must name the colour at a glance, not compare patches.
# 20 is what the two ends of a good diverging scale keep under every simulation (ColorBrewer's
# RdBu: 39), and what Plotly's default red and green lose for a deuteranope (18): a pair must
# keep it. Six categorical colours cannot: the best six of Okabe and Ito's eight keep about 12
# under every simulation; their members carry a dash and a symbol as well, and must keep 10.
PAIR_MIN = 20.0
CATEGORICAL_MIN = 10.0

# The D3 colours the app used before (Plotly's "D3" sequence)
D3_RED, D3_GREEN, D3_BLUE, D3_PURPLE = "#d62728", "#2ca02c", "#1f77b4", "#9467bd"
D3_ORANGE, D3_PINK = "#ff7f0e", "#e377c2"
D3_OPTIMIZERS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b")


# ---------------------------------------------------------------- colour science


def srgb(colour: str) -> np.ndarray:
    """'#rrggbb' -> sRGB in [0, 1]."""
    h = colour.lstrip("#")
    return np.array([int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)])


def to_linear(c: np.ndarray) -> np.ndarray:
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def from_linear(c: np.ndarray) -> np.ndarray:
    c = np.clip(c, 0.0, 1.0)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def simulate(colour: str, vision: str) -> np.ndarray:
    """The sRGB a dichromat of `vision` sees for `colour` ('normal': the colour itself)."""
    c = srgb(colour)
    if vision == "normal":
        return c
    return from_linear(np.array(MACHADO[vision]) @ to_linear(c))


def lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB in [0, 1] -> CIELAB, D65 white (IEC 61966-2-1's matrix)."""
    xyz = np.array([[0.4124564, 0.3575761, 0.1804375],
                    [0.2126729, 0.7151522, 0.0721750],
                    [0.0193339, 0.1191920, 0.9503041]]) @ to_linear(rgb)
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def ciede2000(lab1, lab2) -> float:
    """CIEDE2000 between two CIELAB colours, kL = kC = kH = 1 (Sharma, Wu and Dalal 2005)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar ** 7 / (c_bar ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = l2 - l1, c2p - c1p
    dh = 0.0
    if c1p * c2p:
        dh = h2p - h1p
        dh = dh - 360 if dh > 180 else dh + 360 if dh < -180 else dh
    d_big_h = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    l_bar, cp_bar = (l1 + l2) / 2, (c1p + c2p) / 2
    if not c1p * c2p:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + (360 if h1p + h2p < 360 else -360)) / 2
    t = (1 - 0.17 * np.cos(np.radians(h_bar - 30)) + 0.24 * np.cos(np.radians(2 * h_bar))
         + 0.32 * np.cos(np.radians(3 * h_bar + 6)) - 0.20 * np.cos(np.radians(4 * h_bar - 63)))
    d_theta = 30 * np.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * np.sqrt(cp_bar ** 7 / (cp_bar ** 7 + 25 ** 7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * cp_bar
    s_h = 1 + 0.015 * cp_bar * t
    r_t = -np.sin(np.radians(2 * d_theta)) * r_c
    return float(np.sqrt((dl / s_l) ** 2 + (dc / s_c) ** 2 + (d_big_h / s_h) ** 2
                         + r_t * (dc / s_c) * (d_big_h / s_h)))


def delta_e(a: str, b: str, vision: str = "normal") -> float:
    """How far apart `a` and `b` look to `vision`: CIEDE2000 after the simulation."""
    return ciede2000(lab(simulate(a, vision)), lab(simulate(b, vision)))


def closest(colours, vision: str) -> tuple[float, str, str]:
    """The nearest pair of `colours` for `vision`: (ΔE00, a, b)."""
    return min((delta_e(a, b, vision), a, b) for a, b in itertools.combinations(colours, 2))


def over_white(colour: str, alpha: float) -> str:
    """`colour` at opacity `alpha` over white, as '#rrggbb'."""
    mixed = np.rint(255 * (alpha * srgb(colour) + 1 - alpha)).astype(int)
    return "#{:02x}{:02x}{:02x}".format(*mixed)


# ---------------------------------------------------------------- the science is right


@pytest.mark.parametrize(("lab1", "lab2", "expected"), [
    # Sharma, Wu and Dalal (2005), Table 1: pairs 1, 7, 17, 25 and 34
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
])
def test_ciede2000_matches_sharma_test_data(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert ciede2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def test_lab_of_white_and_a_primary():
    np.testing.assert_allclose(lab(srgb("#ffffff")), [100, 0, 0], atol=1e-3)
    np.testing.assert_allclose(lab(srgb("#ff0000")), [53.24, 80.09, 67.20], atol=0.02)


def test_simulation_applies_the_matrix_to_linear_rgb():
    # pure red is the matrix's first column in linear RGB (a transposed matrix, or one
    # applied to gamma-encoded values, would give another colour); negatives clip to 0
    for vision, m in MACHADO.items():
        column = np.clip(np.array(m)[:, 0], 0, 1)
        np.testing.assert_allclose(to_linear(simulate("#ff0000", vision)), column, atol=1e-9)
    np.testing.assert_allclose(255 * simulate("#ff0000", "deuteranopia"), [163.2, 144.3, 0],
                               atol=0.1)
    # each row sums to 1: white and every grey look the same to all three
    for vision, m in MACHADO.items():
        np.testing.assert_allclose(np.sum(m, axis=1), 1.0, atol=2e-6)
        for grey in ("#ffffff", "#7f7f7f", "#333333"):
            np.testing.assert_allclose(simulate(grey, vision), srgb(grey), atol=1e-5)


@pytest.mark.parametrize(("a", "b", "vision"), [
    (D3_RED, D3_GREEN, "deuteranopia"),  # the classic confusion
    (D3_BLUE, D3_PURPLE, "protanopia"),  # purple loses its red
    (D3_PINK, D3_ORANGE, "tritanopia"),  # without blue cones, both are a salmon
])
def test_each_dichromacy_merges_its_own_confusion_pair(a, b, vision):
    assert delta_e(a, b) > 25  # clearly apart to normal vision
    assert delta_e(a, b, vision) < 10  # nearly one colour to this dichromat
    others = [v for v in MACHADO if v != vision]
    assert max(delta_e(a, b, v) for v in others) > 25  # and to another one not


def test_known_bad_pairs_fail_the_threshold():
    """The check catches what it is for: the old D3 red and green, Plotly's default red and
    green, the old optimizer colours."""
    assert delta_e(D3_RED, D3_GREEN, "deuteranopia") < PAIR_MIN
    assert delta_e("#EF553B", "#00CC96", "deuteranopia") < PAIR_MIN  # ~18: near, but under
    assert delta_e("#EF553B", "#00CC96") > 3 * PAIR_MIN  # though far apart to normal vision
    assert min(closest(D3_OPTIMIZERS, v)[0] for v in MACHADO) < CATEGORICAL_MIN / 5


# ---------------------------------------------------------------- the app's palette


def groups() -> list[tuple[str, str, float]]:
    return [(name, vision, CATEGORICAL_MIN if name in palette.CATEGORICAL else PAIR_MIN)
            for name in palette.GROUPS for vision in VISIONS]


@pytest.mark.parametrize(("name", "vision", "threshold"), groups())
def test_every_group_stays_apart(name, vision, threshold):
    colours = palette.GROUPS[name]
    assert len(set(colours)) == len(colours) >= 2
    d, a, b = closest(colours, vision)
    assert d >= threshold, f"{name}: {a} and {b} are ΔE00 {d:.1f} apart for {vision}"


@pytest.mark.parametrize("vision", VISIONS)
def test_the_sign_scale_ends_and_the_region_tints_stay_apart(vision):
    scale = [c for _, c in palette.DIVERGING]
    neg, mid, pos = scale[0], scale[len(scale) // 2], scale[-1]
    assert delta_e(neg, pos, vision) >= PAIR_MIN  # the two ends
    assert delta_e(scale[1], scale[-2], vision) >= PAIR_MIN  # halfway: still apart
    assert min(delta_e(neg, mid, vision), delta_e(pos, mid, vision)) >= PAIR_MIN
    # the classes' region tints, at their strongest, over white (perceptron, playground)
    blue, red = (over_white(c, palette.REGION_ALPHA) for c in palette.CLASSES[:2])
    assert delta_e(blue, red, vision) >= PAIR_MIN


def test_the_groups_cover_the_meanings():
    """Every group the figures colour by meaning is checked; the colours are the palette's."""
    assert set(palette.GROUPS) >= {"sign", "classes", "optimizers", "train_test", "batches",
                                   "right_wrong"}
    named = set(palette.hex_colours().values())
    for colours in palette.GROUPS.values():
        assert set(colours) <= named


def test_every_optimizer_of_the_engine_has_its_own_colour():
    from engine.optimizers import OPTIMIZERS

    assert tuple(OPTIMIZERS) == palette.OPTIMIZER_NAMES == tuple(palette.OPTIMIZERS)


def test_second_cues_differ_within_their_group():
    for cue in (palette.SERIES_DASHES, palette.SERIES_SYMBOLS, palette.CLASS_SYMBOLS,
                tuple(palette.OPTIMIZER_DASHES.values()),
                tuple(palette.OPTIMIZER_SYMBOLS.values()), tuple(palette.BATCH_DASHES.values()),
                (palette.TRAIN_DASH, palette.TEST_DASH)):
        assert len(set(cue)) == len(cue)
    # the race marks a flown-off optimizer with an x, the minimum with a star
    assert not {"x", "star"} & set(palette.OPTIMIZER_SYMBOLS.values())


def test_no_hex_colour_outside_the_palette():
    """One copy of each colour: the figure modules name viz.palette's constants."""
    import pathlib
    import re

    viz = pathlib.Path(palette.__file__).parent
    for path in viz.glob("*.py"):
        if path.name == "palette.py":
            continue
        code = re.sub(r'""".*?"""', "", path.read_text(), flags=re.S)  # not the docstrings
        found = re.findall(r"#[0-9A-Fa-f]{6}\b", code)
        assert not found, f"{path.name}: {found}"


def test_the_figures_carry_the_second_cues():
    """Optimizers differ in dash and symbol, classes in symbol, test curves are dashed."""
    from viz import mnist, optimizers, perceptron, playground

    steps = np.arange(5)
    curves = {n: (steps, 1.0 / (steps + 1 + i)) for i, n in enumerate(palette.OPTIMIZER_NAMES)}
    lines = optimizers.curves_figure(curves, {"x": "step", "y": "loss"}).data
    assert len({tr.line.dash for tr in lines}) == len({tr.line.color for tr in lines}) == 6
    paths = {n: ([0.0, 1.0], [0.0, 1.0], False) for n in palette.OPTIMIZER_NAMES}
    labels = {"x": "x", "y": "y", "z": "f", "start": "s", "minimum": "m", "flew_off": "gone"}
    race = optimizers.race_figure([0, 1], [0, 1], np.zeros((2, 2)), paths, (0, 0), (1, 1),
                                  labels).data[1:7]
    assert len({(tr.line.dash, tr.marker.symbol) for tr in race}) == 6
    assert len({tr.marker.symbol for tr in race}) == 6

    points, targets = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]), np.array([0, 0, 0, 1])
    names = dict(x1="x1", x2="x2", side1="1", side0="0", line="l", target0="0", target1="1")
    gate = perceptron.decision_line_figure(1, 1, -1.5, points, targets, targets, None, names)
    assert {tr.marker.symbol for tr in gate.data if tr.mode and "markers" in tr.mode} == {
        "circle", "square"}
    xs = np.linspace(-6, 6, 4)
    probs = np.full((3, 4, 4), 1 / 3)
    plane = playground.regions_figure(xs, probs, np.zeros((3, 2)), [0, 1, 2],
                                      task="classification", labels={"train": "t", "test": "e"},
                                      class_names=["a", "b", "c"]).data[1:4]
    assert [tr.marker.symbol for tr in plane] == list(palette.CLASS_SYMBOLS)

    loss = playground.loss_figure([1, 2], [1.0, 0.5], [1.1, 0.6],
                                  {"x": "epoch", "train": "train", "test": "test"}).data
    acc = mnist.accuracy_figure([1, 2], [0.5, 0.6], [0.4, 0.5],
                                {"x": "e", "y": "a", "train": "train", "test": "test",
                                 "chance": "c"}).data
    for train, test in (loss, acc):
        assert (train.line.dash or "solid", test.line.dash) == ("solid", "dash")
        assert (train.line.color, test.line.color) == (palette.TRAIN, palette.TEST)


def test_a_trace_without_a_colour_takes_the_palettes():
    import plotly.graph_objects as go

    from viz import theme

    theme.install()
    assert go.Figure().layout.template.layout.colorway == palette.SERIES
