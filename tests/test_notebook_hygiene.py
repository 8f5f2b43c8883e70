"""Hygiene of the committed notebooks: format, outputs, names, kernel, randomness, network.

Covers every ``notebooks/*.ipynb``, ``exercises/*.ipynb`` and
``exercises/solutions/*.ipynb``. nbval (``pytest --nbval-lax``) runs the notebooks;
these tests check what nbval cannot see:

* outputs are committed only in cells whose first line is ``# NBVAL_CHECK_OUTPUT``;
  every other code cell has no outputs and ``execution_count`` None, so nothing
  committed can be stale (``tools/refresh_outputs.py`` produces exactly that);
* in the notebooks nbval runs (``notebooks/``, ``exercises/solutions/``) each marked
  cell keeps its ``execution_count``: nbval silently skips the comparison for a
  cell whose stored count is None, so a stripped count would switch the check off;
* each topic notebook has at least one marked cell with a stored output;
* the figure audit is on (``use_style(audit=True)``) before the first figure of every topic
  notebook and of every exercise solution that draws one (drawing cells as
  ``tools/figure_alt.py`` finds them);
* every figure of a topic notebook is captioned in the markdown: the cell right after its
  drawing cell is a markdown cell that opens with prose, not with the heading of a new
  section, or the cell right before it is a markdown cell with prose (JupyterLab shows no
  text alternative for an image: the caption says what the figure shows);
* file names are ``NN_topic.ipynb`` and the kernel is ``python3``;
* no code cell uses the global NumPy random state or downloads anything.

The checks are plain functions returning a list of problems; the last tests feed
them known-bad notebooks to prove that they can fail.
"""

from __future__ import annotations

import importlib.util
import io
import re
import tokenize
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parent.parent
TOPIC_DIR = ROOT / "notebooks"
SOLUTION_DIR = ROOT / "exercises" / "solutions"
FOLDERS = (TOPIC_DIR, ROOT / "exercises", SOLUTION_DIR)
NBVAL_TESTED = (TOPIC_DIR, SOLUTION_DIR)
CHECK_MARKER = "# NBVAL_CHECK_OUTPUT"

NOTEBOOKS = sorted(p for folder in FOLDERS for p in folder.glob("*.ipynb"))
TOPIC_NOTEBOOKS = [p for p in NOTEBOOKS if p.parent == TOPIC_DIR]
SOLUTION_NOTEBOOKS = [p for p in NOTEBOOKS if p.parent == SOLUTION_DIR]
NBVAL_NOTEBOOKS = [p for p in NOTEBOOKS if p.parent in NBVAL_TESTED]

_spec = importlib.util.spec_from_file_location("figure_alt", ROOT / "tools" / "figure_alt.py")
figure_alt = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(figure_alt)

NAME = re.compile(r"^\d{2}_[a-z0-9]+(?:_[a-z0-9]+)*\.ipynb$")

# The modern API of numpy.random is allowed; anything else under np.random is the
# legacy global state (np.random.seed, np.random.rand, np.random.normal, RandomState...).
MODERN_NAMES = ("default_rng", "Generator", "SeedSequence", "BitGenerator", "PCG64",
                "PCG64DXSM", "Philox", "SFC64", "MT19937")
LEGACY_RANDOM = re.compile(rf"\b(?:np|numpy)\.random\.(?!(?:{'|'.join(MODERN_NAMES)})\b)[A-Za-z_]\w*")
FROM_NUMPY_RANDOM = re.compile(r"^\s*from\s+numpy\.random\s+import\s+\(?([\w\s,]+)\)?", re.MULTILINE)

DOWNLOADS = [
    (re.compile(r"\b(?:urllib|requests|httpx|pooch|gdown)\b"), "an HTTP client"),
    (re.compile(r"\b(?:urlretrieve|urlopen|hf_hub_download|snapshot_download)\b"), "a fetch call"),
    (re.compile(r"\btorch\.hub\b"), "torch.hub"),
    (re.compile(r"\bdownload\s*=\s*True"), "download=True"),
    (re.compile(r"\bfetch_\w+\s*\("), "a scikit-learn fetch_* loader (downloads)"),
    (re.compile(r"\bget_dataset\s*\("), "mnist1d get_dataset (downloads; use make_dataset)"),
    (re.compile(r"\.load_data\s*\("), "a Keras dataset loader (downloads)"),
    (re.compile(r"\bget_file\s*\("), "keras get_file"),
    (re.compile(r"^\s*[!%]\s*(?:pip|conda|mamba|wget|curl|git)\b", re.MULTILINE),
     "a shell/magic command that uses the network"),
    (re.compile(r"\bwget\b|\bcurl\b"), "wget/curl"),
    (re.compile(r"[\"'](?:https?|ftp)://"), "a URL string"),
]


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _code_cells(nb):
    return [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]


def is_check_cell(cell) -> bool:
    """True for a code cell whose first line is exactly the nbval check marker."""
    lines = cell.source.splitlines()
    return cell.cell_type == "code" and bool(lines) and lines[0].strip() == CHECK_MARKER


def strip_comments(source: str) -> str:
    """The source without ``#`` comments (kept as is if it does not tokenize, e.g. magics)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return source
    lines = source.splitlines(keepends=True)
    for tok in reversed(tokens):
        if tok.type == tokenize.COMMENT:
            (row, col), (_, end) = tok.start, tok.end
            line = lines[row - 1]
            lines[row - 1] = line[:col] + line[end:]
    return "".join(lines)


# --------------------------------------------------------------------------- checks


def output_problems(nb, *, nbval_tested: bool) -> list[str]:
    """Outputs or counts outside marked cells; marked cells nbval would not compare."""
    problems = []
    for i, cell in _code_cells(nb):
        if is_check_cell(cell):
            if nbval_tested and cell.execution_count is None:
                problems.append(f"cell {i}: NBVAL_CHECK_OUTPUT cell has execution_count None, "
                                "so nbval skips its comparison")
            continue
        if any(line.strip().startswith("#")
               and line.strip().lstrip("#").strip() == "NBVAL_CHECK_OUTPUT"
               for line in cell.source.splitlines()):
            problems.append(f"cell {i}: the marker must be exactly '{CHECK_MARKER}' on the "
                            "first line (nbval would compare this cell, refresh would strip it)")
        if cell.outputs:
            problems.append(f"cell {i}: {len(cell.outputs)} stored output(s) in an unmarked cell")
        if cell.execution_count is not None:
            problems.append(f"cell {i}: execution_count {cell.execution_count} in an unmarked cell")
    return problems


def checked_output_problems(nb) -> list[str]:
    """A topic notebook must store at least one output that nbval compares."""
    for _, cell in _code_cells(nb):
        if is_check_cell(cell) and cell.outputs and cell.execution_count is not None:
            return []
    return ["no NBVAL_CHECK_OUTPUT cell with a stored output and execution_count"]


def kernel_problems(nb) -> list[str]:
    name = nb.metadata.get("kernelspec", {}).get("name")
    return [] if name == "python3" else [f"kernelspec name must be 'python3', got {name!r}"]


def random_problems(nb) -> list[str]:
    problems = []
    for i, cell in _code_cells(nb):
        code = strip_comments(cell.source)
        for match in LEGACY_RANDOM.finditer(code):
            problems.append(f"cell {i}: {match.group(0)} uses the global random state; "
                            "use rng = np.random.default_rng(seed)")
        for match in FROM_NUMPY_RANDOM.finditer(code):
            names = {n.strip() for n in match.group(1).replace("\n", ",").split(",")} - {""}
            names = {n.split()[0] for n in names}
            if names - set(MODERN_NAMES):
                problems.append(f"cell {i}: imports {sorted(names - set(MODERN_NAMES))} from "
                                "numpy.random (the global random state)")
    return problems


def download_problems(nb) -> list[str]:
    problems = []
    for i, cell in _code_cells(nb):
        code = strip_comments(cell.source)
        for pattern, what in DOWNLOADS:
            match = pattern.search(code)
            if match:
                problems.append(f"cell {i}: {what} ({match.group(0).strip()!r}); "
                                "notebooks must run offline")
    return problems


def audit_problems(nb, *, required: bool = True) -> list[str]:
    """The notebook turns the figure audit on (reglab.plots.use_style(audit=True)) before
    its first figure, so that nbval fails a figure that breaks the collection's figure rules.

    ``required=False`` (an exercise solution): only a notebook that draws a figure must.
    """
    drawing = figure_alt.drawing_cells(nb.cells)
    audit = [i for i, cell in _code_cells(nb)
             if re.search(r"^use_style\(audit=True\)", strip_comments(cell.source), re.M)]
    if not audit:
        if required or drawing:
            return ["no use_style(audit=True): the notebook's figures are not checked when drawn"]
        return []
    if drawing and drawing[0] < audit[0]:
        return [f"cell {drawing[0]} draws before use_style(audit=True) (cell {audit[0]}): "
                "its figure is not checked"]
    return []


def _has_prose(cell, *, first=False) -> bool:
    """A markdown cell with a line of text that is not a heading (``first``: its first line)."""
    if cell is None or cell.cell_type != "markdown":
        return False
    lines = [line for line in cell.source.splitlines() if line.strip()]
    if first:
        lines = lines[:1]
    return any(not line.lstrip().startswith("#") for line in lines)


def caption_problems(nb) -> list[str]:
    """Each drawing cell (tools/figure_alt.py) is followed by a markdown cell that opens with
    prose (its caption), or follows a markdown cell with prose (a caption before it)."""
    cells = nb.cells
    problems = []
    for i in figure_alt.drawing_cells(cells):
        after = cells[i + 1] if i + 1 < len(cells) else None
        before = cells[i - 1] if i > 0 else None
        if not (_has_prose(after, first=True) or _has_prose(before)):
            problems.append(f"cell {i}: its figure has no caption (a markdown cell right after "
                            "it that says what it shows, not a new section; or one right before)")
    return problems


# --------------------------------------------------------------------------- tests


def test_first_notebook_exists():
    assert list(TOPIC_DIR.glob("00_*.ipynb")), "notebooks/00_*.ipynb is missing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_rel)
def test_valid_nbformat(path):
    nb = _read(path)
    assert nb.nbformat == 4, f"{_rel(path)}: nbformat {nb.nbformat}, expected 4"
    nbformat.validate(nb)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_rel)
def test_outputs_only_in_check_cells(path):
    problems = output_problems(_read(path), nbval_tested=path in NBVAL_NOTEBOOKS)
    assert not problems, (f"{_rel(path)}: " + "; ".join(problems)
                          + "\nrun: python tools/refresh_outputs.py " + _rel(path))


@pytest.mark.parametrize("path", TOPIC_NOTEBOOKS, ids=_rel)
def test_topic_notebook_has_checked_output(path):
    problems = checked_output_problems(_read(path))
    assert not problems, f"{_rel(path)}: {problems[0]}"


@pytest.mark.parametrize("path", TOPIC_NOTEBOOKS, ids=_rel)
def test_topic_notebook_audits_its_figures(path):
    problems = audit_problems(_read(path))
    assert not problems, f"{_rel(path)}: {problems[0]}"


@pytest.mark.parametrize("path", TOPIC_NOTEBOOKS, ids=_rel)
def test_topic_notebook_captions_every_figure(path):
    problems = caption_problems(_read(path))
    assert not problems, f"{_rel(path)}: " + "; ".join(problems)


@pytest.mark.parametrize("path", SOLUTION_NOTEBOOKS, ids=_rel)
def test_exercise_solution_that_draws_audits_its_figures(path):
    problems = audit_problems(_read(path), required=False)
    assert not problems, f"{_rel(path)}: {problems[0]}"


def test_some_exercise_solutions_draw():
    drawing = [p for p in SOLUTION_NOTEBOOKS if figure_alt.drawing_cells(_read(p).cells)]
    assert len(drawing) >= 5, drawing


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_rel)
def test_file_name(path):
    assert NAME.match(path.name), f"{_rel(path)}: file name must look like NN_topic.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_rel)
def test_kernel_is_python3(path):
    problems = kernel_problems(_read(path))
    assert not problems, f"{_rel(path)}: {problems[0]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_rel)
def test_no_global_random_state(path):
    problems = random_problems(_read(path))
    assert not problems, f"{_rel(path)}: " + "; ".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_rel)
def test_no_downloads(path):
    problems = download_problems(_read(path))
    assert not problems, f"{_rel(path)}: " + "; ".join(problems)


# --------------------------------------------------------------------------- the checks can fail


def _notebook(*sources, outputs=None, count=None, kernel="python3"):
    """A small notebook with one code cell per source; the last cell gets the outputs/count."""
    cells = [new_markdown_cell("# title")] + [new_code_cell(s) for s in sources]
    if outputs is not None:
        cells[-1].outputs = outputs
    cells[-1].execution_count = count
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    return nb


def _with_markdown(nb, text):
    """``nb`` with a markdown cell ``text`` appended."""
    nb.cells.append(new_markdown_cell(text))
    return nb


def _notebook_md(text, *sources):
    """A notebook: a title, a markdown cell ``text``, then one code cell per source."""
    nb = _notebook(*sources)
    nb.cells.insert(1, new_markdown_cell(text))
    return nb


_STDOUT = [new_output("stream", name="stdout", text="3.0000\n")]
_CHECK = f"{CHECK_MARKER}\nprint(3.0)"


def _problems(nb, check):
    return {
        "outputs": lambda: output_problems(nb, nbval_tested=True),
        "checked": lambda: checked_output_problems(nb),
        "kernel": lambda: kernel_problems(nb),
        "random": lambda: random_problems(nb),
        "download": lambda: download_problems(nb),
        "audit": lambda: audit_problems(nb),
        "solution-audit": lambda: audit_problems(nb, required=False),
        "caption": lambda: caption_problems(nb),
    }[check]()


BAD = {  # id: (notebook, check, a phrase of the expected message)
    "stale-output": (_notebook("x = 1", outputs=_STDOUT, count=2), "outputs", "stored output"),
    "stale-count": (_notebook("x = 1", count=2), "outputs", "execution_count 2"),
    "check-without-count": (_notebook(_CHECK, outputs=_STDOUT), "outputs", "skips its comparison"),
    "marker-not-first": (_notebook(f"x = 1\n{CHECK_MARKER}\nprint(x)"), "outputs", "first line"),
    "marker-no-space": (_notebook("#NBVAL_CHECK_OUTPUT\nprint(1)"), "outputs", "first line"),
    "no-check-cell": (_notebook("x = 1"), "checked", "no NBVAL_CHECK_OUTPUT"),
    "check-cell-empty": (_notebook(_CHECK, count=1), "checked", "no NBVAL_CHECK_OUTPUT"),
    "kernel": (_notebook("x = 1", kernel="python2"), "kernel", "python2"),
    "np.random.seed": (_notebook("np.random.seed(0)"), "random", "np.random.seed"),
    "numpy.random.randn": (_notebook("x = numpy.random.randn(3)"), "random", "numpy.random.randn"),
    "RandomState": (_notebook("rs = np.random.RandomState(0)"), "random", "RandomState"),
    "from-numpy.random": (_notebook("from numpy.random import default_rng, rand"), "random",
                          "'rand'"),
    "urllib": (_notebook("import urllib.request"), "download", "HTTP client"),
    "requests": (_notebook("r = requests.get(URL)"), "download", "HTTP client"),
    "wget": (_notebook("!wget -q http://x/y.npz"), "download", "shell"),
    "pip": (_notebook("%pip install torch"), "download", "shell"),
    "download=True": (_notebook("ds = MNIST('.', download=True)"), "download", "download=True"),
    "fetch_openml": (_notebook("X, y = fetch_openml('mnist_784', return_X_y=True)"), "download",
                     "fetch_"),
    "mnist1d-get_dataset": (_notebook("data = get_dataset(args)"), "download", "get_dataset"),
    "keras-load_data": (_notebook("(x, y), _ = keras.datasets.mnist.load_data()"), "download",
                        "Keras"),
    "url": (_notebook("w = np.load('https://example.org/w.npy')"), "download", "URL"),
    "no-audit": (_notebook("use_style()"), "audit", "no use_style(audit=True)"),
    "audit-commented-out": (_notebook("# use_style(audit=True)\nuse_style()"), "audit",
                            "no use_style(audit=True)"),
    "audit-after-a-figure": (_notebook("plt.plot([1, 2])\nplt.show()", "use_style(audit=True)"),
                             "audit", "cell 1 draws before use_style(audit=True) (cell 2)"),
    "figure-then-code": (_notebook("plt.plot([1, 2])\nplt.show()", "x = 1"), "caption",
                         "cell 1: its figure has no caption"),
    "figure-last": (_notebook("x = 1", "fig, ax = plt.subplots()\nplt.show()"), "caption",
                    "cell 2: its figure has no caption"),
    "figure-then-section": (_with_markdown(_notebook("plt.show()"), "## 2. Next\n\nNew topic."),
                            "caption", "cell 1: its figure has no caption"),
    "heading-before-figure": (_notebook_md("## 2. A figure", "plt.show()", "x = 1"), "caption",
                              "cell 2: its figure has no caption"),
    "solution-draws-unaudited": (_notebook("use_style()", "fig, ax = plt.subplots()\nplt.show()"),
                                 "solution-audit", "no use_style(audit=True)"),
}

GOOD = {  # id: (notebook, check)
    "check-cell-ok": (_notebook(_CHECK, outputs=_STDOUT, count=3), "outputs"),
    "has-check-cell": (_notebook(_CHECK, outputs=_STDOUT, count=3), "checked"),
    "generator": (_notebook("rng = np.random.default_rng(0)\nx = rng.normal(size=3)"), "random"),
    "from-numpy.random-modern": (_notebook("from numpy.random import default_rng, Generator"),
                                 "random"),
    "comment-random": (_notebook("x = 1  # never np.random.seed(0)"), "random"),
    "comment-url": (_notebook("x = 1  # not requests.get('https://...')"), "download"),
    "mnist1d-make_dataset": (_notebook("from mnist1d.data import get_dataset_args, make_dataset"),
                             "download"),
    "audit-on": (_notebook("use_style(audit=True)   # every figure checked"), "audit"),
    "solution-audited": (_notebook("use_style(audit=True)", "plot_history(h)"), "solution-audit"),
    "solution-draws-nothing": (_notebook("x = 1"), "solution-audit"),
    "caption-after": (_with_markdown(_notebook("plt.show()"), "The loss falls: dashed is validation."),
                      "caption"),
    "caption-before": (_notebook_md("## 2. A figure\n\nBelow: the loss per epoch.", "plt.show()",
                                    "x = 1"), "caption"),
    "no-figure": (_notebook("x = 1"), "caption"),
}


@pytest.mark.parametrize("nb, check, expected", BAD.values(), ids=BAD.keys())
def test_checks_catch_known_problems(nb, check, expected):
    problems = _problems(nb, check)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("nb, check", GOOD.values(), ids=GOOD.keys())
def test_checks_accept_good_cells(nb, check):
    assert not _problems(nb, check)
