"""Values the session fixtures use, importable by name from any test.

tests/conftest.py builds its fixtures from these. Tests import them from here
(`from sessions import NOW`), never `from conftest import ...`: with both
tests/conftest.py and tests/ui/conftest.py on the path, `conftest` names
whichever pytest imported first.

Everyone here is invented ("Service user", "Carer", "Dr Test"; reference TEST-0001).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from sdm_tui.core.session import Role, Session

DATA = Path(__file__).parent / "data"
EXAMPLE_GRID = DATA / "example-grid.toml"

# A fixed clock, so records and hashes are the same on every run.
NOW = datetime(2026, 11, 2, 10, 30, tzinfo=UTC)
TODAY = date(2026, 11, 2)
RECORD_ID = "test0000000a"

LABELS: dict[Role, str] = {
    Role.SERVICE_USER: "Service user",
    Role.CLINICIAN: "Dr Test",
    Role.CARER: "Carer",
    Role.PEER_SUPPORT: "Peer worker",
    Role.OBSERVER: "Observer",
}

MakeSession = Callable[..., Session]
