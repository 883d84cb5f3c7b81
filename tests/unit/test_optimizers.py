"""The optimizers against references that do not use the engine's code.

- The first two updates of one number, worked out by hand: start θ = 1.0, learning rate 0.1,
  gradients g1 = 0.5 then g2 = -1.0 (every number can be followed with a pocket calculator).
- Several parameters (two of them of the same shape) over 25 updates, against each update rule
  written again below from its paper's equations: this catches state shared between
  parameters and a step count that moves once per parameter instead of once per update.
- The same runs against torch.optim, when torch is installed (marked `torch`).
"""

import importlib

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


# ---------------------------------------------------------------- several parameters, many steps
#
# Each rule below is the update as its paper writes it, one parameter at a time, with its own
# state in a dict of its own. Nothing here calls the engine.

STEPS = 25

# Hyperparameters away from the defaults, so a swapped or ignored one shows up. The eps values
# are large enough that putting eps inside the square root instead of outside would be seen.
HYPER = {
    "SGD": dict(lr=0.05),
    "Momentum": dict(lr=0.05, momentum=0.8),
    "Nesterov": dict(lr=0.05, momentum=0.7),
    "AdaGrad": dict(lr=0.1, eps=1e-3),
    "RMSProp": dict(lr=0.02, decay_rate=0.9, eps=1e-3),
    "Adam": dict(lr=0.03, beta1=0.8, beta2=0.95, eps=1e-4),
}


def sgd_rule(theta, g, state, t, lr):
    """θ ← θ − η·g."""
    return theta - lr * g


def momentum_rule(theta, g, state, t, lr, momentum):
    """Polyak's heavy ball, as the book writes it: v ← α·v − η·g;  θ ← θ + v."""
    state["v"] = momentum * state.get("v", 0.0) - lr * g
    return theta + state["v"]


def nesterov_rule(theta, g, state, t, lr, momentum):
    """Nesterov's momentum in Bengio, Boulanger-Lewandowski and Pascanu (2013), eq. 7, where the
    gradient is taken at the current parameters:
    v_t = μ·v_{t−1} − ε·g;  Θ_t = Θ_{t−1} − μ·v_{t−1} + (1 + μ)·v_t."""
    v_old = state.get("v", 0.0)
    v_new = momentum * v_old - lr * g
    state["v"] = v_new
    return theta - momentum * v_old + (1 + momentum) * v_new


def adagrad_rule(theta, g, state, t, lr, eps):
    """Duchi, Hazan and Singer (2011), diagonal form: h ← h + g²;  θ ← θ − η·g / (√h + ε)."""
    state["h"] = state.get("h", 0.0) + g**2
    return theta - lr * g / (np.sqrt(state["h"]) + eps)


def rmsprop_rule(theta, g, state, t, lr, decay_rate, eps):
    """Tieleman and Hinton (2012), lecture 6e: h ← ρ·h + (1 − ρ)·g²;  θ ← θ − η·g / (√h + ε)."""
    state["h"] = decay_rate * state.get("h", 0.0) + (1 - decay_rate) * g**2
    return theta - lr * g / (np.sqrt(state["h"]) + eps)


def adam_rule(theta, g, state, t, lr, beta1, beta2, eps):
    """Kingma and Ba (2015), Algorithm 1, at step t = 1, 2, ... (one t for all parameters)."""
    state["m"] = beta1 * state.get("m", 0.0) + (1 - beta1) * g
    state["v"] = beta2 * state.get("v", 0.0) + (1 - beta2) * g**2
    m_hat = state["m"] / (1 - beta1**t)
    v_hat = state["v"] / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps)


RULES = {
    "SGD": sgd_rule,
    "Momentum": momentum_rule,
    "Nesterov": nesterov_rule,
    "AdaGrad": adagrad_rule,
    "RMSProp": rmsprop_rule,
    "Adam": adam_rule,
}

# Four parameters; W1 and W2 have the same shape, so state kept by shape would be shared.
SHAPES = {"W1": (3, 2), "b1": (2,), "W2": (3, 2), "b2": (4,)}


class Problem:
    """Starting values and a gradient for each parameter: g = a ⊙ θ + c_t, where a is a fixed
    positive curvature per element and c_t a fresh random push at every step t. The gradient
    depends on where the parameter is, so a wrong update also changes every later gradient."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.start = {k: rng.standard_normal(s) for k, s in SHAPES.items()}
        self.curvature = {k: rng.uniform(0.5, 2.0, s) for k, s in SHAPES.items()}
        self.push = [{k: rng.standard_normal(s) for k, s in SHAPES.items()}
                     for _ in range(STEPS)]

    def gradient(self, key: str, theta: np.ndarray, step: int) -> np.ndarray:
        return self.curvature[key] * theta + self.push[step - 1][key]


def reference_path(name: str, problem: Problem) -> list[dict[str, np.ndarray]]:
    """The parameters after every step, from RULES; every gradient of a step is taken before
    any parameter moves, as a network's backward pass does."""
    rule, hyper = RULES[name], HYPER[name]
    theta = {k: v.copy() for k, v in problem.start.items()}
    state = {k: {} for k in theta}  # one state per parameter
    path = []
    for t in range(1, STEPS + 1):
        grads = {k: problem.gradient(k, theta[k], t) for k in theta}
        theta = {k: rule(theta[k], grads[k], state[k], t, **hyper) for k in theta}
        path.append({k: v.copy() for k, v in theta.items()})
    return path


def engine_path(name: str, problem: Problem, container: str) -> list[dict[str, np.ndarray]]:
    """The same run with the engine's optimizer, its params as a dict or as a list."""
    opt = OPTIMIZERS[name](**HYPER[name])
    keys = list(SHAPES)
    arrays = [problem.start[k].copy() for k in keys]
    path = []
    for t in range(1, STEPS + 1):
        grads = [problem.gradient(k, a, t) for k, a in zip(keys, arrays, strict=True)]
        if container == "dict":
            opt.update(dict(zip(keys, arrays, strict=True)), dict(zip(keys, grads, strict=True)))
        else:
            opt.update(arrays, grads)
        path.append({k: a.copy() for k, a in zip(keys, arrays, strict=True)})
    return path


def assert_same_path(got, expected, name):
    for t, (g, e) in enumerate(zip(got, expected, strict=True), start=1):
        for key in SHAPES:
            np.testing.assert_allclose(g[key], e[key], rtol=1e-10, atol=1e-12,
                                       err_msg=f"{name}: parameter {key} after step {t}")


@pytest.mark.parametrize("container", ["dict", "list"])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_several_parameters_over_many_steps_follow_the_papers_equations(name, container, rng):
    problem = Problem(rng)
    assert_same_path(engine_path(name, problem, container), reference_path(name, problem), name)


def test_the_problem_tells_the_two_same_shape_parameters_apart(rng):
    """The check above can only see shared state if W1 and W2 get different gradients."""
    problem = Problem(rng)
    assert SHAPES["W1"] == SHAPES["W2"]
    g1 = problem.gradient("W1", problem.start["W1"], 1)
    g2 = problem.gradient("W2", problem.start["W2"], 1)
    assert np.abs(g1 - g2).min() > 1e-6


def test_nesterov_is_sutskevers_look_ahead_step_moved_to_the_look_ahead_point(rng):
    """Sutskever et al. (2013) take the gradient at the look-ahead point θ + μ·v:
    v ← μ·v − η·∇f(θ + μ·v);  θ ← θ + v. The engine keeps φ = θ + μ·v as the parameter
    (the point where the gradient is taken), so after every step φ must equal θ + μ·v."""
    problem = Problem(rng)
    lr, mu = HYPER["Nesterov"]["lr"], HYPER["Nesterov"]["momentum"]
    theta = {k: v.copy() for k, v in problem.start.items()}
    v = {k: np.zeros(s) for k, s in SHAPES.items()}
    engine = engine_path("Nesterov", problem, "dict")
    for t in range(1, STEPS + 1):
        for k in theta:
            v[k] = mu * v[k] - lr * problem.gradient(k, theta[k] + mu * v[k], t)
            theta[k] = theta[k] + v[k]
            np.testing.assert_allclose(engine[t - 1][k], theta[k] + mu * v[k], rtol=1e-10,
                                       atol=1e-12, err_msg=f"{k} after step {t}")


@pytest.mark.parametrize("name", ["Adam", "Momentum", "AdaGrad"])
def test_state_belongs_to_each_parameter_not_to_its_shape(name):
    """Two parameters of one shape, the second with zero gradient: it must not move at all
    (state shared with the first would drag it along)."""
    opt = OPTIMIZERS[name](**HYPER[name])
    a, b = np.ones((2, 2)), np.ones((2, 2))
    for _ in range(5):
        opt.update({"a": a, "b": b}, {"a": np.full((2, 2), 0.5), "b": np.zeros((2, 2))})
    assert (a < 1).all()
    np.testing.assert_array_equal(b, np.ones((2, 2)))


def test_adams_step_counts_updates_not_parameters():
    """With three parameters and one update, each parameter's first Adam step is η·sign(g)
    (m̂ = g and v̂ = g² at t = 1, up to eps), whatever the number of parameters."""
    opt = Adam(lr=0.1, eps=1e-12)
    params = [np.zeros(2), np.zeros(3), np.zeros(2)]
    opt.update(params, [np.array([0.5, -2.0]), np.array([3.0, -0.1, 1.0]), np.array([1.0, 1.0])])
    np.testing.assert_allclose(params[0], [-0.1, 0.1])
    np.testing.assert_allclose(params[1], [-0.1, 0.1, -0.1])
    np.testing.assert_allclose(params[2], [-0.1, -0.1])


def test_adam_works_in_one_scratch_array_per_parameter_that_is_not_its_state():
    """A step makes no new arrays of a parameter's size (each would be a fresh, zeroed mmap of
    a few hundred kB in the server: half the MNIST page's training speed); the scratch array
    is not state: not saved, not in repr, not shared between parameters of one shape."""
    opt = Adam(lr=0.01)
    a, b = np.ones((3, 4), dtype=np.float32), np.ones((3, 4), dtype=np.float32)
    for _ in range(3):
        opt.update({"a": a, "b": b}, {"a": np.full((3, 4), 0.5, np.float32),
                                      "b": np.zeros((3, 4), np.float32)})
    assert sorted(opt.state) == [("m", "a"), ("m", "b"), ("v", "a"), ("v", "b")]
    work = {k: id(w) for k, w in opt._work.items()}
    opt.update({"a": a, "b": b}, {"a": np.ones((3, 4), np.float32),
                                  "b": np.ones((3, 4), np.float32)})
    assert {k: id(w) for k, w in opt._work.items()} == work  # the same arrays, step after step
    assert len(work) == 2 and "_work" not in repr(opt)
    assert a.dtype == np.float32


# ---------------------------------------------------------------- torch.optim, when installed


def torch_optimizer(name: str, params):
    """The torch.optim optimizer that performs the engine's update.

    torch keeps momentum as b ← μ·b + g, θ ← θ − η·b, which is the engine's v = −η·b; its
    nesterov=True is the engine's Nesterov (θ ← θ − η·(g + μ·b)). AdaGrad and RMSprop add eps
    outside the square root, as the engine does.
    """
    import torch

    hp = HYPER[name]
    if name == "SGD":
        return torch.optim.SGD(params, lr=hp["lr"])
    if name in ("Momentum", "Nesterov"):
        return torch.optim.SGD(params, lr=hp["lr"], momentum=hp["momentum"],
                               nesterov=name == "Nesterov")
    if name == "AdaGrad":
        return torch.optim.Adagrad(params, lr=hp["lr"], eps=hp["eps"])
    if name == "RMSProp":
        return torch.optim.RMSprop(params, lr=hp["lr"], alpha=hp["decay_rate"], eps=hp["eps"])
    return torch.optim.Adam(params, lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"])


@pytest.mark.torch
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_several_parameters_over_many_steps_match_torch_optim(name, rng):
    torch = pytest.importorskip("torch")
    problem = Problem(rng)
    tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
               for k, v in problem.start.items()}
    opt = torch_optimizer(name, list(tensors.values()))
    expected = []
    for t in range(1, STEPS + 1):
        for k, p in tensors.items():
            p.grad = torch.from_numpy(problem.gradient(k, p.detach().numpy().copy(), t))
        opt.step()
        expected.append({k: p.detach().numpy().copy() for k, p in tensors.items()})
    assert_same_path(engine_path(name, problem, "dict"), expected, name)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_each_docstring_writes_the_update_in_the_codes_names(name):
    """p (the array `_update_one(self, key, p, g)` changes) and g, as the lesson's formulas:
    no θ, no W."""
    doc = OPTIMIZERS[name].__doc__
    assert "p ← p" in doc and "g" in doc
    assert "θ" not in doc and "W" not in doc
    module = importlib.import_module("engine.optimizers").__doc__
    assert "g = ∂L/∂p" in module and "θ" not in module
