"""Synthetic records (sdm_tui.core.synth): invented, valid, repeatable, kept apart.

Every record written here is invented by the generator; the one clinical
record (to check refusal) is the invented TEST-0001 from cli_helpers.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
from cli_helpers import finished_session, load_example_grid

from sdm_tui.core import record, synth
from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.fsutil import StoreError
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.session import Mode, Outcome, Role, Session
from sdm_tui.core.store import RecordStore
from sdm_tui.core.synth import write_synthetic

COUNT = 120
LABELS = {
    *synth.SERVICE_USER_LABELS,
    *synth.CLINICIAN_LABELS,
    *synth.CARER_LABELS,
    *synth.PEER_LABELS,
}
FILE_NAME = re.compile(r"^training/(\d{4}-\d{2})/(\d{4}-\d{2}-\d{2})_([0-9a-z]{12})\.toml$")


@pytest.fixture(scope="module")
def grids() -> dict[str, OptionGrid]:
    return dict(load_catalog().grids)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory, grids: dict[str, OptionGrid]) -> Path:
    root = tmp_path_factory.mktemp("synth") / "records"
    assert write_synthetic(root, COUNT, 11, grids) == COUNT
    return root


@pytest.fixture(scope="module")
def sessions(written: Path) -> list[Session]:
    return [record.load(path) for path in RecordStore(written).record_files()]


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_writes_exactly_count_records_in_the_store_layout(written: Path) -> None:
    files = tree(written)
    assert len(files) == COUNT
    for name in files:
        match = FILE_NAME.match(name)
        assert match, name
        assert match.group(2).startswith(match.group(1))
    assert not (written / "clinical").exists()
    assert list(RecordStore(written).record_files((Mode.CLINICAL,))) == []


def test_every_record_loads_and_is_marked_synthetic_training(
    written: Path, sessions: list[Session]
) -> None:
    assert len(sessions) == COUNT
    for s in sessions:
        assert s.synthetic and s.mode == Mode.TRAINING
        assert s.completed is not None and s.created <= s.completed
        assert s.training is not None
        assert s.decision.outcome is not None and s.decision.review_date is not None
        path = RecordStore(written).record_path(s)
        assert path.read_bytes() == record.dumps(s)


def test_same_seed_same_records_however_many_processes(
    tmp_path: Path, written: Path, grids: dict[str, OptionGrid]
) -> None:
    again = tmp_path / "again"
    assert write_synthetic(again, COUNT, 11, grids, workers=2) == COUNT
    assert tree(again) == tree(written)
    other = tmp_path / "other"
    write_synthetic(other, COUNT, 12, grids)
    assert set(tree(other)).isdisjoint(tree(written))


def test_references_have_digits_and_no_names(sessions: list[Session]) -> None:
    for s in sessions:
        assert re.fullmatch(r"SYN-\d{5}", s.service_user_ref)
        assert {p.label for p in s.participants} <= LABELS
        for p in s.participants:
            assert set(p.notes) <= set(synth.NOTES)
            assert set(p.questions) <= set(synth.QUESTIONS)
        assert s.decision.reason in synth.REASONS
        assert set(s.decision.next_steps) <= set(synth.NEXT_STEPS)
        for item in s.disagreements:
            assert set(item.views.values()) <= set(synth.VIEWS)


def test_people_have_timelines_with_reviews_kept_and_missed(sessions: list[Session]) -> None:
    by_person: dict[str, list[Session]] = defaultdict(list)
    for s in sessions:
        by_person[s.service_user_ref].append(s)
    assert len(by_person) < COUNT / 2  # several records per person
    assert max(len(v) for v in by_person.values()) >= 4
    kept = missed = 0
    for timeline in by_person.values():
        timeline.sort(key=lambda s: s.created)
        for older, newer in itertools.pairwise(timeline):
            review = older.decision.review_date
            assert review is not None
            if newer.created.date() <= review + timedelta(days=7):
                kept += 1
            elif newer.created.date() >= review + timedelta(days=30):
                missed += 1
    assert kept > 0 and missed > 0


def test_ratings_drift_a_little_between_a_persons_records(sessions: list[Session]) -> None:
    """The same person's rating of one question moves by at most a step or two."""
    steps: list[int] = []
    by_person: dict[str, list[Session]] = defaultdict(list)
    for s in sessions:
        by_person[s.service_user_ref].append(s)
    for timeline in by_person.values():
        timeline.sort(key=lambda s: s.created)
        for older, newer in itertools.pairwise(timeline):
            a, b = older.service_user(), newer.service_user()
            assert a is not None and b is not None
            if older.grid.id == newer.grid.id:
                steps += [
                    abs(a.importance[q] - b.importance[q])
                    for q in a.importance.keys() & b.importance.keys()
                ]
    assert steps and max(steps) <= 3
    assert sum(1 for step in steps if step <= 1) > len(steps) * 0.7


def test_leanings_and_options_mostly_carry_over(sessions: list[Session]) -> None:
    scale = list(synth._LEANING_SCALE)
    steps: list[int] = []
    shared = pairs = 0
    by_person: dict[str, list[Session]] = defaultdict(list)
    for s in sessions:
        by_person[s.service_user_ref].append(s)
    for timeline in by_person.values():
        timeline.sort(key=lambda s: s.created)
        for older, newer in itertools.pairwise(timeline):
            if older.grid.id != newer.grid.id:
                continue
            pairs += 1
            shared += bool(set(older.team_talk.options) & set(newer.team_talk.options))
            a, b = older.service_user(), newer.service_user()
            assert a is not None and b is not None
            both = a.leanings.keys() & b.leanings.keys()
            steps += [abs(scale.index(a.leanings[o]) - scale.index(b.leanings[o])) for o in both]
    assert pairs and shared == pairs  # at most one option swapped each time
    assert steps and max(steps) <= 1 and 0 < steps.count(1) < len(steps) / 2


def test_a_realistic_spread(sessions: list[Session], grids: dict[str, OptionGrid]) -> None:
    assert {s.grid.id for s in sessions} == set(grids)
    outcomes = [s.decision.outcome for s in sessions]
    assert outcomes.count(Outcome.CHOSEN) > outcomes.count(Outcome.DEFERRED) > 0
    assert outcomes.count(Outcome.NO_AGREEMENT) > 0
    roles = [{p.role for p in s.participants} for s in sessions]
    assert all({Role.SERVICE_USER, Role.CLINICIAN} <= r for r in roles)
    assert any(Role.CARER in r for r in roles) and any(Role.PEER_SUPPORT in r for r in roles)
    assert all(2 <= len(s.participants) <= 4 for s in sessions)
    assert any(s.carer_took_part() for s in sessions)
    assert any(s.open_disagreements() for s in sessions)
    assert any(s.disagreements and not s.open_disagreements() for s in sessions)
    assert sum(1 for s in sessions if s.feedback) > COUNT / 2
    assert all(s.service_user().certainty for s in sessions)  # type: ignore[union-attr]
    assert all(s.decision.next_steps for s in sessions)
    chosen = [s for s in sessions if s.decision.outcome == Outcome.CHOSEN]
    assert all(s.decision.option in s.team_talk.options for s in chosen)
    assert len({s.decision.option for s in chosen}) > 3


def test_refuses_a_folder_with_clinical_records(
    tmp_path: Path, grids: dict[str, OptionGrid]
) -> None:
    store = RecordStore(tmp_path / "records")
    saved = store.save_finished(finished_session(load_example_grid()), "# summary\n")
    with pytest.raises(StoreError) as caught:
        write_synthetic(store.root, 10, 1, grids)
    assert str(caught.value) == (
        f"{store.root} holds real clinical records; write synthetic records to an empty folder"
    )
    assert not (store.root / "training").exists()
    assert list(store.record_files()) == [saved.toml]


def test_never_overwrites(tmp_path: Path, grids: dict[str, OptionGrid]) -> None:
    root = tmp_path / "records"
    write_synthetic(root, 30, 4, grids)
    before = tree(root)
    with pytest.raises(StoreError, match="already holds the synthetic records of seed 4"):
        write_synthetic(root, 30, 4, grids)
    assert tree(root) == before
    # A later file of the same seed that is already there is not replaced either.
    victim = sorted(root.rglob("*.toml"))[-1]
    first_person = {p for p in before if p.endswith(".toml")}
    for name in first_person:
        if Path(root / name) != victim:
            (root / name).unlink()
    victim.write_bytes(b"kept")
    with pytest.raises(StoreError, match="never overwritten"):
        write_synthetic(root, 30, 4, grids)
    assert victim.read_bytes() == b"kept"
    assert not list(root.rglob("*.tmp"))


def test_bad_arguments(tmp_path: Path, grids: dict[str, OptionGrid]) -> None:
    with pytest.raises(ValueError, match="count"):
        write_synthetic(tmp_path, 0, 1, grids)
    with pytest.raises(ValueError, match="grids"):
        write_synthetic(tmp_path, 5, 1, {})


def test_plan_sums_to_count() -> None:
    for count in (1, 2, 7, 1000):
        sizes = synth.plan(count, 5)
        assert sum(sizes) == count and all(1 <= n <= 8 for n in sizes)
    assert synth.plan(500, 5) == synth.plan(500, 5) != synth.plan(500, 6)


def test_outcome_reason_and_stances_agree_across_a_thousand_records(
    grids: dict[str, OptionGrid],
) -> None:
    """A choice everyone agreed to never says 'We could not agree today' (issue 14, item 5).

    1,000 records (seed 23): 80 without agreement, 15 deferred with everyone agreeing."""
    from sdm_tui.core.session import Stance, grid_ref

    refs = [grid_ref(grids[key]) for key in sorted(grids)]
    not_agreed = synth.REASONS[synth.CHOSEN_REASONS + 1]
    seen: dict[Outcome, int] = defaultdict(int)
    total = 0
    for number, n in enumerate(synth.plan(1000, 23), start=1):
        for s in synth._Person(23, number, refs).sessions(n):
            total += 1
            outcome = s.decision.outcome
            assert outcome is not None
            seen[outcome] += 1
            stances = set(s.decision.stances.values())
            if outcome == Outcome.CHOSEN:
                assert s.decision.option in s.team_talk.options
                assert s.decision.reason in synth.REASONS[: synth.CHOSEN_REASONS]
            elif outcome == Outcome.DEFERRED:
                assert s.decision.reason == synth.REASONS[synth.CHOSEN_REASONS]
            else:
                assert s.decision.reason == not_agreed
                assert Stance.DISAGREE in stances
            if stances == {Stance.AGREE}:
                assert s.decision.reason != not_agreed
    assert total == 1000
    assert all(seen[o] > 50 for o in Outcome)
