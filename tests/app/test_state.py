"""ui.state.held keeps a model while its config compares equal and rebuilds it when not;
Param-bound widgets take their bounds from the Param, never typed a second time."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from streamlit.testing.v1 import AppTest


@dataclass(frozen=True)
class Config:
    """Module level, as ui.state asks: the app imports it, the same class on every rerun."""

    hidden: int
    seed: int


def holder_app():
    import streamlit as st

    from tests.app.test_state import Config
    from ui.state import held, held_model, held_reset

    builds = st.session_state.setdefault("builds", [])

    def build(config):
        builds.append(config)
        return {"built_from": config, "n": len(builds)}

    hidden = st.number_input("hidden", 1, 9, 2, key="hidden")
    if st.button("reset", key="reset"):
        held_reset("model")
    model = held("model", Config(int(hidden), 0), build)
    st.write(f"n={model['n']}")
    st.write(f"same={held_model('model') is model}")


def run_app():
    at = AppTest.from_function(holder_app, default_timeout=30)
    at.run()
    assert not at.exception
    return at


def shown(at) -> list[str]:
    return [m.value for m in at.markdown]


def test_a_model_is_built_once_and_kept_while_its_config_is_equal():
    at = run_app()
    assert shown(at) == ["n=1", "same=True"]
    at.run()  # a rerun builds an equal config, a new object: the model stays
    assert shown(at) == ["n=1", "same=True"]
    assert len(at.session_state["builds"]) == 1


def test_a_changed_config_rebuilds_and_reset_builds_afresh():
    at = run_app()
    at.number_input(key="hidden").set_value(3).run()
    assert shown(at)[0] == "n=2"
    assert at.session_state["builds"][-1].hidden == 3
    at.number_input(key="hidden").set_value(3).run()  # unchanged: kept
    assert shown(at)[0] == "n=2"
    at.button(key="reset").click().run()
    assert shown(at)[0] == "n=3"


def test_held_refuses_a_config_that_is_not_a_frozen_dataclass():
    from ui.state import held

    @dataclass
    class Loose:
        x: int

    with pytest.raises(TypeError, match="frozen dataclass"):
        held("k", Loose(1), lambda c: c)
    with pytest.raises(TypeError, match="frozen dataclass"):
        held("k", (1, 2), lambda c: c)

    @dataclass(frozen=True)
    class Local:  # a fresh class on every rerun of a page: its configs never compare equal
        x: int

    with pytest.raises(TypeError, match="at module level"):
        held("k", Local(1), lambda c: c)


def bound_app():
    import streamlit as st

    from ui.params import ChoiceParam, FloatParam, IntParam, load_params, save_params

    lr = FloatParam("demo", "lr", 0.5, 0.1, 5.0)
    n = IntParam("demo", "n", 3, 1, 9)
    kind = ChoiceParam("demo", "kind", "b", choices=("a", "b", "c"))
    params = [lr, n, kind]
    load_params(params)
    lr.slider("lr", step=0.1)
    n.number_input("n", step=1)
    kind.widget("radio", "kind", horizontal=True)
    save_params(params)
    st.write(f"{lr.value()!r} {n.value()!r} {kind.value()!r}")


def test_bound_widgets_take_the_params_bounds_default_and_key():
    at = AppTest.from_function(bound_app, default_timeout=30)
    at.query_params["n"] = "7"
    at.run()
    assert not at.exception
    slider, number, radio = at.slider[0], at.number_input[0], at.radio[0]
    assert (slider.min, slider.max, slider.value, slider.key) == (0.1, 5.0, 0.5, "demo.lr")
    assert (number.min, number.max, number.value, number.key) == (1, 9, 7, "demo.n")
    assert (radio.options, radio.value, radio.key) == (["a", "b", "c"], "b", "demo.kind")
    assert at.markdown[0].value == "0.5 7 'b'"
    slider.set_value(1.2).run()
    assert at.query_params["lr"] == "1.2"
    assert at.markdown[0].value == "1.2 7 'b'"


def test_a_choice_widget_must_be_one_streamlit_has():
    from ui.params import ChoiceParam

    with pytest.raises(ValueError, match="kind must be one of"):
        ChoiceParam("demo", "kind", "a", choices=("a",)).widget("dropdown", "kind")
