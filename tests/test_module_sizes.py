"""The house rule of issue 16: no module in sdm_tui over 500 lines (one job per module)."""

from __future__ import annotations

from pathlib import Path

import sdm_tui

LIMIT = 500


def test_no_module_is_over_500_lines() -> None:
    package = Path(sdm_tui.__file__).parent
    sizes = {
        str(path.relative_to(package)): len(path.read_text("utf-8").splitlines())
        for path in package.rglob("*.py")
    }
    assert len(sizes) > 50  # the package itself was found, not an empty folder
    too_long = {name: lines for name, lines in sizes.items() if lines > LIMIT}
    assert too_long == {}, f"split these by job (see docs/architecture.md): {too_long}"
