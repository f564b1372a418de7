"""A preparation: what the service user writes before the appointment.

Written at their own pace (alone, with a carer, or with a peer support worker)
in "I" sentences: what I want from this appointment, what matters to me, what I
already do that helps me stay well, my questions, my worries, and how involved I
want to be. It is kept under the service user's reference (never a name; the
file name is a hash of the reference) and is matched only by that exact
reference, after the typed reference has been cleaned and checked like any
other (`check_reference`): "TEST-OO42" or "test-0042" never finds TEST-0042's.

The file (format 1):

    # sdm-tui preparation ...
    format = 1
    reference = "TEST-0042"
    [preparation]
    want = "..."
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import tomli_w
from pydantic import ValidationError

from sdm_tui.core.session import (
    PREPARATION_PROMPTS,
    Involvement,
    Preparation,
    SessionError,
    WrittenWith,
    check_reference,
    utc_now,
)
from sdm_tui.core.text import clean, clean_values
from sdm_tui.core.tomlfile import FileProblems, LineMap, Problem, parse_toml, validation_problems

PREPARATION_FORMAT = 1
MAX_PREPARATION_BYTES = 200_000
MAX_TEXT = 4000


def update_preparation(
    preparation: Preparation,
    *,
    involvement: Involvement | None = None,
    written_with: WrittenWith | None = None,
    now: datetime | None = None,
    **texts: str,
) -> Preparation:
    """A new preparation with the given answers (keys: PREPARATION_PROMPTS), cleaned
    like any typed text and kept otherwise exactly as written."""
    unknown = [key for key in texts if key not in PREPARATION_PROMPTS]
    if unknown:
        raise SessionError(f"Not part of a preparation: {', '.join(unknown)}.")
    update: dict[str, Any] = {
        key: clean(text, max_length=MAX_TEXT).strip() for key, text in texts.items()
    }
    if involvement is not None:
        update["involvement"] = Involvement(involvement)
    if written_with is not None:
        update["written_with"] = WrittenWith(written_with)
    update["written"] = now or utc_now()
    return preparation.model_copy(update=update)


def file_name(reference: str) -> str:
    """The preparation's file name: a hash of the checked reference, so the name
    holds no reference and two references never share a file, whatever the file
    system does with case."""
    reference = check_reference(reference)
    return hashlib.sha256(reference.encode("utf-8")).hexdigest()[:32] + ".toml"


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    return getattr(value, "value", value)


def dumps(reference: str, preparation: Preparation) -> bytes:
    header = (
        "# sdm-tui preparation: what the service user wrote before the appointment.\n"
        "# Their own words: change them in sdm-tui (Get ready for an appointment).\n"
    )
    data = {
        "format": PREPARATION_FORMAT,
        "reference": check_reference(reference),
        "preparation": _plain(preparation.model_dump(mode="python")),
    }
    return (header + tomli_w.dumps(data)).encode("utf-8")


def loads(text: str, reference: str, name: str = "<preparation>") -> Preparation | None:
    """The preparation in `text` if it was written for exactly `reference`, else None.

    A damaged file raises FileProblems naming the file and what to do."""
    wanted = check_reference(reference)
    data = parse_toml(text, name, "preparation")
    lines = LineMap(text)

    def problem(key: str, message: str) -> FileProblems:
        line = lines.line_of((key,))
        fix = "discard it and write the preparation again"
        return FileProblems([Problem(name, line, message, fix)])

    if data.get("format") != PREPARATION_FORMAT:
        raise problem("format", "not an sdm-tui preparation (format 1)")
    stored = data.get("reference")
    if not isinstance(stored, str):
        raise problem("reference", "no reference")
    if stored != wanted:
        return None  # exact match only: a similar-looking reference is someone else
    body = data.get("preparation")
    if not isinstance(body, dict):
        raise problem("preparation", "no [preparation] table")
    try:
        return Preparation.model_validate(clean_values(body))
    except ValidationError as exc:
        raise FileProblems(validation_problems(exc, name, lines, "preparation")) from None
