"""Search text: how records and typed searches are split into words."""

from __future__ import annotations

import re
import unicodedata

from sdm_tui.core.session import ROLE_NAMES, Session

MAX_WORDS = 24  # of a free-text filter (a pasted paragraph is not a search)
_WORD = re.compile(r"[^\W_]+")
# ASCII letters and digits kept, every other byte a space: _WORD's split of ASCII text,
# 4 times faster (the words of every record are split when the index is built).
_ASCII_WORDS = bytes(c if chr(c).isalnum() and c < 128 else 32 for c in range(256))


def words(text: str) -> list[str]:
    """Lower-case words without accents: how both records and searches are split.

    Only letters and digits make words, so a word never holds FTS syntax
    (quotes, stars, brackets) and is always one FTS token.
    """
    folded = text.casefold()
    if folded.isascii():
        return folded.encode("ascii").translate(_ASCII_WORDS).decode("ascii").split()
    folded = "".join(
        ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch)
    )
    return _WORD.findall(folded)


def body_text(s: Session) -> str:
    """Every searchable word of a record, as ' word word ... ' (the spaces help LIKE)."""
    parts: list[str] = [
        s.record_id,
        s.service_user_ref,
        s.amends,
        s.grid.id,
        s.grid.title,
        s.decision.outcome.value if s.decision.outcome else "",
        s.grid.options.get(s.decision.option, s.decision.option),
        s.team_talk.decision,
        s.team_talk.what_matters,
        s.decision.reason,
        *s.decision.next_steps,
        *(s.grid.options.get(o, o) for o in s.team_talk.options),
    ]
    for p in s.participants:
        parts.extend((p.label, ROLE_NAMES[p.role], *p.notes, *p.questions))
    for d in s.disagreements:
        parts.extend((d.subject, *d.views.values()))
    if s.training is not None:
        parts.extend((s.training.scenario, *s.training.observer_notes.values()))
    # Each word once: matching only asks whether a word is there, and it halves the size.
    return " " + " ".join(dict.fromkeys(words(" ".join(parts)))) + " "


def escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
