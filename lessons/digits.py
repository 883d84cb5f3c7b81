"""A learner's drawing or photo of a digit, prepared the way MNIST's digits were.

MNIST's digits are white ink on black. The ink's bounding box was scaled, aspect
ratio kept, to fit a 20×20 box (anti-aliased, so edges turn grey), then placed in a
28×28 field so that the ink's centre of mass sits at the field's centre:

    x = preprocess_digit(canvas_rgba).reshape(1, 784)    # ready for net.predict
    prep = preprocess_steps(photo)                       # every step, for the page

Coordinates are (row, col) pixel indices: pixel (0, 0) is at (0.0, 0.0).
In those coordinates MNIST's centres of mass lie within half a pixel of
(14.0, 14.0), that is (size / 2, size / 2): the centre of the field, rounded to
whole pixels the way MNIST's shift was. `preprocess_steps` aims there too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

import numpy as np

from engine.backend import positive_int, to_numpy

LUMA = (0.299, 0.587, 0.114)  # ITU-R BT.601 weights of R, G, B (as PIL's convert("L"))
MNIST_BOX = 20
MNIST_SIZE = 28


def _overlap_matrix(n_out: int, n_in: int) -> np.ndarray:
    """R (n_out, n_in): R[i, j] = the share of output cell i that input cell j covers.

    Both axes span the same length: input cell j is [j·n_out, (j+1)·n_out) and
    output cell i is [i·n_in, (i+1)·n_in), in whole numbers, so overlaps are exact.
    Every row sums to 1.
    """
    i = np.arange(n_out)[:, None]
    j = np.arange(n_in)[None, :]
    lo = np.maximum(i * n_in, j * n_out)
    hi = np.minimum((i + 1) * n_in, (j + 1) * n_out)
    return np.maximum(hi - lo, 0) / n_in



def _image_2d(img, name: str = "img") -> np.ndarray:
    """A non-empty, finite, real 2-D array as float64."""
    a = to_numpy(img)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (H, W), got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} is empty (shape {a.shape})")
    if a.dtype.kind not in "uif":
        raise ValueError(f"{name} must hold real numbers, got dtype {a.dtype}")
    a = a.astype(np.float64)
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def resize_area(img: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """img (H, W) resampled to (out_h, out_w) by area: out = R_y @ img @ R_x.T.

    Each output pixel is the area-weighted mean of the input pixels it covers
    (R_y, R_x: overlap weights, rows summing to 1). Shrinking averages; enlarging
    repeats, blending where cells straddle. A constant image stays constant, and
    sum(out) / (out_h·out_w) = sum(img) / (H·W): the mean is kept.
    """
    a = _image_2d(img)
    out_h = positive_int(out_h, "out_h")
    out_w = positive_int(out_w, "out_w")
    R_y = _overlap_matrix(out_h, a.shape[0])
    R_x = _overlap_matrix(out_w, a.shape[1])
    return R_y @ a @ R_x.T


def center_of_mass(img) -> tuple[float, float]:
    """(row, col) = (Σ i·img[i, j], Σ j·img[i, j]) / Σ img, in pixel indices.

    img must be non-negative with some mass: an all-zero image has no centre.
    """
    a = _image_2d(img)
    if (a < 0).any():
        raise ValueError("img must be non-negative (it is a mass: ink per pixel)")
    total = a.sum()
    if total == 0:
        raise ValueError("img is all zero: it has no centre of mass")
    rows = a.sum(axis=1) @ np.arange(a.shape[0]) / total
    cols = a.sum(axis=0) @ np.arange(a.shape[1]) / total
    return float(rows), float(cols)


def to_gray(image) -> np.ndarray:
    """A gray (H, W), RGB (H, W, 3) or RGBA (H, W, 4) image as float64 gray levels in [0, 1].

    uint8 is read as 0..255, floats as 0..1. RGB becomes 0.299 R + 0.587 G + 0.114 B.
    RGBA is composited over black (gray · alpha): the app's canvas draws white ink
    on black, so a transparent pixel is background, not ink.
    """
    a = to_numpy(image)
    if a.size == 0:
        raise ValueError(f"the image is empty (shape {a.shape})")
    if not (a.ndim == 2 or (a.ndim == 3 and a.shape[2] in (3, 4))):
        raise ValueError(f"the image must have shape (H, W), (H, W, 3) or (H, W, 4), "
                         f"got {a.shape}")
    if a.dtype == np.uint8:
        a = a / 255.0
    elif a.dtype.kind == "f":
        a = a.astype(np.float64)
        if not np.isfinite(a).all():
            raise ValueError("the image contains NaN or infinite values")
        if a.min() < 0 or a.max() > 1:
            raise ValueError(f"float images must lie in [0, 1], got {a.min():g}..{a.max():g} "
                             "(divide 0..255 values by 255, or pass them as uint8)")
    else:
        raise ValueError(f"the image must be uint8 (0..255) or float (0..1), got {a.dtype}")
    if a.ndim == 2:
        return a
    gray = a[..., :3] @ np.array(LUMA)
    if a.shape[2] == 4:
        gray = gray * a[..., 3]
    return np.clip(gray, 0.0, 1.0)


@dataclass(frozen=True)
class DigitPrep:
    """Every step of `preprocess_steps`, for a page to show one after another."""

    gray: np.ndarray  # (H, W) the input as gray levels in [0, 1]
    inverted: bool  # True when the input was dark ink on light paper
    background: float  # the background level removed (median of the border)
    ink: np.ndarray  # (H, W) white ink on black: background 0, brightest ink 1
    bbox: tuple[int, int, int, int]  # (top, bottom, left, right): ink[top:bottom, left:right]
    cropped: np.ndarray  # the ink's bounding box
    scaled: np.ndarray  # cropped resized by area, longer side = box
    boxed: np.ndarray  # (size, size) scaled placed with its bounding box centred
    final: np.ndarray  # (size, size) float32: scaled placed by its centre of mass
    offset: tuple[int, int]  # (row, col) of scaled's top-left corner in final
    target: float  # where the centre of mass should land, in both axes: size / 2
    com_before: tuple[float, float]  # centre of mass of boxed
    com_after: tuple[float, float]  # centre of mass of final

    @property
    def images(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The four pictures of the pipeline: gray, cropped, scaled, final."""
        return self.gray, self.cropped, self.scaled, self.final


def _border(a: np.ndarray) -> np.ndarray:
    """The pixels of the outermost rows and columns."""
    return np.concatenate([a[0], a[-1], a[1:-1, 0], a[1:-1, -1]])


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the True pixels, bottom and right exclusive."""
    rows, cols = mask.any(axis=1), mask.any(axis=0)
    top, bottom = int(rows.argmax()), len(rows) - int(rows[::-1].argmax())
    left, right = int(cols.argmax()), len(cols) - int(cols[::-1].argmax())
    return top, bottom, left, right


def _mean3x3(a: np.ndarray) -> np.ndarray:
    """The mean of each pixel's 3×3 neighbourhood (zeros beyond the edge)."""
    p = np.pad(a, 1)
    h, w = a.shape
    return sum(p[i:i + h, j:j + w] for i in range(3) for j in range(3)) / 9


def _paste(patch: np.ndarray, size: int, top: int, left: int) -> np.ndarray:
    out = np.zeros((size, size))
    out[top:top + patch.shape[0], left:left + patch.shape[1]] = patch
    return out


def preprocess_steps(image, *, box: int = MNIST_BOX, size: int = MNIST_SIZE,
                     invert: bool | None = None, threshold: float = 0.1) -> DigitPrep:
    """A drawing or photo made MNIST-like, keeping every intermediate image.

    1. gray = to_gray(image); invert when asked, or (invert=None) when the border
       is mostly light (median > 0.5): dark ink on light paper, as in a photo.
    2. ink = clip((gray − background) / (peak − background), 0, 1), background the
       border's median and peak the maximum.
    3. The ink is the pixels > threshold whose 3×3 neighbourhood also averages
       > threshold (so a photo's isolated specks don't count); none means the
       drawing is empty: ValueError. Crop to the ink's bounding box, and
       resize_area so the longer side is `box` (aspect kept; small drawings are
       enlarged, as MNIST's were).
    4. Paste into size×size at the whole-pixel offset that brings the centre of
       mass nearest (size / 2, size / 2), clamped so all the ink stays inside.
    """
    box = positive_int(box, "box")
    size = positive_int(size, "size")
    if box > size:
        raise ValueError(f"box ({box}) must not be larger than size ({size})")
    if invert is not None and not isinstance(invert, bool):
        raise ValueError(f"invert must be True, False or None, got {invert!r}")
    if isinstance(threshold, bool) or not isinstance(threshold, Real) or not 0 <= threshold < 1:
        raise ValueError(f"threshold must be a number in [0, 1), got {threshold!r}")

    gray = to_gray(image)
    if invert is None:
        invert = bool(np.median(_border(gray)) > 0.5)
    ink = 1.0 - gray if invert else gray
    background = float(np.median(_border(ink)))
    contrast = float(ink.max()) - background
    ink = np.clip((ink - background) / max(contrast, 1e-12), 0.0, 1.0)
    mask = (ink > threshold) & (_mean3x3(ink) > threshold)
    if contrast <= threshold or not mask.any():
        raise ValueError(f"the drawing is empty: no stroke stands more than {threshold:g} out "
                         "from the background; draw a digit (light ink on dark, or dark on light)")

    top, bottom, left, right = _bbox(mask)
    cropped = ink[top:bottom, left:right]
    scale = box / max(cropped.shape)
    h = max(1, round(cropped.shape[0] * scale))
    w = max(1, round(cropped.shape[1] * scale))
    scaled = np.clip(resize_area(cropped, h, w), 0.0, 1.0)

    boxed = _paste(scaled, size, (size - h) // 2, (size - w) // 2)
    target = size / 2
    r, c = center_of_mass(scaled)
    row = min(max(math.floor(target - r + 0.5), 0), size - h)
    col = min(max(math.floor(target - c + 0.5), 0), size - w)
    final = _paste(scaled, size, row, col).astype(np.float32)
    return DigitPrep(gray=gray, inverted=invert, background=background, ink=ink,
                     bbox=(top, bottom, left, right), cropped=cropped, scaled=scaled,
                     boxed=boxed, final=final, offset=(row, col), target=target,
                     com_before=center_of_mass(boxed), com_after=center_of_mass(final))


def preprocess_digit(image, *, box: int = MNIST_BOX, size: int = MNIST_SIZE,
                     invert: bool | None = None, threshold: float = 0.1) -> np.ndarray:
    """A drawing or photo as a (size, size) float32 MNIST-like digit in [0, 1].

    Flatten it for a network: preprocess_digit(img).reshape(1, -1).
    See preprocess_steps for the steps and the arguments.
    """
    return preprocess_steps(image, box=box, size=size, invert=invert, threshold=threshold).final
