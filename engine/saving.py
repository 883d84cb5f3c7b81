"""Save a network to one .npz file and bring it back, in a notebook as on a page.

    save("net.npz", net, settings={"lr": 0.001}, optimizer=opt, history=trainer.history)
    saved = load("net.npz")                  # Saved(network, settings, optimizer, history)
    saved.network.accuracy(x_test, t_test)   # the same answers as before it was saved

The file is a plain numpy .npz, a zip of .npy arrays (save appends .npz to a path without it):
"meta" holds JSON text (UTF-8, as uint8): the network's constructor arguments, the caller's
`settings`, the optimizer's name and hyperparameters and the history's counters and epoch
records. "param.W1", "param.b1", ... hold net.params; "bn.mean1", "bn.var1", ... batch
normalization's running averages; "opt.<state>.<key>" the optimizer's state arrays (Momentum's
v, Adam's m and v, ...); "hist.<series>.x" and ".y" the history's loss and gradient series.

load reads with allow_pickle=False and checks before it uses: the file's size (before reading
a byte of it) and what its arrays unpack to, both at most max_bytes; a zip of .npy arrays; the
meta; every name, dtype and shape against the settings in the meta; finite weights and state.
A bad file raises InputError (a ValueError with a code and the values involved). Dropout's
random masks are not saved: a loaded network draws new ones.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import zipfile
from typing import NamedTuple

import numpy as np

from .backend import InputError, to_numpy
from .layers import Dropout
from .network import MultiLayerNet
from .optimizers import OPTIMIZERS, Optimizer
from .trainer import BoundedSeries, EpochRecord, History

FORMAT = "engine-network-1"
DEFAULT_MAX_BYTES = 64 * 2**20  # a notebook may pass more; the app passes its upload cap
NET_ARGS = ("input_size", "hidden_size_list", "output_size", "activation", "weight_init_std",
            "weight_decay_lambda", "weight_decay_l1", "use_dropout", "dropout_ratio",
            "use_batchnorm", "output", "dtype", "seed")


class Saved(NamedTuple):
    """What load returns: the network, the caller's settings, and the optimizer and history
    when the file has them (else None)."""

    network: MultiLayerNet
    settings: dict
    optimizer: Optimizer | None
    history: History | None


def save(file, network: MultiLayerNet, *, settings: dict | None = None,
         optimizer: Optimizer | None = None, history: History | None = None) -> None:
    """Write `network` (and the rest, when given) to `file`, a path or a binary file.

    `settings` is any JSON-serialisable dict: what the caller built the network from.
    """
    dropout = [la.dropout_ratio for la in network.layers.values() if isinstance(la, Dropout)]
    net = {k: getattr(network, k, None) for k in NET_ARGS}
    net.update(dtype=network.dtype.name, dropout_ratio=dropout[0] if dropout else 0.5)
    meta = {"format": FORMAT, "network": net, "settings": settings or {}, "optimizer": None,
            "history": None}
    arrays = {f"param.{k}": to_numpy(p) for k, p in network.params.items()}
    for i in range(1, network.hidden_layer_num + 1) if network.use_batchnorm else ():
        layer = network.layers[f"BatchNorm{i}"]
        arrays[f"bn.mean{i}"] = to_numpy(layer.running_mean)
        arrays[f"bn.var{i}"] = to_numpy(layer.running_var)
    if optimizer is not None:
        meta["optimizer"] = {"name": type(optimizer).__name__,
                             "args": {k: v for k, v in vars(optimizer).items()
                                      if k not in optimizer.NOT_ARGS}}
        arrays.update({f"opt.{n}.{k}": to_numpy(a) for (n, k), a in optimizer.state.items()})
    if history is not None:
        series = {"loss": history.loss, **{f"grad.{k}": s for k, s in history.grad_stats.items()}}
        meta["history"] = {"series": {n: [s.limit, s.stride, s._seen, len(s)]
                                      for n, s in series.items()},
                           "epochs": [list(vars(e).values()) for e in history.epochs]}
        for n, s in series.items():
            arrays[f"hist.{n}.x"] = np.asarray(s.x, dtype=np.int64)
            arrays[f"hist.{n}.y"] = np.asarray(s.y, dtype=np.float64)
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    np.savez(file, allow_pickle=False, **arrays)


class _Reader:
    """The arrays of an open .npz, each taken once, its header checked before its data."""

    def __init__(self, npz, max_bytes: int) -> None:
        self.npz, self.left = npz, set(npz.files)
        unpacked = sum(i.file_size for i in npz.zip.infolist())
        if unpacked > max_bytes:
            raise InputError("saving_too_big", f"the file's arrays unpack to {unpacked} bytes, "
                             f"more than {max_bytes}", size=unpacked, cap=max_bytes)

    def take(self, name: str, shape: tuple | None, dtype, finite: bool = False) -> np.ndarray:
        if name not in self.left:
            raise InputError("saving_missing", f"the array {name!r} is missing", name=name)
        self.left.discard(name)
        with self.npz.zip.open(name + ".npy") as f:  # KeyError: not a .npy member
            version = np.lib.format.read_magic(f)
            got_shape, _, got = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                                 else np.lib.format.read_array_header_2_0)(f)
        if got.hasobject:
            raise InputError("saving_pickle", f"{name!r} holds Python objects (a pickle), never "
                             "loaded", name=name)
        if got != np.dtype(dtype):
            raise InputError("saving_dtype", f"{name!r} is {got}, expected {np.dtype(dtype)}",
                             name=name, dtype=str(got), expected=str(np.dtype(dtype)))
        if shape is not None and got_shape != tuple(shape):
            raise InputError("saving_shape", f"{name!r} has shape {got_shape}, the settings say "
                             f"{tuple(shape)}", name=name, shape=got_shape, expected=tuple(shape))
        a = self.npz[name]
        if finite and not np.isfinite(a).all():
            raise InputError("saving_not_finite", f"{name!r} holds NaN or infinite values",
                             name=name)
        return a


def _meta(reader: _Reader) -> dict:
    """The meta's JSON, its parts of the right kinds."""
    raw = reader.take("meta", None, np.uint8).tobytes()
    try:
        meta = json.loads(raw.decode("utf-8"))
        fmt, *parts = (meta[k] for k in ("format", "network", "settings", "optimizer", "history"))
    except (ValueError, RecursionError, KeyError, TypeError) as err:  # UnicodeDecodeError too
        raise InputError("saving_meta", f"the file's meta is not JSON of a dict ({err!r})",
                         part="meta") from None
    if fmt != FORMAT or not all(isinstance(p, dict) for p in parts[:2]) \
            or not all(p is None or isinstance(p, dict) for p in parts[2:]):
        raise InputError("saving_meta", f"the file's meta is not {FORMAT!r}", part="meta")
    return meta


def _network(reader: _Reader, args: dict, max_bytes: int, backend) -> MultiLayerNet:
    """The network the meta describes, its size checked before it is built, then filled."""
    hidden = args.get("hidden_size_list")
    sizes = [args.get("input_size"), *(hidden if isinstance(hidden, list) else [0]),
             args.get("output_size")]
    if set(args) != set(NET_ARGS) or not all(type(s) is int and s > 0 for s in sizes):
        raise InputError("saving_meta", f"the file's network settings are incomplete: "
                         f"{args!r:.60}", part="network")
    count = sum((a + 1) * b for a, b in itertools.pairwise(sizes))
    if count * 4 > max_bytes:  # not built: the file cannot hold that many weights
        raise InputError("saving_too_big", f"the file's settings ask for {count} weights",
                         size=count * 4, cap=max_bytes)
    try:
        net = MultiLayerNet(**args, backend=backend)
    except (TypeError, ValueError) as err:
        raise InputError("saving_meta", f"the file's network is refused ({err})",
                         part="network") from None
    for key, p in net.params.items():
        p[...] = net.xp.asarray(reader.take(f"param.{key}", p.shape, net.dtype, finite=True))
    for i in range(1, net.hidden_layer_num + 1) if net.use_batchnorm else ():
        layer = net.layers[f"BatchNorm{i}"]
        for name, a in (("mean", layer.running_mean), ("var", layer.running_var)):
            a[...] = net.xp.asarray(reader.take(f"bn.{name}{i}", a.shape, net.dtype, True))
    return net


def _optimizer(reader: _Reader, meta: dict, net: MultiLayerNet) -> Optimizer:
    """The optimizer with its hyperparameters, step count and every state array."""
    try:
        args = dict(meta.get("args") or {})
        t = args.pop("t", 0)
        optimizer, probe = (OPTIMIZERS[meta.get("name")](**args) for _ in range(2))
        if type(t) is not int or t < 0:
            raise ValueError(f"step count {t!r}")
    except (KeyError, TypeError, ValueError) as err:
        raise InputError("saving_meta", f"the file's optimizer is refused ({err!r})",
                         part="optimizer") from None
    if hasattr(optimizer, "t"):
        optimizer.t = t
    probe.update([np.zeros(1)], [np.zeros(1)])  # one step of a dummy: the state it keeps
    if any(n.startswith("opt.") for n in reader.left):  # trained: every state array is there
        for (n, _), (key, p) in itertools.product(probe.state, net.params.items()):
            a = reader.take(f"opt.{n}.{key}", p.shape, net.dtype, finite=True)
            optimizer.state[(n, key)] = net.xp.asarray(a)
    return optimizer


def _history(reader: _Reader, meta: dict) -> History:
    """The series and the epoch records, each checked for its kind."""
    series = {}
    try:
        for name, (limit, stride, seen, n) in meta["series"].items():
            s = series[name] = BoundedSeries(int(limit))
            s.stride, s._seen = int(stride), int(seen)
            s.x = reader.take(f"hist.{name}.x", (int(n),), np.int64).tolist()
            s.y = reader.take(f"hist.{name}.y", (int(n),), np.float64).tolist()
        epochs = [EpochRecord(*row) for row in meta["epochs"] if len(row) == 6 and all(
            v is None or type(v) in (int, float) for v in row)]
        if len(epochs) != len(meta["epochs"]):
            raise ValueError("an epoch record that is not 6 numbers")
        grads = {k.removeprefix("grad."): s for k, s in series.items() if k != "loss"}
        return History(series["loss"], grads, epochs)
    except InputError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise InputError("saving_meta", f"the file's history is refused ({err!r})",
                         part="history") from None


def load(file, *, max_bytes: int = DEFAULT_MAX_BYTES, backend: str | None = None) -> Saved:
    """Read a file written by `save`: a path, a binary file or bytes, of at most max_bytes.

    The network is built on `backend` ('numpy', 'cupy'; None: ENGINE_BACKEND), in the
    dtype it was saved in. Nothing is unpickled; a bad file raises InputError.
    """
    file = io.BytesIO(file) if isinstance(file, (bytes, bytearray)) else file
    if isinstance(file, (str, os.PathLike)):
        size = os.stat(file).st_size  # nothing is read before the size is known
    else:
        size, _ = file.seek(0, io.SEEK_END), file.seek(0)
    if size > max_bytes:
        raise InputError("saving_too_big", f"the file has {size} bytes, more than {max_bytes}",
                         size=size, cap=max_bytes)
    try:
        npz = np.load(file, allow_pickle=False)
        if not isinstance(npz, np.lib.npyio.NpzFile):
            raise InputError("saving_not_npz", "the file is a single .npy array", reason="npy")
        with npz:
            reader = _Reader(npz, max_bytes)
            meta = _meta(reader)
            net = _network(reader, meta["network"], max_bytes, backend)
            optimizer = _optimizer(reader, meta["optimizer"], net) if meta["optimizer"] else None
            history = _history(reader, meta["history"]) if meta["history"] else None
            if reader.left:
                name = sorted(reader.left)[0]
                raise InputError("saving_unexpected", f"the file holds an array {name!r} that "
                                 "is no part of a network", name=name)
    except InputError:
        raise
    except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile) as err:
        raise InputError("saving_not_npz", f"the file cannot be read as .npz ({err})",
                         reason=type(err).__name__) from None
    return Saved(net, meta["settings"], optimizer, history)
