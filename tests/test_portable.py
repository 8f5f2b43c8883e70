"""The tools of `make test-portable`: the minimum versions and the BLAS kernel check.

``tools/min-versions.txt`` (the pip constraints of `make test-min-versions`) must pin
exactly the floors that pyproject.toml's dependencies allow, and README must name them;
``tools/blas_kernel.py`` must see a forced OpenBLAS kernel and refuse a leg whose kernel is
not the one it claims.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
MIN_VERSIONS = ROOT / "tools" / "min-versions.txt"
BLAS_KERNEL = ROOT / "tools" / "blas_kernel.py"
PINNED = {"numpy", "matplotlib", "scikit-learn", "mnist1d"}


def pins() -> dict[str, str]:
    lines = [line.split("#")[0].strip() for line in MIN_VERSIONS.read_text().splitlines()]
    return dict(line.split("==") for line in lines if line)


def floors() -> dict[str, Version]:
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    out = {}
    for dep in map(Requirement, deps):
        lows = [Version(s.version) for s in dep.specifier if s.operator in (">=", "==", "~=")]
        if lows:
            out[dep.name] = max(lows)
    return out


def test_min_versions_are_the_floors_of_pyproject():
    pinned, floor = pins(), floors()
    assert set(pinned) == PINNED, pinned
    for name, version in pinned.items():
        v = Version(version)
        # the floor itself, or its only release (mnist1d 0.0.2 exists as 0.0.2.post1 only)
        assert Version(v.base_version) == floor[name], (name, version, floor[name])
        assert v in Requirement(f"{name}>={floor[name]}").specifier, (name, version)


def test_readme_names_the_minimum_versions():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, version in pins().items():
        assert f"{name} {version}" in readme, f"README does not name {name} {version}"


def _blas(args, **env):
    return subprocess.run([sys.executable, str(BLAS_KERNEL), *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, **env})


def _openblas_on_x86() -> bool:
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    proc = _blas([])
    return proc.returncode == 0 and "openblas" in proc.stdout


@pytest.fixture(scope="module")
def openblas_x86():
    if not _openblas_on_x86():
        pytest.skip("the kernels of test-portable are OpenBLAS's x86-64 kernels")


def test_blas_kernel_sees_a_forced_kernel(openblas_x86):
    proc = _blas(["--expect", "Nehalem", "--threads", "1"], OPENBLAS_CORETYPE="Nehalem",
                 OPENBLAS_NUM_THREADS="1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines and all(re.search(r"kernel Nehalem, 1 thread\(s\)", line) for line in lines
                         if "openblas" in line), proc.stdout


def test_blas_kernel_refuses_a_leg_that_runs_another_kernel(openblas_x86):
    proc = _blas(["--expect", "Nehalem", "--threads", "2"], OPENBLAS_CORETYPE="Sandybridge",
                 OPENBLAS_NUM_THREADS="1")
    assert proc.returncode == 1
    assert "runs the kernel Sandybridge, not Nehalem" in proc.stderr, proc.stderr
    assert "runs 1 thread(s), not 2" in proc.stderr, proc.stderr
