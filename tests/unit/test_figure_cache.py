"""ui.figure_cache: a chart from the cache is the chart built fresh, nobody can change a cached
one, the cache stays within its bounds, and a class asking for the same chart at once builds
it once. Also pins the Streamlit and Plotly internals SpecFigure relies on."""

from __future__ import annotations

import json
import threading
import time

import numpy as np
import plotly
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

from ui import figure_cache as fc
from ui.chart_text import chart_info, data_table, summary, trace_arrays
from viz import mnist as vz
from viz.theme import style_figure

LABELS = {"x": "digit", "y": "count"}


def counts_figure(counts=(5, 7, 6)) -> go.Figure:
    return style_figure(vz.class_counts_figure(np.array(counts), LABELS), height=320)


def grid_figure() -> go.Figure:
    images = np.arange(4 * 784, dtype=np.uint8).reshape(4, 784)
    return style_figure(vz.digit_grid(images, ["1", "2", "3", "4"], cols=2))


def chart(size: int) -> fc.Chart:
    """A chart of about `size` bytes (its spec), for the bounds."""
    return fc.Chart("x" * size, chart_info(go.Figure()), ())


# ---------------------------------------------------------------- what Streamlit is given


def test_plotly_trusts_a_spec_figure_and_sends_its_spec_unchanged(monkeypatch):
    """st.plotly_chart (Streamlit 1.67) calls plotly.tools.return_figure_from_figure_or_data,
    which takes a Plotly figure's to_dict() as valid, then plotly.io.to_json(..., validate=
    False). If a Plotly version validated it again (go.Figure(**dict), as slow as building
    the figure), or changed the JSON, this fails."""
    fig = counts_figure()
    spec = fc.finished(fig).spec

    def no_validation(*args, **kwargs):
        raise AssertionError("the cached spec was validated again")

    monkeypatch.setattr(plotly.graph_objs, "Figure", no_validation)
    figure = plotly.tools.return_figure_from_figure_or_data(fc.SpecFigure(spec),
                                                            validate_figure=True)
    assert figure == json.loads(spec)
    assert pio.to_json(figure, validate=False) == spec


def _chart_script(cached: bool) -> None:
    import numpy as np
    import streamlit as st

    from ui import figure_cache as fc
    from viz import mnist as vz
    from viz.theme import install, style_figure

    install()
    fig = style_figure(vz.class_counts_figure(np.array([5, 7, 6]), {"x": "digit", "y": "n"}),
                       height=320)
    st.plotly_chart(fc.SpecFigure(fc.finished(fig).spec) if cached else fig,
                    key="counts", theme=None, config={"displaylogo": False})


def test_streamlit_sends_a_spec_figure_as_the_figure_it_was_made_from():
    """The same spec and element id through st.plotly_chart: the browser sees the same
    chart, and keeps its state across reruns."""
    protos = []
    for cached in (False, True):
        at = AppTest.from_function(_chart_script, args=(cached,), default_timeout=30).run()
        assert not at.exception
        protos.append(at.get("plotly_chart")[0].proto)
    fresh, cached = protos
    assert fresh.spec == cached.spec
    assert fresh.id == cached.id
    assert json.loads(cached.spec)["data"][0]["type"] == "bar"


def test_each_call_gets_a_dict_of_its_own():
    figure = fc.SpecFigure(fc.finished(counts_figure()).spec)
    first = figure.to_dict()
    first["layout"]["height"] = 1
    first["data"].clear()
    assert figure.to_dict()["layout"]["height"] == 320
    assert figure.to_dict()["data"]


# ---------------------------------------------------------------- the text alternative


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("make", [counts_figure, grid_figure])
def test_the_cached_text_alternative_is_the_fresh_one(make, lang):
    fig = make()
    cached = fc.finished(fig)
    fresh = trace_arrays(fig)
    assert cached.info == chart_info(fig)
    assert summary(cached.info, cached.arrays, lang) == summary(chart_info(fig), fresh, lang)
    table, expected = data_table(cached.info, cached.arrays, lang), data_table(
        chart_info(fig), fresh, lang)
    assert (table is None) == (expected is None)
    if expected is not None:
        assert table.equals(expected)


def test_nobody_can_change_a_cached_charts_arrays():
    cached = fc.finished(counts_figure())
    y = cached.arrays[0]["y"]
    assert isinstance(y, np.ndarray) and not y.flags.writeable
    with pytest.raises(ValueError):
        y[0] = 99
    with pytest.raises(TypeError):
        cached.arrays[0]["y"] = None
    fig = go.Figure(go.Scatter(x=[1, 2], y=[[3], [4]]))
    frozen = fc.finished(fig).arrays[0]
    assert frozen["x"] == (1, 2) and frozen["y"] == ((3,), (4,))


# ---------------------------------------------------------------- keys


def test_a_digest_follows_content_and_only_content():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    same = fc.digest((a.copy(), ["1", "2"], {"x": "digit"}))
    assert fc.digest((a, ["1", "2"], {"x": "digit"})) == same
    for other in [(a + 1, ["1", "2"], {"x": "digit"}),
                  (a.astype(np.float64), ["1", "2"], {"x": "digit"}),
                  (a.reshape(3, 2), ["1", "2"], {"x": "digit"}),
                  (a, ["2", "1"], {"x": "digit"}),
                  (a, ("1", "2"), {"x": "digit"}),
                  (a, ["1", "2"], {"x": "숫자"}),
                  (a, [1, 2], {"x": "digit"})]:
        assert fc.digest(other) != same
    assert fc.digest(1) != fc.digest(1.0) != fc.digest("1")


def test_something_without_a_content_digest_is_refused():
    with pytest.raises(TypeError):
        fc.digest([object()])
    with pytest.raises(TypeError):
        fc.digest(np.array([object()]))


# ---------------------------------------------------------------- the cache


def test_the_cache_keeps_at_most_its_entries_least_recently_used_out_first():
    cache = fc.FigureCache(max_entries=3, max_bytes=10**6)
    for k in "abc":
        cache.get(k, lambda: chart(10))
    cache.get("a", lambda: pytest.fail("'a' is cached"))  # 'a' used last: 'b' goes first
    for k in "de":
        cache.get(k, lambda: chart(10))
    assert len(cache) == 3
    assert [k in cache for k in "abcde"] == [True, False, False, True, True]


def test_the_cache_keeps_at_most_its_bytes():
    cache = fc.FigureCache(max_entries=100, max_bytes=1000)
    for k in range(10):
        cache.get(k, lambda: chart(300))
    assert len(cache) == 3 and cache.bytes == 900
    big = cache.get("big", lambda: chart(5000))  # drawn, but never kept: it would be alone
    assert big.size == 5000 and "big" not in cache and len(cache) == 3
    assert cache.bytes == 900


def test_a_chart_asked_for_by_many_at_once_is_built_once():
    cache = fc.FigureCache()
    built, start = [], threading.Barrier(8)

    def build():
        built.append(1)
        time.sleep(0.2)  # long enough for every other thread to ask meanwhile
        return chart(10)

    results = []

    def learner():
        start.wait()
        results.append(cache.get("same", build))

    threads = [threading.Thread(target=learner) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1
    assert len(results) == 8 and all(r is results[0] for r in results)
    assert (cache.misses, cache.hits) == (1, 7)


def test_a_failed_build_is_not_kept_and_the_next_asker_builds_it():
    cache = fc.FigureCache()

    def broken():
        raise ValueError("bad data")

    with pytest.raises(ValueError):
        cache.get("k", broken)
    assert "k" not in cache
    assert cache.get("k", lambda: chart(10)).size == 10
