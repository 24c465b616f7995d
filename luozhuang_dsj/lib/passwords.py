"""Password composition as 网络安全等级保护 2.0 (GB/T 22239-2019) level 3 asks for it.

ASVS advises against composition rules; 等保 is the legal duty here, so passwords must mix
at least three of: upper case, lower case, digits, other characters.
"""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError


class CompositionValidator:
    required_classes = 3

    def validate(self, password: str, user: object | None = None) -> None:
        classes = [
            any(c in string.ascii_uppercase for c in password),
            any(c in string.ascii_lowercase for c in password),
            any(c in string.digits for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.required_classes:
            raise ValidationError(
                "密码须至少包含大写字母、小写字母、数字、特殊字符中的三类。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return "密码须至少包含大写字母、小写字母、数字、特殊字符中的三类。"
