"""Option grids: the models, loading a grid file, and checking it.

A grid is one TOML file: options are the columns, questions the rows, and each
answer is a short plain cell that cites its sources. See docs/authoring-grids.md.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
)

from sdm_tui.core.catalog import grid_paths
from sdm_tui.core.gridfile import GRID_SCHEMA_VERSION as GRID_SCHEMA_VERSION  # its old home
from sdm_tui.core.gridfile import read_grid_data
from sdm_tui.core.tomlfile import FileProblems, LineMap, Problem, validation_problems

Day = date  # a field below is called `date`

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,47}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000, strip_whitespace=True)]


class Level(StrEnum):
    """How much of something an answer describes. Always shown as a word and symbol."""

    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    UNCERTAIN = "uncertain"


LEVEL_SYMBOL: dict[Level, str] = {
    Level.NONE: "○",
    Level.LOW: "◔",
    Level.MEDIUM: "◑",
    Level.HIGH: "●",
    Level.UNCERTAIN: "?",
}


class OptionKind(StrEnum):
    MEDICINE = "medicine"
    NO_CHANGE = "no-change"
    STOP = "stop"
    OTHER = "other"


class Topic(StrEnum):
    """What a question is about; the linter uses it to find good and bad points."""

    EFFECTIVENESS = "effectiveness"
    METABOLIC = "metabolic"
    MOVEMENT = "movement"
    HEART = "heart"
    HORMONAL = "hormonal"
    SUBJECTIVE = "subjective"
    PRACTICAL = "practical"
    RISK = "risk"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GridOption(_Strict):
    id: Id
    name: Annotated[str, StringConstraints(min_length=1, max_length=40, strip_whitespace=True)]
    kind: OptionKind = OptionKind.MEDICINE
    note: str = Field(default="", max_length=300)


class Question(_Strict):
    id: Id
    text: Annotated[str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True)]
    topic: Topic
    short: str = Field(default="", max_length=24)
    level_meaning: str = Field(default="", max_length=200)
    """Format 2: what the level badge means on this row ("how much it asks of you")."""

    @property
    def label(self) -> str:
        """A short row label for narrow screens."""
        return self.short or self.text


class Answer(_Strict):
    question: Id
    option: Id
    text: Text
    level: Level | None = None
    sources: list[Id] = Field(min_length=1)


class Source(_Strict):
    id: Id
    citation: Text


Version = Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]


class Change(_Strict):
    """One entry of a format 2 grid's change log (newest first)."""

    version: Version
    date: Day
    what: Annotated[str, StringConstraints(min_length=1, max_length=4000, strip_whitespace=True)]
    why: Annotated[str, StringConstraints(min_length=1, max_length=4000, strip_whitespace=True)]


def version_key(version: str) -> tuple[int, ...]:
    """ "2.10.0" -> (2, 10, 0), so versions compare as numbers."""
    return tuple(int(part) for part in version.split("."))


class OptionGrid(_Strict):
    schema_version: Literal[1, 2]
    id: Id
    title: Text
    decision: Text
    condition: Text
    audience: Text
    version: Version
    published: date
    review_by: date
    update_policy: Text
    authors: Text
    funding: Text
    conflicts_of_interest: Text
    disclaimer: Text
    options: list[GridOption] = Field(min_length=2)
    questions: list[Question] = Field(min_length=1)
    answers: list[Answer]
    sources: list[Source] = Field(min_length=1)
    changes: list[Change] = Field(default_factory=list)
    """Format 2 only: the change log, newest first; the first entry is this version."""
    evidence: Annotated[str, StringConstraints(pattern=r"^([a-z0-9][a-z0-9-]{0,47})?$")] = ""
    """Format 2 only: the evidence source list the cited ids come from ("antipsychotics"
    = option_grids/evidence/antipsychotics-sources.toml); checked by `grids lint`."""

    _answer_index: dict[tuple[str, str], Answer] | None = PrivateAttr(default=None)
    _hash: str | None = PrivateAttr(default=None)

    def option(self, option_id: str) -> GridOption:
        for option in self.options:
            if option.id == option_id:
                return option
        raise KeyError(option_id)

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def answer(self, question_id: str, option_id: str) -> Answer:
        return self._answers()[(question_id, option_id)]

    def source(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise KeyError(source_id)

    def _answers(self) -> dict[tuple[str, str], Answer]:
        if self._answer_index is None:
            self._answer_index = {(a.question, a.option): a for a in self.answers}
        return self._answer_index

    @property
    def content_hash(self) -> str:
        """sha256 over the grid's canonical content; records name the exact grid seen."""
        if self._hash is None:
            canonical = json.dumps(
                self.canonical_content(),
                sort_keys=True,
                ensure_ascii=False,
                separators=(",", ":"),
            )
            self._hash = "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
        return self._hash

    def canonical_content(self) -> dict[str, Any]:
        """The content the hash covers. Fields format 2 added are left out while empty,
        so a format 1 grid hashes exactly as it did before format 2 existed (records
        store the hash of the grid they were made with)."""
        data = self.model_dump(mode="json")
        for key in ("changes", "evidence"):
            if not data[key]:
                del data[key]
        for question in data["questions"]:
            if not question["level_meaning"]:
                del question["level_meaning"]
        return data

    def has_stop_or_no_change(self) -> bool:
        return any(o.kind in (OptionKind.NO_CHANGE, OptionKind.STOP) for o in self.options)


def _cross_check(
    grid: OptionGrid, file: str, lines: LineMap, today: date, strict: bool
) -> list[Problem]:
    problems: list[Problem] = []

    def add(loc: tuple[str | int, ...], message: str, fix: str, severity: str = "error") -> None:
        problems.append(Problem(file, lines.line_of(loc), message, fix, severity))  # type: ignore[arg-type]

    for table in ("options", "questions", "sources"):
        seen: dict[str, int] = {}
        for index, item in enumerate(getattr(grid, table)):
            if item.id in seen:
                add(
                    (table, index, "id"),
                    f"duplicate {table[:-1]} id '{item.id}'",
                    f"ids must be unique; the first is {table}[{seen[item.id]}]",
                )
            seen.setdefault(item.id, index)
    option_ids = {o.id for o in grid.options}
    question_ids = {q.id for q in grid.questions}
    source_ids = {s.id for s in grid.sources}
    filled: dict[tuple[str, str], int] = {}
    for index, answer in enumerate(grid.answers):
        loc = ("answers", index)
        if answer.question not in question_ids:
            add(
                (*loc, "question"),
                f"answer names unknown question '{answer.question}'",
                "use an id from [[questions]]",
            )
        if answer.option not in option_ids:
            add(
                (*loc, "option"),
                f"answer names unknown option '{answer.option}'",
                "use an id from [[options]]",
            )
        key = (answer.question, answer.option)
        if key in filled:
            add(
                loc,
                f"second answer for {answer.question} x {answer.option}",
                "keep one answer per question and option",
            )
        filled.setdefault(key, index)
        for source in answer.sources:
            if source not in source_ids:
                add(
                    (*loc, "sources"),
                    f"cites missing source '{source}'",
                    "add it to [[sources]] or fix the id",
                )
    for q_index, question in enumerate(grid.questions):
        for option in grid.options:
            if (question.id, option.id) not in filled:
                add(
                    ("questions", q_index),
                    f"no answer for {question.id} x {option.id}",
                    f'add [[answers]] with question = "{question.id}", option = "{option.id}"',
                )
    problems.extend(_check_format(grid, file, lines))
    if grid.review_by <= grid.published:
        add(("review_by",), "review_by is not after published", "set a later review_by date")
    if grid.review_by < today:
        add(
            ("review_by",),
            f"review date {grid.review_by} has passed",
            "review the evidence and set a new review_by",
            "error" if strict else "warning",
        )
    return problems


def _check_format(grid: OptionGrid, file: str, lines: LineMap) -> list[Problem]:
    """Format 1 has no change log or level_meaning; format 2 needs a change log,
    newest first, whose first entry is the grid's own version."""
    problems: list[Problem] = []

    def add(loc: tuple[str | int, ...], message: str, fix: str) -> None:
        problems.append(Problem(file, lines.line_of(loc), message, fix))

    if grid.schema_version == 1:
        if grid.changes:
            add(("changes",), "a format 1 grid has no [[changes]]", "set schema_version = 2")
        if grid.evidence:
            add(("evidence",), "evidence needs grid format 2", "set schema_version = 2")
        for index, question in enumerate(grid.questions):
            if question.level_meaning:
                add(
                    ("questions", index, "level_meaning"),
                    f"question '{question.id}': level_meaning needs grid format 2",
                    "set schema_version = 2",
                )
        return problems
    if not grid.changes:
        add(
            ("schema_version",),
            "a format 2 grid needs a change log",
            f'add [[changes]] with version = "{grid.version}", date, what and why',
        )
        return problems
    first = grid.changes[0]
    if first.version != grid.version:
        add(
            ("changes", 0, "version"),
            f"the newest change is version {first.version}, the grid is version {grid.version}",
            "put the newest change first and give it the grid's version",
        )
    for index in range(1, len(grid.changes)):
        newer, older = grid.changes[index - 1], grid.changes[index]
        if version_key(older.version) > version_key(newer.version) or older.date > newer.date:
            add(
                ("changes", index),
                f"change {index + 1} ({older.version}, {older.date}) is newer than "
                f"the one before it ({newer.version}, {newer.date})",
                "list changes newest first",
            )
    return problems


def load_grid(
    path: Path, *, strict: bool = False, today: date | None = None
) -> tuple[OptionGrid, list[Problem]]:
    """Load and check a grid; return it with its warnings, or raise FileProblems."""
    data, lines = read_grid_data(path)
    name = str(path)
    try:
        grid = OptionGrid.model_validate(data)
    except ValidationError as exc:
        raise FileProblems(validation_problems(exc, name, lines, "grid")) from None
    problems = _cross_check(grid, name, lines, today or date.today(), strict)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise FileProblems(problems)
    return grid, problems


def find_grid(grid_id: str, folder: Path | None = None) -> Path | None:
    """The file of the grid with this id, looked up by file name then by content."""
    for path in grid_paths(folder):
        if path.stem == grid_id:
            return path
    return None
