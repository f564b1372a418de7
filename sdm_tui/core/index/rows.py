"""The index's public rows: what the list, the filters and the clinic view get back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class IndexRow:
    record_id: str
    path: str  # relative to the records root
    mode: str  # "clinical" | "training" (from the folder when the file cannot be read)
    synthetic: bool
    created: str  # ISO datetime, UTC ("" when unreadable)
    grid_id: str
    grid_title: str
    outcome: str  # "chosen" | "deferred" | "no-agreement" | ""
    option: str  # the chosen option's name (from the record's grid labels) or ""
    service_user_ref: str
    review_date: str  # ISO date or ""
    open_disagreements: int
    carer: bool  # a carer took part
    amends: str
    status: str  # "ok" | "integrity" | "unreadable" | "newer" | "invalid"
    problem: str  # one line when status != "ok", else ""
    completed: str = ""  # ISO datetime, UTC ("" when unreadable or never completed)
    option_id: str = ""  # the chosen option's id, as `records list` shows it
    sha256: str = ""  # of the file's bytes when it was indexed ("" when it could not be read)
    flag: str = ""  # "changed": the background check found the file or row not as indexed
    open_concerns: int = 0  # concerns still open (record format 2)

    def review_passed(self, today: date) -> bool:
        """The review date is set and before `today`."""
        return bool(self.review_date) and date.fromisoformat(self.review_date) < today


@dataclass(frozen=True)
class Filters:
    text: str = ""  # words anywhere in the record, each matched as a prefix
    reference: str = ""  # exact service-user reference (case-insensitive)
    date_from: date | None = None
    date_to: date | None = None  # inclusive, on the created date
    grid: str = ""  # grid id
    outcome: str = ""  # outcome value, or "" for any
    modes: tuple[str, ...] = ("clinical",)  # training only when asked for; () matches nothing
    open_concerns: bool = False  # only records with a concern still open


@dataclass(frozen=True)
class Changes:
    added: int
    updated: int
    removed: int
    seconds: float
    rebuilt: bool


@dataclass(frozen=True)
class MonthStats:
    month: str  # "YYYY-MM"
    count: int
    feedback: dict[str, float | None]  # mean 0-4 per FEEDBACK_ITEMS key, None when no answers
    certainty_yes: dict[str, float | None]  # share 0-1 of the service user's "yes" answers
    concerns_raised: int = 0
    concerns_answered: int = 0


@dataclass(frozen=True)
class ClinicStats:
    total: int
    by_outcome: dict[str, int]  # "" key = not decided
    with_carer: int
    with_open_disagreements: int
    overdue_reviews: int  # a person's latest record has a review date before today
    failed: int  # records that fail integrity or cannot be read
    months: list[MonthStats]  # oldest first
    concerns_raised: int = 0
    concerns_answered: int = 0
