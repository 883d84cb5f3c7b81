"""Broadcasting and element-wise operations, as numpy does them, small enough to draw.

    demo = broadcast_demo((2, 3), (3,), "+")   # A + B, with B's row copied down
    demo.result                                 # numpy's own A + B
    broadcast_demo((2, 3), (2,), "+")           # ValueError: operands could not be
                                                # broadcast together with shapes (2,3) (2,)

The rule, axis by axis from the right: two sizes fit when they are equal or one of
them is 1 (a missing axis counts as 1); the result takes the larger size, and an
array of size 1 along an axis is copied along it. The arrays are numbered so that
every value is easy to follow: A = 1, 2, 3, ... and B carries on after A
(for (2, 2) and (2, 2) that is the seed's A = [[1, 2], [3, 4]], B = [[5, 6], [7, 8]]).
The seed's 3-D cases count both arrays from 0 (np.arange(10).reshape(2, 1, 5)).
The operation itself is numpy's: a shape that does not fit raises numpy's own
ValueError, unchanged.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

OPS: dict[str, Callable] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}
MAX_NDIM = 3
MAX_DIM = 6  # sizes stay small enough to print and draw

_SEPARATORS = re.compile(r"[\s,]+")


def parse_shape(text: str) -> tuple[int, ...]:
    """A shape typed as '(2, 3)', '2,3', '2 3', '(3,)' or '()' (a scalar); never eval'd.

    Raises ValueError for anything else, and for sizes outside 1..MAX_DIM or more
    than MAX_NDIM axes.
    """
    body = str(text).strip()
    if body.startswith(("(", "[")) and body.endswith((")", "]")):
        body = body[1:-1]
    tokens = [tok for tok in _SEPARATORS.split(body.strip()) if tok]
    if not tokens and not str(text).strip().startswith(("(", "[")):
        raise ValueError("type a shape such as (2, 3), or () for a single number")
    shape = []
    for tok in tokens:
        if not tok.isdigit():
            raise ValueError(f"{tok!r} is not a whole number: a shape lists sizes, e.g. (2, 3)")
        size = int(tok)
        if not 1 <= size <= MAX_DIM:
            raise ValueError(f"each size must lie between 1 and {MAX_DIM}, got {size}")
        shape.append(size)
    if len(shape) > MAX_NDIM:
        raise ValueError(f"at most {MAX_NDIM} axes here, got {len(shape)}")
    return tuple(shape)


def numbered(shape: tuple[int, ...], start: int = 1) -> np.ndarray:
    """start, start + 1, ... laid out in `shape` (a 0-d array for shape ())."""
    return np.arange(start, start + math.prod(shape)).reshape(shape)


@dataclass(frozen=True)
class AxisRule:
    """One axis of the rule, counted from the right (-1 is the last axis).

    `how` is one of: 'equal' (same size), 'stretch_a' / 'stretch_b' (that array
    has size 1 here and is copied), 'new_a' / 'new_b' (that array lacks the axis:
    it counts as 1 and is copied), 'mismatch' (different sizes, neither 1).
    """

    axis: int
    a: int | None
    b: int | None
    out: int | None
    how: str


def broadcast_axes(shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> list[AxisRule]:
    """The broadcasting rule applied axis by axis, from the right."""
    rules = []
    for k in range(1, max(len(shape_a), len(shape_b)) + 1):
        a = shape_a[-k] if k <= len(shape_a) else None
        b = shape_b[-k] if k <= len(shape_b) else None
        if a is None:
            how, out = ("new_a", b) if b != 1 else ("equal", 1)
        elif b is None:
            how, out = ("new_b", a) if a != 1 else ("equal", 1)
        elif a == b:
            how, out = "equal", a
        elif a == 1:
            how, out = "stretch_a", b
        elif b == 1:
            how, out = "stretch_b", a
        else:
            how, out = "mismatch", None
        rules.append(AxisRule(-k, a, b, out, how))
    return rules[::-1]


def copied_cells(shape: tuple[int, ...], out_shape: tuple[int, ...]) -> np.ndarray:
    """A bool mask of out_shape: True where broadcasting an array of `shape` made a copy.

    False marks the cells that hold the array's own values (index 0 along every
    axis it was stretched along).
    """
    padded = (1,) * (len(out_shape) - len(shape)) + tuple(shape)
    own = np.zeros(out_shape, dtype=bool)
    own[tuple(slice(0, 1) if n == 1 else slice(None) for n in padded)] = True
    return ~own


@dataclass
class BroadcastDemo:
    """A op B for two numbered arrays; `result` is numpy's answer."""

    a: np.ndarray
    b: np.ndarray
    op: str
    result: np.ndarray
    rules: list[AxisRule]

    @property
    def a_stretched(self) -> np.ndarray:
        """A as numpy sees it in the operation: copied out to the result's shape."""
        return np.broadcast_to(self.a, self.result.shape)

    @property
    def b_stretched(self) -> np.ndarray:
        return np.broadcast_to(self.b, self.result.shape)

    @property
    def a_copied(self) -> np.ndarray:
        return copied_cells(self.a.shape, self.result.shape)

    @property
    def b_copied(self) -> np.ndarray:
        return copied_cells(self.b.shape, self.result.shape)


def broadcast_demo(shape_a, shape_b, op: str = "+", *, a=None, b=None,
                   a_start: int = 1, b_start: int | None = None) -> BroadcastDemo:
    """Build numbered A (shape_a) and B (shape_b), or use the given arrays, and apply `op`.

    A counts from `a_start`; B from `b_start`, by default where A stopped.

    A shape pair that cannot broadcast raises numpy's own ValueError, unchanged,
    e.g. "operands could not be broadcast together with shapes (2,3) (2,)".
    """
    if op not in OPS:
        raise ValueError(f"unknown operation {op!r}: use one of {' '.join(OPS)}")
    shape_a, shape_b = tuple(shape_a), tuple(shape_b)
    a = numbered(shape_a, a_start) if a is None else np.asarray(a)
    if b is None:
        b = numbered(shape_b, a_start + a.size if b_start is None else b_start)
    b = np.asarray(b)
    if a.shape != shape_a or b.shape != shape_b:
        raise ValueError(f"the arrays have shapes {a.shape} and {b.shape}, "
                         f"not {shape_a} and {shape_b}")
    result = OPS[op](a, b)  # numpy decides; its ValueError goes to the caller as it is
    return BroadcastDemo(a, b, op, np.asarray(result), broadcast_axes(shape_a, shape_b))


@dataclass(frozen=True)
class BroadcastCase:
    """A teaching case: two shapes, an operation, and optionally the seed's own values."""

    id: str
    shape_a: tuple[int, ...]
    shape_b: tuple[int, ...]
    op: str
    b_value: float | None = None  # a scalar B, as in the seed's A * 10
    start: int | None = None  # both count from here (the seed's np.arange(10), arange(20))


CASES: tuple[BroadcastCase, ...] = (
    BroadcastCase("same", (2, 2), (2, 2), "+"),
    BroadcastCase("product", (2, 2), (2, 2), "*"),
    BroadcastCase("scalar", (2, 2), (), "*", b_value=10),
    BroadcastCase("bias", (2, 3), (3,), "+"),
    BroadcastCase("column", (2, 3), (2, 1), "+"),
    BroadcastCase("outer", (3, 1), (1, 4), "*"),
    BroadcastCase("three_d", (2, 1, 5), (2, 2, 5), "*", start=0),
    BroadcastCase("bad_vector", (2, 3), (2,), "+"),
    BroadcastCase("bad_three_d", (2, 5, 1), (2, 2, 5), "*", start=0),
)


def run_case(case: BroadcastCase, op: str | None = None) -> BroadcastDemo:
    """broadcast_demo for a teaching case (`op` overrides the case's operation)."""
    b = None if case.b_value is None else np.array(case.b_value)
    if case.start is None:
        return broadcast_demo(case.shape_a, case.shape_b, op or case.op, b=b)
    return broadcast_demo(case.shape_a, case.shape_b, op or case.op, b=b,
                          a_start=case.start, b_start=case.start)
