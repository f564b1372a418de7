"""Reading TOML files people wrote, with problems that name the file, line and fix.

Grids, scenarios and records all come through `read_toml`, so every bad file
(missing, empty, huge, a link or a FIFO, not UTF-8, not TOML, nested too deep,
a number too long) gets the same kind of one-line message:
`FILE:LINE: what is wrong (how to fix it)`.

Every Problem escapes what it shows (control characters, ESC, BEL, bidi and
zero-width characters become `\\x1b`, `U+202E`...), so a file can never send
the terminal an escape sequence; a file gives at most MAX_PROBLEMS_PER_FILE.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import tomli  # the parser the standard library copied as tomllib, compiled: ~3x faster

if TYPE_CHECKING:  # pydantic is imported by the models, not here: the app reads
    from pydantic import ValidationError  # grid files before its first models

MAX_FILE_BYTES = 1_000_000
MAX_PROBLEMS_PER_FILE = 100
MAX_SHOWN_CHARS = 500  # of a problem's message or fix: an unknown key may be huge
# Categories shown as escapes: controls (Cc), format characters (Cf: bidi
# marks and overrides, zero-width spaces and joiners, BOM), line and paragraph
# separators, surrogates (undecodable bytes) and private-use characters.
_ESCAPED = frozenset(("Cc", "Cf", "Zl", "Zp", "Cs", "Co"))


def escape_for_terminal(text: str) -> str:
    """`text` with nothing a terminal would act on or hide: control characters as
    `\\x1b` (`\\n`, `\\t` as such), bidi, zero-width and other invisible format
    characters as `U+202E`. Printable text, including a backslash, is unchanged."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char.isprintable() or unicodedata.category(char) not in _ESCAPED:
            out.append(char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char == "\r":
            out.append("\\r")
        elif ord(char) < 0x100:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(f"U+{ord(char):04X}")
    return "".join(out)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, ready to print on one line.

    The file, message and fix are escaped when the Problem is made (see
    `escape_for_terminal`), so however a Problem is shown it is safe."""

    file: str
    line: int
    message: str
    fix: str
    severity: Literal["error", "warning"] = "error"

    def __post_init__(self) -> None:
        for name in ("file", "message", "fix"):
            value = getattr(self, name)
            text = value if isinstance(value, str) else str(value)
            escaped = escape_for_terminal(text)
            if name != "file" and len(escaped) > MAX_SHOWN_CHARS:
                escaped = escaped[: MAX_SHOWN_CHARS - 1] + "…"
            if escaped is not value:
                object.__setattr__(self, name, escaped)

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.file}:{self.line}: {prefix}{self.message} ({self.fix})"


def cap_problems(problems: Iterable[Problem], limit: int = MAX_PROBLEMS_PER_FILE) -> list[Problem]:
    """At most `limit` problems per file, then one line "... and N more problems"."""
    kept: list[Problem] = []
    counts: dict[str, int] = {}
    for problem in problems:
        counts[problem.file] = counts.get(problem.file, 0) + 1
        if counts[problem.file] <= limit:
            kept.append(problem)
    for file, count in counts.items():
        if count > limit:
            kept.append(
                Problem(
                    file,
                    0,
                    f"... and {count - limit} more problems",
                    "fix the ones above first; the file may not be the kind expected",
                )
            )
    return kept


class FileProblems(Exception):
    """A file could not be used; `problems` says why, one line each (at most
    MAX_PROBLEMS_PER_FILE a file, then a line saying how many more)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = cap_problems(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def parse_toml(text: str, name: str, what: str = "file") -> dict[str, Any]:
    """tomli.loads (the parser Python ships as tomllib, compiled), with every failure
    a FileProblems: bad syntax (with its line), a number longer than Python converts
    (ValueError), nesting too deep (RecursionError), or anything else it raises."""

    def fail(line: int, message: str, fix: str) -> FileProblems:
        return FileProblems([Problem(name, line, message, fix)])

    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        msg = str(exc)
        match = re.search(r"\(at line (\d+), column \d+\)", msg)
        line = int(match.group(1)) if match else 0
        detail = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg) or "syntax error"
        lines = text.splitlines()
        bad_line = lines[line - 1] if 0 < line <= len(lines) else ""
        if re.search(r"=\s*\d{4}-\d{1,2}-\d{1,2}", bad_line):
            # the parser reads 2026-13-45 as a number followed by junk; say what it is.
            fix = "write a real date as YYYY-MM-DD, unquoted"
        else:
            fix = 'fix the syntax on that line; quote text with "..."'
        raise fail(line, f"not valid TOML: {detail}", fix) from None
    except RecursionError:
        raise fail(
            0, "not usable: tables or lists nested too deep", f"check that this is really a {what}"
        ) from None
    except ValueError as exc:
        # int() refuses numbers of more than 4,300 digits; no real value is that long.
        if "digits" in str(exc):
            line, message = _first_long_number(text), "a number of more than 4,300 digits"
        else:
            line, message = 0, f"a value Python cannot read ({type(exc).__name__})"
        raise fail(
            line,
            f"not usable: {message}",
            "write numbers of a few digits; restore the file from a copy",
        ) from None
    except (TypeError, OverflowError, MemoryError) as exc:
        raise fail(
            0, f"not usable: {type(exc).__name__}", f"check that this is really a {what}"
        ) from None


def _first_long_number(text: str) -> int:
    match = re.search(r"\d{1000,}", text)
    return text.count("\n", 0, match.start()) + 1 if match else 0


def read_toml(
    path: Path, *, what: str = "file", max_bytes: int = MAX_FILE_BYTES
) -> tuple[dict[str, Any], str]:
    """Read and parse a TOML file; return (data, text) or raise FileProblems.

    The file is opened without following a link and without blocking on a FIFO,
    only a regular file is read, and at most max_bytes of it (fsutil)."""
    text = read_text(path, what=what, max_bytes=max_bytes)
    return parse_toml(text, str(path), what), text


def read_text(path: Path, *, what: str = "file", max_bytes: int = MAX_FILE_BYTES) -> str:
    """The text of a file read as `read_toml` reads it (not parsed), or FileProblems."""
    from sdm_tui.core.fsutil import UnsafeFileError, read_regular_bytes

    name = str(path)

    def fail(line: int, message: str, fix: str) -> FileProblems:
        return FileProblems([Problem(name, line, message, fix)])

    try:
        raw = read_regular_bytes(path, max_bytes)
    except FileNotFoundError:
        raise fail(0, f"no such {what}", "check the path and spelling") from None
    except UnsafeFileError as exc:
        if exc.reason.startswith("too large"):
            fix = f"check that this is really a {what}"
        elif exc.reason == "a folder":
            fix = f"give the path of a .toml {what}"
        else:
            fix = f"sdm-tui reads only plain files here: remove it, or put the real {what} there"
        raise fail(0, f"not read: it is {exc.reason}", fix) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise fail(0, f"cannot read this {what}: {reason}", "check its permissions") from None
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
    return text[1:] if text.startswith("\ufeff") else text


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
        self._source = text
        self._found: dict[tuple[Any, ...], int] | None = None

    @property
    def lines(self) -> dict[tuple[Any, ...], int]:
        """Made when first asked (only a file with a problem needs it)."""
        if self._found is None:
            self._found = self._find(self._source)
        return self._found

    @staticmethod
    def _find(text: str) -> dict[tuple[Any, ...], int]:
        lines: dict[tuple[Any, ...], int] = {}
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
                    lines.setdefault(names, number)
                    index = counts.get(names, 0)
                    counts[names] = index + 1
                    current = (*names, index)
                else:
                    current = names
                lines.setdefault(current, number)
                continue
            key = _KEY.match(line)
            if key:
                lines.setdefault((*current, *_split_key(key.group(1))), number)
        return lines

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
