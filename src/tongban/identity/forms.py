from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("登录名"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}
        ),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PolicyForm(forms.Form):
    require_key = forms.BooleanField(label=_("登录须使用电子钥匙（密码 + 电子钥匙双因素）"), required=False)
    idle_minutes = forms.IntegerField(label=_("空闲超时（分钟）"), min_value=5, max_value=240)
    lockout_minutes = forms.IntegerField(
        label=_("连续登录失败达到上限后锁定（分钟）"), min_value=1, max_value=1440
    )
    password_min_length = forms.IntegerField(label=_("密码最短长度"), min_value=8, max_value=64)
    password_min_classes = forms.IntegerField(
        label=_("密码最少包含的字符类别（大写、小写、数字、符号）"), min_value=1, max_value=4
    )
    enrolment_code_hours = forms.IntegerField(
        label=_("电子钥匙登记码有效期（小时）"), min_value=1, max_value=168
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
