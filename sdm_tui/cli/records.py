"""`sdm-tui records ...`: list, show, export, compare and verify finished records."""

from __future__ import annotations

import argparse
import itertools
import json
import os
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from sdm_tui.core import record
from sdm_tui.core.fsutil import StoreError, atomic_write
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.index import Filters, IndexRow, RecordIndex
from sdm_tui.core.record import RecordProblem
from sdm_tui.core.session import Mode, Session
from sdm_tui.core.store import ENV_RECORDS, RecordEntry, RecordStore, resolve_root
from sdm_tui.core.tomlfile import FileProblems, escape_for_terminal


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
        "open_concerns": len(s.open_concerns()),
        "amends": s.amends,
    }


def index_row(r: IndexRow, root: Path) -> dict[str, object]:
    """The same as `row`, from the records index (so a long list needs no file reads)."""
    if r.status != "ok":
        return {
            "id": r.record_id,
            "file": str(root / r.path),
            "status": "failed",
            "kind": r.status,
            "problem": r.problem,
        }
    return {
        "id": r.record_id,
        "file": str(root / r.path),
        "status": "ok",
        "date": (r.completed or r.created)[:10],
        "mode": r.mode,
        "grid": r.grid_id,
        "outcome": r.outcome,
        "option": r.option_id,
        "reference": r.service_user_ref,
        "review_date": r.review_date,
        "open_disagreements": r.open_disagreements,
        "open_concerns": r.open_concerns,
        "amends": r.amends,
    }


def _cells(r: dict[str, object]) -> list[str]:
    """A row's cells as printed: anything from a file (names, problems) escaped."""
    if r["status"] != "ok":
        cells = ["?", str(r["id"]), f"FAILED: {r['problem']}"]
    else:
        outcome = r["outcome"] if r["outcome"] != "chosen" else f"chose {r['option']}"
        cells = [
            str(c) for c in (r["date"], r["id"], r["mode"], r["grid"], outcome, r["reference"])
        ]
    return [escape_for_terminal(cell) for cell in cells]


def cmd_list(
    store: RecordStore,
    fmt: str,
    mode: str,
    out: TextIO,
    err: TextIO | None = None,
    *,
    limit: int | None = None,
    reference: str = "",
) -> int:
    """Newest first, from the records index (brought up to date first), a page at a time."""
    if limit is not None and limit < 1:
        if err is not None:
            err.write(f"--limit {limit}: give a number of records, 1 or more\n")
        return 1

    def told(done: int, total: int) -> None:
        if err is not None and total >= 1000 and done == min(total, 500):
            err.write(f"indexing {total} record files in {store.root} (only needed once)\n")

    with RecordIndex.open(store.root) as index:
        if index.warning and err is not None:
            err.write(f"note: {index.warning}\n")
        index.refresh(told)
        filters = Filters(reference=reference, modes=tuple(m.value for m in _modes(mode)))

        def rows() -> Iterator[dict[str, object]]:
            for n, r in enumerate(index.iter_rows(filters)):
                if limit is not None and n >= limit:
                    return
                yield index_row(r, store.root)

        if fmt == "json":
            # Streamed, but the same text as json.dumps(all_rows, indent=2).
            first = True
            for r in rows():
                out.write("[\n" if first else ",\n")
                first = False
                out.write(textwrap.indent(json.dumps(r, indent=2, ensure_ascii=False), "  "))
            out.write("[]\n" if first else "\n]\n")
            return 0
        # Columns as wide as their longest cell plus two spaces, so they never run together.
        # A record that failed fills the row after its id with why. Two passes: widths, then rows.
        header = ["DATE", "ID", "MODE", "GRID", "OUTCOME", "REFERENCE"]
        widths = [len(h) for h in header[:5]]
        empty = True
        for r in rows():
            empty = False
            line = _cells(r)
            for i in range(min(5, len(line) - 1)):
                widths[i] = max(widths[i], len(line[i]))
        if empty:
            what = "" if mode == "all" else mode + " "
            out.write(
                f"no {what}records{' for ' + reference if reference else ''} in {store.root}\n"
            )
            return 0
        for line in itertools.chain([header], (_cells(r) for r in rows())):
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


def grid_used(session: Session, grids: Path | None) -> OptionGrid | None:
    """The very grid version a record was made with (the current file if unchanged,
    else an earlier version in the grids folder's archive/), or None: the same lookup
    the app's record view uses, so an old record lists its own sources everywhere."""
    from sdm_tui.core.catalog import load_catalog

    return load_catalog(grids).exact(session.grid)


def markdown_for(session: Session, store: RecordStore, grids: Path | None) -> str:
    from sdm_tui.core.summary import DEFAULT_CONTACT, summary_markdown

    grid = grid_used(session, grids)
    return summary_markdown(session, grid, contact=store.clinic_contact(DEFAULT_CONTACT))


def debrief_for(session: Session, grids: Path | None, scenarios: Path | None) -> str:
    """The role-play debrief; goals are listed by id if the scenario cannot be found."""
    from sdm_tui.core.debrief import debrief_markdown
    from sdm_tui.core.scenario import load_scenario, scenario_paths

    grid = grid_used(session, grids)
    wanted = session.training.scenario if session.training else ""
    scenario = None
    # The file named after the scenario first, then any other file with its id.
    for candidate in sorted(scenario_paths(scenarios), key=lambda p: p.stem != wanted):
        try:
            found = load_scenario(candidate)
        except FileProblems:
            continue
        if found.id == wanted:
            scenario = found
            break
    return debrief_markdown(session, scenario, grid)


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
    summary = Markdown(markdown_for(loaded[0], store, grids))
    if console.is_terminal:
        console.print(summary)
        return 0
    # Into a file or a pipe: no blanks padding each line out to the width.
    with console.capture() as captured:
        console.print(summary)
    out.write("".join(f"{line.rstrip()}\n" for line in captured.get().splitlines()))
    return 0


def cmd_export(
    store: RecordStore,
    record_id: str,
    fmt: str,
    output: Path | None,
    grids: Path | None,
    out: TextIO,
    err: TextIO,
    scenarios: Path | None = None,
) -> int:
    loaded = _load(store, record_id, err)
    if loaded is None:
        return 1
    session, path = loaded
    if output is not None and str(output) == "-" and fmt not in ("html", "text"):
        output = None  # "-" prints, for every format
    if fmt in ("html", "text"):
        return export_takehome(store, session, path, fmt, output, grids, out, err)
    if fmt == "debrief":
        if session.training is None:
            err.write(f"{session.record_id} is not a training role-play, so it has no debrief\n")
            return 1
        data = debrief_for(session, grids, scenarios).encode("utf-8")
    elif fmt == "toml":
        data = record.dumps(session)
    elif fmt == "fhir":
        from sdm_tui.core.fhir import bundle_json

        data = bundle_json(session)
    else:
        data = markdown_for(session, store, grids).encode("utf-8")
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


def export_takehome(
    store: RecordStore,
    session: Session,
    path: Path,
    fmt: str,
    output: Path | None,
    grids: Path | None,
    out: TextIO,
    err: TextIO,
) -> int:
    """The handout (html) or clinical note (text): beside the record unless --output
    names a file; `--output -` prints it."""
    from sdm_tui.core.takehome import beside, render

    grid = grid_used(session, grids)
    text = render(fmt, session, grid, contact=store.clinic_contact(""))
    if output is not None and str(output) == "-":
        out.write(text)
        return 0
    target = beside(path, fmt) if output is None else output
    if output is not None and output.exists():
        err.write(f"{output} already exists; choose another file name\n")
        return 1
    try:
        atomic_write(target, text.encode("utf-8"), replace=output is None)
    except StoreError as exc:
        err.write(f"{exc}\n")
        return 1
    out.write(f"wrote {target}\n")
    return 0


def cmd_compare(store: RecordStore, record_ids: list[str], out: TextIO, err: TextIO) -> int:
    """What changed between two records of one service user, as Markdown."""
    from sdm_tui.core.history import CompareError, compare, comparison_markdown

    loaded = [_load(store, record_id, err) for record_id in record_ids]
    if loaded[0] is None or loaded[1] is None:
        return 1
    (first, first_path), (second, second_path) = loaded[0], loaded[1]
    if first_path == second_path:
        err.write(f"{first.record_id}: that is the same record twice; give two different ids\n")
        return 1
    try:
        comparison = compare(first, second)
    except CompareError as exc:
        err.write(f"{exc}\n")
        return 1
    out.write(comparison_markdown(comparison))
    return 0


def cmd_verify(
    store: RecordStore, out: TextIO, *, repair: bool = False, grids: Path | None = None
) -> int:
    """Check every record (and draft); one bad file is named and the rest still checked.
    With repair: first tidy what a killed save left (temp files, drafts whose record
    was saved, missing summaries), saying what was done."""
    from sdm_tui.core.recovery import Recovery, recover, write_missing_summary

    def summary(session: Session) -> str:
        return markdown_for(session, store, grids)

    repaired = recover(store, summary, full=True) if repair else Recovery()
    ok = failed = 0
    for entry in store.entries():
        if entry.session is not None:
            ok += 1
            if repair and not entry.session.synthetic:
                write_missing_summary(entry.path, entry.session, summary, repaired)
            continue
        failed += 1
        for problem in entry.problem.problems if entry.problem else []:
            out.write(f"{problem}\n")
    for line in repaired.lines():
        out.write(f"{escape_for_terminal(line)}\n")
    damaged = [info for info in store.drafts() if info.session is None]
    for info in damaged:
        out.write(f"{info.problem}\n")
    if damaged:
        out.write(f"{len(damaged)} unfinished consultations (drafts) cannot be opened\n")
    out.write(f"{ok} records ok, {failed} failed, in {store.root}\n")
    return 1 if failed or damaged else 0


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
        return cmd_list(
            store,
            args.format,
            args.mode,
            out,
            err,
            limit=args.limit,
            reference=args.reference or "",
        )
    if args.action == "show":
        return cmd_show(store, args.record_id, args.grids, out, err)
    if args.action == "export":
        return cmd_export(
            store, args.record_id, args.format, args.output, args.grids, out, err, args.scenarios
        )
    if args.action == "compare":
        return cmd_compare(store, args.record_ids, out, err)
    return cmd_verify(
        store, out, repair=getattr(args, "repair", False), grids=getattr(args, "grids", None)
    )
