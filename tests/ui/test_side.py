"""Side by side: columns per person, disagreements marked and their views recorded."""

from __future__ import annotations

from flow import open_consultation, type_text
from rich.text import Text
from textual.widgets import Checkbox, DataTable, OptionList, TextArea

from sdm_tui.core import record
from sdm_tui.core import transitions as t
from sdm_tui.core.session import CarerConsent, Leaning, Role, Session, grid_ref, new_session
from sdm_tui.ui.app import SdmApp
from sdm_tui.ui.screens.consult import ConsultationScreen
from sdm_tui.ui.screens.disagree import DisagreementScreen, NameDisagreementScreen


def make_session(app: SdmApp, *, carer_label: str = "Carer") -> Session:
    grid = app.catalog.get("example-grid")
    assert grid is not None
    s = new_session(grid_ref=grid_ref(grid), app_version="test")
    s = t.add_participant(s, Role.SERVICE_USER, "Service user")
    s = t.add_participant(s, Role.CARER, carer_label)
    s = t.add_participant(s, Role.CLINICIAN, "Dr Test")
    s = t.set_carer_consent(s, CarerConsent.YES)
    s = t.choose_options(s, ["tablet-a", "tablet-b", "no-change"])
    s = t.rate_importance(s, "p1", "weight", 4)
    s = t.rate_importance(s, "p2", "weight", 3)
    s = t.rate_importance(s, "p3", "weight", 1)
    s = t.set_leaning(s, "p1", "no-change", Leaning.AWAY)
    s = t.set_leaning(s, "p2", "no-change", Leaning.TOWARDS)
    s = t.set_leaning(s, "p1", "tablet-a", Leaning.TOWARDS)
    s = t.set_leaning(s, "p3", "tablet-a", Leaning.OPEN)
    return s


async def start(app: SdmApp, pilot, session: Session) -> ConsultationScreen:
    return await open_consultation(app, pilot, session, "f4")


def cell(table: DataTable, row: str, column: str) -> str:
    value = table.get_cell(row, column)
    return value.plain if isinstance(value, Text) else str(value)


async def test_columns_and_marks(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(120, 40)) as pilot:
        await start(example_app, pilot, make_session(example_app))
        table = example_app.screen.query_one("#side-table", DataTable)
        headers = [c.label.plain for c in table.columns.values()]
        assert "Service user\nservice user" in headers
        assert "Carer\ncarer" in headers
        assert "Dr Test\nclinician" in headers
        assert cell(table, "importance:weight", "p1") == "4 most"
        assert cell(table, "importance:weight", "p3") == "1 a little"
        assert cell(table, "importance:works", "p1") == "–"
        assert cell(table, "importance:weight", "mark") == "⚠ differ"
        assert cell(table, "leaning:no-change", "p1") == "▼ away"
        assert cell(table, "leaning:no-change", "p2") == "▲ towards"
        assert cell(table, "leaning:no-change", "mark") == "⚠ differ"
        assert cell(table, "leaning:tablet-a", "mark") == ""
        listing = example_app.screen.query_one("#side-disagreements", OptionList)
        prompts = [listing.get_option_at_index(i).prompt.plain for i in range(listing.option_count)]
        assert len(prompts) == 2
        assert all(p.startswith("⚠ still open") for p in prompts)


async def test_open_write_views_and_talk_through(example_app: SdmApp) -> None:
    session = make_session(example_app)
    async with example_app.run_test(size=(100, 30)) as pilot:
        await start(example_app, pilot, session)
        table = example_app.screen.query_one("#side-table", DataTable)
        assert table.has_focus
        # Rows: section, works, weight, section, tablet-a, tablet-b, no-change.
        for _ in range(6):
            await pilot.press("down")
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == (
            "leaning:no-change"
        )
        await pilot.press("enter")
        await pilot.pause()
        modal = example_app.screen
        assert isinstance(modal, DisagreementScreen)
        assert modal.query_one("#view-p1", TextArea).has_focus
        await type_text(pilot, "I feel worse on it")
        await pilot.press("tab")
        await type_text(pilot, "[/b] stay as now")
        await pilot.press("tab", "tab", "space")  # past Dr Test's box to the checkbox
        assert modal.query_one("#talked-through", Checkbox).value
        await pilot.press("ctrl+s")
        await pilot.pause()
        consult = example_app.screen
        assert isinstance(consult, ConsultationScreen)
        item = next(d for d in consult.session.disagreements if d.id == "leaning:no-change")
        assert item.views == {"p1": "I feel worse on it", "p2": "[/b] stay as now"}
        assert item.status == "talked-through"
        saved = record.load(example_app.store.draft_path(session.record_id))
        saved_item = next(d for d in saved.disagreements if d.id == "leaning:no-change")
        assert saved_item.views == item.views
        assert saved_item.status == "talked-through"
        assert cell(table, "leaning:no-change", "mark") == "✓ talked"
        listing = consult.query_one("#side-disagreements", OptionList)
        prompt = listing.get_option("leaning:no-change").prompt.plain
        assert prompt.startswith("✓ talked through") and "views from 2 of 3" in prompt


async def test_escape_keeps_old_views(example_app: SdmApp) -> None:
    session = t.set_view(make_session(example_app), "importance:weight", "p1", "old words")
    async with example_app.run_test(size=(100, 30)) as pilot:
        await start(example_app, pilot, session)
        await pilot.press("tab")  # to the list of disagreements
        listing = example_app.screen.query_one("#side-disagreements", OptionList)
        assert listing.has_focus
        listing.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(example_app.screen, DisagreementScreen)
        area = example_app.screen.query_one("#view-p1", TextArea)
        assert area.text == "old words"
        await pilot.press("end")
        await type_text(pilot, " and new")
        await pilot.press("escape")
        await pilot.pause()
        consult = example_app.screen
        assert isinstance(consult, ConsultationScreen)
        item = next(d for d in consult.session.disagreements if d.id == "importance:weight")
        assert item.views == {"p1": "old words"}
        assert item.status == "open"


async def test_name_new_disagreement(example_app: SdmApp) -> None:
    session = make_session(example_app)
    async with example_app.run_test(size=(80, 24)) as pilot:
        await start(example_app, pilot, session)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(example_app.screen, NameDisagreementScreen)
        await pilot.press("enter")  # empty: a message, not a change
        await pilot.pause()
        assert isinstance(example_app.screen, NameDisagreementScreen)
        await type_text(pilot, "whether to stop for a while")
        await pilot.press("enter")
        await pilot.pause()
        consult = example_app.screen
        assert isinstance(consult, ConsultationScreen)
        recorded = [d for d in consult.session.disagreements if d.kind == "recorded"]
        assert [d.subject for d in recorded] == ["whether to stop for a while"]
        saved = record.load(example_app.store.draft_path(session.record_id))
        assert [d.id for d in saved.disagreements if d.kind == "recorded"] == ["recorded:1"]
        listing = consult.query_one("#side-disagreements", OptionList)
        assert listing.has_focus
        assert listing.highlighted == 2
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(example_app.screen, DisagreementScreen)
        await type_text(pilot, "I want a break")
        await pilot.press("ctrl+s")
        await pilot.pause()
        item = example_app.screen.session.disagreements[-1]
        assert item.views == {"p1": "I want a break"}
        assert item.status == "open"


async def test_markup_in_labels_and_views_is_literal(example_app: SdmApp) -> None:
    nasty = "[@click=app.quit]x[/]"
    session = make_session(example_app, carer_label=nasty)
    session = t.set_view(session, "leaning:no-change", "p2", "[/b] [bold]hi")
    session = t.record_disagreement(session, "[red]about[/red] stopping")
    async with example_app.run_test(size=(80, 24)) as pilot:
        await start(example_app, pilot, session)
        table = example_app.screen.query_one("#side-table", DataTable)
        headers = [c.label.plain for c in table.columns.values()]
        assert f"{nasty[:11]}…\ncarer" in headers  # cut to the column, with …
        listing = example_app.screen.query_one("#side-disagreements", OptionList)
        assert "[red]about[/red] stopping" in listing.get_option("recorded:1").prompt.plain
        await pilot.click("#side-table", offset=(5, 3))
        await pilot.pause()
        listing.focus()
        listing.highlighted = 1
        await pilot.press("enter")
        await pilot.pause()
        modal = example_app.screen
        assert isinstance(modal, DisagreementScreen)
        assert modal.query_one("#view-p2", TextArea).text == "[/b] [bold]hi"
        example_app.save_screenshot("/tmp/side-modal-nasty.svg")
        await pilot.press("escape")
        await pilot.pause()
        assert example_app.is_running
        assert isinstance(example_app.screen, ConsultationScreen)


async def test_table_follows_new_sessions_in_place(example_app: SdmApp) -> None:
    session = make_session(example_app)
    async with example_app.run_test(size=(120, 40)) as pilot:
        screen = await start(example_app, pilot, session)
        table = screen.query_one("#side-table", DataTable)
        await pilot.press("down", "down")
        before = table.cursor_row
        screen.apply(lambda s: t.set_leaning(s, "p3", "no-change", Leaning.TOWARDS))
        await pilot.pause()
        assert cell(table, "leaning:no-change", "p3") == "▲ towards"
        assert table.cursor_row == before
        screen.apply(lambda s: t.rate_importance(s, "p3", "weight", 3))
        await pilot.pause()
        assert cell(table, "importance:weight", "mark") == ""
