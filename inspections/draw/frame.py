"""The sampling frame (抽取名单) and its file: §2 of docs/DRAW_PROTOCOL.md."""

from __future__ import annotations

import bisect
import collections
import contextlib
import hashlib
import itertools
import operator
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from .verifier import ProtocolError, check_frame_keys_unique, check_stratum_keys, frame_parse, frame_serialise


@dataclass(frozen=True)
class Frame:
    """A frozen frame: the file's bytes, its digest, and each stratum's keys in file order."""

    content: bytes
    digest: str
    strata: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def sizes(self) -> dict[str, int]:
        return {name: len(keys) for name, keys in self.strata}

    @property
    def size(self) -> int:
        return sum(len(keys) for _, keys in self.strata)

    def keys_by_stratum(self) -> dict[str, tuple[str, ...]]:
        return dict(self.strata)

    def keys_in(self, names: Collection[str]) -> FrameKeys:
        """The keys of the named strata as a set, without copying a million keys into one."""
        return FrameKeys([keys for name, keys in self.strata if name in names])


class FrameKeys(AbstractSet):
    """Keys of some of a frame's strata, as a read-only set: membership is a binary search
    in each stratum's keys, which the frame keeps sorted in code-point order."""

    def __init__(self, strata: Sequence[tuple[str, ...]]) -> None:
        self._strata = [keys for keys in strata if keys]

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        for keys in self._strata:
            index = bisect.bisect_left(keys, key)
            if index < len(keys) and keys[index] == key:
                return True
        return False

    def __iter__(self) -> Iterator[str]:
        return itertools.chain.from_iterable(self._strata)

    def __len__(self) -> int:
        return sum(map(len, self._strata))


def build_frame(pairs: Iterable[tuple[str, str]]) -> Frame:
    """The frame of (stratum, key) pairs in any order, e.g. straight from a query.

    Raises ProtocolError (Chinese message) for an empty or malformed name, a key listed
    twice, or an 18-character key that is not upper case.
    """
    grouped: dict[str, list[str]] = {}
    for stratum, key in pairs:
        keys = grouped.get(stratum)
        if keys is None:
            keys = grouped[stratum] = []
        keys.append(key)
    return _frame_of(grouped)


def build_frame_from_strata(strata: Mapping[str, Iterable[str]]) -> Frame:
    """The frame of keys already grouped by stratum (in any order); empty strata are left out."""
    return _frame_of({stratum: list(keys) for stratum, keys in strata.items()})


def build_frame_from_lines(lines: list[str], *, keys_unique: bool = False) -> Frame:
    """The frame of `STRATUM<TAB>KEY` lines in any order, e.g. as a query's COPY gives them;
    the list is sorted in place.

    `keys_unique`: the caller vouches that no key is on two lines, as for keys read from a
    unique column, one line per row (the registry's codes): the check that no key is in two
    strata (a set of every key, a third of a second for a million) is then left out. Repeats
    within a stratum are still refused: they cost nothing to find in sorted lines.

    Sorted, the lines are the frame file itself: the file is one join, and the strata are
    sliced from it (`_strata_in_blocks`). Lines that are not one name and one key, or
    strata that do not come out as one block each, go the general way (`build_frame`),
    whose checks name the bad line.
    """
    lines.sort()
    text = "\n".join(lines) + "\n" if lines else ""
    # Exactly one TAB in every line, and no LF inside one: names and keys then alternate.
    regular = text.count("\t") == text.count("\n") == len(lines) and all(
        map(operator.contains, lines, itertools.repeat("\t"))
    )
    strata = None
    if regular:
        items = text.replace("\t", "\n").split("\n")[:-1]
        with contextlib.suppress(ProtocolError):  # a name sorting apart from its lines
            strata = _strata_in_blocks(items, collections.Counter(items[0::2]))
    if strata is None:
        return build_frame(line.partition("\t")[::2] for line in lines)
    for name, keys in strata:
        check_stratum_keys(name, keys)
    if not keys_unique:
        check_frame_keys_unique(dict(strata))
    content = text.encode("utf-8")
    return Frame(content=content, digest=hashlib.sha256(content).hexdigest(), strata=strata)


def parse_frame(content: bytes) -> Frame:
    """A frame file read back, checked strictly (sorting, separators, final LF, repeats)."""
    strata = frame_parse(content)
    return Frame(
        content=content,
        digest=hashlib.sha256(content).hexdigest(),
        strata=tuple((name, tuple(keys)) for name, keys in sorted(strata.items())),
    )


def load_committed_frame(content: bytes, digest: str, sizes: Mapping[str, int]) -> Frame:
    """A frame file the platform itself wrote and committed to: checked against its digest
    and the committed stratum sizes, then split without re-validating every line (the
    checks ran when the platform built the file; the digest proves it is
    the same file). About ten times faster than `parse_frame` on a million lines."""
    if hashlib.sha256(content).hexdigest() != digest:
        raise ProtocolError("抽取名单文件与承诺时的摘要不符。")
    items = content.decode("utf-8").replace("\t", "\n").split("\n")
    if items.pop() != "":
        raise ProtocolError("抽取名单文件的行数与承诺时各层的户数之和不符。")
    return Frame(content=content, digest=digest, strata=_strata_in_blocks(items, sizes))


def _strata_in_blocks(items: list[str], sizes: Mapping[str, int]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A frame file's lines split at TAB and LF (names and keys alternate) as its strata:
    in name order, each stratum one block of `sizes[name]` lines. C-level slices instead of
    a million Python-level splits. Raises ProtocolError where the lines do not fit."""
    if len(items) != 2 * sum(sizes.values()):
        raise ProtocolError("抽取名单文件的行数与承诺时各层的户数之和不符。")
    strata = []
    start = 0
    for name in sorted(sizes):
        end = start + sizes[name]
        if items[2 * start : 2 * end : 2].count(name) != end - start:
            raise ProtocolError(f"抽取名单文件中 {name} 层的位置或户数与承诺时不符。")
        if end > start:
            strata.append((name, tuple(items[2 * start + 1 : 2 * end : 2])))
        start = end
    return tuple(strata)


def _frame_of(grouped: dict[str, list[str]]) -> Frame:
    """Sorts the given (owned) lists in place, validates them and writes the file."""
    strata: dict[str, list[str]] = {}
    for stratum in _sorted_names(grouped):
        keys = grouped[stratum]
        if not keys:
            continue
        try:
            keys.sort()
        except TypeError:
            raise ProtocolError(f"{stratum} 层的检查对象标识必须是字符串。") from None
        if not all(isinstance(key, str) for key in (keys[0], keys[-1])):
            raise ProtocolError(f"{stratum} 层的检查对象标识必须是字符串。")
        check_stratum_keys(stratum, keys)
        strata[stratum] = keys
    check_frame_keys_unique(strata)
    content = frame_serialise(strata)
    return Frame(
        content=content,
        digest=hashlib.sha256(content).hexdigest(),
        strata=tuple((name, tuple(keys)) for name, keys in strata.items()),
    )


def _sorted_names(grouped: dict[str, list[str]]) -> list[str]:
    if not all(isinstance(name, str) for name in grouped):
        raise ProtocolError("层名称必须是字符串。")
    return sorted(grouped)
