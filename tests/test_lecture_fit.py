"""Lecture fit of the topic notebooks: a plan, a 50-minute core, then "Going further".

Every ``notebooks/NN_*.ipynb`` must be usable as one lecture (DESIGN.md, "Notebooks"):

* **the plan**: the first markdown cell holds a plan table whose header row has a
  section column (``§`` or ``section``), a minutes column (``min`` or ``minutes``) and a
  column on what to run (a header containing ``live`` or ``in class``), e.g.
  ``| § | lecture plan | min | live |``. The minutes of the rows sum to 45–55 (rows
  without a number, such as a "Going further" row marked ``–``, count 0). The capstone
  (12) fits the same budget: its long runs are done before class;
* **the core** is every cell before the markdown cell whose first line starts with
  ``## Going further`` (the rule ``tools/slides.py`` uses for the deck). That cell must
  exist, and the core holds at most 1,800 words of markdown (``len(text.split())`` over
  its markdown cells, plan included) and at most 250 non-blank lines of code;
* **no wall**: no code cell anywhere has more than 30 lines (blank lines included) and no
  markdown cell more than 60;
* **"Predict, then run"**: the core has at least two markdown cells containing the
  words ``Predict, then run`` (capital P; the plan table's lower-case mentions do not
  count), each immediately followed by the code cell that shows the answer.

The checks are plain functions returning a list of problems, each naming the cell; the
last tests feed them small made-up notebooks to prove that they can fail.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

PLAN_MINUTES = (45, 55)
MAX_CORE_WORDS = 1800
MAX_CORE_CODE_LINES = 250
MAX_CODE_CELL_LINES = 30
MAX_MARKDOWN_CELL_LINES = 60
MIN_PREDICT_THEN_RUN = 2
GOING_FURTHER = "## Going further"
PREDICT = "Predict, then run"

SECTION_HEADERS = ("§", "section")
MINUTES_HEADERS = ("min", "minutes")


def _first_line(cell) -> str:
    return cell.source.lstrip().splitlines()[0].strip() if cell.source.strip() else ""


def _words(cell) -> int:
    return len(cell.source.split())


def _code_lines(cell) -> int:
    return sum(1 for line in cell.source.splitlines() if line.strip())


def _tables(text: str) -> list[list[list[str]]]:
    """Every markdown table of ``text``: a list of rows of stripped cells, separator dropped."""
    tables, rows = [], []
    for line in text.splitlines() + [""]:
        line = line.strip()
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                rows.append(cells)
        elif rows:
            tables.append(rows)
            rows = []
    return tables


def _header(row: list[str]) -> list[str]:
    return [h.lower().strip("* ") for h in row]


def _plan_table(text: str) -> list[list[str]] | None:
    """The plan table (header row first) of ``text``, or None."""
    for rows in _tables(text):
        header = _header(rows[0])
        if (header[0] in SECTION_HEADERS and any(h in MINUTES_HEADERS for h in header)
                and any("live" in h or "in class" in h for h in header)):
            return rows
    return None


def core_end(nb) -> int | None:
    """Index of the ``## Going further`` markdown cell, or None when there is none."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and _first_line(cell).startswith(GOING_FURTHER):
            return i
    return None


# --------------------------------------------------------------------------- checks


def plan_problems(nb) -> list[str]:
    """The first markdown cell must hold a plan table whose minutes sum to 45–55."""
    first = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"), None)
    if first is None:
        return ["no markdown cell: the notebook has no title and no plan"]
    rows = _plan_table(nb.cells[first].source)
    if rows is None:
        return [f"cell {first} (the first markdown cell) has no plan table: expected a header "
                "like '| § | lecture plan | min | live |'"]
    header = _header(rows[0])
    col = next(j for j, h in enumerate(header) if h in MINUTES_HEADERS)
    minutes = 0
    for row in rows[1:]:
        value = row[col] if col < len(row) else ""
        if re.fullmatch(r"\d+", value):
            minutes += int(value)
    lo, hi = PLAN_MINUTES
    if not lo <= minutes <= hi:
        return [f"cell {first}: the plan's minutes sum to {minutes}, expected {lo}–{hi}"]
    return []


def core_problems(nb) -> list[str]:
    """A ``## Going further`` cell exists; the core before it fits the word and line budget."""
    end = core_end(nb)
    if end is None:
        return [f"no markdown cell starts with '{GOING_FURTHER}': the core has no end"]
    core = nb.cells[:end]
    words = sum(_words(c) for c in core if c.cell_type == "markdown")
    lines = sum(_code_lines(c) for c in core if c.cell_type == "code")
    problems = []
    if words > MAX_CORE_WORDS:
        largest = max((i for i, c in enumerate(core) if c.cell_type == "markdown"),
                      key=lambda i: _words(core[i]))
        problems.append(f"core (cells 0–{end - 1}) has {words} words of markdown, at most "
                        f"{MAX_CORE_WORDS} (largest: cell {largest}, {_words(core[largest])} words)")
    if lines > MAX_CORE_CODE_LINES:
        largest = max((i for i, c in enumerate(core) if c.cell_type == "code"),
                      key=lambda i: _code_lines(core[i]))
        problems.append(f"core (cells 0–{end - 1}) has {lines} non-blank code lines, at most "
                        f"{MAX_CORE_CODE_LINES} (largest: cell {largest}, "
                        f"{_code_lines(core[largest])} lines)")
    return problems


def cell_size_problems(nb) -> list[str]:
    """No code cell over 30 lines, no markdown cell over 60, anywhere in the notebook."""
    problems = []
    for i, cell in enumerate(nb.cells):
        n = len(cell.source.splitlines())
        limit = MAX_CODE_CELL_LINES if cell.cell_type == "code" else MAX_MARKDOWN_CELL_LINES
        if cell.cell_type in ("code", "markdown") and n > limit:
            problems.append(f"cell {i}: {cell.cell_type} cell of {n} lines, at most {limit} "
                            f"(starts {_first_line(cell)[:50]!r})")
    return problems


def predict_problems(nb) -> list[str]:
    """At least two "Predict, then run" markdown cells in the core, each before a code cell."""
    end = core_end(nb)
    end = len(nb.cells) if end is None else end
    found, problems = 0, []
    for i, cell in enumerate(nb.cells[:end]):
        if cell.cell_type != "markdown" or PREDICT not in cell.source:
            continue
        if i + 1 < len(nb.cells) and nb.cells[i + 1].cell_type == "code":
            found += 1
        else:
            problems.append(f"cell {i}: '{PREDICT}' is not followed by the code cell that "
                            "shows the answer")
    if found < MIN_PREDICT_THEN_RUN:
        problems.append(f"core has {found} '{PREDICT}' cell(s) followed by code, at least "
                        f"{MIN_PREDICT_THEN_RUN}")
    return problems


CHECKS = {"plan": plan_problems, "core": core_problems, "cell_sizes": cell_size_problems,
          "predict_then_run": predict_problems}


def _assert_fits(path: Path, check: str):
    problems = CHECKS[check](nbformat.read(path, as_version=4))
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)


def test_every_topic_notebook_is_covered():
    assert len(NOTEBOOKS) >= 15 and NOTEBOOKS[0].name.startswith("00_")


@pytest.mark.parametrize("check", list(CHECKS))
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_fits_a_lecture(path, check):
    """plan, core and going further, no wall cells, predict-then-run moments."""
    _assert_fits(path, check)


# --------------------------------------------------------------------------- the checks can fail

PLAN = """# 99 · A topic

Intro.

| § | lecture plan | min | live |
|---|---|---|---|
| 1 | first idea | 20 | run it |
| 2 | second idea | 25 | predict, then run |
| | what to remember | 5 | |

**Going further** (optional): more.
"""


def _nb(*cells):
    return new_notebook(cells=list(cells))


def _good(*extra):
    return _nb(new_markdown_cell(PLAN), new_code_cell("import numpy as np"),
               new_markdown_cell("## 1. First\n\n**Predict, then run.** Guess the sign."),
               new_code_cell("print(1)"),
               new_markdown_cell("**Predict, then run.** Guess again."), new_code_cell("print(2)"),
               new_markdown_cell("## Going further\n\nMore."), *extra)


BAD = {
    "no plan table": (_nb(new_markdown_cell("# Title\n\nNo table.")), plan_problems,
                      "has no plan table"),
    "minutes off": (_nb(new_markdown_cell(PLAN.replace("| 25 |", "| 45 |"))), plan_problems,
                    "sum to 70"),
    "no going further": (_nb(new_markdown_cell(PLAN), new_markdown_cell("## Going on")),
                         core_problems, "no markdown cell starts with '## Going further'"),
    "going further inside a cell": (
        _nb(new_markdown_cell(PLAN), new_markdown_cell("## Summary\n\n## Going further")),
        core_problems, "the core has no end"),
    "too many words": (_nb(new_markdown_cell("word " * 1801), new_markdown_cell(GOING_FURTHER)),
                       core_problems, "1801 words of markdown"),
    "too much code": (_nb(*[new_code_cell("x = 1\n" * 26) for _ in range(10)],
                          new_markdown_cell(GOING_FURTHER)),
                      core_problems, "260 non-blank code lines"),
    "wall of code after the core": (_good(new_code_cell("x = 1\n\n" * 16)), cell_size_problems,
                                    "cell 7: code cell of 32 lines"),
    "wall of prose": (_nb(new_markdown_cell("line\n" * 61)), cell_size_problems,
                      "cell 0: markdown cell of 61 lines"),
    "one predict only": (_nb(new_markdown_cell("**Predict, then run.** Guess."),
                             new_code_cell("print(1)"), new_markdown_cell(GOING_FURTHER)),
                         predict_problems, "1 'Predict, then run' cell(s)"),
    "predict without code": (_nb(new_markdown_cell("**Predict, then run.** Guess."),
                                 new_markdown_cell("The answer."),
                                 new_markdown_cell(GOING_FURTHER)),
                             predict_problems, "cell 0: 'Predict, then run' is not followed"),
    "predict after the core": (_nb(new_markdown_cell("**Predict, then run.** A."),
                                   new_code_cell("1"), new_markdown_cell(GOING_FURTHER),
                                   new_markdown_cell("**Predict, then run.** B."),
                                   new_code_cell("2")),
                               predict_problems, "core has 1"),
    "lower case in the plan only": (_nb(new_markdown_cell(PLAN), new_code_cell("1"),
                                        new_markdown_cell(GOING_FURTHER)),
                                    predict_problems, "core has 0"),
}


@pytest.mark.parametrize("nb, check, expected", BAD.values(), ids=BAD.keys())
def test_checks_catch_misfits(nb, check, expected):
    problems = check(nb)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("check", CHECKS.values(), ids=CHECKS.keys())
def test_checks_accept_a_fitting_notebook(check):
    assert check(_good(new_code_cell("x = 1\n" * 30))) == []


def test_plan_accepts_other_column_names_and_dashes():
    plan = ("# T\n\n| section | minutes | run live | if short of time |\n|---|---|---|---|\n"
            "| 1. A | 30 | yes | |\n| 2. B | 20 | | skip |\n| Going further | — | | |\n")
    assert plan_problems(_nb(new_markdown_cell(plan))) == []
