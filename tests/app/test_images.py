"""Uploaded pictures (ui/images.py): real image files in, gray arrays or clear messages out."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from lessons.mnist import preprocess_digit
from ui.i18n import tr
from ui.images import (
    MAX_DRAWING_CHARS,
    MAX_PIXELS,
    MAX_UPLOAD_BYTES,
    WORK_SIDE,
    decode_drawing,
    decode_image,
)


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


# ---------------------------------------------------------------- the canvas's drawing


def drawing_url(array: np.ndarray, fmt: str = "PNG") -> str:
    return "data:image/png;base64," + base64.b64encode(encode(array, fmt)).decode()


def test_a_drawing_from_the_canvas_comes_back_as_its_gray_pixels():
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[..., 3] = 255
    rgba[40:240, 120:150, :3] = 255  # a white stroke on black
    gray = decode_drawing(drawing_url(rgba), 280)
    assert gray.dtype == np.uint8 and gray.shape == (280, 280)
    assert gray[100, 130] == 255 and gray[10, 10] == 0


BAD_DRAWINGS = {
    "too many pixels": lambda: drawing_url(np.zeros((300, 300), np.uint8)),
    "one pixel wider": lambda: drawing_url(np.zeros((280, 281), np.uint8)),
    "a smaller picture": lambda: drawing_url(np.zeros((200, 200), np.uint8)),
    "a JPEG": lambda: drawing_url(np.zeros((280, 280), np.uint8), "JPEG"),
    "a TIFF": lambda: drawing_url(np.zeros((280, 280), np.uint8), "TIFF"),
    "not base64": lambda: "data:image/png;base64,%%%%",
    "another data type": lambda: "data:text/html;base64,PGI+",
    "a URL": lambda: "https://evil.example/digit.png",
    "past the length cap": lambda: "data:image/png;base64," + "A" * MAX_DRAWING_CHARS,
    "not a string": lambda: {"data": "x"},
    "nothing": lambda: None,
}


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("case", list(BAD_DRAWINGS))
def test_anything_else_is_refused_with_the_catalogs_words(case, lang, monkeypatch):
    monkeypatch.setattr("ui.images.t", lambda key, **kw: tr(lang, key, **kw))
    with pytest.raises(ValueError) as err:
        decode_drawing(BAD_DRAWINGS[case](), 280)
    assert str(err.value) == tr(lang, "images.bad_drawing")


def test_a_huge_drawing_is_refused_from_its_header(monkeypatch):
    """An 8000 × 8000 PNG is refused before Pillow decodes a pixel of it."""
    url, loaded = drawing_url(np.zeros((8000, 8000), np.uint8)), []
    monkeypatch.setattr(Image.Image, "load", lambda self: loaded.append(self.size))
    with pytest.raises(ValueError):
        decode_drawing(url, 280)
    assert loaded == []


@pytest.mark.parametrize("fmt", ["TIFF", "EPS", "ICO", "PPM"])
def test_uploads_in_other_formats_are_refused_even_when_named_png(fmt, monkeypatch):
    monkeypatch.setattr("ui.images.t", lambda key, **kw: tr("en", key, **kw))
    if fmt == "EPS":
        data = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 28 28\nshowpage\n"
    else:
        data = encode(paper_digit((28, 28)), fmt)
    with pytest.raises(ValueError) as err:
        decode_image(data)
    assert str(err.value) == tr("en", "images.not_image", reason="UnidentifiedImageError")
