"""`sdm-tui scenarios ...`: list and validate training role-play scenarios.

Scenarios are checked against the grids they name, so both commands load the
grids first (the shipped ones, or `--grids DIR`). Nothing here prints a
private brief: `list` shows only what everyone may read.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from sdm_tui.core.catalog import Catalog, load_catalog
from sdm_tui.core.scenario import (
    Scenario,
    ScenarioSet,
    load_scenarios,
    scenario_paths,
    shipped_scenarios_dir,
)
from sdm_tui.core.tomlfile import Problem

NO_FILES = "no scenario files found (give a path to a .toml scenario or a folder of them)"


def expand(paths: list[Path], folder: Path | None) -> list[Path]:
    """Files as given; folders become their *.toml files; none means the scenarios folder."""
    if not paths:
        return scenario_paths(folder)
    found: list[Path] = []
    for path in paths:
        found.extend(scenario_paths(path) if path.is_dir() else [path])
    return list(dict.fromkeys(found))  # a file named twice is checked once


def _grids(folder: Path | None, out: TextIO) -> Catalog | None:
    """The grids to check against, or None (after saying why) when there are none."""
    catalog = load_catalog(folder)
    if catalog.grids:
        return catalog
    where = folder or "the shipped option_grids folder"
    out.write(
        f"{where}: no usable option grids to check scenarios against "
        "(give --grids DIR, or run 'sdm-tui grids validate')\n"
    )
    return None


def _by_file(
    files: list[Path], found: ScenarioSet
) -> list[tuple[Path, Scenario | None, list[Problem]]]:
    """Each file in order, with its scenario (if usable) and its problems."""
    by_path = {str(path): scenario_id for scenario_id, path in found.paths.items()}
    rows = []
    for path in files:
        scenario_id = by_path.get(str(path))
        scenario = found.scenarios[scenario_id] if scenario_id else None
        problems = [p for p in found.problems if p.file == str(path)]
        rows.append((path, None if problems else scenario, problems))
    return rows


def _broken_grid_note(catalog: Catalog, found: ScenarioSet, out: TextIO) -> None:
    """A scenario's grid may be 'missing' only because its file is broken: say so."""
    errors = [p for p in catalog.problems if p.severity == "error"]
    if errors and any("no grid with id" in p.message for p in found.problems):
        out.write(
            f"note: {len(errors)} problem(s) in the grid files; "
            "run 'sdm-tui grids validate' to see them\n"
        )


def cmd_list(folder: Path | None, grids_folder: Path | None, out: TextIO) -> int:
    """Each scenario's id, version, title, grid and roles; a broken one with its problem."""
    files = scenario_paths(folder)
    if not files:
        out.write(f"{folder or shipped_scenarios_dir()}: {NO_FILES}\n")
        return 1
    catalog = _grids(grids_folder, out)
    if catalog is None:
        return 1
    found = load_scenarios(files, catalog.grids)
    for path, scenario, problems in _by_file(files, found):
        if scenario is None:
            out.write(f"{path.stem:<28} cannot be used: {problems[0]}\n")
            continue
        out.write(
            f"{scenario.id:<28} {scenario.version:<8} {scenario.title}\n"
            f"{'':<28} grid: {scenario.grid} ({len(scenario.options)} options)\n"
            f"{'':<28} roles: {scenario.roles_text()}\n"
        )
    _broken_grid_note(catalog, found, out)
    return 1 if found.problems else 0


def cmd_validate(
    paths: list[Path], folder: Path | None, grids_folder: Path | None, out: TextIO
) -> int:
    """One `FILE:LINE: what (fix)` line per problem, an ok line per good file."""
    files = expand(paths, folder)
    if not files:
        out.write(f"{NO_FILES}\n")
        return 1
    catalog = _grids(grids_folder, out)
    if catalog is None:
        return 1
    found = load_scenarios(files, catalog.grids)
    for path, scenario, problems in _by_file(files, found):
        for problem in problems:
            out.write(f"{problem}\n")
        if scenario is not None:
            out.write(
                f"{path}: ok ({scenario.id} {scenario.version}, grid {scenario.grid}, "
                f"{len(scenario.options)} options, {len(scenario.roles)} roles, "
                f"{len(scenario.goals)} goal{'' if len(scenario.goals) == 1 else 's'})\n"
            )
    _broken_grid_note(catalog, found, out)
    return 1 if found.problems else 0
