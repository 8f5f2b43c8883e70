"""The built book in Chromium: its front page and a notebook page open from disk, the math
is typeset by MathJax with no error, every page reads without raw TeX once MathJax has run,
and nothing is fetched from the web.

Needs the book (``make book`` builds ``_build/book/html``); skipped when it is not built.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "book" / "html"
PAGE = "notebooks/02_l2_weight_decay.html"
RAW_TEX = re.compile(r"\$|\\(?:[A-Za-z]+|[\[\]()])")  # a dollar, a TeX command, \( \) \[ \]

MATH = """() => ({typeset: document.querySelectorAll('mjx-container').length,
               errors: document.querySelectorAll('mjx-merror').length,
               left: document.querySelectorAll('.math').length
                     - document.querySelectorAll('.math mjx-container').length})"""

# Once MathJax has typeset the page: its MathJax errors, the formulas left untypeset, and
# the text a reader sees as text (outside code and typeset math).
RENDERED = """async () => {
  const formulas = document.querySelectorAll('.math').length;
  if (formulas) {
    const start = Date.now();
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)
           && Date.now() - start < 30000) await new Promise(r => setTimeout(r, 50));
    await MathJax.startup.promise;
  }
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


@pytest.fixture
def book():
    if not (HTML / PAGE).is_file():
        pytest.skip("the book is not built: make book")
    return HTML


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
    for path in sorted(p for p in book.rglob("*.html") if "_static" not in p.parts):
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
