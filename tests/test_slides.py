"""Every topic notebook carries the slide metadata that tools/slides.py derives from it.

The lecture core of a notebook is presented with RISE; which cell starts a slide is
derived from the headings (see tools/slides.py), and a slide starts at a cell, so every
``## `` section heading must open its cell. These tests check the derivation and the
splitting on small made-up notebooks, and that the committed notebooks have every ``## ``
heading at the top of its cell and up-to-date metadata.
"""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
_spec = importlib.util.spec_from_file_location("slides", ROOT / "tools" / "slides.py")
slides = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(slides)


def _md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code(text):
    return {"cell_type": "code", "metadata": {}, "source": text, "outputs": [],
            "execution_count": None}


def test_headings_start_slides_and_going_further_is_skipped():
    cells = [_md("# 07 · Title\n\nintro"), _code("import numpy"), _md("## 1. A section"),
             _md("text"), _md("### A subsection"), _md("**Predict, then run.** Guess."),
             _code("x = 1"), _md("## Going further"), _md("## 5. More"), _code("y = 2")]
    assert slides.slide_types(cells) == ["slide", "-", "slide", "-", "subslide", "subslide",
                                         "-", "skip", "skip", "skip"]


def test_a_notebook_without_going_further_is_all_deck():
    assert "skip" not in slides.slide_types([_md("# T"), _md("## 1. A"), _code("z")])


def test_a_mid_cell_heading_is_found_and_split_into_a_slide_of_its_own():
    cells = [_md("# T"), _md("Text.\n\n## 2. Two\n\nMore.\n\n## 3. Three\n"), _code("## 4. no"),
             _md("```\n## in a fence\n```\n"), _md("\n## 5. First line\nx")]
    cells[1]["id"] = "abc"
    assert slides.misplaced_headings(cells) == ["## 2. Two", "## 3. Three"]
    split = slides.split_at_headings(cells)
    assert [slides._source(c) for c in split[1:4]] == ["Text.", "## 2. Two\n\nMore.",
                                                         "## 3. Three\n"]
    assert [c.get("id") for c in split[1:4]] == ["abc", "abc-1", "abc-2"]
    assert split[4:] == cells[2:]
    assert slides.misplaced_headings(split) == []
    assert slides.slide_types(split)[1:4] == ["-", "slide", "slide"]


def test_split_cells_get_ids_not_used_yet():
    cells = [_md("a\n## B\n"), _md("c")]
    cells[0]["id"], cells[1]["id"] = "x", "x-1"
    assert [c["id"] for c in slides.split_at_headings(cells)] == ["x", "x-2", "x-1"]


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")),
                         ids=lambda p: p.name)
def test_every_section_heading_opens_its_cell(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    misplaced = slides.misplaced_headings(nb["cells"])
    assert not misplaced, (f"{path.name}: these ## headings start no slide, since they are not "
                           f"the first line of their cell: {misplaced} "
                           f"(run: python tools/slides.py {path.relative_to(ROOT)})")


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")),
                         ids=lambda p: p.name)
def test_committed_notebook_has_derived_slide_metadata(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    expected = slides.slide_types(nb["cells"])
    stored = [c.get("metadata", {}).get("slideshow", {}).get("slide_type") for c in nb["cells"]]
    assert stored == expected, f"run: python tools/slides.py {path.relative_to(ROOT)}"
    assert nb["metadata"].get("rise") == slides.RISE_SETTINGS


def test_check_mode_reports_a_stale_notebook(tmp_path, capsys):
    nb = {"cells": [_md("# T"), _md("## 1. A")], "metadata": {}, "nbformat": 4,
          "nbformat_minor": 5}
    path = tmp_path / "01_x.ipynb"
    path.write_text(json.dumps(nb))
    assert slides.main(["--check", str(path)]) == 1
    assert slides.main([str(path)]) == 0
    assert slides.main(["--check", str(path)]) == 0


def test_check_mode_names_a_mid_cell_heading_and_writing_splits_it(tmp_path, capsys):
    nb = {"cells": [_md("# T\n\n## 1. A\n")], "metadata": {}, "nbformat": 4,
          "nbformat_minor": 5}
    path = tmp_path / "02_x.ipynb"
    path.write_text(json.dumps(nb))
    slides.main([str(path)])  # metadata written, and the cell split
    capsys.readouterr()
    path.write_text(json.dumps(nb))
    assert slides.main(["--check", str(path)]) == 1
    assert f"{path}: ## 1. A" in capsys.readouterr().err
    assert slides.main([str(path)]) == 0
    cells = json.loads(path.read_text())["cells"]
    assert ["".join(c["source"]) for c in cells] == ["# T", "## 1. A\n"]
    assert slides.main(["--check", str(path)]) == 0
