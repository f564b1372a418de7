"""Damaged, planted and hostile files in the records folder (issue 13, items 1-5).

Each case was reproduced on the code before this change: a FIFO hung `records verify`
and Home, a link to /dev/zero read until memory ran out, a link named like a draft's
lock file had its target overwritten, `created = 07:32:00` raised TypeError, a
4,301-digit integer ValueError and arrays nested 1,000 deep RecursionError, problem
lines echoed ESC and BEL, a finished consultation came back as a draft, a record
missing its summary stayed so, and temp files left by a kill stayed.
Everyone in these records is invented.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from cli_helpers import draft_session, finished_session, load_example_grid
from pydantic import BaseModel, ConfigDict, ValidationError

from sdm_tui.__main__ import main
from sdm_tui.core import record
from sdm_tui.core.grid import OptionGrid, load_grid
from sdm_tui.core.record import RecordProblem
from sdm_tui.core.recovery import recover
from sdm_tui.core.session import Session
from sdm_tui.core.store import RecordStore
from sdm_tui.core.summary import DEFAULT_CONTACT, summary_markdown
from sdm_tui.core.tomlfile import (
    MAX_PROBLEMS_PER_FILE,
    FileProblems,
    LineMap,
    Problem,
    escape_for_terminal,
    read_toml,
    validation_problems,
)

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="links and FIFOs")
T = TypeVar("T")
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def finishes(work: Callable[[], T]) -> T:
    """Run `work` in a thread and return its result; a hang (the old FIFO behaviour)
    fails the test instead of blocking the whole run. Not a speed check: the limit
    is a minute for work that takes milliseconds."""
    box: dict[str, object] = {}

    def go() -> None:
        try:
            box["result"] = work()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=go, daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "hung (a FIFO was opened for reading?)"
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]  # type: ignore[return-value]


@pytest.fixture(scope="module")
def grid() -> OptionGrid:
    return load_example_grid()


@pytest.fixture
def store(tmp_path: Path) -> RecordStore:
    store = RecordStore(tmp_path / "records")
    store.ensure()
    return store


def summary_for(grid: OptionGrid) -> Callable[[Session], str]:
    return lambda session: summary_markdown(session, grid, contact=DEFAULT_CONTACT)


def save(store: RecordStore, grid: OptionGrid, record_id: str) -> Path:
    session = finished_session(grid, record_id=record_id)
    return store.save_finished(session, summary_for(grid)(session)).toml


def verify(store: RecordStore, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = finishes(lambda: main(["records", "verify", "--records", str(store.root), *extra]))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out


def rewrite(path: Path, text: str) -> None:
    path.write_text(text, "utf-8")


# 1. Links and special files --------------------------------------------------------


@posix_only
def test_a_fifo_named_like_a_record_or_draft_never_hangs(
    store: RecordStore, grid: OptionGrid, capsys: pytest.CaptureFixture[str]
) -> None:
    good = save(store, grid, "good00000001")
    fifo = good.with_name(good.name.replace("good00000001", "fifo00000001"))
    os.mkfifo(fifo)
    os.mkfifo(store.drafts_dir / "fifo00000002.toml")
    code, out = verify(store, capsys)
    assert code == 1
    assert f"{fifo}:0: not read: it is a FIFO" in out
    assert "fifo00000002.toml:0: not read: it is a FIFO" in out
    assert out.splitlines()[-1] == f"1 records ok, 1 failed, in {store.root}"
    drafts = finishes(store.drafts)
    assert [(d.record_id, d.session) for d in drafts] == [("fifo00000002", None)]
    assert "a FIFO" in drafts[0].problem


@posix_only
def test_a_link_to_dev_zero_named_like_a_record_is_not_read(
    store: RecordStore, grid: OptionGrid, capsys: pytest.CaptureFixture[str]
) -> None:
    good = save(store, grid, "good00000001")
    link = good.with_name(good.name.replace("good00000001", "zero00000001"))
    link.symlink_to("/dev/zero")
    with pytest.raises(RecordProblem) as caught:
        finishes(lambda: record.load(link))
    assert caught.value.kind == "unreadable"
    assert "it is a link" in str(caught.value)
    code, out = verify(store, capsys)
    assert code == 1 and "zero00000001.toml:0: not read: it is a link" in out


@posix_only
def test_a_link_to_a_real_record_elsewhere_is_refused_too(
    tmp_path: Path, store: RecordStore, grid: OptionGrid
) -> None:
    elsewhere = RecordStore(tmp_path / "other")
    real = save(elsewhere, grid, "else00000001")
    (store.drafts_dir / "else00000001.toml").symlink_to(real)
    [info] = store.drafts()
    assert info.session is None and "a link" in info.problem


def test_a_record_over_two_megabytes_is_listed_as_too_large(
    store: RecordStore, grid: OptionGrid, capsys: pytest.CaptureFixture[str]
) -> None:
    good = save(store, grid, "good00000001")
    big = good.with_name(good.name.replace("good00000001", "huge00000001"))
    big.write_bytes(good.read_bytes() + b"#" * 3_100_000)
    code, out = verify(store, capsys)
    assert code == 1
    assert "not read: it is too large (3.1 MB; the limit is 2 MB)" in out


@posix_only
def test_a_lock_file_link_is_never_written_through(
    tmp_path: Path, store: RecordStore, grid: OptionGrid
) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("someone else's file\n", "utf-8")
    draft = draft_session(grid, record_id="lock00000001")
    store.save_draft(draft)
    store.release_draft(draft.record_id)
    lock = store.drafts_dir / "lock00000001.lock"
    lock.unlink(missing_ok=True)
    lock.symlink_to(precious)
    assert [d.record_id for d in store.drafts()] == ["lock00000001"]  # listed, no crash
    other = RecordStore(store.root)
    with pytest.raises(Exception, match="a link"):
        other.claim_draft("lock00000001")
    assert precious.read_text("utf-8") == "someone else's file\n"
    assert main(["records", "verify", "--records", str(store.root)]) == 0
    assert precious.read_text("utf-8") == "someone else's file\n"


@posix_only
def test_saving_a_draft_over_a_planted_link_replaces_the_link_not_its_target(
    tmp_path: Path, store: RecordStore, grid: OptionGrid
) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me\n", "utf-8")
    draft = draft_session(grid, record_id="link00000001")
    store.draft_path(draft.record_id).symlink_to(precious)
    temp = store.drafts_dir / f".link00000001.toml.{os.getpid()}.tmp"
    temp.symlink_to(precious)
    store.save_draft(draft)
    assert precious.read_text("utf-8") == "keep me\n"
    assert record.load(store.draft_path(draft.record_id)) == draft


@posix_only
def test_a_fifo_as_settings_never_hangs(store: RecordStore) -> None:
    os.mkfifo(store.root / "settings.toml")
    assert finishes(lambda: store.clinic_contact("the default")) == "the default"


# 2. One bad file never hides the others ----------------------------------------------


BAD_RECORDS = {
    "time": ("created = 07:32:00", "created: a time of day with no date"),
    "long-integer": ("x = " + "7" * 4301, "a number of more than 4,300 digits"),
    "nested": ("x = " + "[" * 1000 + "]" * 1000, "nested too deep"),
}


@pytest.mark.parametrize("case", sorted(BAD_RECORDS))
def test_a_value_tomllib_reads_but_a_record_never_holds_is_a_problem(
    store: RecordStore, grid: OptionGrid, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    save(store, grid, "good00000001")
    bad = save(store, grid, "bad000000001")
    line, reason = BAD_RECORDS[case]
    text = bad.read_text("utf-8")
    text = re.sub(r"(?m)^created = .*$", line, text) if case == "time" else text + line + "\n"
    rewrite(bad, text)
    with pytest.raises(RecordProblem) as caught:
        record.load(bad)
    assert reason in str(caught.value)
    code, out = verify(store, capsys)
    assert code == 1
    assert f"{bad}:" in out and reason in out
    assert out.splitlines()[-1] == f"1 records ok, 1 failed, in {store.root}"
    # A draft damaged the same way is listed with the reason, not a crash.
    rewrite(store.drafts_dir / "bad000000002.toml", text)
    [info] = store.drafts()
    assert info.session is None and reason in info.problem


def test_a_grid_nested_a_thousand_deep_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    rewrite(path, "id = 'deep'\nx = " + "[" * 1000 + "]" * 1000 + "\n")
    with pytest.raises(FileProblems) as caught:
        load_grid(path)
    assert str(caught.value) == (
        f"{path}:0: not usable: tables or lists nested too deep (check that this is really a grid)"
    )


def test_at_most_a_hundred_problem_lines_a_file(tmp_path: Path) -> None:
    path = tmp_path / "many.toml"
    rewrite(path, "".join(f"unknown_{n} = 1\n" for n in range(500)))
    with pytest.raises(FileProblems) as caught:
        load_grid(path)
    problems = caught.value.problems
    assert len(problems) == MAX_PROBLEMS_PER_FILE + 1
    assert problems[-1].message.startswith("... and ")
    assert problems[-1].message.endswith(" more problems")
    assert len(str(caught.value).splitlines()) == MAX_PROBLEMS_PER_FILE + 1


# 5. Problems never carry raw control, bidi or zero-width characters -----------------


def test_an_unknown_key_with_escape_and_bell_is_shown_escaped(tmp_path: Path) -> None:
    path = tmp_path / "grid.toml"
    rewrite(path, '"\\u001b[2J\\u0007evil\\u202e\\u200b" = 1\n')
    with pytest.raises(FileProblems) as caught:
        load_grid(path)
    text = str(caught.value)
    assert RAW_CONTROL.search(text) is None
    assert "\\x1b[2J\\x07evilU+202EU+200B" in text
    for problem in caught.value.problems:
        for field in (problem.file, problem.message, problem.fix):
            assert RAW_CONTROL.search(field) is None


def test_validation_problems_escape_an_unknown_key() -> None:
    class Strict(BaseModel):
        model_config = ConfigDict(extra="forbid")
        title: str = ""

    text = 'title = "x"\n"\\u001b[31mred\\u0007" = 1\n'
    try:
        Strict.model_validate(tomllib.loads(text))
    except ValidationError as exc:
        [problem] = validation_problems(exc, "x.toml", LineMap(text))
    assert problem.message == "unknown key '\\x1b[31mred\\x07'"
    assert RAW_CONTROL.search(str(problem)) is None


def test_problem_escapes_every_field_once() -> None:
    problem = Problem("a\x1b.toml", 3, "bad \x07 \u2066x\u2069", "fix\nit")
    assert str(problem) == "a\\x1b.toml:3: bad \\x07 U+2066xU+2069 (fix\\nit)"
    again = Problem(problem.file, problem.line, problem.message, problem.fix)
    assert again == problem  # escaping escaped text changes nothing
    assert escape_for_terminal("Tablet A – olanzapine, café") == "Tablet A – olanzapine, café"


@posix_only
def test_a_file_name_with_escapes_is_shown_escaped(tmp_path: Path) -> None:
    path = tmp_path / "\x1b]0;title\x07.toml"
    rewrite(path, "not = = toml\n")
    with pytest.raises(FileProblems) as caught:
        read_toml(path)
    assert RAW_CONTROL.search(str(caught.value)) is None
    assert "\\x1b]0;title\\x07.toml:1:" in str(caught.value)


# 4. After a kill: finished drafts, missing summaries, temp files --------------------


def test_a_draft_whose_record_is_saved_is_retired_and_its_summary_written(
    store: RecordStore, grid: OptionGrid
) -> None:
    finished = finished_session(grid, record_id="kill00000001")
    draft = draft_session(grid, record_id="kill00000001")
    store.save_draft(draft)
    # Killed after the record was written, before its summary and the draft's removal.
    path = store.record_path(finished)
    path.parent.mkdir(parents=True)
    path.write_bytes(record.dumps(finished))
    temp = path.with_name(f".{path.stem}.md.999999999.tmp")
    temp.write_text("half a summary", "utf-8")
    store.release_draft(draft.record_id)
    done = recover(RecordStore(store.root), summary_for(grid))
    assert done.drafts_retired == ["kill00000001"]
    assert done.summaries_written == [path.with_suffix(".md")]
    assert temp in done.temps_removed
    assert store.drafts() == []
    assert path.with_suffix(".md").read_text("utf-8") == summary_for(grid)(finished)
    assert sorted(p.name for p in store.drafts_dir.iterdir()) == []


def test_temp_files_are_removed_and_never_read_as_records(
    store: RecordStore, grid: OptionGrid, capsys: pytest.CaptureFixture[str]
) -> None:
    good = save(store, grid, "good00000001")
    left = [
        store.drafts_dir / ".temp00000001.toml.999999999.tmp",
        good.with_name(f".{good.name}.999999999.tmp"),
    ]
    for temp in left:
        temp.write_bytes(good.read_bytes())
    mine = store.drafts_dir / f".temp00000002.toml.{os.getpid()}.tmp"  # a live save
    mine.write_bytes(b"being written")
    assert [p.name for p in store.record_files()] == [good.name]
    code, out = verify(store, capsys, "--repair")
    assert code == 0
    for temp in left:
        assert not temp.exists()
        assert f"removed a temp file left by a killed save: {temp}" in out
    assert mine.exists()


def test_verify_repair_writes_a_missing_summary(
    store: RecordStore, grid: OptionGrid, capsys: pytest.CaptureFixture[str]
) -> None:
    path = save(store, grid, "nomd00000001")
    md = path.with_suffix(".md")
    expected = md.read_text("utf-8")
    md.unlink()
    code, out = verify(store, capsys)
    assert code == 0 and not md.exists()  # plain verify changes nothing
    code, out = verify(
        store, capsys, "--repair", "--grids", str(Path(__file__).parents[1] / "data")
    )
    assert code == 0
    assert f"wrote the missing summary {md}" in out
    assert md.read_text("utf-8") == expected


@posix_only
def test_records_list_escapes_a_planted_file_name(
    store: RecordStore, grid: OptionGrid, capsys: pytest.CaptureFixture[str]
) -> None:
    good = save(store, grid, "good00000001")
    planted = good.with_name("2026-11-02_\x1b]0;owned\x07\u202e.toml")
    planted.write_text("x = = 1\n", "utf-8")
    capsys.readouterr()
    code = finishes(lambda: main(["records", "list", "--records", str(store.root)]))
    out, err = capsys.readouterr()
    assert code == 0
    assert RAW_CONTROL.search(out + err) is None
    assert "FAILED" in out and "good00000001" in out  # listed, cleaned or escaped
