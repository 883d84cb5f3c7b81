"""Shut down the sessions Streamlit forgets, and give their memory back to the system.

When a learner's tab closes, Streamlit keeps the session for a while (its
server.disconnectedSessionTTL) in case the tab comes back. Streamlit 1.67 then drops it from
that store without calling AppSession.shutdown() (upstream streamlit#12506): once the time is
up, or when more than 128 sessions wait at once. Dropped that way, a session leaves behind
what only shutdown() releases: its images in the media file manager, its uploads, its
dataframe sources, its script thread's event loop. The expired entry itself stays in the
store, state and all, until the next tab closes (with no next tab: for good).

install_janitor() fixes it from outside, once per process:
- the store's cache learns to shut down every session it drops (ClosingTTLCache);
- a timer on the server's event loop drops the expired ones every SWEEP_S seconds, so a
  session is released soon after its time is up, not when the next tab closes;
- what the sessions freed goes back to the system: glibc's malloc is told to keep less
  (tune_malloc()), and the heap is trimmed after sessions were shut down (trim_heap()).
  Without this, the memory in use stays flat but the resident memory still grows by
  about 9 MiB a round of 20 learners (tests/load/test_memory.py has the numbers).

It uses Streamlit internals (listed in _internals()). Where one is missing, it does nothing
and logs that once; tests/load/test_memory.py checks that the pinned version has them.

For measuring, APP_SESSION_JANITOR=0 leaves the server as Streamlit leaves it, and
APP_MEMORY_PROBE=<file> has the server write its session counts to that file (see probe()).
Neither is set in a deployment; neither is reachable by a learner.
"""

from __future__ import annotations

import collections
import ctypes
import gc
import json
import logging
import os
import sys
import threading
import time
from pathlib import Path

from streamlit.runtime import Runtime
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.caching.ttl_cache import TTLCache

JANITOR_ENV = "APP_SESSION_JANITOR"
INSTALLED_MARK = "_app_session_janitor"  # on the Runtime: True once installed
# glibc's mallopt() options (malloc.h) and the values tune_malloc() gives them
M_TOP_PAD, M_MMAP_THRESHOLD, M_ARENA_MAX = -2, -3, -8
ARENA_MAX = 2
MMAP_THRESHOLD = 128 * 1024
TOP_PAD = 64 * 2**20
PROBE_ENV = "APP_MEMORY_PROBE"
SWEEP_S = 1.0  # a sweep looks at the oldest stored session only: next to nothing to run
# After sessions were shut down, the heap is trimmed as soon as no tab is connected, and
# while tabs are, at most once in this many seconds (a trim holds the event loop ~0.1 s).
TRIM_GAP_S = 60.0

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_stats = {"shut_down": 0, "trimmed_at": 0, "trim_time": 0.0, "trims": 0, "last_trim_s": 0.0,
          "last_trim_freed_mib": 0.0}


class ClosingTTLCache(TTLCache):
    """The session store's TTLCache, which shuts down each session it drops by itself
    (expired, or the least recently used one past its maxsize). A session taken out by
    name (resumed by its tab, or closed by Streamlit, which shuts it down then) is not
    touched. The shutdown is queued on the event loop, outside the session manager's lock
    that the store is called under."""

    _janitor_loop = None  # the server's event loop, set by install_janitor()

    def expire(self, at_time=None):
        removed = super().expire(at_time)
        for _, info in removed:
            _shut_down_later(self, info)
        return removed

    def _evict_lru(self, reason):
        info = super()._evict_lru(reason)
        _shut_down_later(self, info)
        return info


def _shut_down_later(cache: ClosingTTLCache, info) -> None:
    session = getattr(info, "session", None)
    loop = cache._janitor_loop
    if session is None or loop is None or loop.is_closed():
        return
    loop.call_soon_threadsafe(_shut_down, session)


def _shut_down(session: AppSession) -> None:
    try:
        session.shutdown()  # a no-op for a session already shut down
        _stats["shut_down"] += 1
    except Exception:  # one session's cleanup must not stop the others' or the server
        _log.exception("could not shut down dropped session %s", session.id)


def trim_heap() -> float:
    """Collect the freed sessions' reference cycles, then hand the heap's free pages back
    to the system (glibc's malloc_trim); the seconds it took (0.06 to 0.18 s measured)."""
    start, before = time.perf_counter(), _rss_mib()
    gc.collect()
    if _libc is not None:
        _libc.malloc_trim(0)
    seconds = time.perf_counter() - start
    _stats.update(trims=_stats["trims"] + 1, last_trim_s=round(seconds, 3),
                  last_trim_freed_mib=round(before - _rss_mib(), 1))
    return seconds


def tune_malloc() -> dict:
    """Keep glibc's malloc from holding on to what the sessions freed; the settings made.

    Measured with 10 rounds of 20 learners (tests/load/test_memory.py) and the sessions
    shut down, the memory in use stayed at 100 MiB while what malloc kept free grew from 100
    to 210 MiB, and the resident memory with it (+27 % from round 1 to 10). Two of glibc's
    defaults cause it:
    - a training step's arrays (a batch of 100 images is 300 to 600 kB) come from the heap
      instead of their own mmap once glibc has raised its mmap threshold (it does so each
      time such an array is freed, up to 32 MiB), and leave holes there. Fixing the
      threshold at glibc's starting value, 128 KiB, gives them back when freed.
    - each of up to 8 arenas per core keeps its own free memory; two arenas suffice for
      threads that allocate while holding the GIL (alone, this one left +14.5 %).
    The fixed threshold alone cost 50 % more CPU per training step (0.64 to 0.97 ms: the
    heap's top shrank and grew again at every step); a top pad of 64 MiB takes that back
    to 0.64 ms. With the three: RSS 246.9 to 261.3 MiB over 10 rounds (+5.8 %; set in
    the environment before the server starts, which also covers the first threads, the
    first two alone gave +1 %). An environment that sets one of them keeps its own."""
    made: dict[str, int] = {}
    if _libc is None or not hasattr(_libc, "mallopt"):
        return made
    for env, option, value in (("MALLOC_ARENA_MAX", M_ARENA_MAX, ARENA_MAX),
                               ("MALLOC_MMAP_THRESHOLD_", M_MMAP_THRESHOLD, MMAP_THRESHOLD),
                               ("MALLOC_TOP_PAD_", M_TOP_PAD, TOP_PAD)):
        if env not in os.environ and _libc.mallopt(option, value) == 1:
            made[env] = value
    return made


def _rss_mib() -> float:
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf(
            "SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):  # not Linux
        return 0.0


def _load_libc():
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # noqa: B018 - glibc's; musl and macOS have none
        return libc
    except (OSError, AttributeError):
        return None


_libc = _load_libc()


def _internals():
    """(event loop, session manager, session store's cache), or a string saying which
    Streamlit internal is missing."""
    if not Runtime.exists():
        return "no Runtime (not under `streamlit run`)"
    rt = Runtime.instance()
    mgr = getattr(rt, "_session_mgr", None)
    storage = getattr(mgr, "_session_storage", None)
    cache = getattr(storage, "_cache", None)
    missing = [name for name, ok in (
        ("Runtime._session_mgr", mgr is not None),
        ("session manager._storage_lock", hasattr(mgr, "_storage_lock")),
        ("session manager._session_storage", storage is not None),
        ("session storage._cache (a TTLCache)", isinstance(cache, TTLCache)),
        ("TTLCache.expire", hasattr(TTLCache, "expire")),
        ("TTLCache._evict_lru", hasattr(TTLCache, "_evict_lru")),
        ("AppSession.shutdown", hasattr(AppSession, "shutdown")),
        ("Runtime._get_async_objs", hasattr(rt, "_get_async_objs")),
    ) if not ok]
    if missing:
        return "missing Streamlit internals: " + ", ".join(missing)
    try:
        loop = rt._get_async_objs().eventloop
    except Exception as err:  # the Runtime has not started (cannot happen in a script run)
        return f"no event loop: {err}"
    return loop, mgr, cache


def install_janitor() -> bool:
    """Make the running server shut down the sessions it drops (once; idempotent).
    False where it could not: not under `streamlit run`, switched off, or Streamlit's
    internals have changed (logged once)."""
    with _lock:
        if not Runtime.exists():
            return False
        rt = Runtime.instance()
        if not issubclass(type(rt), Runtime):  # AppTest's stand-in: no server to look after
            return False
        # The mark is on the Runtime, not in this module: Streamlit imports a module anew
        # when its file changes, and a second janitor would sweep twice.
        if hasattr(rt, INSTALLED_MARK):
            return getattr(rt, INSTALLED_MARK)
        found = _internals()
        if isinstance(found, str):  # logged once, then the server is left as it is
            setattr(rt, INSTALLED_MARK, False)
            _log.warning("session janitor not installed: %s", found)
            return False
        loop, mgr, cache = found
        on = os.environ.get(JANITOR_ENV, "1") != "0"
        setattr(rt, INSTALLED_MARK, on)
        if on:
            tune_malloc()
            ClosingTTLCache._janitor_loop = loop
            if type(cache) is TTLCache:
                cache.__class__ = ClosingTTLCache
        else:  # the sweep still runs, for the probe only
            _log.warning("session janitor off (%s=0): dropped sessions are not shut down",
                         JANITOR_ENV)
        loop.call_soon_threadsafe(_sweep, loop, mgr, cache, on)
        return on


def _sweep(loop, mgr, cache, reap: bool) -> None:
    """On the event loop, every SWEEP_S: drop the expired sessions (which shuts them
    down) when `reap`, give freed memory back (trim_heap()), and write the probe's file
    when it is asked for."""
    try:
        if reap:
            with mgr._storage_lock:  # the lock Streamlit holds around every use of the store
                cache.expire()
            now = time.monotonic()
            if _stats["shut_down"] > _stats["trimmed_at"] and (
                    not mgr.num_active_sessions() or now - _stats["trim_time"] > TRIM_GAP_S):
                _stats["trimmed_at"], _stats["trim_time"] = _stats["shut_down"], now
                trim_heap()
        probe_path = os.environ.get(PROBE_ENV)
        if probe_path and not os.path.exists(probe_path):
            _write_probe(Path(probe_path), mgr, cache)
    except Exception:
        _log.exception("session janitor sweep failed")
    loop.call_later(SWEEP_S, _sweep, loop, mgr, cache, reap)


# ---------------------------------------------------------------- the probe (tests only)


def probe(mgr, cache) -> dict:
    """What the server holds for its sessions, counted from inside: sessions listed by the
    runtime (connected, stored), AppSession objects still alive (listed or not), those
    not shut down, the deep size of their session states, and the per-session entries of
    the media, dataframe-source and upload managers."""
    gc.collect()
    rt = Runtime.instance()
    alive = [o for o in gc.get_objects() if isinstance(o, AppSession)]
    listed = {info.session.id for info in mgr.list_sessions()}
    media = rt.media_file_mgr
    frames = rt.dataframe_source_mgr
    uploads = rt.uploaded_file_mgr
    seen: set[int] = set()
    state_bytes = sum(_deep_size(s.session_state, seen) for s in alive)
    return {
        "active": len(mgr.list_active_sessions()),
        "stored": len(mgr.list_sessions()) - len(mgr.list_active_sessions()),
        "stored_raw": len(getattr(cache, "_data", ())),  # expired but not yet removed too
        "alive": len(alive),
        "alive_unlisted": sum(s.id not in listed for s in alive),
        "alive_not_shut_down": sum(s._state.name != "SHUTDOWN_REQUESTED" for s in alive),
        "state_keys": sum(len(s.session_state) for s in alive),
        "state_bytes": state_bytes,
        "media_sessions": len(getattr(media, "_files_by_session_and_coord", {})),
        "media_files": len(getattr(media, "_file_metadata", {})),
        "dataframe_sessions": len(getattr(frames, "_sources_by_session_and_coord", {})),
        "dataframe_sources": frames.get_source_count(),
        "upload_sessions": len(getattr(uploads, "file_storage", {})),
        "janitor_shut_down": _stats["shut_down"],
        **{k: _stats[k] for k in ("trims", "last_trim_s", "last_trim_freed_mib")},
        "threads": threading.active_count(),
        "gc_objects": len(gc.get_objects()),
        "top_types": collections.Counter(type(o).__name__ for o in gc.get_objects())
                    .most_common(12),
        **_malloc(),
        # what refers to the first few sessions the runtime no longer lists
        "holders": sorted({_holder(s, alive) for s in [s for s in alive
                                                       if s.id not in listed][:3]}),
    }


def _holder(session: AppSession, alive: list) -> str:
    """What refers to a session the runtime no longer lists: its referrers and theirs,
    two levels (the probe's own objects left out), functions and frames by their names."""
    mine = {id(alive), id(session)}

    def refs(obj):
        found = [r for r in gc.get_referrers(obj) if id(r) not in mine]
        mine.add(id(found))
        return [r for r in found if not (type(r).__name__ == "frame"
                                         and r.f_code.co_name in ("probe", "_holder", "refs"))]

    def name(obj):
        if type(obj).__name__ == "frame":
            return f"frame {obj.f_code.co_qualname}:{obj.f_lineno}"
        if isinstance(obj, dict):
            owner = [r for r in gc.get_referrers(obj) if getattr(r, "__dict__", None) is obj]
            return f"{type(owner[0]).__name__}.__dict__" if owner else "dict"
        return getattr(obj, "__qualname__", None) or type(obj).__name__

    return "; ".join(f"{name(r)} <- [{', '.join(name(q) for q in refs(r))}]"
                     for r in refs(session))


def _malloc() -> dict:
    """glibc's heap, in MiB: in use, and free but kept (fragmentation); {} elsewhere."""
    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
            "uordblks", "fordblks", "keepcost")]
    try:
        _libc.mallinfo2.restype = MallInfo2
        info = _libc.mallinfo2()
    except AttributeError:  # no glibc (None), or one older than 2.33
        return {}
    mib = 2**20
    return {"malloc_in_use_mib": round((info.uordblks + info.hblkhd) / mib, 1),
            "malloc_free_kept_mib": round(info.fordblks / mib, 1)}


def _write_probe(path: Path, mgr, cache) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(probe(mgr, cache)))
    tmp.replace(path)


def _deep_size(root, seen: set[int], limit: int = 500_000) -> int:
    """Bytes of the objects reachable from `root` not yet in `seen` (numpy buffers
    included), leaving out modules, classes and functions (shared by every session)."""
    skip = (type, type(sys), type(_deep_size), type(len))
    total, todo = 0, [root]
    while todo and len(seen) < limit:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, skip):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj, 0)
        nbytes = getattr(obj, "nbytes", None) if type(obj).__name__ == "ndarray" else None
        if isinstance(nbytes, int) and getattr(obj, "base", None) is None:
            total += nbytes
        todo.extend(gc.get_referents(obj))
    return total
