"""Forms of the 收文 pages (parsing only; the services decide)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.core.forms import DateInput
from tongban.receiving.models import Handling, RecipientKind, Retention

_TEXT = {"class": "form-control"}
_SELECT = {"class": "form-select"}
_AREA = {"class": "form-control", "rows": 3}

DOC_TYPES = [
    ("", _("（未注明）")),
    *[
        (t, t)
        for t in (
            "决议",
            "决定",
            "命令",
            "公报",
            "公告",
            "通告",
            "意见",
            "通知",
            "通报",
            "报告",
            "请示",
            "批复",
            "议案",
            "函",
            "纪要",
        )
    ],
]


class ExternalForm(forms.Form):
    source_organ = forms.CharField(label=_("来文机关"), max_length=100, widget=forms.TextInput(attrs=_TEXT))
    source_number = forms.CharField(
        label=_("来文字号"), max_length=64, required=False, widget=forms.TextInput(attrs=_TEXT)
    )
    title = forms.CharField(label=_("标题"), max_length=200, widget=forms.TextInput(attrs=_TEXT))
    doc_type = forms.ChoiceField(
        label=_("文种"), choices=DOC_TYPES, required=False, widget=forms.Select(attrs=_SELECT)
    )
    secrecy = forms.ChoiceField(
        label=_("密级"),
        required=False,
        choices=[("", _("非密")), ("秘密", _("秘密")), ("机密", _("机密"))],
        widget=forms.Select(attrs=_SELECT),
    )
    urgency = forms.ChoiceField(
        label=_("紧急程度"),
        required=False,
        choices=[("", _("普通")), ("加急", _("加急")), ("特急", _("特急"))],
        widget=forms.Select(attrs=_SELECT),
    )
    written_date = forms.DateField(label=_("成文日期"), required=False, widget=DateInput())
    copies = forms.IntegerField(
        label=_("份数"), min_value=1, max_value=9999, initial=1, widget=forms.NumberInput(attrs=_TEXT)
    )
    kind = forms.ChoiceField(
        label=_("类别"), choices=RecipientKind.choices, widget=forms.Select(attrs=_SELECT)
    )
    handling = forms.ChoiceField(
        label=_("办理类型"), choices=Handling.choices, widget=forms.Select(attrs=_SELECT)
    )
    file = forms.FileField(
        label=_("来文扫描件或电子文件"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args: Any, units: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = units or []
        if len(units) > 1:
            self.fields["unit"] = forms.TypedChoiceField(
                label=_("收文单位"),
                coerce=int,
                choices=[(u.pk, u.display_name) for u in units],
                widget=forms.Select(attrs=_SELECT),
            )
            self.order_fields(["unit"])


class SignForm(forms.Form):
    copies = forms.IntegerField(
        label=_("份数"), min_value=1, max_value=9999, widget=forms.NumberInput(attrs=_TEXT)
    )


class RegisterForm(forms.Form):
    handling = forms.ChoiceField(
        label=_("办理类型"), choices=Handling.choices, widget=forms.Select(attrs=_SELECT)
    )
    opinion = forms.CharField(
        label=_("备注"), required=False, max_length=500, widget=forms.Textarea(attrs=_AREA)
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("初审结论"),
        choices=[("pass", _("通过")), ("return", _("退回来文单位"))],
        widget=forms.RadioSelect,
        initial="pass",
    )
    opinion = forms.CharField(
        label=_("意见（退回时须写明理由）"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs=_AREA),
    )


class ProposeForm(forms.Form):
    proposal = forms.CharField(label=_("拟办意见"), max_length=2000, widget=forms.Textarea(attrs=_AREA))


class InstructForm(forms.Form):
    instruction = forms.CharField(label=_("批示意见"), max_length=2000, widget=forms.Textarea(attrs=_AREA))
    lead_unit = forms.TypedChoiceField(label=_("主办单位"), coerce=int, widget=forms.Select(attrs=_SELECT))
    assist_units = forms.TypedMultipleChoiceField(
        label=_("协办单位"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 6}),
    )
    deadline_workdays = forms.IntegerField(
        label=_("办理时限（工作日）"),
        min_value=1,
        max_value=120,
        required=False,
        widget=forms.NumberInput(attrs=_TEXT),
    )

    def __init__(self, *args: Any, units: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(u.pk, u.display_name) for u in (units or [])]
        self.fields["lead_unit"].choices = choices  # type: ignore[attr-defined]
        self.fields["assist_units"].choices = choices  # type: ignore[attr-defined]


class HandleForm(forms.Form):
    opinion = forms.CharField(label=_("办理情况"), max_length=2000, widget=forms.Textarea(attrs=_AREA))


class CirculateForm(forms.Form):
    readers = forms.TypedMultipleChoiceField(
        label=_("传阅人员"),
        coerce=int,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 8}),
    )
    note = forms.CharField(
        label=_("附言"), required=False, max_length=200, widget=forms.TextInput(attrs=_TEXT)
    )

    def __init__(self, *args: Any, people: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["readers"].choices = [(u.pk, label) for u, label in (people or [])]  # type: ignore[attr-defined]


class CirculationDoneForm(forms.Form):
    opinion = forms.CharField(
        label=_("意见"), required=False, max_length=500, widget=forms.Textarea(attrs=_AREA)
    )


class FinishForm(forms.Form):
    result = forms.CharField(label=_("办理结果"), max_length=2000, widget=forms.Textarea(attrs=_AREA))


class ArchiveForm(forms.Form):
    retention = forms.ChoiceField(
        label=_("保管期限"), choices=Retention.choices, widget=forms.Select(attrs=_SELECT)
    )


STEP_FORMS: dict[str, type[forms.Form]] = {
    "sign": SignForm,  # only when the route was returned to 签收 (the first 签收 is the button above)
    "register": RegisterForm,
    "review": ReviewForm,
    "propose": ProposeForm,
    "instruct": InstructForm,
    "handle": HandleForm,
    "circulate": CirculationDoneForm,
    "finish": FinishForm,
    "archive": ArchiveForm,
}
