"""Reading one record file into an index row (also run in reader processes)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sdm_tui.core import record
from sdm_tui.core.index.schema import COLUMNS, NOTHING, FileRow
from sdm_tui.core.index.search import body_text
from sdm_tui.core.record import RecordProblem
from sdm_tui.core.session import CERTAINTY_ITEMS, FEEDBACK_ITEMS, Answer3

RECORD_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})_([0-9a-z]{12})\.toml$")


def fallback_sort_at(name: str, mtime_ns: int) -> str:
    """Where an unreadable file sorts: its file-name date, else when it was written."""
    match = RECORD_NAME.match(name)
    if match:
        return f"{match.group(1)}T00:00:00+00:00"
    return datetime.fromtimestamp(mtime_ns / 1e9, UTC).replace(microsecond=0).isoformat()


def read_file(root: str, rel: str, size: int, mtime_ns: int) -> FileRow:
    """One record file as an index row; a file that fails says why. Runs in reader processes."""
    path = Path(root, rel)
    try:
        s = record.load(path)
    except RecordProblem as exc:
        first = exc.problems[0]
        match = RECORD_NAME.match(path.name)
        failed = {
            **NOTHING,
            "record_id": match.group(2) if match else path.stem,
            "mode": rel.split("/", 1)[0],
            "sort_at": fallback_sort_at(path.name, mtime_ns),
            "status": exc.kind,
            # Without the file name (Problem.__str__ starts with it): the root may be
            # spelled differently next time, so rows put the current path in front.
            "problem": str(first)[len(first.file) + 1 :],
        }
        return _values(failed, rel, size, mtime_ns), ""
    su = s.service_user()
    certainty = su.certainty if su is not None else {}
    created = s.created.astimezone(UTC).isoformat()
    found = {
        "record_id": s.record_id,
        "mode": s.mode.value,
        "synthetic": int(s.synthetic),
        "created": created,
        "completed": s.completed.astimezone(UTC).isoformat() if s.completed else "",
        "sort_at": created,
        "grid_id": s.grid.id,
        "grid_title": s.grid.title,
        "outcome": s.decision.outcome.value if s.decision.outcome else "",
        "option_id": s.decision.option,
        "option": s.grid.options.get(s.decision.option, s.decision.option),
        "service_user_ref": s.service_user_ref,
        "ref_key": s.service_user_ref.casefold(),
        "review_date": s.decision.review_date.isoformat() if s.decision.review_date else "",
        "open_disagreements": len(s.open_disagreements()),
        "carer": int(s.carer_took_part()),
        "amends": s.amends,
        "status": "ok",
        "problem": "",
    }
    for key in FEEDBACK_ITEMS:
        found[f"fb_{key}"] = s.feedback.get(key)
    for key in CERTAINTY_ITEMS:
        # 1 = yes, 0 = no or unsure, None = not answered (so averages are shares of yes).
        found[f"cy_{key}"] = int(certainty[key] == Answer3.YES) if key in certainty else None
    return _values(found, rel, size, mtime_ns), body_text(s)


def _values(found: dict[str, Any], rel: str, size: int, mtime_ns: int) -> tuple[Any, ...]:
    found = {**found, "path": rel, "size": size, "mtime_ns": mtime_ns}
    return tuple(found[column] for column in COLUMNS)


def read_batch(root: str, items: list[tuple[str, int, int]]) -> list[FileRow]:
    return [read_file(root, rel, size, mtime) for rel, size, mtime in items]
