"""nbgrader itself accepts the solution notebooks and releases the committed student notebooks.

A throw-away course directory gets every solution notebook as ``source/reglab/NN_x.ipynb``
(one assignment, a SQLite gradebook in the same directory, nothing on the network);
``nbgrader generate_assignment reglab`` must succeed and release, for every notebook, the
cells of ``exercises/NN_x.ipynb``: same number, same types, same sources. "Same" up to one
documented normalization, the only place where tools/make_student.py departs from
nbgrader's output: after a multiple-choice stub line ``answer = None  # ...`` nbgrader
leaves its code stub (``# YOUR CODE HERE`` / ``raise NotImplementedError()``), which
make_student.py leaves out so that answering needs no deleting.

The release must also be what a grader expects: the check cells autograded tests worth
their points, the solution cells editable, every other cell locked.

nbgrader pins its own Jupyter stack, so it lives in a venv of its own: ``make nbgrader``
creates it and runs this file there. Without nbgrader (``make test``) the test is skipped.
"""

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("nbgrader", reason="nbgrader is not installed here: `make nbgrader` runs "
                                       "this test in a venv of its own")

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "exercises" / "solutions"
STUDENTS = ROOT / "exercises"
ASSIGNMENT = "reglab"

_spec = importlib.util.spec_from_file_location("make_student", ROOT / "tools" / "make_student.py")
make_student = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_student)

# The documented normalization: nbgrader's stub after a multiple-choice `name = None` line.
_CHOICE_STUB = re.compile(r"^(\w+ = None\b.*)\n" + re.escape(make_student.STUB) + r"$",
                          re.MULTILINE)


def normalized(source: str) -> str:
    """nbgrader's release form of a cell's source, with multiple-choice stubs removed."""
    return _CHOICE_STUB.sub(r"\1", source)


def _cells(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)["cells"]


def _src(cell):
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    """The folder of notebooks that nbgrader generate_assignment releases."""
    course = tmp_path_factory.mktemp("course")
    source = course / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        shutil.copy(path, source / path.name)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{course / 'gradebook.db'}'\n")
    env = dict(os.environ)   # nbgrader runs alembic, installed next to this Python
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force"],
        cwd=course, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return course / "release" / ASSIGNMENT


def test_every_solution_notebook_is_released(release):
    assert sorted(p.name for p in release.glob("*.ipynb")) == sorted(
        p.name for p in SOLUTIONS.glob("*.ipynb"))


@pytest.mark.parametrize("name", [p.name for p in sorted(SOLUTIONS.glob("*.ipynb"))])
def test_release_matches_the_committed_student_notebook(release, name):
    released, committed = _cells(release / name), _cells(STUDENTS / name)
    assert [c["cell_type"] for c in released] == [c["cell_type"] for c in committed]
    for index, (r, c) in enumerate(zip(released, committed, strict=True)):
        assert normalized(_src(r)) == _src(c), f"{name}, cell {index}"


@pytest.mark.parametrize("name", [p.name for p in sorted(SOLUTIONS.glob("*.ipynb"))])
def test_release_is_graded_and_locked(release, name):
    cells = _cells(release / name)
    meta = [c["metadata"]["nbgrader"] for c in cells]
    tests = [i for i, m in enumerate(meta) if m["grade"] and not m["solution"]]
    answers = [i for i, m in enumerate(meta) if m["solution"]]
    assert tests and all(meta[i]["points"] == 1 for i in tests)
    assert all("check_" in _src(cells[i]) for i in tests)
    assert all(cells[i - 1]["metadata"]["nbgrader"]["solution"] for i in tests)
    for i, cell in enumerate(cells):
        editable = cell["metadata"].get("editable", True)
        assert editable == (i in answers), f"{name}, cell {i}: editable should be {i in answers}"
    remember = [i for i in answers if _src(cells[i]).startswith("## What to remember")]
    assert len(remember) == 1 and make_student.TEXT_STUB in _src(cells[remember[0]])


def test_the_normalization_removes_only_the_multiple_choice_stub():
    stub = make_student.STUB
    assert normalized(f'answer = None  # "a" to "d"\n{stub}') == 'answer = None  # "a" to "d"'
    indented = "def f(x):\n" + textwrap.indent(stub, "    ")
    assert normalized(indented) == indented
    assert normalized(f"x = 1\n{stub}") == f"x = 1\n{stub}"
