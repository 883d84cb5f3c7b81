"""The shared figure style and the camera button's export settings."""

import plotly.graph_objects as go
import pytest

from viz.common import sign_key
from viz.theme import EXPORT_SIZE, SLIDE_SIZE, export_config, style_figure


def test_screen_style_is_white_and_readable():
    fig = style_figure(go.Figure(go.Scatter(x=[0, 1], y=[1, 0])), height=300)
    assert fig.layout.template.layout.paper_bgcolor == "white"
    assert fig.layout.paper_bgcolor == "white" and fig.layout.height == 300
    assert fig.layout.font.size == 14 and fig.layout.width is None


def test_a_sign_key_gets_room_below_the_charts_buttons():
    """The key sits above the plot's top right corner, where the chart's buttons are drawn
    in the top 30 px: a keyed figure without a title gets a taller top margin."""
    plain = style_figure(go.Figure(go.Heatmap(z=[[1, -1]])))
    keyed = style_figure(sign_key(go.Figure(go.Heatmap(z=[[1, -1]])), "red +, blue −"))
    assert plain.layout.margin.t == 30 and keyed.layout.margin.t >= 50


def test_slide_style_is_a_fixed_16_9_figure_with_large_type():
    fig = style_figure(go.Figure(), slides=True)
    assert (fig.layout.width, fig.layout.height) == SLIDE_SIZE
    assert SLIDE_SIZE[0] * 9 == SLIDE_SIZE[1] * 16
    assert fig.layout.font.size >= 20


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_export_config_names_the_file_and_uses_slide_resolution(fmt):
    opts = export_config("xor-loss-en", fmt)["toImageButtonOptions"]
    assert opts["filename"] == "xor-loss-en" and opts["format"] == fmt
    assert (opts["width"], opts["height"]) == EXPORT_SIZE == (1920, 1080)


def test_unknown_export_format_is_a_value_error():
    with pytest.raises(ValueError, match="png, svg"):
        export_config("x", "jpeg")


def test_install_sets_the_apps_template_and_can_be_called_again(monkeypatch):
    """After install() a new figure is plotly_white (white plot area; the 'plotly'
    template's is #E5ECF6), whatever the default was before, and a second call is harmless."""
    import plotly.io as pio

    from viz.theme import TEMPLATE, install

    monkeypatch.setattr(pio.templates, "default", "plotly")
    install()
    install()
    assert pio.templates.default == TEMPLATE == "plotly_white"
    assert go.Figure().layout.template.layout.plot_bgcolor == "white"
