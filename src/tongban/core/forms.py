from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.core.models import CalendarOverride


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"class": "form-control", **(attrs or {})}, format="%Y-%m-%d")


class CalendarOverrideForm(forms.Form):
    date = forms.DateField(
        label=_("日期"),
        widget=DateInput(),
        error_messages={"invalid": _("请填写正确的日期，如 2025-10-13。"), "required": _("请填写日期。")},
    )
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=CalendarOverride.Kind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason = forms.CharField(
        label=_("事由"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class CalendarRemoveForm(forms.Form):
    date = forms.DateField()


class AuditFilterForm(forms.Form):
    actor = forms.CharField(
        label=_("操作人"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    event = forms.ChoiceField(
        label=_("事件"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    unit = forms.IntegerField(
        label=_("单位"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=DateInput())
    success = forms.ChoiceField(
        label=_("结果"),
        required=False,
        choices=[("", _("全部")), ("1", _("成功")), ("0", _("失败"))],
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(
        self, *args: Any, unit_choices: list[tuple[int, str]], event_choices: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = [("", _("全部事件")), *[(e, e) for e in event_choices]]
        if unit_choices:
            self.fields["unit"] = forms.TypedChoiceField(
                label=_("单位"),
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", _("全部单位")), *unit_choices],
                widget=forms.Select(attrs={"class": "form-select"}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return data

    def cleaned_filters(self) -> dict[str, Any]:
        d = self.cleaned_data
        success = {"1": True, "0": False}.get(d.get("success") or "")
        return {
            "actor": (d.get("actor") or "").strip(),
            "event": d.get("event") or "",
            "unit": d.get("unit"),
            "date_from": d.get("date_from"),
            "date_to": d.get("date_to"),
            "success": success,
        }
