"""The math of a markdown cell as JupyterLab finds it, laid out so that MyST finds the same.

JupyterLab takes the math out of a markdown cell *before* the markdown is parsed
(``removeMath`` in ``@jupyterlab/rendermime``), so nothing inside a formula can turn into
markdown: a line of a formula that starts with ``+`` stays math, and ``$$`` can open a
display in the middle of a paragraph. MyST (the book's parser, with ``dollarmath``) parses
the markdown first: there a ``$$`` that continues a paragraph is no display, a formula's
line that starts with ``+ `` becomes a bullet, and the ``$`` that are left over pair up
with the wrong partners. :func:`for_myst` rewrites a cell's source so that MyST sees exactly
the formulas JupyterLab sees, and the book shows what JupyterLab shows:

* a display (``$$ … $$``, or an environment ``\\begin{env} … \\end{env}``) that shares its
  paragraph with text is set apart by blank lines, at the indentation of the paragraph's
  text (so that it stays inside a list item);
* an inline formula spread over several lines is joined onto one line (a line break is a
  space in TeX), so that none of its lines can start a list or a heading.

:func:`math_spans` follows JupyterLab's rules: a formula opens at ``$``, ``$$``, ``\\\\(``,
``\\\\[`` or ``\\begin{env}`` and closes at the same delimiter (``\\\\)``, ``\\\\]``,
``\\end{env}``) once the braces inside are balanced; a blank line ends the search (the
formula then ends at the last closing delimiter seen, if any); escaped ``\\$``, ``\\{``,
``\\}`` are text; dollars inside code spans and fenced code are not delimiters.
"""

from __future__ import annotations

import re

# The pieces of a cell that matter to the search: delimiters, escaped characters, braces,
# runs of line breaks (a run of two or more is a paragraph break), JupyterLab's own
# placeholders (``@@N@@``, kept apart as JupyterLab does) and ``\\(``-style delimiters.
_PIECES = re.compile(r"(\$\$?|\\(?:begin|end)\{[a-z]*\*?\}|\\[{}$]|[{}]|(?:\n\s*)+|@@\d+@@"
                     r"|\\\\(?:\(|\)|\[|\]))", re.I)
_FENCED = re.compile(r"^(`{3,}|~{3,})[^`\n]*\n[\s\S]*?^\1[`~]*$", re.M)
_CODE_SPAN = re.compile(r"(^|[^\\])(`+)([^\n]*?[^`\n])\2(?!`)", re.M)
_PARAGRAPH_BREAK = re.compile(r"\n.*\n")
_LIST_MARKER = re.compile(r"[ \t]*(?:[*+-]|\d{1,9}[.)])[ \t]+")
_CLOSING = {"$": "$", "$$": "$$", "\\\\(": "\\\\)", "\\\\[": "\\\\]"}


def _hide_code(text: str) -> str:
    """``text`` with each ``$`` inside fenced code or a code span made a NUL (same length)."""
    def hide(match: re.Match) -> str:
        return match.group(0).replace("$", "\0")
    return _CODE_SPAN.sub(hide, _FENCED.sub(hide, text))


def math_spans(text: str) -> list[tuple[int, int]]:
    """The formulas of the markdown ``text``, as (start, end) offsets, delimiters included,
    in order: what JupyterLab hands to MathJax."""
    pieces = _PIECES.split(_hide_code(text))
    offsets, offset = [], 0
    for piece in pieces:
        offsets.append(offset)
        offset += len(piece)
    spans = []
    start = closing = last = None  # the opening piece, its closing delimiter, the last one seen
    braces = 0
    for i in range(1, len(pieces), 2):  # odd indices: the delimiters and breaks split on
        piece = pieces[i]
        if piece.startswith("@"):
            continue
        if start is None:
            if piece in _CLOSING:
                start, closing, braces = i, _CLOSING[piece], 0
            elif piece[1:6] == "begin":
                start, closing, braces = i, "\\end" + piece[6:], 0
        elif piece == closing:
            if braces:
                last = i
            else:
                spans.append((offsets[start], offsets[i] + len(piece)))
                start = closing = last = None
        elif _PARAGRAPH_BREAK.search(piece):
            if last is not None:
                spans.append((offsets[start], offsets[last] + len(pieces[last])))
            start = closing = last = None
            braces = 0
        elif piece == "{":
            braces += 1
        elif piece == "}" and braces:
            braces -= 1
    if start is not None and last is not None:
        spans.append((offsets[start], offsets[last] + len(pieces[last])))
    return spans


def _indent(line: str) -> str:
    """Where the text of a paragraph whose line is ``line`` starts: the line's leading white
    space, plus the width of a list marker that opens it."""
    marker = _LIST_MARKER.match(line)
    if marker:
        return " " * len(marker.group(0).expandtabs(4))
    return line[:len(line) - len(line.lstrip())]


def for_myst(text: str) -> str:
    """The markdown ``text`` rewritten so that MyST's ``dollarmath`` finds the formulas of
    :func:`math_spans`: each inline formula on one line, each display (``$$`` or a
    ``\\begin{env}`` environment) in a paragraph of its own. A cell that needs neither
    comes back unchanged."""
    out, pos = [], 0
    for start, end in math_spans(text):
        formula = text[start:end]
        if not formula.startswith(("$$", "\\begin")):
            out += [text[pos:start], re.sub(r"[ \t]*\n\s*", " ", formula)]
            pos = end
            continue
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        head, tail = text[line_start:start], text[end:line_end]
        indent = _indent(head) if head.strip() else head
        if head.strip():  # text before the display on its line: break the line
            out += [text[pos:start].rstrip(" \t"), "\n\n", indent]
        elif line_start and not re.search(r"(^|\n)[ \t]*\n$", text[:line_start]):
            out += [text[pos:line_start], "\n", head]  # a blank line above the display
        else:
            out.append(text[pos:start])
        out.append(formula)
        if tail.strip():  # text after the display on its line: it opens the next paragraph
            out += ["\n\n", indent]
            pos = end + len(tail) - len(tail.lstrip(" \t"))
        elif line_end < len(text) and text[line_end + 1:].split("\n", 1)[0].strip():
            out += [tail, "\n"]  # a blank line below the display
            pos = line_end
        else:
            pos = end
    out.append(text[pos:])
    return "".join(out)
