"""Minimum password policy (GB/T 22239-2019 8.1.4.1 a): length and character classes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class PolicyPasswordValidator:
    min_length = 10
    min_classes = 3

    def validate(self, password: str, user: Any = None) -> None:
        classes = sum(
            [
                any(c.islower() for c in password),
                any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            ]
        )
        if len(password) < self.min_length or classes < self.min_classes:
            raise ValidationError(
                _("密码至少 %(length)d 位，并包含大写字母、小写字母、数字、符号中的至少 %(classes)d 类。")
                % {"length": self.min_length, "classes": self.min_classes},
                code="password_policy",
            )

    def get_help_text(self) -> str:
        return _("密码至少 %(length)d 位，并包含大写字母、小写字母、数字、符号中的至少 %(classes)d 类。") % {
            "length": self.min_length,
            "classes": self.min_classes,
        }
