"""Issue #17 end to end, by keys: a preparation written in "Get ready for an appointment"
is offered when a consultation for that reference starts and shows unchanged; a concern
raised in option talk must be answered before finishing; the plan is on the handout.
Everyone here is invented."""

from __future__ import annotations

import flow
from flow import focused_id, go, tab_to, type_text
from textual.widgets import OptionList, Static

from sdm_tui.core import transitions as t
from sdm_tui.core.session import ConcernKind, Outcome, Role, Session, grid_ref, new_session
from sdm_tui.core.store import RecordStore
from sdm_tui.core.transitions import missing_for_completion
from sdm_tui.ui.app import SdmApp
from sdm_tui.ui.screens.concerns import (
    ConcernListScreen,
    OfferPreparation,
    PlanScreen,
    RaiseConcernScreen,
    RespondScreen,
)
from sdm_tui.ui.screens.prepare import PrepareScreen

SIZE = (110, 40)
WANT = "I want to talk about\nmy weight (and sleep)."


def with_people(app: SdmApp, *labels: str) -> Session:
    """A new consultation on the example grid with the service user (and a clinician)."""
    grid = app.catalog.get("example-grid")
    s = new_session(grid_ref=grid_ref(grid), app_version="test")
    s = t.set_team_talk(s, decision=grid.decision)
    for role, label in zip((Role.SERVICE_USER, Role.CLINICIAN), labels, strict=False):
        s = t.add_participant(s, role, label)
    return s


async def prepare_by_keys(pilot, reference: str) -> None:
    actions = pilot.app.screen.query_one("#home-actions", OptionList)
    ids = [actions.get_option_at_index(i).id for i in range(actions.option_count)]
    await pilot.press(*["down"] * ids.index("prepare"), "enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, PrepareScreen)
    await type_text(pilot, reference)
    await pilot.press("enter")
    await type_text(pilot, WANT)
    await go(pilot, "escape")  # saves and goes back
    assert not isinstance(pilot.app.screen, PrepareScreen)


async def test_preparation_concern_and_plan_by_keys(
    example_app: SdmApp, store: RecordStore
) -> None:
    async with example_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await prepare_by_keys(pilot, "SU-0042")
        assert store.load_preparation("SU-0042").want == WANT
        # The consultation, two people in already (Home to team talk by keys:
        # test_consultations.py), then the reference typed.
        prepared = with_people(example_app, "Me", "Dr K")
        await flow.open_consultation(example_app, pilot, prepared)
        await tab_to(pilot, "team-ref")
        await type_text(pilot, "SU-0042")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, OfferPreparation)
        assert focused_id(pilot) == "yes"
        await go(pilot, "enter")
        screen = flow.consultation(pilot)
        assert screen.session.preparation is not None
        assert screen.session.preparation.want == WANT  # unchanged
        shown = str(screen.query_one("#team-prepared", Static).render())
        assert "Written beforehand by the service user" in shown
        assert "my weight (and sleep)." in shown
        await flow.choose_options(pilot, ["tablet-a", "no-change"])

        # A concern, raised in option talk with one key.
        await flow.talk(pilot, "options")
        await go(pilot, "ctrl+r")
        assert isinstance(pilot.app.screen, RaiseConcernScreen)
        assert focused_id(pilot) == "concern-who"
        await pilot.press("tab")  # the kind
        kinds = pilot.app.screen.query_one("#concern-kind")
        await flow.choose_radio(pilot, kinds, 0)  # a side effect
        await pilot.press("tab")
        await type_text(pilot, "I keep falling asleep at work.")
        await go(pilot, "ctrl+s")
        (concern,) = flow.session(pilot).concerns
        assert concern.talk == "options" and concern.kind == ConcernKind.SIDE_EFFECT
        assert concern.raised_by == flow.person(flow.session(pilot), "Me").id
        assert concern.words == "I keep falling asleep at work."

        # Deferred: the plan if things get harder, from decision talk.
        await flow.decide(pilot, Outcome.DEFERRED, reason="I want time to think.")
        await tab_to(pilot, "plan-open")
        await go(pilot, "enter")
        assert isinstance(pilot.app.screen, PlanScreen)
        await type_text(pilot, "I stop sleeping.")
        await pilot.press("tab")
        await type_text(pilot, "Walking.")
        await go(pilot, "ctrl+s")
        plan = flow.session(pilot).plan
        assert plan.warning_signs == "I stop sleeping." and plan.what_helps == "Walking."
        assert "I stop sleeping." in str(screen.query_one("#plan-shown", Static).render())

        # Finishing is refused while the concern has no response.
        await go(pilot, "ctrl+s")
        assert flow.consultation(pilot).saved_to == ""
        missing = missing_for_completion(flow.session(pilot))
        assert any("concern 1" in m for m in missing)

        # Ctrl+R again: the list, on the concern that needs a response.
        await go(pilot, "ctrl+r")
        assert isinstance(pilot.app.screen, ConcernListScreen)
        await go(pilot, "enter")
        assert isinstance(pilot.app.screen, RespondScreen)
        await go(pilot, "ctrl+s")  # no response yet: says so, stays
        assert isinstance(pilot.app.screen, RespondScreen)
        await type_text(pilot, "We agreed to try the dose at night.")
        await pilot.press("tab")
        await flow.choose_radio(pilot, pilot.app.screen.query_one("#respond-status"), 0)
        await go(pilot, "ctrl+s")
        (concern,) = flow.session(pilot).concerns
        assert concern.status == "answered" and concern.answered is not None
        assert concern.response == "We agreed to try the dose at night."

        await flow.talk(pilot, "summary")
        await flow.save(pilot)
        assert flow.consultation(pilot).saved_to
        await go(pilot, "h")  # the handout beside the record

    saved, md, path = flow.saved_record(store.root)
    assert saved.preparation.want == WANT
    assert saved.concerns[0].response == "We agreed to try the dose at night."
    assert saved.plan.warning_signs == "I stop sleeping."
    assert "## Concerns raised" in md and "falling asleep at work" in md
    assert "## My plan if things get harder" in md
    handouts = list(path.parent.glob("*.html"))
    assert len(handouts) == 1
    html = handouts[0].read_text("utf-8")
    key = html[html.index('<section class="key">') : html.index("</section>")]
    assert "I stop sleeping." in key and "Your review is on" in key
    assert "We agreed to try the dose at night." in html


async def test_a_preparation_not_wanted_is_not_brought_in(
    example_app: SdmApp, store: RecordStore
) -> None:
    from sdm_tui.core.preparation import update_preparation
    from sdm_tui.core.session import Preparation

    store.save_preparation("SU-0042", update_preparation(Preparation(), want="Mine"))
    async with example_app.run_test(size=SIZE) as pilot:
        await flow.open_consultation(example_app, pilot, with_people(example_app, "Me"))
        await tab_to(pilot, "team-ref")
        await type_text(pilot, "SU-OO42")  # looks alike: no offer
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, OfferPreparation)
        screen = flow.consultation(pilot)
        ref = screen.query_one("#team-ref")
        ref.value = ""
        ref.focus()
        await type_text(pilot, "SU-0042")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, OfferPreparation)
        await go(pilot, "escape")  # not now
        assert flow.session(pilot).preparation is None
        assert not screen.query_one("#team-prepared", Static).display


async def test_review_filters_open_concerns_and_the_clinic_counts_them(tmp_path) -> None:
    from flow import checked, open_review, review_app, rows_of

    from sdm_tui.core import record
    from sdm_tui.core.catalog import load_catalog
    from sdm_tui.core.synth import write_synthetic
    from sdm_tui.ui.screens.clinic import ClinicScreen

    root = tmp_path / "records"
    write_synthetic(root, 60, 8, dict(load_catalog().grids))
    sessions = [record.load(p) for p in root.rglob("*.toml")]
    still_open = {s.record_id for s in sessions if s.open_concerns()}
    raised = sum(len(s.concerns) for s in sessions)
    answered = sum(c.status == "answered" for s in sessions for c in s.concerns)
    assert still_open and raised
    app = review_app(root)
    async with app.run_test(size=(110, 32)) as pilot:
        screen = await open_review(pilot)
        await pilot.press("m")  # training records (synthetic ones are role-plays)
        await checked(pilot)
        assert len(rows_of(screen)) == 60
        await tab_to(pilot, "f-concerns")
        await pilot.press("space")
        await checked(pilot)
        assert {r.record_id for r in rows_of(screen)} == still_open
        assert "with open concerns" in str(screen.query_one("#review-status").render())
        await pilot.press("space")  # off again: the clinic view over all of them
        await checked(pilot)
        screen.query_one("#review-list").focus()
        await pilot.press("c")
        await checked(pilot)
        clinic = pilot.app.screen
        assert isinstance(clinic, ClinicScreen)
        assert (clinic.stats.concerns_raised, clinic.stats.concerns_answered) == (
            raised,
            answered,
        )
        counts = str(clinic.query_one("#clinic-counts", Static).render())
        assert f"Concerns raised: {raised:,}; answered at the time: {answered:,}" in counts
