"""lessons.mnist, the data and a network's answers: counts, mean images, pixel statistics,
samples, confusion and mistakes."""

import math

import numpy as np
import pytest

from engine.datasets import load_mnist, to_float_batch
from engine.network import MultiLayerNet
from engine.optimizers import SGD
from engine.trainer import Trainer
from lessons import mnist as mnist_stats
from lessons.mnist import (
    Miss,
    class_counts,
    confusion_matrix,
    mean_images,
    misclassified,
    pixel_stats,
    predict_labels,
    predict_proba,
    sample_indices,
)


@pytest.fixture(scope="module")
def mnist():
    (x_train, t_train), (x_test, t_test) = load_mnist(keep_uint8=True)
    return x_train, t_train, x_test, t_test


@pytest.fixture(scope="module")
def trained(mnist):
    """A 784-30-10 net after 300 steps of SGD on mini-batches of 100 (half an epoch)."""
    x_train, t_train, _, _ = mnist
    net = MultiLayerNet(784, [30], 10, seed=0)
    Trainer(net, SGD(lr=0.1), x_train, t_train, batch_size=100, seed=0,
            eval_samples=0).run(max_steps=300)
    return net


# ---------------------------------------------------------------- counts and mean images


def test_class_counts_by_hand():
    counts = class_counts(np.array([0, 2, 2, 1, 2]), n_classes=4)
    assert counts.tolist() == [1, 1, 3, 0] and counts.dtype == np.int64


def test_class_counts_of_mnist_sum_to_60000_and_match_bincount(mnist):
    _, t_train, _, _ = mnist
    counts = class_counts(t_train)
    assert counts.sum() == 60000
    np.testing.assert_array_equal(counts, np.bincount(t_train))
    assert counts.argmax() == 1 and counts.argmin() == 5  # most 1s, fewest 5s


@pytest.mark.parametrize(("t", "message"), [
    (np.array([[0, 1]]), "1-D"),
    (np.array([0.0, 1.0]), "integer"),
    (np.array([0, 10]), r"0\.\.9"),
    (np.array([-1, 3]), r"0\.\.9"),
])
def test_class_counts_rejects_bad_labels(t, message):
    with pytest.raises(ValueError, match=message):
        class_counts(t)


def test_mean_images_by_hand_from_uint8_and_float():
    x = np.array([[[0, 255], [0, 0]],
                  [[255, 255], [0, 51]],
                  [[0, 0], [255, 0]]], dtype=np.uint8)
    t = np.array([1, 1, 0])
    means = mean_images(x, t, n_classes=3)
    assert means.shape == (3, 2, 2)
    np.testing.assert_allclose(means[0], [[0, 0], [1, 0]])
    np.testing.assert_allclose(means[1], [[0.5, 1.0], [0.0, 0.1]])
    np.testing.assert_array_equal(means[2], 0.0)  # no samples of class 2
    np.testing.assert_allclose(mean_images(x / 255, t, n_classes=3), means, atol=1e-15)
    np.testing.assert_allclose(mean_images(x.reshape(3, 4), t, n_classes=3), means)
    np.testing.assert_allclose(mean_images(x.reshape(3, 1, 2, 2), t, n_classes=3), means)


def test_mean_images_are_the_same_in_chunks(monkeypatch):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (23, 9), dtype=np.uint8)
    t = rng.integers(0, 4, 23)
    whole = mean_images(x, t, n_classes=4)
    monkeypatch.setattr(mnist_stats, "CHUNK", 5)
    np.testing.assert_allclose(mean_images(x, t, n_classes=4), whole, atol=1e-15)
    expected = [x[t == k].mean(axis=0).reshape(3, 3) / 255 for k in range(4)]
    np.testing.assert_allclose(whole, expected, atol=1e-15)


def test_the_mean_one_is_narrower_than_the_mean_zero(mnist):
    x_train, t_train, _, _ = mnist
    means = mean_images(x_train, t_train)
    assert means.shape == (10, 28, 28) and means.min() >= 0 and means.max() <= 1
    np.testing.assert_allclose(means[7], x_train[t_train == 7].mean(axis=0).reshape(28, 28) / 255)

    def middle_share(image):  # the share of the ink in the middle 8 columns (10..17)
        columns = image.sum(axis=0)
        return columns[10:18].sum() / columns.sum()

    assert middle_share(means[1]) > 0.85 > 0.45 > middle_share(means[0])
    assert means[1].sum() < 0.5 * means[0].sum()  # a stroke holds less ink than a loop


@pytest.mark.parametrize(("x", "t", "message"), [
    (np.zeros((3, 5), np.uint8), [0, 1, 2], "not square"),
    (np.zeros((3, 2, 2, 2)), [0, 1, 2], "shape"),
    (np.zeros((3, 4), np.int64), [0, 1, 2], "uint8"),
    (np.zeros((0, 4)), [], "empty"),
    (np.zeros((3, 4)), [0, 1], "3 images but t has 2"),
    (np.full((3, 4), 2.0), [0, 1, 2], r"\[0, 1\]"),
    (np.full((3, 4), np.nan), [0, 1, 2], r"\[0, 1\]"),
])
def test_mean_images_rejects_bad_input(x, t, message):
    with pytest.raises(ValueError, match=message):
        mean_images(x, np.array(t, dtype=np.int64))


# ---------------------------------------------------------------- pixel statistics


def test_pixel_stats_by_hand():
    x = np.array([[0, 255], [128, 0]], dtype=np.uint8)  # two images of two pixels
    stats = pixel_stats(x.reshape(2, 1, 2), bins=4)  # images of 1 × 2 pixels
    values = np.array([0, 1, 128 / 255, 0])
    assert stats["mean"] == pytest.approx(values.mean())
    assert stats["std"] == pytest.approx(values.std())
    assert stats["zero_fraction"] == 0.5 and stats["bright_fraction"] == 0.5  # 128/255 > 0.5
    assert stats["hist_counts"].tolist() == [2, 0, 1, 1]
    np.testing.assert_allclose(stats["hist_edges"], [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_allclose(stats["mean_image"], [[64 / 255, 0.5]])
    assert stats["n_images"] == 2 and stats["n_pixels"] == 4


def test_pixel_stats_agree_with_numpy_in_chunks(monkeypatch):
    rng = np.random.default_rng(1)
    x = rng.random((17, 16)) ** 3
    x[x < 0.05] = 0.0
    monkeypatch.setattr(mnist_stats, "CHUNK", 4)
    stats = pixel_stats(x, bins=32)
    assert stats["mean"] == pytest.approx(x.mean(), abs=1e-15)
    assert stats["std"] == pytest.approx(x.std(), abs=1e-12)
    assert stats["zero_fraction"] == np.mean(x == 0)
    counts, edges = np.histogram(x, bins=32, range=(0, 1))
    np.testing.assert_array_equal(stats["hist_counts"], counts)
    np.testing.assert_allclose(stats["hist_edges"], edges)
    np.testing.assert_allclose(stats["mean_image"], x.mean(axis=0).reshape(4, 4))


def test_pixel_stats_of_mnist(mnist):
    x_train, _, x_test, _ = mnist
    stats = pixel_stats(x_train)
    # the constants every MNIST normalization uses
    assert stats["mean"] == pytest.approx(0.1307, abs=1e-4)
    assert stats["std"] == pytest.approx(0.3081, abs=1e-4)
    assert 0.80 < stats["zero_fraction"] < 0.82
    assert stats["hist_counts"].sum() == 60000 * 784
    assert stats["mean_image"].shape == (28, 28)
    assert stats["mean_image"][0, 0] == 0.0 and stats["mean_image"][14, 14] > 0.3

    test = pixel_stats(x_test)
    np.testing.assert_array_equal(test["hist_counts"], np.bincount(x_test.ravel(), minlength=256))
    assert test["zero_fraction"] == test["hist_counts"][0] / x_test.size
    assert test["std"] == pytest.approx((x_test / 255).std(), rel=1e-12)


def test_pixel_stats_rejects_bad_bins():
    with pytest.raises(ValueError, match="bins"):
        pixel_stats(np.zeros((2, 4)), bins=0)


# ---------------------------------------------------------------- samples to show

LABELS = np.array([3, 1, 3, 0, 1, 1, 2])


def test_sample_indices_by_class_takes_the_first_of_each_digit_in_order():
    idx = sample_indices(LABELS, "by_class", per_class=2, n_classes=4)
    assert idx.tolist() == [3, 1, 4, 6, 0, 2] and idx.dtype == np.int64
    assert LABELS[idx].tolist() == [0, 1, 1, 2, 3, 3]


def test_sample_indices_random_is_seeded_and_distinct():
    t = np.arange(1000) % 10
    a = sample_indices(t, "random", n=50, seed=3)
    assert len(set(a.tolist())) == 50 and a.min() >= 0 and a.max() < 1000
    np.testing.assert_array_equal(a, sample_indices(t, "random", n=50, seed=3))
    assert not np.array_equal(a, sample_indices(t, "random", n=50, seed=4))
    assert sorted(sample_indices(LABELS, "random", n=100).tolist()) == list(range(7))


def test_sample_indices_from_an_index_stop_at_the_end():
    assert sample_indices(LABELS, "index", index=2, n=3).tolist() == [2, 3, 4]
    assert sample_indices(LABELS, "index", index=5, n=3).tolist() == [5, 6]


@pytest.mark.parametrize(("how", "kwargs", "message"), [
    ("index", {"index": 7}, "out of range"),
    ("index", {"index": -1}, "out of range"),
    ("index", {}, "integer index"),
    ("index", {"index": 1.0}, "integer index"),
    ("random", {"n": 0}, "n must"),
    ("by_class", {"per_class": -2}, "per_class"),
    ("grid", {}, "unknown how"),
])
def test_sample_indices_rejects_bad_requests(how, kwargs, message):
    with pytest.raises(ValueError, match=message):
        sample_indices(LABELS, how, **kwargs)


# ---------------------------------------------------------------- confusion and mistakes


def test_confusion_matrix_by_hand():
    cm = confusion_matrix(np.array([0, 1, 1, 2, 2]), np.array([0, 1, 2, 2, 0]), n_classes=3)
    assert cm.tolist() == [[1, 0, 1],
                           [0, 1, 0],
                           [0, 1, 1]]


def test_confusion_matrix_rejects_mismatched_or_out_of_range_labels():
    with pytest.raises(ValueError, match="pred has 2 labels but t has 3"):
        confusion_matrix(np.array([0, 1]), np.array([0, 1, 1]))
    with pytest.raises(ValueError, match="pred must lie"):
        confusion_matrix(np.array([0, 3]), np.array([0, 1]), n_classes=3)


def test_misclassified_by_hand_most_confident_first():
    t = np.array([0, 1, 2, 1, 0])
    pred = np.array([0, 2, 2, 0, 1])
    proba = np.array([[0.9, 0.05, 0.05],
                      [0.1, 0.3, 0.6],
                      [0.0, 0.0, 1.0],
                      [0.8, 0.1, 0.1],
                      [0.4, 0.45, 0.15]])
    misses = misclassified(pred, t, proba)
    assert misses == [Miss(3, 1, 0, 0.8), Miss(1, 1, 2, 0.6), Miss(4, 0, 1, 0.45)]
    assert misclassified(pred, t, proba, limit=2) == misses[:2]
    plain = misclassified(pred, t)
    assert [m.index for m in plain] == [1, 3, 4] and all(math.isnan(m.confidence) for m in plain)
    with pytest.raises(ValueError, match="proba must have shape"):
        misclassified(pred, t, proba[:3])
    with pytest.raises(ValueError, match="limit"):
        misclassified(pred, t, limit=0)


# ---------------------------------------------------------------- a network's predictions


def test_predictions_agree_with_the_network_for_uint8_and_float_in_any_batch_size():
    net = MultiLayerNet(16, [8], 5, seed=1)
    x = np.random.default_rng(2).integers(0, 256, (13, 4, 4), dtype=np.uint8)
    xf = to_float_batch(x.reshape(13, 16))
    scores = net.predict(xf)
    labels = predict_labels(net, x, batch_size=4)
    np.testing.assert_array_equal(labels, scores.argmax(axis=1))
    np.testing.assert_array_equal(predict_labels(net, xf), labels)
    proba = predict_proba(net, x, batch_size=5)
    assert proba.shape == (13, 5)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(proba.argmax(axis=1), labels)
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    np.testing.assert_allclose(proba, e / e.sum(axis=1, keepdims=True), rtol=1e-5)


def test_a_one_output_network_predicts_like_its_accuracy():
    net = MultiLayerNet(2, [3], 1, output="sigmoid", seed=0)
    x = np.random.default_rng(0).standard_normal((20, 2))
    labels = predict_labels(net, x)
    np.testing.assert_array_equal(labels, (net.predict(x)[:, 0] > 0.5).astype(np.int64))
    assert net.accuracy(x, labels) == 1.0
    with pytest.raises(ValueError, match="output='softmax'"):
        predict_proba(net, x)


def test_predictions_reject_bad_input():
    net = MultiLayerNet(16, [8], 5, seed=1)
    with pytest.raises(ValueError, match="MultiLayerNet"):
        predict_labels(object(), np.zeros((2, 16)))
    with pytest.raises(ValueError, match="non-empty batch"):
        predict_labels(net, np.zeros((0, 16)))
    with pytest.raises(ValueError, match=r"shape \(N, 16\)"):
        predict_labels(net, np.zeros((2, 15)))
    with pytest.raises(ValueError, match="batch_size"):
        predict_proba(net, np.zeros((2, 16)), batch_size=0)


def test_the_confusion_matrix_of_a_trained_net_holds_its_accuracy(mnist, trained):
    _, _, x_test, t_test = mnist
    pred = predict_labels(trained, x_test)
    cm = confusion_matrix(pred, t_test)
    accuracy = trained.accuracy(to_float_batch(x_test), t_test)
    assert accuracy > 0.8
    assert cm.sum() == 10000
    assert np.trace(cm) / cm.sum() == pytest.approx(accuracy, abs=1e-12)
    np.testing.assert_array_equal(cm.sum(axis=1), class_counts(t_test))
    np.testing.assert_array_equal(cm.sum(axis=0), class_counts(pred))


def test_the_mistakes_of_a_trained_net(mnist, trained):
    _, _, x_test, t_test = mnist
    proba = predict_proba(trained, x_test)
    pred = predict_labels(trained, x_test)
    np.testing.assert_array_equal(proba.argmax(axis=1), pred)
    misses = misclassified(pred, t_test, proba, limit=None)
    assert len(misses) == np.count_nonzero(pred != t_test) > 24
    assert all(m.true == t_test[m.index] != m.predicted == pred[m.index] for m in misses)
    confidences = [m.confidence for m in misses]
    assert confidences == sorted(confidences, reverse=True)
    assert confidences[0] > 0.9 and all(c > 0.1 for c in confidences)  # argmax of 10 classes
    assert misclassified(pred, t_test, proba) == misses[:24]
