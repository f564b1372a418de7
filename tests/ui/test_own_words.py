"""People's own words are kept exactly: typed in bursts while the session changes,
pasted with control characters, and saved within a second of typing.

Keys are sent as a terminal sends them in a burst: all queued at once (not one by one
with Pilot's wait after each), with session changes from elsewhere (another person's
rating, a leaning) posted between the bursts, as they arrive while someone types.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flow import (
    consultation,
    draft,
    key_event,
    open_consultation,
    open_disagreement,
    typing_applied,
    until,
)
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, RadioSet, TextArea

from sdm_tui.core import transitions as t
from sdm_tui.core.session import Involvement, Leaning, Role, Session, grid_ref, new_session
from sdm_tui.core.training import OBSERVER_ITEMS, start_role_play
from sdm_tui.ui.app import SdmApp
from sdm_tui.ui.messages import SessionChange
from sdm_tui.ui.panes.base import TYPING_IDLE, TYPING_MAX
from sdm_tui.ui.screens.consult import ConsultationScreen
from sdm_tui.ui.screens.disagree import DisagreementScreen
from sdm_tui.ui.screens.note import NoteScreen

REASON = (
    "My sister gained 10 kg on olanzapine; I do not want that.\n"
    "Less weight gain matters more to me than anything else, even if it takes longer. "
    "I'd rather try Tablet A first, then see (in 6 weeks) how I feel."
)
ONE_LINE = "Which tablet to try first, and when to look again: weight, sleep, work."
FIRST_NOTE_ITEM = next(iter(OBSERVER_ITEMS))


def prepared(grid, *, carer: bool = False) -> Session:
    s = new_session(grid_ref=grid_ref(grid), app_version="test")
    s = t.add_participant(s, Role.SERVICE_USER, "Me")
    s = t.add_participant(s, Role.CLINICIAN, "Dr K")
    s = t.choose_options(s, ["tablet-a", "tablet-b"])
    return s


def changes_from_elsewhere(n: int) -> Callable[[Session], Session]:
    """The n-th session change arriving while someone types: ratings, leanings."""
    person = ("p1", "p2")[n % 2]
    if n % 3 == 2:
        leaning = (Leaning.TOWARDS, Leaning.OPEN, Leaning.AWAY)[n % 3]
        return lambda s: t.set_leaning(s, person, "tablet-b", leaning)
    question = ("works", "weight")[n % 2]
    return lambda s: t.rate_importance(s, person, question, n % 5)


async def burst(pilot: Pilot, text: str, *, seed: int = 0, changes: bool = True) -> None:
    """Queue `text` in bursts of 1-40 keys, a session change between bursts, then wait
    until every key has been handled."""
    app = pilot.app
    screen = consultation(pilot)
    rng = random.Random(seed)
    i = n = 0
    while i < len(text):
        size = rng.randint(1, 40)
        for ch in text[i : i + size]:
            app.post_message(key_event(ch))
        i += size
        if changes:
            screen.post_message(SessionChange(changes_from_elsewhere(n)))
            n += 1
    for _ in range(200):  # the queue drains in well under a second; this is a bound
        await pilot.pause()
        if not app._message_queue.qsize() and not screen._message_queue.qsize():
            break
    await pilot.pause()


def shown(pilot: Pilot, widget_id: str) -> str:
    widget = pilot.app.screen.query_one(f"#{widget_id}")
    return widget.text if isinstance(widget, TextArea) else widget.value  # type: ignore[union-attr]


async def focus_end(pilot: Pilot, widget_id: str) -> None:
    widget = pilot.app.screen.query_one(f"#{widget_id}")
    widget.focus()
    await pilot.pause()
    await pilot.press("end" if isinstance(widget, Input) else "ctrl+end")


@dataclass(frozen=True)
class Field:
    talk: str  # the F-key of its talk
    widget_id: str
    text: str
    stored: Callable[[Session], str]
    training: bool = False


FIELDS = {
    "what the decision is": Field("f2", "team-decision", ONE_LINE, lambda s: s.team_talk.decision),
    "what matters": Field("f2", "team-matters", REASON, lambda s: s.team_talk.what_matters),
    "reason": Field("f5", "reason", REASON, lambda s: s.decision.reason),
    "next steps": Field(
        "f5",
        "next-steps",
        "Start Tablet A on Monday\nWeigh in every 2 weeks\nCall the team if I sleep badly",
        lambda s: "\n".join(s.decision.next_steps),
    ),
    "observer note": Field(
        "f8",
        f"obs-note-{FIRST_NOTE_ITEM}",
        REASON,
        lambda s: s.training.observer_notes.get(FIRST_NOTE_ITEM, "") if s.training else "",
        training=True,
    ),
}


async def open_field(app: SdmApp, pilot: Pilot, field: Field) -> ConsultationScreen:
    grid = app.catalog.get("example-grid")
    if field.training:
        scenario = app.scenarios.get("weight-worry")
        session = start_role_play(scenario, grid, app_version="test")
        screen = ConsultationScreen(app.store, grid, session, scenario=scenario)
        app.store.claim_draft(session.record_id)
        await app.push_screen(screen)
        await pilot.pause()
        await pilot.press(field.talk)
        await pilot.pause()
    else:
        screen = await open_consultation(app, pilot, prepared(grid), field.talk)
    await focus_end(pilot, field.widget_id)
    return screen


@pytest.fixture
def words_app(store) -> SdmApp:
    from pathlib import Path

    from sdm_tui.core.catalog import load_catalog
    from sdm_tui.core.scenario import load_scenarios, scenario_paths

    data = Path(__file__).resolve().parent.parent / "data"
    catalog = load_catalog(data)
    folder = data / "scenarios-ui"
    scenarios = load_scenarios(scenario_paths(folder), catalog.grids)
    return SdmApp(store, catalog, scenarios=scenarios, scenarios_dir=folder)


@pytest.mark.parametrize("name", list(FIELDS))
async def test_words_typed_in_bursts_are_kept_in_every_text_field(words_app, name) -> None:
    field = FIELDS[name]
    async with words_app.run_test(size=(100, 30)) as pilot:
        screen = await open_field(words_app, pilot, field)
        await burst(pilot, field.text, seed=len(name))
        assert shown(pilot, field.widget_id) == field.text  # nothing dropped or moved
        await typing_applied(pilot)
        assert field.stored(screen.session) == field.text
        assert field.stored(draft(pilot)) == field.text
        assert screen.session.participant("p1").importance  # the changes did arrive
        # Leaving the field and more changes: the field still shows the same words.
        await pilot.press("tab")
        screen.post_message(SessionChange(changes_from_elsewhere(7)))
        await pilot.pause()
        assert shown(pilot, field.widget_id) == field.text


async def test_reason_typed_in_bursts_twenty_times_in_a_row(words_app) -> None:
    """The bug of issue 18 (5 scrambled reasons in 6): 20 rounds in one run, each with
    its own burst sizes; between rounds a redraw empties the field it no longer edits."""
    async with words_app.run_test(size=(100, 30)) as pilot:
        screen = await open_field(words_app, pilot, FIELDS["reason"])
        area = screen.query_one("#reason", TextArea)
        text = REASON[:150].rstrip()
        for seed in range(20):
            await burst(pilot, text, seed=seed)
            assert area.text == text, f"round {seed}: {area.text!r}"
            # Leaving the field applies and saves at once (no waiting for the pause).
            words_app.set_focus(None)
            await pilot.pause()
            screen.wait_saved()  # written by the background writer
            assert screen.session.decision.reason == text, f"round {seed}"
            assert draft(pilot).decision.reason == text, f"round {seed}"
            # Not being edited any more: a redraw may (and does) show the session.
            screen.apply(lambda s: t.set_decision(s, reason=""))
            await pilot.pause()
            assert area.text == ""
            await focus_end(pilot, "reason")


@pytest.mark.parametrize("where", ["note", "view"])
async def test_words_typed_in_bursts_are_kept_in_dialogs(words_app, where) -> None:
    """A note (option talk, n) and a side's view of a disagreement (side by side)."""
    async with words_app.run_test(size=(100, 30)) as pilot:
        grid = words_app.catalog.get("example-grid")
        session = t.record_disagreement(prepared(grid), "Whether weight matters more")
        screen = await open_consultation(words_app, pilot, session, "f3")
        if where == "note":
            await pilot.press("n")
            await pilot.pause()
            assert isinstance(words_app.screen, NoteScreen)
        else:
            await pilot.press("f4")
            await pilot.pause()
            await open_disagreement(pilot, session.disagreements[0].id)
            assert isinstance(words_app.screen, DisagreementScreen)
        await burst(pilot, REASON, seed=3)
        assert words_app.screen.query_one(TextArea).text == REASON
        await pilot.press("ctrl+s")
        await pilot.pause()
        me = screen.session.participant("p1")
        kept = me.notes[-1] if where == "note" else screen.session.disagreements[0].views["p1"]
        assert kept == REASON


async def test_a_paste_keeps_its_order_and_line_breaks(words_app) -> None:
    """A bracketed paste with control characters and escapes, into a reason being typed."""
    pasted = "First words\x1b[31m in red\x07\r\nsecond line\x00\rthird\tline"
    cleaned = "First words in red\nsecond line\nthird\tline"
    async with words_app.run_test(size=(100, 30)) as pilot:
        screen = await open_field(words_app, pilot, FIELDS["reason"])
        await burst(pilot, "Before. ", seed=1)
        words_app.post_message(events.Paste(pasted))
        await burst(pilot, " After.", seed=2)
        expected = "Before. " + cleaned + " After."
        assert screen.query_one("#reason", TextArea).text == expected
        await typing_applied(pilot)
        assert draft(pilot).decision.reason == expected


async def test_typing_is_saved_without_leaving_the_field(words_app) -> None:
    """The draft on disk (as a kill would leave it) has the words typed, without Enter,
    Tab or Ctrl+S: after a pause, and also while typing goes on without a pause."""
    async with words_app.run_test(size=(100, 30)) as pilot:
        screen = await open_field(words_app, pilot, FIELDS["what matters"])
        await burst(pilot, "Keeping my job.", changes=False)
        assert draft(pilot).team_talk.what_matters == ""  # not on every key
        # After the pause in typing, by the app's own timer (nothing pressed, nothing left):
        await until(
            pilot,
            lambda: draft(pilot).team_talk.what_matters == "Keeping my job.",
            "the draft holds the words typed",
        )
        assert screen.query_one("#team-matters", TextArea).has_focus
        # Typing on without stopping for as long as the pause: still saved every second.
        words = [" And", " my", " sleep", " too", " please"]
        gap = TYPING_IDLE * 0.6  # the typist's rhythm: never long enough to count as a pause
        assert gap * len(words) > TYPING_MAX  # typing goes on longer than the longest wait
        for word in words:
            await burst(pilot, word, changes=False)
            await pilot.pause(gap)
        on_disk = draft(pilot).team_talk.what_matters
        assert on_disk.startswith("Keeping my job. And my") and len(on_disk) > 22
        assert screen.query_one("#team-matters", TextArea).has_focus


async def test_keys_after_a_long_burst_reach_the_next_control(words_app) -> None:
    """3,000 characters into "what matters", then Tab and Enter at once: the Tab leaves
    the text box and Enter answers "how involved" (the keys are not typed as text)."""
    long_text = ("Feeling awake at work and keeping my weight steady. " * 60)[:3000]
    async with words_app.run_test(size=(100, 30)) as pilot:
        screen = await open_field(words_app, pilot, FIELDS["what matters"])
        await burst(pilot, long_text, seed=5, changes=False)
        words_app.post_message(events.Key("tab", "\t"))
        words_app.post_message(events.Key("enter", "\r"))
        await pilot.pause()
        await pilot.pause()
        assert screen.query_one("#team-matters", TextArea).text == long_text
        assert isinstance(words_app.focused, RadioSet)
        assert words_app.focused.id == "team-involvement"
        await typing_applied(pilot)
        assert screen.session.team_talk.what_matters == long_text.strip()
        assert screen.session.team_talk.involvement == next(iter(Involvement))
