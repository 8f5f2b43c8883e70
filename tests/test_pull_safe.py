"""Working copies stay pull-safe: running and saving notebooks leaves nothing for git to see.

The git clean filter of ``.gitattributes`` (``tools/notebook_policy.py``, installed for a
clone by ``make git-filter``, which ``make lab`` and ``make test`` run) passes every
notebook through the committed-output policy. These tests

* run the filter over every committed notebook and find each one unchanged, byte for byte
  (otherwise a fresh clone would already show modified files);
* clone the repository, open a notebook through Jupyter's contents manager configured
  as ``make lab`` configures it, run every cell (outputs, execution counts, the kernel's
  ``language_info``) and save it: ``git status`` stays clean, and ``git pull`` of a newer
  upstream commit that changed the same notebook works;
* show that without the filter, or without JupyterLab's post-save hook, the same run
  leaves the clone modified and ``git pull`` refuses (so the test above can fail), and
  that the hook never stages a real change nor adds an untracked notebook.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_server.services.contents.filemanager import FileContentsManager
from nbclient import NotebookClient
from traitlets.config.loader import PyFileConfigLoader

ROOT = Path(__file__).resolve().parent.parent
FILTER = ROOT / "tools" / "notebook_policy.py"
NOTEBOOK = "exercises/solutions/00_norms.ipynb"  # runs in two seconds
COMMITTED = sorted(p for pattern in ("notebooks/*.ipynb", "exercises/*.ipynb",
                                     "exercises/solutions/*.ipynb") for p in ROOT.glob(pattern))

_spec = importlib.util.spec_from_file_location("notebook_policy", FILTER)
policy = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(policy)
needs_git = pytest.mark.skipif(shutil.which("git") is None or shutil.which("make") is None,
                               reason="needs git and make")


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


def _run_filter(text: bytes) -> bytes:
    return subprocess.run([sys.executable, str(FILTER)], input=text, check=True,
                          capture_output=True).stdout


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: str(p.relative_to(ROOT)))
def test_committed_notebooks_pass_through_the_filter_unchanged(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    policy.clean(nb)
    assert policy.to_text(nb) == path.read_text(encoding="utf-8"), (
        f"{path.relative_to(ROOT)} is not in committed form: run tools/refresh_outputs.py on it")


def test_filter_normalizes_what_a_session_adds():
    nb = nbformat.read(ROOT / NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for n, cell in enumerate(code):
        cell.execution_count = 100 + n  # cells run out of order, several times
        cell.outputs = cell.outputs or [nbformat.v4.new_output("stream", text="noise\n")]
    nb.metadata["language_info"]["version"] = "3.11.9"
    nb.metadata["widgets"] = {"state": {}}
    code[0].metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00"}
    cleaned = _run_filter(nbformat.writes(nb).encode())
    assert cleaned == (ROOT / NOTEBOOK).read_bytes()


def test_filter_passes_unreadable_input_through():
    assert _run_filter(b"not a notebook") == b"not a notebook"


def _clone_with_upstream(tmp_path: Path, *, install_filter: bool) -> tuple[Path, Path]:
    upstream, work = tmp_path / "upstream", tmp_path / "work"
    _git(tmp_path, "clone", "-q", str(ROOT), str(upstream))
    _git(tmp_path, "clone", "-q", str(upstream), str(work))
    for repo in (upstream, work):
        _git(repo, "config", "user.email", "test@example.org")
        _git(repo, "config", "user.name", "test")
    if install_filter:
        venv = Path(sys.executable).parent.parent
        subprocess.run(["make", "-s", "git-filter", f"VENV={venv}"], cwd=work, check=True,
                       capture_output=True)
    return upstream, work


def _run_and_save_like_jupyterlab(work: Path, *, with_lab_config: bool = True) -> None:
    """Open NOTEBOOK, run every cell, save it through Jupyter's contents manager.

    With ``with_lab_config`` the manager is configured by the file ``make lab`` loads, so
    its post-save hook runs as in JupyterLab.
    """
    config = (PyFileConfigLoader("jupyter_server_config.py", path=str(ROOT / "tools"))
              .load_config() if with_lab_config else None)
    manager = FileContentsManager(root_dir=str(work), config=config)
    nb = nbformat.from_dict(manager.get(NOTEBOOK)["content"])
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str((work / NOTEBOOK).parent)}}).execute()
    manager.save({"type": "notebook", "format": "json", "content": nb}, NOTEBOOK)


@needs_git
def test_running_and_saving_leaves_the_clone_clean_and_pull_works(tmp_path):
    upstream, work = _clone_with_upstream(tmp_path, install_filter=True)
    assert "notebook_policy.py" in _git(work, "config", "--get", "filter.notebook-policy.clean")
    _run_and_save_like_jupyterlab(work)
    saved = nbformat.read(work / NOTEBOOK, as_version=4)
    assert any(c.get("outputs") for c in saved.cells if c.cell_type == "code"
               and not c.source.startswith("# NBVAL_CHECK_OUTPUT"))  # really run and saved
    assert _git(work, "status", "--porcelain") == ""

    # a newer version of the course changes the same notebook upstream
    nb = nbformat.read(upstream / NOTEBOOK, as_version=4)
    nb.cells[0].source += "\n\nA sentence added in a newer version."
    nbformat.write(nb, upstream / NOTEBOOK)
    _git(upstream, "commit", "-qam", "newer version")
    _git(work, "pull", "-q", "--ff-only")
    assert "A sentence added in a newer version." in (work / NOTEBOOK).read_text()


@needs_git
@pytest.mark.parametrize("install_filter, with_lab_config", [(False, True), (True, False)],
                         ids=["without the filter", "without the post-save hook"])
def test_without_the_filter_or_the_hook_the_same_run_blocks_pull(tmp_path, install_filter,
                                                                 with_lab_config):
    upstream, work = _clone_with_upstream(tmp_path, install_filter=install_filter)
    _run_and_save_like_jupyterlab(work, with_lab_config=with_lab_config)
    assert NOTEBOOK in _git(work, "status", "--porcelain")
    nb = nbformat.read(upstream / NOTEBOOK, as_version=4)
    nb.cells[0].source += "\n\nA sentence added in a newer version."
    nbformat.write(nb, upstream / NOTEBOOK)
    _git(upstream, "commit", "-qam", "newer version")
    with pytest.raises(subprocess.CalledProcessError):
        _git(work, "pull", "-q", "--ff-only")


@needs_git
def test_hook_stages_nothing_and_leaves_real_changes_alone(tmp_path):
    _, work = _clone_with_upstream(tmp_path, install_filter=True)
    manager = FileContentsManager(
        root_dir=str(work),
        config=PyFileConfigLoader("jupyter_server_config.py", path=str(ROOT / "tools")).load_config())
    model = manager.get(NOTEBOOK)
    model["content"].cells[1].source += "\nx_student = 1"  # a real edit
    manager.save({"type": "notebook", "format": "json", "content": model["content"]}, NOTEBOOK)
    assert _git(work, "status", "--porcelain") == f" M {NOTEBOOK}\n"  # modified, not staged
    manager.save({"type": "notebook", "format": "json",
                  "content": nbformat.v4.new_notebook()}, "notebooks/scratch.ipynb")
    assert "?? notebooks/scratch.ipynb" in _git(work, "status", "--porcelain")  # not added
