"""The same engine on cupy: skipped unless cupy imports and a CUDA device is visible."""

import numpy as np
import pytest

from engine.backend import cupy_available, get_array_module, to_numpy
from engine.datasets import spiral
from engine.network import MultiLayerNet
from engine.optimizers import OPTIMIZERS
from engine.trainer import Trainer

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not cupy_available(), reason="needs cupy and a CUDA device"),
]


def test_network_on_cupy_matches_numpy():
    import cupy

    x = np.random.default_rng(0).standard_normal((8, 5))
    t = np.arange(8) % 3
    cpu = MultiLayerNet(5, [7, 4], 3, dtype=np.float64, seed=3, backend="numpy")
    gpu = MultiLayerNet(5, [7, 4], 3, dtype=np.float64, seed=3, backend="cupy")
    assert isinstance(gpu.params["W1"], cupy.ndarray)
    assert get_array_module(gpu.params["W1"]) is cupy
    np.testing.assert_allclose(to_numpy(gpu.predict(x)), cpu.predict(x), rtol=1e-10)
    g_cpu, g_gpu = cpu.gradient(x, t), gpu.gradient(x, t)
    for key in cpu.params:
        np.testing.assert_allclose(to_numpy(g_gpu[key]), g_cpu[key], rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizers_on_cupy_match_numpy(name):
    import cupy

    p_cpu = np.linspace(-1, 1, 6)
    p_gpu = cupy.asarray(p_cpu)
    g = np.linspace(0.5, -0.5, 6)
    o_cpu, o_gpu = OPTIMIZERS[name](lr=0.1), OPTIMIZERS[name](lr=0.1)
    for _ in range(3):
        o_cpu.update([p_cpu], [g])
        o_gpu.update([p_gpu], [cupy.asarray(g)])
    np.testing.assert_allclose(to_numpy(p_gpu), p_cpu, rtol=1e-10)


def test_trainer_on_cupy_learns_spiral():
    x, t = spiral()
    net = MultiLayerNet(2, [10], 3, activation="sigmoid", weight_init_std=0.01, seed=0,
                        backend="cupy")
    from engine.optimizers import SGD

    trainer = Trainer(net, SGD(lr=1.0), x, t, batch_size=30, seed=0, eval_samples=None)
    trainer.fit(epochs=300)
    assert trainer.history.epochs[-1].train_acc >= 0.95


def test_measure_speed_waits_for_the_gpu():
    from engine.trainer import measure_speed

    x, t = spiral()
    net = MultiLayerNet(2, [10], 3, seed=0, backend="cupy")
    from engine.optimizers import SGD

    trainer = Trainer(net, SGD(lr=0.1), x, t, batch_size=30, seed=0, eval_samples=0)
    assert measure_speed(trainer, seconds=0.2) > 0
    assert trainer.step_count > 5
