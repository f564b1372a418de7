"""Run the benchmarks, print a table and write benchmarks/results.json.

    make bench                              everything
    .venv/bin/python -m benchmarks startup keys   only these (save, no-textual,
                                            startup, keys, typing, review, suite)
    make bench-suite                        the whole test suite's time (information;
                                            only when named, it takes minutes)

Figures (each a dict: name, value, unit, target, pass, baseline, ratio; `target_on`
says whether the target is on the value, the ratio or the p95; extra keys keep the
raw runs):

- save: a full record (TOML + Markdown, atomic, with fsync), median of 31.
- no-textual: whether `grids validate` / `records list` import Textual.
- startup (benchmarks/startup.py): process start to the first usable frame of
  sdm-tui against a bare Textual app started the same way, alternating runs; the
  target is on the ratio of the medians (1.15). A second figure is process start to
  Home showing the grids and drafts, read just after the first frame, as a ratio to
  the bare app's first frame (1.4). Both again with the children on one CPU (as
  `taskset -c 0`), for information.
- keys (benchmarks/keys.py): key press to refreshed option talk, in app time; the
  target is on the 95th percentile.
- typing (benchmarks/typing.py): 3,000 characters typed into a text box, key to
  refreshed screen in app time (draft saving included); the target is on the p95.
- review (benchmarks/review.py): the records index at clinic scale.

Timings on a shared machine are noisy: comparisons are measured in the same run,
alternating, and each figure keeps its spread.
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
from collections.abc import Callable
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


def _startup() -> list[dict]:
    from benchmarks.startup import bench_startup

    return bench_startup() + bench_startup(one_core=True)


def _keys() -> list[dict]:
    from benchmarks.keys import bench_keys

    return [bench_keys()]


def _typing() -> list[dict]:
    from benchmarks.typing import bench_typing

    return [bench_typing()]


def _suite() -> list[dict]:
    from benchmarks.suite import bench_suite

    return [bench_suite()]


def _review() -> list[dict]:
    from benchmarks.review import bench_review

    return bench_review()


# Name -> figures, in the order they run and are printed. Each returns a list.
BENCHES: dict[str, Callable[[], list[dict]]] = {
    "save": lambda: [bench_save()],
    "no-textual": lambda: [bench_no_textual()],
    "startup": _startup,
    "keys": _keys,
    "typing": _typing,  # benchmarks/typing.py: 3,000 characters into a text box
    "review": _review,  # benchmarks/review.py: review at clinic scale (its own figures)
    "suite": _suite,  # benchmarks/suite.py: the whole test suite's time (only when named)
}
# Run only when named (`python -m benchmarks suite`, `make bench-suite`): they take minutes.
ONLY_WHEN_NAMED = {"suite"}


def _target(figure: dict) -> str:
    on = figure.get("target_on", "value")
    target = figure["target"]
    if target is None:
        return "(information)"
    if isinstance(target, str):
        return target
    return f"{'' if on == 'value' else on + ' '}<= {target}"


def _cell(value: object) -> str:
    return "-" if value is None else str(value)


def _result(figure: dict) -> str:
    """pass / FAIL; "info" for a figure without a target (pass None)."""
    if figure["pass"] is None:
        return "info"
    return "pass" if figure["pass"] else "FAIL"


def main(argv: list[str] | None = None) -> int:
    wanted = argv if argv is not None else sys.argv[1:]
    unknown = [name for name in wanted if name not in BENCHES]
    if unknown:
        sys.stderr.write(f"unknown benchmark {unknown}; choose from {list(BENCHES)}\n")
        return 2
    figures: list[dict] = []
    for name, bench in BENCHES.items():
        if (not wanted and name not in ONLY_WHEN_NAMED) or name in wanted:
            print(f"running {name} ...", file=sys.stderr, flush=True)
            figures.extend(bench())
    for figure in figures:
        figure.setdefault("baseline", None)
        figure.setdefault("ratio", None)
    machine = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()]
        if hasattr(os, "getloadavg")
        else None,
    }
    RESULTS.write_text(json.dumps({"machine": machine, "figures": figures}, indent=2) + "\n")
    header = f"{'figure':<62}{'value':>9}  {'unit':<13}{'p95':>8}{'baseline':>10}{'ratio':>8}"
    print(f"{header}  {'target':<16}result")
    for f in figures:
        print(
            f"{f['name']:<62}{f['value']:>9}  {f['unit']:<13}{_cell(f.get('p95')):>8}"
            f"{_cell(f['baseline']):>10}{_cell(f['ratio']):>8}  {_target(f):<16}{_result(f)}"
        )
    print(f"wrote {RESULTS} (load average {machine['load_average']})")
    return 0 if all(f["pass"] is not False for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
