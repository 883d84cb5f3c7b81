"""The five lessons, in course order. Their titles and summaries live in the catalog
under `lesson.<id>.title` and `lesson.<id>.summary`."""

LESSONS = ("perceptron", "graph", "layers", "optimizers", "mnist")


def lesson_key(lesson: str, field: str) -> str:
    """The catalog key of a lesson's `field` ('title' or 'summary')."""
    return f"lesson.{lesson}.{field}"
