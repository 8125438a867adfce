"""Forms of the meetings' scheduling pages. The meeting form is one page without JavaScript: the
basic fields, the venues (主会场 + 分会场 checkboxes), the county leaders invited by name, the
invited units (a checkbox and the seats per unit, grouped by kind) and the agenda rows (a
formset; "增加议程" adds rows on the server). The services validate everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from tongban.meetings.models import MeetingKind, Reply
from tongban.meetings.scheduling import MAX_AGENDA

DT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"class": "form-control", **(attrs or {})}, format="%Y-%m-%dT%H:%M")


def _dt(label: Any, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=DT_FORMATS,
        widget=DateTimeLocal(),
        error_messages={
            "required": _("请填写%(label)s。") % {"label": label},
            "invalid": _("时间格式不正确。"),
        },
    )


class MeetingForm(forms.Form):
    title = forms.CharField(
        label=_("会议名称"),
        max_length=200,
        error_messages={"required": _("请填写会议名称。"), "max_length": _("会议名称不能超过 200 个字。")},
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    kind = forms.ChoiceField(
        label=_("会议形式"),
        choices=MeetingKind.choices,
        initial=MeetingKind.VIDEO,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("请选择会议形式。"), "invalid_choice": _("请选择会议形式。")},
    )
    host_unit = forms.TypedChoiceField(
        label=_("主办单位"),
        coerce=int,
        error_messages={"required": _("请选择主办单位。"), "invalid_choice": _("请选择主办单位。")},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    chair = forms.TypedChoiceField(
        label=_("主持人"),
        coerce=int,
        error_messages={"required": _("请选择主持人。"), "invalid_choice": _("请选择主持人。")},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    starts_at = _dt(_("开始时间"))
    ends_at = _dt(_("结束时间"))
    main_venue = forms.TypedChoiceField(
        label=_("主会场"),
        coerce=int,
        error_messages={"required": _("请选择主会场。"), "invalid_choice": _("请选择主会场。")},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    venues = forms.TypedMultipleChoiceField(
        label=_("分会场"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"invalid_choice": _("所选分会场无效。")},
    )
    people = forms.TypedMultipleChoiceField(
        label=_("点名参会的县领导"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"invalid_choice": _("所选人员无效。")},
    )
    confirm_deadline = _dt(_("回执截止时间"), required=False)
    late_after_minutes = forms.IntegerField(
        label=_("迟到判定（开始后几分钟算迟到）"),
        min_value=0,
        max_value=240,
        initial=0,
        required=False,
        error_messages={
            "invalid": _("请填写整数。"),
            "min_value": _("迟到判定须在 0 至 240 分钟之间。"),
            "max_value": _("迟到判定须在 0 至 240 分钟之间。"),
        },
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )
    needs_admission = forms.BooleanField(
        label=_("视频入会须主持人准入"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    summary = forms.CharField(
        label=_("会议内容"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        error_messages={"max_length": _("会议内容不能超过 5000 个字。")},
    )
    requirements = forms.CharField(
        label=_("参会要求"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
        error_messages={"max_length": _("参会要求不能超过 5000 个字。")},
    )
    contact_phone = forms.CharField(
        label=_("联系电话"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "tel"}),
        error_messages={"max_length": _("联系电话不能超过 32 个字符。")},
    )
    force = forms.BooleanField(label=_("仍然保存（已知晓上述冲突或提醒）"), required=False)

    def __init__(
        self,
        *args: Any,
        host_units: list[tuple[int, str]],
        chairs: list[tuple[int, str]],
        venues: list[tuple[int, str]],
        leaders: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host_unit"].choices = host_units  # type: ignore[attr-defined]
        self.fields["chair"].choices = [("", _("请选择")), *chairs]  # type: ignore[attr-defined]
        self.fields["main_venue"].choices = [("", _("请选择")), *venues]  # type: ignore[attr-defined]
        self.fields["venues"].choices = venues  # type: ignore[attr-defined]
        self.fields["people"].choices = leaders  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        s, e = data.get("starts_at"), data.get("ends_at")
        if s and e and e <= s:
            self.add_error("ends_at", _("结束时间须晚于开始时间。"))
        return data


class AgendaRowForm(forms.Form):
    title = forms.CharField(
        label=_("议题"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        error_messages={"max_length": _("议题不能超过 200 个字。")},
    )
    presenter = forms.TypedChoiceField(
        label=_("汇报人"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("所选汇报人无效。")},
    )
    presenter_name = forms.CharField(
        label=_("汇报人（外单位）"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    minutes = forms.IntegerField(
        label=_("时长（分钟）"),
        required=False,
        min_value=0,
        max_value=1440,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        error_messages={
            "invalid": _("请填写整数。"),
            "min_value": _("时长无效。"),
            "max_value": _("时长无效。"),
        },
    )

    def __init__(self, *args: Any, presenters: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["presenter"].choices = [("", "—")] + (presenters or [])  # type: ignore[attr-defined]


AgendaFormSet = formset_factory(AgendaRowForm, extra=0, max_num=MAX_AGENDA, absolute_max=MAX_AGENDA)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("取消原因"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        error_messages={"required": _("请填写取消原因。"), "max_length": _("取消原因不能超过 200 个字。")},
    )


class MaterialForm(forms.Form):
    file = forms.FileField(
        label=_("会议材料"),
        error_messages={"required": _("请选择文件。"), "empty": _("文件是空的。")},
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )
    agenda_item = forms.TypedChoiceField(
        label=_("所属议题"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, items: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].choices = [("", _("整个会议"))] + (items or [])  # type: ignore[attr-defined]


REPLY_CHOICES = [("", _("不参加")), (Reply.ATTEND, _("参会")), (Reply.LEAVE, _("请假"))]


class VenueForm(forms.Form):
    name = forms.CharField(
        label=_("会场名称"),
        max_length=64,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        error_messages={"required": _("请填写会场名称。"), "max_length": _("会场名称不能超过 64 个字。")},
    )
    unit = forms.TypedChoiceField(
        label=_("所属单位"),
        coerce=int,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": _("请选择所属单位。"), "invalid_choice": _("请选择所属单位。")},
    )
    address = forms.CharField(
        label=_("地点"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    capacity = forms.IntegerField(
        label=_("容纳人数"),
        min_value=0,
        max_value=5000,
        initial=0,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        error_messages={
            "required": _("请填写容纳人数。"),
            "invalid": _("请填写整数。"),
            "min_value": _("容纳人数无效。"),
            "max_value": _("容纳人数无效。"),
        },
    )
    has_video = forms.BooleanField(
        label=_("有视频会议终端"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    terminal = forms.TypedChoiceField(
        label=_("会场终端账号"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("所选终端账号无效。")},
    )
    sort = forms.IntegerField(
        label=_("排序"),
        initial=0,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        error_messages={"invalid": _("请填写整数。")},
    )
    is_active = forms.BooleanField(
        label=_("启用"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(
        self, *args: Any, units: list[tuple[int, str]], terminals: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units  # type: ignore[attr-defined]
        self.fields["terminal"].choices = [("", "—"), *terminals]  # type: ignore[attr-defined]
