"""Errors a learner can cause on the layer-zoo page (app_pages/layers.py)."""

import numpy as np

from lessons import layers as ll

SEED_CHAIN = [ll.SEED_W1, ll.SEED_W2, ll.SEED_W3]


def _chain_shape() -> None:  # a row added to W1: L1 has 4 entries, W2 still 3 columns
    ll.run_chain([np.vstack([ll.SEED_W1, [1, 1, 1]]), ll.SEED_W2, ll.SEED_W3], ll.SEED_X)


def _chain_empty() -> None:  # a cell of W2 left empty
    W2 = ll.SEED_W2.astype(float)
    W2[1, 1] = np.nan
    ll.run_chain([ll.SEED_W1, W2, ll.SEED_W3], ll.SEED_X)


def _activation_empty() -> None:
    ll.activation_pass("relu", [-2.0, np.nan, 0.0, 0.5, 2.0], [1.0] * 5)


CASES = {
    "layers_size_range": lambda: ll.affine_pass(ll.MAX_SIZE + 1, 2, 3),
    "layers_chain_shape": _chain_shape,
    "layers_chain_empty": _chain_empty,
    "layers_activation_empty": _activation_empty,
    "layers_shape_empty": lambda: ll.parse_shape(""),
    "layers_shape_not_number": lambda: ll.parse_shape("(2, x)"),
    "layers_shape_size": lambda: ll.parse_shape("(2, 7)"),
    "layers_shape_axes": lambda: ll.parse_shape("1 2 3 4"),
    "layers_batchnorm_batch": lambda: ll.gradcheck_case("batchnorm", 2, 2, 3),
}
