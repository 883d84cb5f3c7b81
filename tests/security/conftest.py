"""A server of its own for the hostile-client tests, and what the tests read off it: its
memory and CPU time from /proc, and what it holds in uploads from /_stcore/metrics."""

from __future__ import annotations

import os
import re
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.e2e.server import ServerError, streamlit_server

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
METRICS_TTL_S = 5.0  # Streamlit computes cache_memory_bytes at most once per 5 s


@dataclass(frozen=True)
class Server:
    url: str
    pid: int

    def rss_mib(self) -> float:
        """Resident memory now."""
        with open(f"/proc/{self.pid}/status") as f:
            kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        return kb / 1024

    def cpu_seconds(self) -> float:
        """CPU time used so far, user and system, all threads."""
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def upload_bytes(self) -> int:
        """The bytes Streamlit's upload store holds now, from the server's own metrics
        (after waiting out the server's cache of that figure)."""
        time.sleep(METRICS_TTL_S + 0.5)
        url = f"{self.url}/_stcore/metrics?families=cache_memory_bytes"
        with urllib.request.urlopen(url, timeout=30) as r:
            text = r.read().decode()
        return sum(int(float(m)) for m in re.findall(
            r'cache_memory_bytes\{[^}]*UploadedFileManager[^}]*\}\s+(\S+)', text))


class Meter:
    """CPU seconds and peak resident memory of the server while the block runs; memory is
    sampled every 10 ms in a thread."""

    def __init__(self, server: Server):
        self.server = server

    def __enter__(self) -> Meter:
        self.rss_before = self.server.rss_mib()
        self.peak = self.rss_before
        self._cpu0 = self.server.cpu_seconds()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self.server.rss_mib())

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.server.rss_mib())
        self.cpu = self.server.cpu_seconds() - self._cpu0

    @property
    def growth_mib(self) -> float:
        """How far the server's memory rose above where it stood before the block."""
        return self.peak - self.rss_before


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("hostile") / "server.log"
    try:
        with streamlit_server(log, extra_args=("--server.disconnectedSessionTTL", "5")) as (
                url, proc):
            yield Server(url, proc.pid)
    except ServerError as err:
        pytest.fail(str(err))
