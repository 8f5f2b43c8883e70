"""One plotting style for the whole collection: labelled axes, train vs validation.

Every function draws on ``ax`` (a new figure when None) and returns the axes, so
that notebooks can combine panels and tests can inspect what was drawn.
"""

from __future__ import annotations

import re

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.container import BarContainer, ErrorbarContainer
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from ._validate import check_array, check_callable, check_instance, check_int
from .train import History

TRAIN_COLOR, VAL_COLOR = "tab:blue", "tab:orange"
# Never colour alone: training curves are solid, validation (and test) curves dashed, so
# that the two stay apart in grey print and for every colour vision (reglab.colour_vision).
TRAIN_STYLE = {"color": TRAIN_COLOR, "linestyle": "-"}
VAL_STYLE = {"color": VAL_COLOR, "linestyle": "--"}
CLASS_CMAP, REGION_ALPHA = "coolwarm", 0.3      # class regions: the colormap's ends, faded
CLASS_MARKERS = ("o", "^", "s", "D", "v", "P")

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
AUDIT_HOOK = "reglab.plots:audit_on_draw"


def use_style(audit: bool = False) -> None:
    """Apply the collection's matplotlib style (call once at the top of a notebook).

    ``audit=True`` also checks every figure created afterwards with :func:`check_figure`
    when it is drawn (shown inline, saved): a figure that breaks the rules raises instead
    of being shown. ``audit=False`` switches the check off again.
    """
    if not isinstance(audit, bool):
        raise TypeError(f"audit must be True or False, got {audit!r}")
    plt.rcParams.update(STYLE)
    hooks = [h for h in plt.rcParams["figure.hooks"] if h != AUDIT_HOOK]
    plt.rcParams["figure.hooks"] = hooks + [AUDIT_HOOK] if audit else hooks


def _axes(ax):
    return plt.subplots()[1] if ax is None else ax


def plot_history(history, metric: str = "loss", ax=None, title: str | None = None,
                 mark_epoch: int | None = None):
    """Training and validation ``metric`` ("loss" or "acc") per epoch of a History.

    Training is drawn solid in TRAIN_COLOR, validation dashed in VAL_COLOR (TRAIN_STYLE,
    VAL_STYLE). ``mark_epoch`` (0-based) draws a dotted vertical line, e.g. the early-stopping
    point. Epochs are numbered from 1 on the x axis. Epochs that were not evaluated
    (``fit(..., eval_every=k)``) are skipped and the evaluated ones marked; training
    metrics that are running means over the epoch's minibatches say so in the legend.
    """
    if metric not in ("loss", "acc"):
        raise ValueError(f"metric must be 'loss' or 'acc', got {metric!r}")
    check_instance("history", history, History, "a reglab History (what fit returns)")
    if mark_epoch is not None:
        check_int("mark_epoch", mark_epoch, low=0)
    ax = _axes(ax)
    epochs = np.arange(1, history.epochs + 1)
    running = getattr(history, "train_metrics", "full") == "running"
    labels = {"train": "training (running mean)" if running else "training",
              "val": "validation"}
    for split, style in (("train", TRAIN_STYLE), ("val", VAL_STYLE)):
        values = getattr(history, f"{split}_{metric}")  # None: an epoch not evaluated
        points = [(e, v) for e, v in zip(epochs, values, strict=True) if v is not None]
        if points:
            x, values = zip(*points, strict=True)
            ax.plot(x, values, **style, label=labels[split],
                    marker="o" if len(points) < history.epochs else None)
    if mark_epoch is not None:
        ax.axvline(mark_epoch + 1, color="gray", linestyle=":", label="stop")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss" if metric == "loss" else "accuracy")
    ax.set_title(title or ("loss per epoch" if metric == "loss" else "accuracy per epoch"))
    ax.legend()
    return ax


def plot_decision_boundary(predict, X, y, ax=None, resolution: int = 200, title: str = ""):
    """Coloured class regions of ``predict`` over the 2-D data X (m, 2), points on top.

    Regions and points take CLASS_CMAP (the first class blue, the last red: distinct for
    every colour vision, reglab.colour_vision); each class's points also have their own
    marker (CLASS_MARKERS), so that no class is told by colour alone.

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
    classes = np.unique(y)
    norm = mcolors.Normalize(classes.min(), classes.max())
    ax.contourf(g0, g1, zz, alpha=REGION_ALPHA, cmap=CLASS_CMAP, norm=norm)
    for k, c in enumerate(classes):                  # each class its colour and its marker
        ax.scatter(*X[np.asarray(y) == c].T, color=plt.get_cmap(CLASS_CMAP)(norm(c)),
                   marker=CLASS_MARKERS[k % len(CLASS_MARKERS)], s=14, edgecolors="k",
                   linewidths=0.3, label=f"class {c}")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    return ax


# --------------------------------------------------------------------------- the figure audit

MIN_FONT_SIZE = 8.0
_NUMPY_REPR = re.compile(r"array\(|\[\s*[-+]?\d[\d.eE+-]*\s+[-+]?\d")  # [0.954 0.3  ]
_TRAIN = re.compile(r"\btrain(?:ing)?\b", re.IGNORECASE)
_VAL = re.compile(r"\bval(?:idation)?\b", re.IGNORECASE)
_HELD_OUT = re.compile(r"\b(?:val(?:idation)?|test)\b", re.IGNORECASE)


def _name(ax, i: int) -> str:
    title = ax.get_title() or ax.get_xlabel() or ax.get_ylabel()
    return f"axes {i}" + (f" ({title!r})" if title else "")


def _has_data(ax) -> bool:
    return bool(ax.lines or ax.collections or ax.patches or ax.images or ax.containers)


def _visible_ticklabels(axis) -> bool:
    return any(t.get_visible() and t.get_text() for t in axis.get_ticklabels())


def _same_color(a, b) -> bool:
    try:
        return np.allclose(mcolors.to_rgba(a)[:3], mcolors.to_rgba(b)[:3])
    except (ValueError, TypeError):
        return False


def _labelled_colors(ax):
    """(label, colour) of every labelled line, collection and bar group of ``ax``."""
    for line in ax.get_lines():
        yield line.get_label(), line.get_color()
    for coll in ax.collections:
        colors = coll.get_facecolor() if len(coll.get_facecolor()) else coll.get_edgecolor()
        if len(colors):
            yield coll.get_label(), colors[0]
    for container in ax.containers:
        if isinstance(container, BarContainer) and container.patches:
            yield container.get_label(), container.patches[0].get_facecolor()


def _labelled_styles(ax):
    """(label, style) of every labelled line, scatter, bar group and error-bar line of
    ``ax``: what tells it apart besides its colour (line style and marker; marker shape
    and fill; hatch)."""
    for line in ax.get_lines():
        yield line.get_label(), ("line", line.get_linestyle(), line.get_marker())
    for coll in ax.collections:
        if isinstance(coll, PathCollection) and coll.get_paths():
            filled = bool(np.any(np.asarray(coll.get_facecolor())[:, 3] > 0))  # or hollow
            yield coll.get_label(), ("points", coll.get_paths()[0].vertices.round(3).tobytes(),
                                     filled)
    for container in ax.containers:
        if isinstance(container, BarContainer) and container.patches:
            yield container.get_label(), ("bars", container.patches[0].get_hatch())
        if isinstance(container, ErrorbarContainer) and container.lines[0] is not None:
            line = container.lines[0]                 # the data line; its label is the container's
            yield container.get_label(), ("line", line.get_linestyle(), line.get_marker())


def _colour_only_pairs(ax):
    """(training label, held-out label) pairs of ``ax`` drawn alike but for their colour."""
    styles = list(_labelled_styles(ax))
    train = [(lab, st) for lab, st in styles if _TRAIN.search(lab) and not _HELD_OUT.search(lab)]
    held = [(lab, st) for lab, st in styles if _HELD_OUT.search(lab) and not _TRAIN.search(lab)]
    return [(a, b) for a, sa in train for b, sb in held if sa == sb]


def _covers_data(ax, box, renderer) -> bool:
    """True when the display-space Bbox ``box`` overlaps a line, a bar or a scatter point."""
    for line in ax.get_lines():
        if line.get_visible() and len(line.get_xydata()):
            path = line.get_transform().transform_path(line.get_path())
            if path.intersects_bbox(box, filled=False):
                return True
    for container in ax.containers:
        if isinstance(container, BarContainer):
            if any(p.get_window_extent(renderer).overlaps(box) for p in container.patches):
                return True
    for coll in ax.collections:
        if isinstance(coll, PathCollection) and len(coll.get_offsets()):
            x, y = coll.get_offset_transform().transform(coll.get_offsets()).T
            if np.any((box.x0 <= x) & (x <= box.x1) & (box.y0 <= y) & (y <= box.y1)):
                return True
    return False


def figure_problems(fig, renderer=None) -> list[str]:
    """What in ``fig`` breaks the collection's figure rules, one string per problem.

    The rules (DESIGN.md, "Notebooks"):

    * every axes that shows data has an x and a y label, on each axis whose tick labels
      are visible (so shared axes of a row need one y label; axes switched off, pure-text
      panels and colorbars need none, and an axes showing only images is exempt: its
      axes are the pixel grid);
    * bars start at zero: the value axis of a bar chart (or histogram) includes 0, unless
      it is logarithmic (counts over orders of magnitude, where no bar can start at 0);
    * no legend entry, title or axis label looks like a NumPy repr (``[0.954 0.3  ]``,
      ``array(``): numbers are formatted for people;
    * a legend covers no data: its box, where it lies inside the axes, crosses no line,
      bar or scatter point (display coordinates, after a draw);
    * no visible text is smaller than ``MIN_FONT_SIZE`` (8 pt);
    * one colour convention: nothing labelled "train"/"training" is drawn in VAL_COLOR,
      nothing labelled "val"/"validation" in TRAIN_COLOR;
    * never colour alone: a line, scatter or bar group labelled "train"/"training" and one
      labelled "val"/"validation"/"test" in the same axes differ by more than colour
      (line style or marker, marker shape or fill, hatch), so that they stay apart for a viewer
      who cannot tell the colours apart.

    Returns an empty list for a figure that follows them all. The figure is drawn first to
    place its texts and legends (on an Agg canvas a real draw, so that the picture the
    canvas holds stays what the figure shows); pass the ``renderer`` of a draw that has
    just happened to skip that (a draw during a draw would spoil the output).
    """
    if renderer is None:
        if hasattr(fig.canvas, "get_renderer"):  # Agg: a real draw, so the canvas keeps its picture
            fig.canvas.draw()
            renderer = fig.canvas.get_renderer()
        else:
            fig.draw_without_rendering()
    problems = []
    for i, ax in enumerate(fig.axes):
        name = _name(ax, i)
        if not ax.axison or hasattr(ax, "_colorbar"):
            continue
        only_images = bool(ax.images) and not (ax.lines or ax.collections or ax.patches)
        if _has_data(ax) and not only_images:
            for axis, letter in ((ax.xaxis, "x"), (ax.yaxis, "y")):
                if _visible_ticklabels(axis) and not axis.get_label_text().strip():
                    problems.append(f"{name}: no {letter} label")
        for container in ax.containers:
            if isinstance(container, BarContainer) and container.patches:
                vertical = getattr(container, "orientation", "vertical") != "horizontal"
                lo, hi = sorted(ax.get_ylim() if vertical else ax.get_xlim())
                log = (ax.get_yscale() if vertical else ax.get_xscale()) == "log"
                if not log and not lo <= 0 <= hi:
                    problems.append(f"{name}: bars do not start at 0 (value axis "
                                    f"{lo:.3g} to {hi:.3g})")
        for label, color in _labelled_colors(ax):
            if _TRAIN.search(label) and _same_color(color, VAL_COLOR):
                problems.append(f"{name}: {label!r} is drawn in the validation colour")
            if _VAL.search(label) and _same_color(color, TRAIN_COLOR):
                problems.append(f"{name}: {label!r} is drawn in the training colour")
        problems += [f"{name}: {a!r} and {b!r} differ only by colour (give them different "
                     f"line styles, markers or hatches)" for a, b in _colour_only_pairs(ax)]
        texts = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        legend = ax.get_legend()
        if legend is not None:
            texts += [t.get_text() for t in legend.get_texts()]
            inside = Bbox.intersection(legend.get_window_extent(renderer),
                                       ax.get_window_extent(renderer))
            if inside is not None and inside.width > 0 and inside.height > 0 \
                    and _covers_data(ax, inside, renderer):
                problems.append(f"{name}: the legend covers plotted data")
        problems += [f"{name}: {t!r} looks like a NumPy repr"
                     for t in texts if _NUMPY_REPR.search(t)]
    for text in fig.findobj(Text):
        if text.get_visible() and text.get_text().strip() and text.get_fontsize() < MIN_FONT_SIZE:
            problems.append(f"text {text.get_text()[:30]!r} is {text.get_fontsize():g} pt, "
                            f"below {MIN_FONT_SIZE:g}")
    return problems


def check_figure(fig, renderer=None) -> None:
    """Raise ValueError listing :func:`figure_problems` of ``fig``, if it has any."""
    problems = figure_problems(fig, renderer)
    if problems:
        raise ValueError("the figure breaks the collection's figure rules "
                         "(reglab.plots.figure_problems):\n  " + "\n  ".join(problems))


def audit_on_draw(fig) -> None:
    """Make every draw of ``fig`` run :func:`check_figure` (a ``figure.hooks`` entry).

    In a notebook the inline backend draws a figure to show it; an exception there
    appears as an error under the cell (and nbval fails the cell) instead of the picture.
    """
    fig.canvas.mpl_connect("draw_event", lambda event: check_figure(fig, event.renderer))
