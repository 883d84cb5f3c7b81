"""A page for tests/e2e/test_live_chart_e2e.py: one live chart that takes frames, one heatmap
that takes clicks (ui.live_chart). Not a lesson: the test serves it alone (see the test's
`frames_page_url`), run as a script; imported, it defines the data only.

- "test-frames", in a fragment: each click on "advance" moves the state FRAMES steps on and
  hands live_chart every step's data as frames (a heatmap's z and a growing curve).
- "test-map": a heatmap over the plane [-LIM, LIM]², its cells CELL wide; a click shows
  what on_click got, as JSON, in the container keyed "clicked". "new plot" changes the
  chart's signature, so that it is drawn afresh (Plotly.newPlot).
"""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go

FRAMES = 6  # states per "advance"
FRAME_S = 0.1
LIM, CELLS = 6.0, 24
CELL = 2 * LIM / CELLS
CENTRES = -LIM + CELL / 2 + CELL * np.arange(CELLS)  # the map's cell centres, both axes


def state(step: int) -> list[dict]:
    """The frames chart's data at `step`: a 10 × 10 heatmap that changes every step, and a
    curve with a point per step."""
    z = np.sin(np.arange(100, dtype=np.float32).reshape(10, 10) * 0.1 + step * 0.5)
    x = np.arange(step + 1, dtype=np.int32)
    return [dict(z=z.astype(np.float32)),
            dict(x=x, y=np.cos(x * 0.3).astype(np.float32))]


def frames_figure(step: int) -> go.Figure:
    heat, line = state(step)
    return go.Figure([go.Heatmap(z=heat["z"], showscale=False, xaxis="x", yaxis="y"),
                      go.Scatter(x=line["x"], y=line["y"], xaxis="x2", yaxis="y2")],
                     layout=dict(xaxis=dict(domain=[0, 0.45]), xaxis2=dict(domain=[0.55, 1]),
                                 yaxis2=dict(anchor="x2")))


def map_z() -> np.ndarray:
    return np.add.outer(CENTRES, CENTRES).astype(np.float32)  # [row = y, col = x]


def map_figure() -> go.Figure:
    return go.Figure(go.Heatmap(x=CENTRES, y=CENTRES, z=map_z(), showscale=False),
                     layout=dict(xaxis=dict(range=[-LIM, LIM], constrain="domain"),
                                 yaxis=dict(range=[-LIM, LIM]), hovermode="closest"))


def main() -> None:
    import streamlit as st

    from ui.i18n import init_language
    from ui.live_chart import live_chart
    from viz import theme

    theme.install()
    init_language()
    ss = st.session_state
    ss.setdefault("step", 0)
    ss.setdefault("map_sig", 0)

    @st.fragment
    def frames_view() -> None:
        if st.button("advance", key="advance"):
            first = ss.step + 1
            ss.step += FRAMES
            frames = [state(s) for s in range(first, ss.step + 1)]
        else:
            frames = None
        step = ss.step
        live_chart("t.frames", "test-frames", lambda: frames_figure(step),
                   data=lambda: state(step), frames=frames, frame_s=FRAME_S, height=300)
        st.text(f"step {step}")

    frames_view()

    def clicked(value: dict) -> None:
        ss.clicked = value
        ss.clicks = ss.get("clicks", 0) + 1

    st.button("new plot", key="new-plot", on_click=lambda: ss.update(map_sig=ss.map_sig + 1))
    live_chart("t.map", "test-map", map_figure, data=lambda: [dict(z=map_z())],
               signature=ss.map_sig, height=500, on_click=clicked)
    with st.container(key="clicked"):
        st.text(json.dumps({"clicks": ss.get("clicks", 0), "value": ss.get("clicked")}))


if __name__ == "__main__":
    main()
