"""Start the app from the command line, with clear messages before any screen."""

from __future__ import annotations

import sys
from pathlib import Path

from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.fsutil import StoreError
from sdm_tui.core.store import RecordStore, resolve_root


def run_app(records: str | None, grids: Path | None) -> int:
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
    from sdm_tui.ui.app import SdmApp

    app = SdmApp(store, catalog)
    app.run()
    return app.return_code or 0
