"""A one-page sheet of a preparation, to print and bring to the appointment.

Self-contained HTML in the handout's style (sdm_tui.core.handout): no script,
nothing fetched, a strict Content-Security-Policy that allows only its own
style (by hash). Every word the person wrote is HTML-escaped and keeps its own
direction; nothing is reworded.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape

from sdm_tui.core.session import (
    INVOLVEMENT_TEXT,
    PREPARATION_PROMPTS,
    WRITTEN_WITH_TEXT,
    Preparation,
)
from sdm_tui.core.takeaway import local_zone, plain_date

TITLE = "Getting ready for my appointment"
INTRO = "I wrote this before my appointment. These are my own words."
INVOLVED = "How involved I want to be in the decision"
EMPTY = "(I did not write anything here.)"

STYLE = """
@page { margin: 14mm 16mm; }
html { font-family: "Atkinson Hyperlegible", Verdana, "DejaVu Sans", Arial, sans-serif;
  font-size: 12pt; line-height: 1.35; color: #000; background: #fff; }
body { margin: 0 auto; max-width: 178mm; }
h1 { font-size: 19pt; margin: 0 0 2mm; }
h2 { font-size: 13pt; margin: 4mm 0 1mm; }
p { margin: 0 0 2mm; }
.said { white-space: pre-wrap; overflow-wrap: break-word; border-left: 1.2mm solid #555;
  padding: 0.5mm 0 0.5mm 3mm; min-height: 9mm; }
.meta { font-size: 11pt; }
h2, .said { break-inside: avoid; page-break-inside: avoid; }
@media screen { body { padding: 10mm; } }
"""
STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode("ascii")
CSP = (
    "default-src 'none'; "
    f"style-src 'sha256-{STYLE_HASH}'; "
    "img-src 'none'; font-src 'none'; base-uri 'none'; form-action 'none'"
)


def _e(text: str) -> str:
    return escape(text, quote=True)


def sheet_html(reference: str, preparation: Preparation) -> str:
    """The sheet as one HTML document (prompts with space under each, the words as written)."""
    zone, _ = local_zone()
    meta = [f"My reference: {_e(reference)}."]
    if preparation.written is not None:
        meta.append(f"Written on {_e(plain_date(preparation.written.astimezone(zone).date()))}")
    meta.append(_e(WRITTEN_WITH_TEXT[preparation.written_with].capitalize()) + ".")
    body = [f"<h1>{_e(TITLE)}</h1>", f"<p>{_e(INTRO)}</p>", f'<p class="meta">{" ".join(meta)}</p>']
    for key, prompt in PREPARATION_PROMPTS.items():
        words = getattr(preparation, key)
        body.append(f"<h2>{_e(prompt)}</h2>")
        body.append(f'<p class="said" dir="auto">{_e(words) if words else _e(EMPTY)}</p>')
    if preparation.involvement is not None:
        body.append(f"<h2>{_e(INVOLVED)}</h2>")
        body.append(f"<p>{_e(INVOLVEMENT_TEXT[preparation.involvement])}.</p>")
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(CSP)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(TITLE)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
    ]
    return "\n".join([*head, *body, "</body>", "</html>"]) + "\n"
