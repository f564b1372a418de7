"""Typing a long text into a field, in app time per key.

3,000 characters (words, spaces, punctuation, a new line now and then) typed one key
at a time into team talk's "what matters" box, the field of issue 18 (where a burst of
3,000 characters kept the app busy for 12-20 s when every key saved the whole draft).
The real `SdmApp` and `ConsultationScreen` (draft saving included: typed text is
applied and saved after a short pause, so some keys pay for a save and a redraw),
headless at 120x40, on the largest shipped grid with four people.

The clock is benchmarks/keys.py's (`KeyClock`). Two figures per key:

- the key's own frame: from the key reaching the app to the first frame after it, the
  one that shows the character typed. This is what the person typing waits for, and
  the figure with the target (p95 <= 16 ms).
- the last frame: as keys.py, to the last frame drawn before 20 ms pass with no new
  one. Here that also catches the typed text being applied (about once a second while
  typing goes on: the session, the talk's redraw and the draft line), which a timer
  does, not the key, when it falls in a key's window; given for information (p95,
  p99, worst).

Between keys the harness waits until 20 ms pass with no new frame (keys.py waits 80 ms
for its table; a text box draws one frame a key), so 3,000 keys take about three
and a half minutes on a 2-core machine.
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


async def _measure(text: str) -> tuple[list[float], list[float], str, str]:
    grid = largest_grid()
    session = rated_session(grid)
    first: list[float] = []
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
                    first.append(frames[0] * 1000)
                    settled.append(frames[-1] * 1000)
            shown = area.text
            screen.flush()
            saved = record.load(store.draft_path(session.record_id)).team_talk.what_matters
    return first, settled, shown, saved


def bench_typing(characters: int = CHARACTERS) -> dict:
    text = typed_text(characters)
    first, settled, shown, saved = asyncio.run(_measure(text))
    p95 = _percentile(first, 0.95)
    kept = shown == text and saved == text.strip()
    return {
        "name": f"typing {characters:,} characters: key to the frame showing it",
        "value": round(statistics.median(first), 2),
        "unit": "ms (median)",
        "p95": round(p95, 2),
        "baseline": None,
        "ratio": None,
        "target": TARGET_P95_MS,
        "target_on": "p95",
        "pass": p95 <= TARGET_P95_MS and kept,
        "words_kept_exactly": kept,
        "keys_with_a_frame": len(first),
        "spread_ms": [round(min(first), 2), round(max(first), 2)],
        "last_frame_ms": {
            "median": round(statistics.median(settled), 2),
            "p95": round(_percentile(settled, 0.95), 2),
            "p99": round(_percentile(settled, 0.99), 2),
            "max": round(max(settled), 2),
        },
    }


if __name__ == "__main__":
    import json

    print(json.dumps(bench_typing(), indent=2))
