"""Re-execute notebooks and keep only the outputs that the tests compare.

Usage::

    python tools/refresh_outputs.py [NOTEBOOK.ipynb ...]

Without arguments: every ``notebooks/*.ipynb`` and ``exercises/solutions/*.ipynb``.

Each notebook runs top to bottom with nbclient, in the ``python3`` kernel of the
environment running this script, with the notebook's folder as working directory.
A cell that raises stops the tool with the cell's error and the file untouched.
The notebook is then written back with the committed-output policy of the
collection:

* cells whose first line is ``# NBVAL_CHECK_OUTPUT`` keep their outputs (streams
  merged, so the stored text does not depend on how the kernel chunked it) and
  their ``execution_count``. nbval needs that count: under ``--nbval-lax`` it
  compares a marked cell only when the stored ``execution_count`` is not None, and
  it fails a cell whose stored outputs have no count ("Unrun reference cell has
  outputs");
* every other code cell gets no outputs and ``execution_count = None``;
* volatile metadata goes: per-cell ``execution`` timings, ``collapsed``/``scrolled``
  view state, widget state, and the Python version in ``language_info``.

The result is written with nbformat (indent 1, sorted keys, trailing newline), so
running the tool twice in a row leaves the file byte-for-byte unchanged.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GLOBS = ("notebooks/*.ipynb", "exercises/solutions/*.ipynb")
CHECK_MARKER = "# NBVAL_CHECK_OUTPUT"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")
VOLATILE_NB_METADATA = ("widgets", "signature")


def is_check_cell(cell) -> bool:
    """True for a code cell whose first line is ``# NBVAL_CHECK_OUTPUT``."""
    if cell.cell_type != "code" or not cell.source:
        return False
    return cell.source.splitlines()[0].strip() == CHECK_MARKER


def merge_streams(outputs: list) -> list:
    """Merge consecutive-or-not stream outputs of the same name (stdout, stderr) into one.

    Mirrors nbval's ``coalesce_streams``: the first output of each stream name keeps
    its place and receives the text of the later ones.
    """
    merged, streams = [], {}
    for out in outputs:
        if out.output_type == "stream":
            if out.name in streams:
                streams[out.name].text += out.text
                continue
            out = nbformat.from_dict({"output_type": "stream", "name": out.name,
                                      "text": out.text})
            streams[out.name] = out
        merged.append(out)
    return merged


def clean(nb) -> None:
    """Apply the output policy to an executed notebook, in place."""
    for cell in nb.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type != "code":
            continue
        if is_check_cell(cell):
            cell.outputs = merge_streams(cell.outputs)
            for out in cell.outputs:
                if out.output_type == "execute_result":
                    out.execution_count = cell.execution_count
        else:
            cell.outputs = []
            cell.execution_count = None
    for key in VOLATILE_NB_METADATA:
        nb.metadata.pop(key, None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata.get("language_info", {}).pop("version", None)


def refresh(path: Path, timeout: int) -> float:
    """Execute ``path``, clean it and write it back; return the execution time in seconds."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",  # jupyter_client starts it with sys.executable, this env
        resources={"metadata": {"path": str(path.parent.resolve())}},
        record_timing=False,
        allow_errors=False,
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    clean(nb)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return elapsed


def default_notebooks() -> list[Path]:
    return sorted(p for pattern in DEFAULT_GLOBS for p in ROOT.glob(pattern))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to refresh (default: notebooks/ and exercises/solutions/)")
    parser.add_argument("--timeout", type=int, default=300,
                        help="seconds allowed per cell (default: 300)")
    args = parser.parse_args(argv)
    paths = args.notebooks or default_notebooks()
    if not paths:
        print("no notebooks found", file=sys.stderr)
        return 1
    failed = 0
    for path in paths:
        if path.suffix != ".ipynb" or not path.is_file():
            print(f"{path}: not a notebook file", file=sys.stderr)
            failed += 1
            continue
        try:
            elapsed = refresh(path, args.timeout)
        except CellExecutionError as err:
            print(f"{path}: FAILED, file left unchanged\n{err}", file=sys.stderr)
            failed += 1
            continue
        print(f"{path}: refreshed in {elapsed:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
