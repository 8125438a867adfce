"""Forms of the watch pages: parse and validate input; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.approvals.models import Light
from tongban.supervision.models import AnomalyKind, AnomalyStatus, RectificationStatus
from tongban.supervision.rectify import MAX_DAYS
from tongban.supervision.sweep import LIMITS


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


class _Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class RectificationForm(_Styled):
    unit = forms.TypedChoiceField(label=_("责任单位"), coerce=int)
    tracking_no = forms.CharField(label=_("涉及办件（受理编号，可不填）"), max_length=32, required=False)
    text = forms.CharField(label=_("整改要求"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000)
    deadline_days = forms.IntegerField(
        label=_("整改期限（工作日）"), min_value=1, max_value=MAX_DAYS, initial=5
    )

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "unit").choices = [("", _("请选择单位")), *units]


class ReplyForm(_Styled):
    reply = forms.CharField(label=_("整改情况"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000)


class CloseForm(_Styled):
    note = forms.CharField(
        label=_("办结意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )


class AnomalyCloseForm(_Styled):
    note = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class SettingsForm(_Styled):
    warn_days = forms.IntegerField(
        label=_("预警提前工作日"), min_value=LIMITS["warn_days"][0], max_value=LIMITS["warn_days"][1],
        help_text=_("承诺期限前多少个工作日亮预警（默认 2）。"),
    )  # fmt: skip
    rectify_days = forms.IntegerField(
        label=_("黄牌整改期限（工作日）"), min_value=LIMITS["rectify_days"][0], max_value=LIMITS["rectify_days"][1],
        help_text=_("亮黄牌后多少个工作日内未整改即亮红牌（默认 3）。"),
    )  # fmt: skip
    rating_followup_days = forms.IntegerField(
        label=_("差评整改反馈期限（工作日）"),
        min_value=LIMITS["rating_followup_days"][0], max_value=LIMITS["rating_followup_days"][1],
        help_text=_("差评须在多少个工作日内整改反馈（默认 5）。"),
    )  # fmt: skip


class CaseFilterForm(_Styled):
    light = forms.ChoiceField(label=_("灯色"), required=False)
    unit = forms.TypedChoiceField(label=_("办理单位"), coerce=int, required=False, empty_value=None)
    q = forms.CharField(label=_("受理编号或申请人"), max_length=64, required=False)

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "light").choices = [("", _("全部灯色")), *[(v, lab) for v, lab in Light.choices if v]]
        _choices(self, "unit").choices = [("", _("全部单位")), *units]


class AnomalyFilterForm(_Styled):
    kind = forms.ChoiceField(label=_("异常类型"), required=False)
    unit = forms.TypedChoiceField(label=_("责任单位"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "kind").choices = [("", _("全部类型")), *AnomalyKind.choices]
        _choices(self, "unit").choices = [("", _("全部单位")), *units]
        _choices(self, "status").choices = [("", _("全部状态")), *AnomalyStatus.choices]


class RectificationFilterForm(_Styled):
    status = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "status").choices = [("", _("全部状态")), *RectificationStatus.choices]
