"""Build the book: a static HTML site of the collection, executed from the current code.

Usage::

    python book/build.py [--jobs 2] [--only 00 01 ...] [--out _build/book]

Steps, all offline:

1. The sources are laid out anew in ``OUT/src``: ``index.md``, the front page, made
   from the README's maps (its opening paragraph, "The notebooks" and "The exercises",
   with each path turned into a link to its page); ``notebooks/NN_*.ipynb``; and the
   student notebooks ``exercises/NN_*.ipynb`` as students get them (never
   ``exercises/solutions/``). The test markers (a first line ``# NBVAL_...``) are left out
   of the cells shown, and the math of the markdown cells is laid out so that MyST finds
   the formulas JupyterLab finds (``markdown_math.py``: a display that shares a paragraph
   with text gets lines of its own, an inline formula one line).
2. The topic notebooks are executed with nbclient, ``--jobs`` at a time, each in the
   ``python3`` kernel of this environment with its own folder as working directory, and
   written back executed, with consecutive chunks of printed text joined as JupyterLab
   joins them (one block per run of stdout, not one per chunk). A widget is kept as what
   it shows at the end of the run (the figure inside the ``interact`` of notebook 01, the
   playground's frame in 14), under a one-line note. Notebook 13 needs torch: without it,
   it is not executed and its page opens with a note saying so (and the build prints it).
3. Sphinx (myst-nb, sphinx-book-theme; ``book/conf.py``) renders ``OUT/src`` into
   ``OUT/html`` without executing anything again; MathJax is served from the build itself.

``--only`` keeps the pages whose number is listed (for working on the book); the full book
has every notebook. The front page links only to the pages that were built.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from markdown_math import for_myst
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_NOTE = ("*An interactive widget, shown here as it stood when the notebook finished "
               "running. Open the notebook in JupyterLab (`make lab`) to use it.*")
TORCH_NOTE = ("**Not executed in this build:** PyTorch is not installed (`make torch`), "
              "so this page shows the notebook without its outputs.")
MAP_SECTIONS = ("The notebooks", "The exercises")
CAPSTONE = "12"  # about five minutes, the others under one: started first


def pages(only: list[str] | None) -> tuple[list[Path], list[Path]]:
    """The topic notebooks and the student exercises, in teaching order."""
    def keep(p: Path) -> bool:
        return only is None or p.name[:2] in only
    notebooks = sorted(p for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb") if keep(p))
    exercises = sorted(p for p in (ROOT / "exercises").glob("[0-9][0-9]_*.ipynb") if keep(p))
    return notebooks, exercises


def front_page(readme: str, built: set[str]) -> str:
    """``index.md``: the README's title, opening paragraph and maps, linked, then the toc."""
    sections = re.split(r"^## ", readme, flags=re.M)
    head = sections[0]
    maps = [s for s in sections[1:] if s.splitlines()[0].strip() in MAP_SECTIONS]
    if len(maps) != len(MAP_SECTIONS):
        raise ValueError(f"README.md lacks one of the sections {MAP_SECTIONS}")

    def link(match: re.Match) -> str:
        path = match.group(1)
        name = Path(path).stem.replace("_", " ")
        return f"[{name}]({path})" if path in built else f"`{path}`"

    body = "\n## ".join([head, *maps])
    body = re.sub(r"`((?:notebooks|exercises)/[0-9][0-9]_[A-Za-z0-9_]+\.ipynb)`", link, body)
    toc = []
    for caption, folder in (("Notebooks", "notebooks"), ("Exercises", "exercises")):
        entries = sorted(p[:-len(".ipynb")] for p in built if p.startswith(folder + "/"))
        if entries:
            toc += ["", "```{toctree}", ":maxdepth: 1", f":caption: {caption}", "",
                    *entries, "```"]
    return body.rstrip() + "\n" + "\n".join(toc) + "\n"


def prepare_source(path: Path) -> None:
    """Make the copied notebook ``path`` a source for the book, in place: remove the nbval
    marker line (``# NBVAL_CHECK_OUTPUT`` ...) that opens a code cell, and lay out the math
    of each markdown cell so that MyST finds the formulas JupyterLab finds
    (:func:`markdown_math.for_myst`)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("# NBVAL_"):
            cell.source = cell.source.partition("\n")[2]
        elif cell.cell_type == "markdown":
            cell.source = for_myst(cell.source)
    nbformat.write(nb, path)


def _widget_outputs(model_id: str, state: dict, seen: set[str]) -> list:
    """The outputs a widget shows at the end of the run: Output widgets' captured outputs
    and Image widgets' PNGs, in the order of the widget tree."""
    if model_id in seen or model_id not in state:
        return []
    seen.add(model_id)
    model = state[model_id]
    name, values = model.get("model_name"), model.get("state", {})
    if name == "OutputModel":
        return [nbformat.from_dict(o) for o in values.get("outputs", [])]
    if name == "ImageModel" and values.get("format", "png") == "png":
        for buffer in model.get("buffers", []):
            if buffer.get("path") == ["value"]:
                return [nbformat.v4.new_output("display_data", data={"image/png": buffer["data"]})]
    out = []
    for child in values.get("children", []):
        out += _widget_outputs(str(child).removeprefix("IPY_MODEL_"), state, seen)
    return out


def freeze_widgets(nb) -> None:
    """Replace each widget view in ``nb`` by the static outputs it shows, under a note."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        frozen = []
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is None:
                frozen.append(output)
                continue
            frozen.append(nbformat.v4.new_output("display_data",
                                                 data={"text/markdown": WIDGET_NOTE}))
            frozen += _widget_outputs(view["model_id"], state, set())
        cell.outputs = frozen
    nb.metadata.pop("widgets", None)


def join_streams(nb) -> None:
    """Join each run of consecutive stream outputs of one name (stdout, stderr) into one
    output, text concatenated, as JupyterLab's output area shows them: the kernel sends
    printed text in chunks cut wherever it flushes, and each chunk would be a block of its
    own on the page (a table split in two)."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        joined = []
        for output in cell.outputs:
            last = joined[-1] if joined else None
            if (output.output_type == "stream" and last is not None
                    and last.output_type == "stream" and last.name == output.name):
                last.text += output.text
            else:
                joined.append(output)
        cell.outputs = joined


def execute(path: Path, timeout: int) -> float:
    """Execute the notebook ``path`` in place (its folder as working directory)."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    elapsed = time.perf_counter() - start
    freeze_widgets(nb)
    join_streams(nb)
    nbformat.write(nb, path)
    return elapsed


def torch_available() -> bool:
    """True when ``import torch`` works (as the root conftest.py decides for the tests)."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def mark_not_executed(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(TORCH_NOTE))
    nbformat.write(nb, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "book")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at once")
    parser.add_argument("--only", nargs="+", metavar="NN", help="build only these numbers")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    args = parser.parse_args(argv)
    start = time.perf_counter()

    notebooks, exercises = pages(args.only)
    src = args.out / "src"
    shutil.rmtree(src, ignore_errors=True)
    built = set()
    for path in notebooks + exercises:
        rel = path.relative_to(ROOT).as_posix()
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, src / rel)
        prepare_source(src / rel)
        built.add(rel)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (src / "index.md").write_text(front_page(readme, built), encoding="utf-8")

    to_run = [src / p.relative_to(ROOT) for p in notebooks]
    if not torch_available():
        for path in [p for p in to_run if "pytorch" in p.name]:
            print(f"book: {path.name} not executed: torch is not installed (make torch)",
                  flush=True)
            mark_not_executed(path)
            to_run.remove(path)
    to_run.sort(key=lambda p: p.name[:2] != CAPSTONE)  # the longest one first
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for path, seconds in zip(to_run, pool.map(lambda p: execute(p, args.timeout), to_run),
                                 strict=True):
            print(f"book: executed {path.name} in {seconds:.0f} s", flush=True)

    html = args.out / "html"
    shutil.rmtree(html, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "sphinx", "-q", "-W", "--keep-going", "-b", "html",
                    "-c", str(ROOT / "book"), str(src), str(html)], check=True)
    print(f"book: {html / 'index.html'} built in {time.perf_counter() - start:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
