"""Small building blocks of the FHIR document (used by fhir.py and its helpers).

Times as FHIR instants, references, codings, Questionnaire items, pruning of
empty values, and typed words as escaped XHTML narrative.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from sdm_tui.core.fhir_codes import (
    ANSWER_SYSTEM,
    ANSWER_TEXT,
    LEANING_SYSTEM,
    SECTION_CODES,
    SECTION_SYSTEM,
    XHTML,
)
from sdm_tui.core.session import Answer3, Leaning, Session
from sdm_tui.core.text import clean

# JSON pieces --------------------------------------------------------------------


def _instant(moment: datetime) -> str:
    """A FHIR instant in UTC ("2026-11-02T10:30:00Z")."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _when(session: Session) -> datetime:
    return session.completed or session.updated


def _ref(url: str) -> dict[str, str]:
    return {"reference": url}


def _coding(system: str, code: str, display: str) -> dict[str, str]:
    return {"system": system, "code": code, "display": display}


def _pruned(value: Any) -> Any:
    """Drop empty strings, lists and objects: FHIR JSON never holds them."""
    if isinstance(value, dict):
        out = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in ("", [], {}, None)}
    if isinstance(value, list):
        return [v for v in (_pruned(v) for v in value) if v not in ("", [], {}, None)]
    return value


def _leaning(value: Leaning) -> dict[str, str]:
    return _coding(LEANING_SYSTEM, value.value, value.value)


def _answer(value: Answer3) -> dict[str, str]:
    return _coding(ANSWER_SYSTEM, value.value, ANSWER_TEXT[value])


def _item(link_id: str, text: str, kind: str, extra: dict[str, Any]) -> dict[str, Any]:
    """One Questionnaire item."""
    return {"linkId": link_id, "text": text, "type": kind, **extra}


def _group(link_id: str, text: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"linkId": link_id, "text": text, "type": "group", "item": items}


def _answered(link_id: str, text: str, value: dict[str, Any]) -> dict[str, Any]:
    """One QuestionnaireResponse item with its single answer."""
    return {"linkId": link_id, "text": text, "answer": [value]}


# XHTML narrative ------------------------------------------------------------------


def _x(text: str) -> str:
    """Typed text as XHTML character data: cleaned, escaped, new lines as <br/>."""
    text = clean(text).strip()
    text = "".join(ch for ch in text if ch not in "\ufffe\uffff")  # not allowed in XML
    return "<br/>".join(escape(line) for line in text.split("\n"))


def _p(text: str) -> str:
    return f"<p>{_x(text)}</p>"


def _ul(items: list[str]) -> str:
    """A list of items that are already XHTML."""
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _div(parts: list[str]) -> dict[str, str]:
    return {"status": "generated", "div": f'<div xmlns="{XHTML}">' + "".join(parts) + "</div>"}


def _table(head: list[str], rows: list[list[str]]) -> str:
    cells = "".join(f"<th>{_x(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{_x(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def _section(key: str) -> dict[str, Any]:
    """A section's code: ours, and LOINC's where one fits."""
    title, more = SECTION_CODES[key]
    return {"coding": [_coding(SECTION_SYSTEM, key, title), *more], "text": title}
