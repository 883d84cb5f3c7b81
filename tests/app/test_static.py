"""static/, served by the app at /app/static (server.enableStaticServing): the live charts'
code and the plotly.js they draw with, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import plotly

from ui import live_chart

STATIC = Path(__file__).resolve().parents[2] / "static"


def test_static_holds_the_live_charts_code_and_plotly_only():
    assert sorted(p.name for p in STATIC.iterdir()) == sorted(
        [live_chart.MODULE_JS, live_chart.PLOTLY_JS])


def test_plotly_js_is_the_installed_packages_own():
    """The figures come from the installed plotly package, so the browser must draw them with
    the plotly.js that package was made for. After an upgrade:
    cp "$(python -c 'import plotly, pathlib; print(pathlib.Path(plotly.__file__).parent)')"\
/package_data/plotly.min.js static/"""
    installed = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert (STATIC / live_chart.PLOTLY_JS).read_bytes() == installed.read_bytes(), \
        "static/plotly.min.js differs from the installed plotly package's: copy it again"


def test_urls_carry_a_hash_of_the_file():
    """A browser never keeps an old copy of the code after an update."""
    url = live_chart.static_url(live_chart.MODULE_JS)
    assert re.fullmatch(r"/app/static/live_chart\.js\?v=[0-9a-f]{12}", url)


def test_the_chart_code_loads_nothing_from_elsewhere():
    code = (STATIC / live_chart.MODULE_JS).read_text(encoding="utf-8")
    assert "http://" not in code and "https://" not in code
    assert "eval(" not in code and "innerHTML" not in code
