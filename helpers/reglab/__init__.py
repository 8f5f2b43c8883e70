"""reglab: regularization for deep learning, derived and implemented in NumPy.

Conventions (stated once, used everywhere):

* shapes: one example per row, X (m, n_in), W (n_in, n_out), b (n_out,), labels y (m,);
* randomness: every sampling function takes ``rng``, a ``np.random.Generator``;
* penalty: J = (1/m) Σ L + (λ/2m) Σ_l ‖W⁽ˡ⁾‖², gradient + (λ/m) W, biases not penalized;
* dropout: ``keep_prob`` is the probability of keeping a unit (inverted dropout).
"""

from .activity import ActivityL1
from .adversarial import FGSMTraining, adversarial_accuracy, fgsm, input_gradient
from .averaging import WeightAveraging
from .conv import Conv1D, Flatten
from .coordinate import coordinate_descent, lasso_coordinate_descent
from .ensemble import Ensemble, bootstrap_indices, train_bagging
from .gradcheck import check_model_gradients, numerical_gradient, relative_error
from .invariance import CircularShift, detrend, mean_and_spread, shift_averaged_proba
from .layers import Dense, Dropout, Layer, ReLU, Sequential, Sigmoid, Tanh, is_weight
from .losses import binary_cross_entropy, mean_squared_error, softmax_cross_entropy
from .mixup import Mixup
from .multitask import (
    MultiHead,
    MultiTaskLoss,
    pack_targets,
    train_multitask,
    train_tied,
    tying_penalty,
)
from .normalization import BatchNorm
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
    RMSPropNesterov,
    clip_by_global_norm,
    trajectory,
)
from .penalties import L1, L2, ElasticNet
from .sam import SAM
from .schedules import ConstantLR, CosineDecay, LinearDecay, Scheduled, StepDecay, Warmup
from .stacked import StackedModel, fit_many
from .tangent import TangentProp, shift_tangent
from .train import (
    BatchTransform,
    Callback,
    EarlyStopping,
    History,
    InputAugmentation,
    TrainingDiverged,
    evaluate,
    fit,
    minibatches,
    train_step,
)

__version__ = "0.1.0"

__all__ = [
    "CircularShift", "detrend", "mean_and_spread", "shift_averaged_proba", "ActivityL1", "Conv1D",
    "Flatten", "MultiHead", "MultiTaskLoss", "pack_targets", "train_multitask", "train_tied",
    "tying_penalty", "AdaGrad", "Adam", "AdamW", "BatchNorm", "BatchTransform", "Callback",
    "ConstantLR", "CosineDecay", "DecoupledWeightDecay", "Dense", "Dropout", "EarlyStopping",
    "ElasticNet", "Ensemble", "FGSMTraining", "GradientClipping", "History", "InputAugmentation",
    "L1", "L2", "Layer", "LinearDecay", "Mixup", "Momentum", "Nesterov", "ProximalL1", "RMSProp",
    "RMSPropNesterov", "ReLU", "SAM", "SGD", "Scheduled", "Sequential", "Sigmoid", "StackedModel",
    "StepDecay", "TangentProp", "Tanh", "TrainingDiverged", "Warmup", "WeightAveraging",
    "adversarial_accuracy", "binary_cross_entropy", "bootstrap_indices", "check_model_gradients",
    "clip_by_global_norm", "coordinate_descent", "evaluate", "fgsm", "fit", "fit_many",
    "input_gradient", "is_weight", "lasso_coordinate_descent", "mean_squared_error", "minibatches",
    "numerical_gradient", "relative_error", "shift_tangent", "softmax_cross_entropy",
    "train_bagging", "train_step", "trajectory",
]
