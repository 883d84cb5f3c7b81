"""What static/live_chart.js makes of a live chart's message (ui/live_chart.py), for tests."""

from __future__ import annotations

import base64

import numpy as np

DTYPES = {"i1": np.int8, "u1": np.uint8, "i4": np.int32, "f4": np.float32, "f8": np.float64}


def points(spec) -> np.ndarray:
    """An extend's x or y as the browser decodes it: a range, a typed array, or a list."""
    if isinstance(spec, dict) and "range" in spec:
        first, step, n = spec["range"]
        return first + step * np.arange(n)
    if isinstance(spec, dict):
        flat = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=DTYPES[spec["dtype"]])
        if "shape" in spec:
            return flat.reshape([int(n) for n in spec["shape"].split(",")])
        return flat
    return np.asarray(spec)
