"""Smoke test of the training-step benchmark: ``bench/bench_train_step.py --quick``.

The benchmark is a report, not a test of speed: this only checks that it runs, that its
sanity check (reglab, fused NumPy and PyTorch follow the same loss trajectory from the
same weights, and fit the trajectory of a bare train_step loop) passes, and that its last
line has the promised machine-readable form.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "bench_train_step.py"


def test_bench_quick_run_reports_ratio():
    # one thread: two BLAS threads on a busy two-core machine can stall for milliseconds
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--threads", "1"],
                          capture_output=True, text=True, timeout=120, cwd=SCRIPT.parents[1])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert "sanity check passed" in proc.stdout, proc.stdout
    assert re.fullmatch(r"ratio_vs_fused_numpy=\d+\.\d\d", lines[-1]), lines[-1]
    assert float(lines[-1].split("=")[1]) > 0
    assert re.search(r"^fit vs a bare train_step loop: .*same final parameters: checked$",
                     proc.stdout, re.M), proc.stdout
    goals = re.findall(r"^  fit at its defaults (.*): \d+\.\d\d \(goal <= 1\.10\)$", proc.stdout,
                       re.M)
    assert len(goals) == 2 and "no validation" in goals[0] and "with validation" in goals[1], \
        proc.stdout
    if importlib.util.find_spec("torch") is not None:
        assert re.search(r"^  pytorch eager / reglab within each round, median over rounds: "
                         r"\d+\.\d\d", proc.stdout, re.M), proc.stdout
        cnn = [line for line in lines if line.startswith("CNN of notebook 08")]
        assert len(cnn) == 1 and cnn[0].endswith("passed"), proc.stdout
        assert re.search(r"^  CNN: pytorch eager / reglab .*: \d+\.\d\d$", proc.stdout, re.M)
