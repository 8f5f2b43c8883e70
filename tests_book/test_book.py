"""The built book (``make book`` builds it, then runs these tests; ``make test`` does not).

Against ``_build/book`` (``html/`` and the executed notebooks it was made from, ``src/``):

* every topic notebook and every student exercise has a page, linked from the front page,
  and no solution notebook has one;
* each notebook page shows as many figures as its executed notebook produced, and no page
  shows an error output or a traceback;
* every internal link and anchor resolves;
* no page loads a script, a stylesheet or an image from the web.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "_build" / "book"
HTML = BOOK / "html"
NOTEBOOKS = sorted(p.relative_to(ROOT) for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXERCISES = sorted(p.relative_to(ROOT) for p in (ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))


class Page(HTMLParser):
    """What the tests need from one HTML file: ids, links, loaded URLs, classes, images."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = path
        self.ids: set[str] = set()
        self.links: list[str] = []  # href of <a>
        self.loads: list[str] = []  # src of script/img, href of <link>
        self.classes: list[str] = []
        self.output_images = 0  # <img> inside a cell's output area
        self._depth = 0  # open <div> elements, and the depth at which an output area opened
        self._output_at: list[int] = []
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key):
                self.ids.add(a[key])
        classes = (a.get("class") or "").split()
        self.classes += classes
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag in ("script", "img") and a.get("src"):
            self.loads.append(a["src"])
        if tag == "link" and a.get("href"):
            self.loads.append(a["href"])
        if tag == "div":
            self._depth += 1
            if "cell_output" in classes:
                self._output_at.append(self._depth)
        if tag == "img" and self._output_at:
            self.output_images += 1

    def handle_endtag(self, tag):
        if tag == "div":
            if self._output_at and self._output_at[-1] == self._depth:
                self._output_at.pop()
            self._depth -= 1


@pytest.fixture(scope="module")
def pages() -> dict[Path, Page]:
    if not (HTML / "index.html").is_file():
        pytest.fail(f"no book in {HTML}: run make book")
    return {p: Page(p) for p in HTML.rglob("*.html") if "_static" not in p.relative_to(HTML).parts}


def page_of(notebook: Path) -> Path:
    return HTML / notebook.with_suffix(".html")


def executed(notebook: Path) -> dict:
    return json.loads((BOOK / "src" / notebook).read_text(encoding="utf-8"))


@pytest.mark.parametrize("notebook", NOTEBOOKS + EXERCISES, ids=str)
def test_every_notebook_and_exercise_has_a_page_linked_from_the_front_page(pages, notebook):
    assert page_of(notebook) in pages, f"{notebook} has no page"
    index = pages[HTML / "index.html"]
    assert notebook.with_suffix(".html").as_posix() in index.links


def test_no_solution_has_a_page(pages):
    assert not (BOOK / "src" / "exercises" / "solutions").exists()
    assert not [p for p in pages if "solutions" in p.relative_to(HTML).parts]
    for exercise in EXERCISES:
        text = page_of(exercise).read_text(encoding="utf-8")
        assert "NotImplementedError" in text, f"{exercise}: its page has no student stub"
        assert "BEGIN SOLUTION" not in text


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=str)
def test_page_shows_every_figure_of_its_executed_notebook(pages, notebook):
    figures = sum("image/png" in out.get("data", {})
                  for cell in executed(notebook)["cells"] if cell["cell_type"] == "code"
                  for out in cell["outputs"])
    assert pages[page_of(notebook)].output_images == figures


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=str)
def test_executed_notebook_has_outputs_and_no_error(notebook):
    cells = [c for c in executed(notebook)["cells"] if c["cell_type"] == "code"]
    errors = [out for c in cells for out in c["outputs"] if out["output_type"] == "error"]
    assert not errors
    not_run = any("Not executed in this build" in "".join(c["source"])
                  for c in executed(notebook)["cells"] if c["cell_type"] == "markdown")
    assert not_run or all(c["execution_count"] for c in cells), f"{notebook} was not run"


@pytest.mark.parametrize("notebook", NOTEBOOKS + EXERCISES, ids=str)
def test_no_page_shows_an_error_or_a_traceback(pages, notebook):
    page = pages[page_of(notebook)]
    assert "traceback" not in page.classes  # how myst-nb renders an error output
    assert "Traceback (most recent call last)" not in page.path.read_text(encoding="utf-8")


def test_internal_links_and_anchors_resolve(pages):
    broken = []
    for path, page in pages.items():
        for href in page.links + page.loads:
            url = urlsplit(href)
            if url.scheme or url.netloc:
                continue  # external links (to a source) are allowed; loads are tested below
            target = (path.parent / unquote(url.path)).resolve() if url.path else path
            if not target.exists():
                broken.append(f"{path.relative_to(HTML)}: {href}")
            elif url.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else Page(target).ids
                if unquote(url.fragment) not in ids:
                    broken.append(f"{path.relative_to(HTML)}: {href} (no such anchor)")
    assert not broken, "\n".join(broken)


def test_nothing_is_loaded_from_the_web(pages):
    remote = [f"{path.relative_to(HTML)}: {url}" for path, page in pages.items()
              for url in page.loads if urlsplit(url).scheme or url.startswith("//")]
    assert not remote, "\n".join(remote)
    web = re.compile(r"url\(\s*['\"]?(https?:)?//|@import\s+['\"]?(https?:)?//")
    for css in HTML.rglob("*.css"):
        assert not web.search(css.read_text(encoding="utf-8", errors="replace")), css


def test_math_is_served_from_the_book(pages):
    page = pages[page_of(NOTEBOOKS[0])]
    mathjax = [url for url in page.loads if "mathjax" in url.lower()]
    assert mathjax, "the page does not load MathJax"
    for url in mathjax:
        assert (page.path.parent / urlsplit(url).path).resolve().is_file(), url
