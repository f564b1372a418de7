"""Reading TOML files people wrote, with problems that name the file, line and fix.

Grids, scenarios and records all come through `read_toml`, so every bad file
(missing, empty, huge, not UTF-8, not TOML) gets the same kind of one-line
message: `FILE:LINE: what is wrong (how to fix it)`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, ready to print on one line."""

    file: str
    line: int
    message: str
    fix: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.file}:{self.line}: {prefix}{self.message} ({self.fix})"


class FileProblems(Exception):
    """A file could not be used; `problems` says why, one line each."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def read_toml(
    path: Path, *, what: str = "file", max_bytes: int = MAX_FILE_BYTES
) -> tuple[dict[str, Any], str]:
    """Read and parse a TOML file; return (data, text) or raise FileProblems."""
    name = str(path)

    def fail(line: int, message: str, fix: str) -> FileProblems:
        return FileProblems([Problem(name, line, message, fix)])

    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise fail(0, f"no such {what}", "check the path and spelling") from None
    except OSError as exc:
        raise fail(0, f"cannot read this {what}: {exc.strerror}", "check its permissions") from None
    if path.is_dir():
        raise fail(0, f"this is a folder, not a {what}", f"give the path of a .toml {what}")
    if size > max_bytes:
        raise fail(
            0,
            f"file is {size / 1_000_000:.1f} MB; a {what} is at most {max_bytes // 1000} kB",
            f"check that this is really a {what}",
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise fail(0, f"cannot read this {what}: {exc.strerror}", "check its permissions") from None
    if not raw.strip():
        raise fail(1, f"the {what} is empty", f"restore the {what} from a copy, or delete it")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise fail(
            line,
            f"byte {exc.start} is not UTF-8 text",
            "save the file as UTF-8, or restore it from a copy",
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        match = re.search(r"\(at line (\d+), column \d+\)", msg)
        line = int(match.group(1)) if match else 0
        detail = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg) or "syntax error"
        bad_line = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
        if re.search(r"=\s*\d{4}-\d{1,2}-\d{1,2}", bad_line):
            # tomllib reads 2026-13-45 as a number followed by junk; say what it is.
            fix = "write a real date as YYYY-MM-DD, unquoted"
        else:
            fix = 'fix the syntax on that line; quote text with "..."'
        raise fail(line, f"not valid TOML: {detail}", fix) from None
    return data, text


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)


def _split_key(key: str) -> tuple[str, ...]:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", key)
    return tuple(p.strip("\"'") for p in parts)


class LineMap:
    """Where each table and key of a TOML text starts, for error messages.

    Paths look like pydantic error locations: ("answers", 3, "sources").
    """

    def __init__(self, text: str) -> None:
        self.lines: dict[tuple[Any, ...], int] = {}
        counts: dict[tuple[str, ...], int] = {}
        current: tuple[Any, ...] = ()
        in_multiline = False
        for number, line in enumerate(text.splitlines(), start=1):
            if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                in_multiline = not in_multiline
                if not in_multiline:
                    continue
            elif in_multiline:
                continue
            header = _HEADER.match(line)
            if header and not _KEY.match(line):
                names = _split_key(header.group(2))
                if header.group(1) == "[[":
                    # The array itself is where its first table starts, so a
                    # problem with the whole list ("too few options") has a line.
                    self.lines.setdefault(names, number)
                    index = counts.get(names, 0)
                    counts[names] = index + 1
                    current = (*names, index)
                else:
                    current = names
                self.lines.setdefault(current, number)
                continue
            key = _KEY.match(line)
            if key:
                self.lines.setdefault((*current, *_split_key(key.group(1))), number)

    def line_of(self, loc: Iterable[Any]) -> int:
        """The line of the longest known prefix of `loc` (0 when none is known)."""
        path = tuple(loc)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 0


def validation_problems(
    exc: ValidationError, file: str, lines: LineMap, what: str = "file"
) -> list[Problem]:
    """Turn pydantic errors into one Problem each, with a line and a fix."""
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        where = ".".join(str(p) for p in loc) or what
        kind = err["type"]
        if kind == "extra_forbidden":
            message = f"unknown key '{loc[-1]}'"
            fix = "remove it or check its spelling"
        elif kind == "missing":
            message = f"missing '{where}'"
            fix = f"add {loc[-1]} = ..."
        elif kind == "too_short" and "min_length" in err.get("ctx", {}):
            message = f"{where}: {err['msg']}"
            fix = f"give at least {err['ctx']['min_length']}"
        else:
            message = f"{where}: {err['msg']}"
            fix = _fix_for(kind)
        problems.append(Problem(file, lines.line_of(loc), message, fix))
    return problems


def _fix_for(kind: str) -> str:
    if kind.startswith("date") or kind.startswith("datetime"):
        return "write dates as YYYY-MM-DD, unquoted"
    if kind in ("literal_error", "enum"):
        return "use one of the values listed"
    if kind.startswith("string"):
        return "write text in double quotes"
    if kind.startswith("int"):
        return "write a whole number"
    if kind in ("too_short", "too_long"):
        return "change how many there are"
    return "see docs/authoring-grids.md"
