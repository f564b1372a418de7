"""All the grids in a folder, loaded once, with the problems of any that failed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sdm_tui.core.grid import OptionGrid, grid_paths, load_grid
from sdm_tui.core.tomlfile import FileProblems, Problem


@dataclass
class Catalog:
    grids: dict[str, OptionGrid] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def get(self, grid_id: str) -> OptionGrid | None:
        return self.grids.get(grid_id)


def load_catalog(folder: Path | None = None) -> Catalog:
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
