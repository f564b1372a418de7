"""Whole consultations to Ctrl+S, driven by key presses.

The first test is the one end-to-end keyboard test of a clinical consultation: from
Home to the saved record, every step by keys. The others start from a prepared
session (built with the real transitions, opened as Home opens a draft) at the talk
they are about, and go on by keys from there. Each checks what matters in the end:
the saved TOML record (read back and integrity-checked with `record.load`) and the
Markdown summary next to it. The driving steps live in tests/ui/flow.py.
"""

from __future__ import annotations

import stat
from datetime import date, timedelta
from pathlib import Path

import flow
from markdown_it import MarkdownIt
from markdown_it.token import Token
from textual.widgets import TextArea

from sdm_tui.core import transitions as t
from sdm_tui.core.session import (
    Answer3,
    CarerConsent,
    Involvement,
    Leaning,
    Outcome,
    Role,
    Session,
    Stance,
    grid_ref,
    new_session,
)
from sdm_tui.core.store import RecordStore
from sdm_tui.core.summary import CARER_NOT_INCLUDED, plain_date
from sdm_tui.ui.app import SdmApp

SIZE = (100, 30)
SIX_WEEKS = date.today() + timedelta(weeks=6)
TOWARDS, OPEN, AWAY, UNSURE = Leaning.TOWARDS, Leaning.OPEN, Leaning.AWAY, Leaning.UNSURE


# Reading the Markdown -----------------------------------------------------------


def tokens(md: str) -> list[Token]:
    return MarkdownIt("commonmark").enable("table").parse(md)


def section(md: str, heading: str) -> str:
    """The Markdown text under `## heading`, up to the next `## `."""
    marker = f"## {heading}\n"
    assert marker in md, f"no section {heading!r}"
    body = md.split(marker, 1)[1]
    return body.split("\n## ", 1)[0]


def rendered_text(md: str) -> str:
    """All the text a reader sees (inline text, with escapes resolved), one line each."""
    out: list[str] = []
    for tok in tokens(md):
        if tok.type == "inline":
            out.append("".join(c.content for c in tok.children or [] if c.type == "text"))
    return "\n".join(out)


def table(md: str) -> list[list[str]]:
    """The (one) table in the summary as rows of cell text; the header row first."""
    rows: list[list[str]] = []
    row: list[str] = []
    in_cell = False
    for tok in tokens(md):
        if tok.type == "tr_open":
            row = []
        elif tok.type in ("th_open", "td_open"):
            in_cell = True
        elif tok.type == "inline" and in_cell:
            row.append(tok.content.replace("\\", ""))
        elif tok.type in ("th_close", "td_close"):
            in_cell = False
        elif tok.type == "tr_close":
            rows.append(row)
    return rows


def headings(md: str) -> list[tuple[str, str]]:
    toks = tokens(md)
    return [(t.tag, toks[i + 1].content) for i, t in enumerate(toks) if t.type == "heading_open"]


def structural_types(md: str) -> set[str]:
    """Every block and inline token type used (to spot links, HTML, code, emphasis)."""
    found: set[str] = set()
    for tok in tokens(md):
        found.add(tok.type)
        found.update(c.type for c in tok.children or [])
    return found


UNSAFE = {"link_open", "image", "html_inline", "html_block", "code_inline", "fence", "em_open"}


def after_team_talk(
    app: SdmApp,
    grid_id: str,
    people: list[tuple[Role, str]],
    *,
    options: list[str],
    reference: str = "SU-0042",
    consent: CarerConsent | None = None,
) -> Session:
    """What team talk by keys leaves (test 1 does it by keys): people, consent,
    reference, options."""
    grid = app.catalog.get(grid_id)
    assert grid is not None
    s = new_session(grid_ref=grid_ref(grid), app_version="test")
    s = t.set_team_talk(s, decision=grid.decision)
    for role, label in people:
        s = t.add_participant(s, role, label)
    if consent is not None:
        s = t.set_carer_consent(s, consent)
    if reference:
        s = t.set_reference(s, reference)
    if options:
        s = t.choose_options(s, options)
    return s


# 1. Everyone agrees -------------------------------------------------------------------


async def test_everyone_agrees(example_app: SdmApp, store: RecordStore) -> None:
    reason = "Tablet A should not put much weight on me, and I can still work."
    async with example_app.run_test(size=SIZE) as pilot:
        await flow.start(pilot, "example-grid")
        await flow.add_person(pilot, Role.SERVICE_USER, "Me")
        await flow.add_person(pilot, Role.CLINICIAN, "Dr K")
        await flow.add_person(pilot, Role.CARER, "Mum")
        await flow.set_consent(pilot, CarerConsent.YES)
        await flow.set_reference(pilot, "SU-0042")
        await flow.choose_options(pilot, ["tablet-a", "tablet-b", "no-change"])
        await flow.what_matters(pilot, "Keeping my job and my weight.", Involvement.TOGETHER)

        await flow.talk(pilot, "options")
        ratings = {
            "Me": (
                {"works": 4, "weight": 4},
                {"tablet-a": TOWARDS, "tablet-b": OPEN, "no-change": AWAY},
            ),
            "Dr K": (
                {"works": 3, "weight": 3},
                {"tablet-a": TOWARDS, "tablet-b": UNSURE, "no-change": OPEN},
            ),
            "Mum": (
                {"works": 4, "weight": 3},
                {"tablet-a": TOWARDS, "tablet-b": OPEN, "no-change": AWAY},
            ),
        }
        for label, (importance, leanings) in ratings.items():
            await flow.rate(pilot, label, importance, leanings)
        assert flow.session(pilot).disagreements == ()

        await flow.talk(pilot, "side")
        assert flow.side_table(pilot).get_cell("leaning:tablet-a", "mark").plain == ""

        await flow.decide(
            pilot,
            Outcome.CHOSEN,
            option="tablet-a",
            reason=reason,
            stances={"Me": Stance.AGREE, "Dr K": Stance.AGREE, "Mum": Stance.AGREE},
            next_steps=("Start Tablet A next week", "Weight check in 4 weeks"),
        )
        assert flow.review_field(pilot) == SIX_WEEKS.isoformat()  # the default, kept
        for label in ("Me", "Dr K", "Mum"):
            await flow.certainty(pilot, label, {"know": "yes", "values": "yes", "sure": "unsure"})
        await flow.feedback(pilot, {"understand": 4, "listened": 4, "included": 3})

        await flow.talk(pilot, "summary")
        await flow.save(pilot)
        screen = flow.consultation(pilot)
        assert screen.saved_to
        # the line under the title keeps the file's name in view, whatever the width
        shown = str(screen.query_one("#save-state").render())
        assert shown.startswith("✓ Finished and saved: ")
        first, then = shown.splitlines()
        assert first.endswith(Path(screen.saved_to).name)
        assert "Read-only" in then and "amendment" in then  # said in every talk
        assert max(len(first), len(then)) <= screen.size.width

    saved, md, _ = flow.saved_record(store.root)
    assert saved.completed is not None
    assert saved.service_user_ref == "SU-0042"
    assert saved.carer_consent == CarerConsent.YES
    assert saved.team_talk.options == ("tablet-a", "tablet-b", "no-change")
    assert saved.team_talk.what_matters == "Keeping my job and my weight."
    assert saved.team_talk.involvement == Involvement.TOGETHER
    ids = {p.label: p.id for p in saved.participants}
    for label, (importance, leanings) in ratings.items():
        who = saved.participant(ids[label])
        assert who.importance == importance, label
        assert who.leanings == leanings, label
        assert who.certainty == {"know": Answer3.YES, "values": Answer3.YES, "sure": Answer3.UNSURE}
    decision = saved.decision
    assert decision.outcome == Outcome.CHOSEN
    assert decision.option == "tablet-a"
    assert decision.reason == reason
    assert decision.stances == {pid: Stance.AGREE for pid in ids.values()}
    assert decision.next_steps == ("Start Tablet A next week", "Weight check in 4 weeks")
    assert decision.review_date == SIX_WEEKS
    assert saved.disagreements == () and saved.open_disagreements() == ()
    assert saved.feedback == {"understand": 4, "listened": 4, "included": 3}

    assert "We chose “Tablet A”." in section(md, "What was decided")
    assert reason in rendered_text(section(md, "What was decided"))
    rows = table(md)
    assert rows[0] == [
        "What we talked about",
        "Me (service user)",
        "Dr K (clinician)",
        "Mum (carer or supporter)",
    ]
    assert rows[1] == [
        "How well does it work?",
        "4 (most important)",
        "3 (very)",
        "4 (most important)",
    ]
    assert rows[3] == ["Leaning on “Tablet A”", "▲ towards", "▲ towards", "▲ towards"]
    assert "None were found or recorded." in section(md, "Where people see things differently")
    assert f"Your review is on {plain_date(SIX_WEEKS)}." in md
    assert "Mum (carer or supporter): agrees" in rendered_text(md)
    assert not UNSAFE & structural_types(md)


# 2. The carer and the service user disagree about stopping ------------------------------


async def test_carer_and_service_user_disagree_about_stopping(
    shipped_app: SdmApp, store: RecordStore
) -> None:
    mine = "I want to feel like me again, without the tablets."
    hers = "Last time you stopped you were in hospital for a month."
    prepared = after_team_talk(
        shipped_app,
        "antipsychotic-continue-adjust-stop",
        [(Role.SERVICE_USER, "Me"), (Role.CLINICIAN, "Dr K"), (Role.CARER, "Mum")],
        consent=CarerConsent.YES,
        options=["same", "lower-dose", "stop-slowly"],
    )
    # Me and Dr K rated already (rating by keys: test 1); Mum, the carer, by keys here.
    for who, importance, leanings in (
        ("p1", {"relapse": 1, "day-to-day": 4}, {"stop-slowly": TOWARDS, "same": AWAY}),
        ("p2", {"relapse": 2, "day-to-day": 3}, {"stop-slowly": OPEN}),
    ):
        for question, value in importance.items():
            prepared = t.rate_importance(prepared, who, question, value)
        for option, leaning in leanings.items():
            prepared = t.set_leaning(prepared, who, option, leaning)
    async with shipped_app.run_test(size=SIZE) as pilot:
        await flow.open_consultation(shipped_app, pilot, prepared)
        await flow.talk(pilot, "options")
        await flow.rate(
            pilot, "Mum", {"relapse": 4, "day-to-day": 3}, {"stop-slowly": AWAY, "same": TOWARDS}
        )
        found = {d.id for d in flow.session(pilot).disagreements}
        assert found == {"importance:relapse", "leaning:same", "leaning:stop-slowly"}

        await flow.talk(pilot, "side")
        marks = flow.side_table(pilot)
        assert marks.get_cell("leaning:stop-slowly", "mark").plain == "⚠ differ"
        assert marks.get_cell("importance:day-to-day", "mark").plain == ""
        await flow.write_views(pilot, "leaning:stop-slowly", {"Me": mine, "Mum": hers})
        await flow.decide(
            pilot,
            Outcome.NO_AGREEMENT,
            reason="We need more time and to hear from the team.",
            stances={"Me": Stance.DISAGREE, "Dr K": Stance.GO_ALONG, "Mum": Stance.DISAGREE},
            next_steps=("Talk again with the care coordinator",),
        )
        await flow.talk(pilot, "summary")
        await flow.save(pilot)

    saved, md, _ = flow.saved_record(store.root)
    ids = {p.label: p.id for p in saved.participants}
    assert saved.decision.outcome == Outcome.NO_AGREEMENT and saved.decision.option == ""
    stop = next(d for d in saved.disagreements if d.id == "leaning:stop-slowly")
    assert stop.views == {ids["Me"]: mine, ids["Mum"]: hers}
    assert stop.status == "open"
    assert saved.participant(ids["Me"]).leanings["stop-slowly"] == TOWARDS
    assert saved.participant(ids["Mum"]).leanings["stop-slowly"] == AWAY
    assert saved.participant(ids["Mum"]).importance["relapse"] == 4
    assert saved.participant(ids["Me"]).importance["relapse"] == 1
    assert {d.id for d in saved.open_disagreements()} == found

    differences = rendered_text(section(md, "Where people see things differently"))
    lines = differences.splitlines()
    subject = lines.index("Leaning on Stop slowly, with the team (still open)")
    assert lines[subject + 1 : subject + 3] == [
        f"Me (service user) said: {mine}",
        f"Mum (carer or supporter) said: {hers}",
    ]
    rows = table(md)
    assert rows[0][1:] == ["Me (service user)", "Dr K (clinician)", "Mum (carer or supporter)"]
    stop_row = next(r for r in rows if r[0] == "Leaning on “Stop slowly, with the team”")
    assert stop_row[1:] == ["▲ towards", "◆ open", "▼ away"]
    assert "We did not agree on a choice today." in section(md, "What was decided")


# 3. A deferred decision -------------------------------------------------------------------


async def test_deferred_decision(example_app: SdmApp, store: RecordStore) -> None:
    review = date.today() + timedelta(days=28)
    prepared = after_team_talk(
        example_app,
        "example-grid",
        [(Role.SERVICE_USER, "Me"), (Role.CLINICIAN, "Dr K")],
        options=["tablet-a", "no-change"],
    )
    async with example_app.run_test(size=SIZE) as pilot:
        await flow.open_consultation(example_app, pilot, prepared)
        await flow.talk(pilot, "options")
        await flow.rate(pilot, "Me", {"weight": 4}, {"tablet-a": UNSURE})
        await flow.decide(
            pilot,
            Outcome.DEFERRED,
            reason="I want to talk to my sister first.",
            stances={"Me": Stance.AGREE, "Dr K": Stance.AGREE},
        )
        await flow.tab_to(pilot, "review-date")
        await pilot.press("home", "ctrl+k")
        await flow.type_text(pilot, review.isoformat())
        await pilot.press("tab")
        await pilot.pause()
        await flow.talk(pilot, "summary")
        await flow.save(pilot)

    saved, md, _ = flow.saved_record(store.root)
    assert saved.decision.outcome == Outcome.DEFERRED
    assert saved.decision.option == ""
    assert saved.decision.reason == "I want to talk to my sister first."
    assert saved.decision.review_date == review
    decided = section(md, "What was decided")
    assert "We decided to wait and talk again." in decided
    assert "I want to talk to my sister first." in rendered_text(decided)
    assert "We chose" not in md
    assert f"Your review is on {plain_date(review)}." in section(md, "Review")


# 4. The service user declines carer involvement ----------------------------------------------


async def test_service_user_declines_carer(example_app: SdmApp, store: RecordStore) -> None:
    prepared = after_team_talk(
        example_app,
        "example-grid",
        [(Role.SERVICE_USER, "Me"), (Role.CLINICIAN, "Dr K"), (Role.CARER, "Mum")],
        consent=CarerConsent.NO,
        options=["tablet-a", "tablet-b"],
    )
    async with example_app.run_test(size=SIZE) as pilot:
        screen = await flow.open_consultation(example_app, pilot, prepared)
        carer = flow.person(screen.session, "Mum")
        await flow.talk(pilot, "options")
        # p goes round the people whose views are recorded: never the carer.
        offered = []
        for _ in range(4):
            await pilot.press("p")
            await pilot.pause()
            offered.append(screen.query_one(flow.PersonBar).who)
        assert set(offered) == {"Me (service user)", "Dr K (clinician)"}
        assert carer.id not in [pid for pid, _ in screen.query_one(flow.PersonBar).people]
        await flow.rate(pilot, "Me", {"weight": 4}, {"tablet-a": TOWARDS})
        await flow.rate(pilot, "Dr K", {"weight": 1}, {"tablet-a": AWAY})
        await flow.note(pilot, "Dr K: check weight monthly")

        await flow.talk(pilot, "side")
        modal = await flow.open_disagreement(pilot, "leaning:tablet-a")
        assert not modal.query(f"#view-{carer.id}")  # no box for the carer
        await pilot.press("escape")
        await pilot.pause()
        await flow.write_views(pilot, "importance:weight", {"Me": "Weight matters most to me"})

        await flow.decide(
            pilot,
            Outcome.CHOSEN,
            option="tablet-b",
            reason="A middle way.",
            stances={"Me": Stance.AGREE, "Dr K": Stance.GO_ALONG},
        )
        assert not screen.query(f"#stance-{carer.id}")
        assert not screen.query(f"#cert-{carer.id}-know")
        await flow.certainty(pilot, "Me", {"know": "yes"})
        await flow.talk(pilot, "summary")
        await flow.save(pilot)

    saved, md, _ = flow.saved_record(store.root)
    assert saved.carer_consent == CarerConsent.NO
    kept = saved.participant(carer.id)
    assert (kept.role, kept.label) == (Role.CARER, "Mum")
    assert kept.importance == {} and kept.leanings == {}
    assert kept.notes == () and kept.questions == () and kept.certainty == {}
    assert carer.id not in saved.decision.stances
    assert set(saved.decision.stances) == {p.id for p in saved.voices()}
    assert all(carer.id not in d.views for d in saved.disagreements)
    assert saved.disagreements  # there were views to record, just none from the carer

    assert CARER_NOT_INCLUDED in md
    assert "Mum" not in md.replace(CARER_NOT_INCLUDED, "")
    assert "carer or supporter" not in md
    assert all(len(row) == 3 for row in table(md))  # a column each for Me and Dr K only


# 5. Tired-clinician mistakes -------------------------------------------------------------------


async def test_escape_and_quit_lose_nothing(example_app: SdmApp) -> None:
    from sdm_tui.ui.screens.confirm import ConfirmQuit

    prepared = after_team_talk(
        example_app,
        "example-grid",
        [(Role.SERVICE_USER, "Me"), (Role.CLINICIAN, "Dr K")],
        options=["tablet-a", "tablet-b", "no-change"],
    )
    async with example_app.run_test(size=SIZE) as pilot:
        screen = await flow.open_consultation(example_app, pilot, prepared)
        await flow.talk(pilot, "options")
        await flow.rate(pilot, "Me", {"works": 3}, {"tablet-b": TOWARDS})
        before = flow.session(pilot)
        on_disk = flow.draft(pilot)
        assert on_disk == before

        # Escape in the middle of a note cancels the note only.
        await pilot.press("n")
        await flow.type_text(pilot, "half a tho")
        await pilot.pause()
        await flow.go(pilot, "escape")
        assert screen.current_talk() == "options"
        # Escape again: back a talk, to team talk. Nothing is lost.
        await flow.go(pilot, "escape")
        assert example_app.screen is screen
        assert screen.current_talk() == "team"
        assert flow.session(pilot) == before
        assert flow.draft(pilot) == on_disk
        await flow.talk(pilot, "options")
        await flow.move_to(pilot, 1, 1)
        pane = screen.query_one(flow.OptionTalkPane)
        assert pane.table.get_cell("works", "importance").plain.startswith("3 · very")

        # Ctrl+Q on an unfinished consultation asks first; Stay keeps everything.
        await flow.go(pilot, "ctrl+q")
        assert isinstance(example_app.screen, ConfirmQuit)
        assert example_app.focused is not None and example_app.focused.id == "yes"  # Quit
        await flow.go(pilot, "right")  # to Stay, the way back
        assert example_app.focused.id == "no"
        await flow.go(pilot, "enter")
        assert example_app.is_running and example_app.screen is screen
        assert flow.session(pilot) == before and flow.draft(pilot) == on_disk
        # Escape on the question is Stay too.
        await flow.go(pilot, "ctrl+q")
        await flow.go(pilot, "escape")
        assert example_app.is_running and example_app.screen is screen
        assert screen.current_talk() == "options"
        assert flow.session(pilot) == before


ODD = "[@click=app.quit]x[/]\n\x1b[31mred\na | b\n# heading"
ODD_CLEAN = "[@click=app.quit]x[/]\nred\na | b\n# heading"


async def test_odd_text_early_save_and_file_safety(example_app: SdmApp, store: RecordStore) -> None:
    prepared = after_team_talk(  # two people, and nothing else yet
        example_app,
        "example-grid",
        [(Role.SERVICE_USER, "Me"), (Role.CLINICIAN, "Dr K")],
        options=[],
        reference="",
    )
    async with example_app.run_test(size=SIZE) as pilot:
        screen = await flow.open_consultation(example_app, pilot, prepared)
        # Ctrl+S far too early: it says what is missing and saves nothing.
        await flow.save(pilot)
        assert screen.current_talk() == "summary"
        status = str(screen.query_one("#summary-status").render())
        assert status.startswith("Not saved yet.")
        for words in ("reference", "at least two options", "outcome"):
            assert words in status, words
        assert flow.saved_files(store.root) == []
        assert screen.session.completed is None
        assert flow.draft(pilot) == screen.session

        await flow.talk(pilot, "team")
        await flow.set_reference(pilot, "SU-0042")
        await flow.choose_options(pilot, ["tablet-a", "tablet-b"])
        await flow.talk(pilot, "options")
        await flow.note(pilot, ODD, paste=True)
        assert example_app.is_running
        await flow.decide(pilot, Outcome.CHOSEN, option="tablet-a")
        # The reason, pasted in the service user's words (a paste, not typing).
        await flow.tab_to(pilot, "reason")
        await flow.paste_text(pilot, ODD)
        reason_box = screen.query_one("#reason", TextArea)
        assert reason_box.text == ODD_CLEAN  # shown literally, the escape gone
        assert "\x1b" not in "".join(s.text for y in range(4) for s in reason_box.render_line(y))
        await flow.talk(pilot, "summary")
        summary = screen.query_one("#summary-text")
        assert len(summary.query("MarkdownH1")) == 1  # "# heading" is not a heading
        await flow.save(pilot)
        assert example_app.is_running
        assert "Saved the record" in str(screen.query_one("#summary-status").render())

    saved, md, path = flow.saved_record(store.root)
    me = next(p for p in saved.participants if p.label == "Me")
    assert me.notes == (ODD_CLEAN,)
    assert saved.decision.reason == ODD_CLEAN
    assert b"\x1b" not in path.read_bytes() and "\x1b" not in md
    # The Markdown escapes it: seen literally, never a heading, link, table or HTML.
    # (core/text.py also escapes "@" and "." so no viewer links an address.)
    assert "\\# heading" in md and "a \\| b" in md and "\\[\\@click=app\\.quit\\]" in md
    assert [h for h in headings(md) if "heading" in h[1]] == []
    assert not UNSAFE & structural_types(md)
    text = rendered_text(md)
    for piece in ("[@click=app.quit]x[/]", "red", "a | b", "# heading"):
        assert text.count(piece) >= 2, piece  # in the note and in the reason
    # Header and 2 leanings, no extra rows: no one rated a question, so none is listed.
    assert len(table(md)) == 1 + 2
    assert "2 other questions were not discussed." in md

    # Files: readable only by their owner; names hold only the date and the record id.
    files = flow.saved_files(store.root)
    assert [f.suffix for f in files] == [".md", ".toml"]
    day = saved.created.strftime("%Y-%m-%d")
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
        assert f.stem == f"{day}_{saved.record_id}", f.name
        assert f.parent.name == saved.created.strftime("%Y-%m")
        assert f.parent.parent == store.root / "clinical"
    assert stat.S_IMODE(files[0].parent.stat().st_mode) == 0o700
    assert not list((store.root / "drafts").glob("*.toml"))  # the draft is gone
