"""What changed between two versions of a list: pure functions over plain records.

A record is a dict; records are matched by a key field and compared field by field on
the labelled fields only. Values are compared and shown as display text, so a list
shows as "甲、乙" and an empty value as "—".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

EMPTY = "—"


def display_value(value: Any) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, list | tuple):
        return "；".join(display_value(item) for item in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class RecordChange:
    key: str
    title: str
    changes: list[FieldChange]


@dataclass
class RecordDiff:
    added: list[Mapping[str, Any]] = field(default_factory=list)
    removed: list[Mapping[str, Any]] = field(default_factory=list)
    changed: list[RecordChange] = field(default_factory=list)
    unchanged: int = 0
    title: str = "title"

    @property
    def added_titles(self) -> list[str]:
        return [str(record.get(self.title, "")) for record in self.added]

    @property
    def removed_titles(self) -> list[str]:
        return [str(record.get(self.title, "")) for record in self.removed]

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def summary(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "changed": len(self.changed),
            "removed": len(self.removed),
            "unchanged": self.unchanged,
        }


def field_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], labels: Sequence[tuple[str, str]]
) -> list[FieldChange]:
    changes = []
    for name, label in labels:
        before, after = display_value(old.get(name)), display_value(new.get(name))
        if before != after:
            changes.append(FieldChange(label, before, after))
    return changes


def diff_records(
    old: Sequence[Mapping[str, Any]],
    new: Sequence[Mapping[str, Any]],
    *,
    key: str,
    labels: Sequence[tuple[str, str]],
    title: str,
) -> RecordDiff:
    """Added, removed and changed records, in the new list's order (removed in the old one's)."""
    old_by_key = {str(record[key]): record for record in old}
    new_keys = {str(record[key]) for record in new}
    diff = RecordDiff(title=title)
    for record in new:
        previous = old_by_key.get(str(record[key]))
        if previous is None:
            diff.added.append(record)
            continue
        changes = field_changes(previous, record, labels)
        if changes:
            diff.changed.append(RecordChange(str(record[key]), str(record.get(title, "")), changes))
        else:
            diff.unchanged += 1
    diff.removed = [record for record in old if str(record[key]) not in new_keys]
    return diff
