"""lessons.mnist, a drawn digit: drawings and photos made MNIST-like, step by step; real
MNIST stays as it is."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from engine.backend import InputError
from engine.datasets import load_mnist
from lessons.mnist import (
    center_of_mass,
    preprocess_digit,
    preprocess_steps,
    resize_area,
    to_gray,
)

CANVAS = 280
CENTRE = 14.0  # MNIST's centre of mass, in pixel indices: 28 / 2
HALF_PIXEL = 0.5 + 1e-9


def render(strokes, *, width=0.07, scale=1.0, at=(0.0, 0.0), size=CANVAS):
    """White anti-aliased strokes on black, like the app's canvas.

    Each stroke is a segment ((r0, c0), (r1, c1)) in a unit square that is scaled by
    `scale` and moved by `at` (both in canvas widths); width is a fraction of the canvas.
    """
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    ink = np.zeros((size, size))
    radius = width * scale * size / 2
    for start, end in strokes:
        p0 = (np.asarray(start) * scale + at) * size
        p1 = (np.asarray(end) * scale + at) * size
        d = p1 - p0
        u = np.clip(((yy - p0[0]) * d[0] + (xx - p0[1]) * d[1]) / max(d @ d, 1e-12), 0, 1)
        dist = np.hypot(yy - p0[0] - u * d[0], xx - p0[1] - u * d[1])
        ink = np.maximum(ink, np.clip(radius - dist + 0.5, 0, 1))
    return ink


def ring(cy, cx, ry, rx, n=64):
    a = np.linspace(0, 2 * np.pi, n + 1)
    pts = np.stack([cy + ry * np.sin(a), cx + rx * np.cos(a)], axis=1)
    return list(itertools.pairwise(pts))


ONE = [((0.15, 0.5), (0.85, 0.5))]
SEVEN = [((0.15, 0.25), (0.15, 0.75)), ((0.15, 0.75), (0.85, 0.4))]
ZERO = ring(0.5, 0.5, 0.35, 0.25)
DRAWINGS = {
    "one": render(ONE),
    "seven": render(SEVEN),
    "ring zero": render(ZERO, width=0.12),
    "off-centre blob": render([((0.15, 0.8), (0.15, 0.8))], width=0.2),
}


def ink_box(img, threshold=0.0):
    """(height, width) of the pixels above threshold."""
    rows, cols = np.nonzero(img > threshold)
    return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1


@pytest.fixture(scope="module")
def mnist_digits():
    _, (x_test, _) = load_mnist(keep_uint8=True)
    return x_test[:200].reshape(-1, 28, 28)


# ---------------------------------------------------------------- drawings


@pytest.mark.parametrize("name", list(DRAWINGS))
def test_a_drawing_becomes_a_28x28_float32_digit_in_the_unit_range(name):
    out = preprocess_digit(DRAWINGS[name])
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert out.min() == 0.0 and 0.9 < out.max() <= 1.0


@pytest.mark.parametrize("name", list(DRAWINGS))
def test_the_centre_of_mass_lands_within_half_a_pixel_of_mnists_centre(name):
    prep = preprocess_steps(DRAWINGS[name])
    assert prep.target == CENTRE
    row, col = center_of_mass(prep.final)
    assert abs(row - CENTRE) <= HALF_PIXEL and abs(col - CENTRE) <= HALF_PIXEL
    assert prep.com_after == pytest.approx((row, col))


@pytest.mark.parametrize("name", list(DRAWINGS))
def test_the_ink_box_longer_side_is_scaled_to_20(name):
    prep = preprocess_steps(DRAWINGS[name])
    assert max(prep.scaled.shape) == 20
    assert max(ink_box(prep.final)) == 20
    h, w = prep.cropped.shape
    assert min(prep.scaled.shape) == max(1, round(min(h, w) * 20 / max(h, w)))


def test_a_tall_bar_keeps_its_aspect_ratio():
    prep = preprocess_steps(DRAWINGS["one"])
    assert prep.cropped.shape == (216, 20)  # 0.7 of the canvas plus the round caps, 0.07 wide
    assert prep.scaled.shape == (20, 2)


def test_centring_by_mass_moves_an_unbalanced_seven():
    prep = preprocess_steps(DRAWINGS["seven"])
    # centred by its box, the 7's heavy top bar pulls the mass up by almost 4 pixels
    assert prep.com_before[0] < CENTRE - 3.5
    assert abs(prep.com_after[0] - CENTRE) <= HALF_PIXEL
    row, col = prep.offset
    assert np.array_equal(prep.final[row:row + 20, col:col + 15], prep.scaled.astype(np.float32))


def test_the_steps_fit_together():
    prep = preprocess_steps(DRAWINGS["off-centre blob"])
    top, bottom, left, right = prep.bbox
    assert np.array_equal(prep.cropped, prep.ink[top:bottom, left:right])
    assert prep.ink[:top].max() <= 0.1 and prep.ink[:, right:].max() <= 0.1
    assert np.array_equal(prep.final, preprocess_digit(DRAWINGS["off-centre blob"]))
    assert not prep.inverted and prep.background == 0.0
    assert prep.boxed.sum() == pytest.approx(prep.final.sum(), rel=1e-6)
    assert [a.shape for a in prep.images] == [(CANVAS, CANVAS), (56, 56), (20, 20), (28, 28)]


def test_the_same_digit_at_two_positions_and_scales_gives_nearly_the_same_input():
    big = preprocess_digit(render(SEVEN))
    small = preprocess_digit(render(SEVEN, scale=0.45, at=(0.05, 0.5)))
    assert np.abs(big - small).mean() < 0.01
    assert np.abs(big - preprocess_digit(render(SEVEN, at=(0.1, -0.2)))).max() < 1e-6


def test_an_off_centre_blob_is_moved_to_the_middle():
    drawing = DRAWINGS["off-centre blob"]
    assert center_of_mass(drawing)[1] > 0.75 * CANVAS
    prep = preprocess_steps(drawing)
    # a disc's mass sits at its middle, 9.5 of 0..19: the whole-pixel shift nearest 14 is 5
    assert prep.offset == (5, 5) and prep.com_after == pytest.approx((14.5, 14.5))
    disc = prep.final[5:25, 5:25]
    assert np.array_equal(disc, disc[::-1, ::-1]) and disc.sum() == prep.final.sum()


def test_a_dot_is_enlarged_to_the_box_as_mnist_enlarged_small_digits():
    drawing = np.zeros((50, 50))
    drawing[10, 30] = 1.0
    out = preprocess_digit(drawing)
    assert np.count_nonzero(out == 1.0) == 400 and out.sum() == 400


# ---------------------------------------------------------------- colours and photos


def test_dark_ink_on_light_paper_is_inverted_automatically():
    drawing = DRAWINGS["seven"]
    prep = preprocess_steps(1.0 - drawing)
    assert prep.inverted
    np.testing.assert_allclose(prep.final, preprocess_digit(drawing), atol=1e-6)
    np.testing.assert_array_equal(prep.final, preprocess_digit(1.0 - drawing, invert=True))
    with pytest.raises(ValueError, match="empty"):  # white paper taken as ink: nothing stands out
        preprocess_digit(1.0 - drawing, invert=False)


def test_a_noisy_photo_of_grey_paper_comes_close_to_the_clean_drawing():
    clean = DRAWINGS["seven"]
    rng = np.random.default_rng(0)
    paper = 0.8 - 0.6 * clean + rng.normal(0, 0.03, clean.shape)  # ink at 0.2, paper at 0.8
    tint = np.array([255, 240, 220])  # warm light
    photo = (np.clip(paper, 0, 1)[..., None] * tint).round().astype(np.uint8)
    prep = preprocess_steps(photo)
    assert prep.inverted and 0.2 < prep.background < 0.3
    assert prep.bbox == pytest.approx(preprocess_steps(clean).bbox, abs=2)
    assert np.abs(prep.final - preprocess_digit(clean)).mean() < 0.03


def test_isolated_specks_are_not_ink():
    drawing = DRAWINGS["seven"].copy()
    drawing[[3, 270, 140], [5, 275, 8]] = 0.6  # dust far from the strokes
    prep = preprocess_steps(drawing)
    assert prep.bbox == preprocess_steps(DRAWINGS["seven"]).bbox
    np.testing.assert_array_equal(prep.final, preprocess_digit(DRAWINGS["seven"]))
    dot = np.zeros((30, 30))
    dot[4, 20] = 1.0  # alone, a speck: at a threshold above 1/9 its neighbourhood is too dark
    with pytest.raises(ValueError, match="the drawing is empty"):
        preprocess_digit(dot, threshold=0.2)


def test_rgba_canvas_data_is_composited_over_black():
    drawing = DRAWINGS["seven"]
    rgba = np.zeros((CANVAS, CANVAS, 4), dtype=np.uint8)
    rgba[..., :3] = 255  # white everywhere: only alpha says where the ink is
    rgba[..., 3] = np.round(drawing * 255).astype(np.uint8)
    gray = to_gray(rgba)
    np.testing.assert_allclose(gray, np.round(drawing * 255) / 255, atol=1e-12)
    np.testing.assert_allclose(preprocess_digit(rgba), preprocess_digit(drawing), atol=0.01)
    opaque = np.stack([drawing] * 3 + [np.ones_like(drawing)], axis=-1)  # opaque black canvas
    np.testing.assert_allclose(preprocess_digit(opaque), preprocess_digit(drawing), atol=1e-6)


def test_to_gray_uses_the_luma_weights_and_reads_uint8_as_0_to_255():
    rgb = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]]], dtype=np.uint8)
    np.testing.assert_allclose(to_gray(rgb), [[0.299, 0.587, 0.114, 1.0]])
    np.testing.assert_allclose(to_gray(rgb.astype(np.float32) / 255), to_gray(rgb), atol=1e-7)
    assert to_gray(np.array([[0, 51]], dtype=np.uint8)).tolist() == [[0.0, 0.2]]
    assert to_gray(np.full((2, 2), 0.5, dtype=np.float32)).dtype == np.float64


@pytest.mark.parametrize("image", [
    np.zeros((CANVAS, CANVAS)),
    np.zeros((CANVAS, CANVAS, 3), dtype=np.uint8),
    np.dstack([np.full((CANVAS, CANVAS, 3), 255, np.uint8), np.zeros((CANVAS, CANVAS), np.uint8)]),
    np.full((40, 40), 0.7),
    np.full((40, 40), 0.05) + np.eye(40) * 0.05,  # a stroke fainter than the threshold
], ids=["black", "black rgb", "all transparent", "uniform grey", "too faint"])
def test_an_empty_drawing_raises(image):
    with pytest.raises(InputError, match="the drawing is empty") as info:
        preprocess_digit(image, threshold=0.1)
    # a code and its value, for the page to say it in the learner's language
    assert info.value.code == "mnist_empty_drawing" and info.value.details == {"threshold": 0.1}


@pytest.mark.parametrize(("image", "message", "code", "details"), [
    (np.ones(28), "shape", "mnist_image_shape", {"shape": (28,)}),
    (np.ones((28, 28, 2)), "shape", "mnist_image_shape", {"shape": (28, 28, 2)}),
    (np.ones((2, 28, 28, 1)), "shape", "mnist_image_shape", {"shape": (2, 28, 28, 1)}),
    (np.ones((0, 28)), "empty", "mnist_image_empty", {"shape": (0, 28)}),
    (np.full((28, 28), np.nan), "NaN", "mnist_image_nan", {}),
    (np.full((28, 28), 2.0), r"\[0, 1\]", "mnist_image_range", {"lo": 2.0, "hi": 2.0}),
    (np.full((28, 28), -0.5), r"\[0, 1\]", "mnist_image_range", {"lo": -0.5, "hi": -0.5}),
    (np.full((28, 28), 255, dtype=np.int64), "uint8", "mnist_image_dtype", {"dtype": "int64"}),
    (np.ones((28, 28), dtype=bool), "uint8", "mnist_image_dtype", {"dtype": "bool"}),
])
def test_bad_images_raise_value_error(image, message, code, details):
    with pytest.raises(InputError, match=message) as info:
        preprocess_digit(image)
    assert isinstance(info.value, ValueError)  # a notebook's except ValueError still works
    assert (info.value.code, info.value.details) == (code, details)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"box": 30}, "box"),
    ({"box": 0}, "box"),
    ({"size": 2.5}, "size"),
    ({"threshold": 1.0}, "threshold"),
    ({"threshold": -0.1}, "threshold"),
    ({"invert": "yes"}, "invert"),
])
def test_bad_arguments_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        preprocess_digit(DRAWINGS["seven"], **kwargs)


def test_other_box_and_field_sizes():
    out = preprocess_digit(DRAWINGS["ring zero"], box=10, size=16)
    assert out.shape == (16, 16) and max(ink_box(out)) == 10
    row, col = center_of_mass(out)
    assert abs(row - 8) <= HALF_PIXEL and abs(col - 8) <= HALF_PIXEL


# ---------------------------------------------------------------- real MNIST


def test_real_mnist_digits_come_back_nearly_unchanged(mnist_digits):
    diffs = np.array([np.abs(preprocess_digit(d) - d / 255).mean() for d in mnist_digits])
    # MNIST's centres of mass lie within half a pixel of 14; a digit right at that edge
    # may be moved by one pixel the other way, no digit by more
    assert np.median(diffs) < 1e-3
    assert diffs.mean() < 2e-3
    assert (diffs < 0.01).mean() >= 0.95
    assert diffs.max() < 0.1


def test_a_real_digit_off_centre_in_a_big_canvas_comes_back(mnist_digits):
    for digit in mnist_digits[:20]:
        canvas = np.zeros((100, 100), dtype=np.uint8)
        canvas[63:91, 5:33] = digit
        out = preprocess_digit(canvas)
        np.testing.assert_allclose(out, preprocess_digit(digit), atol=1e-6)
        assert np.abs(out - digit / 255).mean() < 0.01


# ---------------------------------------------------------------- resize_area and centre of mass

images = arrays(np.float64, st.tuples(st.integers(1, 30), st.integers(1, 30)),
                elements=st.floats(0, 1))
sizes = st.integers(1, 40)


@settings(max_examples=60, deadline=None)
@given(value=st.floats(-5, 5), h=sizes, w=sizes, out_h=sizes, out_w=sizes)
def test_resize_area_keeps_a_constant_image_constant(value, h, w, out_h, out_w):
    out = resize_area(np.full((h, w), value), out_h, out_w)
    assert out.shape == (out_h, out_w)
    np.testing.assert_allclose(out, value, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(img=images, out_h=sizes, out_w=sizes)
def test_resize_area_keeps_the_mean(img, out_h, out_w):
    out = resize_area(img, out_h, out_w)
    assert out.sum() / (out_h * out_w) == pytest.approx(img.mean(), abs=1e-12)
    assert img.min() - 1e-12 <= out.min() and out.max() <= img.max() + 1e-12


@settings(max_examples=40, deadline=None)
@given(img=images, k=st.integers(1, 4))
def test_resize_area_by_whole_factors_averages_blocks_and_repeats_pixels(img, k):
    h, w = img.shape
    big = resize_area(img, h * k, w * k)
    np.testing.assert_allclose(big, np.kron(img, np.ones((k, k))), atol=1e-12)
    np.testing.assert_allclose(resize_area(big, h, w), img, atol=1e-12)
    np.testing.assert_allclose(resize_area(img, h, w), img, atol=0)


def test_resize_area_by_hand():
    img = np.array([[0.0, 3.0, 6.0]])
    # two output cells of 1.5 input cells each: (0 + 0.5·3) / 1.5, (0.5·3 + 6) / 1.5
    np.testing.assert_allclose(resize_area(img, 1, 2), [[1.0, 5.0]])
    np.testing.assert_allclose(resize_area(np.array([[1.0, 2.0], [3.0, 4.0]]), 1, 1), [[2.5]])


@pytest.mark.parametrize(("args", "message"), [
    ((np.ones(4), 2, 2), "2-D"),
    ((np.ones((0, 3)), 2, 2), "empty"),
    ((np.ones((3, 3)), 0, 2), "out_h"),
    ((np.ones((3, 3)), 2, 1.5), "out_w"),
    ((np.array([[np.inf]]), 1, 1), "NaN"),
    ((np.array([["a"]]), 1, 1), "real numbers"),
])
def test_resize_area_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        resize_area(*args)


def test_center_of_mass_by_hand():
    img = np.zeros((5, 4))
    img[1, 1] = 1.0
    img[3, 3] = 3.0
    assert center_of_mass(img) == pytest.approx((2.5, 2.5))
    assert center_of_mass(np.ones((28, 28))) == pytest.approx((13.5, 13.5))


def test_center_of_mass_rejects_an_empty_or_negative_image():
    with pytest.raises(ValueError, match="all zero"):
        center_of_mass(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="non-negative"):
        center_of_mass(np.array([[1.0, -1.0]]))
