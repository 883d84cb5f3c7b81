"""Errors of lessons.perceptron, as a learner in a notebook would meet them.

The page itself reaches none of them: its sliders bound w1, w2, b (to [−3, 3]), H, lr and
the seed, a link's bad values are turned away by ui.params, the gate is a radio of the four
names, and the networks it builds are the ones hidden_backprop and output_delta accept
(tests/app/test_perceptron_page.py drives the widgets' corners on a Korean page).
"""

import numpy as np

import lessons.perceptron as pl
from engine.network import MultiLayerNet

XOR = pl.build_xor(pl.XorConfig()).network


def _relu_net() -> MultiLayerNet:
    return MultiLayerNet(2, [3], 2, activation="relu", dtype=np.float64, seed=0)


CASES = {
    "perceptron_not_real": lambda: pl.Perceptron("one", 1, 0),
    "perceptron_not_finite": lambda: pl.Perceptron(float("inf"), 1, 0),
    "perceptron_step_nan": lambda: pl.step([0.5, float("nan")]),
    "perceptron_xor_single": lambda: pl.Perceptron.gate("XOR"),
    "perceptron_unknown_gate": lambda: pl.Perceptron.gate("NOR"),
    "perceptron_no_line": lambda: pl.Perceptron(0, 0, 1).x2_on_line(0.5),
    "perceptron_vertical_line": lambda: pl.Perceptron(2, 0, -1).x2_on_line(0.5),
    "perceptron_bad_square": lambda: pl.Perceptron(1, 1, 0).decision_line(1, -1),
    "perceptron_lr_not_positive": lambda: pl.perceptron_learn(pl.XOR_X, pl.XOR_T, lr=-0.1),
    "perceptron_bad_epochs": lambda: pl.perceptron_learn(pl.XOR_X, pl.XOR_T, epochs=0),
    "perceptron_too_many_steps": lambda: pl.perceptron_learn(pl.XOR_X, pl.XOR_T,
                                                             epochs=10**6),
    "perceptron_bad_init": lambda: pl.perceptron_learn(pl.XOR_X, pl.XOR_T, init=(1, 2)),
    "perceptron_not_sigmoid_net": lambda: pl.output_delta(_relu_net(), pl.XOR_X, pl.XOR_T),
    "perceptron_backprop_net": lambda: pl.hidden_backprop(_relu_net()),
    "perceptron_target_shape": lambda: pl.hidden_backprop(XOR, pl.XOR_X, [0, 1, 1]),
    "perceptron_points_shape": lambda: pl.separating_line([[0, 1, 2]], [1]),
    "perceptron_labels_shape": lambda: pl.separating_line(pl.XOR_X, [0, 1]),
    "perceptron_labels_values": lambda: pl.separating_line(pl.XOR_X, [0, 1, 2, 0]),
}
