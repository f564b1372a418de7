"""Training role-plays, driven from Home with key presses only.

A whole role-play: choose a scenario, read and hide private briefs, talk a
little, score the clinician as the observer, mark the learning goals, fill the
certainty check and feedback, save, export the debrief; then read back the saved
record (integrity-checked) and the debrief Markdown. Every person is invented
(tests/data/scenarios-ui).
"""

from __future__ import annotations

import errno
import html
import os
import re
import stat
import types
from pathlib import Path

import flow
import pytest
from markdown_it import MarkdownIt
from textual.pilot import Pilot
from textual.widgets import OptionList, RadioSet, Static, TabbedContent

from sdm_tui.core import fsutil, record
from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.scenario import ScenarioSet, load_scenarios, scenario_paths
from sdm_tui.core.session import Answer3, Involvement, Mode, Outcome, Session, Stance
from sdm_tui.core.store import RecordStore
from sdm_tui.core.training import OBSERVER_ITEMS
from sdm_tui.ui.app import SdmApp
from sdm_tui.ui.screens.brief import BriefChooser, BriefScreen
from sdm_tui.ui.screens.consult import ConsultationScreen
from sdm_tui.ui.screens.home import HomeScreen
from sdm_tui.ui.screens.scenario_choice import ChooseScenario
from sdm_tui.ui.textual_compat import notifications

DATA = Path(__file__).resolve().parent.parent / "data"
SCENARIOS = DATA / "scenarios-ui"
SIZE = (100, 30)
SAM_BRIEF_WORD = "clothes"  # only in Sam's private brief
JO_BRIEF_WORD = "afraid"  # only in Jo's private brief
ODD_NOTE = "Said [/b] early | then <script>x</script> & *more*"
NOTES = {
    "invite": "Asked Sam first.",
    "team": ODD_NOTE,
    "inform": "Both tablets, fairly.",
    "elicit": "",
    "integrate": "Checked back with Sam.",
}
SCORES = {"invite": 3, "team": 2, "inform": 4, "elicit": 1, "integrate": 0}


def make_app(store: RecordStore, scenarios: ScenarioSet | None = None, folder: Path = SCENARIOS):
    catalog = load_catalog(DATA)
    if scenarios is None:
        scenarios = load_scenarios(scenario_paths(folder), catalog.grids)
    return SdmApp(store, catalog, scenarios=scenarios, scenarios_dir=folder)


@pytest.fixture
def training_app(store: RecordStore) -> SdmApp:
    """The app on the example grid with the test scenarios."""
    return make_app(store)


# Reading the screen ---------------------------------------------------------------


def widget_text(app: SdmApp) -> str:
    """The text of every Static and option on every screen in the stack (shown or under)."""
    parts: list[str] = []
    for screen in app.screen_stack:
        parts += [str(w.render()) for w in screen.query(Static)]
        for listing in screen.query(OptionList):
            parts += [
                str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)
            ]
    return "\n".join(parts)


def screen_text(app: SdmApp) -> str:
    """What the terminal shows now (from a screenshot, tags and entities removed)."""
    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\u00a0", " ")


def on_screen(app: SdmApp, text: str) -> bool:
    return text in screen_text(app) or text in widget_text(app)


async def start_role_play(pilot: Pilot, scenario_id: str) -> ConsultationScreen:
    """Home -> "Start a training role-play" -> the scenario -> team talk."""
    app = pilot.app
    assert isinstance(app.screen, HomeScreen)
    await flow.choose_option(pilot, app.screen.query_one("#home-actions", OptionList), "role-play")
    assert isinstance(app.screen, ChooseScenario)
    await flow.choose_option(pilot, app.screen.query_one("#scenario-list", OptionList), scenario_id)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ConsultationScreen), screen
    assert screen.training and screen.current_talk() == "team"
    return screen


async def show_brief(pilot: Pilot, choice: str) -> None:
    """F7, arrow to `choice` ("setting" or "role-N"), Enter: the brief is shown."""
    await flow.go(pilot, "f7")
    chooser = pilot.app.screen
    assert isinstance(chooser, BriefChooser)
    await flow.choose_option(pilot, chooser.query_one("#brief-choice", OptionList), choice)
    assert isinstance(pilot.app.screen, BriefScreen)


def tables(md: str) -> list[list[list[str]]]:
    """Every table in the Markdown as rows of cell text (escapes resolved)."""
    found: list[list[list[str]]] = []
    row: list[str] = []
    cell: str | None = None
    for tok in MarkdownIt("commonmark").enable("table").parse(md):
        if tok.type == "table_open":
            found.append([])
        elif tok.type == "tr_open":
            row = []
        elif tok.type in ("th_open", "td_open"):
            cell = ""
        elif tok.type == "inline" and cell is not None:
            cell = "".join(c.content for c in tok.children or [] if c.type == "text")
        elif tok.type in ("th_close", "td_close"):
            row.append(cell or "")
            cell = None
        elif tok.type == "tr_close":
            found[-1].append(row)
    return found


def token_types(md: str) -> set[str]:
    types_seen: set[str] = set()
    for tok in MarkdownIt("commonmark").enable("table").parse(md):
        types_seen.add(tok.type)
        types_seen.update(c.type for c in tok.children or [])
    return types_seen


def training_files(root: Path) -> list[Path]:
    base = root / "training"
    return sorted(p for p in base.rglob("*") if p.is_file()) if base.exists() else []


# The whole role-play ----------------------------------------------------------------------


async def observe(pilot: Pilot) -> None:
    """F8, then each item's score (arrows + Enter) and note (typed), then the goals."""
    await flow.go(pilot, "f8")
    screen = flow.consultation(pilot)
    assert screen.current_talk() == "observer"
    for item in OBSERVER_ITEMS:
        assert flow.focused_id(pilot) == f"obs-{item}", flow.focused_id(pilot)
        await flow.choose_radio(pilot, screen.query_one(f"#obs-{item}", RadioSet), SCORES[item])
        await pilot.press("tab")
        assert flow.focused_id(pilot) == f"obs-note-{item}"
        if NOTES[item]:
            await flow.type_text(pilot, NOTES[item])
        await pilot.press("tab")
    await pilot.pause()
    marks = {"ask-what-matters": 0, "hear-the-carer": 1}  # met, missed; the third not marked
    for goal, index in marks.items():
        await flow.tab_to(pilot, f"goal-{goal}")
        await flow.choose_radio(pilot, screen.query_one(f"#goal-{goal}", RadioSet), index)
    training = flow.session(pilot).training
    assert training is not None
    assert training.observer_scores == SCORES
    assert training.goals_met == {"ask-what-matters": True, "hear-the-carer": False}
    total = str(screen.query_one("#obs-total", Static).render())
    assert total == "Total 10 of 20 (5 of 5 items scored)."


async def test_a_whole_role_play_from_home_to_the_exported_debrief(
    training_app: SdmApp, store: RecordStore
) -> None:
    app = training_app
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await flow.choose_option(
            pilot, app.screen.query_one("#home-actions", OptionList), "role-play"
        )
        chooser = app.screen
        assert isinstance(chooser, ChooseScenario)
        titles = chooser.query_one("#scenario-list", OptionList)
        assert [titles.get_option_at_index(i).id for i in range(titles.option_count)] == [
            "weight-worry",
            "you-decide",
        ]
        # The preview shows the public setting and goals, never a brief.
        assert on_screen(app, "first episode of psychosis")
        assert on_screen(app, "Asks Sam what matters most")
        assert not on_screen(app, SAM_BRIEF_WORD) and not on_screen(app, JO_BRIEF_WORD)
        await flow.go(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)

        screen = await start_role_play(pilot, "weight-worry")
        assert screen.session.mode == Mode.TRAINING
        assert str(screen.query_one("#training-banner", Static).render()).endswith(
            "TRAINING ROLE-PLAY"
        )
        assert "TRAINING ROLE-PLAY" in screen_text(app)
        assert [p.label for p in screen.session.participants] == ["Sam", "Dr Lee", "Jo", "Observer"]
        assert "f7" in app.screen.active_bindings

        # Private briefs: each shown only while its player has it open.
        await show_brief(pilot, "role-0")
        assert on_screen(app, SAM_BRIEF_WORD) and not on_screen(app, JO_BRIEF_WORD)
        await flow.go(pilot, "f7")
        assert isinstance(app.screen, ConsultationScreen)
        assert not on_screen(app, SAM_BRIEF_WORD)
        await show_brief(pilot, "role-2")
        assert on_screen(app, JO_BRIEF_WORD) and not on_screen(app, SAM_BRIEF_WORD)
        await flow.go(pilot, "escape")
        assert isinstance(app.screen, ConsultationScreen)
        assert not on_screen(app, JO_BRIEF_WORD)
        await show_brief(pilot, "setting")
        assert on_screen(app, "older sibling")
        await flow.go(pilot, "escape")
        assert flow.session(pilot).completed is None and screen.current_talk() == "team"

        # A little team and option talk.
        await flow.what_matters(pilot, "My weight, and how I look.", Involvement.TOGETHER)
        await flow.talk(pilot, "options")
        await flow.rate(pilot, "Sam", {"weight": 4, "works": 2})
        await flow.rate(pilot, "Dr Lee", {"weight": 3, "works": 4})

        await observe(pilot)

        # Exporting before saving says why, and writes nothing.
        await flow.go(pilot, "f9")
        assert screen.current_talk() == "debrief"
        assert on_screen(app, "save the record first (Ctrl+S)")
        await flow.go(pilot, "ctrl+e")
        assert training_files(store.root) == []

        await flow.decide(
            pilot,
            Outcome.DEFERRED,
            reason="I want to think about Tablet A.",
            stances={"Sam": Stance.AGREE, "Dr Lee": Stance.AGREE, "Jo": Stance.GO_ALONG},
        )
        await flow.certainty(pilot, "Sam", {"know": "yes", "values": "yes", "sure": "unsure"})
        await flow.certainty(pilot, "Dr Lee", {"know": "yes"})
        await flow.certainty(pilot, "Jo", {"sure": "no"})
        await flow.feedback(pilot, {"understand": 3, "listened": 4, "included": 2})

        await flow.save(pilot)
        assert screen.saved_to, "not saved"
        await pilot.pause()
        # Saving a role-play goes straight on to the debrief, ready to export.
        assert screen.current_talk() == "debrief"
        shown = [n.message for n in notifications(app)]
        assert any("Ctrl+E exports it" in m for m in shown), shown
        assert on_screen(app, "Record saved")
        assert flow.focused_id(pilot) == "debrief-export"
        await flow.go(pilot, "ctrl+e")
        debrief_file = Path(screen.saved_to).with_name(Path(screen.saved_to).stem + ".debrief.md")
        assert on_screen(app, "Debrief exported")
        assert debrief_file.is_file()
        first = debrief_file.read_bytes()
        await flow.go(pilot, "ctrl+e")  # again: never overwritten
        assert on_screen(app, "it was not written again")
        assert debrief_file.read_bytes() == first

    # The record: training, in training/, with the observer's work.
    assert not (store.root / "clinical").exists()
    files = training_files(store.root)
    assert [p.suffix for p in files] == [".md", ".md", ".toml"]  # debrief, summary, record
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    saved = record.load(next(p for p in files if p.suffix == ".toml"))
    assert saved.mode == Mode.TRAINING and saved.completed is not None
    assert saved.service_user_ref == "TRAIN-0001"
    assert saved.training is not None and saved.training.scenario == "weight-worry"
    assert saved.training.observer_scores == SCORES
    assert saved.training.observer_notes == {k: v for k, v in NOTES.items() if v}
    assert saved.training.goals_met == {"ask-what-matters": True, "hear-the-carer": False}
    ids = {p.label: p.id for p in saved.participants}
    assert saved.participant(ids["Sam"]).certainty == {
        "know": Answer3.YES,
        "values": Answer3.YES,
        "sure": Answer3.UNSURE,
    }
    assert saved.participant(ids["Jo"]).certainty == {"sure": Answer3.NO}
    assert saved.feedback == {"understand": 3, "listened": 4, "included": 2}
    assert saved.team_talk.what_matters == "My weight, and how I look."
    assert not store.draft_path(saved.record_id).exists()

    # The debrief: scores with notes, goals, feedback and everyone's certainty.
    md = debrief_file.read_text(encoding="utf-8")
    assert md.startswith("# Role-play debrief: Worried about weight gain\n")
    observer, feedback, certainty = tables(md)
    assert observer[0] == ["Area", "Score", "Observer's note"]
    assert observer[1] == ["Inviting the person in", "3 of 4 (mostly)", "Asked Sam first."]
    assert observer[2] == ["Deliberating as a team", "2 of 4 (partly)", ODD_NOTE]
    assert observer[4] == ["Eliciting preferences", "1 of 4 (a little)", ""]
    assert observer[5][1] == "0 of 4 (not seen)"
    assert "✓ met: Asks Sam what matters most before talking about switching." in md
    assert "✗ missed: Hears Jo" in md
    assert "· not marked: Explains the good and bad points" in md
    assert feedback[1] == [
        "How much did we help you understand your choices today?",
        "3 of 4 (a lot)",
    ]
    assert certainty[0] == [
        "Check",
        "Sam (service user)",
        "Dr Lee (clinician)",
        "Jo (carer or supporter)",
    ]
    assert certainty[1][1:] == ["yes", "yes", "not answered"]
    assert certainty[4][1:] == ["unsure", "not answered", "no"]
    assert not {"html_inline", "html_block", "link_open", "em_open", "strong_open"} & token_types(
        md
    )


# Clinical consultations stay as they were -------------------------------------------------


async def test_a_clinical_consultation_has_no_role_play_talks_or_keys(
    training_app: SdmApp,
) -> None:
    async with training_app.run_test(size=SIZE) as pilot:
        screen = await flow.start(pilot, "example-grid")
        tabs = [pane.id for pane in screen.query_one(TabbedContent).query("TabPane")]
        assert tabs == ["tab-team", "tab-options", "tab-side", "tab-decision", "tab-summary"]
        assert not screen.query("#training-banner")
        assert "f7" not in training_app.screen.active_bindings
        for key in ("f7", "f8", "f9"):
            await flow.go(pilot, key)
            assert training_app.screen is screen and screen.current_talk() == "team"
        assert "TRAINING" not in screen_text(training_app)


# Resuming, and things that go wrong -------------------------------------------------------


async def test_a_resumed_role_play_keeps_its_scenario_and_scores(
    training_app: SdmApp, store: RecordStore
) -> None:
    """A role-play draft left with one score (as the whole role-play above leaves its
    draft at every step), resumed from Home by keys."""
    from sdm_tui.core.training import score_item
    from sdm_tui.core.training import start_role_play as begin

    scenario = training_app.scenarios.get("weight-worry")
    assert scenario is not None
    left = begin(scenario, training_app.catalog.get(scenario.grid), app_version="test")
    store.save_draft(score_item(left, "invite", 4))
    store.release_draft(left.record_id)  # as the process that left it would
    async with training_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await training_app.workers.wait_for_complete()  # Home lists the drafts in a thread
        await pilot.pause()
        assert isinstance(training_app.screen, HomeScreen)
        drafts = training_app.screen.query_one("#drafts", OptionList)
        assert "training" in str(drafts.get_option_at_index(0).prompt)
        await flow.choose_option(
            pilot, training_app.screen.query_one("#home-actions", OptionList), "resume"
        )
        await pilot.press("enter")
        await pilot.pause()
        resumed = training_app.screen
        assert isinstance(resumed, ConsultationScreen) and resumed.scenario is not None
        assert resumed.session.record_id == left.record_id
        await flow.go(pilot, "f8")
        assert resumed.query_one("#obs-invite", RadioSet).pressed_index == 4
        await show_brief(pilot, "role-0")
        assert on_screen(training_app, SAM_BRIEF_WORD)


async def test_no_usable_scenario_says_which_folder_and_how_to_check(store: RecordStore) -> None:
    broken = SCENARIOS / "broken"
    app = make_app(store, folder=broken)
    assert app.scenarios.scenarios == {} and app.scenarios.problems
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = [n.message for n in notifications(app)]
        assert any("bad-grid.toml" in m and "no grid with id" in m for m in shown), shown
        await flow.choose_option(
            pilot, app.screen.query_one("#home-actions", OptionList), "role-play"
        )
        assert isinstance(app.screen, ChooseScenario)
        text = widget_text(app)
        assert f"No role-play scenario can be used from {broken}." in text
        assert "sdm-tui scenarios validate" in text
        assert "no grid with id 'no-such-grid'" in text
        await flow.go(pilot, "enter")
        assert isinstance(app.screen, ChooseScenario)
        await flow.go(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)


def deferred_role_play(app: SdmApp) -> Session:
    """The "You decide, doctor" role-play, started and deferred (ready to save)."""
    from datetime import date, timedelta

    from sdm_tui.core import transitions as t
    from sdm_tui.core.training import start_role_play as begin

    scenario = app.scenarios.get("you-decide")
    assert scenario is not None
    s = begin(scenario, app.catalog.get(scenario.grid), app_version="test")
    review = date.today() + timedelta(weeks=6)
    return t.set_decision(s, outcome=Outcome.DEFERRED, review_date=review)


async def test_a_debrief_that_cannot_be_written_can_go_to_another_folder(
    training_app: SdmApp, store: RecordStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = os.open

    def read_only(path, *args, **kwargs):
        if ".debrief.md" in str(path) and str(path).startswith(str(store.root)):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        return real_open(path, *args, **kwargs)

    elsewhere = tmp_path / "usb" / "debriefs"
    async with training_app.run_test(size=SIZE) as pilot:
        screen = await flow.open_consultation(training_app, pilot, deferred_role_play(training_app))
        await flow.save(pilot)
        await flow.go(pilot, "f9")
        assert screen.saved_to and screen.current_talk() == "debrief"
        fake = types.ModuleType("os")
        fake.__dict__.update(os.__dict__)
        fake.open = read_only  # type: ignore[attr-defined]
        monkeypatch.setattr(fsutil, "os", fake)
        await flow.go(pilot, "ctrl+e")
        assert on_screen(training_app, "Not exported")
        assert on_screen(training_app, "read-only")
        assert flow.focused_id(pilot) == "debrief-folder"
        await flow.type_text(pilot, str(elsewhere))
        await flow.go(pilot, "enter")
        assert on_screen(training_app, "Debrief exported")
    written = list(elsewhere.glob("*.debrief.md"))
    assert len(written) == 1 and written[0].name == Path(screen.saved_to).stem + ".debrief.md"
    assert written[0].read_text().startswith('# Role-play debrief: "You decide, doctor"\n')
    assert [p.suffix for p in training_files(store.root)] == [".md", ".toml"]  # record kept
