"""Session records as TOML: the source of truth.

A record is the Session dumped to TOML with an `integrity` line: sha256 over
the canonical JSON of everything else (keys sorted, UTF-8, dates as ISO text).
Every load checks it, so an edit made outside sdm-tui, or a damaged file, is
named and never silently used.

Older records are brought up to date by MIGRATIONS, one step per schema
version; a record from a newer sdm-tui is refused whole, never half-read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime, time
from enum import Enum
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from sdm_tui.core.session import SCHEMA_VERSION, Session
from sdm_tui.core.text import clean_values, may_need_cleaning
from sdm_tui.core.tomlfile import (
    FileProblems,
    LineMap,
    Problem,
    parse_toml,
    read_toml,
    validation_problems,
)

MAX_RECORD_BYTES = 2_000_000  # a real record is a few kB; over this it is listed as too large

# MIGRATIONS[n] turns a version-n record dict into a version n+1 dict.
Migration = Callable[[dict[str, Any]], dict[str, Any]]


def _one_to_two(data: dict[str, Any]) -> dict[str, Any]:
    """Format 2 added preparation, concerns and plan; a format 1 record has none of them
    (the defaults: no preparation, no concerns, an empty plan). Only the copy in memory
    changes: the file stays as it was written and verifies with its own hash."""
    for key in ("preparation", "concerns", "plan"):
        if key in data:
            raise ValueError(f"a format 1 record has no {key}")
    return {**data, "schema_version": 2}


MIGRATIONS: dict[int, Migration] = {1: _one_to_two}


class RecordProblem(FileProblems):
    """A record could not be read. `kind` says why, for lists and exit codes."""

    def __init__(self, kind: str, problems: list[Problem]) -> None:
        self.kind = kind  # "unreadable" | "newer" | "integrity" | "invalid"
        super().__init__(problems)


def _plain(value: Any) -> Any:
    """Model dump -> only what TOML holds (no None, enums as text, lists)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return value


def hash_default(value: Any) -> str:
    """How the integrity hash writes a date or a time stamp (its isoformat); any other
    value JSON cannot hold is refused."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot hash {type(value).__name__}")


def content_hash(data: dict[str, Any]) -> str:
    body = {k: v for k, v in data.items() if k != "integrity"}
    canonical = json.dumps(
        body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=hash_default
    )
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def session_to_dict(session: Session) -> dict[str, Any]:
    data = _plain(session.model_dump(mode="python"))
    return {"integrity": content_hash(data), **data}


def dumps(session: Session) -> bytes:
    """The record's bytes, built whole in memory before anything touches disk."""
    header = (
        "# sdm-tui session record. Do not edit: the integrity line checks every change.\n"
        "# To change a finished record, open it in sdm-tui and make an amendment.\n"
    )
    return (header + tomli_w.dumps(session_to_dict(session))).encode("utf-8")


def _time_of_day(data: dict[str, Any]) -> tuple[Any, ...] | None:
    """Where the first bare time (TOML `07:32:00`) is, without recursion; None if none."""
    stack: list[tuple[tuple[Any, ...], Any]] = [((), data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, time):
            return where
        if isinstance(value, dict):
            stack.extend(((*where, k), v) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(((*where, i), v) for i, v in reversed(list(enumerate(value))))
    return None


def check_data(data: dict[str, Any], name: str, lines: LineMap) -> dict[str, Any]:
    """Version and integrity checks on a parsed record; returns migrated data."""

    def problem(kind: str, key: str, message: str, fix: str) -> RecordProblem:
        return RecordProblem(kind, [Problem(name, lines.line_of((key,)), message, fix)])

    version = data.get("schema_version")
    if not isinstance(version, int) or version < 1:
        raise problem(
            "invalid",
            "schema_version",
            "no valid schema_version",
            "this is not an sdm-tui record, or it is damaged; restore it from a copy",
        )
    if version > SCHEMA_VERSION:
        raise problem(
            "newer",
            "schema_version",
            f"written by a newer sdm-tui (record format {version}; this one reads up to "
            f"{SCHEMA_VERSION})",
            "update sdm-tui to open it; the file has not been changed",
        )
    try:
        actual = content_hash(data)
    except TypeError:
        # The hash takes every value a record holds; what it refuses is usually a bare
        # time of day (TOML `07:32:00`). Looked for only then: walking every record
        # for it cost a tenth of building the review index.
        odd = _time_of_day(data)
        if odd is None:
            raise
        where = ".".join(str(part) for part in odd)
        raise RecordProblem(
            "invalid",
            [
                Problem(
                    name,
                    lines.line_of(odd),
                    f"{where}: a time of day with no date; sdm-tui never writes one",
                    "restore the record from a copy",
                )
            ],
        ) from None
    stored = data.get("integrity")
    if not isinstance(stored, str):
        raise problem(
            "integrity",
            "integrity",
            "the integrity line is missing",
            "restore the record from a copy; sdm-tui will not use it as it is",
        )
    if actual != stored:
        raise problem(
            "integrity",
            "integrity",
            "content does not match its integrity hash: it was changed outside sdm-tui or damaged",
            "restore it from a backup; to correct a record, make an amendment in sdm-tui",
        )
    body = {k: v for k, v in data.items() if k != "integrity"}
    while body["schema_version"] < SCHEMA_VERSION:
        step = MIGRATIONS.get(body["schema_version"])
        if step is None:
            raise problem(
                "invalid",
                "schema_version",
                f"no way to update record format {body['schema_version']}",
                "open it with the sdm-tui version that wrote it",
            )
        before = body["schema_version"]
        body = step(body)
        if body.get("schema_version") != before + 1:
            raise RuntimeError(f"migration from record format {before} did not advance it")
    return body


def loads(text: str, name: str = "<record>") -> Session:
    try:
        data = parse_toml(text, name, "record")
    except FileProblems as exc:
        raise _unreadable(exc) from None
    return _to_session(data, name, LineMap(text), may_need_cleaning(text))


def _unreadable(exc: FileProblems) -> RecordProblem:
    problems = [
        Problem(
            p.file,
            p.line,
            p.message,
            "restore the record from a copy" if "TOML" in p.message else p.fix,
        )
        for p in exc.problems
    ]
    return RecordProblem("unreadable", problems)


def _to_session(data: dict[str, Any], name: str, lines: LineMap, dirty: bool = True) -> Session:
    """`dirty` False: the text was checked and no string in it can need cleaning."""
    try:
        body = check_data(data, name, lines)
        return Session.model_validate(clean_values(body) if dirty else body)
    except ValidationError as exc:
        raise RecordProblem("invalid", validation_problems(exc, name, lines, "record")) from None
    except RecordProblem:
        raise
    except (TypeError, ValueError, RecursionError, KeyError, AttributeError) as exc:
        # What TOML holds but a record never does (a bare time such as 07:32:00,
        # which the integrity hash cannot take; lists nested too deep): the record
        # is damaged or was not written by sdm-tui. Only the error type is shown.
        raise RecordProblem(
            "invalid",
            [
                Problem(
                    name,
                    0,
                    f"not a usable record ({type(exc).__name__}: it holds values sdm-tui "
                    "never writes)",
                    "restore the record from a copy",
                )
            ],
        ) from None


def load(path: Path) -> Session:
    """Load and check a record file, or raise RecordProblem naming the file and fix."""
    try:
        data, text = read_toml(path, what="record", max_bytes=MAX_RECORD_BYTES)
    except FileProblems as exc:
        raise _unreadable(exc) from None
    return _to_session(data, str(path), LineMap(text), may_need_cleaning(text))
