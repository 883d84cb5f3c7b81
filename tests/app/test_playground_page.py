"""Lesson 6 (playground) under AppTest, in both languages.

The numbers the page shows are checked against lessons.playground run here, as a learner
would in a notebook; the charts are the st.plotly_chart fallback of the live charts.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import lessons.playground as lp
from tests.app.helpers import link_notice_details, open_lesson
from ui.i18n import LANGS, tr

PAGE = "app_pages/playground.py"
STATE = "playground.run"


def open_page(lang: str = "en", **params: str) -> AppTest:
    return open_lesson(PAGE, lang, **params)


def run_of(at: AppTest) -> lp.Run:
    return at.session_state[STATE].model


def url(at: AppTest, name: str) -> str | None:
    """?name= after the run (AppTest keeps a list for a repeated name)."""
    value = at.query_params.get(name)
    return value[-1] if isinstance(value, list) else value


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def figure_named(at: AppTest, title: str) -> dict:
    found = [f for f in figures(at) if f["layout"].get("title", {}).get("text") == title]
    assert found, [f["layout"].get("title") for f in figures(at)]
    return found[0]


def regions(at: AppTest) -> dict:
    """The decision-region figure: the one whose first trace is the heatmap over the plane."""
    found = [f for f in figures(at) if f["data"][0]["type"] == "heatmap"
             and f["data"][0].get("name") != "neurons" and len(f["data"]) > 2]
    return found[0]


def shown_numbers(run: lp.Run, lang: str) -> dict[str, str]:
    """What the page's metrics should say for `run`."""
    losses, acc = lp.losses(run), lp.test_accuracy(run)
    return {tr(lang, "playground.live.epoch"): f"{run.trainer.epoch:,}",
            tr(lang, "playground.live.train_loss"): f"{losses.train:.4f}",
            tr(lang, "playground.live.test_loss"): f"{losses.test:.4f}",
            tr(lang, "playground.live.test_acc"): "—" if acc is None else f"{acc:.1%}"}


@pytest.mark.parametrize("lang", LANGS)
def test_page_opens_with_the_circle_and_its_numbers(lang):
    at = open_page(lang)
    assert at.title[0].value == tr(lang, "lesson.playground.title")
    subheaders = [s.value for s in at.subheader]
    for key in ("data", "net", "live", "inspect"):
        assert tr(lang, f"playground.{key}.header") in subheaders
    run = run_of(at)
    assert run.settings == lp.PRESETS["circle"]
    fresh = lp.build(lp.PRESETS["circle"])  # the notebook's run: the same numbers
    assert metrics(at) == shown_numbers(fresh, lang)
    assert not at.warning and not at.error


@pytest.mark.parametrize("dataset", lp.DATASETS)
def test_each_dataset_takes_its_preset_and_trains(dataset):
    at = open_page("en")
    at.button_group(key="playground.data").set_value(dataset).run()
    assert not at.exception, [e.value for e in at.exception]
    run = run_of(at)
    assert run.settings == lp.PRESETS[dataset]
    expected = lp.build(lp.PRESETS[dataset])
    np.testing.assert_array_equal(run.data.x, expected.data.x)
    at.button(key="playground.train.step").click().run()
    run = run_of(at)
    assert run.trainer.epoch >= 1
    notebook = lp.build(lp.PRESETS[dataset])  # the same steps in a notebook
    notebook.trainer.run(max_steps=run.trainer.step_count)
    np.testing.assert_allclose(notebook.net.params["W1"], run.net.params["W1"])
    assert metrics(at)[tr("en", "playground.live.train_loss")] == \
        f"{lp.losses(run).train:.4f}"
    heat = regions(at)["data"][0]
    assert heat["type"] == "heatmap"
    if dataset in lp.CLASSIFICATION:
        assert tr("en", "playground.fig.predicted") in json.dumps(figures(at))  # confusion
    else:
        assert metrics(at)[tr("en", "playground.live.test_acc")] == "—"


def test_adding_and_removing_a_layer_and_a_neuron():
    at = open_page("en")
    assert run_of(at).settings.hidden == (4, 2)
    at.button(key="playground.layers.plus").click().run()
    assert run_of(at).settings.hidden == (4, 2, 4)
    assert url(at, "layers") == "3"
    at.button(key="playground.n3.minus").click().run()
    at.button(key="playground.n1.plus").click().run()
    assert run_of(at).settings.hidden == (5, 2, 3)
    assert run_of(at).net.hidden_size_list == [5, 2, 3]
    at.button(key="playground.layers.minus").click().run()
    at.button(key="playground.layers.minus").click().run()
    at.button(key="playground.layers.minus").click().run()
    assert run_of(at).settings.hidden == ()
    assert at.button(key="playground.layers.minus").disabled
    diagram = figure_named(at, tr("en", "playground.fig.edges_weight"))
    clicks = next(tr for tr in diagram["data"] if tr.get("customdata"))
    assert len(clicks["customdata"]) == 2 + 2  # x1, x2 and the two outputs
    # the neurons of a layer that is back keep the size it had
    at.button(key="playground.layers.plus").click().run()
    assert run_of(at).settings.hidden == (5,)


def test_a_drawn_dataset_round_trips_through_its_link():
    drawn = lp.custom_data([[-3, -3], [-2.5, -3.5], [3, 3], [3.5, 2.5], [0, 4], [1.2, -0.7]],
                           [0, 0, 1, 1, 2, 2])
    text = lp.encode_points(drawn)
    at = open_page("en", data="custom", pts=text)
    run = run_of(at)
    np.testing.assert_allclose(run.data.x, drawn.x, atol=lp.QUANT / 2)
    np.testing.assert_array_equal(run.data.y, drawn.y)
    assert run.data.n_classes == 3
    assert url(at, "pts") == text
    # clearing the points leaves the plane to draw on and takes them out of the link
    at.button(key="playground.clear").click().run()
    assert url(at, "pts") is None
    assert at.info[0].value == tr("en", "playground.own.board", n=4)


def test_too_few_drawn_points_show_the_board_not_an_error():
    one_class = lp.custom_data([[1, 1], [2, 2], [3, 3], [4, 4]], [0, 0, 0, 0])
    at = open_page("ko", data="custom", pts=lp.encode_points(one_class))
    assert not at.error
    assert at.info[0].value == tr("ko", "playground.own.board", n=4)
    assert STATE not in at.session_state


@pytest.mark.parametrize("lang", LANGS)
def test_a_damaged_link_gets_one_notice_and_the_page_works(lang):
    at = open_page(lang, data="custom", pts="1.!!!!")
    notices = [w.value for w in at.warning]
    assert len(notices) == 1 and "pts" in notices[0]
    assert len(link_notice_details(at)) == 1  # its details
    assert not at.exception


def test_an_edited_weight_changes_the_regions():
    at = open_page("en")
    before = regions(at)["data"][0]["z"]
    at.selectbox(key="playground.selected").set_value("1.0").run()
    key = "playground.edit.1.0.0"  # neuron 1 of layer 1, the weight from x1
    at.number_input(key=key).set_value(5.0).run()
    run = run_of(at)
    assert run.net.params["W1"][0, 0] == 5.0
    assert regions(at)["data"][0]["z"] != before
    at.number_input(key="playground.edit.1.0.2").set_value(-2.0).run()  # the bias
    assert run_of(at).net.params["b1"][0] == -2.0


def test_the_backprop_view_shows_gradients_on_the_edges():
    at = open_page("en")
    weights = figure_named(at, tr("en", "playground.fig.edges_weight"))
    at.toggle(key="playground.backprop").set_value(True).run()
    grads = figure_named(at, tr("en", "playground.fig.edges_grad"))
    assert url(at, "backprop") == "1"
    edges = [(tr.get("x"), tr.get("y")) for tr in weights["data"][1:9]]
    assert edges != [(tr.get("x"), tr.get("y")) for tr in grads["data"][1:9]]


def test_regularisation_shows_its_part_of_the_loss():
    at = open_page("en", reg="l2", rate="0.03")
    run = run_of(at)
    losses = lp.losses(run)
    assert losses.reg > 0
    caption = tr("en", "playground.live.reg_part", reg=losses.reg, total=losses.train + losses.reg,
                 kind="L2")
    assert caption in [c.value for c in at.caption]


def test_unticking_every_feature_says_why_in_korean():
    at = open_page("ko", x1="0", x2="0")
    assert [e.value for e in at.error] == [
        tr("ko", "error.playground_no_features")]
    assert not at.exception


def test_the_learning_rate_and_batch_go_to_the_running_network_other_settings_build_anew():
    at = open_page("en")
    at.button(key="playground.train.step").click().run()
    run = run_of(at)
    trained = run.net.params["W1"].copy()
    at.select_slider(key="playground.lr").set_value(0.1).run()
    at.slider(key="playground.batch").set_value(20).run()
    assert run_of(at) is run  # the same network, its weights kept
    np.testing.assert_array_equal(run.net.params["W1"], trained)
    assert run.trainer.optimizer.lr == 0.1 and run.trainer.batch_size == 20
    assert run.settings.lr == 0.1 and run.settings.batch == 20
    at.selectbox(key="playground.act").set_value("relu").run()
    assert run_of(at) is not run and run_of(at).trainer.epoch == 0
