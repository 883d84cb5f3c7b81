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


def restyled(spec) -> object:
    """A restyle's value as the browser decodes it: typed arrays as arrays, the rest as is."""
    if isinstance(spec, dict) and "bdata" in spec:
        return points(spec)
    return spec


def replay(held: list[dict], message: dict) -> list[dict]:
    """`held` (each trace's arrays, as the browser holds them) after one difference
    ({"extend", "restyle"}), as static/live_chart.js applies it: the extend's points from
    where the trace ends on (those it holds already are skipped), the restyles whole. Raises
    AssertionError where the browser would ask for the whole figure."""
    held = [dict(tr) for tr in held]
    for change in message.get("restyle") or ():
        for name, value in change["props"].items():
            held[change["trace"]][name] = restyled(value)
    ext = message.get("extend")
    if ext:
        for i, start, xs, ys in zip(ext["traces"], ext["start"], ext["x"], ext["y"],
                                    strict=True):
            xs, ys = points(xs), points(ys)
            have = len(held[i]["x"])
            assert start <= have <= start + len(xs), "more missed than sent: a resync"
            skip = have - start
            held[i]["x"] = np.concatenate([np.asarray(held[i]["x"]), xs[skip:]])
            held[i]["y"] = np.concatenate([np.asarray(held[i]["y"]), ys[skip:]])
    return held
