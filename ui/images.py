"""Pictures from the browser: bytes in, a numpy array out, or a ValueError that says why not.

Two ways in, both untrusted:
- an uploaded photo (`decode_image`): PNG, JPEG, BMP, GIF or WebP only, checked by its
  content and not its name, at most MAX_UPLOAD_BYTES, at most MAX_PIXELS;
- the drawing canvas's PNG data URL (`decode_drawing`): a string of at most
  MAX_DRAWING_CHARS, base64 of a PNG of exactly the canvas's size.

Every limit is checked before any pixel is decoded (a small file can claim a huge image),
and Pillow opens only the formats named here: a TIFF or an EPS named .png is refused,
never handed to another decoder (EPS would start Ghostscript).
"""

from __future__ import annotations

import base64
import binascii
import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ui.i18n import t

MAX_UPLOAD_BYTES = 2 * 2**20
MAX_PIXELS = 4096 * 4096
WORK_SIDE = 1024  # a photo is shrunk to at most this many pixels a side before it is read
UPLOAD_FORMATS = ("PNG", "JPEG", "BMP", "GIF", "WEBP")
UPLOAD_SUFFIXES = ("png", "jpg", "jpeg", "bmp", "gif", "webp")
DRAWING_PREFIX = "data:image/png;base64,"
# A 280×280 RGBA PNG holds at most 280·280·4 bytes of pixels plus a little framing, and
# base64 adds a third: anything longer is not a drawing from our canvas.
MAX_DRAWING_CHARS = 600_000


def _open(data: bytes, formats: tuple[str, ...], max_pixels: int) -> Image.Image:
    """Pillow's view of `data`, read from the header only: the format must be one of
    `formats` and the size at most `max_pixels`. Raises ValueError in the learner's words."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(formats))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError(t("images.huge", max_mp=max_pixels / 1e6)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise ValueError(t("images.not_image", reason=type(err).__name__)) from None
    width, height = image.size
    if width * height > max_pixels:
        raise ValueError(t("images.too_many_pixels", w=width, h=height,
                           max_mp=max_pixels / 1e6))
    return image


def _gray(image: Image.Image, max_pixels: int) -> np.ndarray:
    """Decode `image` (opened by `_open`) to an (H, W) uint8 gray array; transparent parts
    count as white paper. Pillow's errors become a ValueError in the learner's words."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.seek(0)
            image.draft("L", (WORK_SIDE, WORK_SIDE))  # JPEG: decode at a reduced size
            image = ImageOps.exif_transpose(image)
            image.thumbnail((WORK_SIDE, WORK_SIDE))
            if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                # transparent parts are paper: composite over white before going gray
                rgba = image.convert("RGBA")
                paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                image = Image.alpha_composite(paper, rgba)
            gray = np.asarray(image.convert("L"), dtype=np.uint8)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError(t("images.huge", max_mp=max_pixels / 1e6)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as err:
        raise ValueError(t("images.not_image", reason=type(err).__name__)) from None
    if gray.ndim != 2 or gray.size == 0:
        raise ValueError(t("images.not_image", reason="empty"))
    return gray


def decode_image(data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES,
                 max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """The picture in `data` as an (H, W) uint8 gray array, at most WORK_SIDE pixels a side
    (the first frame of an animation; transparent parts count as white paper)."""
    if not data:
        raise ValueError(t("images.empty"))
    if len(data) > max_bytes:
        raise ValueError(t("images.too_big", mb=len(data) / 2**20, max_mb=max_bytes / 2**20))
    return _gray(_open(data, UPLOAD_FORMATS, max_pixels), max_pixels)


def decode_drawing(value: object, side: int) -> np.ndarray:
    """The canvas's drawing (a PNG data URL) as a (side, side) uint8 gray array.

    Anything else (not a string, too long, not base64, not a PNG, another size) raises
    ValueError in the learner's words, before a pixel is decoded.
    """
    bad = ValueError(t("images.bad_drawing"))
    if not isinstance(value, str) or not value.startswith(DRAWING_PREFIX):
        raise bad
    if len(value) > MAX_DRAWING_CHARS:
        raise bad
    try:
        data = base64.b64decode(value[len(DRAWING_PREFIX):], validate=True)
        image = _open(data, ("PNG",), side * side)
        if image.size != (side, side):
            raise bad
        return _gray(image, side * side)
    except (binascii.Error, ValueError):
        raise bad from None
