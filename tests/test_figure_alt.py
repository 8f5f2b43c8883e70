"""Every figure of the notebooks and exercises has a text alternative that says what it shows.

The rules live in tools/figure_alt.py: each code cell that draws a figure carries, in
``metadata.mystnb.image.alt``, a text of at least a few words that is not generic, not a
label and not the cell's code, different from every other text of its notebook; a cell that
draws nothing carries none. These tests check the detection and the rules on small made-up
notebooks, then every committed notebook (the book's ``<img alt>`` is checked in
tests_book/test_figure_alt.py).
"""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("figure_alt", ROOT / "tools" / "figure_alt.py")
figure_alt = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(figure_alt)
_spec = importlib.util.spec_from_file_location("make_student", ROOT / "tools" / "make_student.py")
make_student = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_student)

NOTEBOOKS = sorted(p.relative_to(ROOT) for g in figure_alt.DEFAULT_GLOBS for p in ROOT.glob(g))
GOOD = "Training loss falls all the way while validation loss turns up: the network overfits"


def _code(text, alt=None):
    cell = {"cell_type": "code", "metadata": {}, "source": text, "outputs": [],
            "execution_count": None}
    if alt is not None:
        figure_alt.set_alt(cell, alt)
    return cell


def _md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


@pytest.mark.parametrize("source", [
    "fig, ax = plt.subplots()\nax.plot(x, y)\nplt.show()",
    "plt.figure()\nplt.plot(x)",
    "for k in range(3):\n    if k:\n        plt.show()",
    "%matplotlib inline\nplot_history(h)",
    "display(panels)",
])
def test_a_cell_that_makes_or_shows_a_figure_draws(source):
    assert figure_alt.drawing_cells([_code("x = 1"), _code(source)]) == [1]


def test_a_cell_draws_through_a_function_of_the_notebook_called_or_passed_on():
    cells = [_code("def panel(ax):\n    ax.plot([1, 2])\n\ndef show_rows(rows):\n"
                   "    fig, ax = plt.subplots()\n    panel(ax)\n    plt.show()"),
             _code("def twice(rows):\n    show_rows(rows)\n    show_rows(rows)"),
             _code("show_rows({'a': 1})"),
             _code("twice({'a': 1})"),
             _code("interact(show_rows, rows=(0, 3));"),
             _code("panel(ax)"),        # draws into an axes it is given: no new figure
             _md("plt.show() in prose draws nothing")]
    assert figure_alt.drawing_cells(cells) == [2, 3, 4]


def test_a_widget_that_draws_draws_where_it_is_shown_last_not_where_it_is_built():
    cells = [_code("app = Playground(cfg)\napp"), _code("live = Playground(cfg)\nlive.train()"),
             _code("app")]
    assert figure_alt.drawing_cells(cells) == [0, 2]


@pytest.mark.parametrize("source", [
    "x = plt.cm.viridis(0.5)\nc = plt.Circle((0, 0), 1)",   # pyplot, but no figure
    "def f():\n    plt.show()",                             # only defines a drawing function
    "ax.plot(x, y)  # into an existing figure",
    "print('plt.show()')",
    "def broken(:\n    plt.show()",                          # not Python (a student stub)
])
def test_a_cell_that_makes_no_figure_does_not_draw(source):
    assert figure_alt.drawing_cells([_code(source)]) == []


def test_a_good_text_has_no_problem():
    assert figure_alt.alt_problems(GOOD, "plt.show()") == []


@pytest.mark.parametrize("text, problem", [
    (None, "no text alternative"),
    (["a", "b"], "not a string"),
    ("", "fewer than"),
    ("Figure 3", "generic"),
    ("plot", "generic"),
    ("  image ", "generic"),
    ("No description has been provided for this image", "generic"),
    ("<Figure size 640x480 with 1 Axes>", "generic"),
    ("../_images/5f0c1e2d9a.png", "generic"),
    ("Figure 2: the training and validation loss of the network per epoch", "a label"),
    ("Loss per epoch, two curves", "fewer than"),
    (GOOD + " " + "and so on " * 40, "longer than"),
    ("training and validation accuracy per epoch for every keep probability",
     "piece of the code"),
])
def test_a_bad_text_is_named(text, problem):
    code = 'ax.set(title="training and validation accuracy per epoch for every keep probability")'
    problems = figure_alt.alt_problems(text, code)
    assert any(problem in p for p in problems), problems


def test_notebook_problems_names_missing_stale_and_repeated_texts():
    cells = [_code("plt.subplots()\nplt.show()", alt=GOOD),
             _code("plt.show()"),                                   # missing
             _code("x = 1", alt="A text for a figure that no cell draws here"),   # stale
             _code("plot_history(h)", alt=GOOD.upper())]            # the same as cell 0
    problems = figure_alt.notebook_problems(cells)
    assert problems == ["cell 1: no text alternative (metadata mystnb.image.alt)",
                        "cell 2: a text alternative, but the cell draws no figure",
                        "cell 3: the same text alternative as cell 0"]


def test_set_alt_keeps_the_other_metadata():
    cell = _code("plt.show()")
    cell["metadata"] = {"tags": ["x"], "mystnb": {"image": {"width": "80%"}}}
    figure_alt.set_alt(cell, GOOD)
    assert cell["metadata"] == {"tags": ["x"],
                                "mystnb": {"image": {"width": "80%", "alt": GOOD}}}
    assert figure_alt.alt_of(cell) == GOOD


def test_a_student_notebook_keeps_the_text_alternative_of_its_solution():
    solution = {"cells": [_code("fig, ax = plt.subplots()\nplt.show()", alt=GOOD)],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    student = make_student.make_student(solution)
    assert figure_alt.alt_of(student["cells"][0]) == GOOD


def test_the_collection_has_notebooks_that_draw():
    assert len(NOTEBOOKS) >= 15 + 2 * 14
    drawn = sum(len(figure_alt.drawing_cells(json.loads((ROOT / p).read_text())["cells"]))
                for p in NOTEBOOKS if p.parts[0] == "notebooks")
    assert drawn >= 60


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=str)
def test_every_figure_has_a_text_alternative_that_says_what_it_shows(notebook):
    cells = json.loads((ROOT / notebook).read_text(encoding="utf-8"))["cells"]
    assert figure_alt.notebook_problems(cells) == []
