"""Write a ready nbgrader course: one assignment per exercise, the course's configuration.

The course directory gets

* ``nbgrader_config.py``: the gradebook (SQLite, in the course directory), a time limit per
  cell with the kernel interrupted when it is reached (a student's infinite loop costs that
  cell's points, not the notebook: the rest runs on), and check cells that a student
  deleted added back from the source before grading (``OverwriteCells`` already restores
  edited ones);
* ``source/exNN/NN_topic.ipynb``: each solution notebook of ``exercises/solutions`` as the
  source of its own assignment ``exNN``.

Then, in the course directory: ``nbgrader generate_assignment ex00`` releases exercise 0
(the committed ``exercises/00_norms.ipynb`` is that release), and ``nbgrader autograde ex00``
grades the submissions. tests/test_autograde.py grades generated submissions with exactly
this configuration.

Usage: ``python tools/make_course.py [COURSE_DIR] [--timeout SECONDS] [--force]``
(``make course`` writes ``_build/course``).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "exercises" / "solutions"

#: nbgrader_config.py of the course; ``root`` is the course directory, ``timeout`` the limit
#: in seconds for one cell (the exercises' slowest cell takes a few seconds on a laptop).
CONFIG = """\
c = get_config()
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = "sqlite:///{root}/gradebook.db"
c.Execute.timeout = {timeout}
c.Execute.interrupt_on_timeout = True
c.OverwriteCells.add_missing_cells = True
"""


def assignments() -> dict[str, str]:
    """Assignment name -> notebook file name, one per exercise: {"ex00": "00_norms.ipynb", ...}."""
    return {f"ex{p.name[:2]}": p.name for p in sorted(SOLUTIONS.glob("*.ipynb"))}


def write_course(root: Path, *, timeout: int = 300) -> dict[str, str]:
    """Write the course into ``root`` (created); return :func:`assignments`."""
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1:
        raise ValueError(f"timeout must be a whole number of seconds >= 1, got {timeout!r}")
    root = Path(root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(CONFIG.format(root=str(root), timeout=timeout))
    names = assignments()
    for assignment, name in names.items():
        folder = root / "source" / assignment
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(SOLUTIONS / name, folder / name)
    return names


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("course", nargs="?", default=str(ROOT / "_build" / "course"))
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell")
    parser.add_argument("--force", action="store_true", help="write into a non-empty folder")
    args = parser.parse_args(argv)
    root = Path(args.course)
    if root.exists() and any(root.iterdir()) and not args.force:
        print(f"{root} exists and is not empty: pass --force to write into it", file=sys.stderr)
        return 1
    names = write_course(root, timeout=args.timeout)
    print(f"wrote the course {root}: {len(names)} assignments ({', '.join(names)}); "
          f"next: cd {root} && nbgrader generate_assignment ex00")
    return 0


if __name__ == "__main__":
    sys.exit(main())
