"""The preparation sheet and a handout with a plan and concerns, printed by headless
Chromium (skipped without it, like tests/test_handout_browser.py). Everyone is invented."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import test_handout_browser
from test_handout_browser import flat, page_requests, pages, print_pdfs, render

from sdm_tui.core import concerns as c
from sdm_tui.core.preparation import update_preparation
from sdm_tui.core.prepsheet import sheet_html
from sdm_tui.core.session import ConcernKind, Involvement, Preparation, WrittenWith

# Skipped without Chromium, as the handout's own browser tests are (they errored).
pytestmark = test_handout_browser.pytestmark

WORDS = {
    "want": "I want to talk about how tired I feel in the day. I fall asleep on the bus "
    "and I nearly missed my stop twice last week.",
    "matters": "Keeping my job at the bakery. Seeing my niece at weekends. Not putting on "
    "more weight.",
    "stay_well": "I walk to work. I go to bed at the same time. I see my sister on Sundays "
    "and we cook together.",
    "questions": "Can I take a lower dose? Would taking it at night help?\nHow long until "
    "I would notice a change?",
    "worries": "I worry that if I change anything I will get unwell again and end up back "
    "in hospital.",
}


def filled_in_sheet() -> str:
    prepared = update_preparation(
        Preparation(),
        involvement=Involvement.TOGETHER,
        written_with=WrittenWith.PEER_SUPPORT,
        now=datetime(2026, 12, 1, 15, 0, tzinfo=UTC),
        **WORDS,
    )
    return sheet_html("SU-0042", prepared)


def handout_with_a_plan(paper: str) -> str:
    from handout_cases import typical

    s = typical()
    s = s.model_copy(update={"completed": None})
    voice = s.voices()[0].id
    s = c.raise_concern(s, voice, "I keep falling asleep at work.", kind=ConcernKind.SIDE_EFFECT)
    s = c.respond_to_concern(s, "c1", response="We will try the dose at night.", answered=True)
    s = c.set_plan(
        s,
        warning_signs="I stop sleeping. I stop answering my phone.",
        what_helps="Talking to my sister.",
        contact="My care coordinator on weekdays; the crisis team at night.",
        meet_sooner="If my sleep is bad for a week.",
    )
    s = s.model_copy(update={"completed": s.updated})
    return render(s, paper)


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Path], str]:
    """The sheet and the handout with a plan on Letter and on A4 (one browser), and
    the net log."""
    htmls = {"sheet": filled_in_sheet()}
    htmls |= {paper: handout_with_a_plan(paper) for paper in ("letter", "A4")}
    return print_pdfs(htmls, tmp_path_factory.mktemp("browser") / "prepare")


def test_a_filled_in_preparation_prints_on_one_page(printed: tuple) -> None:
    text = pages(printed[0]["sheet"])
    assert len(text) == 1, f"{len(text)} pages"
    first = flat(text[0])
    assert "Getting ready for my appointment" in first and "SU-0042" in first
    assert "I fall asleep on the bus" in first and "I want us to decide together" in first


def test_the_pages_made_no_network_request(printed: tuple) -> None:
    pdfs, netlog = printed
    assert len(pdfs) == 3
    if netlog:
        assert page_requests(netlog) == []


@pytest.mark.parametrize("paper", ["letter", "A4"])
def test_the_plan_is_on_page_one_with_the_review_date(printed: tuple, paper: str) -> None:
    text = pages(printed[0][paper])
    first = flat(text[0])
    assert "My plan if things get harder" in first
    assert "I stop sleeping." in first and "Your review is on" in first
    assert "We will try the dose at night." in flat(" ".join(text))
