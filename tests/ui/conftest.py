"""Fixtures for Pilot tests: a real app on a temporary records folder."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.store import RecordStore
from sdm_tui.ui.app import SdmApp

# The consultation screen shows local time ("Draft saved at 10:30:15"): pin the time
# zone so snapshots draw the same on every machine.
os.environ["TZ"] = "UTC"
if hasattr(time, "tzset"):
    time.tzset()

DATA = Path(__file__).resolve().parent.parent / "data"
SHIPPED = Path(__file__).resolve().parents[2] / "option_grids"


@pytest.fixture
def store(tmp_path: Path) -> RecordStore:
    root = tmp_path / "records"
    store = RecordStore(root)
    store.ensure()
    return store


@pytest.fixture
def example_app(store: RecordStore) -> SdmApp:
    """The app on the small example grid (tests/data)."""
    return SdmApp(store, load_catalog(DATA))


@pytest.fixture
def shipped_app(store: RecordStore) -> SdmApp:
    """The app on the real shipped grids."""
    return SdmApp(store, load_catalog(SHIPPED))
