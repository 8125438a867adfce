"""Forms of the leaders' schedules: they parse (native date and time pickers, phone friendly);
the services check and decide."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.meetings.models import ScheduleVisibility


class _Styled(forms.Form):
    """Bootstrap classes on every widget; invalid fields marked for assistive technology."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            widget.attrs["class"] = "form-select" if isinstance(widget, forms.Select) else "form-control"

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        names = list(error) if isinstance(error, dict) else ([field] if field else [])
        for name in names:
            if name in self.fields:
                w = self.fields[name].widget
                w.attrs["class"] = w.attrs.get("class", "") + " is-invalid"
                w.attrs["aria-invalid"] = "true"
                w.attrs["aria-describedby"] = f"id_{name}_error"


class _Date(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class _Time(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M", attrs={"step": "300"})


DATE_ERRORS = {"required": _("请填写日期。"), "invalid": _("请填写正确的日期，如 2026-12-01。")}
TIME_ERRORS = {"required": _("请填写时间。"), "invalid": _("请填写正确的时间，如 09:30。")}


def combine(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


class EntryForm(_Styled):
    """An entry kept by hand: the day, start and end time (an end date for a trip over several
    days), what, where and who may see it."""

    day = forms.DateField(label=_("日期"), widget=_Date(), error_messages=DATE_ERRORS)
    start = forms.TimeField(label=_("开始时间"), widget=_Time(), error_messages=TIME_ERRORS)
    end_day = forms.DateField(
        label=_("结束日期"),
        required=False,
        widget=_Date(),
        error_messages=DATE_ERRORS,
        help_text=_("跨天活动（如外出考察）才需填写；留空为当天。"),
    )
    end = forms.TimeField(label=_("结束时间"), widget=_Time(), error_messages=TIME_ERRORS)
    title = forms.CharField(
        label=_("活动内容"),
        max_length=200,
        error_messages={"required": _("请填写活动内容。"), "max_length": _("活动内容不能超过200字。")},
    )
    place = forms.CharField(
        label=_("地点"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("地点不能超过200字。")},
    )
    visibility = forms.ChoiceField(
        label=_("公开范围"),
        choices=ScheduleVisibility.choices,
        initial=ScheduleVisibility.INTERNAL,
        error_messages={"invalid_choice": _("公开范围不正确。")},
        help_text=_("“可公开”的日程会随领导周活动安排发布到门户网站；“仅本人及秘书”其他人看不到。"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start, end = data.get("day"), data.get("start"), data.get("end")
        if day and start and end:
            data["starts_at"] = combine(day, start)
            data["ends_at"] = combine(data.get("end_day") or day, end)
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("end", _("结束时间必须晚于开始时间。"))
        return data

    def values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {k: d.get(k) for k in ("starts_at", "ends_at", "title", "place", "visibility")}

    @classmethod
    def initial_for(cls, entry: Any) -> dict[str, Any]:
        start, end = timezone.localtime(entry.starts_at), timezone.localtime(entry.ends_at)
        return {
            "day": start.date(),
            "start": start.time(),
            "end_day": end.date() if end.date() != start.date() else None,
            "end": end.time(),
            "title": entry.title,
            "place": entry.place,
            "visibility": entry.visibility,
        }


class VisibilityForm(_Styled):
    """A meeting's entry follows its meeting: only who may see it is chosen here."""

    visibility = forms.ChoiceField(
        label=_("公开范围"),
        choices=ScheduleVisibility.choices,
        error_messages={"invalid_choice": _("公开范围不正确。")},
    )

    def values(self) -> dict[str, Any]:
        return {"visibility": self.cleaned_data["visibility"]}


class PublishForm(forms.Form):
    week = forms.DateField(error_messages=DATE_ERRORS)
