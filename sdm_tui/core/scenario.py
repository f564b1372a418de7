"""Training role-play scenarios: the model, loading a scenario file, and checking it.

A scenario is one TOML file about invented people: a public setting everyone
reads, a brief for each role (shown only when its player asks), the grid and
options it suits, and learning goals the observer marks as met or missed.
See docs/authoring-scenarios.md.

Text in a scenario is cleaned like anything typed (control and bidi characters
go) and reflowed: a blank line starts a new paragraph, a line starting with
"- " stays a list item, and any other line break is a space. So trainers can
wrap long briefs in their editor and the app still wraps them to the screen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationError,
)

from sdm_tui.core.catalog import shipped_folder
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.session import ROLE_NAMES, Involvement, Role, WrittenWith
from sdm_tui.core.text import clean, clean_line
from sdm_tui.core.tomlfile import FileProblems, LineMap, Problem, read_toml, validation_problems
from sdm_tui.core.unsafe_text import unsafe_problems

SCENARIO_SCHEMA_VERSION = 1
MIN_OPTIONS, MAX_OPTIONS = 2, 6
MAX_ROLES = 6  # people round one screen; a session itself allows up to 8
MAX_GOALS = 8
DOCS = "docs/authoring-scenarios.md"

_LIST_ITEM = re.compile(r"^(?:[-*•]|\d+[.)])\s")


def reflow(text: str) -> str:
    """Paragraphs split by blank lines; inside one, line breaks become spaces.

    A line that starts a list item ("- ", "* ", "1. ") keeps its own line.
    """
    paragraphs = []
    for block in re.split(r"\n[ \t]*\n", text.strip()):
        merged: list[str] = []
        for line in (part.strip() for part in block.splitlines()):
            if not line:
                continue
            if merged and not _LIST_ITEM.match(line):
                merged[-1] = f"{merged[-1]} {line}"
            else:
                merged.append(line)
        if merged:
            paragraphs.append("\n".join(merged))
    return "\n\n".join(paragraphs)


def _one_line(value: Any) -> Any:
    return clean_line(value) if isinstance(value, str) else value


def _paragraphs(value: Any) -> Any:
    return reflow(clean(value)) if isinstance(value, str) else value


Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,47}$")]
Line = Annotated[str, BeforeValidator(_one_line), StringConstraints(min_length=1, max_length=200)]
Text = Annotated[
    str, BeforeValidator(_paragraphs), StringConstraints(min_length=1, max_length=3000)
]
Label = Annotated[str, BeforeValidator(_one_line), StringConstraints(min_length=1, max_length=24)]
Reference = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,31}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Goal(_Strict):
    id: Id
    text: Line


class RoleBrief(_Strict):
    """One player's part. `label` is the invented character's short name."""

    role: Role
    label: Label
    brief: Text

    @property
    def display(self) -> str:
        """As the session shows a person: "Sam (service user)"."""
        return f"{self.label} ({ROLE_NAMES[self.role]})"


class ScenarioPreparation(_Strict):
    """What the service user's character wrote before the appointment (optional).

    Brought into the role-play as written, as a real preparation would be."""

    want: Text | None = None
    matters: Text | None = None
    stay_well: Text | None = None
    questions: Text | None = None
    worries: Text | None = None
    involvement: Involvement | None = None
    written_with: WrittenWith = WrittenWith.ALONE

    def texts(self) -> dict[str, str]:
        keys = ("want", "matters", "stay_well", "questions", "worries")
        return {k: getattr(self, k) for k in keys if getattr(self, k)}


class Scenario(_Strict):
    schema_version: StrictInt = SCENARIO_SCHEMA_VERSION
    id: Id
    version: Line
    title: Line
    setting: Text  # read by everyone at the start
    grid: Id
    options: tuple[Id, ...]
    service_user_ref: Reference  # invented, e.g. TRAIN-0001
    carer_consent: StrictBool = False  # TOML true/false, not "yes"
    roles: tuple[RoleBrief, ...]
    goals: tuple[Goal, ...]
    preparation: ScenarioPreparation | None = None  # written beforehand by the service user

    def brief_for(self, label: str) -> RoleBrief | None:
        return next((r for r in self.roles if r.label == label), None)

    def roles_text(self) -> str:
        """The roles in order, for lists: "service user, clinician, observer"."""
        return ", ".join(ROLE_NAMES[r.role] for r in self.roles)


# Better fixes than the generic ones, by the key a pydantic error is about.
_FIXES: dict[str, str] = {
    "id": "use lower-case letters, digits and hyphens, such as weight-first-episode",
    "grid": "use the id of a grid, such as antipsychotic-choice; see sdm-tui grids list",
    "options": "use option ids from the grid, such as stay-current",
    "service_user_ref": "use an invented reference such as TRAIN-0001; never a name",
    "role": "use service-user, clinician, carer, peer-support or observer",
    "label": "use a short invented label of 1-24 characters, such as Sam",
    "brief": "write the brief in quotes; at most 3000 characters",
    "setting": "write the setting in quotes; at most 3000 characters",
    "carer_consent": "write true or false, without quotes",
}


def _better_fix(err: dict[str, Any], problem: Problem, lines: LineMap) -> Problem:
    loc = tuple(err["loc"])
    key = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
    kind = err["type"]
    line = problem.line
    fix = problem.fix
    if kind == "missing":
        if key in ("roles", "goals") and len(loc) == 1:
            fix = f"add [[{key}]] tables; see {DOCS}"
        if line == 0:
            line = 1  # a missing top-level key belongs near the top
    elif kind != "extra_forbidden" and key in _FIXES:
        fix = _FIXES[key]
    elif fix == "see docs/authoring-grids.md":
        fix = f"see {DOCS}"
    return Problem(problem.file, line, problem.message, fix, problem.severity)


def _cross_check(scenario: Scenario, name: str, lines: LineMap) -> list[Problem]:
    problems: list[Problem] = []

    def add(where: tuple[str | int, ...], what: str, fix: str) -> None:
        problems.append(Problem(name, lines.line_of(where) or 1, what, fix))

    if scenario.schema_version < 1:
        add(("schema_version",), f"schema_version {scenario.schema_version}", "write 1")
    if not any(ch.isdigit() for ch in scenario.service_user_ref):
        add(
            ("service_user_ref",),
            f"service_user_ref '{scenario.service_user_ref}' has no digit",
            "use an invented reference with a digit, such as TRAIN-0001",
        )
    roles = [r.role for r in scenario.roles]
    for needed in (Role.SERVICE_USER, Role.CLINICIAN):
        if needed not in roles:
            add(("roles",), f"no {needed.value} role", f'add a [[roles]] with role = "{needed}"')
    for i, role in enumerate(roles):
        if role == Role.SERVICE_USER and role in roles[:i]:
            add(("roles", i, "role"), "a second service-user role", "keep one service user")
    if len(roles) > MAX_ROLES:
        add(
            ("roles", MAX_ROLES),
            f"{len(roles)} roles listed",
            f"a role-play has at most {MAX_ROLES} people; remove a [[roles]]",
        )
    labels = [r.label.casefold() for r in scenario.roles]
    for i, label in enumerate(labels):
        if label in labels[:i]:
            add(
                ("roles", i, "label"),
                f"a second role labelled '{scenario.roles[i].label}'",
                "give each role its own label",
            )
    if Role.CARER not in roles and scenario.carer_consent:
        add(
            ("carer_consent",),
            "carer_consent is true but no role is a carer",
            'add a [[roles]] with role = "carer", or remove carer_consent',
        )
    goal_ids = [g.id for g in scenario.goals]
    for i, goal in enumerate(goal_ids):
        if goal in goal_ids[:i]:
            add(("goals", i, "id"), f"a second goal with id '{goal}'", "give each goal its own id")
    if not scenario.goals:
        add(("goals",), "no learning goals", "add at least one [[goals]]")
    elif len(scenario.goals) > MAX_GOALS:
        add(
            ("goals", MAX_GOALS),
            f"{len(scenario.goals)} learning goals",
            f"keep at most {MAX_GOALS}, so the observer can mark them all",
        )
    for i, option in enumerate(scenario.options):
        if option in scenario.options[:i]:
            add(("options",), f"option '{option}' is listed twice", "list each option once")
    count = len(scenario.options)
    if not MIN_OPTIONS <= count <= MAX_OPTIONS:
        add(
            ("options",),
            f"only {count} option listed" if count < MIN_OPTIONS else f"{count} options listed",
            f"list {MIN_OPTIONS} to {MAX_OPTIONS} options to compare",
        )
    # A carer with carer_consent = false is allowed: the clinician then asks.
    return problems


def _grid_check(
    scenario: Scenario, grids: dict[str, OptionGrid], name: str, lines: LineMap
) -> list[Problem]:
    grid = grids.get(scenario.grid)
    if grid is None:
        known = ", ".join(sorted(grids)) or "none found"
        return [
            Problem(
                name,
                lines.line_of(("grid",)) or 1,
                f"no grid with id '{scenario.grid}'",
                f"use one of: {known}",
            )
        ]
    ids = [o.id for o in grid.options]
    return [
        Problem(
            name,
            lines.line_of(("options", i)) or 1,
            f"'{option}' is not an option in grid '{grid.id}'",
            f"use one of: {', '.join(ids)}",
        )
        for i, option in enumerate(scenario.options)
        if option not in ids
    ]


def _load(path: Path, grids: dict[str, OptionGrid] | None) -> tuple[Scenario, LineMap]:
    data, text = read_toml(path, what="scenario")
    lines = LineMap(text)
    name = str(path)
    version = data.get("schema_version")
    newer = isinstance(version, int) and version > SCENARIO_SCHEMA_VERSION
    if newer and not isinstance(version, bool):
        raise FileProblems(
            [
                Problem(
                    name,
                    lines.line_of(("schema_version",)) or 1,
                    f"scenario format {version} is newer than this sdm-tui reads "
                    f"({SCENARIO_SCHEMA_VERSION})",
                    "update sdm-tui, or write the scenario in format 1",
                )
            ]
        )
    unsafe = unsafe_problems(data, name, lines, "scenario")
    if unsafe:
        raise FileProblems(unsafe)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raw = validation_problems(exc, name, lines, "scenario")
        raise FileProblems(
            [_better_fix(dict(err), p, lines) for err, p in zip(exc.errors(), raw, strict=True)]
        ) from None
    problems = _cross_check(scenario, name, lines)
    if grids is not None:
        problems.extend(_grid_check(scenario, grids, name, lines))
    if problems:
        raise FileProblems(sorted(problems, key=lambda p: p.line))
    return scenario, lines


def load_scenario(path: Path, grids: dict[str, OptionGrid] | None = None) -> Scenario:
    """Load and check a scenario (against the grids, when given), or raise FileProblems."""
    return _load(path, grids)[0]


def shipped_scenarios_dir() -> Path:
    """The scenarios that come with sdm-tui (inside the wheel, or the source tree)."""
    return shipped_folder("scenarios")


def scenario_paths(folder: Path | None = None) -> list[Path]:
    """The *.toml files in `folder` (default: the shipped scenarios), by name."""
    folder = folder or shipped_scenarios_dir()
    return sorted(p for p in folder.glob("*.toml") if p.is_file())


@dataclass
class ScenarioSet:
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    paths: dict[str, Path] = field(default_factory=dict)  # scenario id -> its file

    def get(self, scenario_id: str) -> Scenario | None:
        return self.scenarios.get(scenario_id)


def load_scenarios(paths: Iterable[Path], grids: dict[str, OptionGrid]) -> ScenarioSet:
    """Every usable scenario, with the problems of any that failed (never raises)."""
    found = ScenarioSet()
    for path in paths:
        try:
            scenario, lines = _load(path, grids)
        except FileProblems as exc:
            found.problems.extend(exc.problems)
            continue
        if scenario.id in found.scenarios:
            found.problems.append(
                Problem(
                    str(path),
                    lines.line_of(("id",)) or 1,
                    f"a second scenario with id '{scenario.id}'; the first is "
                    f"{found.paths[scenario.id]}",
                    "give each scenario its own id",
                )
            )
            continue
        found.scenarios[scenario.id] = scenario
        found.paths[scenario.id] = path
    return found
