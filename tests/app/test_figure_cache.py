"""The MNIST page's default charts drawn from ui.figure_cache: the browser gets the same page
as with every figure built fresh (the perceptron page's too); each language, slide mode and
setting gets its own entry; and a learner's trained network is drawn for that learner only."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.helpers import open_lesson
from ui import figure_cache

PAGE = "app_pages/mnist.py"
CHARTS = 5  # the default view's: samples, class counts, mean digits, pixel values, chain


@pytest.fixture(autouse=True)
def empty_cache():
    figure_cache.CACHE.clear()
    yield
    figure_cache.CACHE.clear()


def charts(at: AppTest) -> list[tuple[str, str, str]]:
    """What the browser gets of each chart: its spec, its config and its element id."""
    return [(c.proto.spec, c.proto.config, c.proto.id) for c in at.get("plotly_chart")]


def chain_spec(at: AppTest) -> str:
    """The weight chain's spec (Streamlit ends an element's id with its key)."""
    return next(c.proto.spec for c in at.get("plotly_chart")
                if c.proto.id.endswith("-mnist.chart.chain"))


def page(lang: str, **params: str) -> AppTest:
    return open_lesson(PAGE, lang, timeout=120, **params)


@pytest.mark.parametrize(("lesson", "lang", "params"), [
    (PAGE, "en", {}), (PAGE, "ko", {"slides": "1"}), ("app_pages/perceptron.py", "en", {})])
def test_charts_from_the_cache_are_the_charts_built_fresh(monkeypatch, lesson, lang, params):
    monkeypatch.setattr(figure_cache, "ENABLED", False)
    fresh = open_lesson(lesson, lang, timeout=120, **params)
    assert len(figure_cache.CACHE) == 0
    monkeypatch.setattr(figure_cache, "ENABLED", True)
    filled = open_lesson(lesson, lang, timeout=120, **params)  # the first learner builds them
    built = len(figure_cache.CACHE)
    assert built >= (CHARTS if lesson == PAGE else 1) and figure_cache.CACHE.misses == built
    served = open_lesson(lesson, lang, timeout=120, **params)  # the next one is given them
    assert (figure_cache.CACHE.hits, figure_cache.CACHE.misses) == (built, built)
    assert len(charts(fresh)) >= built
    assert charts(served) == charts(filled) == charts(fresh)
    # the text alternatives too
    assert [c.value for c in served.caption] == [c.value for c in fresh.caption]


def test_each_language_slide_mode_and_setting_has_its_own_entries():
    page("en")
    assert len(figure_cache.CACHE) == CHARTS
    page("ko")
    assert len(figure_cache.CACHE) == 2 * CHARTS
    page("en", slides="1")
    assert len(figure_cache.CACHE) == 3 * CHARTS
    at = page("en", digit="7")  # another test digit: its own chain, the rest as before
    assert len(figure_cache.CACHE) == 3 * CHARTS + 1
    at.number_input(key="mnist.digit").set_value(8).run()
    assert len(figure_cache.CACHE) == 3 * CHARTS + 2
    page("en", h1="50")  # another network: its own chain
    assert len(figure_cache.CACHE) == 3 * CHARTS + 3


def test_a_learners_trained_network_is_drawn_for_them_only():
    trained = page("en")
    untrained_chain = chain_spec(trained)
    entries = len(figure_cache.CACHE)
    trained.button(key="mnist.train.step").click().run()
    assert not trained.exception
    trained.number_input(key="mnist.digit").set_value(3).run()  # the chain drawn again
    assert not trained.exception
    assert chain_spec(trained) != untrained_chain
    assert len(figure_cache.CACHE) == entries  # nothing of the trained network kept
    other = page("en", digit="3")
    assert other.query_params["digit"] == "3"
    fresh_chain = chain_spec(other)
    assert fresh_chain != chain_spec(trained)
    assert len(figure_cache.CACHE) == entries + 1  # the untrained network's chain for digit 3
