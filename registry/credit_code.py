"""统一社会信用代码 (unified social credit code), GB 32100-2015.

18 characters from a 31-character alphabet (no I, O, S, V, Z): registration authority,
organisation kind, 6-digit division code, 9-character organisation code, check character.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {char: index for index, char in enumerate(ALPHABET)}
_ALLOWED = frozenset(ALPHABET)


def normalise(raw: str) -> str:
    """Full-width to half-width, spaces (of any width) removed, upper case."""
    if raw.isascii() and raw.isalnum():
        return raw.upper()
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(text.split()).upper()


# Position i's table: character → its value times the i-th weight (one lookup per character).
_WEIGHTED = tuple({char: value * weight for char, value in _VALUE.items()} for weight in WEIGHTS)


def check_character(first17: str) -> str:
    return ALPHABET[-sum(map(dict.__getitem__, _WEIGHTED, first17)) % 31]


def problem(code: str) -> str | None:
    """Why a (normalised) code is not a valid 统一社会信用代码, in Chinese; None if it is."""
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位，实际为 {len(code)} 位。"
    if not _ALLOWED.issuperset(code):
        bad = sorted({char for char in code if char not in _VALUE})
        return f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、S、V、Z）。"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误：第 18 位应为 {expected}，实际为 {code[17]}。"
    return None


def is_valid(code: str) -> bool:
    return problem(code) is None


def valid_flags(codes: Iterable[str]) -> list[bool]:
    """`is_valid` of each (normalised) code, for a column of a hundred thousand at once."""
    flags = []
    weighted, alphabet, getitem = _WEIGHTED, ALPHABET, dict.__getitem__
    for code in codes:
        try:
            flags.append(len(code) == 18 and alphabet[-sum(map(getitem, weighted, code)) % 31] == code[17])
        except KeyError:  # a character outside the alphabet
            flags.append(False)
    return flags


def with_check_character(first17: str) -> str:
    return first17 + check_character(first17)
