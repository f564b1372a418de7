"""Start-up: process start to the first usable frame, sdm-tui against a bare Textual app.

Each run starts a fresh `python -m benchmarks.launch ...` (same interpreter, same
environment, same working folder, headless, 100x30) and times it from just before
`Popen` to the moment the child's marker line arrives on its stdout: the child
writes it once its first screen has been drawn and is ready for input (see
`benchmarks/launch.py` for how that moment is found). sdm-tui starts through its
command line (`sdm_tui.__main__.main`) with the shipped grids and an empty temporary
records folder; the bare app is Header, Static and Footer.

Runs alternate (bare, sdm-tui, bare, ...) after one unmeasured warm-up each (which
also writes the bytecode caches), so a noisy neighbour slows both alike; the figure is
the ratio of the medians.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.launch import MARKER

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.25
TIMEOUT = 60.0


def time_start(which: str, records: Path | None = None) -> tuple[float, str]:
    """Milliseconds from Popen to the first-frame marker, and the marker's details."""
    args = [sys.executable, "-m", "benchmarks.launch", which]
    if records is not None:
        args.append(str(records))
    env = dict(os.environ)
    start = time.perf_counter()
    child = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    watchdog = threading.Timer(TIMEOUT, child.kill)
    watchdog.start()
    try:
        assert child.stdout is not None
        line = child.stdout.readline().decode(errors="replace")
        elapsed = (time.perf_counter() - start) * 1000
        _, err = child.communicate()
    finally:
        watchdog.cancel()
    if not line.startswith(MARKER):
        tail = err.decode(errors="replace").strip().splitlines()[-3:]
        raise RuntimeError(f"{which} did not report a first frame: {' | '.join(tail)}")
    return elapsed, line[len(MARKER) :].strip()


def bench_startup(runs: int = 9) -> dict:
    times: dict[str, list[float]] = {"bare": [], "sdm": []}
    shown: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as folder:
        records = Path(folder) / "records"

        def once(which: str) -> float:
            elapsed, details = time_start(which, records if which == "sdm" else None)
            shown[which] = details
            return elapsed

        once("bare"), once("sdm")  # warm-up: bytecode caches, file cache
        for _ in range(runs):
            for which in ("bare", "sdm"):
                times[which].append(once(which))
    screen = shown["sdm"].split()
    if screen[:1] != ["HomeScreen"] or not screen[1].startswith("OptionList#"):
        raise RuntimeError(f"sdm-tui's first frame is not the usable Home screen: {shown['sdm']}")
    bare, sdm = statistics.median(times["bare"]), statistics.median(times["sdm"])
    ratio = sdm / bare
    return {
        "name": f"start-up to first usable frame (median of {runs}, alternating)",
        "value": round(sdm, 1),
        "unit": "ms (median)",
        "baseline": round(bare, 1),
        "ratio": round(ratio, 3),
        "target": TARGET_RATIO,
        "target_on": "ratio",
        "pass": ratio <= TARGET_RATIO,
        "runs_ms": {k: [round(v, 1) for v in vs] for k, vs in times.items()},
        "spread_ms": {k: [round(min(vs), 1), round(max(vs), 1)] for k, vs in times.items()},
        "first_frame": shown,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(bench_startup(), indent=2))
