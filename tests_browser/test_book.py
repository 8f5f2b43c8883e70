"""The built book in Chromium: its front page and a notebook page open from disk, the math
is typeset by MathJax with no error, every page reads without raw TeX once MathJax has run,
and nothing is fetched from the web.

Accessibility: every formula carries its spoken form (MathJax's speech, an ``aria-label``) and
takes keyboard focus (the expression explorer: Enter, then the arrow keys announce its
parts); and every page passes axe-core's audit of the WCAG 2.1 A and AA rules with no
violation of impact "serious" or "critical" (``AUDIT_TAGS``); a violation of lower impact
fails too, unless ``ACCEPTED`` names its rule with the reason it stays. The audit runs here
rather than in ``make book``'s tests: it needs Chromium, which ``make test-browser``
installs, and it costs a few minutes of CPU for the whole book (axe's colour-contrast rule
checks every token of every code cell), more than the book's own build and tests may take.
axe-core is the copy bundled in the ``axe-playwright-python`` wheel, injected into the page:
nothing is downloaded.

Needs the book (``make book`` builds ``_build/book/html``); skipped when it is not built.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "book" / "html"
PAGE = "notebooks/02_l2_weight_decay.html"
AUDIT_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]  # axe's tags of the WCAG 2.1 A/AA rules
BLOCKING = {"serious", "critical"}
ACCEPTED: dict[str, str] = {}  # rule id -> why a violation of lower impact stays
RAW_TEX = re.compile(r"\$|\\(?:[A-Za-z]+|[\[\]()])")  # a dollar, a TeX command, \( \) \[ \]

MATH = """() => ({typeset: document.querySelectorAll('mjx-container').length,
               errors: document.querySelectorAll('mjx-merror').length,
               left: document.querySelectorAll('.math').length
                     - document.querySelectorAll('.math mjx-container').length})"""

# Waits, on a page with formulas, until MathJax has typeset them (and attached its explorer).
TYPESET = """
  if (document.querySelectorAll('.math').length) {
    const start = Date.now();
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)
           && Date.now() - start < 30000) await new Promise(r => setTimeout(r, 50));
    await MathJax.startup.promise;
  }
"""

# Once MathJax has typeset the page: its MathJax errors, the formulas left untypeset, and
# the text a reader sees as text (outside code and typeset math).
RENDERED = """async () => {""" + TYPESET + """
  const formulas = document.querySelectorAll('.math').length;
  const skip = 'script, style, pre, code, kbd, samp, textarea, mjx-container, .math';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const text = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode())
    if (!node.parentElement.closest(skip)) text.push(node.data);
  return {formulas,
          errors: [...document.querySelectorAll('mjx-merror')].map(
              e => e.getAttribute('data-mjx-error') || e.textContent),
          left: formulas - document.querySelectorAll('.math mjx-container').length,
          text: text.join('')};
}"""

# Once MathJax has typeset the page and its explorer is attached: the formulas without a
# spoken form (aria-label) or without keyboard focus (tabindex 0).
SPOKEN = """async () => {""" + TYPESET + """
  const all = [...document.querySelectorAll('mjx-container')];
  return {formulas: all.length,
          unspoken: all.filter(c => !(c.getAttribute('aria-label') || '').trim()).length,
          unfocusable: all.filter(c => c.tabIndex !== 0).length};
}"""


@pytest.fixture
def book():
    if not (HTML / PAGE).is_file():
        pytest.skip("the book is not built: make book")
    return HTML


def _pages(book: Path) -> list[Path]:
    return sorted(p for p in book.rglob("*.html") if "_static" not in p.parts)


def _fetched(page) -> list[str]:
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    return fetched


def test_book_opens_and_its_math_is_typeset(page, book):
    fetched = _fetched(page)
    page.goto((book / "index.html").as_uri())
    assert "reglab" in page.title()
    page.click(f"nav a[href='{PAGE}']")  # the sidebar's table of contents
    page.wait_for_url(f"**/{PAGE}")
    page.wait_for_function("() => document.querySelectorAll('mjx-container').length > 0",
                           timeout=30_000)
    math = page.evaluate(MATH)
    assert math["typeset"] > 20 and math["errors"] == 0 and math["left"] == 0, math
    assert page.locator(".cell_output img").count() > 0
    assert all(url.startswith("file://") for url in fetched), [
        url for url in fetched if not url.startswith("file://")]


def test_every_page_reads_without_raw_tex(page, book):
    fetched = _fetched(page)
    problems = []
    for path in _pages(book):
        page.goto(path.as_uri())
        shown = page.evaluate(RENDERED)
        name = path.relative_to(book)
        problems += [f"{name}: MathJax error {e!r}" for e in shown["errors"]]
        if shown["left"]:
            problems.append(f"{name}: {shown['left']} of {shown['formulas']} formulas not typeset")
        text = shown["text"]
        raw = [" ".join(text[max(m.start() - 30, 0):m.end() + 30].split())
               for m in RAW_TEX.finditer(text)]
        if raw:
            problems.append(f"{name}: {len(raw)} raw TeX signs, as ...{' ... '.join(raw[:3])}...")
    assert not problems, "\n".join(problems)
    assert all(url.startswith("file://") for url in fetched), [
        url for url in fetched if not url.startswith("file://")]


def test_formulas_are_spoken_and_explorable_by_keyboard(page, book):
    page.goto((book / PAGE).as_uri())
    shown = page.evaluate(SPOKEN)
    assert shown["formulas"] > 20 and shown["unspoken"] == shown["unfocusable"] == 0, shown
    formula = page.locator("mjx-container[aria-label*='divided by']").first
    label = formula.get_attribute("aria-label")
    formula.focus()
    assert page.evaluate("() => document.activeElement.tagName") == "MJX-CONTAINER"
    page.keyboard.press("Enter")  # starts the explorer on the whole formula
    page.keyboard.press("ArrowDown")  # to its first part, announced in a live region
    page.wait_for_function(
        "() => [...document.querySelectorAll('.MJX_LiveRegion[aria-live]')]"
        ".some(r => r.textContent.trim())", timeout=10_000)
    said = page.evaluate("() => [...document.querySelectorAll('.MJX_LiveRegion[aria-live]')]"
                         ".map(r => r.textContent.trim()).filter(Boolean)")
    assert said and said[0] != label and said[0] in label, (said, label)


def test_every_formula_of_every_page_is_spoken(page, book):
    missing = []
    for path in _pages(book):
        page.goto(path.as_uri())
        shown = page.evaluate(SPOKEN)
        if shown["unspoken"] or shown["unfocusable"]:
            missing.append(f"{path.relative_to(book)}: {shown}")
    assert not missing, "\n".join(missing)


def _audit(page) -> list[dict]:
    """axe-core's violations of the WCAG 2.1 A/AA rules on the page as it stands."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": AUDIT_TAGS}, "resultTypes": ["violations"]}
    return Axe().run(page, options=options).response["violations"]


def test_the_audit_finds_what_it_must(page):
    pytest.importorskip("axe_playwright_python", reason="axe-playwright-python is not installed")
    page.set_content('<html><body><main><h1>Title</h1><p style="color: #aaa">faint</p>'
                     '<img src="plot.png"></main></body></html>')
    found = {v["id"]: v["impact"] for v in _audit(page)}
    assert found == {"html-has-lang": "serious", "document-title": "serious",
                     "color-contrast": "serious", "image-alt": "critical"}, found


def _violations(page, path: Path, book: Path) -> list[str]:
    """The page at ``path``, opened and audited once MathJax has run (its explorer attached):
    its violations of impact serious or critical, and those of lower impact outside
    ACCEPTED, one line each."""
    page.goto(path.as_uri())
    page.evaluate(SPOKEN)
    return [f"{path.relative_to(book)}: {v['id']} ({v['impact']}, {len(v['nodes'])} elements: "
            f"{v['help']}), e.g. {[' '.join(node['target']) for node in v['nodes'][:3]]}"
            for v in _audit(page) if v["impact"] in BLOCKING or v["id"] not in ACCEPTED]


def test_every_page_passes_the_accessibility_audit(page, book):
    pytest.importorskip("axe_playwright_python", reason="axe-playwright-python is not installed")
    fetched = _fetched(page)
    problems = [line for path in _pages(book) for line in _violations(page, path, book)]
    assert not problems, "\n".join(problems)
    assert all(url.startswith("file://") for url in fetched), [
        url for url in fetched if not url.startswith("file://")]


def test_the_dark_theme_passes_the_accessibility_audit(browser, book):
    """The theme follows the reader's system setting: its dark colours, on a notebook page
    (code cells, outputs, math) and the front page."""
    pytest.importorskip("axe_playwright_python", reason="axe-playwright-python is not installed")
    context = browser.new_context(viewport={"width": 1400, "height": 900}, color_scheme="dark")
    page = context.new_page()
    page.goto((book / "index.html").as_uri())
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    problems = [line for path in (book / "index.html", book / PAGE)
                for line in _violations(page, path, book)]
    context.close()
    assert not problems, "\n".join(problems)
