"""What the playground adds so that it can be used by keyboard and with a screen reader.

ipywidgets 8 (JupyterLab 4) already puts every control in the Tab order and makes it
operable from the keyboard: buttons with Enter/Space, drop-downs and the feature list
with the arrows, check boxes with Space, and each slider's handle (a noUiSlider
``role="slider"``) with the arrows, Home/End and PageUp/PageDown. Three things it lacks,
supplied here without a JupyterLab extension:

* **a visible focus.** Slider handles, drop-downs and text boxes draw no outline when
  focused, and buttons only a 1 px light-blue one. :data:`FOCUS_CSS` (a ``<style>`` in an
  ``ipywidgets.HTML``: the widget inserts its value as HTML, so the rule applies to the
  page) draws a 3 px dark-blue outline, offset by 2 px, around whatever control of the
  app has the focus (the blue #0b57d0 has a contrast of 6.4:1 with white, WCAG 2.1 asks
  for 3:1 for the parts of a control).
* **accessible names.** ipywidgets gives a slider's description as a ``<label>`` that is
  not tied to the handle (nor to the editable readout next to it), and the figure is an
  ``<img>`` without ``alt``; ipywidgets has no ARIA API. :data:`LABEL_SCRIPT`, run by the
  browser when the app is displayed (JavaScript output of an ``ipywidgets.Output``, which
  JupyterLab runs for trusted outputs, those of a cell the user ran), names each handle
  after its description (``aria-label``), each readout "<description> value", and gives
  the figure an ``alt``; it runs again whenever ipywidgets rebuilds a slider.
* **announcements.** The message line (what just happened: "stopped: early stopping",
  an error) is made an ARIA live region (``role="status"``, ``aria-live="polite"``) on
  the element that persists while its text changes, so that screen readers read every
  new message. The status line (epoch and losses) changes with every frame while
  training, so it is not live: the message repeats it after Step and when training stops.

Where JavaScript does not run (an untrusted notebook), the app keeps the focus outline
and every control that ipywidgets names itself (buttons, check boxes, drop-downs, text
boxes), and loses the slider names, the alt text and the announcements.
"""

from __future__ import annotations

import json

import ipywidgets as w

FOCUS_COLOR = "#0b57d0"
FOCUS_CSS = f"""<style>
.reglab-playground :is(button, select, input, textarea, .noUi-handle,
                       .widget-readout):focus {{
  outline: 3px solid {FOCUS_COLOR} !important;
  outline-offset: 2px !important;
}}
</style>"""

FIGURE_ALT = ("The playground's figure: the decision boundary over the data, the training "
              "and test loss per epoch, the histogram of the weights, and the network. The "
              "status line below the buttons gives its numbers.")

LABEL_SCRIPT = """
(() => {
  const ALT = __ALT__;
  const name = (app) => {
    for (const box of app.querySelectorAll('.widget-slider')) {
      const label = box.querySelector('.widget-label');
      const text = label ? label.textContent.trim() : '';
      if (!text) continue;
      for (const handle of box.querySelectorAll('.noUi-handle'))
        if (handle.getAttribute('aria-label') !== text) handle.setAttribute('aria-label', text);
      const readout = box.querySelector('.widget-readout');
      if (readout && !readout.hasAttribute('aria-label')) {
        readout.setAttribute('aria-label', text + ' value');
        readout.setAttribute('role', 'textbox');
      }
    }
    const message = app.querySelector('.reglab-message .widget-html-content');
    if (message && message.getAttribute('role') !== 'status') {
      message.setAttribute('role', 'status');
      message.setAttribute('aria-live', 'polite');
      message.setAttribute('aria-atomic', 'true');
    }
    const img = app.querySelector('img.reglab-figure, .reglab-figure img');
    if (img && img.getAttribute('alt') !== ALT) img.setAttribute('alt', ALT);
  };
  const all = () => document.querySelectorAll('.reglab-playground').forEach(name);
  all();
  if (!window.reglabPlaygroundNames) {
    window.reglabPlaygroundNames = new MutationObserver(all);
    window.reglabPlaygroundNames.observe(document.body, {childList: true, subtree: true});
  }
})();
""".replace("__ALT__", json.dumps(FIGURE_ALT))


def accessibility_widgets() -> list:
    """The two invisible widgets that bring the above into the app: the focus style and
    the script (put them anywhere in the app's box)."""
    from IPython.display import Javascript

    style = w.HTML(FOCUS_CSS, layout={"display": "none"})
    script = w.Output(layout={"display": "none"})
    script.append_display_data(Javascript(LABEL_SCRIPT))
    return [style, script]
