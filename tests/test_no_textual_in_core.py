"""Every sdm_tui.core and sdm_tui.cli module imports without loading Textual.

One fresh interpreter imports every module; when that loads no Textual module, none
of them does (what a module loads on import is part of what all of them load). Only
when some Textual module was loaded does it import each module in turn, first forgetting
every sdm_tui and Textual module loaded before (so each is judged on its own imports),
to name the ones that load it. Each module is then one case.
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
names = json.loads(sys.argv[1])
for name in names:
    importlib.import_module(name)
if not any(m == "textual" or m.startswith("textual.") for m in sys.modules):
    print(json.dumps({name: [] for name in names}))
    sys.exit(0)
report = {}
for name in names:
    for loaded in [m for m in sys.modules if ours(m)]:
        del sys.modules[loaded]
    importlib.import_module(name)
    report[name] = sorted(
        m for m in sys.modules if m == "textual" or m.startswith("textual.")
    )
print(json.dumps(report))
"""


def probe(names: list[str]) -> dict[str, list[str]]:
    """The Textual modules each of `names` loads, from one fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(names)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=subprocess_env(),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, list[str]] = json.loads(done.stdout)
    return report


@pytest.fixture(scope="module")
def loaded() -> dict[str, list[str]]:
    return probe(MODULES)


def test_the_probe_names_the_module_that_loads_textual() -> None:
    """The probe is not blind, and blames only the module that loads Textual."""
    report = probe(["sdm_tui.core.session", "sdm_tui.ui.messages", "sdm_tui.core.text"])
    assert "textual.message" in report["sdm_tui.ui.messages"]
    assert report["sdm_tui.core.session"] == []
    assert report["sdm_tui.core.text"] == []


def test_the_walk_finds_the_packages() -> None:
    assert "sdm_tui.core.session" in MODULES
    assert "sdm_tui.core.index.queries" in MODULES
    assert "sdm_tui.cli.records" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_module_does_not_load_textual(name: str, loaded: dict[str, list[str]]) -> None:
    assert name in loaded
    assert loaded[name] == [], f"{name} loads {loaded[name][:3]}"
