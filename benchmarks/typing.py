"""Typing a long text into a field, in app time per key.

3,000 characters (words, spaces, punctuation, a new line now and then) typed one key
at a time into team talk's "what matters" box, the field of issue 18 (where a burst of
3,000 characters kept the app busy for 12-20 s when every key saved the whole draft).
The real `SdmApp` and `ConsultationScreen` (draft saving included: typed text is
applied and saved after a short pause, so some keys pay for a save and a redraw),
headless at 120x40, on the largest shipped grid with four people.

The clock is benchmarks/keys.py's (`KeyClock`): from the key reaching the app to the
last frame it caused. Between keys the harness waits until 20 ms pass with no new
frame (keys.py waits 80 ms for its table; a text box draws one frame a key), so 3,000
keys take about a minute and a half. The figure is the 95th percentile.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.keys import KeyClock, _percentile, largest_grid, rated_session
from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.store import RecordStore

SIZE = (120, 40)
TARGET_P95_MS = 16.0
CHARACTERS = 3000
FIELD = "team-matters"
WORDS = (
    "Keeping my job matters most, and feeling awake in the morning; my sister gained "
    "10 kg on one tablet, so weight is the other thing I worry about. "
)


def typed_text(n: int = CHARACTERS) -> str:
    """`n` characters of plain sentences, with a new line every 400 or so."""
    text = ""
    while len(text) < n:
        text += WORDS
        if len(text) % 400 < len(WORDS):
            text += "\n"
    return text[:n]


def _key(ch: str) -> str:
    return "enter" if ch == "\n" else ch


async def _settle(app: KeyClock, quiet: float = 0.02) -> None:
    while True:
        await asyncio.sleep(0.004)
        last = app.frames[-1] if app.frames else app.key_at
        if time.perf_counter() - last >= quiet:
            return


async def _measure(text: str) -> tuple[list[float], str, str]:
    grid = largest_grid()
    session = rated_session(grid)
    settled: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        store = RecordStore(Path(folder) / "records")
        store.ensure()
        app = KeyClock(store, load_catalog())
        async with app.run_test(size=SIZE) as pilot:
            from textual.widgets import TextArea

            from sdm_tui.core import record
            from sdm_tui.ui.screens.consult import ConsultationScreen

            store.claim_draft(session.record_id)
            screen = ConsultationScreen(store, grid, session)
            await app.push_screen(screen)
            await pilot.pause()
            area = screen.query_one(f"#{FIELD}", TextArea)
            area.focus()
            await pilot.pause()
            await _settle(app)
            for ch in text:
                app.frames.clear()
                app.key_at = 0.0
                await app._press_keys([_key(ch)])
                await _settle(app)
                frames = [f - app.key_at for f in app.frames if f >= app.key_at]
                if frames:
                    settled.append(frames[-1] * 1000)
            shown = area.text
            screen.flush()
            saved = record.load(store.draft_path(session.record_id)).team_talk.what_matters
    return settled, shown, saved


def bench_typing(characters: int = CHARACTERS) -> dict:
    text = typed_text(characters)
    settled, shown, saved = asyncio.run(_measure(text))
    p95 = _percentile(settled, 0.95)
    kept = shown == text and saved == text.strip()
    return {
        "name": f"typing {characters:,} characters into a text box, per key",
        "value": round(statistics.median(settled), 2),
        "unit": "ms (median)",
        "p95": round(p95, 2),
        "baseline": None,
        "ratio": None,
        "target": TARGET_P95_MS,
        "target_on": "p95",
        "pass": p95 <= TARGET_P95_MS and kept,
        "words_kept_exactly": kept,
        "keys_with_a_frame": len(settled),
        "spread_ms": [round(min(settled), 2), round(max(settled), 2)],
        "p99_ms": round(_percentile(settled, 0.99), 2),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(bench_typing(), indent=2))
