"""Run the benchmarks, print a table and write benchmarks/results.json.

Figures so far: saving a full record (TOML + Markdown, atomic, with fsync) and
whether the command-line paths that need no screen import Textual. The rest of
the targets (start-up against a bare Textual app, key-press latency, review at
clinic scale) come with the review work.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sdm_tui.core import transitions as t
from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.session import (
    Answer3,
    CarerConsent,
    Leaning,
    Outcome,
    Role,
    Stance,
    grid_ref,
    new_session,
)
from sdm_tui.core.store import RecordStore
from sdm_tui.core.summary import summary_markdown

RESULTS = Path(__file__).resolve().parent / "results.json"


def full_session():
    """The largest shipped grid, 6 options, 4 people, everything filled in."""
    catalog = load_catalog()
    grid = max(catalog.grids.values(), key=lambda g: len(g.options) * len(g.questions))
    s = new_session(grid_ref=grid_ref(grid), app_version="bench")
    people = [
        (Role.SERVICE_USER, "Service user"),
        (Role.CLINICIAN, "Dr Bench"),
        (Role.CARER, "Carer"),
        (Role.PEER_SUPPORT, "Peer worker"),
    ]
    for role, label in people:
        s = t.add_participant(s, role, label)
    s = t.set_carer_consent(s, CarerConsent.YES)
    s = t.set_reference(s, "BENCH-0001")
    options = [o.id for o in grid.options][:6]
    s = t.choose_options(s, options)
    s = t.set_team_talk(s, what_matters="Keeping my job and feeling awake. " * 5)
    for n, person in enumerate(s.participants):
        for i, question in enumerate(grid.questions):
            s = t.rate_importance(s, person.id, question.id, (i + n * 2) % 5)
        for i, option in enumerate(options):
            s = t.set_leaning(s, person.id, option, list(Leaning)[(i + n) % 4])
        s = t.add_note(s, person.id, "A note in my own words about side effects. " * 4)
        for item in ("know", "values", "support", "sure"):
            s = t.set_certainty(s, person.id, item, Answer3.YES)
    for item in s.disagreements:
        for person in s.participants:
            s = t.set_view(s, item.id, person.id, "How I see it, in my own words. " * 3)
    s = t.set_decision(s, outcome=Outcome.CHOSEN, option=options[0], reason="It fits my life.")
    s = t.set_decision(s, review_date=t.default_review_date(s.created.date()))
    for person in s.participants:
        s = t.set_stance(s, person.id, Stance.AGREE)
    s = t.set_next_steps(s, ["Start at a low dose", "Weight check in a week"])
    return t.complete(s), grid


def bench_save(runs: int = 31) -> dict:
    session, grid = full_session()
    times = []
    with tempfile.TemporaryDirectory() as folder:
        for i in range(runs):
            store = RecordStore(Path(folder) / str(i))
            start = time.perf_counter()
            store.save_finished(session, summary_markdown(session, grid))
            times.append((time.perf_counter() - start) * 1000)
    value = statistics.median(times)
    return {
        "name": "save full record (TOML + Markdown, atomic, fsync)",
        "value": round(value, 2),
        "unit": "ms (median)",
        "target": 20,
        "pass": value <= 20,
        "p95": round(sorted(times)[int(len(times) * 0.95)], 2),
    }


def bench_no_textual() -> dict:
    code = (
        "import sys; from sdm_tui.__main__ import main; "
        "main(['grids', 'validate']); main(['records', '--records', sys.argv[1], 'list']); "
        "sys.stderr.write(str(int('textual' in sys.modules)))"
    )
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [sys.executable, "-c", code, folder], capture_output=True, text=True, check=False
        )
    imported = done.stderr.strip().endswith("1")
    return {
        "name": "grids validate / records list import Textual",
        "value": int(imported),
        "unit": "0 = no",
        "target": 0,
        "pass": not imported,
    }


def main() -> int:
    figures = [bench_save(), bench_no_textual()]
    machine = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }
    RESULTS.write_text(json.dumps({"machine": machine, "figures": figures}, indent=2) + "\n")
    print(f"{'figure':<52}{'value':>10}  {'unit':<16}{'target':>8}  result")
    for f in figures:
        print(
            f"{f['name']:<52}{f['value']:>10}  {f['unit']:<16}{f['target']:>8}  "
            f"{'pass' if f['pass'] else 'FAIL'}"
        )
    print(f"wrote {RESULTS}")
    return 0 if all(f["pass"] for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
