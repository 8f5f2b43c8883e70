"""The text alternative of every figure: where it lives and what makes one good.

A code cell that draws a figure carries, in its metadata, the text that stands for the
figure when it cannot be seen, written as the claim the figure supports ("Training loss
falls all the way while validation loss turns up after about 20 epochs"), not as a label
("Figure 3", "loss plot")::

    "metadata": {"mystnb": {"image": {"alt": "Training loss falls ..."}}}

myst-nb, which renders the book (``book/build.py`` copies the metadata with the cell), puts
it into the ``alt`` of the cell's ``<img>``; a widget frozen for the book keeps its frame in
its cell, so it gets that cell's text too. A cell draws one figure (one ``plt.show()``, one
displayed widget or frame), so that each figure has its own text; a cell that drew two
would show one text twice on its page, which tests_book/test_figure_alt.py rejects.
JupyterLab (4.6) shows no ``alt`` for an output image at all: there the markdown caption
that follows a figure says what it shows.

Which cells draw is found in their code, without running them (:func:`drawing_cells`): a
cell draws when, outside any function it defines, it calls a pyplot function that makes or
shows a figure (``plt.show``, ``plt.subplots``, ``plt.figure``, ...), ``display(...)``, or a
function of the notebook that does (``show_rows(...)``, also when passed on, as to
``interact``), or when it ends by showing a widget built by a constructor that draws
(``app = Playground(...)``, then ``app``). The book's tests check this finding against the
cells that did draw when the book was built. :func:`alt_problems` says what is wrong with
one text; :func:`notebook_problems` with a whole notebook.

Usage::

    python tools/figure_alt.py [NOTEBOOK ...]   # list the problems (all notebooks by default)
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GLOBS = ("notebooks/[0-9][0-9]_*.ipynb", "exercises/solutions/[0-9][0-9]_*.ipynb",
                 "exercises/[0-9][0-9]_*.ipynb")
PYPLOT_DRAWING = {"show", "subplots", "figure", "subplot", "subplot_mosaic", "plot", "imshow",
                  "hist", "bar", "scatter"}  # plt.<name>: makes or shows a figure
DRAWING_NAMES = {"display", "plot_history", "plot_decision_boundary"}  # draw when called
WIDGETS_THAT_DRAW = {"Playground", "PlaygroundFigure"}  # shown as the last expression
MIN_WORDS = 6
MAX_CHARS = 400
GENERIC = re.compile(
    r"^\W*(?:a |an |the )?(?:figure|fig|plot|image|img|graph|chart|picture|screenshot|output)"
    r"\b(?:\s*\d+)?\W*$|no description has been provided|^<figure size"
    r"|^\S+\.(?:png|jpe?g|svg|gif)$", re.I)  # ... or a file name, as a renderer's default
LABEL_START = re.compile(r"^\W*(?:figure|fig\.?|image|plot|graph|chart)\s*\d*\s*[:.-]", re.I)


def alt_of(cell: dict):
    """The text alternative stored in ``cell``'s metadata, or None."""
    return cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt")


def set_alt(cell: dict, text: str) -> None:
    """Store ``text`` as the text alternative of the figure ``cell`` draws."""
    cell.setdefault("metadata", {}).setdefault("mystnb", {}).setdefault("image", {})["alt"] = text


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _tree(source: str) -> ast.Module:
    """The syntax tree of a cell's code; IPython lines (``%magic``, ``!shell``) left out."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line
             for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:  # a student stub that is not Python yet: it draws nothing
        return ast.Module(body=[], type_ignores=[])


def _outside_definitions(node: ast.AST):
    """The nodes under ``node``, not entering the bodies of functions and classes."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        yield child
        yield from _outside_definitions(child)


def _draws(nodes, drawing_functions: set[str]) -> bool:
    """Whether ``nodes`` call a pyplot function that makes a figure, or name a drawing
    function (called, or passed on as to ``interact``)."""
    for node in nodes:
        if (isinstance(node, ast.Attribute) and node.attr in PYPLOT_DRAWING
                and isinstance(node.value, ast.Name) and node.value.id == "plt"):
            return True
        if isinstance(node, ast.Name) and (node.id in drawing_functions
                                           or node.id in DRAWING_NAMES):
            return True
    return False


def drawing_cells(cells: list[dict]) -> list[int]:
    """The indices of the code cells of a notebook that draw a figure (see the module)."""
    trees = {i: _tree(_source(c)) for i, c in enumerate(cells) if c.get("cell_type") == "code"}
    functions = {node.name: node for tree in trees.values() for node in ast.walk(tree)
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    drawing: set[str] = set()
    changed = True
    while changed:  # a function that calls a drawing function draws: to a fixed point
        changed = False
        for name, node in functions.items():
            if name not in drawing and _draws(ast.walk(node), drawing):
                drawing.add(name)
                changed = True
    widgets = {target.id for tree in trees.values() for node in ast.walk(tree)
               if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
               and isinstance(node.value.func, ast.Name)
               and node.value.func.id in WIDGETS_THAT_DRAW
               for target in node.targets if isinstance(target, ast.Name)}
    out = []
    for i, tree in trees.items():
        last = tree.body[-1] if tree.body else None
        shows_widget = (isinstance(last, ast.Expr) and isinstance(last.value, ast.Name)
                        and last.value.id in widgets)
        if shows_widget or _draws(_outside_definitions(tree), drawing):
            out.append(i)
    return out


def alt_problems(text, code: str = "") -> list[str]:
    """What is wrong with ``text`` as the text alternative of a figure drawn by ``code``:
    missing, not a string, generic ("Figure 3", "plot", a figure's repr, a file name), a label
    ("Figure 2: ..."), fewer than MIN_WORDS words, longer than MAX_CHARS characters, or a
    piece of the code."""
    if text is None:
        return ["no text alternative (metadata mystnb.image.alt)"]
    if not isinstance(text, str):
        return [f"the text alternative is a {type(text).__name__}, not a string"]
    text = " ".join(text.split())
    problems = []
    if GENERIC.search(text):
        problems.append(f"generic text alternative {text!r}")
    elif LABEL_START.match(text):
        problems.append(f"a label, not what the figure shows: {text!r}")
    if len(re.findall(r"[^\W\d_]{2,}", text)) < MIN_WORDS:
        problems.append(f"fewer than {MIN_WORDS} words: {text!r}")
    if len(text) > MAX_CHARS:
        problems.append(f"longer than {MAX_CHARS} characters ({len(text)}): say less")
    if text and text in " ".join(code.split()):
        problems.append(f"the text alternative is a piece of the code: {text!r}")
    return problems


def notebook_problems(cells: list[dict]) -> list[str]:
    """Each problem of a notebook's text alternatives, with its cell: a drawing cell without
    a good one, a cell that draws nothing but has one, two figures with the same text."""
    drawing = set(drawing_cells(cells))
    problems, seen = [], {}
    for i, cell in enumerate(cells):
        text = alt_of(cell)
        if i in drawing:
            problems += [f"cell {i}: {p}" for p in alt_problems(text, _source(cell))]
        elif text is not None:
            problems.append(f"cell {i}: a text alternative, but the cell draws no figure")
        if isinstance(text, str):
            key = " ".join(text.lower().split())
            if key in seen:
                problems.append(f"cell {i}: the same text alternative as cell {seen[key]}")
            seen.setdefault(key, i)
    return problems


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(p for g in DEFAULT_GLOBS for p in ROOT.glob(g))
    failed = 0
    for path in paths:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for problem in notebook_problems(cells):
            print(f"{path}: {problem}")
            failed = 1
    return failed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
