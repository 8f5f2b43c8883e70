"""Slide metadata for presenting a notebook's lecture core with RISE (jupyterlab-rise).

JupyterLab, with the ``jupyterlab-rise`` extension of the notebooks extra, shows a notebook as a
reveal.js slideshow with live code: in a panel beside the notebook (Alt+R, or the toolbar
button: "Render as Reveal Slideshow"), or in a browser tab of its own (the command palette's
"Open as Reveal Slideshow"). Which cell starts a slide is
stored in each cell's ``metadata.slideshow.slide_type``; this tool derives it from the
headings, so that the deck follows the notebook without hand-editing:

* the title cell and every ``## `` section start a new slide. A slide starts at a cell, so
  every ``## `` heading must open its cell: writing the metadata first splits a markdown
  cell before each ``## `` heading that is not its first line (the new cell continues the
  old one's text), and ``--check`` fails, naming the notebook and the heading, while one
  is left;
* a ``### `` heading, and a "Predict, then run" cell, start a sub-slide (RISE shows
  sub-slides below their section: arrow down);
* every other cell continues the current slide (``-``); RISE scrolls long slides;
* ``## Going further`` and everything after it are skipped: the deck is the lecture core.

The notebook's ``metadata.rise`` turns scrolling on, starts the show at the first cell and
picks reveal.js's ``white`` theme, whose fonts the extension serves itself (RISE's default
theme, ``simple``, loads its fonts from Google: no deck offline).

Usage::

    python tools/slides.py            # split cells at headings, write the metadata (all notebooks)
    python tools/slides.py --check    # exit 1, listing mid-cell headings and stale metadata
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from notebook_policy import to_text

ROOT = Path(__file__).resolve().parent.parent
RISE_SETTINGS = {"scroll": True, "start_slideshow_at": "beginning", "theme": "white"}
GOING_FURTHER = "## Going further"
SECTION = "## "
_FENCE = re.compile(r"^\s*(```|~~~)")


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _section_starts(text: str) -> list[int]:
    """Offsets in ``text`` of its ``## `` heading lines (outside fenced code) that are not
    its first non-blank line: where a slide ought to start but a cell does not."""
    starts, offset, fenced, first = [], 0, False, True
    for line in text.splitlines(keepends=True):
        if _FENCE.match(line):
            fenced = not fenced
        if line.startswith(SECTION) and not fenced and not first:
            starts.append(offset)
        first = first and not line.strip()
        offset += len(line)
    return starts


def misplaced_headings(cells: list[dict]) -> list[str]:
    """The ``## `` headings of markdown cells that are not the first line of their cell."""
    return [_source(cell)[start:].splitlines()[0]
            for cell in cells if cell.get("cell_type") == "markdown"
            for start in _section_starts(_source(cell))]


def split_at_headings(cells: list[dict]) -> list[dict]:
    """``cells`` with each markdown cell cut before every ``## `` heading that is not its first
    line; the pieces keep the cell's metadata, and get the cell's id with a suffix."""
    ids = {cell.get("id") for cell in cells}
    out = []
    for cell in cells:
        text = _source(cell)
        cuts = _section_starts(text) if cell.get("cell_type") == "markdown" else []
        if not cuts:
            out.append(cell)
            continue
        for k, (start, end) in enumerate(zip([0, *cuts], [*cuts, len(text)], strict=True)):
            piece_text = text[start:end] if end == len(text) else text[start:end].rstrip("\n")
            piece = dict(cell, metadata=dict(cell.get("metadata", {})),
                         source=piece_text.splitlines(keepends=True))  # as nbformat stores it
            if k and "id" in cell:
                suffix = k
                while f"{cell['id']}-{suffix}" in ids:
                    suffix += 1
                piece["id"] = f"{cell['id']}-{suffix}"
                ids.add(piece["id"])
            out.append(piece)
    return out


def _first_line(cell: dict) -> str:
    source = _source(cell)
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
    """``nb`` split at its ``## `` headings (:func:`split_at_headings`), with every cell's
    slide type and the notebook's RISE settings set (in place)."""
    nb["cells"] = split_at_headings(nb["cells"])
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
    stale, misplaced = [], []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        nb = json.loads(text)
        misplaced += [f"  {path}: {heading}" for heading in misplaced_headings(nb["cells"])]
        updated = to_text(with_slides(nb))
        if updated != text:
            stale.append(path)
            if not args.check:
                path.write_text(updated, encoding="utf-8")
    if args.check and (stale or misplaced):
        if misplaced:
            print("## headings that do not open their cell, so start no slide "
                  "(run: python tools/slides.py, which splits the cells):", *misplaced,
                  sep="\n", file=sys.stderr)
        print("slide metadata out of date (run: python tools/slides.py):",
              *[f"  {path}" for path in stale], sep="\n", file=sys.stderr)
        return 1
    verb = "up to date" if args.check else "written"
    print(f"slide metadata {verb} for {len(paths)} notebook(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
