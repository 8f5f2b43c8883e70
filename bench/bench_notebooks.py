"""How long does each notebook take? Execution time per notebook against its goal.

Each notebook of ``notebooks/`` runs top to bottom in a fresh ``python3`` kernel of this
environment (nbclient, as ``tools/refresh_outputs.py`` runs it), with one BLAS thread
(``OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=MKL_NUM_THREADS=1``), in a temporary working
directory, so nothing in the checkout changes. Printed per notebook:

* **wall**: seconds from the first cell's start to the last cell's reply (the kernel's
  start-up excluded), against the goal: 120 s for the capstone (notebook 12), 30 s for
  every other notebook, on an idle machine;
* **CPU**: the CPU seconds (user + system, all its threads) the kernel process spent
  running the cells. On a busy machine the wall time grows while the CPU time
  stays close to what an idle machine would need: compare it with the goal too.

``--cells`` adds, per notebook, its slowest code cells (index, wall seconds, first line).
Notebook 13 needs the torch extra (``make torch``); without torch it is skipped with one
line. A notebook that raises is reported as FAILED and the run goes on.

Usage: ``python bench/bench_notebooks.py [NOTEBOOK ...] [--cells N] [--timeout S]``
(``make bench-notebooks``; part of ``make bench``). Without arguments: every notebook.
The last line is ``notebooks_over_goal=K`` (K notebooks whose CPU time exceeds the goal).
This is a report, not a test: times depend on the machine and its load. The exit code is
1 only when a notebook fails to run.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOALS = {"12": 120.0}  # seconds, by notebook number; every other notebook: DEFAULT_GOAL
DEFAULT_GOAL = 30.0
NEEDS_TORCH = {"13"}
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # inherited by every kernel started below


def goal_of(path: Path) -> float:
    """The goal in seconds for a notebook ``NN_topic.ipynb``."""
    return GOALS.get(path.name[:2], DEFAULT_GOAL)


def cell_seconds(cell) -> float:
    """Wall seconds of one executed code cell, from nbclient's recorded timestamps."""
    timing = cell.metadata.get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if start is None or end is None:
        return 0.0
    return (datetime.fromisoformat(end.rstrip("Z")) - datetime.fromisoformat(start.rstrip("Z"))
            ).total_seconds()


def run(path: Path, timeout: int) -> tuple[float, float, list[tuple[int, float, str]]]:
    """Execute ``path``; return (wall s of its cells, CPU s of the kernel, per-cell times)."""
    import nbformat
    import psutil
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="bench_nb_") as cwd:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": cwd}}, record_timing=True,
                                allow_errors=False)
        with client.setup_kernel():
            kernel = psutil.Process(client.km.provisioner.pid)
            cpu_start, start = sum(kernel.cpu_times()[:2]), time.perf_counter()
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            wall = time.perf_counter() - start
            cpu = sum(kernel.cpu_times()[:2]) - cpu_start
    cells = [(i, cell_seconds(c), c.source.split("\n", 1)[0])
             for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    return wall, cpu, cells


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to time (default: every notebooks/*.ipynb)")
    parser.add_argument("--cells", type=int, default=0, metavar="N",
                        help="also print each notebook's N slowest code cells")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    print(f"notebook times, one BLAS thread, kernel start-up excluded (load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the start)")
    failed = over = 0
    total_wall = total_cpu = 0.0
    for path in paths:
        goal = goal_of(path)
        if path.name[:2] in NEEDS_TORCH and importlib.util.find_spec("torch") is None:
            print(f"  {path.name:58s} skipped: torch is not installed (make torch)")
            continue
        try:
            wall, cpu, cells = run(path, args.timeout)
        except Exception as err:  # noqa: BLE001 - a report: say which notebook and go on
            print(f"  {path.name:58s} FAILED: {type(err).__name__}: "
                  f"{str(err).strip().splitlines()[-1] if str(err).strip() else ''}")
            failed += 1
            continue
        over += cpu > goal
        total_wall += wall
        total_cpu += cpu
        print(f"  {path.name:58s} wall {wall:6.1f} s, CPU {cpu:6.1f} s "
              f"(goal <= {goal:.0f} s: {'met' if cpu <= goal else 'missed'})")
        for i, seconds, first in sorted(cells, key=lambda c: -c[1])[:args.cells]:
            print(f"      cell {i:3d} {seconds:6.1f} s  {first[:60]}")
    print(f"  all notebooks: wall {total_wall:.0f} s, CPU {total_cpu:.0f} s")
    print(f"notebooks_over_goal={over}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
