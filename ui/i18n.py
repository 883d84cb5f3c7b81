"""One catalog for every string a learner reads: ui/locales/ko/*.json and en/*.json.

Each language's catalog is split by area (common.json, then one file per lesson, named
after its keys' first part), so that a lesson's text sits in a file of its own; the files
are merged into one flat {key: text} dict, and a key found in two files is an error.

The language comes from `?lang=ko|en`, else the browser's locale
(`st.context.locale`), else Korean. The shell calls `init_language()` once per
run; pages call `t(key, **kwargs)`. A key missing from the catalog raises
`MissingKeyError` (never shows the bare key), so tests catch it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import streamlit as st

LOCALES_DIR = Path(__file__).parent / "locales"
LANGS = ("ko", "en")
DEFAULT_LANG = "ko"
QUERY_PARAM = "lang"
STATE_KEY = "ui_lang"  # session_state key, shared with the sidebar's language switch


class MissingKeyError(KeyError):
    """A catalog has no string for this key."""


@cache
def load_catalog(lang: str) -> dict[str, str]:
    """The flat {key: text} catalog of `lang`, read once per process."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGS)}")
    catalog: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / lang).glob("*.json")):
        with open(path, encoding="utf-8") as f:
            part = json.load(f)
        twice = sorted(set(part) & set(catalog))
        if twice:
            raise ValueError(f"{path}: keys already in another file of {lang}: {twice[:5]}")
        catalog.update(part)
    return catalog


def lang_from_tag(tag: str | None) -> str | None:
    """'ko' or 'en' for a language tag such as 'ko', 'en-US' or 'ko_KR'; None otherwise."""
    if not tag:
        return None
    primary = str(tag).replace("_", "-").split("-", 1)[0].strip().lower()
    return primary if primary in LANGS else None


def resolve_lang(query_lang: str | None, browser_locale: str | None) -> str:
    """?lang= when it names a known language, else the browser locale, else Korean."""
    return lang_from_tag(query_lang) or lang_from_tag(browser_locale) or DEFAULT_LANG


def tr(lang: str, key: str, **kwargs) -> str:
    """The text for `key` in `lang`, with `{name}` placeholders filled from kwargs."""
    try:
        text = load_catalog(lang)[key]
    except KeyError:
        raise MissingKeyError(f"no key {key!r} in ui/locales/{lang}/") from None
    return text.format(**kwargs) if kwargs else text


def init_language() -> str:
    """Decide this run's language and keep it in session state and in ?lang=.

    An explicit ?lang= wins (a shared link, or the sidebar switch, which writes
    it); then the language this session already had; then the browser locale.
    """
    lang = lang_from_tag(st.query_params.get(QUERY_PARAM))
    if lang is None:
        lang = st.session_state.get(STATE_KEY)
    if lang not in LANGS:
        lang = resolve_lang(None, st.context.locale)
    st.session_state[STATE_KEY] = lang
    if st.query_params.get(QUERY_PARAM) != lang:
        st.query_params[QUERY_PARAM] = lang
    return lang


def current_lang() -> str:
    """The language of this run (resolved afresh when the shell has not run yet)."""
    lang = st.session_state.get(STATE_KEY)
    if lang in LANGS:
        return lang
    return resolve_lang(st.query_params.get(QUERY_PARAM), st.context.locale)


def t(key: str, **kwargs) -> str:
    """The text for `key` in the current language; a missing key raises MissingKeyError."""
    return tr(current_lang(), key, **kwargs)
