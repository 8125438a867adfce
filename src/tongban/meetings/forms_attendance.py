"""Forms of the attendance pages: a reason (请假事由, 撤销签到原因) and the console's search."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.meetings.attendance import MAX_REASON

STATUS_FILTERS = [
    ("", _("全部")),
    ("expected", _("待签到")),
    ("present", _("到会")),
    ("late", _("迟到")),
    ("leave", _("请假")),
    ("absent", _("缺席")),
]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"),
        max_length=MAX_REASON,
        error_messages={
            "required": _("请填写原因。"),
            "max_length": _("原因不能超过 %(limit_value)d 个字。"),
        },
    )


class ConsoleFilter(forms.Form):
    q = forms.CharField(label=_("姓名或单位"), max_length=50, required=False)
    status = forms.ChoiceField(label=_("状态"), choices=STATUS_FILTERS, required=False)
