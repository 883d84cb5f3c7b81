"""Shareable page state: the settings that matter for teaching live in the URL.

A page declares its settings once, bounds included, and binds each to its widget:

    W1 = FloatParam("perceptron", "w1", 0.5, -3.0, 3.0)
    GATE = ChoiceParam("perceptron", "gate", "AND", choices=("AND", "NAND", "OR"))
    load_params([W1, GATE])        # before the widgets: ?w1= seeds the widget's state
    W1.slider(t("..."), step=0.1)  # min, max and key come from the Param
    GATE.widget("radio", t("..."), horizontal=True)
    save_params([W1, GATE])        # after the widgets: the URL follows the widgets
    W1.value()                     # the current value, as a float

Inside a section run as a fragment, the section saves its own params after its widgets,
so the URL follows a control that reran only that section.

A value in the URL is read when the widget has no state yet: on the first run
of a shared link, or after the learner comes back from another page (Streamlit
drops the state of widgets it did not draw; a shadow copy restores it). A value
that cannot be used (not a number, out of range, unknown choice) is ignored
with a notice, never an exception; a page shows all of its notices as one (show_notices).
Widgets are keyed by
`state_key` ('<page>.<name>'), so two pages can both have an 'lr' without
sharing it, while the URL keeps the short name.

A class link can lock controls: `?lock=w1,gate` draws those widgets disabled (shown, not
changeable), and keeps their values while the lock holds, so a preset button cannot move
them either. The page's "show everything" switch (ui/sections.py) drops the lock.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from ui.i18n import t
from ui.messages import code_span, error_text

CHOICE_WIDGETS = ("radio", "selectbox", "segmented_control", "pills", "select_slider")
_SHADOW = "_param_shadow."  # session_state prefix: survives pages that do not draw the widget
_LOCKED = "_param_locked."  # session_state prefix: a locked control's value, kept
LOCK_PARAM = "lock"  # ?lock=w1,gate: those controls are shown but cannot be changed
# A view that shows a whole lesson whatever the link asks (the printable handout,
# ?handout=1): no section filter, no presenter, no locks.
FULL_VIEW_PARAMS = ("handout",)
LIST_LIMIT = 500  # characters of a ?show= or ?lock= list that are read at all
_DEFAULT_TEXT: dict[str, str] = {}  # state_key -> the default as the URL writes it


def default_text(state_key: str) -> str | None:
    """The default of the param '<page>.<name>' as the URL writes it, once its page has run
    in this process (the class link leaves settings at their default out of the link)."""
    return _DEFAULT_TEXT.get(state_key)
NOTICE_NAMES = 8  # names listed in the one-line notice; the rest are counted


class Notice(str):
    """A notice's text that knows which setting of the link it is about (`name`)."""

    name: str

    def __new__(cls, text: str, name: str) -> Notice:
        notice = super().__new__(cls, text)
        notice.name = name
        return notice


def full_view() -> bool:
    """True when this run shows the whole lesson, whatever ?show=, ?present= or ?lock= say."""
    return any((st.query_params.get(name) or "").strip().lower() in ("1", "true", "on", "yes")
               for name in FULL_VIEW_PARAMS)


def link_list(name: str) -> list[str]:
    """The ids in ?<name>=a,b,c, in order, without blanks or repeats ([] when too long)."""
    raw = st.query_params.get(name) or ""
    if len(raw) > LIST_LIMIT:
        return []
    return list(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))


def locked_names() -> frozenset[str]:
    """The names of the controls this run draws disabled (?lock=)."""
    return frozenset() if full_view() else frozenset(link_list(LOCK_PARAM))


def unlock_all() -> None:
    """Forget the kept values of locked controls (the lock is gone from the URL)."""
    for key in [k for k in st.session_state if str(k).startswith(_LOCKED)]:
        del st.session_state[key]


@dataclass(frozen=True)
class Param:
    page: str
    name: str
    default: object

    @property
    def state_key(self) -> str:
        return f"{self.page}.{self.name}"

    def parse(self, raw: str):
        """The value for a URL string; ValueError with a reason when it cannot be used."""
        raise NotImplementedError

    def format(self, value) -> str:
        return str(value)

    def value(self):
        """The widget's current value (its default before load_params has run)."""
        return st.session_state.get(self.state_key, self.default)

    @property
    def locked(self) -> bool:
        return self.name in locked_names()

    def widget_args(self, **kw) -> dict:
        """Keyword arguments for this param's widget (the helpers below use it; a page that
        draws the widget itself passes them on): a locked control is disabled, and its value
        is put back to the one it had when the lock first held."""
        if self.locked:
            kept = st.session_state.setdefault(_LOCKED + self.state_key,
                                               st.session_state.get(self.state_key, self.default))
            st.session_state[self.state_key] = kept
            kw["disabled"] = True
        return kw


def _where(where):
    """The container a widget goes in: a column or sidebar, else the page."""
    return st if where is None else where


@dataclass(frozen=True)
class _Ranged(Param):
    """A number with bounds; the widget gets them from here, never typed a second time."""

    def slider(self, label: str, *, step=None, where=None, **kw):
        return _where(where).slider(label, min_value=self.lo, max_value=self.hi, step=step,
                                    key=self.state_key, **self.widget_args(**kw))

    def number_input(self, label: str, *, step=None, where=None, **kw):
        return _where(where).number_input(label, min_value=self.lo, max_value=self.hi, step=step,
                                          key=self.state_key, **self.widget_args(**kw))


@dataclass(frozen=True)
class FloatParam(_Ranged):
    lo: float = -math.inf
    hi: float = math.inf
    digits: int = 4

    def parse(self, raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(t("params.not_number")) from None
        if not math.isfinite(value):
            raise ValueError(t("params.not_number"))
        if not self.lo <= value <= self.hi:
            raise ValueError(t("params.out_of_range", lo=self.lo, hi=self.hi))
        return value

    def format(self, value) -> str:
        return f"{float(value):.{self.digits}g}"

    def value(self) -> float:
        return float(super().value())


@dataclass(frozen=True)
class IntParam(_Ranged):
    lo: int = 0
    hi: int = 2**31

    def value(self) -> int:
        return int(super().value())

    def parse(self, raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(t("params.not_integer")) from None
        if not self.lo <= value <= self.hi:
            raise ValueError(t("params.out_of_range", lo=self.lo, hi=self.hi))
        return value


@dataclass(frozen=True)
class ChoiceParam(Param):
    choices: tuple = ()

    def parse(self, raw: str):
        for choice in self.choices:
            if raw == str(choice):
                return choice
        raise ValueError(t("params.not_a_choice", choices=", ".join(map(str, self.choices))))

    def widget(self, kind: str, label: str, *, where=None, **kw):
        """The choices as a 'radio', 'selectbox', 'segmented_control', 'pills' or
        'select_slider', keyed to this param."""
        if kind not in CHOICE_WIDGETS:
            raise ValueError(f"kind must be one of {', '.join(CHOICE_WIDGETS)}, got {kind!r}")
        make = getattr(_where(where), kind)
        kw = self.widget_args(**kw)
        if kind == "select_slider":
            return make(label, options=self.choices, key=self.state_key, **kw)
        return make(label, self.choices, key=self.state_key, **kw)


@dataclass(frozen=True)
class BoolParam(Param):
    """On or off: '1' or '0' in the URL, a toggle or checkbox on the page."""

    def parse(self, raw: str) -> bool:
        if raw in ("0", "1"):
            return raw == "1"
        raise ValueError(t("params.not_a_choice", choices="0, 1"))

    def format(self, value) -> str:
        return "1" if value else "0"

    def value(self) -> bool:
        return bool(super().value())

    def widget(self, kind: str, label: str, *, where=None, **kw):
        """A 'toggle' or 'checkbox' keyed to this param."""
        if kind not in ("toggle", "checkbox"):
            raise ValueError(f"kind must be 'toggle' or 'checkbox', got {kind!r}")
        make = getattr(_where(where), kind)
        return make(label, key=self.state_key, **self.widget_args(**kw))


@dataclass(frozen=True)
class TextParam(Param):
    """A value with its own text form (a learner's drawn points): `decode` checks a URL's text
    and raises ValueError with a code (engine.backend.InputError) for one it cannot use;
    `limit` caps the text's length before decode sees it. The URL keeps the text itself;
    an empty text is the default and stays out of the URL."""

    decode: Callable[[str], object] | None = None
    limit: int = 2000

    def parse(self, raw: str) -> str:
        if len(raw) > self.limit:
            raise ValueError(t("params.too_long", limit=self.limit))
        if raw and self.decode is not None:
            try:
                self.decode(raw)
            except ValueError as err:
                raise ValueError(error_text(err)) from None
        return raw


def load_params(params: list[Param]) -> list[str]:
    """Give each widget without state a value: the URL's, else the last one, else the default.

    Returns the notices (Notice) for URL values that were ignored; the page shows them.
    """
    notices = []
    for p in params:
        _DEFAULT_TEXT[p.state_key] = p.format(p.default)
        if p.state_key in st.session_state:
            continue
        value = st.session_state.get(_SHADOW + p.state_key, p.default)
        raw = st.query_params.get(p.name)
        if raw is not None:
            try:
                value = p.parse(raw)
            except ValueError as err:
                notices.append(Notice(t("params.ignored", name=p.name,
                                        value=code_span(raw, 40), reason=err), p.name))
        st.session_state[p.state_key] = value
    return notices


def save_params(params: list[Param]) -> None:
    """Mirror the widgets' current values into the URL."""
    for p in params:
        if p.state_key in st.session_state:
            value = st.session_state[p.state_key]
            st.session_state[_SHADOW + p.state_key] = value
            text = p.format(value)
            if isinstance(p, TextParam) and not text:  # nothing drawn: nothing to carry
                st.query_params.pop(p.name, None)
                continue
            if st.query_params.get(p.name) != text:
                st.query_params[p.name] = text


def show_notices(notices: list[str]) -> None:
    """All of a page's notices as one: a line that counts and names the settings of the link
    that were ignored, and each notice in full in an expander below it."""
    notices = list(dict.fromkeys(notices))  # a page may load a param twice
    if not notices:
        return
    names = list(dict.fromkeys(getattr(n, "name", "?") for n in notices))
    shown = ", ".join(code_span(name, 20) for name in names[:NOTICE_NAMES])
    if len(names) > NOTICE_NAMES:
        shown += " " + t("classlink.notice.more", n=len(names) - NOTICE_NAMES)
    st.warning(t("classlink.notice.summary", count=len(notices), names=shown),
               icon=":material/link_off:")
    with st.expander(t("classlink.notice.details")):
        for notice in notices:
            st.markdown(notice)
