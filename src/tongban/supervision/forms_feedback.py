"""Forms of the feedback pages: they only parse; the services validate and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.supervision.models import ComplaintChannel

STAFF_CHANNEL_CHOICES = [
    (c.value, c.label) for c in (ComplaintChannel.PHONE, ComplaintChannel.LETTER, ComplaintChannel.VISIT)
]


class StyledForm(forms.Form):
    """Bootstrap classes on every widget; invalid fields marked for assistive technology."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        names = [field] if field else []
        if isinstance(error, dict):
            names = list(error)
        for name in names:
            if name in self.fields:
                w = self.fields[name].widget
                if "is-invalid" not in w.attrs.get("class", ""):
                    w.attrs["class"] = w.attrs.get("class", "") + " is-invalid"
                w.attrs["aria-invalid"] = "true"
                w.attrs["aria-describedby"] = f"id_{name}_error"


class _UnitChoice(forms.TypedChoiceField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, coerce=int, empty_value=None, required=False, **kwargs)


class PublicComplaintForm(StyledForm):
    about = forms.ChoiceField(
        label=_("投诉对象"),
        choices=[("case", _("我办理的办件")), ("unit", _("某个部门"))],
        widget=forms.RadioSelect,
        initial="case",
    )
    tracking_no = forms.CharField(label=_("受理编号"), max_length=32, required=False)
    unit = _UnitChoice(label=_("被投诉部门"))
    name = forms.CharField(label=_("姓名"), max_length=64)
    phone = forms.CharField(label=_("联系电话"), max_length=20)
    subject = forms.CharField(label=_("投诉主题"), max_length=200)
    text = forms.CharField(label=_("投诉内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("请选择部门")), *units]  # type: ignore[attr-defined]
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields["name"].widget.attrs.update({"autocomplete": "name"})


class StaffComplaintForm(StyledForm):
    channel = forms.ChoiceField(label=_("投诉渠道"), choices=STAFF_CHANNEL_CHOICES)
    received_on = forms.DateField(
        label=_("收到日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    tracking_no = forms.CharField(label=_("受理编号（投诉办件时填写）"), max_length=32, required=False)
    unit = _UnitChoice(label=_("被投诉部门（未填受理编号时选择）"))
    name = forms.CharField(label=_("投诉人"), max_length=64)
    phone = forms.CharField(label=_("联系电话"), max_length=20)
    subject = forms.CharField(label=_("投诉主题"), max_length=200)
    text = forms.CharField(label=_("投诉内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("请选择部门")), *units]  # type: ignore[attr-defined]


class ForwardForm(StyledForm):
    unit = _UnitChoice(label=_("转办单位"))
    note = forms.CharField(label=_("转办意见"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units  # type: ignore[attr-defined]


class StatementForm(StyledForm):
    statement = forms.CharField(
        label=_("情况说明"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AnswerForm(StyledForm):
    upheld = forms.TypedChoiceField(
        label=_("投诉是否属实"),
        choices=[("1", _("属实")), ("0", _("不属实"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(label=_("答复意见"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))


class LookupForm(StyledForm):
    number = forms.CharField(label=_("投诉编号"), max_length=32)
    phone = forms.CharField(label=_("联系电话"), max_length=20)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})


class CloseFollowUpForm(StyledForm):
    fixed = forms.CharField(label=_("整改情况"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    contact = forms.CharField(
        label=_("与申请人沟通、回访情况"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PolicyForm(StyledForm):
    w_timeliness = forms.IntegerField(label=_("按时办结权重"), min_value=0, max_value=100)
    w_anomalies = forms.IntegerField(label=_("异常权重"), min_value=0, max_value=100)
    w_complaints = forms.IntegerField(label=_("投诉权重"), min_value=0, max_value=100)
    w_ratings = forms.IntegerField(label=_("评价权重"), min_value=0, max_value=100)
    anomaly_penalty = forms.IntegerField(label=_("每件异常扣分"), min_value=0, max_value=100)
    complaint_penalty = forms.IntegerField(label=_("每件属实投诉扣分"), min_value=0, max_value=100)
    complaint_days = forms.IntegerField(label=_("投诉答复期限（工作日）"), min_value=1, max_value=60)
