"""nbgrader grades the exercises as a course would: release, submissions, autograde, feedback.

A throw-away course directory written by ``tools/make_course.py`` (as ``make course`` writes
one: one assignment ``exNN`` per exercise, a time limit per cell, deleted check cells added
back, a SQLite gradebook, nothing on the network) is released with
``nbgrader generate_assignment``. Generated submissions, the released notebook with the
answer cells filled in, are then autograded and the gradebook is read back:

* ``alice`` answers every task of every exercise correctly: full marks everywhere;
* on exercise 00 (fast: no training), ``bob`` makes a usual slip in task 1, ``carol`` hands
  in the release untouched, ``dave``'s task 5 raises and his task 3 never returns, and
  ``erin`` replaces a check by ``pass`` (with a wrong answer above it), deletes another
  check, leaves outputs in and answers the multiple-choice question with a number.

Each failing task costs that task's point and no other; a loop costs a timeout, not the
notebook; a tampered or deleted check is restored from the source and graded as written.
``nbgrader generate_feedback`` then writes HTML that shows the check's message for the
mistake and none of the hidden solution code.

The notebooks run in a kernel of the project's own environment (``.venv``: reglab and its
dependencies), declared to nbgrader through a kernelspec in a temporary JUPYTER_PATH.
``make nbgrader`` runs this file in nbgrader's venv; without nbgrader it is skipped. The time
of each autograded notebook is printed (pytest -s shows it): a report, not a test.
"""

import html
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("nbgrader", reason="nbgrader is not installed here: `make nbgrader` runs "
                                       "this test in a venv of its own")

from nbgrader.api import Gradebook  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "exercises" / "solutions"
KERNEL_PYTHON = ROOT / ".venv" / "bin" / "python"
SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$\n?", re.MULTILINE)

_spec = importlib.util.spec_from_file_location("make_course", ROOT / "tools" / "make_course.py")
make_course = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_course)
NAMES = make_course.assignments()
LOOP_TIMEOUT = 10  # seconds per cell for the autograding run that meets the infinite loop


def _cells(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))["cells"]


def _src(cell):
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def _grade_id(cell):
    return cell["metadata"].get("nbgrader", {}).get("grade_id")


def _solutions(assignment):
    """grade_id -> the solution's answer code (the solution markers removed)."""
    return {_grade_id(c): SOLUTION_MARKERS.sub("", _src(c))
            for c in _cells(SOLUTIONS / NAMES[assignment])
            if c["metadata"].get("nbgrader", {}).get("solution") and c["cell_type"] == "code"}


def _nbgrader(course, *args, env):
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _submit(course, student, assignment, edit=None):
    """Hand in the release of ``assignment`` with every answer cell correct, then ``edit``."""
    released = course / "release" / assignment / NAMES[assignment]
    nb = json.loads(released.read_text(encoding="utf-8"))
    answers = _solutions(assignment)
    for cell in nb["cells"]:
        if _grade_id(cell) in answers:
            cell["source"] = answers[_grade_id(cell)]
    if edit is not None:
        edit(nb)
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    (folder / NAMES[assignment]).write_text(json.dumps(nb, indent=1), encoding="utf-8")


def _set(grade_id, source):
    def edit(nb):
        cell = next(c for c in nb["cells"] if _grade_id(c) == grade_id)
        cell["source"] = source
    return edit


def _all(*edits):
    def edit(nb):
        for e in edits:
            e(nb)
    return edit


def _untouched(course, assignment):
    def edit(nb):
        released = course / "release" / assignment / NAMES[assignment]
        nb["cells"] = _cells(released)
    return edit


def _erin(nb):
    """Tampering, outputs left in, and a number for a letter."""
    cells = nb["cells"]
    _set("task4-code", "def frobenius_norm(W):\n    return float(np.abs(W).sum())")(nb)
    _set("task4-check", "pass  # the check of task 4, replaced")(nb)
    nb["cells"] = [c for c in cells if _grade_id(c) != "task5-check"]      # deleted
    _set("task6-code", "answer = 3")(nb)
    nb["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout",
                                  "text": "left in by the student\n"}]
    nb["cells"][1]["execution_count"] = 7


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course with every exercise released, the submissions autograded, feedback written."""
    if not KERNEL_PYTHON.exists():
        pytest.fail(f"{KERNEL_PYTHON} is missing: run `make test` (or make .venv/.installed) "
                    f"first, so that the notebooks have a kernel with reglab")
    root = tmp_path_factory.mktemp("course")
    kernels = root / "jupyter" / "kernels" / "python3"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(KERNEL_PYTHON), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (reglab)", "language": "python"}))
    env = dict(os.environ, JUPYTER_PATH=str(root / "jupyter"), OPENBLAS_NUM_THREADS="1")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    make_course.write_course(root)
    for assignment in NAMES:
        _nbgrader(root, "generate_assignment", assignment, "--force", env=env)
        _submit(root, "alice", assignment)
    _submit(root, "bob", "ex00", _set("task1-code", "def l1_norm(x):\n    return float(np.sum(x))"))
    _submit(root, "carol", "ex00", _untouched(root, "ex00"))
    _submit(root, "erin", "ex00", _erin)
    times = {}
    for assignment in NAMES:
        start = time.perf_counter()
        _nbgrader(root, "autograde", assignment, "--force", env=env)
        times[assignment] = time.perf_counter() - start
    # dave, alone: his infinite loop waits for the (short) time limit of this run
    _submit(root, "dave", "ex00", _all(
        _set("task5-code", "def l2_penalty_value(params, lam, m):\n"
                           "    raise ValueError('not today')"),
        _set("task3-code", "def lp_norm(x, p):\n    while True:\n        pass")))
    start = time.perf_counter()
    _nbgrader(root, "autograde", "ex00", "--student", "dave", "--force",
              f"--Execute.timeout={LOOP_TIMEOUT}", env=env)
    times["ex00, dave (loop)"] = time.perf_counter() - start
    _nbgrader(root, "generate_feedback", "ex00", "--force", env=env)
    print("\nautograding time per run (s):",
          ", ".join(f"{k} {v:.1f}" for k, v in times.items()))
    return root


def _scores(course, student, assignment):
    """grade_id -> score of the check cells (the written answers, graded by hand, left out)."""
    with Gradebook(f"sqlite:///{course}/gradebook.db") as gb:
        nb = gb.find_submission_notebook(Path(NAMES[assignment]).stem, assignment, student)
        return {g.name: g.score for g in nb.grades if g.cell.cell_type == "code"}


@pytest.mark.parametrize("assignment", list(NAMES))
def test_correct_answers_get_full_marks(course, assignment):
    scores = _scores(course, "alice", assignment)
    assert scores and all(s == 1 for s in scores.values()), scores


EX00_CHECKS = [f"task{i}-check" for i in range(1, 7)]


@pytest.mark.parametrize(("student", "zero"), [
    ("bob", {"task1-check"}),                       # a usual slip costs its task only
    ("carol", set(EX00_CHECKS)),                    # the untouched release: nothing done
    ("dave", {"task3-check", "task5-check"}),       # an infinite loop, a crash
    ("erin", {"task4-check", "task6-check"}),       # tampered check, a number for a letter
])
def test_each_failing_task_costs_its_own_point(course, student, zero):
    scores = _scores(course, student, "ex00")
    assert set(scores) == set(EX00_CHECKS), scores
    assert {k for k, s in scores.items() if s == 0} == zero, scores
    assert sum(scores.values()) == len(EX00_CHECKS) - len(zero)


def _feedback(course, student):
    path = course / "feedback" / student / "ex00" / (Path(NAMES["ex00"]).stem + ".html")
    return html.unescape(path.read_text(encoding="utf-8"))


def test_feedback_names_the_mistake_and_hides_the_solution(course):
    bob = _feedback(course, "bob")
    assert "l1_norm is wrong on" in bob and "did you forget the absolute value" in bob
    carol = _feedback(course, "carol")
    assert "l1_norm is not implemented yet" in carol
    hidden = [line.strip() for code in _solutions("ex00").values()
              for line in code.splitlines()
              if line.strip() and not line.lstrip().startswith(("def ", "#", '"""', "answer ="))]
    leaked = [line for line in hidden if line in carol]
    assert hidden and not leaked, leaked


def test_a_deleted_check_is_added_back_and_graded(course):
    assert "was missing from the submission" in _feedback(course, "erin")
