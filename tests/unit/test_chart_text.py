"""ui.chart_text: every chart's one-line summary and its data table, in both languages."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from ui.chart_text import (
    MAX_CELLS,
    MAX_ROWS,
    chart_info,
    data_table,
    figure_summary,
    fmt,
    summary,
    tabular,
    trace_arrays,
    trend,
)


def curve(y, *, name="loss", x=None, mode="lines") -> go.Figure:
    fig = go.Figure(go.Scatter(x=x if x is not None else np.arange(1, len(y) + 1), y=y,
                               mode=mode, name=name))
    fig.update_xaxes(title="epoch")
    fig.update_yaxes(title="Loss")
    return fig


def test_a_falling_curve_says_its_last_value_where_and_falling():
    fig = curve([0.9, 0.5, 0.21], name="train")
    assert figure_summary(fig, "en") == "Loss — train: 0.21 at epoch 3, falling"
    assert figure_summary(fig, "ko") == "Loss — train: epoch 3에서 0.21, 내려가는 중"


def test_a_trace_named_as_the_chart_is_not_named_twice():
    assert figure_summary(curve([0.3, 0.2], name="loss"), "en") == \
        "Loss — 0.2 at epoch 2, falling"


def test_a_rising_and_a_flat_curve():
    assert figure_summary(curve([0.1, 0.4, 0.8, 0.95]), "en").endswith("0.95 at epoch 4, rising")
    assert figure_summary(curve([0.1, 0.4, 0.8, 0.95]), "ko").endswith("올라가는 중")
    flat = curve([2.0, 2.001, 1.999, 2.0])
    assert figure_summary(flat, "en").endswith("2 at epoch 4, flat")
    assert figure_summary(flat, "ko").endswith("거의 그대로")


def test_the_trend_is_read_over_the_last_points_only():
    # a long fall, then a rise over the last ten points: rising now
    y = np.r_[np.linspace(5, 1, 50), np.linspace(1, 2, 10)]
    assert trend(y) == "rising"
    assert trend([1.0]) is None and trend([]) is None
    assert trend([np.nan, 3.0, 2.0]) == "falling"  # gaps are skipped


def test_two_curves_and_a_curve_without_a_title():
    fig = go.Figure([go.Scatter(x=[0, 1], y=[3, 2], mode="lines", name="train"),
                     go.Scatter(x=[0, 1], y=[3, 4], mode="lines", name="test")])
    assert figure_summary(fig, "en") == \
        "train: 2 at x = 1, falling; test: 4 at x = 1, rising"
    assert figure_summary(fig, "ko") == \
        "train: x = 1에서 2, 내려가는 중; test: x = 1에서 4, 올라가는 중"


def test_a_heatmap_says_its_size_and_range():
    fig = go.Figure(go.Heatmap(z=[[1, 2, 3], [4, 5, 6.5]]))
    assert figure_summary(fig, "en") == "2×3 grid, values 1 to 6.5"
    assert figure_summary(fig, "ko") == "2×3 격자, 값 1 ~ 6.5"
    fig.update_xaxes(title="predicted")
    fig.update_yaxes(title="true")
    assert figure_summary(fig, "en") == "true by predicted — 2×3 grid, values 1 to 6.5"
    assert figure_summary(fig, "ko") == "predicted별 true — 2×3 격자, 값 1 ~ 6.5"


def test_bytes_that_stand_for_values_give_the_size_only():
    fig = go.Figure(go.Heatmap(z=np.array([[-128, 0], [5, 127]], dtype=np.int8)))
    assert figure_summary(fig, "en") == "2×2 grid"


def test_an_empty_figure_has_no_data_yet():
    assert figure_summary(go.Figure(), "en") == "no data yet"
    assert figure_summary(go.Figure(), "ko") == "아직 데이터가 없습니다"
    fig = curve([])
    assert figure_summary(fig, "en") == "Loss — no data yet"
    assert data_table(chart_info(fig), trace_arrays(fig), "en") is None
    assert not tabular(chart_info(fig), trace_arrays(fig))


def test_points_on_a_plane_are_counted_and_a_boundary_is_its_two_ends():
    fig = go.Figure([
        go.Scatter(x=[0, 1], y=[1.5, -0.1], mode="lines", name="line"),
        go.Scatter(x=[0, 1, 1], y=[0, 0, 1], mode="markers", name="class 0"),
        go.Scatter(x=[0], y=[1], mode="markers", name="class 1"),
        go.Scatter(x=[0, 1, 1, 0], y=[0, 0, 1, 1], mode="lines", fill="toself"),  # a fill
    ])
    fig.update_xaxes(title="x1")
    fig.update_yaxes(title="x2")
    assert figure_summary(fig, "en") == ("the x1–x2 plane — line: from (0, 1.5) to (1, -0.1); "
                                         "class 0: 3 points; class 1: 1 point")
    assert figure_summary(fig, "ko") == ("x1–x2 평면 — line: (0, 1.5)에서 (1, -0.1)까지; "
                                         "class 0: 점 3개; class 1: 점 1개")


def test_bars_say_the_highest_and_where():
    fig = go.Figure(go.Bar(x=["0", "1", "2"], y=[0.1, 0.7, 0.2], name="p"))
    assert figure_summary(fig, "en") == "p: highest 0.7 at 1 (3 bars)"
    across = go.Figure(go.Bar(y=["a", "b"], x=[3, 9], orientation="h", name="ms"))
    assert figure_summary(across, "ko") == "ms: 가장 큰 값 9 (b, 막대 2개)"


def test_images_name_their_captions():
    fig = go.Figure(go.Image(z=np.zeros((2, 2, 3))))
    fig.update_layout(annotations=[dict(text=str(d), x=d, y=0) for d in range(8)])
    assert figure_summary(fig, "en") == "8 images: 0, 1, 2, 3, 4, 5 and 2 more"
    assert figure_summary(fig, "ko") == "이미지 8개: 0, 1, 2, 3, 4, 5 외 2개"
    assert data_table(chart_info(fig), trace_arrays(fig), "en") is None


def test_a_live_charts_data_gives_the_same_summary_as_its_figure():
    fig = curve([0.9, 0.5], name="raw")
    info = chart_info(fig)
    data = [{"x": np.arange(1, 5), "y": np.array([0.9, 0.5, 0.3, 0.21], np.float32)}]
    assert summary(info, data, "en") == figure_summary(curve(data[0]["y"], name="raw"), "en")
    assert summary(info, data, "en") == "Loss — raw: 0.21 at epoch 4, falling"


def test_many_traces_are_cut_short():
    fig = go.Figure([go.Scatter(x=[0, 1], y=[k, k], mode="lines", name=f"t{k}")
                     for k in range(6)])
    text = figure_summary(fig, "en")
    assert text.endswith("; and 2 more") and "t3" in text and "t4" not in text


@pytest.mark.parametrize(("value", "text"), [
    (0.21345, "0.213"), (2.0, "2"), (60000, "60,000"), (1234.5, "1,234"), (3.2e-5, "3.20e-05"),
    (-0.5, "-0.5"), (np.float32(0.25), "0.25"), (float("nan"), "nan"), ("class 2", "class 2"),
])
def test_numbers_have_three_significant_digits(value, text):
    assert fmt(value) == text


def test_curves_that_share_x_are_one_table_thinned_to_the_cap():
    n = 1000
    x = np.arange(n)
    fig = go.Figure([go.Scatter(x=x, y=np.linspace(2, 0, n), mode="lines", name="raw"),
                     go.Scatter(x=x, y=np.linspace(2, 0.5, n), mode="lines", name="smooth")])
    fig.update_xaxes(title="step")
    frame = data_table(chart_info(fig), trace_arrays(fig), "en")
    assert list(frame.columns) == ["step", "raw", "smooth"]
    assert len(frame) == MAX_ROWS and frame.attrs["points"] == n
    assert frame.iloc[0].tolist() == ["0", "2", "2"]
    assert frame.iloc[-1].tolist() == ["999", "0", "0.5"]  # the last point is always there


def test_points_are_one_row_each_with_their_series():
    fig = go.Figure([go.Scatter(x=[0, 1], y=[0, 1], mode="markers", name="a"),
                     go.Scatter(x=[2], y=[3], mode="markers", name="b")])
    frame = data_table(chart_info(fig), trace_arrays(fig), "ko")
    assert frame.to_dict("records") == [{"계열": "a", "x": "0", "y": "0"},
                                        {"계열": "a", "x": "1", "y": "1"},
                                        {"계열": "b", "x": "2", "y": "3"}]


def test_a_small_heatmap_is_its_grid_and_a_big_one_has_no_table():
    fig = go.Figure(go.Heatmap(z=[[1, 2], [3, 4]], x=["p0", "p1"], y=["t0", "t1"]))
    fig.update_yaxes(title="true")
    frame = data_table(chart_info(fig), trace_arrays(fig), "en")
    assert frame.to_dict("records") == [{"true": "t0", "p0": "1", "p1": "2"},
                                        {"true": "t1", "p0": "3", "p1": "4"}]
    side = int(MAX_CELLS ** 0.5) + 1
    big = go.Figure(go.Heatmap(z=np.zeros((side, side))))
    assert not tabular(chart_info(big), trace_arrays(big))
    assert data_table(chart_info(big), trace_arrays(big), "en") is None
