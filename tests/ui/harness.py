"""Opening the real consultation screen on a prepared session, for Pilot tests."""

from __future__ import annotations

from textual.pilot import Pilot

from sdm_tui.core.session import Session
from sdm_tui.ui.app import SdmApp
from sdm_tui.ui.screens.consult import ConsultationScreen


async def open_consultation(
    app: SdmApp, pilot: Pilot, session: Session, talk_key: str = ""
) -> ConsultationScreen:
    """Claim the draft as Home does, push the consultation, then open a talk by its key."""
    grid = app.catalog.get(session.grid.id)
    assert grid is not None, session.grid.id
    app.store.claim_draft(session.record_id)
    screen = ConsultationScreen(app.store, grid, session)
    await app.push_screen(screen)
    await pilot.pause()
    if talk_key:
        await pilot.press(talk_key)
        await pilot.pause()
    return screen
