"""Every topic notebook carries the slide metadata that tools/slides.py derives from it.

The lecture core of a notebook is presented with RISE; which cell starts a slide is
derived from the headings (see tools/slides.py). These tests check the derivation on
small made-up notebooks and that the committed notebooks are up to date.
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
