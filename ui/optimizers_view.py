"""What the optimizers lesson shows beyond its URL settings, for app_pages/optimizers.py:

    rules()                 # section 2: the summary table beside lecture notes 004's, the
                            # names the formulas use, then each rule with its formula and code
    mnist_settings(race)    # section 4: the settings the MNIST race runs with, read from it

Every number comes from lessons.optimizers; the formulas use the code's names (p, g, v, h, m).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.optimizers import OPTIMIZERS
from lessons import optimizers as lo
from ui.code import show_code
from ui.i18n import t

NESTEROV_STEPS = 4  # rows of the two-forms table after the start
# how the page writes the engine's names of an activation and a weight initialisation
SHOWN_NAMES = {"relu": "ReLU", "sigmoid": "sigmoid", "tanh": "tanh", "he": "He",
               "xavier": "Xavier"}


def _words() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Per optimizer: the idea, lecture notes 004's effect (its own words) and what that
    effect means in this page's words."""
    ideas = {"SGD": t("optimizers.s2.idea_sgd"), "Momentum": t("optimizers.s2.idea_momentum"),
             "Nesterov": t("optimizers.s2.idea_nesterov"),
             "AdaGrad": t("optimizers.s2.idea_adagrad"),
             "RMSProp": t("optimizers.s2.idea_rmsprop"), "Adam": t("optimizers.s2.idea_adam")}
    accuracy, step = t("optimizers.s2.seed_accuracy"), t("optimizers.s2.seed_step")
    seed = {"SGD": t("optimizers.s2.seed_speed"), "Momentum": accuracy, "Nesterov": accuracy,
            "AdaGrad": step, "RMSProp": step, "Adam": t("optimizers.s2.seed_both")}
    oscillation, size = t("optimizers.s2.gain_oscillation"), t("optimizers.s2.gain_step")
    gains = {"SGD": t("optimizers.s2.gain_speed"), "Momentum": oscillation,
             "Nesterov": oscillation, "AdaGrad": size, "RMSProp": size,
             "Adam": t("optimizers.s2.gain_both")}
    return ideas, seed, gains


def _pair(v: tuple[float, float]) -> str:
    return f"({v[0]:.4f}, {v[1]:.4f})"


def nesterov_forms() -> None:
    """The look-ahead form, how the code's form follows from it, and both run side by side
    on the bowl with its race settings."""
    st.markdown(t("optimizers.s2.nesterov_forms"))
    st.latex(lo.NESTEROV_LOOKAHEAD)
    st.latex(lo.NESTEROV_LINK)
    bowl = lo.SURFACES["bowl"]
    lr, alpha = lo.SURFACE_LRS["bowl"]["Nesterov"], lo.RaceConfig().momentum
    rows = lo.nesterov_two_forms(bowl, lr, alpha, bowl.start, NESTEROV_STEPS)
    st.table(pd.DataFrame([{
        t("optimizers.s2.col_k"): r.k, t("optimizers.s2.col_p"): _pair(r.p),
        t("optimizers.s2.col_tilde"): _pair(r.tilde_p),
        t("optimizers.s2.col_ahead"): _pair(r.lookahead)} for r in rows]), hide_index=True)
    st.caption(t("optimizers.s2.nesterov_table", steps=NESTEROV_STEPS, lr=lr, alpha=alpha,
                 gap=max(r.gap for r in rows)))


def rules() -> None:
    ideas, seed, gains = _words()
    st.table(pd.DataFrame({t("optimizers.s2.col_name"): list(lo.NAMES),
                           t("optimizers.s2.col_idea"): [ideas[n] for n in lo.NAMES],
                           t("optimizers.s2.col_seed"): [seed[n] for n in lo.NAMES],
                           t("optimizers.s2.col_gain"): [gains[n] for n in lo.NAMES]}),
             hide_index=True)
    st.markdown(t("optimizers.s2.seed_note"))
    st.latex(lo.NAME_MAP)
    st.caption(t("optimizers.s2.names"))
    col_seed, col_gain = t("optimizers.s2.col_seed"), t("optimizers.s2.col_gain")
    for name in lo.NAMES:
        st.subheader(name)
        st.latex(lo.UPDATE_RULES[name])
        st.markdown(f"{ideas[name]}  \n**{col_seed}:** {seed[name]} → "
                    f"**{col_gain}:** {gains[name]}")
        if name == "AdaGrad":
            st.markdown(t("optimizers.s2.adagrad_note"))
        if name == "Nesterov":
            nesterov_forms()
        show_code(OPTIMIZERS[name])


def mnist_settings(race: lo.MnistRace) -> None:
    s = race.settings()
    st.markdown(t("optimizers.s4.settings", network=s.network,
                  activation=SHOWN_NAMES.get(s.activation, s.activation),
                  init=SHOWN_NAMES.get(s.init, s.init), batch=s.batch, cap=s.cap,
                  train=f"{s.train:,}", epochs=s.epochs, seed=s.seed,
                  lrs=", ".join(f"{n} {lr:g}" for n, lr in s.lrs.items()), test=f"{s.test:,}"))
