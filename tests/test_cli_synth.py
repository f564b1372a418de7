"""`sdm-tui records synth`, and `records list` on a synthetic archive (through the index).

Run in-process through main([...]) with capsys; one subprocess proves synth
never imports Textual. Every record is invented.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_helpers import REPO, finished_session, load_example_grid, subprocess_env

from sdm_tui.__main__ import main
from sdm_tui.core import record
from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.index import INDEX_NAME
from sdm_tui.core.store import RecordStore

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def invoke(*argv: str | Path) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return invoke


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli-synth") / "records"
    assert main(["records", "synth", "--count", "60", "--seed", "9", "--records", str(root)]) == 0
    return root


def test_synth_writes_and_reports(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "demo"
    code, out, err = run("records", "synth", "--count", "40", "--seed", "3", "--records", root)
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 1
    shipped = len(load_catalog().grids)
    assert shipped >= 4
    assert lines[0].startswith(
        f"wrote 40 synthetic training records (seed 3, {shipped} grids) to {root}"
    )
    progress = err.splitlines()
    assert progress and progress[-1] == "synth: 40 of 40 records written"
    files = list(RecordStore(root).record_files())
    assert len(files) == 40
    assert all(record.load(p).synthetic for p in files)


def test_synth_is_repeatable(run: Run, tmp_path: Path, archive: Path) -> None:
    again = tmp_path / "again"
    run("records", "synth", "--count", "60", "--seed", "9", "--records", again)
    names = sorted(str(p.relative_to(archive)) for p in RecordStore(archive).record_files())
    assert names == sorted(str(p.relative_to(again)) for p in RecordStore(again).record_files())


def test_synthetic_records_stay_out_of_the_clinical_list(run: Run, archive: Path) -> None:
    code, out, _ = run("records", "list", "--records", archive)
    assert code == 0
    assert out == f"no clinical records in {archive}\n"
    code, out, err = run("records", "list", "--records", archive, "--mode", "training")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["DATE", "ID", "MODE", "GRID", "OUTCOME", "REFERENCE"]
    assert len(lines) == 61
    dates = [line.split()[0] for line in lines[1:]]
    assert dates == sorted(dates, reverse=True)
    assert all(line.split()[-1].startswith("SYN-") for line in lines[1:])
    assert (archive / INDEX_NAME).is_file()


def test_list_json_limit_and_reference(run: Run, archive: Path) -> None:
    _, out, _ = run("records", "list", "--records", archive, "--mode", "all", "--format", "json")
    rows = json.loads(out)
    assert len(rows) == 60
    assert out == json.dumps(rows, indent=2, ensure_ascii=False) + "\n"  # same text as before
    assert all(r["status"] == "ok" and r["mode"] == "training" for r in rows)
    assert all(Path(r["file"]).is_file() for r in rows)

    _, out, _ = run("records", "list", "--records", archive, "--mode", "all", "--limit", "5")
    assert [line.split()[1] for line in out.splitlines()[1:]] == [r["id"] for r in rows[:5]]

    reference = rows[0]["reference"]
    expected = [r["id"] for r in rows if r["reference"] == reference]
    _, out, _ = run(
        "records", "list", "--records", archive, "--mode", "training", "--format", "json",
        "--reference", reference.lower(),
    )  # fmt: skip
    assert [r["id"] for r in json.loads(out)] == expected
    _, out, _ = run("records", "list", "--records", archive, "--reference", "NOBODY-1")
    assert out == f"no clinical records for NOBODY-1 in {archive}\n"


def test_synth_refuses_a_clinical_folder(run: Run, tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "clinic")
    store.save_finished(finished_session(load_example_grid()), "# summary\n")
    code, out, err = run("records", "synth", "--count", "5", "--records", store.root)
    assert code == 1
    assert out == ""
    assert err == (
        f"{store.root} holds real clinical records; write synthetic records to an empty folder\n"
    )
    assert not (store.root / "training").exists()


def test_synth_refuses_to_repeat_a_seed(run: Run, archive: Path) -> None:
    before = len(list(RecordStore(archive).record_files()))
    code, _, err = run("records", "synth", "--count", "60", "--seed", "9", "--records", archive)
    assert code == 1
    assert "already holds the synthetic records of seed 9" in err
    assert len(list(RecordStore(archive).record_files())) == before


@pytest.mark.parametrize("count", ["0", "-3"])
def test_synth_bad_count(run: Run, tmp_path: Path, count: str) -> None:
    code, out, err = run("records", "synth", "--count", count, "--records", tmp_path / "x")
    assert code == 1 and out == ""
    assert f"--count {count}: give a number of records from 1 to" in err
    assert not (tmp_path / "x").exists()


def test_synth_records_folder_is_a_file(run: Run, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "records.txt"
    not_a_folder.write_text("x", "utf-8")
    code, _, err = run("records", "synth", "--count", "5", "--records", not_a_folder)
    assert code == 1
    assert f"{not_a_folder}: the records folder is not a folder" in err


def test_synth_with_no_usable_grids(run: Run, tmp_path: Path) -> None:
    code, _, err = run(
        "records", "synth", "--count", "5", "--records", tmp_path / "r", "--grids", tmp_path
    )
    assert code == 1
    assert "no usable option grids" in err


def test_synth_needs_no_textual(tmp_path: Path) -> None:
    code = f"""
import sys
from sdm_tui.__main__ import main
assert main(['records', 'synth', '--count', '3', '--records', {str(tmp_path / "r")!r}]) == 0
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


def test_list_limit_must_be_positive(run: Run, archive: Path) -> None:
    code, out, err = run("records", "list", "--records", archive, "--limit", "0")
    assert code == 1 and out == ""
    assert err == "--limit 0: give a number of records, 1 or more\n"
