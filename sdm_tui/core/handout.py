"""The take-home handout: one self-contained HTML file made from a Takeaway.

Pure (no I/O). No script and nothing fetched: system fonts, the stylesheet
inline and allowed by its hash in a strict Content-Security-Policy
(default-src 'none'). Print CSS fits both A4 and Letter (the content is laid
out for 210 x 279 mm less the margins). Every string from the record is
HTML-escaped; typed text keeps its own direction (dir="auto") and long words
wrap.

Page 1 starts with what a person needs at home: what was decided (or not, and
why, in their words), next steps, the review date and who to contact, with the
crisis line. Then what matters to them, where people see things differently,
what each person said, and at the end where the facts come from.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape

from sdm_tui.core.session import Role
from sdm_tui.core.takeaway import (
    CARER_NOT_INCLUDED,
    NOT_A_RECOMMENDATION,
    SYNTHETIC_NOTE,
    TRAINING_NOTE,
    Takeaway,
    importance_words,
    plain_date,
)

# The handout's fixed words (their reading grade is tested).
TITLE = "Your decision"
WHY = "Why, in your words:"
NEXT = "What happens next"
CONTACT = "Who to contact"
MATTERS = "What matters to you, in your words"
INVOLVED = "How involved you want to be:"
DIFFERENT = "Where people see things differently"
DIFFERENT_INTRO = "It is fine to see things in different ways. Each view is in the person's words."
NO_VIEWS = "No one wrote down their views on these:"
EACH = "What each person said"
EACH_HEAD = "Question or choice"
NOT_DISCUSSED = "{n} other questions on the grid were not talked about."
ONE_NOT_DISCUSSED = "1 other question on the grid was not talked about."
ASK = "Questions to ask next time"
NOTES = "Notes"
SURE = "How sure you felt"
FACTS = "Where the facts come from"
FACTS_FROM = "From the option grid “{title}”, version {version}."
FACTS_MISSING = "Its list of sources is in that grid file."
MORE_SOURCES = "It names {n} more sources."
MAX_SOURCES = 4
FEELS = "How each person feels about this:"
ALL_AGREE = "Everyone here agrees with this."
PLAN = "My plan if things get harder"
CONCERNS = "Worries raised, and what we said"
CONCERN_OPEN = "Still open. Who follows it up:"
CONCERN_ANSWERED = "What we agreed:"
PREPARED = "What you wrote before we met"
SURE_ITEMS = {
    "know": "I know the good and bad points",
    "values": "I know what matters most to me",
    "support": "I have the support I need",
    "sure": "I feel sure about what happens next",
}

FIXED_TEXT = " ".join(
    [
        TITLE + ".",
        WHY,
        NEXT + ".",
        CONTACT + ".",
        MATTERS + ".",
        INVOLVED,
        DIFFERENT + ".",
        DIFFERENT_INTRO,
        NO_VIEWS,
        EACH + ".",
        EACH_HEAD + ".",
        ONE_NOT_DISCUSSED,
        ASK + ".",
        NOTES + ".",
        SURE + ".",
        PLAN + ".",
        CONCERNS + ".",
        CONCERN_OPEN,
        CONCERN_ANSWERED,
        PREPARED + ".",
        FACTS + ".",
        FEELS,
        ALL_AGREE,
        *(v + "." for v in SURE_ITEMS.values()),
        NOT_A_RECOMMENDATION,
        TRAINING_NOTE,
        SYNTHETIC_NOTE,
        CARER_NOT_INCLUDED,
    ]
)
"""The fixed sentences of the handout, for its reading grade."""

LEANING_MARK = {"towards": "▲ towards", "open": "◆ open", "away": "▼ away", "unsure": "? unsure"}

STYLE = """
@page { margin: 10mm 12mm; }
* { box-sizing: border-box; }
html { font-family: "Atkinson Hyperlegible", Verdana, "DejaVu Sans", Arial, sans-serif;
  font-size: 10.5pt; line-height: 1.22; color: #000; background: #fff; }
body { margin: 0 auto; max-width: 184mm; padding: 0; }
h1 { font-size: 18pt; margin: 0; }
h2 { font-size: 12.5pt; margin: 2mm 0 0.6mm; }
p, ul, ol, blockquote { margin: 0 0 1mm; }
ul, ol { padding-left: 5mm; }
header { display: flex; gap: 5mm; align-items: baseline; }
.meta { font-size: 10pt; margin: 0; flex: 1 1 0; }
.key { font-size: 12pt; border: 0.6mm solid #000; border-radius: 2mm; padding: 2mm 3.5mm;
  margin: 1.5mm 0 1mm; }
.key h2 { margin-top: 1.5mm; }
.decided { font-size: 16pt; font-weight: bold; margin: 0 0 0.8mm; }
.review { font-size: 13pt; font-weight: bold; }
.crisis { font-weight: bold; }
.two { display: flex; gap: 5mm; }
.two > div { flex: 1 1 0; min-width: 0; }
blockquote { border-left: 1.2mm solid #555; padding: 0.3mm 0 0.3mm 2.5mm; margin-left: 0;
  white-space: pre-wrap; }
.said { white-space: pre-wrap; }
table { border-collapse: collapse; table-layout: fixed; width: 100%; font-size: 10pt;
  margin: 0.5mm 0 1mm; }
th, td { border: 0.25mm solid #777; padding: 0.3mm 1.5mm; text-align: left; vertical-align: top; }
thead th { background: #eee; }
tbody th { font-weight: normal; }
thead th:first-child { width: 42%; }
.small { font-size: 10pt; }
.sources { font-size: 8pt; line-height: 1.15; }
.sources h2 { font-size: 11pt; }
.sources ol { columns: 2; list-style-position: outside; column-gap: 5mm; padding-left: 4.5mm; }
.foot { font-size: 8pt; margin-top: 1.5mm; }
.note { font-weight: bold; border: 0.4mm dashed #000; padding: 1mm 2mm; }
body, td, th, li, p, blockquote { overflow-wrap: break-word; }
h2, .decided { break-after: avoid; page-break-after: avoid; }
tr, li, blockquote, .key { break-inside: avoid; page-break-inside: avoid; }
@media screen { body { padding: 8mm; max-width: 190mm; } }
"""

STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode("ascii")
CSP = (
    "default-src 'none'; "
    f"style-src 'sha256-{STYLE_HASH}'; "
    "img-src 'none'; font-src 'none'; base-uri 'none'; form-action 'none'"
)


def _e(text: str) -> str:
    """Text as HTML character data (quotes too, so it is safe in attributes)."""
    return escape(text, quote=True)


def _said(text: str) -> str:
    """Someone's own words: escaped, their direction kept, new lines kept by CSS."""
    return f'<span class="said" dir="auto">{_e(text)}</span>'


def _quote(text: str) -> str:
    return f'<blockquote dir="auto">{_e(text)}</blockquote>'


def _ul(items: list[str]) -> str:
    """A list of items that are already HTML."""
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _key(t: Takeaway) -> list[str]:
    """The top of page 1: decision, why, next steps, review, who to contact."""
    parts = ['<section class="key">', f'<p class="decided">{_e(t.decided)}</p>']
    if t.reason:
        parts.append(f'<p>{_e(WHY)} <q class="said" dir="auto">{_e(t.reason)}</q></p>')
    feels = [f"{_e(p.name)}: {_e(p.stance)}" for p in t.people if p.stance]
    if len(t.people) > 1 and all(p.stance == "agrees" for p in t.people):
        parts.append(f"<p>{_e(ALL_AGREE)}</p>")
    elif feels:
        parts.append(f"<p>{_e(FEELS)} " + "; ".join(feels) + ".</p>")
    parts.append(f'<div class="two"><div><h2>{_e(NEXT)}</h2>')
    if t.next_steps:
        parts.append(_ul([_said(s) for s in t.next_steps]))
    else:
        parts.append("<p>No next steps were written down.</p>")
    parts.append(f'<p class="review">{_e(t.review)}</p>')
    parts.append("</div><div>")
    parts.append(f"<h2>{_e(CONTACT)}</h2><p>{_e(t.contact)}</p>")
    parts.append(f'<p class="crisis">{_e(t.crisis)}</p>')
    parts.append("</div></div>")
    if t.plan:  # on page 1, with the review date
        parts.append(f"<h2>{_e(PLAN)}</h2>")
        parts.append(_ul([f"{_e(prompt)}: {_said(words)}" for prompt, words in t.plan]))
    parts.append("</section>")
    return parts


def _concerns(t: Takeaway) -> list[str]:
    if not t.concerns:
        return []
    items = []
    for c in t.concerns:
        head = f"{_e(c.raised_by)}, about {_e(c.kind)}: {_said(c.words)}"
        if c.answered:
            answer = f"{_e(CONCERN_ANSWERED)} {_said(c.response)}"
        else:
            answer = f"{_e(CONCERN_OPEN)} {_said(c.follow_up or '-')}"
            if c.response:
                answer += f" ({_said(c.response)})"
        items.append(head + _ul([answer]))
    return [f"<h2>{_e(CONCERNS)}</h2>", _ul(items)]


def _prepared(t: Takeaway) -> list[str]:
    if not t.preparation:
        return []
    return [
        f"<h2>{_e(PREPARED)}</h2>",
        _ul([f"{_e(prompt)}: {_said(words)}" for prompt, words in t.preparation]),
    ]


def _matters(t: Takeaway) -> list[str]:
    parts = [f"<h2>{_e(MATTERS)}</h2>"]
    if t.what_matters:
        parts.append(_quote(t.what_matters))
    else:
        parts.append("<p>This was not written down.</p>")
    if t.involvement:
        parts.append(f"<p>{_e(INVOLVED)} {_e(t.involvement)}.</p>")
    return parts


def _differences(t: Takeaway) -> list[str]:
    if not t.differences:
        return []
    items = []
    quiet = []
    for d in t.differences:
        if not d.views:
            quiet.append(f"{_said(d.subject)} ({_e(d.status)})")
            continue
        views = [f"{_e(name)} said: {_said(view)}" for name, view in d.views]
        items.append(f"{_said(d.subject)} ({_e(d.status)})" + _ul(views))
    if quiet:
        items.append(f"{_e(NO_VIEWS)} " + "; ".join(quiet) + ".")
    return [f"<h2>{_e(DIFFERENT)}</h2>", f"<p>{_e(DIFFERENT_INTRO)}</p>", _ul(items)]


def _each(t: Takeaway) -> list[str]:
    if not t.people:
        return [f"<h2>{_e(EACH)}</h2>", "<p>No one's views were written down.</p>"]
    head = "".join(f'<th scope="col">{_e(p.name)}</th>' for p in t.people)
    rows = []
    for question in t.discussed:
        cells = []
        for p in t.people:
            found = dict(p.importance).get(question)
            cells.append(f"<td>{_e(importance_words(found)) if found is not None else '-'}</td>")
        rows.append(f'<tr><th scope="row">{_e(question)}</th>{"".join(cells)}</tr>')
    for option in t.compared:
        cells = []
        for p in t.people:
            leaning = dict(p.leanings).get(option)
            cells.append(f"<td>{_e(LEANING_MARK[leaning.value]) if leaning else '-'}</td>")
        rows.append(f'<tr><th scope="row">“{_e(option)}”</th>{"".join(cells)}</tr>')
    parts = [
        f"<h2>{_e(EACH)}</h2>",
        f'<table><thead><tr><th scope="col">{_e(EACH_HEAD)}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>",
    ]
    if t.not_discussed:
        words = ONE_NOT_DISCUSSED if t.not_discussed == 1 else NOT_DISCUSSED
        parts.append(f"<p>{_e(words.format(n=t.not_discussed))}</p>")
    if t.carer_not_included:
        parts.append(f"<p>{_e(CARER_NOT_INCLUDED)}</p>")
    return parts


def _asks_and_notes(t: Takeaway) -> list[str]:
    parts = []
    asks = [
        _said(q) if p.role == Role.SERVICE_USER else f"{_said(q)} ({_e(p.name)})"
        for p in t.people
        for q in p.questions
    ]
    if asks:
        parts += [f"<h2>{_e(ASK)}</h2>", _ul(asks)]
    notes = [f"{_e(p.name)}: {_said(n)}" for p in t.people for n in p.notes]
    if notes:
        parts += [f"<h2>{_e(NOTES)}</h2>", _ul(notes)]
    return parts


def _sure(t: Takeaway) -> list[str]:
    """The service user's own certainty check, in one short list."""
    you = next((p for p in t.people if p.role == Role.SERVICE_USER), None)
    if you is None or not you.certainty:
        return []
    answers = "; ".join(f"{_e(SURE_ITEMS[k])}: {_e(a)}" for k, a in you.certainty)
    return [f"<h2>{_e(SURE)}</h2>", f'<p class="small">{answers}.</p>']


def short_citation(text: str, limit: int = 56) -> str:
    """A citation cut at a word near `limit` characters, ending "…" if cut."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def _facts(t: Takeaway) -> list[str]:
    parts = ['<section class="sources">', f"<h2>{_e(FACTS)}</h2>"]
    shown = t.sources[:MAX_SOURCES]
    if shown:
        parts.append("<ol>" + "".join(f"<li>{_e(short_citation(c))}</li>" for _, c in shown))
        parts.append("</ol>")
    words = [FACTS_FROM.format(title=t.grid_title, version=t.grid_version)]
    if len(t.sources) > MAX_SOURCES:
        words.append(MORE_SOURCES.format(n=len(t.sources) - MAX_SOURCES))
    elif not t.sources_known:
        words.append(FACTS_MISSING)
    words += [NOT_A_RECOMMENDATION, f"Record {t.record_id}."]
    parts.append(f"<p>{_e(' '.join(w for w in words if w))}</p>")
    parts.append("</section>")
    return parts


def handout_html(t: Takeaway, *, paper: str = "") -> str:
    """The handout as one HTML document. `paper` ("A4", "letter") fixes the page size;
    by default the printer's paper is used (the layout fits both)."""
    style = STYLE if not paper else STYLE.replace("@page {", f"@page {{ size: {paper};", 1)
    csp = CSP
    if paper:
        digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode("ascii")
        csp = CSP.replace(STYLE_HASH, digest)
    notes = []
    if t.training:
        notes.append(f'<p class="note">{_e(TRAINING_NOTE)}</p>')
    if t.synthetic:
        notes.append(f'<p class="note">{_e(SYNTHETIC_NOTE)}</p>')
    if t.amends:
        notes.append(f'<p class="note">This corrects record {_e(t.amends)}.</p>')
    meta = f"{_e(t.when)}. {_e(t.topic)}"
    if t.reference:
        meta += f". Reference: {_e(t.reference)}"
    body = [
        "<header>",
        f"<h1>{_e(TITLE)}</h1>",
        f'<p class="meta">{meta}.</p>',
        "</header>",
        *notes,
        "<main>",
        *_key(t),
        *_concerns(t),
        *_matters(t),
        *_prepared(t),
        *_differences(t),
        *_each(t),
        *_asks_and_notes(t),
        *_facts(t),
        "</main>",
    ]
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(csp)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(TITLE)}: {_e(plain_date(t.met.date(), weekday=False))}</title>",
        f"<style>{style}</style>",
        "</head>",
        "<body>",
    ]
    return "\n".join([*head, *body, "</body>", "</html>"]) + "\n"
