"""The collection in a real browser: JupyterLab in Chromium, as a student or lecturer uses it.

``make test-browser`` runs these tests (``make test`` stays browser-free). Against one
JupyterLab server started for the session (see conftest.py):

* every topic notebook opens, runs all its cells in the browser's kernel without an error
  output, shows a figure for every cell that draws one, and its math is typeset by
  MathJax with no MathJax error;
* a student opens an exercise, types a correct function into the stub cell, runs it and
  its check, and sees the check's success line;
* a lecturer opens the RISE slideshow of a notebook in a new tab ("Open as Reveal
  Slideshow") and sees its first slide (the title), one slide per section, and no
  "Going further"; nothing is requested from outside the machine; Alt+R renders the deck
  in a panel inside JupyterLab instead;
* the playground redraws its figure while training after Train, and starts a new run
  (epoch 0, redrawn) when a slider moves; driven by the keyboard alone, Tab reaches every
  control, each shows a focus outline and has an accessible name, arrows, Enter and Space
  operate them, and the message line is a live region that says what happened;
* the degree slider of notebook 01 redraws its figure and prints nothing else.

The server works on a copy of ``notebooks/`` and ``exercises/`` in a temporary folder, so
autosave cannot touch the repository.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

WIDGET = "application/vnd.jupyter.widget-view+json"
NOTEBOOKS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("*.ipynb"))

OPEN = """async (path) => {
  const app = window.jupyterapp;
  await app.restored;
  await app.commands.execute('application:close-all');
  const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await panel.context.ready;
  await panel.sessionContext.ready;
  app.shell.activateById(panel.id);
  while (app.shell.currentWidget !== panel) await new Promise(r => setTimeout(r, 100));
  return panel.content.model.cells.length;
}"""

RUN_ALL = """async () => {
  const app = window.jupyterapp;
  const ok = await app.commands.execute('notebook:run-all-cells');
  const cells = app.shell.currentWidget.content.model.cells;
  const out = [];
  for (let i = 0; i < cells.length; i++) out.push(cells.get(i).toJSON());
  return {ok, cells: out};
}"""

MATH = """() => {
  const node = window.jupyterapp.shell.currentWidget.node;
  return {typeset: node.querySelectorAll('mjx-container').length,
          errors: node.querySelectorAll('mjx-merror').length};
}"""


def _open(page, lab, path: str) -> int:
    page.goto(f"{lab.url}/lab?reset&token={lab.token}", wait_until="domcontentloaded")
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=90_000)
    return page.evaluate(OPEN, path)


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _shows(node: ast.AST, drawing: set[str]) -> bool:
    """Whether ``node`` calls ``plt.show()``, or uses a function of ``drawing`` (one that
    calls it): calls it, or hands it on, as to ``interact``."""
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and n.id in drawing:
            return True
        if (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                and n.func.attr == "show" and isinstance(n.func.value, ast.Name)
                and n.func.value.id == "plt"):
            return True
    return False


def _figure_cells(cells: list[dict]) -> list[int]:
    """Indices of the code cells that draw a figure when run: top-level code that calls
    ``plt.show()``, directly or through a function defined earlier in the notebook (a cell
    that only defines such a function draws nothing)."""
    drawing: set[str] = set()
    found = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        statements = ast.parse(_source(cell)).body
        for node in statements:
            if isinstance(node, ast.FunctionDef) and _shows(node, drawing):
                drawing.add(node.name)
        if any(not isinstance(node, ast.FunctionDef) and _shows(node, drawing)
               for node in statements):
            found.append(i)
    return found


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_notebook_runs_in_the_browser(page, lab, path):
    if "pytorch" in path:
        pytest.importorskip("torch", reason="torch is not installed: make torch")
    _open(page, lab, path)
    result = page.evaluate(RUN_ALL)
    errors = [(i, o.get("ename"), o.get("evalue")) for i, c in enumerate(result["cells"])
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert result["ok"] and not errors, f"{path}: error outputs {errors}"
    cells = result["cells"]
    missing = [i for i in _figure_cells(cells)
               if not any(kind in o.get("data", {}) for o in cells[i].get("outputs", [])
                          for kind in ("image/png", WIDGET))]  # a widget draws in itself
    assert not missing, f"{path}: cells {missing} draw a figure but show none"
    has_math = any(c["cell_type"] == "markdown" and "$" in _source(c) for c in result["cells"])
    page.wait_for_function(f"() => ({MATH})().typeset > 0" if has_math else "() => true")
    math = page.evaluate(MATH)
    assert math["errors"] == 0, f"{path}: {math['errors']} MathJax errors"


def test_student_types_an_answer_and_the_check_passes(page, lab):
    path = "exercises/00_norms.ipynb"
    student = json.loads((ROOT / path).read_text())["cells"]
    stub = next(i for i, c in enumerate(student) if "NotImplementedError" in _source(c)
                and _source(c).startswith("def l1_norm"))
    answer = "def l1_norm(x):\n    return float(np.sum(np.abs(x)))"
    _open(page, lab, path)
    imports = next(i for i, c in enumerate(student) if c["cell_type"] == "code")
    page.evaluate("async (i) => { const app = window.jupyterapp;"
                  " app.shell.currentWidget.content.activeCellIndex = i;"
                  " await app.commands.execute('notebook:run-cell'); }", imports)
    cell = page.locator(".jp-Notebook .jp-Cell").nth(stub)
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(answer)                                     # typed, as is
    page.keyboard.press("Shift+Enter")                                    # run it, move on
    page.keyboard.press("Shift+Enter")                                    # run its check
    check = page.locator(".jp-Notebook .jp-Cell").nth(stub + 1)
    check.locator(".jp-OutputArea-output").first.wait_for()
    assert re.search(r"✓ l1_norm passed \d+ cases", check.inner_text())


DECK = "notebooks/02_l2_weight_decay.ipynb"

# The deck's top-level slides: the text of the headings in each (RISE moves the cells of a
# slide into one <section>), and whether each skipped cell is hidden.
SLIDES = """() => ({
  slides: [...document.querySelectorAll('.reveal .slides > section')].map(
      s => [...s.querySelectorAll('.jp-Cell:not(.reveal-skip) h1, .jp-Cell:not(.reveal-skip) h2')]
               .map(h => h.tagName + ' ' + h.textContent.replace('\u00b6', '').trim())),
  skipped: [...document.querySelectorAll('.reveal .slides .jp-Cell.reveal-skip h2')].map(
      h => h.textContent.replace('\u00b6', '').trim()),
})"""


def _requests(page) -> list[str]:
    """Every URL that the pages of ``page``'s browser context request from now on."""
    urls = []
    page.context.on("request", lambda request: urls.append(request.url))
    return urls


def _outside(urls: list[str], lab) -> list[str]:
    return [u for u in urls if not u.startswith((lab.url + "/", "data:", "blob:", "about:"))]


def test_slideshow_opens_in_a_tab_at_the_title_one_slide_per_section_offline(page, lab):
    """The palette's "Open as Reveal Slideshow" opens the deck in a new tab: it starts at
    the title, each ## section of the core opens a slide of its own, "Going further" is
    left out, and nothing is requested from outside the machine (the theme's fonts too)."""
    _open(page, lab, DECK)
    assert page.evaluate("() => window.jupyterapp.commands.label('RISE:slideshow')") == (
        "Open as Reveal Slideshow")
    urls = _requests(page)
    with page.context.expect_page() as new_page:
        page.evaluate("() => window.jupyterapp.commands.execute('RISE:slideshow')")
    slides = new_page.value
    slides.wait_for_selector(".reveal .slides section.present", timeout=90_000)
    slides.wait_for_load_state("networkidle")
    title = slides.locator(".reveal .slides section.present").first.text_content()
    assert "L2 regularization and weight decay" in title
    deck = slides.evaluate(SLIDES)
    headings = [h for slide in deck["slides"] for h in slide]
    assert all(len(slide) <= 1 for slide in deck["slides"]), deck["slides"]
    assert [h for h in headings if h.startswith("H2 ")][:5] == [
        "H2 1. The regularized risk, and why the biases stay out",
        "H2 2. The L2 gradient and the weight-decay update",
        "H2 3. The conventions, converted",
        "H2 4. The Hessian view: which directions get shrunk",
        "H2 5. A weight-decay sweep on MNIST-1D"]
    assert not any("Going further" in h for h in headings)       # the deck is the lecture core
    assert "Going further" in deck["skipped"]
    assert not _outside(urls, lab), _outside(urls, lab)


def test_alt_r_renders_the_deck_beside_the_notebook_inside_jupyterlab(page, lab):
    """Alt+R (the toolbar's slideshow button, "Render as Reveal Slideshow") opens the deck in
    a panel of JupyterLab beside the notebook, not in a new tab."""
    _open(page, lab, DECK)
    bindings = page.evaluate("() => window.jupyterapp.commands.keyBindings"
                             ".filter(b => b.command === 'RISE:preview').map(b => b.keys)")
    assert ["Alt R"] in bindings
    page.locator(".jp-Notebook .jp-Cell .jp-InputPrompt").first.click()  # command mode
    page.keyboard.press("Escape")
    urls = _requests(page)
    tabs = len(page.context.pages)
    page.keyboard.press("Alt+r")
    present = page.frame_locator("iframe[src*='rise/']").locator(".reveal .slides section.present")
    present.first.wait_for(timeout=90_000)
    assert "L2 regularization" in present.first.text_content()
    assert len(page.context.pages) == tabs                         # no new tab
    assert page.evaluate("() => window.jupyterapp.shell.currentWidget.node"
                         ".querySelector(\"iframe[src*='rise/']\") !== null")
    page.wait_for_load_state("networkidle")
    assert not _outside(urls, lab), _outside(urls, lab)


def test_playground_reacts_to_train_and_to_a_slider(page, lab):
    _open(page, lab, "notebooks/14_playground.ipynb")
    assert page.evaluate(RUN_ALL)["ok"]
    app = page.locator(".reglab-playground").first
    figure = app.locator("img.reglab-figure, .reglab-figure img").first
    figure.wait_for()

    def src():
        return figure.get_attribute("src")

    before = src()
    app.locator(".reglab-train button, button.reglab-train").first.click()
    page.wait_for_function("([el, old]) => el.getAttribute('src') !== old",
                           arg=[figure.element_handle(), before], timeout=20_000)
    app.locator(".reglab-stop button, button.reglab-stop").first.click()
    page.wait_for_timeout(1000)                      # the last frame of the stopped run
    trained = src()
    status = app.locator(".reglab-status").first

    def shown_epoch():                               # "epoch N", N > 0, of the shown weights
        return re.search(r"epoch \d+", status.inner_text()).group()

    epoch = shown_epoch()
    assert epoch != "epoch 0"
    l2 = app.locator(".reglab-l2 .noUi-handle").first
    l2.focus()
    page.keyboard.press("ArrowRight")                # λ changed mid-run: the run goes on
    page.wait_for_function("el => el.innerText.includes('l2 = ')",
                           arg=app.locator(".reglab-message").first.element_handle(),
                           timeout=20_000)
    assert shown_epoch() == epoch
    trained = src()
    handle = app.locator(".reglab-noise .noUi-handle").first
    handle.focus()
    page.keyboard.press("ArrowRight")                # a new noise level: a new run, redrawn
    page.wait_for_function("([el, old]) => el.getAttribute('src') !== old",
                           arg=[figure.element_handle(), trained], timeout=20_000)
    page.wait_for_function("el => el.innerText.includes('epoch 0 ·')",
                           arg=status.element_handle(), timeout=20_000)


# Where the keyboard focus is: the reglab-* class of the control around it, its role and
# accessible name as ARIA gives them, and its outline.
FOCUS = """() => {
  const el = document.activeElement;
  const box = el.closest('[class*="reglab-"]:not(.reglab-playground)');
  const style = getComputedStyle(el);
  return {control: box ? [...box.classList].find(c => c.startsWith('reglab-')) : null,
          inside: el.closest('.reglab-playground') !== null,
          outline: [style.outlineStyle, parseFloat(style.outlineWidth), style.outlineColor]};
}"""

CONTROLS = ["dataset", "features", "n-points", "noise", "train-frac", "seed", "width", "depth",
            "widths", "activation", "optimizer", "lr", "batch-size", "max-epochs", "l2", "l1",
            "keep-prob", "input-noise", "early-stopping", "patience", "compare", "train", "step",
            "reset", "stop", "show-test", "discretize", "scenario", "load", "export", "import",
            "json"]


def _tab_to(page, control: str, key: str = "Tab", limit: int = 80) -> dict:
    """Press Tab (or ``key``, e.g. Shift+Tab) until the focus is in ``reglab-<control>``."""
    for _ in range(limit):
        page.keyboard.press(key)
        focus = page.evaluate(FOCUS)
        if focus["control"] == f"reglab-{control}":
            return focus
    raise AssertionError(f"Tab never reached reglab-{control}")


def test_playground_by_keyboard_alone(page, lab):
    """Tab reaches every control with a visible outline; each has an accessible name;
    arrows, Enter and Space operate them; the live message line says what happened."""
    _open(page, lab, "notebooks/14_playground.ipynb")
    assert page.evaluate(RUN_ALL)["ok"]
    app = page.locator(".reglab-playground").first
    status = app.locator(".reglab-status").first
    live = app.locator(".reglab-message [role=status][aria-live=polite]").first
    live.wait_for()
    # accessible names: what a screen reader says for each control
    for role, name in [("combobox", "data set"), ("listbox", "input features"),
                       ("spinbutton", "seed"), ("textbox", "widths per layer"),
                       ("checkbox", "early stopping"), ("button", "Train"),
                       ("button", "Step"), ("button", "Reset"), ("button", "Stop"),
                       ("checkbox", "show test data"), ("combobox", "scenario"),
                       ("textbox", "scenario JSON")]:
        assert app.get_by_role(role, name=name, exact=True).count() == 1, (role, name)
    sliders = app.get_by_role("slider")
    names = [sliders.nth(i).get_attribute("aria-label") for i in range(sliders.count())]
    assert sliders.count() == 13 and all(names), names
    assert app.get_by_role("slider", name="noise", exact=True).count() == 1
    assert app.get_by_role("slider", name="L2 λ", exact=True).count() == 1
    assert "decision boundary" in app.get_by_role("img").first.get_attribute("alt")
    # Tab order: from the first control, every control in turn, each with the outline
    app.locator(".reglab-dataset select").focus()
    seen, outlines = ["reglab-dataset"], []
    for _ in range(80):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        if not focus["inside"]:
            break
        if focus["control"] and focus["control"] != seen[-1]:
            seen.append(focus["control"])
        outlines.append(focus["outline"])
    assert [c for c in seen if c[7:] in CONTROLS] == [f"reglab-{c}" for c in CONTROLS]
    assert all(o[0] == "solid" and o[1] >= 2 and o[2] == "rgb(11, 87, 208)"
               for o in outlines), outlines
    # operate: Reset with Space, Step with Enter, a slider with an arrow, Train and Stop
    app.locator(".reglab-dataset select").focus()
    _tab_to(page, "reset")
    page.keyboard.press("Space")
    page.wait_for_function("el => el.innerText.startsWith('ready')", arg=live.element_handle())
    _tab_to(page, "step", key="Shift+Tab")           # back to Step, just before Reset
    page.keyboard.press("Enter")
    page.wait_for_function("el => el.innerText.includes('one epoch trained: epoch 1 ')",
                           arg=live.element_handle(), timeout=20_000)
    assert "epoch 1 " in status.inner_text()
    app.locator(".reglab-dataset select").focus()
    _tab_to(page, "noise")
    readout = app.locator(".reglab-noise .widget-readout").first
    before = readout.inner_text()
    page.keyboard.press("ArrowRight")                # a new noise level: a new run
    page.wait_for_function("([el, old]) => el.innerText !== old",
                           arg=[readout.element_handle(), before], timeout=20_000)
    page.wait_for_function("el => el.innerText.includes('epoch 0 ·')",
                           arg=status.element_handle(), timeout=20_000)
    _tab_to(page, "train")
    page.keyboard.press("Enter")
    page.wait_for_function("el => /epoch [1-9]/.test(el.innerText)",
                           arg=status.element_handle(), timeout=20_000)
    _tab_to(page, "stop")
    page.keyboard.press("Space")
    page.wait_for_function("el => el.innerText.startsWith('stopped by Stop')",
                           arg=live.element_handle(), timeout=20_000)
    box = app.locator(".reglab-show-test input").first
    _tab_to(page, "show-test")
    page.keyboard.press("Space")                     # a check box by Space
    page.wait_for_function("el => !el.checked", arg=box.element_handle())


def test_the_degree_slider_of_01_redraws_its_figure(page, lab):
    _open(page, lab, "notebooks/01_overfitting_and_the_recipe.ipynb")
    assert page.evaluate(RUN_ALL)["ok"]
    interact = page.locator(".widget-interact").first
    image = interact.locator(".widget-output img").first
    image.wait_for()
    before = image.get_attribute("src")
    interact.locator(".noUi-handle").first.focus()
    page.keyboard.press("ArrowLeft")                   # one degree less
    page.wait_for_function("([box, old]) => { const img = box.querySelector('.widget-output img');"
                           " return img && img.getAttribute('src') !== old; }",
                           arg=[interact.element_handle(), before], timeout=20_000)
    assert "<Axes" not in interact.locator(".widget-output").first.inner_text()
