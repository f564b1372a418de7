"""SIGKILL at random moments during draft saves and finishing, then the next start.

A forked child saves consultations in a loop the way the app does (the draft
autosaved a few times, then the record and summary written and the draft
dropped: `RecordStore.save_draft` / `save_finished`) and is killed with SIGKILL
after a random delay. After every kill the parent runs what the app runs on
start (`recovery.recover`, then `RecordStore.drafts`) and counts:

- corrupt: a draft or record that does not load (or a record without its summary);
- lost: a consultation whose draft was saved that is neither a record nor offered;
- finished offered: a draft offered whose record is already saved;
- temps left: `.*.tmp` files anywhere in the folder after the start.

Every figure must be 0. Offered drafts are then discarded (as if the user had
finished them elsewhere), so each start stays as quick as a real one.

    python -m benchmarks.killloop [KILLS]          (POSIX only: fork and SIGKILL)
"""

from __future__ import annotations

import os
import random
import secrets
import signal
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.recovery import recover
from sdm_tui.core.session import Session, grid_ref
from sdm_tui.core.store import RecordStore
from sdm_tui.core.summary import DEFAULT_CONTACT, summary_markdown
from sdm_tui.core.synth import _Person


@dataclass
class KillFigures:
    kills: int = 0
    finished: int = 0  # consultations the children reported finished
    drafts_offered: int = 0  # drafts offered at a start (left by a kill mid-consultation)
    temps_removed: int = 0
    drafts_retired: int = 0
    summaries_written: int = 0
    corrupt: int = 0
    lost: int = 0
    finished_offered: int = 0
    temps_left: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.corrupt or self.lost or self.finished_offered or self.temps_left)

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "ok": self.ok}


def _templates(count: int) -> list[Session]:
    catalog = load_catalog()
    refs = [grid_ref(catalog.grids[key]) for key in sorted(catalog.grids)]
    person = _Person(secrets.randbits(32), 1, refs)
    return list(person.sessions(count))


def _child(root: Path, log: Path, templates: list[Session], markdown: list[str]) -> None:
    """Save consultations until killed (never returns)."""
    store = RecordStore(root)
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        while True:
            for template, md in zip(templates, markdown, strict=True):
                finished = template.model_copy(update={"record_id": _new_id()})
                draft = finished.model_copy(update={"completed": None})
                for _ in range(3):
                    store.save_draft(draft)
                    os.write(fd, f"saved {draft.record_id}\n".encode())
                store.save_finished(finished, md)
                os.write(fd, f"finished {draft.record_id}\n".encode())
    finally:
        os._exit(0)


def _new_id() -> str:
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def kill_loop(
    root: Path, kills: int, *, max_delay: float = 0.03, seed: int | None = None
) -> KillFigures:
    """Kill a saving child `kills` times in `root`, start after each; return the figures."""
    rng = random.Random(seed)
    catalog = load_catalog()
    templates = _templates(4)
    contact = DEFAULT_CONTACT

    def summary(session: Session) -> str:
        grid = catalog.exact(session.grid) or catalog.get(session.grid.id)
        return summary_markdown(session, grid, contact=contact)

    markdown = [summary(t) for t in templates]
    store = RecordStore(root)
    store.ensure()
    log = root.parent / f"{root.name}.log"
    figures = KillFigures()
    offered: set[str] = set()
    for n in range(kills):
        pid = os.fork()
        if pid == 0:  # the child
            try:
                _child(root, log, templates, markdown)
            finally:
                os._exit(0)
        # Mostly within a save or two; every tenth kill later, so consultations finish
        # between kills even on a busy machine.
        time.sleep(rng.uniform(0, max_delay if n % 10 else 8 * max_delay))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        figures.kills += 1
        # The next start: what the app does before it lists the drafts.
        done = recover(store, summary)
        figures.temps_removed += len(done.temps_removed)
        figures.drafts_retired += len(done.drafts_retired)
        figures.summaries_written += len(done.summaries_written)
        figures.problems += done.problems
        records = _record_ids(store)
        for info in store.drafts():
            figures.drafts_offered += 1
            if info.session is None:
                figures.corrupt += 1
                figures.problems.append(f"draft {info.record_id}: {info.problem}")
            if info.record_id in records:
                figures.finished_offered += 1
            offered.add(info.record_id)
            store.discard_draft(info.record_id)
        figures.temps_left += sum(1 for _ in root.rglob("*.tmp"))
    # Every record loads and has its summary; nothing saved was lost.
    records = set()
    for entry in store.entries():
        if entry.problem is not None:
            figures.corrupt += 1
            figures.problems.append(str(entry.problem))
            continue
        records.add(entry.record_id)
        if not entry.path.with_suffix(".md").is_file():
            figures.corrupt += 1
            figures.problems.append(f"{entry.path}: no summary")
    saved: set[str] = set()
    finished: set[str] = set()
    if log.exists():
        for line in log.read_text("utf-8").splitlines():
            what, _, record_id = line.partition(" ")
            (saved if what == "saved" else finished).add(record_id)
    figures.finished = len(finished)
    figures.lost = len((saved | finished) - records - offered) + len(finished - records)
    return figures


def _record_ids(store: RecordStore) -> set[str]:
    ids = set()
    for path in store.record_files():
        ids.add(path.stem.partition("_")[2])
    return ids


def main(argv: list[str]) -> int:
    import json
    import tempfile

    kills = int(argv[0]) if argv else 400
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        figures = kill_loop(Path(folder) / "records", kills)
        seconds = time.perf_counter() - started
    print(json.dumps({**figures.as_dict(), "seconds": round(seconds, 1)}, indent=2))
    return 0 if figures.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
