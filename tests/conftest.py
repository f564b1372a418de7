"""Shared fixtures: the example grid and a factory for sessions.

Everyone in these fixtures is invented ("Service user", "Carer", "Dr Test";
reference TEST-0001). Tests never touch the real user data dir.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from sessions import EXAMPLE_GRID, LABELS, NOW, RECORD_ID, TODAY, MakeSession

from sdm_tui.core import transitions as t
from sdm_tui.core.grid import OptionGrid, load_grid
from sdm_tui.core.session import CarerConsent, Mode, Role, Session, grid_ref, new_session


@pytest.fixture(autouse=True)
def _no_real_user_data(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """Point anything that looks for the user data dir at a temporary folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("SDM_TUI_RECORDS", str(home / "records"))


@pytest.fixture(scope="session")
def example_grid_path() -> Path:
    return EXAMPLE_GRID


@pytest.fixture(scope="session")
def example_grid_text() -> str:
    return EXAMPLE_GRID.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def example_grid() -> OptionGrid:
    grid, problems = load_grid(EXAMPLE_GRID, today=TODAY)
    assert problems == []
    return grid


@pytest.fixture
def make_session(example_grid: OptionGrid) -> MakeSession:
    """Build a draft session through the real transitions.

    make_session() gives a service user (p1) and a clinician (p2) with the
    reference TEST-0001. `roles` lists everyone in order (ids p1, p2, ...);
    `consent` is the service user's answer about the carer (not asked when
    None); `options` are chosen in team talk when given.
    """

    def make(
        roles: Iterable[Role] = (Role.SERVICE_USER, Role.CLINICIAN),
        *,
        consent: CarerConsent | None = None,
        reference: str | None = "TEST-0001",
        options: Iterable[str] | None = None,
        mode: Mode = Mode.CLINICAL,
    ) -> Session:
        session = new_session(
            grid_ref=grid_ref(example_grid),
            app_version="0.0.0-test",
            mode=mode,
            now=NOW,
            record_id=RECORD_ID,
        )
        seen: dict[Role, int] = {}
        for role in roles:
            seen[role] = seen.get(role, 0) + 1
            label = LABELS[role] if seen[role] == 1 else f"{LABELS[role]} {seen[role]}"
            session = t.add_participant(session, role, label)
        if consent is not None:
            session = t.set_carer_consent(session, consent)
        if reference is not None:
            session = t.set_reference(session, reference)
        if options is not None:
            session = t.choose_options(session, options)
        return session

    return make
