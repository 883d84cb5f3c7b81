"""Process-wide settings for a server that many learners share, applied once by the shell."""

from __future__ import annotations

import os

import numpy  # noqa: F401 - its BLAS must be loaded before its threads can be limited
from threadpoolctl import threadpool_limits

BLAS_THREADS_ENV = "ENGINE_BLAS_THREADS"
DEFAULT_BLAS_THREADS = 1
_limits = None


def limit_blas_threads() -> int:
    """Give numpy's BLAS one thread (or $ENGINE_BLAS_THREADS) for the whole process.

    Each learner's training runs in its own script thread, and up to ui.live.MAX_CONCURRENT
    of them at once. OpenBLAS would start a pool of spinning threads per call on top of
    that; on a 2-core host with the browser beside it, that made a training step 40× slower
    (measured: 9 steps in 0.35 s instead of 270). One thread each keeps the cores for the
    learners.
    """
    global _limits
    raw = os.environ.get(BLAS_THREADS_ENV, "")
    try:
        threads = max(1, int(raw)) if raw.strip() else DEFAULT_BLAS_THREADS
    except ValueError:
        threads = DEFAULT_BLAS_THREADS
    if _limits is None:
        _limits = threadpool_limits(threads, user_api="blas")
    return threads
