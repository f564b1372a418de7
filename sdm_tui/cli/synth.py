"""`sdm-tui records synth --count N --seed S`: synthetic training records.

For tests, demos and benchmarks. The records are invented, marked synthetic and
kept under training/, so they never appear in the clinical list; a folder that
already holds clinical records is refused.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import TextIO

from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.fsutil import StoreError
from sdm_tui.core.store import ENV_RECORDS, resolve_root
from sdm_tui.core.synth import write_synthetic

MAX_COUNT = 10_000_000


def _progress(err: TextIO, total: int) -> Callable[[int, int], None]:
    """Report about every 5% on stderr (a line each, so logs read well too)."""
    step = max(1, total // 20)
    shown = [0]

    def report(done: int, total_: int) -> None:
        if done - shown[0] >= step or done == total_:
            shown[0] = done
            err.write(f"synth: {done} of {total_} records written\n")
            err.flush()

    return report


def run_synth(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    count, seed = args.count, args.seed
    if not 1 <= count <= MAX_COUNT:
        err.write(f"--count {count}: give a number of records from 1 to {MAX_COUNT}\n")
        return 1
    root = resolve_root(args.records)
    if root.exists() and not root.is_dir():
        err.write(
            f"{root}: the records folder is not a folder (check the path given with "
            f"--records DIR or ${ENV_RECORDS})\n"
        )
        return 1
    catalog = load_catalog(args.grids)
    if not catalog.grids:
        where = args.grids or "the shipped grids"
        err.write(f"{where}: no usable option grids (check them with 'sdm-tui grids validate')\n")
        return 1
    start = time.perf_counter()
    try:
        written = write_synthetic(
            root, count, seed, catalog.grids, progress=_progress(err, count) if count > 1 else None
        )
    except StoreError as exc:
        err.write(f"{exc}\n")
        return 1
    seconds = time.perf_counter() - start
    out.write(
        f"wrote {written} synthetic training records (seed {seed}, "
        f"{len(catalog.grids)} grids) to {root} in {seconds:.1f} s\n"
    )
    return 0
