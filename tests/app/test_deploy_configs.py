"""The deployment configs in docs/deploy/ are real and do what docs/DEPLOY.md says (issue 20,
finding 8), and the dependency lock matches the pins (finding 9).

- nginx.conf and haproxy.cfg pass `nginx -t` and `haproxy -c` (Debian's packages), and then
  serve real requests in front of a stand-in for Streamlit: HTTP goes to HTTPS, only the
  course's host name gets through, the security headers are on every response, the metrics
  and agent paths never reach Streamlit however they are spelled, a 2.5 MB upload passes and
  a bigger one does not, one session's upload flood and one address's request flood are cut
  off, the websocket handshake is passed on.
- course.service has its hardening lines (and `systemd-analyze verify` accepts it where it
  runs); ingress.yaml parses and carries the same limits.
- Every config excerpt that DEPLOY.md quotes is in the file it names.

Without nginx, haproxy or openssl the proxy tests are skipped, except under CI=true, where
they fail: scripts/test.sh installs the packages.
"""

from __future__ import annotations

import base64
import configparser
import hashlib
import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml

from tests.deploy_helpers import HOST, haproxy_config, self_signed_tls, tool
from tests.e2e.server import stop

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_DIR = ROOT / "docs" / "deploy"
DEPLOY_MD = ROOT / "docs" / "DEPLOY.md"
NGINX = DEPLOY_DIR / "nginx.conf"
HAPROXY = DEPLOY_DIR / "haproxy.cfg"
UNIT = DEPLOY_DIR / "course.service"
INGRESS = DEPLOY_DIR / "ingress.yaml"
UPLOAD_CAP = 2 * 1024 * 1024  # server.maxUploadSize (test_config.py holds it there)

# Spellings of the metrics and agent paths that Streamlit (Starlette) decodes to the real
# endpoint, or that a proxy might let through if it matched the raw path.
BLOCKED_PATHS = [
    "/_stcore/metrics", "/_stcore/metrics?families=active_sessions", "/%5fstcore/metrics",
    "/%5Fstcore/metrics", "/_stcore%2fmetrics", "/_stcore%2Fmetrics", "/_stcore/%6detrics",
    "/_stcore//metrics", "//_stcore/metrics", "/_stcore/metrics/", "/_STCORE/Metrics",
    "/mnist/_stcore/metrics", "/_stcore/agent/openapi.json", "/_stcore/agent/interact",
    "/_stcore/agent/mcp",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the proxy exited ({process.returncode}):\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nothing listens on port {port}:\n{log.read_text()}")


# --- a stand-in for Streamlit --------------------------------------------------------------


class Upstream:
    """An HTTP server that answers "ok" to everything, accepts websocket handshakes, marks
    /static/ files immutable as Streamlit does, and records what reached it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: list[tuple[str, str, dict[str, str], int]] = []
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            wbufsize = 1 << 16  # one write per answer: no Nagle delays between header and body

            def log_message(self, *args) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                if "x-forwarded-for" in headers:  # a request the proxy passed on, no health check
                    upstream.seen.append((self.command, self.path, headers, len(body)))
                if headers.get("upgrade", "").lower() == "websocket":
                    key = headers.get("sec-websocket-key", "")
                    accept = base64.b64encode(hashlib.sha1(
                        (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
                    self.send_response(101)
                    self.send_header("Upgrade", "websocket")
                    self.send_header("Connection", "Upgrade")
                    self.send_header("Sec-WebSocket-Accept", accept.decode())
                    self.end_headers()
                    self.close_connection = True
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "2")
                self.send_header("X-Upstream", upstream.name)
                if self.path.startswith("/static/"):
                    self.send_header("Cache-Control", "public, immutable, max-age=31536000")
                self.end_headers()
                self.wfile.write(b"ok")

            do_GET = do_PUT = do_DELETE = do_POST = do_HEAD = _answer

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address) -> None:
                pass  # a proxy closing a connection it keeps is no error here

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def paths(self) -> list[str]:
        return [path for _, path, _, _ in self.seen]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def upstreams() -> Iterator[tuple[Upstream, Upstream]]:
    pair = (Upstream("a"), Upstream("b"))
    yield pair
    for upstream in pair:
        upstream.close()


@pytest.fixture(scope="module")
def tls(tmp_path_factory) -> dict[str, Path]:
    """A throwaway self-signed certificate for course.example.edu."""
    return self_signed_tls(tmp_path_factory.mktemp("tls"))


# --- talking to the proxy ------------------------------------------------------------------


class Client:
    """HTTP(S) to 127.0.0.1 as if to course.example.edu (TLS name and Host header), one
    connection reused until the proxy closes it. `cafile` None: plain HTTP."""

    def __init__(self, port: int, cafile: Path | None, host: str = HOST,
                 sni: str = HOST) -> None:
        self.port, self.host, self.sni = port, host, sni
        self.context = ssl.create_default_context(cafile=str(cafile)) if cafile else None
        if self.context is not None and sni != HOST:
            self.context.check_hostname = False
            self.context.verify_mode = ssl.CERT_NONE
        self.conn: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.sock = raw if self.context is None else \
            self.context.wrap_socket(raw, server_hostname=self.sni)
        return conn

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = self._connect()
            try:
                self.conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
                self.conn.putheader("Host", self.host)
                for name, value in (headers or {}).items():
                    self.conn.putheader(name, value)
                if body is not None:
                    self.conn.putheader("Content-Length", str(len(body)))
                self.conn.endheaders(body)
                response = self.conn.getresponse()
                response.read()
                if response.will_close or response.status == 101:
                    self.close()
                return response
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def send_headers_only(client: Client, path: str, length: int) -> int:
    """A PUT that announces `length` bytes and sends none: the proxy must refuse it from the
    headers alone."""
    client.close()
    conn = client._connect()
    conn.putrequest("PUT", path, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", client.host)
    conn.putheader("Content-Length", str(length))
    conn.endheaders()
    status = conn.getresponse().status
    conn.close()
    return status


WEBSOCKET = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
             "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
SECURITY_HEADERS = {
    "strict-transport-security": "max-age=31536000",
    "x-content-type-options": "nosniff",
    "x-frame-options": "SAMEORIGIN",
    "content-security-policy": "frame-ancestors 'self'",
}


def assert_security_headers(response: http.client.HTTPResponse, what: str) -> None:
    got = {k.lower(): v for k, v in response.getheaders()}
    for name, value in SECURITY_HEADERS.items():
        assert got.get(name) == value, f"{what}: {name} is {got.get(name)!r}"
    assert re.fullmatch(r"(nginx)?", got.get("server", "")), f"{what}: Server {got['server']}"


def check_proxy(https: Client, http_port: int, upstream: Upstream, tls_files: dict,
                page_burst: int, uploads_per_session: int) -> None:
    """What both proxies promise, checked over the network."""
    # plain HTTP: only a redirect to HTTPS, to the course's own name
    plain = Client(http_port, None)
    response = plain.request("GET", "/mnist?lang=en")
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/mnist?lang=en"
    plain.close()

    # the app itself, with the headers; Host reaches Streamlit (server.allowedHosts needs it)
    response = https.request("GET", "/perceptron?lang=ko")
    assert response.status == 200, response.status
    assert_security_headers(response, "a page")
    method, path, headers, _ = upstream.seen[-1]
    assert (method, path) == ("GET", "/perceptron?lang=ko")
    assert headers["host"].split(":")[0] == HOST
    assert headers.get("x-forwarded-proto") == "https"

    # another host name gets nothing from Streamlit: in the Host header, or in TLS too
    before = len(upstream.seen)
    for sni in (HOST, "evil.example"):
        stranger = Client(https.port, tls_files["cert"], host="evil.example", sni=sni)
        try:
            status = stranger.request("GET", "/").status
        except (ssl.SSLError, OSError, http.client.HTTPException):
            status = None  # nginx closes such a connection without an answer
        stranger.close()
        assert status in (None, 404), (sni, status)
    assert len(upstream.seen) == before

    # metrics and the agent API: refused, however spelled, with the headers on the refusal
    for path in BLOCKED_PATHS:
        response = https.request("GET", path)
        assert response.status == 404, (path, response.status)
        assert_security_headers(response, path)
    leaked = [p for p in upstream.paths() if re.search(r"_stcore/+(metrics|agent)",
                                                       unquote(p), re.IGNORECASE)]
    assert leaked == []

    # the websocket handshake is passed on, with its Upgrade headers
    response = https.request("GET", "/_stcore/stream", headers=WEBSOCKET)
    assert response.status == 101, response.status
    _, path, headers, _ = upstream.seen[-1]
    assert path == "/_stcore/stream"
    assert headers.get("upgrade", "").lower() == "websocket"
    assert "upgrade" in headers.get("connection", "").lower()

    # uploads: a 2.5 MB body passes (the 2 MB picture and its multipart framing) ...
    body = b"x" * (UPLOAD_CAP + UPLOAD_CAP // 4)
    response = https.request("PUT", "/_stcore/upload_file/big/f1", body=body)
    assert response.status == 200, response.status
    assert upstream.seen[-1][3] == len(body)
    # ... and anything over 3 MB is refused before a byte of it is read
    assert send_headers_only(https, "/_stcore/upload_file/big/f2", 3 * UPLOAD_CAP) == 413

    # one session flooding uploads is cut off; another session is not
    statuses = [https.request("PUT", f"/_stcore/upload_file/flood/f{i}", body=b"x").status
                for i in range(uploads_per_session + 5)]
    assert statuses[:uploads_per_session] == [200] * uploads_per_session, statuses
    assert set(statuses[uploads_per_session:]) == {429}, statuses
    # the same session spelled another way is the same session
    response = https.request("PUT", "/%5fstcore/upload_file/flood/again", body=b"x")
    assert response.status == 429
    response = https.request("PUT", "/_stcore/upload_file/calm/f1", body=b"x")
    assert response.status == 200

    # static files are kept by the proxy: Streamlit serves each one once
    for _ in range(3):
        response = https.request("GET", "/static/js/index.abc123.js")
        assert response.status == 200
        assert_security_headers(response, "a static file")
    assert upstream.paths().count("/static/js/index.abc123.js") == 1

    # one address sending requests without pause is cut off after its burst (200 more than
    # the burst: enough for a 429 even if the machine is slow and the bucket refills meanwhile)
    statuses = [https.request("GET", "/_stcore/health").status
                for _ in range(page_burst + 200)]
    assert statuses[: page_burst // 2] == [200] * (page_burst // 2)
    assert 429 in statuses, "no request was refused"


# --- nginx ---------------------------------------------------------------------------------


def nginx_site(tls_files: dict, folder: Path, ports: dict[str, int] | None = None) -> Path:
    """The site file with the certificate and cache paths (and, to run it, the ports)
    pointed at `folder`, wrapped in a minimal nginx.conf of its own."""
    site = NGINX.read_text(encoding="utf-8")
    replacements = {
        f"/etc/letsencrypt/live/{HOST}/fullchain.pem": str(tls_files["cert"]),
        f"/etc/letsencrypt/live/{HOST}/privkey.pem": str(tls_files["key"]),
        "/var/lib/nginx/course-static": str(folder / "cache"),
    }
    if ports:
        replacements.update({
            "listen 80 ": f"listen 127.0.0.1:{ports['http']} ",
            "listen 80;": f"listen 127.0.0.1:{ports['http']};",
            "listen 443 ": f"listen 127.0.0.1:{ports['https']} ",
            "server 127.0.0.1:8501;": f"server 127.0.0.1:{ports['upstream']};",
        })
    for old, new in replacements.items():
        assert old in site, f"{old} is no longer in {NGINX.name}: update this test"
        site = site.replace(old, new)
    (folder / "site.conf").write_text(site)
    temp = " ".join(f"{kind}_temp_path {folder / kind};"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root root;" if os.geteuid() == 0 else ""
    main = folder / "nginx.conf"
    main.write_text(f"""{user}
daemon off;
worker_processes 1;
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'} warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    {temp}
    include {folder / 'site.conf'};
}}
""")
    return main


def test_nginx_accepts_the_site(tls, tmp_path):
    nginx = tool("nginx")
    main = nginx_site(tls, tmp_path)
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(main),
                             "-e", str(tmp_path / "error.log")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    assert "[warn]" not in result.stderr, result.stderr


def test_nginx_in_front_of_streamlit(tls, tmp_path, upstreams):
    nginx = tool("nginx")
    ports = {"http": free_port(), "https": free_port(), "upstream": upstreams[0].port}
    main = nginx_site(tls, tmp_path, ports)
    log = tmp_path / "error.log"
    process = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(main), "-e", str(log)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_for_port(ports["https"], process, log)
        https = Client(ports["https"], tls["cert"])
        # the replica key (DEPLOY.md section 5): a random one, kept once the browser has it
        cookie = https.request("GET", "/").getheader("Set-Cookie", "")
        for attribute in ("Secure", "HttpOnly", "SameSite=Lax"):
            assert attribute.lower() in cookie.lower(), cookie
        key = re.fullmatch(r"course_replica=([0-9a-f]{32});.*", cookie)
        assert key, cookie
        again = https.request("GET", "/", headers={"Cookie": f"course_replica={key[1]}"})
        assert f"course_replica={key[1]};" in again.getheader("Set-Cookie", "")
        forged = https.request("GET", "/", headers={"Cookie": "course_replica=x; Path=/evil"})
        assert "evil" not in forged.getheader("Set-Cookie", "")
        check_proxy(https, ports["http"], upstreams[0], tls, page_burst=400,
                    uploads_per_session=11)  # 1 + burst 10
        https.close()
    finally:
        stop(process)


def test_nginx_site_says_what_deploy_md_promises():
    text = NGINX.read_text(encoding="utf-8")
    size = re.search(r"client_max_body_size\s+(\d+)m;", text)
    assert size and int(size.group(1)) * 1024 * 1024 > UPLOAD_CAP
    assert "map $http_upgrade $course_connection_upgrade" in text
    assert "proxy_set_header Connection $course_connection_upgrade;" in text
    assert re.search(r"return 301 https://", text)
    assert "limit_req_zone $course_upload_session" in text
    assert re.search(r"location ~ /_stcore/upload_file/ \{[^}]*limit_req zone=course_uploads_"
                     r"session", text)
    assert "limit_conn course_addr" in text and "limit_conn course_all" in text
    assert re.search(r"location ~\* /_stcore/\(metrics\|agent\) \{\s*return 404;", text)
    assert "server_tokens off;" in text
    # a location with an add_header of its own would drop the security headers there
    locations = re.findall(r"location [^{]*\{([^}]*)\}", text)
    assert locations and not any("add_header" in body for body in locations)


# --- HAProxy -------------------------------------------------------------------------------


def test_haproxy_accepts_the_config(tls, tmp_path):
    haproxy = tool("haproxy")
    config = haproxy_config(tls, tmp_path)
    result = subprocess.run([haproxy, "-c", "-f", str(config)],
                            capture_output=True, text=True, timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output and "ALERT" not in output, output


def test_haproxy_in_front_of_streamlit(tls, tmp_path, upstreams):
    haproxy = tool("haproxy")
    ports = {"http": free_port(), "https": free_port()}
    config = haproxy_config(tls, tmp_path, ports, (upstreams[0].port, upstreams[1].port))
    log = tmp_path / "haproxy.log"
    with log.open("w") as out:
        process = subprocess.Popen([haproxy, "-db", "-f", str(config)], stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        wait_for_port(ports["https"], process, log)
        # a browser that got the replica cookie stays on that replica
        https = Client(ports["https"], tls["cert"])
        first = https.request("GET", "/")
        replica = first.getheader("X-Upstream")
        cookie = first.getheader("Set-Cookie", "")
        for attribute in ("course_replica=", "Secure", "HttpOnly", "SameSite=Lax"):
            assert attribute.lower() in cookie.lower(), cookie
        pair = cookie.split(";")[0]
        for _ in range(6):
            again = https.request("GET", "/", headers={"Cookie": pair})
            assert again.getheader("X-Upstream") == replica
        https.close()

        # the rest on one replica, as a browser with its cookie
        class Sticky(Client):
            def request(self, method, path, body=None, headers=None):
                return super().request(method, path, body, {"Cookie": pair, **(headers or {})})

        upstream = next(u for u in upstreams if u.name == replica)
        https = Sticky(ports["https"], tls["cert"])
        check_proxy(https, ports["http"], upstream, tls, page_burst=400,
                    uploads_per_session=10)
        https.close()
    finally:
        stop(process)


def test_haproxy_config_says_what_deploy_md_promises():
    text = HAPROXY.read_text(encoding="utf-8")
    tunnel = re.search(r"timeout tunnel (\d+)(s|m|h)", text)
    assert tunnel and int(tunnel.group(1)) * {"s": 1, "m": 60, "h": 3600}[tunnel.group(2)] >= 600
    assert re.search(r"cookie course_replica insert .*\bsecure\b.*\bhttponly\b", text)
    assert "http-request redirect scheme https" in text
    assert re.search(r"deny deny_status 404 if \{ path,url_dec .*metrics\|agent", text)
    assert re.search(r"deny deny_status 413 if \{ req.hdr_val\(content-length\) gt (\d+)", text)
    assert "timeout http-request" in text
    for name in SECURITY_HEADERS:
        assert re.search(rf"http-after-response set-header {name}", text, re.IGNORECASE), name


# --- systemd -------------------------------------------------------------------------------


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in systemd
    parser.read_string(UNIT.read_text(encoding="utf-8").replace("\\\n", " "))
    return parser


def test_the_unit_is_hardened():
    service = unit()["Service"]
    expected = {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
                "PrivateTmp": "yes", "PrivateDevices": "yes", "RestrictSUIDSGID": "yes",
                "CapabilityBoundingSet": "", "Restart": "always", "User": "course"}
    for key, value in expected.items():
        assert service.get(key) == value, key
    assert re.fullmatch(r"\d+[MG]", service["MemoryMax"])
    command = " ".join(service["ExecStart"].split())
    for flag in ("--server.address 127.0.0.1", "--server.port 8501",
                 f"--server.allowedHosts {HOST}", f"--browser.serverAddress {HOST}"):
        assert flag in command, flag


def test_systemd_analyze_accepts_the_unit(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is missing (the unit's keys are checked above)")
    executable = shutil.which("streamlit") or shutil.which("python3")
    text = UNIT.read_text(encoding="utf-8").replace("/srv/course/venv/bin/streamlit",
                                                     executable)
    copy = tmp_path / "course.service"
    copy.write_text(text)
    result = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True,
                            timeout=60)
    if "Failed to" in result.stderr and "bus" in result.stderr.lower():
        pytest.skip(f"systemd-analyze cannot run here: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr
    assert str(copy) not in result.stderr, result.stderr  # e.g. "Unknown key ..., ignoring"


# --- Kubernetes ----------------------------------------------------------------------------


def test_the_ingress_carries_the_same_limits():
    documents = list(yaml.safe_load_all(INGRESS.read_text(encoding="utf-8")))
    ingresses = {d["metadata"]["name"]: d for d in documents if d["kind"] == "Ingress"}
    headers = next(d for d in documents if d["kind"] == "ConfigMap")["data"]
    assert set(SECURITY_HEADERS) - {"strict-transport-security"} <= {k.lower() for k in headers}

    prefix = "nginx.ingress.kubernetes.io/"
    notes = {name: {k.removeprefix(prefix): v for k, v in d["metadata"]["annotations"].items()}
             for name, d in ingresses.items()}
    app = notes["course"]
    assert int(app["proxy-read-timeout"]) >= 600 and int(app["proxy-send-timeout"]) >= 600
    assert app["proxy-body-size"] == "3m" and notes["course-uploads"]["proxy-body-size"] == "3m"
    assert app["limit-rps"] and app["limit-connections"]
    assert notes["course-uploads"]["limit-rpm"]
    # the same affinity on every Ingress of the one Service, with a Secure cookie
    affinity = {k: v for k, v in app.items() if k.startswith(("affinity", "session-cookie"))}
    assert affinity["session-cookie-secure"] == "true" and affinity["affinity"] == "cookie"
    for name, note in notes.items():
        assert note.get("force-ssl-redirect") == "true", name
        assert {k: note.get(k) for k in affinity} == affinity, name
    # metrics and the agent API: refused to every address
    blocked = ingresses["course-blocked"]["spec"]["rules"][0]["http"]["paths"]
    assert {p["path"] for p in blocked} == {"/_stcore/metrics", "/_stcore/agent"}
    assert notes["course-blocked"]["denylist-source-range"] == "0.0.0.0/0,::/0"
    for ingress in ingresses.values():
        for rule in ingress["spec"]["rules"]:
            assert rule["host"] == HOST
            for path in rule["http"]["paths"]:
                assert path["backend"]["service"]["port"]["number"] == 8501


# --- the guide and the files agree ---------------------------------------------------------


def test_deploy_md_quotes_the_files_as_they_are():
    """Each config excerpt in DEPLOY.md names its file on its first line, and every line of
    it is in that file."""
    text = DEPLOY_MD.read_text(encoding="utf-8")
    blocks = re.findall(r"```(nginx|haproxy|ini|yaml)\n(.*?)```", text, flags=re.DOTALL)
    assert blocks, "DEPLOY.md quotes no config"
    named = set()
    for _, block in blocks:
        first, *lines = block.splitlines()
        match = re.fullmatch(r"# (docs/deploy/\S+)(?: \(excerpt\))?", first.strip())
        assert match, f"an excerpt must start with '# docs/deploy/<file>': {first!r}"
        source = (ROOT / match.group(1)).read_text(encoding="utf-8").splitlines()
        source = {line.strip() for line in source}
        named.add(match.group(1))
        for line in lines:
            if line.strip() and line.strip() != "...":
                assert line.strip() in source, f"{match.group(1)} has no line {line.strip()!r}"
    for path in DEPLOY_DIR.iterdir():
        assert f"docs/deploy/{path.name}" in text, f"DEPLOY.md does not mention {path.name}"


# --- the lock (finding 9) ------------------------------------------------------------------


def pins(path: Path) -> dict[str, str]:
    """name -> version for every `name==version` line of a requirements file (and the files it
    includes with -r)."""
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            found |= pins(path.parent / line[3:].strip())
        elif match := re.match(r"([A-Za-z0-9_.-]+)==([^\s;\\]+)", line):
            found[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return found


@pytest.mark.parametrize(("source", "lock"), [("requirements.txt", "requirements.lock"),
                                              ("requirements-dev.txt", "requirements-dev.lock")])
def test_the_lock_holds_every_pin_with_hashes(source, lock):
    text = (ROOT / lock).read_text(encoding="utf-8")
    assert f"uv pip compile {source} --universal --generate-hashes" in text.splitlines()[1]
    wanted, locked = pins(ROOT / source), pins(ROOT / lock)
    stale = {name: (version, locked.get(name)) for name, version in wanted.items()
             if locked.get(name) != version}
    assert stale == {}, f"{lock} is stale; regenerate it (README, Dependencies): {stale}"
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2].strip())
    for entry in entries:
        assert "--hash=sha256:" in entry, f"no hash in {lock}: {entry.splitlines()[0]}"
    assert not re.search(r"file:|/opt/|--index-url|--extra-index-url|--find-links", text)


def test_the_dev_lock_agrees_with_the_app_lock():
    app, dev = pins(ROOT / "requirements.lock"), pins(ROOT / "requirements-dev.lock")
    assert {name: dev.get(name) for name in app} == app
