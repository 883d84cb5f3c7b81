"""Datasets for the lessons: MNIST, the logic-gate truth tables, and the spiral.

    (x_train, t_train), (x_test, t_test) = load_mnist()

reads the four IDX files shipped in assets/mnist (its README.md gives their source, checksums
and CC BY-SA 3.0 license): 60,000 training and 10,000 test images as rows of 784 pixels in
[0, 1], labels 0-9, as the book's loader does. The decoded uint8 arrays are cached per folder;
`keep_uint8=True` returns them as they are (read-only), to be converted one batch at a time
with `to_float_batch`. `logic_gate('XOR')` is a truth table, `spiral()` the three-armed
spiral of the book's second volume.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .backend import DEFAULT_DTYPE, positive_int, resolve_dtype

# ---------------------------------------------------------------- MNIST files

MNIST_DIR = Path(__file__).resolve().parent.parent / "assets" / "mnist"

TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
TEST_IMAGES = "t10k-images-idx3-ubyte"
TEST_LABELS = "t10k-labels-idx1-ubyte"
MNIST_FILES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)

# SHA-256 of the *uncompressed* bytes of the original release (assets/mnist/README.md).
MNIST_SHA256 = {
    TRAIN_IMAGES: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    TRAIN_LABELS: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    TEST_IMAGES: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    TEST_LABELS: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

IDX_LABELS_MAGIC = 2049  # 0x00000801: unsigned bytes, 1 dimension
IDX_IMAGES_MAGIC = 2051  # 0x00000803: unsigned bytes, 3 dimensions
N_CLASSES = 10


class RawMnist(NamedTuple):
    """The decoded files, read-only: images (N, rows, cols) uint8, labels (N,) uint8."""

    x_train: np.ndarray
    t_train: np.ndarray
    x_test: np.ndarray
    t_test: np.ndarray


_CACHE_SIZE = 4  # MNIST plus a few user folders (Fashion-MNIST, ...) at most
_cache: dict[tuple, RawMnist] = {}
_cache_lock = threading.Lock()


def load_mnist(normalize: bool = True, flatten: bool = True, one_hot_label: bool = False, *,
               folder: str | Path | None = None, dtype=DEFAULT_DTYPE, keep_uint8: bool = False,
               checksums: Mapping[str, str] | None = None):
    """Load MNIST (or any dataset in its format) as ((x_train, t_train), (x_test, t_test)).

    normalize      pixels as `dtype` in [0, 1] (x / 255); False keeps 0-255, still as `dtype`
    flatten        x of shape (N, 784); False gives (N, 1, 28, 28), one channel, as the
                   book's convolution chapters expect
    one_hot_label  t of shape (N, 10) in `dtype`, with a 1 in the label's column; False
                   gives int64 labels 0-9 of shape (N,), ready to use as indices
    folder         a folder with the four files train-images-idx3-ubyte,
                   train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte,
                   each gzip-compressed (name.gz) or plain; default: the repository's
                   assets/mnist. Fashion-MNIST uses the same names and format.
    dtype          float32 (default) or float64 for x and for one-hot t
    keep_uint8     return the cached uint8 pixels themselves: no normalization and no
                   copy; they are read-only and shared by every caller, so convert a
                   batch at a time with `to_float_batch(x[idx])`. Wins over `normalize`.
    checksums      {file name: SHA-256 of its uncompressed bytes} to check. None (the
                   default) checks the published MNIST hashes for the default folder and
                   nothing for another folder (Fashion-MNIST has other hashes); pass
                   `MNIST_SHA256` to check a copy of MNIST elsewhere, `{}` to skip.

    With keep_uint8 the images are the cache's own arrays, read-only; everything else
    returned (float images, int64 or one-hot labels) is a fresh array the caller owns.
    A missing file raises FileNotFoundError, a corrupt one ValueError, both naming the
    file and saying what to do.
    """
    dt = resolve_dtype(dtype)
    raw = load_mnist_raw(folder, checksums=checksums)
    split = []
    for x_raw, t_raw in ((raw.x_train, raw.t_train), (raw.x_test, raw.t_test)):
        n, rows, cols = x_raw.shape
        x = x_raw if keep_uint8 else to_float_batch(x_raw, dt) if normalize else x_raw.astype(dt)
        x = x.reshape(n, rows * cols) if flatten else x.reshape(n, 1, rows, cols)
        t = one_hot(t_raw, N_CLASSES, dt) if one_hot_label else t_raw.astype(np.int64)
        split.append((x, t))
    return split[0], split[1]


def load_mnist_raw(folder: str | Path | None = None, *,
                   checksums: Mapping[str, str] | None = None) -> RawMnist:
    """The four files decoded to read-only uint8 arrays, cached per folder.

    The cache key includes each file's size and modification time, so replacing a
    file is noticed. See `load_mnist` for `folder` and `checksums`.
    """
    path = MNIST_DIR if folder is None else Path(folder).expanduser().resolve()
    if checksums is None:
        checksums = MNIST_SHA256 if path == MNIST_DIR else {}
    if not isinstance(checksums, Mapping):
        raise ValueError(f"checksums must be a dict {{file name: sha256}}, got {checksums!r}")
    if unknown := set(checksums) - set(MNIST_FILES):
        raise ValueError(f"checksums names unknown files {sorted(unknown)}; "
                         f"allowed: {', '.join(MNIST_FILES)}")
    files = _find_files(path)
    key = (str(path), tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files),
           tuple(sorted(checksums.items())))
    with _cache_lock:
        if key not in _cache:
            raw = RawMnist(*(_read_idx(f, name, checksums.get(name))
                             for f, name in zip(files, MNIST_FILES, strict=True)))
            _check_splits(raw, path)
            for old in [k for k in _cache if k[0] == key[0]]:  # files replaced since
                del _cache[old]
            while len(_cache) >= _CACHE_SIZE:
                _cache.pop(next(iter(_cache)))
            _cache[key] = raw
        return _cache[key]


def to_float_batch(x_uint8, dtype=DEFAULT_DTYPE):
    """Pixels 0-255 as floats in [0, 1]: x / 255 in `dtype` (a new array).

    Works on numpy or cupy arrays alike, so a batch can be moved to the GPU as
    uint8 (a quarter of the bytes) and converted there.
    """
    dt = resolve_dtype(dtype)
    if not hasattr(x_uint8, "dtype"):
        x_uint8 = np.asarray(x_uint8)
    if x_uint8.dtype != np.uint8:
        raise ValueError(f"to_float_batch expects uint8 pixels, got dtype {x_uint8.dtype}")
    x = x_uint8.astype(dt)
    x /= 255
    return x


def one_hot(labels, n_classes: int, dtype=DEFAULT_DTYPE) -> np.ndarray:
    """Labels (N,) as one-hot rows (N, n_classes): row i has a 1 in column labels[i]."""
    dt = resolve_dtype(dtype)
    n_classes = positive_int(n_classes, "n_classes")
    t = np.asarray(labels)
    if t.ndim != 1 or not np.issubdtype(t.dtype, np.integer):
        raise ValueError(f"labels must be a 1-D integer array, got shape {t.shape}, {t.dtype}")
    if t.size and (t.min() < 0 or t.max() >= n_classes):
        raise ValueError(f"labels must lie in 0..{n_classes - 1}, got {t.min()}..{t.max()}")
    out = np.zeros((t.size, n_classes), dtype=dt)
    out[np.arange(t.size), t] = 1
    return out


def _find_files(folder: Path) -> list[Path]:
    """The path of each of the four files (name.gz preferred, else name); all must exist."""
    found, missing = [], []
    for name in MNIST_FILES:
        gz, plain = folder / f"{name}.gz", folder / name
        if gz.is_file():
            found.append(gz)
        elif plain.is_file():
            found.append(plain)
        else:
            missing.append(f"{name}.gz")
    if missing:
        where = "the repository's assets/mnist" if folder == MNIST_DIR else "that folder"
        raise FileNotFoundError(
            f"MNIST file(s) {', '.join(missing)} not found in {folder}. Copy the four files "
            f"{', '.join(n + '.gz' for n in MNIST_FILES)} (gzip-compressed or plain) into "
            f"{where}; the repository ships them in {MNIST_DIR}.")
    return found


def _read_idx(path: Path, name: str, sha256: str | None) -> np.ndarray:
    """Decompress, check and decode one IDX file into a read-only uint8 array."""
    redo = f"the file is corrupt: re-copy {path.name} into {path.parent}"
    data = path.read_bytes()
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as err:  # BadGzipFile is an OSError
            raise ValueError(f"{path}: cannot decompress ({err}); {redo}") from err
    if sha256 is not None:
        digest = hashlib.sha256(data).hexdigest()
        if digest != sha256.lower():
            raise ValueError(f"{path}: SHA-256 of the uncompressed bytes is {digest}, expected "
                             f"{sha256}; {redo} (for another dataset in this format, pass "
                             "checksums={})")
    magic = IDX_LABELS_MAGIC if "labels" in name else IDX_IMAGES_MAGIC
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{path}: only {len(data)} bytes, shorter than its header; {redo}")
    got = int.from_bytes(data[:4], "big")
    if got != magic:
        raise ValueError(f"{path}: magic number {got}, expected {magic} for an IDX "
                         f"{'label' if ndim == 1 else 'image'} file; {redo}")
    dims = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    size = header + int(np.prod(dims))
    if len(data) != size:
        what = "truncated" if len(data) < size else "too long"
        raise ValueError(f"{path}: {len(data)} bytes, but its header {dims} promises {size} "
                         f"({what}); {redo}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)  # read-only


def _check_splits(raw: RawMnist, folder: Path) -> None:
    """Images and labels agree in count, image sizes agree, labels are 0-9."""
    pairs = ((raw.x_train, raw.t_train, "train"), (raw.x_test, raw.t_test, "t10k"))
    for x, t, split in pairs:
        if len(x) != len(t):
            raise ValueError(f"{folder}: {split} has {len(x)} images but {len(t)} labels; "
                             "the two files come from different datasets: re-copy them")
        if t.size and t.max() >= N_CLASSES:
            raise ValueError(f"{folder}: {split} labels run up to {t.max()}, expected "
                             f"0..{N_CLASSES - 1}; re-copy the label file")
    if raw.x_train.shape[1:] != raw.x_test.shape[1:]:
        raise ValueError(f"{folder}: train images are {raw.x_train.shape[1:]} pixels but test "
                         f"images {raw.x_test.shape[1:]}; the files come from different "
                         "datasets: re-copy them")


# ---------------------------------------------------------------- logic gates

GATE_NAMES = ("AND", "OR", "NAND", "XOR")
GATE_INPUTS = ((0, 0), (0, 1), (1, 0), (1, 1))  # the row order of every truth table
_GATE_OUTPUTS = {"AND": (0, 0, 0, 1), "OR": (0, 1, 1, 1), "NAND": (1, 1, 1, 0),
                 "XOR": (0, 1, 1, 0)}


def logic_gate(name: str, dtype=DEFAULT_DTYPE) -> tuple[np.ndarray, np.ndarray]:
    """The truth table of a two-input gate: x (4, 2) in `dtype`, t (4,) int64 0/1.

    Rows are (0, 0), (0, 1), (1, 0), (1, 1). `name` is one of AND, OR, NAND, XOR
    (any case). A network with one sigmoid output wants t.reshape(-1, 1).
    """
    key = str(name).strip().upper()
    if key not in _GATE_OUTPUTS:
        raise ValueError(f"unknown gate {name!r}: choose one of {', '.join(GATE_NAMES)}")
    x = np.array(GATE_INPUTS, dtype=resolve_dtype(dtype))
    return x, np.array(_GATE_OUTPUTS[key], dtype=np.int64)


# ---------------------------------------------------------------- spiral

def spiral(n_per_class: int = 100, n_classes: int = 3, seed: int | None = 1984, *,
           one_hot_label: bool = True, dtype=DEFAULT_DTYPE) -> tuple[np.ndarray, np.ndarray]:
    """Points on `n_classes` interleaved spiral arms, as the book's dataset/spiral.py.

    For arm j and point i of N = n_per_class:
        rate   = i / N
        radius = 1.0 * rate
        theta  = 4.0 * j + 4.0 * rate + 0.2 * noise,   noise ~ N(0, 1)
        x      = (radius * sin(theta), radius * cos(theta))
    The noise comes from np.random.RandomState(seed) drawn in that order, so the
    defaults reproduce the book's 300 points exactly without touching numpy's
    global random state. Returns x (N * n_classes, 2) in `dtype`, arm by arm, and
    t one-hot (N * n_classes, n_classes) in `dtype`, or int64 labels (N * n_classes,)
    with one_hot_label=False.
    """
    n = positive_int(n_per_class, "n_per_class")
    k = positive_int(n_classes, "n_classes")
    dt = resolve_dtype(dtype)
    noise = np.random.RandomState(seed).randn(k, n)  # row j holds arm j's draws, in order
    rate = np.arange(n) / n
    radius = 1.0 * rate
    theta = 4.0 * np.arange(k)[:, None] + 4.0 * rate + noise * 0.2
    x = np.stack([radius * np.sin(theta), radius * np.cos(theta)], axis=-1).reshape(-1, 2)
    labels = np.repeat(np.arange(k, dtype=np.int64), n)
    t = one_hot(labels, k, dt) if one_hot_label else labels
    return x.astype(dt), t
