"""Errors of a network file brought back (engine.saving.load, and the lessons that use it)."""

import io
import json

import numpy as np

from engine import MultiLayerNet, load, save
from lessons import mnist


def _arrays(drop: str = "", **changes) -> bytes:
    """A small network's file, with arrays changed (or one dropped)."""
    f = io.BytesIO()
    save(f, MultiLayerNet(2, [3], 2, seed=0))
    with np.load(io.BytesIO(f.getvalue())) as npz:
        arrays = {k: npz[k] for k in npz.files if k != drop} | changes
    out = io.BytesIO()
    np.savez(out, allow_pickle=True, **arrays)
    return out.getvalue()


def _meta(**changes) -> bytes:
    with np.load(io.BytesIO(_arrays())) as npz:
        meta = json.loads(npz["meta"].tobytes()) | changes
    return _arrays(meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))


def _settings() -> None:
    """A file saved by another lesson, brought to the MNIST page."""
    f = io.BytesIO()
    save(f, MultiLayerNet(2, [3], 2, seed=0), settings={"lesson": "playground"})
    mnist.from_file(f.getvalue(), None, max_bytes=2**20)


CASES = {
    "saving_too_big": lambda: load(b"x" * 2000, max_bytes=1000),
    "saving_not_npz": lambda: load(_arrays()[:300]),
    "saving_missing": lambda: load(_arrays(drop="param.W1")),
    "saving_unexpected": lambda: load(_arrays(extra=np.zeros(2))),
    "saving_pickle": lambda: load(_arrays(**{"param.b1": np.array([None] * 3, dtype=object)})),
    "saving_dtype": lambda: load(_arrays(**{"param.b1": np.zeros(3, dtype=np.int64)})),
    "saving_shape": lambda: load(_arrays(**{"param.W2": np.zeros((2, 3), dtype=np.float32)})),
    "saving_not_finite": lambda: load(_arrays(**{"param.b2": np.full(2, np.nan, np.float32)})),
    "saving_meta": lambda: load(_meta(format="another")),
    "saving_settings": _settings,
}
