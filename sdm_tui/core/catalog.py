"""All the grids in a folder, loaded once, with the problems of any that failed.

Importing this module is cheap (no pydantic): the app checks that a grids folder holds
grid files before its first screen, and reads and checks the grids just after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sdm_tui.core.grid import OptionGrid
    from sdm_tui.core.session import GridRef, Session
    from sdm_tui.core.tomlfile import Problem

ARCHIVE = "archive"


def shipped_folder(name: str) -> Path:
    """A folder that comes with sdm-tui ("option_grids", "scenarios"): inside the wheel
    (sdm_tui/<name>, pyproject's force-include), else at the top of the source tree."""
    here = Path(__file__).resolve()
    packaged = here.parent.parent / name
    return packaged if packaged.is_dir() else here.parents[2] / name


def shipped_grids_dir() -> Path:
    """The grids that come with sdm-tui."""
    return shipped_folder("option_grids")


def grid_paths(folder: Path | None = None) -> list[Path]:
    """The grid files in `folder` (default: the shipped grids), sorted, without reading
    them: here and not in `grid`, so the app can check for them before importing the
    grid models (pydantic), which take longer to import than Home takes to draw."""
    folder = folder or shipped_grids_dir()
    return sorted(folder.glob("*.toml"))


@dataclass
class Catalog:
    grids: dict[str, OptionGrid] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    folder: Path | None = None
    _archive: dict[tuple[str, str], OptionGrid] | None = field(default=None, repr=False)

    def get(self, grid_id: str) -> OptionGrid | None:
        return self.grids.get(grid_id)

    def exact(self, ref: GridRef) -> OptionGrid | None:
        """The very grid a record or draft was made with (same id and content hash):
        the current one if it has not changed, else an earlier version kept in the
        grids folder's archive/ subfolder (read only when first asked for)."""
        current = self.grids.get(ref.id)
        if current is not None and current.content_hash == ref.content_hash:
            return current
        return self._archived().get((ref.id, ref.content_hash))

    def _archived(self) -> dict[tuple[str, str], OptionGrid]:
        if self._archive is None:
            from sdm_tui.core.grid import load_grid
            from sdm_tui.core.tomlfile import FileProblems

            self._archive = {}
            folder = (self.folder or shipped_grids_dir()) / ARCHIVE
            for path in grid_paths(folder) if folder.is_dir() else []:
                try:
                    grid, _ = load_grid(path)
                except FileProblems:
                    continue  # an archived version that no longer loads is simply not offered
                self._archive[(grid.id, grid.content_hash)] = grid
        return self._archive

    def version_note(self, ref: GridRef) -> str:
        """One plain sentence on how the grid a record used compares with today's, or ""."""
        current = self.grids.get(ref.id)
        if current is None:
            return (
                f"The grid this record used ({ref.id}, version {ref.version}) is not "
                "installed now; the record keeps the labels it showed."
            )
        if current.content_hash == ref.content_hash:
            return ""
        if current.version == ref.version:
            return (
                f"The grid has been changed since this record was made, without a new "
                f"version number (both say {ref.version}); the record keeps what it showed."
            )
        return (
            f"The grid has changed since this record was made: it used version "
            f"{ref.version}, the current version is {current.version}. The record keeps "
            "the labels it showed; `sdm-tui grids diff` lists what changed."
        )


def grid_for_draft(catalog: Catalog, session: Session) -> tuple[OptionGrid | None, Session, str]:
    """The grid to resume a draft with, the draft (its grid reference brought up to
    date when the grid changes), and a plain note for the screen ("" if none).

    A newer version of the grid is shown when it still has every option and question
    the draft uses: grid updates carry safety fixes, and the record then names the
    version people actually saw. Otherwise the draft goes on with the exact version it
    was started with, when that is still at hand (archive/), and says a newer one
    exists; with neither, it cannot be resumed and the note says what to do."""
    from sdm_tui.core.session import grid_ref

    ref = session.grid
    current = catalog.get(ref.id)
    if current is not None and current.content_hash == ref.content_hash:
        return current, session, ""
    missing: list[str] = []
    if current is not None:
        used = set(session.team_talk.options) | {
            key for person in session.participants for key in (*person.importance, *person.leanings)
        }
        known = {o.id for o in current.options} | {q.id for q in current.questions}
        missing = sorted(used - known)
        if not missing:
            moved = session.model_copy(update={"grid": grid_ref(current)})
            return (
                current,
                moved,
                (
                    f"The grid has been updated since this draft was started (version "
                    f"{ref.version} -> {current.version}). The new version is shown, and the "
                    "record will name it."
                ),
            )
    exact = catalog.exact(ref)
    if exact is not None:
        gone = f" Version {current.version} no longer has {', '.join(missing)}." if current else ""
        return (
            exact,
            session,
            (
                f"This draft goes on with version {ref.version} of the grid, which it was "
                f"started with.{gone} Check what changed (sdm-tui grids diff) before deciding."
            ),
        )
    if current is None:
        return (
            None,
            session,
            (
                f"The grid '{ref.id}' is not available, so this draft cannot be shown. "
                "Use --grids DIR to point at it."
            ),
        )
    return (
        None,
        session,
        (
            f"This draft was started with version {ref.version} of the grid '{ref.id}', which "
            f"is not installed, and version {current.version} no longer has "
            f"{', '.join(missing)}. Put the old grid file in the grids folder's archive/ "
            "subfolder to resume it."
        ),
    )


def load_catalog(folder: Path | None = None) -> Catalog:
    from sdm_tui.core.grid import load_grid
    from sdm_tui.core.gridfile import second_grid
    from sdm_tui.core.tomlfile import FileProblems

    catalog = Catalog(folder=folder)
    for path in grid_paths(folder):
        try:
            grid, warnings = load_grid(path)
        except FileProblems as exc:
            catalog.problems.extend(exc.problems)
            continue
        catalog.problems.extend(warnings)
        if grid.id in catalog.grids:
            catalog.problems.append(second_grid(path, grid.id))
            continue
        catalog.grids[grid.id] = grid
    return catalog
