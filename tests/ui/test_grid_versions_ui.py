"""A record made with an older grid version opens in review and says so (issue 12.5)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from textual.widgets import Markdown, Static

from sdm_tui.core import record
from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.store import RecordStore
from sdm_tui.core.text import md_escape
from sdm_tui.ui.app import SdmApp
from sdm_tui.ui.screens.record_view import RecordViewScreen
from sdm_tui.ui.screens.review import ReviewScreen

DATA = Path(__file__).resolve().parents[1] / "data"
SHIPPED = Path(__file__).resolve().parents[2] / "option_grids"
OLD_RECORD = DATA / "format1" / "v1-grid-1.0.0.toml"


async def test_an_old_record_shows_its_own_labels_and_says_the_grid_changed(
    tmp_path: Path,
) -> None:
    store = RecordStore(tmp_path / "records")
    store.ensure()
    session = record.load(OLD_RECORD)
    target = store.record_path(session)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(OLD_RECORD, target)  # the bytes an older sdm-tui wrote, not re-saved
    catalog = load_catalog(SHIPPED)
    current = catalog.get("antipsychotic-choice")
    assert current is not None and current.version != "1.0.0"
    app = SdmApp(store, catalog)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.push_screen(ReviewScreen(today=date(2026, 12, 3)))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        view = app.screen
        assert isinstance(view, RecordViewScreen)
        facts = str(view.query_one("#record-facts", Static).render())
        assert "version 1.0.0" in facts
        assert f"it used version 1.0.0, the current version is {current.version}" in facts
        await pilot.press("s")
        await pilot.pause()
        summary = view.query_one("#record-summary", Markdown).source
        assert "No change for now" in summary  # the label it showed then
        # The 1.0.0 grid's own sources (2.0.0 rewrote every citation), by citation.
        exact = catalog.exact(record.load(OLD_RECORD).grid)
        assert exact is not None
        old = {s.citation for s in exact.sources} - {s.citation for s in current.sources}
        assert any(md_escape(citation) in summary for citation in old)
    assert target.read_bytes() == OLD_RECORD.read_bytes()
