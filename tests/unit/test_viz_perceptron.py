"""viz.perceptron: the figures carry the traces and shapes the lesson relies on."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.datasets import logic_gate
from lessons.perceptron import GATES, Perceptron, xor_from_gates
from tests.figure_arrays import trace_arrays
from viz import common
from viz import perceptron as vz

LINE_LABELS = {"x1": "x1", "x2": "x2", "side1": "one", "side0": "zero", "line": "line",
               "target0": "t0", "target1": "t1"}
weights = st.floats(-3, 3, allow_nan=False)


def names(fig: go.Figure) -> list[str]:
    return [trace.name for trace in fig.data]


def polygon_area(poly) -> float:
    return vz._area(poly) if poly else 0.0


# ---------------------------------------------------------------- geometry


def test_colours_come_from_the_shared_palette():
    assert vz.rgba is common.rgba and vz.INK == common.INK
    assert vz.rgba("#1f77b4", 0.2) == "rgba(31,119,180,0.2)"
    fig = decision_figure(-2, -2, 3, "NAND")[0]
    assert fig.data[0].fillcolor == common.rgba(common.RED, 0.14)  # the y = 1 side
    assert fig.data[2].line.color == common.INK  # the decision line


def test_clip_half_plane_nand():
    """NAND's line x1 + x2 = 1.5 cuts the unit square: the corner (1, 1) is on the 0 side."""
    box = vz.square(0, 1)
    ones = vz.clip_half_plane(box, *GATES["NAND"], positive=True)
    zeros = vz.clip_half_plane(box, *GATES["NAND"], positive=False)
    assert polygon_area(zeros) == pytest.approx(0.125)
    assert polygon_area(ones) == pytest.approx(0.875)
    assert all(-2 * x - 2 * y + 3 <= 1e-12 for x, y in zeros)


def test_clip_half_plane_without_a_line():
    box = vz.square(-0.5, 1.5)
    assert polygon_area(vz.clip_half_plane(box, 0, 0, 1.0, True)) == pytest.approx(4.0)
    assert vz.clip_half_plane(box, 0, 0, 1.0, False) == []
    assert vz.clip_half_plane(box, 0, 0, -1.0, True) == []
    # b = 0: a = 0 everywhere, and step(0) = 0: all of it is the y = 0 side
    assert vz.clip_half_plane(box, 0, 0, 0.0, True) == []
    assert polygon_area(vz.clip_half_plane(box, 0, 0, 0.0, False)) == pytest.approx(4.0)


@settings(max_examples=60, deadline=None)
@given(weights, weights, weights)
def test_the_two_sides_fill_the_square(w1, w2, b):
    box = vz.square(-0.5, 1.5)
    total = (polygon_area(vz.clip_half_plane(box, w1, w2, b, True))
             + polygon_area(vz.clip_half_plane(box, w1, w2, b, False)))
    assert total == pytest.approx(4.0, abs=1e-9)


# ---------------------------------------------------------------- the perceptron figures


def decision_figure(w1, w2, b, gate="AND"):
    p = Perceptron(w1, w2, b)
    x, t = logic_gate(gate, np.float64)
    return vz.decision_line_figure(w1, w2, b, x, t, p.predict(x), p.decision_line(),
                                   LINE_LABELS), p, x, t


def test_decision_line_figure_nand():
    fig, p, x, t = decision_figure(*GATES["NAND"], gate="NAND")
    assert names(fig) == ["one", "zero", "line", "t1", "t0"]
    seg = p.decision_line()
    assert tuple(fig.data[2].x) == pytest.approx(seg.x1)
    assert tuple(fig.data[2].y) == pytest.approx(seg.x2)
    ones, zeros = fig.data[3], fig.data[4]
    assert len(ones.x) == 3 and len(zeros.x) == 1  # NAND is 1 on three inputs
    assert (zeros.x[0], zeros.y[0]) == (1.0, 1.0)
    assert all(text.endswith("✓") for text in (*ones.text, *zeros.text))
    assert fig.layout.yaxis.scaleanchor == "x"


def test_decision_line_figure_marks_wrong_rows():
    fig, *_ = decision_figure(*GATES["AND"], gate="XOR")
    texts = [*fig.data[3].text, *fig.data[4].text]
    assert sum(text.endswith("✗") for text in texts) == 3  # AND gets only (0, 0) of XOR


def test_decision_line_figure_without_line():
    fig, *_ = decision_figure(0, 0, 1)
    assert "line" not in names(fig)
    assert list(fig.data[1].x) == []  # nothing on the 0 side: step(1) = 1 everywhere


def test_errors_figure():
    fig = vz.errors_figure({"AND": np.array([2, 1, 0]), "XOR": np.array([3, 2, 2, 4])},
                           {"x": "epoch", "y": "errors"})
    assert names(fig) == ["AND", "XOR"]
    assert list(fig.data[0].x) == [1, 2, 3]
    assert list(fig.data[1].y) == [3, 2, 2, 4]
    assert fig.layout.xaxis.title.text == "epoch"


# ---------------------------------------------------------------- XOR from gates


def test_gates_diagram_shows_every_weight_and_bias():
    fig = vz.gates_diagram_figure(GATES, {
        "x1": "x1", "x2": "x2", "s1": "s1", "s2": "s2", "y": "y",
        "layer0": "in", "layer1": "L1", "layer2": "L2"})
    texts = [a.text for a in fig.layout.annotations]
    assert texts.count("-2") == 2 and texts.count("0.5") == 4
    for gate, b in (("NAND", "b = 3"), ("OR", "b = -0.2"), ("AND", "b = -0.7")):
        assert f"<b>{gate}</b><br>{b}" in texts
    nodes = fig.data[-1]
    assert list(nodes.text) == ["x1", "x2", "s1", "s2", "y"]
    assert sum(1 for tr in fig.data if tr.mode == "lines") == 6  # six edges


def test_xor_input_space_band_holds_the_xor_points():
    x, t = logic_gate("XOR", np.float64)
    nand, orr = Perceptron.gate("NAND"), Perceptron.gate("OR")
    fig = vz.xor_input_space_figure(
        x, t, {"NAND": GATES["NAND"], "OR": GATES["OR"]},
        {"NAND": nand.decision_line(), "OR": orr.decision_line()},
        {"x1": "x1", "x2": "x2", "band": "band", "NAND": "nand", "OR": "or",
         "target0": "t0", "target1": "t1"})
    assert names(fig) == ["band", "nand", "or", "t1", "t0"]
    band = list(zip(fig.data[0].x, fig.data[0].y, strict=True))
    # every corner of the band is on the 1 side of both lines (or on a line)
    for px, py in band:
        assert -2 * px - 2 * py + 3 >= -1e-9 and 0.5 * px + 0.5 * py - 0.2 >= -1e-9


def test_hidden_space_figure_groups_inputs_on_one_point():
    x, t = logic_gate("XOR", np.float64)
    _, h = xor_from_gates(x)
    fig = vz.hidden_space_figure(h, t, x, GATES["AND"], Perceptron.gate("AND").decision_line(),
                                 {"s1": "s1", "s2": "s2", "side1": "side", "line": "and",
                                  "target0": "t0", "target1": "t1"})
    assert names(fig) == ["side", "and", "t1", "t0"]
    ones = fig.data[2]
    assert set(zip(ones.x, ones.y, strict=True)) == {(1.0, 1.0)}  # (0,1) and (1,0) meet
    assert "x = (0, 1)<br>x = (1, 0)" in ones.text
    assert fig.layout.xaxis.title.text == "s1"


# ---------------------------------------------------------------- live training


def test_epoch_loss_figure():
    fig = vz.epoch_loss_figure([1, 2, 3], [0.3, 0.2, 0.1], {"x": "epoch", "y": "loss"})
    assert list(fig.data[0].y) == [0.3, 0.2, 0.1]
    assert fig.layout.yaxis.type == "log"
    fig = vz.epoch_loss_figure([1, 2], [1.0, 0.5], {"x": "epoch", "y": "loss"}, log_y=False)
    assert fig.layout.yaxis.type is None
    assert not hasattr(vz, "loss_figure")  # viz.mnist.loss_figure is another figure


def test_probability_map_figure():
    axis = np.linspace(-0.5, 1.5, 5)
    z = np.tile(np.linspace(0, 1, 5), (5, 1))  # y grows with x1: a vertical boundary
    x, t = logic_gate("XOR", np.float64)
    labels = {"x1": "x1", "x2": "x2", "z": "y", "boundary": "b", "target0": "t0",
              "target1": "t1"}
    fig = vz.probability_map_figure(axis, axis, z, x, t, labels)
    heat = fig.data[0]
    assert isinstance(heat, go.Heatmap) and np.asarray(heat.z).shape == (5, 5)
    assert (heat.zmin, heat.zmax) == (0, 1)
    assert isinstance(fig.data[1], go.Contour) and fig.data[1].contours.start == 0.5
    assert names(fig)[2:] == ["t1", "t0"]
    assert fig.layout.legend.orientation == common.LEGEND_TOP["orientation"]  # on top
    assert fig.data[1].visible is True
    flat = vz.probability_map_figure(axis, axis, np.full((5, 5), 0.3), x, t, labels)
    # nowhere y = 0.5: the contour stays (a live chart keeps its traces), hidden
    assert [type(tr) for tr in flat.data] == [type(tr) for tr in fig.data]
    assert flat.data[1].visible is False


def test_class_regions_figure():
    axis = np.linspace(-1, 1, 4)
    regions = np.array([[0, 0, 1, 1], [0, 1, 1, 2], [2, 2, 1, 1], [2, 2, 2, 0]])
    points = np.array([[0.0, 0.0], [0.5, 0.5], [-0.5, 0.2], [0.1, -0.3]])
    classes = np.array([0, 1, 2, 2])
    fig = vz.class_regions_figure(axis, axis, regions, points, classes, {"x1": "a", "x2": "b"},
                                  ["c0", "c1", "c2"])
    heat = fig.data[0]
    np.testing.assert_array_equal(np.asarray(heat.z), regions)
    assert (heat.zmin, heat.zmax) == (-0.5, 2.5)
    assert names(fig)[1:] == ["c0", "c1", "c2"]
    assert [len(tr.x) for tr in fig.data[1:]] == [1, 1, 2]


def test_hidden_space_labels_do_not_overlap():
    """A learned net's hidden points nearly coincide: one label names both inputs."""
    h = np.array([[0.93, 0.09], [0.1, 0.0], [1.0, 0.87], [0.92, 0.07]])
    x, t = logic_gate("XOR", np.float64)
    fig = vz.hidden_space_figure(h, t, x, (1.0, -1.0, -0.3), None,
                                 {"s1": "a", "s2": "b", "side1": "s", "line": "l",
                                  "target0": "t0", "target1": "t1"}, -0.1, 1.1)
    zeros = fig.data[-1]
    assert sorted(zeros.text) == ["", "x = (0, 0)<br>x = (1, 1)"]
    line = fig.data[1]  # no segment: the line's trace has no points (Plotly hides it)
    assert line.name == "l" and len(line.x) == len(line.y) == 0


# ---------------------------------------------------------------- the live figures' data


def test_epoch_loss_data_is_the_figures_and_grows_at_the_end():
    steps, losses = list(range(1, 8)), [0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1]
    data = vz.epoch_loss_data(steps, losses)
    trace_arrays(vz.epoch_loss_figure(steps, losses, {"x": "epoch", "y": "loss"}), data)
    assert data[0]["x"].dtype == np.int32  # whole steps: 4 bytes a point
    assert data[0]["y"].dtype == np.float64
    # a curve that grew: the earlier data is a prefix of the later, unchanged (no thinning)
    before = vz.epoch_loss_data(steps[:4], losses[:4])[0]
    for key in ("x", "y"):
        np.testing.assert_array_equal(data[0][key][:4], before[key])
    assert vz.epoch_loss_data([0.5, 1.5], [1.0, 2.0])[0]["x"].dtype == np.float64
    empty = vz.epoch_loss_data([], [])[0]
    assert len(empty["x"]) == len(empty["y"]) == 0
    with pytest.raises(ValueError, match="3 steps but 2 losses"):
        vz.epoch_loss_data([1, 2, 3], [0.1, 0.2])


def test_probability_map_data_is_the_figures():
    axis = np.linspace(-0.5, 1.5, 5)
    z = np.tile(np.linspace(0, 1, 5), (5, 1))
    x, t = logic_gate("XOR", np.float64)
    labels = {"x1": "x1", "x2": "x2", "z": "y", "boundary": "b", "target0": "t0",
              "target1": "t1"}
    data = vz.probability_map_data(z, x, t)
    trace_arrays(vz.probability_map_figure(axis, axis, z, x, t, labels), data)
    heat, contour, ones, zeros = data
    assert heat["z"].dtype == np.float32 and heat["z"].shape == (5, 5)
    assert contour["visible"] is True and contour["z"] is heat["z"]
    assert set(zip(ones["x"], ones["y"], strict=True)) == {(0.0, 1.0), (1.0, 0.0)}
    assert set(zip(zeros["x"], zeros["y"], strict=True)) == {(0.0, 0.0), (1.0, 1.0)}
    for flat in (0.3, 0.7):  # y never crosses 0.5: no boundary to show
        assert vz.probability_map_data(np.full((5, 5), flat), x, t)[1]["visible"] is False


def test_hidden_space_data_is_the_figures_with_or_without_a_line():
    x, t = logic_gate("XOR", np.float64)
    _, h = xor_from_gates(x)
    labels = {"s1": "s1", "s2": "s2", "side1": "side", "line": "and", "target0": "t0",
              "target1": "t1"}
    segment = Perceptron.gate("AND").decision_line()
    data = vz.hidden_space_data(h, t, x, GATES["AND"], segment)
    trace_arrays(vz.hidden_space_figure(h, t, x, GATES["AND"], segment, labels), data)
    side, line, ones, zeros = data
    assert side["x"][0] == side["x"][-1] and side["y"][0] == side["y"][-1]  # closed
    np.testing.assert_allclose(line["x"], segment.x1)
    assert ones["text"] == ["x = (0, 1)<br>x = (1, 0)", ""]
    # the network's own hidden points move, and its line may leave the square: the same
    # four traces, the line's without points
    moved = np.array([[0.93, 0.09], [0.1, 0.0], [1.0, 0.87], [0.92, 0.07]])
    data = vz.hidden_space_data(moved, t, x, (1.0, -1.0, -0.3), None, -0.1, 1.1)
    trace_arrays(vz.hidden_space_figure(moved, t, x, (1.0, -1.0, -0.3), None, labels,
                                        -0.1, 1.1), data)
    assert len(data) == 4 and len(data[1]["x"]) == 0
    np.testing.assert_array_equal(data[2]["x"], moved[[1, 2], 0])


def test_class_regions_data_is_the_figures():
    axis = np.linspace(-1, 1, 4)
    regions = np.array([[0, 0, 1, 1], [0, 1, 1, 2], [2, 2, 1, 1], [2, 2, 2, 0]])
    points = np.array([[0.0, 0.0], [0.5, 0.5], [-0.5, 0.2], [0.1, -0.3]])
    classes = np.array([0, 1, 2, 2])
    data = vz.class_regions_data(regions, points, classes, 3)
    trace_arrays(vz.class_regions_figure(axis, axis, regions, points, classes,
                                         {"x1": "a", "x2": "b"}, ["c0", "c1", "c2"]), data)
    assert data[0]["z"].dtype == np.int8  # one byte a cell
    assert [len(d["x"]) for d in data[1:]] == [1, 1, 2]
    with pytest.raises(ValueError, match=r"class indices in 0\.\.2"):
        vz.class_regions_data(regions + 1, points, classes, 3)
