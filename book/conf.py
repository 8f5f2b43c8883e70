"""Sphinx configuration of the book (``make book``; the sources are laid out by build.py).

The notebooks arrive executed: Sphinx renders them as they are. Everything the pages load
is served from the build itself (MathJax 3 from the ``sphinx-mathjax-offline`` package, no
widget scripts), so the book reads offline.
"""

import importlib
import json
from pathlib import Path

sphinx_mathjax_offline = importlib.import_module("sphinx-mathjax-offline")

project = "reglab"
author = "the reglab authors"
copyright = "the reglab authors"

extensions = [
    "myst_nb",
    "sphinx-mathjax-offline",  # copies MathJax 3 into _static/mathjax and points mathjax_path at it
]

root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

nb_execution_mode = "off"  # executed by build.py from the current code
nb_ipywidgets_js = {}  # no widget manager from a CDN: build.py renders widgets statically
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

html_theme = "sphinx_book_theme"
html_title = "reglab — regularization for deep learning"
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
}
html_show_sourcelink = False
html_copy_source = False

# Formulas readable by assistive technology: MathJax's expression explorer on (keyboard
# focus on each formula, arrow keys walk its parts) with speech (SRE), which labels each
# formula with its spoken form. _static/mathjax_speech.js lets the speech rules load from
# disk too; its priority puts it after Sphinx's window.MathJax = ..., and it runs before
# MathJax, which is deferred.
mathjax3_config = {"options": {"menuOptions": {"settings": {"explorer": True}}}}
html_static_path = ["_static"]
html_js_files = [("mathjax_speech.js", {"priority": 501})]
SRE_MAPS = Path(sphinx_mathjax_offline.__file__).parent / "static" / "mathjax" / "sre" / "mathmaps"


def write_speech_rules(app, exception) -> None:
    """Each speech rule file of MathJax (sre/mathmaps/LOCALE.json) as a script,
    _static/sre-mathmaps/LOCALE.js, that stores its JSON text in
    window.reglabMathmaps[LOCALE] (loaded by _static/mathjax_speech.js)."""
    if exception is not None:
        return
    out = Path(app.outdir) / "_static" / "sre-mathmaps"
    out.mkdir(parents=True, exist_ok=True)
    for rules in sorted(SRE_MAPS.glob("*.json")):
        text = json.dumps(rules.read_text(encoding="utf-8"))
        (out / f"{rules.stem}.js").write_text(
            f"window.reglabMathmaps[{json.dumps(rules.stem)}] = {text};\n", encoding="utf-8")


def setup(app):
    app.connect("build-finished", write_speech_rules)
