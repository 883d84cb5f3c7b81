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

A client that behaves like the browser over time (tests/load/classroom.py) sends without
waiting (send_rerun) and reads one message at a time (receive). The session keeps what the
browser keeps: the fragment timers the server asked for (`timers`, from `auto_rerun` and
`stop_auto_rerun`; a whole-page run drops them all), and with browser_cache=True the
browser's cache of large elements, whose hashes every rerun request lists so that the server
sends a short reference instead (Streamlit's ForwardMsg cache; the browser's rules: a
message unused for `max_cached_message_age` runs is forgotten).

Uploads go to /_stcore/upload_file/<session>/<file id> over HTTP, as the browser's do,
with the XSRF cookie and header. Nothing here touches anything but the server it is given.

Behind a proxy: Session("https://course.example.edu:8443", cafile=..., address=("127.0.0.1",
8443)) speaks TLS to that address under that name, and sends the proxy's cookies (its
replica cookie) on every request and on the websocket. reconnect() does what the browser
does when its websocket drops (tests/load/test_replicas.py).
"""

from __future__ import annotations

import asyncio
import http.client
import http.cookiejar
import json
import random
import socket
import ssl
import time
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
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

    def __init__(self, url: str, *, origin: str | None = None, browser_cache: bool = False,
                 cafile: str | None = None, address: tuple[str, int] | None = None):
        """url: http://host:port, or https://host:port (TLS, checked against `cafile`, or
        the system's CAs without it). address: connect there instead of resolving the
        URL's host, which still goes into the Host header and TLS's server name (a test
        reaches a proxy for course.example.edu on 127.0.0.1 this way)."""
        self.url = url.rstrip("/")
        self.origin = origin or self.url
        self.cookies = http.cookiejar.CookieJar()
        self.tls = (ssl.create_default_context(cafile=cafile) if self.url.startswith("https:")
                    else None)
        self.address = address
        self._http = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies),
                                                 _Pinned(self.tls, address))
        # the value of every widget the browser holds, as last sent: a reconnect sends them all
        self.states: dict[str, tuple[str, object]] = {}
        self.ws = None
        self.session_id = ""
        self.page_script_hash = ""
        self.query = ""
        self.widgets: dict[str, Element] = {}  # the page's widgets by key, as last drawn
        self.timers: dict[str, float] = {}  # fragment id -> seconds between its reruns
        self.received_messages = 0
        self.received_bytes = 0
        self.browser_cache = browser_cache
        # hash -> [message, the run count when last used, its fragment id]
        self._cache: dict[str, list] = {}
        self._runs_seen = 0
        self._max_age = 2
        self._new_session_since_request = False
        self._fragment_ids_this_run: list[str] = []

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
        await self._connect()
        return self

    async def _connect(self, last_session_id: str = "") -> None:
        """Open the websocket with the browser's subprotocols: 'streamlit', the XSRF token,
        and on a reconnect the session id it had (the server resumes that session if it
        still holds it, else starts a new one). Every cookie goes along, the proxy's
        replica cookie (course_replica) among them."""
        url = urlparse(self.url)
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.cookies)
        extra = {"ssl": self.tls} if self.tls else {}
        if self.address:
            extra |= {"host": self.address[0], "port": self.address[1]}
        protocols = ["streamlit", self._xsrf() or "x", *([last_session_id] * bool(last_session_id))]
        self.ws = await websockets.connect(
            f"{'wss' if self.tls else 'ws'}://{url.netloc}/_stcore/stream",
            subprotocols=protocols, origin=self.origin, additional_headers={"Cookie": cookie},
            max_size=64 * 2**20, open_timeout=30, **extra)

    async def reconnect(self, *, rerun: bool = True) -> tuple[Run | None, dict[str, float]]:
        """What Streamlit 1.67's browser does after its websocket closed; (the whole-page
        run it asks for, or None with rerun=False; seconds from the call to the end of each
        phase: 'ping', 'connect', 'page').

        Read in the frontend's bundle (static/js/index.*.js: the WebSocketConnection state
        machine, its ping helper, and App.handleConnectionStateChanged):

        1. it waits 250-500 ms (first attempt; then up to 4 s, doubling);
        2. it pings: GET /_stcore/health and /_stcore/host-config together, again and again
           (100 ms, then doubling up to 4 s) until both answer 200. Through a proxy these
           requests carry the replica cookie, and the proxy's answer may set a new one;
        3. it opens the websocket with subprotocols 'streamlit', the XSRF token, and the
           id of the session it had;
        4. if a script run or fragment run was going on, or a fragment timer (auto_rerun)
           was set, it asks for a whole-page run (no fragment id) with the value of every
           widget it holds and the page's URL query; an idle page sends nothing until the
           learner's next action, which carries the same values. A fragment timer firing
           while disconnected sends nothing (the request is dropped, not queued).

        A server that no longer knows the old session id (it restarted, or the proxy sent
        the browser to another replica) starts a new session and runs the page with those
        widget values. Buttons are not among them: a click is sent once and forgotten.
        The browser sends every widget's value, defaults included (19 on the MNIST page,
        seen in Chromium); this client sends the values it has sent before (`states`),
        which the server cannot tell apart: a widget left out gets its default.
        """
        phases = {}
        start = time.perf_counter()
        last = self.session_id
        await self.ws.close()  # already closed by the server's end: nothing happens
        await asyncio.sleep(random.uniform(0.25, 0.5))
        delay = 0.1
        while True:
            try:
                for path in ("/_stcore/health", "/_stcore/host-config"):
                    await asyncio.to_thread(self._http.open, f"{self.url}{path}", timeout=15)
                break
            except OSError:  # urllib's HTTPError and URLError among them
                await asyncio.sleep(delay)
                delay = min(4.0, delay * 2)
        phases["ping"] = time.perf_counter() - start
        await self._connect(last)
        phases["connect"] = time.perf_counter() - start
        self.timers.clear()
        if not rerun:
            return None, phases
        run = await self._run(page_script_hash=self.page_script_hash, states=self.states)
        phases["page"] = time.perf_counter() - start
        return run, phases

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

    async def send_rerun(self, states: Mapping[str, tuple[str, object]] | None = None, *,
                         fragment_id: str = "", auto: bool = False, page_name: str = "",
                         page_script_hash: str | None = None) -> None:
        """Send one rerun request and return at once, as the browser's timers and clicks
        do. auto: the request of a fragment's timer (the browser's `is_auto_rerun`)."""
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = (self.page_script_hash if page_script_hash is None
                               else page_script_hash)
        cs.page_name = page_name
        cs.fragment_id = fragment_id
        cs.is_auto_rerun = auto
        if self.browser_cache:
            cs.cached_message_hashes.extend(self._cache)
        for wid, (kind, value) in (states or {}).items():
            if kind not in ("trigger_value", "json_trigger_value"):  # a click is sent once
                self.states[wid] = (kind, value)
            w = cs.widget_states.widgets.add()
            w.id = wid
            target = getattr(w, kind) if kind.endswith("_array_value") else None
            if target is not None:
                target.data.extend(value)
            elif kind == "file_uploader_state_value":
                w.file_uploader_state_value.CopyFrom(value)
            else:
                setattr(w, kind, value)
        self._new_session_since_request = False
        await self.ws.send(msg.SerializeToString())

    async def receive(self) -> tuple[ForwardMsg, int]:
        """The next message from the server and its size on the wire, after noting what the
        browser notes: the session, the page, the fragment timers, the cache."""
        raw = await self.ws.recv()
        self.received_messages += 1
        self.received_bytes += len(raw)
        fwd = ForwardMsg()
        fwd.ParseFromString(raw)
        kind = fwd.WhichOneof("type")
        if kind == "ref_hash":  # an element the browser has cached: the cached one
            fwd = self._from_cache(fwd)
            kind = fwd.WhichOneof("type")
        elif self.browser_cache and fwd.metadata.cacheable and fwd.hash:
            entry = self._cache.get(fwd.hash)
            if entry is None:
                self._cache[fwd.hash] = [fwd, self._runs_seen, fwd.delta.fragment_id]
            else:
                entry[1] = self._runs_seen
        if kind == "new_session":
            self.session_id = fwd.new_session.initialize.session_id
            self._max_age = fwd.new_session.config.max_cached_message_age or self._max_age
            self._new_session_since_request = True
            self._fragment_ids_this_run = list(fwd.metadata.run.fragment_ids)
            if not self._fragment_ids_this_run:  # a whole-page run: the browser drops them
                self.timers.clear()
        elif kind == "navigation":  # st.navigation says which page ran
            self.page_script_hash = fwd.navigation.page_script_hash
        elif kind == "auto_rerun" and fwd.auto_rerun.fragment_id:
            self.timers[fwd.auto_rerun.fragment_id] = fwd.auto_rerun.interval
        elif kind == "stop_auto_rerun":
            for fid in fwd.stop_auto_rerun.fragment_ids:
                self.timers.pop(fid, None)
        elif kind == "script_finished" and fwd.script_finished != 2:
            self._age_cache()
        return fwd, len(raw)

    def _from_cache(self, ref: ForwardMsg) -> ForwardMsg:
        entry = self._cache.get(ref.ref_hash)
        if entry is None:
            raise RuntimeError(f"the server referred to an uncached message {ref.ref_hash}")
        entry[1] = self._runs_seen
        fwd = ForwardMsg()
        fwd.CopyFrom(entry[0])
        fwd.metadata.CopyFrom(ref.metadata)
        return fwd

    def _age_cache(self) -> None:
        """After a run: forget what went unused for longer than the server allows (the
        browser counts a fragment's run only against that fragment's messages)."""
        if not self._new_session_since_request:
            return
        self._runs_seen += 1
        only = self._fragment_ids_this_run
        for key, (_, used, fragment_id) in list(self._cache.items()):
            if only and fragment_id not in only:
                continue
            if self._runs_seen - used > self._max_age:
                del self._cache[key]

    async def _run(self, *, page_name: str = "", page_script_hash: str = "",
                   states: Mapping[str, tuple[str, object]] | None = None,
                   fragment_id: str = "") -> Run:
        run = Run()
        start = time.perf_counter()
        await self.send_rerun(states, fragment_id=fragment_id, page_name=page_name,
                              page_script_hash=page_script_hash)
        async with asyncio.timeout(RUN_TIMEOUT_S):
            while True:
                fwd, size = await self.receive()
                run.bytes += size
                run.messages.append(fwd)
                kind = fwd.WhichOneof("type")
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


class _Pinned(urllib.request.HTTPSHandler):
    """HTTP and HTTPS to a fixed address (when given) whatever the URL's host name, which
    still names the server for the Host header and TLS."""

    def __init__(self, context: ssl.SSLContext | None, address: tuple[str, int] | None):
        super().__init__(context=context)
        self.address = address

    def _pin(self, connection: http.client.HTTPConnection) -> http.client.HTTPConnection:
        if self.address:
            address = self.address
            connection._create_connection = (  # http.client's own hook
                lambda _where, *args: socket.create_connection(address, *args))
        return connection

    def http_open(self, req):
        return self.do_open(lambda host, **kw: self._pin(http.client.HTTPConnection(host, **kw)),
                            req)

    def https_open(self, req):
        return self.do_open(lambda host, **kw: self._pin(http.client.HTTPSConnection(host, **kw)),
                            req, context=self._context)


def json_value(value: object) -> tuple[str, str]:
    """A widget value that travels as JSON (data editors, components)."""
    return "json_value", json.dumps(value)


def trigger(event: str, value: object) -> tuple[str, str]:
    """A component's one-run trigger, as Components v2 sends it."""
    return "json_trigger_value", json.dumps([{"event": event, "value": value}])


def trigger_id(component_id: str) -> str:
    """The widget id under which a Components v2 component's triggers travel."""
    return f"$$STREAMLIT_INTERNAL_KEY_{component_id}__events"


def run_async(coroutine):
    """asyncio.run(coroutine) in a thread of its own, its result: the caller's thread may
    already run an event loop (the browser tests' sync Playwright keeps one running in the
    main thread of the same pytest process), where asyncio.run refuses to start."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
