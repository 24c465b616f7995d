"""统一社会信用代码 (unified social credit code), GB 32100-2015.

18 characters from a 31-character alphabet (no I, O, S, V, Z): registration authority,
organisation kind, 6-digit division code, 9-character organisation code, check character.
"""

from __future__ import annotations

import operator
import unicodedata

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


def check_character(first17: str) -> str:
    total = sum(map(operator.mul, map(_VALUE.__getitem__, first17), WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


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


def with_check_character(first17: str) -> str:
    return first17 + check_character(first17)
