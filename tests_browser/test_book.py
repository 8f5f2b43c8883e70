"""The built book in Chromium: its front page and a notebook page open from disk, the math
is typeset by MathJax with no error, and nothing is fetched from the web.

Needs the book (``make book`` builds ``_build/book/html``); skipped when it is not built.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "book" / "html"
PAGE = "notebooks/02_l2_weight_decay.html"

MATH = """() => ({typeset: document.querySelectorAll('mjx-container').length,
               errors: document.querySelectorAll('mjx-merror').length,
               left: document.querySelectorAll('.math').length
                     - document.querySelectorAll('.math mjx-container').length})"""


@pytest.fixture
def book():
    if not (HTML / PAGE).is_file():
        pytest.skip("the book is not built: make book")
    return HTML


def test_book_opens_and_its_math_is_typeset(page, book):
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
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
