"""A grid file read before its model is built: the checks that need no pydantic.

`load_grid` (grid.py) starts here: the file is read safely (no link, FIFO or huge file),
parsed, its format version checked and every string searched for unsafe characters;
then the model is built and checked. Home needs only each usable grid's id and title,
so at start-up the app reads the grids this far (`read_headings`, a few ms) and builds
the models just after Home shows them (importing pydantic and building the grid models
is most of the start-up time). A grid that passes here and fails the full check is taken
off Home before it can be opened (ui/app.py): opening one always waits for the full check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sdm_tui.core.tomlfile import FileProblems, LineMap, Problem, read_toml
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
    lines = LazyLines(text)
    name = str(path)
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
    return data, lines


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
    """The grids Home offers, by id, and the problems found so far. `checked`: from the
    full check (the grid models); else from `read_headings`, and a grid here may still
    fail it. `unsure`: a file whose heading alone the full check would refuse (so the
    full check is needed to say why)."""

    grids: dict[str, GridHeading] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    checked: bool = False
    unsure: bool = False

    def title(self, grid_id: str) -> str | None:
        heading = self.grids.get(grid_id)
        return heading.title if heading is not None else None


def read_headings(paths: Sequence[Path]) -> Headings:
    """Each grid file read as far as `read_grid_data`, with the problems `load_catalog`
    would give for the files that fail here (the same Problem, word for word)."""
    headings = Headings()
    for path in paths:
        try:
            data, _ = read_grid_data(path)
        except FileProblems as exc:
            headings.problems.extend(exc.problems)
            continue
        heading = heading_of(data)
        if heading is None:
            headings.unsure = True
            continue
        if heading.id in headings.grids:
            headings.problems.append(second_grid(path, heading.id))
            continue
        headings.grids[heading.id] = heading
    return headings


def headings_of(catalog: Catalog) -> Headings:
    """The headings of fully checked grids."""
    grids = {g.id: GridHeading(g.id, g.title, g.version) for g in catalog.grids.values()}
    return Headings(grids, list(catalog.problems), checked=True)
