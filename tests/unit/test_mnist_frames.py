"""The MNIST live view's frames (ui/mnist_view.py): after each chunk the page notes where
the curves stood, and the next run of the view sends those states, each the curve's first n
points, for the browser to play one after another (ui.live_chart's frames)."""

from __future__ import annotations

import numpy as np
import pytest

from engine.trainer import BoundedSeries
from ui import mnist_view as mv
from viz import mnist as vz

STEPS = np.arange(1, 31)
LOSSES = 2.3 * np.exp(-STEPS / 10) + 0.05 * np.sin(STEPS)  # a noisy, falling loss


def traces(n: int) -> list[dict]:
    """The loss chart's traces when the run had trained n steps."""
    return vz.loss_data(STEPS[:n], LOSSES[:n], max_points=2000)


def test_a_frame_is_the_curves_prefix_and_the_last_is_the_current_state():
    now = traces(30)
    frames = mv._frames(now, [((10, 1), (10, 1)), ((20, 1), (20, 1))], ((30, 1), (30, 1)))
    assert [len(f[0]["x"]) for f in frames] == [10, 20, 30]
    assert frames[-1] is now
    # the moving average of a prefix is the prefix of the moving average
    for frame in frames:
        n = len(frame[0]["x"])
        for got, want in zip(frame, traces(n), strict=True):
            np.testing.assert_array_equal(got["x"], want["x"])
            np.testing.assert_allclose(got["y"], want["y"], rtol=1e-6)


def test_marks_from_before_the_series_was_thinned_are_dropped():
    series = BoundedSeries(limit=8)
    for step in range(1, 8):
        series.append(step, 1.0 / step)
    before = mv._where(series)
    series.append(8, 0.1)  # full: every other point dropped, the stride doubles
    assert mv._where(series)[1] == 2
    now = vz.loss_data(series.x, series.y, max_points=8)
    frames = mv._frames(now, [(before, before)], (mv._where(series),) * 2)
    assert frames == [now]  # the old length means other points now


def test_marks_of_another_shape_or_longer_than_now_are_dropped():
    now = traces(10)
    assert mv._frames(now, [((5, 1),)], ((10, 1), (10, 1))) == [now]  # one trace, not two
    assert mv._frames(now, [((12, 1), (12, 1))], ((10, 1), (10, 1))) == [now]


def mark(at: float) -> mv._Mark:
    return mv._Mark("run", at, (1, 1), ())


@pytest.mark.parametrize(("times", "spacing"), [
    ([0.0, 0.1, 0.2, 0.3], 0.1),  # as far apart as the chunks ended
    ([0.0, 0.01, 0.02], mv.FRAME_S_RANGE[0]),  # never closer than the range's low end
    ([0.0, 1.0, 2.0], mv.FRAME_S_RANGE[1]),  # nor further than its high end
])
def test_frames_play_as_far_apart_as_their_chunks_ended(times, spacing):
    assert mv._frame_s([mark(t) for t in times]) == pytest.approx(spacing)


def test_one_mark_or_none_plays_at_a_default_pace():
    low, high = mv.FRAME_S_RANGE
    assert low <= mv._frame_s([]) <= high
    assert mv._frame_s([mark(0.0)]) == mv._frame_s([])
