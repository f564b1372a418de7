"""`sdm-tui records export ID --format html|text`: the handout and the clinical note.

In-process through `main([...])`; one subprocess proves these exports (and the
FHIR one) import neither Textual nor the fhir.resources test package. Records
are written with the real store under tmp_path; everyone in them is invented.
"""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import REPO, subprocess_env
from handout_cases import typical

from sdm_tui.__main__ import main
from sdm_tui.core.store import RecordStore


@pytest.fixture
def saved(tmp_path: Path) -> tuple[Path, Path]:
    """A records folder holding the typical consultation; returns (root, record path)."""
    root = tmp_path / "records"
    store = RecordStore(root)
    result = store.save_finished(typical(), "summary\n")
    return root, result.toml


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.mark.parametrize(("fmt", "suffix"), [("html", ".handout.html"), ("text", ".note.txt")])
def test_export_writes_beside_the_record(
    capsys: pytest.CaptureFixture[str], saved: tuple[Path, Path], fmt: str, suffix: str
) -> None:
    root, record_path = saved
    code, out, err = run(
        capsys, "records", "export", "hand0ut0000a", "--format", fmt, "--records", root
    )
    assert (code, err) == (0, "")
    target = record_path.with_name(record_path.stem + suffix)
    assert out == f"wrote {target}\n"
    assert target.name == f"2027-01-12_hand0ut0000a{suffix}"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    text = target.read_text(encoding="utf-8")
    assert "Aripiprazole" in text and "23 February 2027" in text
    # Again: the same file, replaced (it is made from the record, which never changes).
    assert (
        run(capsys, "records", "export", "hand0ut0000a", "--format", fmt, "--records", root)[0] == 0
    )


def test_export_text_prints_with_output_dash_and_refuses_an_existing_file(
    capsys: pytest.CaptureFixture[str], saved: tuple[Path, Path], tmp_path: Path
) -> None:
    root, _ = saved
    code, out, _ = run(
        capsys, "records", "export", "hand0ut0000a", "--format", "text", "--output", "-",
        "--records", root,
    )  # fmt: skip
    assert code == 0
    assert out.startswith("Shared decision making record (sdm-tui)\n")
    assert all(len(line) < 80 for line in out.splitlines())
    existing = tmp_path / "note.txt"
    existing.write_text("keep me")
    code, _, err = run(
        capsys, "records", "export", "hand0ut0000a", "--format", "text", "--output", existing,
        "--records", root,
    )  # fmt: skip
    assert code == 1 and "already exists" in err
    assert existing.read_text() == "keep me"


def test_exports_import_neither_textual_nor_fhir_resources(saved: tuple[Path, Path]) -> None:
    root, _ = saved
    script = (
        "import sys\n"
        "from sdm_tui.__main__ import main\n"
        f"for fmt in ('html', 'text', 'fhir'):\n"
        f"    assert main(['records', 'export', 'hand0ut0000a', '--format', fmt, "
        f"'--output', '-', '--records', {str(root)!r}]) == 0\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'fhir', 'fhir_core'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
