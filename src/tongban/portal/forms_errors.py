"""The 找错 form (public): page, kind, description, optional contact, and the offline challenge."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.interaction.antispam import ChallengeFormMixin
from tongban.portal import errors
from tongban.portal.models import ErrorReport


class ErrorReportForm(ChallengeFormMixin, forms.Form):
    page_url = forms.CharField(label=_("出错页面地址"), max_length=errors.MAX_URL)
    kind = forms.ChoiceField(label=_("错误类型"), choices=errors.KINDS, widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("问题描述"),
        max_length=errors.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("请写明出错的位置和正确的内容，最多 1000 字。"),
    )
    contact = forms.CharField(
        label=_("联系方式（选填）"),
        max_length=errors.MAX_CONTACT,
        required=False,
        help_text=_("电话或邮箱，便于我们向您核实。"),
    )


class HandleForm(forms.Form):
    status = forms.ChoiceField(
        label=_("处理结果"),
        choices=[
            (ErrorReport.Status.FIXED.value, _("已更正")),
            (ErrorReport.Status.REJECTED.value, _("不属实")),
        ],
        widget=forms.RadioSelect,
    )
    reply = forms.CharField(
        label=_("处理说明"), max_length=errors.MAX_DESCRIPTION, widget=forms.Textarea(attrs={"rows": 3})
    )
