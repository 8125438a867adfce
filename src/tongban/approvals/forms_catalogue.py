"""Forms of the catalogue pages: parse only; the rules are checked by :mod:`tongban.approvals.catalogue`."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.approvals import processes
from tongban.approvals.catalogue import FeeIn, MaterialIn, StepIn
from tongban.approvals.models import ItemType, MaterialForm, Variant

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
CHECK = {"class": "form-check-input"}
NUMBER = {"class": "form-control", "min": "0", "inputmode": "numeric"}


class ItemCreateForm(forms.Form):
    department = forms.ChoiceField(label=_("主管部门"), widget=forms.Select(attrs=SELECT))
    code = forms.CharField(label=_("事项编码"), max_length=64, widget=forms.TextInput(attrs=TEXT))
    name = forms.CharField(label=_("事项名称"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    item_type = forms.ChoiceField(
        label=_("事项类型"), choices=ItemType.choices, widget=forms.Select(attrs=SELECT)
    )
    parent = forms.CharField(
        label=_("上级事项编码"),
        max_length=64,
        required=False,
        help_text=_("子项或办理项填写其主项的编码。"),
        widget=forms.TextInput(attrs=TEXT),
    )
    variant = forms.ChoiceField(
        label=_("业务办理项"), choices=Variant.choices, required=False, widget=forms.Select(attrs=SELECT)
    )
    legal_basis = forms.CharField(label=_("设定依据"), widget=forms.Textarea(attrs={**TEXT, "rows": 3}))
    statutory_limit = forms.IntegerField(
        label=_("法定办结时限（工作日）"),
        min_value=1,
        max_value=365,
        initial=20,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    committed_limit = forms.IntegerField(
        label=_("承诺办结时限（工作日）"),
        min_value=1,
        max_value=365,
        initial=5,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    process_key = forms.ChoiceField(
        label=_("办理流程"),
        choices=processes.choices,
        initial=processes.DEFAULT_PROCESS,
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args: Any, departments: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["department"]).choices = departments


class VersionForm(forms.Form):
    name = forms.CharField(label=_("事项名称"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    item_type = forms.ChoiceField(
        label=_("事项类型"), choices=ItemType.choices, widget=forms.Select(attrs=SELECT)
    )
    implementing_unit = forms.ChoiceField(label=_("实施主体"), widget=forms.Select(attrs=SELECT))
    legal_basis = forms.CharField(label=_("设定依据"), widget=forms.Textarea(attrs={**TEXT, "rows": 3}))
    conditions = forms.CharField(
        label=_("受理条件"), required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 3})
    )
    place = forms.CharField(
        label=_("办理地点"), max_length=200, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    hours = forms.CharField(
        label=_("办理时间"), max_length=200, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    phone = forms.CharField(
        label=_("咨询电话"), max_length=64, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    statutory_limit = forms.IntegerField(
        label=_("法定办结时限（工作日）"), min_value=1, max_value=365, widget=forms.NumberInput(attrs=NUMBER)
    )
    committed_limit = forms.IntegerField(
        label=_("承诺办结时限（工作日）"), min_value=1, max_value=365, widget=forms.NumberInput(attrs=NUMBER)
    )
    joint = forms.BooleanField(label=_("联合办理"), required=False, widget=forms.CheckboxInput(attrs=CHECK))
    visits = forms.IntegerField(
        label=_("到现场次数"), min_value=0, max_value=10, widget=forms.NumberInput(attrs=NUMBER)
    )
    online = forms.BooleanField(
        label=_("可网上申请"), required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )
    fee_free = forms.BooleanField(label=_("不收费"), required=False, widget=forms.CheckboxInput(attrs=CHECK))
    certificate_name = forms.CharField(
        label=_("证照名称"), max_length=100, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    certificate_valid_years = forms.IntegerField(
        label=_("证照有效期（年）"),
        min_value=1,
        max_value=99,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    process_key = forms.ChoiceField(
        label=_("办理流程"), choices=processes.choices, widget=forms.Select(attrs=SELECT)
    )
    note = forms.CharField(
        label=_("修改说明"), required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["implementing_unit"]).choices = units


class MaterialRow(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("材料名称"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    form = forms.ChoiceField(
        label=_("材料形式"),
        choices=MaterialForm.choices,
        initial=MaterialForm.ORIGINAL,  # the first option: an untouched extra row stays unchanged
        widget=forms.Select(attrs={**SELECT, "class": "form-select form-select-sm"}),
    )
    copies = forms.IntegerField(
        label=_("份数"), min_value=1, max_value=99, initial=1, widget=forms.NumberInput(attrs=NUMBER)
    )
    required = forms.BooleanField(
        label=_("必需"), required=False, initial=True, widget=forms.CheckboxInput(attrs=CHECK)
    )
    note = forms.CharField(
        label=_("填写说明"), max_length=300, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    sample = forms.FileField(
        label=_("示范文本"),
        required=False,
        widget=forms.FileInput(attrs={"class": "form-control form-control-sm"}),
    )
    clear_sample = forms.BooleanField(
        label=_("删除示范文本"), required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )


class FeeRow(forms.Form):
    name = forms.CharField(label=_("收费项目"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    amount = forms.DecimalField(
        label=_("收费标准（元）"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        widget=forms.NumberInput(attrs={**TEXT, "step": "0.01"}),
    )
    basis = forms.CharField(label=_("收费依据"), widget=forms.TextInput(attrs=TEXT))


class StepRow(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("环节名称"), max_length=64, widget=forms.TextInput(attrs=TEXT))
    limit = forms.IntegerField(
        label=_("环节时限（工作日）"), min_value=1, max_value=365, widget=forms.NumberInput(attrs=NUMBER)
    )
    counts = forms.BooleanField(
        label=_("计入总时限"), required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )


class FieldRow(forms.Form):
    key = forms.CharField(
        label=_("字段标识"), max_length=40, widget=forms.TextInput(attrs={**TEXT, "autocapitalize": "off"})
    )
    label = forms.CharField(label=_("字段名称"), max_length=60, widget=forms.TextInput(attrs=TEXT))
    type = forms.ChoiceField(
        label=_("类型"),
        choices=[
            ("text", _("单行文本")),
            ("textarea", _("多行文本")),
            ("date", _("日期")),
            ("number", _("数字")),
            ("select", _("下拉选择")),
        ],
        initial="text",
        widget=forms.Select(attrs=SELECT),
    )
    required = forms.BooleanField(label=_("必填"), required=False, widget=forms.CheckboxInput(attrs=CHECK))
    choices = forms.CharField(
        label=_("选项（逗号分隔）"), required=False, max_length=1000, widget=forms.TextInput(attrs=TEXT)
    )


MaterialFormSet = forms.formset_factory(MaterialRow, extra=1, can_delete=True, max_num=60)
FeeFormSet = forms.formset_factory(FeeRow, extra=1, can_delete=True, max_num=30)
StepFormSet = forms.formset_factory(StepRow, extra=0, can_delete=False, max_num=10)
FieldFormSet = forms.formset_factory(FieldRow, extra=1, can_delete=True, max_num=40)


def _rows(fs: forms.BaseFormSet) -> list[dict[str, Any]]:
    """Filled, not-deleted rows of a (valid) formset."""
    out = []
    for f in fs.forms:
        data = getattr(f, "cleaned_data", None) or {}
        if not data or data.get("DELETE"):
            continue
        out.append(data)
    return out


def materials_in(fs: forms.BaseFormSet) -> list[MaterialIn]:
    return [
        MaterialIn(
            id=d.get("id"),
            name=d["name"],
            form=d["form"],
            copies=d["copies"],
            required=bool(d.get("required")),
            note=d.get("note") or "",
            sample=d.get("sample") or None,
            clear_sample=bool(d.get("clear_sample")),
        )
        for d in _rows(fs)
    ]


def fees_in(fs: forms.BaseFormSet) -> list[FeeIn]:
    return [FeeIn(name=d["name"], amount=d["amount"], basis=d["basis"]) for d in _rows(fs)]


def steps_in(fs: forms.BaseFormSet) -> list[StepIn]:
    return [
        StepIn(key=d["key"], name=d["name"], limit=d["limit"], counts=bool(d.get("counts")))
        for d in _rows(fs)
    ]


def schema_in(fs: forms.BaseFormSet) -> list[dict[str, Any]]:
    return [
        {
            "key": d["key"].strip(),
            "label": d["label"],
            "type": d["type"],
            "required": bool(d.get("required")),
            **({"choices": d.get("choices") or ""} if d["type"] == "select" else {}),
        }
        for d in _rows(fs)
    ]
