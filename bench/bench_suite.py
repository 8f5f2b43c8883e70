"""How long do the whole test suite and the book take? Each against its goal.

Two commands of this checkout, run one after the other as a user runs them, each timed by
its wall-clock seconds and the CPU seconds (user + system) of everything it started:

* ``make test``: the whole test suite (ruff, unit tests, every notebook and exercise under
  nbval), goal <= 600 s on two cores;
* ``python book/build.py``: the book, every notebook executed and laid out as HTML, goal
  <= 300 s (``make book`` also runs the book's own tests afterwards; they are timed
  separately, ``pytest tests_book``, with no goal).

Run it on an idle machine (``uptime`` is printed first): another process's load stretches
the wall time. A command that fails is reported as FAILED and the run goes on.

Usage: ``python bench/bench_suite.py [--skip-test] [--skip-book]`` (``make bench-suite``, the
last part of ``make bench``; about 15 minutes). The last line is ``suite_over_goal=K``: K
commands whose wall time exceeds their goal. This is a report, not a test: the exit code is
1 only when a command fails.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(command: list[str]) -> tuple[bool, float, float]:
    """Run ``command`` in the checkout; return (succeeded, wall seconds, CPU seconds).

    The CPU seconds are those of the command and every process it waited for (the
    difference of ``RUSAGE_CHILDREN`` around it).
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return proc.returncode == 0, wall, cpu


def report(name: str, command: list[str], goal: float | None) -> tuple[bool, bool]:
    """Time ``command``, print one line for it; return (succeeded, over its goal)."""
    ok, wall, cpu = timed(command)
    verdict = "" if goal is None else \
        f" (goal <= {goal:.0f} s: {'met' if wall <= goal else 'missed'})"
    print(f"  {name:28s} wall {wall:7.1f} s, CPU {cpu:7.1f} s{verdict}"
          + ("" if ok else "  FAILED"), flush=True)
    return ok, goal is not None and wall > goal


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-test", action="store_true", help="leave out make test")
    parser.add_argument("--skip-book", action="store_true", help="leave out the book")
    args = parser.parse_args(argv)
    python = str(ROOT / ".venv" / "bin" / "python")
    if not os.path.exists(python):
        python = sys.executable
    runs = []
    if not args.skip_test:
        runs.append(("make test", ["make", "test"], 600.0))
    if not args.skip_book:
        # the book's extra installed first, untimed (make book does the same)
        subprocess.run(["make", ".venv/.book-installed"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        runs += [("book build (book/build.py)", [python, "book/build.py"], 300.0),
                 ("book tests (tests_book)", [python, "-m", "pytest", "-q", "-p",
                                              "no:cacheprovider", "tests_book"], None)]
    print(f"the suite and the book, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f} at the start", flush=True)
    results = [report(name, command, goal) for name, command, goal in runs]
    print(f"suite_over_goal={sum(over for _, over in results)}")
    return 0 if all(ok for ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
