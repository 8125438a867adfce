from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.exchange.models import DeliveryStatus, ExchangeTarget, PushKind
from tongban.exchange.scopes import scope_choices


class IssueTokenForm(forms.Form):
    username = forms.CharField(label=_("集成账号（登录名）"), max_length=150)
    name = forms.CharField(label=_("客户端名称"), max_length=64)
    scopes = forms.MultipleChoiceField(
        label=_("授权范围（只读）"), choices=scope_choices, widget=forms.CheckboxSelectMultiple
    )
    rate_per_minute = forms.IntegerField(
        label=_("每分钟请求上限（0：系统默认）"), min_value=0, max_value=100_000, initial=0
    )


class TargetForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    url = forms.URLField(label=_("接收地址"), max_length=500, assume_scheme="https")
    secret = forms.CharField(
        label=_("签名密钥（HMAC-SHA256，至少 16 个字符；修改时留空则不变）"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )
    auth_header_name = forms.CharField(label=_("附加请求头名称（可选）"), max_length=64, required=False)
    auth_header_value = forms.CharField(
        label=_("附加请求头值（修改时留空则不变）"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )
    enabled = forms.BooleanField(label=_("启用"), required=False)
    push_cases = forms.BooleanField(label=_("推送审批办件"), required=False)
    push_disclosure = forms.BooleanField(label=_("推送依申请公开统计"), required=False)
    batch_size = forms.IntegerField(label=_("每批条数"), min_value=1, max_value=1000, initial=200)
    max_attempts = forms.IntegerField(label=_("最多尝试次数"), min_value=1, max_value=20, initial=6)
    timeout_seconds = forms.IntegerField(label=_("超时（秒）"), min_value=1, max_value=60, initial=10)

    def __init__(self, *args: Any, target: ExchangeTarget | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target = target
        if target is None:
            self.fields["secret"].required = True

    def data_for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if self.target is not None and not data.get("auth_header_value"):
            data["auth_header_value"] = self.target.auth_header_value
        if not data.get("auth_header_name"):
            data["auth_header_value"] = ""
        return data


class DeliveryFilterForm(forms.Form):
    target = forms.ModelChoiceField(
        label=_("推送目标"), queryset=ExchangeTarget.objects.order_by("name"), required=False
    )
    kind = forms.ChoiceField(
        label=_("数据类别"), choices=[("", _("全部")), *PushKind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部")), *DeliveryStatus.choices], required=False
    )
    since = forms.DateField(
        label=_("生成日期起"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("生成日期止"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
