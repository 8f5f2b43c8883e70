"""The built book (``make book`` builds it, then runs these tests; ``make test`` does not).

Against ``_build/book`` (``html/`` and the executed notebooks it was made from, ``src/``):

* every topic notebook and every student exercise has a page, linked from the front page,
  and no solution notebook has one;
* each notebook page shows as many figures as its executed notebook produced, and no page
  shows an error output or a traceback;
* every internal link and anchor resolves;
* no page loads a script, a stylesheet or an image from the web;
* no page shows raw TeX: outside code and the math that MathJax typesets, the text of a page
  has no ``$``, ``$$``, ``\\frac``, ``\\begin`` or other TeX command (the sign of a formula
  that the markdown parser did not see as one), and every formula of every markdown cell
  (as JupyterLab finds them) is a formula for MyST, of the same kind, once ``build.py`` has
  laid the cell out (``book/markdown_math.py``);
* a stdout table printed by one cell is one block on its page, not split in two.
"""

from __future__ import annotations

import importlib.util
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "_build" / "book"
HTML = BOOK / "html"
NOTEBOOKS = sorted(p.relative_to(ROOT) for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXERCISES = sorted(p.relative_to(ROOT) for p in (ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
RAW_TEX = re.compile(r"\$|\\(?:[A-Za-z]+|[\[\]()])")  # a dollar, a TeX command, \( \) \[ \]


def _module(name: str):
    """``book/NAME.py``, imported (book/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "book" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


markdown_math = _module("markdown_math")
book_conf = _module("conf")


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
        self.streams = 0  # blocks of printed text (stdout or stderr)
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
        if tag == "div" and {"output", "stream"} <= set(classes):
            self.streams += 1

    def handle_endtag(self, tag):
        if tag == "div":
            if self._output_at and self._output_at[-1] == self._depth:
                self._output_at.pop()
            self._depth -= 1


class Prose(HTMLParser):
    """The text a reader sees as text: the page without its scripts, styles, code, and the
    math that MathJax typesets (elements of class ``math``)."""

    SKIPPED = {"script", "style", "pre", "code", "kbd", "samp", "textarea", "title"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self, html: str):
        super().__init__()
        self.parts: list[str] = []
        self._skipping: str | None = None  # the tag of the skipped element we are in
        self._nesting = 0
        self.feed(html)
        self.text = "".join(self.parts)

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        if self._skipping:
            self._nesting += tag == self._skipping
        elif tag in self.SKIPPED or "math" in (dict(attrs).get("class") or "").split():
            self._skipping, self._nesting = tag, 1

    def handle_endtag(self, tag):
        if self._skipping == tag:
            self._nesting -= 1
            if not self._nesting:
                self._skipping = None

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def raw_tex(text: str) -> list[str]:
    """The raw TeX signs in ``text``, each with 30 characters either side; a sign already
    shown in the context of the one before is left out."""
    shown, end = [], -1
    for match in RAW_TEX.finditer(text):
        if match.start() >= end:
            shown.append(" ".join(text[max(match.start() - 30, 0):match.end() + 30].split()))
            end = match.end() + 30
    return shown


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
def test_printed_text_is_one_block_per_run_of_prints(pages, notebook):
    """A cell's consecutive stream outputs of one name are one block, as in JupyterLab."""
    runs = 0
    for cell in executed(notebook)["cells"]:
        previous = None
        for out in cell.get("outputs", []):
            name = out["name"] if out["output_type"] == "stream" else None
            runs += name is not None and name != previous
            previous = name
    assert pages[page_of(notebook)].streams == runs


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


def test_no_page_shows_raw_tex(pages):
    raw = {path.relative_to(HTML): raw_tex(Prose(path.read_text(encoding="utf-8")).text)
           for path in sorted(pages)}
    raw = [f"{path}: {len(shown)} places, as ...{' ... '.join(shown[:3])}..."
           for path, shown in raw.items() if shown]
    assert not raw, "text that should have been typeset as math:\n" + "\n".join(raw)


def test_prose_finds_raw_tex_outside_math_and_code_only():
    html = ('<p>a <span class="math notranslate">\\(\\frac12\\)</span> b <code>$x</code>'
            '<pre>\\begin{x}</pre><script>let a = "$"</script><br/>$$ \\frac{a}{b}</p>'
            '<div class="math"><div>\\[x\\]</div> </div><p>+ \\lambda</p>')
    text = Prose(html).text
    assert " ".join(text.split()) == "a b $$ \\frac{a}{b}+ \\lambda"
    assert [m.group() for m in RAW_TEX.finditer(text)] == ["$", "$", "\\frac", "\\lambda"]
    assert raw_tex(text) == ["a b $$ \\frac{a}{b}+ \\lambda"]  # one context shows all four
    assert len(raw_tex("$" + " " * 40 + "$")) == 2


def _kinds(text: str) -> list[tuple[str, str]]:
    """The formulas of a markdown cell as JupyterLab finds them: (kind, TeX) pairs."""
    out = []
    for start, end in markdown_math.math_spans(text):
        formula = text[start:end]
        kind = "inline" if formula.startswith("$") and not formula.startswith("$$") else "display"
        tex = formula.strip("$") if formula.startswith("$") else formula
        out.append((kind, " ".join(tex.split())))
    return out


def _myst_kinds(text: str) -> list[tuple[str, str]]:
    """The formulas MyST (the book's parser and extensions) finds in ``text``."""
    config = MdParserConfig(enable_extensions=set(book_conf.myst_enable_extensions))
    parser = create_md_parser(config, RendererHTML)
    out = []

    def walk(tokens):
        for token in tokens:
            if token.type == "math_inline":
                out.append(("inline", " ".join(token.content.split())))
            elif token.type.startswith("math") or token.type == "amsmath":
                out.append(("display", " ".join(token.content.split())))
            walk(token.children or [])
    walk(parser.parse(text))
    return out


def _markdown_cells(path: Path) -> dict[str, str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return {c["id"]: "".join(c["source"]) for c in cells if c["cell_type"] == "markdown"}


@pytest.mark.parametrize("notebook", NOTEBOOKS + EXERCISES, ids=str)
def test_myst_finds_the_formulas_jupyterlab_finds(notebook):
    """Every markdown cell of the book's source, as build.py laid it out, holds for MyST the
    formulas that JupyterLab finds in the notebook's cell."""
    built = _markdown_cells(BOOK / "src" / notebook)
    assert set(_markdown_cells(ROOT / notebook)) <= set(built), "the book is older: make book"
    differ = [f"cell {cell_id}: JupyterLab {_kinds(text)}\n  MyST {_myst_kinds(built[cell_id])}"
              for cell_id, text in _markdown_cells(ROOT / notebook).items()
              if _kinds(text) != _myst_kinds(built[cell_id])]
    assert not differ, "\n".join(differ)


def test_the_formulas_are_compared_by_kind_and_content():
    cell = "a $x$ b:\n$$\ny\n+ z\n$$\nc"  # a display inside a paragraph, a line that starts with +
    assert _kinds(cell) == [("inline", "x"), ("display", "y + z")]
    assert _myst_kinds(cell) != _kinds(cell)
    assert _myst_kinds(markdown_math.for_myst(cell)) == _kinds(cell)


def test_math_is_served_from_the_book(pages):
    page = pages[page_of(NOTEBOOKS[0])]
    mathjax = [url for url in page.loads if "mathjax" in url.lower()]
    assert mathjax, "the page does not load MathJax"
    for url in mathjax:
        assert (page.path.parent / urlsplit(url).path).resolve().is_file(), url


def test_every_page_with_math_can_speak_it_offline(pages):
    """MathJax's speech rules reach a page read from disk: each page that loads MathJax loads
    _static/mathjax_speech.js, and each rule file of MathJax (LOCALE.json) is served as the
    script _static/sre-mathmaps/LOCALE.js that it loads, holding the same JSON."""
    with_math = [p for p in pages.values() if any("tex-chtml" in url for url in p.loads)]
    assert len(with_math) >= len(NOTEBOOKS)
    for page in with_math:
        assert any(urlsplit(u).path.endswith("/mathjax_speech.js") for u in page.loads), page.path
    rules = sorted(book_conf.SRE_MAPS.glob("*.json"))
    assert "en" in [r.stem for r in rules]
    for rule in rules:
        script = (HTML / "_static" / "sre-mathmaps" / f"{rule.stem}.js").read_text(encoding="utf-8")
        head, _, value = script.partition(" = ")
        assert head == f'window.reglabMathmaps["{rule.stem}"]', head
        assert json.loads(json.loads(value.rstrip().removesuffix(";"))) == json.loads(
            rule.read_text(encoding="utf-8")), rule.stem
