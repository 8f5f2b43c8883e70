"""The playground's input widgets, one per :class:`Config` setting, and their two-way map.

:func:`make_controls` builds the widgets (stable descriptions, and a CSS class
``reglab-<setting>`` on each, so that a browser test can find them);
:func:`read_controls` turns their values into a settings dict and
:func:`write_controls` shows a Config in them (stretching a slider's range when a
scenario asks for a value outside it, instead of letting the slider clip it).
"""

from __future__ import annotations

from dataclasses import fields

import ipywidgets as w

from .config import ACTIVATIONS, DATASETS, FEATURES, OPTIMIZERS, Config

LAMBDAS = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
STYLE = {"description_width": "120px"}
LAYOUT = {"width": "330px"}


def _slider(cls, description, **kw):
    return cls(description=description, style=STYLE, layout=LAYOUT, continuous_update=False,
               **kw)


def make_controls() -> dict:
    """One widget per setting of :class:`Config`, keyed by the setting's name."""
    c = {
        "dataset": w.Dropdown(options=DATASETS, description="data set"),
        "features": w.SelectMultiple(options=FEATURES, description="input features", rows=4),
        "n_points": _slider(w.IntSlider, "points", min=20, max=1000, step=10),
        "noise": _slider(w.FloatSlider, "noise", min=0.0, max=1.0, step=0.05),
        "train_frac": _slider(w.FloatSlider, "training fraction", min=0.1, max=0.9, step=0.05),
        "width": _slider(w.IntSlider, "width", min=1, max=64),
        "depth": _slider(w.IntSlider, "hidden layers", min=1, max=6),
        "widths": w.Text(description="widths per layer", continuous_update=False,
                         placeholder="e.g. 16, 8 (empty: the width for every layer)"),
        "activation": w.Dropdown(options=ACTIVATIONS, description="activation"),
        "optimizer": w.Dropdown(options=OPTIMIZERS, description="optimizer"),
        "lr": _slider(w.FloatLogSlider, "learning rate α", base=10, min=-4, max=1, step=0.1,
                      readout_format=".4g"),
        "batch_size": _slider(w.IntSlider, "batch size", min=1, max=100),
        "l1": _slider(w.SelectionSlider, "L1 λ", options=LAMBDAS),
        "l2": _slider(w.SelectionSlider, "L2 λ", options=LAMBDAS),
        "keep_prob": _slider(w.FloatSlider, "keep_prob", min=0.1, max=1.0, step=0.05),
        "input_noise": _slider(w.FloatSlider, "input noise σ", min=0.0, max=1.0, step=0.05),
        "early_stopping": w.Checkbox(description="early stopping", indent=False),
        "compare": w.Checkbox(description="compare without regularization", indent=False),
        "patience": _slider(w.IntSlider, "patience", min=1, max=100),
        "max_epochs": _slider(w.IntSlider, "epochs", min=10, max=2000, step=10),
        "seed": w.BoundedIntText(description="seed", min=0, max=2**31 - 1, style=STYLE,
                                 layout=LAYOUT),
    }
    for name, widget in c.items():
        widget.style.description_width = STYLE["description_width"]
        widget.layout.width = LAYOUT["width"]
        widget.add_class(f"reglab-{name.replace('_', '-')}")
    assert set(c) == {f.name for f in fields(Config)}
    return c


def read_controls(controls: dict) -> dict:
    """The settings shown by the widgets, as a dict (not yet checked: see Config).

    The widths box holds text such as "16, 8": read as a tuple of whole numbers (text
    that is not one is passed on as it is, for Config to refuse with a message).
    """
    settings = {name: widget.value for name, widget in controls.items()}
    text = settings["widths"].strip()
    parts = [p.strip() for p in text.split(",")] if text else []
    if all(p.isdigit() for p in parts):
        settings["widths"] = tuple(int(p) for p in parts)
    return settings


def write_controls(controls: dict, config: Config) -> None:
    """Show ``config`` in the widgets."""
    for name, value in config.to_dict().items():
        widget = controls[name]
        if name == "widths":
            value = ", ".join(str(n) for n in value)
        elif isinstance(widget, w.SelectionSlider):
            if value not in widget.options:
                widget.options = tuple(sorted({*widget.options, value}))
        elif isinstance(widget, w.FloatLogSlider):
            import math

            exponent = math.log10(value)
            widget.min, widget.max = min(widget.min, exponent), max(widget.max, exponent)
        elif hasattr(widget, "max") and not isinstance(widget, w.BoundedIntText):
            widget.max = max(widget.max, value)
            widget.min = min(widget.min, value)
        widget.value = value
