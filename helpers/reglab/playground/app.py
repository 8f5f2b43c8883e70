"""The widget app: controls, Train / Step / Reset / Stop, the live figure, JSON in and out.

Training runs in a background thread, so the kernel stays free to receive button
clicks: Stop sets a flag that the thread checks after every epoch. The thread redraws
the figure ``frame_interval`` seconds (0.1 s by default) after the end of the previous
frame, on its own Agg canvas, and sends the PNG to an ``ipywidgets.Image`` (setting a
widget's value from a thread is the pattern of the ipywidgets guide "Asynchronous
widgets"). A lock keeps the thread and the buttons from touching the session at the
same time.

Every button and control calls a plain method (:meth:`Playground.train`, ``step``,
``reset``, ``stop``, ``import_json``, ``load_scenario``...) that tests call directly.
Errors (a malformed JSON scenario, a diverged run) are shown in the message line of
the app, never as a traceback.
"""

from __future__ import annotations

import html
import threading
import time

import ipywidgets as w

from .._validate import check_real
from ..train import TrainingDiverged
from .accessibility import accessibility_widgets
from .config import LIVE_SETTINGS, Config, ConfigError
from .controls import make_controls, read_controls, write_controls
from .figure import PlaygroundFigure
from .scenarios import SCENARIOS, describe, scenario
from .session import Session

GROUPS = (("data", ("dataset", "features", "n_points", "noise", "train_frac", "seed")),
          ("network and training", ("width", "depth", "widths", "activation", "optimizer", "lr",
                                    "batch_size", "max_epochs")),
          ("regularization", ("l2", "l1", "keep_prob", "input_noise", "early_stopping",
                              "patience", "compare")))


def _button(description, css, tooltip, style=""):
    b = w.Button(description=description, tooltip=tooltip, button_style=style,
                 layout={"width": "110px"})
    b.add_class(f"reglab-{css}")
    return b


class Playground:
    """The regularization playground; display it as the last expression of a cell.

    Widgets for browser tests: each control has a stable description and the CSS class
    ``reglab-<setting>`` (``reglab-keep-prob``, ``reglab-lr``...); the buttons
    ``reglab-train``, ``reglab-step``, ``reglab-reset``, ``reglab-stop``,
    ``reglab-export``, ``reglab-import``, ``reglab-load``; the outputs
    ``reglab-figure`` (Image), ``reglab-status``, ``reglab-message``, ``reglab-description``
    (HTML),
    ``reglab-json`` (Textarea), ``reglab-scenario`` (Dropdown), the view options
    ``reglab-show-test`` and ``reglab-discretize`` (Checkbox); the whole app
    ``reglab-playground``.

    Parameters
    ----------
    config : Config, optional
        The starting configuration (the defaults otherwise).
    frame_interval : float >= 0
        Training time in seconds between the end of one frame and the next while training
        (0.1 s; a frame itself takes 0.1–0.2 s on an idle laptop, so 3–5 frames per second).
    """

    def __init__(self, config: Config | None = None, *, frame_interval: float = 0.1):
        config = Config() if config is None else config
        if not isinstance(config, Config):
            raise TypeError(f"config must be a playground Config, got {type(config).__name__}")
        self.frame_interval = check_real("frame_interval", frame_interval, low=0)
        self.figure = PlaygroundFigure()
        self.frame_times: list[float] = []
        self._lock = threading.RLock()
        self._stop_flag = threading.Event()
        self._thread = None
        self._quiet = False  # True while the app itself writes into the controls
        self._build_widgets()
        self._show_config(config)
        self.reset()

    # ------------------------------------------------------------------ widgets

    def _build_widgets(self):
        self.controls = make_controls()
        for widget in self.controls.values():
            widget.observe(self._on_control, names="value")
        self.buttons = {
            "train": _button("Train", "train", "train until Stop, early stopping or the last "
                             "epoch", "success"),
            "step": _button("Step", "step", "train one epoch"),
            "reset": _button("Reset", "reset", "new initial weights from the seed, epoch 0",
                             "warning"),
            "stop": _button("Stop", "stop", "stop training after the current epoch", "danger"),
        }
        actions = {"train": self.train, "step": self.step, "reset": self.reset,
                   "stop": self.stop}
        for name, button in self.buttons.items():
            button.on_click(lambda _b, f=actions[name]: f())
        self.view_options = {
            "show_test": w.Checkbox(value=True, description="show test data", indent=False),
            "discretize": w.Checkbox(value=False, description="discretize output",
                                     indent=False)}
        for name, box in self.view_options.items():
            box.add_class(f"reglab-{name.replace('_', '-')}")
            box.observe(lambda change, name=name: self._on_view(name, change["new"]),
                        names="value")
        self.status = w.HTML(description="status")
        self.message = w.HTML(description="message")
        self.description = w.HTML(description="scenario")
        self.image = w.Image(format="png")
        self.json_box = w.Textarea(description="scenario JSON", rows=8,
                                   layout={"width": "420px"}, style={"description_width": "120px"})
        self.export_button = _button("Export", "export", "write the settings as JSON")
        self.import_button = _button("Import", "import", "read the settings from the JSON")
        self.export_button.on_click(lambda _b: self.export_json())
        self.import_button.on_click(lambda _b: self.import_json())
        self.scenario_menu = w.Dropdown(options=list(SCENARIOS), description="scenario",
                                        style={"description_width": "120px"})
        self.load_button = _button("Load", "load", "load the ready scenario")
        self.load_button.on_click(lambda _b: self.load_scenario(self.scenario_menu.value))
        for widget, css in ((self.status, "status"), (self.message, "message"),
                            (self.description, "description"),
                            (self.image, "figure"), (self.json_box, "json"),
                            (self.scenario_menu, "scenario")):
            widget.add_class(f"reglab-{css}")
        columns = [w.VBox([w.HTML(f"<b>{title}</b>")] + [self.controls[n] for n in names])
                   for title, names in GROUPS]
        self.ui = w.VBox([
            w.HBox(columns),
            w.HBox(list(self.buttons.values()) + list(self.view_options.values())),
            self.description, self.status, self.message, self.image,
            w.HBox([w.VBox([w.HBox([self.scenario_menu, self.load_button]),
                            w.HBox([self.export_button, self.import_button])]),
                    self.json_box]),
            *accessibility_widgets(),
        ])
        self.ui.add_class("reglab-playground")

    def _repr_mimebundle_(self, **kwargs):
        return self.ui._repr_mimebundle_(**kwargs)

    def _show_config(self, config: Config):
        self._quiet = True
        try:
            write_controls(self.controls, config)
        finally:
            self._quiet = False

    def _say(self, text: str, error: bool = False):
        color = "#b00020" if error else "#333"
        self.message.value = f'<span style="color:{color}">{html.escape(text)}</span>'

    def _on_control(self, change):
        """A control moved: a live setting adjusts the run in place, any other one resets it.

        Either way the JSON box follows the controls.
        """
        if self._quiet:
            return
        try:
            config = self.config()
        except ConfigError as err:
            self._say(str(err), error=True)
            return
        self.json_box.value = config.to_json()
        setting = next((k for k, v in self.controls.items() if v is change["owner"]), None)
        if setting in LIVE_SETTINGS and self.session.epoch > 0 \
                and self.session.finished != "diverged":
            with self._lock:
                self.session.adjust(config)
            if not self.running:
                self._redraw()
            self._say(f"{setting} = {change['new']} from epoch {self.session.epoch + 1} on: "
                      f"the run goes on with the same weights")
            return
        self.reset()

    def _on_view(self, name: str, value: bool):
        """A view option changed: redraw the same parameters (the run is untouched)."""
        setattr(self.figure, name, value)
        if not self.running:
            self._redraw()

    # ------------------------------------------------------------------ state

    @property
    def running(self) -> bool:
        """True while the background thread trains."""
        return self._thread is not None and self._thread.is_alive()

    def config(self) -> Config:
        """The configuration shown by the controls (ConfigError if it is not usable)."""
        return Config.from_dict(read_controls(self.controls))

    def _redraw(self):
        with self._lock:
            self.figure.draw(self.session)
            png = self.figure.png()
            summary = self.session.summary()
        self.image.value = png
        self.status.value = html.escape(summary)
        self.frame_times.append(time.perf_counter())

    # ------------------------------------------------------------------ buttons

    def reset(self) -> None:
        """Stop training, then start a new run from the controls' settings (epoch 0)."""
        self.stop()
        try:
            config = self.config()
        except ConfigError as err:
            self._say(str(err), error=True)
            return
        with self._lock:
            self.session = Session(config)
        self._say("ready: press Train, or Step for one epoch")
        self._redraw()

    def step(self) -> None:
        """Train one epoch (in the kernel's own thread), redraw, and say where the run is
        (the message line is announced by screen readers; the status line is not)."""
        if self.running:
            self._say("training is running: press Stop first", error=True)
            return
        going = self._run_epochs(1)
        self._redraw()                       # the picture first, then the message about it
        if going:
            self._say(f"one epoch trained: {self.session.summary()}")

    def train(self) -> None:
        """Train in a background thread until Stop, early stopping or the last epoch."""
        if self.running:
            return
        if self.session.finished:
            self._say(f"this run has finished ({self.session.finished}): press Reset to start "
                      "again", error=True)
            return
        self._stop_flag.clear()
        self._thread = threading.Thread(target=self._train_loop, name="playground", daemon=True)
        self._say("training...")
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the background thread to stop after its current epoch and wait for it."""
        self._stop_flag.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None

    def wait(self, timeout: float | None = None) -> None:
        """Block until the background training ends (for scripts and tests)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _run_epochs(self, n: int) -> bool:
        """Run up to n epochs; False when the run cannot go on. Errors go to the message."""
        try:
            for _ in range(n):
                with self._lock:
                    going = self.session.run_epoch()
                if not going:
                    self._say(f"stopped: {self.session.finished}. {self.session.summary()}")
                    return False
        except TrainingDiverged as err:
            self._say(str(err), error=True)
            return False
        return True

    def _train_loop(self):
        last = 0.0
        try:
            while not self._stop_flag.is_set() and self._run_epochs(1):
                if time.perf_counter() - last >= self.frame_interval:
                    self._redraw()
                    last = time.perf_counter()  # training gets frame_interval between frames
            self._redraw()
            if self._stop_flag.is_set():
                self._say(f"stopped by Stop: press Train to go on. {self.session.summary()}")
        except Exception as err:  # shown in the app: a thread's traceback would be lost
            self._say(f"training failed: {type(err).__name__}: {err}", error=True)

    # ------------------------------------------------------------------ JSON and scenarios

    def export_json(self) -> str:
        """Write the current settings as JSON into the JSON box (and return it)."""
        try:
            text = self.config().to_json()
        except ConfigError as err:
            self._say(str(err), error=True)
            return ""
        self.json_box.value = text
        self._say("settings exported: copy the JSON to hand out this scenario")
        return text

    def import_json(self, text: str | None = None) -> bool:
        """Read settings from JSON (the JSON box by default) and reset; False if unusable."""
        text = self.json_box.value if text is None else text
        try:
            config = Config.from_json(text)
        except ConfigError as err:
            self._say(f"could not import the scenario: {err}", error=True)
            return False
        self.load_config(config)
        self._say("scenario imported: press Train")
        return True

    def load_config(self, config: Config) -> None:
        """Show ``config`` in the controls (and the JSON box) and start a new run from it."""
        if not isinstance(config, Config):
            raise TypeError(f"config must be a playground Config, got {type(config).__name__}")
        self.stop()
        self._show_config(config)
        self.json_box.value = config.to_json()
        self.description.value = ""
        self.reset()

    def load_scenario(self, name: str) -> bool:
        """Load the ready scenario ``name`` (see ``SCENARIOS``); False if there is none."""
        try:
            config = scenario(name)
        except ConfigError as err:
            self._say(str(err), error=True)
            return False
        self.load_config(config)
        self.description.value = html.escape(describe(name))
        self._say("scenario loaded: press Train")
        return True
