"""Every image of the built book has a text alternative that says what it shows.

Against ``_build/book`` (``make book`` builds it, then runs these tests):

* every ``<img>`` of every page has an ``alt`` that tools/figure_alt.py accepts (present,
  not generic, not a file name, at least a few words, not the cell's code), and no two
  images of a page share one;
* the figures of a notebook's page carry, in order, the texts of the cells that drew them
  (``metadata.mystnb.image.alt`` of the executed notebook): the text written with the cell
  is the one a screen reader reads.

The page checker is tried first on made-up pages, so that it is known to fail.
"""

from __future__ import annotations

import importlib.util
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "_build" / "book"
HTML = BOOK / "html"
NOTEBOOKS = sorted(p.relative_to(ROOT) for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXERCISES = sorted(p.relative_to(ROOT) for p in (ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
_spec = importlib.util.spec_from_file_location("figure_alt", ROOT / "tools" / "figure_alt.py")
figure_alt = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(figure_alt)


class Images(HTMLParser):
    """The ``alt`` of each ``<img>`` of a page (None when it has none), in page order, and
    which of them sit in a cell's output area."""

    def __init__(self, html: str):
        super().__init__()
        self.alts: list[str | None] = []
        self.output_alts: list[str | None] = []
        self._depth = 0
        self._output_at: list[int] = []  # the depths at which output areas opened
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div":
            self._depth += 1
            if "cell_output" in (a.get("class") or "").split():
                self._output_at.append(self._depth)
        if tag == "img":
            self.alts.append(a.get("alt"))
            if self._output_at:
                self.output_alts.append(a.get("alt"))

    def handle_endtag(self, tag):
        if tag == "div":
            if self._output_at and self._output_at[-1] == self._depth:
                self._output_at.pop()
            self._depth -= 1


def page_problems(html: str) -> list[str]:
    """What is wrong with the text alternatives of the images of one page."""
    problems, seen = [], set()
    for i, alt in enumerate(Images(html).alts, start=1):
        problems += [f"image {i}: {p}" for p in figure_alt.alt_problems(alt)]
        key = " ".join((alt or "").lower().split())
        if key and key in seen:
            problems.append(f"image {i}: the same alt as an image before it: {alt!r}")
        seen.add(key)
    return problems


GOOD = "Training loss falls all the way while validation loss turns up: the network overfits"


def _page(*imgs: str) -> str:
    return "<html><body>" + "".join(f'<div class="cell_output"><img src="a.png"{i}></div>'
                                    for i in imgs) + "</body></html>"


def test_a_page_whose_images_say_what_they_show_has_no_problem():
    other = "Validation accuracy climbs with more data while training accuracy stays at one"
    assert page_problems(_page(f' alt="{GOOD}"', f' alt="{other}"')) == []


@pytest.mark.parametrize("img, problem", [
    ("", "no text alternative"),
    (' alt=""', "fewer than"),
    (' alt="Figure 3"', "generic"),
    (' alt="../_images/5f0c1e2d9a.png"', "generic"),
    (' alt="No description has been provided for this image"', "generic"),
    (' alt="loss per epoch"', "fewer than"),
    (f' alt="{GOOD.upper()}"', "the same alt"),
])
def test_a_page_with_a_missing_generic_short_or_repeated_alt_fails(img, problem):
    problems = page_problems(_page(f' alt="{GOOD}"', img))
    assert any(problem in p for p in problems), problems


def test_images_are_found_in_and_out_of_output_areas():
    html = ('<img src="logo.png" alt="x"><div class="cell docutils"><div class="cell_output">'
            '<div class="output"><img src="f.png" alt="y"></div></div></div><img src="z.png">')
    images = Images(html)
    assert images.alts == ["x", "y", None] and images.output_alts == ["y"]


@pytest.fixture(scope="module")
def built() -> Path:
    if not (HTML / "index.html").is_file():
        pytest.fail(f"no book in {HTML}: run make book")
    return HTML


@pytest.mark.parametrize("notebook", NOTEBOOKS + EXERCISES, ids=str)
def test_every_image_of_a_page_says_what_it_shows(built, notebook):
    html = (built / notebook.with_suffix(".html")).read_text(encoding="utf-8")
    assert page_problems(html) == []


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=str)
def test_each_figure_carries_the_text_of_the_cell_that_drew_it(built, notebook):
    cells = json.loads((BOOK / "src" / notebook).read_text(encoding="utf-8"))["cells"]
    expected = [figure_alt.alt_of(c) for c in cells if c["cell_type"] == "code"
                for out in c["outputs"] if "image/png" in out.get("data", {})]
    html = (built / notebook.with_suffix(".html")).read_text(encoding="utf-8")
    shown = Images(html).output_alts
    assert [" ".join(a.split()) if a else a for a in shown] == expected


def test_every_other_page_has_no_image_without_a_good_alt(built):
    others = [p for p in built.rglob("*.html") if "_static" not in p.relative_to(built).parts
              and p.parent.name not in ("notebooks", "exercises")]
    assert others
    problems = {p.name: page_problems(p.read_text(encoding="utf-8")) for p in others}
    assert {name: found for name, found in problems.items() if found} == {}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=str)
def test_the_cells_found_to_draw_are_the_cells_that_drew(built, notebook):
    """tools/figure_alt.py finds the drawing cells without running them (so that
    tests/test_figure_alt.py can ask each for its text): here, against the run."""
    cells = json.loads((BOOK / "src" / notebook).read_text(encoding="utf-8"))["cells"]
    drew = [i for i, c in enumerate(cells) if c["cell_type"] == "code"
            and any("image/png" in out.get("data", {}) for out in c["outputs"])]
    assert figure_alt.drawing_cells(cells) == drew


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=str)
def test_no_figure_of_the_book_is_blank(built, notebook):
    """A figure whose pixels are all one colour shows nothing (e.g. a canvas wiped after its
    draw): its alt text would describe a picture the reader does not get."""
    import base64
    import io

    import matplotlib.image

    cells = json.loads((BOOK / "src" / notebook).read_text(encoding="utf-8"))["cells"]
    blank = []
    for i, cell in enumerate(cells):
        for out in cell.get("outputs", []):
            png = out.get("data", {}).get("image/png")
            if png is not None:
                pixels = matplotlib.image.imread(io.BytesIO(base64.b64decode(png)), format="png")
                if (pixels.reshape(-1, pixels.shape[-1]).std(axis=0) == 0).all():
                    blank.append(i)
    assert blank == [], f"cells {blank} show a blank figure"
