"""A note for a learner whose session was lost: the server restarted (or a proxy moved the
browser to another replica, docs/DEPLOY.md section 5) and the page started over.

What the browser does (Streamlit 1.67's frontend; tests/load/wsclient.py `reconnect` has
the details): when its websocket closes it reconnects by itself, sending the id of the
session it had as the third entry of the websocket's Sec-WebSocket-Protocol header
('streamlit, <XSRF token>, <old session id>'), and asks for a whole-page run carrying the
value of every widget it holds. A server that still holds that session resumes it (same id,
nothing lost). A server that does not starts a new session with a new id. So a first run
whose handshake names a session id other than its own is a browser that lost its session:
its widget values (and the URL's settings) came back with it, its trained network and
anything else held only in the old session did not. A fresh page load, or a reload, sends
no old id and gets no note.

The shell calls note_restart() on every run; the check happens once per session, on its
first run. The note is shown at the top of the page until the page runs again (a click, or
Start), and as a toast in the corner, which the learner sees wherever they had scrolled.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ui.i18n import t

CHECKED_KEY = "restart.checked"  # session_state: this session's first run has been looked at
PROTOCOL_HEADER = "Sec-WebSocket-Protocol"


def previous_session_id(protocols: str | None) -> str | None:
    """The session id a reconnecting browser names: the third entry of its websocket's
    Sec-WebSocket-Protocol header, or None (a first connection sends two entries)."""
    entries = [entry.strip() for entry in (protocols or "").split(",")]
    return entries[2] if len(entries) >= 3 and entries[2] else None


def session_was_lost(protocols: str | None, session_id: str) -> bool:
    """Did the browser come back for a session that this server no longer has?"""
    previous = previous_session_id(protocols)
    return previous is not None and previous != session_id


def _handshake() -> tuple[str | None, str]:
    """(the websocket's Sec-WebSocket-Protocol header, this session's id); no header in
    AppTest, no id in bare mode."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return None, ""
    return st.context.headers.get(PROTOCOL_HEADER), ctx.session_id


def note_restart() -> None:
    """On a session's first run, tell a learner whose session was lost what came back."""
    if st.session_state.get(CHECKED_KEY):
        return
    st.session_state[CHECKED_KEY] = True
    protocols, session_id = _handshake()
    if session_id and session_was_lost(protocols, session_id):
        # at the top of the page, and as a toast where the learner is: a learner who was
        # training had scrolled far below the top
        st.info(t("restart.note"), icon=":material/restart_alt:")
        st.toast(t("restart.toast"), icon=":material/restart_alt:", duration="long")
