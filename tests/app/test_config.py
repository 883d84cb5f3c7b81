"""The production settings in .streamlit/config.toml: every key is one Streamlit knows,
and the limits a public demo relies on are set (and stay set)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from streamlit import config

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"


def flatten(table: dict, prefix: str = "") -> dict[str, object]:
    """{"theme": {"light": {"primaryColor": c}}} -> {"theme.light.primaryColor": c}."""
    out: dict[str, object] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def settings() -> dict[str, object]:
    return flatten(tomllib.loads(CONFIG.read_text(encoding="utf-8")))


def test_every_key_is_a_streamlit_option():
    known = config._config_options_template
    unknown = [key for key in settings() if key not in known]
    assert unknown == [], f"Streamlit has no such option: {unknown}"


def test_public_demo_limits():
    s = settings()
    # uploads: the digit picture only, the page's own 2 MB cap
    assert s["server.maxUploadSize"] == 2
    assert s["server.maxWidgetStateSize"] <= 1
    assert s["server.maxMessageSize"] <= 20
    # secure defaults kept on explicitly
    assert s["server.enableXsrfProtection"] is True
    assert s["server.enableCORS"] is True
    # static/ holds the live charts' code and plotly.js, nothing else (tests/app/test_static.py)
    assert s["server.enableStaticServing"] is True
    assert s["server.enableAgentApi"] is False
    # learners see neither tracebacks nor developer tools
    assert s["client.showErrorDetails"] == "none"
    assert s["client.toolbarMode"] == "viewer"
    assert s["client.showErrorLinks"] is False
    # no reloading of a deployed copy; a dropped connection keeps its session a while
    assert s["server.fileWatcherType"] == "none"
    assert s["server.runOnSave"] is False
    assert 30 <= s["server.disconnectedSessionTTL"] <= 600
    assert s["browser.gatherUsageStats"] is False
    # the light theme's red, darkened to reach 4.5:1 as a selected pill's text (issue 17)
    assert s["theme.light.primaryColor"] == "#b8323f"


def test_the_uploader_cap_matches_the_server_cap():
    from ui.images import MAX_UPLOAD_BYTES

    assert settings()["server.maxUploadSize"] * 1024 * 1024 >= MAX_UPLOAD_BYTES
