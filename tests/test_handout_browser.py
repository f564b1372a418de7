"""The handout in a real browser: headless Chromium prints it to PDF.

Checks the page count (a typical consultation on one page, the largest grid with
four people on two at most, on Letter and on A4), that the decision and the
review date are on page 1, and that the browser asked for nothing over the
network (a net log with only file: and data: addresses; every host name also
resolves to nothing). Skipped, saying why, where Chromium is not installed
(Debian: apt-get install chromium; .ci/run installs it).

Everyone in these records is invented (tests/handout_cases.py).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from handout_cases import grid, largest, typical

from sdm_tui.core.handout import handout_html
from sdm_tui.core.session import Session
from sdm_tui.core.takeaway import takeaway

CHROMIUM = next(
    (found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))), None
)
pypdf = pytest.importorskip("pypdf", reason="pypdf (a test dependency) is not installed")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium is not installed (Debian package 'chromium'; .ci/run installs "
    "it), so the handout was not printed in a real browser",
)


def print_pdf(html: str, folder: Path) -> tuple[Path, str]:
    """Print `html` to PDF with headless Chromium; returns the PDF and the net log text."""
    folder.mkdir(parents=True)
    page = folder / "handout.html"
    page.write_text(html, encoding="utf-8")
    pdf, netlog = folder / "handout.pdf", folder / "netlog.json"
    assert CHROMIUM is not None
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-extensions",
            f"--user-data-dir={folder / 'profile'}",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--log-net-log={netlog}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    assert pdf.is_file(), "Chromium wrote no PDF"
    return pdf, netlog.read_text(encoding="utf-8", errors="replace") if netlog.exists() else ""


def page_requests(netlog: str) -> list[str]:
    """Addresses the page itself asked for: URL requests that have an initiator.

    Chromium's own background requests (component updates, sign-in) carry the
    initiator "not an origin"; the host resolver rule stops them leaving the
    machine.
    """
    data = json.loads(netlog)
    start_job = data["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [
        e["params"]["url"]
        for e in data["events"]
        if e["type"] == start_job
        and e.get("params", {}).get("initiator", "not an origin") != "not an origin"
    ]


def pages(pdf: Path) -> list[str]:
    return [page.extract_text() or "" for page in pypdf.PdfReader(pdf).pages]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def render(session: Session, paper: str) -> str:
    model = takeaway(session, grid(), zone=ZoneInfo("Europe/London"), zone_name="Europe/London")
    return handout_html(model, paper=paper)


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], tuple[Path, str]]:
    root = tmp_path_factory.mktemp("browser")
    out = {}
    for name, make in (("typical", typical), ("largest", largest)):
        session = make()
        for paper in ("letter", "A4"):
            out[name, paper] = print_pdf(render(session, paper), root / f"{name}-{paper}")
    return out


@pytest.mark.parametrize("paper", ["letter", "A4"])
def test_typical_consultation_prints_on_one_page(printed: dict, paper: str) -> None:
    pdf, _ = printed["typical", paper]
    text = pages(pdf)
    assert len(text) == 1, f"{len(text)} pages on {paper}"
    first = flat(text[0])
    assert "We chose “Aripiprazole”." in first
    assert "Your review is on Tuesday 23 February 2027." in first
    assert "In a crisis" in first


@pytest.mark.parametrize("paper", ["letter", "A4"])
def test_largest_grid_with_four_people_prints_on_two_pages_at_most(
    printed: dict, paper: str
) -> None:
    pdf, _ = printed["largest", paper]
    text = pages(pdf)
    assert len(text) <= 2, f"{len(text)} pages on {paper}"
    first = flat(text[0])
    assert "We decided to wait and talk again." in first
    assert "Your review is on Tuesday 23 February 2027." in first


def test_the_page_made_no_network_request(printed: dict) -> None:
    for key, (_, netlog) in printed.items():
        assert netlog, f"{key}: Chromium wrote no net log"
        assert page_requests(netlog) == [], key


def test_the_network_check_sees_a_page_that_fetches(tmp_path: Path) -> None:
    """The check is not blind: a page with an image from the web is caught."""
    html = '<!DOCTYPE html><p>x</p><img src="http://images.example.invalid/x.png">'
    _, netlog = print_pdf(html, tmp_path / "fetching")
    assert page_requests(netlog) == ["http://images.example.invalid/x.png"]
