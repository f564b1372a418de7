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
    from sdm_tui.core.tomlfile import Problem


@dataclass
class Catalog:
    grids: dict[str, OptionGrid] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def get(self, grid_id: str) -> OptionGrid | None:
        return self.grids.get(grid_id)


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


def load_catalog(folder: Path | None = None) -> Catalog:
    from sdm_tui.core.grid import load_grid
    from sdm_tui.core.tomlfile import FileProblems, Problem

    catalog = Catalog()
    for path in grid_paths(folder):
        try:
            grid, warnings = load_grid(path)
        except FileProblems as exc:
            catalog.problems.extend(exc.problems)
            continue
        catalog.problems.extend(warnings)
        if grid.id in catalog.grids:
            catalog.problems.append(
                Problem(
                    str(path), 1, f"a second grid with id '{grid.id}'", "give each grid its own id"
                )
            )
            continue
        catalog.grids[grid.id] = grid
    return catalog
