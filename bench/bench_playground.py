"""How live is the playground? Frame rate while training, and a free kernel, against goals.

The playground (``reglab.playground.Playground``) trains in a background thread and redraws
its figure ``frame_interval`` seconds (0.1 s) after the end of the previous frame. Two
measurements, on the "overfit" scenario run without an epoch limit:

1. **In process** (as the unit tests drive it): Train, let it run ``--seconds``, Stop. Printed:
   frames per second while training, the median and longest gap between frames, epochs per
   second, and how long Stop took to return.
2. **In a real kernel** (``jupyter_client``, as JupyterLab runs it): the app is displayed, Train
   is called, then small cells are executed while it trains. Printed: the frames that reached
   the front end per second (the Image widget's comm updates sent from the training thread),
   the median and longest reply time of a cell while training (the kernel stays free), and
   how long ``app.stop()`` took.

The goals, stated once here: about 6 frames per second while training (GOAL_FPS), no gap
between frames over 0.5 s, a cell answered in under 0.25 s while training, Stop within 1 s.
Rates depend on the machine and its load: this is a report, not a test, and the unit tests
(tests/test_playground.py) check only what must hold at any load (frames arrive, Stop returns,
the kernel stays free) with generous timeouts. The exit code is 1 only when something does
not work at all (no frame while training, a cell that fails, Stop that does not stop).

Usage: ``python bench/bench_playground.py [--seconds S] [--no-kernel] [--quick]``
(``make bench``). The last line is ``frames_per_second=X.X`` (in process).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import queue
import sys
import time
from pathlib import Path

import numpy as np

if importlib.util.find_spec("reglab") is None:  # a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helpers"))

GOAL_FPS = 6.0  # frames per second while training
GOAL_GAP = 0.5  # the longest gap between two frames, s
GOAL_CELL = 0.25  # a cell's reply while training, s
GOAL_STOP = 1.0  # Stop returns within, s
PATIENCE = 60.0  # on a very busy machine, wait this long for two frames before giving up
SCENARIO = "overfit"


def verdict(ok: bool) -> str:
    return "met" if ok else "missed"


def in_process(seconds: float) -> tuple[list[str], float, bool]:
    """Train in a background thread for ``seconds``; the report lines, fps, and success."""
    from reglab.playground import Playground, scenario

    app = Playground(scenario(SCENARIO).replace(max_epochs=100_000))
    start = time.perf_counter()
    app.train()
    time.sleep(seconds)
    deadline = time.perf_counter() + PATIENCE  # a very busy machine: wait for two frames
    while sum(f > start for f in app.frame_times) < 2 and time.perf_counter() < deadline:
        time.sleep(0.05)
    t = time.perf_counter()
    app.stop(timeout=60)
    stop_s = time.perf_counter() - t
    epochs = app.session.epoch
    times = np.array(app.frame_times)
    times = times[times > start]  # the frames drawn while training (not the reset's)
    ok = len(times) >= 2 and not app.running
    lines = [f"in process: '{SCENARIO}' trained for {t - start:.1f} s, "
             f"{epochs / (t - start):.0f} epochs/s, {len(times)} frames"]
    fps = 0.0
    if len(times) >= 2:
        gaps = np.diff(times)
        fps = (len(times) - 1) / (times[-1] - times[0])
        lines += [f"  frames per second while training: {fps:.1f} (goal about {GOAL_FPS:g}: "
                  f"{verdict(fps >= 0.85 * GOAL_FPS)})",
                  f"  gap between frames: median {np.median(gaps):.3f} s, longest "
                  f"{gaps.max():.3f} s (goal <= {GOAL_GAP:g} s: {verdict(gaps.max() <= GOAL_GAP)})"]
    else:
        lines.append("  FAILED: fewer than two frames drawn while training")
    lines.append(f"  Stop returned in {stop_s:.3f} s (goal <= {GOAL_STOP:g} s: "
                 f"{verdict(stop_s <= GOAL_STOP)}){'' if not app.running else '; STILL RUNNING'}")
    return lines, fps, ok


def in_a_kernel(seconds: float) -> tuple[list[str], bool]:
    """The app displayed in a real kernel: frames sent and cells answered while it trains."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    frames: list[float] = []

    def drain(until: float) -> None:
        """Read iopub until ``until`` (perf_counter), noting when each frame was sent."""
        while (left := until - time.perf_counter()) > 0:
            try:
                msg = kc.get_iopub_msg(timeout=min(left, 0.05))
            except queue.Empty:
                continue
            data = msg["content"].get("data", {})
            if (msg["msg_type"] == "comm_msg" and data.get("method") == "update"
                    and data.get("buffer_paths") == [["value"]]):
                frames.append(time.perf_counter())

    def run(code: str) -> float:
        start = time.perf_counter()
        msg_id = kc.execute(code)
        reply = kc.get_shell_msg(timeout=120)
        while reply["parent_header"].get("msg_id") != msg_id:  # e.g. a kernel_info reply
            reply = kc.get_shell_msg(timeout=120)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"{code!r} failed in the kernel: {reply['content']}")
        return time.perf_counter() - start

    try:
        run("from reglab.playground import Playground, scenario\n"
            f"app = Playground(scenario({SCENARIO!r}).replace(max_epochs=100000))\n"
            "display(app)")
        drain(time.perf_counter() + 1.0)
        frames.clear()
        run("app.train()")
        start = time.perf_counter()
        replies = []
        while (time.perf_counter() - start < seconds
               or (len(frames) < 2 and time.perf_counter() - start < PATIENCE)):
            replies.append(run("assert app.running"))
            drain(time.perf_counter() + 0.2)
        trained = time.perf_counter() - start
        stop_s = run("app.stop(timeout=60)\nassert not app.running")
        drain(time.perf_counter() + 0.5)
    except Exception as err:  # a report: say what failed
        return [f"in a kernel: FAILED: {type(err).__name__}: {err}"], False
    finally:
        km.shutdown_kernel(now=True)
    sent = [f for f in frames if f <= start + trained]
    fps = (len(sent) - 1) / (sent[-1] - sent[0]) if len(sent) >= 2 else 0.0
    lines = [f"in a kernel: '{SCENARIO}' trained for about {trained:.1f} s while "
             f"{len(replies)} cells ran",
             f"  frames sent to the front end per second: {fps:.1f} (goal about {GOAL_FPS:g}: "
             f"{verdict(fps >= 0.85 * GOAL_FPS)})",
             f"  a cell's reply while training: median {np.median(replies):.3f} s, longest "
             f"{max(replies):.3f} s (goal <= {GOAL_CELL:g} s: "
             f"{verdict(np.median(replies) <= GOAL_CELL)})",
             f"  app.stop() returned in {stop_s:.3f} s (goal <= {GOAL_STOP:g} s: "
             f"{verdict(stop_s <= GOAL_STOP)})"]
    return lines, len(sent) >= 2


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="training time per part (5)")
    ap.add_argument("--no-kernel", action="store_true", help="skip the real-kernel part")
    ap.add_argument("--quick", action="store_true", help="smoke run: 1.5 s per part")
    args = ap.parse_args(argv)
    if args.quick:
        args.seconds = 1.5
    if args.seconds <= 0:
        ap.error(f"--seconds must be > 0, got {args.seconds}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"playground liveness: numpy {np.__version__}, {os.cpu_count()} CPUs, load average "
          f"{load:.1f} (a busy machine draws fewer frames)")
    lines, fps, ok = in_process(args.seconds)
    print("\n".join(lines))
    if not args.no_kernel:
        lines, kernel_ok = in_a_kernel(args.seconds)
        print("\n".join(lines))
        ok = ok and kernel_ok
    print(f"frames_per_second={fps:.1f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
