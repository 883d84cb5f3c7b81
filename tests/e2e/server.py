"""`streamlit run` on a free loopback port, and Debian's Chromium: shared by the browser
tests, the load test and the page benchmarks (bench/)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium's own connections are refused here.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT_S = 60


class ServerError(RuntimeError):
    """The server exited or was not healthy in time; the message holds its log."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def streamlit_server(log_path: Path, *, env: dict | None = None,
                     extra_args: tuple[str, ...] = (), cpus: set[int] | None = None,
                     ) -> Iterator[tuple[str, subprocess.Popen]]:
    """Start the app, wait until it is healthy, yield (url, process), stop it afterwards.

    cpus: run the server on these CPU cores only (a benchmark keeps it apart from the
    browser this way); None: wherever the OS puts it.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
           "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           *extra_args]
    with open(log_path, "wb") as log:
        pin = None if cpus is None else (lambda: os.sched_setaffinity(0, cpus))
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
                                preexec_fn=pin)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                why = "exited" if proc.poll() is not None else "was not healthy in time"
                raise ServerError(f"streamlit {why}; its log:\n"
                                  f"{log_path.read_text(errors='replace')}")
            time.sleep(0.25)
        yield url, proc
    finally:
        stop(proc)


def stop(process: subprocess.Popen) -> None:
    """Ask a server process to end; kill it when it has not ended after 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
