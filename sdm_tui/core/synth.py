"""Synthetic records for tests, demos and benchmarks: realistic, invented, repeatable.

`write_synthetic(root, count, seed, grids)` writes `count` finished records in
training mode, each marked `synthetic = true`, under the usual layout
(training/YYYY-MM/YYYY-MM-DD_<id>.toml). People are invented: references are
"SYN-00042", labels are roles ("Nurse", "Family"), notes come from a small list
of plain phrases. Each person has several records over months or years, with
ratings and leanings that drift a little, review dates sometimes kept and
sometimes missed, so timelines and comparisons have something to show.

Every session is built through the real transitions, so it is as valid as one
made in the app. The same seed gives the same records, byte for byte, however
many processes write them: each person has their own random stream. One
person's records are made in synth_person.py, the words are in synth_words.py;
this module plans how many records each person has and writes the files.
Synthetic files skip fsync (they can be made again); nothing is ever overwritten,
and a folder that holds clinical records is refused.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from pathlib import Path

from sdm_tui.core import record
from sdm_tui.core.fsutil import StoreError, atomic_write, make_dir
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.session import GridRef, Mode, Session, grid_ref
from sdm_tui.core.synth_person import _LEANING_SCALE, FIRST_DAY, LAST_DAY, _Person
from sdm_tui.core.synth_words import (
    CARER_LABELS,
    CHOSEN_REASONS,
    CLINICIAN_LABELS,
    DECISIONS,
    NEXT_STEPS,
    NOTES,
    PEER_LABELS,
    QUESTIONS,
    REASONS,
    SERVICE_USER_LABELS,
    VIEWS,
    WHAT_MATTERS,
)

VERSION = 3  # changes when the same seed would give different records
POOL_THRESHOLD = 2000  # write this many or more with a process pool
CHUNK = 100  # people per pool task

__all__ = [
    "CARER_LABELS",
    "CHOSEN_REASONS",
    "CHUNK",
    "CLINICIAN_LABELS",
    "DECISIONS",
    "FIRST_DAY",
    "LAST_DAY",
    "NEXT_STEPS",
    "NOTES",
    "PEER_LABELS",
    "POOL_THRESHOLD",
    "QUESTIONS",
    "REASONS",
    "SERVICE_USER_LABELS",
    "VERSION",
    "VIEWS",
    "WHAT_MATTERS",
    "_LEANING_SCALE",  # the tests read these two
    "_Person",
    "check_folder",
    "plan",
    "write_synthetic",
]


def plan(count: int, seed: int) -> list[int]:
    """How many records each invented person has (1-8, most 2-5), summing to count."""
    rng = random.Random(f"sdm-tui synthetic plan {seed}")
    sizes: list[int] = []
    left = count
    while left > 0:
        n = min(left, rng.choices(range(1, 9), weights=(2, 4, 5, 5, 4, 3, 2, 1))[0])
        sizes.append(n)
        left -= n
    return sizes


def _path(root: Path, s: Session) -> Path:
    when = s.created
    return (
        root
        / s.mode.value
        / when.strftime("%Y-%m")
        / (f"{when.strftime('%Y-%m-%d')}_{s.record_id}.toml")
    )


def _write_people(root: str, seed: int, people: list[tuple[int, int]], grids: list[GridRef]) -> int:
    """Write the records of some people; returns how many. Runs in pool workers."""
    made: set[Path] = set()
    written = 0
    for number, n in people:
        for s in _Person(seed, number, grids).sessions(n):
            path = _path(Path(root), s)
            if path.parent not in made:
                make_dir(path.parent)
                made.add(path.parent)
            atomic_write(path, record.dumps(s), replace=False, durable=False)
            written += 1
    return written


def check_folder(root: Path) -> None:
    """Refuse a folder that holds clinical records (synthetic ones must never mix in)."""
    clinical = root / Mode.CLINICAL.value
    if clinical.is_dir():
        for _, _, files in os.walk(clinical):
            if any(name.endswith(".toml") for name in files):
                raise StoreError(
                    f"{root} holds real clinical records; write synthetic records to an "
                    "empty folder"
                )


def write_synthetic(
    root: Path,
    count: int,
    seed: int,
    grids: dict[str, OptionGrid],
    *,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> int:
    """Write `count` synthetic training records under `root`; returns how many were written.

    `progress(done, total)` is called as they are written. `workers`: processes
    to use (default: a pool for large counts). Raises StoreError for a folder
    with clinical records, a file that already exists, or a disk problem.
    """
    if count < 1:
        raise ValueError("count must be 1 or more")
    if not grids:
        raise ValueError("no option grids to build records from")
    root = Path(root)
    check_folder(root)
    make_dir(root)
    refs = [grid_ref(grids[key]) for key in sorted(grids)]
    people = list(enumerate(plan(count, seed), start=1))
    first = next(iter(_Person(seed, 1, refs).sessions(people[0][1])))
    if _path(root, first).exists():
        raise StoreError(
            f"{root} already holds the synthetic records of seed {seed}; use another seed "
            "or an empty folder (records are never overwritten)"
        )
    if workers is None:
        workers = (os.cpu_count() or 1) if count >= POOL_THRESHOLD else 1
    # With a pool, a few chunks per worker so they all keep busy and progress moves.
    size = CHUNK if workers <= 1 else max(5, min(CHUNK, -(-len(people) // (workers * 4))))
    chunks = [people[i : i + size] for i in range(0, len(people), size)]
    done = 0
    if workers <= 1 or len(chunks) <= 1:
        for chunk in chunks:
            done += _write_people(str(root), seed, chunk, refs)
            if progress is not None:
                progress(done, count)
        return done
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    context = multiprocessing.get_context("spawn")  # never fork a process with threads
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = [pool.submit(_write_people, str(root), seed, c, refs) for c in chunks]
        try:
            for future in as_completed(futures):
                done += future.result()
                if progress is not None:
                    progress(done, count)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return done
