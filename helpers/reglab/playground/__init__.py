"""The regularization playground: a TensorFlow-Playground-like widget app on reglab.

* :mod:`~reglab.playground.config`: :class:`Config`, every setting, checked, as JSON;
* :mod:`~reglab.playground.session`: :class:`Session`, one run trained epoch by epoch
  (data and input features, network, optimizer, penalties, dropout, input noise, early
  stopping), whose regularization can change while it trains;
* :mod:`~reglab.playground.figure`: :class:`PlaygroundFigure`, the three live panels;
* :mod:`~reglab.playground.scenarios`: ready scenarios that mirror the notebooks;
* :mod:`~reglab.playground.controls` and :mod:`~reglab.playground.app`: the widgets and
  :class:`Playground`, the app (Train / Step / Reset / Stop, training in a thread).

Only the last two import ipywidgets; the rest runs anywhere NumPy and matplotlib do.
"""

from .config import (
    ACTIVATIONS,
    DATASETS,
    FEATURES,
    LIVE_SETTINGS,
    OPTIMIZERS,
    Config,
    ConfigError,
)
from .scenarios import SCENARIOS, describe, scenario
from .session import Session, build_model, build_optimizer, featurize, make_data

__all__ = ["ACTIVATIONS", "DATASETS", "FEATURES", "LIVE_SETTINGS", "OPTIMIZERS", "SCENARIOS",
           "Config", "ConfigError", "Playground", "PlaygroundFigure", "Session", "build_model",
           "build_optimizer", "describe", "featurize", "make_data", "scenario"]


def __getattr__(name):  # the widget app and the figure load ipywidgets/matplotlib on demand
    if name == "Playground":
        from .app import Playground
        return Playground
    if name == "PlaygroundFigure":
        from .figure import PlaygroundFigure
        return PlaygroundFigure
    raise AttributeError(f"module 'reglab.playground' has no attribute {name!r}")
