"""Each optimizer's first two updates against values worked out by hand.

Start θ = 1.0, learning rate 0.1, gradients g1 = 0.5 then g2 = -1.0 (given, so
every number below can be followed with a pocket calculator).
"""

import numpy as np
import pytest

from engine.optimizers import OPTIMIZERS, SGD, AdaGrad, Adam, Momentum, Nesterov, RMSProp

G1, G2 = 0.5, -1.0

# (optimizer, θ after step 1, θ after step 2), worked by hand:
CASES = {
    # θ1 = 1 - 0.1·0.5 = 0.95;  θ2 = 0.95 + 0.1 = 1.05
    "SGD": (lambda: SGD(lr=0.1), 0.95, 1.05),
    # v1 = -0.05, θ1 = 0.95;  v2 = 0.9·(-0.05) + 0.1 = 0.055, θ2 = 1.005
    "Momentum": (lambda: Momentum(lr=0.1, momentum=0.9), 0.95, 1.005),
    # v1 = -0.05, θ1 = 1 + 0.9·(-0.05) - 0.05 = 0.905
    # v2 = 0.055,  θ2 = 0.905 + 0.9·0.055 + 0.1 = 1.0545
    "Nesterov": (lambda: Nesterov(lr=0.1, momentum=0.9), 0.905, 1.0545),
    # h1 = 0.25, θ1 = 1 - 0.1·0.5/(0.5 + 1e-7) = 0.90000002
    # h2 = 1.25, θ2 = θ1 + 0.1/(1.1180340 + 1e-7) = 0.98944273
    "AdaGrad": (lambda: AdaGrad(lr=0.1), 0.90000002, 0.98944273),
    # h1 = 0.01·0.25 = 0.0025, θ1 = 1 - 0.1·0.5/(0.05 + 1e-7) = 0.000002
    # h2 = 0.99·0.0025 + 0.01·1 = 0.012475, θ2 = θ1 + 0.1/(0.1116915 + 1e-7) = 0.89532416
    "RMSProp": (lambda: RMSProp(lr=0.1, decay_rate=0.99), 0.000002, 0.89532416),
    # m1 = 0.05, v1 = 0.00025, m̂ = 0.5, v̂ = 0.25, θ1 = 1 - 0.1·0.5/0.5 = 0.9
    # m2 = 0.045 - 0.1 = -0.055, v2 = 0.00024975 + 0.001 = 0.00124975
    # m̂ = -0.055/0.19 = -0.2894737, v̂ = 0.00124975/0.001999 = 0.6251876
    # θ2 = 0.9 + 0.1·0.2894737/0.7906881 = 0.93661035
    "Adam": (lambda: Adam(lr=0.1), 0.9, 0.93661035),
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("container", ["dict", "list"])
def test_first_two_updates_match_hand_computation(name, container):
    make, after1, after2 = CASES[name]
    opt = make()
    theta = np.array([1.0])
    params = {"W": theta} if container == "dict" else [theta]
    wrap = (lambda g: {"W": np.array([g])}) if container == "dict" else (lambda g: [np.array([g])])
    opt.update(params, wrap(G1))
    assert theta[0] == pytest.approx(after1, abs=1e-7), f"{name} step 1"
    opt.update(params, wrap(G2))
    assert theta[0] == pytest.approx(after2, abs=1e-7), f"{name} step 2"


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_updates_in_place_and_keeps_dtype(name):
    W = np.ones((3, 2), dtype=np.float32)
    ref = W
    opt = OPTIMIZERS[name](lr=0.01)
    opt.update({"W": W}, {"W": np.full((3, 2), 0.5, dtype=np.float32)})
    assert ref is W and W.dtype == np.float32
    assert (W < 1).all()


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_minimizes_a_bowl(name):
    """f(x, y) = x²/20 + y² (the book's surface): every optimizer gets close to (0, 0)."""
    lr = {"SGD": 0.9, "Momentum": 0.1, "Nesterov": 0.1, "AdaGrad": 1.5, "RMSProp": 0.1,
          "Adam": 0.3}[name]
    opt = OPTIMIZERS[name](lr=lr)
    p = np.array([-7.0, 2.0])
    start = p[0] ** 2 / 20 + p[1] ** 2
    for _ in range(300):
        opt.update([p], [np.array([p[0] / 10, 2 * p[1]])])
    assert p[0] ** 2 / 20 + p[1] ** 2 < 0.01 * start


def test_reset_forgets_state():
    opt = Adam(lr=0.1)
    p = np.array([1.0])
    opt.update([p], [np.array([G1])])
    opt.reset()
    q = np.array([1.0])
    opt.update([q], [np.array([G1])])
    assert q[0] == pytest.approx(0.9)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: SGD(lr=0), "lr must be a finite number > 0"),
        (lambda: SGD(lr=-0.1), "lr must be a finite number > 0"),
        (lambda: SGD(lr=float("nan")), "lr must be a finite number > 0"),
        (lambda: Momentum(lr=0.1, momentum=1.0), r"momentum must be in \[0, 1\)"),
        (lambda: Adam(beta1=1.5), r"beta1 must be in \[0, 1\)"),
        (lambda: Adam(beta2=-0.1), r"beta2 must be in \[0, 1\)"),
        (lambda: RMSProp(decay_rate=1), r"decay_rate must be in \[0, 1\)"),
        (lambda: AdaGrad(eps=0), "eps must be"),
        (lambda: SGD().update({"W": np.ones(2)}, {"V": np.ones(2)}), "same keys"),
        (lambda: SGD().update([np.ones(2)], [np.ones(3)]), "shape"),
        (lambda: SGD().update([np.ones(2)], []), "same length"),
    ],
)
def test_bad_hyperparameters_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
