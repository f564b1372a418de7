"""The whole test suite's wall time, for information (not a timed test).

    .venv/bin/python -m benchmarks suite      (or: make bench-suite)

Runs `pytest -q -n auto --dist loadscope -p no:cacheprovider` (as make test) once over
tests/ in a child process and reports the seconds it took, how many tests passed and
failed, the CPUs and the load average before and after (other work on the machine slows
it). The issue's target is the whole `make test` under about 2 minutes on a 2-core
machine; this figure has no pass or fail of its own. Not part of a plain `make bench`:
it takes minutes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 120


def _load() -> list[float] | None:
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None


def _count(pattern: str, text: str) -> int:
    found = re.search(rf"(\d+) {pattern}", text)
    return int(found.group(1)) if found else 0


def bench_suite(extra: list[str] | None = None) -> dict[str, object]:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-n",
        "auto",
        "--dist",
        "loadscope",
        "-p",
        "no:cacheprovider",
    ]
    load_before = _load()
    start = time.perf_counter()
    done = subprocess.run(
        [*command, *(extra or [])], cwd=REPO, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    tail = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    return {
        "name": "whole test suite, pytest -n auto --dist loadscope (information)",
        "value": round(seconds, 1),
        "unit": "s",
        "target": None,
        "pass": None,
        "goal_seconds": TARGET_SECONDS,
        "passed": _count("passed", tail),
        "failed": _count("failed", tail),
        "summary": tail,
        "failures": [
            line.split(" ", 1)[1].split(" - ")[0]
            for line in done.stdout.splitlines()
            if line.startswith("FAILED ")
        ],
        "cpus": os.cpu_count(),
        "load_before": load_before,
        "load_after": _load(),
    }


if __name__ == "__main__":
    figure = bench_suite(sys.argv[1:])
    print(figure)
