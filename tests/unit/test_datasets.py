"""engine.datasets: MNIST from assets/mnist, user folders, errors, gates, the spiral."""

from __future__ import annotations

import gzip
import os
import shutil

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from engine import datasets
from engine.datasets import (
    GATE_NAMES,
    MNIST_DIR,
    MNIST_FILES,
    MNIST_SHA256,
    load_mnist,
    load_mnist_raw,
    logic_gate,
    one_hot,
    spiral,
    to_float_batch,
)

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


# ---------------------------------------------------------------- helpers


def write_idx(path, array, magic, compress=True):
    """Write `array` (uint8) as an IDX file, gzip-compressed when compress."""
    array = np.asarray(array, dtype=np.uint8)
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    data = header + array.tobytes()
    if compress:
        path = path.with_name(path.name + ".gz")
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def make_fake(folder, n_train=12, n_test=5, rows=28, cols=28, compress=True, seed=0):
    """A tiny dataset in MNIST's format (as Fashion-MNIST is); returns its arrays."""
    rng = np.random.default_rng(seed)
    x_tr = rng.integers(0, 256, (n_train, rows, cols), dtype=np.uint8)
    t_tr = rng.integers(0, 10, n_train, dtype=np.uint8)
    x_te = rng.integers(0, 256, (n_test, rows, cols), dtype=np.uint8)
    t_te = rng.integers(0, 10, n_test, dtype=np.uint8)
    for name, arr in zip(MNIST_FILES, (x_tr, t_tr, x_te, t_te), strict=True):
        magic = 2049 if "labels" in name else 2051
        write_idx(folder / name, arr, magic, compress)
    return x_tr, t_tr, x_te, t_te


def copy_mnist(folder, skip=()):
    for name in MNIST_FILES:
        if name not in skip:
            shutil.copy(MNIST_DIR / f"{name}.gz", folder / f"{name}.gz")
            os.chmod(folder / f"{name}.gz", 0o644)


# ---------------------------------------------------------------- real MNIST


def test_shipped_files_and_license():
    for name in MNIST_FILES:
        assert (MNIST_DIR / f"{name}.gz").is_file()
    readme = (MNIST_DIR / "README.md").read_text()
    assert "CC BY-SA 3.0" in readme or "Attribution-Share Alike 3.0" in readme
    for digest in MNIST_SHA256.values():
        assert digest in readme


def test_default_load_shapes_dtypes_and_range(mnist):
    (x_train, t_train), (x_test, t_test) = mnist
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert t_train.shape == (60000,) and t_test.shape == (10000,)
    assert x_train.dtype == np.float32 and x_test.dtype == np.float32
    assert t_train.dtype == np.int64 and t_test.dtype == np.int64
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    assert x_test.min() == 0.0 and x_test.max() == 1.0


def test_labels_are_the_real_ones(mnist):
    (_, t_train), (_, t_test) = mnist
    assert np.bincount(t_train).tolist() == TRAIN_COUNTS
    assert np.bincount(t_test).tolist() == TEST_COUNTS
    assert sum(TRAIN_COUNTS) == 60000 and sum(TEST_COUNTS) == 10000
    assert t_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert t_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    probs = np.full((3, 10), 0.1)
    assert probs[np.arange(3), t_train[:3]].shape == (3,)  # usable as indices


def test_pixels_are_the_real_ones():
    raw = load_mnist_raw()
    assert raw.x_train.dtype == np.uint8
    assert int(raw.x_train.sum(dtype=np.int64)) == 1567298545
    assert raw.x_train.shape == (60000, 28, 28) and raw.x_test.shape == (10000, 28, 28)


def test_normalize_is_x_over_255(mnist):
    (x_train, _), _ = mnist
    raw = load_mnist_raw()
    np.testing.assert_array_equal(
        x_train[:100], raw.x_train[:100].reshape(100, -1) / np.float32(255)
    )


def test_one_hot_labels(mnist):
    (_, t_train), (_, t_test) = mnist
    (_, oh_train), (_, oh_test) = load_mnist(one_hot_label=True, keep_uint8=True)
    assert oh_train.shape == (60000, 10) and oh_test.shape == (10000, 10)
    assert oh_train.dtype == np.float32
    assert set(np.unique(oh_train).tolist()) == {0.0, 1.0}
    np.testing.assert_array_equal(oh_train.sum(axis=1), 1)
    np.testing.assert_array_equal(oh_train.argmax(axis=1), t_train)
    np.testing.assert_array_equal(oh_test.argmax(axis=1), t_test)


def test_flatten_false_gives_one_channel_images():
    raw = load_mnist_raw()
    (x4, _), (x4_test, _) = load_mnist(flatten=False, keep_uint8=True)
    assert x4.shape == (60000, 1, 28, 28) and x4_test.shape == (10000, 1, 28, 28)
    assert np.array_equal(x4[:, 0], raw.x_train)
    assert np.array_equal(x4_test[:, 0], raw.x_test)


def test_keep_uint8_returns_the_shared_read_only_cache():
    (x, t), (x_test, _) = load_mnist(keep_uint8=True)
    assert x.dtype == np.uint8 and x.shape == (60000, 784)
    assert x_test.dtype == np.uint8 and x_test.shape == (10000, 784)
    assert not x.flags.writeable and not x_test.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        x[0, 0] = 1
    (x_again, _), _ = load_mnist(keep_uint8=True, flatten=False)
    assert x_again.shape == (60000, 1, 28, 28) and not x_again.flags.writeable
    assert np.shares_memory(x, x_again)  # no copy, one cache
    assert load_mnist_raw() is load_mnist_raw()
    t[0] = 9  # labels are the caller's own copy
    assert load_mnist(keep_uint8=True)[0][1][0] == 5


def test_float_results_are_fresh_copies(tmp_path):
    make_fake(tmp_path)
    (x1, t1), _ = load_mnist(folder=tmp_path)
    assert x1.flags.writeable and t1.flags.writeable
    x1[:] = -1.0
    t1[:] = -1
    (x2, t2), _ = load_mnist(folder=tmp_path)
    assert x2.min() >= 0.0 and t2.min() >= 0
    assert not np.shares_memory(x1, x2)


def test_to_float_batch_per_batch_conversion(mnist):
    (x_float, _), _ = mnist
    (x_uint8, _), _ = load_mnist(keep_uint8=True)
    idx = np.array([0, 7, 59999, 123])
    batch = to_float_batch(x_uint8[idx])
    assert batch.dtype == np.float32 and batch.flags.writeable
    np.testing.assert_array_equal(batch, x_float[idx])
    assert to_float_batch(x_uint8[:2], np.float64).dtype == np.float64


@settings(max_examples=50)
@given(arrays(np.uint8, st.tuples(st.integers(1, 5), st.integers(1, 6))))
def test_to_float_batch_maps_0_255_onto_0_1(x):
    y = to_float_batch(x)
    assert y.shape == x.shape and y.dtype == np.float32
    assert ((y >= 0) & (y <= 1)).all()
    np.testing.assert_array_equal(np.rint(y * 255).astype(np.uint8), x)


def test_to_float_batch_rejects_non_uint8():
    with pytest.raises(ValueError, match="uint8"):
        to_float_batch(np.zeros((2, 784), dtype=np.float32))
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        to_float_batch(np.zeros((2, 3), dtype=np.uint8), np.int32)


# ---------------------------------------------------------------- other folders


def test_user_folder_with_real_copies(tmp_path):
    copy_mnist(tmp_path)
    (x, t), (x_test, t_test) = load_mnist(folder=tmp_path, checksums=MNIST_SHA256)
    assert x.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert np.bincount(t).tolist() == TRAIN_COUNTS
    assert np.bincount(t_test).tolist() == TEST_COUNTS


@pytest.mark.parametrize("compress", [True, False])
def test_user_folder_in_the_same_format(tmp_path, compress):
    x_tr, t_tr, x_te, t_te = make_fake(tmp_path, compress=compress)
    (x, t), (xt, tt) = load_mnist(folder=str(tmp_path))  # no hashes for a user folder
    assert x.shape == (12, 784) and xt.shape == (5, 784)
    np.testing.assert_array_equal(x, x_tr.reshape(12, -1) / np.float32(255))
    np.testing.assert_array_equal(t, t_tr)
    (x4, _), _ = load_mnist(folder=tmp_path, flatten=False, keep_uint8=True)
    np.testing.assert_array_equal(x4[:, 0], x_tr)
    (x4, _), (x4_test, _) = load_mnist(folder=tmp_path, flatten=False, dtype=np.float64)
    assert x4.shape == (12, 1, 28, 28) and x4.dtype == np.float64
    np.testing.assert_array_equal(x4_test[:, 0], x_te / 255.0)
    (x255, _), _ = load_mnist(folder=tmp_path, normalize=False)  # 0-255 kept, as floats
    assert x255.dtype == np.float32
    np.testing.assert_array_equal(x255, x_tr.reshape(12, -1))
    np.testing.assert_array_equal(tt, t_te)
    np.testing.assert_array_equal(xt, x_te.reshape(5, -1) / np.float32(255))


def test_replaced_file_is_noticed_despite_the_cache(tmp_path):
    make_fake(tmp_path, seed=0)
    (_, t1), _ = load_mnist(folder=tmp_path)
    _, t_new, _, _ = make_fake(tmp_path, seed=1)
    stamp = (tmp_path / "train-labels-idx1-ubyte.gz").stat().st_mtime_ns + 10**9
    for name in MNIST_FILES:
        os.utime(tmp_path / f"{name}.gz", ns=(stamp, stamp))
    (_, t2), _ = load_mnist(folder=tmp_path)
    np.testing.assert_array_equal(t2, t_new)
    assert not np.array_equal(t1, t2)
    assert sum(k[0] == str(tmp_path.resolve()) for k in datasets._cache) == 1  # old one gone


def test_missing_file_names_it(tmp_path):
    copy_mnist(tmp_path, skip=("t10k-labels-idx1-ubyte",))
    with pytest.raises(FileNotFoundError) as err:
        load_mnist(folder=tmp_path)
    message = str(err.value)
    assert "t10k-labels-idx1-ubyte.gz" in message
    assert "train-images-idx3-ubyte.gz not" not in message  # only the missing one is named
    assert str(tmp_path) in message and "Copy the four files" in message


def test_empty_folder_names_all_four(tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        load_mnist(folder=tmp_path / "nowhere")
    for name in MNIST_FILES:
        assert name in str(err.value)


def test_flipped_byte_in_gzip_is_reported(tmp_path):
    copy_mnist(tmp_path)
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"t10k-labels-idx1-ubyte\.gz.*corrupt: re-copy"):
        load_mnist(folder=tmp_path)


def test_truncated_gzip_is_reported(tmp_path):
    make_fake(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte\.gz.*cannot decompress"):
        load_mnist(folder=tmp_path)


def test_truncated_idx_is_reported(tmp_path):
    make_fake(tmp_path, compress=False)
    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte.*truncated.*re-copy"):
        load_mnist(folder=tmp_path)
    path.write_bytes(b"\x00\x00\x08")
    with pytest.raises(ValueError, match="shorter than its header"):
        load_mnist(folder=tmp_path)


def test_wrong_magic_is_reported(tmp_path):
    make_fake(tmp_path)
    # an image file where the labels belong
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros((12, 28, 28)), 2051)
    with pytest.raises(
        ValueError, match=r"train-labels-idx1-ubyte\.gz: magic number 2051, expected 2049"
    ):
        load_mnist(folder=tmp_path)


def test_sizes_must_agree(tmp_path):
    make_fake(tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(11), 2049)
    with pytest.raises(ValueError, match="12 images but 11 labels"):
        load_mnist(folder=tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.full(12, 10), 2049)
    with pytest.raises(ValueError, match=r"labels run up to 10, expected 0\.\.9"):
        load_mnist(folder=tmp_path)
    make_fake(tmp_path, rows=14, cols=14)
    write_idx(tmp_path / "t10k-images-idx3-ubyte", np.zeros((5, 28, 28)), 2051)
    with pytest.raises(ValueError, match="different datasets"):
        load_mnist(folder=tmp_path)


def test_checksums_are_checked_when_asked(tmp_path):
    make_fake(tmp_path)
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte\.gz: SHA-256"):
        load_mnist(folder=tmp_path, checksums=MNIST_SHA256)
    load_mnist(folder=tmp_path, checksums={})  # skipped
    with pytest.raises(ValueError, match="checksums must be a dict"):
        load_mnist(folder=tmp_path, checksums=True)
    with pytest.raises(ValueError, match="unknown files"):
        load_mnist(folder=tmp_path, checksums={"fashion.gz": "0" * 64})


def test_default_folder_is_checked_against_mnist_hashes(tmp_path, monkeypatch):
    """A byte changed in a plain copy still parses; only the SHA-256 check catches it."""
    copy_mnist(tmp_path, skip=("t10k-images-idx3-ubyte",))
    raw = bytearray(gzip.decompress((MNIST_DIR / "t10k-images-idx3-ubyte.gz").read_bytes()))
    raw[1000] ^= 0x01
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(bytes(raw))
    monkeypatch.setattr(datasets, "MNIST_DIR", tmp_path.resolve())
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte: SHA-256.*re-copy"):
        load_mnist()
    _, (x_test, _) = load_mnist(checksums={}, keep_uint8=True)  # parses without the check
    assert x_test.shape == (10000, 784)


def test_bad_dtype_raises():
    for bad in (np.int32, np.uint8, "float16", "not a dtype"):
        with pytest.raises(ValueError, match="dtype must be float32 or float64"):
            load_mnist(dtype=bad)


# ---------------------------------------------------------------- one-hot


def test_one_hot():
    out = one_hot(np.array([2, 0, 1]), 3)
    np.testing.assert_array_equal(out, [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert out.dtype == np.float32
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.2"):
        one_hot(np.array([3]), 3)
    with pytest.raises(ValueError, match="1-D integer"):
        one_hot(np.array([0.5]), 3)
    with pytest.raises(ValueError, match="n_classes must be a positive integer"):
        one_hot(np.array([0]), 0)


# ---------------------------------------------------------------- gates


@pytest.mark.parametrize(
    ("name", "outputs"),
    [("AND", [0, 0, 0, 1]), ("OR", [0, 1, 1, 1]), ("NAND", [1, 1, 1, 0]), ("XOR", [0, 1, 1, 0])],
)
def test_logic_gates(name, outputs):
    x, t = logic_gate(name)
    np.testing.assert_array_equal(x, [[0, 0], [0, 1], [1, 0], [1, 1]])
    assert x.shape == (4, 2) and x.dtype == np.float32
    assert t.shape == (4,) and t.dtype == np.int64
    assert t.tolist() == outputs
    assert logic_gate(name.lower())[1].tolist() == outputs


def test_gate_names_and_xor_data():
    assert set(GATE_NAMES) == {"AND", "OR", "NAND", "XOR"}
    x, t = logic_gate("XOR", np.float64)
    assert x.dtype == np.float64 and x.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert t.tolist() == [0, 1, 1, 0]


def test_unknown_gate_raises():
    with pytest.raises(ValueError, match="unknown gate 'NOR': choose one of AND, OR, NAND, XOR"):
        logic_gate("NOR")
    with pytest.raises(ValueError, match="dtype"):
        logic_gate("AND", np.int64)


# ---------------------------------------------------------------- spiral


def book_spiral(seed=1984):
    """The book's dataset/spiral.py, line for line (with a local RandomState)."""
    rng = np.random.RandomState(seed)
    n, dim, cls_num = 100, 2, 3
    x = np.zeros((n * cls_num, dim))
    t = np.zeros((n * cls_num, cls_num), dtype=int)
    for j in range(cls_num):
        for i in range(n):
            rate = i / n
            radius = 1.0 * rate
            theta = j * 4.0 + 4.0 * rate + rng.randn() * 0.2
            ix = n * j + i
            x[ix] = np.array([radius * np.sin(theta), radius * np.cos(theta)]).flatten()
            t[ix, j] = 1
    return x, t


def test_spiral_matches_the_book():
    x, t = spiral(dtype=np.float64)
    bx, bt = book_spiral()
    np.testing.assert_array_equal(x, bx)
    np.testing.assert_array_equal(t, bt)


def test_spiral_shape_classes_and_range():
    x, t = spiral()
    assert x.shape == (300, 2) and x.dtype == np.float32
    assert t.shape == (300, 3) and t.dtype == np.float32
    assert t.sum(axis=0).tolist() == [100, 100, 100]
    np.testing.assert_array_equal(t.argmax(axis=1), np.repeat([0, 1, 2], 100))
    assert np.linalg.norm(x, axis=1).max() < 1.0
    x2, labels = spiral(one_hot_label=False)
    np.testing.assert_array_equal(x2, x)
    assert labels.dtype == np.int64 and labels.tolist() == np.repeat([0, 1, 2], 100).tolist()


def test_spiral_is_deterministic_and_leaves_global_state_alone():
    state = np.random.get_state()  # noqa: NPY002 - the global state must stay untouched
    a, _ = spiral()
    b, _ = spiral()
    c, _ = spiral(seed=0)
    after = np.random.get_state()  # noqa: NPY002
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert state[0] == after[0] and np.array_equal(state[1], after[1]) and state[2] == after[2]


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 50), st.integers(1, 6))
def test_spiral_sizes(n, k):
    x, t = spiral(n, k)
    assert x.shape == (n * k, 2) and t.shape == (n * k, k)
    np.testing.assert_array_equal(t.sum(axis=0), n)
    assert np.isfinite(x).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_per_class": 0}, "n_per_class must be a positive integer, got 0"),
        ({"n_per_class": -5}, "n_per_class must be a positive integer"),
        ({"n_per_class": 2.5}, "n_per_class must be a positive integer"),
        ({"n_classes": 0}, "n_classes must be a positive integer"),
        ({"n_classes": True}, "n_classes must be a positive integer"),
        ({"dtype": np.int32}, "dtype must be float32 or float64"),
    ],
)
def test_spiral_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        spiral(**kwargs)
