"""The restart note (ui/restart.py): shown once to a browser that came back for a session the
server no longer has, never on a fresh load or a resumed session. The real reconnect, through
HAProxy and a killed replica, is tests/load/test_replicas.py."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.helpers import APP
from ui import restart
from ui.i18n import tr

XSRF = "2|1a2b3c4d|0123456789abcdef0123456789abcdef|1796078962"


@pytest.mark.parametrize(("protocols", "previous"), [
    (None, None),
    ("", None),
    (f"streamlit, {XSRF}", None),  # a first connection: no old session
    (f"streamlit, {XSRF}, ", None),
    (f"streamlit, {XSRF}, 3cdc9041-7322-4642-af50-c82f354e0639",
     "3cdc9041-7322-4642-af50-c82f354e0639"),
    (f"streamlit,{XSRF},abc", "abc"),
])
def test_the_old_session_id_is_the_third_subprotocol(protocols, previous):
    assert restart.previous_session_id(protocols) == previous


def test_only_a_different_old_session_means_it_was_lost():
    assert restart.session_was_lost(f"streamlit, {XSRF}, old-id", "new-id")
    assert not restart.session_was_lost(f"streamlit, {XSRF}, same-id", "same-id")  # resumed
    assert not restart.session_was_lost(f"streamlit, {XSRF}", "new-id")  # a fresh load
    assert not restart.session_was_lost(None, "new-id")


def run_app(monkeypatch, protocols: str | None, lang: str) -> tuple[AppTest, str]:
    """The app, as a session whose websocket handshake carried `protocols`."""
    monkeypatch.setattr(restart, "_handshake", lambda: (protocols, "this-session"))
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at, tr(lang, "restart.note")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_lost_session_gets_the_note_once_in_its_language(monkeypatch, lang):
    at, note = run_app(monkeypatch, f"streamlit, {XSRF}, an-older-session", lang)
    assert [i.value for i in at.info].count(note) == 1
    toast = tr(lang, "restart.toast")  # seen wherever the learner had scrolled
    assert [x.value for x in at.toast].count(toast) == 1
    at.run()  # the next run of the same session: said once is enough
    assert note not in [i.value for i in at.info]
    assert at.toast.len == 0


@pytest.mark.parametrize("protocols", [None, f"streamlit, {XSRF}",
                                       f"streamlit, {XSRF}, this-session"])
def test_a_fresh_load_or_a_resumed_session_gets_no_note(monkeypatch, protocols):
    at, note = run_app(monkeypatch, protocols, "en")
    assert note not in [i.value for i in at.info]
    assert at.toast.len == 0


def test_the_note_says_what_is_kept_and_what_is_not():
    en = tr("en", "restart.note")
    assert "settings" in en and "kept" in en and "training" in en
    ko = tr("ko", "restart.note")
    assert "설정" in ko and "학습" in ko
