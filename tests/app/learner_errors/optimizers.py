"""Errors of the optimizers lesson (lessons.optimizers), each raised as a caller would.

None of them is reachable from the page today: its widgets and links are bounded to values
the lesson accepts (tests/app/test_optimizers_page.py drives the extremes on a Korean page).
The lesson still says each in the learner's language, for a page or notebook that passes
its own values.
"""

from lessons import optimizers as lo


def _steps() -> None:
    lo.race(lo.SURFACES["bowl"], {}, (0.0, 0.0), steps=-1)


def _start() -> None:
    lo.race(lo.SURFACES["bowl"], {}, (float("nan"), 1.0), steps=1)


def _surface() -> None:
    lo.Race.build(lo.RaceConfig("moon"))


def _unknown() -> None:
    lo.make_optimizer("Lion", 0.1)


def _lr() -> None:
    lo.make_optimizer("Adam", 0.0)


def _setting() -> None:
    lo.make_optimizer("Momentum", 0.1, momentum=1.0)


CASES = {"optimizers_steps": _steps, "optimizers_start": _start,
         "optimizers_surface": _surface, "optimizers_unknown": _unknown,
         "optimizers_lr": _lr, "optimizers_setting": _setting}
