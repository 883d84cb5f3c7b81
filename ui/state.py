"""One way to hold a lesson's model across reruns: built from a frozen config, rebuilt on change.

    @dataclass(frozen=True)            # in lessons/: the settings a model is built from
    class XorConfig:
        hidden: int
        seed: int

    run = held("perceptron.xor", XorConfig(h, seed), lessons.perceptron.XorRun.build)
    held_reset("perceptron.xor")       # the Reset button: the next held() builds afresh

The model lives in st.session_state[key] next to the config it was built from. A
config that compares equal (dataclasses compare by value) keeps the model; any other
builds a new one with build(config). Settings a running model can take without a
rebuild (a learning rate) stay out of the config and are set on the model by the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, is_dataclass
from typing import Generic, TypeVar

import streamlit as st

C = TypeVar("C")
M = TypeVar("M")


@dataclass(frozen=True)
class Held(Generic[C, M]):
    config: C
    model: M


def held(key: str, config: C, build: Callable[[C], M]) -> M:
    """The model under `key`, rebuilt with build(config) unless it was built from `config`."""
    if not (is_dataclass(config) and config.__dataclass_params__.frozen):
        raise TypeError(f"config must be a frozen dataclass, got {type(config).__name__}")
    if "<locals>" in type(config).__qualname__:  # a new class on every rerun: never equal
        raise TypeError(f"define {type(config).__qualname__} at module level, not in a function")
    current = st.session_state.get(key)
    if isinstance(current, Held) and current.config == config:
        return current.model
    model = build(config)
    st.session_state[key] = Held(config, model)
    return model


def held_model(key: str):
    """The model stored under `key`, or None when none has been built yet."""
    current = st.session_state.get(key)
    return current.model if isinstance(current, Held) else None


def held_reset(key: str) -> None:
    """Forget the model under `key`: the next held() builds it afresh from its config."""
    st.session_state.pop(key, None)
