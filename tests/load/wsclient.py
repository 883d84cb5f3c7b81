"""A learner without a browser: Streamlit's own protocol over its websocket.

The browser and the server talk in protobufs that ship with the streamlit package: the
browser sends a BackMsg `rerun_script` (the page, the query string and the value of every
widget), and the server answers with ForwardMsgs (a new session, the page's elements as
deltas, ..., `script_finished`). This client does the same, so a test can send what a
browser would, or what a hostile client might, and read what the page shows:

    async with Session(url) as s:
        run = await s.open("layers", "lang=en")
        editor = run.widget("layers.chain.W1")
        run = await s.rerun({editor.id: ("json_value", '{"added_rows": [...]}')})
        assert not run.exceptions

Uploads go to /_stcore/upload_file/<session>/<file id> over HTTP, as the browser's do,
with the XSRF cookie and header. Nothing here touches anything but the server it is given.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import time
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlparse

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

XSRF_COOKIE = "_streamlit_xsrf"
RUN_TIMEOUT_S = 120
FINISHED = {0: "success", 1: "compile_error", 2: "rerun", 3: "fragment_success"}


@dataclass
class Element:
    """One element of the page, as the server described it."""

    kind: str  # the element's type: 'markdown', 'slider', 'bidi_component', ...
    proto: object  # that type's protobuf message
    fragment_id: str  # the fragment that drew it, '' outside fragments

    @property
    def id(self) -> str:
        return getattr(self.proto, "id", "")

    @property
    def text(self) -> str:
        """What a reader sees of it: the body of a markdown, alert or heading, a label."""
        for name in ("body", "label", "text", "value"):
            value = getattr(self.proto, name, None)
            if isinstance(value, str) and value:
                return value
        return ""


@dataclass
class Run:
    """What one script run sent back: its elements in order, and how it ended."""

    messages: list[ForwardMsg] = field(default_factory=list)
    elements: list[Element] = field(default_factory=list)
    status: str = ""
    bytes: int = 0
    seconds: float = 0.0

    @property
    def exceptions(self) -> list[str]:
        return [e.proto.message for e in self.elements if e.kind == "exception"]

    def of_kind(self, *kinds: str) -> list[Element]:
        return [e for e in self.elements if e.kind in kinds]

    def widget(self, key: str) -> Element:
        """The widget whose user key is `key` (Streamlit ends its id with '-<key>')."""
        found = [e for e in self.elements if e.id.endswith(f"-{key}")]
        if len(found) != 1:
            raise LookupError(f"{len(found)} widgets with key {key!r}")
        return found[0]

    def texts(self) -> Iterator[tuple[str, str]]:
        """(kind, text) of every element that shows text."""
        for e in self.elements:
            if e.text:
                yield e.kind, e.text


def _element_of(msg: ForwardMsg) -> Element | None:
    if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
        return None
    el = msg.delta.new_element
    kind = el.WhichOneof("type")
    return Element(kind, getattr(el, kind), msg.delta.fragment_id)


class Session:
    """One learner's websocket session with the app at `url` (http://host:port)."""

    def __init__(self, url: str, *, origin: str | None = None):
        self.url = url.rstrip("/")
        self.origin = origin or self.url
        self.cookies = http.cookiejar.CookieJar()
        self._http = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.ws = None
        self.session_id = ""
        self.page_script_hash = ""
        self.query = ""
        self.widgets: dict[str, Element] = {}  # the page's widgets by key, as last drawn

    # -- connection

    def _xsrf(self) -> str:
        for cookie in self.cookies:
            if cookie.name == XSRF_COOKIE:
                return cookie.value
        return ""

    async def __aenter__(self) -> Session:
        # the page, then the health check, which sets the XSRF cookie (as the browser does)
        await asyncio.to_thread(self._http.open, f"{self.url}/", timeout=30)
        await asyncio.to_thread(self._http.open, f"{self.url}/_stcore/health", timeout=30)
        host = urlparse(self.url).netloc
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.cookies)
        self.ws = await websockets.connect(
            f"ws://{host}/_stcore/stream", subprotocols=["streamlit", self._xsrf() or "x"],
            origin=self.origin, additional_headers={"Cookie": cookie},
            max_size=64 * 2**20, open_timeout=30)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.ws.close()

    # -- script runs

    async def open(self, page: str, query: str = "") -> Run:
        """The first run of `page` ('' for the home page) with `query` ('lang=en&x=1')."""
        self.query = query
        return await self._run(page_name=page)

    async def rerun(self, values: Mapping[str, tuple[str, object]] | None = None, *,
                    fragment_id: str = "") -> Run:
        """Run again with widget values {widget id: (proto field, value)}, e.g.
        {id: ('double_value', 3.0)}. A widget left out keeps its last value (the server
        remembers it), so a test sends only what it changes."""
        return await self._run(page_script_hash=self.page_script_hash, states=values,
                               fragment_id=fragment_id)

    async def _run(self, *, page_name: str = "", page_script_hash: str = "",
                   states: Mapping[str, tuple[str, object]] | None = None,
                   fragment_id: str = "") -> Run:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = page_script_hash
        cs.page_name = page_name
        cs.fragment_id = fragment_id
        for wid, (kind, value) in (states or {}).items():
            w = cs.widget_states.widgets.add()
            w.id = wid
            target = getattr(w, kind) if kind.endswith("_array_value") else None
            if target is not None:
                target.data.extend(value)
            elif kind == "file_uploader_state_value":
                w.file_uploader_state_value.CopyFrom(value)
            else:
                setattr(w, kind, value)
        run = Run()
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        async with asyncio.timeout(RUN_TIMEOUT_S):
            while True:
                raw = await self.ws.recv()
                run.bytes += len(raw)
                fwd = ForwardMsg()
                fwd.ParseFromString(raw)
                run.messages.append(fwd)
                kind = fwd.WhichOneof("type")
                if kind == "new_session":
                    self.session_id = fwd.new_session.initialize.session_id
                elif kind == "navigation":  # st.navigation says which page ran
                    self.page_script_hash = fwd.navigation.page_script_hash
                element = _element_of(fwd)
                if element is not None:
                    run.elements.append(element)
                if kind == "script_finished":
                    run.status = FINISHED.get(fwd.script_finished, str(fwd.script_finished))
                    if run.status != "rerun":
                        break
        run.seconds = time.perf_counter() - start
        if not fragment_id:  # a whole run draws every widget again; a fragment, its own
            self.widgets = {}
        self.widgets.update({e.id.rsplit("-", 1)[1]: e for e in run.elements
                             if e.id.startswith("$$ID-")})
        self.query = next((m.page_info_changed.query_string for m in reversed(run.messages)
                           if m.WhichOneof("type") == "page_info_changed"), self.query)
        return run

    def widget(self, key: str) -> Element:
        """The widget keyed `key` as the page last drew it (its fragment id can change when
        the whole page runs again)."""
        return self.widgets[key]

    # -- uploads

    def upload(self, data: bytes, name: str = "digit.png",
               content_type: str = "image/png") -> tuple[int, str]:
        """PUT one file to this session's upload endpoint, as the browser does;
        (HTTP status, file id)."""
        file_id = str(uuid.uuid4())
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"{name}\"\r\nContent-Type: {content_type}\r\n\r\n").encode()
        body += data + f"\r\n--{boundary}--\r\n".encode()
        req = urllib.request.Request(
            f"{self.url}/_stcore/upload_file/{self.session_id}/{file_id}", data=body,
            method="PUT", headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                                   "X-Xsrftoken": self._xsrf(), "Origin": self.origin})
        try:
            with self._http.open(req, timeout=60) as r:
                return r.status, file_id
        except urllib.error.HTTPError as err:
            return err.code, file_id


def json_value(value: object) -> tuple[str, str]:
    """A widget value that travels as JSON (data editors, components)."""
    return "json_value", json.dumps(value)


def trigger(event: str, value: object) -> tuple[str, str]:
    """A component's one-run trigger, as Components v2 sends it."""
    return "json_trigger_value", json.dumps([{"event": event, "value": value}])


def trigger_id(component_id: str) -> str:
    """The widget id under which a Components v2 component's triggers travel."""
    return f"$$STREAMLIT_INTERNAL_KEY_{component_id}__events"
