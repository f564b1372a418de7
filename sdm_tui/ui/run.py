"""Start the app from the command line, with clear messages before any screen.

Only cheap checks come first (the records folder can be made, the grids folder holds grid
files): the grids are read and checked, and the drafts listed, just after the first frame
(see `SdmApp`), and Home shows any problem with them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sdm_tui.core.catalog import grid_paths
from sdm_tui.core.fsutil import StoreError
from sdm_tui.core.glyphs import console_needs_ascii
from sdm_tui.core.store import RecordStore, resolve_root


def open_store(records: str | None) -> tuple[RecordStore | None, str]:
    """The records folder to open, made if missing; (None, why) when there is none to
    open. A folder that is there but cannot be written opens read-only (`read_only`):
    review works, and Home says so and where else to save."""
    store = RecordStore(resolve_root(records))
    try:
        store.ensure()
    except StoreError as exc:
        if not store.root.is_dir():
            return None, str(exc)
        store.read_only = True
    if not store.read_only and not store.writable():
        store.read_only = True
    return store, ""


def run_app(
    records: str | None,
    grids: Path | None,
    scenarios: Path | None = None,
    start: str = "",
    ascii_only: bool = False,
) -> int:
    """Open the app; `scenarios` is a folder of role-play scenarios (default: the shipped),
    checked at start; `start` = "review" opens it on the review screen; `ascii_only`
    draws ASCII marks for every symbol, as it does anyway on the Linux console."""
    store, error = open_store(records)
    if store is None:
        sys.stderr.write(f"{error}\nUse --records DIR to choose a folder you can write to.\n")
        return 1
    if not grid_paths(grids):
        where = grids or "the shipped option_grids folder"
        sys.stderr.write(f"No usable option grid in {where}. Run 'sdm-tui grids validate'.\n")
        return 1
    from sdm_tui.ui.app import SdmApp

    app = SdmApp(
        store,
        grids_dir=grids,
        scenarios_dir=scenarios,
        check_scenarios=scenarios is not None,
        start=start,
        ascii_only=ascii_only or console_needs_ascii(os.environ),
    )
    app.run()
    return app.return_code or 0
