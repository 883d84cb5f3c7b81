"""Errors a learner can cause on the MNIST page: a drawing with no stroke, and a picture
(drawn or uploaded) that lessons.mnist cannot read: empty, of another shape, with NaN, out of
range, of another type."""

import numpy as np

from lessons.mnist import preprocess_steps, to_gray


def _blank_canvas() -> None:
    canvas = np.zeros((280, 280, 4), dtype=np.uint8)  # black, opaque: nothing drawn
    canvas[..., 3] = 255
    preprocess_steps(canvas)


def _empty() -> None:
    to_gray(np.zeros((0, 28), dtype=np.uint8))


def _shape() -> None:
    to_gray(np.zeros((28, 28, 2), dtype=np.uint8))  # two channels: neither gray nor RGB(A)


def _nan() -> None:
    image = np.zeros((28, 28))
    image[3, 4] = np.nan
    to_gray(image)


def _range() -> None:
    to_gray(np.full((28, 28), 255.0))  # 0..255 as floats


def _dtype() -> None:
    to_gray(np.zeros((28, 28), dtype=np.int16))


CASES = {"mnist_empty_drawing": _blank_canvas, "mnist_image_empty": _empty,
         "mnist_image_shape": _shape, "mnist_image_nan": _nan, "mnist_image_range": _range,
         "mnist_image_dtype": _dtype}
