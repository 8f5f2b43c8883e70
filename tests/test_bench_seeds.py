"""Smoke test of the seeds benchmark (``bench/bench_seeds.py``): it runs, its sanity check
(fit_many ends where S fits end) passes for every network, and its last line has the
promised form. The speed-up itself is a report of ``make bench``, not a test."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "bench_seeds.py"


def test_bench_seeds_quick_run_reports_a_speedup():
    proc = subprocess.run([sys.executable, str(SCRIPT), "--rounds", "1", "--epochs", "1",
                           "--seeds", "2"], capture_output=True, text=True, timeout=300,
                          cwd=SCRIPT.parents[1])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert sum("sanity check passed" in line for line in lines) == 3, proc.stdout
    bounds = [line for line in lines if re.fullmatch(
        r" +its GEMMs alone +\d+\.\d{3} s = \d+% of fit_many: the speed-up cannot exceed "
        r"\d+\.\d \(S fits / stacked GEMMs\)", line)]
    assert len(bounds) == 3, proc.stdout
    assert re.fullmatch(r"seeds_speedup=\d+\.\d\d", lines[-1]), lines[-1]
