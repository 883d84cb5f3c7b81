"""The backend switch: numpy by default, cupy only when asked for and usable."""

import numpy as np
import pytest

from engine import backend
from engine.backend import get_array_module, get_backend, resolve_dtype, to_float, to_numpy


def test_numpy_is_the_default(monkeypatch):
    monkeypatch.delenv(backend.BACKEND_ENV, raising=False)
    assert get_backend() is np
    assert get_backend("numpy") is np
    assert get_backend(" NumPy ") is np


def test_environment_variable_chooses(monkeypatch):
    monkeypatch.setenv(backend.BACKEND_ENV, "numpy")
    assert get_backend() is np
    monkeypatch.setenv(backend.BACKEND_ENV, "jax")
    with pytest.raises(ValueError, match=r"unknown backend .jax.: choose one of numpy, cupy"):
        get_backend()


def test_cupy_without_a_gpu_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(backend, "cupy_available", lambda: False)
    with pytest.raises(RuntimeError, match="cupy is not installed or no CUDA device"):
        get_backend("cupy")


def test_array_module_and_to_numpy_on_numpy():
    x = np.arange(3.0)
    assert get_array_module(x) is np
    assert to_numpy(x) is x
    assert to_float(np.float32(2.5)) == 2.5
    assert to_numpy([1, 2]).tolist() == [1, 2]


def test_dtypes():
    assert resolve_dtype(None) == np.float32
    assert resolve_dtype("float64") == np.float64
    with pytest.raises(ValueError, match="float32 or float64"):
        resolve_dtype(np.float16)
