"""Stacked linear layers, Y = W3·W2·W1·X, step by step and as one product.

The example of seed 000 uses the column convention (a matrix times a column
vector), so this module does too: L1 = W1·X, L2 = W2·L1, Y = W3·L2.
Without an activation the three steps equal one matrix, W3·W2·W1; with one
between them (ReLU, sigmoid) they do not, which is why networks need them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.layers import ACTIVATIONS, NETWORK_ACTIVATIONS

SEED_X = np.array([0, 0, 1])
SEED_W1 = np.array([[2, 2, -1], [2, 2, 0], [0, -1, -1]])
SEED_W2 = np.array([[2, 2, -1], [-1, 0, 0], [2, -1, 2]])
SEED_W3 = np.array([[2, -1, 0], [-1, -1, 0], [2, 0, 0]])

CHAIN_ACTIVATIONS = NETWORK_ACTIVATIONS  # the ones a network learns through


@dataclass
class ChainStep:
    """One layer of the chain: out = f(W·x_in) (f the identity when no activation)."""

    name: str
    W: np.ndarray
    x_in: np.ndarray
    pre_activation: np.ndarray
    out: np.ndarray


def _check_chain(matrices: Sequence, x) -> tuple[list[np.ndarray], np.ndarray]:
    if len(matrices) == 0:
        raise ValueError("the chain needs at least one matrix")
    mats = [np.asarray(W, dtype=np.float64) for W in matrices]
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"X must be a vector, got shape {x.shape}")
    size = x.shape[0]
    for i, W in enumerate(mats, start=1):
        if W.ndim != 2:
            raise ValueError(f"W{i} must be a matrix, got shape {W.shape}")
        if W.shape[1] != size:
            raise ValueError(f"W{i} has {W.shape[1]} columns but its input has {size} "
                             f"entries: W{i}·v needs columns = len(v)")
        if not np.isfinite(W).all():
            raise ValueError(f"W{i} contains NaN or infinite values")
        size = W.shape[0]
    if not np.isfinite(x).all():
        raise ValueError("X contains NaN or infinite values")
    return mats, x


def matrix_chain(matrices: Sequence, x, activation: str | None = None) -> list[ChainStep]:
    """Apply W1, W2, ... to x in turn; `activation` between layers (not after the last)."""
    mats, v = _check_chain(matrices, x)
    if activation is not None and activation not in CHAIN_ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}: use None or one of "
                         f"{', '.join(CHAIN_ACTIVATIONS)}")
    steps = []
    for i, W in enumerate(mats, start=1):
        pre = W @ v
        last = i == len(mats)
        out = pre if (activation is None or last) else ACTIVATIONS[activation].f(pre)
        steps.append(ChainStep(f"L{i}" if not last else "Y", W, v, pre, out))
        v = out
    return steps


def collapse(matrices: Sequence) -> np.ndarray:
    """The single matrix W_n ··· W2·W1 that a stack of linear layers amounts to."""
    mats, _ = _check_chain(matrices, np.zeros(np.asarray(matrices[0]).shape[1]))
    product = mats[0]
    for W in mats[1:]:
        product = W @ product
    return product


def _fmt_coef(c: float) -> str:
    return str(int(c)) if float(c).is_integer() else f"{c:g}"


def linear_equations(W, in_names: Sequence[str], out_names: Sequence[str]) -> list[str]:
    """Each row of W written as an equation, e.g. 'L10 = 2X0 + 2X1 - X2' (zeros left out)."""
    W = np.asarray(W, dtype=np.float64)
    if W.shape != (len(out_names), len(in_names)):
        raise ValueError(f"W has shape {W.shape} but names give "
                         f"({len(out_names)}, {len(in_names)})")
    lines = []
    for name, row in zip(out_names, W, strict=True):
        terms = []
        for c, var in zip(row, in_names, strict=True):
            if c == 0:
                continue
            mag = abs(c)
            coef = "" if mag == 1 else _fmt_coef(mag)
            sign = "-" if c < 0 else "+"
            terms.append((sign, f"{coef}{var}"))
        if not terms:
            lines.append(f"{name} = 0")
            continue
        first_sign, first = terms[0]
        text = ("-" if first_sign == "-" else "") + first
        text += "".join(f" {s} {t}" for s, t in terms[1:])
        lines.append(f"{name} = {text}")
    return lines


def collapse_gap(matrices: Sequence, x, activation: str | None = None) -> float:
    """max |Y_steps − (W_n ··· W1)·x|: 0 for a stack of linear layers (up to rounding).

    With an activation between the layers the steps no longer equal one matrix,
    and the gap is usually far from 0 (it is 0 only where the activation happens
    to act like the identity on this x, e.g. ReLU on positive values).
    """
    steps = matrix_chain(matrices, x, activation)
    direct = collapse(matrices) @ np.asarray(x, dtype=np.float64)
    return float(np.max(np.abs(steps[-1].out - direct), initial=0.0))


def random_chain(seed: int = 0, size: int = 3, layers: int = 3,
                 low: int = -2, high: int = 2) -> tuple[list[np.ndarray], np.ndarray]:
    """`layers` random integer size×size matrices and an integer X, entries in low..high."""
    if low > high:
        raise ValueError(f"low must not exceed high, got {low} > {high}")
    rng = np.random.default_rng(seed)
    mats = [rng.integers(low, high + 1, (size, size)) for _ in range(layers)]
    return mats, rng.integers(low, high + 1, size)
