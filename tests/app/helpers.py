"""Opening a lesson under AppTest the way a learner arrives: the shell first, then the page."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "streamlit_app.py"


def open_lesson(page: str, lang: str = "en", timeout: float = 90, **params: str) -> AppTest:
    """Run the app with ?lang=<lang>&<params>, switch to `page` (e.g. 'app_pages/graph.py'),
    and check that no exception was raised on the way."""
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at.query_params["lang"] = lang
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
