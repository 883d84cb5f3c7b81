"""viz.optimizers: the race map, the loss curves and the smoothing, from engine output."""

import math

import numpy as np
import pytest

from engine.optimizers import SGD, Adam
from lessons.optimizers import SURFACES, race
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
    end = next(tr for tr in fig.data if tr.legendgroup == "SGD" and tr.showlegend is False)
    assert end.marker.symbol == "x" and list(end.x) == [1.0]


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
