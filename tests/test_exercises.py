"""The exercise mechanism: generated student notebooks are current, stripped, and fail untouched.

The solution notebooks themselves are executed by nbval (pytest collects
exercises/solutions/*.ipynb, see pyproject.toml); here we test the generator
tools/make_student.py and execute the *student* notebooks.
"""

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "exercises" / "solutions"
STUDENTS = ROOT / "exercises"
TOOL = ROOT / "tools" / "make_student.py"

_spec = importlib.util.spec_from_file_location("make_student", TOOL)
make_student = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_student)

SOLUTION_NBS = sorted(SOLUTIONS.glob("*.ipynb"))
STUDENT_NBS = sorted(STUDENTS.glob("*.ipynb"))
STUB = make_student.STUB


def _load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _src(cell):
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def _run_tool(*args):
    return subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)


# ------------------------------------------------------------ (e) one-to-one pairing

def test_every_exercise_has_a_solution_and_vice_versa():
    assert SOLUTION_NBS, "no solution notebooks in exercises/solutions/"
    assert {p.name for p in STUDENT_NBS} == {p.name for p in SOLUTION_NBS}


# -------------------------------------------------------------- (a) up to date

def test_student_notebooks_are_up_to_date():
    assert make_student.stale() == [], "run: python tools/make_student.py"


def test_check_command_exits_0_when_up_to_date():
    result = _run_tool("--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout


@pytest.fixture
def exercise_copy(tmp_path):
    """A copy of exercises/ (solutions and generated student notebooks) in tmp_path."""
    sol, out = tmp_path / "solutions", tmp_path / "student"
    sol.mkdir()
    out.mkdir()
    for path in SOLUTION_NBS:
        shutil.copy(path, sol / path.name)
        shutil.copy(STUDENTS / path.name, out / path.name)
    return sol, out


def test_check_detects_a_modified_solution(exercise_copy):
    sol, out = exercise_copy
    assert make_student.stale(sol, out) == []
    path = sol / SOLUTION_NBS[0].name
    nb = _load(path)
    nb["cells"][0]["source"] = ["# A new title\n"]
    path.write_text(json.dumps(nb), encoding="utf-8")
    problems = make_student.stale(sol, out)
    assert len(problems) == 1 and path.name in problems[0] and "out of date" in problems[0]
    result = _run_tool("--check", "--solutions", str(sol), "--out", str(out))
    assert result.returncode == 1
    assert path.name in result.stdout
    # regenerating fixes it
    assert make_student.write_all(sol, out) == [out / path.name]
    assert make_student.stale(sol, out) == []


def test_check_detects_missing_and_orphan_student_notebooks(exercise_copy):
    sol, out = exercise_copy
    name = SOLUTION_NBS[0].name
    (out / name).rename(out / "99_orphan.ipynb")
    problems = make_student.stale(sol, out)
    assert any(name in p and "missing" in p for p in problems)
    assert any("99_orphan.ipynb" in p and "no solution notebook" in p for p in problems)


def test_generation_is_deterministic(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    make_student.write_all(SOLUTIONS, first)
    make_student.write_all(SOLUTIONS, second)
    for path in SOLUTION_NBS:
        assert (first / path.name).read_bytes() == (second / path.name).read_bytes()
        assert (first / path.name).read_bytes() == (STUDENTS / path.name).read_bytes()
    assert make_student.write_all(SOLUTIONS, first) == []  # nothing changes the second time


# ------------------------------------------------------ (b) replacing the markers

def test_region_replaced_by_stub_at_the_begin_indentation():
    source = (
        "def f(x):\n"
        '    """Doc."""\n'
        "    ### BEGIN SOLUTION\n"
        "    y = x + 1\n"
        "    return y\n"
        "    ### END SOLUTION\n"
    )
    assert make_student.strip_solutions(source) == (
        f'def f(x):\n    """Doc."""\n    {STUB}\n'
    )


def test_code_around_and_between_regions_is_kept():
    source = (
        "a = 1\n"
        "### BEGIN SOLUTION\n"
        "b = 2\n"
        "### END SOLUTION\n"
        "for i in range(3):\n"
        "    if i:\n"
        "        ### BEGIN SOLUTION\n"
        "        print(i)\n"
        "        ### END SOLUTION\n"
        "c = 3"
    )
    assert make_student.strip_solutions(source) == (
        f"a = 1\n{STUB}\nfor i in range(3):\n    if i:\n        {STUB}\nc = 3"
    )


def test_source_without_markers_is_unchanged_and_no_trailing_newline_added():
    source = "x = 1\nprint(x)"
    assert make_student.strip_solutions(source) == source
    assert make_student.strip_solutions("### BEGIN SOLUTION\nx = 1\n### END SOLUTION") == STUB


@pytest.mark.parametrize(("source", "message"), [
    ("### BEGIN SOLUTION\nx = 1\n", r"line 1: '### BEGIN SOLUTION' is never closed"),
    ("x = 1\n### END SOLUTION\n", r"line 2: '### END SOLUTION' without a '### BEGIN SOLUTION'"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n### END SOLUTION\n",
     r"line 2: .* inside the solution region opened on line 1"),
    ("## BEGIN SOLUTION\nx = 1\n## END SOLUTION\n", r"line 1: malformed solution marker"),
    ("x = 1  ### BEGIN SOLUTION\n", r"malformed solution marker"),
])
def test_bad_markers_raise_naming_the_place(source, message):
    with pytest.raises(make_student.MarkerError, match=message):
        make_student.strip_solutions(source, where="nb.ipynb, cell 3")
    with pytest.raises(make_student.MarkerError, match=r"^nb\.ipynb, cell 3, line"):
        make_student.strip_solutions(source, where="nb.ipynb, cell 3")


def _notebook(*cells):
    return {"cells": list(cells), "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python", "version": "3.11.9"},
        "widgets": {"state": {}}}, "nbformat": 4, "nbformat_minor": 5}


def _code(source, **extra):
    cell = {"cell_type": "code", "id": "c", "metadata": {"collapsed": True, "tags": ["t"]},
            "source": source, "execution_count": 7,
            "outputs": [{"output_type": "stream", "name": "stdout", "text": ["hi\n"]}]}
    cell.update(extra)
    return cell


def test_make_student_strips_outputs_and_cleans_metadata():
    nb = make_student.make_student(_notebook(_code(["x = 1\n", "### BEGIN SOLUTION\n", "y = 2\n",
                                                    "### END SOLUTION\n"])))
    cell = nb["cells"][0]
    assert cell["outputs"] == [] and cell["execution_count"] is None
    assert cell["metadata"] == {"tags": ["t"]}
    assert cell["source"] == ["x = 1\n", STUB + "\n"]
    assert nb["metadata"] == {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                             "language": "python"},
                              "language_info": {"name": "python"}}


def test_unbalanced_marker_error_names_notebook_and_cell():
    bad = _notebook({"cell_type": "markdown", "id": "m", "metadata": {}, "source": "# Title"},
                    _code("### BEGIN SOLUTION\nx = 1\n"))
    with pytest.raises(make_student.MarkerError, match=r"^broken\.ipynb, cell 1, line 1"):
        make_student.make_student(bad, name="broken.ipynb")


def test_markers_in_markdown_are_refused():
    nb = _notebook({"cell_type": "markdown", "id": "m", "metadata": {},
                    "source": "<!-- BEGIN SOLUTION -->\nThe answer.\n<!-- END SOLUTION -->"})
    with pytest.raises(make_student.MarkerError, match=r"x\.ipynb, cell 0: .*markdown"):
        make_student.make_student(nb, name="x.ipynb")


def test_tool_reports_marker_errors_with_exit_code_2(tmp_path):
    sol, out = tmp_path / "solutions", tmp_path / "student"
    sol.mkdir()
    out.mkdir()
    (sol / "01_bad.ipynb").write_text(json.dumps(_notebook(_code("### END SOLUTION\n"))))
    result = _run_tool("--solutions", str(sol), "--out", str(out))
    assert result.returncode == 2
    assert "01_bad.ipynb, cell 0, line 1" in result.stderr
    assert not (out / "01_bad.ipynb").exists()


# ----------------------------------------- the committed notebooks are clean and stripped

@pytest.mark.parametrize("path", SOLUTION_NBS + STUDENT_NBS, ids=lambda p: str(p.relative_to(ROOT)))
def test_committed_notebooks_carry_no_outputs(path):
    for cell in _load(path)["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.parametrize("path", SOLUTION_NBS, ids=lambda p: p.name)
def test_solutions_have_regions_and_students_have_none(path):
    solution = "".join(_src(c) for c in _load(path)["cells"])
    student = "".join(_src(c) for c in _load(STUDENTS / path.name)["cells"])
    assert solution.count("### BEGIN SOLUTION") == student.count(STUB) > 0
    assert "SOLUTION" not in student


# ------------------------------------- (d) untouched student notebooks fail, as they should

@pytest.mark.parametrize("path", STUDENT_NBS, ids=lambda p: p.name)
def test_untouched_student_notebook_fails_with_not_implemented(path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    with pytest.raises(nbclient.exceptions.CellExecutionError) as info:
        client.execute()
    assert info.value.ename == "NotImplementedError", info.value.evalue
    assert "not implemented yet" in info.value.evalue

    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    failed = [i for i in code if any(o.get("output_type") == "error" for o in nb.cells[i].outputs)]
    first_stub = next(i for i in code if STUB in nb.cells[i].source)
    first_check = next(i for i in code if i > first_stub and "check_" in nb.cells[i].source)
    assert failed == [first_check], "the first task's check cell should be the first to fail"
