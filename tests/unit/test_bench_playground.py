"""bench/playground.py without a browser: the page's URL, the neurons it clicks and the labels
it waits for, what it reads off the websocket, and how it sums up rounds."""

from __future__ import annotations

import json
from itertools import pairwise

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.playground import (
    CATALOG,
    CHART_KEYS,
    EPOCH_LABEL,
    FEATURES,
    MAX_LAYERS,
    MAX_NEURONS,
    NETWORK,
    REGIONS,
    ROOT,
    SELECT,
    chart_frames,
    click_targets,
    epochs_of,
    neuron_label,
    parse_ws,
    plotly_calls,
    query,
    rates,
    summary,
    top_functions,
    verdict,
)


def test_query_asks_for_every_layer_and_feature():
    q = dict(part.split("=") for part in query(6, 8).split("&"))
    assert q["layers"] == "6" and q["data"] == "circle"
    assert [q[f"n{i}"] for i in range(1, 7)] == ["8"] * 6
    assert all(q[f] == "1" for f in FEATURES)
    q = dict(part.split("=") for part in query(2, 3, "xor").split("&"))
    assert q["layers"] == "2" and "n3" not in q and q["n2"] == "3" and q["data"] == "xor"
    with pytest.raises(ValueError):
        query(7, 8)
    with pytest.raises(ValueError):
        query(6, 9)


def test_the_page_still_knows_the_params_keys_and_labels():
    """The names the bench puts in the URL and looks for on the page are the page's own (read
    from its source: a Streamlit page runs when imported)."""
    import lessons.playground as lp

    assert FEATURES == lp.FEATURES
    assert (MAX_LAYERS, MAX_NEURONS) == (lp.MAX_LAYERS, lp.MAX_NEURONS)
    page = (ROOT / "app_pages" / "playground.py").read_text()
    view = (ROOT / "ui" / "playground_view.py").read_text()
    for text in ('ChoiceParam(PAGE, "data"', 'IntParam(PAGE, "layers"', 'f"n{i}"',
                 'BoolParam(PAGE, f, f in D.features)', 'LiveLoop("playground.train"'):
        assert text in page
    assert f'SELECTED = "{SELECT.removeprefix(".st-key-").replace("-", ".")}"' in view
    for name, key in CHART_KEYS.items():
        assert f'live_chart("{key}", "{name}"' in view
    assert '"playground-neuron"' in view
    catalog = json.loads(CATALOG.read_text())
    assert catalog["playground.live.epoch"] == EPOCH_LABEL
    assert neuron_label(1, 0, 6, catalog) == "Layer 1, neuron 1"
    assert neuron_label(7, 1, 6, catalog) == "Output, neuron 2"


def test_neuron_label_refuses_the_inputs():
    catalog = json.loads(CATALOG.read_text())
    with pytest.raises(ValueError):
        neuron_label(0, 0, 6, catalog)
    with pytest.raises(ValueError):
        neuron_label(8, 0, 6, catalog)


def diagram(layers: int, neurons: int, outputs: int) -> list[tuple[int, int]]:
    sizes = [7, *[neurons] * layers, outputs]
    return [(c, u) for c, n in enumerate(sizes) for u in range(n)]


def test_click_targets_are_neurons_each_another_one():
    neurons = diagram(6, 8, 2)
    picks = click_targets(neurons, 7)
    assert len(picks) == 7
    assert all(p in neurons and p[0] >= 1 for p in picks)  # never an input
    assert picks[0] != (1, 0)  # the page opens with this one selected
    assert all(a != b for a, b in pairwise(picks))
    assert len({c for c, _ in picks}) == 7  # spread over the columns
    again = click_targets(neurons, 3, selected=picks[-1])
    assert again[0] != picks[-1]


def test_click_targets_in_a_small_network():
    picks = click_targets(diagram(1, 1, 2), 5)  # one hidden neuron, two outputs
    assert all(a != b for a, b in pairwise(picks))
    assert picks[0] != (1, 0)
    with pytest.raises(ValueError):
        click_targets([(0, 0), (1, 0)], 3)


def forward(kind: str, **what) -> bytes:
    msg = ForwardMsg()
    if kind == "new_session":
        msg.new_session.name = "x"
    elif kind == "finished":
        msg.script_finished = ForwardMsg.ScriptFinishedStatus.Value(what["status"])
    elif kind == "chart":
        element = msg.delta.new_element.bidi_component
        element.id = f"$$ID-abc-{what['key']}"
        element.json = json.dumps(what["message"])
    return msg.SerializeToString()


DONE = "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"


def test_parse_ws_counts_ticks_bytes_frames_and_times():
    regions, network = CHART_KEYS[REGIONS], CHART_KEYS[NETWORK]
    three = {"frames": [{}, {}, {}], "frame_ms": 100}
    received = [
        (0.5, forward("new_session")),  # before the window
        (1.0, forward("new_session")),
        (1.1, forward("chart", key=regions, message=three)),
        (1.1, forward("chart", key=network, message={"restyle": [{"trace": 0}]})),
        (1.2, forward("finished", status=DONE)),
        (1.3, forward("new_session")),
        (1.35, forward("chart", key="playground.live.loss", message=three)),  # not counted
        (1.4, forward("chart", key=network, message=three)),
        (1.6, forward("finished", status=DONE)),
        (1.6, forward("new_session")),
        (1.7, forward("finished", status="FINISHED_SUCCESSFULLY")),  # a whole-page run
        (1.8, b"\x00not a message"),
        (9.0, forward("finished", status=DONE)),  # after it
    ]
    out = parse_ws(received, 1.0, 2.0)
    assert out["ticks"] == 2
    assert out["bytes"] == sum(len(d) for t, d in received if 1.0 <= t <= 2.0)
    assert out["sent_frames"] == {REGIONS: 3, NETWORK: 4}
    assert out["run_s"] == pytest.approx(0.25)  # 0.2 and 0.3
    assert out["gap_s"] == pytest.approx(0.05)  # 0.1 and 0
    assert out["server_busy"] == pytest.approx(0.6)  # 0.2 + 0.3 + 0.1 (the page run) of 1 s
    assert parse_ws([], 1.0, 2.0)["run_s"] is None


def test_chart_frames():
    assert chart_frames(json.dumps({"frames": [{}, {}], "frame_ms": 100})) == 2
    assert chart_frames(json.dumps({"frames": None, "restyle": [{"trace": 0}]})) == 1
    assert chart_frames(json.dumps({"figure": "{}", "extend": None})) == 1
    assert chart_frames(json.dumps({"figure": None, "extend": None, "restyle": None})) == 0
    assert chart_frames("not json") == 0
    assert chart_frames("[1, 2]") == 0


def test_epochs_of():
    assert epochs_of("1,234") == 1234
    assert epochs_of(" 0 ") == 0
    assert epochs_of("—") is None
    assert epochs_of(None) is None


def snapshot(now, epoch, frames, long, regions, network):
    def state(redraws, shown, merged):
        return {"redraws": redraws, "frames": shown, "merged": merged}
    return {"now": now, "epoch": epoch, "frames": frames, "long": long,
            "charts": {REGIONS: state(*regions), NETWORK: state(*network)}}


def test_rates_per_second_of_the_browser_clock():
    before = snapshot(1_000.0, "100", 10, 1, (5, 4, 0), (3, 3, 1))
    after = snapshot(11_000.0, "1,100", 610, 11, (85, 80, 10), (53, 50, 21))
    r = rates(before, after)
    assert r["seconds"] == 10
    assert r[f"{REGIONS}.redraws"] == 8 and r[f"{REGIONS}.frames"] == 7.6
    assert r[f"{REGIONS}.merged"] == 1
    assert r[f"{NETWORK}.redraws"] == 5 and r[f"{NETWORK}.merged"] == 2
    assert r["epochs"] == 100 and r["raf"] == 60 and r["long"] == 1
    after["epoch"] = None
    assert rates(before, after)["epochs"] is None


def test_plotly_calls_within_the_window():
    log = [[REGIONS, "redraw", 5, 40], [REGIONS, "redraw", 10, 30], [REGIONS, "redraw", 20, 60],
           [NETWORK, "redraw", 15, 115], [NETWORK, "react", 50, 60],
           [REGIONS, "redraw", 200, 300]]  # after the window
    calls = plotly_calls(log, 10, 100)
    assert calls == {(NETWORK, "react"): (1, 10), (NETWORK, "redraw"): (1, 100),
                     (REGIONS, "redraw"): (2, 30)}


def test_top_functions_per_second_of_profile():
    profile = {"startTime": 0, "endTime": 2_000_000,  # 2 s, in µs
               "nodes": [{"id": 1, "callFrame": {"functionName": "redraw", "lineNumber": 24,
                                                 "url": "http://h/app/static/plotly.min.js?v=1"}},
                         {"id": 2, "callFrame": {"functionName": "", "url": ""}}],
               "samples": [1, 1, 2, 1], "timeDeltas": [1000, 1000, 500, 2000]}
    top = top_functions([profile, None], 5)
    assert top[0] == (("redraw", "plotly.min.js:25"), 2.0)  # 4 ms in 2 s
    assert top[1] == (("(anonymous)", ""), 0.25)
    assert top_functions([None], 5) == []


def test_summary_and_verdict():
    assert summary([3.0, None, 1.0, 2.0]) == (2.0, 1.0)
    assert summary([None]) == (None, None)
    line = verdict(9.5, 7.9, 250.0)
    assert "regions 9.5/s ≥ 8 PASS" in line and "diagram 7.9/s < 8 FAIL" in line
    assert "click 250 ms ≤ 300 PASS" in line
    assert "click 301 ms > 300 FAIL" in verdict(8, 8, 301.0)
    assert "not measured" in verdict(None, 8, None)
