"""The exercise mechanism: generated student notebooks are current, stripped, and fail untouched.

The solution notebooks themselves are executed by nbval (pytest collects
exercises/solutions/*.ipynb, see pyproject.toml); here we test the generator
tools/make_student.py, its nbgrader metadata, that no student notebook gives a
multiple-choice answer away (nor its task text, in other words, before the check), that a
derive-then-implement task keeps its formula in its last collapsed hint, and execute the
*student* notebooks: the first check fails, shown in a few lines. (tests/test_nbgrader.py runs nbgrader itself on the solutions.)
"""

import importlib
import importlib.util
import json
import pkgutil
import re
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
TEXT_STUB = make_student.TEXT_STUB


def _indented(text, indent):
    return "".join(f"{indent}{line}\n" for line in text.split("\n"))


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
        'def f(x):\n    """Doc."""\n' + _indented(STUB, "    ")
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
        f"a = 1\n{STUB}\nfor i in range(3):\n    if i:\n" + _indented(STUB, "        ") + "c = 3"
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
    assert "".join(cell["source"]) == f"x = 1\n{STUB}\n"
    assert nb["metadata"] == {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                             "language": "python"},
                              "language_info": {"name": "python"}}


def test_unbalanced_marker_error_names_notebook_and_cell():
    bad = _notebook({"cell_type": "markdown", "id": "m", "metadata": {}, "source": "# Title"},
                    _code("### BEGIN SOLUTION\nx = 1\n"))
    with pytest.raises(make_student.MarkerError, match=r"^broken\.ipynb, cell 1, line 1"):
        make_student.make_student(bad, name="broken.ipynb")


def test_a_multiple_choice_region_leaves_no_stub():
    source = 'answer = None  # replace None by "a", "b", "c" or "d"\n' \
             '### BEGIN SOLUTION\nanswer = "c"\n### END SOLUTION\n'
    assert make_student.strip_solutions(source) == \
        'answer = None  # replace None by "a", "b", "c" or "d"\n'
    # anything else in the region is code to write: the stub stays
    other = "answer = None\n### BEGIN SOLUTION\nanswer = pick()\n### END SOLUTION\n"
    assert make_student.strip_solutions(other) == f"answer = None\n{STUB}\n"


def test_a_markdown_region_becomes_the_text_stub():
    nb = _notebook({"cell_type": "markdown", "id": "m", "metadata": {},
                    "source": "## What to remember\n\nWrite it down.\n\n### BEGIN SOLUTION\n"
                              "* The answer is (b).\n### END SOLUTION"})
    cell = make_student.make_student(nb)["cells"][0]
    assert "".join(cell["source"]) == f"## What to remember\n\nWrite it down.\n\n{TEXT_STUB}"
    nb["cells"][0]["source"] = "<!-- BEGIN SOLUTION -->\nThe answer.\n<!-- END SOLUTION -->"
    with pytest.raises(make_student.MarkerError, match=r"x\.ipynb, cell 0, line 1: malformed"):
        make_student.make_student(nb, name="x.ipynb")


def test_nbgrader_metadata_solution_test_and_locked_cells():
    cells = [{"cell_type": "markdown", "id": "intro", "source": "# Title"},
             _code("def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n",
                   id="f"),
             _code("check_f(f)\n", id="f-check"),
             _code("print(f(1))\n", id="demo"),
             {"cell_type": "markdown", "id": "remember",
              "source": "Write.\n### BEGIN SOLUTION\nx\n### END SOLUTION"}]
    meta = make_student.nbgrader_metadata(cells)
    assert [m["grade_id"] for m in meta] == ["intro", "f", "f-check", "demo", "remember"]
    assert [m["solution"] for m in meta] == [False, True, False, False, True]
    assert [m["grade"] for m in meta] == [False, False, True, False, True]
    assert [m["locked"] for m in meta] == [True, False, True, True, False]
    assert [m.get("points") for m in meta] == [None, None, 1, None, 1]
    assert all(m["schema_version"] == 3 and m["task"] is False for m in meta)


def test_check_detects_missing_nbgrader_metadata_and_writing_adds_it(exercise_copy):
    sol, out = exercise_copy
    path = sol / SOLUTION_NBS[0].name
    nb = _load(path)
    del nb["cells"][3]["metadata"]["nbgrader"]
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert make_student.stale(sol, out) == [f"{path}: nbgrader metadata missing or out of date"]
    assert make_student.write_all(sol, out) == [path]
    assert make_student.stale(sol, out) == []


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
    solution, student = _load(path)["cells"], _load(STUDENTS / path.name)["cells"]
    for kind, stub in (("code", STUB.splitlines()[-1]), ("markdown", TEXT_STUB)):
        regions = sum(_src(c).count("### BEGIN SOLUTION") for c in solution
                      if c["cell_type"] == kind)
        choices = sum(1 for c in solution if c["cell_type"] == kind and re.search(
            r"### BEGIN SOLUTION\n\w+ = \"[a-z]\"\n### END SOLUTION", _src(c)))
        stubs = sum(_src(c).count(stub) for c in student if c["cell_type"] == kind)
        assert stubs == regions - choices > 0, kind
    assert "SOLUTION" not in "".join(_src(c) for c in student)


# -------------------------------- no student notebook gives a multiple-choice answer away

def _questions():
    """(module name, question) for every MultipleChoice of reglab.checks."""
    import reglab.checks
    from reglab.checks import MultipleChoice
    for info in pkgutil.iter_modules(reglab.checks.__path__):
        module = importlib.import_module(f"reglab.checks.{info.name}")
        for obj in vars(module).values():
            if isinstance(obj, MultipleChoice):
                yield info.name, obj


QUESTIONS = list(_questions())
_OPTION_LINE = re.compile(r"^\s*[*-]\s*\(([a-z])\)")


def _norm(text):
    return re.sub(r"\s+", " ", text).strip().lower()


def giveaways(question, cells):
    """Where the cells reveal ``question``'s answer, outside the list of its options.

    The right letter in an answer position ("(c)", ``answer = "c"``), the right option's
    text, and any sentence of the explanation shown on success (``why[answer]``).
    """
    letter, found, outside = question.answer, [], []
    for cell in cells:
        for line in _src(cell).splitlines():
            if cell["cell_type"] == "markdown" and _OPTION_LINE.match(line):
                continue                                     # the options list itself
            outside.append(line)
            if re.search(rf"\({letter}\)|=\s*[\"']\(?{letter}\)?[\"']", line):
                found.append(line.strip())
    text = _norm("\n".join(outside))
    option = question.options[letter]
    if isinstance(option, str) and _norm(option) in text:
        found.append(option)
    found += [s for s in re.split(r"(?<=[.:;])\s+", question.why[letter])
              if len(s) >= 25 and _norm(s) in text]
    return found


@pytest.mark.parametrize(("module", "question"), QUESTIONS, ids=[q.name for _, q in QUESTIONS])
def test_no_student_notebook_gives_an_answer_away(module, question):
    asking = [p for p in STUDENT_NBS if f"reglab.checks.{module} import" in p.read_text()]
    assert len(asking) == 1, f"{question.name}: asked in {asking}"   # one notebook per module
    assert giveaways(question, _load(asking[0])["cells"]) == []
    # the solution notebook does state it, so the test can see an answer when there is one
    assert giveaways(question, _load(SOLUTIONS / asking[0].name)["cells"])


def test_giveaways_finds_a_letter_a_statement_and_an_explanation():
    from reglab.checks.norms import EXERCISE5 as q
    options = "* (a) 0.50\n* (b) 0.72\n* (c) 1.00\n* (d) 1.28"
    md = lambda text: {"cell_type": "markdown", "source": text}  # noqa: E731
    assert giveaways(q, [md(options), {"cell_type": "code", "source": "answer = None"}]) == []
    assert giveaways(q, [md(options + "\n\nThe answer is (c).")])
    assert giveaways(q, [{"cell_type": "code", "source": "answer = 'c'"}])
    assert giveaways(q, [md(q.why["c"])])


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
    assert info.value.ename == "NotDoneError", info.value.evalue
    assert "not implemented yet" in info.value.evalue

    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    failed = [i for i in code if any(o.get("output_type") == "error" for o in nb.cells[i].outputs)]
    first_stub = next(i for i in code if STUB.splitlines()[-1] in nb.cells[i].source)
    first_check = next(i for i in code if i > first_stub and "check_" in nb.cells[i].source)
    assert failed == [first_check], "the first task's check cell should be the first to fail"
    # what JupyterLab shows: the message in a few lines, no traceback through reglab
    shown = "\n".join(next(o for o in nb.cells[first_check].outputs
                           if o.get("output_type") == "error")["traceback"])
    assert shown.startswith("NotDoneError: ") and "not implemented yet" in shown
    assert len(shown.splitlines()) <= 6 and "reglab/checks" not in shown, shown


# ------------------------- nor does the task text, before the check (paraphrases included)

_STOPWORDS = set("a an the of to with in on for and or is are be by as at it its this that "
                 "from than more only each every no not all any your you one".split())
_NUMBER = re.compile(r"\d+\.\d+|\d{2,}")


def _words(text):
    """Content words of ``text``, lower-case, punctuation and a plural -s stripped, no numbers."""
    out = set()
    for token in _norm(text).split():
        token = token.strip(".,;:()[]!?\"'`*$")
        if not token or token in _STOPWORDS or _NUMBER.fullmatch(token.lstrip("−-")):
            continue
        out.add(token[:-1] if len(token) > 3 and token.endswith("s") else token)
    return out


def _cells_before_check(question, cells):
    """The cells up to the check of ``question`` and the index of the cell of its options."""
    options = [f"({k})" for k in question.options]
    asked = next(i for i, c in enumerate(cells) if c["cell_type"] == "markdown"
                 and all(any(_OPTION_LINE.match(line) and o in line
                             for line in _src(c).splitlines()) for o in options))
    check = next(i for i in range(asked + 1, len(cells))
                 if cells[i]["cell_type"] == "code" and "check_" in _src(cells[i]))
    return cells[:check + 1], asked


def task_text_giveaways(question, cells):
    """Sentences before ``question``'s check that state its answer in other words.

    A sentence (outside the options list) gives the answer away when it has a number of the
    right option that no wrong option has ("a factor of −1.04 diverges" for the option "it
    diverges, |x| grows by a factor 1.04"), or when it is closer to the right option than to
    every wrong one: it shares with the right option at least half of its content words (and
    at least 3), among them, for each wrong option, a word that the wrong option lacks.
    Options given as numbers are left to :func:`giveaways`.
    """
    right = question.options[question.answer]
    if not isinstance(right, str):
        return []
    wrong = [v for k, v in question.options.items() if k != question.answer]
    numbers = set(_NUMBER.findall(right)) - {n for w in wrong for n in _NUMBER.findall(str(w))}
    words = _words(right)
    apart = [words - _words(str(w)) for w in wrong]
    before, asked = _cells_before_check(question, cells)
    found = []
    for i, cell in enumerate(before):
        lines = [line for line in _src(cell).splitlines()
                 if not (cell["cell_type"] == "markdown" and _OPTION_LINE.match(line))]
        for sentence in re.split(r"(?<=[.:;?!])\s+", " ".join(lines)):
            has = _words(sentence)
            if i != asked and numbers & set(_NUMBER.findall(sentence)):
                found.append(sentence)
            elif (len(has & words) >= max(3, len(words) / 2)
                  and all(has & a for a in apart)):
                found.append(sentence)
    return found


@pytest.mark.parametrize(("module", "question"), QUESTIONS, ids=[q.name for _, q in QUESTIONS])
def test_no_task_text_gives_an_answer_away(module, question):
    asking = [p for p in STUDENT_NBS if f"reglab.checks.{module} import" in p.read_text()]
    assert task_text_giveaways(question, _load(asking[0])["cells"]) == []


def test_task_text_giveaways_finds_a_paraphrase_and_a_number():
    from reglab.checks.dropout import RATE_QUESTION as q
    cells = [{"cell_type": "markdown", "source": "* (a) `keep_prob = 0.2`\n* (b) `keep_prob = "
              "0.8`\n* (c) `keep_prob = 1.25`\n* (d) `keep_prob = 0.2` during training and "
              "`0.8` at test time"}, {"cell_type": "code", "source": "check_rate_question(a)"}]
    assert task_text_giveaways(q, cells) == []
    from reglab.checks.fits import EXERCISE1 as q1
    options = "\n".join(f"* ({k}) {v}" for k, v in q1.options.items())
    ask = [{"cell_type": "markdown", "source": options},
           {"cell_type": "code", "source": "check_exercise1(answer_1)"}]
    leak = {"cell_type": "markdown", "source": "A gap like this one: add L2 regularization "
            "to the loss function."}
    assert task_text_giveaways(q1, ask) == []
    assert task_text_giveaways(q1, [leak, *ask])
    assert task_text_giveaways(q1, [*ask, leak]) == []          # after the check: allowed
    from reglab.checks import MultipleChoice
    q2 = MultipleChoice("border", {"a": "it converges, slowly", "b": "it grows by 1.04 per "
                                   "step", "c": "it stays"}, "b", {k: k for k in "abc"})
    ask = [{"cell_type": "markdown", "source": "What does it do at 1.04?\n* (a) it converges, "
            "slowly\n* (b) it grows by 1.04 per step\n* (c) it stays"},
           {"cell_type": "code", "source": "check_border(answer)"}]
    number = {"cell_type": "markdown", "source": "Mind the sign: −1.04 is as bad as 1.04."}
    assert task_text_giveaways(q2, ask) == []                    # the question may say it
    assert task_text_giveaways(q2, [number, *ask]) == ["−1.04 is as bad as 1.04."]


# --------------------- derive-then-implement tasks: the formula only in the last hint

_DETAILS = re.compile(r"<details><summary>(.*?)</summary>(.*?)</details>", re.S)
LADDER = ["Hint 1", "Hint 2", "The formula"]


def _formula_pieces(formula, earlier=""):
    """What a derive-then-implement task must not show outside its last hint.

    The inline code of the formula hint (8 characters or more), and its LaTeX: each
    equation (the math cut at "," and \\qquad) without its left side, which names what the
    task asks for (the task may name it), cut at "=" and "+" into pieces of 8 characters or
    more (spaces and thin spaces removed, so that a reformatted copy is found too). A piece
    that the earlier hints (``earlier``) show already is theirs to show, not the formula's.
    """
    pieces = {c for c in re.findall(r"`([^`]+)`", formula) if len(c) >= 8}
    for math in re.findall(r"\$\$(.+?)\$\$|\$(.+?)\$", formula, re.S):
        tex = re.sub(r"\\[,;!]|\s+", "", "".join(math))
        for equation in re.split(r",|\\qquad", tex):
            sides = equation.split("=")
            for side in sides[1:] or sides:
                pieces |= {p.strip(".") for p in side.split("+") if len(p.strip(".")) >= 8}
    shown = _flat(earlier)
    return {p for p in pieces if _flat(p) not in shown}


def _flat(text):
    return re.sub(r"\\[,;!]|\s+", "", text)


def derive_tasks(cells):
    """(index of the task's markdown cell, its hint summaries, formula pieces) per ladder."""
    for i, cell in enumerate(cells):
        blocks = _DETAILS.findall(_src(cell)) if cell["cell_type"] == "markdown" else []
        if blocks:
            yield i, [s.strip() for s, _ in blocks], _formula_pieces(
                blocks[-1][1], "\n".join(body for _, body in blocks[:-1]))


def formula_leaks(cells):
    """Formula pieces of a derive-then-implement task shown before its check, outside hints."""
    found = []
    for i, _, pieces in derive_tasks(cells):
        check = next(j for j in range(i + 1, len(cells))
                     if cells[j]["cell_type"] == "code" and "check_" in _src(cells[j]))
        text = _flat("\n".join(_DETAILS.sub("", _src(c)) for c in cells[:check + 1]))
        found += [p for p in pieces if _flat(p) in text]
    return found


README = ROOT / "README.md"
_EXERCISE_ROW = re.compile(r"^\| `exercises/(\d\d_\w+\.ipynb)` \|(.+)\|[ \t]*$", re.M)


def readme_exercise_tasks(text):
    """{exercise file name: its "tasks" column} from the README's table of the exercises."""
    return dict(_EXERCISE_ROW.findall(text))


EXERCISE_TASKS = readme_exercise_tasks(README.read_text(encoding="utf-8"))
DERIVE_NBS = [STUDENTS / name for name, tasks in sorted(EXERCISE_TASKS.items())
              if "derive-then-implement" in tasks]


def test_readme_table_says_which_exercises_derive_then_implement():
    """The README's table lists every exercise, and marks derive-then-implement exactly the
    exercises that have a hint ladder (so DERIVE_NBS, read from it, misses none)."""
    assert set(EXERCISE_TASKS) == {p.name for p in STUDENT_NBS}
    with_ladder = {p.name for p in STUDENT_NBS if any(derive_tasks(_load(p)["cells"]))}
    assert {p.name for p in DERIVE_NBS} == with_ladder


def test_readme_table_is_read_row_by_row():
    table = ("| exercise | tasks |\n|---|---|\n"
             "| `exercises/01_a.ipynb` | one (derive-then-implement: x) |\n"
             "| `exercises/02_b.ipynb` | \\|x\\| ≤ ε, no ladder |\n"
             "see `exercises/03_c.ipynb` | derive-then-implement |\n")
    assert readme_exercise_tasks(table) == {"01_a.ipynb": " one (derive-then-implement: x) ",
                                            "02_b.ipynb": " \\|x\\| ≤ ε, no ladder "}


@pytest.mark.parametrize("path", DERIVE_NBS, ids=lambda p: p.name)
def test_derive_then_implement_tasks_keep_the_formula_in_the_last_hint(path):
    cells = _load(path)["cells"]
    tasks = list(derive_tasks(cells))
    assert tasks, f"{path.name} has no derive-then-implement task (a hint ladder)"
    for _, summaries, pieces in tasks:
        assert summaries == LADDER and pieces
    assert formula_leaks(cells) == []


def test_formula_leaks_finds_a_formula_above_the_stub():
    ladder = ("Derive it.\n<details><summary>Hint 1</summary>a</details>\n<details><summary>"
              "Hint 2</summary>b</details>\n<details><summary>The formula</summary>\n\n"
              "$$\\frac{\\partial J}{\\partial W} = dW + \\frac{\\lambda}{m}\\,W$$\n"
              "`grads[name] + lam / m * params[name]`\n</details>")
    cells = [{"cell_type": "markdown", "source": ladder},
             {"cell_type": "code", "source": "def f(params, grads, lam, m):\n    pass"},
             {"cell_type": "code", "source": "check_f(f)"}]
    assert formula_leaks(cells) == []
    cells[1]["source"] = "def f(params, grads, lam, m):\n    # grads[name] + lam / m * params[name]"
    assert formula_leaks(cells) == ["grads[name] + lam / m * params[name]"]
    cells[1]["source"] = "def f():\n    pass"
    cells[0]["source"] = "The gradient is $\\frac{\\lambda}{m} W$.\n" + ladder
    assert formula_leaks(cells) == ["\\frac{\\lambda}{m}W"]


def test_formula_leaks_lets_the_task_name_its_unknown_and_restate_a_hint():
    ladder = ("<details><summary>Hint 1</summary>Write $s = \\sqrt{\\sigma^2+\\delta}$."
              "</details>\n<details><summary>Hint 2</summary>b</details>\n<details><summary>"
              "The formula</summary>\n\n$$\\partial L/\\partial x_k = \\frac{\\gamma}{s}"
              "\\big(g_k - \\bar g\\big),\\qquad s = \\sqrt{\\sigma^2+\\delta}.$$\n</details>")
    task = "Derive $\\partial L/\\partial x_k$ from $y = \\gamma(x - \\mu)/\\sqrt{\\sigma^2+\\delta}$.\n"
    cells = [{"cell_type": "markdown", "source": task + ladder},
             {"cell_type": "code", "source": "def f(dY, X):\n    pass"},
             {"cell_type": "code", "source": "check_f(f)"}]
    (_, _, pieces), = derive_tasks(cells)
    assert pieces == {"\\frac{\\gamma}{s}\\big(g_k-\\barg\\big)"}
    assert formula_leaks(cells) == []           # the unknown named, the forward pass given
    cells[0]["source"] = task + "So it is $\\frac{\\gamma}{s}\\big(g_k - \\bar g\\big)$.\n" + ladder
    assert formula_leaks(cells) == ["\\frac{\\gamma}{s}\\big(g_k-\\barg\\big)"]
