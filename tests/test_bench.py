"""Smoke tests of the benchmarks (`make bench`): ``bench/bench_train_step.py --quick``,
``bench/bench_playground.py --quick``, ``bench/bench_seeds.py`` (one round, one epoch) and
``bench/bench_suite.py``'s timing and report on small commands.

The benchmark is a report, not a test of speed: this only checks that it runs, that its
sanity check (reglab, fused NumPy and PyTorch follow the same loss trajectory from the
same weights, and fit the trajectory of a bare train_step loop) passes, and that its last
line has the promised machine-readable form. The playground's benchmark likewise: it runs,
reports each figure against its goal, and ends with its machine-readable line; whether a goal
is met depends on the machine's load and is not tested.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "bench_train_step.py"
PLAYGROUND = SCRIPT.with_name("bench_playground.py")
SEEDS = SCRIPT.with_name("bench_seeds.py")
#: a paired ratio as the bench prints it: the median over rounds, then the rounds' range
RATIO = r"\d+\.\d\d \(rounds \d+\.\d\d-\d+\.\d\d\)"


def test_bench_quick_run_reports_ratio():
    # one thread: two BLAS threads on a busy two-core machine can stall for milliseconds
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--threads", "1"],
                          capture_output=True, text=True, timeout=120, cwd=SCRIPT.parents[1])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert "sanity check passed" in proc.stdout, proc.stdout
    assert re.fullmatch(r"ratio_vs_fused_numpy=\d+\.\d\d", lines[-1]), lines[-1]
    assert float(lines[-1].split("=")[1]) > 0
    for batch in (32, 100, 1000):
        assert re.search(rf"^  batch {batch}: reglab / fused numpy within each round, median "
                         rf"over rounds: {RATIO}, goal <= 1\.10$", proc.stdout, re.M), proc.stdout
        assert re.search(rf"^  batch {batch}: GEMM floor reached \(.*\): reglab {RATIO}, "
                         rf"fused numpy {RATIO}$", proc.stdout, re.M), proc.stdout
    assert re.search(r"^fit vs a bare train_step loop: .*same final parameters: checked$",
                     proc.stdout, re.M), proc.stdout
    goals = re.findall(r"^  fit at its defaults (.*): \d+\.\d\d \(goal <= 1\.10\)$", proc.stdout,
                       re.M)
    assert len(goals) == 2 and "no validation" in goals[0] and "with validation" in goals[1], \
        proc.stdout
    if importlib.util.find_spec("torch") is not None:
        for batch in (32, 100, 1000):
            assert re.search(rf"^  batch {batch}: pytorch eager / reglab within each round, "
                             r"median over rounds: \d+\.\d\d", proc.stdout, re.M), proc.stdout
        cnn = [line for line in lines if line.startswith("CNN of notebook 08")]
        assert len(cnn) == 1 and cnn[0].endswith("passed"), proc.stdout
        assert re.search(rf"^  CNN: pytorch eager / reglab .*: {RATIO} \(goal >= 1\.5\)$",
                         proc.stdout, re.M), proc.stdout


def test_bench_playground_quick_run_reports_against_the_goals():
    proc = subprocess.run([sys.executable, str(PLAYGROUND), "--quick"], capture_output=True,
                          text=True, timeout=300, cwd=SCRIPT.parents[1])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    figures = [r"^  frames per second while training: \d+\.\d \(goal about 6: (met|missed)\)$",
               r"^  gap between frames: median \d+\.\d{3} s, longest \d+\.\d{3} s "
               r"\(goal <= 0\.5 s: (met|missed)\)$",
               r"^  Stop returned in \d+\.\d{3} s \(goal <= 1 s: (met|missed)\)$",
               r"^  frames sent to the front end per second: \d+\.\d \(goal about 6: "
               r"(met|missed)\)$",
               r"^  a cell's reply while training: median \d+\.\d{3} s, longest \d+\.\d{3} s "
               r"\(goal <= 0\.25 s: (met|missed)\)$",
               r"^  app\.stop\(\) returned in \d+\.\d{3} s \(goal <= 1 s: (met|missed)\)$"]
    for figure in figures:
        assert re.search(figure, proc.stdout, re.M), (figure, proc.stdout)
    assert re.fullmatch(r"frames_per_second=\d+\.\d", proc.stdout.strip().splitlines()[-1])


def test_bench_seeds_reports_the_speed_up_and_its_two_ceilings():
    proc = subprocess.run([sys.executable, str(SEEDS), "--rounds", "1", "--epochs", "1"],
                          capture_output=True, text=True, timeout=120, cwd=SCRIPT.parents[1])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert re.fullmatch(r"seeds_speedup=\d+\.\d\d", lines[-1]), lines[-1]
    for figure in (r"speed-up \d+\.\d\d \(goal >= 3, \d+% of it\); sanity check passed$",
                   r"the speed-up cannot exceed \d+\.\d \(S fits / stacked GEMMs\)$",
                   r"the speed-up cannot exceed \d+\.\d for any S \(a fit alone / what a model "
                   r"adds\)$"):
        assert len(re.findall(figure, proc.stdout, re.M)) == 3, proc.stdout


def test_bench_seeds_refuses_a_single_seed():
    proc = subprocess.run([sys.executable, str(SEEDS), "--seeds", "1"], capture_output=True,
                          text=True, timeout=60, cwd=SCRIPT.parents[1])
    assert proc.returncode == 2 and "--seeds must be >= 2" in proc.stderr, proc.stderr


def test_bench_suite_times_a_command_and_reports_it_against_its_goal(capsys):
    spec = importlib.util.spec_from_file_location("bench_suite", SCRIPT.with_name("bench_suite.py"))
    suite = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(suite)
    busy = [sys.executable, "-c", "sum(i * i for i in range(3_000_000))"]
    ok, wall, cpu = suite.timed(busy)
    assert ok and wall > 0 and cpu > 0.05  # the child's CPU time is counted, not the parent's
    assert suite.report("busy", busy, goal=3600.0) == (True, False)
    assert suite.report("busy", busy, goal=0.0) == (True, True)
    assert suite.report("no goal", busy, goal=None) == (True, False)
    assert suite.report("broken", [sys.executable, "-c", "raise SystemExit(3)"], goal=60.0) \
        == (False, False)
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"  busy +wall +\d+\.\d s, CPU +\d+\.\d s \(goal <= 3600 s: met\)",
                        lines[0]), lines
    assert lines[1].endswith("(goal <= 0 s: missed)"), lines
    assert re.search(r"CPU +\d+\.\d s$", lines[2]), lines  # no goal, no verdict
    assert lines[3].endswith("FAILED"), lines
