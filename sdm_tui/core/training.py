"""Role-play sessions: starting one from a scenario, and the observer's scoring.

The observer rates the clinician on five items written in our own words, in the
spirit of the observer OPTION-5 measure (its five areas: inviting the person
into the decision, deliberating as a team, informing about options, eliciting
preferences, integrating preferences). Scores are 0-4, each with a note.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sdm_tui.core import transitions as t
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.scenario import Scenario
from sdm_tui.core.session import (
    CarerConsent,
    Mode,
    Session,
    SessionError,
    Training,
    grid_ref,
    new_session,
)
from sdm_tui.core.session_checks import _touch
from sdm_tui.core.text import clean

# Keys are stored in records; the wording is ours.
OBSERVER_ITEMS: dict[str, str] = {
    "invite": "Made clear there is a choice to make, and asked the person to take part in it.",
    "team": "Helped everyone talk it through together, as a team, before anyone decided.",
    "inform": "Explained the options fairly, good and bad points, in plain words.",
    "elicit": "Asked what matters most to the person, and to the carer if there is one.",
    "integrate": "Brought what the person said into the decision and checked it with them.",
}
OBSERVER_SCALE: dict[int, str] = {
    0: "not seen",
    1: "a little",
    2: "partly",
    3: "mostly",
    4: "fully",
}


def start_role_play(
    scenario: Scenario,
    grid: OptionGrid,
    *,
    app_version: str,
    now: datetime | None = None,
    record_id: str | None = None,
) -> Session:
    """A training session set up from a scenario: its people, options and reference.

    Team talk starts filled in from the scenario (the decision, who is here,
    the invented reference and the options); the carer's consent is "yes" only
    when the scenario says so, otherwise the clinician has to ask for it.
    """
    if grid.id != scenario.grid:
        raise SessionError(
            f"Scenario '{scenario.id}' is for grid '{scenario.grid}', not '{grid.id}'."
        )
    s = new_session(
        grid_ref=grid_ref(grid),
        app_version=app_version,
        mode=Mode.TRAINING,
        now=now,
        record_id=record_id,
    )
    s = s.model_copy(update={"training": Training(scenario=scenario.id)})
    s = t.set_team_talk(s, decision=grid.decision)
    for part in scenario.roles:
        s = t.add_participant(s, part.role, part.label)
    if scenario.carer_consent:
        s = t.set_carer_consent(s, CarerConsent.YES)
    s = t.set_reference(s, scenario.service_user_ref)
    s = t.choose_options(s, scenario.options)
    if scenario.preparation is not None:
        from sdm_tui.core.concerns import bring_preparation
        from sdm_tui.core.preparation import update_preparation
        from sdm_tui.core.session import Preparation

        prepared = scenario.preparation
        written = update_preparation(
            Preparation(),
            involvement=prepared.involvement,
            written_with=prepared.written_with,
            now=s.created,
            **prepared.texts(),
        )
        s = bring_preparation(s, written)
    # The transitions stamp `updated` with the clock; a new session was made at `now`.
    return s.model_copy(update={"updated": s.created})


def _training(session: Session) -> Training:
    if session.training is None:
        raise SessionError("Observer scores belong to training role-plays only.")
    return session.training


def _set(session: Session, **changes: Any) -> Session:
    training = _training(session).model_copy(update=changes)
    return _touch(session, training=training)


def score_item(session: Session, item: str, score: int | None) -> Session:
    """The observer's 0-4 score for one item; None clears it."""
    if item not in OBSERVER_ITEMS:
        raise SessionError(f"Not an observer item: {item}.")
    scores = dict(_training(session).observer_scores)
    if score is None:
        scores.pop(item, None)
    elif isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 4:
        raise SessionError("Observer scores are 0 (not seen) to 4 (fully).")
    else:
        scores[item] = score
    return _set(session, observer_scores=scores)


def set_observer_note(session: Session, item: str, text: str) -> Session:
    """The observer's note on one item, cleaned like anything typed; blank clears it."""
    if item not in OBSERVER_ITEMS:
        raise SessionError(f"Not an observer item: {item}.")
    notes = dict(_training(session).observer_notes)
    text = clean(text).strip()[:4000]
    if text:
        notes[item] = text
    else:
        notes.pop(item, None)
    return _set(session, observer_notes=notes)


def mark_goal(session: Session, scenario: Scenario, goal_id: str, met: bool | None) -> Session:
    """The observer marks a learning goal met (True) or missed (False); None clears it."""
    training = _training(session)
    if training.scenario and training.scenario != scenario.id:
        raise SessionError(
            f"This role-play is scenario '{training.scenario}', not '{scenario.id}'."
        )
    if goal_id not in {g.id for g in scenario.goals}:
        raise SessionError(f"Not a learning goal of this scenario: {goal_id}.")
    goals = dict(training.goals_met)
    if met is None:
        goals.pop(goal_id, None)
    elif isinstance(met, bool):
        goals[goal_id] = met
    else:
        raise SessionError("A learning goal is marked met (True), missed (False) or not yet.")
    return _set(session, goals_met=goals)


def observer_total(session: Session) -> tuple[int, int]:
    """(sum of scores given, most possible for the items scored); (0, 0) when none."""
    scores = session.training.observer_scores if session.training else {}
    return sum(scores.values()), 4 * len(scores)
