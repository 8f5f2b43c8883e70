"""Generate the student notebooks in exercises/ from the solution notebooks in exercises/solutions/.

In every code cell, the lines from ``### BEGIN SOLUTION`` to ``### END SOLUTION``
(nbgrader's markers, both included) become one line
``raise NotImplementedError("Your code here")`` at the indentation of the BEGIN
line. Outputs and execution counts are dropped and the metadata reduced to the
kernel, so the result depends only on the solution's source: running this twice
gives identical bytes. Markers must be balanced and not nested; markdown cells
must not contain any (there are no written answers to hide).

Usage::

    python tools/make_student.py            # (re)write every exercises/NN_name.ipynb
    python tools/make_student.py --check    # exit 1, listing stale or orphan notebooks
"""

from __future__ import annotations

import argparse
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
STUB = 'raise NotImplementedError("Your code here")'

_MARKER = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>### (?:BEGIN|END) SOLUTION)[ \t]*$")
_KEPT_CELL_METADATA = ("tags",)


class MarkerError(ValueError):
    """A solution marker is unbalanced, nested or malformed."""


def strip_solutions(source: str, where: str = "<cell>") -> str:
    """Replace each marked solution region of a code cell's source with a stub.

    Parameters
    ----------
    source : str
        The cell's source code.
    where : str
        Names the notebook and cell in error messages.

    Returns
    -------
    str
        The source with every region from a ``### BEGIN SOLUTION`` line to the
        next ``### END SOLUTION`` line (inclusive) replaced by
        ``raise NotImplementedError("Your code here")``, indented like the BEGIN line.

    Raises
    ------
    MarkerError
        If an END has no BEGIN, a BEGIN has no END, a BEGIN is nested in another,
        or a line mentions BEGIN/END SOLUTION without being exactly a marker.
    """
    out: list[str] = []
    begin_line = None
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
            continue
        if match["marker"] == BEGIN:
            if begin_line is not None:
                raise MarkerError(
                    f"{where}, line {lineno}: {BEGIN!r} inside the solution region opened "
                    f"on line {begin_line} (regions cannot be nested)"
                )
            begin_line = lineno
            out.append(f"{match['indent']}{STUB}\n")
        else:
            if begin_line is None:
                raise MarkerError(f"{where}, line {lineno}: {END!r} without a {BEGIN!r} before it")
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
            if "BEGIN SOLUTION" in text or "END SOLUTION" in text:
                raise MarkerError(
                    f"{where}: solution markers in a {kind} cell are not supported "
                    f"(only code cells are stripped)"
                )
            new["source"] = _lines(text)
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
    solution_path = Path(solution_path)
    with solution_path.open(encoding="utf-8") as f:
        solution = json.load(f)
    return dumps(make_student(solution, name=str(solution_path)))


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


def stale(solutions_dir: Path = SOLUTIONS_DIR, student_dir: Path = STUDENT_DIR) -> list[str]:
    """Problems that ``--check`` reports: missing, out-of-date or orphan student notebooks."""
    problems = []
    solutions = solution_notebooks(solutions_dir)
    for sol in solutions:
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


def write_all(solutions_dir: Path = SOLUTIONS_DIR, student_dir: Path = STUDENT_DIR) -> list[Path]:
    """(Re)write every student notebook; return the paths whose content changed."""
    changed = []
    for sol in solution_notebooks(solutions_dir):
        target = student_path(sol, student_dir)
        text = render(sol)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            with target.open("w", encoding="utf-8", newline="\n") as f:
                f.write(text)
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
