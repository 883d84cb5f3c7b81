"""Lesson 4: optimizers. Batch, stochastic and mini-batch descent; the six update rules beside
their code; a race on 2-D loss surfaces; the same race on MNIST. Each section is a fragment;
a loop that starts or stops reruns the whole page, to set its view's timer (ui.live). The rules,
the MNIST race's settings and both races' live charts are drawn by ui.optimizers_view."""

import pandas as pd
import streamlit as st

from engine.network import MultiLayerNet
from engine.optimizers import SGD, Adam, Momentum
from engine.trainer import Trainer
from lessons import optimizers as lo
from lessons.optimizers import NAMES, SURFACES
from ui import optimizers_view as view
from ui.chart import show_chart
from ui.code import show_code
from ui.data import mnist_or_error, spiral_data
from ui.export import show_table
from ui.i18n import t
from ui.live import LiveLoop, Stop
from ui.params import ChoiceParam, FloatParam, IntParam, load_params, save_params
from ui.sections import open_sections
from ui.settings import slides_on
from ui.state import held, held_model, held_reset
from viz import optimizers as vz
from viz.common import smooth

PAGE = "optimizers"
SURFACE = ChoiceParam(PAGE, "surface", "bowl", choices=tuple(SURFACES))
LR_SCALE = ChoiceParam(PAGE, "lr_scale", 1.0, choices=lo.LR_SCALES)
MOMENTUM = FloatParam(PAGE, "momentum", 0.9, 0.0, 0.99)
BETA1 = FloatParam(PAGE, "beta1", 0.9, 0.0, 0.99)
BETA2 = FloatParam(PAGE, "beta2", 0.999, 0.9, 0.9999)
STEPS = IntParam(PAGE, "steps", 100, 5, 500)
# The start point belongs to the surface: its window bounds it, and a link or a first visit
# without x0/y0 starts where the surface suggests.
STARTS = {s.name: (FloatParam(PAGE, "x0", s.start[0], *s.x_range),
                   FloatParam(PAGE, "y0", s.start[1], *s.y_range)) for s in SURFACES.values()}
BATCH_LR = FloatParam(PAGE, "batch_lr", 1.0, 0.1, 5.0)
MNIST_LR = {name: FloatParam(PAGE, f"mnist_lr_{name.lower()}", lr, 1e-5, 10.0)
            for name, lr in lo.MNIST_LRS.items()}
RACE_PARAMS = [SURFACE, LR_SCALE, MOMENTUM, BETA1, BETA2, STEPS]  # and the surface's start

CHUNK_SECONDS = 0.3  # the most one tick may compute, all optimizers together
# One tick = one chunk + one redraw of live charts that send only what changed (ui.live_chart).
# The surface race only reveals steps it computed before: ~lo.RACE_TICKS ticks play a race.
# The MNIST race's chunk is lo.MNIST_STEPS_PER_TURN steps per optimizer (tens of ms): a
# tick every 0.2 s plays its 600 steps in about half a minute, at five redraws a second.
RACE_TICK, MNIST_TICK = 0.2, 0.2
BATCH_KEY, RACE_KEY, MNIST_KEY = (f"optimizers.{s}.model" for s in ("batch", "race", "mnist"))
ss = st.session_state


# ================================================================ 1. batch, stochastic, mini-batch

def batch_advance() -> Stop | None:
    done = held_model(BATCH_KEY).advance(CHUNK_SECONDS)
    return Stop(t("optimizers.s1.done", epochs=lo.BATCH_EPOCHS)) if done else None


def batch_draw() -> None:
    race = held_model(BATCH_KEY)
    labels = {"full": t("optimizers.s1.full", n=len(race.x)), "sgd": t("optimizers.s1.sgd"),
              "mini": t("optimizers.s1.mini", b=lo.BATCH_SIZES["mini"])}
    if all(len(r.loss) == 1 for r in race.runs.values()):  # no epoch finished yet
        st.info(t("optimizers.s1.no_loss_yet"), icon=":material/play_arrow:")
    else:
        figs = vz.batch_figures({k: (r.samples, r.updates, r.loss) for k, r in race.runs.items()},
                                {**labels, "samples": t("optimizers.s1.samples"),
                                 "updates": t("optimizers.s1.updates"),
                                 "loss": t("optimizers.s1.loss", n=len(race.x))})
        # side by side on screen; on a slide, charts of fixed 16:9 size go one under another
        cols = [st.container(), st.container()] if slides_on() else st.columns(2)
        for col, fig, axis in zip(cols, figs, ("samples", "updates"), strict=True):
            with col:
                show_chart(fig, f"optimizers-batch-loss-vs-{axis}",
                           key=f"optimizers.chart.batch_{axis[0]}", height=view.CURVE_HEIGHT)
    show_table(pd.DataFrame([{
        t("optimizers.s1.col_method"): labels[kind],
        t("optimizers.s1.col_batch"): run.trainer.batch_size,
        t("optimizers.s1.col_epochs"): run.trainer.epoch,
        t("optimizers.s1.col_updates"): run.trainer.step_count,
        t("optimizers.s1.col_samples"): run.trainer.step_count * run.trainer.batch_size,
        t("optimizers.s1.col_seconds"): f"{run.trainer.train_seconds:.2f}",
        t("optimizers.s1.col_loss"): f"{race.loss_of(run):.4f}",
        t("optimizers.s1.col_acc"): f"{race.accuracy_of(run):.1%}",
    } for kind, run in race.runs.items()]), "optimizers-batch-runs")


@st.fragment
def batch_section() -> None:
    st.header(t("optimizers.s1.header"))
    intro = st.empty()  # names the network once it is built
    for formula in lo.BATCH_RULES:
        st.latex(formula)
    loop = LiveLoop("optimizers.batch", advance=batch_advance, draw=batch_draw,
                    reset=lambda: held_reset(BATCH_KEY), tick=0.3,
                    step_help=t("optimizers.step_help_time", seconds=CHUNK_SECONDS))
    BATCH_LR.slider(t("optimizers.s1.lr"), step=0.1, help=t("optimizers.s1.lr_help"),
                    on_change=loop.reset)  # a new learning rate starts the three runs again
    save_params([BATCH_LR])
    x, labels = spiral_data()
    race = held(BATCH_KEY, lo.BatchConfig(BATCH_LR.value()),
                lambda c: lo.BatchRace.build(c, x, labels))
    intro.markdown(t("optimizers.s1.intro", network=race.network, seed=race.seed))
    loop.controls()
    st.caption(t("optimizers.s1.controls_caption", epochs=lo.BATCH_EPOCHS, n=len(x),
                 seconds=CHUNK_SECONDS))
    loop.view()
    st.markdown(t("optimizers.s1.outro"))
    show_code(Trainer.step, Trainer.next_batch)


# ================================================================ 2. six update rules

@st.fragment
def rules_section() -> None:
    st.header(t("optimizers.s2.header"))
    st.markdown(t("optimizers.s2.intro"))
    view.rules()


# ================================================================ 3. the race on surfaces

def start_reset() -> None:
    """Back to the surface's own start (also when another surface is chosen)."""
    surface = SURFACES[SURFACE.value()]
    for p, v in zip(STARTS[surface.name], surface.start, strict=True):
        ss[p.state_key] = v


def race_advance() -> Stop | None:
    race = held_model(RACE_KEY)
    return Stop(t("optimizers.s3.done", steps=race.config.steps)) if race.advance() else None


def race_draw() -> None:
    race = held_model(RACE_KEY)
    st.metric(t("optimizers.s3.step"), f"{race.k} / {race.config.steps}")
    view.race_map(race)
    for name, path in race.paths.items():
        if race.gone(name):
            st.warning(t("optimizers.s3.diverged", name=name, step=path.diverged_at,
                         lr=race.lrs[name], limit=f"{lo.DIVERGE_LIMIT:.0e}"),
                       icon=":material/rocket_launch:")
    if not race.paths:
        st.info(t("optimizers.s3.none_chosen"))
        return
    view.race_loss(race)
    show_table(pd.DataFrame([{
        t("optimizers.s3.col_name"): name, t("optimizers.s3.col_lr"): f"{lr:g}",
        "x": f"{x:.4f}", "y": f"{y:.4f}", "f(x, y)": f"{f:.6g}",
        t("optimizers.s3.col_status"): (t("optimizers.s3.status_ok") if gone is None
                                        else t("optimizers.s3.status_gone", step=gone)),
    } for name, lr, x, y, f, gone in race.rows()]), "optimizers-surface-race")


@st.fragment
def race_section() -> None:
    st.header(t("optimizers.s3.header"))
    st.markdown(t("optimizers.s3.intro"))
    names = {"bowl": t("optimizers.s3.bowl"), "saddle": t("optimizers.s3.saddle"),
             "rosenbrock": t("optimizers.s3.rosenbrock"), "two_wells": t("optimizers.s3.two_wells")}
    notes = {"bowl": t("optimizers.s3.bowl_note"), "saddle": t("optimizers.s3.saddle_note"),
             "rosenbrock": t("optimizers.s3.rosenbrock_note"),
             "two_wells": t("optimizers.s3.two_wells_note")}
    cols = st.columns([2, 1, 1])
    SURFACE.widget("selectbox", t("optimizers.s3.surface"), where=cols[0],
                   format_func=names.get, on_change=start_reset)
    LR_SCALE.widget("select_slider", t("optimizers.s3.lr_scale"), where=cols[1],
                    format_func=lambda v: f"×{v:g}", help=t("optimizers.s3.lr_scale_help"))
    STEPS.slider(t("optimizers.s3.steps"), step=5, where=cols[2])
    surface = SURFACES[SURFACE.value()]
    x0, y0 = STARTS[surface.name]
    for p in (x0, y0):  # a start kept from another surface is moved into this one's window
        ss[p.state_key] = min(max(float(ss[p.state_key]), p.lo), p.hi)
    st.latex(surface.formula)
    st.markdown(notes[surface.name])
    cols = st.columns(5)
    MOMENTUM.slider(t("optimizers.s3.momentum"), step=0.01, where=cols[0],
                    help=t("optimizers.s3.momentum_help"))
    BETA1.slider(t("optimizers.s3.beta1"), step=0.01, where=cols[1],
                 help=t("optimizers.s3.beta1_help"))
    BETA2.slider(t("optimizers.s3.beta2"), step=0.0001, format="%.4f", where=cols[2],
                 help=t("optimizers.s3.beta2_help"))
    x0.slider(t("optimizers.s3.x0"), step=0.05, where=cols[3])
    y0.slider(t("optimizers.s3.y0"), step=0.05, where=cols[4])
    st.button(t("optimizers.s3.start_reset"), key="optimizers.race.start_reset",
              on_click=start_reset, icon=":material/my_location:")
    save_params([*RACE_PARAMS, x0, y0])
    cols = st.columns(3 if slides_on() else len(NAMES))
    racers = tuple(name for i, name in enumerate(NAMES) if cols[i % len(cols)].checkbox(
        name, value=True, key=f"optimizers.race.on.{name}"))
    loop = LiveLoop("optimizers.race", advance=race_advance, draw=race_draw,
                    reset=lambda: held_model(RACE_KEY).restart(), tick=RACE_TICK,
                    step_help=t("optimizers.s3.step_help"))
    # the race is computed to the end at once; the loop only reveals it step by step
    held(RACE_KEY, lo.RaceConfig(surface.name, float(LR_SCALE.value()), MOMENTUM.value(),
                                 BETA1.value(), BETA2.value(), (x0.value(), y0.value()),
                                 STEPS.value(), racers), lo.Race.build)
    loop.controls()
    st.caption(t("optimizers.s3.controls_caption", ticks=lo.RACE_TICKS))
    loop.view()
    st.markdown(t("optimizers.s3.outro"))
    show_code(lo.race, surface.grad, SGD, Momentum, Adam)


# ================================================================ 4. the race on MNIST

def mnist_advance() -> Stop | None:
    done = held_model(MNIST_KEY).advance(CHUNK_SECONDS)
    return Stop(t("optimizers.s4.done", cap=lo.MNIST_CAP)) if done else None


def mnist_draw() -> None:
    race = held_model(MNIST_KEY)
    st.metric(t("optimizers.s4.steps_done"), f"{race.steps_done} / {race.config.cap}")
    series = {n: r.trainer.history.loss for n, r in race.runs.items()}
    curves = {n: (s.x, smooth(s.y)) for n, s in series.items() if len(s)}
    if curves:
        view.mnist_loss(race, curves)
    else:
        st.info(t("optimizers.s4.no_loss_yet"), icon=":material/play_arrow:")
    show_table(pd.DataFrame([{
        t("optimizers.s4.col_name"): name,
        t("optimizers.s4.col_lr"): f"{run.trainer.optimizer.lr:g}",
        t("optimizers.s4.col_steps"): run.trainer.step_count,
        t("optimizers.s4.col_loss"): f"{curves[name][1][-1]:.4f}" if name in curves else "—",
        t("optimizers.s4.col_acc"): f"{run.acc:.1%}" if run.acc is not None else "—",
        t("optimizers.s4.col_acc_step"): run.acc_step if run.acc is not None else "—",
    } for name, run in race.runs.items()]), "optimizers-mnist-race")
    for name, run in race.runs.items():
        if run.diverged is not None:
            st.warning(t("optimizers.s4.diverged", name=name, step=run.diverged,
                         lr=run.trainer.optimizer.lr), icon=":material/rocket_launch:")


@st.fragment
def mnist_section() -> None:
    st.header(t("optimizers.s4.header"))
    st.markdown(t("optimizers.s4.intro"))
    loop = LiveLoop("optimizers.mnist", advance=mnist_advance, draw=mnist_draw,
                    reset=lambda: held_reset(MNIST_KEY), tick=MNIST_TICK,
                    step_help=t("optimizers.s4.step_help", n=lo.MNIST_STEPS_PER_TURN))
    with st.expander(t("optimizers.s4.lrs"), icon=":material/tune:"):
        for col, name in zip(st.columns(len(NAMES)), NAMES, strict=True):
            MNIST_LR[name].number_input(name, step=0.001, format="%.4f", where=col,
                                        on_change=loop.reset)  # the race starts again
    save_params(list(MNIST_LR.values()))
    if (data := mnist_or_error()) is not None:
        race = held(MNIST_KEY, lo.MnistRaceConfig(tuple(MNIST_LR[n].value() for n in NAMES)),
                    lambda c: lo.MnistRace.build(c, *data))
        view.mnist_settings(race)
        loop.controls()
        st.caption(t("optimizers.s4.controls_caption", cap=lo.MNIST_CAP,
                     n=lo.MNIST_STEPS_PER_TURN, seconds=CHUNK_SECONDS, test=lo.MNIST_TEST,
                     every=lo.MNIST_EVAL_EVERY))
        loop.view()
    st.markdown(t("optimizers.s4.outro"))
    show_code(Trainer.run, MultiLayerNet.backprop)


st.title(t("lesson.optimizers.title"))
st.markdown(t("optimizers.intro"))
notices = load_params([*RACE_PARAMS, BATCH_LR, *MNIST_LR.values()])
open_sections(PAGE, notices + load_params(list(STARTS[SURFACE.value()]))).run({
    "batch": batch_section, "rules": rules_section, "race": race_section,
    "mnist": mnist_section})
