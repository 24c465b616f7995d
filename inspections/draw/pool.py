"""The inspector pool snapshot (人员库快照) and its file (§3)."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from .verifier import ProtocolError, check_pool_entry, pool_parse, pool_serialise


def _sorted_tuple(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(items)))


@dataclass(frozen=True)
class PoolEntry:
    """One inspector as frozen at prepare time.

    `certified` means a valid enforcement certificate on the day the pool is frozen: an
    expired certificate is simply `certified=False`. `conflicts` are declared conflicts of
    interest (回避) and `recent_targets` the targets on whose most recent inspection this
    inspector served, both as target keys. Lists are stored sorted and without repeats.
    """

    code: str
    department: str
    active: bool = True
    certified: bool = False
    expert: bool = False
    expertise: tuple[str, ...] = field(default=())
    conflicts: tuple[str, ...] = field(default=())
    recent_targets: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        for name in ("expertise", "conflicts", "recent_targets"):
            object.__setattr__(self, name, _sorted_tuple(getattr(self, name)))

    def as_json(self) -> dict:
        return {
            "active": self.active,
            "certified": self.certified,
            "code": self.code,
            "conflicts": list(self.conflicts),
            "department": self.department,
            "expert": self.expert,
            "expertise": list(self.expertise),
            "recent_targets": list(self.recent_targets),
        }

    @classmethod
    def from_json(cls, entry: dict) -> PoolEntry:
        return cls(
            **{key: tuple(value) if isinstance(value, list) else value for key, value in entry.items()}
        )


@dataclass(frozen=True)
class Pool:
    """A frozen pool: the file's bytes, its digest and the entries sorted by code."""

    content: bytes
    digest: str
    entries: tuple[PoolEntry, ...]

    @cached_property
    def json_entries(self) -> list[dict]:
        """The entries in the verifier's shape (plain dicts, as in the pool file)."""
        return [entry.as_json() for entry in self.entries]

    @cached_property
    def by_code(self) -> dict[str, PoolEntry]:
        return {entry.code: entry for entry in self.entries}


def build_pool(entries: Iterable[PoolEntry]) -> Pool:
    """The pool of entries in any order; refuses a repeated or empty code."""
    ordered = sorted(entries, key=lambda entry: entry.code)
    for previous, entry in itertools.pairwise(ordered):
        if previous.code == entry.code:
            raise ProtocolError(f"人员编号 {entry.code} 在人员库中重复。")
    json_entries = [entry.as_json() for entry in ordered]
    for entry in json_entries:
        check_pool_entry(entry, f"人员 {entry['code']} " if entry["code"] else "人员（无编号）")
    content = pool_serialise(json_entries)
    return Pool(content=content, digest=hashlib.sha256(content).hexdigest(), entries=tuple(ordered))


def parse_pool(content: bytes) -> Pool:
    """A pool file read back, checked strictly (canonical JSON lines, sorted, final LF)."""
    entries = pool_parse(content)
    return Pool(
        content=content,
        digest=hashlib.sha256(content).hexdigest(),
        entries=tuple(PoolEntry.from_json(entry) for entry in entries),
    )


__all__ = ["Pool", "PoolEntry", "ProtocolError", "build_pool", "parse_pool"]
