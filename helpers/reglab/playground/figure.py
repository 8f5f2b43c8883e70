"""The playground's picture: decision boundary, loss curves, weight histogram, the network.

:class:`PlaygroundFigure` draws a :class:`~reglab.playground.session.Session` on a
matplotlib ``Figure`` with an Agg canvas of its own (no pyplot, so nothing is shown
twice in a notebook and drawing works from a background thread). The artists are
made once per session and then only updated (image data, line data, histogram
heights), so that a frame costs tens of milliseconds, and :meth:`png` returns the
frame as PNG bytes for an ``ipywidgets.Image``.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from ..plots import CLASS_CMAP, CLASS_MARKERS, STYLE, TRAIN_STYLE, VAL_STYLE
from .network_view import NetworkView
from .session import NEAR_ZERO, Session

GRID = 60  # the decision boundary is evaluated on a GRID × GRID mesh
BINS = 41
MAP_ALPHA = 0.45  # the decision map's opacity over the white axes (points stay readable)


class PlaygroundFigure:
    """Four panels for one session; call :meth:`draw` after every change of it.

    The decision boundary, the loss curves, the weight histogram, and the network
    (:class:`~reglab.playground.network_view.NetworkView`: each unit's map, the weights as
    lines).
    """

    #: View options (not part of the run): draw the test points; show the predicted class
    #: (P > 0.5) instead of the probability.
    show_test: bool = True
    discretize: bool = False

    def __init__(self, figsize=(14.5, 3.4), dpi: int = 80):
        import matplotlib as mpl

        with mpl.rc_context(STYLE):
            self.figure = Figure(figsize=figsize, dpi=dpi)  # fixed margins: no layout engine
            self.figure.subplots_adjust(left=0.05, right=0.99, top=0.92, bottom=0.28,
                                        wspace=0.28)
            FigureCanvasAgg(self.figure)
            self.ax_data, self.ax_loss, self.ax_hist, ax_net = self.figure.subplots(
                1, 4, gridspec_kw={"width_ratios": [1, 1, 1, 1.2]})
        self.network = NetworkView(ax_net)
        self.session = None
        self.frames = 0

    def _setup(self, session: Session):
        """Make the artists for a new session (data, axes limits, labels)."""
        self.session = session
        for ax in (self.ax_data, self.ax_loss, self.ax_hist):
            ax.clear()
        (X, y), (Xt, yt) = session.train, session.test
        both = np.vstack([X, Xt])
        lo, hi = both.min(axis=0) - 0.3, both.max(axis=0) + 0.3
        g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], GRID), np.linspace(lo[1], hi[1], GRID))
        self._grid = (g0, g1)
        self._points = np.column_stack([g0.ravel(), g1.ravel()])
        ax = self.ax_data
        # the colour scale: P(class 1) in [0, 1], or ŷ and y on a range symmetric about 0
        top = float(np.abs(y).max()) if session.config.regression else 1.0
        self._level = 0.0 if session.config.regression else 0.5
        vmin = -top if session.config.regression else 0.0
        self._image = ax.imshow(np.full((GRID, GRID), self._level), origin="lower",
                                cmap=CLASS_CMAP, vmin=vmin, vmax=top, alpha=MAP_ALPHA,
                                aspect="auto",
                                extent=(lo[0], hi[0], lo[1], hi[1]), interpolation="bilinear")
        self._contour = None
        self._change_lines = []
        self._scatter(ax, X, y, test=False, vmin=vmin, vmax=top)
        self._test_points = self._scatter(ax, Xt, yt, test=True, vmin=vmin, vmax=top)
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        ax.set_xlabel("$x_1$ (standardized)")
        ax.set_ylabel("$x_2$ (standardized)")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3, fontsize=8,
                  columnspacing=1.0, handletextpad=0.3)
        ax.grid(False)
        ax = self.ax_loss
        (self._train_line,) = ax.plot([], [], **TRAIN_STYLE, label="training")
        (self._test_line,) = ax.plot([], [], **VAL_STYLE, label="test")
        self._base_lines = None
        if session.baseline is not None:  # the same styles, thin and faded
            self._base_lines = (
                ax.plot([], [], **TRAIN_STYLE, lw=1, alpha=0.5,
                        label="training, no regularization")[0],
                ax.plot([], [], **VAL_STYLE, lw=1, alpha=0.5,
                        label="test, no regularization")[0])
        ax.set_xlabel("epoch")
        ax.set_ylabel("mean squared error" if session.config.regression
                      else "cross-entropy loss (nats)")
        ax.set_title("loss per epoch (dotted: a setting changed)", fontsize=9)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, fontsize=8)
        ax = self.ax_hist
        self._stairs = ax.stairs(np.zeros(BINS), np.linspace(-1, 1, BINS + 1), fill=True,
                                 color="tab:gray")
        ax.set_xlabel("weight value")
        ax.set_ylabel("number of weights")
        for ax in (self.ax_data, self.ax_loss, self.ax_hist):
            ax.locator_params(nbins=4)  # fewer tick labels: text is most of a frame's cost
        self.network.setup(session, lo, hi)

    def _scatter(self, ax, P, t, *, test: bool, vmin: float, vmax: float) -> list:
        """Draw the points P (k, 2) with targets t (k,): each class with its marker (one
        marker for regression), coloured by target; training points filled, test points
        hollow. Returns the scatter artists."""
        colors = colormaps[CLASS_CMAP](Normalize(vmin, vmax)(t))
        if self.session.config.regression:
            groups = [(np.ones(len(t), bool), "o", "training")]
        else:
            groups = [(t == k, CLASS_MARKERS[k], f"class {k}") for k in (0, 1)]
        drawn = []
        for i, (mask, marker, label) in enumerate(groups):
            style = ({"facecolors": "none", "edgecolors": colors[mask], "linewidths": 1.1,
                      "s": 24} if test else
                     {"c": colors[mask], "edgecolors": "k", "linewidths": 0.4, "s": 16})
            if test:
                label = "test (hollow)" if i == 0 else "_test"
            drawn.append(ax.scatter(P[mask, 0], P[mask, 1], marker=marker, label=label,
                                    **style))
        return drawn

    def draw(self, session: Session) -> None:
        """Update every panel to the session's current state."""
        if session is not self.session:
            self._setup(session)
        h = session.history
        # decision boundary: P(class 1) (or ŷ) as an image, the 0.5 (or 0) level as a line
        p = session.predictions(self._points).reshape(GRID, GRID)
        if self.discretize:
            high, low = self._image.get_clim()[::-1]
            p = np.where(p > self._level, high, low)
        self._image.set_data(p)
        for points in self._test_points:
            points.set_visible(self.show_test)
        if self._contour is not None:
            self._contour.remove()
            self._contour = None
        if p.min() < self._level < p.max():
            self._contour = self.ax_data.contour(*self._grid, p, levels=[self._level],
                                                 colors="k", linewidths=1.0)
        shown = session.params_epoch
        acc = ("" if not shown else f", test loss {h.val_loss[shown - 1]:.3f}"
               if session.config.regression else f", test accuracy {h.val_acc[shown - 1]:.3f}")
        restored = " (best, restored)" if shown != session.epoch else ""
        self.ax_data.set_title(f"epoch {shown}{restored}{acc}", fontsize=9)
        # loss curves
        epochs = np.arange(1, h.epochs + 1)
        self._train_line.set_data(epochs, h.train_loss)
        self._test_line.set_data(epochs, h.val_loss)
        top = max([*h.train_loss, *h.val_loss], default=0.0)
        if self._base_lines is not None:
            b = session.baseline.history
            self._base_lines[0].set_data(np.arange(1, b.epochs + 1), b.train_loss)
            self._base_lines[1].set_data(np.arange(1, b.epochs + 1), b.val_loss)
            top = max([top, *(v for v in b.train_loss + b.val_loss if np.isfinite(v))])
        for line in self._change_lines:
            line.remove()
        self._change_lines = [self.ax_loss.axvline(epoch + 0.5, color="0.4", ls=":", lw=1)
                              for epoch in sorted({c[0] for c in session.changes})]
        if h.epochs:
            self.ax_loss.set_xlim(0.5, max(h.epochs, 2) + 0.5)
            self.ax_loss.set_ylim(0, 1.05 * top)
        # weight histogram, bars from zero
        w = session.weights()
        w = w[np.isfinite(w)]  # after a divergence some weights are NaN
        r = max(float(np.abs(w).max()), 1e-3) if w.size else 1.0
        counts, edges = np.histogram(w, bins=BINS, range=(-r, r))
        self._stairs.set_data(counts, edges, baseline=0)
        self.ax_hist.set_xlim(-r, r)
        self.ax_hist.set_ylim(0, 1.05 * max(counts.max(), 1))
        self.ax_hist.set_title(f"|w| < {NEAR_ZERO:g}: {session.near_zero()} of {w.size} · "
                               f"exactly 0: {session.exact_zeros()}", fontsize=9)
        self.network.draw(session)
        self.figure.canvas.draw()
        self.frames += 1

    def _repr_png_(self):
        """Show the last drawn frame when the object is displayed in a notebook."""
        return self.png()

    def png(self) -> bytes:
        """The last drawn frame as PNG bytes (encoded from the canvas, not drawn again)."""
        from PIL import Image

        buf = io.BytesIO()
        rgba = np.asarray(self.figure.canvas.buffer_rgba())
        Image.fromarray(rgba[..., :3]).save(buf, format="png", compress_level=1)
        return buf.getvalue()
