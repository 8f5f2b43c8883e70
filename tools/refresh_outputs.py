"""Re-execute notebooks and keep only the outputs that the tests compare.

Usage::

    python tools/refresh_outputs.py [NOTEBOOK.ipynb ...]

Without arguments: every ``notebooks/*.ipynb`` and ``exercises/solutions/*.ipynb``.

Each notebook runs top to bottom with nbclient, in the ``python3`` kernel of the
environment running this script, with the notebook's folder as working directory.
A cell that raises stops the tool with the cell's error and the file untouched.
The notebook is then written back through the committed-output policy of the
collection, :func:`notebook_policy.clean`: outputs only in the cells whose first line
is ``# NBVAL_CHECK_OUTPUT``, no volatile metadata.

The result is written with nbformat (indent 1, sorted keys, trailing newline), so
running the tool twice in a row leaves the file byte-for-byte unchanged.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from notebook_policy import clean, to_text

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GLOBS = ("notebooks/*.ipynb", "exercises/solutions/*.ipynb")


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
    nbformat.validate(nb)
    stored = json.loads(nbformat.writes(nb))  # lists of lines, as in the file
    clean(stored)
    path.write_text(to_text(stored), encoding="utf-8")
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
