"""Start the app from the command line, with clear messages before any screen."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.fsutil import StoreError
from sdm_tui.core.store import RecordStore, resolve_root
from sdm_tui.core.tomlfile import Problem

if TYPE_CHECKING:  # scenarios are read only with --scenarios, or when first needed
    from sdm_tui.core.grid import OptionGrid
    from sdm_tui.core.scenario import ScenarioSet


def run_app(
    records: str | None, grids: Path | None, scenarios: Path | None = None, start: str = ""
) -> int:
    """Open the app; `scenarios` is a folder of role-play scenarios (default: the shipped);
    `start` = "review" opens it on the review screen."""
    store = RecordStore(resolve_root(records))
    try:
        store.ensure()
    except StoreError as exc:
        sys.stderr.write(f"{exc}\nUse --records DIR to choose a folder you can write to.\n")
        return 1
    catalog = load_catalog(grids)
    if not catalog.grids:
        for problem in catalog.problems:
            sys.stderr.write(f"{problem}\n")
        where = grids or "the shipped option_grids folder"
        sys.stderr.write(f"No usable option grid in {where}. Run 'sdm-tui grids validate'.\n")
        return 1
    loaded = None if scenarios is None else _load_scenarios(scenarios, catalog.grids)
    from sdm_tui.ui.app import SdmApp

    app = SdmApp(store, catalog, scenarios=loaded, scenarios_dir=scenarios, start=start)
    app.run()
    return app.return_code or 0


def _load_scenarios(folder: Path, grids: dict[str, OptionGrid]) -> ScenarioSet:
    """The scenarios in `folder`; a missing folder is a problem shown in the app, not a crash."""
    from sdm_tui.core.scenario import ScenarioSet, load_scenarios, scenario_paths

    if not folder.is_dir():
        problem = Problem(
            str(folder), 0, "no such folder of scenarios", "use --scenarios DIR with a folder"
        )
        return ScenarioSet(problems=[problem])
    return load_scenarios(scenario_paths(folder), grids)
