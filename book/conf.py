"""Sphinx configuration of the book (``make book``; the sources are laid out by build.py).

The notebooks arrive executed: Sphinx renders them as they are. Everything the pages load
is served from the build itself (MathJax 3 from the ``sphinx-mathjax-offline`` package, no
widget scripts), so the book reads offline.
"""

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
