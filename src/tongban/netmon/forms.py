"""Forms of the site register. They only shape the input; the services validate it (the same rules
as the API) and their errors are put back on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.netmon.models import ProbeKind, SiteKind

_TEXT = {"class": "form-control"}
_SELECT = {"class": "form-select"}
_CHECK = {"class": "form-check-input"}


class SiteForm(forms.Form):
    unit_id = forms.TypedChoiceField(label=_("单位"), coerce=int, widget=forms.Select(attrs=_SELECT))
    name = forms.CharField(
        label=_("站点名称"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs=_TEXT),
        help_text=_("留空则用单位名称。"),
    )
    kind = forms.ChoiceField(label=_("类型"), choices=SiteKind.choices, widget=forms.Select(attrs=_SELECT))
    location = forms.CharField(
        label=_("位置"), max_length=200, required=False, widget=forms.TextInput(attrs=_TEXT)
    )
    note = forms.CharField(
        label=_("备注"), max_length=200, required=False, widget=forms.TextInput(attrs=_TEXT)
    )
    sort = forms.IntegerField(label=_("排序"), initial=0, widget=forms.NumberInput(attrs=_TEXT))
    enabled = forms.BooleanField(
        label=_("启用监测"), required=False, initial=True, widget=forms.CheckboxInput(attrs=_CHECK)
    )

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit_id"].choices = units  # type: ignore[attr-defined]


class ProbeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("探测方式"), choices=ProbeKind.choices, widget=forms.Select(attrs=_SELECT)
    )
    name = forms.CharField(
        label=_("名称"), max_length=64, required=False, widget=forms.TextInput(attrs=_TEXT)
    )
    host = forms.CharField(
        label=_("主机（ICMP/TCP）"),
        max_length=253,
        required=False,
        widget=forms.TextInput(attrs=_TEXT),
        help_text=_("IP 地址或域名，如 10.20.1.1"),
    )
    port = forms.IntegerField(label=_("端口（TCP）"), required=False, widget=forms.NumberInput(attrs=_TEXT))
    url = forms.CharField(
        label=_("网址（HTTP）"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs=_TEXT),
        help_text=_("如 http://10.20.1.1/healthz"),
    )
    expected_status = forms.IntegerField(
        label=_("期望状态码"), initial=200, widget=forms.NumberInput(attrs=_TEXT)
    )
    verify_tls = forms.BooleanField(
        label=_("校验 HTTPS 证书"), required=False, initial=True, widget=forms.CheckboxInput(attrs=_CHECK)
    )
    interval_seconds = forms.IntegerField(
        label=_("探测间隔（秒）"), initial=60, widget=forms.NumberInput(attrs=_TEXT)
    )
    timeout_seconds = forms.FloatField(
        label=_("超时（秒）"), initial=3.0, widget=forms.NumberInput(attrs={**_TEXT, "step": "0.1"})
    )
    fail_threshold = forms.IntegerField(
        label=_("连续失败几次判为中断"), initial=3, widget=forms.NumberInput(attrs=_TEXT)
    )
    rise_threshold = forms.IntegerField(
        label=_("连续成功几次判为恢复"), initial=1, widget=forms.NumberInput(attrs=_TEXT)
    )
    degraded_ms = forms.IntegerField(
        label=_("时延超过（毫秒）判为降级"), required=False, widget=forms.NumberInput(attrs=_TEXT)
    )
    enabled = forms.BooleanField(
        label=_("启用"), required=False, initial=True, widget=forms.CheckboxInput(attrs=_CHECK)
    )
