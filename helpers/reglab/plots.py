"""One plotting style for the whole collection: labelled axes, train vs validation.

Every function draws on ``ax`` (a new figure when None) and returns the axes, so
that notebooks can combine panels and tests can inspect what was drawn.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._validate import check_array, check_callable, check_instance, check_int
from .train import History

TRAIN_COLOR, VAL_COLOR = "tab:blue", "tab:orange"

STYLE = {
    "figure.figsize": (6.0, 4.0),
    "figure.dpi": 100,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "font.size": 10,
}


def use_style() -> None:
    """Apply the collection's matplotlib style (call once at the top of a notebook)."""
    plt.rcParams.update(STYLE)


def _axes(ax):
    return plt.subplots()[1] if ax is None else ax


def plot_history(history, metric: str = "loss", ax=None, title: str | None = None,
                 mark_epoch: int | None = None):
    """Training and validation ``metric`` ("loss" or "acc") per epoch of a History.

    ``mark_epoch`` (0-based) draws a dashed vertical line, e.g. the early-stopping
    point. Epochs are numbered from 1 on the x axis.
    """
    if metric not in ("loss", "acc"):
        raise ValueError(f"metric must be 'loss' or 'acc', got {metric!r}")
    check_instance("history", history, History, "a reglab History (what fit returns)")
    if mark_epoch is not None:
        check_int("mark_epoch", mark_epoch, low=0)
    ax = _axes(ax)
    epochs = np.arange(1, history.epochs + 1)
    for split, color in (("train", TRAIN_COLOR), ("val", VAL_COLOR)):
        values = getattr(history, f"{split}_{metric}")
        if values and values[0] is not None:
            label = "training" if split == "train" else "validation"
            ax.plot(epochs, values, color=color, label=label)
    if mark_epoch is not None:
        ax.axvline(mark_epoch + 1, color="gray", linestyle="--", label="stop")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss" if metric == "loss" else "accuracy")
    ax.set_title(title or ("loss per epoch" if metric == "loss" else "accuracy per epoch"))
    ax.legend()
    return ax


def plot_decision_boundary(predict, X, y, ax=None, resolution: int = 200, title: str = ""):
    """Coloured class regions of ``predict`` over the 2-D data X (m, 2), points on top.

    ``predict`` maps (k, 2) points to (k,) integer classes, e.g. ``model.predict``.
    """
    check_callable("predict", predict, "a function (k, 2) points -> (k,) classes")
    X = check_array("X", X)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (m, 2), got {X.shape}")
    if np.shape(y) != X.shape[:1]:
        raise ValueError(f"y must have shape ({len(X)},) to match X, got {np.shape(y)}")
    resolution = check_int("resolution", resolution, low=2)
    ax = _axes(ax)
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0))
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                         np.linspace(lo[1], hi[1], resolution))
    zz = np.asarray(predict(np.column_stack([g0.ravel(), g1.ravel()]))).reshape(g0.shape)
    ax.contourf(g0, g1, zz, alpha=0.25, cmap="coolwarm")
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=12, edgecolors="k", linewidths=0.3)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    return ax
