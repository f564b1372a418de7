"""SIGKILL at random moments during draft saves and finishing (benchmarks/killloop.py),
then the real start-up tidy (`recovery.recover`, then `RecordStore.drafts`).

100 kills here (every tenth after a longer wait, so consultations finish between kills),
a few seconds; `make fuzz` runs 1,000. Without the tidy a kill after the record was
written offered the finished consultation again as a draft, left records without their
summary and left temp files holding whole drafts.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from benchmarks.killloop import kill_loop

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fork and SIGKILL")


def test_a_hundred_kills_lose_nothing_and_offer_no_finished_draft(tmp_path: Path) -> None:
    figures = kill_loop(tmp_path / "records", 100, max_delay=0.02, seed=13)
    assert figures.kills == 100
    assert figures.problems == []
    assert figures.corrupt == 0
    assert figures.lost == 0
    assert figures.finished_offered == 0
    assert figures.temps_left == 0
    # The kills did land mid-save: temp files were left and removed on the next start,
    # and consultations were finished between kills.
    assert figures.temps_removed > 0
    assert figures.finished > 0
