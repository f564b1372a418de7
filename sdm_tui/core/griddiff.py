"""What changed between two versions of an option grid, cell by cell (pure, no printing).

`diff_grids(old, new)` returns a `GridDiff`: one `Edit` per changed header field,
option field, question field, answer field (text, level, sources) and source, plus
the change-log entries the new version adds. `format_text` makes it readable for a
content group signing a change off (one block per change, grouped by row);
`as_json` is stable and machine-readable. `sdm-tui grids diff OLD NEW` prints them.

Options and questions are matched by id: a changed name is a rename, and a new order
of the ones kept is one "(order)" edit (old and new id lists). When an option
or question is removed, its answers are not listed one by one (the removal says how
many went); when one is added, every new answer is listed, as those need signing off.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from sdm_tui.core.grid import Answer, Change, OptionGrid

DIFF_FORMAT = 1
WIDTH = 96

Kind = Literal["added", "removed", "changed"]
Area = Literal["header", "option", "question", "answer", "source"]

HEADER_FIELDS = (
    "schema_version", "id", "title", "decision", "condition", "audience", "version",
    "published", "review_by", "update_policy", "authors", "funding",
    "conflicts_of_interest", "disclaimer", "evidence",
)  # fmt: skip
OPTION_FIELDS = ("name", "kind", "note")
QUESTION_FIELDS = ("text", "short", "topic", "level_meaning")
ANSWER_FIELDS = ("text", "level", "sources")


@dataclass(frozen=True)
class Edit:
    """One change. `key` names the thing: a header field, an option, question or
    source id, or "QUESTION x OPTION" for an answer; `field` is the field changed
    ("" when the whole thing was added or removed). Values are JSON-ready."""

    area: Area
    kind: Kind
    key: str
    field: str = ""
    old: Any = None
    new: Any = None
    row: str = ""  # for answers: the question id, so answers group by row


@dataclass(frozen=True)
class GridDiff:
    old_id: str
    old_version: str
    old_hash: str
    new_id: str
    new_version: str
    new_hash: str
    edits: tuple[Edit, ...] = ()
    changes_added: tuple[Change, ...] = field(default_factory=tuple)

    @property
    def same(self) -> bool:
        return not self.edits and not self.changes_added

    def by_area(self, area: Area) -> list[Edit]:
        return [e for e in self.edits if e.area == area]


def _value(value: Any) -> Any:
    """A field's value as JSON: enums as their value, dates as YYYY-MM-DD."""
    if value is None or isinstance(value, (str, int, bool)):
        return getattr(value, "value", value)
    if isinstance(value, list):
        return [_value(v) for v in value]
    return str(getattr(value, "value", value))


def _fields(
    area: Area, key: str, old: Any, new: Any, names: tuple[str, ...], row: str = ""
) -> Iterator[Edit]:
    for name in names:
        before, after = _value(getattr(old, name, None)), _value(getattr(new, name, None))
        if before != after:
            yield Edit(area, "changed", key, name, before, after, row)


def _whole(item: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _value(getattr(item, name)) for name in names}


def _by_id(items: list[Any]) -> dict[str, Any]:
    return {item.id: item for item in items}


def _items(
    area: Area,
    old: list[Any],
    new: list[Any],
    names: tuple[str, ...],
    counts: dict[str, int] | None,
) -> Iterator[Edit]:
    """Edits for options, questions or sources, matched by id (new order, then removed)."""
    before, after = _by_id(old), _by_id(new)
    for item_id, item in after.items():
        if item_id not in before:
            yield Edit(area, "added", item_id, "", None, _whole(item, names))
        else:
            yield from _fields(area, item_id, before[item_id], item, names)
    for item_id, item in before.items():
        if item_id not in after:
            value = _whole(item, names)
            if counts is not None:
                value["answers"] = counts.get(item_id, 0)
            yield Edit(area, "removed", item_id, "", value, None)
    if counts is not None:  # options and questions: their order is what people see
        kept = [i for i in after if i in before]
        if kept != [i for i in before if i in after]:
            yield Edit(area, "changed", "(order)", "order", list(before), list(after))


def _answers(old: OptionGrid, new: OptionGrid) -> Iterator[Edit]:
    before = {(a.question, a.option): a for a in old.answers}
    gone_q = {q.id for q in old.questions} - {q.id for q in new.questions}
    gone_o = {o.id for o in old.options} - {o.id for o in new.options}
    after = {(a.question, a.option): a for a in new.answers}
    for question in new.questions:
        for option in new.options:
            answer = after.get((question.id, option.id))
            if answer is None:
                continue
            key = f"{question.id} x {option.id}"
            previous = before.get((question.id, option.id))
            if previous is None:
                yield Edit("answer", "added", key, "", None, _cell(answer), question.id)
            else:
                yield from _fields("answer", key, previous, answer, ANSWER_FIELDS, question.id)
    for (q_id, o_id), answer in before.items():
        if (q_id, o_id) not in after and q_id not in gone_q and o_id not in gone_o:
            yield Edit("answer", "removed", f"{q_id} x {o_id}", "", _cell(answer), None, q_id)


def _cell(answer: Answer) -> dict[str, Any]:
    return _whole(answer, ANSWER_FIELDS)


def diff_grids(old: OptionGrid, new: OptionGrid) -> GridDiff:
    """Every difference between two versions of a grid, in the new grid's order."""
    per_option: dict[str, int] = {}
    per_question: dict[str, int] = {}
    for answer in old.answers:
        per_option[answer.option] = per_option.get(answer.option, 0) + 1
        per_question[answer.question] = per_question.get(answer.question, 0) + 1
    header = [
        Edit("header", "changed", e.field, e.field, e.old, e.new)
        for e in _fields("header", "", old, new, HEADER_FIELDS)
    ]
    edits = [
        *header,
        *_items("option", old.options, new.options, OPTION_FIELDS, per_option),
        *_items("question", old.questions, new.questions, QUESTION_FIELDS, per_question),
        *_answers(old, new),
        *_items("source", old.sources, new.sources, ("citation",), None),
    ]
    known = set(old.changes)
    return GridDiff(
        old_id=old.id,
        old_version=old.version,
        old_hash=old.content_hash,
        new_id=new.id,
        new_version=new.version,
        new_hash=new.content_hash,
        edits=tuple(edits),
        changes_added=tuple(c for c in new.changes if c not in known),
    )


def as_json(diff: GridDiff, old_file: str = "", new_file: str = "") -> str:
    """The diff as stable JSON (keys sorted, edits in the new grid's order)."""
    document = {
        "diff_format": DIFF_FORMAT,
        "old": {"file": old_file, "id": diff.old_id, "version": diff.old_version,
                "content_hash": diff.old_hash},
        "new": {"file": new_file, "id": diff.new_id, "version": diff.new_version,
                "content_hash": diff.new_hash},
        "same": diff.same,
        "edits": [asdict(e) for e in diff.edits],
        "changes_added": [
            {"version": c.version, "date": c.date.isoformat(), "what": c.what, "why": c.why}
            for c in diff.changes_added
        ],
    }  # fmt: skip
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# ---- plain text ----

_MARK = {"added": "+", "removed": "-", "changed": "~"}


def _show(value: Any) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    return str(value)


def _wrap(prefix: str, text: str) -> list[str]:
    lines: list[str] = []
    indent = " " * len(prefix)
    for number, paragraph in enumerate(text.split("\n")):
        start = prefix if number == 0 else indent
        lines.extend(
            textwrap.wrap(paragraph, WIDTH, initial_indent=start, subsequent_indent=indent)
            or [start.rstrip()]
        )
    return lines


def _block(edit: Edit, title: str) -> list[str]:
    lines = [f"  {_MARK[edit.kind]} {title}"]
    if edit.kind == "changed":
        lines += _wrap("      old: ", _show(edit.old))
        lines += _wrap("      new: ", _show(edit.new))
    else:
        value = edit.new if edit.kind == "added" else edit.old
        for name, item in value.items():
            lines += _wrap(f"      {name}: ", _show(item))
    return lines


def _title(edit: Edit, what: str) -> str:
    if edit.area == "header":
        return f"{edit.key} changed"
    if edit.kind == "changed":
        return f"{what} {edit.key}: {edit.field} changed"
    return f"{what} {edit.key} {edit.kind}"


def format_text(diff: GridDiff, old_file: str = "", new_file: str = "", grid: Any = None) -> str:
    """The diff as plain text: header, options, questions, answers by row, sources,
    then the change-log entries the new version adds. `grid` (the new grid) gives
    each row's question text."""
    lines = [
        f"Grid {diff.new_id}: {diff.old_version} -> {diff.new_version}",
        f"  old: {old_file or diff.old_id} ({diff.old_hash})",
        f"  new: {new_file or diff.new_id} ({diff.new_hash})",
    ]
    if diff.old_id != diff.new_id:
        lines.append(f"  note: the grid ids differ ({diff.old_id}, {diff.new_id})")
    if diff.same:
        lines.append("No differences.")
        return "\n".join(lines) + "\n"
    counts = {k: sum(1 for e in diff.edits if e.kind == k) for k in _MARK}
    lines.append(
        f"  {len(diff.edits)} changes: {counts['added']} added, {counts['removed']} removed, "
        f"{counts['changed']} changed; {len(diff.changes_added)} change-log entries added"
    )
    sections: list[tuple[str, list[Edit], str]] = [
        ("Header", diff.by_area("header"), "field"),
        ("Options", diff.by_area("option"), "option"),
        ("Questions (rows)", diff.by_area("question"), "question"),
    ]
    for heading, edits, what in sections:
        if edits:
            lines += ["", heading]
            for edit in edits:
                lines += _block(edit, _title(edit, what))
    rows: dict[str, list[Edit]] = {}
    for edit in diff.by_area("answer"):
        rows.setdefault(edit.row, []).append(edit)
    for row, edits in rows.items():
        text = _question_text(grid, row)
        lines += ["", f"Answers in row {row}{f' ({text})' if text else ''}"]
        for edit in edits:
            lines += _block(edit, _title(edit, "cell"))
    if diff.by_area("source"):
        lines += ["", "Sources"]
        for edit in diff.by_area("source"):
            lines += _block(edit, _title(edit, "source"))
    if diff.changes_added:
        lines += ["", "Change log: entries added"]
        for change in diff.changes_added:
            lines.append(f"  + {change.version} ({change.date.isoformat()})")
            lines += _wrap("      what: ", change.what)
            lines += _wrap("      why: ", change.why)
    return "\n".join(lines) + "\n"


def _question_text(grid: Any, question_id: str) -> str:
    if grid is None:
        return ""
    try:
        return str(grid.question(question_id).text)
    except KeyError:
        return ""
