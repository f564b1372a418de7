"""`sdm-tui records export --format fhir` and `sdm-tui records compare ID1 ID2`.

Run in-process through `main([...])` with capsys; one subprocess test proves
these commands never import Textual. Records are written with the real store
under tmp_path; everyone in them is invented.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from cli_helpers import (
    NOW,
    REPO,
    draft_session,
    finished_session,
    load_example_grid,
    subprocess_env,
)

from sdm_tui.__main__ import main
from sdm_tui.core import transitions as t
from sdm_tui.core.fhir import bundle, bundle_json
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.history import compare, comparison_markdown
from sdm_tui.core.session import Leaning, Mode, Outcome, Session
from sdm_tui.core.store import RecordStore
from sdm_tui.core.summary import DEFAULT_CONTACT, summary_markdown

FIRST = "hist00000001"
SECOND = "hist00000002"
OTHER_PERSON = "hist00000003"
TRAINING = "hist00000004"

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Run the command line in-process; return (exit code, stdout, stderr)."""

    def invoke(*argv: str | Path) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return invoke


@pytest.fixture(scope="module")
def grid() -> OptionGrid:
    return load_example_grid()


def second_visit(grid: OptionGrid) -> Session:
    """Six weeks on: the service user now rates weight lower and leans away from Tablet A."""
    now = NOW + timedelta(weeks=6, days=2)
    s = draft_session(grid, record_id=SECOND, now=now)
    s = t.rate_importance(s, "p1", "weight", 2)
    s = t.set_leaning(s, "p1", "tablet-a", Leaning.AWAY)
    s = t.set_decision(
        s, outcome=Outcome.DEFERRED, review_date=now.date() + timedelta(weeks=4), today=now.date()
    )
    return t.complete(s, now=now)


@pytest.fixture
def sessions(grid: OptionGrid) -> dict[str, Session]:
    other = finished_session(grid, record_id=OTHER_PERSON, now=NOW + timedelta(days=3))
    other = other.model_copy(update={"service_user_ref": "TEST-0002"})
    return {
        FIRST: finished_session(grid, record_id=FIRST),
        SECOND: second_visit(grid),
        OTHER_PERSON: other,
        TRAINING: finished_session(grid, record_id=TRAINING, mode=Mode.TRAINING),
    }


@pytest.fixture
def records(tmp_path: Path, grid: OptionGrid, sessions: dict[str, Session]) -> Path:
    root = tmp_path / "records"
    store = RecordStore(root)
    for session in sessions.values():
        store.save_finished(session, summary_markdown(session, grid, contact=DEFAULT_CONTACT))
    return root


def record_file(root: Path, record_id: str) -> Path:
    found = RecordStore(root).find(record_id)
    assert found is not None
    return found


# export --format fhir -------------------------------------------------------------------


def test_export_fhir_to_stdout(run: Run, records: Path, sessions: dict[str, Session]) -> None:
    code, out, err = run("records", "export", FIRST, "--format", "fhir", "--records", records)
    assert code == 0, err
    assert err == ""
    data = json.loads(out)
    assert data["resourceType"] == "Bundle" and data["type"] == "document"
    assert data == bundle(sessions[FIRST])


def test_export_fhir_to_a_file(
    run: Run, records: Path, tmp_path: Path, sessions: dict[str, Session]
) -> None:
    target = tmp_path / "out.json"
    code, out, err = run(
        "records", "export", FIRST, "--format", "fhir", "--output", target, "--records", records
    )
    assert code == 0, err
    assert out.strip() == f"wrote {target}"
    assert target.read_bytes() == bundle_json(sessions[FIRST])
    if sys.platform != "win32":
        assert target.stat().st_mode & 0o777 == 0o600


def test_export_fhir_never_overwrites(run: Run, records: Path, tmp_path: Path) -> None:
    target = tmp_path / "taken.json"
    target.write_text("someone else's file", "utf-8")
    code, out, err = run(
        "records", "export", FIRST, "--format", "fhir", "--output", target, "--records", records
    )
    assert code == 1
    assert out == ""
    assert f"{target} already exists" in err
    assert target.read_text("utf-8") == "someone else's file"


def test_export_fhir_of_an_edited_record_is_refused(run: Run, records: Path) -> None:
    path = record_file(records, FIRST)
    path.write_text(path.read_text("utf-8").replace("weight = 4\n", "weight = 3\n"), "utf-8")
    code, out, err = run("records", "export", FIRST, "--format", "fhir", "--records", records)
    assert code == 1
    assert out == ""
    assert str(path) in err and "integrity" in err


def test_export_fhir_of_a_training_record_is_tagged(run: Run, records: Path) -> None:
    code, out, _ = run("records", "export", TRAINING, "--format", "fhir", "--records", records)
    assert code == 0
    codes = {tag["code"] for tag in json.loads(out)["meta"]["tag"]}
    assert {"HTEST", "training"} <= codes


# compare ---------------------------------------------------------------------------------


def test_compare_two_records_of_one_person(
    run: Run, records: Path, sessions: dict[str, Session]
) -> None:
    code, out, err = run("records", "compare", FIRST, SECOND, "--records", records)
    assert code == 0, err
    assert err == ""
    assert out == comparison_markdown(compare(sessions[FIRST], sessions[SECOND]))
    assert "| Decision | Chosen: Tablet A | Deferred |" in out
    assert (
        "| Service user (service user) | Will I put on weight? | 4 most important | 2 somewhat |"
        in out
    )
    assert "| Service user (service user) | Leaning on Tablet A | ▲ towards | ▼ away |" in out
    assert "Review on 14 December 2026 was kept: the next record was 2 days after it." in out


def test_compare_in_either_order(run: Run, records: Path) -> None:
    _, forwards, _ = run("records", "compare", FIRST, SECOND, "--records", records)
    code, backwards, _ = run("records", "compare", SECOND, FIRST, "--records", records)
    assert code == 0
    assert backwards == forwards


@pytest.mark.parametrize(
    ("second", "message"),
    [
        (OTHER_PERSON, "are about different service users"),
        (TRAINING, "one is a training role-play and the other a clinical record"),
        (FIRST, "that is the same record twice"),
        ("nope00000000", "nope00000000: no single record with that id"),
    ],
)
def test_compare_refuses(run: Run, records: Path, second: str, message: str) -> None:
    code, out, err = run("records", "compare", FIRST, second, "--records", records)
    assert code == 1
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_compare_names_a_damaged_record(run: Run, records: Path) -> None:
    path = record_file(records, SECOND)
    path.write_bytes(path.read_bytes()[:200])
    code, out, err = run("records", "compare", FIRST, SECOND, "--records", records)
    assert code == 1
    assert out == ""
    assert str(path) in err


def test_compare_in_a_missing_folder(run: Run, tmp_path: Path) -> None:
    missing = tmp_path / "not-here"
    code, out, err = run("records", "compare", FIRST, SECOND, "--records", missing)
    assert code == 1
    assert out == ""
    assert "the records folder does not exist" in err


# No Textual --------------------------------------------------------------------------------


def test_export_and_compare_never_import_textual(records: Path, tmp_path: Path) -> None:
    target = tmp_path / "bundle.json"
    code = f"""
import sys
from sdm_tui.__main__ import main
D = {str(records)!r}
assert main(['records', '--records', D, 'export', {FIRST!r}, '--format', 'fhir',
             '--output', {str(target)!r}]) == 0
assert main(['records', '--records', D, 'compare', {FIRST!r}, {SECOND!r}]) == 0
loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))
assert not loaded, loaded
print('no textual')
"""
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=subprocess_env(),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith("no textual")
    assert json.loads(target.read_text("utf-8"))["type"] == "document"


# Debrief of a role-play ---------------------------------------------------------


def test_export_debrief_of_a_role_play_later(run: Run, tmp_path: Path) -> None:
    """A role-play's debrief can be exported from its record at any time."""
    from datetime import UTC, datetime

    from sdm_tui.core.catalog import load_catalog
    from sdm_tui.core.scenario import load_scenarios, scenario_paths
    from sdm_tui.core.training import mark_goal, score_item, set_observer_note, start_role_play

    grids = load_catalog().grids
    scenario = load_scenarios(scenario_paths(), grids).get("weight-first-episode")
    assert scenario is not None
    now = datetime(2026, 11, 2, 10, 30, tzinfo=UTC)
    s = start_role_play(scenario, grids[scenario.grid], app_version="test", now=now)
    s = score_item(s, "invite", 3)
    s = set_observer_note(s, "invite", "Asked | well <b>")
    s = mark_goal(s, scenario, scenario.goals[0].id, True)
    s = t.set_decision(
        s,
        outcome=Outcome.DEFERRED,
        reason="Think it over",
        review_date=now.date() + timedelta(weeks=6),
        today=now.date(),
    )
    s = t.complete(s, now=now)
    store = RecordStore(tmp_path / "records")
    store.save_finished(s, "summary")

    code, out, err = run(
        "records", "--records", store.root, "export", s.record_id, "--format", "debrief"
    )
    assert code == 0, err
    assert scenario.title.replace('"', "") in out.replace("\\", "").replace('"', "")
    assert scenario.goals[0].text.split()[0] in out
    assert "Asked \\| well \\<b\\>" in out or "Asked \\| well &lt;b&gt;" in out, out

    clinical = s.model_copy(
        update={"mode": Mode.CLINICAL, "training": None, "record_id": "clin0000000a"}
    )
    store.save_finished(clinical, "summary")
    code, _, err = run(
        "records", "--records", store.root, "export", "clin0000000a", "--format", "debrief"
    )
    assert code == 1 and "not a training role-play" in err
