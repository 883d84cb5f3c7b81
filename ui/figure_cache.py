"""Finished charts, made once per process: a figure that is a pure function of its arguments
(a lesson's default view: the MNIST sample grid, the mean digits, a fresh network's weight
chain) looks the same for every learner who opens the same link, so it is built, styled and
read for its text alternative once, and every later run draws it from here.

    chart = CACHE.get(key, finish)      # finish() -> finished(fig), run once per key
    st.plotly_chart(SpecFigure(chart.spec), ...)
    chart_text(chart.info, chart.arrays, ...)

Building a figure costs a page run most of its time (Plotly's property machinery: ~110 ms
for the weight chain, ~20 ms for a digit grid); drawing one from here costs about 1 ms (the
key's digest, parsing the spec, encoding it again).

Nothing here is shared mutably between sessions: a chart is its spec as a JSON string
(exactly what st.plotly_chart sends for the figure), its ChartInfo (frozen), and its trace
arrays frozen (read-only copies, tuples). SpecFigure hands st.plotly_chart a new dict parsed
from the string on every call.

The cache is bounded (MAX_ENTRIES charts, MAX_BYTES of specs and arrays, least recently used
out first). Set APP_FIGURE_CACHE=0 to build every figure afresh (read once, at import).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from ui.chart_text import ChartInfo, chart_info, trace_arrays

ENV = "APP_FIGURE_CACHE"
ENABLED = os.environ.get(ENV, "1").strip() != "0"
MAX_ENTRIES = 128  # a default view is ~5 charts of 20-40 kB each, per language and slide mode
MAX_BYTES = 16 * 2**20
WAIT_S = 60.0  # a run waits this long at most for another run building the same chart


@dataclass(frozen=True)
class Chart:
    """A styled figure's finished product: what st.plotly_chart sends, and what its text
    alternative reads."""

    spec: str  # plotly.io.to_json(fig.to_dict(), validate=False), as st.plotly_chart makes it
    info: ChartInfo
    arrays: tuple[Mapping, ...]  # trace_arrays(fig), frozen

    @property
    def size(self) -> int:
        """Bytes it holds, roughly: its spec and its arrays."""
        return len(self.spec) + sum(v.nbytes for a in self.arrays for v in a.values()
                                    if isinstance(v, np.ndarray))


def _frozen(value):
    """`value` that nobody can change: an array as a read-only copy, a list as a tuple."""
    if isinstance(value, np.ndarray):
        copy = np.array(value, copy=True)
        copy.setflags(write=False)
        return copy
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


def finished(fig: go.Figure) -> Chart:
    """The finished product of `fig`, styled as it will be shown."""
    spec = pio.to_json(fig.to_dict(), validate=False)  # what st.plotly_chart does with it
    arrays = tuple(MappingProxyType({k: _frozen(v) for k, v in a.items()})
                   for a in trace_arrays(fig))
    return Chart(spec, chart_info(fig), arrays)


class SpecFigure(go.Figure):
    """A figure that st.plotly_chart takes as it was built: Streamlit passes a Plotly figure
    through plotly.tools.return_figure_from_figure_or_data, which trusts its to_dict()
    (a plain dict would be validated again, as slowly as building it), then encodes that
    dict with plotly.io.to_json(..., validate=False). Here to_dict() is the cached spec,
    parsed anew on each call, so the JSON sent, and the element id Streamlit derives from
    it, are those of the figure it was made from. Only for st.plotly_chart: the figure
    itself is empty. tests/unit/test_figure_cache.py pins this."""

    def __init__(self, spec: str):
        super().__init__()
        self._spec = spec

    def to_dict(self) -> dict:
        return json.loads(self._spec)


def digest(value) -> str:
    """A key for `value` by its content: numbers, text, bytes, arrays (dtype, shape and
    bytes), and tuples, lists and mappings of them (in their order). Anything else raises
    TypeError: its content could not be told apart, and a wrong chart would be drawn."""
    h = hashlib.blake2b(digest_size=20)
    _feed(h, value)
    return h.hexdigest()


def _feed(h, value) -> None:
    if value is None or isinstance(value, bool | int | float | complex | str):
        h.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, bytes):
        h.update(b"bytes:%d;" % len(value))
        h.update(value)
    elif isinstance(value, np.ndarray | np.generic):
        a = np.ascontiguousarray(value)
        if a.dtype.hasobject:
            raise TypeError("an array of Python objects has no content digest")
        h.update(f"array:{a.dtype.str}:{a.shape};".encode())
        h.update(a.tobytes())
    elif isinstance(value, list | tuple):
        h.update(f"{type(value).__name__}:{len(value)}[".encode())
        for v in value:
            _feed(h, v)
        h.update(b"]")
    elif isinstance(value, Mapping):
        h.update(f"map:{len(value)}{{".encode())
        for k, v in value.items():
            _feed(h, k)
            _feed(h, v)
        h.update(b"}")
    else:
        raise TypeError(f"no content digest for a {type(value).__name__}")


class FigureCache:
    """A lock-protected LRU of Charts by key. A chart missing is built by the first run that
    asks for it; other runs asking meanwhile wait for it rather than build it again (a class
    opening the same link at once would otherwise build it once per learner)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._lock = threading.Lock()
        self._charts: OrderedDict[Hashable, Chart] = OrderedDict()
        self._building: dict[Hashable, threading.Event] = {}
        self._bytes = 0
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._charts)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._charts

    @property
    def bytes(self) -> int:
        return self._bytes

    def get(self, key: Hashable, build: Callable[[], Chart]) -> Chart:
        """The chart under `key`, made by build() if it is not here yet."""
        while True:
            with self._lock:
                chart = self._charts.get(key)
                if chart is not None:
                    self._charts.move_to_end(key)
                    self.hits += 1
                    return chart
                pending = self._building.get(key)
                if pending is None:
                    pending = self._building[key] = threading.Event()
                    break
            if not pending.wait(WAIT_S):  # the other run is stuck: build it here
                return build()
            # built (loop: take it), or its build failed (loop: build it here)
        try:
            chart = build()
            with self._lock:
                self.misses += 1
                self._put(key, chart)
            return chart
        finally:
            with self._lock:
                self._building.pop(key, None)
            pending.set()

    def _put(self, key: Hashable, chart: Chart) -> None:
        if chart.size > self.max_bytes:
            return  # it would push out everything else
        old = self._charts.pop(key, None)
        if old is not None:
            self._bytes -= old.size
        self._charts[key] = chart
        self._bytes += chart.size
        while len(self._charts) > self.max_entries or self._bytes > self.max_bytes:
            _, out = self._charts.popitem(last=False)
            self._bytes -= out.size

    def clear(self) -> None:
        with self._lock:
            self._charts.clear()
            self._bytes = 0
            self.hits = self.misses = 0


CACHE = FigureCache()
