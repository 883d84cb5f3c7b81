"""Where Markdown shows text literally: the code spans of a Markdown string, found the way
CommonMark finds them (written here for the tests, independently of ui.messages).

A code span opens with a run of n backticks and closes at the next run of exactly n; its
content is shown as it is, with one leading and trailing space stripped when both are
there. A backslash before a backtick outside a span escapes it. Nothing inside a span is a
link, emphasis, math or HTML, so text a learner supplied is safe there and only there.
"""

from __future__ import annotations

import re

_RUN = re.compile(r"`+")


def code_spans(markdown: str) -> list[tuple[int, int, str]]:
    """(start, end, content) of every code span: markdown[start:end] is the whole span."""
    spans, i = [], 0
    while True:
        opening = _RUN.search(markdown, i)
        if opening is None:
            return spans
        start = opening.start()
        backslashes = len(markdown[:start]) - len(markdown[:start].rstrip("\\"))
        if backslashes % 2:  # an escaped backtick: the run begins one later
            i = start + 1
            if opening.end() - start == 1:
                continue
            opening = _RUN.match(markdown, start + 1)
            start = opening.start()
        n = opening.end() - opening.start()
        closing = next((m for m in _RUN.finditer(markdown, opening.end())
                        if m.end() - m.start() == n), None)
        if closing is None:  # no closing run: the backticks are plain text
            i = opening.end()
            continue
        content = markdown[opening.end():closing.start()].replace("\n", " ")
        if len(content) > 2 and content[0] == content[-1] == " " and content.strip():
            content = content[1:-1]
        spans.append((start, closing.end(), content))
        i = closing.end()


def outside_code(markdown: str) -> str:
    """The Markdown with every code span cut out: what is rendered as Markdown."""
    kept, i = [], 0
    for start, end, _content in code_spans(markdown):
        kept.append(markdown[i:start])
        i = end
    kept.append(markdown[i:])
    return "".join(kept)
