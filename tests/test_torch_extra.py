"""The optional PyTorch extra: one pinned version, and notebook 13 skipped without it.

Runs without PyTorch too: the skip is proved by running pytest on notebook 13 in a
subprocess where ``import torch`` fails (a stand-in package that raises ImportError
comes first on the path), whether or not PyTorch is installed here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "notebooks/13_from_reglab_to_pytorch.ipynb"


def test_torch_extra_pins_one_version_everywhere():
    # (tomllib is Python >= 3.11 only; the extra is a short list, read it directly)
    extra = re.search(r"^torch = \[\s*\"torch==(\d+\.\d+\.\d+)\",?\s*\]",
                      (ROOT / "pyproject.toml").read_text(), re.M)
    assert extra, "pyproject.toml: no extra `torch = [\"torch==X.Y.Z\"]`"
    version = extra.group(1)
    make = re.search(r"^TORCH_VERSION\s*=\s*(\S+)$", (ROOT / "Makefile").read_text(), re.M)
    assert make and make.group(1) == version, "Makefile TORCH_VERSION != pyproject's pin"
    assert re.search(r"^torch:", (ROOT / "Makefile").read_text(), re.M), "no `make torch`"


def test_notebook_13_is_skipped_with_a_reason_when_torch_is_missing(tmp_path):
    fake = tmp_path / "torch"
    fake.mkdir()
    (fake / "__init__.py").write_text('raise ImportError("torch hidden by the test")\n')
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(ROOT / "helpers"),
                                         env.get("PYTHONPATH", "")])
    proc = subprocess.run([sys.executable, "-m", "pytest", NOTEBOOK, "-q", "-rs",
                           "-p", "no:cacheprovider"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    skip_lines = [line for line in out.splitlines() if line.startswith("SKIPPED")]
    assert len(skip_lines) == 1, out
    assert NOTEBOOK in skip_lines[0] and "torch is not installed: make torch" in skip_lines[0]
    assert re.search(r"^\d+ skipped in", out.splitlines()[-1]), out
    assert "passed" not in out.splitlines()[-1] and "failed" not in out.splitlines()[-1]
