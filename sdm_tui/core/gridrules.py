"""Content rules for option grids that `sdm-tui grids lint` enforces (grid format 2).

Each rule returns `RuleProblem`s that name the row and option (or field) and the fix;
`lint_paths` prints them as `FILE:LINE: what (fix)` lines and fails.

- level-meaning: an answer on a practical question may have a level only if that
  question has `level_meaning`; on a yes/no question (its text starts with one of
  YES_NO_WORDS: "Can I ask for this?") any level needs `level_meaning` too; a
  day-to-day (subjective) row never has level "none".
- uncertain: an answer with level "uncertain" cites at least two sources, or its text
  says "no figure" or "not known".
- evidence: a grid that names an evidence list (`evidence = "antipsychotics"`) cites
  only ids in that list (option_grids/evidence/NAME-sources.toml, looked up next to
  the grid first, then in the shipped grids), never a retired id, and each of its
  [[sources]] holds the list's citation text. A shipped grid must name one; a
  clinic's own grid that names none is checked only for full citations (the IPDAS
  "citations" criterion).
- figures: in one row, a figure ("N in 100", "N out of N", "N%", "N kg") given for
  one option is given for every option, or the other cells say "no figure" or
  "not known".
- change-log: the grid is format 2, with a change log whose first entry is the
  grid's version (loading refuses a format 2 grid without one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sdm_tui.core.catalog import shipped_grids_dir
from sdm_tui.core.grid import Id, Level, OptionGrid, Text, Topic
from sdm_tui.core.tomlfile import (
    FileProblems,
    LineMap,
    Problem,
    read_toml,
    validation_problems,
)
from sdm_tui.core.unsafe_text import unsafe_problems

EVIDENCE_FOLDER = "evidence"
YES_NO_WORDS = frozenset({"can", "is", "are", "do", "does", "should", "must"})
_NO_FIGURE = re.compile(r"\b(no figures?|not known)\b", re.IGNORECASE)
_FIGURE = re.compile(
    r"\b\d+(?:\.\d+)?\s*(?:in|out of)\s+\d[\d,]*\b"  # about 3 in 100, 1 out of 10
    r"|\b\d+(?:\.\d+)?\s*(?:%|per ?cent\b)"  # 20%, 20 per cent
    r"|\b\d+(?:\.\d+)?\s*kg\b",  # 5 kg
    re.IGNORECASE,
)
RULES = ("level-meaning", "uncertain", "evidence", "figures", "change-log")


@dataclass(frozen=True)
class RuleProblem:
    """One broken content rule: which rule, where (a TOML path), what and the fix."""

    rule: str
    loc: tuple[Any, ...]
    message: str
    fix: str


class _EvidenceSource(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Id
    citation: Text
    year: Text


class EvidenceList(BaseModel):
    """A machine-readable copy of an evidence sheet's source table."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Id
    sheet: Text
    sheet_version: Text
    retired: list[Id] = Field(default_factory=list)
    sources: list[_EvidenceSource] = Field(min_length=1)

    def citation(self, source_id: str) -> str | None:
        for source in self.sources:
            if source.id == source_id:
                return source.citation
        return None


def evidence_file(name: str, grid_path: Path | None = None) -> Path | None:
    """NAME-sources.toml in the grid's own evidence/ folder, else in the shipped one."""
    folders = [grid_path.parent / EVIDENCE_FOLDER] if grid_path is not None else []
    folders.append(shipped_grids_dir() / EVIDENCE_FOLDER)
    for folder in folders:
        path = folder / f"{name}-sources.toml"
        if path.is_file():
            return path
    return None


@cache
def _load_evidence(path: Path, mtime_ns: int) -> EvidenceList:
    data, text = read_toml(path, what="evidence list")
    lines = LineMap(text)
    unsafe = unsafe_problems(data, str(path), lines, "evidence list")
    if unsafe:
        raise FileProblems(unsafe)
    try:
        return EvidenceList.model_validate(data)
    except ValidationError as exc:
        raise FileProblems(validation_problems(exc, str(path), lines, "evidence list")) from None


def load_evidence(path: Path) -> EvidenceList:
    """Read an evidence list (cached while the file is unchanged), or raise FileProblems."""
    return _load_evidence(path, path.stat().st_mtime_ns)


def is_shipped(path: Path | None) -> bool:
    """Whether this grid file is one of the grids that come with sdm-tui."""
    if path is None:
        return False
    try:
        return path.resolve().parent == shipped_grids_dir().resolve()
    except OSError:
        return False


def is_yes_no(text: str) -> bool:
    """A yes/no question: its first word is one of YES_NO_WORDS ("Can I ask for this?").
    "Could", "Will" and "How" questions ask how likely or how much: levels answer them."""
    first = text.strip().split(maxsplit=1)[0].lower() if text.strip() else ""
    return first in YES_NO_WORDS


def has_figure(text: str) -> bool:
    return bool(_FIGURE.search(text))


def says_no_figure(text: str) -> bool:
    return bool(_NO_FIGURE.search(text))


def _level_rules(grid: OptionGrid) -> list[RuleProblem]:
    found = []
    questions = {q.id: q for q in grid.questions}
    for index, answer in enumerate(grid.answers):
        if answer.level is None or answer.question not in questions:
            continue
        question = questions[answer.question]
        if question.topic is Topic.SUBJECTIVE and answer.level is Level.NONE:
            found.append(
                RuleProblem(
                    "level-meaning",
                    ("answers", index, "level"),
                    f'{answer.question} x {answer.option}: level "none" on a day-to-day '
                    "(subjective) row",
                    "use low, or no level, and say what people may notice",
                )
            )
            continue
        if question.level_meaning:
            continue
        if question.topic is Topic.PRACTICAL:
            why = "a practical question"
        elif is_yes_no(question.text):
            why = f'a yes/no question ("{question.text}")'
        else:
            continue
        found.append(
            RuleProblem(
                "level-meaning",
                ("answers", index, "level"),
                f'{answer.question} x {answer.option}: level "{answer.level.value}" on {why} '
                "that does not say what its level means",
                f"remove the level, or add level_meaning to question '{question.id}' "
                "saying what the level means on this row",
            )
        )
    return found


def _uncertain_rule(grid: OptionGrid) -> list[RuleProblem]:
    return [
        RuleProblem(
            "uncertain",
            ("answers", index, "sources"),
            f'{a.question} x {a.option}: level "uncertain" cites only one source '
            "and does not say there is no figure",
            'cite at least two sources that differ, or say "no figure" or "not known"',
        )
        for index, a in enumerate(grid.answers)
        if a.level is not None
        and a.level.value == "uncertain"
        and len(set(a.sources)) < 2
        and not says_no_figure(a.text)
    ]


def _evidence_rule(
    grid: OptionGrid, grid_path: Path | None, shipped: bool
) -> tuple[list[RuleProblem], EvidenceList | None]:
    if not grid.evidence:
        if not shipped:
            return [], None
        return [
            RuleProblem(
                "evidence",
                ("schema_version",),
                "a shipped grid must name the evidence list its sources come from",
                'add evidence = "antipsychotics" after schema_version; the lists are '
                "in option_grids/evidence/",
            )
        ], None
    path = evidence_file(grid.evidence, grid_path)
    if path is None:
        return [
            RuleProblem(
                "evidence",
                ("evidence",),
                f"no evidence list '{grid.evidence}'",
                f"add evidence/{grid.evidence}-sources.toml next to the grid, or fix the name",
            )
        ], None
    try:
        evidence = load_evidence(path)
    except FileProblems as exc:
        return [
            RuleProblem("evidence", ("evidence",), f"evidence list unusable: {p.message}", p.fix)
            for p in exc.problems
        ], None
    return _check_ids(grid, evidence), evidence


def _check_ids(grid: OptionGrid, evidence: EvidenceList) -> list[RuleProblem]:
    found: list[RuleProblem] = []
    known = {s.id for s in evidence.sources}
    retired = set(evidence.retired)
    where = f"the {evidence.name} evidence list ({evidence.sheet} of {evidence.sheet_version})"

    def unknown(source_id: str) -> str:
        if source_id in retired:
            return f"retired source id '{source_id}'"
        return f"source id '{source_id}' is not in {where}"

    for index, answer in enumerate(grid.answers):
        for s_index, source_id in enumerate(answer.sources):
            if source_id not in known:
                found.append(
                    RuleProblem(
                        "evidence",
                        ("answers", index, "sources", s_index),
                        f"{answer.question} x {answer.option}: {unknown(source_id)}",
                        "cite an id from the sheet's Sources table that supports this cell",
                    )
                )
    for index, source in enumerate(grid.sources):
        citation = evidence.citation(source.id)
        if citation is None:
            found.append(
                RuleProblem(
                    "evidence",
                    ("sources", index, "id"),
                    f"[[sources]] {unknown(source.id)}",
                    "remove it, or use the sheet's id",
                )
            )
        elif " ".join(citation.split()) not in " ".join(source.citation.split()):
            found.append(
                RuleProblem(
                    "evidence",
                    ("sources", index, "citation"),
                    f"[[sources]] '{source.id}': citation differs from {where}",
                    "copy the sheet's full citation text, then the year",
                )
            )
    return found


def _figure_rule(grid: OptionGrid) -> list[RuleProblem]:
    found = []
    by_row: dict[str, list[tuple[int, Any]]] = {}
    for index, answer in enumerate(grid.answers):
        by_row.setdefault(answer.question, []).append((index, answer))
    for question in grid.questions:
        cells = by_row.get(question.id, [])
        with_figure = [a.option for _, a in cells if has_figure(a.text)]
        if not with_figure:
            continue
        for index, answer in cells:
            if has_figure(answer.text) or says_no_figure(answer.text):
                continue
            found.append(
                RuleProblem(
                    "figures",
                    ("answers", index, "text"),
                    f"{question.id} x {answer.option}: no figure, but this row gives one for "
                    f"{', '.join(with_figure[:3])}{' and more' if len(with_figure) > 3 else ''}",
                    'give the figure in the same form, or say "no figure" for this option',
                )
            )
    return found


def _change_log_rule(grid: OptionGrid) -> list[RuleProblem]:
    if grid.schema_version >= 2 and grid.changes and grid.changes[0].version == grid.version:
        return []
    if grid.schema_version < 2:
        return [
            RuleProblem(
                "change-log",
                ("schema_version",),
                "a format 1 grid has no change log",
                f'set schema_version = 2 and add [[changes]] with version = "{grid.version}", '
                "date, what and why",
            )
        ]
    return [
        RuleProblem(
            "change-log",
            ("changes",),
            "the change log's newest entry is not this version",
            f'put a [[changes]] entry with version = "{grid.version}" first',
        )
    ]


def check_rules(
    grid: OptionGrid, grid_path: Path | None = None, *, shipped: bool | None = None
) -> list[RuleProblem]:
    """Every content rule, in RULES order. `shipped` defaults to whether `grid_path`
    is in the shipped grids folder."""
    shipped = is_shipped(grid_path) if shipped is None else shipped
    evidence_problems, _ = _evidence_rule(grid, grid_path, shipped)
    return [
        *_level_rules(grid),
        *_uncertain_rule(grid),
        *evidence_problems,
        *_figure_rule(grid),
        *_change_log_rule(grid),
    ]


def as_problems(found: list[RuleProblem], file: str, text: str) -> list[Problem]:
    """RuleProblems as FILE:LINE problems, lines found in the grid's TOML text."""
    lines = LineMap(text)
    return [Problem(file, lines.line_of(p.loc), p.message, p.fix) for p in found]
