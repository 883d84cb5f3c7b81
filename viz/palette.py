"""Every colour the figures use, in one place, and the groups of colours that carry meaning.

The categorical colours are Okabe and Ito's eight ("Color Universal Design", 2008), chosen to
stay apart for the three kinds of dichromat; the sign scale is ColorBrewer's RdBu. Each group
below names colours a learner must tell apart on one figure: tests/unit/test_colour_blind.py
checks every pair of a group under normal vision and simulated protanopia, deuteranopia and
tritanopia. Where colour alone would carry the meaning, a second cue goes with it: a marker
symbol per class, a dash and a symbol per optimizer, a dash for test curves.
"""

from __future__ import annotations

# ---------------------------------------------------------------- Okabe–Ito
BLUE = "#0072B2"
VERMILLION = "#D55E00"
GREEN = "#009E73"  # Okabe and Ito's "bluish green"
ORANGE = "#E69F00"
PURPLE = "#CC79A7"  # Okabe and Ito's "reddish purple"
SKY = "#56B4E9"
YELLOW = "#F0E442"  # too light for lines or small marks on white: not in SERIES
BLACK = "#000000"
# Okabe and Ito's bluish green, darker: apart from vermillion for a protanope too (the
# lighter one is not: ΔE00 18 under protanopia)
DARK_GREEN = "#005544"
# ColorBrewer's dark purple: Okabe and Ito's reddish purple is near orange for a tritanope
VIOLET = "#6a3d9a"

# ---------------------------------------------------------------- neutrals
INK = "#262730"  # text and outlines: Streamlit's text colour
MUTED = "#6b6b6b"  # small notes (the sign key)
GREY = "#7f7f7f"  # a series with no colour of its own
NEUTRAL = "#555555"  # frames and operators of the layers' matrices
FAINT = "#999999"  # reference lines (chance, the diagonal), placeholders
LIGHT = "#bbbbbb"  # zero lines, bars that are not the point, digit frames
FRAME = "#d9d9d9"  # the lines between digits in a grid
EDGE = "#888888"  # the gate diagram's edges
TRANSPARENT = "rgba(0,0,0,0)"

# ---------------------------------------------------------------- series and groups
# Series k of a figure with several gets SERIES[k] (and, where it is a line or a point, a
# dash or a symbol of its own as well: SERIES_DASHES, SERIES_SYMBOLS).
SERIES = (BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY, BLACK)
SERIES_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
SERIES_SYMBOLS = ("circle", "diamond", "triangle-up", "triangle-down", "pentagon", "hexagon")

# The app's one sign convention: negative blue, zero white, positive red (RdBu), centred at 0
# by the colour axis. Every figure coloured by sign uses it and says so once (a sign key).
DIVERGING = [[0.0, "#2166ac"], [0.25, "#92c5de"], [0.5, "#f7f7f7"], [0.75, "#f4a582"],
             [1.0, "#b2182b"]]
NEGATIVE, POSITIVE = DIVERGING[0][1], DIVERGING[-1][1]
SIGN = (NEGATIVE, POSITIVE)

# Classes 0, 1, 2 (the gates' 0 and 1, the playground's datasets, the spiral's arms), each
# with its own marker symbol as well; a test point is the symbol's open form.
CLASSES = (BLUE, VERMILLION, BLACK)
CLASS_SYMBOLS = ("circle", "square", "triangle-up")

# The optimizers, by engine.optimizers.OPTIMIZERS: one colour, dash and symbol each,
# everywhere (viz.optimizers.color_of). Six colours cannot all stay as far apart as a pair
# under every simulation: the dash and the symbol carry the difference as well.
OPTIMIZER_NAMES = ("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam")
OPTIMIZERS = dict(zip(OPTIMIZER_NAMES, SERIES[:6], strict=True))
OPTIMIZER_DASHES = dict(zip(OPTIMIZER_NAMES, SERIES_DASHES, strict=True))
OPTIMIZER_SYMBOLS = dict(zip(OPTIMIZER_NAMES, SERIES_SYMBOLS, strict=True))

# Batch (B = N), stochastic (B = 1) and mini-batch descent, with a dash each
BATCHES = {"full": BLUE, "sgd": VERMILLION, "mini": BLACK}
BATCH_DASHES = {"full": "solid", "sgd": "dot", "mini": "dash"}

TRAIN, TEST = BLUE, VERMILLION  # loss and accuracy curves: test dashed as well
TRAIN_DASH, TEST_DASH = "solid", "dash"

# A prediction's bar: right or wrong, among LIGHT bars
RIGHT, WRONG = DARK_GREEN, VERMILLION

# Two quantities side by side in grouped bars (backprop / numerical, parameters / layer
# outputs, forward / training step)
PAIR = (BLUE, ORANGE)
DTYPES = {"float64": BLUE, "float32": ORANGE, "float16": BLACK}

# The layers lesson's shared dimensions (matrix edges and labels; the captions name these
# colours): batch N orange, input D purple, hidden H green
DIMENSIONS = {"N": ORANGE, "D": VIOLET, "H": DARK_GREEN}

# XOR from gates: NAND's line and unit, OR's line and unit (the diagram's fills are light
# versions), AND's unit
GATE_LINES = {"NAND": ORANGE, "OR": SKY}
GATE_FILLS = {"input": "#e6e6e6", "NAND": "#ffe3b3", "OR": "#cce8f8", "AND": "#f4c2c2"}

# An activation and its derivative (dashed); the learner's inputs on the curve
FUNCTION, DERIVATIVE, INPUTS = BLUE, VERMILLION, ORANGE

# The computational graph (Graphviz): gradients, the node being processed, fills
GRAD = POSITIVE  # the gradient numbers, under the values in INK
CURRENT = "#e65100"  # the node being processed and its input edges (thick outline)
CURRENT_FILL = "#ffe08a"
DONE_FILL = "#fde7e7"  # nodes backward has already passed
INPUT_FILL = "#e3eefa"

# A point that is highlighted on a picture (the centre of mass of a digit)
MARK = VERMILLION
MINIMUM = "gold"  # the optimizers' map: the minimum's star

# Tints a figure fills regions with, over white: the perceptron's sides, the playground's
# regions at their strongest
REGION_ALPHA = 0.55

# The groups the colour-blind test checks: name -> colours that must stay apart
GROUPS: dict[str, tuple[str, ...]] = {
    "sign": SIGN,
    "classes": CLASSES,
    "optimizers": tuple(OPTIMIZERS.values()),
    "batches": tuple(BATCHES.values()),
    "train_test": (TRAIN, TEST),
    "right_wrong": (RIGHT, WRONG, LIGHT),
    "pair": PAIR,
    "dtypes": tuple(DTYPES.values()),
    "dimensions": tuple(DIMENSIONS.values()),
    "gate_lines": tuple(GATE_LINES.values()),
    "function": (FUNCTION, DERIVATIVE),
    "grad_value": (INK, GRAD),
}
# Groups of more than three colours: checked against a lower threshold, their members
# differ in dash or symbol as well
CATEGORICAL = ("optimizers",)


def hex_colours() -> dict[str, str]:
    """Every named hex colour of this module: name -> '#rrggbb'."""
    return {k: v for k, v in globals().items()
            if k.isupper() and isinstance(v, str) and v.startswith("#")}
