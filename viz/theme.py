"""One look for every figure, on screen and on a slide, and the camera button's export."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from viz.palette import SERIES

FONT_FAMILY = "'Noto Sans CJK KR', 'Noto Sans KR', 'Source Sans Pro', sans-serif"
SLIDE_SIZE = (960, 540)  # 16:9, as shown in the page in slide mode
EXPORT_SIZE = (1920, 1080)  # what the camera button saves: a full-HD slide
EXPORT_FORMATS = ("png", "svg")
# Every figure starts from plotly_white, Plotly's default template once install()
# has run: a figure then shares the template, where passing template=... per figure would
# copy and validate it each time (~20 ms a figure, most of a page's redraw).
TEMPLATE = "plotly_white"



def install() -> None:
    """Make TEMPLATE the default of every Plotly figure created from now on, in this process.

    Called by the app's shell on every run, and by the tests' conftest before every test.
    It is explicit, not a side effect of importing this module, because the default is
    process-wide and importing Streamlit sets its own ("streamlit", meant for
    `st.plotly_chart(theme="streamlit")`; this app draws with theme=None): whichever import
    came last would win. Idempotent and cheap.

    A trace without a colour of its own takes viz.palette's SERIES, not Plotly's colorway
    (whose red and green a deuteranope cannot tell apart).
    """
    if pio.templates.default != TEMPLATE:
        pio.templates.default = TEMPLATE
    layout = pio.templates[TEMPLATE].layout
    if layout.colorway != SERIES:
        layout.colorway = SERIES


def style_figure(fig: go.Figure, *, slides: bool = False, height: int | None = None) -> go.Figure:
    """The shared template: white background, readable fonts; fixed 16:9 size on slides.

    The top margin makes room for the title, or else for a sign key (viz.common.sign_key):
    the key sits just above the plot's top right corner, and the chart's buttons take the
    top 30 px of that corner, so with the usual 30 px margin the two would overlap."""
    keyed = any(a.name == "sign_key" for a in fig.layout.annotations)
    fig.update_layout(
        font=dict(family=FONT_FAMILY, size=22 if slides else 14),
        title_font_size=28 if slides else 17,
        margin=dict(l=70, r=30, t=70 if fig.layout.title.text else 56 if keyed else 30, b=60),
        paper_bgcolor="white",
        plot_bgcolor="white",
        legend=dict(font_size=20 if slides else 13),
    )
    if slides:
        fig.update_layout(width=SLIDE_SIZE[0], height=SLIDE_SIZE[1], autosize=False)
    elif height is not None:
        fig.update_layout(height=height)
    return fig


def export_config(filename: str, fmt: str = "png") -> dict:
    """Plotly's config: the camera button saves `filename`.fmt at slide resolution."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"export format must be one of {', '.join(EXPORT_FORMATS)}, got {fmt!r}")
    return {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": fmt,
            "filename": filename,
            "width": EXPORT_SIZE[0],
            "height": EXPORT_SIZE[1],
            "scale": 1,
        },
    }
