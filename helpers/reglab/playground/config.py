"""The playground's configuration: every setting, its check, and its JSON form.

A :class:`Config` is plain data (no widgets, no model). A lecturer hands out a
scenario as JSON; :meth:`Config.from_json` reads it back and refuses anything it
cannot use with a message that names the setting, e.g.
``ValueError: keep_prob must be in (0, 1], got 1.5``. Settings left out of the JSON
keep their defaults, so a scenario lists only what it changes.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields

from .._validate import check_int, check_real

CLASSIFICATION_SETS = ("moons", "circles", "spirals", "xor", "blobs")
REGRESSION_SETS = ("plane", "gaussians")
DATASETS = CLASSIFICATION_SETS + REGRESSION_SETS
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
#: The inputs the network can be given, computed from the two standardized coordinates
#: (TensorFlow Playground's features): a linear model on x1x2 solves XOR.
FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin x1", "sin x2")
#: The settings that can change while a run trains, without a restart (Session.adjust).
LIVE_SETTINGS = ("lr", "batch_size", "l1", "l2", "keep_prob", "input_noise", "patience",
                 "max_epochs")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


class ConfigError(ValueError):
    """A configuration (or its JSON) that the playground cannot use."""


def _check_choice(name, value, choices):
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


@dataclass(frozen=True)
class Config:
    """Every setting of one playground run; the same Config gives the same run.

    Data: ``dataset`` (one of DATASETS: two classes, or a real target for
    REGRESSION_SETS, trained with the squared error), ``n_points`` in all, ``noise`` (std of the
    Gaussian noise on each coordinate), ``train_frac`` (the rest is the test set),
    ``features`` (the network's inputs, a non-empty subset of FEATURES, computed from the
    standardized x1, x2). Network: ``depth`` hidden layers of ``width`` units (or of
    ``widths``, one width per hidden layer, when given: ``depth`` of them) with
    ``activation`` ("linear": no activation), two outputs (softmax cross-entropy), or one
    (mean squared error) for regression.
    Training: ``optimizer`` with learning rate ``lr`` (α), ``batch_size`` (B),
    ``max_epochs`` per press of Train. Regularization, in the λ/2m
    convention of :mod:`reglab.penalties`: ``l2`` (λ of an L2 penalty), ``l1`` (λ of an
    L1 term, applied by a proximal step so weights reach exactly 0), ``keep_prob``
    (inverted dropout after every hidden layer; 1 = off), ``input_noise`` (σ of
    Gaussian noise added to each training minibatch), ``early_stopping`` with
    ``patience`` epochs on the test loss. ``compare`` trains, next to the run, the same
    seed without any regularization (the baseline of the loss panel). ``seed`` fixes the
    data, the initial weights, the minibatch order, the dropout masks and the input noise.
    """

    dataset: str = "moons"
    features: tuple = ("x1", "x2")
    n_points: int = 200
    noise: float = 0.2
    train_frac: float = 0.5
    width: int = 16
    depth: int = 2
    widths: tuple = ()
    activation: str = "relu"
    optimizer: str = "adam"
    lr: float = 0.01
    batch_size: int = 10
    l1: float = 0.0
    l2: float = 0.0
    keep_prob: float = 1.0
    input_noise: float = 0.0
    early_stopping: bool = False
    patience: int = 20
    max_epochs: int = 300
    compare: bool = False
    seed: int = 0

    def __post_init__(self):
        try:
            _check_choice("dataset", self.dataset, DATASETS)
            if not isinstance(self.features, tuple) or not self.features:
                raise ConfigError(f"features must be a non-empty list of {', '.join(FEATURES)}"
                                  f", got {self.features!r}")
            for name in self.features:
                _check_choice("features", name, FEATURES)
            if len(set(self.features)) != len(self.features):
                raise ConfigError(f"features must not repeat a feature, got {self.features!r}")
            _check_choice("activation", self.activation, ACTIVATIONS)
            _check_choice("optimizer", self.optimizer, OPTIMIZERS)
            check_int("n_points", self.n_points, low=20)
            if self.n_points > 5000:
                raise ValueError(f"n_points must be <= 5000, got {self.n_points}")
            check_real("noise", self.noise, low=0, high=2)
            check_real("train_frac", self.train_frac, low=0.1, high=0.9)
            check_int("width", self.width, low=1)
            check_int("depth", self.depth, low=1)
            if self.width > 256 or self.depth > 8:
                raise ValueError(f"width must be <= 256 and depth <= 8, got width={self.width},"
                                 f" depth={self.depth}")
            if not isinstance(self.widths, tuple) or (
                    self.widths and len(self.widths) != self.depth):
                raise ValueError(f"widths must be empty or list one width per hidden layer "
                                 f"(depth = {self.depth}), got {self.widths!r}")
            for n in self.widths:
                check_int("widths", n, low=1)
                if n > 256:
                    raise ValueError(f"widths must be <= 256 each, got {self.widths!r}")
            check_real("lr", self.lr, low=0, low_open=True, high=10)
            check_int("batch_size", self.batch_size, low=1)
            check_real("l1", self.l1, low=0)
            check_real("l2", self.l2, low=0)
            check_real("keep_prob", self.keep_prob, low=0, high=1, low_open=True)
            check_real("input_noise", self.input_noise, low=0)
            if not isinstance(self.early_stopping, bool):
                raise TypeError(f"early_stopping must be true or false, got "
                                f"{self.early_stopping!r}")
            check_int("patience", self.patience, low=1)
            if not isinstance(self.compare, bool):
                raise TypeError(f"compare must be true or false, got {self.compare!r}")
            check_int("max_epochs", self.max_epochs, low=1)
            check_int("seed", self.seed, low=0)
        except (TypeError, ValueError) as err:
            raise ConfigError(str(err)) from None

    @property
    def layer_widths(self) -> tuple:
        """The width of each hidden layer: ``widths``, or ``width`` for each of ``depth``."""
        return self.widths or (self.width,) * self.depth

    @property
    def regression(self) -> bool:
        """True for the regression data sets (one real output, squared error)."""
        return self.dataset in REGRESSION_SETS

    def unregularized(self) -> Config:
        """The same run without any regularization: no L1, L2, dropout, input noise or
        early stopping (the baseline that ``compare`` draws)."""
        return self.replace(l1=0.0, l2=0.0, keep_prob=1.0, input_noise=0.0,
                            early_stopping=False, compare=False)

    @property
    def m_train(self) -> int:
        """Number of training points, m (the rest of ``n_points`` is the test set)."""
        return self.n_points - round((1 - self.train_frac) * self.n_points)

    def replace(self, **changes) -> Config:
        """A copy with some settings changed (checked like a new Config)."""
        return Config.from_dict({**asdict(self), **changes})

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        """The configuration as JSON text (one setting per line, in a fixed order)."""
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_dict(cls, settings) -> Config:
        """A Config from a dict of settings; missing ones keep their defaults."""
        if not isinstance(settings, dict):
            raise ConfigError(f"a scenario must be a JSON object {{\"setting\": value, ...}}, "
                              f"got {type(settings).__name__}")
        known = [f.name for f in fields(cls)]
        unknown = [k for k in settings if k not in known]
        if unknown:
            raise ConfigError(f"unknown setting {unknown[0]!r}; the settings are: "
                              f"{', '.join(known)}")
        values = dict(settings)
        for name in ("features", "widths"):  # JSON has lists, not tuples
            if isinstance(values.get(name), list):
                values[name] = tuple(values[name])
        for f in fields(cls):  # JSON has no int/float distinction: 1 is a valid lr
            if f.type == "float" and f.name in values and isinstance(values[f.name], int) \
                    and not isinstance(values[f.name], bool):
                values[f.name] = float(values[f.name])
        return cls(**values)

    @classmethod
    def from_json(cls, text: str) -> Config:
        """A Config from JSON text; a clear :class:`ConfigError` when it cannot be used."""
        if not isinstance(text, str):
            raise ConfigError(f"text must be a string of JSON, got {type(text).__name__}")
        try:
            settings = json.loads(text)
        except json.JSONDecodeError as err:
            raise ConfigError(f"the scenario is not valid JSON: {err.msg} at line {err.lineno},"
                              f" column {err.colno}") from None
        return cls.from_dict(settings)
