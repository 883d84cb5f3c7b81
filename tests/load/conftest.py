"""A server of its own for the load and fault tests: one training slot (so that two
learners already queue) and a short session TTL (so that closed tabs are forgotten soon)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.e2e.server import ServerError, streamlit_server

SESSION_TTL_S = 3


@pytest.fixture(scope="module")
def server(chromium, tmp_path_factory) -> Iterator[tuple[str, int]]:
    """(url, pid) of a fresh `streamlit run` with ENGINE_TRAINING_SLOTS=1."""
    log = tmp_path_factory.mktemp("load") / "server.log"
    env = {**os.environ, "ENGINE_TRAINING_SLOTS": "1"}
    extra = ("--server.disconnectedSessionTTL", str(SESSION_TTL_S))
    try:
        with streamlit_server(log, env=env, extra_args=extra) as (url, proc):
            yield url, proc.pid
    except ServerError as err:
        pytest.fail(str(err))
