"""`sdm-tui grids ...`: list, show, validate, lint and diff option grids."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TextIO

from sdm_tui.core.catalog import grid_paths
from sdm_tui.core.grid import load_grid
from sdm_tui.core.tomlfile import FileProblems


def expand(paths: list[Path], folder: Path | None) -> list[Path]:
    """Files as given; folders become their *.toml files; none means every shipped grid."""
    if not paths:
        return grid_paths(folder)
    found: list[Path] = []
    for path in paths:
        found.extend(sorted(path.glob("*.toml")) if path.is_dir() else [path])
    return found


def cmd_list(folder: Path | None, out: TextIO) -> int:
    status = 0
    for path in grid_paths(folder):
        try:
            grid, warnings = load_grid(path)
        except FileProblems as exc:
            out.write(f"{path.stem:<36} cannot be used: {exc.problems[0]}\n")
            status = 1
            continue
        flag = "  (review date passed)" if warnings else ""
        out.write(
            f"{grid.id:<36} {grid.version:<8} {len(grid.options)} options, "
            f"{len(grid.questions)} questions  {grid.title}{flag}\n"
        )
    return status


def cmd_show(
    grid_id: str,
    folder: Path | None,
    out: TextIO,
    err: TextIO,
    width: int | None = None,
    linear: bool = False,
) -> int:
    """The grid as a table paged to the width, or (`linear`) question by question."""
    from sdm_tui.cli.gridtext import render_grid

    candidates = [p for p in grid_paths(folder) if p.stem == grid_id]
    path = candidates[0] if candidates else Path(grid_id)
    if not path.is_file():
        known = ", ".join(p.stem for p in grid_paths(folder)) or "none"
        err.write(f"{grid_id}: no such grid (known grids: {known})\n")
        return 1
    try:
        grid, warnings = load_grid(path)
    except FileProblems as exc:
        err.write(f"{exc}\n")
        return 1
    for warning in warnings:
        err.write(f"{warning}\n")
    width = width or min(max(shutil.get_terminal_size((100, 30)).columns, 60), 200)
    if linear:
        from sdm_tui.core.linear import grid_blocks, render

        out.write(render(grid_blocks(grid), width))
        return 0
    out.write(render_grid(grid, width))
    return 0


def cmd_validate(paths: list[Path], folder: Path | None, strict: bool, out: TextIO) -> int:
    files = expand(paths, folder)
    if not files:
        out.write("no grid files found (give a path to a .toml grid or a folder of them)\n")
        return 1
    status = 0
    for path in files:
        try:
            grid, warnings = load_grid(path, strict=strict)
        except FileProblems as exc:
            status = 1
            for problem in exc.problems:
                out.write(f"{problem}\n")
            continue
        for warning in warnings:
            out.write(f"{warning}\n")
        out.write(
            f"{path}: ok ({grid.id} {grid.version}, {len(grid.options)} options, "
            f"{len(grid.questions)} questions, {len(grid.answers)} answers)\n"
        )
    return status


def cmd_diff(old: Path, new: Path, fmt: str, out: TextIO, err: TextIO) -> int:
    """`grids diff OLD NEW`: what changed between two versions of a grid, cell by cell."""
    from sdm_tui.core.griddiff import as_json, diff_grids, format_text

    grids = []
    status = 0
    for path in (old, new):
        try:
            grids.append(load_grid(path)[0])
        except FileProblems as exc:
            status = 1
            for problem in exc.problems:
                err.write(f"{problem}\n")
    if status:
        return status
    diff = diff_grids(grids[0], grids[1])
    if fmt == "json":
        out.write(as_json(diff, str(old), str(new)))
    else:
        out.write(format_text(diff, str(old), str(new), grids[1]))
    return 0
