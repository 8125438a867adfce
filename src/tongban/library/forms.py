from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.library.models import ResourceKind, SharingLevel, UpdateFrequency
from tongban.orgs.models import Unit


class EntryForm(forms.Form):
    """The catalogue entry (publish: with the owner unit, the kind and the file)."""

    title = forms.CharField(label=_("资源名称"), max_length=200)
    description = forms.CharField(label=_("摘要"), required=False, max_length=5000, widget=forms.Textarea)
    category = forms.CharField(label=_("分类"), required=False, max_length=50)
    keywords = forms.CharField(label=_("关键词"), required=False, max_length=200)
    update_frequency = forms.ChoiceField(
        label=_("更新周期"), choices=UpdateFrequency.choices, initial=UpdateFrequency.IRREGULAR
    )
    sharing = forms.ChoiceField(label=_("共享类型"), choices=SharingLevel.choices, initial=SharingLevel.OPEN)
    shared_units = forms.TypedMultipleChoiceField(label=_("限定单位"), coerce=int, required=False)
    contact = forms.CharField(label=_("联系人及电话"), required=False, max_length=100)

    def __init__(self, *args: Any, county_units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["shared_units"]).choices = [(u.pk, u.name) for u in county_units]


class PublishForm(EntryForm):
    owner_unit = forms.TypedChoiceField(label=_("提供单位"), coerce=int)
    kind = forms.ChoiceField(label=_("资源类型"), choices=ResourceKind.choices, initial=ResourceKind.DATASET)
    note = forms.CharField(label=_("版本说明"), required=False, max_length=200)

    def __init__(self, *args: Any, owner_units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["owner_unit"]).choices = [(u.pk, u.name) for u in owner_units]


class VersionForm(forms.Form):
    note = forms.CharField(label=_("更新说明"), required=False, max_length=200)


class RequestForm(forms.Form):
    reason = forms.CharField(label=_("申请理由（用途）"), max_length=1000, widget=forms.Textarea)


class ApproveForm(forms.Form):
    expires_on = forms.DateField(label=_("使用期限至（选填）"), required=False)
    note = forms.CharField(label=_("审核意见"), required=False, max_length=500)


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("不予同意的理由"), max_length=500)
