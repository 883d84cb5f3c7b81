"""viz.optimizers: the race map, the loss curves and the smoothing, from engine output; the
data the live charts send (race_data, curves_data), as the figures hold it and as it grows."""

import math

import numpy as np
import pytest

from engine.optimizers import SGD, Adam
from lessons.optimizers import SURFACES, Race, RaceConfig, race
from tests.live_messages import points
from ui.live_chart import _Sent, diff
from viz import optimizers as vz
from viz.common import COLORS, GREY, smooth

LABELS = {"x": "x", "y": "y", "z": "f", "start": "start", "minimum": "min", "flew_off": "gone"}


def test_each_optimizer_keeps_its_colour():
    assert [vz.color_of(n) for n in vz.ORDER] == list(COLORS[:6])
    assert vz.color_of("other") == GREY


def test_smooth_is_an_exponential_moving_average():
    """The MNIST race smooths its noisy mini-batch losses with viz.common.smooth."""
    assert smooth([1.0, 3.0], alpha=0.5).tolist() == [1.0, 2.0]
    assert smooth([2.0] * 5).tolist() == [2.0] * 5
    assert len(smooth([])) == 0
    with pytest.raises(ValueError, match="alpha"):
        smooth([1.0], alpha=0)


def test_race_figure_draws_every_path_start_and_minimum():
    bowl = SURFACES["bowl"]
    paths = race(bowl, {"SGD": SGD(lr=0.95), "Adam": Adam(lr=0.3)}, bowl.start, 10)
    xs, ys, z = bowl.grid(30)
    shown = {n: (p.xs, p.ys, False) for n, p in paths.items()}
    fig = vz.race_figure(xs, ys, z, shown, bowl.start, bowl.minimum, LABELS)
    names = [tr.name for tr in fig.data]
    assert {"SGD", "Adam", "start", "min"} <= set(names)
    sgd = next(tr for tr in fig.data if tr.name == "SGD")
    assert list(sgd.x) == paths["SGD"].xs and sgd.line.color == vz.color_of("SGD")
    assert list(fig.layout.xaxis.range) == [-10, 10]


def test_race_figure_marks_a_flown_off_path_and_skips_a_missing_minimum():
    saddle = SURFACES["saddle"]
    xs, ys, z = saddle.grid(20)
    fig = vz.race_figure(xs, ys, z, {"SGD": ([0.0, 1.0], [0.0, 1.0], True)}, saddle.start,
                         saddle.minimum, LABELS)
    assert "min" not in [tr.name for tr in fig.data]  # a saddle has no minimum
    now = next(tr for tr in fig.data if tr.text is not None)  # where each optimizer is now
    assert list(now.marker.symbol) == ["x"] and list(now.x) == [1.0]
    assert list(now.text) == ["SGD: gone"] and list(now.marker.color) == [vz.color_of("SGD")]


def test_log_scale_contours_show_log1p():
    rosen = SURFACES["rosenbrock"]
    xs, ys, z = rosen.grid(10)
    fig = vz.race_figure(xs, ys, z, {}, rosen.start, rosen.minimum, LABELS, log_scale=True)
    assert np.allclose(np.asarray(fig.data[0].z, dtype=float), np.log1p(z), rtol=1e-6)


def test_curves_figure_one_line_per_name_with_crosses_and_log_axes():
    fig = vz.curves_figure({"SGD": ([0, 1, 2], [3.0, 2.0, 1.0]), "mine": ([1, 2], [1.0, 0.5])},
                           {"x": "step", "y": "loss"}, ends={"SGD": True}, log_x=True,
                           colors={"mine": "#000000"})
    lines = [tr for tr in fig.data if tr.mode == "lines"]
    assert [tr.name for tr in lines] == ["SGD", "mine"]
    assert lines[1].line.color == "#000000"
    crosses = [tr for tr in fig.data if tr.mode == "markers"]
    assert len(crosses) == 1 and list(crosses[0].y) == [1.0]
    assert fig.layout.yaxis.type == "log" and fig.layout.xaxis.type == "log"
    assert not math.isnan(lines[0].y[-1])


def test_batch_figures_one_colour_per_way_and_the_start_at_one_update():
    runs = {"full": ([0, 300], [0, 1], [1.1, 1.0]), "sgd": ([0, 300], [0, 300], [1.1, 0.7])}
    labels = {"full": "batch", "sgd": "SGD (B = 1)", "samples": "samples", "updates": "updates",
              "loss": "loss"}
    by_samples, by_updates = vz.batch_figures(runs, labels)
    assert [tr.name for tr in by_samples.data] == ["batch", "SGD (B = 1)"]
    assert [tr.line.color for tr in by_updates.data] == [vz.BATCH_COLORS["full"],
                                                         vz.BATCH_COLORS["sgd"]]
    assert list(by_samples.data[1].x) == [0, 300]
    assert list(by_updates.data[1].x) == [1, 300]  # 0 updates sits at 1 on the log axis
    assert by_updates.layout.xaxis.type == "log" and by_samples.layout.xaxis.type == "linear"
    assert by_updates.layout.xaxis.title.text == "updates"
    assert by_samples.layout.legend.y == 1.02  # legend on top


def _arrays_of(trace, data):
    """Each key of `data` (a path such as 'marker.size' too) read back from the trace."""
    for key, value in data.items():
        held = trace
        for part in key.split("."):
            held = held[part]
        if isinstance(value, str | int | float):
            assert held == value, key
        else:
            assert np.asarray(held).tolist() == np.asarray(value).tolist(), key


def _sent(data) -> _Sent:
    sent = _Sent(signature=None)
    sent.traces = [dict(tr) for tr in data]
    sent.lengths = [[len(tr.get("x", ()))] * 2 for tr in data]
    return sent


def _race_data(r: Race) -> list[dict]:
    s = r.surface
    return vz.race_data(*r.grid, r.shown(), r.start, s.minimum, LABELS, log_scale=s.log_scale)


@pytest.mark.parametrize("surface", ["bowl", "saddle", "rosenbrock"])
def test_race_data_is_what_the_race_figure_holds(surface):
    r = Race.build(RaceConfig(surface, steps=20, racers=("SGD", "Adam")))
    r.k = 7
    s = r.surface
    fig = vz.race_figure(*r.grid, r.shown(), r.start, s.minimum, LABELS, log_scale=s.log_scale)
    data = _race_data(r)
    assert len(data) == len(fig.data)
    for trace, d in zip(fig.data, data, strict=True):
        _arrays_of(trace, d)
    assert data[0]["z"].dtype == np.float32  # the contours: 4 bytes a value
    sgd = data[1]
    assert len(sgd["x"]) == 8 and list(sgd["x"]) == r.paths["SGD"].xs[:8]


def test_the_race_data_grows_by_new_points_and_moves_the_markers_only():
    """What a live chart sends from one tick of the race to the next: the new points of each
    path and of each loss curve (one extend), where the optimizers are now (one restyle of
    one trace), never the contours or the whole paths again."""
    r = Race.build(RaceConfig("bowl", steps=20, racers=("SGD", "Momentum", "Adam")))
    r.restart()
    r.advance(ticks=10)
    sent, loss_sent = _sent(_race_data(r)), _sent(vz.curves_data(
        r.curves(), ends={n: r.gone(n) for n in r.paths}))
    r.advance(ticks=10)
    message = diff(sent, _race_data(r))
    assert message["extend"]["traces"] == [1, 2, 3]  # after the contours: each path
    assert points(message["extend"]["x"][0]) == pytest.approx(r.paths["SGD"].xs[3:5], rel=1e-6)
    assert [m["trace"] for m in message["restyle"]] == [4]  # where they are now, all three
    assert set(message["restyle"][0]["props"]) == {"x", "y"}
    message = diff(loss_sent, vz.curves_data(r.curves(), ends={n: r.gone(n) for n in r.paths}))
    assert message["restyle"] is None
    assert message["extend"]["traces"] == [0, 2, 4]  # the lines; the crosses stay empty


def test_a_path_that_flies_off_gets_its_cross_without_a_new_trace():
    r = Race.build(RaceConfig("bowl", lr_scale=100.0, steps=20, racers=("SGD", "Adam")))
    at = r.paths["SGD"].diverged_at
    assert at is not None
    r.k = at - 1
    ends = {n: r.gone(n) for n in r.paths}
    before, loss_before = _race_data(r), vz.curves_data(r.curves(), ends=ends)
    now = 3  # the contours, two paths, then where they are now
    assert before[now]["marker.symbol"][0] == "circle" and len(loss_before[1]["x"]) == 0
    sent, loss_sent = _sent(before), _sent(loss_before)
    r.k = at
    ends = {n: r.gone(n) for n in r.paths}
    after, loss_after = _race_data(r), vz.curves_data(r.curves(), ends=ends)
    assert len(after) == len(before) and len(loss_after) == len(loss_before)
    assert after[now]["marker.symbol"][0] == "x" and after[now]["marker.size"][0] == 16
    assert after[now]["text"][0] == "SGD: gone"
    message = diff(sent, after)
    assert {"marker.symbol", "marker.size", "text"} <= set(
        next(m["props"] for m in message["restyle"] if m["trace"] == now))
    message = diff(loss_sent, loss_after)
    assert 1 in message["extend"]["traces"]  # the cross: one point where it flew off
    assert list(loss_after[1]["x"]) == [at - 1]


def test_curves_data_is_what_the_curves_figure_holds():
    curves = {"SGD": ([0, 1, 2], [3.0, 2.0, 1.0]), "Adam": ([0, 1], [1.0, 0.5])}
    ends = {"SGD": True, "Adam": False}
    fig = vz.curves_figure(curves, {"x": "step", "y": "loss"}, ends=ends)
    data = vz.curves_data(curves, ends=ends)
    assert len(data) == len(fig.data) == 4  # each line, then its cross (empty: not ended)
    for trace, d in zip(fig.data, data, strict=True):
        _arrays_of(trace, d)
    assert data[0]["x"].dtype == np.int32  # steps: 4 bytes a point
    assert list(data[1]["y"]) == [1.0] and len(data[3]["x"]) == 0
    assert len(vz.curves_data(curves)) == 2  # no ends: lines only


def test_curves_data_of_a_longer_run_starts_with_the_shorter_ones():
    """The MNIST race's smoothed losses: each tick's curve starts with the last tick's, so
    a live chart sends only the new points."""
    losses = list(np.linspace(2.3, 0.3, 40) + 0.1 * np.sin(np.arange(40)))
    short = vz.curves_data({"SGD": (range(25), smooth(losses[:25]))}, ends={"SGD": False})
    long = vz.curves_data({"SGD": (range(40), smooth(losses))}, ends={"SGD": False})
    assert np.array_equal(long[0]["x"][:25], short[0]["x"])
    assert np.array_equal(long[0]["y"][:25], short[0]["y"])
    message = diff(_sent(short), long)
    assert message["restyle"] is None and message["extend"]["start"] == [25]
