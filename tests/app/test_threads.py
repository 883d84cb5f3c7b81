"""Code that many learners' threads run at once. CPython 3.11's ast module is not safe to
use from two threads at the same moment (python/cpython#106905): the load test with 20
learners once got "SystemError: AST constructor recursion depth mismatch" from 'show the
code'. Every ast.parse of ours must hold lessons.expression.AST_LOCK."""

from __future__ import annotations

import ast
import gc
import threading
import weakref

import numpy as np

from engine.layers import Affine, SoftmaxWithLoss
from lessons import expression as ex
from ui.code import _source, source_of


def test_every_parse_of_ours_holds_the_lock(monkeypatch):
    held = []
    real = ast.parse

    def checked(*args, **kwargs):
        held.append(ex.AST_LOCK.locked())
        return real(*args, **kwargs)

    monkeypatch.setattr(ast, "parse", checked)
    ex.parse("x*y + exp(x)", x=1.0, y=2.0)
    _source.cache_clear()
    source_of(Affine)
    source_of(SoftmaxWithLoss.backward)
    assert len(held) >= 2 and all(held)  # a class is found by parsing its module


def test_sources_are_read_once_and_shared():
    _source.cache_clear()
    first = source_of(Affine)
    assert source_of(Affine) is first
    assert first[0] == "engine/layers.py · Affine" and "class Affine" in first[1]


def test_a_source_is_captioned_with_the_file_it_lives_in():
    """Lesson code is not the engine's: its caption names lessons/, where a learner finds it."""
    from lessons.graph import cafe_graph

    where, source = source_of(cafe_graph)
    assert where == "lessons/graph.py · cafe_graph" and "def cafe_graph" in source
    assert source_of(ex.parse)[0] == "lessons/expression.py · parse"


def test_many_threads_parse_and_read_sources_at_once():
    errors = []

    def work(i):
        try:
            for k in range(20):
                graph = ex.parse(f"x*y + exp(x) + {i + k}*tanh(y)", x=1.0, y=2.0)
                assert graph.output.value is not None
                source_of(Affine if k % 2 else SoftmaxWithLoss)
        except Exception as err:  # collected and reported below
            errors.append(repr(err))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert errors == []


def test_a_bound_method_is_cached_by_its_function_not_its_object():
    layer = Affine(np.ones((2, 2)), np.zeros(2))
    ref = weakref.ref(layer)
    assert source_of(layer.backward) == source_of(Affine.backward)
    del layer
    gc.collect()
    assert ref() is None  # the cache does not keep the layer alive
