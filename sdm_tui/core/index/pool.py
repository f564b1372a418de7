"""Reading many files in worker processes, batches streamed back as they come."""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO

from sdm_tui.core import record
from sdm_tui.core.fsutil import in_cache, warm
from sdm_tui.core.index import fastread
from sdm_tui.core.index.reading import read_batch
from sdm_tui.core.index.schema import FileRow

FIRST_BATCH = 100  # each worker's first batch: the newest days, whole, for the first page
# Threads in each reader reading the next batch's files into the OS's cache while this
# one is parsed: with the files not in the cache (a folder not read for a while), the
# build of 100,000 waited on the disk for each file (31 s, against 14 s from the cache).
WARMERS = 8
_WORKER = "from sdm_tui.core.index.pool import _worker; _worker()"


def _worker() -> None:
    """A reader process: (root, items, size) pickled on stdin, row batches pickled on stdout."""
    root, items, size = pickle.load(sys.stdin.buffer)
    fastread.use()  # here only: a file that could crash a parser ends this process, not the app
    if hasattr(os, "nice"):
        # The window (the list, its filters, typing) comes first; on an idle machine the
        # readers still get every spare core, so building is not slower for it.
        with contextlib.suppress(OSError):
            os.nice(10)
    out = sys.stdout.buffer
    bounds = batches(len(items), size)
    with ThreadPoolExecutor(WARMERS, thread_name_prefix="warm") as warmers:

        def read_ahead(k: int) -> None:
            if k >= len(bounds):
                return
            paths = [os.path.join(root, rel) for rel, _, _ in items[slice(*bounds[k])]]
            if all(in_cache(p, record.MAX_RECORD_BYTES) for p in paths[:: max(1, len(paths) // 4)]):
                return  # read lately: the files are in the cache already
            for n in range(WARMERS):  # each thread a share (not a task a file)
                warmers.submit(_warm_all, paths[n::WARMERS])

        read_ahead(0)
        for k, (start, end) in enumerate(bounds):
            read_ahead(k + 1)  # off the disk while this batch is parsed
            pickle.dump(read_batch(root, items[start:end]), out, pickle.HIGHEST_PROTOCOL)
            out.flush()
        warmers.shutdown(cancel_futures=True)


def _warm_all(paths: list[str]) -> None:
    for path in paths:
        warm(path, record.MAX_RECORD_BYTES)


def batches(count: int, size: int) -> list[tuple[int, int]]:
    """(start, end) of each batch: the first one small, so the newest records (read
    first) reach the index, and the list's first page, within a moment."""
    first = min(size, FIRST_BATCH)
    bounds = [(0, min(first, count))] if count else []
    bounds += [(start, min(start + size, count)) for start in range(first, count, size)]
    return bounds


def read_in_processes(
    root: str, items: list[tuple[str, int, int]], workers: int, size: int
) -> Iterator[list[FileRow]]:
    """Read files in `workers` fresh Python processes (`python -c`), batches as they come.

    Plain subprocesses rather than multiprocessing: spawn re-imports the
    caller's main script in every worker, and fork is unsafe in an app with
    threads. A worker that dies leaves its remaining files to be read here.
    """
    package_parent = str(Path(__file__).resolve().parents[3])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
    shares = [items[k::workers] for k in range(workers)]
    # (worker, rows) for each batch; (worker, count read) when a worker ends.
    results: queue.Queue[tuple[int, list[FileRow] | int]] = queue.Queue()

    def pump(stdout: IO[bytes], share: int) -> None:
        count = 0
        try:
            while True:
                rows = pickle.load(stdout)
                count += len(rows)
                results.put((share, rows))
        except (EOFError, OSError, pickle.UnpicklingError):
            pass
        finally:
            results.put((share, count))

    procs: list[subprocess.Popen[bytes]] = []
    try:
        for k, share in enumerate(shares):
            proc = subprocess.Popen(
                [sys.executable, "-c", _WORKER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
            )
            procs.append(proc)
            assert proc.stdin is not None and proc.stdout is not None
            threading.Thread(target=pump, args=(proc.stdout, k), daemon=True).start()
            with contextlib.suppress(BrokenPipeError):
                proc.stdin.write(pickle.dumps((root, share, size), pickle.HIGHEST_PROTOCOL))
                proc.stdin.close()
        finished = 0
        # The first batches are held until every worker has sent its own (or ended):
        # together they are the newest files, so the first page shown is the right one.
        waiting = set(range(len(procs)))
        held: list[list[FileRow]] = []
        while finished < len(procs):
            k, item = results.get()
            if isinstance(item, list):
                if not waiting:
                    yield item
                    continue
                held.append(item)
                waiting.discard(k)
                if not waiting:
                    yield [row for rows in held for row in rows]
                continue
            finished += 1
            count = item
            if k in waiting:
                waiting.discard(k)
                if not waiting and held:
                    yield [row for rows in held for row in rows]
            for start in range(count, len(shares[k]), size):  # a worker that died early
                yield read_batch(root, shares[k][start : start + size])
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
