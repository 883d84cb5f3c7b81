"""The home page's glossary (한영 용어표): the lecture notes' Korean terms beside the English
ones, one term per concept, as every page uses them.

Each term is a catalog key `term.<id>`: the Korean catalog holds the Korean term, the English
one the English term, so both columns come from the catalogs whatever the page's language.
A term also names the lesson where it is first taught.
"""

from __future__ import annotations

from ui.i18n import LANGS, t, tr
from ui.lessons import LESSONS, lesson_key

# (term id, the lesson that first teaches it), in the order a learner meets them
TERMS = (
    ("neuron", "perceptron"), ("weight", "perceptron"), ("bias", "perceptron"),
    ("activation", "perceptron"), ("layer", "perceptron"), ("hidden_layer", "perceptron"),
    ("class", "perceptron"),
    ("forward", "graph"), ("backward", "graph"), ("graph", "graph"), ("node", "graph"),
    ("edge", "graph"), ("gradient", "graph"), ("upstream", "graph"), ("local", "graph"),
    ("downstream", "graph"), ("backprop", "graph"),
    ("shape", "layers"), ("softmax", "layers"), ("loss", "layers"),
    ("cross_entropy", "layers"), ("mse", "layers"), ("jacobian", "layers"),
    ("parameter", "optimizers"), ("learning_rate", "optimizers"), ("optimizer", "optimizers"),
    ("step", "optimizers"), ("diverge", "optimizers"),
    ("batch", "mnist"), ("minibatch", "mnist"), ("epoch", "mnist"), ("heatmap", "mnist"),
)


def term_key(term: str) -> str:
    return f"term.{term}"


def glossary_rows() -> list[dict[str, str]]:
    """One row per term: its Korean and English names and the lesson that teaches it."""
    columns = [t(f"home.glossary.col_{lang}") for lang in LANGS]
    where = t("home.glossary.col_lesson")
    rows = []
    for term, lesson in TERMS:
        row = {column: tr(lang, term_key(term))
               for column, lang in zip(columns, LANGS, strict=True)}
        number = LESSONS.index(lesson) + 1
        # st.table reads cells as Markdown: "1. " would start a numbered list
        row[where] = f"{number}\\. {t(lesson_key(lesson, 'title'))}"
        rows.append(row)
    return rows
