"""What the perceptron lesson shows of a result, for app_pages/perceptron.py, whose sections
hold the widgets and the state and call these:

    gate_check(p, gate)           # 1. the truth table, the worked sums, the verdict, the line
    gate_verdicts()               # 2. every gate: a line or none, and the learning rule's run
    xor_from_gates()              # 3. XOR from NAND, OR and AND: both spaces and the table
    xor_stop(step)                # 4. the note for what one advance_xor did (or None)
    xor_live(run)                 # 4. the live view: metrics, output map, loss, hidden space,
                                  #    the output and hidden deltas, every weight's gradient
    spiral_live(trainer, data)    # 5. the live view: metrics, class regions, loss

Every number comes from lessons.perceptron, every figure from viz.perceptron. The live views'
charts are live charts (ui.live_chart): drawn once per network, then given only what changed
(the loss its new points, the maps their new values once they visibly moved).
"""

from __future__ import annotations

from functools import cache, partial

import pandas as pd
import streamlit as st

import lessons.perceptron as pl
from ui.chart import show_pure_chart
from ui.export import show_table
from ui.i18n import t
from ui.live import Stop
from ui.live_chart import live_chart
from viz import perceptron as vz

SQUARE_HEIGHT = 420  # a square plot with its legend beside it, in the page's column
CURVE_HEIGHT = 280
X, T = pl.XOR_X, pl.XOR_T
# The output map is sent again once some cell's y moved by this much (2 % of the colour
# scale, which the eye just sees); the hidden points once one moved by half a percent of
# the square. The spiral's regions are class indices: any change is a cell changing colour.
MAP_VISIBLE = 0.02
HIDDEN_VISIBLE = 0.005


def formulas(*lines: str) -> None:
    """LaTeX formulas one under the other, centred: narrow enough for a phone."""
    st.latex(r"\begin{gathered}" + r"\\[2pt]".join(lines) + r"\end{gathered}")


def aligned(lines: list[str]) -> None:
    """LaTeX lines aligned at their '&' (a worked derivation)."""
    st.latex(r"\begin{aligned}" + r"\\".join(lines) + r"\end{aligned}")


def ok_mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def fig_labels(gate: str, **labels: str) -> dict[str, str]:
    """A figure's labels: the axes x1 and x2, the gate's two targets, and `labels`."""
    return {"x1": "x1", "x2": "x2", "target0": t("perceptron.fig.target0", gate=gate),
            "target1": t("perceptron.fig.target1", gate=gate), **labels}


def chart(build: partial, name: str, key: str, height: int) -> None:
    """The figure build() makes (a partial of a viz.perceptron builder, pure): once per
    process for the same arguments, language and slide mode (ui.chart.show_pure_chart)."""
    show_pure_chart(build, f"perceptron-{name}", key=f"perceptron.chart.{key}", height=height)


def live(name: str, build, data, trainer, height: int, min_change: float = 0.0) -> None:
    """A live chart of the network `trainer` trains: keyed perceptron.live.<name>, exported
    as perceptron-<name>, redrawn when a step was taken. Its signature is the trainer itself
    (compared by identity, and kept while the chart shows it, so that a new network never
    passes for the old one as a reused id() could): a new network is drawn afresh."""
    live_chart(f"perceptron.live.{name}", f"perceptron-{name}", build, data=data,
               version=trainer.step_count, signature=trainer, height=height,
               min_change=min_change)


def gate_check(p: pl.Perceptron, gate: str) -> None:
    """Section 1: how `p` answers `gate`, row by row, and where its line lies."""
    check = pl.check_gate(p, gate)
    table = {**check.columns(), t("perceptron.col_target", gate=gate): check.targets,
             t("perceptron.col_ok"): [ok_mark(ok) for ok in check.ok]}
    show_table(pd.DataFrame(table), f"perceptron-truth-table-{gate.lower()}", {"a": "{:.4g}"})
    st.latex(r"\begin{aligned}&" + r"\\&".join(pl.worked_sums(p)) + r"\end{aligned}")
    if check.right == 4:
        st.success(t("perceptron.match", gate=gate), icon=":material/check_circle:")
    elif gate == "XOR":
        st.warning(t("perceptron.xor_no_line", right=check.right), icon=":material/block:")
    else:
        st.info(t("perceptron.mismatch", gate=gate, right=check.right), icon=":material/tune:")
    segment = p.decision_line(*pl.SQUARE)
    chart(partial(vz.decision_line_figure,
        p.w1, p.w2, p.b, check.x, check.targets, check.outputs, segment,
        fig_labels(gate, side1=t("perceptron.fig.side1"), side0=t("perceptron.fig.side0"),
                   line=t("perceptron.fig.line")), *pl.SQUARE),
        "decision-line", "line", SQUARE_HEIGHT)
    if segment is None:
        st.caption(t("perceptron.no_line", y=int(p.b > 0)) if p.w1 == 0 and p.w2 == 0
                   else t("perceptron.line_outside"))
    st.caption(t("perceptron.fig.caption"))


def learn_text(learned: pl.LearnResult) -> str:
    epochs = len(learned.errors)
    if learned.converged:
        return t("perceptron.s2.converged", epochs=epochs)
    return t("perceptron.s2.not_converged", epochs=epochs, errors=int(learned.errors[-1]))


def gate_verdicts() -> None:
    """Section 2: every gate's line (or none) and the learning rule's errors per epoch."""
    verdicts = pl.gate_verdicts(lr=0.1, epochs=pl.LEARN_EPOCHS, seed=0)
    show_table(pd.DataFrame([{
        t("perceptron.s2.col_gate"): name,
        t("perceptron.s2.col_separable"): ok_mark(v.line is not None),
        t("perceptron.s2.col_line"): v.line_text,
        t("perceptron.s2.col_learn"): learn_text(v.learned),
    } for name, v in verdicts.items()]), "perceptron-gate-verdicts")
    st.caption(t("perceptron.s2.table_caption"))
    chart(partial(vz.errors_figure, {name: v.learned.errors for name, v in verdicts.items()},
                  {"x": t("perceptron.s2.epoch"), "y": t("perceptron.s2.errors")}),
          "learning-rule-errors", "errors", CURVE_HEIGHT + 40)
    st.caption(t("perceptron.s2.errors_caption", epochs=pl.LEARN_EPOCHS))


def xor_from_gates() -> None:
    """Section 3: the two layers of gates, the input space and the hidden space, the table."""
    chart(partial(vz.gates_diagram_figure, pl.GATES, {
        "x1": "x1", "x2": "x2", "s1": "s1", "s2": "s2", "y": "y",
        "layer0": t("perceptron.s3.layer0"), "layer1": t("perceptron.s3.layer1"),
        "layer2": t("perceptron.s3.layer2")}), "xor-from-gates", "gates", 360)
    lines = {g: pl.Perceptron.gate(g).decision_line(*pl.SQUARE) for g in ("NAND", "OR", "AND")}
    chart(partial(vz.xor_input_space_figure,
        X, T, {g: pl.GATES[g] for g in ("NAND", "OR")}, {g: lines[g] for g in ("NAND", "OR")},
        fig_labels("XOR", band=t("perceptron.s3.band"), NAND=t("perceptron.s3.nand_line"),
                   OR=t("perceptron.s3.or_line")), *pl.SQUARE),
        "xor-input-space", "input_space", SQUARE_HEIGHT)
    st.caption(t("perceptron.s3.input_caption"))
    y_gates, h_gates = pl.xor_from_gates(X)
    chart(partial(vz.hidden_space_figure,
        h_gates, T, X, pl.GATES["AND"], lines["AND"],
        {"s1": "s1 = NAND(x1, x2)", "s2": "s2 = OR(x1, x2)", **fig_labels(
            "XOR", side1=t("perceptron.s3.and_side"), line=t("perceptron.s3.and_line"))},
        *pl.SQUARE), "xor-hidden-space", "hidden_space", SQUARE_HEIGHT)
    st.caption(t("perceptron.s3.hidden_caption"))
    show_table(pd.DataFrame({**pl.xor_gates_columns(), t("perceptron.col_target", gate="XOR"): T,
                             t("perceptron.col_ok"): [ok_mark(ok) for ok in y_gates == T]}),
               "perceptron-xor-from-gates")


def xor_stop(step: pl.XorStep) -> Stop | None:
    """The note that ends a run of section 4's loop: learned, stuck, or at the epoch cap."""
    if step.event == "learned":
        return Stop(t("perceptron.s4.learned", epochs=step.epoch, loss=step.loss), "success")
    if step.event == "stalled":
        return Stop(t("perceptron.s4.stalled", epochs=step.epoch, loss=step.loss,
                      window=pl.XOR_STALL_WINDOW), "warning")
    if step.event == "cap":
        return Stop(t("perceptron.s4.cap", epochs=pl.XOR_MAX_EPOCHS), "info")
    return None


def xor_live(run: pl.XorRun) -> None:
    """Section 4's live view: the network's numbers, its output over the square, the loss,
    (H = 2) its own hidden space, then the output deltas and the backprop into the hidden
    layer, all from the current weights."""
    trainer = run.trainer
    net, loss = trainer.network, trainer.history.loss
    m = st.columns(3)
    m[0].metric(t("perceptron.epoch"), f"{trainer.epoch:,}")
    m[1].metric(t("perceptron.s4.loss"), f"{pl.xor_loss(net):.5f}")
    m[2].metric(t("perceptron.s4.accuracy"), f"{net.accuracy(X, T):.0%}")
    grid = cache(lambda: pl.probability_map(net))  # for build() and data() alike
    live("xor-net-output", lambda: vz.probability_map_figure(*grid(), X, T, {
        "z": "y", **fig_labels("XOR", boundary=t("perceptron.s4.boundary"))}),
         lambda: vz.probability_map_data(grid()[2], X, T), trainer, SQUARE_HEIGHT, MAP_VISIBLE)
    if len(loss):
        labels = {"x": t("perceptron.epoch"), "y": t("perceptron.s4.loss")}
        # every point the trainer keeps (its history is bounded): a redraw adds the new ones
        live("xor-loss", lambda: vz.epoch_loss_figure(loss.x, loss.y, labels),
             lambda: vz.epoch_loss_data(loss.x, loss.y), trainer, CURVE_HEIGHT)
    else:
        st.info(t("perceptron.s4.no_loss_yet"), icon=":material/play_arrow:")
    out = pl.output_line(net)
    if out is not None:  # H = 2: the network's own (s1, s2), as in section 3
        hidden = cache(lambda: (pl.hidden_backprop(net).y_h, T, X, out,
                                pl.Perceptron(*out).decision_line(*pl.HIDDEN_SQUARE)))
        labels = {"s1": "y_h1", "s2": "y_h2", **fig_labels(
            "XOR", side1=t("perceptron.s4.out_side"), line=t("perceptron.s4.out_line"))}
        live("xor-net-hidden-space",
             lambda: vz.hidden_space_figure(*hidden(), labels, *pl.HIDDEN_SQUARE),
             lambda: vz.hidden_space_data(*hidden(), *pl.HIDDEN_SQUARE), trainer,
             SQUARE_HEIGHT, HIDDEN_VISIBLE)
        st.caption(t("perceptron.s4.hidden_caption"))
    output_deltas(net)
    hidden_deltas(net)


def output_deltas(net) -> None:
    """Section 4, live: seed 004's delta rule at the output, and its check against backprop."""
    st.subheader(t("perceptron.s4.delta_header"))
    st.markdown(t("perceptron.s4.delta_intro"))
    formulas(r"\delta = (y_o - y_t)\cdot y_o\cdot(1 - y_o)",
             r"w \leftarrow w - \eta\cdot\delta\cdot y_h")
    st.markdown(t("perceptron.s4.delta_batch"))
    formulas(r"\frac{\partial\,\mathrm{loss}}{\partial W_2} = \frac{1}{N}\, y_h^{\top}\cdot\delta",
             r"W_2 \leftarrow W_2 - \mathrm{lr}\cdot\frac{1}{N}\, y_h^{\top}\cdot\delta")
    d = pl.output_delta(net, X, T)
    show_table(pd.DataFrame(pl.delta_columns(d)), "perceptron-output-deltas",
               {"y_o": "{:.4f}", pl.DELTA_COLUMN: "{:.5f}", "δ / N": "{:.6f}"})
    st.caption(t("perceptron.s4.delta_check", gap=f"{pl.delta_gap(net):.1e}"))


def hidden_deltas(net) -> None:
    """Section 4, live: seeds 001 and 004's δ of the hidden units, every weight's ∂C/∂w as
    (its input)·(the δ of the unit it feeds) for the four inputs, and the checks."""
    bp = pl.hidden_backprop(net)
    st.subheader(t("perceptron.s4.bp_header"))
    st.markdown(t("perceptron.s4.bp_notation"))
    st.markdown(t("perceptron.s4.bp_intro"))
    formulas(r"\delta^h_j = h'(a^h_j)\sum_k w^2_{kj}\,\delta^o_k",
             r"\delta^h = \big(\delta^o\cdot W_2^{\top}\big)\odot y_h\odot(1 - y_h)")
    st.markdown(t("perceptron.s4.bp_table"))
    inputs = pl.input_names(bp.x)
    table = pd.DataFrame(pl.hidden_delta_table(bp)).rename(
        columns={pl.QUANTITY_COLUMN: t("perceptron.s4.col_quantity")})
    show_table(table, "perceptron-hidden-deltas", {name: "{:.4g}" for name in inputs})
    st.markdown(t("perceptron.s4.bp_worked"))
    aligned(pl.hidden_delta_lines(bp))
    st.markdown(t("perceptron.s4.bp_grad"))
    formulas(r"\frac{\partial C}{\partial w^1_{jk}} = x_k\,\delta^h_j \qquad "
             r"\frac{\partial C}{\partial w^2_{kj}} = y_{h,j}\,\delta^o_k",
             r"\frac{\partial\,\mathrm{loss}}{\partial w} = \frac{1}{N}\sum_x "
             r"\frac{\partial C_x}{\partial w}")
    show_table(pd.DataFrame(pl.gradient_table(bp)), "perceptron-weight-gradients",
               {name: "{:.4g}" for name in [*inputs, pl.MEAN_COLUMN]})
    st.markdown(t("perceptron.s4.bp_grad_worked"))
    aligned(pl.gradient_lines(bp))
    gaps = pl.backprop_gaps(net)
    st.caption(t("perceptron.s4.bp_check", backprop=gaps.backprop, numerical=gaps.numerical))


def spiral_live(trainer, data) -> None:
    """Section 5's live view: epoch, loss and accuracy, the class regions, the epoch loss."""
    net, records = trainer.network, trainer.history.epochs
    x_sp, t_sp = data
    m = st.columns(3)
    m[0].metric(t("perceptron.epoch"), f"{trainer.epoch} / {pl.SPIRAL_EPOCHS}")
    m[1].metric(t("perceptron.s5.loss"), f"{float(net.loss(x_sp, t_sp)):.4f}")
    m[2].metric(t("perceptron.s5.accuracy"), f"{net.accuracy(x_sp, t_sp):.1%}")
    classes = t_sp.argmax(axis=1)
    names = [t("perceptron.s5.class", k=k) for k in range(3)]
    regions = cache(lambda: pl.class_regions(net))
    live("spiral-regions", lambda: vz.class_regions_figure(
        *regions(), x_sp, classes, {"x1": "x1", "x2": "x2"}, names),
         lambda: vz.class_regions_data(regions()[2], x_sp, classes, len(names)), trainer,
         SQUARE_HEIGHT + 40)
    if records:
        labels = {"x": t("perceptron.epoch"), "y": t("perceptron.s5.epoch_loss")}
        epochs, losses = [r.epoch for r in records], [r.loss for r in records]
        live("spiral-loss", lambda: vz.epoch_loss_figure(epochs, losses, labels, log_y=False),
             lambda: vz.epoch_loss_data(epochs, losses), trainer, CURVE_HEIGHT)
    else:
        st.info(t("perceptron.s5.no_loss_yet"), icon=":material/play_arrow:")
