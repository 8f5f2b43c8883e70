"""The committed-output policy of the collection, and a git clean filter that applies it.

One function, :func:`clean`, decides what a committed notebook holds:

* cells whose first line is ``# NBVAL_CHECK_OUTPUT`` keep their outputs (streams merged,
  so the stored text does not depend on how the kernel chunked it) and an
  ``execution_count`` equal to the cell's position among the code cells (1, 2, ...), which
  is what a top-to-bottom run gives. nbval compares a marked cell only when the stored
  count is not None, and fails a cell whose stored outputs have no count;
* every other code cell gets no outputs and ``execution_count = None``;
* volatile metadata goes: per-cell ``execution`` timings, ``collapsed``/``scrolled`` view
  state, widget state, the notebook signature, and all of ``language_info`` but its name
  (the kernel fills in versions); the kernel is always ``python3``.

``tools/refresh_outputs.py`` writes notebooks through it. Used as a git *clean* filter
(installed for the clone by ``make lab`` / ``make test``, see ``.gitattributes``), it makes
a working copy that was only opened, run and saved look unchanged to git::

    python tools/notebook_policy.py < notebook.ipynb > cleaned.ipynb

The filter alone is not enough for ``git pull``: a saved notebook with outputs has another
*size* than the committed one, and git takes a size change for a modification without
looking at the content. :func:`refresh_git_after_save`, JupyterLab's post-save hook
(``tools/jupyter_server_config.py``, which ``make lab`` loads), therefore tells git to look:
when the filtered notebook equals the committed one, ``git add`` records the file's new
size and time and stages nothing. A notebook with real changes (a student's answers) is
left alone, and so is a file git does not track.

The output is written like nbformat writes files (indent 1, sorted keys, trailing newline),
so a committed notebook passes through the filter byte for byte unchanged.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CHECK_MARKER = "# NBVAL_CHECK_OUTPUT"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")
VOLATILE_NB_METADATA = ("widgets", "signature")

# Plain json, not nbformat: git runs the filter once per notebook it looks at, so it
# must start fast. Multi-line strings are stored as lists of lines, as nbformat stores them.


def _joined(text) -> str:
    return "".join(text) if isinstance(text, list) else text


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def is_check_cell(cell: dict) -> bool:
    """True for a code cell whose first line is ``# NBVAL_CHECK_OUTPUT``."""
    source = _joined(cell.get("source", ""))
    if cell.get("cell_type") != "code" or not source:
        return False
    return source.splitlines()[0].strip() == CHECK_MARKER


def merge_streams(outputs: list[dict]) -> list[dict]:
    """Merge stream outputs of the same name (stdout, stderr) into one, in place of the first.

    Mirrors nbval's ``coalesce_streams``: the first output of each stream name keeps
    its place and receives the text of the later ones.
    """
    merged, streams = [], {}
    for out in outputs:
        if out.get("output_type") == "stream":
            if out["name"] in streams:
                streams[out["name"]]["text"] += _joined(out["text"])
                continue
            out = {"output_type": "stream", "name": out["name"], "text": _joined(out["text"])}
            streams[out["name"]] = out
        merged.append(out)
    for out in streams.values():
        out["text"] = _lines(out["text"])
    return merged


def clean(nb: dict) -> None:
    """Apply the output policy to a notebook (a dict as read by json), in place."""
    position = 0
    for cell in nb["cells"]:
        for key in VOLATILE_CELL_METADATA:
            cell.get("metadata", {}).pop(key, None)
        if cell["cell_type"] != "code":
            continue
        position += 1
        if is_check_cell(cell) and cell.get("outputs"):
            cell["execution_count"] = position
            cell["outputs"] = merge_streams(cell["outputs"])
            for out in cell["outputs"]:
                if out["output_type"] == "execute_result":
                    out["execution_count"] = position
        else:
            cell["outputs"] = []
            cell["execution_count"] = None
    for key in VOLATILE_NB_METADATA:
        nb["metadata"].pop(key, None)
    nb["metadata"]["kernelspec"] = dict(KERNELSPEC)
    nb["metadata"]["language_info"] = {"name": "python"}  # the kernel adds versions and lexers


def to_text(nb: dict) -> str:
    """The file contents as nbformat writes them: indent 1, sorted keys, final newline."""
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def refresh_git_after_save(model, os_path, contents_manager=None, **kwargs) -> None:
    """JupyterLab post-save hook: mark a saved notebook clean for git if only outputs changed.

    Runs ``git add`` on ``os_path`` only if git tracks it and ``git diff`` (which compares
    the filtered content) finds no change, so nothing is ever staged; outside a git clone,
    or without git, it does nothing.
    """
    if model.get("type") != "notebook":
        return
    path = Path(os_path)

    def git(*args):
        return subprocess.run(["git", *args, "--", path.name], cwd=path.parent,
                              capture_output=True, check=False).returncode
    try:
        if git("ls-files", "--error-unmatch") == 0 and git("diff", "--quiet") == 0:
            git("add")
    except OSError:  # no git on this machine
        pass


def main() -> int:
    """The git clean filter: a notebook on stdin, its cleaned version on stdout."""
    data = sys.stdin.buffer.read()
    try:
        nb = json.loads(data.decode("utf-8"))
        clean(nb)
    except (ValueError, KeyError, TypeError, AttributeError):  # not a notebook: pass it on
        sys.stdout.buffer.write(data)
        return 0
    sys.stdout.buffer.write(to_text(nb).encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
