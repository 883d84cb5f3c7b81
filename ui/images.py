"""Uploaded pictures: bytes in, a numpy array out, or a ValueError that says why not.

Pillow reads the file; nothing else of it reaches the engine. Limits keep one learner's
upload from tying up a shared server: the file's size, and the pixel count, checked from
the header before any pixel is decoded (a small file can claim a huge image).
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ui.i18n import t

MAX_UPLOAD_BYTES = 2 * 2**20
MAX_PIXELS = 4096 * 4096
WORK_SIDE = 1024  # a photo is shrunk to at most this many pixels a side before it is read


def decode_image(data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES,
                 max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """The picture in `data` as an (H, W) uint8 gray array, at most WORK_SIDE pixels a side
    (the first frame of an animation; transparent parts count as white paper)."""
    if not data:
        raise ValueError(t("images.empty"))
    if len(data) > max_bytes:
        raise ValueError(t("images.too_big", mb=len(data) / 2**20, max_mb=max_bytes / 2**20))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise ValueError(t("images.too_many_pixels", w=width, h=height,
                                   max_mp=max_pixels / 1e6))
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
    except (UnidentifiedImageError, OSError, SyntaxError) as err:
        raise ValueError(t("images.not_image", reason=type(err).__name__)) from None
    if gray.ndim != 2 or gray.size == 0:
        raise ValueError(t("images.not_image", reason="empty"))
    return gray
