"""ui.live.LiveLoop under AppTest: step, start, pause, reset, its notes, the wait for a slot,
and the whole-page rerun that sets the view's timer when the loop's buttons sit in a fragment.

AppTest runs no timers and reruns the whole script on a click. A click inside a fragment is
played as the browser sends it: the button's callback, then a rerun of that fragment alone
(st.rerun(<fragment key>) from the callback). A whole-page run is counted by a counter that
only the script's top level moves.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from ui.i18n import tr


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def _live_script():
    import streamlit as st

    from engine.trainer import TrainingDiverged
    from ui.live import LiveLoop, Stop

    st.session_state["page_runs"] = st.session_state.get("page_runs", 0) + 1
    st.session_state.setdefault("n", 0)
    st.session_state.setdefault("mode", "count")

    def advance():
        if st.session_state["mode"] == "diverge":
            raise TrainingDiverged("diverged", "the loss became nan at step 4",
                                   loss=float("nan"), step=4, lr=0.5)
        st.session_state["n"] += 1
        return Stop("three", "success") if st.session_state["n"] >= 3 else None

    def draw():
        st.metric("n", st.session_state["n"])

    def reset():
        st.session_state["n"] = 0

    LiveLoop("demo", advance=advance, draw=draw, reset=reset, tick=0.1).render()


def started(script) -> AppTest:
    """The script's first run, in English, without an exception."""
    at = AppTest.from_function(script, default_timeout=30)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    return at


def live_app() -> AppTest:
    return started(_live_script)


def n_shown(at: AppTest) -> int:
    return int(at.metric[0].value)


def test_live_step_start_pause_reset():
    at = live_app()
    assert n_shown(at) == 0
    assert [at.button(key=f"demo.{k}").label for k in ("start", "pause", "step", "reset")] == [
        tr("en", f"live.{k}") for k in ("start", "pause", "step", "reset")]
    at.button(key="demo.step").click().run()
    assert n_shown(at) == 1 and not at.session_state["demo.running"]
    at.button(key="demo.start").click().run()
    assert n_shown(at) == 2 and at.session_state["demo.running"]
    at.button(key="demo.pause").click().run()
    assert n_shown(at) == 2 and not at.session_state["demo.running"]
    at.button(key="demo.reset").click().run()
    assert n_shown(at) == 0


def test_live_stops_itself_with_the_note():
    at = live_app()
    at.session_state["n"] = 2
    at.button(key="demo.start").click().run()  # the chunk in this run reaches 3 and stops
    assert not at.exception
    assert n_shown(at) == 3
    assert not at.session_state["demo.running"]
    assert texts(at.success) == ["three"]
    assert not at.button(key="demo.start").disabled


def test_live_divergence_is_a_message_not_a_crash():
    at = live_app()
    at.session_state["mode"] = "diverge"
    at.button(key="demo.start").click().run()
    assert not at.exception
    assert not at.session_state["demo.running"]
    assert texts(at.error) == [tr("en", "error.diverged", loss=float("nan"), step=4, lr=0.5)]


def test_live_waits_when_the_server_is_busy():
    from ui import live

    at = live_app()
    taken = [live._SLOTS.acquire() for _ in range(live.MAX_CONCURRENT)]
    try:
        assert all(taken)
        at.button(key="demo.step").click().run()
        assert n_shown(at) == 0
        assert tr("en", "live.busy", n=live.MAX_CONCURRENT) in texts(at.caption)
    finally:
        for _ in taken:
            live._SLOTS.release()
    at.button(key="demo.step").click().run()
    assert n_shown(at) == 1
    assert tr("en", "live.busy", n=live.MAX_CONCURRENT) not in texts(at.caption)


def test_stop_kind_is_checked():
    from ui.live import Stop

    with pytest.raises(ValueError, match="kind must be one of"):
        Stop("x", "fatal")


# ---------------------------------------------------------------- the loop inside a fragment


def _fragment_script():
    import streamlit as st

    from lessons.perceptron import SpiralConfig
    from ui.live import LiveLoop, Stop

    ss = st.session_state
    st.title("page")  # a whole-page run that a fragment's rerun replaces ends here
    ss["page_runs"] = ss.get("page_runs", 0) + 1
    ss.setdefault("n", 0)
    ss.setdefault("builds", 0)
    ss.setdefault("stop_at", None)

    def advance():
        ss["n"] += 1
        return Stop("done") if ss["n"] == ss["stop_at"] else None

    def build(config):
        ss["builds"] += 1
        return [config]

    def in_fragment(change):
        """A click inside the section: its callback, then the section alone reruns."""
        change()
        st.rerun("section")

    @st.fragment(key="section")
    def section():
        loop = LiveLoop("demo", advance=advance, draw=lambda: st.metric("n", ss["n"]),
                        reset=lambda: ss.update(n=0), tick=0.1)
        hidden = st.number_input("hidden", 2, 50, 10, key="hidden",
                                 on_change=in_fragment, args=(lambda: None,))
        loop.hold("demo.model", SpiralConfig(int(hidden)), build)
        for name, change in (("start", loop.start), ("pause", loop.pause),
                             ("reset", loop.reset), ("touch", lambda: None)):
            st.button(name, key=f"in_fragment.{name}", on_click=in_fragment, args=(change,))
        loop.controls()
        loop.view()

    section()


def fragment_app() -> AppTest:
    return started(_fragment_script)


def page_runs(at: AppTest) -> int:
    return at.session_state["page_runs"]


def click_in_fragment(at: AppTest, name: str) -> None:
    at.button(key=f"in_fragment.{name}").click().run()
    assert not at.exception


def test_a_click_that_leaves_the_loop_as_it_was_reruns_the_fragment_alone():
    at = fragment_app()
    assert page_runs(at) == 1
    click_in_fragment(at, "touch")
    assert page_runs(at) == 1 and at.metric[0].value == "0"
    click_in_fragment(at, "reset")  # not running: reset does not change that
    assert page_runs(at) == 1


def test_start_and_pause_inside_a_fragment_rerun_the_whole_page():
    """The whole-page run registers the view with its timer, or without: a rerun of the
    section alone would leave the timer as it was, and a paused view ticking."""
    at = fragment_app()
    click_in_fragment(at, "start")
    assert at.session_state["demo.running"] and at.session_state["demo.timed"]
    assert page_runs(at) == 2
    assert not at.button(key="demo.pause").disabled
    click_in_fragment(at, "touch")  # still running: the section alone
    assert page_runs(at) == 2
    click_in_fragment(at, "pause")
    assert not at.session_state["demo.running"] and not at.session_state["demo.timed"]
    assert page_runs(at) == 3
    assert not at.button(key="demo.start").disabled
    click_in_fragment(at, "start")
    click_in_fragment(at, "reset")  # reset pauses a running loop
    assert not at.session_state["demo.running"] and page_runs(at) == 5


def test_a_run_that_ends_in_a_fragment_reruns_the_whole_page():
    at = fragment_app()
    click_in_fragment(at, "start")
    at.session_state["stop_at"] = at.session_state["n"] + 1
    click_in_fragment(at, "touch")  # the section's run trains a chunk, and the run is over
    assert not at.session_state["demo.running"] and page_runs(at) == 3
    assert texts(at.success) == ["done"]


def test_new_settings_inside_a_fragment_pause_the_loop_and_rerun_the_page():
    at = fragment_app()
    assert at.session_state["builds"] == 1
    at.number_input(key="hidden").set_value(12).run()  # not running: the section alone
    assert at.session_state["builds"] == 2 and page_runs(at) == 1
    click_in_fragment(at, "start")
    runs = page_runs(at)
    at.number_input(key="hidden").set_value(20).run()
    assert not at.exception
    assert at.session_state["builds"] == 3
    assert not at.session_state["demo.running"] and page_runs(at) == runs + 1
    assert not at.button(key="demo.start").disabled


def test_outside_a_fragment_a_click_runs_the_page_once():
    at = live_app()
    for k, name in enumerate(("start", "pause", "start", "reset"), start=2):
        at.button(key=f"demo.{name}").click().run()
        assert page_runs(at) == k
        assert at.session_state["demo.timed"] == at.session_state["demo.running"]


def test_the_request_the_catch_up_reads_is_where_streamlit_keeps_it():
    """ui.live.next_run_asked reads Streamlit's pending request for the session (1.67): a
    rerun request, a fragment's tick among them, turns it from CONTINUE to RERUN."""
    from streamlit.runtime.scriptrunner_utils.script_requests import (
        RerunData,
        ScriptRequests,
        ScriptRequestType,
    )
    from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext

    assert "script_requests" in ScriptRunContext.__dataclass_fields__
    requests = ScriptRequests()
    assert requests._state == ScriptRequestType.CONTINUE
    requests.request_rerun(RerunData(fragment_id="view"))
    assert requests._state == ScriptRequestType.RERUN


def _catch_up_script():
    import streamlit as st

    import ui.live as live
    from ui.live import LiveLoop, Stop

    st.session_state.setdefault("n", 0)
    asked = iter([False] * st.session_state["quiet_checks"] + [True] * 100)
    live.next_run_asked = lambda: next(asked)  # the browser's next tick, as a test plays it

    def advance():
        st.session_state["n"] += 1
        return Stop("done") if st.session_state["n"] >= st.session_state["last"] else None

    loop = LiveLoop("t", advance=advance, draw=lambda: None, reset=lambda: None, catch_up=30.0)
    loop.start()
    st.session_state["over"] = loop._train_until_asked()
    st.session_state["running_after"] = loop.running


@pytest.mark.parametrize(("quiet", "last", "n", "over"), [
    (0, 10, 0, False),  # the browser asked already: no chunk
    (4, 10, 4, False),  # four checks find no request: four chunks, then the request
    (8, 3, 3, True),  # the run ends on the third: the loop pauses, with its note
])
def test_the_loop_trains_on_until_the_browser_asks(quiet, last, n, over):
    """After its redraw a running tick trains one chunk more for each check that finds no
    request from the browser, and stops at the first that finds one, or when the run ends."""
    at = AppTest.from_function(_catch_up_script)
    at.session_state["quiet_checks"] = quiet
    at.session_state["last"] = last
    at.run()
    assert not at.exception
    assert at.session_state["n"] == n
    assert at.session_state["over"] is over
    assert at.session_state["running_after"] is (not over)
