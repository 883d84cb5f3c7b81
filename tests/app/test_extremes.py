"""Every lesson with every numeric setting at its maximum, then at its minimum, in both
languages: the page runs without an exception. The largest network a learner may choose
(MNIST's 784-256-256-256-10, once raised KeyError in the weight chain) is among them.

The settings are discovered as tests/app/test_bad_input.py does: the Params a page loads.
Choices that are numbers count as numeric settings (their smallest and largest choice).
"""

from __future__ import annotations

import math
from numbers import Real

import pytest

from tests.app.test_bad_input import PAGES, assert_page_works, discover, open_page
from ui.i18n import LANGS
from ui.params import ChoiceParam, FloatParam, IntParam, Param


def extreme(p: Param, end: str) -> str | None:
    """The URL text of p's smallest (end='min') or largest ('max') value; None when p is
    not numeric."""
    pick = min if end == "min" else max
    if isinstance(p, IntParam | FloatParam):
        value = p.lo if end == "min" else p.hi
        assert math.isfinite(value), f"{p.name} has no finite {end}"
        return str(value)
    if isinstance(p, ChoiceParam) and all(isinstance(c, Real) and not isinstance(c, bool)
                                          for c in p.choices):
        return str(pick(p.choices))
    return None


@pytest.mark.timeout(300)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("end", ["max", "min"])
@pytest.mark.parametrize("page", PAGES)
def test_every_numeric_setting_at_its_extreme(page, end, lang):
    found = discover(page)
    query = {name: text for name, p in found.params.items()
             if (text := extreme(p, end)) is not None}
    assert query, f"{page} has no numeric setting"
    at = open_page(page, lang, **query)
    assert_page_works(at, page, lang)
    assert not at.error, [e.value for e in at.error]
    for name, text in query.items():  # each extreme was taken, not refused
        used = float(at.session_state[found.params[name].state_key])
        if name.endswith("step"):  # a backward stepper stops at its graph's last node
            assert 0 <= used <= float(text), name
        else:
            assert used == float(text), name

def test_the_largest_mnist_network_is_the_one_built():
    at = open_page("mnist", "en", layers="3", h1="256", h2="256", h3="256")
    assert_page_works(at, "mnist", "en")
    network = at.session_state["mnist.model"].model.trainer.network
    assert network.hidden_size_list == [256, 256, 256]
