"""Helpers shared by the store and command-line tests.

Everyone here is invented ("Service user", "Carer", "Dr Test"; reference
TEST-0001). Records are only ever written under pytest's tmp_path.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sdm_tui.core import transitions as t
from sdm_tui.core.grid import OptionGrid, load_grid
from sdm_tui.core.session import (
    CarerConsent,
    Leaning,
    Mode,
    Outcome,
    Role,
    Session,
    grid_ref,
    new_session,
)

DATA = Path(__file__).parent / "data"
EXAMPLE_GRID = DATA / "example-grid.toml"
REPO = Path(__file__).resolve().parent.parent

NOW = datetime(2026, 11, 2, 10, 30, tzinfo=UTC)
TODAY = date(2026, 11, 2)
REASON = "Less weight gain matters most to me"


def load_example_grid() -> OptionGrid:
    grid, warnings = load_grid(EXAMPLE_GRID, today=TODAY)
    assert warnings == []
    return grid


def draft_session(
    grid: OptionGrid,
    *,
    record_id: str = "test0000000a",
    mode: Mode = Mode.CLINICAL,
    now: datetime = NOW,
) -> Session:
    """A draft with a service user, a carer (who may take part) and a clinician."""
    session = new_session(
        grid_ref=grid_ref(grid),
        app_version="0.0.0-test",
        mode=mode,
        now=now,
        record_id=record_id,
    )
    session = t.add_participant(session, Role.SERVICE_USER, "Service user")
    session = t.add_participant(session, Role.CARER, "Carer")
    session = t.add_participant(session, Role.CLINICIAN, "Dr Test")
    session = t.set_carer_consent(session, CarerConsent.YES)
    session = t.set_reference(session, "TEST-0001")
    session = t.choose_options(session, ["tablet-a", "no-change"])
    session = t.rate_importance(session, "p1", "weight", 4)
    session = t.rate_importance(session, "p3", "weight", 1)
    session = t.set_leaning(session, "p1", "tablet-a", Leaning.TOWARDS)
    # Transitions stamp `updated` with the real clock; pin it so drafts compare equal.
    return session.model_copy(update={"updated": now})


def finished_session(
    grid: OptionGrid,
    *,
    record_id: str = "test0000000a",
    mode: Mode = Mode.CLINICAL,
    now: datetime = NOW,
) -> Session:
    """A finished record, built through the real transitions with a fixed clock."""
    session = draft_session(grid, record_id=record_id, mode=mode, now=now)
    session = t.set_decision(
        session,
        outcome=Outcome.CHOSEN,
        option="tablet-a",
        reason=REASON,
        review_date=now.date() + timedelta(weeks=6),
        today=now.date(),
    )
    session = t.set_next_steps(session, ["Blood test in four weeks"])
    return t.complete(session, now=now)


def subprocess_env(**extra: str) -> dict[str, str]:
    """An environment for a child Python that can import sdm_tui from this checkout."""
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    env.update(extra)
    return env


PYTHON = sys.executable
