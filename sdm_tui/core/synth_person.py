"""One invented service user's synthetic records (used by synth.py).

Each person has their own random stream, so the same seed gives the same records
however many processes write them. Ratings and leanings drift a little between
records, review dates are sometimes kept and sometimes missed, and every session
is built through the real transitions, so it is as valid as one made in the app.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from sdm_tui import __version__
from sdm_tui.core import concerns as c
from sdm_tui.core import transitions as t
from sdm_tui.core.preparation import update_preparation
from sdm_tui.core.session import (
    _ID_ALPHABET,
    CERTAINTY_ITEMS,
    FEEDBACK_ITEMS,
    Answer3,
    CarerConsent,
    GridRef,
    Involvement,
    Leaning,
    Mode,
    Outcome,
    Preparation,
    Role,
    Session,
    Stance,
    WrittenWith,
    new_session,
)
from sdm_tui.core.synth_words import (
    CARER_LABELS,
    CHOSEN_REASONS,
    CLINICIAN_LABELS,
    CONCERNS,
    DECISIONS,
    FOLLOW_UPS,
    NEXT_STEPS,
    NOTES,
    PEER_LABELS,
    PLAN_TEXT,
    QUESTIONS,
    REASONS,
    RESPONSES,
    SERVICE_USER_LABELS,
    STAY_WELL,
    VIEWS,
    WANTS,
    WHAT_MATTERS,
    WORRIES,
)

FIRST_DAY = date(2022, 1, 3)
LAST_DAY = date(2026, 9, 30)

_LEANING_SCALE = (Leaning.AWAY, Leaning.UNSURE, Leaning.OPEN, Leaning.TOWARDS)


def _id(rng: random.Random) -> str:
    return "".join(rng.choice(_ID_ALPHABET) for _ in range(12))


def _nudge(value: int, rng: random.Random) -> int:
    """A rating that drifts a little between records."""
    return min(4, max(0, value + rng.choice((-1, 0, 0, 0, 1))))


def _schedule(rng: random.Random, n: int) -> list[tuple[date, int]]:
    """(day, review weeks) of each of a person's records; reviews sometimes missed."""
    offsets, weeks = [0], []
    for k in range(n):
        weeks.append(rng.choice((4, 6, 6, 6, 8, 12)))
        if k + 1 < n:
            review = offsets[-1] + weeks[-1] * 7
            kept = rng.random() < 0.65
            offsets.append(review + (rng.randint(-10, 7) if kept else rng.randint(30, 200)))
    span = (LAST_DAY - FIRST_DAY).days
    start = FIRST_DAY + timedelta(days=rng.randint(0, max(0, span - offsets[-1])))
    return [(start + timedelta(days=o), w) for o, w in zip(offsets, weeks, strict=True)]


class _Person:
    """One invented service user and the people who usually come with them."""

    def __init__(self, seed: int, number: int, grids: list[GridRef]) -> None:
        self.rng = random.Random(f"sdm-tui synthetic {seed} {number}")
        # Format 2's parts draw from their own stream, so the rest stays as it was.
        self.extra = random.Random(f"sdm-tui synthetic format 2 {seed} {number}")
        rng = self.rng
        self.reference = f"SYN-{number:05d}"
        self.grid = rng.choice(grids)
        self.grids = grids
        self.labels = {
            Role.SERVICE_USER: rng.choice(SERVICE_USER_LABELS),
            Role.CLINICIAN: rng.choice(CLINICIAN_LABELS),
            Role.CARER: rng.choice(CARER_LABELS),
            Role.PEER_SUPPORT: rng.choice(PEER_LABELS),
        }
        self.carer = rng.random() < 0.35
        self.peer = rng.random() < 0.2
        self.profiles: dict[Role, dict[str, dict[str, int]]] = {}
        self.leanings: dict[Role, dict[str, dict[str, Leaning]]] = {}
        self.options: dict[str, list[str]] = {}

    def profile(self, role: Role, grid: GridRef) -> dict[str, int]:
        """How much each question matters to this person, drifting record to record."""
        by_grid = self.profiles.setdefault(role, {})
        if grid.id not in by_grid:
            by_grid[grid.id] = {q: self.rng.randint(0, 4) for q in grid.questions}
        else:
            by_grid[grid.id] = {q: _nudge(v, self.rng) for q, v in by_grid[grid.id].items()}
        return by_grid[grid.id]

    def leaning(self, role: Role, grid: GridRef, option: str) -> Leaning:
        """A person's leaning on an option: mostly as last time, now and then a step away."""
        by_option = self.leanings.setdefault(role, {}).setdefault(grid.id, {})
        before = by_option.get(option)
        if before is None:
            now = self.rng.choices(_LEANING_SCALE, weights=(2, 1, 3, 3))[0]
        elif self.rng.random() < 0.25:
            step = _LEANING_SCALE.index(before) + self.rng.choice((-1, 1))
            now = _LEANING_SCALE[min(len(_LEANING_SCALE) - 1, max(0, step))]
        else:
            now = before
        by_option[option] = now
        return now

    def compared(self, grid: GridRef) -> list[str]:
        """The options talked about: mostly the same ones, now and then one swapped."""
        choices = list(grid.options)
        options = self.options.get(grid.id)
        if options is None:
            options = self.rng.sample(choices, k=min(len(choices), self.rng.randint(2, 4)))
        elif self.rng.random() < 0.25:
            others = [o for o in choices if o not in options]
            if others:
                options = [*options]
                options[self.rng.randrange(len(options))] = self.rng.choice(others)
        self.options[grid.id] = options
        return options

    def sessions(self, n: int) -> Iterable[Session]:
        for day, weeks in _schedule(self.rng, n):
            if self.rng.random() < 0.1:  # now and then a different decision
                self.grid = self.rng.choice(self.grids)
            yield self.session(day, weeks)

    def session(self, day: date, review_weeks: int) -> Session:
        rng = self.rng
        grid = self.grid
        start = datetime.combine(day, time(rng.randint(9, 16), rng.choice((0, 15, 30, 45))), UTC)
        s = new_session(
            grid_ref=grid,
            app_version=__version__,
            mode=Mode.TRAINING,
            now=start,
            record_id=_id(rng),
        )
        s = s.model_copy(update={"synthetic": True})
        roles = [Role.SERVICE_USER, Role.CLINICIAN]
        if self.carer and rng.random() < 0.75:
            roles.append(Role.CARER)
        if self.peer and rng.random() < 0.6:
            roles.append(Role.PEER_SUPPORT)
        for role in roles:
            s = t.add_participant(s, role, self.labels[role])
        if Role.CARER in roles:
            s = t.set_carer_consent(s, CarerConsent.YES)
        s = t.set_reference(s, self.reference)
        s = t.set_team_talk(
            s,
            decision=rng.choice(DECISIONS),
            what_matters=rng.choice(WHAT_MATTERS),
            involvement=rng.choice(list(Involvement)),
        )
        s = self.prepared(s, start)
        options = self.compared(grid)
        s = t.choose_options(s, options)
        questions = list(grid.questions)
        for person in s.voices():
            profile = self.profile(person.role, grid)
            rated = rng.sample(questions, k=rng.randint(min(3, len(questions)), len(questions)))
            for q in rated:
                s = t.rate_importance(s, person.id, q, _nudge(profile[q], rng))
            for option in options:
                s = t.set_leaning(s, person.id, option, self.leaning(person.role, grid, option))
            for _ in range(rng.choice((0, 1, 1, 2))):
                s = t.add_note(s, person.id, rng.choice(NOTES))
            if rng.random() < 0.2:
                s = t.add_note(s, person.id, rng.choice(QUESTIONS), question=True)
        if rng.random() < 0.1:
            s = t.record_disagreement(s, "How soon to change anything")
        for item in s.disagreements:
            if rng.random() < 0.5:
                for person in s.voices()[:2]:
                    s = t.set_view(s, item.id, person.id, rng.choice(VIEWS))
            if rng.random() < 0.6:
                s = t.set_disagreement_status(s, item.id, talked_through=True)
        s = self.worried(s, start)
        return self.decide(s, start, review_weeks)

    def prepared(self, s: Session, start: datetime) -> Session:
        """Now and then the service user wrote a preparation before the visit: with the
        peer support worker or carer when one came, their involvement as in team talk."""
        extra = self.extra
        if extra.random() >= 0.3:
            return s
        roles = {p.role for p in s.participants}
        with_whom = (
            WrittenWith.PEER_SUPPORT
            if Role.PEER_SUPPORT in roles
            else WrittenWith.CARER
            if Role.CARER in roles
            else WrittenWith.ALONE
        )
        texts = {"want": extra.choice(WANTS), "stay_well": extra.choice(STAY_WELL)}
        if extra.random() < 0.5:
            texts["worries"] = extra.choice(WORRIES)
        if extra.random() < 0.4:
            texts["questions"] = extra.choice(QUESTIONS)
        written = update_preparation(
            Preparation(),
            involvement=s.team_talk.involvement,
            written_with=with_whom,
            now=start - timedelta(days=extra.randint(1, 6)),
            **texts,
        )
        return c.bring_preparation(s, written)

    def worried(self, s: Session, start: datetime) -> Session:
        """A concern in about one visit in four, raised by the service user or the carer,
        answered, or left open with who follows it up."""
        extra = self.extra
        if extra.random() >= 0.25:
            return s
        who = [p for p in s.voices() if p.role in (Role.SERVICE_USER, Role.CARER)]
        person = extra.choice(who)
        kind = extra.choice(list(CONCERNS))
        when = start + timedelta(minutes=extra.randint(3, 15))
        s = c.raise_concern(
            s, person.id, extra.choice(CONCERNS[kind]), kind=kind,
            talk=extra.choice(("team", "options", "decision")), now=when,
        )  # fmt: skip
        concern = s.concerns[-1].id
        later = when + timedelta(minutes=extra.randint(2, 10))
        if extra.random() < 0.7:
            return c.respond_to_concern(
                s, concern, response=extra.choice(RESPONSES), answered=True, now=later
            )
        return c.respond_to_concern(
            s, concern, answered=False, follow_up=extra.choice(FOLLOW_UPS), now=later
        )

    def planned(self, s: Session) -> Session:
        """A plan if things get harder: always when waiting or not agreeing, often when
        a change was chosen."""
        extra = self.extra
        if s.decision.outcome == Outcome.CHOSEN and extra.random() >= 0.4:
            return s
        keys = ["warning_signs", "what_helps", "contact"]
        keys += [k for k in ("watch_for", "meet_sooner") if extra.random() < 0.6]
        return c.set_plan(s, **{k: extra.choice(PLAN_TEXT[k]) for k in keys})

    def decide(self, s: Session, start: datetime, review_weeks: int) -> Session:
        rng = self.rng
        outcome = rng.choices(list(Outcome), weights=(75, 17, 8))[0]
        su = s.service_user()
        assert su is not None
        if outcome == Outcome.CHOSEN:
            liked = [o for o in s.team_talk.options if su.leanings.get(o) == Leaning.TOWARDS]
            option = (liked or list(s.team_talk.options))[0]
            s = t.set_decision(s, outcome=outcome, option=option)
            stances: tuple[Stance, ...] = (
                (Stance.AGREE,) * 6 + (Stance.GO_ALONG,) * 2 + (Stance.DISAGREE,)
            )
        else:
            s = t.set_decision(s, outcome=outcome)
            stances = (Stance.AGREE, Stance.GO_ALONG, Stance.DISAGREE)
        # The reason fits the outcome: a choice made has a reason for it, waiting is
        # "time to think", and only a record where people did not agree says so.
        if outcome == Outcome.CHOSEN:
            reason = rng.choice(REASONS[:CHOSEN_REASONS])
        elif outcome == Outcome.DEFERRED:
            reason = REASONS[CHOSEN_REASONS]
        else:
            reason = REASONS[CHOSEN_REASONS + 1]
        s = t.set_decision(
            s,
            reason=reason,
            review_date=start.date() + timedelta(weeks=review_weeks),
            today=start.date(),
        )
        for person in s.voices():
            s = t.set_stance(s, person.id, rng.choice(stances))
        if outcome == Outcome.NO_AGREEMENT and all(
            v != Stance.DISAGREE for v in s.decision.stances.values()
        ):
            # "We could not agree" means someone disagrees.
            s = t.set_stance(s, s.voices()[-1].id, Stance.DISAGREE)
        s = t.set_next_steps(s, rng.sample(NEXT_STEPS, k=rng.randint(1, 3)))
        s = self.planned(s)
        yes = 0.8 if outcome == Outcome.CHOSEN else 0.45
        others = [p.id for p in s.voices() if p.role != Role.SERVICE_USER]
        answerers = [su.id, *others[:1]] if rng.random() < 0.5 else [su.id]
        for person_id in answerers:
            for item in CERTAINTY_ITEMS:
                roll = rng.random()
                answer = Answer3.YES if roll < yes else Answer3.UNSURE if roll < 0.9 else Answer3.NO
                s = t.set_certainty(s, person_id, item, answer)
        if rng.random() < 0.85:
            for item in FEEDBACK_ITEMS:
                s = t.set_feedback(s, item, rng.choices(range(5), weights=(1, 2, 4, 8, 7))[0])
        return t.complete(s, now=start + timedelta(minutes=rng.randint(20, 55)))
