"""Datasets shared by every session: loaded once per process, read-only."""

from __future__ import annotations

import numpy as np
import streamlit as st

from engine.datasets import load_mnist, spiral
from ui.i18n import t
from ui.messages import escape_markdown


@st.cache_resource(show_spinner=False)
def spiral_data() -> tuple[np.ndarray, np.ndarray]:
    """Seed 003's 300 points and their one-hot labels."""
    x, t_onehot = spiral()
    x.setflags(write=False)
    t_onehot.setflags(write=False)
    return x, t_onehot


@st.cache_resource(show_spinner=False)
def mnist_data():
    """((x_train, t_train), (x_test, t_test)): uint8 pixels as stored, int64 labels.

    A missing or corrupt file raises the loader's FileNotFoundError / ValueError,
    which the page shows; nothing is cached then, so a repaired file is picked up.
    """
    (x_train, t_train), (x_test, t_test) = load_mnist(keep_uint8=True)
    for labels in (t_train, t_test):
        labels.setflags(write=False)
    return (x_train, t_train), (x_test, t_test)


def mnist_or_error():
    """mnist_data(), or None after a page-level message when the files cannot be read
    (missing, corrupt, truncated): the page stops its MNIST part, the app goes on."""
    try:
        return mnist_data()
    except (FileNotFoundError, ValueError) as err:
        st.error(t("data.mnist_broken", message=escape_markdown(err)),
                 icon=":material/database:")
        return None
