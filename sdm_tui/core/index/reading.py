"""Reading one record file into an index row (also run in reader processes).

A file is read once, without following links, only if it is a regular file
within record.MAX_RECORD_BYTES; its sha256 and the parsed row come from the
same bytes. A link, FIFO, device or too-large file is a row with the reason.
"""

from __future__ import annotations

import hashlib
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sdm_tui.core import record
from sdm_tui.core.fsutil import UnsafeFileError, read_regular_bytes
from sdm_tui.core.index import fastread, seal
from sdm_tui.core.index.schema import COLUMNS, NOTHING, FileRow
from sdm_tui.core.index.search import body_text
from sdm_tui.core.record import RecordProblem
from sdm_tui.core.session import CERTAINTY_ITEMS, FEEDBACK_ITEMS, Answer3, Session
from sdm_tui.core.tomlfile import Problem

RECORD_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})_([0-9a-z]{12})\.toml$")


def fallback_sort_at(name: str, mtime_ns: int) -> str:
    """Where an unreadable file sorts: its file-name date, else when it was written."""
    match = RECORD_NAME.match(name)
    if match:
        return f"{match.group(1)}T00:00:00+00:00"
    return datetime.fromtimestamp(mtime_ns / 1e9, UTC).replace(microsecond=0).isoformat()


def read_record(path: Path | str) -> tuple[Session, str]:
    """A record and the sha256 of the bytes it was read from, or RecordProblem.

    Never follows a link or blocks on a FIFO; anything wrong with the file,
    however odd, is a RecordProblem that says what.
    """
    name = str(path)

    def problem(message: str, fix: str = "restore the record from a copy") -> RecordProblem:
        return RecordProblem("unreadable", [Problem(name, 0, message, fix)])

    try:
        raw = read_regular_bytes(path, record.MAX_RECORD_BYTES)
    except UnsafeFileError as exc:
        raise problem(
            f"is {exc.reason}, not a record file",
            "move it out of the records folder; put the record file itself there",
        ) from None
    except FileNotFoundError:
        raise problem("the file is not there any more", "check the folder again") from None
    except OSError as exc:
        raise problem(f"cannot be read: {exc.strerror}", "check its permissions") from None
    digest = hashlib.sha256(raw).hexdigest()
    return parse_record(raw, name), digest


def parse_record(raw: bytes, name: str) -> Session:
    """record.load's checks on bytes already read (so the hash and the row agree).

    In a reader process, fastread tries first (its answer is proved by the record's
    integrity hash); a record it does not take is read here the usual way."""
    fast = fastread.session(raw)
    if fast is not None:
        return fast
    try:
        if not raw.strip():
            raise RecordProblem(
                "unreadable",
                [Problem(name, 1, "the record is empty", "restore the record from a copy")],
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise RecordProblem(
                "unreadable",
                [
                    Problem(
                        name,
                        line,
                        f"byte {exc.start} is not UTF-8 text",
                        "restore the record from a copy",
                    )
                ],
            ) from None
        return record.loads(text.removeprefix("\ufeff"), name)
    except RecordProblem:
        raise
    except (ValueError, TypeError, RecursionError, MemoryError, KeyError) as exc:
        # One odd file never stops the index (a 4,301-digit number, arrays 1,000 deep).
        raise RecordProblem(
            "unreadable",
            [Problem(name, 0, f"cannot be read ({type(exc).__name__})", "restore it from a copy")],
        ) from None


def read_file(root: str, rel: str, size: int, mtime_ns: int) -> FileRow:
    """One record file as an index row; a file that fails says why. Runs in reader processes."""
    try:
        # A plain string: making a Path cost as much as reading the file.
        s, digest = read_record(os.path.join(root, rel))
    except RecordProblem as exc:
        path = Path(root, rel)
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
            "sha256": file_digest(path),
        }
        return _values(failed, rel, size, mtime_ns), ""
    su = s.service_user()
    certainty = su.certainty if su is not None else {}
    created = s.created.astimezone(UTC).isoformat()
    found: dict[str, Any] = {
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
        "concerns": len(s.concerns),
        "answered": sum(c.status == "answered" for c in s.concerns),
        "open_concerns": len(s.open_concerns()),
        "carer": int(s.carer_took_part()),
        "amends": s.amends,
        "status": "ok",
        "problem": "",
        "sha256": digest,
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


def file_digest(path: Path) -> str:
    """The sha256 of a regular record file within the size limit, else ""."""
    return seal.file_digest(path, record.MAX_RECORD_BYTES)


def read_batch(root: str, items: list[tuple[str, int, int]]) -> list[FileRow]:
    return [read_file(root, rel, size, mtime) for rel, size, mtime in items]
