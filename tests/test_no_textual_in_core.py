"""Every sdm_tui.core and sdm_tui.cli module imports without loading Textual.

One fresh interpreter imports each module in turn, first forgetting every sdm_tui and
Textual module loaded before (so each is judged on its own imports), and reports the
Textual modules each one loaded; each module is then one case.
New modules are found by walking the packages, so the list never goes stale.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest
from cli_helpers import REPO, subprocess_env

import sdm_tui.cli
import sdm_tui.core


def _modules() -> list[str]:
    names: list[str] = []
    for package in (sdm_tui.core, sdm_tui.cli):
        names.append(package.__name__)
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            names.append(info.name)
    return sorted(names)


MODULES = _modules()

PROBE = """
import importlib, json, sys
def ours(m):
    return m.split(".")[0] in ("sdm_tui", "textual")
report = {}
for name in json.loads(sys.argv[1]):
    for loaded in [m for m in sys.modules if ours(m)]:
        del sys.modules[loaded]
    importlib.import_module(name)
    report[name] = sorted(
        m for m in sys.modules if m == "textual" or m.startswith("textual.")
    )
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def loaded() -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(MODULES)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=subprocess_env(),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, list[str]] = json.loads(done.stdout)
    return report


def test_the_walk_finds_the_packages() -> None:
    assert "sdm_tui.core.session" in MODULES
    assert "sdm_tui.core.index.queries" in MODULES
    assert "sdm_tui.cli.records" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_module_does_not_load_textual(name: str, loaded: dict[str, list[str]]) -> None:
    assert name in loaded
    assert loaded[name] == [], f"{name} loads {loaded[name][:3]}"
