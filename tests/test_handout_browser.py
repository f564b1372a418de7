"""The handout in a real browser: headless Chromium prints it to PDF (over the DevTools
protocol, as --print-to-pdf does; one browser prints all of a module's pages).

Checks the page count (a typical consultation on one page, the largest grid with
four people on two at most, on Letter and on A4), that the decision and the
review date are on page 1, and that the browser asked for nothing over the
network (a net log with only file: and data: addresses; every host name also
resolves to nothing). Skipped, saying why, where Chromium is not installed
(Debian: apt-get install chromium; .ci/run installs it).

Everyone in these records is invented (tests/handout_cases.py).
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest
from handout_cases import grid, largest, typical
from serve.cdp import Browser, chromium

from sdm_tui.core.handout import handout_html
from sdm_tui.core.session import Session
from sdm_tui.core.takeaway import takeaway

CHROMIUM = chromium()
K = TypeVar("K")
pypdf = pytest.importorskip("pypdf", reason="pypdf (a test dependency) is not installed")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium is not installed (Debian package 'chromium'; .ci/run installs "
    "it), so the handout was not printed in a real browser",
)


def print_pdfs(htmls: dict[K, str], folder: Path) -> tuple[dict[K, Path], str]:
    """Print each page to PDF in one headless Chromium (a start costs about a second);
    returns the PDFs by key and the browser's net log (all the pages') as text."""
    return asyncio.run(_print_pdfs(htmls, folder))


async def _print_pdfs(htmls: dict[K, str], folder: Path) -> tuple[dict[K, Path], str]:
    folder.mkdir(parents=True)
    netlog = folder / "netlog.json"
    pdfs: dict[K, Path] = {}
    async with Browser(folder / "profile", net_log=netlog) as browser:
        for number, (key, html) in enumerate(htmls.items()):
            page = folder / f"page-{number}.html"
            page.write_text(html, encoding="utf-8")
            pdfs[key] = folder / f"page-{number}.pdf"
            await browser.print_pdf(page.as_uri(), pdfs[key])
    for pdf in pdfs.values():
        assert pdf.is_file(), "Chromium wrote no PDF"
    return pdfs, netlog.read_text(encoding="utf-8", errors="replace") if netlog.exists() else ""


def print_pdf(html: str, folder: Path) -> tuple[Path, str]:
    """Print `html` to PDF with headless Chromium; returns the PDF and the net log text."""
    pdfs, netlog = print_pdfs({"page": html}, folder)
    return pdfs["page"], netlog


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
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[tuple[str, str], Path], str]:
    """The typical and the largest handout on Letter and on A4, and the net log."""
    htmls = {}
    for name, make in (("typical", typical), ("largest", largest)):
        session = make()
        for paper in ("letter", "A4"):
            htmls[name, paper] = render(session, paper)
    return print_pdfs(htmls, tmp_path_factory.mktemp("browser") / "handouts")


@pytest.mark.parametrize("paper", ["letter", "A4"])
def test_typical_consultation_prints_on_one_page(printed: tuple, paper: str) -> None:
    pdf = printed[0]["typical", paper]
    text = pages(pdf)
    assert len(text) == 1, f"{len(text)} pages on {paper}"
    first = flat(text[0])
    assert "We chose “Aripiprazole”." in first
    assert "Your review is on Tuesday 23 February 2027." in first
    assert "In a crisis" in first


@pytest.mark.parametrize("paper", ["letter", "A4"])
def test_largest_grid_with_four_people_prints_on_two_pages_at_most(
    printed: tuple, paper: str
) -> None:
    pdf = printed[0]["largest", paper]
    text = pages(pdf)
    assert len(text) <= 2, f"{len(text)} pages on {paper}"
    first = flat(text[0])
    assert "We decided to wait and talk again." in first
    assert "Your review is on Tuesday 23 February 2027." in first


def test_the_page_made_no_network_request(printed: tuple) -> None:
    pdfs, netlog = printed
    assert len(pdfs) == 4
    assert netlog, "Chromium wrote no net log"
    assert page_requests(netlog) == []


def test_the_network_check_sees_a_page_that_fetches(tmp_path: Path) -> None:
    """The check is not blind: a page with an image from the web is caught."""
    html = '<!DOCTYPE html><p>x</p><img src="http://images.example.invalid/x.png">'
    _, netlog = print_pdf(html, tmp_path / "fetching")
    assert page_requests(netlog) == ["http://images.example.invalid/x.png"]
