"""Invented consultations for the handout, the text note and the browser check.

Everyone here is invented ("Me", "Dr Test", "Mum", "Peer worker"); references
TEST-0014 and TEST-0015. Built through the real transitions with a fixed clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sdm_tui.core import transitions as t
from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.session import (
    CERTAINTY_ITEMS,
    FEEDBACK_ITEMS,
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

NOW = datetime(2027, 1, 12, 10, 30, tzinfo=UTC)
REVIEW = date(2027, 2, 23)  # a Tuesday, six weeks on
REPO = Path(__file__).resolve().parent.parent

WHAT_MATTERS = (
    "I want to keep my job at the bakery and not feel slowed down in the mornings. "
    "Putting on weight again would really get me down."
)
REASON = "It should not make me gain weight, and I can try it for six weeks and see."


def grid(grid_id: str = "antipsychotic-choice") -> OptionGrid:
    return load_catalog().grids[grid_id]


def typical(g: OptionGrid | None = None) -> Session:
    """A typical consultation: 3 options, 2 people, 6 questions rated, one difference."""
    g = g or grid()
    s = new_session(
        grid_ref=grid_ref(g), app_version="0.0.0-test", now=NOW, record_id="hand0ut0000a"
    )
    s = t.add_participant(s, Role.SERVICE_USER, "Me")
    s = t.add_participant(s, Role.CLINICIAN, "Dr Test")
    s = t.set_reference(s, "TEST-0014")
    s = t.set_team_talk(
        s,
        decision="Which medicine to take for the next few months",
        what_matters=WHAT_MATTERS,
        involvement=Involvement.TOGETHER,
    )
    s = t.choose_options(s, ["aripiprazole", "olanzapine", "stay-current"])
    ratings = {
        "p1": {"weight": 4, "sleepy": 4, "works": 3, "movement": 2, "sex-life": 3, "checks": 1},
        "p2": {"weight": 3, "sleepy": 2, "works": 4, "movement": 3, "sex-life": 2, "checks": 3},
    }
    for person, rated in ratings.items():
        for question, value in rated.items():
            s = t.rate_importance(s, person, question, value)
    leanings = {
        "p1": ("towards", "away", "open"),
        "p2": ("towards", "open", "open"),
    }
    for person, values in leanings.items():
        for option, value in zip(s.team_talk.options, values, strict=True):
            s = t.set_leaning(s, person, option, Leaning(value))
    s = t.add_note(s, "p1", "Ask the pharmacist about taking it with breakfast.", question=True)
    s = t.refresh_disagreements(s)
    views = {
        "importance:sleepy": (
            "Feeling slow in the morning could cost me my job.",
            "Most people feel less sleepy after the first weeks.",
        ),
        "importance:checks": (
            "I would rather not have blood tests every week.",
            "The checks help us spot problems early and keep you safe.",
        ),
    }
    for item in s.disagreements:
        mine, theirs = views.get(item.id, views["importance:checks"])
        s = t.set_view(s, item.id, "p1", mine)
        s = t.set_view(s, item.id, "p2", theirs)
    s = t.set_decision(
        s,
        outcome=Outcome.CHOSEN,
        option="aripiprazole",
        reason=REASON,
        review_date=REVIEW,
        today=NOW.date(),
    )
    s = t.set_stance(s, "p1", Stance.AGREE)
    s = t.set_stance(s, "p2", Stance.AGREE)
    s = t.set_next_steps(
        s,
        [
            "Start aripiprazole at a low dose next Monday",
            "Weight and blood test in four weeks",
            "Call the team if you feel restless or cannot sit still",
        ],
    )
    for key in CERTAINTY_ITEMS:
        s = t.set_certainty(s, "p1", key, Answer3.YES if key != "sure" else Answer3.UNSURE)
    for key in FEEDBACK_ITEMS:
        s = t.set_feedback(s, key, 3)
    return t.complete(s, now=NOW + timedelta(minutes=40))


def largest(g: OptionGrid | None = None) -> Session:
    """The largest grid, 6 options, 4 people, every question rated, long words everywhere."""
    g = g or grid()
    s = new_session(
        grid_ref=grid_ref(g), app_version="0.0.0-test", now=NOW, record_id="hand0ut0000b"
    )
    s = t.add_participant(s, Role.SERVICE_USER, "Me")
    s = t.add_participant(s, Role.CLINICIAN, "Dr Test")
    s = t.add_participant(s, Role.CARER, "Mum")
    s = t.add_participant(s, Role.PEER_SUPPORT, "Peer worker")
    s = t.set_carer_consent(s, CarerConsent.YES)
    s = t.set_reference(s, "TEST-0015")
    s = t.set_team_talk(
        s,
        decision="Whether to change my medicine, and to which one",
        what_matters=WHAT_MATTERS + " " + WHAT_MATTERS,
        involvement=Involvement.MYSELF,
    )
    options = [o.id for o in g.options][:6]
    s = t.choose_options(s, options)
    people = [p.id for p in s.voices()]
    for n, person in enumerate(people):
        for k, question in enumerate(g.questions):
            s = t.rate_importance(
                s, person, question.id, min(4, k % 4 + (n == 2 and k % 3 == 0) * 2)
            )
        for k, option in enumerate(s.team_talk.options):
            s = t.set_leaning(s, person, option, list(Leaning)[(k + n) % 2 + (k % 3 == 2) * 2])
        s = t.add_note(s, person, "Worth a second look at the weight and sleep rows at home.")
        s = t.add_note(s, person, "What if I miss a dose while I am away?", question=True)
    for item in s.disagreements[:6]:
        for person in people[:2]:
            s = t.set_view(
                s, item.id, person, "I see it this way because of what happened last time."
            )
    s = t.set_decision(
        s,
        outcome=Outcome.DEFERRED,
        reason="I need time to think and to talk it over with my family first.",
        review_date=REVIEW,
        today=NOW.date(),
    )
    for person, stance in zip(people, [*Stance, Stance.AGREE], strict=True):
        s = t.set_stance(s, person, stance)
    s = t.set_next_steps(
        s,
        [
            "Read the leaflet together at home",
            "Phone call from the nurse in two weeks",
            "Weight and waist check in a month",
            "Book the next review",
        ],
    )
    for person in people:
        for key in CERTAINTY_ITEMS:
            s = t.set_certainty(s, person, key, Answer3.UNSURE)
    for key in FEEDBACK_ITEMS:
        s = t.set_feedback(s, key, 2)
    return t.complete(s, now=NOW + timedelta(minutes=55))
