"""book/markdown_math.py: the formulas of a markdown cell as JupyterLab finds them, and the
layout that makes MyST find the same ones. Needs no built book."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("markdown_math", ROOT / "book" / "markdown_math.py")
markdown_math = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(markdown_math)


def formulas(text: str) -> list[str]:
    return [text[start:end] for start, end in markdown_math.math_spans(text)]


def test_inline_and_display_formulas_are_found_with_their_delimiters():
    assert formulas("a $x$ b $$y$$ c $z\nw$") == ["$x$", "$$y$$", "$z\nw$"]
    assert formulas("\\begin{align}a &= b\\end{align} and \\\\(c\\\\)") == [
        "\\begin{align}a &= b\\end{align}", "\\\\(c\\\\)"]


def test_braces_must_balance_and_a_blank_line_ends_the_search():
    assert formulas("$\\text{a $b$ c}$") == ["$\\text{a $b$ c}$"]
    assert formulas("$a\n\nb$") == []
    assert formulas("$\\{ a $ b") == ["$\\{ a $"]  # escaped braces do not count
    assert formulas("${a$ b\n\nc") == ["${a$"]  # unbalanced: ends at the last "$" seen
    assert formulas("${a b\n\nc$") == []


def test_escaped_dollars_and_code_are_not_math():
    assert formulas("costs \\$5 and \\$6") == []
    assert formulas("`$x` and `$y` then $z$") == ["$z$"]
    assert formulas("```\n$a$\n```\n$b$") == ["$b$"]


def test_a_display_inside_a_paragraph_gets_lines_of_its_own():
    text = "Only one term:\n$$\na\n+ b\n$$\nso that.\n"
    assert markdown_math.for_myst(text) == "Only one term:\n\n$$\na\n+ b\n$$\n\nso that.\n"


def test_a_display_inside_a_list_item_stays_in_it():
    text = "* item:\n  $$\n  a\n  $$\n  more\n* next"
    assert markdown_math.for_myst(text) == "* item:\n\n  $$\n  a\n  $$\n\n  more\n* next"
    assert markdown_math.for_myst("* see $$a$$ here") == "* see\n\n  $$a$$\n\n  here"


def test_an_inline_formula_is_joined_onto_one_line():
    text = "step:\n$a\n + b$.\n"
    assert markdown_math.for_myst(text) == "step:\n$a + b$.\n"


def test_a_cell_that_myst_already_reads_right_is_unchanged():
    for text in ("# T\n\ntext $x$.\n\n$$\na\n+ b\n$$\n\nafter", "$$a$$", "no math", "`$x`"):
        assert markdown_math.for_myst(text) == text


def test_an_environment_is_a_display_too():
    text = "so\n\\begin{align}\na &= b\\\\\n+ c &= d\n\\end{align}\nthen"
    assert markdown_math.for_myst(text) == (
        "so\n\n\\begin{align}\na &= b\\\\\n+ c &= d\n\\end{align}\n\nthen")
