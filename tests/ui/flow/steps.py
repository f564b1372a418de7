"""Reusable steps that drive sdm-tui through its real UI, with key presses only.

Each step presses the keys a person would press (Tab, arrows, Enter, Space,
letters, F-keys, Ctrl+S). The app's state is *read* (which widget has the
focus, where the cursor is) only to decide which keys to press next and to
fail with a clear message when the screen is not what the step expects.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import events
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, RadioSet, Select

from sdm_tui.core import record
from sdm_tui.core.session import (
    ROLE_NAMES,
    CarerConsent,
    Involvement,
    Leaning,
    Outcome,
    Participant,
    Role,
    Session,
    Stance,
)
from sdm_tui.ui.app import SdmApp
from sdm_tui.ui.panes.decision import ANSWERS, OUTCOMES, STANCES
from sdm_tui.ui.panes.options import FIRST_OPTION_COL, OptionTalkPane
from sdm_tui.ui.panes.team import CONSENT_TEXT
from sdm_tui.ui.screens.consult import ConsultationScreen
from sdm_tui.ui.screens.disagree import DisagreementScreen
from sdm_tui.ui.screens.note import NoteScreen
from sdm_tui.ui.textual_compat import SelectOverlay
from sdm_tui.ui.widgets.person_bar import PersonBar

TALK_KEYS = {"team": "f2", "options": "f3", "side": "f4", "decision": "f5", "summary": "f6"}
LEAN_KEYS = {
    Leaning.TOWARDS: "t",
    Leaning.OPEN: "o",
    Leaning.AWAY: "a",
    Leaning.UNSURE: "u",
    None: "minus",
}
STANCE_WORDS = {stance: words for words, stance in STANCES}


# Reading the screen ------------------------------------------------------------


async def open_consultation(
    app: SdmApp, pilot: Pilot, session: Session, talk_key: str = ""
) -> ConsultationScreen:
    """Open the real consultation screen on a prepared session, as Home does (claim the
    draft, push the screen), then open a talk by its key. Most tests start here; one
    end-to-end keyboard test per mode starts from Home instead (`start`)."""
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


def consultation(pilot: Pilot) -> ConsultationScreen:
    """The consultation screen (under any modal on top of it)."""
    screen = pilot.app.consultation()  # type: ignore[attr-defined]
    assert isinstance(screen, ConsultationScreen), f"no consultation open: {pilot.app.screen}"
    return screen


def session(pilot: Pilot) -> Session:
    return consultation(pilot).session


def person(s: Session, label: str) -> Participant:
    return next(p for p in s.participants if p.label == label)


def focused_id(pilot: Pilot) -> str | None:
    focused = pilot.app.focused
    return focused.id if focused is not None else None


def draft(pilot: Pilot) -> Session:
    """The autosaved draft, as read back from disk."""
    s = session(pilot)
    return record.load(pilot.app.store.draft_path(s.record_id))  # type: ignore[attr-defined]


def saved_files(store_root: Path) -> list[Path]:
    """Every finished file (record and summary) under <root>/clinical."""
    base = store_root / "clinical"
    return sorted(p for p in base.rglob("*") if p.is_file()) if base.exists() else []


def saved_record(store_root: Path) -> tuple[Session, str, Path]:
    """The one finished record (checked on load), its Markdown summary and its path."""
    tomls = [p for p in saved_files(store_root) if p.suffix == ".toml"]
    assert len(tomls) == 1, f"expected one saved record, found {tomls}"
    path = tomls[0]
    return record.load(path), path.with_suffix(".md").read_text(encoding="utf-8"), path


# Moving about ------------------------------------------------------------------


async def go(pilot: Pilot, key: str) -> None:
    """Press a key (an F-key, Escape, ...) and let the screen settle."""
    await pilot.press(key)
    await pilot.pause()


async def talk(pilot: Pilot, name: str) -> None:
    await go(pilot, TALK_KEYS[name])
    assert consultation(pilot).current_talk() == name


async def tab_to(pilot: Pilot, widget_id: str, limit: int = 40) -> None:
    """Tab forward until `widget_id` has the focus."""
    for _ in range(limit):
        if focused_id(pilot) == widget_id:
            return
        await pilot.press("tab")
    raise AssertionError(f"Tab never reached #{widget_id}; stuck on {focused_id(pilot)}")


async def until(pilot: Pilot, done: Callable[[], bool], what: str, limit: float = 10.0) -> None:
    """Let the app run (its timers, workers, messages) until `done()`; the limit only
    stops a hang, it is not a timing assertion."""
    waited = 0.0
    while not done():
        assert waited < limit, f"never happened: {what}"
        await pilot.pause(0.05)
        waited += 0.05


async def typing_applied(pilot: Pilot, limit: float = 5.0) -> None:
    """Wait (by the app's own timers) until typed text has been applied and saved."""
    screen = consultation(pilot)
    waited = 0.0
    while any(pane.typing_waits() for pane in screen.panes.values()):
        assert waited < limit, "typed text was never applied"
        await pilot.pause(0.05)
        waited += 0.05
    await pilot.pause()
    screen.wait_saved()  # the draft is written by a background thread
    await pilot.pause()


def key_event(ch: str) -> events.Key:
    """The key a terminal sends for `ch` (a newline is Enter)."""
    if ch == "\n":
        return events.Key("enter", "\r")
    return events.Key(ch if ch.isalnum() else _character_to_key(ch), ch)


async def drained(pilot: Pilot) -> None:
    """Let the app handle every queued message (the keys, then what they posted)."""
    app = pilot.app
    for _ in range(200):  # a bound against a hang, not a timing check
        await pilot.pause()
        if not app._message_queue.qsize() and not app.screen._message_queue.qsize():
            break
    await pilot.pause()


async def type_text(pilot: Pilot, text: str) -> None:
    """Type `text` as a terminal sends typing: every key queued at once, in order (the
    way a fast typist's burst arrives), then handled; a newline is Enter. Pilot's
    `press` waits for the app to go idle after each key, which made typing the
    slowest part of the keyboard tests."""
    for ch in text:
        pilot.app.post_message(key_event(ch))
    await drained(pilot)


async def start(pilot: Pilot, grid_id: str) -> ConsultationScreen:
    """Home -> "Start a consultation" -> choose the grid `grid_id` -> team talk."""
    app = pilot.app
    actions = app.screen.query_one("#home-actions", OptionList)
    assert actions.highlighted is not None
    assert actions.get_option_at_index(actions.highlighted).id == "start"
    await pilot.press("enter")
    await pilot.pause()
    choice = app.screen.query_one("#grid-choice", OptionList)
    for _ in range(choice.option_count):
        highlighted = choice.highlighted or 0
        if choice.get_option_at_index(highlighted).id == grid_id:
            break
        await pilot.press("down")
    else:
        raise AssertionError(f"grid {grid_id} is not offered")
    await pilot.press("enter")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ConsultationScreen), screen
    assert screen.current_talk() == "team"
    assert screen.session.grid.id == grid_id
    return screen


# Team talk ------------------------------------------------------------------------


async def choose_in_select(pilot: Pilot, select: Select, prompt: str) -> None:
    """With `select` focused: open it, move to the option shown as `prompt`, Enter."""
    assert select.has_focus, f"{select.id} is not focused"
    await pilot.press("enter")
    await pilot.pause()
    overlay = select.query_one(SelectOverlay)
    prompts = [str(overlay.get_option_at_index(i).prompt) for i in range(overlay.option_count)]
    assert prompt in prompts, f"{prompt!r} not in {prompts}"
    target = prompts.index(prompt)
    current = overlay.highlighted or 0
    step = "down" if target > current else "up"
    await pilot.press(*[step] * abs(target - current), "enter")
    await pilot.pause()


async def choose_radio(pilot: Pilot, radio_set: RadioSet, index: int) -> None:
    """With `radio_set` focused: move to button `index` with the arrows and press Enter."""
    assert radio_set.has_focus, f"{radio_set.id} is not focused"
    current = radio_set._selected if radio_set._selected is not None else 0
    step = "down" if index > current else "up"
    await pilot.press(*[step] * abs(index - current), "enter")
    await pilot.pause()


async def add_person(pilot: Pilot, role: Role | str, label: str) -> Participant:
    """Team talk: choose the role (Shift+Tab to the role list), type the label, Enter."""
    role = Role(role) if not isinstance(role, Role) else role
    screen = consultation(pilot)
    if focused_id(pilot) != "team-label":
        await talk(pilot, "team")
    assert focused_id(pilot) == "team-label"
    select = screen.query_one("#team-role", Select)
    if select.value != role:
        await pilot.press("shift+tab")
        await choose_in_select(pilot, select, ROLE_NAMES[role])
        assert select.value == role
        await pilot.press("tab")
    assert focused_id(pilot) == "team-label"
    await type_text(pilot, label)
    await pilot.press("enter")
    await pilot.pause()
    added = person(screen.session, label)
    assert added.role == role
    return added


async def set_consent(pilot: Pilot, consent: CarerConsent) -> None:
    """The service user's answer to "May the carer take part?"."""
    await tab_to(pilot, "team-consent")
    radio_set = consultation(pilot).query_one("#team-consent", RadioSet)
    await choose_radio(pilot, radio_set, list(CONSENT_TEXT).index(consent))
    assert session(pilot).carer_consent == consent


async def set_reference(pilot: Pilot, reference: str) -> None:
    await tab_to(pilot, "team-ref")
    await type_text(pilot, reference)
    await pilot.press("enter")
    await pilot.pause()
    assert session(pilot).service_user_ref == reference


async def choose_options(pilot: Pilot, option_ids: list[str]) -> None:
    """Tick the options to compare in the list with the arrows and Space."""
    await tab_to(pilot, "team-options")
    widget = consultation(pilot).query_one("#team-options", OptionList)
    ids = [str(widget.get_option_at_index(i).value) for i in range(widget.option_count)]  # type: ignore[attr-defined]
    for option_id in sorted(option_ids, key=ids.index):
        current = widget.highlighted or 0
        await pilot.press(*["down"] * (ids.index(option_id) - current), "space")
    await pilot.pause()
    assert set(session(pilot).team_talk.options) == set(option_ids)


async def what_matters(pilot: Pilot, text: str, involvement: Involvement) -> None:
    await tab_to(pilot, "team-matters")
    await type_text(pilot, text)
    await pilot.press("tab")
    radio_set = consultation(pilot).query_one("#team-involvement", RadioSet)
    await choose_radio(pilot, radio_set, list(Involvement).index(involvement))
    assert session(pilot).team_talk.involvement == involvement


async def team(
    pilot: Pilot,
    grid_id: str,
    people: list[tuple[Role, str]],
    *,
    options: list[str],
    reference: str = "SU-0042",
    consent: CarerConsent | None = None,
) -> ConsultationScreen:
    """Home to the end of team talk: people, carer consent, reference, options."""
    screen = await start(pilot, grid_id)
    for role, label in people:
        await add_person(pilot, role, label)
    if consent is not None:
        await set_consent(pilot, consent)
    await set_reference(pilot, reference)
    await choose_options(pilot, options)
    return screen


# Option talk ----------------------------------------------------------------------


def _options_pane(pilot: Pilot) -> OptionTalkPane:
    return consultation(pilot).query_one(OptionTalkPane)


async def record_for(pilot: Pilot, label: str) -> None:
    """Option talk: press p until `label` is the person being recorded."""
    pane = _options_pane(pilot)
    bar = pane.query_one(PersonBar)
    voices = session(pilot).voices()
    for _ in range(len(voices) + 1):
        if bar.who.startswith(label + " ("):
            return
        await pilot.press("p")
        await pilot.pause()
    raise AssertionError(f"p never offered {label}; offered {[p.label for p in voices]}")


async def move_to(pilot: Pilot, row: int, column: int) -> None:
    """Move the grid's cursor with the arrow keys."""
    table = _options_pane(pilot).table
    assert table.has_focus
    here = table.cursor_coordinate
    keys = ["down" if row > here.row else "up"] * abs(row - here.row)
    keys += ["right" if column > here.column else "left"] * abs(column - here.column)
    if keys:
        await pilot.press(*keys)
    assert table.cursor_coordinate == (row, column), table.cursor_coordinate


async def rate(
    pilot: Pilot,
    label: str,
    importance: dict[str, int | None] | None = None,
    leanings: dict[str, Leaning | None] | None = None,
) -> None:
    """Option talk (open already): record `label`'s ratings (0-4, None = '-') and leanings."""
    pane = _options_pane(pilot)
    await record_for(pilot, label)
    questions = [q.id for q in pane.grid.questions]
    for question_id, value in (importance or {}).items():
        await move_to(pilot, 1 + questions.index(question_id), 1)
        await pilot.press("minus" if value is None else str(value))
    for option_id, leaning in (leanings or {}).items():
        await move_to(pilot, 0, FIRST_OPTION_COL + pane.options.index(option_id))
        await pilot.press(LEAN_KEYS[leaning])
    await pilot.pause()
    who = person(session(pilot), label)
    for question_id, value in (importance or {}).items():
        assert who.importance.get(question_id) == value, (label, question_id)
    for option_id, leaning in (leanings or {}).items():
        assert who.leanings.get(option_id) == leaning, (label, option_id)


async def note(pilot: Pilot, text: str, *, question: bool = False, paste: bool = False) -> None:
    """Option talk: n (or q), type or paste the words, Ctrl+S."""
    await pilot.press("q" if question else "n")
    await pilot.pause()
    assert isinstance(pilot.app.screen, NoteScreen)
    if paste:
        await paste_text(pilot, text)
    else:
        await type_text(pilot, text)
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert not isinstance(pilot.app.screen, NoteScreen)


async def paste_text(pilot: Pilot, text: str) -> None:
    """A bracketed paste from the terminal, delivered the way the driver delivers it."""
    from textual import events

    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


# Side by side ------------------------------------------------------------------------


async def choose_option(pilot: Pilot, listing: OptionList, option_id: str) -> None:
    """With `listing` focused: arrow to the option `option_id`, then Enter."""
    assert listing.has_focus
    ids = [listing.get_option_at_index(i).id for i in range(listing.option_count)]
    assert option_id in ids, ids
    current = listing.highlighted or 0
    target = ids.index(option_id)
    step = "down" if target > current else "up"
    await pilot.press(*[step] * abs(target - current), "enter")
    await pilot.pause()


async def open_disagreement(pilot: Pilot, disagreement_id: str) -> DisagreementScreen:
    """Side by side: Tab to the list of differences, arrow to one, Enter."""
    screen = consultation(pilot)
    listing = screen.query_one("#side-disagreements", OptionList)
    await tab_to(pilot, "side-disagreements")
    await choose_option(pilot, listing, disagreement_id)
    modal = pilot.app.screen
    assert isinstance(modal, DisagreementScreen)
    assert modal.disagreement.id == disagreement_id
    return modal


async def write_views(
    pilot: Pilot, disagreement_id: str, views: dict[str, str], *, talked_through: bool = False
) -> None:
    """Open a disagreement, type each person's view (by label) in their box, Ctrl+S."""
    modal = await open_disagreement(pilot, disagreement_id)
    for who in modal.voices:  # Tab goes person to person, then to the tick box
        assert focused_id(pilot) == f"view-{who.id}", f"not {who.label}'s box: {focused_id(pilot)}"
        if who.label in views:
            await type_text(pilot, views[who.label])
        await pilot.press("tab")
    assert focused_id(pilot) == "talked-through"
    if talked_through:
        await pilot.press("space")
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ConsultationScreen)


# Decision talk --------------------------------------------------------------------------


async def decide(
    pilot: Pilot,
    outcome: Outcome,
    *,
    option: str = "",
    reason: str = "",
    stances: dict[str, Stance] | None = None,
    next_steps: tuple[str, ...] = (),
) -> None:
    """Decision talk by keys: outcome, option, reason, stances, next steps (in Tab order)."""
    await talk(pilot, "decision")
    screen = consultation(pilot)
    assert focused_id(pilot) == "outcome"
    index = [o for o, _ in OUTCOMES].index(outcome)
    await choose_radio(pilot, screen.query_one("#outcome", RadioSet), index)
    assert screen.session.decision.outcome == outcome
    if option:
        await pilot.press("tab")
        select = screen.query_one("#chosen-option", Select)
        await choose_in_select(pilot, select, screen.session.grid.options[option])
        assert screen.session.decision.option == option
    if reason:
        await tab_to(pilot, "reason")
        await type_text(pilot, reason)
    for label, stance in (stances or {}).items():
        who = person(screen.session, label)
        await tab_to(pilot, f"stance-{who.id}")
        await choose_in_select(
            pilot, screen.query_one(f"#stance-{who.id}", Select), STANCE_WORDS[stance]
        )
    if next_steps:
        await tab_to(pilot, "next-steps")
        await type_text(pilot, "\n".join(next_steps))
    await typing_applied(pilot)  # typed text reaches the session after a short pause


async def certainty(pilot: Pilot, label: str, answers: dict[str, str]) -> None:
    """Decision talk: one person's certainty answers ("yes" / "unsure" / "no")."""
    screen = consultation(pilot)
    who = person(screen.session, label)
    for item, answer in answers.items():
        await tab_to(pilot, f"cert-{who.id}-{item}")
        index = [a.value for a, _ in ANSWERS].index(answer)
        await choose_radio(pilot, screen.query_one(f"#cert-{who.id}-{item}", RadioSet), index)


async def feedback(pilot: Pilot, answers: dict[str, int]) -> None:
    """Decision talk: the service user's feedback, 0 (not at all) to 4 (completely)."""
    screen = consultation(pilot)
    for item, value in answers.items():
        await tab_to(pilot, f"fb-{item}")
        await choose_radio(pilot, screen.query_one(f"#fb-{item}", RadioSet), value)


async def save(pilot: Pilot) -> None:
    """Ctrl+S "Finish and save", then Enter on "Finish and save" when it asks (it does
    not ask when something needed is missing: the summary says what)."""
    from sdm_tui.ui.screens.confirm import ConfirmFinish

    await pilot.press("ctrl+s")
    await pilot.pause()
    if isinstance(pilot.app.screen, ConfirmFinish):
        assert focused_id(pilot) == "yes"
        await pilot.press("enter")
        await pilot.pause()


def review_field(pilot: Pilot) -> str:
    return consultation(pilot).query_one("#review-date", Input).value


def side_table(pilot: Pilot) -> DataTable:
    return consultation(pilot).query_one("#side-table", DataTable)
