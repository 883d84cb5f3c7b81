"""engine.saving: a network saved to .npz and loaded back is the same network, and a bad file
is refused with an InputError naming what is wrong, before anything is built or unpickled.

The round trip uses real MNIST: a 784-100-10 network trained one epoch with Adam scores the
same accuracy on the whole test set after the trip, answers the same on every test image, and
trains on from there exactly as the original does (the same weights after the same batches).
"""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from engine import Adam, Momentum, MultiLayerNet, Trainer, load, load_mnist, save, spiral
from engine.backend import InputError
from engine.saving import DEFAULT_MAX_BYTES, FORMAT


@pytest.fixture(scope="module")
def mnist():
    return load_mnist(keep_uint8=True)


@pytest.fixture(scope="module")
def trained(mnist):
    """A 784-100-10 network trained one epoch on MNIST with Adam, and its trainer."""
    (x_train, t_train), (x_test, t_test) = mnist
    net = MultiLayerNet(784, [100], 10, seed=0)
    trainer = Trainer(net, Adam(lr=0.001), x_train, t_train, x_test, t_test, seed=0,
                      eval_samples=1000)
    trainer.fit(epochs=1)
    return trainer


def saved_bytes(trainer, settings=None) -> bytes:
    f = io.BytesIO()
    save(f, trainer.network, settings=settings, optimizer=trainer.optimizer,
         history=trainer.history)
    return f.getvalue()


def test_a_trained_mnist_network_scores_the_same_after_the_round_trip(mnist, trained, tmp_path):
    (_, _), (x_test, t_test) = mnist
    path = tmp_path / "mnist-network.npz"
    save(path, trained.network, settings={"lesson": "mnist"}, optimizer=trained.optimizer,
         history=trained.history)
    saved = load(path)
    x = x_test.reshape(len(x_test), -1) / np.float32(255)
    before, after = trained.network.accuracy(x, t_test), saved.network.accuracy(x, t_test)
    assert before > 0.9  # a trained network, not a chance-level one
    assert after == before == trained.history.epochs[-1].test_acc
    assert np.array_equal(saved.network.predict(x[:500]), trained.network.predict(x[:500]))
    assert saved.settings == {"lesson": "mnist"}
    for key, p in trained.network.params.items():
        assert saved.network.params[key].dtype == p.dtype
        assert np.array_equal(saved.network.params[key], p)


def test_the_optimizer_state_and_the_history_come_back(trained):
    saved = load(saved_bytes(trained))
    opt, back = trained.optimizer, saved.optimizer
    assert type(back) is Adam and back.t == opt.t == trained.step_count
    assert (back.lr, back.beta1, back.beta2, back.eps) == (opt.lr, opt.beta1, opt.beta2, opt.eps)
    assert set(back.state) == set(opt.state) == {(n, k) for n in "mv" for k in ("W1", "b1",
                                                                               "W2", "b2")}
    for slot, a in opt.state.items():
        assert np.array_equal(back.state[slot], a)
    h, hb = trained.history, saved.history
    assert (hb.loss.x, hb.loss.y, hb.loss.stride, hb.loss.limit) == (h.loss.x, h.loss.y,
                                                                     h.loss.stride, h.loss.limit)
    assert set(hb.grad_stats) == {"W1", "W2"}
    assert hb.grad_stats["W2"].y == h.grad_stats["W2"].y
    assert hb.epochs == h.epochs


def test_training_goes_on_exactly_as_without_the_trip(mnist):
    """Two copies of one run: one saved and loaded halfway, both trained on with the same
    batches; their weights agree bit for bit (a lost Adam state would tell them apart)."""
    (x_train, t_train), _ = mnist
    x, t = x_train[:2000], t_train[:2000]
    net = MultiLayerNet(784, [32], 10, seed=1)
    first = Trainer(net, Adam(lr=0.003), x, t, seed=3, eval_samples=0)
    first.run(max_steps=15)
    saved = load(saved_bytes(first))
    second = Trainer(saved.network, saved.optimizer, x, t, seed=3, eval_samples=0)
    again = Trainer(net, first.optimizer, x, t, seed=3, eval_samples=0)
    again.run(max_steps=10)
    second.run(max_steps=10)
    for key, p in net.params.items():
        assert np.array_equal(saved.network.params[key], p), key
    fresh = Trainer(load(saved_bytes(first)).network, Adam(lr=0.003), x, t, seed=3,
                    eval_samples=0)
    fresh.run(max_steps=10)  # the same weights but a new optimizer: another path
    assert not np.array_equal(fresh.network.params["W1"], net.params["W1"])


def test_batch_norm_momentum_and_float64_come_back():
    x, t = spiral(one_hot_label=False)
    net = MultiLayerNet(2, [6, 5], 3, activation="tanh", use_batchnorm=True, use_dropout=True,
                        dropout_ratio=0.2, weight_decay_lambda=0.01, dtype=np.float64, seed=4)
    trainer = Trainer(net, Momentum(lr=0.1, momentum=0.8), x, t, batch_size=50, eval_samples=0)
    trainer.run(max_steps=12)
    saved = load(saved_bytes(trainer))
    back = saved.network
    assert (back.dtype, back.use_batchnorm, back.use_dropout, back.weight_decay_lambda) == (
        np.float64, True, True, 0.01)
    assert back.layers["Dropout1"].dropout_ratio == 0.2
    assert np.array_equal(back.layers["BatchNorm2"].running_var,
                          net.layers["BatchNorm2"].running_var)
    assert np.array_equal(back.predict(x), net.predict(x))  # inference: the running averages
    assert saved.optimizer.momentum == 0.8 and set(saved.optimizer.state) == set(
        trainer.optimizer.state)


def test_a_network_alone_comes_back_without_optimizer_or_history():
    net = MultiLayerNet(3, [4], 2, seed=0)
    f = io.BytesIO()
    save(f, net)
    saved = load(f)
    assert saved.optimizer is None and saved.history is None and saved.settings == {}
    assert np.array_equal(saved.network.params["W1"], net.params["W1"])


def test_an_untrained_optimizer_has_no_state_to_bring_back():
    net = MultiLayerNet(3, [4], 2, seed=0)
    f = io.BytesIO()
    save(f, net, optimizer=Adam(lr=0.01))
    saved = load(f.getvalue())
    assert saved.optimizer.state == {} and saved.optimizer.t == 0


# ---------------------------------------------------------------- bad files


def small_file(**changes) -> dict[str, np.ndarray]:
    """The arrays of a small trained network's file, as a dict to spoil."""
    x, t = spiral(one_hot_label=False)
    net = MultiLayerNet(2, [5], 3, seed=0)
    trainer = Trainer(net, Adam(lr=0.01), x, t, batch_size=30, eval_samples=0)
    trainer.run(max_steps=3)
    with np.load(io.BytesIO(saved_bytes(trainer, {"page": "test"}))) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays.update(changes)
    return arrays


def packed(arrays: dict, **savez) -> bytes:
    f = io.BytesIO()
    np.savez(f, **arrays, **savez)
    return f.getvalue()


def refused(data, code: str, **kw) -> InputError:
    with pytest.raises(InputError) as info:
        load(data, **kw)
    assert info.value.code == code, (info.value.code, str(info.value))
    assert isinstance(info.value, ValueError)
    return info.value


def meta_of(arrays: dict) -> dict:
    return json.loads(arrays["meta"].tobytes())


def with_meta(arrays: dict, meta: dict) -> dict:
    return {**arrays, "meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)}


def test_the_small_file_itself_loads():
    assert load(packed(small_file())).settings == {"page": "test"}


@pytest.mark.parametrize("keep", [0, 10, 200, -1, -22])
def test_a_truncated_file_is_refused(keep):
    data = packed(small_file())
    refused(data[:keep], "saving_not_npz")


def test_a_file_that_is_not_a_zip_is_refused():
    refused(b"W1,b1\n0.5,0.1\n" * 20, "saving_not_npz")
    refused(packed(small_file())[::-1], "saving_not_npz")


def test_a_single_npy_array_is_refused():
    f = io.BytesIO()
    np.save(f, np.zeros(3))
    refused(f.getvalue(), "saving_not_npz")


def test_a_pickle_inside_is_refused_and_never_unpickled(tmp_path):
    """An object array (saved with allow_pickle=True) in the place of a weight: its header
    says so, and load stops there. Unpickling it would have written a file."""
    marker = tmp_path / "unpickled"

    class Trap:
        def __reduce__(self):
            return (marker.write_text, ("ran",))

    evil = np.empty((2, 5), dtype=object)
    evil[0, 0] = Trap()
    err = refused(packed(small_file(**{"param.W1": evil}), allow_pickle=True), "saving_pickle")
    assert err.details == {"name": "param.W1"}
    assert not marker.exists()


def test_a_pickled_meta_is_refused(tmp_path):
    evil = np.array([{"format": FORMAT}], dtype=object)
    refused(packed(small_file(meta=evil), allow_pickle=True), "saving_pickle")


@pytest.mark.parametrize("name, shape", [("param.W1", (5, 2)), ("param.b2", (4,)),
                                         ("opt.m.W2", (5, 4)), ("param.W2", (5, 3, 1))])
def test_wrong_shapes_are_refused(name, shape):
    arrays = small_file(**{name: np.zeros(shape, dtype=np.float32)})
    err = refused(packed(arrays), "saving_shape")
    assert err.details["name"] == name and err.details["shape"] == shape


def test_shapes_are_checked_against_the_settings():
    """Weights of a 2-5-3 network under settings that say 2-6-3."""
    arrays = small_file()
    meta = meta_of(arrays)
    meta["network"]["hidden_size_list"] = [6]
    err = refused(packed(with_meta(arrays, meta)), "saving_shape")
    assert (err.details["name"], err.details["expected"]) == ("param.W1", (2, 6))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_infinite_weights_are_refused(bad):
    arrays = small_file()
    w = arrays["param.W2"].copy()
    w[1, 2] = bad
    err = refused(packed({**arrays, "param.W2": w}), "saving_not_finite")
    assert err.details == {"name": "param.W2"}


def test_nan_in_the_optimizer_state_is_refused():
    arrays = small_file()
    v = arrays["opt.v.b1"].copy()
    v[0] = np.nan
    refused(packed({**arrays, "opt.v.b1": v}), "saving_not_finite")


@pytest.mark.parametrize("name", ["param.W1", "param.b2", "opt.v.W2", "meta", "hist.loss.y"])
def test_missing_arrays_are_refused(name):
    arrays = small_file()
    del arrays[name]
    err = refused(packed(arrays), "saving_missing")
    assert err.details == {"name": name}


def test_an_array_that_belongs_to_no_network_is_refused():
    refused(packed(small_file(extra=np.zeros(3))), "saving_unexpected")


@pytest.mark.parametrize("name, dtype", [("param.W1", np.float64), ("param.b1", np.int32),
                                         ("meta", np.int8), ("hist.loss.x", np.float64)])
def test_wrong_dtypes_are_refused(name, dtype):
    arrays = small_file()
    err = refused(packed({**arrays, name: arrays[name].astype(dtype)}), "saving_dtype")
    assert err.details["name"] == name


def test_a_100_mb_file_is_refused_from_its_size_before_it_is_read(tmp_path):
    """A sparse file of 100 MB (nothing is written but its length), and the same size claimed
    by a file object that fails if anything is read from it."""
    path = tmp_path / "huge.npz"
    with open(path, "wb") as f:
        f.write(packed(small_file()))
        f.truncate(100 * 2**20)
    err = refused(path, "saving_too_big")
    assert err.details == {"size": 100 * 2**20, "cap": DEFAULT_MAX_BYTES}

    class NoReading(io.RawIOBase):
        def seekable(self):
            return True

        def seek(self, offset, whence=io.SEEK_SET):
            return 100 * 2**20 if whence == io.SEEK_END else 0

        def read(self, *args):
            raise AssertionError("read before the size was checked")

    refused(NoReading(), "saving_too_big")


def test_the_cap_is_the_callers():
    data = packed(small_file())
    refused(data, "saving_too_big", max_bytes=len(data) - 1)
    assert load(data, max_bytes=len(data)).network is not None


def test_a_zip_bomb_is_refused_from_its_directory():
    """A few KB of zip that would unpack to 100 MB of zeros: refused from the sizes its
    directory gives, before anything is unpacked."""
    f = io.BytesIO()
    with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
        for name, a in small_file().items():
            with z.open(name + ".npy", "w") as member:
                np.lib.format.write_array(member, a)
        with z.open("param.big.npy", "w") as member:
            np.lib.format.write_array(member, np.zeros(25 * 2**20, dtype=np.float32))
    data = f.getvalue()
    assert len(data) < 2**20
    err = refused(data, "saving_too_big", max_bytes=2**20)
    assert err.details["size"] > 100 * 2**20


def test_settings_that_ask_for_a_huge_network_are_refused_before_it_is_built():
    arrays = small_file()
    meta = meta_of(arrays)
    meta["network"]["hidden_size_list"] = [10**9]
    refused(packed(with_meta(arrays, meta)), "saving_too_big")


@pytest.mark.parametrize("spoil", [
    lambda m: m.update(format="something else"),
    lambda m: m.pop("network"),
    lambda m: m["network"].update(activation="softplus"),
    lambda m: m["network"].update(input_size=-2),
    lambda m: m["network"].update(hidden_size_list="5"),
    lambda m: m["network"].update(extra=1),
    lambda m: m.update(settings=[1, 2]),
    lambda m: m["optimizer"].update(name="Lion"),
    lambda m: m["optimizer"]["args"].update(lr=-1),
    lambda m: m["optimizer"]["args"].update(t=-3),
    lambda m: m["history"]["epochs"].append(["one", 2, 3, 4, 5, 6]),
    lambda m: m["history"]["series"].update(loss=[1, 2]),
    lambda m: m.update(history=[]),
    lambda m: m.pop("format"),
    lambda m: m["optimizer"].update(args=[1, 2]),
], ids=["format", "no-network", "activation", "input-size", "hidden", "extra-arg", "settings",
        "optimizer-name", "optimizer-lr", "adam-t", "epoch-record", "series", "history",
        "no-format", "optimizer-args"])
def test_a_meta_that_does_not_describe_a_network_is_refused(spoil):
    arrays = small_file()
    meta = meta_of(arrays)
    spoil(meta)
    refused(packed(with_meta(arrays, meta)), "saving_meta")


@pytest.mark.parametrize("raw", [b"not json", b"\xff\xfe", b"[" * 100_000, b"[1, 2]"])
def test_a_meta_that_is_not_json_of_a_dict_is_refused(raw):
    arrays = small_file(meta=np.frombuffer(raw, dtype=np.uint8))
    refused(packed(arrays), "saving_meta")


def test_a_refusal_says_it_in_english_for_a_notebook():
    err = refused(b"junk", "saving_not_npz")
    assert "cannot be read as .npz" in str(err)
