"""Uploaded pictures (ui/images.py): real image files in, gray arrays or clear messages out."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from engine.digits import preprocess_digit
from ui.i18n import tr
from ui.images import MAX_PIXELS, MAX_UPLOAD_BYTES, WORK_SIDE, decode_image


def encode(array: np.ndarray, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format=fmt, **kw)
    return buf.getvalue()


def paper_digit(size=(400, 300)) -> np.ndarray:
    """A dark '1' stroke on light grey paper, as a phone photo might show it."""
    img = np.full(size, 225, dtype=np.uint8)
    img[80:320, 140:165] = 30
    return img


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "BMP", "GIF", "WEBP"])
def test_common_formats_decode_to_the_same_gray_picture(fmt):
    gray = decode_image(encode(paper_digit(), fmt))
    assert gray.dtype == np.uint8 and gray.shape == (400, 300)
    assert abs(int(gray[200, 150]) - 30) < 12 and abs(int(gray[10, 10]) - 225) < 12


def test_a_photo_of_a_digit_becomes_an_mnist_like_input():
    final = preprocess_digit(decode_image(encode(paper_digit(), "JPEG", quality=85)))
    assert final.shape == (28, 28)
    rows, cols = np.nonzero(final > 0.5)
    assert rows.max() - rows.min() + 1 in (19, 20, 21)  # the stroke's height scaled to 20
    assert final[0].max() == 0 and final[:, 0].max() == 0  # the paper became background


def test_a_large_photo_is_shrunk_before_it_is_read():
    big = np.full((3000, 2000), 200, dtype=np.uint8)
    gray = decode_image(encode(big, "PNG"))
    assert gray.shape == (WORK_SIDE, round(2000 * WORK_SIDE / 3000))


def test_transparent_parts_count_as_white_paper():
    rgba = np.zeros((50, 50, 4), dtype=np.uint8)  # fully transparent
    rgba[10:40, 20:25] = (0, 0, 0, 255)  # one opaque black stroke
    gray = decode_image(encode(rgba, "PNG"))
    assert gray[0, 0] == 255 and gray[20, 22] == 0


@pytest.mark.parametrize(("data", "key"), [
    (b"", "images.empty"),
    (b"this is not a picture at all", "images.not_image"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "images.not_image"),  # a PNG header, nothing after
])
def test_what_is_not_a_picture_gets_a_message(data, key):
    with pytest.raises(ValueError) as err:
        decode_image(data)
    assert str(err.value).startswith(tr("ko", key, reason="", mb=0, max_mb=0)[:6])


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    with pytest.raises(ValueError) as err:
        decode_image(b"\xff" * (MAX_UPLOAD_BYTES + 1))
    assert "2" in str(err.value)  # the limit is named in the message


def test_a_small_file_claiming_a_huge_picture_is_refused():
    # a 1-bit PNG of 20,000 × 20,000 white pixels compresses to a few kilobytes
    data = encode(np.ones((20_000, 20_000), dtype=bool), "PNG")
    assert len(data) < MAX_UPLOAD_BYTES
    with pytest.raises(ValueError) as err:
        decode_image(data)
    assert str(err.value) == tr("ko", "images.huge", max_mp=MAX_PIXELS / 1e6)
    medium = encode(np.ones((5000, 4000), dtype=bool), "PNG")  # 20 MP: over our own limit
    with pytest.raises(ValueError) as err:
        decode_image(medium)
    assert "4000×5000" in str(err.value)
