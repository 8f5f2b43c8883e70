"""Slide metadata for presenting a notebook's lecture core with RISE (jupyterlab-rise).

JupyterLab, with the ``jupyterlab-rise`` extension of the notebooks extra, shows a notebook as a
reveal.js slideshow with live code (toolbar button or Alt+R). Which cell starts a slide is
stored in each cell's ``metadata.slideshow.slide_type``; this tool derives it from the
headings, so that the deck follows the notebook without hand-editing:

* the title cell and every ``## `` section start a new slide;
* a ``### `` heading, and a "Predict, then run" cell, start a sub-slide (RISE shows
  sub-slides below their section: arrow down);
* every other cell continues the current slide (``-``); RISE scrolls long slides;
* ``## Going further`` and everything after it are skipped: the deck is the lecture core.

The notebook's ``metadata.rise`` turns scrolling on and starts the show at the first cell.

Usage::

    python tools/slides.py            # write the metadata into every notebooks/*.ipynb
    python tools/slides.py --check    # exit 1, listing notebooks whose metadata is not derived
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from notebook_policy import to_text

ROOT = Path(__file__).resolve().parent.parent
RISE_SETTINGS = {"scroll": True, "start_slideshow_at": "beginning"}
GOING_FURTHER = "## Going further"


def _first_line(cell: dict) -> str:
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    return source.lstrip().splitlines()[0].strip() if source.strip() else ""


def slide_types(cells: list[dict]) -> list[str]:
    """The slide type of each cell: "slide", "subslide", "-" (continue) or "skip"."""
    types, skipping = [], False
    for i, cell in enumerate(cells):
        first = _first_line(cell) if cell.get("cell_type") == "markdown" else ""
        skipping = skipping or first.startswith(GOING_FURTHER)
        if skipping:
            types.append("skip")
        elif i == 0 or first.startswith("# ") or first.startswith("## "):
            types.append("slide")
        elif first.startswith("### ") or "predict, then run" in first.lower():
            types.append("subslide")
        else:
            types.append("-")
    return types


def with_slides(nb: dict) -> dict:
    """``nb`` with every cell's slide type and the notebook's RISE settings set (in place)."""
    for cell, kind in zip(nb["cells"], slide_types(nb["cells"]), strict=True):
        cell.setdefault("metadata", {})["slideshow"] = {"slide_type": kind}
    nb["metadata"]["rise"] = dict(RISE_SETTINGS)
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to update (default: every notebooks/*.ipynb)")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a notebook's slide metadata is stale")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    stale = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        updated = to_text(with_slides(json.loads(text)))
        if updated != text:
            stale.append(path)
            if not args.check:
                path.write_text(updated, encoding="utf-8")
    if args.check and stale:
        print("slide metadata out of date (run: python tools/slides.py):", file=sys.stderr)
        for path in stale:
            print(f"  {path}", file=sys.stderr)
        return 1
    verb = "up to date" if args.check else "written"
    print(f"slide metadata {verb} for {len(paths)} notebook(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
