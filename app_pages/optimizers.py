"""Lesson 4: optimizers. Batch, stochastic and mini-batch descent; the six update rules
beside their code; a race on 2-D loss surfaces; the same race on MNIST.

Seeds 001, 003 (the spiral), 004 (the comparison table). Every path, loss and accuracy
below is computed by the engine's own optimizer classes, live.
"""

import math
import time

import pandas as pd
import streamlit as st

from engine.network import MultiLayerNet
from engine.optimizers import OPTIMIZERS, SGD, AdaGrad, Adam, Momentum, Nesterov, RMSProp
from engine.trainer import Trainer, TrainingDiverged
from lessons.optimizers import DIVERGE_LIMIT, SURFACES, race
from ui.chart import show_chart
from ui.code import show_code
from ui.data import mnist_data, mnist_or_error, spiral_data
from ui.i18n import t
from ui.live import LiveLoop, Stop
from ui.messages import show_error
from ui.params import ChoiceParam, FloatParam, IntParam, load_params, save_params, show_notices
from ui.settings import slides_on
from viz import optimizers as vz

PAGE = "optimizers"
NAMES = tuple(OPTIMIZERS)  # SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam
LR_SCALES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
# Learning rates that make a good race on each surface (the bowl's are the book's).
SURFACE_LRS = {
    "bowl": dict(SGD=0.95, Momentum=0.1, Nesterov=0.1, AdaGrad=1.5, RMSProp=0.3, Adam=0.3),
    "saddle": dict(SGD=0.05, Momentum=0.02, Nesterov=0.02, AdaGrad=0.3, RMSProp=0.03,
                   Adam=0.05),
    "rosenbrock": dict(SGD=0.0015, Momentum=0.001, Nesterov=0.001, AdaGrad=1.0, RMSProp=0.02,
                       Adam=0.1),
    "two_wells": dict(SGD=0.05, Momentum=0.02, Nesterov=0.02, AdaGrad=0.3, RMSProp=0.05,
                      Adam=0.1),
}
MNIST_LRS = dict(SGD=0.1, Momentum=0.05, Nesterov=0.05, AdaGrad=0.01, RMSProp=0.001, Adam=0.001)

SURFACE = ChoiceParam(PAGE, "surface", "bowl", choices=tuple(SURFACES))
LR_SCALE = ChoiceParam(PAGE, "lr_scale", 1.0, choices=LR_SCALES)
MOMENTUM = FloatParam(PAGE, "momentum", 0.9, 0.0, 0.99)
BETA1 = FloatParam(PAGE, "beta1", 0.9, 0.0, 0.99)
BETA2 = FloatParam(PAGE, "beta2", 0.999, 0.9, 0.9999)
X0 = FloatParam(PAGE, "x0", SURFACES["bowl"].start[0], -10.0, 10.0)
Y0 = FloatParam(PAGE, "y0", SURFACES["bowl"].start[1], -5.0, 5.0)
STEPS = IntParam(PAGE, "steps", 100, 5, 500)
BATCH_LR = FloatParam(PAGE, "batch_lr", 1.0, 0.1, 5.0)
MNIST_LR = {name: FloatParam(PAGE, f"mnist_lr_{name.lower()}", lr, 1e-5, 10.0)
            for name, lr in MNIST_LRS.items()}
PARAMS = [SURFACE, LR_SCALE, MOMENTUM, BETA1, BETA2, X0, Y0, STEPS, BATCH_LR,
          *MNIST_LR.values()]

CHUNK_SECONDS = 0.3  # the most one tick may compute, all optimizers together
RACE_TICKS = 50  # a race of any length plays in about this many ticks
RACE_GRID = 120
BATCH_EPOCHS = 50  # the three ways each see every spiral point this many times
BATCH_SIZES = {"full": None, "sgd": 1, "mini": 30}  # None: the whole set (N = 300)
MNIST_CAP = 600  # steps per optimizer: one epoch of 60,000 images in batches of 100
MNIST_BATCH = 100
MNIST_STEPS_PER_TURN = 5
MNIST_TEST = 2000  # test images for the accuracy column
MNIST_EVAL_EVERY = 200
SEED = 0
STATE_RACE = "optimizers.race.model"
STATE_BATCH = "optimizers.batch.model"
STATE_MNIST = "optimizers.mnist.model"
CURVE_HEIGHT = 320

st.title(t("lesson.optimizers.title"))
st.markdown(t("optimizers.intro"))

# The start point belongs to the surface: a link or a first visit without x0/y0 starts
# where the surface suggests.
ss = st.session_state
fresh = {p.name: p.state_key not in ss and f"_param_shadow.{p.state_key}" not in ss
         and p.name not in st.query_params for p in (X0, Y0)}
show_notices(load_params(PARAMS))
surface = SURFACES[ss[SURFACE.state_key]]
for i, p in enumerate((X0, Y0)):
    lo, hi = (surface.x_range, surface.y_range)[i]
    if fresh[p.name]:
        ss[p.state_key] = surface.start[i]
    ss[p.state_key] = float(min(max(float(ss[p.state_key]), lo), hi))


def side_by_side(n: int) -> list:
    """n columns on screen; on a slide, charts of fixed 16:9 size go one under another."""
    return [st.container() for _ in range(n)] if slides_on() else st.columns(n)


# ================================================================ 1. batch, stochastic, mini-batch

st.header(t("optimizers.s1.header"))
st.markdown(t("optimizers.s1.intro"))
st.latex(r"W \leftarrow W - \eta\,\frac{1}{B}\sum_{n \in \text{batch}} "
         r"\frac{\partial L_n}{\partial W}")
st.latex(r"B = N\ (\text{batch}) \qquad B = 1\ (\text{SGD}) \qquad "
         r"1 < B < N\ (\text{mini-batch})")


x_sp, t_sp = spiral_data()
N_SP = len(x_sp)
BATCH_LABELS = {"full": t("optimizers.s1.full", n=N_SP), "sgd": t("optimizers.s1.sgd"),
                "mini": t("optimizers.s1.mini", b=BATCH_SIZES["mini"])}
BATCH_COLORS = {BATCH_LABELS["full"]: "#1f77b4", BATCH_LABELS["sgd"]: "#d62728",
                BATCH_LABELS["mini"]: "#2ca02c"}
st.slider(t("optimizers.s1.lr"), 0.1, 5.0, step=0.1, key=BATCH_LR.state_key,
          help=t("optimizers.s1.lr_help"))


def batch_reset() -> None:
    lr = float(ss[BATCH_LR.state_key])
    runs = {}
    for kind, size in BATCH_SIZES.items():
        net = MultiLayerNet(2, [10], 3, activation="sigmoid", weight_init_std=0.01, seed=SEED)
        trainer = Trainer(net, SGD(lr=lr), x_sp, t_sp, batch_size=size or N_SP, seed=SEED,
                          eval_samples=0)
        loss = float(net.loss(x_sp, t_sp))
        runs[kind] = {"trainer": trainer, "samples": [0], "updates": [0], "loss": [loss]}
    ss[STATE_BATCH] = {"config": lr, "runs": runs}


def batch_advance() -> Stop | None:
    runs = ss[STATE_BATCH]["runs"]
    budget = CHUNK_SECONDS / len(runs)
    for run in runs.values():
        trainer = run["trainer"]
        deadline = time.perf_counter() + budget
        while trainer.epoch < BATCH_EPOCHS:  # at least one step each, however busy the host
            before = trainer.epoch
            trainer.run(until_epoch=before + 1,
                        max_seconds=max(deadline - time.perf_counter(), 0.0))
            if trainer.epoch > before:  # a whole epoch is done: the loss on all 300 points
                run["samples"].append(trainer.epoch * N_SP)
                run["updates"].append(trainer.step_count)
                run["loss"].append(float(trainer.network.loss(x_sp, t_sp)))
            if time.perf_counter() >= deadline:
                break
    if all(r["trainer"].epoch >= BATCH_EPOCHS for r in runs.values()):
        return Stop(t("optimizers.s1.done", epochs=BATCH_EPOCHS), "success")
    return None


def batch_draw() -> None:
    runs = ss[STATE_BATCH]["runs"]
    curves_s = {BATCH_LABELS[k]: (r["samples"], r["loss"]) for k, r in runs.items()}
    curves_u = {BATCH_LABELS[k]: ([max(u, 1) for u in r["updates"]], r["loss"])
                for k, r in runs.items()}
    if all(len(r["loss"]) == 1 for r in runs.values()):  # no epoch finished yet
        st.info(t("optimizers.s1.no_loss_yet"), icon=":material/play_arrow:")
    else:
        cols = side_by_side(2)
        with cols[0]:
            fig = vz.curves_figure(curves_s, {"x": t("optimizers.s1.samples"),
                                              "y": t("optimizers.s1.loss")},
                                   colors=BATCH_COLORS)
            show_chart(fig, "optimizers-batch-loss-vs-samples",
                       key="optimizers.chart.batch_s", height=CURVE_HEIGHT)
        with cols[1]:
            fig = vz.curves_figure(curves_u, {"x": t("optimizers.s1.updates"),
                                              "y": t("optimizers.s1.loss")},
                                   colors=BATCH_COLORS, log_x=True)
            show_chart(fig, "optimizers-batch-loss-vs-updates",
                       key="optimizers.chart.batch_u", height=CURVE_HEIGHT)
    rows = []
    for kind, run in runs.items():
        trainer = run["trainer"]
        rows.append({
            t("optimizers.s1.col_method"): BATCH_LABELS[kind],
            t("optimizers.s1.col_batch"): trainer.batch_size,
            t("optimizers.s1.col_epochs"): trainer.epoch,
            t("optimizers.s1.col_updates"): trainer.step_count,
            t("optimizers.s1.col_samples"): trainer.step_count * trainer.batch_size,
            t("optimizers.s1.col_seconds"): f"{trainer.train_seconds:.2f}",
            t("optimizers.s1.col_loss"): f"{float(trainer.network.loss(x_sp, t_sp)):.4f}",
            t("optimizers.s1.col_acc"): f"{trainer.network.accuracy(x_sp, t_sp):.1%}",
        })
    st.table(pd.DataFrame(rows), hide_index=True)


batch_loop = LiveLoop("optimizers.batch", advance=batch_advance, draw=batch_draw,
                      reset=batch_reset, tick=0.3,
                      step_help=t("optimizers.step_help_time", seconds=CHUNK_SECONDS))
model = ss.get(STATE_BATCH)
if model is None or model["config"] != float(ss[BATCH_LR.state_key]):
    batch_loop.reset()
batch_loop.controls()
st.caption(t("optimizers.s1.controls_caption", epochs=BATCH_EPOCHS, n=N_SP,
             seconds=CHUNK_SECONDS))
batch_loop.view()
st.markdown(t("optimizers.s1.outro"))
show_code(Trainer.step, Trainer._batch)

# ================================================================ 2. six update rules

st.header(t("optimizers.s2.header"))
st.markdown(t("optimizers.s2.intro"))
RULES = {
    "SGD": (SGD, r"W \leftarrow W - \eta\,\frac{\partial L}{\partial W}"),
    "Momentum": (Momentum, r"v \leftarrow \alpha\,v - \eta\,\frac{\partial L}{\partial W}"
                           r"\qquad W \leftarrow W + v"),
    "Nesterov": (Nesterov, r"v \leftarrow \alpha\,v - \eta\,\frac{\partial L}{\partial W}"
                           r"\qquad W \leftarrow W + \alpha\,v - \eta\,"
                           r"\frac{\partial L}{\partial W}"),
    "AdaGrad": (AdaGrad, r"h \leftarrow h + \frac{\partial L}{\partial W}\odot"
                         r"\frac{\partial L}{\partial W}\qquad W \leftarrow W - \eta\,"
                         r"\frac{1}{\sqrt{h} + \epsilon}\,\frac{\partial L}{\partial W}"),
    "RMSProp": (RMSProp, r"h \leftarrow \rho\,h + (1 - \rho)\,\frac{\partial L}{\partial W}"
                         r"\odot\frac{\partial L}{\partial W}\qquad W \leftarrow W - \eta\,"
                         r"\frac{1}{\sqrt{h} + \epsilon}\,\frac{\partial L}{\partial W}"),
    "Adam": (Adam, r"\begin{aligned} m &\leftarrow \beta_1 m + (1 - \beta_1)\,g \qquad "
                   r"v \leftarrow \beta_2 v + (1 - \beta_2)\,g\odot g \\ "
                   r"\hat m &= \frac{m}{1 - \beta_1^t} \qquad \hat v = \frac{v}{1 - \beta_2^t}"
                   r"\qquad W \leftarrow W - \eta\,\frac{\hat m}{\sqrt{\hat v} + \epsilon}"
                   r"\end{aligned}"),
}
IDEAS = {"SGD": t("optimizers.s2.idea_sgd"), "Momentum": t("optimizers.s2.idea_momentum"),
         "Nesterov": t("optimizers.s2.idea_nesterov"), "AdaGrad": t("optimizers.s2.idea_adagrad"),
         "RMSProp": t("optimizers.s2.idea_rmsprop"), "Adam": t("optimizers.s2.idea_adam")}
GAINS = {"SGD": t("optimizers.s2.gain_speed"), "Momentum": t("optimizers.s2.gain_oscillation"),
         "Nesterov": t("optimizers.s2.gain_oscillation"),
         "AdaGrad": t("optimizers.s2.gain_step"), "RMSProp": t("optimizers.s2.gain_step"),
         "Adam": t("optimizers.s2.gain_both")}
st.table(pd.DataFrame({t("optimizers.s2.col_name"): list(RULES),
                       t("optimizers.s2.col_idea"): [IDEAS[n] for n in RULES],
                       t("optimizers.s2.col_gain"): [GAINS[n] for n in RULES]}),
         hide_index=True)
st.caption(t("optimizers.s2.names"))
for name, (cls, formula) in RULES.items():
    st.subheader(name)
    st.latex(formula)
    st.markdown(f"{IDEAS[name]}  \n**{t('optimizers.s2.col_gain')}:** {GAINS[name]}")
    show_code(cls)

# ================================================================ 3. the race on surfaces

st.header(t("optimizers.s3.header"))
st.markdown(t("optimizers.s3.intro"))
SURFACE_NAMES = {"bowl": t("optimizers.s3.bowl"), "saddle": t("optimizers.s3.saddle"),
                 "rosenbrock": t("optimizers.s3.rosenbrock"),
                 "two_wells": t("optimizers.s3.two_wells")}
SURFACE_NOTES = {"bowl": t("optimizers.s3.bowl_note"), "saddle": t("optimizers.s3.saddle_note"),
                 "rosenbrock": t("optimizers.s3.rosenbrock_note"),
                 "two_wells": t("optimizers.s3.two_wells_note")}


def surface_changed() -> None:
    new = SURFACES[ss[SURFACE.state_key]]
    ss[X0.state_key], ss[Y0.state_key] = new.start


def start_reset() -> None:
    ss[X0.state_key], ss[Y0.state_key] = surface.start


cols = st.columns([2, 1, 1])
cols[0].selectbox(t("optimizers.s3.surface"), tuple(SURFACES), key=SURFACE.state_key,
                  format_func=SURFACE_NAMES.get, on_change=surface_changed)
cols[1].select_slider(t("optimizers.s3.lr_scale"), LR_SCALES, key=LR_SCALE.state_key,
                      format_func=lambda v: f"×{v:g}", help=t("optimizers.s3.lr_scale_help"))
cols[2].slider(t("optimizers.s3.steps"), 5, 500, step=5, key=STEPS.state_key)
st.latex(surface.formula)
st.markdown(SURFACE_NOTES[surface.name])
cols = st.columns(5)
cols[0].slider(t("optimizers.s3.momentum"), 0.0, 0.99, step=0.01, key=MOMENTUM.state_key,
               help=t("optimizers.s3.momentum_help"))
cols[1].slider(t("optimizers.s3.beta1"), 0.0, 0.99, step=0.01, key=BETA1.state_key,
               help=t("optimizers.s3.beta1_help"))
cols[2].slider(t("optimizers.s3.beta2"), 0.9, 0.9999, step=0.0001, format="%.4f",
               key=BETA2.state_key, help=t("optimizers.s3.beta2_help"))
cols[3].slider(t("optimizers.s3.x0"), *surface.x_range, step=0.05, key=X0.state_key)
cols[4].slider(t("optimizers.s3.y0"), *surface.y_range, step=0.05, key=Y0.state_key)
st.button(t("optimizers.s3.start_reset"), key="optimizers.race.start_reset",
          on_click=start_reset, icon=":material/my_location:")
cols = st.columns(3 if slides_on() else len(NAMES))
racers = [name for i, name in enumerate(NAMES)
          if cols[i % len(cols)].checkbox(name, value=True, key=f"optimizers.race.on.{name}")]


def race_config() -> tuple:
    scale = float(ss[LR_SCALE.state_key])
    lrs = tuple(SURFACE_LRS[surface.name][n] * scale for n in NAMES)
    return (surface.name, lrs, float(ss[MOMENTUM.state_key]), float(ss[BETA1.state_key]),
            float(ss[BETA2.state_key]), float(ss[X0.state_key]), float(ss[Y0.state_key]),
            int(ss[STEPS.state_key]), tuple(racers))


def make_optimizer(name: str, lr: float, momentum: float, beta1: float, beta2: float):
    if name in ("Momentum", "Nesterov"):
        return OPTIMIZERS[name](lr=lr, momentum=momentum)
    if name == "Adam":
        return Adam(lr=lr, beta1=beta1, beta2=beta2)
    return OPTIMIZERS[name](lr=lr)


def race_rebuild(config: tuple) -> None:
    name, lrs, momentum, beta1, beta2, x0, y0, steps, chosen = config
    lr_of = dict(zip(NAMES, lrs, strict=True))
    paths = race(SURFACES[name], {n: make_optimizer(n, lr_of[n], momentum, beta1, beta2)
                                  for n in chosen}, (x0, y0), steps)
    ss[STATE_RACE] = {"config": config, "paths": paths, "lrs": lr_of, "k": steps}


def race_reset() -> None:
    ss[STATE_RACE]["k"] = 0


def race_advance() -> Stop | None:
    model = ss[STATE_RACE]
    steps = model["config"][7]
    if model["k"] >= steps:  # played to the end: play again from the start
        model["k"] = 0
    model["k"] = min(steps, model["k"] + max(1, math.ceil(steps / RACE_TICKS)))
    if model["k"] >= steps:
        return Stop(t("optimizers.s3.done", steps=steps), "success")
    return None


def race_draw() -> None:
    model = ss[STATE_RACE]
    k, paths, steps = model["k"], model["paths"], model["config"][7]
    st.metric(t("optimizers.s3.step"), f"{k} / {steps}")
    shown = {n: (p.xs[:k + 1], p.ys[:k + 1], p.diverged_at is not None and k >= p.diverged_at)
             for n, p in paths.items()}
    xs, ys, z = surface.grid(RACE_GRID)
    fig = vz.race_figure(xs, ys, z, shown, model["config"][5:7], surface.minimum, {
        "x": "x", "y": "y", "z": "log(1 + f)" if surface.log_scale else "f",
        "start": t("optimizers.s3.start"), "minimum": t("optimizers.s3.minimum"),
        "flew_off": t("optimizers.s3.flew_off")}, log_scale=surface.log_scale)
    show_chart(fig, f"optimizers-race-{surface.name}", key="optimizers.chart.race",
               height=520)
    for name, path in paths.items():
        if path.diverged_at is not None and k >= path.diverged_at:
            st.warning(t("optimizers.s3.diverged", name=name, step=path.diverged_at,
                         lr=model["lrs"][name], limit=f"{DIVERGE_LIMIT:.0e}"),
                       icon=":material/rocket_launch:")
    if paths:
        curves = {n: (list(range(len(p.losses)))[:k + 1], p.losses[:k + 1])
                  for n, p in paths.items()}
        ends = {n: s[2] for n, s in shown.items()}
        fig = vz.curves_figure(curves, {"x": t("optimizers.s3.step"),
                                        "y": t("optimizers.s3.loss")},
                               log_y=surface.name in ("bowl", "rosenbrock"), ends=ends)
        show_chart(fig, f"optimizers-race-{surface.name}-loss", key="optimizers.chart.race_loss",
                   height=CURVE_HEIGHT)
    rows = []
    for name, path in paths.items():
        i = min(k, path.steps_taken)
        gone = path.diverged_at is not None and k >= path.diverged_at
        rows.append({
            t("optimizers.s3.col_name"): name,
            t("optimizers.s3.col_lr"): f"{model['lrs'][name]:g}",
            "x": f"{path.xs[i]:.4f}", "y": f"{path.ys[i]:.4f}",
            "f(x, y)": f"{path.losses[i]:.6g}",
            t("optimizers.s3.col_status"): (t("optimizers.s3.status_gone", step=path.diverged_at)
                                            if gone else t("optimizers.s3.status_ok")),
        })
    if rows:
        st.table(pd.DataFrame(rows), hide_index=True)
    else:
        st.info(t("optimizers.s3.none_chosen"))


race_loop = LiveLoop("optimizers.race", advance=race_advance, draw=race_draw, reset=race_reset,
                     tick=0.2, step_help=t("optimizers.s3.step_help"))
config = race_config()
model = ss.get(STATE_RACE)
if model is None or model["config"] != config:
    try:
        race_rebuild(config)
    except ValueError as err:
        show_error(err)
race_loop.controls()
st.caption(t("optimizers.s3.controls_caption", ticks=RACE_TICKS))
if STATE_RACE in ss:
    race_loop.view()
st.markdown(t("optimizers.s3.outro"))
show_code(race, surface.grad, SGD, Momentum, Adam)

# ================================================================ 4. the race on MNIST

st.header(t("optimizers.s4.header"))
st.markdown(t("optimizers.s4.intro", cap=MNIST_CAP, batch=MNIST_BATCH, test=MNIST_TEST))


with st.expander(t("optimizers.s4.lrs"), icon=":material/tune:"):
    cols = st.columns(len(NAMES))
    for i, name in enumerate(NAMES):
        cols[i].number_input(name, 1e-5, 10.0, step=0.001, format="%.4f",
                             key=MNIST_LR[name].state_key)


def mnist_lrs() -> dict[str, float]:
    return {n: float(ss[MNIST_LR[n].state_key]) for n in NAMES}


def mnist_reset() -> None:
    (x, t_train), (x_test, t_test) = mnist_data()
    x_test, t_test = x_test[:MNIST_TEST], t_test[:MNIST_TEST]
    lrs = mnist_lrs()
    runs = {}
    for name in NAMES:
        net = MultiLayerNet(784, [100, 100], 10, seed=SEED)
        opt = OPTIMIZERS[name](lr=lrs[name])
        trainer = Trainer(net, opt, x, t_train, x_test, t_test, batch_size=MNIST_BATCH,
                          seed=SEED, eval_samples=0, stats_every=10**9)
        runs[name] = {"trainer": trainer, "acc": None, "acc_step": 0, "diverged": None}
    ss[STATE_MNIST] = {"config": tuple(lrs.values()), "runs": runs}


def mnist_eval(run: dict) -> None:
    run["acc"] = run["trainer"].evaluate("test")
    run["acc_step"] = run["trainer"].step_count


def mnist_advance() -> Stop | None:
    runs = ss[STATE_MNIST]["runs"]
    live = [r for r in runs.values()
            if r["diverged"] is None and r["trainer"].step_count < MNIST_CAP]
    for run in live:
        trainer = run["trainer"]
        try:
            trainer.run(max_steps=min(MNIST_STEPS_PER_TURN, MNIST_CAP - trainer.step_count),
                        max_seconds=CHUNK_SECONDS / len(live))
        except TrainingDiverged:
            run["diverged"] = trainer.step_count + 1
            continue
        n = trainer.step_count
        if n >= MNIST_CAP or n // MNIST_EVAL_EVERY > run["acc_step"] // MNIST_EVAL_EVERY:
            mnist_eval(run)
    if all(r["diverged"] is not None or r["trainer"].step_count >= MNIST_CAP
           for r in runs.values()):
        return Stop(t("optimizers.s4.done", cap=MNIST_CAP), "success")
    return None


def mnist_draw() -> None:
    runs = ss[STATE_MNIST]["runs"]
    done = min(r["trainer"].step_count for r in runs.values())
    st.metric(t("optimizers.s4.steps_done"), f"{done} / {MNIST_CAP}")
    curves, ends = {}, {}
    for name, run in runs.items():
        series = run["trainer"].history.loss
        if len(series):
            curves[name] = (series.x, vz.smooth(series.y))
            ends[name] = run["diverged"] is not None
    if curves:
        fig = vz.curves_figure(curves, {"x": t("optimizers.s4.step"),
                                        "y": t("optimizers.s4.loss")}, ends=ends)
        show_chart(fig, "optimizers-mnist-race-loss", key="optimizers.chart.mnist",
                   height=CURVE_HEIGHT + 60)
    else:
        st.info(t("optimizers.s4.no_loss_yet"), icon=":material/play_arrow:")
    rows = []
    for name, run in runs.items():
        trainer = run["trainer"]
        series = trainer.history.loss
        rows.append({
            t("optimizers.s4.col_name"): name,
            t("optimizers.s4.col_lr"): f"{trainer.optimizer.lr:g}",
            t("optimizers.s4.col_steps"): trainer.step_count,
            t("optimizers.s4.col_loss"): f"{vz.smooth(series.y)[-1]:.4f}" if len(series) else "—",
            t("optimizers.s4.col_acc"): (f"{run['acc']:.1%}" if run["acc"] is not None
                                         else "—"),
            t("optimizers.s4.col_acc_step"): run["acc_step"] if run["acc"] is not None else "—",
        })
    st.table(pd.DataFrame(rows), hide_index=True)
    for name, run in runs.items():
        if run["diverged"] is not None:
            st.warning(t("optimizers.s4.diverged", name=name, step=run["diverged"],
                         lr=run["trainer"].optimizer.lr), icon=":material/rocket_launch:")


if mnist_or_error() is not None:
    mnist_loop = LiveLoop("optimizers.mnist", advance=mnist_advance, draw=mnist_draw,
                          reset=mnist_reset, tick=0.4,
                          step_help=t("optimizers.s4.step_help", n=MNIST_STEPS_PER_TURN))
    model = ss.get(STATE_MNIST)
    if model is None or model["config"] != tuple(mnist_lrs().values()):
        mnist_loop.reset()
    mnist_loop.controls()
    st.caption(t("optimizers.s4.controls_caption", cap=MNIST_CAP, n=MNIST_STEPS_PER_TURN,
                 seconds=CHUNK_SECONDS, test=MNIST_TEST, every=MNIST_EVAL_EVERY))
    mnist_loop.view()
st.markdown(t("optimizers.s4.outro"))
show_code(Trainer.run, MultiLayerNet.gradient)

save_params(PARAMS)
