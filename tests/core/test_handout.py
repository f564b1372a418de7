"""The content model (takeaway), the HTML handout and the clinical text note.

Every person here is invented ("Me", "Dr Test", "Mum"); see tests/handout_cases.py.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from handout_cases import REASON, REVIEW, WHAT_MATTERS, grid, largest, typical

from sdm_tui.core import transitions as t
from sdm_tui.core.handout import CSP, FIXED_TEXT, STYLE, handout_html
from sdm_tui.core.notetext import note_text
from sdm_tui.core.readability import reading_grade
from sdm_tui.core.session import Outcome, Session
from sdm_tui.core.takeaway import CONTACT_DEFAULT, CRISIS_LINE, Takeaway, local_zone, takeaway

LONDON = ZoneInfo("Europe/London")
HOSTILE_WORDS = (
    '<script>alert("x")</script> & "quotes" \'single\' '
    "\u202eevil\u202c \u2067isolate\u2069 " + "Supercalifragilistic" * 12
)
HOSTILE_STEP = "</li></ul><img src=x onerror=alert(1)> &amp; <b>bold</b>"
HOSTILE_VIEW = '"><a href="https://example.invalid/">link</a> \\. \\| > quoted'


def model(session: Session) -> Takeaway:
    return takeaway(session, grid(), zone=LONDON, zone_name="Europe/London")


def hostile() -> Session:
    s = typical()
    s = s.model_copy(update={"completed": None})
    s = t.set_team_talk(s, what_matters=HOSTILE_WORDS)
    s = t.set_decision(s, reason=HOSTILE_WORDS)
    s = t.set_next_steps(s, [HOSTILE_STEP, "Blood test"])
    for item in s.disagreements:
        s = t.set_view(s, item.id, "p1", HOSTILE_VIEW)
    s = t.add_note(s, "p2", HOSTILE_VIEW)
    s = t.record_disagreement(s, "<b>Who</b> decides & when")
    return t.complete(s, now=typical().completed)


class Tags(HTMLParser):
    """Every element and attribute in a document, and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    parser.close()
    return parser


ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "main", "section", "h1", "h2",
    "p", "ul", "ol", "li", "blockquote", "q", "span", "div", "table", "thead", "tbody", "tr",
    "th", "td",
}  # fmt: skip
ALLOWED_ATTRS = {"lang", "charset", "http-equiv", "content", "name", "class", "dir", "scope"}


# The content model ------------------------------------------------------------------


def test_model_says_what_was_decided_in_plain_words() -> None:
    m = model(typical())
    assert m.decided == "We chose “Aripiprazole”."
    assert m.reason == REASON
    assert m.what_matters == WHAT_MATTERS
    assert m.review_date == REVIEW
    assert m.review == "Your review is on Tuesday 23 February 2027."
    assert m.when == "Tuesday 12 January 2027 at 11:10 (Europe/London time)"
    assert m.contact == CONTACT_DEFAULT and m.crisis == CRISIS_LINE
    assert len(m.discussed) == 6 and m.not_discussed == len(grid().questions) - 6
    assert [p.stance for p in m.people] == ["agrees", "agrees"]
    assert m.sources and all(not c.startswith(i + ":") for i, c in m.sources)


def test_model_uses_the_local_zone_for_the_date() -> None:
    m = takeaway(typical(), grid(), zone=ZoneInfo("Pacific/Auckland"), zone_name="NZ")
    assert m.when == "Wednesday 13 January 2027 at 00:10 (NZ time)"


@pytest.mark.parametrize(
    ("tz", "name"),
    [
        ("Europe/London", "Europe/London"),
        ("Etc/UTC", "UTC"),
        (":Pacific/Auckland", "Pacific/Auckland"),
    ],
)
def test_local_zone_is_named_from_tz(monkeypatch: pytest.MonkeyPatch, tz: str, name: str) -> None:
    monkeypatch.setenv("TZ", tz)
    zone, found = local_zone()
    assert found == name and str(zone) == tz.lstrip(":")


def test_an_unknown_tz_still_gives_a_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "../../not/a/zone")
    zone, found = local_zone()
    assert found and zone is not None
    model = takeaway(typical(), grid())  # the default zone: no error
    assert model.when.endswith(" time)")


def test_sources_only_from_the_exact_grid_and_chosen_option_first() -> None:
    g = grid()
    m = takeaway(typical(), g, zone=UTC)
    first = g.answer("works", "aripiprazole").sources[0]
    assert m.sources[0][0] == first
    other = grid("tablet-or-injection")
    assert takeaway(typical(), other, zone=UTC).sources == ()
    assert not takeaway(typical(), other, zone=UTC).sources_known
    assert takeaway(typical(), None, zone=UTC).sources == ()


@pytest.mark.parametrize(
    ("outcome", "words"),
    [
        (Outcome.DEFERRED, "We decided to wait and talk again."),
        (Outcome.NO_AGREEMENT, "We did not agree on a choice today."),
    ],
)
def test_model_no_decision_says_so(outcome: Outcome, words: str) -> None:
    s = typical().model_copy(update={"completed": None})
    s = t.set_decision(s, outcome=outcome)
    assert model(s).decided == words
    assert model(s).option == ""


# The handout --------------------------------------------------------------------------


def test_handout_is_self_contained_with_a_strict_policy() -> None:
    html = handout_html(model(typical()))
    assert html.startswith("<!DOCTYPE html>")
    doc = parse(html)
    policy = [
        a["content"] for tag, a in doc.tags if a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert policy == [CSP]
    assert CSP.startswith("default-src 'none'; style-src 'sha256-")
    digest = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in CSP
    assert f"<style>{STYLE}</style>" in html
    for tag, attrs in doc.tags:
        assert tag in ALLOWED_TAGS, tag
        assert set(attrs) <= ALLOWED_ATTRS, (tag, attrs)
    lowered = html.lower()
    for bad in ("<script", "http:", "https:", "url(", "@import", "src=", "href=", "<link"):
        assert bad not in lowered


def test_handout_puts_what_is_needed_at_home_first() -> None:
    html = handout_html(model(typical()))
    text = " ".join(parse(html).text)
    order = [
        "We chose “Aripiprazole”.",
        REASON,
        "What happens next",
        "Your review is on Tuesday 23 February 2027.",
        "Who to contact",
        "In a crisis",
        "What matters to you, in your words",
        WHAT_MATTERS,
        "Where people see things differently",
        "What each person said",
        "Where the facts come from",
    ]
    places = [text.index(words) for words in order]
    assert places == sorted(places)
    assert text.count("Europe/London") == 1
    assert "(UTC)" not in text
    assert "Leaning on" not in text and "We chose Aripiprazole" not in text
    # No source ids in running text: only citations, in the list at the end.
    facts = text.index("Where the facts come from")
    for source_id, _ in model(typical()).sources:
        assert f"{source_id}:" not in text
        assert source_id not in text[:facts]


def test_handout_escapes_every_typed_string() -> None:
    html = handout_html(model(hostile()))
    doc = parse(html)
    for tag, attrs in doc.tags:
        assert tag in ALLOWED_TAGS, tag
        assert set(attrs) <= ALLOWED_ATTRS, (tag, attrs)
    text = "".join(doc.text)
    cleaned = HOSTILE_WORDS.replace("\u202e", "").replace("\u202c", "")
    cleaned = cleaned.replace("\u2067", "").replace("\u2069", "")
    assert cleaned in text  # shown literally, direction controls removed
    assert HOSTILE_STEP in text and HOSTILE_VIEW in text
    assert "<b>Who</b> decides & when" in text
    assert "\u202e" not in html and "\u2067" not in html
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert "&lt;script&gt;" in html and "&quot;quotes&quot;" in html


def test_handout_reading_grade_of_fixed_text_is_8_or_below() -> None:
    grade = reading_grade(FIXED_TEXT)
    assert grade <= 8, grade


def test_handout_for_training_and_synthetic_records_says_so() -> None:
    s = largest().model_copy(update={"synthetic": True})
    text = " ".join(parse(handout_html(model(s))).text)
    assert "made-up example information" in text


def test_handout_page_size_can_be_fixed_and_stays_allowed() -> None:
    html = handout_html(model(typical()), paper="A4")
    assert "@page { size: A4;" in html
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    policy = [a["content"] for _, a in parse(html).tags if a.get("http-equiv")]
    assert policy == [CSP.replace(CSP.split("'sha256-")[1].split("'")[0], digest)]


# The clinical note ---------------------------------------------------------------------


def test_note_is_plain_text_with_short_lines() -> None:
    for session in (typical(), largest(), hostile()):
        note = note_text(model(session))
        assert note.endswith("\n") and not note.endswith("\n\n")
        for line in note.splitlines():
            assert len(line) < 80, line
            assert line == line.rstrip()
    note = note_text(model(typical()))
    assert 'Outcome: Option chosen: "Aripiprazole"' in note
    assert "Review: Tuesday 23 February 2027" in note
    assert "Tuesday 12 January 2027 at 11:10 (Europe/London time)" in note


def test_note_keeps_typed_text_literal_without_markdown_escapes() -> None:
    note = note_text(model(hostile()))
    joined = re.sub(r"\s+", " ", note)
    assert "</li></ul><img src=x onerror=alert(1)> &amp; <b>bold</b>" in joined
    assert '"><a href="https://example.invalid/">link</a> \\. \\| > quoted' in joined
    typical_note = note_text(model(typical()))
    assert "\\" not in typical_note
    assert "**" not in typical_note and "#" not in typical_note and "|" not in typical_note
    assert not any(line.startswith(">") for line in typical_note.splitlines())
