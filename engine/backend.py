"""Array backend: numpy by default, cupy when asked for and a CUDA device is visible.

The engine never imports cupy globally. A network chooses its backend once
(`get_backend`), creates its parameters with it, and every layer derives the
module from the arrays it receives (`get_array_module`). Anything that leaves
the engine for a chart goes through `to_numpy` first.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType

import numpy as np

BACKEND_ENV = "ENGINE_BACKEND"
BACKENDS = ("numpy", "cupy")
DEFAULT_DTYPE = np.float32  # training: half the memory of float64, faster BLAS
CHECK_DTYPE = np.float64  # gradient checks need the extra precision


class InputError(ValueError):
    """A ValueError a learner can cause, said so that a page can say it in any language.

    `code` names the problem (e.g. 'diverged'); `details` holds the values its English
    message mentions. The app's catalogs hold a text per code (`error.<code>`) with the
    same placeholders; str(err) stays the English message, for a notebook.
    """

    def __init__(self, code: str, message: str, **details: object) -> None:
        super().__init__(message)
        self.code = code
        self.details = details


def cupy_available() -> bool:
    """True when cupy imports and sees at least one CUDA device."""
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # ImportError, or a broken CUDA install raising on import or query
        return False


def get_backend(name: str | None = None) -> ModuleType:
    """The array module for `name` ('numpy' or 'cupy').

    With no name, the environment variable ENGINE_BACKEND decides (default
    'numpy'). Asking for cupy where it is not installed or no CUDA device is
    visible raises RuntimeError saying so; an unknown name raises ValueError.
    """
    if name is None:
        name = os.environ.get(BACKEND_ENV, "numpy") or "numpy"
    key = str(name).strip().lower()
    if key not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}: choose one of {', '.join(BACKENDS)}")
    if key == "numpy":
        return np
    if not cupy_available():
        raise RuntimeError(
            "backend 'cupy' was asked for, but cupy is not installed or no CUDA device "
            "is visible; install requirements-gpu.txt on a machine with an NVIDIA GPU, "
            f"or use 'numpy' (unset {BACKEND_ENV})"
        )
    import cupy

    return cupy


def backend_name(xp: ModuleType) -> str:
    """'numpy' or 'cupy' for an array module."""
    return "cupy" if xp.__name__.startswith("cupy") else "numpy"


def get_array_module(*arrays) -> ModuleType:
    """The module (numpy or cupy) that owns `arrays`; numpy for plain Python values.

    cupy is asked only if it is already imported, so this never imports it by accident.
    """
    cp = sys.modules.get("cupy")
    return np if cp is None else cp.get_array_module(*arrays)


def to_numpy(x) -> np.ndarray:
    """Copy an array to host memory as numpy (a no-op for numpy input)."""
    cp = sys.modules.get("cupy")
    if cp is not None and isinstance(x, cp.ndarray):
        return cp.asnumpy(x)
    return np.asarray(x)


def to_float(x) -> float:
    """A Python float from a scalar or 0-d array (cupy reductions return 0-d arrays)."""
    return float(to_numpy(x))


def resolve_dtype(dtype) -> np.dtype:
    """float32 (None: the default) or float64; anything else raises ValueError."""
    try:
        dt = np.dtype(DEFAULT_DTYPE if dtype is None else dtype)
    except TypeError as err:  # not a dtype at all
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}") from err
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be float32 or float64, got {dt}")
    return dt


def positive_int(value, name: str) -> int:
    """`value` as an int, or ValueError when it is not a positive whole number (bools too)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)
