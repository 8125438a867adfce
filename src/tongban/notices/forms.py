from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.notices.models import Importance
from tongban.orgs.models import Unit


class NoticeForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("发布单位"), coerce=int)
    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(
        label=_("正文"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 10})
    )
    importance = forms.ChoiceField(
        label=_("重要程度"), choices=Importance.choices, initial=Importance.NORMAL, widget=forms.RadioSelect
    )
    audience = forms.ChoiceField(
        label=_("发送范围"),
        choices=[("county", _("全县")), ("units", _("指定单位"))],
        initial="units",
        widget=forms.RadioSelect,
    )
    units = forms.TypedMultipleChoiceField(label=_("发送单位"), coerce=int, required=False)
    requires_confirmation = forms.BooleanField(label=_("需要确认已读"), required=False, initial=True)
    expires_on = forms.DateField(
        label=_("有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, publish_units: list[Unit], county_units: list[Unit], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in publish_units]
        self.fields["units"].choices = [(u.pk, u.name) for u in county_units]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("audience") == "units" and not data.get("units") and "units" not in self.errors:
            # a draft may be saved without units; publishing asks for them (service check)
            data["units"] = []
        return data
