"""reglab: regularization for deep learning, derived and implemented in NumPy.

Conventions (stated once, used everywhere):

* shapes: one example per row, X (m, n_in), W (n_in, n_out), b (n_out,), labels y (m,);
* randomness: every sampling function takes ``rng``, a ``np.random.Generator``;
* penalty: J = (1/m) Σ L + (λ/2m) Σ_l ‖W⁽ˡ⁾‖², gradient + (λ/m) W, biases not penalized;
* dropout: ``keep_prob`` is the probability of keeping a unit (inverted dropout).
"""

from .gradcheck import check_model_gradients, numerical_gradient, relative_error
from .layers import Dense, Dropout, Layer, ReLU, Sequential, Sigmoid, Tanh, is_weight
from .losses import binary_cross_entropy, mean_squared_error, softmax_cross_entropy
from .optim import (
    SGD,
    AdaGrad,
    Adam,
    AdamW,
    DecoupledWeightDecay,
    GradientClipping,
    Momentum,
    Nesterov,
    ProximalL1,
    RMSProp,
    clip_by_global_norm,
)
from .penalties import L1, L2, ElasticNet
from .train import (
    Callback,
    EarlyStopping,
    History,
    TrainingDiverged,
    evaluate,
    fit,
    minibatches,
    train_step,
)

__version__ = "0.1.0"

__all__ = [
    "SGD", "AdaGrad", "Adam", "AdamW", "Callback", "DecoupledWeightDecay", "Dense", "Dropout",
    "EarlyStopping", "ElasticNet", "GradientClipping", "History", "L1", "L2", "Layer", "Momentum",
    "Nesterov", "ProximalL1", "RMSProp", "ReLU", "Sequential", "Sigmoid", "Tanh",
    "TrainingDiverged",
    "binary_cross_entropy", "check_model_gradients", "clip_by_global_norm", "evaluate", "fit",
    "is_weight", "mean_squared_error", "minibatches", "numerical_gradient", "relative_error",
    "softmax_cross_entropy", "train_step",
]
