"""What the MNIST lesson shows of a result, for app_pages/mnist.py, whose sections hold the
widgets and the state and call these:

    gradcheck_result(result, n_params, hidden, batch)   # STEP 1: times, table, scatter
    data_views(stats, tabs)       # STEP 2: class counts, mean digits, pixel statistics
    code_section()                # STEPS 3-5: the engine's code, with a word on each
    activation_names()            # STEP 6: {'relu': 'ReLU', ...} in the learner's language
    draw_live(loop, run)          # STEP 7: the live view the page's LiveLoop draws
    chain_intro(run)              # the chain's heading, text and formula, from the network
    weight_chain(run, x, label)   # one test digit through W1, W2, ...
    read_digit(run)               # a digit drawn on the canvas or uploaded, read by the net
    network_file(loop, data, settings, key, backends)  # the run saved to .npz, or one loaded

Every number comes from lessons.mnist, every figure from viz.mnist (STEP 1's from viz.layers).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial

import pandas as pd
import streamlit as st

from engine import functions, layers
from engine.backend import InputError, to_numpy
from engine.gradcheck import GradCheckResult
from engine.network import MultiLayerNet
from engine.trainer import Trainer
from lessons.mnist import (
    MAX_LAYERS,
    Analysis,
    DataStats,
    MnistRun,
    all_finite,
    chain_forms,
    from_file,
    network_bytes,
    predict_proba,
    preprocess_steps,
    worst_confusion,
)
from lessons.mnist import weight_chain as chain_steps
from ui.chart import show_chart, show_pure_chart
from ui.code import show_code
from ui.digit_canvas import CANVAS_PX, digit_canvas
from ui.handout import tabs_or_sections
from ui.i18n import t
from ui.images import MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES, decode_drawing, decode_image
from ui.live import LiveLoop
from ui.live_chart import live_chart
from ui.messages import show_error
from ui.saving_view import MAX_NETWORK_BYTES, file_bytes, follow
from ui.saving_view import network_file as file_controls
from ui.state import Held, held_model
from viz import layers as vl
from viz import mnist as vz

WEIGHT_TILES = 16
# The weight tiles are int8 (−127..127, each tile scaled by its largest |w|): they are sent
# again once some pixel moved by this much, about 3 % of the colour scale, which the eye sees.
WEIGHTS_VISIBLE = 4
# The curves (loss, gradient flow) take every frame; the weight pictures (12 KB each) at most
# one update in this many seconds: each costs the learner's browser a redraw of that chart.
WEIGHTS_EVERY_S = 1.0
# Frames: after each chunk of training the page notes where the curves stood (note_frame);
# the next run of the view sends them all and the browser plays them one after another,
# spread over the time since the last run (FRAME_S_RANGE bounds the spacing), so the curves
# move about once per chunk however seldom the view itself reruns.
FRAMES = "mnist.live.frames"
MAX_FRAMES = 30
FRAME_S_RANGE = (0.05, 0.25)
DRAWN = "mnist.draw.image"  # the canvas's last drawing, checked: (280, 280) uint8 gray


# ---------------------------------------------------------------- STEPS 1 and 2


def gradcheck_result(result: GradCheckResult, n_params: int, hidden: int, batch: int) -> None:
    """Both methods timed, their mean |gradient| per parameter side by side, and the worst
    relative error."""
    checks, names = result.checks, [c.name for c in result.checks]
    speedup = result.numerical_seconds / max(result.backprop_seconds, 1e-12)
    c = st.columns(3)
    c[0].metric(t("mnist.s1.numerical_time"), f"{result.numerical_seconds:.2f} s")
    c[1].metric(t("mnist.s1.backprop_time"), f"{result.backprop_seconds * 1e3:.2f} ms")
    c[2].metric(t("mnist.s1.speedup"), f"{speedup:,.0f}×")
    st.dataframe(pd.DataFrame({
        t("mnist.s1.col_param"): names,
        t("mnist.s1.col_shape"): ["×".join(map(str, c.backprop.shape)) for c in checks],
        t("mnist.s1.col_backprop"): [f"{abs(c.backprop).mean():.3e}" for c in checks],
        t("mnist.s1.col_numerical"): [f"{abs(c.numerical).mean():.3e}" for c in checks],
        t("mnist.s1.col_error"): [f"{c.rel_error:.1e}" for c in checks],
    }), hide_index=True, width="stretch")
    show_chart(vl.gradcheck_figure(names, [c.backprop for c in checks],
                                   [c.numerical for c in checks],
                                   x_title=t("mnist.s1.axis_backprop"),
                                   y_title=t("mnist.s1.axis_numerical")),
               "mnist-gradcheck", key="mnist.chart.gradcheck", height=380)
    st.caption(t("mnist.s1.caption", sizes=f"784-{hidden}-10", n=n_params, batch=batch,
                 err=result.max_rel_error, speedup=speedup))


def data_tabs() -> list:
    """STEP 2's four tabs (in a handout, four sections one after another)."""
    return tabs_or_sections([t("mnist.s2.tab_grid"), t("mnist.s2.tab_counts"),
                             t("mnist.s2.tab_means"), t("mnist.s2.tab_pixels")])


def data_views(stats: DataStats, tabs) -> None:
    """The class counts, the mean digits and the pixel statistics, one tab each."""
    with tabs[0]:
        show_pure_chart(partial(vz.class_counts_figure, stats.train_counts,
                                {"x": t("mnist.s2.digit"), "y": t("mnist.s2.count")}),
                        "mnist-class-counts", key="mnist.chart.counts", height=320)
        n = stats.counts_note()
        st.markdown(t("mnist.s2.counts_note", most=n["most"], most_n=n["most_n"],
                      least=n["least"], least_n=n["least_n"], test_min=n["test_min"],
                      test_max=n["test_max"]))
    with tabs[1]:
        show_pure_chart(partial(vz.digit_grid, stats.means, [str(d) for d in range(10)],
                                cols=10), "mnist-mean-images", key="mnist.chart.means")
        st.markdown(t("mnist.s2.means_note"))
    with tabs[2]:
        px = stats.pixels
        c = st.columns(4)
        c[0].metric(t("mnist.s2.px_mean"), f"{px['mean']:.3f}")
        c[1].metric(t("mnist.s2.px_std"), f"{px['std']:.3f}")
        c[2].metric(t("mnist.s2.px_zero"), f"{px['zero_fraction']:.1%}")
        c[3].metric(t("mnist.s2.px_bright"), f"{px['bright_fraction']:.1%}")
        show_pure_chart(partial(vz.pixel_histogram_figure, px["hist_counts"], px["hist_edges"],
                                {"x": t("mnist.s2.px_value"), "y": t("mnist.s2.px_count")}),
                        "mnist-pixel-histogram", key="mnist.chart.pixels", height=320)
        st.markdown(t("mnist.s2.pixels_note"))


# ---------------------------------------------------------------- STEPS 3-6


def code_section() -> None:
    """STEPS 3-5: text and code only."""
    st.markdown(t("mnist.s3.intro"))
    tabs = tabs_or_sections([t("mnist.s3.tab_functions"), t("mnist.s3.tab_layers"),
                             t("mnist.s3.tab_network")])
    for tab, text, code in zip(tabs, (t("mnist.s3.functions"), t("mnist.s3.layers"),
                                      t("mnist.s3.network")), (
            (functions.numerical_gradient, functions.softmax, functions.cross_entropy_error),
            (layers.ReLU, layers.Affine, layers.SoftmaxWithLoss),
            (MultiLayerNet.__init__, MultiLayerNet.backprop, Trainer.step)), strict=True):
        with tab:
            st.markdown(text)
            show_code(*code)


def activation_names() -> dict[str, str]:
    """The hidden layers' activations, as the settings and the chain's text name them."""
    return {"relu": t("mnist.act.relu"), "sigmoid": t("mnist.act.sigmoid"),
            "tanh": t("mnist.act.tanh")}


# ---------------------------------------------------------------- the live view (STEP 7)


@dataclass(frozen=True)
class _Mark:
    """Where the curves stood after one chunk: each series' length and stride (a series
    thinned since has a new stride, and its old lengths no longer mean the same points)."""

    uid: str
    at: float  # time.monotonic()
    loss: tuple[int, int]
    grads: tuple[tuple[int, int], ...]


def _where(series) -> tuple[int, int]:
    return len(series), series.stride


def note_frame(run: MnistRun) -> None:
    """After a chunk of training: note where the curves stand, for the next redraw's frames."""
    history = run.trainer.history
    marks = st.session_state.setdefault(FRAMES, [])
    marks.append(_Mark(run.uid, time.monotonic(), _where(history.loss),
                       tuple(_where(s) for s in history.grad_stats.values())))
    del marks[:-MAX_FRAMES]


def _prefix(traces: list[dict], lengths) -> list[dict]:
    """The traces as they were when each had the given number of points."""
    return [{k: v[:n] for k, v in tr.items()} for tr, n in zip(traces, lengths, strict=True)]


def _frames(traces: list[dict], marks, now: tuple) -> list[list[dict]]:
    """The curves' states at `marks` (each a tuple of (length, stride) per trace group, as
    `now` is for the current state) that still mean the same points, then the current one."""
    out = [_prefix(traces, [n for n, _ in m]) for m in marks
           if len(m) == len(now) and all(s == s_now and n <= n_now
                                        for (n, s), (n_now, s_now) in zip(m, now, strict=True))]
    return [*out, traces]


def _frame_s(marks: list[_Mark]) -> float:
    """How far apart the browser plays this run's frames: as far apart as their chunks ended."""
    low, high = FRAME_S_RANGE
    if len(marks) < 2:
        return low * 2
    return min(max((marks[-1].at - marks[0].at) / (len(marks) - 1), low), high)


def draw_live(loop: LiveLoop, run: MnistRun) -> None:
    """The live view: the numbers, then the charts, each a live chart (ui.live_chart) that
    takes only what changed: the curves their new points (frame by frame, as the chunks since
    the last run trained them), the weights their new values once they visibly moved, the
    accuracy and the test-set analysis when an epoch has ended."""
    marks = [m for m in st.session_state.pop(FRAMES, []) if m.uid == run.uid]
    _numbers(run, loop.running)
    if not len(run.trainer.history.loss):  # nothing to draw yet
        return
    _loss(run, marks)
    cols = st.columns(2)
    with cols[0]:
        _accuracy(run)
    with cols[1]:
        _grads(run, marks)
    _weights(run)
    _analysis(run)


def _numbers(run: MnistRun, running: bool) -> None:
    trainer, config = run.trainer, run.config
    c = st.columns(5)
    c[0].metric(t("mnist.s7.epoch"), f"{trainer.epoch} / {run.target}")
    c[1].metric(t("mnist.s7.step"), f"{trainer.step_count:,}")
    rate = run.samples_per_second() if running else None
    c[2].metric(t("mnist.s7.rate"), "—" if rate is None else f"{rate:,.0f}")
    test_acc = run.test_acc.get(trainer.epoch)
    c[3].metric(t("mnist.s7.train_acc"), "—" if run.train_acc is None else f"{run.train_acc:.2%}")
    c[4].metric(t("mnist.s7.test_acc"), "—" if test_acc is None else f"{test_acc:.2%}")
    st.progress(run.progress, text=t("mnist.s7.progress", sizes=config.sizes,
                                     opt=config.optimizer, lr=config.lr, batch=config.batch,
                                     backend=config.backend))
    # one element whatever it holds, so that the charts below keep their places in the page
    # (a chart that moves is mounted anew in the browser, and drawn again from scratch)
    with st.container():
        if run.reached is not None:
            st.caption(t("mnist.s7.reached", seconds=run.reached.seconds,
                         epoch=run.reached.epoch))
        if not len(trainer.history.loss):
            st.info(t("mnist.s7.press_start"), icon=":material/play_arrow:")


def _loss(run: MnistRun, marks: list[_Mark]) -> None:
    loss = run.trainer.history.loss
    labels = {"x": t("mnist.s7.axis_step"), "y": t("mnist.s7.axis_loss"),
              "raw": t("mnist.s7.loss_raw"), "smooth": t("mnist.s7.loss_smooth")}
    # every point the run keeps (engine.trainer.BoundedSeries thins them past its limit), so
    # that a redraw adds points at the end rather than thinning the curve again, and a frame
    # is the curve's first n points (the moving average of a prefix is the prefix's)
    points = max(loss.limit, 2)
    traces = vz.loss_data(loss.x, loss.y, max_points=points)
    frames = _frames(traces, [(m.loss, m.loss) for m in marks], (_where(loss),) * 2)
    live_chart("mnist.live.loss", "mnist-loss",
               lambda: vz.loss_figure(loss.x, loss.y, labels, max_points=points),
               frames=frames, frame_s=_frame_s(marks),
               version=run.trainer.step_count, signature=run.uid, height=300)


def _accuracy(run: MnistRun) -> None:
    epochs = run.trainer.history.epochs
    labels = {"x": t("mnist.s7.axis_epoch"), "y": t("mnist.s7.axis_acc"),
              "train": t("mnist.s7.train"), "test": t("mnist.s7.test"),
              "chance": t("mnist.s7.chance")}
    # once an epoch: the whole (small) figure, whose axis follows the accuracies
    live_chart("mnist.live.accuracy", "mnist-accuracy", lambda: vz.accuracy_figure(
        [e.epoch for e in epochs], [e.train_acc for e in epochs],
        [run.test_acc.get(e.epoch) for e in epochs], labels), version=len(epochs),
        signature=run.uid, height=300)


def _grads(run: MnistRun, marks: list[_Mark]) -> None:
    stats = run.trainer.history.grad_stats
    series = {k: (s.x, s.y) for k, s in stats.items()}
    labels = {"x": t("mnist.s7.axis_step"), "y": t("mnist.s7.axis_grad")}
    points = max((s.limit for s in stats.values()), default=2)
    traces = vz.grad_flow_data(series, max_points=points)
    frames = _frames(traces, [m.grads for m in marks], tuple(map(_where, stats.values())))
    live_chart("mnist.live.grad-flow", "mnist-grad-flow",
               lambda: vz.grad_flow_figure(series, labels, max_points=points),
               frames=frames, frame_s=_frame_s(marks),
               version=run.trainer.step_count, signature=run.uid, height=300)


def _weights(run: MnistRun) -> None:
    W1 = run.network.params["W1"]
    total = W1.shape[1]
    if total <= WEIGHT_TILES:  # every neuron's tile is shown
        st.markdown(t("mnist.s7.weights_intro_all", n=total))
    else:
        st.markdown(t("mnist.s7.weights_intro", n=WEIGHT_TILES, total=total))
    if not all_finite(W1):
        st.warning(t("mnist.not_finite"), icon=":material/warning:")
        return
    live_chart("mnist.live.first-layer-weights", "mnist-first-layer-weights",
               lambda: vz.weight_tiles_figure(to_numpy(W1), n=WEIGHT_TILES, cols=8,
                                              sign_label=t("viz.sign_key")),
               data=lambda: vz.weight_tiles_data(to_numpy(W1), n=WEIGHT_TILES, cols=8),
               version=run.trainer.step_count, signature=run.uid, min_change=WEIGHTS_VISIBLE,
               every=WEIGHTS_EVERY_S)


def _analysis(run: MnistRun) -> None:
    analysis: Analysis | None = run.analysis
    if analysis is None:
        st.caption(t("mnist.s7.analysis_wait"))
        return
    st.subheader(t("mnist.s7.analysis_header", epoch=analysis.epoch, acc=analysis.acc))
    cols = st.columns([1, 1])
    with cols[0]:
        live_chart("mnist.live.confusion", "mnist-confusion", lambda: vz.confusion_figure(
            analysis.cm, {"x": t("mnist.s7.predicted"), "y": t("mnist.s7.true")}),
            data=lambda: vz.confusion_data(analysis.cm), version=analysis.step,
            signature=run.uid, height=420)
    with cols[1]:
        wrong = analysis.wrong
        if wrong:
            captions = [t("mnist.s7.wrong_caption", true=w.true, pred=w.predicted,
                          conf=w.confidence) for w in wrong]  # two short lines: tiles are narrow
            live_chart("mnist.live.misclassified", "mnist-misclassified", lambda: vz.digit_grid(
                run.x_test[[w.index for w in wrong]], captions, cols=6),
                version=analysis.step, signature=run.uid, height=420)
        else:
            st.success(t("mnist.s7.no_wrong"))
    true, pred, n, wrong_all = worst_confusion(analysis.cm)
    st.caption(t("mnist.s7.cm_note", true=true, pred=pred, n=n, wrong=wrong_all))


# ---------------------------------------------------------------- the chain, a drawn digit


def chain_intro(run: MnistRun) -> None:
    """The chain's heading, text and formula, written from the network the run trains: its
    depth (X·W1·W2 for one hidden layer) and its activation. The heading and the formula
    are in the engine's row form; the text gives the notes' column form once."""
    forms = chain_forms(run.network)
    st.header(t("mnist.chain.header", chain=forms.row))
    st.markdown(t("mnist.chain.intro", column=forms.column,
                  act=activation_names()[forms.activation]))
    st.latex(forms.latex)


def weight_chain(run: MnistRun, x, label: int) -> None:
    """The test digit x (1, 784) through each weight matrix, and what the network answers."""
    steps, proba = chain_steps(run.network, x)
    if not all_finite(proba, *(s[k] for s in steps for k in ("W", "x_in", "z", "a"))):
        st.warning(t("mnist.not_finite"), icon=":material/warning:")
        return
    labels = {"input": t("mnist.chain.input"), "proba": t("mnist.chain.proba"),
              "averaged": t("mnist.chain.averaged"),
              "averaged_cols": t("mnist.chain.averaged_cols")}
    # a fresh network's chain is the same for everyone with its settings: built once; a
    # trained one is the learner's own, built for this run only
    show_pure_chart(partial(vz.chain_figure, steps, labels, sign_label=t("viz.sign_key")),
                    "mnist-weight-chain", key="mnist.chart.chain", height=460,
                    shared=run.trainer.step_count == 0)
    guess = int(proba.argmax())
    st.markdown(t("mnist.chain.result", true=label, guess=guess, p=float(proba[guess]),
                  step=run.trainer.step_count))


def read_digit(run: MnistRun) -> None:
    """The canvas and the uploader beside what the network reads: its guess, how sure it
    is, its ten probabilities, and the preprocessing that made the drawing MNIST-like."""
    cols = st.columns([1, 1])
    with cols[0]:
        st.caption(t("mnist.draw.canvas_caption"))
        event = digit_canvas("mnist.draw.canvas", label=t("mnist.draw.canvas_label", px=CANVAS_PX),
                             clear_label=t("mnist.draw.clear"))
        upload = st.file_uploader(t("mnist.draw.upload", mb=MAX_UPLOAD_BYTES // 2**20),
                                  type=list(UPLOAD_SUFFIXES), key="mnist.draw.upload",
                                  max_upload_size=MAX_UPLOAD_BYTES // 2**20)
    ss = st.session_state
    image = None
    try:
        if event is not None:  # cleared, or a new stroke: the last drawing goes either way
            ss.pop(DRAWN, None)
            if not event.cleared:
                ss[DRAWN] = decode_drawing(event.drawing, CANVAS_PX)
        image = decode_image(upload.getvalue()) if upload is not None else ss.get(DRAWN)
    except ValueError as err:  # the checks' own words, in the learner's language
        with cols[1]:
            st.error(str(err), icon=":material/hide_image:")
        return
    with cols[1]:
        if image is None:
            st.info(t("mnist.draw.empty"), icon=":material/draw:")
            return
        try:
            prep = preprocess_steps(image)
        except InputError as err:  # an empty drawing, a picture that cannot be read
            show_error(err)
            return
        proba = predict_proba(run.network, prep.final.reshape(1, 784))[0]
        if not all_finite(proba):
            st.warning(t("mnist.not_finite"), icon=":material/warning:")
            return
        guess = int(proba.argmax())
        st.metric(t("mnist.draw.guess"), str(guess))
        st.caption(t("mnist.draw.sure", p=float(proba[guess])))
        if run.trainer.step_count == 0:
            st.warning(t("mnist.draw.untrained"), icon=":material/warning:")
        show_chart(vz.probability_figure(proba, {"x": t("mnist.draw.digit"),
                                                 "y": t("mnist.draw.proba")}),
                   "mnist-drawn-probabilities", key="mnist.chart.proba", height=260)
    show_chart(vz.preprocess_figure(prep.images, [t("mnist.draw.step_gray"),
                                                  t("mnist.draw.step_crop"),
                                                  t("mnist.draw.step_scaled"),
                                                  t("mnist.draw.step_final")]),
               "mnist-preprocessing", key="mnist.chart.prep", height=260)
    before, after = (f"({r:.1f}, {c:.1f})" for r, c in (prep.com_before, prep.com_after))
    st.caption(t("mnist.draw.prep_note", before=before, after=after))


# ---------------------------------------------------------------- the network as a file


def network_file(loop: LiveLoop, data, settings: list, key: str, backends) -> None:
    """Download the run held under `key` as mnist-network.npz, or bring one back: a good file
    becomes the run (its settings go into the form's widgets, `settings` in the page's order:
    layers, hidden 1..3, activation, init, optimizer, lr, batch, epochs, seed, backend)."""

    def load(upload) -> None:
        run = from_file(upload, data, max_bytes=MAX_NETWORK_BYTES, backends=backends)
        c = run.config
        values = [len(c.hidden), *(c.hidden + (None,) * MAX_LAYERS)[:MAX_LAYERS], c.activation,
                  c.init, c.optimizer, c.lr, c.batch, c.epochs, c.seed, c.backend]
        follow(settings, values, "MNIST")
        st.session_state[key] = Held(c, run)  # ui.state.held() keeps it: its config matches
        loop.stop_with(None)

    run = held_model(key)  # bound here: the file is written by a thread without the session
    file_controls("mnist", "mnist-network.npz", to_bytes=partial(network_bytes, run), load=load,
                  running=loop.running, size=file_bytes(run.network, run.trainer.optimizer))
