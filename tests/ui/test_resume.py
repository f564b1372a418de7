"""A consultation survives the app process being killed, and is offered back at start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sdm_tui.core import record
from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.store import RecordStore
from sdm_tui.ui.app import SdmApp
from sdm_tui.ui.screens.consult import ConsultationScreen

DATA = Path(__file__).resolve().parent.parent / "data"

# The child process: a real app, real key presses on option talk, then SIGKILL
# (no clean shutdown, no chance to save anything more).
CHILD = textwrap.dedent(
    """
    import asyncio, os, signal, sys
    from pathlib import Path
    from sdm_tui.core.catalog import load_catalog
    from sdm_tui.core.session import Role, grid_ref, new_session
    from sdm_tui.core import transitions as t
    from sdm_tui.core.store import RecordStore
    from sdm_tui.ui.app import SdmApp
    from sdm_tui.ui.screens.consult import ConsultationScreen

    async def main():
        store = RecordStore(Path(sys.argv[1]))
        catalog = load_catalog(Path(sys.argv[2]))
        grid = catalog.get("example-grid")
        s = new_session(grid_ref=grid_ref(grid), app_version="test")
        s = t.add_participant(s, Role.SERVICE_USER, "Service user")
        s = t.add_participant(s, Role.CLINICIAN, "Dr Test")
        s = t.set_reference(s, "TEST-0001")
        s = t.choose_options(s, ["tablet-a", "no-change"])
        app = SdmApp(store, catalog)
        async with app.run_test(size=(100, 30)) as pilot:
            store.claim_draft(s.record_id)
            await app.push_screen(ConsultationScreen(store, grid, s))
            await pilot.pause()
            await pilot.press("f3")
            await pilot.pause()
            await pilot.press("3")
            await pilot.pause()
            print(s.record_id, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

    asyncio.run(main())
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
async def test_draft_survives_kill_and_resumes(tmp_path: Path) -> None:
    root = tmp_path / "records"
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(root), str(DATA)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]
    record_id = child.stdout.strip().splitlines()[-1]
    draft = record.load(RecordStore(root).draft_path(record_id))
    assert draft.participant("p1").importance == {"works": 3}

    app = SdmApp(RecordStore(root), load_catalog(DATA))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        # Home: the draft is listed by time and grid, never by name.
        drafts = app.screen.query_one("#drafts")
        text = str(drafts.get_option_at_index(0).prompt)
        assert "Example: choosing between two tablets" in text
        assert "Service user" not in text and "TEST-0001" not in text
        await pilot.press("down", "enter")  # "Resume": the only draft opens at once
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ConsultationScreen)
        assert app.screen.current_talk() == "options"  # where it was left
        assert app.screen.session.record_id == record_id
        assert app.screen.session.participant("p1").importance == {"works": 3}
        # The killed process's lock went with it, so this app now holds the draft.
        assert app.store._locks.get(record_id) is not None
    assert os.path.exists(RecordStore(root).draft_path(record_id))
