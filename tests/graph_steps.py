"""Reading the steps a backward pass recorded, for the graph tests (autograd, lessons)."""

from __future__ import annotations


def edge_into(steps, target_label: str, source_label: str):
    """The edge source -> target recorded by a backward pass."""
    for step in steps:
        for edge in step.edges:
            if edge.target.label == target_label and edge.source.label == source_label:
                return edge
    raise AssertionError(f"no edge {source_label!r} -> {target_label!r} in the steps")
