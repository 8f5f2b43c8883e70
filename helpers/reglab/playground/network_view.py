"""The network as TensorFlow Playground draws it: what each unit computes, weights as lines.

One column per layer: the input features, each hidden layer, the output. Every unit is a
small map of its value over the same square of the plane as the decision boundary
(:meth:`~reglab.playground.session.Session.unit_outputs`), so a student sees the network
build its features layer by layer. Between consecutive columns every weight is a line
whose width is |w| over the largest |w| of that layer (at least a hairline) and whose
colour and dash are its sign (orange and solid positive, blue and dashed negative); a
weight that is exactly 0,
as the proximal L1 step leaves it, is not drawn at all, so sparsity is seen as absent
lines. The output unit shows P(class 1), and its lines are the weights of the logit
difference z₁ − z₀ (for regression: the prediction ŷ and its weights).

Large layers are cut to their first ``MAX_UNITS`` units (the title says so).
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection

from ..plots import CLASS_CMAP
from .session import Session

MAX_UNITS = 12   # units drawn per layer
MAP = 16         # each unit's map is MAP × MAP points
POSITIVE, NEGATIVE = "tab:orange", "tab:blue"   # and solid, dashed: not by colour alone
MAX_LINE = 3.0   # points: the width of the largest weight of a layer
MIN_LINE = 0.2   # points: the thinnest line drawn, so that a dash stays a dash (a dash scales
                 # with its line: at 1e-30 points, as after a divergence, Agg draws forever)


class NetworkView:
    """Draw a session's network on ``ax``; :meth:`draw` updates it in place."""

    def __init__(self, ax):
        self.ax = ax
        self.session = None

    def setup(self, session: Session, lo, hi) -> None:
        """Make the artists for a new session: one image per unit and the weight lines.

        ``lo``, ``hi`` (2,): the corners of the square each unit's map covers.
        """
        self.session = session
        ax = self.ax
        ax.clear()
        ax.set_axis_off()
        g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], MAP), np.linspace(lo[1], hi[1], MAP))
        self._points = np.column_stack([g0.ravel(), g1.ravel()])
        sizes = [min(v.shape[1], MAX_UNITS) for v in session.unit_outputs(self._points[:1])]
        sizes.append(1)                                           # the output unit
        self._centres = [[(col, (n - 1) / 2 - row) for row in range(n)]
                         for col, n in enumerate(sizes)]
        hx, hy = 0.22, 0.42                                       # half a map's size
        self._images = [[ax.imshow(np.zeros((MAP, MAP)), cmap=CLASS_CMAP, vmin=-1, vmax=1,
                                   origin="lower", interpolation="nearest", zorder=3,
                                   aspect="auto", extent=(x - hx, x + hx, y - hy, y + hy))
                         for x, y in column] for column in self._centres]
        for name, (x, y) in zip(session.config.features, self._centres[0], strict=False):
            ax.text(x - hx - 0.05, y, name, ha="right", va="center", fontsize=8)
        self._lines = LineCollection([], zorder=1)
        ax.add_collection(self._lines)
        tallest = max(sizes)
        ax.set_xlim(-0.75, len(sizes) - 0.6)
        ax.set_ylim(-tallest / 2 - 0.1, tallest / 2 + 0.1)
        cut = max(sizes) == MAX_UNITS and max(*session.config.layer_widths,
                                                len(session.config.features)) > MAX_UNITS
        ax.set_title("each unit over the plane; lines: weights" +
                     (f" (first {MAX_UNITS} units)" if cut else ""), fontsize=9)

    def draw(self, session: Session) -> None:
        """Update every unit's map and every weight line to the session's current state."""
        outputs = session.unit_outputs(self._points)
        prediction = session.predictions(self._points)[:, None]
        outputs.append(prediction if session.config.regression else 2 * prediction - 1)
        for images, values in zip(self._images, outputs, strict=True):
            for unit, image in enumerate(images):
                v = values[:, unit].reshape(MAP, MAP)
                scale = float(np.nanmax(np.abs(v))) if np.isfinite(v).any() else 1.0
                image.set_data(v / max(scale, 1e-12))
        segments, widths, colors, styles = [], [], [], []
        for left, right, W in zip(self._centres[:-1], self._centres[1:],
                                  self._weights(session), strict=True):
            W = W[:len(left), :len(right)]
            top = float(np.abs(W).max()) if W.size and np.isfinite(W).all() else 0.0
            for i, (xa, ya) in enumerate(left):
                for j, (xb, yb) in enumerate(right):
                    w = W[i, j]
                    if w == 0 or top == 0 or not np.isfinite(w):
                        continue                                  # exact zeros: no line
                    segments.append([(xa, ya), (xb, yb)])
                    widths.append(max(MAX_LINE * abs(w) / top, MIN_LINE))
                    colors.append(POSITIVE if w > 0 else NEGATIVE)
                    styles.append("solid" if w > 0 else (0, (2, 1)))
        self._lines.set_segments(segments)
        self._lines.set_linewidths(widths)
        self._lines.set_colors(colors)
        self._lines.set_linestyles(styles)

    @staticmethod
    def _weights(session: Session) -> list[np.ndarray]:
        """The weight matrices between columns; for two classes, the output's as the
        weights of the logit difference."""
        Ws = list(session.model.weights().values())
        out = Ws[-1]
        return [*Ws[:-1], out if out.shape[1] == 1 else (out[:, 1] - out[:, 0])[:, None]]

    def drawn_lines(self) -> int:
        """How many weight lines the last :meth:`draw` drew (exact zeros are not drawn)."""
        return len(self._lines.get_segments())
