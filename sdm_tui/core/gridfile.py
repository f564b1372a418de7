"""A grid file read before its model is built: the checks that need no pydantic.

`load_grid` (grid.py) starts here: the file is read safely (no link, FIFO or huge file),
parsed, its format version checked and every string searched for unsafe characters;
then the model is built and checked.

Home needs only each usable grid's id and title, so at start-up the app reads no more
than each file's heading (`read_headings`: the keys before its first [table], read and
checked as above) and builds the models just after Home shows them (importing pydantic,
building the models and parsing whole grids is most of the start-up time). A grid whose
heading passes and whose full check fails is taken off Home before it can be opened
(ui/app.py): opening a grid always waits for the full check. A file whose heading does
not pass is left to the full check, which then runs before Home lists anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sdm_tui.core.tomlfile import FileProblems, LineMap, Problem, parse_toml, read_text, read_toml
from sdm_tui.core.unsafe_text import unsafe_problems

if TYPE_CHECKING:
    from sdm_tui.core.catalog import Catalog

GRID_SCHEMA_VERSION = 2
"""The newest grid format this sdm-tui reads. Format 1 files still load (the archived
1.0.0 grids are format 1); format 2 adds [[changes]] and questions' level_meaning."""

# As the model's Id, Text and Version (grid.py): a heading that does not match them
# cannot belong to a grid the full check accepts.
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
_MAX_TITLE = 2000
_FIRST_TABLE = re.compile(r"^[ \t]*\[", re.MULTILINE)


class LazyLines(LineMap):
    """Line numbers worked out only when a problem needs one: most grids have none,
    and mapping every line of the shipped grids took a tenth of loading them."""

    def __init__(self, text: str) -> None:
        self._text: str | None = text

    def line_of(self, loc: Iterable[Any]) -> int:
        if self._text is not None:
            super().__init__(self._text)
            self._text = None
        return super().line_of(loc)


def read_grid_data(path: Path) -> tuple[dict[str, Any], LineMap]:
    """The parsed grid file and its line map, or FileProblems: unreadable or unsafe
    file, bad TOML, a format newer than this sdm-tui, unsafe characters."""
    data, text = read_toml(path, what="grid")
    return checked_data(data, text, str(path)), LazyLines(text)


def checked_data(data: dict[str, Any], text: str, name: str) -> dict[str, Any]:
    """`data` (parsed from `text`) if its format is known and it holds no unsafe character."""
    lines = LazyLines(text)
    version = data.get("schema_version")
    if isinstance(version, int) and version > GRID_SCHEMA_VERSION:
        raise FileProblems(
            [
                Problem(
                    name,
                    lines.line_of(("schema_version",)),
                    f"grid format {version} is newer than this sdm-tui reads "
                    f"({GRID_SCHEMA_VERSION})",
                    "update sdm-tui",
                )
            ]
        )
    unsafe = unsafe_problems(data, name, lines, "grid")
    if unsafe:
        raise FileProblems(unsafe)
    return data


@dataclass(frozen=True)
class GridHeading:
    """What Home shows of a grid: its id and title (stripped, as the model keeps it)."""

    id: str
    title: str
    version: str


def heading_of(data: dict[str, Any]) -> GridHeading | None:
    """The heading of parsed grid data, or None where the full check would refuse it
    for these fields alone (then only the full check can say why)."""
    grid_id, title, version = data.get("id"), data.get("title"), data.get("version")
    if data.get("schema_version") not in (1, 2) or isinstance(data.get("schema_version"), bool):
        return None
    if not isinstance(grid_id, str) or not _ID.match(grid_id):
        return None
    if not isinstance(version, str) or not _VERSION.match(version):
        return None
    if not isinstance(title, str) or not 0 < len(title.strip()) <= _MAX_TITLE:
        return None
    return GridHeading(grid_id, title.strip(), version)


def second_grid(path: Path, grid_id: str) -> Problem:
    """Two files with one grid id: the second is not used."""
    return Problem(str(path), 1, f"a second grid with id '{grid_id}'", "give each grid its own id")


@dataclass
class Headings:
    """The grids Home offers, by id, and their problems. `checked`: from the full check
    (the grid models, every problem); else from `read_headings`, no problem is known
    yet and a grid here may still fail the full check. `unsure`: a file whose heading
    did not pass, so only the full check can say what is wrong."""

    grids: dict[str, GridHeading] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    checked: bool = False
    unsure: bool = False

    def title(self, grid_id: str) -> str | None:
        heading = self.grids.get(grid_id)
        return heading.title if heading is not None else None


def read_headings(paths: Sequence[Path]) -> Headings:
    """Each grid file's heading: the keys before its first table, read and checked as
    `read_grid_data` checks a whole file. Any doubt (a file that cannot be read, bad
    TOML or an unsafe character in its heading, a heading the model would refuse, two
    files with one id) makes the headings `unsure`."""
    headings = Headings()
    for path in paths:
        heading = _read_heading(path)
        if heading is None or heading.id in headings.grids:
            headings.unsure = True
            continue
        headings.grids[heading.id] = heading
    return headings


def _read_heading(path: Path) -> GridHeading | None:
    name = str(path)
    try:
        text = read_text(path, what="grid")
        top = heading_text(text)
        return heading_of(checked_data(parse_toml(top, name, "grid"), top, name))
    except FileProblems:
        return None


def heading_text(text: str) -> str:
    """The start of a TOML text up to its first table header (the top-level keys).
    A header-like line inside a multi-line string cuts it short: that text then fails
    to parse, and the file is left to the full check."""
    match = _FIRST_TABLE.search(text)
    return text if match is None else text[: match.start()]


def headings_of(catalog: Catalog) -> Headings:
    """The headings of fully checked grids."""
    grids = {g.id: GridHeading(g.id, g.title, g.version) for g in catalog.grids.values()}
    return Headings(grids, list(catalog.problems), checked=True)
