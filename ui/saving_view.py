"""Save the network a page trains, and bring one back: one copy for every page that trains.

    network_file("mnist", "mnist-network.npz", to_bytes=..., load=..., running=loop.running,
                 size=file_bytes(net, optimizer))  # past the cap, a note says so
    follow(params, values, "MNIST")  # in load(): the widgets take the file's settings

A download button writes the current network when it is clicked (to_bytes: the lesson's
engine.saving.save of it, called by a server thread that has no session state: bind the
network to it); an uploader takes a .npz back. The upload goes to load(file),
which checks it (engine.saving.load: the size first, before anything is read) and installs
it, or raises ValueError. A bad file changes nothing and leaves one st.error in the learner's
language; a good one a success note. Both controls wait while the network trains.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from engine.backend import InputError
from ui.i18n import t
from ui.messages import code_span, show_error
from ui.params import ChoiceParam, Param

# The largest network file the app takes back: the server's own cap on an upload
# (server.maxUploadSize in .streamlit/config.toml, 2 MB).
MAX_NETWORK_BYTES = 2 * 2**20
MIME = "application/octet-stream"


def follow(params: list[Param], values: list, lesson: str) -> None:
    """Put a loaded network's settings into the page's widgets: values[i] into params[i]
    (None: leave that widget as it is). Each must be one the widget offers (a choice, or a
    number within its bounds), else InputError 'saving_settings' and no widget changes."""
    for p, v in zip(params, values, strict=True):
        if v is None:
            continue
        offered = v in p.choices if isinstance(p, ChoiceParam) else (
            p.lo <= v <= p.hi if hasattr(p, "lo") else isinstance(v, type(p.default)))
        if not offered:
            raise InputError("saving_settings", f"{p.name}={v!r} is not offered by the page",
                             lesson=lesson)
    st.session_state.update({p.state_key: v for p, v in zip(params, values, strict=True)
                             if v is not None})


def _uploaded(page: str, load: Callable[[object], object]) -> None:
    """The uploader's callback, before the page runs: so the settings widgets can follow."""
    ss = st.session_state
    upload = ss.get(f"{page}.saving.upload")
    if upload is None:  # the file was removed: nothing to do
        ss.pop(f"{page}.saving.note", None)
        return
    try:
        load(upload)
    except ValueError as err:  # the engine's InputError, or a lesson's
        ss[f"{page}.saving.note"] = ("error", err)
        return
    ss[f"{page}.saving.note"] = ("loaded", upload.name)


def file_bytes(network, optimizer) -> int:
    """About the size of the file engine.saving.save writes: the weights and the optimizer's
    state (its arrays, made on the first step), the rest being small."""
    return int(sum(a.nbytes for a in (*network.params.values(), *optimizer.state.values())))


def network_file(page: str, file_name: str, *, to_bytes: Callable[[], bytes],
                 load: Callable[[object], object], running: bool, size: int) -> None:
    """The download button and the uploader, side by side, and the last upload's outcome.
    `size`: about the bytes of the file (file_bytes); past MAX_NETWORK_BYTES a note says that
    this page cannot take it back."""
    st.subheader(t("saving.header"))
    st.markdown(t("saving.intro", mb=MAX_NETWORK_BYTES // 2**20))
    cols = st.columns(2)
    cols[0].download_button(t("saving.download"), data=to_bytes, file_name=file_name,
                            mime=MIME, key=f"{page}.saving.download", on_click="ignore",
                            icon=":material/download:", disabled=running, width="stretch",
                            help=t("saving.download_help", name=file_name))
    cols[1].file_uploader(t("saving.upload"), type=["npz"], key=f"{page}.saving.upload",
                          max_upload_size=MAX_NETWORK_BYTES // 2**20, disabled=running,
                          on_change=_uploaded, args=(page, load),
                          help=t("saving.upload_help", mb=MAX_NETWORK_BYTES // 2**20))
    if size > MAX_NETWORK_BYTES:
        st.caption(t("saving.over_cap", mb=size / 2**20, cap=MAX_NETWORK_BYTES // 2**20))
    kind, what = st.session_state.get(f"{page}.saving.note", (None, None))
    if kind == "error":
        show_error(what)
    elif kind == "loaded":
        st.success(t("saving.loaded", name=code_span(what)), icon=":material/upload_file:")
