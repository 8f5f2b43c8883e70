"""Generate the student notebooks in exercises/ from the solution notebooks in exercises/solutions/.

The solution notebooks are nbgrader source notebooks, and the student notebooks are what
nbgrader's ``generate_assignment`` releases (tests/test_nbgrader.py proves it with
nbgrader itself):

* in a code cell, the lines from ``### BEGIN SOLUTION`` to ``### END SOLUTION`` (both
  included) become nbgrader's code stub, ``# YOUR CODE HERE`` and
  ``raise NotImplementedError()``, at the indentation of the BEGIN line. One exception,
  the only difference from nbgrader's output: a region that only sets the letter of a
  multiple-choice answer (``answer = "c"``) is removed without a stub, since the line
  before it already reads ``answer = None  # replace None by ...``: answering then does
  not require deleting a leftover ``raise``;
* in a markdown cell (a written answer, such as "What to remember", which would give the
  questions' answers away), the region becomes nbgrader's text stub ``YOUR ANSWER HERE``.

Outputs and execution counts are dropped and the metadata reduced to the kernel (and the
cells' tags and ``mystnb`` options, which hold the text alternative of a figure: see
tools/figure_alt.py), so the result depends only on the solution's source: running this twice
gives identical bytes. Markers must be balanced and not nested.

The solution notebooks carry the nbgrader metadata that ``generate_assignment`` needs
(:func:`nbgrader_metadata`): a cell with a solution region is a solution cell (a markdown
one also a manually graded answer, 1 point), the check cell after a task an autograded
test (1 point), every other cell locked; the grade id is the cell's id. Writing the
student notebooks also writes that metadata into the solutions.

Usage::

    python tools/make_student.py            # (re)write every exercises/NN_name.ipynb
    python tools/make_student.py --check    # exit 1, listing stale or orphan notebooks
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS_DIR = ROOT / "exercises" / "solutions"
STUDENT_DIR = ROOT / "exercises"

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"   # nbgrader's ClearSolutions.code_stub
TEXT_STUB = "YOUR ANSWER HERE"                           # and its text_stub

_MARKER = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>### (?:BEGIN|END) SOLUTION)[ \t]*$")
_CHOICE = re.compile(r"""^\s*\w+\s*=\s*(["'])\(?[a-z]\)?\1\s*$""")
_CHECK_CALL = re.compile(r"^check_\w+\(", re.MULTILINE)
_KEPT_CELL_METADATA = ("tags", "mystnb")


class MarkerError(ValueError):
    """A solution marker is unbalanced, nested or malformed."""


def strip_solutions(source: str, where: str = "<cell>", stub: str = STUB) -> str:
    """Replace each marked solution region of a cell's source with a stub.

    Parameters
    ----------
    source : str
        The cell's source (code, or markdown with ``stub=TEXT_STUB``).
    where : str
        Names the notebook and cell in error messages.
    stub : str
        What replaces a region, each of its lines indented like the BEGIN line.

    Returns
    -------
    str
        The source with every region from a ``### BEGIN SOLUTION`` line to the
        next ``### END SOLUTION`` line (inclusive) replaced by ``stub``; a region of
        code that only assigns a multiple-choice letter (``answer = "c"``) is removed.

    Raises
    ------
    MarkerError
        If an END has no BEGIN, a BEGIN has no END, a BEGIN is nested in another,
        or a line mentions BEGIN/END SOLUTION without being exactly a marker.
    """
    out: list[str] = []
    begin_line = None
    region: list[str] = []
    for lineno, line in enumerate(source.splitlines(keepends=True), start=1):
        match = _MARKER.match(line.rstrip("\r\n"))
        if match is None:
            if "BEGIN SOLUTION" in line or "END SOLUTION" in line:
                raise MarkerError(
                    f"{where}, line {lineno}: malformed solution marker {line.strip()!r} "
                    f"(write exactly {BEGIN!r} or {END!r} on a line of its own)"
                )
            if begin_line is None:
                out.append(line)
            else:
                region.append(line)
            continue
        if match["marker"] == BEGIN:
            if begin_line is not None:
                raise MarkerError(
                    f"{where}, line {lineno}: {BEGIN!r} inside the solution region opened "
                    f"on line {begin_line} (regions cannot be nested)"
                )
            begin_line, region, indent = lineno, [], match["indent"]
        else:
            if begin_line is None:
                raise MarkerError(f"{where}, line {lineno}: {END!r} without a {BEGIN!r} before it")
            if not (stub == STUB and region and all(_CHOICE.match(r) for r in region)):
                out.extend(f"{indent}{s}\n" for s in stub.split("\n"))
            begin_line = None
    if begin_line is not None:
        raise MarkerError(f"{where}, line {begin_line}: {BEGIN!r} is never closed by {END!r}")
    text = "".join(out)
    if not source.endswith("\n") and text.endswith("\n"):
        text = text[:-1]
    return text


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def nbgrader_metadata(cells: list[dict]) -> list[dict]:
    """The nbgrader cell metadata (schema 3) of each cell of a solution notebook.

    A cell with a solution region is a solution cell (markdown: also a manually graded
    answer worth 1 point); a code cell right after a code solution cell that calls a
    ``check_...`` function is its autograded test, worth 1 point; every other cell is
    locked. The grade id is the cell's id.
    """
    out = []
    for index, cell in enumerate(cells):
        solution = BEGIN in _source(cell)
        previous = cells[index - 1] if index else {}
        test = (not solution and cell.get("cell_type") == "code"
                and previous.get("cell_type") == "code" and BEGIN in _source(previous)
                and _CHECK_CALL.search(_source(cell)) is not None)
        grade = test or (solution and cell.get("cell_type") == "markdown")
        meta = {"grade": grade, "grade_id": cell.get("id", f"cell-{index}"),
                "locked": not solution, "schema_version": 3, "solution": solution,
                "task": False}
        if grade:
            meta["points"] = 1
        out.append(meta)
    return out


def annotate(solution: dict) -> dict:
    """A copy of the solution notebook whose cells carry :func:`nbgrader_metadata`."""
    nb = copy.deepcopy(solution)
    for cell, meta in zip(nb["cells"], nbgrader_metadata(nb["cells"]), strict=True):
        cell.setdefault("metadata", {})["nbgrader"] = meta
    return nb


def make_student(solution: dict, name: str = "<notebook>") -> dict:
    """The student version of a solution notebook (a JSON dict in nbformat 4).

    ``name`` identifies the notebook in error messages.
    """
    if solution.get("nbformat") != 4:
        version = solution.get("nbformat")
        raise ValueError(f"{name}: expected an nbformat 4 notebook, got version {version!r}")
    cells = []
    for index, cell in enumerate(solution.get("cells", [])):
        where = f"{name}, cell {index}"
        text = _source(cell)
        kind = cell.get("cell_type")
        new = {"cell_type": kind}
        if "id" in cell:
            new["id"] = cell["id"]
        new["metadata"] = {k: cell["metadata"][k] for k in _KEPT_CELL_METADATA
                           if k in cell.get("metadata", {})}
        if kind == "code":
            new["source"] = _lines(strip_solutions(text, where))
            new["outputs"] = []
            new["execution_count"] = None
        else:
            new["source"] = _lines(strip_solutions(text, where, TEXT_STUB))
            if "attachments" in cell:
                new["attachments"] = cell["attachments"]
        cells.append(new)
    meta = solution.get("metadata", {})
    metadata = {}
    if "kernelspec" in meta:
        metadata["kernelspec"] = meta["kernelspec"]
    if "language_info" in meta:
        metadata["language_info"] = {"name": meta["language_info"].get("name", "python")}
    return {
        "cells": cells,
        "metadata": metadata,
        "nbformat": 4,
        "nbformat_minor": solution.get("nbformat_minor", 5),
    }


def dumps(nb: dict) -> str:
    """Serialize like nbformat does (1-space indent, sorted keys, UTF-8), with a final newline."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def render(solution_path: Path) -> str:
    """The text of the student notebook generated from ``solution_path``."""
    return dumps(make_student(_load(solution_path), name=str(solution_path)))


def solution_notebooks(solutions_dir: Path) -> list[Path]:
    """The solution notebooks, sorted by name."""
    return sorted(Path(solutions_dir).glob("*.ipynb"))


def student_path(solution_path: Path, student_dir: Path) -> Path:
    """Where the student notebook generated from ``solution_path`` lives (same file name)."""
    return Path(student_dir) / Path(solution_path).name


def _rel(path: Path) -> str:
    """``path`` relative to the working directory when it is below it (shorter messages)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _load(path: Path) -> dict:
    with Path(path).open(encoding="utf-8") as f:
        return json.load(f)


def _annotated(solution: dict) -> bool:
    """Whether every cell of the solution notebook carries its :func:`nbgrader_metadata`."""
    cells = solution.get("cells", [])
    return all(cell.get("metadata", {}).get("nbgrader") == meta
               for cell, meta in zip(cells, nbgrader_metadata(cells), strict=True))


def stale(solutions_dir: Path = SOLUTIONS_DIR, student_dir: Path = STUDENT_DIR) -> list[str]:
    """Problems that ``--check`` reports: missing, out-of-date or orphan student notebooks,
    and solution notebooks whose nbgrader metadata is missing or out of date."""
    problems = []
    solutions = solution_notebooks(solutions_dir)
    for sol in solutions:
        if not _annotated(_load(sol)):
            problems.append(f"{_rel(sol)}: nbgrader metadata missing or out of date")
        target = student_path(sol, student_dir)
        if not target.exists():
            problems.append(f"{_rel(target)}: missing (generate it from {_rel(sol)})")
        elif target.read_text(encoding="utf-8") != render(sol):
            problems.append(f"{_rel(target)}: out of date with {_rel(sol)}")
    names = {sol.name for sol in solutions}
    for student in sorted(Path(student_dir).glob("*.ipynb")):
        if student.name not in names:
            problems.append(
                f"{_rel(student)}: no solution notebook {_rel(Path(solutions_dir) / student.name)}"
            )
    return problems


def _write(path: Path, text: str) -> None:
    with Path(path).open("w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_all(solutions_dir: Path = SOLUTIONS_DIR, student_dir: Path = STUDENT_DIR) -> list[Path]:
    """(Re)write every student notebook, and the nbgrader metadata of every solution
    notebook that lacks it; return the paths whose content changed."""
    changed = []
    for sol in solution_notebooks(solutions_dir):
        target = student_path(sol, student_dir)
        text = render(sol)
        solution = _load(sol)
        if not _annotated(solution):
            _write(sol, dumps(annotate(solution)))
            changed.append(sol)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            _write(target, text)
            changed.append(target)
    return changed


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a student notebook is stale or orphaned")
    parser.add_argument("--solutions", type=Path, default=SOLUTIONS_DIR,
                        help="folder of solution notebooks (default: exercises/solutions)")
    parser.add_argument("--out", type=Path, default=STUDENT_DIR,
                        help="folder of student notebooks (default: exercises)")
    args = parser.parse_args(None if argv is None else list(argv))
    try:
        if args.check:
            problems = stale(args.solutions, args.out)
            for problem in problems:
                print(problem)
            if problems:
                print("run: python tools/make_student.py", file=sys.stderr)
                return 1
            print(f"{len(solution_notebooks(args.solutions))} student notebook(s) up to date")
            return 0
        changed = write_all(args.solutions, args.out)
    except MarkerError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for path in changed:
        print(f"wrote {_rel(path)}")
    orphans = [p for p in stale(args.solutions, args.out) if "no solution notebook" in p]
    for orphan in orphans:
        print(f"warning: {orphan}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
