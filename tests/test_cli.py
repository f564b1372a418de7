"""The command line: `sdm-tui grids ...` and `sdm-tui records ...`.

Commands are run in-process through `main([...])` with capsys, for speed; one
subprocess test proves that these commands never import Textual. Records are
written with the real store under tmp_path; everyone in them is invented.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from cli_helpers import (
    EXAMPLE_GRID,
    NOW,
    REASON,
    REPO,
    finished_session,
    load_example_grid,
    subprocess_env,
)

from sdm_tui.__main__ import main
from sdm_tui.core import record
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.session import Mode, Session
from sdm_tui.core.store import ENV_CONTACT, RecordStore
from sdm_tui.core.summary import DEFAULT_CONTACT, summary_markdown

DATA = EXAMPLE_GRID.parent
PROBLEM_LINE = re.compile(r"^(?P<file>.+):(?P<line>\d+): (?P<what>.+) \((?P<fix>[^()]+)\)$")

CLINICAL_ID = "clin00000001"
SECOND_ID = "clin00000002"
TRAINING_ID = "trng00000003"

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


@pytest.fixture(autouse=True)
def _no_contact_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_CONTACT, raising=False)


@pytest.fixture
def sessions(grid: OptionGrid) -> dict[str, Session]:
    return {
        CLINICAL_ID: finished_session(grid, record_id=CLINICAL_ID),
        SECOND_ID: finished_session(grid, record_id=SECOND_ID, now=NOW + timedelta(days=40)),
        TRAINING_ID: finished_session(grid, record_id=TRAINING_ID, mode=Mode.TRAINING),
    }


@pytest.fixture
def records(tmp_path: Path, grid: OptionGrid, sessions: dict[str, Session]) -> Path:
    """A records folder holding two clinical records and one training record."""
    root = tmp_path / "records"
    store = RecordStore(root)
    for session in sessions.values():
        store.save_finished(session, summary_markdown(session, grid, contact=DEFAULT_CONTACT))
    return root


def record_file(root: Path, record_id: str) -> Path:
    found = RecordStore(root).find(record_id)
    assert found is not None
    return found


# grids -------------------------------------------------------------------------


def test_validate_example_grid(run: Run) -> None:
    code, out, err = run("grids", "validate", EXAMPLE_GRID)
    assert code == 0
    assert out.splitlines() == [
        f"{EXAMPLE_GRID}: ok (example-grid 1.0.0, 3 options, 2 questions, 6 answers)"
    ]
    assert err == ""


def test_validate_shipped_grids(run: Run) -> None:
    code, out, _ = run("grids", "validate")
    assert code == 0
    lines = out.splitlines()
    assert lines and all(": ok (" in line for line in lines)


def test_validate_a_folder(run: Run) -> None:
    code, out, _ = run("grids", "validate", DATA)
    assert code == 0
    assert f"{EXAMPLE_GRID}: ok (example-grid" in out


def test_validate_an_empty_folder(run: Run, tmp_path: Path) -> None:
    code, out, _ = run("grids", "validate", tmp_path)
    assert code == 1
    assert "no grid files found" in out


def write_edited_grid(folder: Path, old: str, new: str, name: str = "broken.toml") -> Path:
    text = EXAMPLE_GRID.read_text("utf-8")
    assert text.count(old) == 1
    path = folder / name
    path.write_text(text.replace(old, new), "utf-8")
    return path


def test_validate_broken_grid_gives_one_line(run: Run, tmp_path: Path) -> None:
    broken = write_edited_grid(tmp_path, 'name = "Tablet A"\n', 'name = "Tablet A"\ncolour = 1\n')
    code, out, err = run("grids", "validate", broken)
    assert code == 1
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == 1, out
    match = PROBLEM_LINE.match(lines[0])
    assert match, lines[0]
    assert match["file"] == str(broken)
    expected_line = broken.read_text("utf-8").splitlines().index("colour = 1") + 1
    assert int(match["line"]) == expected_line
    assert "colour" in match["what"]


def test_validate_folder_with_good_and_bad_grids(run: Run, tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(EXAMPLE_GRID.read_text("utf-8"), "utf-8")
    write_edited_grid(tmp_path, "review_by = 2099-11-01", 'review_by = "soon"')
    code, out, _ = run("grids", "validate", tmp_path)
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 2
    assert PROBLEM_LINE.match(lines[0]) and lines[0].startswith(str(tmp_path / "broken.toml"))
    assert lines[1].startswith(f"{tmp_path / 'good.toml'}: ok")


def test_validate_missing_and_non_toml_files(run: Run, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.toml"
    garbage.write_bytes(b"\x00\xff not toml [[[")
    code, out, _ = run("grids", "validate", tmp_path / "missing.toml", garbage)
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 2
    assert all(PROBLEM_LINE.match(line) for line in lines)
    assert "no such grid" in lines[0]


def test_validate_strict_fails_on_a_passed_review_date(run: Run, tmp_path: Path) -> None:
    text = EXAMPLE_GRID.read_text("utf-8")
    text = text.replace("published = 2026-11-01", "published = 2019-01-01")
    text = text.replace("review_by = 2099-11-01", "review_by = 2020-01-01")
    old = tmp_path / "old.toml"
    old.write_text(text, "utf-8")

    code, out, _ = run("grids", "validate", old)
    assert code == 0
    assert "warning: review date 2020-01-01 has passed" in out
    assert f"{old}: ok" in out

    code, out, _ = run("grids", "validate", "--strict", old)
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 1
    assert PROBLEM_LINE.match(lines[0])
    assert "review date 2020-01-01 has passed" in lines[0]
    assert "warning" not in lines[0]


def test_grids_list(run: Run) -> None:
    code, out, _ = run("grids", "list", "--grids", DATA)
    assert code == 0
    assert out.split()[:2] == ["example-grid", "1.0.0"]
    assert "3 options, 2 questions" in out
    code, out, _ = run("grids", "list")
    assert code == 0
    assert out.strip()  # the shipped grids


def test_grids_list_names_a_broken_grid(run: Run, tmp_path: Path) -> None:
    write_edited_grid(tmp_path, 'id = "example-grid"', 'id = "Not An Id"')
    code, out, _ = run("grids", "list", "--grids", tmp_path)
    assert code == 1
    assert out.startswith("broken")
    assert "cannot be used" in out


def test_grids_show(run: Run, grid: OptionGrid) -> None:
    code, out, _ = run("grids", "show", "example-grid", "--grids", DATA, "--width", "100")
    assert code == 0
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    header = next(line for line in lines if "TABLET A" in line)
    assert "│" in header and "TABLET B" in header  # options are columns
    assert any("NO CHANGE" in line for line in lines)
    for question in grid.questions:
        assert question.text.split()[0] in out
    for source in grid.sources:
        assert f"{source.id}: " in out  # the list of sources
        assert source.id in out.split("Sources:")[0]  # and cited in the cells


@pytest.mark.parametrize("width", [30, 47, 60, 80, 150])
def test_grids_show_fits_the_width(run: Run, width: int) -> None:
    code, out, _ = run("--grids", DATA, "grids", "show", "example-grid", "--width", str(width))
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= max(width, 47)


def test_grids_show_unknown(run: Run) -> None:
    code, out, err = run("grids", "show", "no-such-grid", "--grids", DATA)
    assert code == 1
    assert out == ""
    assert "no-such-grid: no such grid" in err
    assert "example-grid" in err


def test_grids_show_a_broken_grid(run: Run, tmp_path: Path) -> None:
    write_edited_grid(tmp_path, "review_by = 2099-11-01", 'review_by = "soon"')
    code, out, err = run("grids", "show", "broken", "--grids", tmp_path)
    assert code == 1
    assert out == ""
    assert PROBLEM_LINE.match(err.strip())


def test_validate_refuses_unsafe_text_and_shows_it_escaped(run: Run) -> None:
    bad = DATA / "unsafe" / "grid-osc52.toml"
    code, out, _ = run("grids", "validate", bad)
    assert code == 1
    assert out.startswith(f"{bad}:20: options.0.name: text holds \\x1b")
    assert "\x1b" not in out and "\x07" not in out
    assert PROBLEM_LINE.match(out.splitlines()[0])


def test_validate_does_not_list_archive_or_evidence(run: Run) -> None:
    from sdm_tui.core.catalog import grid_paths

    shipped = grid_paths()
    assert shipped and all(p.parent.name == "option_grids" for p in shipped)
    _, out, _ = run("grids", "validate")
    files = {line.split(":", 1)[0] for line in out.splitlines()}
    assert files == {str(p) for p in shipped}
    assert (REPO / "option_grids" / "archive").is_dir()
    assert (REPO / "option_grids" / "evidence").is_dir()


def test_archived_grids_still_validate(run: Run) -> None:
    code, out, _ = run("grids", "validate", REPO / "option_grids" / "archive")
    assert code == 0, out
    assert len(out.splitlines()) == 3
    assert all(" 1.0.0, " in line for line in out.splitlines())


DIFF = DATA / "diff"


def test_grids_diff_text(run: Run) -> None:
    code, out, err = run("grids", "diff", DIFF / "old.toml", DIFF / "new.toml")
    assert (code, err) == (0, "")
    assert out.startswith("Grid example-grid: 1.0.0 -> 1.1.0\n")
    assert "Answers in row weight (Will I put on weight, and how much?)" in out
    assert "  - option tablet-b removed" in out


def test_grids_diff_json(run: Run) -> None:
    code, out, _ = run("grids", "diff", DIFF / "old.toml", DIFF / "new.toml", "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["old"]["file"] == str(DIFF / "old.toml")
    assert document["new"]["version"] == "1.1.0"
    assert len(document["edits"]) == 16


def test_grids_show_gives_level_meaning_and_the_latest_changes(run: Run) -> None:
    code, out, _ = run("grids", "show", DIFF / "new.toml", "--width", "100")
    assert code == 0
    assert "Level: How much" in out
    tail = out.split("Changes in version 1.1.0 (2026-12-03):\n", 1)[1]
    assert tail.startswith("- Tablet B replaced by Tablet C; weight row says how much.\n")
    assert "First version." not in tail  # only the entries of the grid's own version


def test_grids_diff_a_broken_file(run: Run, tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    bad = DATA / "unsafe" / "grid-osc52.toml"
    code, out, err = run("grids", "diff", missing, bad)
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0] == f"{missing}:0: no such grid (check the path and spelling)"
    assert lines[1].startswith(f"{bad}:20: ")


# records list ------------------------------------------------------------------


def table_ids(out: str) -> list[str]:
    return [line.split()[1] for line in out.splitlines()[1:]]


def test_records_list_table(run: Run, records: Path) -> None:
    code, out, err = run("records", "list", "--records", records)
    assert code == 0
    assert err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["DATE", "ID", "MODE", "GRID", "OUTCOME", "REFERENCE"]
    assert table_ids(out) == [SECOND_ID, CLINICAL_ID]  # newest first; training hidden
    assert lines[2].split() == [
        "2026-11-02",
        CLINICAL_ID,
        "clinical",
        "example-grid",
        "chose",
        "tablet-a",
        "TEST-0001",
    ]
    assert "Service user" not in out and "Dr Test" not in out


def test_records_list_modes(run: Run, records: Path) -> None:
    _, out, _ = run("records", "list", "--records", records, "--mode", "training")
    assert table_ids(out) == [TRAINING_ID]
    _, out, _ = run("records", "list", "--records", records, "--mode", "all")
    assert sorted(table_ids(out)) == sorted([CLINICAL_ID, SECOND_ID, TRAINING_ID])


def test_records_list_json(run: Run, records: Path, sessions: dict[str, Session]) -> None:
    code, out, _ = run("records", "list", "--records", records, "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert [r["id"] for r in rows] == [SECOND_ID, CLINICAL_ID]
    first = rows[1]
    assert first == {
        "id": CLINICAL_ID,
        "file": str(record_file(records, CLINICAL_ID)),
        "status": "ok",
        "date": "2026-11-02",
        "mode": "clinical",
        "grid": "example-grid",
        "outcome": "chosen",
        "option": "tablet-a",
        "reference": "TEST-0001",
        "review_date": sessions[CLINICAL_ID].decision.review_date.isoformat(),
        "open_disagreements": 1,
        "open_concerns": 0,
        "amends": "",
    }
    _, out, _ = run("records", "list", "--records", records, "--format", "json", "--mode", "all")
    assert {r["mode"] for r in json.loads(out)} == {"clinical", "training"}


def test_records_list_empty_folder(run: Run, tmp_path: Path) -> None:
    code, out, _ = run("records", "list", "--records", tmp_path)
    assert code == 0
    assert f"no clinical records in {tmp_path}" in out
    _, out, _ = run("records", "list", "--records", tmp_path, "--format", "json")
    assert json.loads(out) == []


def test_records_list_shows_a_failed_record(run: Run, records: Path) -> None:
    path = record_file(records, CLINICAL_ID)
    path.write_text(path.read_text("utf-8").replace("weight = 4\n", "weight = 3\n"), "utf-8")
    code, out, _ = run("records", "list", "--records", records)
    assert code == 0
    failed = [line for line in out.splitlines() if "FAILED" in line]
    assert len(failed) == 1
    assert CLINICAL_ID in failed[0] and str(path) in failed[0]
    _, out, _ = run("records", "list", "--records", records, "--format", "json")
    row = next(r for r in json.loads(out) if r["id"] == CLINICAL_ID)
    assert row["status"] == "failed" and row["kind"] == "integrity"


@pytest.mark.parametrize(
    "argv",
    [
        ("--records", "{root}", "records", "list"),
        ("records", "--records", "{root}", "list"),
        ("records", "list", "--records", "{root}"),
    ],
)
def test_records_option_before_or_after_the_command(
    run: Run, records: Path, argv: tuple[str, ...]
) -> None:
    code, out, _ = run(*(a.format(root=records) for a in argv))
    assert code == 0
    assert table_ids(out) == [SECOND_ID, CLINICAL_ID]


def test_records_folder_from_the_environment(
    run: Run, records: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SDM_TUI_RECORDS", str(records))
    code, out, _ = run("records", "list")
    assert code == 0
    assert table_ids(out) == [SECOND_ID, CLINICAL_ID]


# records show / export -------------------------------------------------------------


def test_records_show(run: Run, records: Path) -> None:
    code, out, err = run("records", "show", CLINICAL_ID, "--records", records)
    assert code == 0
    assert err == ""
    assert "Your decision summary" in out
    assert "We chose “Tablet A”." in out
    assert REASON in out
    assert "TEST-0001" in out
    assert "Blood test in four weeks" in out
    assert "contact your care team" in out


def test_records_show_by_prefix_with_clinic_contact(
    run: Run, records: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_CONTACT, "Call the test clinic on 0000 000 0000")
    code, out, _ = run("records", "show", TRAINING_ID[:6], "--records", records)
    assert code == 0
    assert "Call the test clinic on 0000 000 0000" in out


def test_records_export_toml_round_trips(
    run: Run, records: Path, tmp_path: Path, sessions: dict[str, Session]
) -> None:
    target = tmp_path / "out" / "copy.toml"
    target.parent.mkdir()
    code, out, err = run(
        "records", "export", CLINICAL_ID, "--format", "toml", "--output", target,
        "--records", records,
    )  # fmt: skip
    assert code == 0, err
    assert out.strip() == f"wrote {target}"
    assert record.load(target) == sessions[CLINICAL_ID]
    assert target.read_bytes() == record_file(records, CLINICAL_ID).read_bytes()
    if sys.platform != "win32":
        assert target.stat().st_mode & 0o777 == 0o600


def test_records_export_toml_to_stdout(
    run: Run, records: Path, sessions: dict[str, Session]
) -> None:
    code, out, _ = run("records", "--records", records, "export", CLINICAL_ID, "--format", "toml")
    assert code == 0
    assert record.loads(out) == sessions[CLINICAL_ID]


def test_records_export_markdown(
    run: Run, records: Path, tmp_path: Path, grid: OptionGrid, sessions: dict[str, Session]
) -> None:
    target = tmp_path / "summary.md"
    code, _, err = run(
        "records", "export", CLINICAL_ID, "--output", target, "--records", records,
        "--grids", DATA,
    )  # fmt: skip
    assert code == 0, err
    expected = summary_markdown(sessions[CLINICAL_ID], grid, contact=DEFAULT_CONTACT)
    assert target.read_text("utf-8") == expected
    code, out, _ = run("records", "export", CLINICAL_ID, "--format", "md", "--records", records)
    assert code == 0
    assert out.startswith("# Your decision summary")
    assert REASON in out


def test_records_export_never_overwrites(run: Run, records: Path, tmp_path: Path) -> None:
    target = tmp_path / "taken.md"
    target.write_text("someone else's file", "utf-8")
    for fmt in ("md", "toml"):
        code, out, err = run(
            "records", "export", CLINICAL_ID, "--format", fmt, "--output", target,
            "--records", records,
        )  # fmt: skip
        assert code == 1
        assert f"{target} already exists" in err
        assert out == ""
        assert target.read_text("utf-8") == "someone else's file"


def test_records_export_to_a_missing_folder(run: Run, records: Path, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "folder" / "x.md"
    code, _, err = run("records", "export", CLINICAL_ID, "--output", target, "--records", records)
    assert code == 1
    assert str(target.parent) in err
    assert not target.exists()


# records verify -------------------------------------------------------------------


def test_records_verify_all_fine(run: Run, records: Path) -> None:
    code, out, _ = run("records", "verify", "--records", records)
    assert code == 0
    assert out.splitlines() == [f"3 records ok, 0 failed, in {records}"]


def test_records_verify_names_an_edited_record(run: Run, records: Path) -> None:
    path = record_file(records, SECOND_ID)
    text = path.read_text("utf-8")
    assert text.count("weight = 4\n") == 1
    path.write_text(text.replace("weight = 4\n", "weight = 3\n"), "utf-8")
    code, out, _ = run("records", "verify", "--records", records)
    assert code == 1
    lines = out.splitlines()
    assert lines[-1] == f"2 records ok, 1 failed, in {records}"
    assert len(lines) == 2
    match = PROBLEM_LINE.match(lines[0])
    assert match and match["file"] == str(path)
    assert "integrity" in match["what"]
    # The damaged record cannot be shown or exported either, and says why.
    code, out, err = run("records", "show", SECOND_ID, "--records", records)
    assert code == 1
    assert out == ""
    assert str(path) in err and "integrity" in err
    code, _, err = run("records", "export", SECOND_ID, "--records", records)
    assert code == 1
    assert str(path) in err


def test_records_verify_names_a_truncated_record(run: Run, records: Path) -> None:
    path = record_file(records, TRAINING_ID)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    code, out, _ = run("records", "verify", "--records", records)
    assert code == 1
    assert str(path) in out
    assert out.splitlines()[-1] == f"2 records ok, 1 failed, in {records}"


# Missing folders and unknown ids ---------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ("list",),
        ("list", "--format", "json"),
        ("show", CLINICAL_ID),
        ("export", CLINICAL_ID),
        ("verify",),
    ],
)
def test_records_missing_folder(run: Run, tmp_path: Path, argv: tuple[str, ...]) -> None:
    missing = tmp_path / "not-here"
    code, out, err = run("records", *argv, "--records", missing)
    assert code == 1
    assert out == ""
    assert f"{missing}: the records folder does not exist" in err
    assert "--records" in err
    assert not missing.exists()


def test_records_folder_is_a_file(run: Run, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "records.txt"
    not_a_folder.write_text("x", "utf-8")
    code, _, err = run("records", "list", "--records", not_a_folder)
    assert code == 1
    assert "is not a folder" in err


@pytest.mark.parametrize("action", ["show", "export"])
@pytest.mark.parametrize("record_id", ["nope00000000", "clin", "ab"])
def test_records_unknown_or_ambiguous_id(
    run: Run, records: Path, action: str, record_id: str
) -> None:
    code, out, err = run("records", action, record_id, "--records", records)
    assert code == 1
    assert out == ""
    assert f"{record_id}: no single record with that id in {records}" in err
    assert "records list --mode all" in err


# No Textual for commands without a screen ---------------------------------------------


def test_commands_never_import_textual(records: Path, tmp_path: Path) -> None:
    out_md = tmp_path / "export.md"
    code = f"""
import sys
from sdm_tui.__main__ import main
D = {str(records)!r}
G = {str(DATA)!r}
assert main(['grids', 'validate']) == 0
assert main(['grids', 'list']) == 0
assert main(['grids', 'show', 'example-grid', '--grids', G, '--width', '80']) == 0
assert main(['records', '--records', D, 'list']) == 0
assert main(['records', '--records', D, 'list', '--format', 'json']) == 0
assert main(['records', '--records', D, 'show', {CLINICAL_ID!r}]) == 0
OUT = {str(out_md)!r}
assert main(['records', '--records', D, 'export', {CLINICAL_ID!r}, '--output', OUT]) == 0
assert main(['records', '--records', D, 'verify']) == 0
assert main(['scenarios', 'list']) == 0
assert main(['scenarios', 'validate']) == 0
DIFF = {str(DATA / "diff")!r}
assert main(['grids', 'diff', DIFF + '/old.toml', DIFF + '/new.toml', '--format', 'json']) == 0
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
    assert "Traceback" not in result.stderr
    assert out_md.read_text("utf-8").startswith("# Your decision summary")


def test_records_list_before_the_default_folder_exists_says_no_records_yet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A fresh install: the default folder is made at the first save, so this is no error."""
    import sdm_tui.core.store as store_module

    missing = tmp_path / "not-made-yet"
    monkeypatch.delenv("SDM_TUI_RECORDS", raising=False)
    monkeypatch.setattr(store_module, "default_root", lambda: missing)
    assert main(["records", "list"]) == 0
    assert "no records yet" in capsys.readouterr().out
    assert not missing.exists()
