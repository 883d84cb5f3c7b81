"""Which of a lesson's sections a run shows: all of them, the ones a class link names, or one at
a time in the presenter view.

Each lesson declares its sections here, in page order: a short id that links use, the catalog
key of its header, and the names of the URL settings its controls keep. The class link
builder (ui/class_link.py) reads this without running any page. A page runs its sections
through the view:

    view = open_sections(PAGE, load_params(PARAMS))  # the one notice, and the bars
    view.run({"neuron": perceptron_section, "no_line": no_line_section, ...})

or, for a page written as one script, one `if` per section (the view draws the header):

    if view.begin("check"):
        ...

The URL decides, read afresh on every run:
* `?show=gate,xor` shows those sections only, with a "show everything" switch above them that
  drops the filter (and `?lock=`, ui/params.py) from the URL;
* `?present=1` shows one section at a time, in slide mode, with Previous/Next buttons (the
  arrow keys too) and "3 / 8"; `&s=3` says which, so a reload stays on it;
* `?handout=1` (FULL_VIEW_PARAMS in ui/params.py) shows every section, whatever the rest says.
Ids the lesson does not have are ignored with the page's one notice, like any bad setting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import streamlit as st

from lessons import mnist as lm
from lessons import playground as lp
from lessons.layers import WORKED_LOGITS
from lessons.optimizers import MNIST_LRS
from ui.i18n import t
from ui.messages import code_span
from ui.params import (
    LIST_LIMIT,
    LOCK_PARAM,
    Notice,
    full_view,
    link_list,
    show_notices,
    unlock_all,
)
from ui.settings import SLIDES_PARAM

SHOW_PARAM = "show"
PRESENT_PARAM = "present"
SLIDE_PARAM = "s"
LINK_PARAMS = (SHOW_PARAM, LOCK_PARAM, PRESENT_PARAM, SLIDE_PARAM)  # what a class link adds
PREVIOUS_KEY, NEXT_KEY = "Left", "Right"  # st.button shortcuts: the arrow keys


@dataclass(frozen=True)
class Section:
    id: str  # what ?show= and the builder use; never changes
    title: str  # catalog key of the section's header
    params: tuple[str, ...] = ()  # the URL names of the settings its controls keep
    # those among them that no single control holds (a step counter moved by buttons, a
    # count changed by + and -, drawn points): kept in the link, never locked
    fixed: tuple[str, ...] = ()


def _names(prefix: str, items) -> tuple[str, ...]:
    return tuple(f"{prefix}{item}" for item in items)


_CAFE = ("machine", "table", "chair", "cup")
LESSON_SECTIONS: dict[str, tuple[Section, ...]] = {
    "perceptron": (
        Section("neuron", "perceptron.s1.header", ("w1", "w2", "b", "gate")),
        Section("no_line", "perceptron.s2.header"),
        Section("gates", "perceptron.s3.header"),
        Section("xor", "perceptron.s4.header", ("xor_h", "xor_lr", "xor_seed")),
        Section("spiral", "perceptron.s5.header", ("spiral_h", "spiral_lr")),
    ),
    "graph": (
        Section("cafe", "graph.cafe.header",
                (*(name for item in _CAFE for name in (f"{item}s", f"{item}_price")), "tax")),
        Section("nodes", "graph.nodes.header", ("nx", "ny", "nup")),
        Section("chain", "graph.chain.header", ("cx", "cy")),
        Section("backward", "graph.backward.header", ("cafe_step",), fixed=("cafe_step",)),
        Section("sigmoid", "graph.sigmoid.header", ("sx", "sig_step"), fixed=("sig_step",)),
        Section("softmax", "graph.ce.header", ("a1", "a2", "a3", "target", "ce_step"),
                fixed=("ce_step",)),
        Section("types", "graph.types.header", ("rep_n", "sum_n", "mm_n", "mm_d", "mm_h")),
        Section("expr", "graph.expr.header", ("expr", "ex", "ey", "expr_step"),
                fixed=("expr_step",)),
    ),
    "layers": (
        Section("sizes", "classlink.section.layers_sizes", ("N", "D", "H", "seed")),
        Section("affine", "layers.tab.affine"),
        Section("chain", "layers.tab.chain", ("chain_act", "step")),
        Section("activations", "layers.tab.activations", ("act",)),
        Section("loss", "layers.tab.loss",
                (*_names("a", range(len(WORKED_LOGITS))), "target")),
        Section("precision", "layers.tab.precision"),
        Section("broadcast", "layers.tab.broadcast", ("bcase", "bop")),
        Section("check", "layers.tab.check", ("check",)),
    ),
    "optimizers": (
        Section("batch", "optimizers.s1.header", ("batch_lr",)),
        Section("rules", "optimizers.s2.header"),
        Section("race", "optimizers.s3.header",
                ("surface", "lr_scale", "momentum", "beta1", "beta2", "steps", "x0", "y0")),
        Section("mnist", "optimizers.s4.header",
                _names("mnist_lr_", (name.lower() for name in MNIST_LRS))),
    ),
    "mnist": (
        Section("check", "mnist.s1.header"),
        Section("data", "mnist.s2.header", ("samples", "index")),
        Section("code", "mnist.s3.header"),
        Section("settings", "mnist.s6.header",
                ("layers", *_names("h", range(1, lm.MAX_LAYERS + 1)), "act", "init", "opt",
                 "lr", "batch", "epochs", "seed", "backend")),
        Section("training", "mnist.s7.header", ("digit",)),
        Section("draw", "mnist.draw.header"),
    ),
    "playground": (
        Section("lab", "classlink.section.playground_lab",
                ("data", "noise", "train", *lp.FEATURES, "layers",
                 *_names("n", range(1, lp.MAX_LAYERS + 1)), "act", "reg", "rate", "dropout",
                 "lr", "batch", "opt", "seed", "test", "discrete", "backprop", "pts"),
                fixed=("layers", *_names("n", range(1, lp.MAX_LAYERS + 1)), "pts")),
        Section("beyond", "playground.beyond.header"),
    ),
}


def sections_of(lesson: str) -> tuple[Section, ...]:
    """The lesson's sections in page order (none for a page that is not a lesson)."""
    return LESSON_SECTIONS.get(lesson, ())


def section_title(section: Section) -> str:
    """The section's header, in the language of this run."""
    return t(section.title)


def lesson_params(lesson: str) -> tuple[str, ...]:
    """The URL names of every setting the lesson keeps, in page order."""
    return tuple(name for s in sections_of(lesson) for name in s.params)


def lockable(section: Section) -> tuple[str, ...]:
    """The settings of the section that a link can lock: each is one control."""
    return tuple(name for name in section.params if name not in section.fixed)


def lesson_lockable(lesson: str) -> tuple[str, ...]:
    return tuple(name for s in sections_of(lesson) for name in lockable(s))


@dataclass(frozen=True)
class Plan:
    """What a run of a lesson shows, read from its URL."""

    lesson: str
    ids: tuple[str, ...]  # the sections shown, in page order
    selected: tuple[str, ...]  # the sections the link chose (all of them without ?show=)
    presenting: bool
    index: int  # presenter view: which of `selected`, from 1
    locked: tuple[str, ...]  # the lesson's controls the link locks
    notices: list[str] = field(default_factory=list)  # the link's ids this lesson lacks

    @property
    def filtered(self) -> bool:
        return len(self.selected) < len(sections_of(self.lesson))


def _ignored(name: str, raw: str, reason: str) -> Notice:
    return Notice(t("classlink.ignored", name=name, value=code_span(raw, 40), reason=reason),
                  name)


def _known(name: str, ids: list[str], known: tuple[str, ...], notices: list) -> list[str]:
    """The ids among `known`; a notice for each other one."""
    raw = st.query_params.get(name) or ""
    if len(raw) > LIST_LIMIT:
        notices.append(_ignored(name, raw, t("params.too_long", limit=LIST_LIMIT)))
    for raw in ids:
        if raw not in known:
            notices.append(_ignored(name, raw, t("classlink.unknown_id",
                                                 known=", ".join(code_span(k, 20) for k in known))))
    return [i for i in ids if i in known]


def plan_for(lesson: str) -> Plan:
    """The sections this run of `lesson` shows, and the notices for what the link got wrong."""
    all_ids = tuple(s.id for s in sections_of(lesson))
    if full_view():
        return Plan(lesson, all_ids, all_ids, False, 1, ())
    notices: list[str] = []
    chosen = set(_known(SHOW_PARAM, link_list(SHOW_PARAM), all_ids, notices))
    selected = tuple(i for i in all_ids if i in chosen) or all_ids
    locked = tuple(_known(LOCK_PARAM, link_list(LOCK_PARAM), lesson_lockable(lesson), notices))
    raw_present = st.query_params.get(PRESENT_PARAM)
    presenting = raw_present == "1"
    if raw_present not in (None, "0", "1"):
        notices.append(_ignored(PRESENT_PARAM, raw_present, t("params.not_a_choice",
                                                              choices="0, 1")))
    index = 1
    raw_index = st.query_params.get(SLIDE_PARAM)
    if presenting and raw_index is not None:
        try:
            index = int(raw_index)
        except ValueError:
            index = 0
        if not 1 <= index <= len(selected):
            notices.append(_ignored(SLIDE_PARAM, raw_index, t(
                "params.out_of_range", lo=1, hi=len(selected))))
            index = 1
    ids = (selected[index - 1],) if presenting and selected else selected
    return Plan(lesson, ids, selected, presenting, index, locked, notices)


def section_on(lesson: str, section_id: str) -> bool:
    """Whether this run shows the section (for a callback that reruns fragments by key: a
    fragment that is not drawn cannot be named)."""
    return section_id in plan_for(lesson).ids


def init_present() -> None:
    """Called by the shell before it reads slide mode: the presenter view is in slide mode."""
    if st.query_params.get(PRESENT_PARAM) == "1" and not full_view():
        st.query_params[SLIDES_PARAM] = "1"


def _show_everything() -> None:
    """The switch's callback: the whole lesson, every control free, for this session."""
    for name in LINK_PARAMS:
        st.query_params.pop(name, None)
    unlock_all()


def _leave_presenter() -> None:
    for name in (PRESENT_PARAM, SLIDE_PARAM):
        st.query_params.pop(name, None)


def _go(index: int) -> None:
    st.query_params[SLIDE_PARAM] = str(index)


class SectionView:
    """One run's view of a lesson: which sections it shows, and the bars above them."""

    def __init__(self, lesson: str, plan: Plan) -> None:
        self.lesson, self.plan = lesson, plan
        self._declared = tuple(s.id for s in sections_of(lesson))
        self._sections = {s.id: s for s in sections_of(lesson)}
        self._next = 0  # begin() checks that the page asks in the declared order

    def on(self, section_id: str) -> bool:
        """Whether this run shows the section."""
        if section_id not in self._declared:
            raise KeyError(f"{self.lesson} declares no section {section_id!r} in ui/sections.py")
        return section_id in self.plan.ids

    def begin(self, section_id: str) -> bool:
        """For a page written as one script: True when the section is shown, after drawing
        its header. Sections must be asked for in the declared order."""
        position = self._declared.index(section_id) if section_id in self._declared else -1
        if position < self._next:
            raise KeyError(f"{self.lesson}: section {section_id!r} is unknown or out of order")
        self._next = position + 1
        if not self.on(section_id):
            return False
        st.header(section_title(self._sections[section_id]))
        return True

    def run(self, sections: dict[str, Callable[[], object]]) -> None:
        """Run the shown sections, in the declared order. `sections` maps every declared id
        to its function (usually an st.fragment)."""
        if tuple(sections) != self._declared:
            raise KeyError(f"{self.lesson}: sections {tuple(sections)} differ from the declared "
                           f"{self._declared} (ui/sections.py)")
        for section_id, render in sections.items():
            if self.on(section_id):
                render()


def open_sections(lesson: str, notices: list[str] = ()) -> SectionView:
    """The view of this run of `lesson`: shows the page's one notice (its own `notices` from
    load_params and the link's unknown ids), then the "show everything" bar or the presenter
    bar. A full view (ui/params.py FULL_VIEW_PARAMS: the handout) shows every section."""
    plan = plan_for(lesson)
    show_notices([*plan.notices, *notices])
    if plan.presenting:
        _presenter_bar(plan)
    elif plan.filtered or plan.locked:
        _filter_bar(plan)
    return SectionView(lesson, plan)


def _filter_bar(plan: Plan) -> None:
    with st.container(border=True, key="classlink-filter"):
        text, button = st.columns([3, 1], vertical_alignment="center")
        text.markdown(t("classlink.filtered", shown=len(plan.selected),
                        total=len(sections_of(plan.lesson)), locked=len(plan.locked)))
        button.button(t("classlink.show_all"), key="classlink.show_all",
                      icon=":material/unfold_more:", on_click=_show_everything,
                      width="stretch", help=t("classlink.show_all_help"))


def _presenter_bar(plan: Plan) -> None:
    count, index = len(plan.selected), plan.index
    title = section_title(next(s for s in sections_of(plan.lesson) if s.id == plan.ids[0]))
    with st.container(border=True, key="classlink-presenter"):
        back, where, ahead, leave = st.columns([1, 3, 1, 1], vertical_alignment="center")
        back.button(t("classlink.previous"), key="classlink.previous", on_click=_go,
                    args=(index - 1,), disabled=index <= 1, icon=":material/arrow_back:",
                    shortcut=PREVIOUS_KEY, width="stretch")
        where.markdown(t("classlink.position", index=index, count=count, title=title))
        ahead.button(t("classlink.next"), key="classlink.next", on_click=_go,
                     args=(index + 1,), disabled=index >= count, icon=":material/arrow_forward:",
                     shortcut=NEXT_KEY, width="stretch")
        leave.button(t("classlink.leave"), key="classlink.leave", on_click=_leave_presenter,
                     icon=":material/close_fullscreen:", width="stretch")
        if plan.filtered or plan.locked:
            st.button(t("classlink.show_all"), key="classlink.show_all",
                      icon=":material/unfold_more:", on_click=_show_everything,
                      help=t("classlink.show_all_help"))
