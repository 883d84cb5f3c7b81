"""The precision section (seed 003's bit precision) under AppTest, in both languages: it is
drawn by ui.precision_view.precision_section() alone, as the layer zoo page calls it, and the
numbers in its tables are lessons.precision's."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import engine.datasets as datasets
from lessons import precision as lp
from ui.i18n import LANGS, tr
from viz import precision as vp

HANGUL = re.compile("[\uac00-\ud7a3]")


def section_script() -> None:
    """The section as the page runs it: the theme, the language from ?lang=, then the
    section inside a fragment."""
    import streamlit as st

    from ui.i18n import init_language
    from ui.precision_view import precision_section
    from viz.theme import install

    install()
    init_language()
    st.fragment(precision_section)()


def open_section(lang: str) -> AppTest:
    at = AppTest.from_function(section_script, default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table(at: AppTest, lang: str, row_key: str, **kwargs):
    """The table with a row labelled by `row_key`'s text: a row per measure, a column
    per type."""
    label = tr(lang, row_key, **kwargs)
    return next(df.value for df in at.dataframe if label in list(df.value.index))


def texts(at: AppTest) -> list[str]:
    return ([m.value for m in at.markdown] + [c.value for c in at.caption]
            + [h.value for h in at.subheader])


@pytest.mark.parametrize("lang", LANGS)
def test_the_section_shows_its_tables_and_figure(lang):
    at = open_section(lang)
    assert [h.value for h in at.subheader] == [tr(lang, "precision.title")]
    assert len(at.dataframe) == 4
    assert len(at.get("plotly_chart")) == 2
    cost = table(at, lang, "precision.col_params_kb")
    assert list(cost.columns) == list(lp.DTYPES)
    assert list(cost.loc[tr(lang, "precision.col_bits")]) == ["64", "32", "16"]
    setup = tr(lang, "precision.setup", sizes="784-50-10", n=lp.MAX_BATCH, lr=0.1)
    assert setup in [c.value for c in at.caption]
    if lang == "ko":
        assert all(HANGUL.search(text) for text in texts(at)), texts(at)


def test_the_tables_are_the_lessons_numbers(mnist_result):
    at = open_section("en")
    result = mnist_result
    shown = table(at, "en", "precision.col_loss_diff")
    labels = [tr("en", k) for k in (
        "precision.col_loss", "precision.col_loss_diff", "precision.col_scores_diff",
        "precision.col_probs_diff", "precision.col_weight_diff", "precision.col_step_error",
        "precision.col_lost")]
    assert shown.equals(vp.diff_table(result, labels))
    assert list(shown.loc[labels[1:6], "float64"]) == ["0"] * 5
    assert shown.loc[labels[0], "float32"] == f"{result.rows['float32'].loss:.7f}"
    cost = table(at, "en", "precision.col_params_kb")
    assert list(cost.loc[tr("en", "precision.col_params_kb")]) == [
        vp.kb(r.param_bytes) for r in result.rows.values()]


def test_float16_facts_are_shown():
    at = open_section("en")
    facts = table(at, "en", "precision.col_exp12")
    f16 = facts["float16"]
    assert f16[tr("en", "precision.col_max")] == "65,504"
    assert f16[tr("en", "precision.col_exp12")] == "inf"
    assert f16[tr("en", "precision.col_one_plus", small=lp.SMALL_ADDEND)] == "1"


@pytest.fixture(scope="module")
def mnist_result() -> lp.Comparison:
    (x, t), _ = datasets.load_mnist(keep_uint8=True)
    return lp.compare(lp.PrecisionConfig(repeats=1), x, t)  # all but the times


def overflow_rows(at: AppTest, lang: str):
    """The overflow table: a row per class, a column per way of computing."""
    return next(df.value for df in at.dataframe
                if tr(lang, "precision.overflow_col_scores") in list(df.value.columns))


@pytest.mark.parametrize("lang", LANGS)
def test_the_largest_score_slider_breaks_and_mends_the_naive_softmax(lang, mnist_result):
    at = open_section(lang)
    limit = lp.float_facts()["float16"].exp_limit
    scores = mnist_result.scores64[lp.widest_sample(mnist_result.scores64)]
    assert at.slider(key="precision_largest").value == 12
    rows = overflow_rows(at, lang)
    assert "nan" in list(rows[tr(lang, "precision.overflow_col_naive16")])
    assert "inf" in list(rows[tr(lang, "precision.overflow_col_exp16")])
    assert "nan" not in list(rows[tr(lang, "precision.overflow_col_shifted16")])
    o = lp.softmax_overflow(scores, 12.0)
    said = tr(lang, "precision.overflow_broken", n_inf=o.n_inf, limit=limit,
              error=o.shifted_error)
    assert said in [m.value for m in at.markdown]

    at.slider(key="precision_largest").set_value(5).run()
    assert not at.exception
    rows = overflow_rows(at, lang)
    assert "nan" not in list(rows[tr(lang, "precision.overflow_col_naive16")])
    o = lp.softmax_overflow(scores, 5.0)
    said = tr(lang, "precision.overflow_fine", largest=5, limit=limit, error=o.shifted_error,
              over=12)
    assert said in [m.value for m in at.markdown]


def test_the_spiral_network_and_a_smaller_batch():
    at = open_section("ko")
    at.radio(key="precision_net").set_value("spiral").run()
    at.select_slider(key="precision_batch").set_value(10).run()
    assert not at.exception
    setup = tr("ko", "precision.setup", sizes="2-10-3", n=10, lr=0.1)
    assert setup in [c.value for c in at.caption]
    classes = [tr("ko", "precision.col_class", k=k) for k in range(3)]
    assert list(overflow_rows(at, "ko").index) == classes
    cost = table(at, "ko", "precision.col_params_kb")
    assert list(cost.loc[tr("ko", "precision.col_params_kb")]) == ["0.5", "0.25", "0.13"]


def test_the_figures_have_a_bar_per_type_and_series():
    at = open_section("en")
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    names = [[d["name"] for d in spec["data"]] for spec in specs]
    assert names == [[tr("en", "precision.fig_params"), tr("en", "precision.fig_acts")],
                     [tr("en", "precision.fig_forward"), tr("en", "precision.fig_step")]]
    assert all(list(d["x"]) == list(lp.DTYPES) for spec in specs for d in spec["data"])
    assert specs[1]["layout"]["yaxis"]["type"] == "log"


@pytest.fixture
def no_mnist(tmp_path, monkeypatch):
    """MNIST files missing: the section says so once and keeps the spiral network."""
    from ui.data import mnist_data

    mnist_data.clear()
    monkeypatch.setattr(datasets, "MNIST_DIR", tmp_path)
    yield
    mnist_data.clear()


@pytest.mark.usefixtures("no_mnist")
def test_without_mnist_the_spiral_network_is_left():
    at = AppTest.from_function(section_script, default_timeout=60)
    at.query_params["lang"] = "ko"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error  # the section still works: a warning says why MNIST is not offered
    assert [w.value for w in at.warning] == [tr("ko", "precision.no_mnist")]
    assert at.radio(key="precision_net").options == [
        tr("ko", "precision.net_spiral", sizes="2-10-3")]
    assert tr("ko", "precision.setup", sizes="2-10-3", n=lp.MAX_BATCH, lr=0.1) in [
        c.value for c in at.caption]
    assert len(at.dataframe) == 4
    losses = table(at, "ko", "precision.col_loss").loc[tr("ko", "precision.col_loss")]
    assert np.isfinite([float(v) for v in losses]).all()
