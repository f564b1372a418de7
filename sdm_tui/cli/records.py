"""`sdm-tui records ...`: list, show, export and verify finished records."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TextIO

from sdm_tui.core import record
from sdm_tui.core.fsutil import StoreError, atomic_write
from sdm_tui.core.grid import find_grid, load_grid
from sdm_tui.core.record import RecordProblem
from sdm_tui.core.session import Mode, Session
from sdm_tui.core.store import ENV_RECORDS, RecordEntry, RecordStore, resolve_root
from sdm_tui.core.tomlfile import FileProblems


def _modes(choice: str) -> tuple[Mode, ...]:
    if choice == "all":
        return (Mode.CLINICAL, Mode.TRAINING)
    return (Mode(choice),)


def row(entry: RecordEntry) -> dict[str, object]:
    """What a list shows of one record; a record that failed says why."""
    s = entry.session
    if s is None:
        problem = entry.problem
        return {
            "id": entry.record_id,
            "file": str(entry.path),
            "status": "failed",
            "kind": problem.kind if problem else "",
            "problem": str(problem),
        }
    return {
        "id": s.record_id,
        "file": str(entry.path),
        "status": "ok",
        "date": (s.completed or s.created).date().isoformat(),
        "mode": s.mode.value,
        "grid": s.grid.id,
        "outcome": s.decision.outcome.value if s.decision.outcome else "",
        "option": s.decision.option,
        "reference": s.service_user_ref,
        "review_date": s.decision.review_date.isoformat() if s.decision.review_date else "",
        "open_disagreements": len(s.open_disagreements()),
        "amends": s.amends,
    }


def cmd_list(store: RecordStore, fmt: str, mode: str, out: TextIO) -> int:
    rows = [row(e) for e in store.entries(_modes(mode))]
    rows.sort(key=lambda r: str(r.get("date", "")), reverse=True)
    if fmt == "json":
        out.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return 0
    if not rows:
        out.write(f"no {'' if mode == 'all' else mode + ' '}records in {store.root}\n")
        return 0
    # Columns as wide as their longest cell plus two spaces, so they never run together.
    # A record that failed fills the row after its id with why.
    table = [["DATE", "ID", "MODE", "GRID", "OUTCOME", "REFERENCE"]]
    for r in rows:
        if r["status"] != "ok":
            table.append(["?", str(r["id"]), f"FAILED: {r['problem']}"])
            continue
        outcome = r["outcome"] if r["outcome"] != "chosen" else f"chose {r['option']}"
        table.append(
            [str(c) for c in (r["date"], r["id"], r["mode"], r["grid"], outcome, r["reference"])]
        )
    widths = [max(len(line[i]) for line in table if len(line) > i + 1) for i in range(5)]
    for line in table:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(line[:-1])] + [line[-1]]
        out.write("  ".join(cells).rstrip() + "\n")
    return 0


def _load(store: RecordStore, record_id: str, err: TextIO) -> tuple[Session, Path] | None:
    path = store.find(record_id)
    if path is None:
        err.write(
            f"{record_id}: no single record with that id in {store.root} "
            "(see 'sdm-tui records list --mode all')\n"
        )
        return None
    try:
        return record.load(path), path
    except RecordProblem as exc:
        err.write(f"{exc}\n")
        return None


def markdown_for(session: Session, store: RecordStore, grids: Path | None) -> str:
    from sdm_tui.core.summary import DEFAULT_CONTACT, summary_markdown

    grid = None
    path = find_grid(session.grid.id, grids)
    if path is not None:
        try:
            grid, _ = load_grid(path)
        except FileProblems:
            grid = None
    return summary_markdown(session, grid, contact=store.clinic_contact(DEFAULT_CONTACT))


def cmd_show(
    store: RecordStore, record_id: str, grids: Path | None, out: TextIO, err: TextIO
) -> int:
    loaded = _load(store, record_id, err)
    if loaded is None:
        return 1
    from rich.console import Console
    from rich.markdown import Markdown

    console = Console(
        file=out, highlight=False, emoji=False, markup=False, width=min(Console().width, 100)
    )
    console.print(Markdown(markdown_for(loaded[0], store, grids)))
    return 0


def cmd_export(
    store: RecordStore,
    record_id: str,
    fmt: str,
    output: Path | None,
    grids: Path | None,
    out: TextIO,
    err: TextIO,
) -> int:
    loaded = _load(store, record_id, err)
    if loaded is None:
        return 1
    session, _ = loaded
    data = (
        record.dumps(session)
        if fmt == "toml"
        else markdown_for(session, store, grids).encode("utf-8")
    )
    if output is None:
        out.write(data.decode("utf-8"))
        return 0
    if output.exists():
        err.write(f"{output} already exists; choose another file name\n")
        return 1
    try:
        atomic_write(output, data, replace=False)
    except StoreError as exc:
        err.write(f"{exc}\n")
        return 1
    out.write(f"wrote {output}\n")
    return 0


def cmd_verify(store: RecordStore, out: TextIO) -> int:
    ok = failed = 0
    for entry in store.entries():
        if entry.problem is None:
            ok += 1
            continue
        failed += 1
        for problem in entry.problem.problems:
            out.write(f"{problem}\n")
    out.write(f"{ok} records ok, {failed} failed, in {store.root}\n")
    return 1 if failed else 0


def run_records(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    store = RecordStore(resolve_root(args.records))
    if not store.root.is_dir():
        # A mistyped --records must not look empty and fine; the default folder
        # simply does not exist until the first session is saved.
        chosen = bool(args.records or os.environ.get(ENV_RECORDS))
        if store.root.exists() or chosen:
            what = "is not a folder" if store.root.exists() else "does not exist"
            err.write(
                f"{store.root}: the records folder {what} (check the path given with "
                f"--records DIR or ${ENV_RECORDS})\n"
            )
            return 1
        out.write(f"no records yet: {store.root} will be made when the first session is saved\n")
        return 0
    if args.action == "list":
        return cmd_list(store, args.format, args.mode, out)
    if args.action == "show":
        return cmd_show(store, args.record_id, args.grids, out, err)
    if args.action == "export":
        return cmd_export(store, args.record_id, args.format, args.output, args.grids, out, err)
    return cmd_verify(store, out)
