"""The engine behind every page: small numpy (or cupy) layers a learner can read in one sitting.

Every number the app shows is computed here or in lessons/ on top of it, so a notebook can
reproduce it:

    from engine import MultiLayerNet, Adam, Trainer, load_mnist
    (x_train, t_train), (x_test, t_test) = load_mnist(keep_uint8=True)
    net = MultiLayerNet(784, [100], 10, activation="relu", weight_init_std="he", seed=0)
    trainer = Trainer(net, Adam(lr=0.001), x_train, t_train, x_test, t_test)
    trainer.fit(epochs=1)
    trainer.history.epochs[-1].test_acc

Modules: backend (numpy/cupy), functions (activations, softmax, loss, numerical
gradient), layers (forward/backward, the activation registry), network (MultiLayerNet),
optimizers, trainer, gradcheck, datasets (MNIST, logic gates, spiral), saving (save and load
a network as .npz), and autograd
(computational-graph nodes, ops and Graph).

This package never imports a UI library, nor anything from lessons/.
"""

from .backend import cupy_available, get_array_module, get_backend, to_numpy
from .datasets import load_mnist, spiral
from .network import MultiLayerNet
from .optimizers import OPTIMIZERS, SGD, AdaGrad, Adam, Momentum, Nesterov, RMSProp
from .saving import Saved, load, save
from .trainer import Trainer, TrainingDiverged

__all__ = ["OPTIMIZERS", "SGD", "AdaGrad", "Adam", "Momentum", "MultiLayerNet", "Nesterov",
           "RMSProp", "Saved", "Trainer", "TrainingDiverged", "cupy_available",
           "get_array_module", "get_backend", "load", "load_mnist", "save", "spiral", "to_numpy"]
