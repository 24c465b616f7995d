"""Masking of personal data for lists whose readers do not need the full value.

    mask_phone("13812341234")          -> "138****1234"
    mask_phone("0539-8211234")         -> "0539****1234"
    mask_id_number("371311199001011234") -> "3713**********1234"
    mask_name("张三")                    -> "张*"

Templates: `{% load masking %}{{ user.phone|mask_phone }}`.
"""

from __future__ import annotations


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    digits = value.strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    head = 4 if "-" in digits[:5] else 3
    return digits[:head].replace("-", "") + "****" + digits[-4:]


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    value = value.strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_name(value: str | None) -> str:
    if not value:
        return ""
    value = value.strip()
    if len(value) == 1:
        return value
    return value[0] + "*" * (len(value) - 1)
