"""Minimum password policy (GB/T 22239-2019 8.1.4.1 a): length and character classes, both set by
the security administrator in the security policy."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _classes(password: str) -> int:
    return sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )


class PolicyPasswordValidator:
    def _limits(self) -> tuple[int, int]:
        from tongban.identity.selectors import security_policy

        policy = security_policy()
        return policy.password_min_length, min(policy.password_min_classes, 4)

    def _message(self) -> str:
        length, classes = self._limits()
        return _("密码至少 %(length)d 位，并包含大写字母、小写字母、数字、符号中的至少 %(classes)d 类。") % {
            "length": length,
            "classes": classes,
        }

    def validate(self, password: str, user: Any = None) -> None:
        length, classes = self._limits()
        if len(password) < length or _classes(password) < classes:
            raise ValidationError(self._message(), code="password_policy")

    def get_help_text(self) -> str:
        return self._message()
