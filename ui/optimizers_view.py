"""What the optimizers lesson shows beyond its URL settings, for app_pages/optimizers.py:

    rules()                 # section 2: the summary table beside lecture notes 004's, the
                            # names the formulas use, then each rule with its formula and code
    race_map(race)          # section 3: the paths over the contours, a live chart
    race_loss(race)         # section 3: f along each path, a live chart
    mnist_settings(race)    # section 4: the settings the MNIST race runs with, read from it
    mnist_loss(race, curves)  # section 4: the smoothed loss of each optimizer, a live chart

Every number comes from lessons.optimizers, every figure from viz.optimizers; the formulas
use the code's names (p, g, v, h, m). The live charts (ui.live_chart) take only what changed
on each tick: the paths and the curves their new points, the markers their new places.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.optimizers import OPTIMIZERS
from lessons import optimizers as lo
from ui.code import show_code
from ui.export import show_table
from ui.i18n import t
from ui.live_chart import live_chart
from viz import optimizers as vz

RACE_HEIGHT, CURVE_HEIGHT = 520, 320  # px
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
    show_table(pd.DataFrame([{
        t("optimizers.s2.col_k"): r.k, t("optimizers.s2.col_p"): _pair(r.p),
        t("optimizers.s2.col_tilde"): _pair(r.tilde_p),
        t("optimizers.s2.col_ahead"): _pair(r.lookahead)} for r in rows]),
        "optimizers-nesterov-forms")
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


def race_map(race: lo.Race) -> None:
    """The contours (drawn once per race: its config is the chart's signature), each path
    growing by the steps revealed, each marker where its optimizer is now."""
    surface = race.surface
    labels = {"x": "x", "y": "y", "z": "log(1 + f)" if surface.log_scale else "f",
              "start": t("optimizers.s3.start"), "minimum": t("optimizers.s3.minimum"),
              "flew_off": t("optimizers.s3.flew_off")}
    args = (*race.grid, race.shown(), race.start, surface.minimum, labels)
    live_chart("optimizers.live.race", f"optimizers-race-{surface.name}",
               lambda: vz.race_figure(*args, log_scale=surface.log_scale),
               data=lambda: vz.race_data(*args, log_scale=surface.log_scale),
               version=race.k, signature=race.config, height=RACE_HEIGHT)


def race_loss(race: lo.Race) -> None:
    """f along each path, step by step, with a cross where one flew off."""
    surface = race.surface
    labels = {"x": t("optimizers.s3.step"), "y": t("optimizers.s3.loss")}
    curves, ends = race.curves(), {n: race.gone(n) for n in race.paths}
    live_chart("optimizers.live.race_loss", f"optimizers-race-{surface.name}-loss",
               lambda: vz.curves_figure(curves, labels, ends=ends,
                                        log_y=surface.name in ("bowl", "rosenbrock")),
               data=lambda: vz.curves_data(curves, ends=ends),
               version=race.k, signature=race.config, height=CURVE_HEIGHT)


def mnist_loss(race: lo.MnistRace, curves: dict) -> None:
    """curves: name -> (steps, smoothed loss), each a prefix of the next tick's (the trainer
    keeps every step of the race: lo.MNIST_CAP is below its history's limit)."""
    ends = {n: race.runs[n].diverged is not None for n in curves}
    labels = {"x": t("optimizers.s4.step"), "y": t("optimizers.s4.loss")}
    live_chart("optimizers.live.mnist", "optimizers-mnist-race-loss",
               lambda: vz.curves_figure(curves, labels, ends=ends),
               data=lambda: vz.curves_data(curves, ends=ends),
               version=tuple((r.trainer.step_count, r.diverged) for r in race.runs.values()),
               signature=race.uid, height=CURVE_HEIGHT + 60)
