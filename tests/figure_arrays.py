"""One check for the viz modules' *_data twins: the arrays a live chart sends are the ones the
figure's builder put in its traces (ui.live_chart diffs them against what the browser holds)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go


def trace_arrays(fig: go.Figure, data: list[dict], *, dtypes: bool = False) -> None:
    """Every array of `data` is the one its trace (same index) holds in `fig`; with `dtypes`,
    of the same dtype too (a compact int8 map must stay int8 in the figure)."""
    assert len(data) == len(fig.data)
    for trace, arrays in zip(fig.data, data, strict=True):
        for key, value in arrays.items():
            held = trace[key]
            if isinstance(value, np.ndarray):
                np.testing.assert_array_equal(np.asarray(held), value)
                assert not dtypes or np.asarray(held).dtype == value.dtype, key
            elif isinstance(value, list) and value and isinstance(value[0], list):
                assert [list(v) for v in held] == value, key
            else:
                assert held == value or list(held) == list(value), key
