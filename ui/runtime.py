"""Process-wide settings for a server that many learners share, applied once by the shell."""

from __future__ import annotations

import os

import numpy  # noqa: F401 - its BLAS must be loaded before its threads can be limited

# pandas, whole, before any session's run. Plotly's validators look pandas up with
# sys.modules.get (optional_imports.get_module(should_load=False)), so on a fresh process one
# learner's run could read the module half-built while another's was importing it ("partially
# initialized module 'pandas' has no attribute 'Series'": ten first runs at once on a replica
# that had just started, tests/load/test_replicas.py). Imported here, it is built while the
# shell imports this module, and every other run waits at that import until it is done.
import pandas  # noqa: F401
from streamlit.runtime import Runtime
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from threadpoolctl import threadpool_limits

BLAS_THREADS_ENV = "ENGINE_BLAS_THREADS"
DEFAULT_BLAS_THREADS = 1
TRAINING_SLOTS_ENV = "ENGINE_TRAINING_SLOTS"
# A page has at most two uploaders (the playground: a CSV of points and a saved network; MNIST:
# a digit picture and a saved network), and a third file may arrive while one is being
# replaced. Streamlit itself caps each file (server.maxUploadSize, 2 MB).
MAX_UPLOADS_PER_SESSION = 3
_limits = None


def _env_int(name: str, default: int) -> int:
    """A positive integer from the environment; `default` when unset or not one."""
    raw = os.environ.get(name, "")
    try:
        return max(1, int(raw)) if raw.strip() else default
    except ValueError:
        return default


def usable_cores() -> int:
    """The cores this process may run on (a container's or taskset's limit included)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def training_slot_count() -> int:
    """How many chunks of training the whole server runs at once ($ENGINE_TRAINING_SLOTS).

    By default one per usable core: with one BLAS thread each, that keeps every core busy
    and no learner's network waits behind more than the others'.
    """
    return _env_int(TRAINING_SLOTS_ENV, usable_cores())


def limit_blas_threads() -> int:
    """Give numpy's BLAS one thread (or $ENGINE_BLAS_THREADS) for the whole process.

    Each learner's training runs in its own script thread, and up to
    training_slot_count() of them at once (ui.live). OpenBLAS would start a pool of
    spinning threads per call on top of that; on a 2-core host with the browser beside
    it, that made a training step 40× slower (measured: 9 steps in 0.35 s instead of 270).
    One thread each keeps the cores for the learners.
    """
    global _limits
    threads = _env_int(BLAS_THREADS_ENV, DEFAULT_BLAS_THREADS)
    if _limits is None:
        _limits = threadpool_limits(threads, user_api="blas")
    return threads


class CappedUploadedFileManager(MemoryUploadedFileManager):
    """Streamlit's in-memory store of uploads, holding at most MAX_UPLOADS_PER_SESSION
    files for each session: a new file pushes out that session's oldest.

    Streamlit's upload endpoint takes any number of files from a session and keeps them
    until the session ends (60 uploads of 2 MB held 125 MB). The browser sends one file per
    pick and deletes the one it replaces; a client that never deletes now costs at most
    MAX_UPLOADS_PER_SESSION × maxUploadSize.
    """

    def add_file(self, session_id, file) -> None:
        super().add_file(session_id, file)
        with self._lock:
            files = self.file_storage[session_id]
            while len(files) > MAX_UPLOADS_PER_SESSION:
                oldest = files.pop(next(iter(files)))  # dicts keep the order of arrival
                self._total_bytes -= len(oldest.data)
                self._file_count -= 1


def cap_uploads() -> None:
    """Put the per-session cap on the running server's upload store (once; idempotent)."""
    if not Runtime.exists():
        return
    store = Runtime.instance().uploaded_file_mgr
    if type(store) is MemoryUploadedFileManager:
        store.__class__ = CappedUploadedFileManager
